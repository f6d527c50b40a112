/*
 * log_file.so: one file per category in `dir` (connections, auth, files,
 * admin, server), each event one line of key=value text or one JSON object,
 * written with a single write() so lines never interleave or split.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "modules/module.h"

/*
 * One value writes at most LF_VALUE_MAX bytes (escapes included) and then
 * "...", so every line an event can make fits in LF_LINE_MAX.
 */
#define LF_LINE_MAX 65536
#define LF_VALUE_MAX 8192

enum lf_cat { LF_CONN, LF_AUTH, LF_FILES, LF_ADMIN, LF_SERVER, LF_NCAT };

static const char *const lf_names[LF_NCAT] = {
	"connections.log", "auth.log", "files.log", "admin.log", "server.log"
};

struct lf_state {
	const struct cf_host *host;
	pthread_mutex_t dir_lock;	/* guards dir: reopen and reload */
	char dir[CF_PATH_MAX];
	atomic_int json;
	/* numbers stay fixed: reopen swaps the files under them with dup3 */
	int fd[LF_NCAT];
	int failing[LF_NCAT];		/* logger thread: report once */
	char line[LF_LINE_MAX];		/* logger thread only */
};

/* A line being built; `cut` once something did not fit. */
struct lf_line {
	char *p;
	size_t len, cap;
	int cut;
};

/* ---- building a line ---- */

static void lf_put(struct lf_line *l, const char *s, size_t n)
{
	if (l->cut || n > l->cap - l->len) {
		l->cut = 1;
		return;
	}
	memcpy(l->p + l->len, s, n);
	l->len += n;
}

static void lf_puts(struct lf_line *l, const char *s)
{
	lf_put(l, s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static void lf_printf(struct lf_line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->cut)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->p + l->len, l->cap - l->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= l->cap - l->len)
		l->cut = 1;
	else
		l->len += (size_t)n;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t lf_utf8(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* Printable ASCII without quotes, backslashes or '=' is written bare. */
static int lf_plain(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (*p == '\0')
		return 0;
	for (; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '"' || *p == '\\' ||
		    *p == '=')
			return 0;
	return 1;
}

/*
 * A value escaped for text (`json` 0) or JSON.  Control bytes never reach
 * the file raw, so a name with a newline cannot forge a line.
 */
static void lf_escape(struct lf_line *l, const char *s, int json)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), k, done = 0, start = l->len;
	char esc[8];

	for (; *p != '\0' && l->len - start < LF_VALUE_MAX;
	     p += k, done += k) {
		k = 1;
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			lf_put(l, esc, 2);
		} else if (*p == '\n' || *p == '\r' || *p == '\t') {
			lf_puts(l, *p == '\n' ? "\\n" : *p == '\r' ? "\\r"
					       : "\\t");
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof(esc), json ? "\\u%04x" : "\\x%02x",
				 *p);
			lf_puts(l, esc);
		} else if (*p < 0x80 || (k = lf_utf8(p, n - done)) != 0) {
			lf_put(l, (const char *)p, k);
		} else {
			k = 1;
			snprintf(esc, sizeof(esc), json ? "\\ufffd" : "\\x%02x",
				 *p);
			lf_puts(l, esc);
		}
	}
	if (*p != '\0')
		lf_puts(l, "...");
}

/* key=value (text) or ,"key":"value" (JSON); NULL values are left out. */
static void lf_str(struct lf_line *l, int json, const char *key,
		   const char *val)
{
	if (val == NULL)
		return;
	if (json) {
		lf_printf(l, ",\"%s\":\"", key);
		lf_escape(l, val, 1);
		lf_puts(l, "\"");
	} else if (lf_plain(val) && strlen(val) <= LF_VALUE_MAX) {
		lf_printf(l, " %s=%s", key, val);
	} else {
		lf_printf(l, " %s=\"", key);
		lf_escape(l, val, 0);
		lf_puts(l, "\"");
	}
}

