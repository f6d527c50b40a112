/*
 * Suite "list": listings against what was uploaded.  LIST and NLST name
 * exactly the entries there are; MLSD and MLST (RFC 3659 section 7) have
 * the strict line format and facts that match the files: type, size,
 * modify (equal to MDTM), distinct unique ids.
 */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define F1_LEN	1234

/* A file f1 of F1_LEN bytes and an empty folder d1. */
static int populate(struct chk *c, struct ftpc *f)
{
	char data[F1_LEN];

	chk_fill(data, sizeof(data), 21);
	if (chk_put(c, f, "f1", data, sizeof(data)) != 0 ||
	    chk_expect(c, f, "257", RFC959("5.4"), "MKD d1") < 0)
		return -1;
	return 0;
}

/* Each line of text, in place; returns the next line or NULL. */
static char *next_line(char **p)
{
	char *line = *p, *nl;

	if (line == NULL || *line == '\0')
		return NULL;
	nl = strchr(line, '\n');
	if (nl != NULL) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = NULL;
	}
	return line;
}

static const char *ends_with(const char *line, const char *name)
{
	size_t l = strlen(line), n = strlen(name);

	if (l < n || strcmp(line + l - n, name) != 0)
		return NULL;
	if (l > n && line[l - n - 1] != ' ' && line[l - n - 1] != '/')
		return NULL;
	return line;
}

static enum chk_result list(struct chk *c)
{
	struct ftpc *f = c->ctl;
	struct ftpc_buf out = { 0 };
	const char *f1 = NULL, *d1 = NULL;
	enum chk_result r = CHK_FAIL;
	char *p, *line;

	if (populate(c, f) != 0 ||
	    chk_expect(c, f, "200", RFC959("5.4"), "TYPE A") < 0 ||
	    chk_listing(c, f, "LIST", &out) != 0)
		goto out;
	for (p = out.p; (line = next_line(&p)) != NULL;) {
		if (ends_with(line, "f1"))
			f1 = line;
		if (ends_with(line, "d1"))
			d1 = line;
	}
	if (f1 == NULL || d1 == NULL) {
		chk_fail(c, "a line for each entry, " RFC959("4.1.3") " (LIST)",
			 "LIST has no line for %s", f1 == NULL ? "f1" : "d1");
		goto out;
	}
	/* In the usual "ls -l" form, the type is the first letter. */
	if (strchr("-dl", f1[0]) != NULL && strchr("-dl", d1[0]) != NULL &&
	    (f1[0] != '-' || d1[0] != 'd')) {
		chk_fail(c, "\"-\" for the file, \"d\" for the folder",
			 "LIST shows f1 as '%c' and d1 as '%c'", f1[0], d1[0]);
		goto out;
	}
	r = CHK_PASS;
out:
	ftpc_buf_free(&out);
	return r;
}

static enum chk_result list_file(struct chk *c)
{
	struct ftpc *f = c->ctl;
	struct ftpc_buf out = { 0 };
	enum chk_result r = CHK_FAIL;
	char *p, *line;
	int n = 0, named = 0;

	if (populate(c, f) != 0 ||
	    chk_expect(c, f, "200", RFC959("5.4"), "TYPE A") < 0 ||
	    chk_listing(c, f, "LIST f1", &out) != 0)
		goto out;
	for (p = out.p; (line = next_line(&p)) != NULL; n++)
		named += ends_with(line, "f1") != NULL;
	if (named != 1 || n != 1) {
		chk_fail(c, "one line, about that file, " RFC959("4.1.3")
			 " (LIST)", "LIST f1 gave %d line(s), %d naming f1", n,
			 named);
		goto out;
	}
	r = CHK_PASS;
out:
	ftpc_buf_free(&out);
	return r;
}

static enum chk_result nlst(struct chk *c)
{
	struct ftpc *f = c->ctl;
	struct ftpc_buf names = { 0 };
	enum chk_result r = CHK_FAIL;
	char *p, *line;
	int n = 0;

	if (populate(c, f) != 0 ||
	    chk_expect(c, f, "200", RFC959("5.4"), "TYPE A") < 0 ||
	    chk_names(c, f, NULL, &names) != 0)
		goto out;
	for (p = names.p; (line = next_line(&p)) != NULL; n++)
		if (strcmp(line, "f1") != 0 && strcmp(line, "d1") != 0) {
			chk_fail(c, "exactly f1 and d1, " RFC959("4.1.3")
				 " (NLST)", "NLST also names \"%s\"", line);
			goto out;
		}
	if (n != 2) {
		chk_fail(c, "exactly f1 and d1, " RFC959("4.1.3") " (NLST)",
			 "NLST gave %d name(s)", n);
		goto out;
	}
	r = CHK_PASS;
out:
	ftpc_buf_free(&names);
	return r;
}

