/*
 * ftpc data connections: PASV and EPSV (the client connects), PORT and
 * EPRT (the client listens on its control address), the wait for the
 * 1xx reply and the connection together, and whole transfers.
 */
#include "ftpc_int.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define XFER_CHUNK	65536

static const char *const mode_names[] = { "PASV", "EPSV", "PORT", "EPRT" };

const char *ftpc_dmode_name(enum ftpc_dmode mode)
{
	return mode_names[mode];
}

static void data_reset(struct ftpc_data *d, enum ftpc_dmode mode)
{
	int rcvbuf = d->rcvbuf, defer = d->defer;

	memset(d, 0, sizeof(*d));
	d->io.fd = -1;
	d->lfd = -1;
	d->mode = mode;
	d->rcvbuf = rcvbuf;
	d->defer = defer;
}

int ftpc_data_connect(struct ftpc *c, struct ftpc_data *d)
{
	if (d->io.fd >= 0 || d->lfd >= 0) {
		ftpc_seterr(c, "the data connection is already set up");
		return -1;
	}
	d->io.fd = ftpc_connect_fd(c, (struct sockaddr *)&d->addr, d->addrlen,
				   d->rcvbuf, ftpc_deadline(c));
	return d->io.fd < 0 ? -1 : 0;
}

void ftpc_data_close(struct ftpc_data *d)
{
	ftpc_io_close(&d->io);
	if (d->lfd >= 0)
		close(d->lfd);
	d->lfd = -1;
}

static int passive(struct ftpc *c, struct ftpc_data *d)
{
	unsigned port;
	int code;

	if (d->mode == FTPC_PASV) {
		code = ftpc_cmd(c, "PASV");
		if (code != 227)
			goto refused;
		if (ftpc_parse_227(ftpc_text(c), &d->addr) != 0) {
			ftpc_seterr(c, "malformed 227 reply");
			return -1;
		}
		d->addrlen = sizeof(struct sockaddr_in);
	} else {
		code = ftpc_cmd(c, "EPSV");
		if (code != 229)
			goto refused;
		if (ftpc_parse_229(ftpc_text(c), &port) != 0) {
			ftpc_seterr(c, "malformed 229 reply");
			return -1;
		}
		/* RFC 2428 3: the address is the control connection's. */
		memcpy(&d->addr, &c->peer, sizeof(d->addr));
		d->addrlen = c->peerlen;
		if (d->addr.ss_family == AF_INET6)
			((struct sockaddr_in6 *)&d->addr)->sin6_port =
				htons((uint16_t)port);
		else
			((struct sockaddr_in *)&d->addr)->sin_port =
				htons((uint16_t)port);
	}
	if (d->defer)
		return 0;
	return ftpc_data_connect(c, d);
refused:
	if (code > 0)
		ftpc_seterr(c, "%s refused", mode_names[d->mode]);
	return -1;
}

static int listen_local(struct ftpc *c, struct ftpc_data *d)
{
	socklen_t len = c->locallen;
	int fd;

	memcpy(&d->addr, &c->local, sizeof(d->addr));
	if (d->addr.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&d->addr)->sin6_port = 0;
	else
		((struct sockaddr_in *)&d->addr)->sin_port = 0;
	fd = socket(d->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail;
	if (d->rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &d->rcvbuf,
					sizeof(d->rcvbuf)) != 0)
		goto fail_fd;
	if (bind(fd, (struct sockaddr *)&d->addr, len) != 0 ||
	    listen(fd, 1) != 0)
		goto fail_fd;
	d->addrlen = sizeof(d->addr);
	if (getsockname(fd, (struct sockaddr *)&d->addr, &d->addrlen) != 0)
		goto fail_fd;
	d->lfd = fd;
	return 0;
fail_fd:
	close(fd);
fail:
	ftpc_seterr(c, "listen: %s", strerror(errno));
	return -1;
}

