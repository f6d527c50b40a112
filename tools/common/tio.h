/*
 * EINTR loops for the tools' few blocking syscalls: tsig installs its
 * handlers without SA_RESTART, so a signal ends a blocked call early.
 * Header-only, and no server code (core/io.h stays the server's).
 */
#ifndef TOOLS_TIO_H
#define TOOLS_TIO_H

#include <errno.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static inline int tio_accept(int lfd, int flags)
{
	int fd;

	do
		fd = accept4(lfd, NULL, NULL, flags);
	while (fd < 0 && errno == EINTR);
	return fd;
}

static inline ssize_t tio_read(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

static inline ssize_t tio_sendfile(int out, int in, off_t *off, size_t len)
{
	ssize_t n;

	do
		n = sendfile(out, in, off, len);
	while (n < 0 && errno == EINTR);
	return n;
}

static inline pid_t tio_waitpid(pid_t pid, int *status)
{
	pid_t r;

	do
		r = waitpid(pid, status, 0);
	while (r < 0 && errno == EINTR);
	return r;
}

#endif
