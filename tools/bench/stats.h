/*
 * Latency samples and their percentiles.  Samples are kept whole (in
 * microseconds) up to a bound, so a p99 is a real rank, not an estimate.
 */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

struct samples {
	uint32_t *v;		/* microseconds */
	size_t n, cap, max;
	unsigned long dropped;	/* over max, or no memory */
	int sorted;
};

void samples_init(struct samples *s, size_t max);
void samples_free(struct samples *s);
void samples_add(struct samples *s, long long ns);
/* Nearest-rank percentile p (0..100) in milliseconds; 0 when empty. */
double samples_pct(struct samples *s, double p);
/* qsort(3) order for doubles, smallest first. */
int cmp_double(const void *a, const void *b);

#endif
