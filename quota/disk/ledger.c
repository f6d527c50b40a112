/*
 * The quota ledger (ledger.h): one account per login in a fixed hash table
 * whose buckets share QD_STRIPES mutexes, so reserve and settle take one
 * lock and walk a short chain.  Accounts live until the ledger is freed.
 *
 * Changes settled while a cell is being measured: a walk sees a change
 * made in a folder it has not reached yet and misses one made in a folder
 * it has passed, and a settle does not say where it happened.  The rule
 * keeps the error on the safe side, never below what is on disk:
 *  - growth (delta > 0) settled during a measurement is added to what the
 *    walk found, even if the walk saw it too;
 *  - shrinkage (delta < 0) settled during a measurement is dropped, even
 *    if the walk had already counted what was removed.
 * A measurement thus over-counts by at most what changed while it ran;
 * only a rename during the walk, from a folder not yet read into one
 * already read, can hide a file from it.  A measurement of a quiet cell is
 * exact.  Settles for a login neither measured nor being measured are
 * dropped: the measurement that comes first sees them on disk.
 */
#include "quota/disk/ledger.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define QD_BUCKETS 4096		/* a power of two */
#define QD_STRIPES 64		/* a power of two, at most QD_BUCKETS */

struct qd_acct {
	struct qd_acct *next;
	char login[CF_LOGIN_MAX];
	uint64_t used_bytes, used_files;	/* valid when measured */
	uint64_t res_bytes, res_files;	/* reserved, not yet settled */
	uint64_t grow_bytes, grow_files;	/* growth during a walk */
	int measured;
	int measuring;		/* one thread walks the cell right now */
	int failed;		/* the last measurement failed */
};

struct qd_stripe {
	pthread_mutex_t lock;	/* guards the accounts of its buckets */
	pthread_cond_t done;	/* a measurement of one of them ended */
};

struct qd_ledger {
	struct qd_stripe stripe[QD_STRIPES];
	struct qd_acct *bucket[QD_BUCKETS];
};

/* ---- arithmetic that neither wraps nor goes below zero ---- */

static uint64_t qd_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t qd_sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

static uint64_t qd_apply(uint64_t v, int64_t delta)
{
	if (delta >= 0)
		return qd_add(v, (uint64_t)delta);
	return qd_sub(v, (uint64_t)(-(delta + 1)) + 1); /* INT64_MIN too */
}

static uint64_t qd_positive(int64_t v)
{
	return v > 0 ? (uint64_t)v : 0;
}

/* Room for `want` more on top of used + held? */
static int qd_fits(uint64_t used, uint64_t held, uint64_t want,
		   uint64_t limit)
{
	uint64_t now = qd_add(used, held);

	if (limit == CF_UNLIMITED)
		return 1;
	return now <= limit && want <= limit - now;
}

/* ---- the table ---- */

static int qd_login_ok(const char *login)
{
	size_t n;

	if (login == NULL)
		return 0;
	n = strnlen(login, CF_LOGIN_MAX);
	return n > 0 && n < CF_LOGIN_MAX;
}

static unsigned qd_bucket(const char *login)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)login; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h & (QD_BUCKETS - 1);
}

/* Lock the stripe of login's bucket; *b receives the bucket. */
static struct qd_stripe *qd_lock(struct qd_ledger *l, const char *login,
				 unsigned *b)
{
	struct qd_stripe *s;

	*b = qd_bucket(login);
	s = &l->stripe[*b & (QD_STRIPES - 1)];
	pthread_mutex_lock(&s->lock);
	return s;
}

/* The caller holds the bucket's stripe. */
static struct qd_acct *qd_find(struct qd_ledger *l, const char *login,
			       unsigned b)
{
	struct qd_acct *a;

	for (a = l->bucket[b]; a != NULL; a = a->next)
		if (strcmp(a->login, login) == 0)
			return a;
	return NULL;
}

/* qd_find, adding a blank account when there is none. */
static struct qd_acct *qd_get(struct qd_ledger *l, const char *login,
			      unsigned b)
{
	struct qd_acct *a = qd_find(l, login, b);

	if (a != NULL)
		return a;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	memcpy(a->login, login, strlen(login) + 1);
	a->next = l->bucket[b];
	l->bucket[b] = a;
	return a;
}

struct qd_ledger *qd_ledger_new(void)
{
	struct qd_ledger *l = calloc(1, sizeof(*l));
	size_t i;

	if (l == NULL)
		return NULL;
	for (i = 0; i < QD_STRIPES; i++) {
		if (pthread_mutex_init(&l->stripe[i].lock, NULL) != 0)
			goto fail;
		if (pthread_cond_init(&l->stripe[i].done, NULL) != 0) {
			pthread_mutex_destroy(&l->stripe[i].lock);
			goto fail;
		}
	}
	return l;
fail:
	while (i-- > 0) {
		pthread_cond_destroy(&l->stripe[i].done);
		pthread_mutex_destroy(&l->stripe[i].lock);
	}
	free(l);
	return NULL;
}

