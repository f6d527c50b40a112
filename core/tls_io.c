/*
 * Non-blocking TLS glue (see tls_io.h): every SSL call's WANT_READ or
 * WANT_WRITE becomes the epoll event the caller must wait for; nothing
 * here ever waits itself.
 */
#include "tls_io.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>

#include <openssl/err.h>

struct tls_conn *tls_conn_new(SSL_CTX *ctx, int fd, const void *sid_ctx,
			      unsigned sid_len)
{
	struct tls_conn *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->ssl = SSL_new(ctx);
	if (t->ssl == NULL || SSL_set_fd(t->ssl, fd) != 1 ||
	    SSL_set_session_id_context(t->ssl, sid_ctx, sid_len) != 1) {
		SSL_free(t->ssl);
		free(t);
		ERR_clear_error();
		return NULL;
	}
	SSL_set_accept_state(t->ssl);
	return t;
}

/* Map an SSL result: 0 waiting (*want set), -1 failed, errno set. */
static int tls_wait(struct tls_conn *t, int r, uint32_t *want)
{
	switch (SSL_get_error(t->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		*want = EPOLLIN;
		errno = EAGAIN;
		return 0;
	case SSL_ERROR_WANT_WRITE:
		*want = EPOLLOUT;
		errno = EAGAIN;
		return 0;
	default:
		*want = 0;
		errno = EIO;
		return -1;
	}
}

int tls_conn_handshake(struct tls_conn *t, const char **why)
{
	int r;

	*why = NULL;
	if (t->done)
		return 1;
	ERR_clear_error();
	r = SSL_do_handshake(t->ssl);
	if (r == 1) {
		t->done = 1;
		t->rd_want = 0;
		return 1;
	}
	if (tls_wait(t, r, &t->rd_want) == 0)
		return 0;
	*why = ERR_peek_last_error() ?
	       ERR_reason_error_string(ERR_peek_last_error()) : NULL;
	if (*why == NULL)
		*why = "connection closed during the handshake";
	ERR_clear_error();
	return -1;
}

ssize_t tls_conn_read(struct tls_conn *t, void *buf, size_t len)
{
	const char *why;
	size_t n = 0;
	int r, h;

	h = tls_conn_handshake(t, &why);
	if (h <= 0)
		return -1;	/* errno: EAGAIN or EIO */
	ERR_clear_error();
	r = SSL_read_ex(t->ssl, buf, len, &n);
	if (r == 1) {
		t->rd_want = 0;
		return (ssize_t)n;
	}
	if (SSL_get_error(t->ssl, r) == SSL_ERROR_ZERO_RETURN) {
		t->rd_want = 0;
		return 0;
	}
	(void)tls_wait(t, r, &t->rd_want);
	ERR_clear_error();
	return -1;
}

ssize_t tls_conn_write(struct tls_conn *t, const void *buf, size_t len)
{
	const char *why;
	size_t n = 0;
	int r, h;

	h = tls_conn_handshake(t, &why);
	if (h <= 0) {
		/* a write waits for what the handshake waits for */
		t->wr_want = t->rd_want;
		return -1;
	}
	ERR_clear_error();
	r = SSL_write_ex(t->ssl, buf, len, &n);
	if (r == 1) {
		t->wr_want = 0;
		return (ssize_t)n;
	}
	(void)tls_wait(t, r, &t->wr_want);
	ERR_clear_error();
	return -1;
}

int tls_conn_pending(const struct tls_conn *t)
{
	return SSL_pending(t->ssl) > 0;
}

uint32_t tls_conn_events(const struct tls_conn *t)
{
	return t->rd_want | t->wr_want;
}

void tls_conn_free(struct tls_conn *t)
{
	if (t == NULL)
		return;
	/* one try: a client that does not read loses its close_notify */
	if (t->done)
		(void)SSL_shutdown(t->ssl);
	ERR_clear_error();
	SSL_free(t->ssl);
	free(t);
}
