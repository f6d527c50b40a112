/*
 * The helpers checks are written with: recording WARNINGs and skips,
 * opening traced connections, sending commands against expected reply
 * codes, and spotting real paths in anything the server says.
 */
#include "check.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOG_MAX_LINES	400
#define LINE_SHOWN	200
#define MAX_WARNINGS	8

/* A check's connection: the ftpc first, so the two pointers convert. */
struct chk_conn {
	struct ftpc f;
	struct chk *owner;
	unsigned id;
	char type;		/* the last TYPE sent: 'A', 'I', ... */
	char said[160];
};

static struct chk_conn *conn_of(struct ftpc *f)
{
	return (struct chk_conn *)f;
}

/* ------------------------------------------------------------ outcome */

/* Append s to b with control bytes escaped, at most max shown. */
static void add_printable(struct ftpc_buf *b, const char *s, size_t len,
			  size_t max)
{
	char esc[48];
	size_t i;

	for (i = 0; i < len && i < max; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch >= 0x20 && ch < 0x7f) {
			(void)ftpc_buf_add(b, s + i, 1);
		} else {
			snprintf(esc, sizeof(esc), "\\x%02x", ch);
			(void)ftpc_buf_add(b, esc, strlen(esc));
		}
	}
	if (len > max) {
		snprintf(esc, sizeof(esc), "...[%zu bytes]", len);
		(void)ftpc_buf_add(b, esc, strlen(esc));
	}
}

enum chk_result chk_fail(struct chk *c, const char *expected,
			 const char *fmt, ...)
{
	char what[1024];
	va_list ap;

	if (c->nwarn >= MAX_WARNINGS)
		return CHK_FAIL;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	(void)ftpc_buf_add(&c->warn, "WARNING: ", 9);
	add_printable(&c->warn, what, strlen(what), 600);
	(void)ftpc_buf_add(&c->warn, " (expected ", 11);
	(void)ftpc_buf_add(&c->warn, expected, strlen(expected));
	(void)ftpc_buf_add(&c->warn, ")\n", 2);
	c->nwarn++;
	return CHK_FAIL;
}

enum chk_result chk_skip(struct chk *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->skip, sizeof(c->skip), fmt, ap);
	va_end(ap);
	return CHK_SKIP;
}

void chk_unfail(struct chk *c)
{
	c->nwarn = 0;
	c->warn.len = 0;
	if (c->warn.p != NULL)
		c->warn.p[0] = '\0';
}

enum chk_result chk_done(struct chk *c)
{
	return c->nwarn > 0 ? CHK_FAIL : CHK_PASS;
}

static void log_line(struct chk *c, const char *tag, const char *s,
		     size_t len)
{
	const char *cut;

	if (c->loglines >= LOG_MAX_LINES) {
		/* Keep the recent half: failures show at the end. */
		cut = c->log.p;
		for (unsigned i = 0; i < LOG_MAX_LINES / 2 && cut; i++) {
			cut = strchr(cut, '\n');
			if (cut != NULL)
				cut++;
		}
		if (cut != NULL) {
			size_t drop = (size_t)(cut - c->log.p);
			static const char mark[] = "[earlier lines dropped]\n";

			memmove(c->log.p, cut, c->log.len - drop);
			c->log.len -= drop;
			c->log.p[c->log.len] = '\0';
			c->loglines -= LOG_MAX_LINES / 2;
			(void)ftpc_buf_add(&c->log, mark, sizeof(mark) - 1);
		}
	}
	(void)ftpc_buf_add(&c->log, tag, strlen(tag));
	add_printable(&c->log, s, len, LINE_SHOWN);
	(void)ftpc_buf_add(&c->log, "\n", 1);
	c->loglines++;
}

void chk_note(struct chk *c, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_line(c, "# ", buf, strlen(buf));
}

static void trace(void *arg, enum ftpc_dir dir, const char *line, size_t len)
{
	struct chk_conn *k = arg;
	struct chk *c = k->owner;
	char tag[16];

	if (c->nconns > 1 || k->id > 1)
		snprintf(tag, sizeof(tag), "%u%c ", k->id, (char)dir);
	else
		snprintf(tag, sizeof(tag), "%c ", (char)dir);
	log_line(c, tag, line, len);
	if (dir == FTPC_SENT) {
		size_t n = len < sizeof(c->last_sent) - 1 ? len :
			sizeof(c->last_sent) - 1;

		memcpy(c->last_sent, line, n);
		c->last_sent[n] = '\0';
		if (len > 5 && strncasecmp(line, "TYPE ", 5) == 0)
			k->type = (char)toupper((unsigned char)line[5]);
	} else if (dir == FTPC_RECV) {
		chk_scan_leak(c, line, len);
	}
}