static int active(struct ftpc *c, struct ftpc_data *d)
{
	char arg[128];
	int code, r;

	if (listen_local(c, d) != 0)
		return -1;
	if (d->mode == FTPC_PORT)
		r = ftpc_fmt_port(arg, sizeof(arg), (struct sockaddr *)&d->addr);
	else
		r = ftpc_fmt_eprt(arg, sizeof(arg), (struct sockaddr *)&d->addr);
	if (r != 0) {
		ftpc_seterr(c, "%s needs an IPv4 control connection",
			    mode_names[d->mode]);
		return -1;
	}
	code = ftpc_cmd(c, "%s %s", mode_names[d->mode], arg);
	if (code != 200) {
		if (code > 0)
			ftpc_seterr(c, "%s refused", mode_names[d->mode]);
		return -1;
	}
	return 0;
}

int ftpc_data_prepare(struct ftpc *c, struct ftpc_data *d,
		      enum ftpc_dmode mode)
{
	int r;

	data_reset(d, mode);
	d->protect = c->prot == 'P';
	c->reply.code = 0;
	if (mode == FTPC_PASV || mode == FTPC_EPSV)
		r = passive(c, d);
	else
		r = active(c, d);
	if (r != 0)
		ftpc_data_close(d);
	return r;
}

static int accept_data(struct ftpc *c, struct ftpc_data *d, long long dl)
{
	int fd, r;

	r = ftpc_wait(c, d->lfd, POLLIN, dl);
	if (r <= 0) {
		if (r == 0)
			ftpc_seterr(c, "the server never connected");
		return -1;
	}
	fd = accept4(d->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		ftpc_seterr(c, "accept: %s", strerror(errno));
		return -1;
	}
	d->io.fd = fd;
	close(d->lfd);
	d->lfd = -1;
	return 0;
}

/* Control readable first (a reply) or the server's connection first. */
static int which_first(struct ftpc *c, struct ftpc_data *d, long long dl)
{
	struct pollfd p[2];
	long long left;
	int n;

	if (c->inlen > 0)
		return 0;
	for (;;) {
		left = dl - ftpc_now_ms();
		if (left <= 0 || (c->cancel != NULL && *c->cancel)) {
			ftpc_seterr(c, "no reply and no connection");
			return -1;
		}
		p[0].fd = c->io.fd;
		p[1].fd = d->lfd;
		p[0].events = p[1].events = POLLIN;
		p[0].revents = p[1].revents = 0;
		n = poll(p, 2, left > 1000 ? 1000 : (int)left);
		if (n < 0 && errno != EINTR) {
			ftpc_seterr(c, "poll: %s", strerror(errno));
			return -1;
		}
		if (n > 0)
			return p[0].revents != 0 ? 0 : 1;
	}
}

int ftpc_data_start(struct ftpc *c, struct ftpc_data *d, const char *fmt,
		    ...)
{
	long long dl;
	char cmd[4096];
	va_list ap;
	int code, n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd)) {
		ftpc_seterr(c, "command too long");
		return -1;
	}
	if (d->io.fd < 0 && d->lfd < 0) {
		ftpc_seterr(c, "no data connection was set up");
		return -1;
	}
	if (ftpc_sendf(c, "%s", cmd) != 0)
		return -1;
	dl = ftpc_deadline(c);
	if (d->lfd >= 0) {
		n = which_first(c, d, dl);
		if (n < 0)
			return -1;
		if (n == 1 && accept_data(c, d, dl) != 0)
			return -1;
	}
	code = ftpc_reply(c);
	if (code < 100 || code >= 200)
		return code;
	d->end = ftpc_now_ms() + FTPC_XFER_MAX_MS;
	if (d->io.fd < 0 && accept_data(c, d, dl) != 0)
		return -1;
	if (d->protect && ftpc_tls_handshake(c, &d->io, 1, dl) != 0)
		return -1;
	return code;
}

/* Each wait is bounded, and so is the whole stream: a server that
 * trickles bytes forever still ends. */
static long long data_deadline(const struct ftpc *c, const struct ftpc_data *d)
{
	long long dl = ftpc_deadline(c);

	return d->end > 0 && d->end < dl ? d->end : dl;
}

ssize_t ftpc_data_read(struct ftpc *c, struct ftpc_data *d, void *buf,
		       size_t len)
{
	return ftpc_io_read(c, &d->io, buf, len, data_deadline(c, d));
}

int ftpc_data_write(struct ftpc *c, struct ftpc_data *d, const void *buf,
		    size_t len)
{
	d->wrote = 1;
	return ftpc_io_write(c, &d->io, buf, len, data_deadline(c, d));
}

