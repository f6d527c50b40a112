/*
 * Cell work off the workers for agent cells (see fsop.h).  A local cell
 * runs the same two halves back to back, so both kinds of cell share one
 * code path per command.
 */
#include "fsop.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "xfer.h"

struct fsop *fsop_new(struct sess *s, const char *vpath, const char *vpath2,
		      void (*run)(struct fsop *), void (*done)(struct sess *,
							    struct fsop *))
{
	struct fsop *op = malloc(sizeof(*op));

	if (op == NULL)
		return NULL;
	/* not the whole struct: the two path buffers are 8 KiB */
	memset(op, 0, offsetof(struct fsop, vpath));
	op->s = s;
	op->cell = s->cell;
	op->run = run;
	op->done = done;
	op->fd = op->hold = -1;
	op->id = s->id;
	snprintf(op->vpath, sizeof(op->vpath), "%s", vpath);
	snprintf(op->vpath2, sizeof(op->vpath2), "%s",
		 vpath2 != NULL ? vpath2 : "");
	return op;
}

/* What run left that done did not take. */
static void fsop_free(struct fsop *op)
{
	io_close(op->fd);
	io_close(op->hold);
	buf_free(&op->out);
	xfer_free(op->x);
	free(op);
}

static void fsop_run(struct job *j)
{
	struct fsop *op = (struct fsop *)j;

	op->run(op);
}

static void fsop_hop(struct job *j)
{
	struct fsop *op = (struct fsop *)j;
	struct sess *s = op->s;

	s->jobs--;
	vc_close(&op->cell);
	if (!s->dead) {
		s->state = op->from;
		op->done(s, op);
		if (!s->dead && s->state == SS_CMD)
			sess_resume(s);
	}
	fsop_free(op);
}

/* The reply half now, on the worker. */
static void fsop_done_here(struct sess *s, struct fsop *op)
{
	op->done(s, op);
	fsop_free(op);
}

void fsop_go(struct sess *s, struct fsop *op)
{
	if (!vc_is_agent(&s->cell)) {
		op->run(op);
		fsop_done_here(s, op);
	} else if (vc_dup(&s->cell, &op->cell) != 0) {	/* leaves it NONE */
		op->r = -EIO;
		fsop_done_here(s, op);
	} else {
		op->from = s->state;
		sess_submit(s, &op->job, fsop_run, fsop_hop);
	}
}
