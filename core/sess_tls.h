/*
 * FTPS for a session (RFC 4217): AUTH TLS, PBSZ, PROT, the policy of
 * tls.require, the control connection's handshake and the data
 * connection's, which must resume the control's TLS session when
 * tls.require_session_reuse is on.
 */
#ifndef CORE_SESS_TLS_H
#define CORE_SESS_TLS_H

#include <stddef.h>

struct sess;

void cmd_auth_tls(struct sess *s, char *arg);
void cmd_pbsz(struct sess *s, char *arg);
void cmd_prot(struct sess *s, char *arg);

/* FEAT lines for TLS ("" when not configured). */
const char *sess_tls_feat(const struct sess *s);

/*
 * Policy: may this command run now?  0 yes; else the reply was sent.
 * secret: USER, PASS, SITE (may carry a password); data: a command that
 * opens a data connection.
 */
int sess_tls_allow(struct sess *s, int secret, int data);

/* Start TLS on the control connection (after the 234, or implicit). */
void sess_tls_begin(struct sess *s);

/*
 * Drive the control handshake: 1 done (reads may go on), 0 waiting,
 * -1 failed (the session is closed).
 */
int sess_tls_step(struct sess *s);

/* The data connection is up: handshake on it, then xfer_go(). */
void sess_tls_data_start(struct sess *s);

/* Drop the data connection's TLS (close_notify if it can go now). */
void sess_tls_data_close(struct sess *s);

/* Drop everything TLS at session close. */
void sess_tls_close(struct sess *s);

#endif
