/*
 * AUTH TLS for ftpc (RFC 4217) over OpenSSL, when the build found it:
 * the control handshake, PBSZ/PROT, data handshakes that resume the
 * control session (servers may insist on it), all on non-blocking sockets
 * with the same deadlines as plain I/O.  Certificates are not verified:
 * the tools test a server's protocol, not its PKI.
 */
#include "ftpc_int.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#ifdef FTPC_HAVE_TLS

#include <openssl/err.h>
#include <openssl/ssl.h>

struct ftpc_tls {
	SSL *ssl;
};

int ftpc_tls_available(void)
{
	return 1;
}

/*
 * TLS 1.3 tickets arrive after a handshake, on the control connection and
 * on every resumed data connection, and a server may take each only once:
 * keep the newest, from whichever connection of the session it came.
 */
static int new_session(SSL *ssl, SSL_SESSION *sess)
{
	struct ftpc *c = SSL_get_app_data(ssl);

	if (c == NULL)
		return 0;
	if (c->tls_session != NULL)
		SSL_SESSION_free(c->tls_session);
	c->tls_session = sess;
	return 1;		/* we keep the reference */
}

static SSL_CTX *context(struct ftpc *c)
{
	SSL_CTX *ctx = c->tls_ctx;

	if (ctx != NULL)
		return ctx;
	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL)
		return NULL;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
	/* A peer closing TCP without close_notify ends the stream, as in
	 * OpenSSL 1.1; the checks judge such closes themselves. */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT |
				       SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(ctx, new_session);
	c->tls_ctx = ctx;
	return ctx;
}

static void tls_err(struct ftpc *c, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[160];

	if (e != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		ftpc_seterr(c, "%s: %s", what, buf);
	} else {
		ftpc_seterr(c, "%s: %s", what,
			    errno != 0 ? strerror(errno) : "connection closed");
	}
	ERR_clear_error();
}

/* After an SSL call returned r: 1 retry (waited), 0 clean end, -1. */
static int tls_wait(struct ftpc *c, struct ftpc_io *io, int r,
		    const char *what, long long deadline)
{
	int e = SSL_get_error(io->tls->ssl, r), w;

	switch (e) {
	case SSL_ERROR_WANT_READ:
		w = ftpc_wait(c, io->fd, POLLIN, deadline);
		return w > 0 ? 1 : -1;
	case SSL_ERROR_WANT_WRITE:
		w = ftpc_wait(c, io->fd, POLLOUT, deadline);
		return w > 0 ? 1 : -1;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_error() == 0 && (errno == 0 || errno == ECONNRESET))
			return 0;	/* EOF without close_notify */
		/* fall through */
	default:
		tls_err(c, what);
		return -1;
	}
}

int ftpc_tls_handshake(struct ftpc *c, struct ftpc_io *io, int resume,
		       long long deadline)
{
	SSL_CTX *ctx = context(c);
	int r, w;

	if (ctx == NULL) {
		tls_err(c, "TLS context");
		return -1;
	}
	io->tls = calloc(1, sizeof(*io->tls));
	if (io->tls == NULL) {
		ftpc_seterr(c, "out of memory");
		return -1;
	}
	io->tls->ssl = SSL_new(ctx);
	if (io->tls->ssl == NULL || SSL_set_fd(io->tls->ssl, io->fd) != 1)
		goto fail;
	if (resume && c->tls_session != NULL)
		SSL_set_session(io->tls->ssl, c->tls_session);
	SSL_set_app_data(io->tls->ssl, c);
	for (;;) {
		errno = 0;
		r = SSL_connect(io->tls->ssl);
		if (r == 1)
			break;
		w = tls_wait(c, io, r, "TLS handshake", deadline);
		if (w <= 0) {
			if (w == 0)
				ftpc_seterr(c, "TLS handshake: connection "
					    "closed");
			goto out;
		}
	}
	if (!resume && c->tls_session == NULL)
		c->tls_session = SSL_get1_session(io->tls->ssl);
	ftpc_note(c, "tls: %s %s%s", SSL_get_version(io->tls->ssl),
		  SSL_get_cipher_name(io->tls->ssl),
		  resume ? (SSL_session_reused(io->tls->ssl) ?
			    ", session resumed" : ", new session") : "");
	return 0;
fail:
	tls_err(c, "TLS setup");
out:
	ftpc_tls_free(io);
	return -1;
}

ssize_t ftpc_tls_read(struct ftpc *c, struct ftpc_io *io, void *buf,
		      size_t len, long long deadline)
{
	int r, w;

	for (;;) {
		errno = 0;
		r = SSL_read(io->tls->ssl, buf, len > 1 << 30 ? 1 << 30 :
			     (int)len);
		if (r > 0)
			return r;
		w = tls_wait(c, io, r, "TLS read", deadline);
		if (w <= 0)
			return w;
	}
}

