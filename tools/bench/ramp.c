/*
 * Ramping up (see ramp.h).  Each session walks: login, then setup[0],
 * setup[1]...; s->step counts where it is.  When the failures pass a
 * tenth of the target the ramp stops starting new ones: a server that
 * refuses more sessions has shown its limit.
 */
#include "ramp.h"

#include <stdio.h>

struct ramp {
	struct bench *b;
	struct sess *ss;
	unsigned n, conc, next, inflight, ok, failed;
	int stopping;
	const char *const *setup;
	struct samples *lat;
};

static void ramp_step(struct sess *s, int code);

static void ramp_next(struct ramp *r)
{
	struct sess *s;

	while (!r->stopping && r->inflight < r->conc && r->next < r->n) {
		s = &r->ss[r->next++];
		s->step = 0;
		if (sess_open(s, ramp_step) != 0) {
			r->failed++;
			r->stopping = r->failed > r->n / 10 + 10;
			continue;
		}
		r->inflight++;
	}
	if (r->inflight == 0)
		r->b->loop.stop = 1;
}

static void ramp_end(struct ramp *r, struct sess *s, int ok)
{
	if (ok) {
		r->ok++;
	} else {
		r->failed++;
		r->stopping = r->failed > r->n / 10 + 10;
		sess_close(s);
	}
	r->inflight--;
	ramp_next(r);
}

static void ramp_step(struct sess *s, int code)
{
	struct ramp *r = s->b->loop.arg;
	const char *cmd;

	if (code < 0) {
		ramp_end(r, s, 0);
		return;
	}
	if (s->step == 0 && code != 230 && code != 202) {
		bench_err(s->b, "session %u: login: %s", s->id, s->text);
		ramp_end(r, s, 0);
		return;
	}
	if (s->step == 0 && r->lat != NULL)
		samples_add(r->lat, loop_clock() - s->t0);
	if (s->step > 0 && code >= 400) {
		bench_err(s->b, "session %u: %s: %s", s->id,
			  r->setup[s->step - 1], s->text);
		ramp_end(r, s, 0);
		return;
	}
	cmd = r->setup != NULL ? r->setup[s->step] : NULL;
	if (cmd == NULL) {
		ramp_end(r, s, 1);
		return;
	}
	s->step++;
	if (sess_cmd(s, ramp_step, "%s", cmd) != 0)
		ramp_end(r, s, 0);
}

static void ramp_show(void *arg, char *line, size_t len)
{
	struct ramp *r = arg;

	snprintf(line, len, "logging in: %u/%u, %u in flight, %u failed",
		 r->ok, r->n, r->inflight, r->failed);
}

void ramp_up(struct bench *b, struct sess *ss, unsigned n, unsigned conc,
	     const char *const *setup, struct samples *lat,
	     struct ramp_result *res)
{
	struct ramp r = { .b = b, .ss = ss, .n = n, .conc = conc,
			  .setup = setup, .lat = lat };
	long long t0;
	unsigned i;

	bench_phase(b, &r, ramp_show, b->t_limit);
	t0 = loop_clock();
	ramp_next(&r);
	bench_phase_run(b);
	res->ok = r.ok;
	res->failed = r.failed + (r.n - r.next) + r.inflight;
	res->secs = bench_secs(t0, loop_clock());
	/* Whatever is still logging in at the hard end is given up. */
	for (i = 0; r.inflight > 0 && i < r.next; i++)
		if (ss[i].op != SESS_NONE)
			sess_close(&ss[i]);
}
