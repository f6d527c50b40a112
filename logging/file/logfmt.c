/*
 * Log line formatting (see logfmt.h).  Nothing here allocates or does I/O:
 * a line is built in the caller's buffer, and every value is escaped so a
 * file name with a newline or a quote cannot forge a line or a field.
 */
#include "logfmt.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char *const lfmt_days[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *const lfmt_months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* ---- building a line ---- */

void lfmt_init(struct lfmt_line *l, char *buf, size_t cap, size_t value_max)
{
	l->p = buf;
	l->len = 0;
	l->cap = cap;
	l->value_max = value_max;
	l->cut = 0;
}

static void lfmt_put(struct lfmt_line *l, const char *s, size_t n)
{
	if (l->cut || n > l->cap - l->len) {
		l->cut = 1;
		return;
	}
	memcpy(l->p + l->len, s, n);
	l->len += n;
}

static void lfmt_puts(struct lfmt_line *l, const char *s)
{
	lfmt_put(l, s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static void lfmt_printf(struct lfmt_line *l, const char *fmt, ...)
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
static size_t lfmt_utf8(const unsigned char *s, size_t n)
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
static int lfmt_plain(const char *s)
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
 * A value escaped for text (`json` 0) or JSON, at most value_max bytes
 * and then "...".  Control bytes never reach the file raw.
 */
static void lfmt_escape(struct lfmt_line *l, const char *s, int json)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), k, done = 0, start = l->len;
	char esc[8];

	for (; *p != '\0' && l->len - start < l->value_max;
	     p += k, done += k) {
		k = 1;
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			lfmt_put(l, esc, 2);
		} else if (*p == '\n' || *p == '\r' || *p == '\t') {
			lfmt_puts(l, *p == '\n' ? "\\n" : *p == '\r' ? "\\r"
							  : "\\t");
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof(esc), json ? "\\u%04x" : "\\x%02x",
				 *p);
			lfmt_puts(l, esc);
		} else if (*p < 0x80 || (k = lfmt_utf8(p, n - done)) != 0) {
			lfmt_put(l, (const char *)p, k);
		} else {
			k = 1;
			snprintf(esc, sizeof(esc), json ? "\\ufffd" : "\\x%02x",
				 *p);
			lfmt_puts(l, esc);
		}
	}
	if (*p != '\0')
		lfmt_puts(l, "...");
}

/* key=value (text) or ,"key":"value" (JSON); NULL values are left out. */
static void lfmt_str(struct lfmt_line *l, int json, const char *key,
		     const char *val)
{
	if (val == NULL)
		return;
	if (json) {
		lfmt_printf(l, ",\"%s\":\"", key);
		lfmt_escape(l, val, 1);
		lfmt_puts(l, "\"");
	} else if (lfmt_plain(val) && strlen(val) <= l->value_max) {
		lfmt_printf(l, " %s=%s", key, val);
	} else {
		lfmt_printf(l, " %s=\"", key);
		lfmt_escape(l, val, 0);
		lfmt_puts(l, "\"");
	}
}

static void lfmt_num(struct lfmt_line *l, int json, const char *key,
		     uint64_t v)
{
	lfmt_printf(l, json ? ",\"%s\":%llu" : " %s=%llu", key,
		    (unsigned long long)v);
}

static void lfmt_bool(struct lfmt_line *l, int json, const char *key, int v)
{
	if (json)
		lfmt_printf(l, ",\"%s\":%s", key, v ? "true" : "false");
	else
		lfmt_printf(l, " %s=%s", key, v ? "yes" : "no");
}

/* ---- events ---- */

void lfmt_event_copy(struct cf_log_event *dst, const struct cf_log_event *src)
{
	size_t n = src->size < sizeof(*dst) ? src->size : sizeof(*dst);

	memset(dst, 0, sizeof(*dst));
	memcpy(dst, src, n);
	dst->size = sizeof(*dst);
}

const char *lfmt_type_name(enum cf_event_type t)
{
	static const char *const names[] = {
		"CONNECT", "REFUSED", "DISCONNECT", "LOGIN", "LOGIN_FAIL",
		"LOGOUT", "COMMAND", "FILE", "TRANSFER", "ADMIN", "QUOTA",
		"SERVER", "REGISTER"
	};

	if ((size_t)t < sizeof(names) / sizeof(names[0]))
		return names[t];
	return "EVENT";
}

int lfmt_is_file_xfer(const char *action)
{
	return action != NULL &&
	       (strcmp(action, "RETR") == 0 || strcmp(action, "STOR") == 0 ||
		strcmp(action, "APPE") == 0 || strcmp(action, "STOU") == 0);
}

