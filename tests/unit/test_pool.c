/*
 * The worker loop and the blocking pool: jobs run on pool threads and
 * complete on the thread of the worker that owns them; timers fire in
 * deadline order; messages from any thread arrive.  Run under
 * ThreadSanitizer to prove the hand-offs are race-free.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/pool.h"
#include "core/worker.h"

#define NWORKERS 2
#define NJOBS 20000

struct fixture {
	struct worker w[NWORKERS];
	struct pool pool;
	long done_on[NWORKERS];		/* touched only by worker i's thread */
	atomic_long run_count;
	atomic_long done_count;
	atomic_long wrong_thread;
};

struct tjob {
	struct job job;
	struct fixture *f;
	int owner;
	int ran;			/* written on the pool, read on the worker */
};

static void tjob_run(struct job *j)
{
	struct tjob *t = (struct tjob *)j;

	t->ran = 1;
	atomic_fetch_add(&t->f->run_count, 1);
	if (t->job.done == NULL)	/* fire and forget: nobody else frees it */
		free(t);
}

static void tjob_done(struct job *j)
{
	struct tjob *t = (struct tjob *)j;
	struct fixture *f = t->f;

	if (!pthread_equal(pthread_self(), f->w[t->owner].thread) || !t->ran)
		atomic_fetch_add(&f->wrong_thread, 1);
	f->done_on[t->owner]++;
	atomic_fetch_add(&f->done_count, 1);
	free(t);
}

struct stop_msg {
	struct wk_msg msg;
	struct worker *w;
};

static void stop_apply(struct wk_msg *m)
{
	struct stop_msg *s = (struct stop_msg *)m;

	s->w->running = 0;
	free(s);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	for (int i = 0; i < NWORKERS; i++) {
		assert_int_equal(wk_init(&f->w[i], i, NULL), 0);
		assert_int_equal(wk_start(&f->w[i]), 0);
	}
	assert_int_equal(pool_start(&f->pool, 4), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	pool_stop(&f->pool);
	for (int i = 0; i < NWORKERS; i++) {
		struct stop_msg *s = calloc(1, sizeof(*s));

		s->msg.fn = stop_apply;
		s->w = &f->w[i];
		wk_post(&f->w[i], &s->msg);
		pthread_join(f->w[i].thread, NULL);
		wk_fini(&f->w[i]);
	}
	free(f);
	return 0;
}

/* Wait (bounded) until counter reaches want. */
static int wait_for(atomic_long *counter, long want)
{
	for (int i = 0; i < 2000 && atomic_load(counter) < want; i++)
		usleep(5000);
	return atomic_load(counter) == want;
}

static void every_job_completes_on_its_owning_worker(void **state)
{
	struct fixture *f = *state;

	for (int i = 0; i < NJOBS; i++) {
		struct tjob *t = calloc(1, sizeof(*t));

		assert_non_null(t);
		t->f = f;
		t->owner = i % NWORKERS;
		t->job.owner = &f->w[t->owner];
		t->job.run = tjob_run;
		t->job.done = tjob_done;
		pool_submit(&f->pool, &t->job);
	}
	assert_true(wait_for(&f->done_count, NJOBS));
	assert_int_equal(atomic_load(&f->run_count), NJOBS);
	assert_int_equal(atomic_load(&f->wrong_thread), 0);
}

static void pool_stop_finishes_what_was_queued(void **state)
{
	struct fixture *f = *state;

	for (int i = 0; i < 1000; i++) {
		struct tjob *t = calloc(1, sizeof(*t));

		assert_non_null(t);
		t->f = f;
		t->job.run = tjob_run;	/* no owner, no done: fire and forget */
		pool_submit(&f->pool, &t->job);
	}
	pool_stop(&f->pool);
	assert_int_equal(atomic_load(&f->run_count), 1000);
	assert_int_equal(pool_start(&f->pool, 4), 0);	/* for teardown */
}

/* Timers: armed from the worker's own thread through a message. */
struct timer_case;

struct tnode {
	struct tmr t;		/* first member: a tmr pointer is a tnode pointer */
	struct timer_case *tc;
	int idx;
};

struct timer_case {
	struct wk_msg msg;
	struct worker *w;
	struct tnode n[5];
	int order[5];
	atomic_int fired;
	int cancelled_fired;
};

static void timer_fired(struct tmr *t)
{
	struct tnode *n = (struct tnode *)t;
	struct timer_case *tc = n->tc;
	int k = atomic_load(&tc->fired);

	if (n->idx == 4)
		tc->cancelled_fired = 1;
	tc->order[k] = n->idx;
	atomic_store(&tc->fired, k + 1);
}

static void arm_timers(struct wk_msg *m)
{
	struct timer_case *tc = (struct timer_case *)m;
	static const uint64_t ms[5] = { 60, 20, 40, 10, 30 };

	for (int i = 0; i < 5; i++) {
		tc->n[i].t.fn = timer_fired;
		tc->n[i].tc = tc;
		tc->n[i].idx = i;
		if (wk_timer_set(tc->w, &tc->n[i].t, ms[i]) != 0)
			return;
	}
	wk_timer_cancel(tc->w, &tc->n[4].t);
}

static void timers_fire_in_deadline_order_and_cancel_works(void **state)
{
	struct fixture *f = *state;
	struct timer_case *tc = calloc(1, sizeof(*tc));

	assert_non_null(tc);
	tc->w = &f->w[0];
	tc->msg.fn = arm_timers;
	wk_post(tc->w, &tc->msg);
	for (int i = 0; i < 400 && atomic_load(&tc->fired) < 4; i++)
		usleep(5000);
	usleep(50000);		/* a cancelled timer must stay silent */
	assert_int_equal(atomic_load(&tc->fired), 4);
	assert_int_equal(tc->order[0], 3);	/* 10 ms */
	assert_int_equal(tc->order[1], 1);	/* 20 ms */
	assert_int_equal(tc->order[2], 2);	/* 40 ms */
	assert_int_equal(tc->order[3], 0);	/* 60 ms */
	assert_int_equal(tc->cancelled_fired, 0);
	free(tc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(every_job_completes_on_its_owning_worker,
						setup, teardown),
		cmocka_unit_test_setup_teardown(pool_stop_finishes_what_was_queued,
						setup, teardown),
		cmocka_unit_test_setup_teardown(timers_fire_in_deadline_order_and_cancel_works,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
