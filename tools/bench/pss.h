/*
 * Server memory: which processes are the server (given pids, or whoever
 * holds the listening socket), and the PSS they use together with every
 * process they forked (fork-per-session peers count their sessions).
 */
#ifndef BENCH_PSS_H
#define BENCH_PSS_H

#include <sys/types.h>

struct pss_total {
	unsigned long long kib;	/* Pss of every process in the trees */
	unsigned procs;
};

/* Processes holding a listening TCP socket on port: their count (at
 * most max), or -1 when /proc could not be read. */
int pss_listeners(unsigned port, pid_t *pids, unsigned max);
/* Sum over the trees rooted at roots[]: 0, or -1 (none readable). */
int pss_tree(const pid_t *roots, unsigned nroots, struct pss_total *t);

#endif
