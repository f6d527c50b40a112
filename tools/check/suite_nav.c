/*
 * Suite "nav": moving around, and the cell.  PWD/CWD/CDUP and the X forms
 * answer with RFC 959 codes and a PWD that follows exactly where the
 * session went; ".." at the root stays at the root; the login directory
 * is "/" and no path the session never used ever shows up.
 */
#include "check.h"

#include <stdio.h>
#include <string.h>

#define EXPECT_CWD	"250, " RFC959("5.4")
#define EXPECT_PWD	"257 \"path\", " RFC959_APPII

/* PWD must name exactly want. */
static int pwd_is(struct chk *c, struct ftpc *f, const char *want,
		  const char *after)
{
	char got[CHK_PATH], exp[CHK_PATH + 64];

	if (chk_expect(c, f, "257", RFC959("5.4"), "PWD") < 0)
		return -1;
	if (ftpc_parse_257(ftpc_text(f), got, sizeof(got)) != 0) {
		chk_fail(c, EXPECT_PWD, "PWD was answered %s, without a "
			 "quoted path", chk_said(f));
		return -1;
	}
	if (strcmp(got, want) != 0) {
		snprintf(exp, sizeof(exp), "\"%s\", where the session went",
			 want);
		chk_fail(c, exp, "after %s, PWD says \"%s\"", after, got);
		return -1;
	}
	return 0;
}

static int is_cell(struct chk *c)
{
	return strcmp(c->env->base, "/") == 0;
}

static enum chk_result login_dir(struct chk *c)
{
	if (!is_cell(c))
		return chk_fail(c, "\"/\": the login directory is the root of "
				"all the user sees (a cell)", "PWD after login "
				"says \"%s\": the user is not confined",
				c->env->base);
	return CHK_PASS;
}

static enum chk_result pwd(struct chk *c)
{
	return pwd_is(c, c->ctl, c->dir, "CWD to the check's folder") ?
		CHK_FAIL : CHK_PASS;
}

static enum chk_result pwd_quotes(struct chk *c)
{
	struct ftpc *f = c->ctl;
	const char *want = chk_path(c, "say\"hi");

	if (chk_expect(c, f, "257", RFC959_APPII, "MKD say\"hi") < 0)
		return CHK_FAIL;
	if (strstr(ftpc_text(f), "say\"\"hi\"") == NULL)
		return chk_fail(c, "the quote doubled, as in \"say\"\"hi\", "
				RFC959_APPII, "MKD was answered %s",
				chk_said(f));
	if (chk_expect(c, f, "250", RFC959("5.4"), "CWD say\"hi") < 0)
		return CHK_FAIL;
	if (pwd_is(c, f, want, "CWD into a name with a quote") != 0)
		return CHK_FAIL;
	if (strstr(ftpc_text(f), "say\"\"hi\"") == NULL)
		return chk_fail(c, "the quote doubled, " RFC959_APPII,
				"PWD was answered %s", chk_said(f));
	return CHK_PASS;
}

static enum chk_result cwd_subdir(struct chk *c)
{
	struct ftpc *f = c->ctl;

	if (chk_expect(c, f, "257", RFC959("5.4"), "MKD sub") < 0 ||
	    chk_expect(c, f, "250", RFC959("5.4"), "CWD sub") < 0)
		return CHK_FAIL;
	return pwd_is(c, f, chk_path(c, "sub"), "CWD sub") ?
		CHK_FAIL : CHK_PASS;
}

static enum chk_result cwd_absolute(struct chk *c)
{
	struct ftpc *f = c->ctl;
	const char *sub = chk_path(c, "sub");

	if (chk_expect(c, f, "257", RFC959("5.4"), "MKD sub") < 0 ||
	    chk_expect(c, f, "250", RFC959("5.4"), "CWD %s", c->env->base) < 0
	    || pwd_is(c, f, c->env->base, "CWD to the login directory") != 0
	    || chk_expect(c, f, "250", RFC959("5.4"), "CWD %s", sub) < 0)
		return CHK_FAIL;
	return pwd_is(c, f, sub, "CWD to an absolute path") ?
		CHK_FAIL : CHK_PASS;
}

static enum chk_result cwd_missing(struct chk *c)
{
	struct ftpc *f = c->ctl;

	if (chk_expect(c, f, "550", RFC959("5.4"), "CWD no-such-dir") < 0)
		return CHK_FAIL;
	return pwd_is(c, f, c->dir, "a failed CWD") ? CHK_FAIL : CHK_PASS;
}

static enum chk_result cwd_file(struct chk *c)
{
	struct ftpc *f = c->ctl;

	if (chk_put(c, f, "plain-file", "data\n", 5) != 0)
		return CHK_FAIL;
	if (chk_expect(c, f, "550", RFC959("5.4"), "CWD plain-file") < 0)
		return CHK_FAIL;
	return pwd_is(c, f, c->dir, "CWD to a file") ? CHK_FAIL : CHK_PASS;
}

static enum chk_result cdup(struct chk *c)
{
	struct ftpc *f = c->ctl;

