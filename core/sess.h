/*
 * A session: one control connection and everything it owns (cell, data
 * channel, transfer).  It belongs to exactly one worker and is touched by
 * that worker's thread only; pool jobs carry copies, never the session.
 */
#ifndef CORE_SESS_H
#define CORE_SESS_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "buf.h"
#include "modules/module.h"
#include "pool.h"
#include "proto.h"
#include "vfs/vcell.h"
#include "worker.h"

struct xfer;
struct tls_conn;

enum sess_state {
	SS_CMD,		/* reading commands */
	SS_BUSY,	/* a pool job is running for this session */
	SS_DELAY,	/* failed-login delay: a timer, not a sleeping thread */
	SS_XFER,	/* a data transfer runs; ABOR STAT NOOP QUIT still answered */
	SS_CLOSING	/* flushing the last reply, then closed */
};

enum data_mode { DM_NONE, DM_PASV, DM_PORT };

struct sess {
	struct ev ctl;			/* the control connection */
	struct worker *w;
	struct sess *prev, *next;	/* w->sessions */
	struct sess *dead_next;		/* reap list */
	uint64_t id;
	struct sockaddr_storage peer, local;
	char peer_text[INET6_ADDRSTRLEN];
	uint16_t peer_port;
	time_t connected;		/* wall clock, for WHO */
	uint64_t connected_ms;		/* monotonic, for durations */
	uint64_t last_cmd_ms;

	enum sess_state state;
	struct tmr timer;		/* idle / login / delay / data / linger */
	struct proto_lines lines;
	struct buf in;			/* unprocessed input while not reading */
	struct buf out;			/* reply bytes the socket did not take */
	char *deferred;			/* a command that arrived during a transfer */

	unsigned logged_in : 1;
	unsigned ascii : 1;
	unsigned epsv_all : 1;
	unsigned quitting : 1;
	unsigned dead : 1;		/* closed; freed once no job refers to it */
	unsigned reading : 1;		/* EPOLLIN wanted */
	unsigned drain_close : 1;	/* close after the running transfer */
	unsigned tls_start : 1;		/* 234 queued: TLS once it is sent */
	unsigned implicit_tls : 1;	/* greet after the handshake */
	unsigned pbsz : 1;		/* PBSZ 0 seen */
	unsigned prot_p : 1;		/* PROT P: data connections use TLS */
	unsigned cork : 1;		/* replies wait for sess_uncork */
	int jobs;			/* pool jobs in flight */
	int failed_logins;

	char *user;			/* USER argument awaiting PASS */
	char *login;			/* after login */
	int is_admin;
	size_t provider;		/* the auth module that logged it in */
	uint64_t quota_bytes;		/* the login's limits: SITE QUOTA */
	uint64_t quota_files;		/* changes them while logged in */
	struct vfs_cell cell;		/* the cell; none before login */
	struct cell_entry *cell_ref;	/* holds cell.fd, shared per login */
	char *cwd;			/* virtual path */
	char *rnfr;			/* pending rename source */
	uint64_t rest;			/* REST offset for the next transfer */
	unsigned facts_off;		/* MLST facts turned off by OPTS MLST */

	enum data_mode dmode;
	struct ev dlisten;		/* PASV/EPSV listener, kept a while */
	struct tmr dlisten_keep;	/* closes it when no PASV reuses it */
	uint16_t pasv_port;		/* its port */
	struct ev dconn;		/* the data connection */
	struct sockaddr_storage port_addr;
	socklen_t port_len;
	struct xfer *xfer;

	struct tls_conn *tls;		/* control TLS; NULL until AUTH */
	struct tls_conn *dtls;		/* data TLS of the running transfer */

	uint64_t bytes_in, bytes_out;
	const char *cmd_name;		/* current command, for STAT/WHO */
};

/* Listener callback: accept and greet new sessions. */
void sess_accept_ev(struct ev *ev, uint32_t events);

/* Free sessions closed during the last batch (called by the worker loop). */
void sess_reap(struct worker *w);

/* No live or dying session left on w (a draining worker may stop). */
int sess_none_left(const struct worker *w);

/* Replies: text may contain '\n' for a multi-line reply. */
void sess_reply(struct sess *s, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sess_reply_text(struct sess *s, int code, const char *text);

/*
 * Hold replies in s->out until sess_uncork: a transfer that ends at once
 * sends its 150 and 226 in one segment (one wake-up of the client).
 */
void sess_cork(struct sess *s);
void sess_uncork(struct sess *s);

/* Close now (after trying to flush what is queued). */
void sess_close(struct sess *s, const char *why);
/* Send a final reply (421, 221) and close once it is written. */
void sess_finish(struct sess *s, int code, const char *text);

/*
 * Run j on the blocking pool while the session waits (SS_BUSY) and reads
 * no command; done runs on its worker, starts with s->jobs--, and then
 * finds s->dead set if the session was closed meanwhile.
 */
void sess_submit(struct sess *s, struct job *j, void (*run)(struct job *),
		 void (*done)(struct job *));

/* Back to reading commands after BUSY/DELAY/XFER; runs queued input. */
void sess_resume(struct sess *s);
/* A transfer starts: keep reading (ABOR, STAT...), data_timeout applies. */
void sess_set_xfer(struct sess *s);

/* Enter a waiting state: stop reading commands. */
void sess_wait(struct sess *s, enum sess_state st);

/* Arm the session timer for the current state. */
void sess_timer_state(struct sess *s);

/* Log helpers: a FILE event for a path operation, any event in general. */
void sess_log_file(struct sess *s, const char *action, const char *vpath,
		   const char *vpath2, int result);
void sess_log_event(struct sess *s, struct cf_log_event *ev);

/* Drop everything the login gave (logout / re-login / close). */
void sess_logout(struct sess *s);

/* Shutdown: greet with 421 and close, or close after the transfer. */
void sess_drain(struct sess *s);

#endif
