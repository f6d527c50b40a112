/*
 * Unit tests for the log plugins: the shared line formats (logfmt.c:
 * text, JSON, xferlog, password masking), log_file.so and log_syslog.so
 * driven through a fake host.  Each test works in its own mkdtemp folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "logging/file/logfmt.h"
#include "modules/module.h"

#define T0 1795493178		/* Tue 2026-11-24T04:06:18Z */
#define HEAD "2026-11-24T04:06:18.123Z sid=12 client=127.0.0.1:51234 "

struct tmp {
	char dir[64];
};

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) == 0 ? 0 : -1;
}

static int tmp_setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return -1;
	strcpy(t->dir, "/tmp/test_logfmt.XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return -1;
	*state = t;
	return 0;
}

static int tmp_teardown(void **state)
{
	struct tmp *t = *state;

	chmod(t->dir, 0700);
	if (nftw(t->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "teardown: cannot remove %s\n", t->dir);
	free(t);
	return 0;
}

static const char *get_file(const char *path)
{
	static char buf[1 << 16];
	FILE *fp = fopen(path, "r");
	size_t n;

	if (fp == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static const char *log_of(const struct tmp *t, const char *name)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", t->dir, name);
	return get_file(p);
}

static void put_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
}

#define assert_has(hay, needle) do {					\
	const char *h_ = (hay), *n_ = (needle);				\
	if (h_ == NULL || strstr(h_, n_) == NULL)			\
		fail_msg("\"%s\" not in \"%s\"", n_, h_ ? h_ : "(null)"); \
} while (0)

#define assert_lacks(hay, needle) do {					\
	const char *h_ = (hay), *n_ = (needle);				\
	if (h_ != NULL && strstr(h_, n_) != NULL)			\
		fail_msg("\"%s\" found in \"%s\"", n_, h_);		\
} while (0)

/* ---- a fake host: config entries are key/value lists ---- */

struct cf_config {
	const char *kv[32];	/* key, value, ..., NULL */
};

static pthread_mutex_t fh_lock = PTHREAD_MUTEX_INITIALIZER;
static char fh_logged[8192];	/* every host->log message, one a line */

static int fc_index(const struct cf_config *c, const char *key)
{
	int i;

	for (i = 0; key != NULL && c->kv[i] != NULL; i += 2)
		if (strcmp(c->kv[i], key) == 0)
			return i;
	return -1;
}

static int fc_str(const struct cf_config *c, const char *key,
		  const char **out)
{
	int i = fc_index(c, key);

	if (i < 0)
		return 1;
	if (strcmp(c->kv[i + 1], "<int>") == 0)
		return -1;	/* a value of the wrong type */
	*out = c->kv[i + 1];
	return 0;
}

static int fc_int(const struct cf_config *c, const char *key, long long *out)
{
	return 1;
}

static int fc_bool(const struct cf_config *c, const char *key, int *out)
{
	const char *v;

	if (fc_str(c, key, &v) != 0)
		return 1;
	if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
		return -1;
	*out = strcmp(v, "true") == 0;
	return 0;
}

static int fc_size(const struct cf_config *c, const char *key, uint64_t *out)
{
	return 1;
}

static int fc_path(const struct cf_config *c, const char *key, char *out,
		   size_t outlen)
{
	const char *v;
	int r = fc_str(c, key, &v);

	if (r != 0)
		return r;
	if (*v == '\0')
		return -1;
	snprintf(out, outlen, "%s", v);
	return 0;
}

/* A key's "line" is 10 + its pair index; the entry itself is line 1. */
static const char *fc_where(const struct cf_config *c, const char *key,
			    char *buf, size_t len)
{
	int i = fc_index(c, key);

	snprintf(buf, len, "test.conf:%d", i < 0 ? 1 : 10 + i / 2);
	return buf;
}

static int fc_check_keys(const struct cf_config *c, const char *const *known,
			 char *err, size_t errlen)
{
	size_t i, k;

	for (i = 0; c->kv[i] != NULL; i += 2) {
		for (k = 0; known[k] != NULL; k++)
			if (strcmp(known[k], c->kv[i]) == 0)
				break;
		if (known[k] == NULL) {
			snprintf(err, errlen, "test.conf:%zu: unknown key %s",
				 10 + i / 2, c->kv[i]);
			return -1;
		}
	}
	return 0;
}