static enum chk_result nlst_dir(struct chk *c)
{
	struct ftpc *f = c->ctl;
	struct ftpc_buf names = { 0 };
	enum chk_result r = CHK_FAIL;

	if (chk_expect(c, f, "257", RFC959("5.4"), "MKD sub") < 0 ||
	    chk_put(c, f, "sub/inner", "x", 1) != 0 ||
	    chk_expect(c, f, "200", RFC959("5.4"), "TYPE A") < 0 ||
	    chk_names(c, f, chk_path(c, "sub"), &names) != 0)
		goto out;
	if (!chk_has_name(&names, "inner") || strchr(names.p, '\n') !=
	    names.p + names.len - 1) {
		chk_fail(c, "exactly the folder's one file, " RFC959("4.1.3"),
			 "NLST of a folder holding \"inner\" gave \"%.60s\"",
			 names.p);
		goto out;
	}
	r = CHK_PASS;
out:
	ftpc_buf_free(&names);
	return r;
}

static enum chk_result nlst_empty(struct chk *c)
{
	struct ftpc *f = c->ctl;
	struct ftpc_buf names = { 0 };
	struct ftpc_xfer x;
	enum chk_result r = CHK_FAIL;

	/* An empty folder: an empty listing, or 450/550 "no files". */
	ftpc_get(f, c->dmode, &names, 1 << 20, &x, "NLST");
	if (x.prelim == 0 && (x.final == 450 || x.final == 550)) {
		r = CHK_PASS;
		goto out;
	}
	if (chk_names(c, f, NULL, &names) != 0)
		goto out;
	if (names.len != 0) {
		chk_fail(c, "no names", "NLST of an empty folder names \"%.*s\"",
			 (int)strcspn(names.p, "\n"), names.p);
		goto out;
	}
	r = CHK_PASS;
out:
	ftpc_buf_free(&names);
	return r;
}

static int mlst_ready(struct chk *c, enum chk_result *r)
{
	if (chk_feat(c->env, "MLST"))
		return 0;
	*r = chk_skip(c, "FEAT does not announce MLST");
	return -1;
}

/* Whether FEAT says the fact is on by default ("size*;"). */
static int fact_on(struct chk *c, const char *fact)
{
	const char *l = chk_feat_line(c->env, "MLST");
	char want[32];

	snprintf(want, sizeof(want), "%s*", fact);
	return l != NULL && strcasestr(l, want) != NULL;
}

/* The facts of f1 (a file of F1_LEN bytes) or d1 (a folder). */
static int facts_ok(struct chk *c, const struct ftpc_mlsx *m, int dir,
		    const char *where)
{
	const char *type = ftpc_mlsx_fact(m, "type");
	const char *size = ftpc_mlsx_fact(m, "size");
	const char *mod = ftpc_mlsx_fact(m, "modify");
	long long t;

	if (fact_on(c, "type") && (type == NULL ||
				   strcasecmp(type, dir ? "dir" : "file"))) {
		chk_fail(c, dir ? "type=dir, " RFC3659("7.5.1") :
			 "type=file, " RFC3659("7.5.1"), "%s gives %s type=%s",
			 where, m->name, type ? type : "(none)");
		return -1;
	}
	if (!dir && fact_on(c, "size") &&
	    (size == NULL || strtoll(size, NULL, 10) != F1_LEN)) {
		chk_fail(c, "size=1234, " RFC3659("7.5.7"), "%s gives %s "
			 "size=%s", where, m->name, size ? size : "(none)");
		return -1;
	}
	if (fact_on(c, "modify") &&
	    (mod == NULL || ftpc_parse_time(mod, &t) != 0)) {
		chk_fail(c, "modify=YYYYMMDDHHMMSS[.sss], " RFC3659("2.3"),
			 "%s gives %s modify=%s", where, m->name,
			 mod ? mod : "(none)");
		return -1;
	}
	return 0;
}

static enum chk_result mlsd(struct chk *c)
{
	struct ftpc *f = c->ctl;
	struct ftpc_buf out = { 0 };
	enum chk_result r = CHK_FAIL;
	struct ftpc_mlsx m;
	char *p, *line, copy[1024];
	const char *type;
	int seen = 0;

