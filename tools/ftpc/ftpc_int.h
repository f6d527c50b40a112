/*
 * ftpc internals shared by its files: deadlines, the byte-stream layer
 * (plain socket or TLS) and error recording.  Not for the tools.
 */
#ifndef FTPC_FTPC_INT_H
#define FTPC_FTPC_INT_H

#include "ftpc.h"

long long ftpc_deadline(const struct ftpc *c);
void ftpc_seterr(struct ftpc *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ftpc_trace(struct ftpc *c, enum ftpc_dir dir, const char *line,
		size_t len);

/* Wait for events on fd until the deadline: 1 ready, 0 timeout, -1. */
int ftpc_wait(struct ftpc *c, int fd, short events, long long deadline);
/* A non-blocking socket connected to sa within the deadline, or -1. */
int ftpc_connect_fd(struct ftpc *c, const struct sockaddr *sa,
		    socklen_t len, int rcvbuf, long long deadline);

/* Read some bytes: >0, 0 at end of stream, -1 on error or timeout. */
ssize_t ftpc_io_read(struct ftpc *c, struct ftpc_io *io, void *buf,
		     size_t len, long long deadline);
int ftpc_io_write(struct ftpc *c, struct ftpc_io *io, const void *buf,
		  size_t len, long long deadline);
/* End our direction cleanly (TLS close_notify, then FIN). */
int ftpc_io_shutdown(struct ftpc *c, struct ftpc_io *io, long long deadline);
void ftpc_io_close(struct ftpc_io *io);

/* TLS pieces (ftpc_tls.c). */
ssize_t ftpc_tls_read(struct ftpc *c, struct ftpc_io *io, void *buf,
		      size_t len, long long deadline);
int ftpc_tls_write(struct ftpc *c, struct ftpc_io *io, const void *buf,
		   size_t len, long long deadline);
int ftpc_tls_shutdown(struct ftpc *c, struct ftpc_io *io,
		      long long deadline);
/* Client handshake on io, resuming the control session if asked. */
int ftpc_tls_handshake(struct ftpc *c, struct ftpc_io *io, int resume,
		       long long deadline);
void ftpc_tls_free(struct ftpc_io *io);
void ftpc_tls_release(struct ftpc *c);

#endif