static void lf_num(struct lf_line *l, int json, const char *key, uint64_t v)
{
	lf_printf(l, json ? ",\"%s\":%llu" : " %s=%llu", key,
		  (unsigned long long)v);
}

/* ---- events ---- */

static enum lf_cat lf_category(enum cf_event_type t)
{
	switch (t) {
	case CF_EV_CONNECT:
	case CF_EV_REFUSED:
	case CF_EV_DISCONNECT:
		return LF_CONN;
	case CF_EV_LOGIN:
	case CF_EV_LOGIN_FAIL:
	case CF_EV_LOGOUT:
		return LF_AUTH;
	case CF_EV_FILE:
	case CF_EV_TRANSFER:
		return LF_FILES;
	case CF_EV_ADMIN:
		return LF_ADMIN;
	case CF_EV_QUOTA:
	case CF_EV_SERVER:
		return LF_SERVER;
	default:
		return LF_NCAT;	/* commands: not logged in this version */
	}
}

static const char *lf_type_name(enum cf_event_type t)
{
	static const char *const names[] = {
		"CONNECT", "REFUSED", "DISCONNECT", "LOGIN", "LOGIN_FAIL",
		"LOGOUT", "COMMAND", "FILE", "TRANSFER", "ADMIN", "QUOTA",
		"SERVER"
	};

	if ((size_t)t < sizeof(names) / sizeof(names[0]))
		return names[t];
	return "EVENT";
}

static void lf_head(struct lf_line *l, int json, const struct cf_log_event *ev)
{
	struct timespec ts = ev->time;
	struct tm tm;
	char when[96], client[96];

	if (ts.tv_sec == 0 && ts.tv_nsec == 0)
		clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)(ts.tv_nsec / 1000000));
	if (ev->client_addr == NULL)
		snprintf(client, sizeof(client), "-");
	else if (strchr(ev->client_addr, ':') != NULL)
		snprintf(client, sizeof(client), "[%.64s]:%u",
			 ev->client_addr, ev->client_port);
	else
		snprintf(client, sizeof(client), "%.64s:%u", ev->client_addr,
			 ev->client_port);
	if (json) {
		lf_printf(l, "{\"time\":\"%s\"", when);
		if (ev->session_id != 0)
			lf_num(l, 1, "sid", ev->session_id);
		lf_str(l, 1, "client", ev->client_addr != NULL ? client : NULL);
		lf_str(l, 1, "user", ev->login);
		return;
	}
	lf_puts(l, when);
	if (ev->session_id != 0)
		lf_num(l, 0, "sid", ev->session_id);
	else
		lf_puts(l, " sid=-");
	lf_str(l, 0, "client", client);
	lf_str(l, 0, "user", ev->login != NULL ? ev->login : "-");
}

static void lf_format(struct lf_line *l, int json,
		      const struct cf_log_event *ev)
{
	int named = ev->action != NULL &&
		    (ev->type == CF_EV_FILE || ev->type == CF_EV_TRANSFER);
	char c[2] = { 0, 0 };

	lf_head(l, json, ev);
	lf_str(l, json, "event", named ? ev->action : lf_type_name(ev->type));
	if (!named)
		lf_str(l, json, "action", ev->action);
	lf_str(l, json, "path", ev->path);
	lf_str(l, json, "path2", ev->path2);
	if (ev->type == CF_EV_TRANSFER) {
		lf_num(l, json, "bytes", ev->bytes);
		c[0] = ev->direction == 'i' ? 'i' : 'o';
		lf_str(l, json, "direction", c);
		c[0] = ev->xfer_type == 'a' ? 'a' : 'b';
		lf_str(l, json, "type", c);
		lf_str(l, json, "complete", ev->complete ? "yes" : "no");
	}
	if (ev->type == CF_EV_DISCONNECT) {
		lf_num(l, json, "bytes_in", ev->bytes_in);
		lf_num(l, json, "bytes_out", ev->bytes_out);
	}
	if (ev->type == CF_EV_DISCONNECT || ev->type == CF_EV_TRANSFER)
		lf_num(l, json, "duration_ms", ev->duration_ms);
	if (ev->result != 0)
		lf_num(l, json, "result", (uint64_t)(unsigned)ev->result);
	lf_str(l, json, ev->type == CF_EV_LOGIN_FAIL ? "reason" : "detail",
	       ev->detail);
	if (json)
		lf_puts(l, "}");
}

