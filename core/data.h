/*
 * The data channel: passive listeners (PASV/EPSV) from the configured port
 * range, active connections (PORT/EPRT) only back to the client's own
 * address, all non-blocking on the session's worker.
 */
#ifndef CORE_DATA_H
#define CORE_DATA_H

#include <sys/socket.h>

struct sess;

/* A new session: no listener, no connection. */
void data_init(struct sess *s);

/*
 * Open a passive listener; on success *port is its port.  family_any: EPSV
 * (listen on the control connection's family); else PASV (IPv4 only).
 * Returns 0 or -errno (-EAFNOSUPPORT: PASV on a pure IPv6 connection).
 * The listener outlives its transfer by two seconds, so the next
 * PASV of a session fetching many files reuses it instead of a new
 * socket/bind/listen/close.
 */
int data_pasv(struct sess *s, int is_epsv, unsigned *port);

/* Remember an active-mode target after checking it (same host, port >= 1024). */
int data_port(struct sess *s, const struct sockaddr_storage *ss, socklen_t len);

/* A transfer wants its connection: accept or connect; xfer_ready() when up. */
int data_open(struct sess *s);

/*
 * A long download is about to start: send only full segments (TCP_CORK)
 * until the connection closes, which pushes the tail.
 */
void data_cork(struct sess *s);

/* A transfer is over: drop its connection (not the listener); DM_NONE. */
void data_end(struct sess *s);

/* Drop listener and connection; back to DM_NONE. */
void data_close(struct sess *s);

#endif
