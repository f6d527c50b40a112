/*
 * Syscall wrappers: the server's own (core/io.h is header-only and knows
 * no protocol, so sharing it hides no bug the bench should find), and the
 * one the server has no use for.
 */
#ifndef BENCH_IO_H
#define BENCH_IO_H

#include "core/io.h"

#include <sys/types.h>
#include <sys/wait.h>

static inline pid_t io_waitpid(pid_t pid, int *status)
{
	pid_t r;

	do
		r = waitpid(pid, status, 0);
	while (r < 0 && errno == EINTR);
	return r;
}

#endif
