/*
 * Suite "auth": logging in.  The right password works, a wrong one or an
 * unknown user does not (and leaves the session logged out), PASS needs
 * USER first, a second login on one connection ends consistently, and the
 * password never comes back in a reply.
 */
#include "check.h"

#include <string.h>

static enum chk_result logged_out(struct chk *c, struct ftpc *f,
				  const char *after)
{
	int code = chk_cmd(c, f, "PWD");

	if (code < 0)
		return CHK_FAIL;
	if (code == 530)
		return CHK_PASS;
	return chk_fail(c, "530 (not logged in), " RFC959("5.4"),
			"after %s, PWD was answered %s", after, chk_said(f));
}

static enum chk_result good_login(struct chk *c)
{
	const struct chk_opts *o = c->env->opt;
	struct ftpc *f = c->ctl;
	int code;

	code = chk_expect(c, f, "331 230", RFC959("5.4"), "USER %s", o->user);
	if (code < 0)
		return CHK_FAIL;
	if (code == 331 && chk_expect(c, f, "230 202", RFC959("5.4"),
				      "PASS %s", o->pass) < 0)
		return CHK_FAIL;
	if (chk_expect(c, f, "257", RFC959("5.4"), "PWD") < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result bad_password(struct chk *c)
{
	const struct chk_opts *o = c->env->opt;
	struct ftpc *f = c->ctl;

	if (chk_expect(c, f, "331", RFC959("5.4"), "USER %s", o->user) < 0)
		return CHK_FAIL;
	if (chk_expect(c, f, "530", RFC959("5.4"), "PASS %s-wrong-%s",
		       o->pass, c->env->token) < 0)
		return CHK_FAIL;
	return logged_out(c, f, "a wrong password");
}

static enum chk_result unknown_user(struct chk *c)
{
	struct ftpc *f = c->ctl;
	int code;

	code = chk_expect(c, f, "331 530", RFC959("5.4"), "USER nobody-%s",
			  c->env->token);
	if (code < 0)
		return CHK_FAIL;
	if (code == 331 && chk_expect(c, f, "530", RFC959("5.4"),
				      "PASS x-%s", c->env->token) < 0)
		return CHK_FAIL;
	return logged_out(c, f, "a login as an unknown user");
}

static enum chk_result pass_without_user(struct chk *c)
{
	struct ftpc *f = c->ctl;

	if (chk_expect(c, f, "503 530", RFC959("5.4") " (503: bad sequence)",
		       "PASS %s", c->env->opt->pass) < 0)
		return CHK_FAIL;
	return logged_out(c, f, "PASS without USER");
}

static enum chk_result retry_after_failure(struct chk *c)
{
	const struct chk_opts *o = c->env->opt;
	struct ftpc *f = c->ctl;
	int code;

	if (chk_expect(c, f, "331", RFC959("5.4"), "USER %s", o->user) < 0 ||
	    chk_expect(c, f, "530", RFC959("5.4"), "PASS wrong-%s",
		       c->env->token) < 0)
		return CHK_FAIL;
	/* RFC 2577 4 lets a server hang up after failures: that is fine. */
	code = ftpc_cmd(f, "USER %s", o->user);
	if (code < 0 || code == 421)
		return chk_skip(c, "the server closed the session after one "
				"failed login (RFC 2577 section 4 allows it)");
	if (code != 331)
		return chk_fail(c, "331, " RFC959("5.4"), "USER after a failed "
				"login was answered %s", chk_said(f));
	if (chk_expect(c, f, "230 202", RFC959("5.4"), "PASS %s",
		       o->pass) < 0)
		return CHK_FAIL;
	if (chk_expect(c, f, "257", RFC959("5.4"), "PWD") < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result relogin(struct chk *c)
{
	const struct chk_opts *o = c->env->opt;
	struct ftpc *f = c->ctl;
	int code;

	/* RFC 959 4.1.1: servers may allow USER at any time.  Either it
	 * works, or it is refused and the old login stays in force. */
	code = chk_cmd(c, f, "USER %s", o->user);
	if (code < 0)
		return CHK_FAIL;
	if (code == 331 && chk_expect(c, f, "230 202", RFC959("4.1.1"),
				      "PASS %s", o->pass) < 0)
		return CHK_FAIL;
	if (code != 331 && code != 230 && code / 100 != 5)
		return chk_fail(c, "331, 230 or a refusal, " RFC959("4.1.1"),
				"USER while logged in was answered %s",
				chk_said(f));
	if (chk_expect(c, f, "257", RFC959("5.4") " (still logged in)",
		       "PWD") < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result no_password_echo(struct chk *c)
{
	const struct chk_opts *o = c->env->opt;
	struct ftpc *f = c->ctl;
	int code;

	if (strlen(o->pass) < 3)
		return chk_skip(c, "the password is too short to look for");
	code = chk_expect(c, f, "331 230", RFC959("5.4"), "USER %s", o->user);
	if (code < 0)
		return CHK_FAIL;
	if (code == 331 && chk_expect(c, f, "230 202", RFC959("5.4"),
				      "PASS %s", o->pass) < 0)
		return CHK_FAIL;
	if (strstr(ftpc_text(f), o->pass) != NULL)
		return chk_fail(c, "the password never echoed, " RFC2577("4"),
				"the reply to PASS contains the password");
	return CHK_PASS;
}

const struct chk_def chk_auth_suite[] = {
	{ "auth", "good_login", CHK_RAW, good_login,
	  "USER/PASS with the right password logs in (331, 230)" },
	{ "auth", "bad_password", CHK_RAW, bad_password,
	  "a wrong password gets 530 and stays logged out" },
	{ "auth", "unknown_user", CHK_RAW, unknown_user,
	  "an unknown user cannot log in" },
	{ "auth", "pass_without_user", CHK_RAW, pass_without_user,
	  "PASS without USER is refused (503)" },
	{ "auth", "retry_after_failure", CHK_RAW, retry_after_failure,
	  "after a failed login the right password still works" },
	{ "auth", "relogin", CHK_NODIR, relogin,
	  "USER while logged in re-logs in or is refused, consistently" },
	{ "auth", "no_password_echo", CHK_RAW, no_password_echo,
	  "the reply to PASS does not contain the password" },
	{ NULL, NULL, 0, NULL, NULL }
};
