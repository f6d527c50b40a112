/*
 * A fake daemon to drive the real plugins in unit tests: config entries
 * that are key/value lists, the host API answering from them, and a loader
 * that dlopens a plugin built under $CELLFTPD_BUILD_ROOT.
 */
#ifndef CELLFTPD_TESTS_FAKEHOST_H
#define CELLFTPD_TESTS_FAKEHOST_H

#include <stddef.h>

#include "modules/module.h"

/*
 * A module's config entry: key, value, key, value, ..., NULL.  The value
 * "<int>" stands for a setting of the wrong type (a number where a string
 * is wanted).  The entry itself is on line 1 of "test.conf"; its keys are
 * on line 10 + their pair index, or all on one line (fh_set_key_line).
 */
struct cf_config {
	const char *kv[32];
};

/* Put every key of every entry on `line`; 0 goes back to 10 + index. */
void fh_set_key_line(int line);

/* What host->server_root says until the next plug_open: "/nonexistent". */
void fh_set_root(const char *dir);

/* Every host->log message since the last plug_open, one a line. */
const char *fh_logged(void);

/* The latest host->log message alone, without a newline. */
const char *fh_last_logged(void);

struct plug {
	void *dl;
	const struct cf_module *m;
	void *st;		/* the instance, NULL until plug_init */
};

/*
 * dlopen a built plugin (rel is its path under the build root) and start
 * the fake host afresh.  plug_open fails the test when the plugin is not
 * there; plug_try_open returns 0 instead, for a test that skips.
 */
void plug_open(struct plug *p, const char *rel);
int plug_try_open(struct plug *p, const char *rel);

/* The module's init against the fake host; its result, err filled. */
int plug_init(struct plug *p, const struct cf_config *c, char *err,
	      size_t errlen);

/* fini the instance if there is one, and dlclose. */
void plug_close(struct plug *p);

/*
 * One event to a log plugin's instance as the core's logger thread
 * delivers it: a batch of one (event, then flush if it has one).
 */
void plug_log_event(struct plug *p, const struct cf_log_event *ev);

#define EV_T0 1795493178	/* Tue 2026-11-24T04:06:18Z */

/*
 * An event as a session sends it: at EV_T0 + .123456789 s, session 12,
 * client 127.0.0.1:51234, the rest zero.
 */
struct cf_log_event ev_at(enum cf_event_type type, const char *login);

#endif
