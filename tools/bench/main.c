/*
 * cellftp-bench: the command line, the descriptor limit, and the run of
 * one scenario.  Exit status: 0 measured without an error, 1 measured
 * with errors or cut short, 2 could not run.
 */
#include "bench.h"
#include "opts.h"
#include "report.h"
#include "tsig.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define EXIT_ERRORS	1
#define EXIT_NOTRUN	2
#define FD_SPARE	64

struct scenario {
	const char *name;
	int (*run)(struct bench *b);
	unsigned long count;	/* default --count */
	int needs_server;	/* 0: a baseline without FTP */
};

static const struct scenario scenarios[] = {
	{ "idle", scen_idle, 0, 1 },
	{ "logins", scen_logins, 100000, 1 },
	{ "retr", scen_retr, 1, 1 },
	{ "stor", scen_stor, 1, 1 },
	{ "small", scen_small, 10000000, 1 },
	{ "list", scen_list, 10, 1 },
	{ "mixed", scen_mixed, 10000000, 1 },
	{ "sendfile", scen_sendfile, 3, 0 },
};

static int resolve(struct bench *b)
{
	struct addrinfo hints, *ai;
	int r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	r = getaddrinfo(b->o.host, b->o.port, &hints, &ai);
	if (r != 0) {
		fprintf(stderr, "cellftp-bench: %s:%s: %s\n", b->o.host,
			b->o.port, gai_strerror(r));
		return -1;
	}
	memcpy(&b->addr, ai->ai_addr, ai->ai_addrlen);
	b->addrlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

/* Descriptors for every session and data connection, plus spares. */
static int raise_nofile(const struct bench_opts *o)
{
	rlim_t need = (rlim_t)o->sessions + o->streams * 2 +
		o->concurrency * 2 + FD_SPARE;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		perror("cellftp-bench: getrlimit");
		return -1;
	}
	if (rl.rlim_cur >= need)
		return 0;
	rl.rlim_cur = need;
	if (rl.rlim_max < need)
		rl.rlim_max = need;	/* allowed as root */
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
		return 0;
	fprintf(stderr, "cellftp-bench: needs %llu descriptors and may not "
		"raise its limit: run `ulimit -n %llu` first\n",
		(unsigned long long)need, (unsigned long long)need);
	return -1;
}

static int prepare(struct bench *b, const struct scenario *sc)
{
	volatile sig_atomic_t *cancel;

	if (sc->needs_server) {
		if (b->o.user == NULL || b->o.pass == NULL) {
			fprintf(stderr, "cellftp-bench: give -u and -P (or "
				"CELLFTP_BENCH_PASSWORD)\n");
			return -1;
		}
		if (resolve(b) != 0)
			return -1;
	}
	if (b->o.count == 0)
		b->o.count = sc->count ? sc->count : 1;
	/* SIGINT/SIGTERM set the flag (tools/common/tsig.c owns it). */
	cancel = tsig_catch();
	if (cancel == NULL) {
		perror("cellftp-bench: sigaction");
		return -1;
	}
	if (raise_nofile(&b->o) != 0)
		return -1;
	b->iobuf = malloc(BENCH_IOBUF);
	if (b->iobuf == NULL || loop_init(&b->loop, b->o.progress) != 0) {
		perror("cellftp-bench");
		return -1;
	}
	memset(b->iobuf, 'x', BENCH_IOBUF);
	b->loop.cancel = cancel;
	return 0;
}

static int run(struct bench *b, const struct scenario *sc)
{
	double elapsed;
	int r;

	b->t_start = loop_clock();
	b->t_limit = b->t_start + (long long)(b->o.limit * 1e9);
	r = sc->run(b);
	elapsed = bench_secs(b->t_start, loop_clock());
	loop_clear(&b->loop);
	if (r != 0)
		return EXIT_NOTRUN;
	if (*b->loop.cancel) {
		b->res.complete = 0;
		snprintf(b->res.note, sizeof(b->res.note), "interrupted");
	}
	report_table(b, sc->needs_server, elapsed);
	if (b->o.json != NULL && report_json(b, elapsed, b->o.json) != 0) {
		fprintf(stderr, "cellftp-bench: %s: %s\n", b->o.json,
			strerror(errno));
		return EXIT_NOTRUN;
	}
	return b->res.complete && b->errors == 0 ? 0 : EXIT_ERRORS;
}

int main(int argc, char **argv)
{
	static struct bench b;
	const struct scenario *sc = NULL;
	size_t i;
	int r;

	r = opts_parse(&b.o, argc, argv);
	if (r != 0)
		return r > 0 ? 0 : EXIT_NOTRUN;
	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (strcmp(scenarios[i].name, b.o.scenario) == 0)
			sc = &scenarios[i];
	if (sc == NULL) {
		fprintf(stderr, "cellftp-bench: no scenario \"%s\"\n",
			b.o.scenario);
		opts_usage(stderr);
		return EXIT_NOTRUN;
	}
	b.loop.epfd = -1;	/* loop_fini must not close fd 0 */
	if (prepare(&b, sc) != 0)
		r = EXIT_NOTRUN;
	else
		r = run(&b, sc);
	loop_fini(&b.loop);
	free(b.iobuf);
	return r;
}
