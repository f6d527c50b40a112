/*
 * Ramping up: log in many sessions with a bounded number of logins in
 * flight (a burst of connects would only overflow the server's accept
 * queue and measure SYN retries), then give each its setup commands.
 */
#ifndef BENCH_RAMP_H
#define BENCH_RAMP_H

#include "sess.h"
#include "stats.h"

struct ramp_result {
	unsigned ok;		/* logged in and set up */
	unsigned failed;
	double secs;
};

/* Log in ss[0..n) (conc at a time) and send each the commands of setup
 * (NULL-ended, may be NULL), running the loop until done or the run's
 * hard end.  Login latencies (connect to 230) go to lat when not NULL.
 * Sessions that failed are closed. */
void ramp_up(struct bench *b, struct sess *ss, unsigned n, unsigned conc,
	     const char *const *setup, struct samples *lat,
	     struct ramp_result *res);

#endif