void qd_ledger_free(struct qd_ledger *l)
{
	struct qd_acct *a, *next;

	if (l == NULL)
		return;
	for (size_t b = 0; b < QD_BUCKETS; b++) {
		for (a = l->bucket[b]; a != NULL; a = next) {
			next = a->next;
			free(a);
		}
	}
	for (size_t i = 0; i < QD_STRIPES; i++) {
		pthread_cond_destroy(&l->stripe[i].done);
		pthread_mutex_destroy(&l->stripe[i].lock);
	}
	free(l);
}

/* ---- measuring ---- */

int qd_ledger_claim(struct qd_ledger *l, const char *login, int force)
{
	struct qd_stripe *s;
	struct qd_acct *a;
	unsigned b;
	int r = QD_MINE;

	if (!qd_login_ok(login))
		return -EINVAL;
	s = qd_lock(l, login, &b);
	a = qd_get(l, login, b);
	if (a == NULL) {
		pthread_mutex_unlock(&s->lock);
		return -ENOMEM;
	}
	/* the account outlives the wait: accounts are never removed */
	while (a->measuring)
		pthread_cond_wait(&s->done, &s->lock);
	if (a->measured && !force) {
		r = QD_READY;
	} else {
		a->measuring = 1;
		a->grow_bytes = 0;
		a->grow_files = 0;
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

void qd_ledger_done(struct qd_ledger *l, const char *login,
		    const struct qd_count *c)
{
	struct qd_stripe *s;
	struct qd_acct *a;
	unsigned b;

	if (!qd_login_ok(login))
		return;
	s = qd_lock(l, login, &b);
	a = qd_find(l, login, b);
	if (a != NULL && a->measuring) {
		if (c != NULL) {
			a->used_bytes = qd_add(c->bytes, a->grow_bytes);
			a->used_files = qd_add(c->files, a->grow_files);
			a->measured = 1;
		}
		a->failed = c == NULL;
		a->measuring = 0;
		a->grow_bytes = 0;
		a->grow_files = 0;
		pthread_cond_broadcast(&s->done);
	}
	pthread_mutex_unlock(&s->lock);
}

/* ---- the hot path ---- */

/*
 * A login not measured yet has nothing to be checked against, so its
 * reservations are granted; they are still recorded, so that the settle
 * that follows gives back what was really held.  When its measurement
 * failed, granting would let it write without limit: refused instead.
 */
int qd_ledger_reserve(struct qd_ledger *l, const char *login,
		      uint64_t limit_bytes, uint64_t limit_files,
		      int64_t bytes, int64_t files)
{
	struct qd_stripe *s;
	struct qd_acct *a;
	unsigned b;
	int r = CF_OK;

	if (bytes < 0 || files < 0 || !qd_login_ok(login))
		return CF_ERROR;
	s = qd_lock(l, login, &b);
	a = qd_get(l, login, b);
	if (a == NULL || (!a->measured && a->failed)) {
		r = CF_ERROR;
	} else if (a->measured &&
		   (!qd_fits(a->used_bytes, a->res_bytes, (uint64_t)bytes,
			     limit_bytes) ||
		    !qd_fits(a->used_files, a->res_files, (uint64_t)files,
			     limit_files))) {
		r = CF_DENIED;
	} else {
		a->res_bytes = qd_add(a->res_bytes, (uint64_t)bytes);
		a->res_files = qd_add(a->res_files, (uint64_t)files);
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

void qd_ledger_settle(struct qd_ledger *l, const char *login,
		      int64_t reserved_bytes, int64_t reserved_files,
		      int64_t delta_bytes, int64_t delta_files)
{
	struct qd_stripe *s;
	struct qd_acct *a;
	unsigned b;

	if (!qd_login_ok(login))
		return;
	s = qd_lock(l, login, &b);
	a = qd_find(l, login, b);
	if (a != NULL) {
		a->res_bytes = qd_sub(a->res_bytes,
				      qd_positive(reserved_bytes));
		a->res_files = qd_sub(a->res_files,
				      qd_positive(reserved_files));
		if (a->measured) {
			a->used_bytes = qd_apply(a->used_bytes, delta_bytes);
			a->used_files = qd_apply(a->used_files, delta_files);
		}
		if (a->measuring) {
			a->grow_bytes = qd_add(a->grow_bytes,
					       qd_positive(delta_bytes));
			a->grow_files = qd_add(a->grow_files,
					       qd_positive(delta_files));
		}
	}
	pthread_mutex_unlock(&s->lock);
}

int qd_ledger_usage(struct qd_ledger *l, const char *login,
		    uint64_t *bytes, uint64_t *files)
{
	struct qd_stripe *s;
	struct qd_acct *a;
	unsigned b;
	int r = CF_DECLINED;

	if (!qd_login_ok(login))
		return CF_DECLINED;
	s = qd_lock(l, login, &b);
	a = qd_find(l, login, b);
	if (a != NULL && a->measured) {
		*bytes = qd_add(a->used_bytes, a->res_bytes);
		*files = qd_add(a->used_files, a->res_files);
		r = CF_OK;
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}
