/*
 * Scenario idle: log in N sessions and hold them.  The server's PSS is
 * read before the first and after the last login (once things settle);
 * then every session must still answer a NOOP, so a session the server
 * dropped quietly does not count as held.
 */
#include "ramp.h"
#include "scen.h"

#include <stdio.h>
#include <stdlib.h>

#define IDLE_SETTLE_S	1.0
#define IDLE_CHECK_S	60.0

struct idle {
	unsigned asked, answered;
};

static void idle_noop(struct sess *s, int code)
{
	struct idle *st = s->b->loop.arg;

	if (code == 200)
		st->answered++;
	else if (code > 0)
		bench_err(s->b, "session %u: NOOP: %s", s->id, s->text);
	if (--st->asked == 0)
		s->b->loop.stop = 1;
}

static void idle_show(void *arg, char *line, size_t len)
{
	struct idle *st = arg;

	snprintf(line, len, "checking: %u answered, %u waiting",
		 st->answered, st->asked);
}

/* One NOOP to every live session: how many answered 200. */
static unsigned idle_check(struct bench *b, struct sess *ss, unsigned n)
{
	struct idle st = { 0, 0 };
	unsigned i;

	bench_phase(b, &st, idle_show, bench_until(b, IDLE_CHECK_S));
	for (i = 0; i < n; i++)
		if (sess_alive(&ss[i]) && sess_cmd(&ss[i], idle_noop,
						   "NOOP") == 0)
			st.asked++;
	if (st.asked == 0)
		b->loop.stop = 1;
	bench_phase_run(b);
	/* a NOOP still unanswered at the deadline must not reach idle_noop
	 * later, when st is gone: that session is given up */
	for (i = 0; i < n; i++)
		if (ss[i].op != SESS_NONE)
			sess_close(&ss[i]);
	return st.answered;
}

int scen_idle(struct bench *b)
{
	unsigned n = b->o.sessions, alive;
	struct ramp_result rr;
	struct samples lat;
	struct sess *ss;
	struct mem m;

	ss = sess_array(b, n);
	if (ss == NULL)
		return -1;
	samples_init(&lat, n);
	mem_begin(b, &m);
	ramp_up(b, ss, n, b->o.ramp, NULL, &lat, &rr);
	bench_pause(b, IDLE_SETTLE_S);
	mem_end(&m);
	alive = idle_check(b, ss, n);
	if (b->o.hold > 0) {
		bench_pause(b, b->o.hold);
		alive = idle_check(b, ss, n);
	}
	bench_metric(b, "sessions", "sessions logged in", rr.ok, "");
	bench_metric(b, "alive", "sessions answering NOOP", alive, "");
	mem_report(b, &m, rr.ok);
	bench_metric(b, "ramp_s", "time to log them in", rr.secs, "s");
	bench_metric(b, "login_rate", "logins while ramping",
		     rr.secs > 0 ? rr.ok / rr.secs : 0, "/s");
	bench_metric(b, "login_p50_ms", "login latency p50",
		     samples_pct(&lat, 50), "ms");
	bench_metric(b, "login_p99_ms", "login latency p99",
		     samples_pct(&lat, 99), "ms");
	b->res.complete = rr.ok == n && alive == n;
	samples_free(&lat);
	sess_array_free(ss, n);
	return 0;
}
