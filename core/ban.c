/*
 * Address bans after repeated failed logins (see ban.h).  Open addressing
 * with linear probing and backward-shift deletion, as in connlimit.c; the
 * hash is keyed with a random seed so nobody can aim addresses at one
 * probe run.  Times are the caller's monotonic milliseconds.
 */
#include "ban.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define BAN_RING (BAN_SLICES + 1)

static void ban_key(const struct sockaddr_storage *ss, uint8_t key[16])
{
	memset(key, 0, 16);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		key[10] = key[11] = 0xff;
		memcpy(key + 12, &in->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		const struct in6_addr *a =
			&((const struct sockaddr_in6 *)ss)->sin6_addr;

		memcpy(key, a, 16);
		/* a host usually holds a whole /64: judge the prefix */
		if (!IN6_IS_ADDR_V4MAPPED(a))
			memset(key + 8, 0, 8);
	}
}

static size_t ban_hash(const struct ban *b, const uint8_t key[16])
{
	uint64_t h = 1469598103934665603ULL ^ b->seed;

	for (int i = 0; i < 16; i++)
		h = (h ^ key[i]) * 1099511628211ULL;
	h ^= h >> 29;
	return (size_t)h & (b->nslots - 1);
}

int ban_init(struct ban *b, size_t max_addrs)
{
	size_t n = 16;

	memset(b, 0, sizeof(*b));
	if (max_addrs == 0)
		max_addrs = 1;
	while (n < max_addrs * 2)
		n *= 2;
	if (getrandom(&b->seed, sizeof(b->seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(b->seed))
		b->seed = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL;
	b->slots = calloc(n, sizeof(*b->slots));
	if (b->slots == NULL)
		return -1;
	b->nslots = n;
	b->max = max_addrs;
	if (pthread_mutex_init(&b->lock, NULL) != 0) {
		free(b->slots);
		b->slots = NULL;
		return -1;
	}
	return 0;
}

void ban_fini(struct ban *b)
{
	if (b->slots == NULL)
		return;
	free(b->slots);
	b->slots = NULL;
	pthread_mutex_destroy(&b->lock);
}

/* The slot holding key, or the free slot where it would go. */
static size_t ban_find(const struct ban *b, const uint8_t key[16])
{
	size_t mask = b->nslots - 1, i = ban_hash(b, key);

	while (b->slots[i].used && memcmp(b->slots[i].addr, key, 16) != 0)
		i = (i + 1) & mask;
	return i;
}

/* Free slot i, pulling later members of its probe run into the hole. */
static void ban_remove(struct ban *b, size_t i)
{
	size_t mask = b->nslots - 1, j;

	b->slots[i].used = 0;
	b->n--;
	for (j = (i + 1) & mask; b->slots[j].used; j = (j + 1) & mask) {
		size_t home = ban_hash(b, b->slots[j].addr);

		if (((j - home) & mask) >= ((j - i) & mask)) {
			b->slots[i] = b->slots[j];
			b->slots[j].used = 0;
			i = j;
		}
	}
}

/*
 * Make room: drop the address that matters least, an unbanned one before
 * any banned one, then the one whose last failure (or ban) is oldest.
 */
static void ban_evict(struct ban *b, uint64_t now)
{
	size_t victim = b->nslots, i;
	int vclass = 2;
	uint64_t vscore = UINT64_MAX;

	for (i = 0; i < b->nslots; i++) {
		const struct ban_slot *e = &b->slots[i];
		int cls;
		uint64_t score;

		if (!e->used)
			continue;
		cls = e->until > now;
		score = cls ? e->until : e->touched;
		if (cls < vclass || (cls == vclass && score < vscore)) {
			victim = i;
			vclass = cls;
			vscore = score;
		}
	}
	if (victim < b->nslots)
		ban_remove(b, victim);
}

/* Bring e's ring to the slice of now: slices that fell out count nothing. */
static void ban_advance(struct ban_slot *e, uint64_t now, uint64_t slice_ms)
{
	uint64_t cur = now / slice_ms, k;

	if (e->slice_ms != slice_ms || cur > e->newest + BAN_SLICES) {
		memset(e->count, 0, sizeof(e->count));
	} else {
		for (k = e->newest + 1; k <= cur; k++)
			e->count[k % BAN_RING] = 0;
	}
	if (e->slice_ms != slice_ms || cur > e->newest)
		e->newest = cur;
	e->slice_ms = slice_ms;
}

static unsigned ban_sum(const struct ban_slot *e)
{
	unsigned sum = 0;

	for (int k = 0; k < BAN_RING; k++)
		sum += e->count[k];
	return sum;
}

uint64_t ban_left(struct ban *b, const struct sockaddr_storage *addr,
		  uint64_t now_ms)
{
	uint8_t key[16];
	uint64_t left = 0;
	size_t i;

	ban_key(addr, key);
	pthread_mutex_lock(&b->lock);
	i = ban_find(b, key);
	if (b->slots[i].used && b->slots[i].until > now_ms)
		left = b->slots[i].until - now_ms;
	pthread_mutex_unlock(&b->lock);
	return left;
}

int ban_fail(struct ban *b, const struct sockaddr_storage *addr,
	     uint64_t now_ms, const struct ban_rule *rule)
{
	uint64_t slice_ms;
	struct ban_slot *e;
	uint8_t key[16];
	int banned = 0;
	size_t i;

	if (rule->failures == 0)
		return 0;
	slice_ms = (rule->window_ms + BAN_SLICES - 1) / BAN_SLICES;
	if (slice_ms == 0)
		slice_ms = 1;
	ban_key(addr, key);
	pthread_mutex_lock(&b->lock);
	i = ban_find(b, key);
	if (!b->slots[i].used) {
		if (b->n >= b->max) {
			ban_evict(b, now_ms);
			i = ban_find(b, key);
		}
		memset(&b->slots[i], 0, sizeof(b->slots[i]));
		memcpy(b->slots[i].addr, key, 16);
		b->slots[i].used = 1;
		b->n++;
	}
	e = &b->slots[i];
	e->touched = now_ms;
	if (e->until > now_ms)
		goto out;	/* already banned: nothing more to count */
	ban_advance(e, now_ms, slice_ms);
	if (e->count[e->newest % BAN_RING] < UINT16_MAX)
		e->count[e->newest % BAN_RING]++;
	if (ban_sum(e) >= rule->failures) {
		/* the ban starts a clean record: after it, count afresh */
		memset(e->count, 0, sizeof(e->count));
		e->until = now_ms + rule->ban_ms;
		banned = 1;
	}
out:
	pthread_mutex_unlock(&b->lock);
	return banned;
}
