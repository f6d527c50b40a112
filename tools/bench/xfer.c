/*
 * Transfers over a passive data connection (see sess.h): PASV or EPSV, a
 * non-blocking connect to the port the server named (on the control
 * connection's address, as curl does), the command, then the data moved
 * one buffer per wake-up so every stream gets its turn.
 */
#include "sess.h"
#include "ftpc.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define dat_of(ev) \
	((struct sess *)(void *)((char *)(ev) - offsetof(struct sess, dat)))

int sess_xfer(struct sess *s, enum xfer_dir dir, uint64_t want,
	      sess_fn fn, const char *fmt, ...)
{
	struct xfer *x = &s->x;
	va_list ap;
	int n;

	if (!sess_alive(s) || s->op != SESS_NONE)
		return -1;
	memset(x, 0, offsetof(struct xfer, cmd));
	va_start(ap, fmt);
	n = vsnprintf(x->cmd, sizeof(x->cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(x->cmd))
		return -1;
	x->dir = dir;
	x->want = want;
	s->op = SESS_XFER;
	s->fn = NULL;		/* a failed send must not call back */
	s->t0 = loop_clock();
	if (sess_send(s, s->b->o.epsv ? "EPSV" : "PASV") != 0)
		return -1;
	s->fn = fn;
	return 0;
}

void xfer_close(struct sess *s)
{
	ev_close(&s->b->loop, &s->dat);
	s->x.running = 0;
}

static void xfer_done(struct sess *s)
{
	s->x.t_end = loop_clock();
	xfer_close(s);
	sess_finish(s, s->x.final);
}

static int xfer_connect(struct sess *s, unsigned port)
{
	struct bench *b = s->b;
	struct sockaddr_storage sa = b->addr;
	int pending;

	if (sa.ss_family == AF_INET)
		((struct sockaddr_in *)&sa)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&sa)->sin6_port = htons(port);
	s->dat.fd = nb_connect(&sa, b->addrlen, &pending);
	if (s->dat.fd < 0)
		return -1;
	/* One still in progress: sending checks how it ended
	 * (xfer_connected), reading learns it from read(). */
	s->x.connected = !pending;
	return ev_watch(&b->loop, &s->dat,
			s->x.dir == XFER_SEND ? EPOLLOUT : EPOLLIN);
}

static void xfer_begin(struct sess *s, int code)
{
	struct xfer *x = &s->x;
	struct sockaddr_storage ss;
	unsigned port = 0;

	/* Only the port: the address is the control connection's. */
	if (code == 227 && ftpc_parse_227(s->text, &ss) == 0)
		port = ftpc_addr_port((struct sockaddr *)&ss);
	else if (code == 229)
		(void)ftpc_parse_229(s->text, &port);	/* port stays 0 if not */
	if (port == 0) {
		sess_fail(s, "no port in \"%s\"", s->text);
		return;
	}
	if (xfer_connect(s, port) != 0) {
		sess_fail(s, "data connect: %s", strerror(errno));
		return;
	}
	x->running = 1;
	(void)sess_send(s, x->cmd);
}

void xfer_reply(struct sess *s, int code)
{
	struct xfer *x = &s->x;

	if (code < 200)
		return;			/* 150 / 125: the data is coming */
	if (!x->running) {
		if (code == 227 || code == 229)
			xfer_begin(s, code);
		else
			sess_finish(s, code);
		return;
	}
	x->final = code;
	/* A refusal ends it at once; a success waits for the data too. */
	if (code >= 300 || x->data_done || x->dir == XFER_SEND)
		xfer_done(s);
}

static void xfer_read(struct sess *s)
{
	struct xfer *x = &s->x;
	char *p, *end;
	ssize_t n;

	n = read(s->dat.fd, s->b->iobuf, BENCH_IOBUF);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n < 0) {
		sess_fail(s, "data read: %s", strerror(errno));
		return;
	}
	if (n == 0) {
		x->data_done = 1;
		ev_close(&s->b->loop, &s->dat);
		if (x->final != 0)
			xfer_done(s);
		return;
	}
	x->bytes += (uint64_t)n;
	s->b->rx_bytes += (uint64_t)n;
	if (x->dir != XFER_LINES)
		return;
	end = s->b->iobuf + n;
	for (p = s->b->iobuf; (p = memchr(p, '\n', (size_t)(end - p))); p++)
		x->lines++;
}

static int xfer_connected(struct sess *s)
{
	int err = sock_error(s->dat.fd);

	if (err != 0) {
		sess_fail(s, "data connect: %s", strerror(err));
		return -1;
	}
	s->x.connected = 1;
	return 0;
}

static void xfer_write(struct sess *s)
{
	struct xfer *x = &s->x;
	uint64_t left = x->want - x->bytes;
	ssize_t n;

	if (!x->connected && xfer_connected(s) != 0)
		return;
	if (left > 0) {
		n = send(s->dat.fd, s->b->iobuf,
			 left < BENCH_IOBUF ? (size_t)left : BENCH_IOBUF,
			 MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			sess_fail(s, "data send: %s", strerror(errno));
			return;
		}
		x->bytes += (uint64_t)n;
		left -= (uint64_t)n;
	}
	if (left > 0)
		return;
	/* close() sends what is queued, then the FIN that ends the file. */
	x->data_done = 1;
	ev_close(&s->b->loop, &s->dat);
	if (x->final != 0)
		xfer_done(s);
}

void xfer_event(struct ev *ev, uint32_t revents)
{
	struct sess *s = dat_of(ev);

	(void)revents;		/* the syscalls say what happened */
	if (s->x.dir == XFER_SEND)
		xfer_write(s);
	else
		xfer_read(s);
}
