/*
 * Suite "meta": what a server says about a file without sending it.
 * SIZE (exact, also in TYPE A, RFC 3659 section 4), MDTM in UTC (section
 * 3), MFMT (draft-somers-ftp-mfxx) and their error replies.
 */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MFMT_DRAFT	"draft-somers-ftp-mfxx section 3"

static int need(struct chk *c, const char *feat, enum chk_result *r)
{
	if (chk_feat(c->env, feat))
		return 0;
	*r = chk_skip(c, "FEAT does not announce %s", feat);
	return -1;
}

/* "213 <digits>" exactly (RFC 3659 4.1): the number, or -1. */
static long long size_of(struct chk *c, struct ftpc *f, const char *path)
{
	const char *t;
	char *end;
	long long v;

	if (chk_expect(c, f, "213", RFC3659("4.1"), "SIZE %s", path) < 0)
		return -1;
	t = ftpc_text(f);
	v = t[3] == ' ' ? strtoll(t + 4, &end, 10) : -1;
	if (v < 0 || t[4] < '0' || t[4] > '9' || *end != '\0') {
		chk_fail(c, "\"213 <digits>\" exactly, " RFC3659("4.1"),
			 "SIZE was answered %s", chk_said(f));
		return -1;
	}
	return v;
}

static enum chk_result size(struct chk *c)
{
	enum chk_result r;
	char data[4321];
	long long v;

	if (need(c, "SIZE", &r) != 0)
		return r;
	chk_fill(data, sizeof(data), 31);
	if (chk_put(c, c->ctl, "sized", data, sizeof(data)) != 0)
		return CHK_FAIL;
	v = size_of(c, c->ctl, "sized");
	if (v < 0)
		return CHK_FAIL;
	if (v != (long long)sizeof(data))
		return chk_fail(c, "213 4321, the bytes stored, " RFC3659("4"),
				"SIZE of a %zu-byte file says %lld",
				sizeof(data), v);
	return CHK_PASS;
}

static enum chk_result size_errors(struct chk *c)
{
	enum chk_result r;

