/*
 * Scenario logins: C clients each connect, log in and QUIT, over and
 * over, for --duration seconds or --count logins.  A login's latency runs
 * from connect() to the 230; the rate is logins over the time they took.
 */
#include "sess.h"
#include "stats.h"

#include <stdio.h>

struct logins {
	struct samples lat;
	unsigned long started, done, failed;
	unsigned active;
	long long t0, t_last, end;	/* no login starts after end */
};

static void logins_in(struct sess *s, int code);

/* Start the next login on s, or retire s when the run is over. */
static void logins_next(struct bench *b, struct sess *s)
{
	struct logins *st = b->loop.arg;

	while (st->started < b->o.count && loop_clock() < st->end) {
		st->started++;
		if (sess_open(s, logins_in) == 0)
			return;
		st->failed++;
	}
	if (--st->active == 0)
		b->loop.stop = 1;
}

static void logins_quit(struct sess *s, int code)
{
	(void)code;
	sess_close(s);
	logins_next(s->b, s);
}

static void logins_in(struct sess *s, int code)
{
	struct logins *st = s->b->loop.arg;

	if (code == 230 || code == 202) {
		st->t_last = loop_clock();
		samples_add(&st->lat, st->t_last - s->t0);
		st->done++;
		if (sess_cmd(s, logins_quit, "QUIT") == 0)
			return;
	} else {
		st->failed++;
		if (code > 0)
			bench_err(s->b, "session %u: login: %s", s->id,
				  s->text);
	}
	sess_close(s);
	logins_next(s->b, s);
}

static void logins_show(void *arg, char *line, size_t len)
{
	struct logins *st = arg;

	snprintf(line, len, "logins: %lu done, %lu failed, %.1f s", st->done,
		 st->failed, bench_secs(st->t0, loop_clock()));
}

int scen_logins(struct bench *b)
{
	unsigned c = b->o.concurrency, i;
	struct logins st = { .active = c };
	struct sess *ss;
	double secs;

	ss = sess_array(b, c);
	if (ss == NULL)
		return -1;
	samples_init(&st.lat, b->o.count);
	bench_phase(b, &st, logins_show, b->t_limit);
	st.t0 = st.t_last = loop_clock();
	st.end = bench_until(b, b->o.duration);
	for (i = 0; i < c; i++)
		logins_next(b, &ss[i]);
	bench_phase_run(b);
	secs = bench_secs(st.t0, st.t_last);
	bench_metric(b, "logins", "logins", st.done, "");
	bench_metric(b, "rate", "logins per second",
		     secs > 0 ? st.done / secs : 0, "/s");
	bench_metric(b, "p50_ms", "login latency p50",
		     samples_pct(&st.lat, 50), "ms");
	bench_metric(b, "p99_ms", "login latency p99",
		     samples_pct(&st.lat, 99), "ms");
	bench_metric(b, "max_ms", "login latency max",
		     samples_pct(&st.lat, 100), "ms");
	bench_metric(b, "failed", "failed logins", st.failed, "");
	b->res.complete = st.active == 0 && st.failed == 0;
	samples_free(&st.lat);
	sess_array_free(ss, c);
	return 0;
}
