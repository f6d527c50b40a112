/*
 * Suite "dir": creating, removing and renaming.  MKD, RMD, DELE and
 * RNFR/RNTO answer with the codes of RFC 959 and do exactly what they
 * say, nothing when they fail, verified by listing and reading back.
 */
#include "check.h"

#include <string.h>

static int exists(struct chk *c, struct ftpc *f, const char *dir,
		  const char *name)
{
	struct ftpc_buf names = { 0 };
	int r;

	if (chk_names(c, f, dir, &names) != 0)
		r = -1;
	else
		r = chk_has_name(&names, name);
	ftpc_buf_free(&names);
	return r;
}

/* name must (want 1) or must not (want 0) be listed after `after`. */
static int listed(struct chk *c, struct ftpc *f, const char *name, int want,
		  const char *after)
{
	int r = exists(c, f, NULL, name);

	if (r < 0)
		return -1;
	if (r == want)
		return 0;
	chk_fail(c, want ? "it to be there" : "it to be gone",
		 "after %s, NLST %s \"%s\"", after, r ? "still lists" :
		 "does not list", name);
	return -1;
}

static int content_is(struct chk *c, struct ftpc *f, const char *path,
		      const char *want)
{
	struct ftpc_buf got = { 0 };
	int r = -1;

	if (chk_get(c, f, path, &got) != 0)
		goto out;
	if (got.len != strlen(want) || memcmp(got.p, want, got.len) != 0) {
		chk_fail(c, "the content stored under that name",
			 "RETR %s gave %zu bytes, not the %zu stored", path,
			 got.len, strlen(want));
		goto out;
	}
	r = 0;
out:
	ftpc_buf_free(&got);
	return r;
}

/* RETR of name must be refused without a transfer. */
static int gone(struct chk *c, struct ftpc *f, const char *name)
{
	struct ftpc_buf got = { 0 };
	struct ftpc_xfer x;

	ftpc_get(f, c->dmode, &got, 1 << 20, &x, "RETR %s", name);
	ftpc_buf_free(&got);
	if (x.prelim == 0 && (x.final == 550 || x.final == 450))
		return 0;
	chk_fail(c, "550 or 450, " RFC959("5.4"), "RETR of the deleted %s "
		 "%s %s", name, x.prelim ? "still sent data, and" : "was",
		 x.prelim ? "worked" : chk_said(f));
	return -1;
}

static enum chk_result mkd(struct chk *c)
{
	struct ftpc *f = c->ctl;
	char got[CHK_PATH];