__attribute__((format(printf, 2, 3)))
static void fh_log(enum cf_level level, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	pthread_mutex_lock(&fh_lock);
	n = strlen(fh_logged);
	va_start(ap, fmt);
	vsnprintf(fh_logged + n, sizeof(fh_logged) - n, fmt, ap);
	va_end(ap);
	n = strlen(fh_logged);
	if (n + 1 < sizeof(fh_logged))
		strcpy(fh_logged + n, "\n");
	pthread_mutex_unlock(&fh_lock);
}

static void fh_clear(void)
{
	pthread_mutex_lock(&fh_lock);
	fh_logged[0] = '\0';
	pthread_mutex_unlock(&fh_lock);
}

static const struct cf_host fh_host = {
	.abi_major = CELLFTPD_ABI_MAJOR,
	.abi_minor = CELLFTPD_ABI_MINOR,
	.size = sizeof(struct cf_host),
	.server_root = "/nonexistent",
	.log = fh_log,
	.cfg_str = fc_str,
	.cfg_int = fc_int,
	.cfg_bool = fc_bool,
	.cfg_size = fc_size,
	.cfg_path = fc_path,
	.cfg_where = fc_where,
	.cfg_check_keys = fc_check_keys,
};

struct plug {
	void *dl;
	const struct cf_module *m;
	void *st;
};

/* dlopen a built plugin: meson builds them before running the tests. */
static void plug_open(struct plug *p, const char *rel)
{
	const char *root = getenv("CELLFTPD_BUILD_ROOT");
	const struct cf_module *(*get)(void);
	char path[512];

	memset(p, 0, sizeof(*p));
	if (root == NULL)
		fail_msg("CELLFTPD_BUILD_ROOT is not set");
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	p->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (p->dl == NULL)
		fail_msg("dlopen %s: %s", path, dlerror());
	*(void **)&get = dlsym(p->dl, "cellftpd_module_v1");
	assert_non_null(get);
	p->m = get();
	assert_non_null(p->m->log);
	fh_clear();
}

static int plug_init(struct plug *p, const struct cf_config *c, char *err,
		     size_t errlen)
{
	err[0] = '\0';
	p->st = NULL;
	return p->m->init(&fh_host, c, &p->st, err, errlen);
}

static void plug_close(struct plug *p)
{
	if (p->st != NULL)
		p->m->fini(p->st);
	p->st = NULL;
	if (p->dl != NULL)
		dlclose(p->dl);
	p->dl = NULL;
}

static void emit(struct plug *p, const struct cf_log_event *ev)
{
	p->m->log->event(p->st, ev);
}

static struct cf_log_event ev_at(enum cf_event_type type, const char *login)
{
	struct cf_log_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.size = sizeof(ev);
	ev.type = type;
	ev.time.tv_sec = T0;
	ev.time.tv_nsec = 123456789;
	ev.session_id = 12;
	ev.client_addr = "127.0.0.1";
	ev.client_port = 51234;
	ev.login = login;
	return ev;
}

static struct cf_log_event ev_xfer(const char *verb, const char *path,
				   char dir, int complete)
{
	struct cf_log_event ev = ev_at(CF_EV_TRANSFER, "alice");

	ev.action = verb;
	ev.path = path;
	ev.bytes = 42;
	ev.direction = dir;
	ev.xfer_type = 'b';
	ev.complete = complete;
	ev.duration_ms = 1500;
	ev.result = complete ? 226 : 426;
	return ev;
}

/* ---- logfmt: text and JSON lines ---- */

static char line_buf[1 << 16];

static const char *fmt(enum lfmt_style style, const struct cf_log_event *ev,
		       size_t cap, size_t value_max)
{
	struct lfmt_line l;

	lfmt_init(&l, line_buf, cap, value_max);
	lfmt_event(&l, style, ev);
	assert_true(l.len < sizeof(line_buf));
	line_buf[l.len] = '\0';
	return line_buf;
}

#define TEXT(ev) fmt(LFMT_TEXT, (ev), sizeof(line_buf) - 1, 8192)
#define JSON(ev) fmt(LFMT_JSON, (ev), sizeof(line_buf) - 1, 8192)

