/*
 * Scenario small: C sessions in --dir download small files f00000,
 * f00001... (--files of them, cycled), a new data connection for each,
 * for --duration seconds or --count files.  With --size every file must
 * have exactly that many bytes.
 */
#include "ramp.h"

#include <stdio.h>

struct small {
	struct samples lat;
	unsigned long started, done, failed;
	unsigned active;
	long long t0, t_last, end;
};

static void small_got(struct sess *s, int code);

static void small_next(struct bench *b, struct sess *s)
{
	struct small *st = b->loop.arg;

	while (sess_alive(s) && st->started < b->o.count &&
	       loop_clock() < st->end) {
		if (sess_xfer(s, XFER_RECV, 0, small_got, "RETR f%05lu",
			      st->started++ % b->o.files) == 0)
			return;
		st->failed++;
	}
	if (--st->active == 0)
		b->loop.stop = 1;
}

static void small_got(struct sess *s, int code)
{
	struct small *st = s->b->loop.arg;
	uint64_t want = s->b->o.size;

	if (code >= 200 && code < 300 && (want == 0 || s->x.bytes == want)) {
		st->done++;
		st->t_last = s->x.t_end;
		samples_add(&st->lat, s->x.t_end - s->t0);
	} else {
		st->failed++;
		if (code >= 200 && code < 300)
			bench_err(s->b, "session %u: %s: %llu bytes", s->id,
				  s->x.cmd, (unsigned long long)s->x.bytes);
		else if (code > 0)
			bench_err(s->b, "session %u: %s: %s", s->id,
				  s->x.cmd, s->text);
	}
	small_next(s->b, s);
}

static void small_show(void *arg, char *line, size_t len)
{
	struct small *st = arg;

	snprintf(line, len, "small files: %lu done, %lu failed, %.1f s",
		 st->done, st->failed, bench_secs(st->t0, loop_clock()));
}

int scen_small(struct bench *b)
{
	unsigned c = b->o.concurrency, i;
	struct small st = { .active = c };
	const char *setup[3] = { "TYPE I", NULL, NULL };
	char cwd[SESS_CMDMAX];
	struct ramp_result rr;
	struct sess *ss;
	double secs;

	if (b->o.dir != NULL) {
		snprintf(cwd, sizeof(cwd), "CWD %s", b->o.dir);
		setup[1] = cwd;
	}
	ss = sess_array(b, c);
	if (ss == NULL)
		return -1;
	samples_init(&st.lat, b->o.count);
	ramp_up(b, ss, c, b->o.ramp, setup, NULL, &rr);
	bench_phase(b, &st, small_show, b->t_limit);
	st.t0 = st.t_last = loop_clock();
	st.end = bench_until(b, b->o.duration);
	for (i = 0; i < c; i++)
		small_next(b, &ss[i]);
	bench_phase_run(b);
	secs = bench_secs(st.t0, st.t_last);
	bench_metric(b, "sessions", "sessions", rr.ok, "");
	bench_metric(b, "files", "files", st.done, "");
	bench_metric(b, "files_s", "files per second",
		     secs > 0 ? st.done / secs : 0, "/s");
	bench_metric(b, "p50_ms", "per file p50", samples_pct(&st.lat, 50),
		     "ms");
	bench_metric(b, "p99_ms", "per file p99", samples_pct(&st.lat, 99),
		     "ms");
	bench_metric(b, "failed", "failed files", st.failed, "");
	b->res.complete = rr.ok == c && st.failed == 0 && st.active == 0;
	samples_free(&st.lat);
	sess_array_free(ss, c);
	return 0;
}