/*
 * After an upload, wait for the server to close its side: closing with
 * unread bytes (a TLS ticket, say) would send a reset, and the server
 * could take the upload for a failed one.
 */
static void drain(struct ftpc *c, struct ftpc_data *d)
{
	long long deadline = ftpc_deadline(c);
	char buf[4096];
	int i;

	for (i = 0; i < 1024; i++)
		if (ftpc_io_read(c, &d->io, buf, sizeof(buf), deadline) <= 0)
			break;
}

int ftpc_data_finish(struct ftpc *c, struct ftpc_data *d)
{
	int code, i;

	if (d->wrote && d->io.fd >= 0) {
		if (ftpc_io_shutdown(c, &d->io, ftpc_deadline(c)) == 0)
			drain(c, d);
	} else if (d->io.tls != NULL) {
		/* Our close_notify after the server's, as TLS wants. */
		(void)ftpc_tls_shutdown(c, &d->io, ftpc_deadline(c));
	}
	ftpc_data_close(d);
	/* A server may send more than one preliminary reply. */
	for (i = 0; i < 4; i++) {
		code = ftpc_reply(c);
		if (code < 100 || code >= 200)
			return code;
	}
	return code;
}

static int read_all(struct ftpc *c, struct ftpc_data *d, struct ftpc_buf *out,
		    size_t limit, struct ftpc_xfer *x)
{
	char buf[XFER_CHUNK];
	ssize_t n;

	for (;;) {
		n = ftpc_data_read(c, d, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n < 0)
			return -1;
		x->bytes += (size_t)n;
		if (out->len + (size_t)n > limit) {
			ftpc_seterr(c, "more than %zu bytes of data", limit);
			return -1;
		}
		if (ftpc_buf_add(out, buf, (size_t)n) != 0) {
			ftpc_seterr(c, "out of memory");
			return -1;
		}
	}
}

static int vstart(struct ftpc *c, struct ftpc_data *d, enum ftpc_dmode mode,
		  struct ftpc_xfer *x, const char *fmt, va_list ap)
{
	char cmd[4096];
	int n;

	memset(x, 0, sizeof(*x));
	x->final = -1;
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	if (n < 0 || (size_t)n >= sizeof(cmd)) {
		ftpc_seterr(c, "command too long");
		return -1;
	}
	d->rcvbuf = 0;
	d->defer = 0;
	if (ftpc_data_prepare(c, d, mode) != 0) {
		x->final = c->reply.code > 0 ? c->reply.code : -1;
		return -1;
	}
	n = ftpc_data_start(c, d, "%s", cmd);
	if (n >= 100 && n < 200) {
		x->prelim = n;
		return 0;
	}
	ftpc_data_close(d);
	x->final = n;
	return -1;
}

int ftpc_get(struct ftpc *c, enum ftpc_dmode mode, struct ftpc_buf *out,
	     size_t limit, struct ftpc_xfer *x, const char *fmt, ...)
{
	struct ftpc_data d;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vstart(c, &d, mode, x, fmt, ap);
	va_end(ap);
	if (r != 0)
		return x->final;
	if (read_all(c, &d, out, limit, x) != 0)
		x->data_error = 1;
	ftpc_note(c, "data: received %zu bytes over %s%s", x->bytes,
		  mode_names[mode], x->data_error ? " (stream failed)" : "");
	x->final = ftpc_data_finish(c, &d);
	return x->final;
}

int ftpc_put(struct ftpc *c, enum ftpc_dmode mode, const void *data,
	     size_t len, struct ftpc_xfer *x, const char *fmt, ...)
{
	const char *p = data;
	struct ftpc_data d;
	size_t n;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vstart(c, &d, mode, x, fmt, ap);
	va_end(ap);
	if (r != 0)
		return x->final;
	while (x->bytes < len) {
		n = len - x->bytes > XFER_CHUNK ? XFER_CHUNK : len - x->bytes;
		if (ftpc_data_write(c, &d, p + x->bytes, n) != 0) {
			x->data_error = 1;
			break;
		}
		x->bytes += n;
	}
	d.wrote = 1;
	ftpc_note(c, "data: sent %zu bytes over %s%s", x->bytes,
		  mode_names[mode], x->data_error ? " (stream failed)" : "");
	x->final = ftpc_data_finish(c, &d);
	return x->final;
}
