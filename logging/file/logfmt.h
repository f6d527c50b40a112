/*
 * Log line formatting shared by the log plugins (log_file, log_syslog):
 * key=value text, JSON objects and wu-ftpd xferlog lines, built into a
 * caller's fixed buffer, with command arguments masked on the way.
 */
#ifndef LOGGING_LOGFMT_H
#define LOGGING_LOGFMT_H

#include <stddef.h>

#include "modules/module.h"

/* A line being built in a fixed buffer; `cut` once something did not fit. */
struct lfmt_line {
	char *p;
	size_t len, cap;
	size_t value_max;	/* bytes of one value before "..." */
	int cut;
};

enum lfmt_style {
	LFMT_TEXT,	/* time, then key=value pairs */
	LFMT_JSON,	/* one JSON object */
	LFMT_SYSLOG	/* key=value pairs without the time (syslog has it) */
};

/* Written instead of a password. */
#define LFMT_MASK "********"

void lfmt_init(struct lfmt_line *l, char *buf, size_t cap, size_t value_max);

/*
 * Copy an event a sender may have built against an older, shorter struct
 * (ev->size): the fields it did not know stay zero.
 */
void lfmt_event_copy(struct cf_log_event *dst, const struct cf_log_event *src);

/* "CONNECT", "LOGIN_FAIL"...; "EVENT" for a type this build does not know. */
const char *lfmt_type_name(enum cf_event_type t);

/* RETR, STOR, APPE, STOU: a transfer of one file (not a listing). */
int lfmt_is_file_xfer(const char *action);

/*
 * The argument of a command as it may be logged: PASS and ACCT hide it
 * whole; SITE REGISTER / USERADD keep the subcommand and the login, SITE
 * PASSWD (and any SITE subcommand whose name contains PASS) only the
 * subcommand.  Returns arg itself, or buf holding the masked form.
 */
const char *lfmt_mask_arg(const char *verb, const char *arg, char *buf,
			  size_t buflen);

/*
 * One event as a line, without the line end.  On overflow the line is
 * rebuilt as a short one marked truncated, so it is always well formed.
 */
void lfmt_event(struct lfmt_line *l, enum lfmt_style style,
		const struct cf_log_event *ev);

/*
 * One transfer as a 14-field wu-ftpd xferlog line, without the line end:
 * time (UTC, ctime layout), seconds, client address, bytes, virtual path
 * (spaces as '_', control bytes and invalid UTF-8 as '?'), a|b, '_', o|i,
 * 'r', login, "ftp", '0', '*', c|i.
 */
void lfmt_xferlog(struct lfmt_line *l, const struct cf_log_event *ev);

#endif
