/*
 * Non-blocking TLS over one socket (control or data connection): the
 * handshake, reads and writes never block, and a call that would wait
 * says which epoll event it waits for (SSL_ERROR_WANT_READ/WRITE).
 * Allocated only when a session asks for TLS.
 */
#ifndef CORE_TLS_IO_H
#define CORE_TLS_IO_H

#include <stdint.h>
#include <sys/types.h>

#include <openssl/ssl.h>

#include "io.h"

struct tls_conn {
	SSL *ssl;
	uint32_t rd_want;	/* EPOLLIN/EPOLLOUT a read (or handshake) awaits */
	uint32_t wr_want;	/* the same for a write */
	int done;		/* handshake finished */
};

/*
 * A server-side connection on fd from ctx; sid_ctx binds resumable
 * sessions to one control connection.  NULL when out of memory.
 */
struct tls_conn *tls_conn_new(SSL_CTX *ctx, int fd, const void *sid_ctx,
			      unsigned sid_len);

/* 1 done, 0 waiting (see rd_want), -1 failed (reason in *why). */
int tls_conn_handshake(struct tls_conn *t, const char **why);

/*
 * Like read(2) and send(2): bytes moved, 0 at the end (read), -1 with
 * errno EAGAIN (waiting: see rd_want/wr_want) or EIO.  The handshake runs
 * first if it has not finished.
 */
ssize_t tls_conn_read(struct tls_conn *t, void *buf, size_t len);
ssize_t tls_conn_write(struct tls_conn *t, const void *buf, size_t len);

/* A connection's I/O: through t when it has TLS, else the plain socket. */
static inline ssize_t tls_or_read(struct tls_conn *t, int fd, void *buf,
				  size_t len)
{
	return t != NULL ? tls_conn_read(t, buf, len) : io_read(fd, buf, len);
}

static inline ssize_t tls_or_send(struct tls_conn *t, int fd,
				  const void *buf, size_t len)
{
	return t != NULL ? tls_conn_write(t, buf, len) : io_send(fd, buf, len);
}

/* Decrypted bytes waiting inside OpenSSL (no epoll event will come). */
int tls_conn_pending(const struct tls_conn *t);

/* The epoll events pending calls wait for. */
uint32_t tls_conn_events(const struct tls_conn *t);

/* Send close_notify if the socket takes it now, then free. */
void tls_conn_free(struct tls_conn *t);

#endif
