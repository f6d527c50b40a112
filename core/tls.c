/*
 * TLS contexts (see tls.h): certificate and key loading with errors that
 * name the config line, the protocol floor, the session cache data
 * connections resume from, and the ALPN check.
 */
#include "tls.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#define TLS_ALPN "ftp"
#define TLS_SESS_CACHE 20000	/* control sessions whose data may resume */

/* The last OpenSSL error as text, queue emptied. */
static const char *tls_err_text(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r != NULL ? r : "unknown TLS error";
}

/* The error at a tls.* key (or the group when the key is absent). */
#define tls_fail(c, key, err, errlen, ...)				\
	cfg_errorf((c), config_lookup(&(c)->lc, (key)) ?		\
		   config_lookup(&(c)->lc, (key)) :			\
		   config_lookup(&(c)->lc, "tls"), (err), (errlen), __VA_ARGS__)

/* OpenSSL says "system lib" for a missing file: find the errno first. */
static int tls_readable(const struct cfg *c, const char *key,
			const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return tls_fail(c, key, err, errlen, "%s: %s: %s", key, path,
				strerror(errno));
	fclose(f);
	return 0;
}

/*
 * A client that offers ALPN must offer "ftp" (RFC 7301: the
 * no_application_protocol alert); one that offers none is served.
 */
static int tls_alpn_cb(SSL *ssl, const unsigned char **out,
		       unsigned char *outlen, const unsigned char *in,
		       unsigned inlen, void *arg)
{
	static const unsigned char want[] = { 3, 'f', 't', 'p' };
	unsigned char *sel;

	(void)ssl;
	(void)arg;
	if (SSL_select_next_proto(&sel, outlen, want, sizeof(want), in,
				  inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

static void tls_ctx_setup(SSL_CTX *ctx)
{
	/* the peer's missing close_notify at the end of an upload is an
	 * end of file, as vsftpd takes it by default */
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
			    SSL_OP_CIPHER_SERVER_PREFERENCE |
			    SSL_OP_NO_COMPRESSION |
			    SSL_OP_IGNORE_UNEXPECTED_EOF);
	/* replies and transfer slices are resent from moving buffers;
	 * idle sessions give their record buffers back */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
			 SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	SSL_CTX_sess_set_cache_size(ctx, TLS_SESS_CACHE);
	SSL_CTX_set_alpn_select_cb(ctx, tls_alpn_cb, NULL);
}

int tls_ctx_new(const struct cfg *c, SSL_CTX **out, char *err, size_t errlen)
{
	const struct cfg_tls *t = &c->tls;
	SSL_CTX *ctx;

	*out = NULL;
	if (!t->enabled)
		return 0;
	if (tls_readable(c, "tls.certificate", t->certificate, err,
			 errlen) != 0 ||
	    tls_readable(c, strcmp(t->key, t->certificate) == 0 ?
			 "tls.certificate" :
			 "tls.key", t->key, err, errlen) != 0)
		return -1;
	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
		SSL_CTX_free(ctx);
		return tls_fail(c, "tls", err, errlen, "TLS: %s",
				tls_err_text());
	}
	tls_ctx_setup(ctx);
	if (SSL_CTX_use_certificate_chain_file(ctx, t->certificate) != 1) {
		tls_fail(c, "tls.certificate", err, errlen, "tls.certificate: "
			 "%s: %s", t->certificate, tls_err_text());
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, t->key, SSL_FILETYPE_PEM) != 1 &&
	    ERR_GET_REASON(ERR_peek_last_error()) != X509_R_KEY_VALUES_MISMATCH) {
		tls_fail(c, "tls.key", err, errlen, "tls.key: %s: %s", t->key,
			 tls_err_text());
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		tls_fail(c, "tls.key", err, errlen, "tls.key: %s does not "
			 "match tls.certificate %s", t->key, t->certificate);
		ERR_clear_error();
		goto fail;
	}
	*out = ctx;
	return 0;
fail:
	SSL_CTX_free(ctx);
	return -1;
}

void tls_describe(SSL *ssl, char *out, size_t len)
{
	snprintf(out, len, "%s %s", SSL_get_version(ssl),
		 SSL_get_cipher_name(ssl));
}
