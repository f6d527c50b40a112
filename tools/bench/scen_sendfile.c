/*
 * Scenario sendfile: the raw baseline RETR can approach.  A forked child
 * sends --local-file down a loopback TCP connection with plain blocking
 * sendfile(2), no FTP at all; this process reads it with the same buffer
 * size as every download.  --count rounds; the best and the median count.
 */
#include "bench.h"
#include "stats.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SF_ROUNDS_MAX	100

/*
 * The only blocking calls of the bench: tsig installs its handlers
 * without SA_RESTART, so a signal ends them early, and they go again.
 */
static int sf_accept(int lfd, int flags)
{
	int fd;

	do
		fd = accept4(lfd, NULL, NULL, flags);
	while (fd < 0 && errno == EINTR);
	return fd;
}

static ssize_t sf_read(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

static ssize_t sf_sendfile(int out, int in, off_t *off, size_t len)
{
	ssize_t n;

	do
		n = sendfile(out, in, off, len);
	while (n < 0 && errno == EINTR);
	return n;
}

static pid_t sf_waitpid(pid_t pid, int *status)
{
	pid_t r;

	do
		r = waitpid(pid, status, 0);
	while (r < 0 && errno == EINTR);
	return r;
}

/* The child: accept one connection and send the whole file. */
static void sf_child(int lfd, int file, off_t size)
{
	off_t off = 0;
	ssize_t n;
	int c;

	/* Blocking, as the plainest server would have it. */
	c = sf_accept(lfd, SOCK_CLOEXEC);
	if (c < 0)
		_exit(1);
	while (off < size) {
		n = sf_sendfile(c, file, &off, (size_t)(size - off));
		if (n <= 0)
			_exit(1);
	}
	_exit(close(c) == 0 ? 0 : 1);
}

static int sf_listen(struct sockaddr_in *sa)
{
	socklen_t len = sizeof(*sa);
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)sa, sizeof(*sa)) != 0 ||
	    listen(fd, 1) != 0 ||
	    getsockname(fd, (struct sockaddr *)sa, &len) != 0) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

/* Read everything from fd: the bytes, or -1. */
static long long sf_drain(struct bench *b, int fd)
{
	long long total = 0;
	ssize_t n;

	for (;;) {
		n = sf_read(fd, b->iobuf, BENCH_IOBUF);
		if (n < 0)
			return -1;
		if (n == 0)
			return total;
		total += n;
	}
}

/* One round: seconds, or a negative number on failure. */
static double sf_round(struct bench *b, int file, off_t size)
{
	struct sockaddr_in sa;
	int lfd, fd, status;
	long long t0, got;
	pid_t pid;

	lfd = sf_listen(&sa);
	if (lfd < 0)
		return -1;
	pid = fork();
	if (pid == 0)
		sf_child(lfd, file, size);
	(void)close(lfd);
	if (pid < 0)
		return -1;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	t0 = loop_clock();
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		/* The child would wait in accept() for ever. */
		(void)kill(pid, SIGKILL);
		got = -1;
	} else {
		got = sf_drain(b, fd);
	}
	t0 = loop_clock() - t0;
	if (fd >= 0)
		(void)close(fd);
	if (sf_waitpid(pid, &status) < 0)
		return -1;
	if (got != (long long)size || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return -1;
	return t0 / 1e9;
}

int scen_sendfile(struct bench *b)
{
	double secs[SF_ROUNDS_MAX];
	unsigned i, n = 0, rounds;
	struct stat st;
	int file;

	if (b->o.local_file == NULL) {
		fprintf(stderr, "cellftp-bench: sendfile needs --local-file\n");
		return -1;
	}
	file = open(b->o.local_file, O_RDONLY | O_CLOEXEC);
	if (file < 0 || fstat(file, &st) != 0 || st.st_size == 0) {
		fprintf(stderr, "cellftp-bench: %s: %s\n", b->o.local_file,
			file < 0 ? strerror(errno) : "empty or unreadable");
		if (file >= 0)
			(void)close(file);
		return -1;
	}
	rounds = b->o.count < SF_ROUNDS_MAX ? (unsigned)b->o.count :
		SF_ROUNDS_MAX;
	for (i = 0; i < rounds && loop_clock() < b->t_limit &&
	     !*b->loop.cancel; i++) {
		secs[n] = sf_round(b, file, st.st_size);
		if (secs[n] > 0)
			n++;
		else
			bench_err(b, "round %u failed", i + 1);
	}
	(void)close(file);
	qsort(secs, n, sizeof(*secs), cmp_double);
	bench_metric(b, "mib", "file size", st.st_size / MIB, "MiB");
	bench_metric(b, "rounds", "rounds", n, "");
	bench_metric(b, "throughput_mib_s", "throughput, best round",
		     n ? st.st_size / MIB / secs[0] : 0, "MiB/s");
	bench_metric(b, "median_mib_s", "throughput, median round",
		     n ? st.st_size / MIB / secs[(n - 1) / 2] : 0, "MiB/s");
	b->res.complete = n == rounds;
	return 0;
}