/* -------------------------------------------------------- connections */

static struct ftpc *conn_new(struct chk *c)
{
	struct chk_conn *k;

	if (c->nconns >= CHK_CONNS) {
		chk_fail(c, "a check to need fewer connections",
			 "internal: too many connections");
		return NULL;
	}
	k = calloc(1, sizeof(*k));
	if (k == NULL) {
		chk_fail(c, "memory", "out of memory");
		return NULL;
	}
	ftpc_init(&k->f);
	k->owner = c;
	k->id = c->nconns + 1;
	k->f.trace = trace;
	k->f.trace_arg = k;
	k->f.cancel = c->env->cancel;
	c->conns[c->nconns++] = &k->f;
	return &k->f;
}

static int banner(struct chk *c, struct ftpc *f)
{
	int code, i;

	/* RFC 959 5.4: 120 (delay) may precede 220. */
	for (i = 0; i < 3; i++) {
		code = ftpc_reply(f);
		if (code != 120)
			break;
	}
	if (code == 220)
		return 0;
	if (code < 0)
		chk_fail(c, "220, " RFC959("5.4"), "no banner: %s", f->err);
	else
		chk_fail(c, "220, " RFC959("5.4"), "the banner was %s",
			 chk_said(f));
	return -1;
}

struct ftpc *chk_connect_to(struct chk *c, const struct sockaddr *sa,
			    socklen_t len)
{
	struct ftpc *f = conn_new(c);
	char host[64];

	if (f == NULL)
		return NULL;
	if (ftpc_connect_sa(f, sa, len) != 0) {
		if (ftpc_addr_str(sa, host, sizeof(host)) != 0)
			snprintf(host, sizeof(host), "?");
		chk_fail(c, "the server to accept a connection",
			 "could not connect to %s port %u: %s", host,
			 ftpc_addr_port(sa), f->err);
		return NULL;
	}
	if (banner(c, f) != 0)
		return NULL;
	if (c->env->tls && !(c->def->flags & CHK_NOTLS) &&
	    ftpc_auth_tls(f) != 0) {
		chk_fail(c, "234 and a TLS handshake, " RFC4217("4"),
			 "AUTH TLS failed: %s%s%s", f->err,
			 f->reply.code > 0 ? ", the reply was " : "",
			 f->reply.code > 0 ? chk_said(f) : "");
		return NULL;
	}
	return f;
}

struct ftpc *chk_connect(struct chk *c)
{
	return chk_connect_to(c, (const struct sockaddr *)&c->env->addr,
			      c->env->addrlen);
}

int chk_login(struct chk *c, struct ftpc *f, const char *user,
	      const char *pass)
{
	int code = ftpc_login(f, user, pass);

	if (code != 230 && code != 202) {
		if (code < 0)
			chk_fail(c, "230, " RFC959("5.4"),
				 "no reply while logging in as %s: %s", user,
				 f->err);
		else
			chk_fail(c, "230, " RFC959("5.4"),
				 "logging in as %s was answered %s", user,
				 chk_said(f));
		return -1;
	}
	if (ftpc_is_tls(f) && ftpc_prot(f, 'P') != 0) {
		chk_fail(c, "200 to PBSZ 0 and PROT P, " RFC4217("8-9"),
			 "protecting the data failed: %s", f->reply.code > 0 ?
			 chk_said(f) : f->err);
		return -1;
	}
	return 0;
}

void chk_hangup(struct chk *c, struct ftpc *f)
{
	unsigned i;

	for (i = 0; i < c->nconns; i++)
		if (c->conns[i] == f)
			break;
	if (i == c->nconns)
		return;
	f->timeout_ms = 2000;
	(void)ftpc_quit(f);
	free(conn_of(f));
	c->conns[i] = c->conns[--c->nconns];
}

/* ----------------------------------------------------------- commands */

int chk_type_ascii(struct ftpc *f)
{
	return conn_of(f)->type == 'A';
}

int chk_code_in(int code, const char *codes)
{
	char d[4];
	const char *p;

	snprintf(d, sizeof(d), "%03d", code);
	for (p = codes; *p != '\0'; p += *p == ' ') {
		if ((p[0] == d[0] || p[0] == 'x') &&
		    (p[1] == d[1] || p[1] == 'x') &&
		    (p[2] == d[2] || p[2] == 'x'))
			return 1;
		p += 3;
	}
	return 0;
}

