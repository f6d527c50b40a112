/*
 * cellftp-check output: one "ok N - suite/name" line per check, WARNINGs
 * and the exchange under failures, the summary line, a progress line on
 * a terminal, TAP when asked, and a JUnit XML file when asked.
 */
#ifndef CHECK_REPORT_H
#define CHECK_REPORT_H

#include "check.h"

struct report_entry {
	const struct chk_def *def;
	enum chk_result result;
	double secs;
	char *detail;		/* WARNINGs (and exchange), or skip reason */
};

struct report {
	int tap, verbose, progress;
	unsigned total, done, passed, failed, skipped;
	struct report_entry *entries;
	double started;
};

int report_start(struct report *r, const struct chk_opts *o, unsigned total);
void report_progress(struct report *r, unsigned n, const struct chk_def *d);
void report_check(struct report *r, unsigned n, const struct chk *c,
		  enum chk_result res, double secs);
/* A note line ("# ..." under TAP). */
void report_note(struct report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A WARNING not tied to one check (cleanup). */
void report_warning(struct report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void report_end(struct report *r);
int report_junit(const struct report *r, const char *path);
void report_free(struct report *r);

#endif
