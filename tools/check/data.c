/*
 * Check helpers around files: uploads, downloads and listings with their
 * reply sequence verified (1xx, then 226/250), test data, comparisons,
 * and what the server announced (FEAT lines, SITE HELP words).
 */
#include "check.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define LIST_LIMIT	(16u << 20)

const char *chk_path(struct chk *c, const char *name)
{
	char *p = c->pathbuf[c->pathi++ % 4];
	const char *dir = c->dir[0] != '\0' ? c->dir : c->env->scratch;

	/* A path too long for the buffer is cut; the server says 550. */
	if (snprintf(p, CHK_PATH, "%s%s%s", dir,
		     dir[strlen(dir) - 1] == '/' ? "" : "/", name) >= CHK_PATH)
		p[CHK_PATH - 1] = '\0';
	return p;
}

/* Did the transfer run as RFC 959 5.4 says: 1xx, data, then 2xx? */
static int xfer_ok(struct chk *c, struct ftpc *f, const struct ftpc_xfer *x,
		   const char *what)
{
	if (x->prelim == 0) {
		if (x->final > 0)
			chk_fail(c, "125 or 150, then the data, " RFC959("5.4"),
				 "%s was answered %s", what, chk_said(f));
		else
			chk_fail(c, "a data connection, " RFC959("3.2"),
				 "%s: the data connection failed: %s", what,
				 f->err);
		return -1;
	}
	if (x->data_error) {
		chk_fail(c, "the data to flow, " RFC959("3.2"),
			 "%s: the data connection failed: %s", what, f->err);
		return -1;
	}
	if (x->final != 226 && x->final != 250) {
		chk_fail(c, "226 or 250 after the data, " RFC959("5.4"),
			 "%s ended with %s", what, chk_said(f));
		return -1;
	}
	return 0;
}

int chk_put(struct chk *c, struct ftpc *f, const char *path,
	    const void *data, size_t len)
{
	struct ftpc_xfer x;
	char what[CHK_PATH + 16];

	snprintf(what, sizeof(what), "STOR %s", path);
	ftpc_put(f, c->dmode, data, len, &x, "STOR %s", path);
	return xfer_ok(c, f, &x, what);
}

int chk_get(struct chk *c, struct ftpc *f, const char *path,
	    struct ftpc_buf *out)
{
	struct ftpc_xfer x;
	char what[CHK_PATH + 16];

	out->len = 0;
	snprintf(what, sizeof(what), "RETR %s", path);
	ftpc_get(f, c->dmode, out, CHK_BIG_LIMIT, &x, "RETR %s", path);
	return xfer_ok(c, f, &x, what);
}

int chk_listing(struct chk *c, struct ftpc *f, const char *cmd,
		struct ftpc_buf *out)
{
	struct ftpc_buf raw = { 0 };
	struct ftpc_xfer x;
	const char *p, *nl, *end;
	size_t n;
	int r = -1, bare = 0;

	out->len = 0;
	(void)ftpc_buf_add(out, "", 0);
	ftpc_get(f, c->dmode, &raw, LIST_LIMIT, &x, "%s", cmd);
	if (xfer_ok(c, f, &x, cmd) != 0)
		goto out;
	chk_scan_leak(c, raw.p != NULL ? raw.p : "", raw.len);
	end = raw.p + raw.len;
	for (p = raw.p; p != NULL && p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL) {
			chk_fail(c, "every line ended by CRLF, " RFC959("3.1.1"),
				 "%s: the last line has no end of line", cmd);
			goto out;
		}
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		else
			bare++;
		chk_note(c, "data: %.*s", (int)(n > 160 ? 160 : n), p);
		(void)ftpc_buf_add(out, p, n);
		(void)ftpc_buf_add(out, "\n", 1);
	}
	/* MLSD lines always end in CRLF; LIST/NLST when asked in TYPE A. */
	if (bare > 0 && (strncasecmp(cmd, "MLSD", 4) == 0 ||
			 chk_type_ascii(f))) {
		chk_fail(c, "CRLF line ends in listings, " RFC959("3.1.1.1")
			 " and " RFC3659("7.2"),
			 "%s: %d line(s) ended by a bare LF", cmd, bare);
		goto out;
	}
	r = 0;
out:
	ftpc_buf_free(&raw);
	return r;
}

int chk_names(struct chk *c, struct ftpc *f, const char *path,
	      struct ftpc_buf *out)
{
	struct ftpc_buf lines = { 0 };
	char cmd[CHK_PATH + 8];
	const char *p, *nl, *slash;
	int r;

	out->len = 0;
	(void)ftpc_buf_add(out, "", 0);
	snprintf(cmd, sizeof(cmd), "NLST%s%s", path ? " " : "", path ? path : "");
	r = chk_listing(c, f, cmd, &lines);
	for (p = lines.p; r == 0 && p != NULL && *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		/* Some servers answer NLST dir with dir/name: keep the name. */
		slash = memrchr(p, '/', (size_t)(nl - p));
		if (slash != NULL)
			p = slash + 1;
		/* RFC 959 does not say whether "." and ".." are names in a
		 * directory; some servers list them: not held against them. */
		if ((nl - p == 1 && p[0] == '.') ||
		    (nl - p == 2 && p[0] == '.' && p[1] == '.'))
			continue;
		(void)ftpc_buf_add(out, p, (size_t)(nl - p) + 1);
	}
	ftpc_buf_free(&lines);
	return r;
}

int chk_has_name(const struct ftpc_buf *names, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = names->p; p != NULL && *p != '\0'; p = strchr(p, '\n') + 1)
		if (strncmp(p, name, n) == 0 && p[n] == '\n')
			return 1;
	return 0;
}

void chk_fill(void *buf, size_t len, unsigned seed)
{
	unsigned char *p = buf;
	unsigned long long x = 0x9e3779b97f4a7c15ull ^ seed;
	size_t i;

	for (i = 0; i < len; i++) {
		/* xorshift64*: fast, every byte value, no libc state. */
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		p[i] = (unsigned char)((x * 0x2545f4914f6cdd1dull) >> 56);
	}
	/* Make sure the awkward bytes are there even in tiny buffers. */
	if (len >= 6)
		memcpy(p + len / 2 - 3, "\r\n\0\xff\n\r", 6);
}

long long chk_diff_at(const void *a, size_t alen, const void *b, size_t blen)
{
	const unsigned char *x = a, *y = b;
	size_t i, n = alen < blen ? alen : blen;

	for (i = 0; i < n; i++)
		if (x[i] != y[i])
			return (long long)i;
	return alen == blen ? -1 : (long long)n;
}

const char *chk_feat_line(const struct chk_env *env, const char *name)
{
	size_t n = strlen(name);
	unsigned i;

	for (i = 0; i < env->nfeat; i++)
		if (strncasecmp(env->feat[i], name, n) == 0 &&
		    (env->feat[i][n] == '\0' || env->feat[i][n] == ' '))
			return env->feat[i];
	return NULL;
}

int chk_feat(const struct chk_env *env, const char *name)
{
	return chk_feat_line(env, name) != NULL;
}

int chk_site_has(const char *help, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = help; (p = strcasestr(p, word)) != NULL; p += n) {
		if (p > help && isalnum((unsigned char)p[-1]))
			continue;
		if (isalnum((unsigned char)p[n]))
			continue;
		return 1;
	}
	return 0;
}