	if (mlst_ready(c, &r) != 0)
		return r;
	if (populate(c, f) != 0 || chk_listing(c, f, "MLSD", &out) != 0)
		goto out;
	for (p = out.p; (line = next_line(&p)) != NULL;) {
		snprintf(copy, sizeof(copy), "%s", line);
		if (ftpc_parse_mlsx(line, &m) != 0) {
			chk_fail(c, "\"fact=value;... name\", " RFC3659("7.2"),
				 "MLSD sent the line \"%.80s\"", copy);
			goto out;
		}
		type = ftpc_mlsx_fact(&m, "type");
		if (type != NULL && (strcasecmp(type, "cdir") == 0 ||
				     strcasecmp(type, "pdir") == 0))
			continue;
		if (strcmp(m.name, "f1") != 0 && strcmp(m.name, "d1") != 0) {
			chk_fail(c, "entries f1 and d1 (and cdir/pdir), "
				 RFC3659("7.2"), "MLSD lists \"%s\"", m.name);
			goto out;
		}
		if (facts_ok(c, &m, m.name[0] == 'd', "MLSD") != 0)
			goto out;
		seen++;
	}
	if (seen != 2) {
		chk_fail(c, "f1 and d1, once each", "MLSD listed %d of them",
			 seen);
		goto out;
	}
	r = CHK_PASS;
out:
	ftpc_buf_free(&out);
	return r;
}

/* MLST name: the one fact line, parsed into m (line kept in buf). */
static int mlst(struct chk *c, struct ftpc *f, const char *name, char *buf,
		size_t len, struct ftpc_mlsx *m)
{
	const char *t, *l2;

	if (chk_expect(c, f, "250", RFC3659("7.2"), "MLST %s", name) < 0)
		return -1;
	t = ftpc_text(f);
	l2 = strchr(t, '\n');
	if (f->reply.nlines != 3 || l2 == NULL || l2[1] != ' ' ||
	    l2[2] == ' ') {
		chk_fail(c, "\"250-\", one line \" facts name\", \"250 End\", "
			 RFC3659("7.2"), "MLST %s answered %u lines: %s", name,
			 f->reply.nlines, chk_said(f));
		return -1;
	}
	snprintf(buf, len, "%.*s", (int)strcspn(l2 + 2, "\n"), l2 + 2);
	if (ftpc_parse_mlsx(buf, m) != 0) {
		chk_fail(c, "\" fact=value;... name\", " RFC3659("7.2"),
			 "MLST %s sent \"%.80s\"", name, l2 + 1);
		return -1;
	}
	return 0;
}

static enum chk_result mlst_file(struct chk *c)
{
	struct ftpc_mlsx m;
	enum chk_result r;
	char buf[1024];

