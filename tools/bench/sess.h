/*
 * One FTP session as a non-blocking state machine: connect and log in,
 * send a command and wait for its final reply, or run a transfer over a
 * passive data connection.  Each operation ends in exactly one callback
 * with the final reply code, or -1 when the session failed (it is then
 * closed and the error counted).
 */
#ifndef BENCH_SESS_H
#define BENCH_SESS_H

#include <stdint.h>

#include "bench.h"

#define SESS_INMAX	512
#define SESS_CMDMAX	300
#define SESS_TEXTMAX	128

struct sess;
typedef void (*sess_fn)(struct sess *s, int code);

enum sess_op { SESS_NONE, SESS_LOGIN, SESS_CMD, SESS_XFER };
/* XFER_LINES receives like XFER_RECV and counts the lines (listings). */
enum xfer_dir { XFER_RECV, XFER_LINES, XFER_SEND };

struct xfer {
	enum xfer_dir dir;
	int running;		/* PASV answered: data connecting or moving */
	int connected;		/* send: the connect completed */
	int final;		/* the closing reply, 0 before it */
	int data_done;		/* EOF read, or all sent and closed */
	uint64_t want;		/* send: bytes to send */
	uint64_t bytes;		/* moved so far */
	uint64_t lines;
	long long t_end;	/* both halves done */
	char cmd[SESS_CMDMAX];	/* sent once PASV is answered */
};

struct sess {
	struct ev ctl, dat;
	struct bench *b;
	unsigned id;
	enum sess_op op;
	int phase;
	unsigned gen;		/* bumped when closed or reopened */
	sess_fn fn;
	int mlcode;		/* inside a multi-line reply: its code */
	int dropping;		/* discarding an over-long line */
	unsigned inlen, outlen, outoff;
	long long t0;		/* the current operation began (ns) */
	struct xfer x;
	unsigned step;		/* free for the scenario */
	char in[SESS_INMAX];
	char out[SESS_CMDMAX];
	char text[SESS_TEXTMAX];	/* the last reply's final line */
};

/* n sessions, initialised (NULL when out of memory); the free closes
 * whatever is still open. */
struct sess *sess_array(struct bench *b, unsigned n);
void sess_array_free(struct sess *ss, unsigned n);
/* Connect, read the banner, USER and PASS: fn(s, 230) when logged in.
 * The start functions return 0, or -1 when nothing could be started
 * (counted as an error; fn is not called). */
int sess_open(struct sess *s, sess_fn fn);
int sess_cmd(struct sess *s, sess_fn fn, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* PASV (or EPSV), connect the data connection, send the command, move
 * the data: fn(s, final code) once both the reply and the data are done;
 * s->x holds the byte count and times. */
int sess_xfer(struct sess *s, enum xfer_dir dir, uint64_t want,
	      sess_fn fn, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Drop the session at once; no callback. */
void sess_close(struct sess *s);

static inline int sess_alive(const struct sess *s)
{
	return s->ctl.fd >= 0;
}

/* Inside the session layer (sess.c, xfer.c). */
/* A non-blocking socket connecting to sa: the fd, with *pending set while
 * the connect is in progress (EPOLLOUT says when it ends); -1 and errno
 * when it failed at once. */
int nb_connect(const struct sockaddr_storage *sa, socklen_t len,
	       int *pending);
/* How a non-blocking connect on fd ended: 0, or an errno value. */
int sock_error(int fd);
void sess_finish(struct sess *s, int code);
void sess_fail(struct sess *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int sess_send(struct sess *s, const char *line);
void xfer_reply(struct sess *s, int code);
void xfer_event(struct ev *ev, uint32_t revents);
void xfer_close(struct sess *s);

#endif
