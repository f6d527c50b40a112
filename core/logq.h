/*
 * The log event queue and its logger thread: workers hand events over and
 * never wait on a log write; the logger feeds every log plugin in turn.
 */
#ifndef CORE_LOGQ_H
#define CORE_LOGQ_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "modules/loader.h"

struct logq_item;

struct logq {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct logq_item *head, *tail;
	size_t n, max;
	size_t bytes;		/* held by queued items, see LOGQ_BYTES_MAX */
	uint64_t dropped;	/* not yet reported */
	int reopen;
	int stopping;
	int idle;		/* the logger waits for work: senders signal */
	int started;
	pthread_t thread;
	const struct mod_set *mods;
};

int logq_start(struct logq *q, const struct mod_set *mods, size_t max);
/* Copy ev (and its strings) onto the queue; drops and counts when full
 * (max events, or LOGQ_BYTES_MAX bytes). */
void logq_emit(struct logq *q, const struct cf_log_event *ev);
void logq_reopen(struct logq *q);
/* Deliver what is queued, then join the thread. */
void logq_stop(struct logq *q);

#endif
