/*
 * What every scenario shares (see bench.h): errors counted where they
 * happen with only the first kept in words, metrics appended to the
 * result, and the run's clock.
 */
#include "bench.h"

#include <stdarg.h>
#include <stdio.h>

void bench_err(struct bench *b, const char *fmt, ...)
{
	va_list ap;

	if (b->errors++ != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->firsterr, sizeof(b->firsterr), fmt, ap);
	va_end(ap);
}

void bench_metric(struct bench *b, const char *key, const char *label,
		  double v, const char *unit)
{
	struct metric *m;

	if (b->res.n == BENCH_METRICS)
		return;
	m = &b->res.m[b->res.n++];
	m->key = key;
	m->label = label;
	m->unit = unit;
	m->v = v;
}

double bench_secs(long long from, long long to)
{
	return (double)(to - from) / 1e9;
}

long long bench_until(const struct bench *b, double secs)
{
	long long t = loop_clock() + (long long)(secs * 1e9);

	return t < b->t_limit ? t : b->t_limit;
}

void bench_pause(struct bench *b, double secs)
{
	b->loop.deadline = bench_until(b, secs);
	b->loop.stop = 0;
	(void)loop_run(&b->loop);
}

void bench_phase(struct bench *b, void *st, loop_show_fn show,
		 long long deadline)
{
	b->loop.arg = st;
	b->loop.show = show;
	b->loop.tick = NULL;
	b->loop.stop = 0;
	b->loop.deadline = deadline;
}

void bench_phase_run(struct bench *b)
{
	if (!b->loop.stop)
		(void)loop_run(&b->loop);
	b->loop.arg = NULL;
	b->loop.show = NULL;
	b->loop.tick = NULL;
}