static void lf_write(struct lf_state *st, enum lf_cat cat, const char *p,
		     size_t len)
{
	ssize_t n;

	do
		n = write(st->fd[cat], p, len);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)len) {
		st->failing[cat] = 0;
		return;
	}
	if (!st->failing[cat])
		st->host->log(CF_LOG_ERR, "log_file: cannot write %s: %s",
			      lf_names[cat], n < 0 ? strerror(errno)
						   : "short write");
	st->failing[cat] = 1;
}

static void lf_event(void *state, const struct cf_log_event *sent)
{
	struct lf_state *st = state;
	struct cf_log_event ev;
	struct lf_line l;
	enum lf_cat cat;
	int json = atomic_load(&st->json);

	/* a sender built against fewer fields leaves the rest unset */
	memset(&ev, 0, sizeof(ev));
	memcpy(&ev, sent, sent->size < sizeof(ev) ? sent->size : sizeof(ev));
	cat = lf_category(ev.type);
	if (cat == LF_NCAT)
		return;
	l.p = st->line;
	l.cap = sizeof(st->line) - 8;	/* room for the cut mark and '\n' */
	l.len = 0;
	l.cut = 0;
	lf_format(&l, json, &ev);
	if (l.cut) {
		/* cannot happen with the limits above; stay one valid line */
		l.len = 0;
		l.cut = 0;
		lf_head(&l, json, &ev);
		lf_str(&l, json, "event", lf_type_name(ev.type));
		lf_puts(&l, json ? ",\"truncated\":true}" : " truncated=yes");
	}
	l.p[l.len++] = '\n';
	lf_write(st, cat, l.p, l.len);
}

/* ---- files ---- */

static int lf_open_all(const char *dir, int *fds, char *err, size_t errlen)
{
	char path[CF_PATH_MAX + 32];
	int i, j;

	for (i = 0; i < LF_NCAT; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, lf_names[i]);
		fds[i] = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
			      O_NOFOLLOW, 0640);
		if (fds[i] < 0) {
			snprintf(err, errlen, "cannot open %s: %s", path,
				 strerror(errno));
			for (j = 0; j < i; j++)
				close(fds[j]);
			return -1;
		}
	}
	return 0;
}

/* Put the new files under the old descriptor numbers. */
static int lf_swap_in(struct lf_state *st, int *fds, char *err, size_t errlen)
{
	int i, rc = 0;

	for (i = 0; i < LF_NCAT; i++) {
		if (rc == 0 && dup3(fds[i], st->fd[i], O_CLOEXEC) < 0) {
			snprintf(err, errlen, "cannot reopen %s: %s",
				 lf_names[i], strerror(errno));
			rc = -1;
		}
		close(fds[i]);
	}
	return rc;
}

static void lf_reopen(void *state)
{
	struct lf_state *st = state;
	char err[CF_PATH_MAX + 128];
	int fds[LF_NCAT];

	pthread_mutex_lock(&st->dir_lock);
	if (lf_open_all(st->dir, fds, err, sizeof(err)) != 0 ||
	    lf_swap_in(st, fds, err, sizeof(err)) != 0)
		st->host->log(CF_LOG_ERR, "log_file: %s; writing on to the "
			      "files open before", err);
	pthread_mutex_unlock(&st->dir_lock);
}

/* ---- settings and life cycle ---- */

