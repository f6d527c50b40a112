/*
 * Thin syscall wrappers: the one place EINTR is retried.  Signals are
 * blocked in every thread (they arrive through signalfd), so EINTR is rare,
 * but a wrapper costs nothing and keeps call sites honest.
 */
#ifndef CORE_IO_H
#define CORE_IO_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

static inline ssize_t io_read(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

static inline ssize_t io_send(int fd, const void *buf, size_t len)
{
	ssize_t n;

	do
		n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	return n;
}

static inline ssize_t io_pread(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n;

	do
		n = pread(fd, buf, len, off);
	while (n < 0 && errno == EINTR);
	return n;
}

/* Write all of buf to a regular file; -1 with errno on a short write. */
static inline int io_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = ENOSPC;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static inline ssize_t io_sendfile(int out, int in, off_t *off, size_t len)
{
	ssize_t n;

	do
		n = sendfile(out, in, off, len);
	while (n < 0 && errno == EINTR);
	return n;
}

/* off: where to read in (a file), or NULL for a pipe or socket */
static inline ssize_t io_splice_at(int in, loff_t *off, int out, size_t len,
				   unsigned flags)
{
	ssize_t n;

	do
		n = splice(in, off, out, NULL, len, flags);
	while (n < 0 && errno == EINTR);
	return n;
}

static inline ssize_t io_splice(int in, int out, size_t len, unsigned flags)
{
	return io_splice_at(in, NULL, out, len, flags);
}

static inline int io_accept(int fd, struct sockaddr *sa, socklen_t *len)
{
	int c;

	do
		c = accept4(fd, sa, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	while (c < 0 && errno == EINTR);
	return c;
}

/* Wait up to ms for fd to be readable (or closed): 1, 0 on time out, -1. */
static inline int io_wait_in(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	do
		r = poll(&p, 1, ms);
	while (r < 0 && errno == EINTR);
	return r;
}

/* close(2) must not be retried on Linux: the fd is gone either way. */
static inline void io_close(int fd)
{
	if (fd >= 0)
		(void)close(fd);
}

#endif
