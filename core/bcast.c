/*
 * Broadcasts (see bcast.h): one message per worker, a shared result under
 * a mutex, and an atomic count of workers still to answer; the last one
 * posts the completion to the asking worker or frees the broadcast.
 */
#include "bcast.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "sess.h"
#include "srv.h"
#include "xfer.h"

struct bcast;

struct bcast_part {
	struct wk_msg msg;	/* first: a message pointer is a part pointer */
	struct bcast *b;
	struct worker *w;
};

struct bcast {
	struct bcast_req req;
	atomic_int pending;
	pthread_mutex_t lock;	/* guards out and count */
	struct buf out;
	int count;
	struct sess *s;		/* the asker, kept alive by s->jobs */
	void (*done)(struct sess *s, const struct bcast_req *req,
		     const char *text, int count);
	struct wk_msg done_msg;
	int nparts;
	struct bcast_part parts[];
};

static void bcast_free(struct bcast *b)
{
	pthread_mutex_destroy(&b->lock);
	buf_free(&b->out);
	free(b);
}

static void who_line(struct buf *out, const struct sess *s, uint64_t now)
{
	char since[32];
	struct tm tm;

	gmtime_r(&s->connected, &tm);
	strftime(since, sizeof(since), "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf_printf(out, " %-8llu %-16s %s:%u %s %llus ",
		   (unsigned long long)s->id, s->login ? s->login : "-",
		   s->peer_text, s->peer_port, since,
		   (unsigned long long)((now - s->last_cmd_ms) / 1000));
	if (s->xfer != NULL)
		xfer_status((struct sess *)s, out);
	else
		buf_puts(out, s->cmd_name ? s->cmd_name : "-");
	buf_puts(out, "\n");
}

static int matches(const struct bcast_req *r, const struct sess *s)
{
	if (s->id == r->except_sid)
		return 0;
	if (r->sid != 0)
		return s->id == r->sid;
	return s->login != NULL && strcmp(s->login, r->login) == 0;
}

/* On worker w: apply the request to each of its sessions. */
static void part_run(struct wk_msg *m)
{
	struct bcast_part *p = (struct bcast_part *)m;
	struct bcast *b = p->b;
	struct sess *s, *next;
	struct buf lines;
	int count = 0;
	uint64_t now = wk_now();

	buf_init(&lines, 0);
	for (s = p->w->sessions; s != NULL; s = next) {
		next = s->next;		/* a kicked session leaves the list */
		if (b->req.kind == BC_WHO) {
			who_line(&lines, s, now);
			count++;
		} else if (matches(&b->req, s)) {
			count++;
			if (b->req.kind == BC_KICK)
				sess_finish(s, 421, b->req.reason);
			else if (s->logged_in)
				s->quota_bytes = b->req.quota_bytes;
		}
	}
	pthread_mutex_lock(&b->lock);
	if (lines.len > 0)
		buf_append(&b->out, lines.p, lines.len);
	b->count += count;
	pthread_mutex_unlock(&b->lock);
	buf_free(&lines);
	if (atomic_fetch_sub(&b->pending, 1) != 1)
		return;
	if (b->done != NULL)
		wk_post(b->s->w, &b->done_msg);
	else
		bcast_free(b);
}

static void done_run(struct wk_msg *m)
{
	struct bcast *b = (struct bcast *)((char *)m - offsetof(struct bcast, done_msg));
	struct sess *s = b->s;

	s->jobs--;
	if (!s->dead)
		b->done(s, &b->req,
			b->out.failed || b->out.p == NULL ? "" : b->out.p,
			b->count);
	bcast_free(b);
}

static struct bcast *bcast_new(struct srv *srv, const struct bcast_req *req)
{
	struct bcast *b = calloc(1, sizeof(*b) +
				 (size_t)srv->nworkers * sizeof(b->parts[0]));

	if (b == NULL)
		return NULL;
	if (pthread_mutex_init(&b->lock, NULL) != 0) {
		free(b);
		return NULL;
	}
	b->req = *req;
	buf_init(&b->out, 0);
	b->nparts = srv->nworkers;
	atomic_init(&b->pending, srv->nworkers);
	b->done_msg.fn = done_run;
	for (int i = 0; i < srv->nworkers; i++) {
		b->parts[i].msg.fn = part_run;
		b->parts[i].b = b;
		b->parts[i].w = &srv->workers[i];
	}
	return b;
}

static void bcast_post(struct bcast *b)
{
	int n = b->nparts;	/* b may be gone once the last part ran */

	for (int i = 0; i < n; i++)
		wk_post(b->parts[i].w, &b->parts[i].msg);
}

int bcast_send(struct srv *srv, const struct bcast_req *req)
{
	struct bcast *b = bcast_new(srv, req);

	if (b == NULL)
		return -1;
	bcast_post(b);
	return 0;
}

int bcast_ask(struct sess *s, const struct bcast_req *req,
	      void (*done)(struct sess *s, const struct bcast_req *req,
			   const char *text, int count))
{
	struct bcast *b = bcast_new(s->w->srv, req);

	if (b == NULL)
		return -1;
	b->s = s;
	b->done = done;
	s->jobs++;
	sess_wait(s, SS_BUSY);
	bcast_post(b);
	return 0;
}