	if (need(c, "SIZE", &r) != 0)
		return r;
	if (chk_expect(c, c->ctl, "550", RFC3659("4.2"), "SIZE no-such") < 0)
		return CHK_FAIL;
	if (chk_expect(c, c->ctl, "257", RFC959("5.4"), "MKD adir") < 0 ||
	    chk_expect(c, c->ctl, "550", RFC3659("4.2") " (a folder cannot "
		       "be transferred)", "SIZE adir") < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result size_ascii(struct chk *c)
{
	static const char text[] = "a\nbb\nccc\n";
	struct ftpc *f = c->ctl;
	struct ftpc_buf got = { 0 };
	enum chk_result r;
	char exp[96];
	long long v;

	if (need(c, "SIZE", &r) != 0)
		return r;
	if (chk_put(c, f, "text", text, sizeof(text) - 1) != 0 ||
	    chk_expect(c, f, "200", RFC959("5.4"), "TYPE A") < 0)
		return CHK_FAIL;
	/* RFC 3659 4: exactly what a transfer in this TYPE sends, or 550
	 * (4.2); compared with what a TYPE A download really sends. */
	if (chk_expect(c, f, "213 550", RFC3659("4.2"), "SIZE text") < 0)
		return CHK_FAIL;
	if (f->reply.code == 550)
		return CHK_PASS;
	v = strtoll(ftpc_text(f) + 4, NULL, 10);
	r = CHK_FAIL;
	if (chk_get(c, f, "text", &got) != 0)
		goto out;
	if (v != (long long)got.len) {
		snprintf(exp, sizeof(exp), "213 %zu, the octets a TYPE A RETR "
			 "sends, or 550, " RFC3659("4"), got.len);
		chk_fail(c, exp, "SIZE in TYPE A says %lld (estimates MUST NOT "
			 "be returned)", v);
		goto out;
	}
	r = CHK_PASS;
out:
	ftpc_buf_free(&got);
	return r;
}

/* "213 time-val" exactly (RFC 3659 3.1): the time, or -1 on failure. */
static int mdtm(struct chk *c, struct ftpc *f, const char *path,
		long long *t)
{
	const char *s;

	if (chk_expect(c, f, "213", RFC3659("3.1"), "MDTM %s", path) < 0)
		return -1;
	s = ftpc_text(f);
	if (s[3] != ' ' || ftpc_parse_time(s + 4, t) != 0) {
		chk_fail(c, "\"213 YYYYMMDDHHMMSS[.sss]\", " RFC3659("3.1"),
			 "MDTM was answered %s", chk_said(f));
		return -1;
	}
	return 0;
}

static enum chk_result mdtm_now(struct chk *c)
{
	enum chk_result r;
	long long t, t0, t1, slack;

	if (need(c, "MDTM", &r) != 0)
		return r;
	/* One clock on loopback; a remote clock may be a little off. */
	slack = c->env->loopback ? 120 : 900;
	t0 = (long long)time(NULL);
	if (chk_put(c, c->ctl, "now", "now", 3) != 0)
		return CHK_FAIL;
	t1 = (long long)time(NULL);
	if (mdtm(c, c->ctl, "now", &t) != 0)
		return CHK_FAIL;
	/* Whole hours off: a local time where UTC is due. */
	if (t < t0 - slack || t > t1 + slack)
		return chk_fail(c, "the upload time in UTC, " RFC3659("2.3"),
				"MDTM of a file uploaded just now is %+lld s "
				"off this machine's clock%s", t - t0,
				llabs(t - t0) >= 1800 ? " (a local time?)" : "");
	return CHK_PASS;
}

static enum chk_result mdtm_missing(struct chk *c)
{
	enum chk_result r;

	if (need(c, "MDTM", &r) != 0)
		return r;
	if (chk_expect(c, c->ctl, "550", RFC3659("3.2"), "MDTM no-such") < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result mfmt(struct chk *c)
{
	struct ftpc *f = c->ctl;
	enum chk_result r;
	long long t, want;

	if (need(c, "MFMT", &r) != 0)
		return r;
	/* The draft's reply text ("213 Modify=...; name") is not held
	 * against a server; the code and the effect are. */
	if (chk_put(c, f, "dated", "x", 1) != 0 ||
	    chk_expect(c, f, "213", MFMT_DRAFT, "MFMT 20200102030405 dated") < 0)
		return CHK_FAIL;
	if (!chk_feat(c->env, "MDTM"))
		return CHK_PASS;
	if (mdtm(c, f, "dated", &t) != 0)
		return CHK_FAIL;
	(void)ftpc_parse_time("20200102030405", &want);
	if (t != want)
		return chk_fail(c, "213 20200102030405, the time MFMT set",
				"MDTM after MFMT is %s (%+lld s)", chk_said(f),
				t - want);
	return CHK_PASS;
}

static enum chk_result mfmt_errors(struct chk *c)
{
	struct ftpc *f = c->ctl;
	enum chk_result r;

	if (need(c, "MFMT", &r) != 0)
		return r;
	if (chk_put(c, f, "dated", "x", 1) != 0 ||
	    chk_expect(c, f, "501 500", MFMT_DRAFT " and " RFC3659("2.3")
		       " (2020 is no time-val)", "MFMT 2020 dated") < 0 ||
	    chk_expect(c, f, "550", MFMT_DRAFT, "MFMT 20200102030405 "
		       "no-such") < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

const struct chk_def chk_meta_suite[] = {
	{ "meta", "size", 0, size, "SIZE gives the exact byte count (213)" },
	{ "meta", "size_errors", 0, size_errors,
	  "SIZE of a missing name or of a folder: 550" },
	{ "meta", "size_ascii", 0, size_ascii,
	  "SIZE in TYPE A is what a TYPE A download sends (or 550)" },
	{ "meta", "mdtm", 0, mdtm_now,
	  "MDTM answers 213 with the upload time in UTC" },
	{ "meta", "mdtm_missing", 0, mdtm_missing,
	  "MDTM of a missing name: 550" },
	{ "meta", "mfmt", 0, mfmt,
	  "MFMT sets the time, MDTM reads it back" },
	{ "meta", "mfmt_errors", 0, mfmt_errors,
	  "MFMT with a bad time: 501; of a missing file: 550" },
	{ NULL, NULL, 0, NULL, NULL }
};