/* What `detail` means for each event, as its key in the line. */
static const char *lfmt_detail_key(enum cf_event_type t)
{
	switch (t) {
	case CF_EV_REFUSED:
	case CF_EV_DISCONNECT:
	case CF_EV_LOGIN_FAIL:
	case CF_EV_QUOTA:
		return "reason";
	case CF_EV_COMMAND:
		return "arg";
	case CF_EV_ADMIN:
	case CF_EV_REGISTER:
		return "args";
	case CF_EV_SERVER:
		return "message";
	default:
		return "detail";
	}
}

/*
 * Words of a SITE argument.  The core splits on spaces only; a tab splits
 * here too, so a mistyped command cannot carry a password past the mask.
 */
static size_t lfmt_word(const char *s)
{
	return strcspn(s, " \t");
}

static const char *lfmt_skip_spaces(const char *s)
{
	return s + strspn(s, " \t");
}

static int lfmt_has_pass(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 4 <= n; i++)
		if (strncasecmp(s + i, "PASS", 4) == 0)
			return 1;
	return 0;
}

/*
 * SITE REGISTER|USERADD <login> <password> [...]: keep "<sub> <login>".
 * SITE PASSWD takes "<old> <new>" from a user but "<login> <new>" from an
 * admin, which the event does not tell apart: keep "<sub>" only.
 */
static const char *lfmt_mask_site(const char *arg, char *buf, size_t buflen)
{
	const char *sub = lfmt_skip_spaces(arg), *login, *rest;
	size_t sublen = lfmt_word(sub), loginlen;

	login = lfmt_skip_spaces(sub + sublen);
	loginlen = lfmt_word(login);
	rest = lfmt_skip_spaces(login + loginlen);
	if (*login == '\0')
		return arg;
	if (lfmt_has_pass(sub, sublen)) {		/* PASSWD, CHPASS... */
		snprintf(buf, buflen, "%.*s %s", (int)sublen, sub, LFMT_MASK);
		return buf;
	}
	if (!(sublen == 8 && strncasecmp(sub, "REGISTER", 8) == 0) &&
	    !(sublen == 7 && strncasecmp(sub, "USERADD", 7) == 0))
		return arg;
	if (*rest == '\0')
		snprintf(buf, buflen, "%.*s %.*s", (int)sublen, sub,
			 (int)loginlen, login);
	else
		snprintf(buf, buflen, "%.*s %.*s %s", (int)sublen, sub,
			 (int)loginlen, login, LFMT_MASK);
	return buf;
}

const char *lfmt_mask_arg(const char *verb, const char *arg, char *buf,
			  size_t buflen)
{
	if (verb == NULL || arg == NULL)
		return arg;
	if (strcasecmp(verb, "PASS") == 0 || strcasecmp(verb, "ACCT") == 0)
		return LFMT_MASK;
	if (strcasecmp(verb, "SITE") == 0)
		return lfmt_mask_site(arg, buf, buflen);
	return arg;
}

static struct timespec lfmt_when(const struct cf_log_event *ev)
{
	struct timespec ts = ev->time;

	if (ts.tv_sec == 0 && ts.tv_nsec == 0)
		clock_gettime(CLOCK_REALTIME, &ts);
	return ts;
}

/* Time, session, client and user: the same first fields on every line. */
static void lfmt_head(struct lfmt_line *l, enum lfmt_style style,
		      const struct cf_log_event *ev)
{
	int json = style == LFMT_JSON;
	struct timespec ts = lfmt_when(ev);
	struct tm tm;
	char when[64], client[96];

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
		lfmt_printf(l, "{\"time\":\"%s\"", when);
		if (ev->session_id != 0)
			lfmt_num(l, 1, "sid", ev->session_id);
		else
			lfmt_puts(l, ",\"sid\":null");
		if (ev->client_addr != NULL)
			lfmt_str(l, 1, "client", client);
		else
			lfmt_puts(l, ",\"client\":null");
		if (ev->login != NULL)
			lfmt_str(l, 1, "user", ev->login);
		else
			lfmt_puts(l, ",\"user\":null");
		return;
	}
	if (style == LFMT_TEXT)
		lfmt_printf(l, "%s ", when);
	if (ev->session_id != 0)
		lfmt_printf(l, "sid=%llu", (unsigned long long)ev->session_id);
	else
		lfmt_puts(l, "sid=-");
	lfmt_str(l, 0, "client", client);
	lfmt_str(l, 0, "user", ev->login != NULL ? ev->login : "-");
}

/* The event name and the name of its `action`, per event type. */
static const char *lfmt_name(const struct cf_log_event *ev,
			     const char **action_key)
{
	*action_key = "action";
	switch (ev->type) {
	case CF_EV_FILE:
	case CF_EV_TRANSFER:
		if (ev->action != NULL) {
			*action_key = NULL;
			return ev->action;
		}
		break;
	case CF_EV_REGISTER:
		*action_key = NULL;	/* always "REGISTER" */
		break;
	case CF_EV_COMMAND:
		*action_key = "command";
		break;
	default:
		break;
	}
	return lfmt_type_name(ev->type);
}

