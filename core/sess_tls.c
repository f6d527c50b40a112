/*
 * FTPS per session (see sess_tls.h).  TLS state is allocated at AUTH (or
 * at an implicit-FTPS accept) and never for a plain session, so plain FTP
 * pays nothing.  Reply codes follow RFC 4217 and what vsftpd answers.
 */
#include "sess_tls.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>

#include "cmd.h"
#include "data.h"
#include "sess.h"
#include "srv.h"
#include "tls.h"
#include "tls_io.h"
#include "xfer.h"

#define container_of(p, T, m) ((T *)(void *)((char *)(p) - offsetof(T, m)))

static int tls_on(const struct sess *s)
{
	return s->tls != NULL && s->tls->done;
}

const char *sess_tls_feat(const struct sess *s)
{
	return s->w->set->tls_ctx != NULL ? " AUTH TLS\n AUTH SSL\n PBSZ\n PROT\n"
					  : "";
}

/*
 * require = "login": USER, PASS and SITE (SITE REGISTER carries a
 * password) wait for AUTH TLS: 530, as RFC 4217 section 13 has a server
 * answer a login it will not take in clear (vsftpd does the same).
 * require = "all": a data connection without PROT P gets 521 (RFC 4217
 * section 9: "Data connection cannot be opened with this PROT setting").
 */
int sess_tls_allow(struct sess *s, int secret, int data)
{
	const struct settings *set = s->w->set;

	if (set->tls_ctx == NULL || set->tls_require == TLS_REQ_NONE)
		return 0;
	if (secret && !tls_on(s)) {
		sess_reply(s, 530, "Policy requires TLS: use AUTH TLS first.");
		return -1;
	}
	if (data && set->tls_require == TLS_REQ_ALL && !s->prot_p) {
		sess_reply(s, 521, "Data connection cannot be opened with "
			   "this PROT setting (PROT P required).");
		return -1;
	}
	return 0;
}

void cmd_auth_tls(struct sess *s, char *arg)
{
	if (s->w->set->tls_ctx == NULL) {
		sess_reply(s, 502, "TLS is not configured.");
		return;
	}
	if (strcasecmp(arg, "TLS") != 0 && strcasecmp(arg, "SSL") != 0 &&
	    strcasecmp(arg, "TLS-C") != 0) {
		sess_reply(s, 504, "Security mechanism not understood "
			   "(AUTH TLS).");
		return;
	}
	if (s->tls != NULL) {
		sess_reply(s, 503, "TLS is already in use.");
		return;
	}
	if (s->logged_in) {
		sess_reply(s, 503, "AUTH must come before login.");
		return;
	}
	s->tls_start = 1;	/* flush_out begins TLS once the 234 is sent */
	sess_reply(s, 234, "AUTH TLS successful.");
}

void cmd_pbsz(struct sess *s, char *arg)
{
	if (!tls_on(s)) {
		sess_reply(s, 503, "PBSZ needs AUTH TLS first.");
		return;
	}
	s->pbsz = 1;
	/* a stream protocol has no buffer size: always 0 (RFC 4217 8) */
	if (strcmp(arg, "0") != 0)
		sess_reply(s, 200, "PBSZ=0");
	else
		sess_reply(s, 200, "PBSZ 0 successful.");
}

void cmd_prot(struct sess *s, char *arg)
{
	if (!tls_on(s) || !s->pbsz) {
		sess_reply(s, 503, "PROT needs AUTH TLS and PBSZ first.");
		return;
	}
	if (strcasecmp(arg, "P") == 0) {
		s->prot_p = 1;
		sess_reply(s, 200, "Protection level set to Private.");
	} else if (strcasecmp(arg, "C") == 0) {
		if (s->w->set->tls_require == TLS_REQ_ALL) {
			sess_reply(s, 534, "Request denied for policy reasons "
				   "(PROT P required).");
			return;
		}
		s->prot_p = 0;
		sess_reply(s, 200, "Protection level set to Clear.");
	} else if (strcasecmp(arg, "S") == 0 || strcasecmp(arg, "E") == 0) {
		sess_reply(s, 536, "Requested PROT level not supported by "
			   "mechanism.");
	} else {
		sess_reply(s, 504, "Unknown protection level.");
	}
}