static void text_lines_of_every_event_type(void **state)
{
	static const struct {
		enum cf_event_type type;
		const char *action, *path, *path2, *detail;
		int result;
		const char *want;
	} cases[] = {
		{ CF_EV_CONNECT, NULL, NULL, NULL, NULL, 0, "event=CONNECT" },
		{ CF_EV_REFUSED, NULL, NULL, NULL, "max_sessions_per_ip", 421,
		  "event=REFUSED reason=max_sessions_per_ip result=421" },
		{ CF_EV_LOGIN, NULL, NULL, NULL, "admin", 230,
		  "event=LOGIN detail=admin result=230" },
		{ CF_EV_LOGIN_FAIL, "ban", NULL, NULL, "3 failures", 421,
		  "event=LOGIN_FAIL action=ban reason=\"3 failures\" "
		  "result=421" },
		{ CF_EV_LOGOUT, NULL, NULL, NULL, NULL, 0, "event=LOGOUT" },
		{ CF_EV_COMMAND, "CWD", NULL, NULL, "/a b", 0,
		  "event=COMMAND command=CWD arg=\"/a b\"" },
		{ CF_EV_FILE, "RENAME", "/a", "/b", NULL, 250,
		  "event=RENAME path=/a path2=/b result=250" },
		{ CF_EV_ADMIN, "USERADD", NULL, NULL, "bob quota=1G", 200,
		  "event=ADMIN action=USERADD args=\"bob quota=1G\" "
		  "result=200" },
		{ CF_EV_ADMIN, "REGISTER", NULL, NULL, "bob", 200,
		  "event=REGISTER args=bob result=200" },
		{ CF_EV_QUOTA, "STOR", "/big", NULL, "over quota", 552,
		  "event=QUOTA action=STOR path=/big bytes=0 "
		  "reason=\"over quota\" result=552" },
		{ CF_EV_SERVER, "log-dropped", NULL, NULL, "7 dropped", 0,
		  "event=SERVER action=log-dropped message=\"7 dropped\"" },
	};
	struct cf_log_event ev;
	char want[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ev = ev_at(cases[i].type, "alice");
		ev.action = cases[i].action;
		ev.path = cases[i].path;
		ev.path2 = cases[i].path2;
		ev.detail = cases[i].detail;
		ev.result = cases[i].result;
		snprintf(want, sizeof(want), HEAD "user=alice %s",
			 cases[i].want);
		assert_string_equal(TEXT(&ev), want);
	}
	ev = ev_at(CF_EV_DISCONNECT, NULL);
	ev.bytes_in = 10;
	ev.bytes_out = 20;
	ev.duration_ms = 1500;
	ev.detail = "QUIT";
	assert_string_equal(TEXT(&ev), HEAD "user=- event=DISCONNECT "
			    "bytes_in=10 bytes_out=20 duration_ms=1500 "
			    "reason=QUIT");
	ev = ev_xfer("STOR", "/up", 'i', 0);
	assert_string_equal(TEXT(&ev), HEAD "user=alice event=STOR path=/up "
			    "bytes=42 direction=i type=b complete=no "
			    "duration_ms=1500 result=426");
}

static void missing_session_client_and_user_are_dashes_or_null(void **state)
{
	struct cf_log_event ev = ev_at(CF_EV_SERVER, NULL);

	ev.session_id = 0;
	ev.client_addr = NULL;
	ev.action = "info";
	ev.detail = "ready";
	assert_string_equal(TEXT(&ev), "2026-11-24T04:06:18.123Z sid=- "
			    "client=- user=- event=SERVER action=info "
			    "message=ready");
	assert_string_equal(JSON(&ev), "{\"time\":\"2026-11-24T04:06:18.123Z\","
			    "\"sid\":null,\"client\":null,\"user\":null,"
			    "\"event\":\"SERVER\",\"action\":\"info\","
			    "\"message\":\"ready\"}");
	ev.client_addr = "2001:db8::1";
	ev.client_port = 21;
	assert_has(TEXT(&ev), " client=[2001:db8::1]:21 ");
}

static void json_uses_numbers_and_booleans(void **state)
{
	struct cf_log_event ev = ev_xfer("RETR", "/a \"b\"", 'o', 1);

	assert_string_equal(JSON(&ev), "{\"time\":\"2026-11-24T04:06:18.123Z\","
		"\"sid\":12,\"client\":\"127.0.0.1:51234\",\"user\":\"alice\","
		"\"event\":\"RETR\",\"path\":\"/a \\\"b\\\"\",\"bytes\":42,"
		"\"direction\":\"o\",\"type\":\"b\",\"complete\":true,"
		"\"duration_ms\":1500,\"result\":226}");
}

