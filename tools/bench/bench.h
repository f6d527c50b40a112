/*
 * cellftp-bench: the load generator's shared types.  One process, one
 * thread, one epoll loop drives every session; a scenario sets sessions
 * going, runs the loop, and leaves its numbers in the result.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "loop.h"

#define BENCH_IOBUF	(256 * 1024)	/* one read or write per wake-up */
#define BENCH_MAXPIDS	16
#define BENCH_METRICS	40
#define MIB		(1024.0 * 1024.0)	/* bytes over this: MiB */

struct bench_opts {
	const char *scenario;
	const char *host, *port, *user, *pass;
	const char *label;		/* the server's name in the output */
	const char *file;		/* retr, mixed: path on the server */
	const char *dir;		/* small, list: folder on the server */
	const char *local_file;		/* sendfile: path on this machine */
	const char *json;		/* write the result here */
	unsigned sessions;		/* idle, mixed: sessions held */
	unsigned concurrency;		/* logins, small: sessions at work */
	unsigned ramp;			/* logins in flight while ramping */
	unsigned streams;		/* retr, stor, mixed: transfers */
	unsigned files;			/* small: names f00000.. cycled */
	unsigned long count;		/* most operations (or rounds) */
	uint64_t size;			/* stor: bytes per stream */
	double duration;		/* logins, small, mixed: seconds */
	double limit;			/* hard bound on the whole run */
	double hold;			/* idle: seconds held after measuring */
	double noop_rate;		/* mixed: NOOPs per second in total */
	pid_t pids[BENCH_MAXPIDS];	/* server processes (and children) */
	unsigned npids;
	int epsv;			/* EPSV instead of PASV */
	int progress;			/* draw the progress line */
};

struct metric {
	const char *key;		/* JSON name */
	const char *label;		/* table wording */
	const char *unit;
	double v;
};

struct result {
	struct metric m[BENCH_METRICS];
	unsigned n;
	int complete;			/* every bounded loop ran to its end */
	char note[200];
};

struct bench {
	struct bench_opts o;
	struct loop loop;
	struct sockaddr_storage addr;	/* the server's control address */
	socklen_t addrlen;
	char *iobuf;			/* shared: reads land, writes come from */
	long long t_start, t_limit;	/* ns: when the run began, hard end */
	uint64_t rx_bytes;		/* data received, all sessions */
	unsigned long errors;
	char firsterr[200];
	struct result res;
};

/* Count an error; the first one is kept in words. */
void bench_err(struct bench *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Add a number to the result (key and label are static strings). */
void bench_metric(struct bench *b, const char *key, const char *label,
		  double v, const char *unit);
/* Seconds between two loop times (ns). */
double bench_secs(long long from, long long to);
/* The hard end of the run, or now + secs if that comes first. */
long long bench_until(const struct bench *b, double secs);

/* Run the loop for secs (sessions keep being served), or to the end. */
void bench_pause(struct bench *b, double secs);
/* Begin a phase before starting its work: its callbacks find st in
 * b->loop.arg, show draws its progress (may be NULL), no tick, and the
 * loop runs until a callback stops it or deadline (a loop time: the
 * run's hard end b->t_limit, or bench_until for a shorter phase). */
void bench_phase(struct bench *b, void *st, loop_show_fn show,
		 long long deadline);
/* Run the phase (unless starting it already stopped it), then forget it:
 * st may go out of scope. */
void bench_phase_run(struct bench *b);

/* Scenarios: 0 measured (maybe partly), -1 could not run. */
int scen_idle(struct bench *b);
int scen_logins(struct bench *b);
int scen_retr(struct bench *b);
int scen_stor(struct bench *b);
int scen_small(struct bench *b);
int scen_list(struct bench *b);
int scen_mixed(struct bench *b);
int scen_sendfile(struct bench *b);

#endif
