/*
 * The transfer engine (see xfer.h).  Each wake-up of the data socket moves
 * at most one slice, so a large file shares its worker fairly.  Uploads are
 * closed on the blocking pool (close can block on some filesystems) before
 * the 226 goes out, so a 226 means the bytes reached the file.
 */
#include "xfer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "data.h"
#include "fsop.h"
#include "io.h"
#include "quota.h"
#include "reclaim.h"
#include "sess.h"
#include "sess_tls.h"
#include "srv.h"
#include "tls_io.h"

#define container_of(p, T, m) ((T *)(void *)((char *)(p) - offsetof(T, m)))
/*
 * Bytes a transfer moves per wake-up: SLICE_LOOP shared among the events
 * of the batch, but never less than SLICE_MIN (with many busy sessions
 * none waits long behind the others).  A lone stream gets all of it and
 * wakes up less often: fewer epoll round trips per GiB; 8 MiB is about
 * 3 ms of loopback sendfile.
 */
#define SLICE_MIN (256 * 1024)
#define SLICE_LOOP (8 * 1024 * 1024)
#define PIPE_FROM (4 * 1024 * 1024)	/* smaller downloads: sendfile */
#define ASCII_READ (WK_XFER_LEN / 2)	/* LF -> CRLF at most doubles it */
#define TLS_READ (64 * 1024)		/* PROT P RETR: file bytes per fill */

struct close_job {
	struct job job;
	struct sess *s;
	int fd;
	int old;	/* the replaced file's hold, freed after the 226 */
	int err;
};

void xfer_free(struct xfer *x)
{
	if (x == NULL)
		return;
	io_close(x->fd);
	upload_free(&x->up);
	buf_free(&x->mem);
	free(x->vpath);
	free(x);
}

static void log_xfer(struct sess *s, const struct xfer *x, int code)
{
	struct cf_log_event ev = { .type = CF_EV_TRANSFER };

	ev.action = x->verb;
	ev.path = x->vpath;
	ev.bytes = x->bytes;
	ev.direction = x->kind == XK_STOR ? 'i' : 'o';
	ev.xfer_type = x->ascii ? 'a' : 'b';
	ev.complete = code == 226;
	ev.result = code;
	ev.duration_ms = wk_now() - x->started_ms;
	sess_log_event(s, &ev);
}

/*
 * An upload that failed is undone; its file, perhaps a big temporary one
 * just unlinked, is closed on the pool, where that frees it.
 */
static void stor_drop(struct sess *s, struct xfer *x)
{
	upload_abort(s, x, 0);
	reclaim_later(s, x->fd);
	x->fd = -1;
}

/* A running transfer's end: its pipe goes back to the worker. */
static void xfer_release(struct sess *s, struct xfer *x)
{
	wk_dl_pipe_close(s->w, x->pipe);
	xfer_free(x);
}

/* End the transfer with a reply; the session goes back to commands. */
static void xfer_end(struct sess *s, int code, const char *text)
{
	struct xfer *x = s->xfer;

	s->xfer = NULL;
	data_end(s);
	if (x != NULL) {
		if (x->kind == XK_STOR && code != 226)
			stor_drop(s, x);
		log_xfer(s, x, code);
		xfer_release(s, x);
	}
	sess_reply(s, code, "%s", text);
	sess_resume(s);
}

void xfer_fail(struct sess *s, int code, const char *text)
{
	xfer_end(s, code, text);
}

void xfer_abort(struct sess *s, int reply)
{
	struct xfer *x = s->xfer;

	if (x == NULL)
		return;
	s->xfer = NULL;
	data_end(s);
	if (x->kind == XK_STOR)
		stor_drop(s, x);
	log_xfer(s, x, 426);
	xfer_release(s, x);
	if (reply)
		sess_reply(s, 426, "Connection closed; transfer aborted.");
}

static void progress(struct sess *s, size_t n)
{
	s->xfer->bytes += n;
	s->xfer->progress_ms = wk_now();
	if (s->xfer->kind == XK_STOR)
		s->bytes_in += n;
	else
		s->bytes_out += n;
}

static size_t slice(const struct sess *s)
{
	size_t n = s->w->nready > 1 ? (size_t)s->w->nready : 1;
	size_t b = SLICE_LOOP / n;

	return b < SLICE_MIN ? SLICE_MIN : b;
}

/* The data socket failed; EAGAIN only means: wait for the next wake-up. */
static void data_error(struct sess *s)
{
	if (errno != EAGAIN)
		xfer_end(s, 426, "Connection closed; transfer aborted.");
}

/* Uploads: close on the pool, then 226 ------------------------------- */