static void hostile_values_cannot_forge_a_line(void **state)
{
	struct cf_log_event ev = ev_at(CF_EV_FILE, "alice");

	ev.action = "MKD";
	ev.path = "/x\n2026 sid=1 user=root \"q\"\\\x01\xc3\xa9\xff=";
	assert_string_equal(TEXT(&ev), HEAD "user=alice event=MKD path=\"/x\\n"
			    "2026 sid=1 user=root \\\"q\\\"\\\\\\x01\xc3\xa9"
			    "\\xff=\"");
	assert_has(JSON(&ev), "\"path\":\"/x\\n2026 sid=1 user=root "
		   "\\\"q\\\"\\\\\\u0001\xc3\xa9\\ufffd=\"");
}

static void long_values_are_cut_and_lines_stay_whole(void **state)
{
	struct cf_log_event ev = ev_at(CF_EV_FILE, "alice");
	char path[200];
	const char *s;

	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	ev.action = "DELE";
	ev.path = path;
	s = fmt(LFMT_TEXT, &ev, sizeof(line_buf) - 1, 16);
	assert_string_equal(s, HEAD "user=alice event=DELE "
			    "path=\"aaaaaaaaaaaaaaaa...\"");
	/* a buffer too small for the values: one short, marked line */
	s = fmt(LFMT_JSON, &ev, 160, 8192);
	assert_string_equal(s, "{\"time\":\"2026-11-24T04:06:18.123Z\","
			    "\"sid\":12,\"client\":\"127.0.0.1:51234\","
			    "\"user\":\"alice\",\"event\":\"FILE\","
			    "\"truncated\":true}");
	s = fmt(LFMT_TEXT, &ev, 10, 8192);
	assert_string_equal(s, "");
}

static void syslog_style_has_no_time(void **state)
{
	struct cf_log_event ev = ev_at(CF_EV_LOGIN, "alice");

	ev.result = 230;
	assert_string_equal(fmt(LFMT_SYSLOG, &ev, 4096, 1024),
			    "sid=12 client=127.0.0.1:51234 user=alice "
			    "event=LOGIN result=230");
}

static void event_from_an_older_sender_has_its_new_fields_zeroed(void **s)
{
	struct cf_log_event big, out;

	memset(&big, 0x5a, sizeof(big));
	big.size = offsetof(struct cf_log_event, bytes);
	big.type = CF_EV_LOGIN;
	lfmt_event_copy(&out, &big);
	assert_int_equal(out.type, CF_EV_LOGIN);
	assert_true(out.bytes == 0 && out.duration_ms == 0);
	assert_int_equal(out.complete, 0);
	assert_int_equal(out.size, sizeof(out));
	assert_string_equal(lfmt_type_name((enum cf_event_type)99), "EVENT");
}

/* ---- logfmt: masking ---- */

static void passwords_are_masked_in_commands(void **state)
{
	static const struct {
		const char *verb, *arg, *want;
	} cases[] = {
		{ "PASS", "Secret-1", "********" },
		{ "pass", "Secret-1", "********" },
		{ "ACCT", "Secret-1", "********" },
		{ "SITE", "PASSWD bob Secret-1", "PASSWD bob ********" },
		{ "SITE", "passwd  bob  Secret 1", "passwd bob ********" },
		{ "SITE", "PASSWD Secret-1", "PASSWD ********" },
		{ "SITE", "REGISTER bob Secret-1", "REGISTER bob ********" },
		{ "SITE", "USERADD bob Secret-1 1G", "USERADD bob ********" },
		{ "SITE", "USERADD bob", "USERADD bob" },
		{ "SITE", "CHPASS bob Secret-1", "CHPASS bob ********" },
		{ "SITE", "REGISTER", "REGISTER" },
		{ "SITE", "QUOTA bob 1G", "QUOTA bob 1G" },
		{ "SITE", "HELP", "HELP" },
		{ "RETR", "PASSWD bob x", "PASSWD bob x" },
		{ "USER", "alice", "alice" },
	};
	struct cf_log_event ev = ev_at(CF_EV_COMMAND, "alice");
	char buf[128], want[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_string_equal(lfmt_mask_arg(cases[i].verb, cases[i].arg,
						  buf, sizeof(buf)),
				    cases[i].want);
		/* and the command events are masked in every style */
		ev.action = cases[i].verb;
		ev.detail = cases[i].arg;
		snprintf(want, sizeof(want), "\"%s\"", cases[i].want);
		if (strchr(cases[i].want, ' ') != NULL)
			assert_has(TEXT(&ev), want);
		assert_has(JSON(&ev), want);
	}
	assert_null(lfmt_mask_arg("PASS", NULL, buf, sizeof(buf)));
}

