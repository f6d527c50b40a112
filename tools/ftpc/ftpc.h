/*
 * ftpc: a small blocking FTP client for the tools (cellftp-check,
 * cellftp-bench).  It shares no code with the server on purpose, so a bug
 * in one cannot hide the same bug in the other.  Every wait is bounded by
 * a per-call timeout; every reply is parsed strictly and its flaws kept.
 */
#ifndef FTPC_FTPC_H
#define FTPC_FTPC_H

#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#define FTPC_TIMEOUT_MS		10000	/* default for every single wait */
#define FTPC_XFER_MAX_MS	300000	/* most one data stream may last */
#define FTPC_REPLY_MAX		(256 * 1024)	/* longest reply kept */
#define FTPC_REPLY_LINES	4096	/* most lines in one reply */

/* Ways a reply broke RFC 959 section 4.2 framing (sticky bits). */
enum {
	FTPC_FLAW_BARE_LF	= 1 << 0,	/* line ended by LF, not CRLF */
	FTPC_FLAW_NOCODE	= 1 << 1,	/* first line has no 3-digit code */
	FTPC_FLAW_MULTILINE	= 1 << 2,	/* bad multi-line continuation */
	FTPC_FLAW_TOOLONG	= 1 << 3,	/* over FTPC_REPLY_MAX, cut */
};

/* Which way a traced line went. */
enum ftpc_dir { FTPC_SENT = '>', FTPC_RECV = '<', FTPC_NOTE = '#' };

typedef void (*ftpc_trace_fn)(void *arg, enum ftpc_dir dir,
			      const char *line, size_t len);

/* Growable byte buffer for replies and transfers. */
struct ftpc_buf {
	char *p;
	size_t len, cap;
};

int ftpc_buf_add(struct ftpc_buf *b, const void *data, size_t len);
void ftpc_buf_free(struct ftpc_buf *b);

struct ftpc_tls;

/* One byte stream (control or data): a socket, maybe wrapped in TLS. */
struct ftpc_io {
	int fd;
	struct ftpc_tls *tls;
};

struct ftpc_reply {
	int code;		/* 100..599, or 0 before any reply */
	unsigned nlines;
	struct ftpc_buf text;	/* lines joined by '\n', no CR, NUL-ended */
};

struct ftpc {
	struct ftpc_io io;
	struct sockaddr_storage peer, local;
	socklen_t peerlen, locallen;
	int timeout_ms;
	int eof;		/* the server closed the control connection */
	unsigned flaws;		/* FTPC_FLAW_* seen so far */
	char flaw[160];		/* the first flaw, in words */
	char err[256];		/* why the last call failed */
	struct ftpc_reply reply;	/* the last reply read */
	char in[16384];		/* received, not yet parsed */
	size_t inlen;
	ftpc_trace_fn trace;
	void *trace_arg;
	volatile sig_atomic_t *cancel;	/* non-zero: stop waiting */
	void *tls_ctx;		/* the TLS context, after AUTH TLS */
	void *tls_session;	/* control session, reused on data */
	char prot;		/* 'P' after PROT P: data in TLS too */
};

/* Milliseconds on the monotonic clock, for callers' own deadlines. */
long long ftpc_now_ms(void);

void ftpc_init(struct ftpc *c);
/* Connect to host:port; family AF_UNSPEC, AF_INET or AF_INET6. */
int ftpc_connect(struct ftpc *c, const char *host, const char *port,
		 int family);
int ftpc_connect_sa(struct ftpc *c, const struct sockaddr *sa,
		    socklen_t len);
/* Close without QUIT; the ftpc can be connected again. */
void ftpc_close(struct ftpc *c);

