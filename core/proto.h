/*
 * Control-connection framing: bytes from the client become command lines.
 * Pure functions, no I/O, so they are unit-tested and fuzzed directly.
 */
#ifndef CORE_PROTO_H
#define CORE_PROTO_H

#include <stddef.h>

#define PROTO_LINE_MAX 4096	/* longer lines get one 500 and are dropped */

/*
 * Line assembler.  Feed it bytes; it strips Telnet IAC sequences (IAC IAC
 * is a literal 0xff, IAC WILL/WONT/DO/DONT x and other IAC x pairs are
 * removed, IAC SB ... IAC SE is removed, IAC before a byte below 240 --
 * an urgent DM taken out of band -- is dropped and the byte kept), accepts
 * CRLF or a bare LF as end of line, and hands back complete lines without
 * the line end.  A CR not followed by LF is a byte of the line.  A line
 * longer than PROTO_LINE_MAX is reported once as too long and its bytes up
 * to the next LF discarded.
 *
 * The assembler holds only the partial line, and allocates it only when a
 * line is split across reads, so an idle session owns no buffer.  Start
 * from a zeroed struct.
 */
struct proto_lines {
	char *part;		/* partial line, malloc'd on demand */
	size_t partlen;
	int iac;		/* 0, or the IAC state carried across reads */
	int overlong;		/* discarding until LF */
	int cr;			/* a CR was seen: line end if LF follows */
};

enum proto_status {
	PROTO_LINE = 1,		/* *line, *len set: one complete line */
	PROTO_TOOLONG = 2,	/* one over-long line was dropped */
	PROTO_NEED_MORE = 0,	/* everything consumed, no complete line */
	PROTO_NOMEM = -1
};

/*
 * Take bytes from in[*pos..inlen).  Returns as soon as one line is
 * complete (or one over-long line ends); call again with the same pos to
 * continue.  The returned line is NUL-terminated (a NUL inside it is kept:
 * *len tells), valid until the next call, and may point into `scratch`
 * (at least PROTO_LINE_MAX + 1 bytes).  PROTO_NOMEM: the partial line
 * could not be kept; the session cannot continue reliably.
 */
int proto_feed(struct proto_lines *pl, const char *in, size_t inlen,
	       size_t *pos, char *scratch, char **line, size_t *len);

void proto_lines_free(struct proto_lines *pl);

/*
 * Split "verb arg" in place: the verb is upper-cased, the argument starts
 * after exactly one space (RFC 959) but extra leading spaces are also
 * skipped; trailing CRs are not part of the argument, trailing spaces are
 * (file names may end in spaces).  *arg is NULL when there is none.
 * Returns -1 for an empty line or a verb longer than 8 characters or not
 * made of ASCII letters only.  The split stops at the first NUL, so check
 * the argument with proto_arg_clean() up to the line's full length.
 */
int proto_split(char *line, char **verb, char **arg);

/*
 * Is the argument free of bytes no path may contain (NUL, CR, LF)?
 * 1 clean (a NULL argument is clean), 0 not.
 */
int proto_arg_clean(const char *arg, size_t len);

#endif