/* Control connection ---------------------------------------------------- */

void sess_tls_begin(struct sess *s)
{
	SSL_CTX *ctx = s->w->set->tls_ctx;

	s->tls_start = 0;
	if (ctx == NULL) {	/* implicit listener, TLS since reloaded away */
		sess_close(s, "TLS is not configured");
		return;
	}
	/* the session id binds resumed data connections to this control */
	s->tls = tls_conn_new(ctx, s->ctl.fd, &s->id, sizeof(s->id));
	if (s->tls == NULL)
		sess_close(s, "out of memory");
}

static void log_tls(struct sess *s)
{
	struct cf_log_event ev = { .type = CF_EV_CONNECT, .action = "TLS" };
	char text[128];

	tls_describe(s->tls->ssl, text, sizeof(text));
	ev.detail = text;
	sess_log_event(s, &ev);
}

int sess_tls_step(struct sess *s)
{
	const char *why;
	int r;

	if (s->tls->done)
		return 1;
	r = tls_conn_handshake(s->tls, &why);
	if (r < 0) {
		struct cf_log_event ev = { .type = CF_EV_REFUSED,
					   .action = "TLS", .detail = why };

		sess_log_event(s, &ev);
		sess_close(s, "TLS handshake failed");
		return -1;
	}
	if (r == 0)
		return 0;
	log_tls(s);
	if (s->implicit_tls) {
		s->pbsz = s->prot_p = 1;	/* implicit: data is private */
		sess_reply_text(s, 220, s->w->set->banner);
	}
	return 1;
}

/* Data connection ------------------------------------------------------ */

static void dtls_ev(struct ev *ev, uint32_t events)
{
	struct sess *s = container_of(ev, struct sess, dconn);
	const char *why;
	int r;

	(void)events;
	if (s->xfer == NULL || s->dtls == NULL)
		return;
	r = tls_conn_handshake(s->dtls, &why);
	if (r == 0) {
		if (wk_rewatch(s->w, &s->dconn, tls_conn_events(s->dtls)) != 0)
			xfer_fail(s, 425, "Cannot open data connection.");
		return;
	}
	if (r < 0) {
		xfer_fail(s, 425, "TLS handshake failed on the data "
			  "connection.");
		return;
	}
	/* what curl and FileZilla do, and vsftpd's require_ssl_reuse asks */
	if (s->w->set->tls_session_reuse && !SSL_session_reused(s->dtls->ssl)) {
		xfer_fail(s, 522, "SSL connection failed: session reuse "
			  "required.");
		return;
	}
	xfer_go(s);
}

void sess_tls_data_start(struct sess *s)
{
	SSL_CTX *ctx = SSL_get_SSL_CTX(s->tls->ssl);

	s->dtls = tls_conn_new(ctx, s->dconn.fd, &s->id, sizeof(s->id));
	if (s->dtls == NULL) {
		xfer_fail(s, 425, "Cannot open data connection.");
		return;
	}
	/* tickets go to the control connection; data resumes from those */
	SSL_set_num_tickets(s->dtls->ssl, 0);
	s->dconn.fn = dtls_ev;
	if (wk_watch(s->w, &s->dconn, EPOLLIN) != 0)
		xfer_fail(s, 425, "Cannot open data connection.");
}

void sess_tls_data_close(struct sess *s)
{
	tls_conn_free(s->dtls);
	s->dtls = NULL;
}

void sess_tls_close(struct sess *s)
{
	sess_tls_data_close(s);
	tls_conn_free(s->tls);
	s->tls = NULL;
}
