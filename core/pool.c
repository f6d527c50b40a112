/*
 * Blocking pool (see pool.h): a mutex + condition variable FIFO.  Jobs are
 * intrusive, so submitting never allocates and never fails.
 */
#include "pool.h"

#include <stdlib.h>
#include <string.h>

static void job_done_msg(struct wk_msg *m)
{
	struct job *j = (struct job *)((char *)m - offsetof(struct job, msg));

	j->done(j);
}

static void *pool_main(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		struct worker *owner;
		struct job *j;

		pthread_mutex_lock(&p->lock);
		while (p->head == NULL && !p->stopping)
			pthread_cond_wait(&p->cond, &p->lock);
		j = p->head;
		if (j == NULL) {	/* stopping and drained */
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		p->head = j->next;
		if (p->head == NULL)
			p->tail = NULL;
		pthread_mutex_unlock(&p->lock);

		/* a fire-and-forget job may free itself in run: read first */
		owner = j->done != NULL ? j->owner : NULL;
		j->run(j);
		if (owner != NULL)
			wk_post(owner, &j->msg);
	}
}

int pool_start(struct pool *p, int nthreads)
{
	memset(p, 0, sizeof(*p));
	if (pthread_mutex_init(&p->lock, NULL) != 0)
		return -1;
	if (pthread_cond_init(&p->cond, NULL) != 0)
		goto fail_lock;
	p->threads = calloc((size_t)nthreads, sizeof(*p->threads));
	if (p->threads == NULL)
		goto fail_cond;
	for (; p->nthreads < nthreads; p->nthreads++)
		if (pthread_create(&p->threads[p->nthreads], NULL, pool_main, p) != 0)
			goto fail_threads;
	return 0;
fail_threads:
	pool_stop(p);
	return -1;
fail_cond:
	pthread_cond_destroy(&p->cond);
fail_lock:
	pthread_mutex_destroy(&p->lock);
	return -1;
}

void pool_submit(struct pool *p, struct job *j)
{
	j->next = NULL;
	j->msg.fn = job_done_msg;
	pthread_mutex_lock(&p->lock);
	if (p->tail)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

struct offload_job {
	struct job job;
	void (*fn)(void *arg);
	void *arg;
};

static void offload_run(struct job *j)
{
	struct offload_job *o = (struct offload_job *)j;

	o->fn(o->arg);
	free(o);
}

int pool_offload(struct pool *p, void (*fn)(void *arg), void *arg)
{
	struct offload_job *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return -1;
	o->job.run = offload_run;
	o->fn = fn;
	o->arg = arg;
	pool_submit(p, &o->job);
	return 0;
}

void pool_stop(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->stopping = 1;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	free(p->threads);
	p->threads = NULL;
	p->nthreads = 0;
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
}