static void close_run(struct job *j)
{
	struct close_job *c = (struct close_job *)j;

	c->err = close(c->fd) == 0 ? 0 : errno;
}

static void close_done(struct job *j)
{
	struct close_job *c = (struct close_job *)j;
	struct sess *s = c->s;
	int err = c->err, old = c->old;

	free(c);
	s->jobs--;
	if (!s->dead && s->xfer != NULL) {
		s->state = SS_XFER;	/* xfer_end resumes from here */
		if (err == 0)
			xfer_end(s, 226, "Transfer complete.");
		else if (err == EDQUOT)
			xfer_end(s, 552, "Exceeded storage allocation.");
		else if (err == ENOSPC)
			xfer_end(s, 452, "Insufficient storage space.");
		else
			xfer_end(s, 451, "Requested action aborted: local "
				 "error.");
	}
	reclaim_later(s, old);
}

static void write_error_end(struct sess *s, int err)
{
	if (err == EDQUOT)
		xfer_end(s, 552, "Exceeded storage allocation.");
	else if (err == ENOSPC)
		xfer_end(s, 452, "Insufficient storage space.");
	else
		xfer_end(s, 451, "Requested action aborted: local error.");
}

static void run_remove(struct fsop *op)
{
	(void)vc_unlink(&op->cell, op->vpath);
}

/* flag: the write's errno */
static void removed(struct sess *s, struct fsop *op)
{
	write_error_end(s, op->flag);
}

/*
 * A failed write: a full disk or quota undoes the upload like a refusal.
 * An agent cell has no ledger (the system's quota counts its files), so
 * removing a new file is all the undo there is, and that waits for the
 * agent on the pool, the data connection closed first.
 */
static void write_error(struct sess *s, int err)
{
	struct xfer *x = s->xfer;
	struct fsop *op;

	if (err != EDQUOT && err != ENOSPC) {
		write_error_end(s, err);
		return;
	}
	if (!vc_is_agent(&s->cell) || !x->up.created) {
		upload_abort(s, x, 1);	/* no agent asked */
		write_error_end(s, err);
		return;
	}
	op = fsop_new(s, x->vpath, NULL, run_remove, removed);
	if (op == NULL) {
		write_error_end(s, err);
		return;
	}
	x->up.created = 0;
	op->flag = err;
	data_end(s);
	fsop_go(s, op);
}

static void over_quota(struct sess *s)
{
	struct xfer *x = s->xfer;

	upload_abort(s, x, 1);
	qt_log_refusal(s, x->verb, x->vpath, x->bytes);
	xfer_end(s, 552, "Requested file action aborted. Exceeded storage "
		 "allocation.");
}

static void stor_complete(struct sess *s)
{
	struct xfer *x = s->xfer;
	struct close_job *c;
	int r, old;

	data_end(s);	/* close_notify first: the client's unwrap waits for it */
	r = upload_commit(s, x, &old);
	if (r != 0) {
		write_error(s, -r);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		xfer_end(s, 226, "Transfer complete.");	/* xfer_free closes */
		reclaim_later(s, old);
		return;
	}
	c->s = s;
	c->old = old;
	c->fd = x->fd;
	x->fd = -1;
	sess_submit(s, &c->job, close_run, close_done);
}

/*
 * The bytes in the pipe into the file.  A file that cannot be spliced to
 * (EINVAL) gets them copied, and the rest of the upload reads as before.
 */
