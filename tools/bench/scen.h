/*
 * Helpers the scenarios share: the server's memory measured around the
 * sessions it holds.
 */
#ifndef BENCH_SCEN_H
#define BENCH_SCEN_H

#include "bench.h"
#include "pss.h"

struct mem {
	pid_t pids[BENCH_MAXPIDS];
	unsigned npids;
	struct pss_total before, after;
	int have_before, have_after;
};

/* Find the server (--pid, else whoever listens on the port) and measure
 * it before any session is open. */
void mem_begin(struct bench *b, struct mem *m);
/* Measure again with the sessions held. */
void mem_end(struct mem *m);
/* Add the memory metrics: before, after, per one of `sessions`. */
void mem_report(struct bench *b, const struct mem *m, unsigned sessions);

#endif
