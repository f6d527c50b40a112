/*
 * Scenario list: one session lists --dir (LIST) --count times, one after
 * the other, after one untimed LIST that warms the server's caches.  A
 * listing's time runs from the PASV to the last of its reply and data,
 * which is what a client waits.
 */
#include "ramp.h"

#include <stdio.h>

struct list {
	struct samples ms;
	unsigned long done, failed, warm;
	uint64_t lines;
	long long t0, end;
};

static void list_got(struct sess *s, int code);

static void list_next(struct bench *b, struct sess *s)
{
	struct list *st = b->loop.arg;

	if (sess_alive(s) && st->done + st->failed < b->o.count &&
	    loop_clock() < st->end &&
	    sess_xfer(s, XFER_LINES, 0, list_got, "LIST%s%s",
		      b->o.dir ? " " : "", b->o.dir ? b->o.dir : "") == 0)
		return;
	b->loop.stop = 1;
}

static void list_got(struct sess *s, int code)
{
	struct list *st = s->b->loop.arg;

	if (code < 200 || code >= 300) {
		st->failed++;
		if (code > 0)
			bench_err(s->b, "LIST: %s", s->text);
	} else if (!st->warm) {
		st->warm = 1;
	} else {
		st->done++;
		st->lines = s->x.lines;
		samples_add(&st->ms, s->x.t_end - s->t0);
	}
	list_next(s->b, s);
}

static void list_show(void *arg, char *line, size_t len)
{
	struct list *st = arg;

	snprintf(line, len, "listing: %lu done, %.1f s", st->done,
		 bench_secs(st->t0, loop_clock()));
}

int scen_list(struct bench *b)
{
	static const char *const setup[] = { "TYPE A", NULL };
	struct list st = { .done = 0 };
	struct ramp_result rr;
	struct sess *ss;

	ss = sess_array(b, 1);
	if (ss == NULL)
		return -1;
	samples_init(&st.ms, b->o.count);
	ramp_up(b, ss, 1, 1, setup, NULL, &rr);
	bench_phase(b, &st, list_show, b->t_limit);
	st.t0 = loop_clock();
	st.end = bench_until(b, b->o.duration);
	list_next(b, ss);
	bench_phase_run(b);
	bench_metric(b, "lists", "listings", st.done, "");
	bench_metric(b, "entries", "lines per listing", (double)st.lines, "");
	bench_metric(b, "p50_ms", "time per listing, median",
		     samples_pct(&st.ms, 50), "ms");
	bench_metric(b, "min_ms", "time per listing, fastest",
		     samples_pct(&st.ms, 0), "ms");
	bench_metric(b, "max_ms", "time per listing, slowest",
		     samples_pct(&st.ms, 100), "ms");
	b->res.complete = st.done == b->o.count && st.failed == 0;
	samples_free(&st.ms);
	sess_array_free(ss, 1);
	return 0;
}
