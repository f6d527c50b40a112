/*
 * Scenario mixed: N sessions logged in; M of them download --file over
 * and over while the others stay idle but for NOOPs sent round-robin,
 * --noop-rate per second in all (default: each idle session once over
 * --duration).  The NOOP latency is what a quiet user of a busy server
 * sees.  After the measured time the transfers keep running, without
 * restarting, until the last NOOP sent is answered.
 */
#include "ramp.h"
#include "scen.h"

#include <stdio.h>

#define MIXED_TICK_NS	2000000LL	/* NOOPs go out every 2 ms */
#define MIXED_SETTLE_S	1.0
#define MIXED_DRAIN_S	10.0

struct mixed {
	struct bench *b;
	struct sess *ss;
	unsigned n, m, next;
	double rate, owed;
	int sampling;
	unsigned outstanding;
	unsigned long sent, answered, busy, failed, xfers;
	struct samples lat;
	long long t0, last, end;
	uint64_t rx0, rx1;
};

static void mixed_noop(struct sess *s, int code)
{
	struct mixed *st = s->b->loop.arg;

	st->outstanding--;
	if (code == 200) {
		st->answered++;
		samples_add(&st->lat, loop_clock() - s->t0);
	} else {
		st->failed++;
		if (code > 0)
			bench_err(s->b, "session %u: NOOP: %s", s->id,
				  s->text);
	}
	if (!st->sampling && st->outstanding == 0)
		s->b->loop.stop = 1;
}

static void mixed_pull(struct sess *s, int code)
{
	struct mixed *st = s->b->loop.arg;

	if (code >= 200 && code < 300)
		st->xfers++;
	else if (code > 0)
		bench_err(s->b, "session %u: RETR: %s", s->id, s->text);
	if (st->sampling && sess_alive(s))
		(void)sess_xfer(s, XFER_RECV, 0, mixed_pull, "RETR %s",
				s->b->o.file);
}

/* The measured time is over: stop sampling, let the NOOPs drain. */
static void mixed_over(struct mixed *st)
{
	st->sampling = 0;
	st->rx1 = st->b->rx_bytes;
	st->b->loop.deadline = bench_until(st->b, MIXED_DRAIN_S);
	if (st->outstanding == 0)
		st->b->loop.stop = 1;
}

static void mixed_tick(void *arg)
{
	struct mixed *st = arg;
	unsigned idle = st->n - st->m;
	long long now = loop_clock();
	struct sess *s;

	if (!st->sampling)
		return;
	if (now >= st->end) {
		mixed_over(st);
		return;
	}
	st->owed += st->rate * bench_secs(st->last, now);
	st->last = now;
	/* After a stall, do not make up for it with a burst. */
	if (st->owed > st->rate * 0.1 + 1)
		st->owed = st->rate * 0.1 + 1;
	while (st->owed >= 1 && idle > 0) {
		s = &st->ss[st->m + st->next];
		st->next = (st->next + 1) % idle;
		st->owed -= 1;
		if (!sess_alive(s))
			continue;
		if (s->op != SESS_NONE) {
			st->busy++;	/* its last NOOP is still out */
			continue;
		}
		if (sess_cmd(s, mixed_noop, "NOOP") == 0) {
			st->sent++;
			st->outstanding++;
		}
	}
}

static void mixed_show(void *arg, char *line, size_t len)
{
	struct mixed *st = arg;
	double secs = bench_secs(st->t0, loop_clock());

	snprintf(line, len, "mixed: %.1f s, %lu NOOPs answered, %lu "
		 "downloads done, %.0f MiB/s", secs, st->answered, st->xfers,
		 secs > 0 ? (st->b->rx_bytes - st->rx0) / MIB / secs : 0);
}

static void mixed_run(struct bench *b, struct mixed *st)
{
	unsigned i;

	bench_phase(b, st, mixed_show, b->t_limit);
	b->loop.tick = mixed_tick;
	b->loop.tick_ns = MIXED_TICK_NS;
	st->sampling = 1;
	st->t0 = st->last = loop_clock();
	st->end = bench_until(b, b->o.duration);
	st->rx0 = b->rx_bytes;
	for (i = 0; i < st->m; i++)
		mixed_pull(&st->ss[i], 0);
	bench_phase_run(b);
	if (st->sampling)
		st->rx1 = b->rx_bytes;
}

static void mixed_report(struct bench *b, struct mixed *st)
{
	double secs = bench_secs(st->t0, st->end);

	bench_metric(b, "transferring", "sessions downloading", st->m, "");
	bench_metric(b, "noops", "NOOPs answered", st->answered, "");
	bench_metric(b, "noop_p50_ms", "NOOP latency p50",
		     samples_pct(&st->lat, 50), "ms");
	bench_metric(b, "noop_p99_ms", "NOOP latency p99",
		     samples_pct(&st->lat, 99), "ms");
	bench_metric(b, "noop_max_ms", "NOOP latency max",
		     samples_pct(&st->lat, 100), "ms");
	bench_metric(b, "noop_busy", "NOOPs skipped (last one still out)",
		     st->busy, "");
	bench_metric(b, "downloads", "downloads finished", st->xfers, "");
	bench_metric(b, "throughput_mib_s", "download throughput, all",
		     secs > 0 ? (st->rx1 - st->rx0) / MIB / secs : 0, "MiB/s");
}

int scen_mixed(struct bench *b)
{
	struct mixed st = { .b = b, .n = b->o.sessions, .m = b->o.streams };
	static const char *const setup[] = { "TYPE I", NULL };
	struct ramp_result rr;
	struct mem m;

	if (b->o.file == NULL || st.m >= st.n) {
		fprintf(stderr, "cellftp-bench: mixed needs --file and more "
			"sessions (-n) than streams (-m)\n");
		return -1;
	}
	st.rate = b->o.noop_rate > 0 ? b->o.noop_rate :
		(st.n - st.m) / (b->o.duration > 0 ? b->o.duration : 1);
	st.ss = sess_array(b, st.n);
	if (st.ss == NULL)
		return -1;
	samples_init(&st.lat, b->o.count);
	mem_begin(b, &m);
	ramp_up(b, st.ss, st.n, b->o.ramp, setup, NULL, &rr);
	bench_pause(b, MIXED_SETTLE_S);
	mem_end(&m);
	mixed_run(b, &st);
	bench_metric(b, "sessions", "sessions logged in", rr.ok, "");
	mem_report(b, &m, rr.ok);
	mixed_report(b, &st);
	b->res.complete = rr.ok == st.n && st.outstanding == 0 &&
		st.failed == 0 && st.answered > 0;
	samples_free(&st.lat);
	sess_array_free(st.ss, st.n);
	return 0;
}