/* Read one complete reply: its code, or -1 (c->err says why). */
int ftpc_reply(struct ftpc *c);
/* Send "fmt...\r\n"; the traced copy of PASS hides the password. */
int ftpc_sendf(struct ftpc *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Send bytes exactly as given (no CRLF added). */
int ftpc_send_raw(struct ftpc *c, const void *buf, size_t len);
/* Send one byte as TCP urgent data (the Telnet Synch), plain only. */
int ftpc_send_urgent(struct ftpc *c, unsigned char byte);
/* RFC 959 4.1.3: Telnet IP, the Synch (IAC, DM as urgent data), then
 * cmd, in one TCP segment; under TLS the Telnet bytes go inline. */
int ftpc_send_interrupt(struct ftpc *c, const char *cmd);
/* Send a command and read its reply: the code, or -1. */
int ftpc_cmd(struct ftpc *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* USER, then PASS if asked: 230 (or 202) on success, else the code. */
int ftpc_login(struct ftpc *c, const char *user, const char *pass);
/* QUIT, wait for the reply and the close, then close. */
int ftpc_quit(struct ftpc *c);
/* Wait up to ms for the server to close: 1 closed (or broken), 0 not. */
int ftpc_wait_eof(struct ftpc *c, int ms);
/* Bytes the server sent unasked within ms (0 none, -1 error). */
int ftpc_pending(struct ftpc *c, int ms);

/* First line of the last reply (without the code) and the whole text. */
const char *ftpc_text(const struct ftpc *c);
void ftpc_note(struct ftpc *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- parsers and formatters (ftpc_parse.c) ---- */

/* "227 ... (h1,h2,h3,h4,p1,p2)": address and port, host byte order. */
int ftpc_parse_227(const char *text, struct sockaddr_storage *ss);
/* "229 ... (|||port|)": the port. */
int ftpc_parse_229(const char *text, unsigned *port);
/* The first quoted name of a 257 reply, "" undoubled. */
int ftpc_parse_257(const char *text, char *out, size_t outlen);
/* "150 FILE: name" (RFC 1123 4.1.2.9): the name. */
int ftpc_parse_stou(const char *text, char *out, size_t outlen);
int ftpc_fmt_port(char *buf, size_t len, const struct sockaddr *sa);
int ftpc_fmt_eprt(char *buf, size_t len, const struct sockaddr *sa);
/* Numeric host of an address ("127.0.0.1", "::1"). */
int ftpc_addr_str(const struct sockaddr *sa, char *buf, size_t len);
unsigned ftpc_addr_port(const struct sockaddr *sa);
int ftpc_addr_same_host(const struct sockaddr *a, const struct sockaddr *b);

/* One MLSx entry "fact=value;fact=value; name", split in place. */
#define FTPC_MLSX_FACTS	16
struct ftpc_mlsx {
	unsigned nfacts;
	char *fact[FTPC_MLSX_FACTS];	/* lower-cased names */
	char *value[FTPC_MLSX_FACTS];
	char *name;
};

int ftpc_parse_mlsx(char *line, struct ftpc_mlsx *m);
const char *ftpc_mlsx_fact(const struct ftpc_mlsx *m, const char *fact);
/* RFC 3659 time-val "YYYYMMDDHHMMSS[.sss]" to seconds since the epoch. */
int ftpc_parse_time(const char *s, long long *secs);

/* ---- data connections (ftpc_data.c) ---- */

enum ftpc_dmode { FTPC_PASV, FTPC_EPSV, FTPC_PORT, FTPC_EPRT };

struct ftpc_data {
	struct ftpc_io io;	/* the data stream, once open */
	int lfd;		/* listening socket (PORT / EPRT) */
	enum ftpc_dmode mode;
	int protect;		/* wrap in TLS (PROT P) */
	int rcvbuf;		/* SO_RCVBUF to ask for, 0 = default */
	int wrote;		/* we sent data: end it cleanly */
	int defer;		/* PASV/EPSV: connect later, by hand */
	long long end;		/* the stream's own deadline (monotonic ms) */
	struct sockaddr_storage addr;	/* where the data goes */
	socklen_t addrlen;
};

const char *ftpc_dmode_name(enum ftpc_dmode mode);
/* PASV/EPSV (and connect, unless d->defer) or PORT/EPRT (and listen):
 * 0, or -1 with the refusing reply in c->reply (c->reply.code > 0).
 * Only d->rcvbuf and d->defer are read; the rest is set. */
int ftpc_data_prepare(struct ftpc *c, struct ftpc_data *d,
		      enum ftpc_dmode mode);
/* Connect a deferred passive data connection (d->defer set). */
int ftpc_data_connect(struct ftpc *c, struct ftpc_data *d);
/* Send the transfer command, wait for 1xx and the connection: the 1xx
 * code, a final code when the server refused, or -1. */
int ftpc_data_start(struct ftpc *c, struct ftpc_data *d, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));
ssize_t ftpc_data_read(struct ftpc *c, struct ftpc_data *d, void *buf,
		       size_t len);
int ftpc_data_write(struct ftpc *c, struct ftpc_data *d, const void *buf,
		    size_t len);
/* Close the data stream (cleanly) and read the final reply: its code. */
int ftpc_data_finish(struct ftpc *c, struct ftpc_data *d);
void ftpc_data_close(struct ftpc_data *d);

/* Whole transfers.  Results: final code (or -1), bytes moved. */
struct ftpc_xfer {
	int prelim;		/* the 1xx reply, 0 if none */
	int final;		/* the closing reply, -1 on I/O failure */
	size_t bytes;
	int data_error;		/* the data stream failed */
};

int ftpc_get(struct ftpc *c, enum ftpc_dmode mode, struct ftpc_buf *out,
	     size_t limit, struct ftpc_xfer *x, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
int ftpc_put(struct ftpc *c, enum ftpc_dmode mode, const void *data,
	     size_t len, struct ftpc_xfer *x, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* ---- TLS (ftpc_tls.c; stubs without OpenSSL) ---- */

int ftpc_tls_available(void);
/* AUTH TLS and the handshake: 0, or -1 (c->reply holds a refusal). */
int ftpc_auth_tls(struct ftpc *c);
/* PBSZ 0 and PROT P (or C): 0, or -1 with the refusing reply. */
int ftpc_prot(struct ftpc *c, char level);
/* Whether the control connection is protected. */
int ftpc_is_tls(const struct ftpc *c);
/* Our close_notify on a protected control connection (after 221). */
int ftpc_tls_close(struct ftpc *c);

#endif
