/*
 * Suite "session": the conversation itself.  Banner, reply framing, FEAT,
 * SYST, NOOP, HELP, STAT, the transfer parameters (TYPE, MODE, STRU),
 * case-insensitive verbs and QUIT, as RFC 959 and RFC 2389 define them.
 */
#include "check.h"

#include <string.h>

static enum chk_result banner(struct chk *c)
{
	struct ftpc *f = chk_connect(c);

	if (f == NULL)
		return CHK_FAIL;
	if (f->flaws != 0)
		return chk_fail(c, "\"220 text\" ended by CRLF, " RFC959("4.2"),
				"the banner is malformed: %s", f->flaw);
	return CHK_PASS;
}

static enum chk_result framing(struct chk *c)
{
	static const char *const cmds[] = { "SYST", "HELP", "STAT", "FEAT",
					    "NOOP", "PWD" };
	struct ftpc *f = c->ctl;
	unsigned i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (chk_cmd(c, f, "%s", cmds[i]) < 0)
			return CHK_FAIL;
		if (f->flaws != 0)
			return chk_fail(c, "every reply line ended by CRLF, "
					"multi-line replies as \"ddd-\" ... "
					"\"ddd text\", " RFC959("4.2"),
					"the reply to %s is malformed: %s",
					cmds[i], f->flaw);
	}
	return CHK_PASS;
}

static enum chk_result feat(struct chk *c)
{
	struct ftpc *f = c->ctl;
	const char *t, *nl, *last;
	int code;

	code = chk_cmd(c, f, "FEAT");
	if (code < 0)
		return CHK_FAIL;
	if (CHK_UNIMPLEMENTED(code))
		return chk_skip(c, "FEAT is not implemented (%d)", code);
	if (code != 211)
		return chk_fail(c, "211, " RFC2389("3.2"),
				"FEAT was answered %s", chk_said(f));
	t = ftpc_text(f);
	if (f->reply.nlines == 1)
		return CHK_PASS;	/* "211 no features" */
	last = strrchr(t, '\n');
	for (nl = strchr(t, '\n'); nl != NULL && nl < last;
	     nl = strchr(nl + 1, '\n')) {
		if (nl[1] != ' ')
			return chk_fail(c, "every feature line to begin with "
					"one space, " RFC2389("3.2"),
					"FEAT sent the line \"%.*s\"",
					(int)strcspn(nl + 1, "\n"), nl + 1);
	}
	return CHK_PASS;
}

static enum chk_result syst(struct chk *c)
{
	struct ftpc *f = c->ctl;
	int code = chk_cmd(c, f, "SYST");

	if (code < 0)
		return CHK_FAIL;
	if (CHK_UNIMPLEMENTED(code))
		return chk_skip(c, "SYST is not implemented (%d)", code);
	if (code != 215 || strlen(ftpc_text(f)) < 5)
		return chk_fail(c, "\"215 NAME\" with a system name, "
				RFC959("5.4"), "SYST was answered %s",
				chk_said(f));
	return CHK_PASS;
}

