/*
 * Server memory around a scenario (see scen.h): PSS of the server's
 * process trees with no session, then with the sessions held; the
 * difference over the count is the cost of one session.
 */
#include "scen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mem_begin(struct bench *b, struct mem *m)
{
	int n;

	memset(m, 0, sizeof(*m));
	if (b->o.npids > 0) {
		memcpy(m->pids, b->o.pids, b->o.npids * sizeof(pid_t));
		m->npids = b->o.npids;
	} else {
		n = pss_listeners((unsigned)atoi(b->o.port), m->pids,
				  BENCH_MAXPIDS);
		m->npids = n > 0 ? (unsigned)n : 0;
	}
	if (m->npids == 0) {
		snprintf(b->res.note, sizeof(b->res.note), "no server process "
			 "found (give --pid): memory not measured");
		return;
	}
	m->have_before = pss_tree(m->pids, m->npids, &m->before) == 0;
	if (!m->have_before)
		snprintf(b->res.note, sizeof(b->res.note), "cannot read the "
			 "server's smaps_rollup: memory not measured");
}

void mem_end(struct mem *m)
{
	m->have_after = m->have_before &&
		pss_tree(m->pids, m->npids, &m->after) == 0;
}

void mem_report(struct bench *b, const struct mem *m, unsigned sessions)
{
	double per;

	if (!m->have_after)
		return;
	per = sessions ? ((double)m->after.kib - (double)m->before.kib) /
		sessions : 0;
	bench_metric(b, "pss_before_kib", "server PSS, no session",
		     (double)m->before.kib, "KiB");
	bench_metric(b, "pss_after_kib", "server PSS, sessions held",
		     (double)m->after.kib, "KiB");
	bench_metric(b, "pss_per_session_kib", "PSS per session", per, "KiB");
	bench_metric(b, "server_processes", "server processes",
		     m->after.procs, "");
}
