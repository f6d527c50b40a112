/*
 * Scenarios retr and stor: M sessions (logged in first, untimed) each
 * move one file, all at once.  Throughput is every byte over the wall
 * time from the first PASV to the last reply; the gap between the slowest
 * and the fastest stream is the fairness figure.  stor removes its files
 * afterwards (untimed).
 */
#include "ramp.h"

#include <stdio.h>
#include <stdlib.h>

#define XRUN_DEFAULT_NAME	"cellftp-bench-stor"
#define XRUN_CLEAN_S		30.0	/* most the DELEs may take */

struct xrun {
	enum xfer_dir dir;
	unsigned m, started, done, ok;
	uint64_t bytes;
	double *secs;		/* per stream, for the good ones */
	long long t0, t_last;
};

static int xrun_good(struct sess *s, int code)
{
	const struct xfer *x = &s->x;
	uint64_t want = x->dir == XFER_SEND ? x->want : s->b->o.size;

	if (code < 200 || code >= 300) {
		if (code > 0)
			bench_err(s->b, "session %u: %s: %s", s->id, x->cmd,
				  s->text);
		return 0;
	}
	if (want != 0 && x->bytes != want) {
		bench_err(s->b, "session %u: %s: %llu bytes, not %llu", s->id,
			  x->cmd, (unsigned long long)x->bytes,
			  (unsigned long long)want);
		return 0;
	}
	return 1;
}

static void xrun_done(struct sess *s, int code)
{
	struct xrun *st = s->b->loop.arg;

	if (xrun_good(s, code)) {
		st->secs[st->ok++] = bench_secs(s->t0, s->x.t_end);
		st->bytes += s->x.bytes;
		if (s->x.t_end > st->t_last)
			st->t_last = s->x.t_end;
	}
	if (++st->done == st->started)
		s->b->loop.stop = 1;
}

static void xrun_show(void *arg, char *line, size_t len)
{
	struct xrun *st = arg;

	snprintf(line, len, "transfers: %u/%u done, %.1f s", st->done, st->m,
		 bench_secs(st->t0, loop_clock()));
}

static void xrun_start(struct bench *b, struct xrun *st, struct sess *ss)
{
	const char *name = b->o.file ? b->o.file : XRUN_DEFAULT_NAME;
	unsigned i;
	int r;

	st->t0 = st->t_last = loop_clock();
	for (i = 0; i < st->m; i++) {
		if (!sess_alive(&ss[i]))
			continue;
		if (st->dir == XFER_SEND)
			r = sess_xfer(&ss[i], XFER_SEND, b->o.size, xrun_done,
				      "STOR %s.%u", name, i);
		else
			r = sess_xfer(&ss[i], XFER_RECV, 0, xrun_done,
				      "RETR %s", name);
		if (r == 0)
			st->started++;
	}
	if (st->started == 0)
		b->loop.stop = 1;
}

static void xrun_report(struct bench *b, struct xrun *st)
{
	double wall = bench_secs(st->t0, st->t_last), lo = 0, hi = 0, med = 0;

	if (st->ok > 0) {
		qsort(st->secs, st->ok, sizeof(*st->secs), cmp_double);
		lo = st->secs[0];
		hi = st->secs[st->ok - 1];
		med = st->secs[(st->ok - 1) / 2];
	}
	bench_metric(b, "streams", "streams finished", st->ok, "");
	bench_metric(b, "mib", "data moved", st->bytes / MIB, "MiB");
	bench_metric(b, "seconds", "wall time", wall, "s");
	bench_metric(b, "throughput_mib_s", "throughput, all streams",
		     wall > 0 ? st->bytes / MIB / wall : 0, "MiB/s");
	if (st->m < 2)
		return;
	bench_metric(b, "stream_fastest_s", "fastest stream", lo, "s");
	bench_metric(b, "stream_median_s", "median stream", med, "s");
	bench_metric(b, "stream_slowest_s", "slowest stream", hi, "s");
	bench_metric(b, "spread_pct", "slowest over fastest",
		     lo > 0 ? (hi / lo - 1) * 100 : 0, "%");
}

static void xrun_deleted(struct sess *s, int code)
{
	struct xrun *st = s->b->loop.arg;

	if (code < 200 || code >= 300)
		bench_err(s->b, "session %u: DELE: %s", s->id, s->text);
	if (--st->started == 0)
		s->b->loop.stop = 1;
}

static void xrun_clean(struct bench *b, struct xrun *st, struct sess *ss)
{
	const char *name = b->o.file ? b->o.file : XRUN_DEFAULT_NAME;
	unsigned i;

	bench_phase(b, st, NULL, bench_until(b, XRUN_CLEAN_S));
	st->started = 0;
	for (i = 0; i < st->m; i++)
		if (sess_alive(&ss[i]) && sess_cmd(&ss[i], xrun_deleted,
						   "DELE %s.%u", name, i) == 0)
			st->started++;
	if (st->started == 0)
		b->loop.stop = 1;
	bench_phase_run(b);
}

static int xrun(struct bench *b, enum xfer_dir dir)
{
	static const char *const setup[] = { "TYPE I", NULL };
	struct xrun st = { .dir = dir, .m = b->o.streams };
	struct ramp_result rr;
	struct sess *ss;

	if (dir == XFER_RECV && b->o.file == NULL) {
		fprintf(stderr, "cellftp-bench: retr needs --file\n");
		return -1;
	}
	ss = sess_array(b, st.m);
	st.secs = calloc(st.m ? st.m : 1, sizeof(*st.secs));
	if (ss == NULL || st.secs == NULL) {
		free(st.secs);
		sess_array_free(ss, st.m);
		return -1;
	}
	ramp_up(b, ss, st.m, b->o.ramp, setup, NULL, &rr);
	bench_phase(b, &st, xrun_show, b->t_limit);
	xrun_start(b, &st, ss);
	bench_phase_run(b);
	xrun_report(b, &st);
	b->res.complete = st.ok == st.m;
	if (dir == XFER_SEND)
		xrun_clean(b, &st, ss);
	free(st.secs);
	sess_array_free(ss, st.m);
	return 0;
}

int scen_retr(struct bench *b)
{
	return xrun(b, XFER_RECV);
}

int scen_stor(struct bench *b)
{
	if (b->o.size == 0) {
		fprintf(stderr, "cellftp-bench: stor needs --size\n");
		return -1;
	}
	return xrun(b, XFER_SEND);
}