static int pipe_to_file(struct sess *s, int rd, size_t n)
{
	struct xfer *x = s->xfer;
	char *buf = s->w->scratch + WK_XFER_OFF;

	while (n > 0) {
		ssize_t w = -1;

		if (!x->no_splice)
			w = io_splice(rd, x->fd, n, SPLICE_F_MOVE);
		if (x->no_splice || (w < 0 && errno == EINVAL)) {
			x->no_splice = 1;
			w = io_read(rd, buf, n < WK_XFER_LEN ? n : WK_XFER_LEN);
			if (w > 0 && io_write_all(x->fd, buf, (size_t)w) != 0)
				return -1;
		}
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Binary uploads splice socket -> the worker's pipe -> file: the bytes
 * are copied once, into the page cache, instead of in and out of the
 * scratch buffer.  The pipe is empty again at the end of every step.
 */
static void stor_splice(struct sess *s, const int *p)
{
	struct xfer *x = s->xfer;
	size_t budget = slice(s), cap = s->w->pipe_cap;

	while (budget > 0 && !x->no_splice) {
		ssize_t n = io_splice(s->dconn.fd, p[1], budget < cap ? budget : cap,
				      SPLICE_F_MOVE | SPLICE_F_NONBLOCK);

		if (n == 0) {
			stor_complete(s);
			return;
		}
		if (n < 0) {
			data_error(s);
			return;
		}
		if (upload_room(s, x, (size_t)n) != 0) {
			wk_pipe_drop(s->w);
			over_quota(s);
			return;
		}
		if (pipe_to_file(s, p[0], (size_t)n) != 0) {
			int err = errno;

			wk_pipe_drop(s->w);
			write_error(s, err);
			return;
		}
		budget = (size_t)n < budget ? budget - (size_t)n : 0;
		x->pos += (uint64_t)n;
		progress(s, (size_t)n);
	}
}

/* ASCII upload: CRLF becomes LF; a CR at the end of a slice waits. */
static size_t ascii_in(struct xfer *x, char *p, size_t n)
{
	size_t o = 0, i = 0;

	if (x->cr_held) {
		x->cr_held = 0;
		if (n > 0 && p[0] != '\n') {
			memmove(p + 1, p, n);	/* room: the scratch has slack */
			p[0] = '\r';
			n++;
			i = 1;
			o = 1;
		}
	}
	for (; i < n; i++) {
		if (p[i] == '\r' && i + 1 == n) {
			x->cr_held = 1;
			break;
		}
		if (p[i] == '\r' && p[i + 1] == '\n')
			continue;
		p[o++] = p[i];
	}
	return o;
}

static void stor_slice(struct sess *s)
{
	struct xfer *x = s->xfer;
	const int *p;
	char *buf = s->w->scratch + WK_XFER_OFF;
	/* ASCII keeps a byte of slack for a held CR (ascii_in); binary reads
	 * whole pages, so the file gets page-aligned writes */
	size_t cap = x->ascii ? WK_XFER_LEN - 1 : WK_XFER_LEN;
	size_t budget = slice(s);

	/* splice cannot write to O_APPEND files; TLS and ASCII need the bytes */
	if (!x->ascii && s->dtls == NULL && x->up.mode != VFS_W_APPEND &&
	    !x->no_splice && (p = wk_pipe(s->w)) != NULL) {
		stor_splice(s, p);
		return;
	}
	/* bytes TLS already decrypted get no epoll event: take them too */
	while (budget > 0 || (s->dtls != NULL && tls_conn_pending(s->dtls))) {
		size_t want = budget > 0 && budget < cap ? budget : cap;
		ssize_t n = tls_or_read(s->dtls, s->dconn.fd, buf, want);
		size_t out;

		if (n == 0) {
			/* a CR that ended the upload is data */
			if (x->cr_held && upload_room(s, x, 1) != 0) {
				over_quota(s);
				return;
			}
			if (x->cr_held && io_write_all(x->fd, "\r", 1) != 0) {
				write_error(s, errno);
				return;
			}
			x->pos += (uint64_t)x->cr_held;
			stor_complete(s);
			return;
		}
		if (n < 0) {
			data_error(s);
			return;
		}
		budget = (size_t)n < budget ? budget - (size_t)n : 0;
		out = x->ascii ? ascii_in(x, buf, (size_t)n) : (size_t)n;
		if (upload_room(s, x, out) != 0) {
			over_quota(s);
			return;
		}
		if (io_write_all(x->fd, buf, out) != 0) {
			write_error(s, errno);
			return;
		}
		x->pos += out;
		progress(s, (size_t)n);
	}
}

/* Downloads and listings ---------------------------------------------- */

/* Send what is buffered in x->mem; 1 when all of it went out. */
static int send_mem(struct sess *s, size_t *budget)
{
	struct xfer *x = s->xfer;

	while (x->mem_off < x->mem.len && *budget > 0) {
		size_t left = x->mem.len - x->mem_off;
		ssize_t n = tls_or_send(s->dtls, s->dconn.fd, x->mem.p + x->mem_off,
				    left < *budget ? left : *budget);

		if (n < 0) {
			data_error(s);
			return 0;
		}
		x->mem_off += (size_t)n;
		*budget -= (size_t)n;
		progress(s, (size_t)n);
	}
	return x->mem_off == x->mem.len;
}

/* Fill x->mem with the next piece of the file, LF turned into CRLF. */
static int ascii_fill(struct sess *s)
{
	struct xfer *x = s->xfer;
	char *buf = s->w->scratch + WK_XFER_OFF;
	ssize_t n = io_pread(x->fd, buf, ASCII_READ, (off_t)x->pos);

	if (n <= 0)
		return (int)n;
	buf_reset(&x->mem);
	x->mem_off = 0;
	buf_reserve(&x->mem, (size_t)n * 2);
	for (ssize_t i = 0; i < n && !x->mem.failed; i++) {
		if (buf[i] == '\n')
			buf_append(&x->mem, "\r\n", 2);
		else
			buf_append(&x->mem, &buf[i], 1);
	}
	x->pos += (uint64_t)n;
	return x->mem.failed ? -1 : 1;
}

/*
 * TLS cannot ride sendfile: the file goes through x->mem, which (unlike
 * the worker's shared scratch) stays put while SSL_write waits to be
 * retried with the same bytes.
 */
static int tls_fill(struct sess *s)
{
	struct xfer *x = s->xfer;
	size_t want = x->size < TLS_READ ? (size_t)x->size : TLS_READ;
	ssize_t n;

	if (want == 0)
		return 0;
	buf_reset(&x->mem);
	x->mem_off = 0;
	if (buf_reserve(&x->mem, want) != 0)
		return -1;
	n = io_pread(x->fd, x->mem.p, want, (off_t)x->pos);
	if (n <= 0)	/* 0: the file shrank under us: send what there was */
		return (int)n;
	x->mem.len = (size_t)n;
	x->pos += (uint64_t)n;
	x->size -= (uint64_t)n;
	return 1;
}

/* Through x->mem: ASCII conversion, or any file under TLS. */
static void retr_mem(struct sess *s, size_t budget)
{
	while (budget > 0) {
		int r;

		if (!send_mem(s, &budget))
			return;
		r = s->xfer->ascii ? ascii_fill(s) : tls_fill(s);
		if (r == 0) {
			xfer_end(s, 226, "Transfer complete.");
			return;
		}
		if (r < 0) {
			xfer_end(s, 451, "Requested action aborted: local error.");
			return;
		}
	}
}

static void retr_sendfile(struct sess *s, size_t budget)
{
	struct xfer *x = s->xfer;

	while (budget > 0 && x->size > 0) {
		off_t off = (off_t)x->pos;
		size_t want = x->size < budget ? (size_t)x->size : budget;
		ssize_t n = io_sendfile(s->dconn.fd, x->fd, &off, want);

		if (n < 0) {
			data_error(s);
			return;
		}
		if (n == 0)	/* the file shrank under us: send what there was */
			break;
		x->pos += (uint64_t)n;
		x->size -= (uint64_t)n;
		budget -= (size_t)n;
		progress(s, (size_t)n);
	}
	if (x->size == 0 || budget > 0)
		xfer_end(s, 226, "Transfer complete.");
}

/*
 * A large download splices file -> its own pipe -> socket.  sendfile does
 * the same through a pipe of 64 KiB, one round of page cache lookups and
 * socket sends per 64 KiB; 1 MiB per fill costs ~3% less CPU per GiB and
 * moves one stream 4% faster over loopback, side by side.  What the
 * socket does not take waits in the pipe for the next wake-up.
 */
static void retr_pipe_open(struct sess *s)
{
	struct xfer *x = s->xfer;

	if (!x->ascii && x->size >= PIPE_FROM)
		(void)wk_dl_pipe(s->w, x->pipe);
}

/* The pipe is empty: the next piece of the file into it; 0 at its end. */
static ssize_t pipe_fill(struct xfer *x)
{
	loff_t off = (loff_t)x->pos;
	size_t want = x->size < WK_DL_PIPE_SIZE ? (size_t)x->size
						 : WK_DL_PIPE_SIZE;
	ssize_t n = io_splice_at(x->fd, &off, x->pipe[1], want, SPLICE_F_MOVE);

	if (n > 0) {
		x->pos += (uint64_t)n;
		x->size -= (uint64_t)n;
		x->piped = (size_t)n;
	}
	return n;
}

static void retr_piped(struct sess *s, size_t budget)
{
	struct xfer *x = s->xfer;

	while (budget > 0 && (x->piped > 0 || x->size > 0)) {
		ssize_t n = x->piped > 0 ? (ssize_t)x->piped : pipe_fill(x);

		if (n < 0 && errno == EINVAL) {	/* no splice from this file */
			wk_dl_pipe_close(s->w, x->pipe);
			retr_sendfile(s, budget);
			return;
		}
		if (n < 0) {
			xfer_end(s, 451, "Requested action aborted: local error.");
			return;
		}
		if (n > 0)
			n = io_splice(x->pipe[0], s->dconn.fd, x->piped,
				      SPLICE_F_MOVE);
		if (n < 0) {
			data_error(s);
			return;
		}
		if (n == 0)	/* the file shrank: send what there was */
			break;
		x->piped -= (size_t)n;
		budget = (size_t)n < budget ? budget - (size_t)n : 0;
		progress(s, (size_t)n);
	}
	if ((x->size == 0 && x->piped == 0) || budget > 0)
		xfer_end(s, 226, "Transfer complete.");
}

static void retr_binary(struct sess *s, size_t budget)
{
	if (s->xfer->pipe[0] >= 0)
		retr_piped(s, budget);
	else
		retr_sendfile(s, budget);
}

/*
 * TLS: a slice may wait for the other direction (a key update), and once
 * it no longer does that interest must go, or level-triggered epoll
 * wakes the session for nothing until the transfer ends.
 */
static void data_tls_events(struct sess *s, uint32_t base)
{
	if (wk_rewatch(s->w, &s->dconn, base | tls_conn_events(s->dtls)) != 0)
		xfer_end(s, 426, "Connection closed; transfer aborted.");
}

static uint32_t data_events(const struct xfer *x)
{
	return x->kind == XK_STOR ? EPOLLIN | EPOLLRDHUP : EPOLLOUT;
}

static void data_slice(struct sess *s, uint32_t events)
{
	size_t budget = slice(s);

	if (s->xfer->kind == XK_STOR) {
		stor_slice(s);
		return;
	}
	if (events & EPOLLERR) {
		xfer_end(s, 426, "Connection closed; transfer aborted.");
		return;
	}
	if (s->xfer->kind == XK_LIST) {
		if (send_mem(s, &budget))
			xfer_end(s, 226, "Transfer complete.");
	} else if (s->xfer->ascii || s->dtls != NULL) {
		retr_mem(s, budget);
	} else {
		retr_binary(s, budget);
	}
}

static void data_ev(struct ev *ev, uint32_t events)
{
	struct sess *s = container_of(ev, struct sess, dconn);

	if (s->xfer == NULL)
		return;
	data_slice(s, events);
	if (s->xfer != NULL && s->dtls != NULL)
		data_tls_events(s, data_events(s->xfer));
}

/* Start / ready / timers ---------------------------------------------- */

void xfer_start(struct sess *s, struct xfer *x, const char *what)
{
	s->xfer = x;
	x->started_ms = x->progress_ms = wk_now();
	sess_cork(s);	/* a download that ends at once: 150 and 226 together */
	sess_reply(s, 150, "%s", what);
	if (s->dead)
		return;
	sess_set_xfer(s);
	if (data_open(s) != 0)
		xfer_fail(s, 425, "Cannot open data connection.");
	sess_uncork(s);
}

void xfer_ready(struct sess *s)
{
	if (s->prot_p && s->tls != NULL)
		sess_tls_data_start(s);	/* xfer_go once it is done */
	else
		xfer_go(s);
}

/*
 * A plain data connection that just came up (accepted, or its connect
 * done) is writable: the first slice of a download goes at once, and a
 * small file is done without a wake-up (passive: before the socket ever
 * meets epoll).
 */
void xfer_go(struct sess *s)
{
	uint32_t want = data_events(s->xfer);

	s->xfer->running = 1;
	s->xfer->progress_ms = wk_now();
	s->dconn.fn = data_ev;
	if (s->xfer->kind != XK_STOR && s->dtls == NULL) {
		/* a small file leaves in the first slice: no cork to pay for */
		if (s->xfer->kind == XK_RETR && s->xfer->size > SLICE_MIN) {
			data_cork(s);
			retr_pipe_open(s);
		}
		data_slice(s, 0);
		if (s->xfer == NULL)
			return;
	}
	if (wk_watch(s->w, &s->dconn, want) != 0)
		xfer_fail(s, 425, "Cannot open data connection.");
}

void xfer_timer(struct sess *s)
{
	struct xfer *x = s->xfer;
	uint64_t limit = 1000ull * (uint64_t)s->w->set->data_timeout;
	uint64_t idle;

	if (x == NULL)
		return;
	if (!x->running) {
		xfer_fail(s, 425, "Failed to establish connection.");
		return;
	}
	idle = wk_now() - x->progress_ms;
	if (idle >= limit) {
		xfer_fail(s, 426, "Data connection timed out; transfer aborted.");
		return;
	}
	if (wk_timer_set(s->w, &s->timer, limit - idle) != 0)
		sess_close(s, "out of memory");
}

void xfer_status(struct sess *s, struct buf *out)
{
	const struct xfer *x = s->xfer;

	buf_printf(out, "Status: %s %s, %llu bytes transferred.", x->verb,
		   x->vpath, (unsigned long long)x->bytes);
}
