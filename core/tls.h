/*
 * TLS contexts (OpenSSL 3) for FTPS, RFC 4217: built from the `tls`
 * config group at start and at every SIGHUP, TLS 1.2 or newer, ALPN "ftp"
 * when the client offers ALPN.  A context is reference counted: sessions
 * keep the one they started with across a reload.
 */
#ifndef CORE_TLS_H
#define CORE_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

#include "cfg.h"

/*
 * A server context for c->tls (NULL ctx and 0 when TLS is not
 * configured).  -1 with "FILE:LINE: problem" in err: unreadable
 * certificate or key, a key that does not match, a bad PEM file.
 */
int tls_ctx_new(const struct cfg *c, SSL_CTX **out, char *err, size_t errlen);

/* "TLSv1.3 TLS_AES_256_GCM_SHA384": what a handshake agreed on. */
void tls_describe(SSL *ssl, char *out, size_t len);

#endif