	if (mlst_ready(c, &r) != 0)
		return r;
	if (populate(c, c->ctl) != 0 ||
	    mlst(c, c->ctl, "f1", buf, sizeof(buf), &m) != 0 ||
	    facts_ok(c, &m, 0, "MLST") != 0 ||
	    mlst(c, c->ctl, "d1", buf, sizeof(buf), &m) != 0 ||
	    facts_ok(c, &m, 1, "MLST") != 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result mlsx_errors(struct chk *c)
{
	struct ftpc *f = c->ctl;
	struct ftpc_xfer x;
	struct ftpc_buf out = { 0 };
	enum chk_result r;

	if (mlst_ready(c, &r) != 0)
		return r;
	if (populate(c, f) != 0 ||
	    chk_expect(c, f, "550", RFC3659("7.2.1"), "MLST no-such") < 0)
		return CHK_FAIL;
	ftpc_get(f, c->dmode, &out, 1 << 20, &x, "MLSD f1");
	ftpc_buf_free(&out);
	if (x.prelim != 0 || x.final != 501)
		return chk_fail(c, "501: MLSD of a file, " RFC3659("7.2.1"),
				"MLSD f1 %s %s", x.prelim ? "listed, ending" :
				"was answered", chk_said(f));
	return CHK_PASS;
}

static enum chk_result modify_is_mdtm(struct chk *c)
{
	struct ftpc *f = c->ctl;
	struct ftpc_mlsx m;
	enum chk_result r;
	const char *mod;
	char buf[1024];
	long long a, b;

	if (mlst_ready(c, &r) != 0)
		return r;
	if (!chk_feat(c->env, "MDTM") || !fact_on(c, "modify"))
		return chk_skip(c, "FEAT lacks MDTM or the modify fact");
	if (populate(c, f) != 0 || mlst(c, f, "f1", buf, sizeof(buf), &m) != 0)
		return CHK_FAIL;
	mod = ftpc_mlsx_fact(&m, "modify");
	if (mod == NULL || ftpc_parse_time(mod, &a) != 0)
		return chk_fail(c, "a modify fact", "MLST f1 has none");
	if (chk_expect(c, f, "213", RFC3659("3"), "MDTM f1") < 0)
		return CHK_FAIL;
	if (ftpc_parse_time(ftpc_text(f) + 4, &b) != 0 || a != b)
		return chk_fail(c, "the same time from MDTM and MLST, "
				RFC3659("2.3") " (one time reference)",
				"MLST says modify=%s, MDTM says %s", mod,
				chk_said(f));
	return CHK_PASS;
}

static enum chk_result unique_ids(struct chk *c)
{
	struct ftpc_mlsx m;
	enum chk_result r;
	char b1[1024], b2[1024], u1[256];
	const char *u;

	if (mlst_ready(c, &r) != 0)
		return r;
	if (!fact_on(c, "unique"))
		return chk_skip(c, "FEAT does not announce the unique fact");
	if (populate(c, c->ctl) != 0 ||
	    chk_put(c, c->ctl, "f2", "x", 1) != 0 ||
	    mlst(c, c->ctl, "f1", b1, sizeof(b1), &m) != 0)
		return CHK_FAIL;
	u = ftpc_mlsx_fact(&m, "unique");
	snprintf(u1, sizeof(u1), "%s", u ? u : "");
	if (mlst(c, c->ctl, "f2", b2, sizeof(b2), &m) != 0)
		return CHK_FAIL;
	u = ftpc_mlsx_fact(&m, "unique");
	if (u1[0] == '\0' || u == NULL || strcmp(u1, u) == 0)
		return chk_fail(c, "different unique facts for different "
				"files, " RFC3659("7.5.2"), "f1 has unique=%s, "
				"f2 has unique=%s", u1, u ? u : "(none)");
	return CHK_PASS;
}

static enum chk_result stat_path(struct chk *c)
{
	struct ftpc *f = c->ctl;
	int code;

	if (populate(c, f) != 0)
		return CHK_FAIL;
	code = chk_cmd(c, f, "STAT %s", c->dir);
	if (code < 0)
		return CHK_FAIL;
	if (CHK_UNIMPLEMENTED(code) || code == 504)
		return chk_skip(c, "STAT with a path is not implemented (%d)",
				code);
	if (code != 211 && code != 212 && code != 213)
		return chk_fail(c, "212 or 213 with the listing, "
				RFC959("4.1.3") " (STAT)", "STAT of a folder "
				"was answered %s", chk_said(f));
	if (strstr(ftpc_text(f), "f1") == NULL)
		return chk_fail(c, "the folder's entries, like LIST, "
				RFC959("4.1.3"), "STAT of a folder holding f1 "
				"does not name it");
	return CHK_PASS;
}

const struct chk_def chk_list_suite[] = {
	{ "list", "list", 0, list, "LIST has a line for each entry" },
	{ "list", "list_file", 0, list_file, "LIST of a file gives its line" },
	{ "list", "nlst", 0, nlst, "NLST names exactly the entries" },
	{ "list", "nlst_dir", 0, nlst_dir, "NLST of another folder" },
	{ "list", "nlst_empty", 0, nlst_empty,
	  "NLST of an empty folder is empty (or 450/550)" },
	{ "list", "mlsd", 0, mlsd,
	  "MLSD lines and facts match the uploaded entries" },
	{ "list", "mlst", 0, mlst_file,
	  "MLST answers one fact line per RFC 3659, facts right" },
	{ "list", "mlsx_errors", 0, mlsx_errors,
	  "MLST of a missing name: 550; MLSD of a file: 501" },
	{ "list", "modify_is_mdtm", 0, modify_is_mdtm,
	  "the MLST modify fact equals MDTM" },
	{ "list", "unique_ids", 0, unique_ids,
	  "different files have different unique facts" },
	{ "list", "stat_path", 0, stat_path,
	  "STAT of a folder lists it on the control connection" },
	{ NULL, NULL, 0, NULL, NULL }
};
