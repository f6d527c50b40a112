/*
 * The control connection (see sess.h): non-blocking connect, reply
 * framing (RFC 959 4.2; a multi-line reply counts as its last line),
 * login and single commands.  Transfers are in xfer.c.
 */
#include "sess.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

enum { PH_WAIT, PH_CONNECT, PH_BANNER, PH_USER, PH_PASS };

#define sess_of(ev) \
	((struct sess *)(void *)((char *)(ev) - offsetof(struct sess, ctl)))

static void sess_event(struct ev *ev, uint32_t revents);

/* s is zeroed already (sess_array callocs). */
static void sess_init(struct sess *s, struct bench *b, unsigned id)
{
	s->b = b;
	s->id = id;
	ev_init(&s->ctl, sess_event);
	ev_init(&s->dat, xfer_event);
}

struct sess *sess_array(struct bench *b, unsigned n)
{
	struct sess *ss;
	unsigned i;

	ss = calloc(n ? n : 1, sizeof(*ss));
	if (ss == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		sess_init(&ss[i], b, i);
	return ss;
}

void sess_array_free(struct sess *ss, unsigned n)
{
	unsigned i;

	if (ss == NULL)
		return;
	for (i = 0; i < n; i++)
		sess_close(&ss[i]);
	free(ss);
}

void sess_close(struct sess *s)
{
	xfer_close(s);
	ev_close(&s->b->loop, &s->ctl);
	s->inlen = s->outlen = s->outoff = 0;
	s->mlcode = 0;
	s->dropping = 0;
	s->op = SESS_NONE;
	s->fn = NULL;
	s->gen++;
}

void sess_finish(struct sess *s, int code)
{
	sess_fn fn = s->fn;

	s->op = SESS_NONE;
	s->fn = NULL;
	s->phase = PH_WAIT;
	if (fn != NULL)
		fn(s, code);
}

void sess_fail(struct sess *s, const char *fmt, ...)
{
	char what[160];
	sess_fn fn = s->fn;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	bench_err(s->b, "session %u: %s", s->id, what);
	sess_close(s);
	if (fn != NULL)
		fn(s, -1);
}

/* Write what is queued; EPOLLOUT stays on until it is all gone.  The
 * sockets are non-blocking, so no call sleeps and none sees EINTR. */
static int sess_flush(struct sess *s)
{
	ssize_t n;

	while (s->outoff < s->outlen) {
		n = send(s->ctl.fd, s->out + s->outoff,
			 s->outlen - s->outoff, MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0) {
			sess_fail(s, "send: %s", strerror(errno));
			return -1;
		}
		s->outoff += (unsigned)n;
	}
	if (s->outoff == s->outlen)
		s->outoff = s->outlen = 0;
	if (ev_watch(&s->b->loop, &s->ctl, s->outlen ? EPOLLIN | EPOLLOUT :
		     EPOLLIN) != 0) {
		sess_fail(s, "epoll: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int sess_send(struct sess *s, const char *line)
{
	int n;

	if (s->outlen != 0) {
		sess_fail(s, "command sent before the last one was written");
		return -1;
	}
	n = snprintf(s->out, sizeof(s->out), "%s\r\n", line);
	if (n < 0 || (size_t)n >= sizeof(s->out)) {
		sess_fail(s, "command too long");
		return -1;
	}
	s->outlen = (unsigned)n;
	s->outoff = 0;
	return sess_flush(s);
}

int nb_connect(const struct sockaddr_storage *sa, socklen_t len,
	       int *pending)
{
	int fd, err;

	fd = socket(sa->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -1;
	*pending = 0;
	if (connect(fd, (const struct sockaddr *)sa, len) != 0) {
		if (errno != EINPROGRESS) {
			err = errno;
			(void)close(fd);
			errno = err;
			return -1;
		}
		*pending = 1;
	}
	return fd;
}

int sock_error(int fd)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	return err;
}

static int sess_connect(struct sess *s)
{
	struct bench *b = s->b;
	int pending;

	s->ctl.fd = nb_connect(&b->addr, b->addrlen, &pending);
	if (s->ctl.fd < 0)
		return -1;
	s->phase = pending ? PH_CONNECT : PH_BANNER;
	return ev_watch(&b->loop, &s->ctl, pending ? EPOLLOUT : EPOLLIN);
}

int sess_open(struct sess *s, sess_fn fn)
{
	if (sess_alive(s))
		sess_close(s);
	s->gen++;
	s->op = SESS_LOGIN;
	s->fn = fn;
	s->t0 = loop_clock();
	if (sess_connect(s) != 0) {
		bench_err(s->b, "session %u: connect: %s", s->id,
			  strerror(errno));
		sess_close(s);
		return -1;
	}
	return 0;
}

int sess_cmd(struct sess *s, sess_fn fn, const char *fmt, ...)
{
	char line[SESS_CMDMAX];
	va_list ap;
	int n;

	if (!sess_alive(s) || s->op != SESS_NONE)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	s->op = SESS_CMD;
	s->fn = NULL;		/* a failed send must not call back */
	s->t0 = loop_clock();
	if (sess_send(s, line) != 0)
		return -1;
	s->fn = fn;
	return 0;
}

static void sess_login_reply(struct sess *s, int code)
{
	char line[SESS_CMDMAX];
	const struct bench_opts *o = &s->b->o;

	if (code < 200)
		return;			/* "120 ready in n minutes": wait */
	if (s->phase == PH_BANNER && code == 220) {
		snprintf(line, sizeof(line), "USER %s", o->user);
		s->phase = PH_USER;
		(void)sess_send(s, line);
	} else if (s->phase == PH_USER && code == 331) {
		snprintf(line, sizeof(line), "PASS %s", o->pass);
		s->phase = PH_PASS;
		(void)sess_send(s, line);
	} else {
		sess_finish(s, code);
	}
}

static void sess_reply(struct sess *s, int code)
{
	switch (s->op) {
	case SESS_LOGIN:
		sess_login_reply(s, code);
		break;
	case SESS_CMD:
		if (code >= 200)
			sess_finish(s, code);
		break;
	case SESS_XFER:
		xfer_reply(s, code);
		break;
	case SESS_NONE:
		/* Unasked: a timeout or shutdown notice ends the session. */
		if (code >= 400)
			sess_fail(s, "server said: %s", s->text);
		break;
	}
}

static int digits3(const char *p, size_t len)
{
	if (len < 3 || p[0] < '1' || p[0] > '5' || p[1] < '0' || p[1] > '9' ||
	    p[2] < '0' || p[2] > '9')
		return 0;
	return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

/* The code of a reply's last line, 0 inside a reply, -1 garbage. */
static int sess_line(struct sess *s, const char *p, size_t len)
{
	int code = digits3(p, len);
	int last = code != 0 && (len == 3 || p[3] == ' ');

	if (s->mlcode != 0) {
		if (code == s->mlcode && last)
			s->mlcode = 0;
		return s->mlcode == 0 ? code : 0;
	}
	if (code != 0 && len > 3 && p[3] == '-') {
		s->mlcode = code;
		return 0;
	}
	return last ? code : -1;
}

static void sess_keep_text(struct sess *s, const char *p, size_t len)
{
	if (len >= sizeof(s->text))
		len = sizeof(s->text) - 1;
	memcpy(s->text, p, len);
	s->text[len] = '\0';
}

static void sess_parse(struct sess *s)
{
	unsigned gen = s->gen;
	size_t off = 0, len;
	char *p, *nl;
	int code;

	while ((nl = memchr(s->in + off, '\n', s->inlen - off)) != NULL) {
		p = s->in + off;
		len = (size_t)(nl - p);
		off += len + 1;
		if (s->dropping) {
			s->dropping = 0;
			continue;
		}
		if (len > 0 && p[len - 1] == '\r')
			len--;
		code = sess_line(s, p, len);
		if (code < 0) {
			sess_keep_text(s, p, len);
			sess_fail(s, "not a reply: %s", s->text);
			return;
		}
		if (code == 0)
			continue;
		sess_keep_text(s, p, len);
		sess_reply(s, code);
		if (s->gen != gen)
			return;		/* closed or reopened: buffer is gone */
	}
	memmove(s->in, s->in + off, s->inlen - off);
	s->inlen -= (unsigned)off;
	if (s->inlen == sizeof(s->in)) {
		s->dropping = 1;	/* a line longer than we keep */
		s->inlen = 0;
	}
}

static void sess_read(struct sess *s)
{
	ssize_t n;

	n = read(s->ctl.fd, s->in + s->inlen, sizeof(s->in) - s->inlen);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n < 0) {
		sess_fail(s, "read: %s", strerror(errno));
		return;
	}
	if (n == 0) {
		sess_fail(s, "the server closed the control connection");
		return;
	}
	s->inlen += (unsigned)n;
	sess_parse(s);
}

static void sess_connected(struct sess *s)
{
	int err = sock_error(s->ctl.fd);

	if (err != 0) {
		sess_fail(s, "connect: %s", strerror(err));
		return;
	}
	s->phase = PH_BANNER;
	if (ev_watch(&s->b->loop, &s->ctl, EPOLLIN) != 0)
		sess_fail(s, "epoll: %s", strerror(errno));
}

static void sess_event(struct ev *ev, uint32_t revents)
{
	struct sess *s = sess_of(ev);

	if (s->phase == PH_CONNECT) {
		sess_connected(s);
		return;
	}
	if ((revents & EPOLLOUT) && s->outlen != 0 && sess_flush(s) != 0)
		return;
	if (revents & (EPOLLIN | EPOLLERR | EPOLLHUP))
		sess_read(s);
}