static int lf_parse(const struct cf_host *host, const struct cf_config *cfg,
		    char *dir, size_t dirlen, int *json, char *err,
		    size_t errlen)
{
	static const char *const known[] = { "dir", "format", NULL };
	const char *format = "text";
	char where[256];
	int r;

	if (host->cfg_check_keys(cfg, known, err, errlen) != 0)
		return -1;
	r = host->cfg_path(cfg, "dir", dir, dirlen);
	if (r != 0) {
		snprintf(err, errlen, "%s: log_file: %s", host->cfg_where(cfg,
			 r == 1 ? NULL : "dir", where, sizeof(where)),
			 r == 1 ? "needs `dir`, the folder of the log files"
				: "dir must be a path");
		return -1;
	}
	if (host->cfg_str(cfg, "format", &format) < 0 ||
	    (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)) {
		snprintf(err, errlen, "%s: log_file: format must be \"text\" "
			 "or \"json\"", host->cfg_where(cfg, "format", where,
							sizeof(where)));
		return -1;
	}
	*json = strcmp(format, "json") == 0;
	return 0;
}

static void lf_fini(void *state)
{
	struct lf_state *st = state;
	int i;

	if (st == NULL)
		return;
	for (i = 0; i < LF_NCAT; i++)
		if (st->fd[i] >= 0)
			close(st->fd[i]);
	pthread_mutex_destroy(&st->dir_lock);
	free(st);
}

static int lf_init(const struct cf_host *host, const struct cf_config *cfg,
		   void **state, char *err, size_t errlen)
{
	struct lf_state *st;
	char why[CF_PATH_MAX + 128], where[256];
	int json, i;

	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		snprintf(err, errlen, "log_file: out of memory");
		return -1;
	}
	for (i = 0; i < LF_NCAT; i++)
		st->fd[i] = -1;
	st->host = host;
	if (pthread_mutex_init(&st->dir_lock, NULL) != 0) {
		snprintf(err, errlen, "log_file: cannot create a lock");
		free(st);
		return -1;
	}
	if (lf_parse(host, cfg, st->dir, sizeof(st->dir), &json, err,
		     errlen) != 0)
		goto fail;
	atomic_store(&st->json, json);
	if (lf_open_all(st->dir, st->fd, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%s: log_file: cannot write in %s: %s",
			 host->cfg_where(cfg, "dir", where, sizeof(where)),
			 st->dir, why);
		goto fail;
	}
	*state = st;
	return 0;
fail:
	lf_fini(st);
	return -1;
}

static int lf_reload(void *state, const struct cf_config *cfg,
		     char *err, size_t errlen)
{
	struct lf_state *st = state;
	char dir[CF_PATH_MAX], why[CF_PATH_MAX + 128];
	int json, fds[LF_NCAT], rc = 0;

	if (lf_parse(st->host, cfg, dir, sizeof(dir), &json, err, errlen))
		return -1;
	pthread_mutex_lock(&st->dir_lock);
	if (strcmp(dir, st->dir) != 0) {
		if (lf_open_all(dir, fds, why, sizeof(why)) != 0 ||
		    lf_swap_in(st, fds, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "log_file: cannot write in %s: "
				 "%s", dir, why);
			rc = -1;
		} else {
			memcpy(st->dir, dir, sizeof(st->dir));
		}
	}
	pthread_mutex_unlock(&st->dir_lock);
	if (rc == 0)
		atomic_store(&st->json, json);
	return rc;
}

static const struct cf_log_ops lf_ops = {
	.event = lf_event,
	.reopen = lf_reopen,
};

static const struct cf_module lf_module = {
	CF_MODULE_HEADER,
	.name = "log_file",
	.version = "1.0",
	.init = lf_init,
	.fini = lf_fini,
	.log = &lf_ops,
	.reload = lf_reload,
};

const struct cf_module *cellftpd_module_v1(void)
{
	return &lf_module;
}
