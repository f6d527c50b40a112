/*
 * Session limits (see limits.h).  Linear probing with backward-shift
 * deletion keeps the table tombstone-free; it is sized for twice the
 * largest session count it could ever hold, so it never fills.
 */
#include "connlimit.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

static void addr_key(const struct sockaddr_storage *ss, uint8_t key[16])
{
	memset(key, 0, 16);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		key[10] = key[11] = 0xff;
		memcpy(key + 12, &in->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		memcpy(key, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	}
}

static size_t addr_hash(const uint8_t key[16], size_t mask)
{
	uint64_t h = 1469598103934665603ULL;

	for (int i = 0; i < 16; i++)
		h = (h ^ key[i]) * 1099511628211ULL;
	return (size_t)h & mask;
}

int limits_init(struct limits *l, size_t max_sessions)
{
	size_t n = 64;

	memset(l, 0, sizeof(*l));
	while (n < max_sessions * 2 + 2)
		n *= 2;
	l->slots = calloc(n, sizeof(*l->slots));
	if (l->slots == NULL)
		return -1;
	l->nslots = n;
	if (pthread_mutex_init(&l->lock, NULL) != 0) {
		free(l->slots);
		return -1;
	}
	return 0;
}

void limits_fini(struct limits *l)
{
	free(l->slots);
	pthread_mutex_destroy(&l->lock);
}

static size_t find(struct limits *l, const uint8_t key[16])
{
	size_t mask = l->nslots - 1, i = addr_hash(key, mask);

	while (l->slots[i].count != 0 && memcmp(l->slots[i].addr, key, 16) != 0)
		i = (i + 1) & mask;
	return i;
}

enum limits_verdict limits_enter(struct limits *l,
				 const struct sockaddr_storage *addr,
				 size_t max_total, size_t max_per_ip)
{
	enum limits_verdict v = LIMITS_OK;
	uint8_t key[16];
	size_t i;

	addr_key(addr, key);
	pthread_mutex_lock(&l->lock);
	/* the table holds at most nslots/2 addresses, whatever max_total says */
	if (l->total >= max_total || l->total >= l->nslots / 2) {
		v = LIMITS_FULL;
		goto out;
	}
	i = find(l, key);
	if (max_per_ip != 0 && l->slots[i].count >= max_per_ip) {
		v = LIMITS_PER_IP;
		goto out;
	}
	memcpy(l->slots[i].addr, key, 16);
	l->slots[i].count++;
	l->total++;
out:
	pthread_mutex_unlock(&l->lock);
	return v;
}

void limits_leave(struct limits *l, const struct sockaddr_storage *addr)
{
	size_t mask = l->nslots - 1, i, j;
	uint8_t key[16];

	addr_key(addr, key);
	pthread_mutex_lock(&l->lock);
	i = find(l, key);
	if (l->slots[i].count == 0)
		goto out;
	l->total--;
	if (--l->slots[i].count != 0)
		goto out;
	/* backward-shift: pull later members of the probe run into the hole */
	for (j = (i + 1) & mask; l->slots[j].count != 0; j = (j + 1) & mask) {
		size_t home = addr_hash(l->slots[j].addr, mask);

		if (((j - home) & mask) >= ((j - i) & mask)) {
			l->slots[i] = l->slots[j];
			l->slots[j].count = 0;
			i = j;
		}
	}
out:
	pthread_mutex_unlock(&l->lock);
}