void chk_codes_words(const char *codes, char *out, size_t len)
{
	size_t n = 0;
	const char *p;

	out[0] = '\0';
	for (p = codes; *p != '\0' && n + 8 < len; p++) {
		if (*p == ' ') {
			memcpy(out + n, " or ", 4);
			n += 4;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
}

const char *chk_said(struct ftpc *f)
{
	struct chk_conn *k = conn_of(f);
	const char *t = ftpc_text(f);
	size_t n = strcspn(t, "\n");

	if (f->reply.code <= 0)
		snprintf(k->said, sizeof(k->said), "nothing (%.120s)", f->err);
	else if (n > 120)
		snprintf(k->said, sizeof(k->said), "\"%.120s...\"", t);
	else
		snprintf(k->said, sizeof(k->said), "\"%.*s\"", (int)n, t);
	return k->said;
}

static int vcmd(struct chk *c, struct ftpc *f, char *shown, size_t len,
		const char *fmt, va_list ap)
{
	char line[4096];
	int code;

	vsnprintf(line, sizeof(line), fmt, ap);
	if (strncasecmp(line, "PASS ", 5) == 0)
		snprintf(shown, len, "PASS ********");
	else
		snprintf(shown, len, "%.100s%s", line,
			 strlen(line) > 100 ? "..." : "");
	code = ftpc_cmd(f, "%s", line);
	if (code < 0)
		chk_fail(c, "a reply", "%s got no reply: %s", shown, f->err);
	return code;
}

int chk_cmd(struct chk *c, struct ftpc *f, const char *fmt, ...)
{
	char shown[128];
	va_list ap;
	int code;

	va_start(ap, fmt);
	code = vcmd(c, f, shown, sizeof(shown), fmt, ap);
	va_end(ap);
	return code;
}

int chk_expect(struct chk *c, struct ftpc *f, const char *codes,
	       const char *rfc, const char *fmt, ...)
{
	char shown[128], want[256];
	va_list ap;
	int code;

	va_start(ap, fmt);
	code = vcmd(c, f, shown, sizeof(shown), fmt, ap);
	va_end(ap);
	if (code < 0)
		return -1;
	if (chk_code_in(code, codes))
		return code;
	chk_codes_words(codes, want, sizeof(want));
	snprintf(want + strlen(want), sizeof(want) - strlen(want), ", %s",
		 rfc);
	chk_fail(c, want, "%s was answered %s", shown, chk_said(f));
	return -1;
}

/* --------------------------------------------------------------- leaks */

/* Whether prefix (before the scratch name) is a path the client uses. */
static int prefix_ok(struct chk *c, const char *s, size_t len, size_t tl)
{
	char norm[CHK_PATH], word[CHK_PATH + 64];
	const char *base = c->env->base;
	size_t n = 0, i, bl = strlen(base);

	for (i = 0; i < len && n + 1 < sizeof(norm); i++)
		if (!(s[i] == '/' && n > 0 && norm[n - 1] == '/'))
			norm[n++] = s[i];
	norm[n] = '\0';
	if (n == 0)
		return 1;
	/* The login directory, with one slash after it. */
	if (strncmp(norm, base, bl) == 0 &&
	    (norm[bl] == '\0' ? bl > 0 && base[bl - 1] == '/' :
	     norm[bl] == '/' && norm[bl + 1] == '\0'))
		return 1;
	/* An echo of what the client itself sent. */
	if (len + tl < sizeof(word)) {
		memcpy(word, s, len);
		memcpy(word + len, c->env->token, tl);
		word[len + tl] = '\0';
		if (strstr(c->last_sent, word) != NULL)
			return 1;
	}
	return 0;
}

void chk_scan_leak(struct chk *c, const char *text, size_t len)
{
	const char *tok = c->env->token, *p, *s, *end = text + len;
	size_t tl = strlen(tok);

	if (tl == 0 || c->leak_seen)
		return;
	for (p = text; (p = memmem(p, (size_t)(end - p), tok, tl)) != NULL;
	     p += tl) {
		for (s = p; s > text && (unsigned char)s[-1] > ' ' &&
		     strchr("\"'(<[=:,;", s[-1]) == NULL; s--)
			;
		if (prefix_ok(c, s, (size_t)(p - s), tl))
			continue;
		c->leak_seen = 1;
		chk_fail(c, "paths only as the session sees them: the scratch "
			 "folder is seen as under the login directory",
			 "the server showed \"%.*s%s\", a path the session "
			 "never used (a real path?)", (int)(p - s), s, tok);
		return;
	}
}