	if (chk_expect(c, f, "257", RFC959("5.4"), "MKD sub") < 0 ||
	    chk_expect(c, f, "250", RFC959("5.4"), "CWD sub") < 0 ||
	    chk_expect(c, f, "200 250", RFC959("5.4"), "CDUP") < 0)
		return CHK_FAIL;
	return pwd_is(c, f, c->dir, "CDUP") ? CHK_FAIL : CHK_PASS;
}

static enum chk_result cwd_dotdot(struct chk *c)
{
	struct ftpc *f = c->ctl;

	if (chk_expect(c, f, "257", RFC959("5.4"), "MKD sub") < 0 ||
	    chk_expect(c, f, "250", RFC959("5.4"), "CWD sub/../sub") < 0 ||
	    pwd_is(c, f, chk_path(c, "sub"), "CWD sub/../sub") != 0 ||
	    chk_expect(c, f, "250", RFC959("5.4"), "CWD ..") < 0)
		return CHK_FAIL;
	return pwd_is(c, f, c->dir, "CWD ..") ? CHK_FAIL : CHK_PASS;
}

/* At the root, after `how`: still "/" and the scratch folder in sight. */
static int still_root(struct chk *c, struct ftpc *f, const char *how)
{
	struct ftpc_buf names = { 0 };
	int r = -1;

	if (pwd_is(c, f, "/", how) != 0)
		goto out;
	if (chk_names(c, f, NULL, &names) != 0)
		goto out;
	if (!chk_has_name(&names, c->env->token)) {
		chk_fail(c, "the root's own listing, which holds the scratch "
			 "folder", "after %s, PWD says \"/\" but the listing "
			 "lacks %s: the session is somewhere else", how,
			 c->env->token);
		goto out;
	}
	r = 0;
out:
	ftpc_buf_free(&names);
	return r;
}

static enum chk_result dotdot_at_root(struct chk *c)
{
	struct ftpc *f = c->ctl;

	if (!is_cell(c))
		return chk_skip(c, "the login directory is not \"/\"");
	if (chk_expect(c, f, "250", RFC959("5.4"), "CWD /") < 0 ||
	    chk_expect(c, f, "250 550", EXPECT_CWD, "CWD ..") < 0 ||
	    still_root(c, f, "CWD .. at the root") != 0 ||
	    chk_expect(c, f, "200 250 550", RFC959("5.4"), "CDUP") < 0 ||
	    still_root(c, f, "CDUP at the root") != 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result deep_dotdot(struct chk *c)
{
	struct ftpc *f = c->ctl;
	int code;

	if (!is_cell(c))
		return chk_skip(c, "the login directory is not \"/\"");
	code = chk_expect(c, f, "250 550", EXPECT_CWD,
			  "CWD ../../../../../../../../../../..");
	if (code < 0)
		return CHK_FAIL;
	if (code == 550)
		return pwd_is(c, f, c->dir, "a refused CWD") ?
			CHK_FAIL : CHK_PASS;
	return still_root(c, f, "CWD with many \"..\"") ? CHK_FAIL : CHK_PASS;
}

static enum chk_result x_forms(struct chk *c)
{
	struct ftpc *f = c->ctl;
	const char *rfc = RFC1123("4.1.3.1") " (servers SHOULD take the X "
		"forms)";

	if (chk_expect(c, f, "257", rfc, "XPWD") < 0 ||
	    chk_expect(c, f, "257", rfc, "XMKD xdir") < 0 ||
	    chk_expect(c, f, "250", rfc, "XCWD xdir") < 0 ||
	    pwd_is(c, f, chk_path(c, "xdir"), "XCWD xdir") != 0 ||
	    chk_expect(c, f, "200 250", rfc, "XCUP") < 0 ||
	    pwd_is(c, f, c->dir, "XCUP") != 0 ||
	    chk_expect(c, f, "250", rfc, "XRMD xdir") < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

const struct chk_def chk_nav_suite[] = {
	{ "nav", "login_dir_is_root", CHK_NODIR, login_dir,
	  "PWD after login is \"/\": the user lives in a cell" },
	{ "nav", "pwd", 0, pwd, "PWD answers 257 with the current path" },
	{ "nav", "pwd_quotes", 0, pwd_quotes,
	  "a quote in a path is doubled in 257 replies" },
	{ "nav", "cwd_subdir", 0, cwd_subdir, "CWD into a subfolder: 250" },
	{ "nav", "cwd_absolute", 0, cwd_absolute,
	  "CWD with absolute paths goes exactly there" },
	{ "nav", "cwd_missing", 0, cwd_missing,
	  "CWD to a missing folder: 550, and PWD is unchanged" },
	{ "nav", "cwd_file", 0, cwd_file, "CWD to a file: 550" },
	{ "nav", "cdup", 0, cdup, "CDUP goes to the parent (200 or 250)" },
	{ "nav", "cwd_dotdot", 0, cwd_dotdot, "CWD .. and a/../a work" },
	{ "nav", "dotdot_at_root", 0, dotdot_at_root,
	  "CWD .. and CDUP at the root stay at the root" },
	{ "nav", "deep_dotdot", 0, deep_dotdot,
	  "a long chain of .. ends at the root, never above it" },
	{ "nav", "x_forms", 0, x_forms,
	  "XPWD XMKD XCWD XCUP XRMD work like the RFC 959 verbs" },
	{ NULL, NULL, 0, NULL, NULL }
};
