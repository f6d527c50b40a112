/*
 * Transfers over the data connection, in bounded slices per wake-up so one
 * big file never starves the other sessions of its worker: RETR with
 * sendfile, binary STOR spliced through the worker's pipe (ASCII and TLS
 * through its scratch buffer), listings from memory, ASCII conversion
 * both ways.
 */
#ifndef CORE_XFER_H
#define CORE_XFER_H

#include <stdint.h>

#include "buf.h"
#include "upload.h"

struct sess;

enum xfer_kind { XK_RETR, XK_STOR, XK_LIST };

struct xfer {
	enum xfer_kind kind;
	int fd;			/* the file; -1 for listings */
	struct buf mem;		/* listing, or converted ASCII not yet sent */
	size_t mem_off;
	uint64_t pos;		/* file offset */
	uint64_t size;		/* RETR: bytes to send from pos */
	uint64_t bytes;		/* moved so far */
	int ascii;
	int cr_held;		/* ASCII STOR: a CR ended the last slice */
	int no_splice;		/* STOR: the file refused splice (EINVAL) */
	int pipe[2];		/* RETR of a large file: its own pipe, or -1 */
	size_t piped;		/* bytes in it, read from the file, not sent */
	int running;		/* data connection up */
	int closing;		/* STOR: waiting for the pool to close the file */
	uint64_t started_ms, progress_ms;
	char verb[8];
	char *vpath;
	struct upload up;	/* XK_STOR */
};

/* Take ownership of x (allocated by the caller), reply 150, open the data channel. */
void xfer_start(struct sess *s, struct xfer *x, const char *what);

/* The data connection is up: start moving bytes (after the TLS
 * handshake under PROT P). */
void xfer_ready(struct sess *s);

/* The data connection is up and secured if it must be: move bytes. */
void xfer_go(struct sess *s);

/* The data connection could not be made (425) or broke. */
void xfer_fail(struct sess *s, int code, const char *text);

/* ABOR / close: stop at once. reply = send "426 ... aborted" first. */
void xfer_abort(struct sess *s, int reply);

/* The session timer fired while transferring. */
void xfer_timer(struct sess *s);

/* One line for STAT during a transfer. */
void xfer_status(struct sess *s, struct buf *out);

void xfer_free(struct xfer *x);

#endif
