/*
 * The blocking pool: a fixed set of threads for work that may block or burn
 * CPU (password hashing, PAM, directory listings, closing uploads).  A job
 * runs on a pool thread, then hops back to its owning worker for `done`.
 */
#ifndef CORE_POOL_H
#define CORE_POOL_H

#include <pthread.h>

#include "worker.h"

struct job {
	struct wk_msg msg;		/* the hop back; set up by pool_submit */
	struct worker *owner;		/* NULL: no completion (fire and forget) */
	void (*run)(struct job *j);	/* on a pool thread */
	void (*done)(struct job *j);	/* on the owner's thread */
	struct job *next;
};

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job *head, *tail;
	pthread_t *threads;
	int nthreads;
	int stopping;
};

int pool_start(struct pool *p, int nthreads);
void pool_submit(struct pool *p, struct job *j);
/* Run fn(arg) on a pool thread, no completion: 0, or -1 (no memory, not run). */
int pool_offload(struct pool *p, void (*fn)(void *arg), void *arg);
/* Finish queued jobs, then join the threads. */
void pool_stop(struct pool *p);

#endif
