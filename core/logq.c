/*
 * Logger thread (see logq.h).  Each event is copied into one allocation
 * (strings packed after the struct), so the sender's buffers can go away
 * at once and the logger frees each item with a single free().
 */
#include "logq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * What queued events may hold, strings included: a client sending long
 * commands faster than a slow log disk takes them must not grow the
 * server past this (max events alone would allow 64K times 12 KiB).
 */
#define LOGQ_BYTES_MAX (32u << 20)

/* How long events may gather after a batch (see logq_linger). */
#define LOGQ_LINGER_NS (10 * 1000 * 1000L)

struct logq_item {
	struct logq_item *next;
	struct cf_log_event ev;
	char strings[];
};

static size_t slen(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static const char *pack(char **dst, const char *s)
{
	char *p = *dst;
	size_t n;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	memcpy(p, s, n);
	*dst += n;
	return p;
}

static struct logq_item *item_copy(const struct cf_log_event *ev,
				   size_t *size)
{
	size_t extra = slen(ev->client_addr) + slen(ev->login) +
		slen(ev->action) + slen(ev->path) + slen(ev->path2) +
		slen(ev->detail);
	struct logq_item *it = malloc(sizeof(*it) + extra);
	char *p;

	*size = sizeof(*it) + extra;
	if (it == NULL)
		return NULL;
	it->next = NULL;
	it->ev = *ev;
	it->ev.size = sizeof(it->ev);
	p = it->strings;
	it->ev.client_addr = pack(&p, ev->client_addr);
	it->ev.login = pack(&p, ev->login);
	it->ev.action = pack(&p, ev->action);
	it->ev.path = pack(&p, ev->path);
	it->ev.path2 = pack(&p, ev->path2);
	it->ev.detail = pack(&p, ev->detail);
	return it;
}

static void deliver(const struct mod_set *mods, const struct cf_log_event *ev)
{
	for (size_t i = 0; i < mods->n; i++) {
		const struct cf_module *m = mods->v[i].m;

		if (m->log != NULL && m->log->event != NULL)
			m->log->event(mods->v[i].state, ev);
	}
}

/* The end of a batch, for modules new enough to know it (ABI 1.2). */
static void flush_all(const struct mod_set *mods)
{
	for (size_t i = 0; i < mods->n; i++) {
		const struct cf_module *m = mods->v[i].m;

		if (m->log != NULL && m->abi_minor >= 2 && m->log->flush != NULL)
			m->log->flush(mods->v[i].state);
	}
}

static void reopen_all(const struct mod_set *mods)
{
	for (size_t i = 0; i < mods->n; i++) {
		const struct cf_module *m = mods->v[i].m;

		if (m->log != NULL && m->log->reopen != NULL)
			m->log->reopen(mods->v[i].state);
	}
}

/* Tell the log files how many events were lost, once we can. */
static void report_dropped(const struct mod_set *mods, uint64_t dropped)
{
	struct cf_log_event ev = { .size = sizeof(ev), .type = CF_EV_SERVER };
	char text[96];

	snprintf(text, sizeof(text), "log queue overflowed: %llu events dropped",
		 (unsigned long long)dropped);
	clock_gettime(CLOCK_REALTIME, &ev.time);
	ev.action = "log-dropped";
	ev.detail = text;
	deliver(mods, &ev);
}

/*
 * After a batch, let events gather for LOGQ_LINGER_NS instead of being
 * woken for each: senders signal only an idle logger, so a busy server
 * pays a futex wake and a context switch per batch, not per event.  A
 * queue half full, a reopen or a stop end the pause at once.
 */
static void logq_linger(struct logq *q)
{
	struct timespec until;

	if (clock_gettime(CLOCK_MONOTONIC, &until) != 0)
		return;
	until.tv_nsec += LOGQ_LINGER_NS;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&q->lock);
	while (!q->stopping && !q->reopen && q->n < q->max / 2 &&
	       pthread_cond_timedwait(&q->cond, &q->lock, &until) == 0)
		;
	pthread_mutex_unlock(&q->lock);
}

static void *logq_main(void *arg)
{
	struct logq *q = arg;

	for (;;) {
		struct logq_item *list, *next;
		uint64_t dropped;
		int reopen, events;

		pthread_mutex_lock(&q->lock);
		while (q->head == NULL && !q->reopen && !q->stopping) {
			q->idle = 1;
			pthread_cond_wait(&q->cond, &q->lock);
			q->idle = 0;
		}
		list = q->head;
		q->head = q->tail = NULL;
		q->n = 0;
		q->bytes = 0;
		dropped = q->dropped;
		q->dropped = 0;
		reopen = q->reopen;
		q->reopen = 0;
		if (list == NULL && !reopen && q->stopping) {
			pthread_mutex_unlock(&q->lock);
			return NULL;
		}
		pthread_mutex_unlock(&q->lock);

		if (reopen)
			reopen_all(q->mods);
		if (dropped)
			report_dropped(q->mods, dropped);
		events = list != NULL;
		for (; list != NULL; list = next) {
			next = list->next;
			deliver(q->mods, &list->ev);
			free(list);
		}
		flush_all(q->mods);
		if (events)
			logq_linger(q);
	}
}

/* The linger's timed wait must not stretch when the wall clock jumps. */
static int logq_cond_init(pthread_cond_t *cond)
{
	pthread_condattr_t attr;
	int r;

	if (pthread_condattr_init(&attr) != 0)
		return -1;
	r = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
	    pthread_cond_init(cond, &attr) == 0 ? 0 : -1;
	pthread_condattr_destroy(&attr);
	return r;
}

int logq_start(struct logq *q, const struct mod_set *mods, size_t max)
{
	memset(q, 0, sizeof(*q));
	q->mods = mods;
	q->max = max;
	if (pthread_mutex_init(&q->lock, NULL) != 0)
		return -1;
	if (logq_cond_init(&q->cond) != 0)
		goto fail_lock;
	if (pthread_create(&q->thread, NULL, logq_main, q) != 0)
		goto fail_cond;
	q->started = 1;
	return 0;
fail_cond:
	pthread_cond_destroy(&q->cond);
fail_lock:
	pthread_mutex_destroy(&q->lock);
	return -1;
}

void logq_emit(struct logq *q, const struct cf_log_event *ev)
{
	struct logq_item *it;
	size_t size;

	if (!q->started)
		return;
	it = item_copy(ev, &size);
	pthread_mutex_lock(&q->lock);
	if (it == NULL || q->n >= q->max ||
	    q->bytes + size > LOGQ_BYTES_MAX) {
		q->dropped++;
		pthread_mutex_unlock(&q->lock);
		free(it);
		return;
	}
	q->bytes += size;
	if (q->tail)
		q->tail->next = it;
	else
		q->head = it;
	q->tail = it;
	q->n++;
	if (q->idle || q->n == q->max / 2)
		pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

void logq_reopen(struct logq *q)
{
	pthread_mutex_lock(&q->lock);
	q->reopen = 1;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

void logq_stop(struct logq *q)
{
	if (!q->started)
		return;
	pthread_mutex_lock(&q->lock);
	q->stopping = 1;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->lock);
	q->started = 0;
}
