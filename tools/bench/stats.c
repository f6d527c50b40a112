/*
 * Latency samples (see stats.h): an array that doubles up to its bound,
 * sorted once when the first percentile is asked for.
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void samples_init(struct samples *s, size_t max)
{
	memset(s, 0, sizeof(*s));
	s->max = max;
}

void samples_free(struct samples *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

void samples_add(struct samples *s, long long ns)
{
	long long us = ns / 1000;
	size_t cap;
	uint32_t *v;

	if (s->n == s->cap) {
		cap = s->cap ? s->cap * 2 : 1024;
		if (cap > s->max)
			cap = s->max;
		v = cap > s->cap ? realloc(s->v, cap * sizeof(*v)) : NULL;
		if (v == NULL) {
			s->dropped++;
			return;
		}
		s->v = v;
		s->cap = cap;
	}
	if (us < 0)
		us = 0;
	s->v[s->n++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
	s->sorted = 0;
}

static int samples_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double samples_pct(struct samples *s, double p)
{
	size_t rank;

	if (s->n == 0)
		return 0;
	if (!s->sorted) {
		qsort(s->v, s->n, sizeof(*s->v), samples_cmp);
		s->sorted = 1;
	}
	rank = (size_t)ceil(p / 100.0 * (double)s->n);
	if (rank < 1)
		rank = 1;
	if (rank > s->n)
		rank = s->n;
	return s->v[rank - 1] / 1000.0;
}
