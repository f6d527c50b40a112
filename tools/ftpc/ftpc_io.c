/*
 * The byte-stream layer under ftpc: non-blocking sockets driven by poll
 * with a deadline, so no wait is longer than the caller allowed, and the
 * switch between a plain socket and its TLS wrapper.
 */
#include "ftpc_int.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

long long ftpc_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long ftpc_deadline(const struct ftpc *c)
{
	return ftpc_now_ms() + (c->timeout_ms > 0 ? c->timeout_ms :
				FTPC_TIMEOUT_MS);
}

void ftpc_seterr(struct ftpc *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
}

void ftpc_trace(struct ftpc *c, enum ftpc_dir dir, const char *line,
		size_t len)
{
	if (c->trace != NULL)
		c->trace(c->trace_arg, dir, line, len);
}

int ftpc_wait(struct ftpc *c, int fd, short events, long long deadline)
{
	struct pollfd p;
	long long left;
	int n;

	for (;;) {
		if (c->cancel != NULL && *c->cancel) {
			ftpc_seterr(c, "interrupted");
			return -1;
		}
		left = deadline - ftpc_now_ms();
		if (left <= 0) {
			ftpc_seterr(c, "timed out");
			return 0;
		}
		p.fd = fd;
		p.events = events;
		p.revents = 0;
		n = poll(&p, 1, left > 1000 ? 1000 : (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ftpc_seterr(c, "poll: %s", strerror(errno));
			return -1;
		}
		if (n > 0)
			return 1;
	}
}

int ftpc_connect_fd(struct ftpc *c, const struct sockaddr *sa,
		    socklen_t len, int rcvbuf, long long deadline)
{
	int fd, err = 0, r;
	socklen_t elen = sizeof(err);

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    0);
	if (fd < 0) {
		ftpc_seterr(c, "socket: %s", strerror(errno));
		return -1;
	}
	/* A small receive window makes the server's sends block early. */
	if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				     sizeof(rcvbuf)) != 0)
		goto fail_errno;
	if (connect(fd, sa, len) == 0)
		return fd;
	if (errno != EINPROGRESS && errno != EINTR)
		goto fail_errno;
	r = ftpc_wait(c, fd, POLLOUT, deadline);
	if (r <= 0) {
		if (r == 0)
			ftpc_seterr(c, "connect: timed out");
		goto fail;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0)
		goto fail_errno;
	if (err != 0) {
		errno = err;
		goto fail_errno;
	}
	return fd;
fail_errno:
	ftpc_seterr(c, "connect: %s", strerror(errno));
fail:
	close(fd);
	return -1;
}

static ssize_t plain_read(struct ftpc *c, int fd, void *buf, size_t len,
			  long long deadline)
{
	ssize_t n;
	int r;

	for (;;) {
		n = recv(fd, buf, len, 0);
		if (n >= 0)
			return n;
		if (errno == ECONNRESET)
			return 0;	/* for us, a reset ends the stream */
		if (errno != EAGAIN && errno != EINTR) {
			ftpc_seterr(c, "recv: %s", strerror(errno));
			return -1;
		}
		r = ftpc_wait(c, fd, POLLIN, deadline);
		if (r <= 0)
			return -1;
	}
}

static int plain_write(struct ftpc *c, int fd, const void *buf, size_t len,
		       long long deadline)
{
	const char *p = buf;
	ssize_t n;
	int r;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			ftpc_seterr(c, "send: %s", strerror(errno));
			return -1;
		}
		r = ftpc_wait(c, fd, POLLOUT, deadline);
		if (r <= 0)
			return -1;
	}
	return 0;
}

ssize_t ftpc_io_read(struct ftpc *c, struct ftpc_io *io, void *buf,
		     size_t len, long long deadline)
{
	if (io->fd < 0) {
		ftpc_seterr(c, "not connected");
		return -1;
	}
	if (io->tls != NULL)
		return ftpc_tls_read(c, io, buf, len, deadline);
	return plain_read(c, io->fd, buf, len, deadline);
}

int ftpc_io_write(struct ftpc *c, struct ftpc_io *io, const void *buf,
		  size_t len, long long deadline)
{
	if (io->fd < 0) {
		ftpc_seterr(c, "not connected");
		return -1;
	}
	if (io->tls != NULL)
		return ftpc_tls_write(c, io, buf, len, deadline);
	return plain_write(c, io->fd, buf, len, deadline);
}

int ftpc_io_shutdown(struct ftpc *c, struct ftpc_io *io, long long deadline)
{
	int r = 0;

	if (io->fd < 0)
		return -1;
	if (io->tls != NULL)
		r = ftpc_tls_shutdown(c, io, deadline);
	if (shutdown(io->fd, SHUT_WR) != 0 && errno != ENOTCONN) {
		ftpc_seterr(c, "shutdown: %s", strerror(errno));
		r = -1;
	}
	return r;
}

void ftpc_io_close(struct ftpc_io *io)
{
	if (io->tls != NULL)
		ftpc_tls_free(io);
	if (io->fd >= 0)
		close(io->fd);
	io->fd = -1;
}

int ftpc_buf_add(struct ftpc_buf *b, const void *data, size_t len)
{
	size_t cap;
	char *p;

	if (len > ((size_t)-1) / 2 - b->len)
		return -1;
	if (b->len + len + 1 > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->len + len + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (p == NULL)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	if (len > 0)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

void ftpc_buf_free(struct ftpc_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

