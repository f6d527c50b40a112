/*
 * Suite "tls" (with --tls): AUTH TLS and the data-channel protection of
 * RFC 4217.  The handshake and a login over it, PBSZ before PROT, PROT P
 * and PROT C transfers.  Skipped without --tls or when FEAT does not
 * announce AUTH TLS.
 */
#include "check.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DATA_LEN	(100u * 1024 + 3)

static int tls_on(struct chk *c, enum chk_result *r)
{
	const char *auth = chk_feat_line(c->env, "AUTH");

	if (!c->env->opt->do_tls)
		*r = chk_skip(c, "--tls not given");
	else if (auth == NULL || strcasestr(auth, "TLS") == NULL)
		*r = chk_skip(c, "FEAT does not announce AUTH TLS");
	else
		return 0;
	return -1;
}

static enum chk_result auth_tls(struct chk *c)
{
	const struct chk_opts *o = c->env->opt;
	struct ftpc *f = c->ctl;
	enum chk_result r;

	if (tls_on(c, &r) != 0)
		return r;
	if (ftpc_auth_tls(f) != 0)
		return chk_fail(c, "234 and a TLS handshake, " RFC4217("4"),
				"AUTH TLS: %s (%s)", f->err, chk_said(f));
	if (chk_expect(c, f, "331 230", RFC959("5.4"), "USER %s", o->user) < 0)
		return CHK_FAIL;
	if (f->reply.code == 331 &&
	    chk_expect(c, f, "230", RFC959("5.4"), "PASS %s", o->pass) < 0)
		return CHK_FAIL;
	if (chk_expect(c, f, "257", RFC959("5.4"), "PWD") < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result pbsz_prot(struct chk *c)
{
	const struct chk_opts *o = c->env->opt;
	struct ftpc *f = c->ctl;
	enum chk_result r;

	if (tls_on(c, &r) != 0)
		return r;
	if (ftpc_auth_tls(f) != 0)
		return chk_fail(c, "234, " RFC4217("4"), "AUTH TLS: %s", f->err);
	if (ftpc_login(f, o->user, o->pass) / 100 != 2)
		return chk_fail(c, "230", "login over TLS: %s", chk_said(f));
	if (chk_expect(c, f, "200", RFC4217("8"), "PBSZ 0") < 0 ||
	    chk_expect(c, f, "200", RFC4217("9"), "PROT P") < 0 ||
	    chk_expect(c, f, "4xx 5xx", "a refusal of an unknown level, "
		       RFC4217("9"), "PROT Z") < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result transfer(struct chk *c, struct ftpc *f)
{
	struct ftpc_buf got = { 0 };
	enum chk_result r = CHK_FAIL;
	char *data = malloc(DATA_LEN);

	if (data == NULL)
		return chk_fail(c, "memory", "out of memory");
	chk_fill(data, DATA_LEN, 51);
	if (chk_put(c, f, "tls-blob", data, DATA_LEN) != 0 ||
	    chk_get(c, f, "tls-blob", &got) != 0)
		goto out;
	if (got.len != DATA_LEN || memcmp(got.p, data, DATA_LEN) != 0) {
		chk_fail(c, "the bytes sent", "the download gave %zu bytes, "
			 "different", got.len);
		goto out;
	}
	r = CHK_PASS;
out:
	free(data);
	ftpc_buf_free(&got);
	return r;
}

static enum chk_result prot_private(struct chk *c)
{
	enum chk_result r;

	if (tls_on(c, &r) != 0)
		return r;
	if (!ftpc_is_tls(c->ctl) || c->ctl->prot != 'P')
		return chk_fail(c, "a protected session", "the session is not "
				"under PROT P");
	return transfer(c, c->ctl);
}

static enum chk_result prot_clear(struct chk *c)
{
	struct ftpc *f = c->ctl;
	enum chk_result r;
	int code;

	if (tls_on(c, &r) != 0)
		return r;
	code = chk_expect(c, f, "200 534 536", RFC4217("9"), "PROT C");
	if (code < 0)
		return CHK_FAIL;
	if (code != 200)
		return chk_skip(c, "the server requires protected data (%d)",
				code);
	f->prot = 'C';
	return transfer(c, f);
}

const struct chk_def chk_tls_suite[] = {
	{ "tls", "auth_tls", CHK_RAW | CHK_NOTLS, auth_tls,
	  "AUTH TLS: 234, a handshake, then a login over it" },
	{ "tls", "pbsz_prot", CHK_RAW | CHK_NOTLS, pbsz_prot,
	  "PBSZ 0 and PROT P accepted, an unknown level refused" },
	{ "tls", "prot_private", 0, prot_private,
	  "a transfer with protected data (PROT P)" },
	{ "tls", "prot_clear", 0, prot_clear,
	  "PROT C: a transfer in clear, or a refusal by policy" },
	{ NULL, NULL, 0, NULL, NULL }
};