	if (chk_expect(c, f, "257", RFC959("5.4"), "MKD newdir") < 0)
		return CHK_FAIL;
	if (ftpc_parse_257(ftpc_text(f), got, sizeof(got)) != 0)
		return chk_fail(c, "257 \"path\" created, " RFC959_APPII,
				"MKD was answered %s, with no quoted path",
				chk_said(f));
	/* RFC 959 Appendix II: "must always contain the absolute pathname" */
	if (strcmp(got, chk_path(c, "newdir")) != 0)
		return chk_fail(c, "the absolute path of the new folder, "
				RFC959_APPII, "MKD newdir named \"%s\"",
				got);
	if (listed(c, f, "newdir", 1, "MKD") != 0 ||
	    chk_expect(c, f, "250", RFC959("5.4"), "CWD newdir") < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result mkd_exists(struct chk *c)
{
	struct ftpc *f = c->ctl;

	if (chk_expect(c, f, "257", RFC959("5.4"), "MKD twice") < 0 ||
	    chk_expect(c, f, "550 521", RFC959("5.4") " and Appendix II",
		       "MKD twice") < 0)
		return CHK_FAIL;
	if (chk_put(c, f, "afile", "x", 1) != 0 ||
	    chk_expect(c, f, "550 521", RFC959("5.4"), "MKD afile") < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result mkd_no_parent(struct chk *c)
{
	struct ftpc *f = c->ctl;

	if (chk_expect(c, f, "550", RFC959("5.4"), "MKD no-parent/child") < 0)
		return CHK_FAIL;
	return listed(c, f, "no-parent", 0, "a failed MKD") ?
		CHK_FAIL : CHK_PASS;
}

static enum chk_result rmd(struct chk *c)
{
	struct ftpc *f = c->ctl;

	if (chk_expect(c, f, "257", RFC959("5.4"), "MKD gone") < 0 ||
	    chk_expect(c, f, "250", RFC959("5.4"), "RMD gone") < 0)
		return CHK_FAIL;
	return listed(c, f, "gone", 0, "RMD") ? CHK_FAIL : CHK_PASS;
}

static enum chk_result rmd_nonempty(struct chk *c)
{
	struct ftpc *f = c->ctl;

	if (chk_expect(c, f, "257", RFC959("5.4"), "MKD full") < 0 ||
	    chk_put(c, f, "full/inside", "data", 4) != 0)
		return CHK_FAIL;
	if (chk_expect(c, f, "550 450", RFC959("5.4"), "RMD full") < 0)
		return CHK_FAIL;
	if (listed(c, f, "full", 1, "a refused RMD") != 0 ||
	    content_is(c, f, "full/inside", "data") != 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result rmd_missing(struct chk *c)
{
	if (chk_expect(c, c->ctl, "550", RFC959("5.4"), "RMD no-such-dir") < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result rmd_file(struct chk *c)
{
	struct ftpc *f = c->ctl;

	if (chk_put(c, f, "keep", "keep", 4) != 0 ||
	    chk_expect(c, f, "550", RFC959("5.4"), "RMD keep") < 0 ||
	    content_is(c, f, "keep", "keep") != 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result dele(struct chk *c)
{
	struct ftpc *f = c->ctl;

	if (chk_put(c, f, "doomed", "bye", 3) != 0 ||
	    chk_expect(c, f, "250", RFC959("5.4"), "DELE doomed") < 0 ||
	    listed(c, f, "doomed", 0, "DELE") != 0)
		return CHK_FAIL;
	return gone(c, f, "doomed") ? CHK_FAIL : CHK_PASS;
}

static enum chk_result dele_missing(struct chk *c)
{
	if (chk_expect(c, c->ctl, "550 450", RFC959("5.4"),
		       "DELE no-such-file") < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result dele_dir(struct chk *c)
{
	struct ftpc *f = c->ctl;

	if (chk_expect(c, f, "257", RFC959("5.4"), "MKD adir") < 0 ||
	    chk_expect(c, f, "550 450", RFC959("5.4"), "DELE adir") < 0 ||
	    listed(c, f, "adir", 1, "DELE of a folder") != 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result rename_file(struct chk *c)
{
	struct ftpc *f = c->ctl;

	if (chk_put(c, f, "old-name", "content", 7) != 0 ||
	    chk_expect(c, f, "350", RFC959("5.4"), "RNFR old-name") < 0 ||
	    chk_expect(c, f, "250", RFC959("5.4"), "RNTO new-name") < 0 ||
	    listed(c, f, "old-name", 0, "RNTO") != 0 ||
	    content_is(c, f, "new-name", "content") != 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result rename_dir(struct chk *c)
{
	struct ftpc *f = c->ctl;

	if (chk_expect(c, f, "257", RFC959("5.4"), "MKD d1") < 0 ||
	    chk_put(c, f, "d1/f", "in d1", 5) != 0 ||
	    chk_expect(c, f, "350", RFC959("5.4"), "RNFR d1") < 0 ||
	    chk_expect(c, f, "250", RFC959("5.4"), "RNTO d2") < 0 ||
	    listed(c, f, "d1", 0, "renaming a folder") != 0 ||
	    content_is(c, f, "d2/f", "in d1") != 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result rename_into_subdir(struct chk *c)
{
	struct ftpc *f = c->ctl;

	if (chk_expect(c, f, "257", RFC959("5.4"), "MKD sub") < 0 ||
	    chk_put(c, f, "moving", "moved", 5) != 0 ||
	    chk_expect(c, f, "350", RFC959("5.4"), "RNFR moving") < 0 ||
	    chk_expect(c, f, "250", RFC959("5.4"), "RNTO %s",
		       chk_path(c, "sub/moved")) < 0 ||
	    listed(c, f, "moving", 0, "RNTO into a subfolder") != 0 ||
	    content_is(c, f, "sub/moved", "moved") != 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result rename_missing(struct chk *c)
{
	struct ftpc *f = c->ctl;

	if (chk_expect(c, f, "550 450", RFC959("5.4"), "RNFR no-such") < 0)
		return CHK_FAIL;
	/* RNTO must not act on the failed RNFR. */
	if (chk_expect(c, f, "503 5xx", RFC959("5.4") " (503: RNFR failed)",
		       "RNTO whatever") < 0 ||
	    listed(c, f, "whatever", 0, "RNTO after a failed RNFR") != 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result rnto_alone(struct chk *c)
{
	if (chk_expect(c, c->ctl, "503", RFC959("5.4") " (bad sequence)",
		       "RNTO nothing-to-rename") < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result rename_over(struct chk *c)
{
	struct ftpc *f = c->ctl;

	/* Renaming onto an existing file: replaced, or refused intact. */
	if (chk_put(c, f, "src", "new", 3) != 0 ||
	    chk_put(c, f, "dst", "old", 3) != 0 ||
	    chk_expect(c, f, "350", RFC959("5.4"), "RNFR src") < 0)
		return CHK_FAIL;
	switch (chk_expect(c, f, "250 550 553 450", RFC959("5.4"), "RNTO dst")) {
	case -1:
		return CHK_FAIL;
	case 250:
		return content_is(c, f, "dst", "new") ? CHK_FAIL : CHK_PASS;
	default:
		if (content_is(c, f, "dst", "old") != 0 ||
		    content_is(c, f, "src", "new") != 0)
			return CHK_FAIL;
		return CHK_PASS;
	}
}

const struct chk_def chk_dir_suite[] = {
	{ "dir", "mkd", 0, mkd, "MKD answers 257 \"path\" and creates it" },
	{ "dir", "mkd_exists", 0, mkd_exists,
	  "MKD of an existing name is refused (550)" },
	{ "dir", "mkd_no_parent", 0, mkd_no_parent,
	  "MKD under a missing folder: 550, nothing created" },
	{ "dir", "rmd", 0, rmd, "RMD removes an empty folder (250)" },
	{ "dir", "rmd_nonempty", 0, rmd_nonempty,
	  "RMD of a folder with files is refused, nothing lost" },
	{ "dir", "rmd_missing", 0, rmd_missing, "RMD of a missing folder: 550" },
	{ "dir", "rmd_file", 0, rmd_file, "RMD of a file: 550, file kept" },
	{ "dir", "dele", 0, dele, "DELE removes a file (250)" },
	{ "dir", "dele_missing", 0, dele_missing, "DELE of a missing file: 550" },
	{ "dir", "dele_dir", 0, dele_dir, "DELE of a folder is refused" },
	{ "dir", "rename_file", 0, rename_file,
	  "RNFR (350) + RNTO (250) rename a file, content intact" },
	{ "dir", "rename_dir", 0, rename_dir,
	  "a folder is renamed with its contents" },
	{ "dir", "rename_into_subdir", 0, rename_into_subdir,
	  "RNTO to another folder moves the file" },
	{ "dir", "rename_missing", 0, rename_missing,
	  "RNFR of a missing name: 550, and RNTO then does nothing" },
	{ "dir", "rnto_without_rnfr", 0, rnto_alone,
	  "RNTO without RNFR: 503" },
	{ "dir", "rename_over", 0, rename_over,
	  "RNTO onto an existing file replaces it or leaves both intact" },
	{ NULL, NULL, 0, NULL, NULL }
};