int ftpc_tls_write(struct ftpc *c, struct ftpc_io *io, const void *buf,
		   size_t len, long long deadline)
{
	const char *p = buf;
	int r, w, n;

	while (len > 0) {
		n = len > 1 << 20 ? 1 << 20 : (int)len;
		errno = 0;
		r = SSL_write(io->tls->ssl, p, n);
		if (r > 0) {
			p += r;
			len -= (size_t)r;
			continue;
		}
		w = tls_wait(c, io, r, "TLS write", deadline);
		if (w <= 0) {
			if (w == 0)
				ftpc_seterr(c, "TLS write: connection closed");
			return -1;
		}
	}
	return 0;
}

int ftpc_tls_shutdown(struct ftpc *c, struct ftpc_io *io, long long deadline)
{
	int r, w, i;

	/* Send our close_notify; the peer's is not waited for. */
	for (i = 0; i < 8; i++) {
		errno = 0;
		r = SSL_shutdown(io->tls->ssl);
		if (r >= 0)
			return 0;
		w = tls_wait(c, io, r, "TLS shutdown", deadline);
		if (w <= 0)
			return w;
	}
	return -1;
}

void ftpc_tls_free(struct ftpc_io *io)
{
	if (io->tls == NULL)
		return;
	/* Freed without a full shutdown (an aborted transfer), OpenSSL
	 * would mark the shared session not resumable, and a server that
	 * wants data connections to resume it would refuse the next one. */
	if (io->tls->ssl != NULL) {
		SSL_set_shutdown(io->tls->ssl, SSL_SENT_SHUTDOWN |
				 SSL_RECEIVED_SHUTDOWN);
		SSL_free(io->tls->ssl);
	}
	free(io->tls);
	io->tls = NULL;
}

void ftpc_tls_release(struct ftpc *c)
{
	if (c->tls_session != NULL)
		SSL_SESSION_free(c->tls_session);
	if (c->tls_ctx != NULL)
		SSL_CTX_free(c->tls_ctx);
	c->tls_session = NULL;
	c->tls_ctx = NULL;
	c->prot = 0;
}

int ftpc_auth_tls(struct ftpc *c)
{
	int code = ftpc_cmd(c, "AUTH TLS");

	if (code != 234) {
		if (code > 0)
			ftpc_seterr(c, "AUTH TLS refused");
		return -1;
	}
	return ftpc_tls_handshake(c, &c->io, 0, ftpc_deadline(c));
}

#else /* !FTPC_HAVE_TLS */

int ftpc_tls_available(void)
{
	return 0;
}

int ftpc_tls_handshake(struct ftpc *c, struct ftpc_io *io, int resume,
		       long long deadline)
{
	(void)io;
	(void)resume;
	(void)deadline;
	ftpc_seterr(c, "this build has no TLS (OpenSSL not found)");
	return -1;
}

ssize_t ftpc_tls_read(struct ftpc *c, struct ftpc_io *io, void *buf,
		      size_t len, long long deadline)
{
	(void)io;
	(void)buf;
	(void)len;
	(void)deadline;
	ftpc_seterr(c, "no TLS");
	return -1;
}

int ftpc_tls_write(struct ftpc *c, struct ftpc_io *io, const void *buf,
		   size_t len, long long deadline)
{
	return (int)ftpc_tls_read(c, io, (void *)buf, len, deadline);
}

int ftpc_tls_shutdown(struct ftpc *c, struct ftpc_io *io, long long deadline)
{
	return (int)ftpc_tls_read(c, io, NULL, 0, deadline);
}

void ftpc_tls_free(struct ftpc_io *io)
{
	io->tls = NULL;
}

void ftpc_tls_release(struct ftpc *c)
{
	c->prot = 0;
}

int ftpc_auth_tls(struct ftpc *c)
{
	c->reply.code = 0;
	ftpc_seterr(c, "this build has no TLS (OpenSSL not found)");
	return -1;
}

#endif /* FTPC_HAVE_TLS */

int ftpc_is_tls(const struct ftpc *c)
{
	return c->io.tls != NULL;
}

int ftpc_tls_close(struct ftpc *c)
{
	if (c->io.tls == NULL)
		return 0;
	return ftpc_tls_shutdown(c, &c->io, ftpc_deadline(c));
}

int ftpc_prot(struct ftpc *c, char level)
{
	int code;

	if (!ftpc_is_tls(c)) {
		ftpc_seterr(c, "PROT needs AUTH TLS first");
		return -1;
	}
	code = ftpc_cmd(c, "PBSZ 0");
	if (code != 200)
		return -1;
	code = ftpc_cmd(c, "PROT %c", level);
	if (code != 200)
		return -1;
	c->prot = level;
	return 0;
}