/* ---- logfmt: xferlog ---- */

static const char *xfer(const struct cf_log_event *ev)
{
	struct lfmt_line l;

	lfmt_init(&l, line_buf, sizeof(line_buf) - 1, 8192);
	lfmt_xferlog(&l, ev);
	line_buf[l.len] = '\0';
	return line_buf;
}

static int fields(const char *s)
{
	int n = 0;

	for (; *s != '\0'; n++) {
		s += strspn(s, " ");
		if (*s == '\0')
			break;
		s += strcspn(s, " ");
	}
	return n;
}

static void xferlog_lines_have_the_14_wu_ftpd_fields(void **state)
{
	struct cf_log_event ev = ev_xfer("RETR", "/big", 'o', 1);

	assert_string_equal(xfer(&ev), "Tue Nov 24 04:06:18 2026 2 127.0.0.1 "
			    "42 /big b _ o r alice ftp 0 * c");
	ev = ev_xfer("STOR", "/up", 'i', 0);
	ev.xfer_type = 'a';
	ev.duration_ms = 10;		/* never 0 seconds */
	ev.time.tv_sec = T0 + 86400 * 10;
	ev.client_addr = "::1";
	assert_string_equal(xfer(&ev), "Fri Dec  4 04:06:18 2026 1 ::1 42 "
			    "/up a _ i r alice ftp 0 * i");
	assert_int_equal(fields(xfer(&ev)), 14);
}

static void xferlog_file_names_stay_one_field(void **state)
{
	struct cf_log_event ev = ev_xfer("STOR", "/my file\twith\n\xc3\xa9\xff",
					 'i', 1);

	/* spaces as '_' (vsftpd's way), control bytes and bad UTF-8 '?' */
	assert_string_equal(xfer(&ev), "Tue Nov 24 04:06:18 2026 2 127.0.0.1 "
			    "42 /my_file?with?\xc3\xa9? b _ i r alice ftp 0 * c");
	assert_int_equal(fields(xfer(&ev)), 14);
	ev.path = "";
	ev.login = NULL;
	assert_int_equal(fields(xfer(&ev)), 14);
}

/* ---- log_file.so ---- */

static const char *const default_files[] = {
	"connections.log", "auth.log", "files.log", "xferlog", "admin.log",
	"server.log", NULL
};

/* One event of every kind, as a session would make them. */
static void emit_every_kind(struct plug *p)
{
	struct cf_log_event ev;

	ev = ev_at(CF_EV_CONNECT, NULL);
	emit(p, &ev);
	ev = ev_at(CF_EV_REFUSED, NULL);
	ev.detail = "max_sessions";
	emit(p, &ev);
	ev = ev_at(CF_EV_LOGIN_FAIL, "alice");
	ev.detail = "wrong password";
	emit(p, &ev);
	ev = ev_at(CF_EV_COMMAND, NULL);
	ev.action = "PASS";
	ev.detail = "Secret-Pw";
	emit(p, &ev);
	ev = ev_at(CF_EV_LOGIN, "alice");
	emit(p, &ev);
	ev = ev_at(CF_EV_FILE, "alice");
	ev.action = "MKD";
	ev.path = "/dir";
	ev.result = 257;
	emit(p, &ev);
	ev = ev_xfer("RETR", "/a file", 'o', 1);
	emit(p, &ev);
	ev = ev_xfer("LIST", "/", 'o', 1);
	emit(p, &ev);
	ev = ev_at(CF_EV_ADMIN, "root");
	ev.action = "USERDEL";
	ev.detail = "bob";
	emit(p, &ev);
	ev = ev_at(CF_EV_ADMIN, NULL);
	ev.action = "REGISTER";
	ev.detail = "carl";
	emit(p, &ev);
	ev = ev_at(CF_EV_QUOTA, "alice");
	ev.action = "STOR";
	ev.path = "/big";
	emit(p, &ev);
	ev = ev_at(CF_EV_LOGOUT, "alice");
	emit(p, &ev);
	ev = ev_at(CF_EV_DISCONNECT, "alice");
	emit(p, &ev);
	ev = ev_at(CF_EV_SERVER, NULL);
	ev.action = "log-dropped";
	ev.detail = "log queue overflowed: 5 events dropped";
	emit(p, &ev);
}