static void lfmt_body(struct lfmt_line *l, int json,
		      const struct cf_log_event *ev)
{
	const char *action_key, *name = lfmt_name(ev, &action_key);
	const char *detail = ev->detail;
	char masked[512], c[2] = { 0, 0 };

	lfmt_str(l, json, "event", name);
	if (action_key != NULL)
		lfmt_str(l, json, action_key, ev->action);
	lfmt_str(l, json, "path", ev->path);
	lfmt_str(l, json, "path2", ev->path2);
	if (ev->type == CF_EV_TRANSFER || ev->type == CF_EV_QUOTA)
		lfmt_num(l, json, "bytes", ev->bytes);
	if (ev->type == CF_EV_TRANSFER) {
		c[0] = ev->direction == 'i' ? 'i' : 'o';
		lfmt_str(l, json, "direction", c);
		c[0] = ev->xfer_type == 'a' ? 'a' : 'b';
		lfmt_str(l, json, "type", c);
		lfmt_bool(l, json, "complete", ev->complete);
	}
	if (ev->type == CF_EV_DISCONNECT) {
		lfmt_num(l, json, "bytes_in", ev->bytes_in);
		lfmt_num(l, json, "bytes_out", ev->bytes_out);
	}
	if (ev->type == CF_EV_DISCONNECT || ev->type == CF_EV_TRANSFER)
		lfmt_num(l, json, "duration_ms", ev->duration_ms);
	/* defence in depth: the core masks these too */
	if (ev->type == CF_EV_COMMAND)
		detail = lfmt_mask_arg(ev->action, detail, masked,
				       sizeof(masked));
	lfmt_str(l, json, lfmt_detail_key(ev->type), detail);
	if (ev->result != 0)
		lfmt_num(l, json, "result", (uint64_t)(unsigned)ev->result);
}

void lfmt_event(struct lfmt_line *l, enum lfmt_style style,
		const struct cf_log_event *ev)
{
	int json = style == LFMT_JSON;

	l->len = 0;
	l->cut = 0;
	lfmt_head(l, style, ev);
	lfmt_body(l, json, ev);
	if (json)
		lfmt_puts(l, "}");
	if (!l->cut)
		return;
	/* a buffer too small for the values: stay one valid, marked line */
	l->len = 0;
	l->cut = 0;
	lfmt_head(l, style, ev);
	lfmt_str(l, json, "event", lfmt_type_name(ev->type));
	lfmt_puts(l, json ? ",\"truncated\":true}" : " truncated=yes");
	if (l->cut)
		l->len = 0;
}

/* ---- xferlog ---- */

/*
 * A file name as one xferlog field: tools split the line on spaces, so a
 * space becomes '_' (as vsftpd writes it); control bytes and invalid UTF-8
 * become '?'.
 */
static void lfmt_xfer_name(struct lfmt_line *l, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), k, done = 0, start = l->len;

	if (*p == '\0') {
		lfmt_puts(l, "-");
		return;
	}
	for (; *p != '\0' && l->len - start < l->value_max;
	     p += k, done += k) {
		k = 1;
		if (*p == ' ')
			lfmt_puts(l, "_");
		else if (*p < 0x20 || *p == 0x7f)
			lfmt_puts(l, "?");
		else if (*p < 0x80 || (k = lfmt_utf8(p, n - done)) != 0)
			lfmt_put(l, (const char *)p, k);
		else {
			k = 1;
			lfmt_puts(l, "?");
		}
	}
	if (*p != '\0')
		lfmt_puts(l, "...");
}

void lfmt_xferlog(struct lfmt_line *l, const struct cf_log_event *ev)
{
	struct timespec ts = lfmt_when(ev);
	uint64_t secs = (ev->duration_ms + 500) / 1000;
	struct tm tm;

	l->len = 0;
	l->cut = 0;
	gmtime_r(&ts.tv_sec, &tm);
	/* xferlog tools divide by the time: never 0, as vsftpd writes it */
	if (secs == 0)
		secs = 1;
	lfmt_printf(l, "%s %s %2d %02d:%02d:%02d %04d %llu ",
		    lfmt_days[tm.tm_wday % 7], lfmt_months[tm.tm_mon % 12],
		    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		    tm.tm_year + 1900, (unsigned long long)secs);
	lfmt_xfer_name(l, ev->client_addr != NULL ? ev->client_addr : "-");
	lfmt_printf(l, " %llu ", (unsigned long long)ev->bytes);
	lfmt_xfer_name(l, ev->path != NULL ? ev->path : "-");
	lfmt_printf(l, " %c _ %c r ", ev->xfer_type == 'a' ? 'a' : 'b',
		    ev->direction == 'i' ? 'i' : 'o');
	lfmt_xfer_name(l, ev->login != NULL ? ev->login : "-");
	lfmt_printf(l, " ftp 0 * %c", ev->complete ? 'c' : 'i');
	if (l->cut)
		l->len = 0;
}