static enum chk_result noop(struct chk *c)
{
	if (chk_expect(c, c->ctl, "200", RFC959("5.4"), "NOOP") < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result noop_before_login(struct chk *c)
{
	/* RFC 959 4.1.1 lets a server require USER first: 530 is fine. */
	if (chk_expect(c, c->ctl, "200 530", RFC959("5.4") " (530 where USER "
		       "must come first, " RFC959("4.1.1") ")", "NOOP") < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result help(struct chk *c)
{
	int code = chk_cmd(c, c->ctl, "HELP");

	if (code < 0)
		return CHK_FAIL;
	if (CHK_UNIMPLEMENTED(code))
		return chk_skip(c, "HELP is not implemented (%d)", code);
	if (code != 211 && code != 214)
		return chk_fail(c, "211 or 214, " RFC959("5.4"),
				"HELP was answered %s", chk_said(c->ctl));
	return CHK_PASS;
}

static enum chk_result help_command(struct chk *c)
{
	int code = chk_cmd(c, c->ctl, "HELP NOOP");

	if (code < 0)
		return CHK_FAIL;
	if (CHK_UNIMPLEMENTED(code) || code == 504)
		return chk_skip(c, "HELP with an argument is not implemented");
	if (code != 211 && code != 214)
		return chk_fail(c, "211 or 214, " RFC959("5.4"),
				"HELP NOOP was answered %s", chk_said(c->ctl));
	return CHK_PASS;
}

static enum chk_result stat_idle(struct chk *c)
{
	int code = chk_cmd(c, c->ctl, "STAT");

	if (code < 0)
		return CHK_FAIL;
	if (CHK_UNIMPLEMENTED(code))
		return chk_skip(c, "STAT is not implemented (%d)", code);
	if (code != 211)
		return chk_fail(c, "211 (server status), " RFC959("4.1.3"),
				"STAT without a transfer was answered %s",
				chk_said(c->ctl));
	return CHK_PASS;
}

static enum chk_result quit_common(struct chk *c)
{
	struct ftpc *f = c->ctl;
	int r;

	if (chk_expect(c, f, "221", RFC959("4.1.1"), "QUIT") < 0)
		return CHK_FAIL;
	/* TLS: the server may wait for our close_notify (RFC 4217 13). */
	(void)ftpc_tls_close(f);
	r = ftpc_wait_eof(f, 5000);
	if (r != 1)
		return chk_fail(c, "the server to close the control connection "
				"after 221, " RFC959("4.1.1"),
				"the connection was still open 5 s after QUIT");
	return CHK_PASS;
}

static enum chk_result case_insensitive(struct chk *c)
{
	static const char *const forms[] = { "noop", "NoOp", "nOOP" };
	unsigned i;

	for (i = 0; i < 3; i++)
		if (chk_expect(c, c->ctl, "200", RFC959("5.3") " (verbs in "
			       "any case)", "%s", forms[i]) < 0)
			return CHK_FAIL;
	if (chk_expect(c, c->ctl, "257", RFC959("5.3"), "pwd") < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result type(struct chk *c)
{
	struct ftpc *f = c->ctl;
	int code;

	/* RFC 959 5.1: the minimum is TYPE A N; I is universal. */
	if (chk_expect(c, f, "200", RFC959("5.1"), "TYPE A") < 0 ||
	    chk_expect(c, f, "200", RFC959("5.1"), "TYPE A N") < 0 ||
	    chk_expect(c, f, "200", RFC959("5.1"), "TYPE I") < 0)
		return CHK_FAIL;
	code = chk_expect(c, f, "200 504", RFC959("5.4"), "TYPE L 8");
	if (code < 0)
		return CHK_FAIL;
	if (chk_expect(c, f, "500 501 504", RFC959("5.4") " (501 or 504 for "
		       "an unknown type)", "TYPE Q") < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result mode_stru(struct chk *c)
{
	struct ftpc *f = c->ctl;

	if (chk_expect(c, f, "200", RFC959("5.1"), "MODE S") < 0 ||
	    chk_expect(c, f, "200", RFC959("5.1"), "STRU F") < 0)
		return CHK_FAIL;
	if (chk_expect(c, f, "500 501 504", RFC959("5.4"), "MODE Q") < 0 ||
	    chk_expect(c, f, "500 501 504", RFC959("5.4"), "STRU Q") < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result allo(struct chk *c)
{
	int code = chk_cmd(c, c->ctl, "ALLO 1000");

	if (code < 0)
		return CHK_FAIL;
	if (CHK_UNIMPLEMENTED(code))
		return chk_skip(c, "ALLO is not implemented (%d)", code);
	if (code != 200 && code != 202)
		return chk_fail(c, "200 or 202, " RFC959("5.4"),
				"ALLO 1000 was answered %s", chk_said(c->ctl));
	return CHK_PASS;
}

const struct chk_def chk_session_suite[] = {
	{ "session", "banner", CHK_NOCONN, banner,
	  "a connection is greeted with 220, framed by CRLF" },
	{ "session", "reply_framing", CHK_NODIR, framing,
	  "replies end in CRLF; multi-line replies are well formed" },
	{ "session", "feat", CHK_NODIR, feat,
	  "FEAT answers 211 with one space before every feature" },
	{ "session", "syst", CHK_NODIR, syst, "SYST answers 215 NAME" },
	{ "session", "noop", CHK_NODIR, noop, "NOOP answers 200" },
	{ "session", "noop_before_login", CHK_RAW, noop_before_login,
	  "NOOP before login answers 200 (or 530)" },
	{ "session", "help", CHK_NODIR, help, "HELP answers 211 or 214" },
	{ "session", "help_command", CHK_NODIR, help_command,
	  "HELP NOOP answers 211 or 214" },
	{ "session", "stat", CHK_NODIR, stat_idle,
	  "STAT without a transfer answers 211" },
	{ "session", "case_insensitive", CHK_NODIR, case_insensitive,
	  "verbs are accepted in any case" },
	{ "session", "type", CHK_NODIR, type,
	  "TYPE A, A N, I accepted; L 8 accepted or 504; unknown refused" },
	{ "session", "mode_stru", CHK_NODIR, mode_stru,
	  "MODE S and STRU F accepted, unknown values refused" },
	{ "session", "allo", CHK_NODIR, allo, "ALLO answers 200 or 202" },
	{ "session", "quit", CHK_NODIR, quit_common,
	  "QUIT answers 221 and the server closes the connection" },
	{ "session", "quit_before_login", CHK_RAW, quit_common,
	  "QUIT before login answers 221 and closes" },
	{ NULL, NULL, 0, NULL, NULL }
};