static void each_category_goes_to_its_own_file(void **state)
{
	struct tmp *t = *state;
	struct cf_config c = { { "dir", t->dir } };
	struct plug p;
	char err[512];
	const char *s;
	int i;

	plug_open(&p, "logging/file/log_file.so");
	assert_int_equal(plug_init(&p, &c, err, sizeof(err)), 0);
	emit_every_kind(&p);
	for (i = 0; default_files[i] != NULL; i++)
		assert_non_null(log_of(t, default_files[i]));
	s = log_of(t, "connections.log");
	assert_has(s, "event=CONNECT\n");
	assert_has(s, "event=REFUSED reason=max_sessions\n");
	assert_has(s, "event=DISCONNECT ");
	s = log_of(t, "auth.log");
	assert_has(s, "user=alice event=LOGIN_FAIL reason=\"wrong password\"");
	assert_has(s, "user=alice event=LOGIN\n");
	assert_has(s, "user=- event=REGISTER args=carl\n");
	assert_has(s, "user=alice event=LOGOUT\n");
	s = log_of(t, "files.log");
	assert_has(s, "event=MKD path=/dir result=257\n");
	assert_has(s, "event=RETR path=\"/a file\" bytes=42");
	assert_has(s, "event=QUOTA action=STOR path=/big");
	assert_lacks(s, "LIST");	/* listings are not file operations */
	assert_string_equal(log_of(t, "xferlog"), "Tue Nov 24 04:06:18 2026 "
			    "2 127.0.0.1 42 /a_file b _ o r alice ftp 0 * c\n");
	assert_has(log_of(t, "admin.log"), "user=root event=ADMIN "
		   "action=USERDEL args=bob\n");
	assert_lacks(log_of(t, "admin.log"), "REGISTER");
	assert_has(log_of(t, "server.log"), "event=SERVER action=log-dropped "
		   "message=\"log queue overflowed: 5 events dropped\"\n");
	/* the protocol trace is off unless asked for */
	assert_null(log_of(t, "commands.log"));
	for (i = 0; default_files[i] != NULL; i++)
		assert_lacks(log_of(t, default_files[i]), "Secret-Pw");
	plug_close(&p);
}

static void names_are_configurable_and_empty_turns_a_category_off(void **s)
{
	struct tmp *t = *s;
	char elsewhere[128], sub[128], err[512];
	struct cf_config c = { { "dir", t->dir, "connections", "",
				 "auth", "ftp-auth.log", "xferlog", elsewhere,
				 "commands", "trace.log", "server", "" } };
	struct plug p;
	struct stat st;

	snprintf(sub, sizeof(sub), "%s/sub", t->dir);
	snprintf(elsewhere, sizeof(elsewhere), "%s/xfer.log", sub);
	assert_int_equal(mkdir(sub, 0700), 0);
	plug_open(&p, "logging/file/log_file.so");
	assert_int_equal(plug_init(&p, &c, err, sizeof(err)), 0);
	emit_every_kind(&p);
	assert_null(log_of(t, "connections.log"));
	assert_null(log_of(t, "auth.log"));
	assert_null(log_of(t, "server.log"));
	assert_null(log_of(t, "xferlog"));
	assert_has(log_of(t, "ftp-auth.log"), "event=LOGIN\n");
	assert_has(get_file(elsewhere), " /a_file b _ o r alice ftp 0 * c\n");
	assert_has(log_of(t, "trace.log"), "user=- event=COMMAND command=PASS "
		   "arg=********\n");
	assert_lacks(log_of(t, "trace.log"), "Secret-Pw");
	assert_int_equal(stat(elsewhere, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	plug_close(&p);
}
