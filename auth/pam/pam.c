/*
 * The PAM transaction of one login, in a child of the privileged helper:
 * pam_authenticate then pam_acct_mgmt, with a conversation that answers
 * the password prompt and nothing else, and PAM's failure delay taken
 * over so no process sleeps through it (the core serves it as a timer).
 */
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/pam/ap.h"

struct ap_talk {
	const char *password;
	int asked;		/* password prompts answered */
	unsigned delay_us;	/* what PAM wanted to sleep */
	char note[AP_WHY_MAX];	/* the first error message, for the log */
};

static void ap_free_resp(struct pam_response *r, int n)
{
	for (int i = 0; i < n; i++) {
		if (r[i].resp != NULL) {
			explicit_bzero(r[i].resp, strlen(r[i].resp));
			free(r[i].resp);
		}
	}
	free(r);
}

static int ap_conv(int n, const struct pam_message **msg,
		   struct pam_response **resp, void *arg)
{
	struct ap_talk *t = arg;
	struct pam_response *r;

	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	r = calloc((size_t)n, sizeof(*r));
	if (r == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
			/* one password: a second prompt (OTP, new password)
			 * has no answer over FTP */
			if (t->asked++ > 0)
				goto fail;
			r[i].resp = strdup(t->password);
			if (r[i].resp == NULL)
				goto fail;
			break;
		case PAM_ERROR_MSG:
			if (t->note[0] == '\0' && msg[i]->msg != NULL)
				snprintf(t->note, sizeof(t->note), "%s",
					 msg[i]->msg);
			break;
		case PAM_TEXT_INFO:
			break;
		default:	/* PAM_PROMPT_ECHO_ON: a question we cannot answer */
			goto fail;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
fail:
	ap_free_resp(r, n);
	return PAM_CONV_ERR;
}

static void ap_fail_delay(int status, unsigned usec, void *arg)
{
	struct ap_talk *t = arg;

	(void)status;
	t->delay_us = usec;
}

/* PAM's answer as a provider's: unknown users go down the chain. */
static int ap_result(pam_handle_t *h, int rc, const char *step,
		     const struct ap_talk *t, char *why, size_t whylen)
{
	switch (rc) {
	case PAM_SUCCESS:
		return CF_OK;
	case PAM_USER_UNKNOWN:
		snprintf(why, whylen, "unknown to PAM");
		return CF_DECLINED;
	case PAM_NEW_AUTHTOK_REQD:
		snprintf(why, whylen, "%s: password expired: it must be changed "
			 "first", step);
		return CF_DENIED;
	case PAM_AUTHINFO_UNAVAIL:
	case PAM_SYSTEM_ERR:
	case PAM_BUF_ERR:
	case PAM_ABORT:
		snprintf(why, whylen, "%s: %s", step, pam_strerror(h, rc));
		return CF_ERROR;
	default:
		snprintf(why, whylen, "%s: %s%s%s", step, pam_strerror(h, rc),
			 t->note[0] ? ": " : "", t->note);
		return CF_DENIED;
	}
}

int ap_pam_check(const struct ap_conf *c, const char *login,
		 const char *password, const char *rhost,
		 uint32_t *delay_ms, char *why, size_t whylen)
{
	struct ap_talk t = { .password = password };
	struct pam_conv conv = { ap_conv, &t };
	union { void (*fn)(int, unsigned, void *); const void *p; } delay;
	pam_handle_t *h = NULL;
	int rc, res;

	*delay_ms = 0;
	rc = pam_start(c->service, login, &conv, &h);
	if (rc != PAM_SUCCESS) {
		snprintf(why, whylen, "pam_start: %s", pam_strerror(h, rc));
		return CF_ERROR;
	}
	delay.fn = ap_fail_delay;
	if ((rc = pam_set_item(h, PAM_FAIL_DELAY, delay.p)) != PAM_SUCCESS ||
	    (rc = pam_set_item(h, PAM_RHOST, rhost)) != PAM_SUCCESS ||
	    (rc = pam_set_item(h, PAM_TTY, "ftp")) != PAM_SUCCESS) {
		res = ap_result(h, rc, "pam_set_item", &t, why, whylen);
		goto out;
	}
	rc = pam_authenticate(h, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
	res = ap_result(h, rc, "authentication", &t, why, whylen);
	if (res == CF_OK) {
		rc = pam_acct_mgmt(h, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
		res = ap_result(h, rc, "account", &t, why, whylen);
		/* known to authenticate, so "unknown" here is a refusal */
		if (res == CF_DECLINED)
			res = CF_DENIED;
	}
out:
	*delay_ms = t.delay_us / 1000;
	pam_end(h, rc);
	return res;
}
