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

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "logging/file/logfmt.h"
#include "modules/module.h"
#include "fakehost.h"
#include "tutil.h"

#define HEAD "2026-11-24T04:06:18.123Z sid=12 client=127.0.0.1:51234 "

static int tmp_setup(void **state)
{
	*state = tmp_new("/tmp/test_logfmt.XXXXXX", NULL);
	return 0;
}

static const char *log_of(const struct tmp *t, const char *name)
{
	return peek_file_in(t->dir, name);
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

/* A log plugin from the build tree: it must serve log events. */
static void log_plug_open(struct plug *p, const char *rel)
{
	plug_open(p, rel);
	assert_non_null(p->m->log);
}

/* A bad entry for a plugin, and the start of the error it must give. */
struct refusal {
	const char *kv[6];
	const char *want;
};

/* The plugin at rel refuses to start with each of the cases. */
static void refusals_are(const char *rel, const struct refusal *cases,
			 size_t n)
{
	struct cf_config c;
	struct plug p;
	char err[512];
	size_t i;

	log_plug_open(&p, rel);
	for (i = 0; i < n; i++) {
		memset(&c, 0, sizeof(c));
		memcpy(c.kv, cases[i].kv, sizeof(cases[i].kv));
		assert_int_not_equal(plug_init(&p, &c, err, sizeof(err)), 0);
		if (strncmp(err, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s...\"", i, err,
				 cases[i].want);
	}
	plug_close(&p);
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
		{ CF_EV_REGISTER, "REGISTER", NULL, NULL, "bob ****", 200,
		  "event=REGISTER args=\"bob ****\" result=200" },
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

static void unknown_sid_client_and_user_are_dash_or_null(void **s)
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

static void older_senders_leave_the_new_fields_zero(void **state)
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
		{ "SITE", "PASSWD bob Secret-1", "PASSWD ********" },
		{ "SITE", "PASSWD Old-Pw-1 New-Pw-2", "PASSWD ********" },
		{ "SITE", "passwd  bob  Secret 1", "passwd ********" },
		{ "SITE", "PASSWD Secret-1", "PASSWD ********" },
		{ "SITE", "PASSWD", "PASSWD" },
		{ "SITE", "PASSWD\tbob\tSecret-1", "PASSWD ********" },
		{ "SITE", "REGISTER bob Secret-1", "REGISTER bob ********" },
		{ "SITE", "USERADD bob Secret-1 1G", "USERADD bob ********" },
		{ "SITE", "USERADD bob", "USERADD bob" },
		{ "SITE", "CHPASS bob Secret-1", "CHPASS ********" },
		{ "SITE", "USERADD bob **** 1G", "USERADD bob ********" },
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

/*
 * xferlog fields: the first is the 24-character ctime-style date (with
 * its own spaces), the 13 others are separated by single spaces.
 */
static int fields(const char *s)
{
	int n = 1;

	assert_true(strlen(s) > 25 && s[24] == ' ' && s[25] != ' ');
	for (s += 25; *s != '\0'; n++) {
		s += strcspn(s, " ");
		if (*s == ' ')
			s++;
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
	ev.time.tv_sec = EV_T0 + 86400 * 10;
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
			    "42 /my_file?with?\xc3\xa9? b _ i r alice ftp 0 * "
			    "c");
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
	plug_log_event(p, &ev);
	ev = ev_at(CF_EV_REFUSED, NULL);
	ev.detail = "max_sessions";
	plug_log_event(p, &ev);
	ev = ev_at(CF_EV_LOGIN_FAIL, "alice");
	ev.detail = "wrong password";
	plug_log_event(p, &ev);
	ev = ev_at(CF_EV_COMMAND, NULL);
	ev.action = "PASS";
	ev.detail = "Secret-Pw";
	plug_log_event(p, &ev);
	ev = ev_at(CF_EV_LOGIN, "alice");
	plug_log_event(p, &ev);
	ev = ev_at(CF_EV_FILE, "alice");
	ev.action = "MKD";
	ev.path = "/dir";
	ev.result = 257;
	plug_log_event(p, &ev);
	ev = ev_xfer("RETR", "/a file", 'o', 1);
	plug_log_event(p, &ev);
	ev = ev_xfer("LIST", "/", 'o', 1);
	plug_log_event(p, &ev);
	ev = ev_at(CF_EV_ADMIN, "root");
	ev.action = "USERDEL";
	ev.detail = "bob";
	plug_log_event(p, &ev);
	ev = ev_at(CF_EV_REGISTER, "carl");
	ev.action = "REGISTER";
	ev.detail = "carl ****";
	ev.result = 200;
	plug_log_event(p, &ev);
	ev = ev_at(CF_EV_QUOTA, "alice");
	ev.action = "STOR";
	ev.path = "/big";
	plug_log_event(p, &ev);
	ev = ev_at(CF_EV_LOGOUT, "alice");
	plug_log_event(p, &ev);
	ev = ev_at(CF_EV_DISCONNECT, "alice");
	plug_log_event(p, &ev);
	ev = ev_at(CF_EV_SERVER, NULL);
	ev.action = "log-dropped";
	ev.detail = "log queue overflowed: 5 events dropped";
	plug_log_event(p, &ev);
}

/* log_file.so started with c, after one event of every kind. */
static void log_file_saw_every_kind(struct plug *p, const struct cf_config *c)
{
	char err[512];

	log_plug_open(p, "logging/file/log_file.so");
	assert_int_equal(plug_init(p, c, err, sizeof(err)), 0);
	emit_every_kind(p);
}

static void each_category_goes_to_its_own_file(void **state)
{
	struct tmp *t = *state;
	struct cf_config c = { { "dir", t->dir } };
	struct plug p;
	const char *s;
	int i;

	log_file_saw_every_kind(&p, &c);
	for (i = 0; default_files[i] != NULL; i++)
		assert_non_null(log_of(t, default_files[i]));
	s = log_of(t, "connections.log");
	assert_has(s, "event=CONNECT\n");
	assert_has(s, "event=REFUSED reason=max_sessions\n");
	assert_has(s, "event=DISCONNECT ");
	s = log_of(t, "auth.log");
	assert_has(s, "user=alice event=LOGIN_FAIL reason=\"wrong password\"");
	assert_has(s, "user=alice event=LOGIN\n");
	assert_has(s, "user=carl event=REGISTER args=\"carl ****\" "
		   "result=200\n");
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
	char elsewhere[160], sub[128];
	struct cf_config c = { { "dir", t->dir, "connections", "",
				 "auth", "ftp-auth.log", "xferlog", elsewhere,
				 "commands", "trace.log", "server", "" } };
	struct plug p;
	struct stat st;

	snprintf(sub, sizeof(sub), "%s/sub", t->dir);
	snprintf(elsewhere, sizeof(elsewhere), "%s/xfer.log", sub);
	assert_int_equal(mkdir(sub, 0700), 0);
	log_file_saw_every_kind(&p, &c);
	assert_null(log_of(t, "connections.log"));
	assert_null(log_of(t, "auth.log"));
	assert_null(log_of(t, "server.log"));
	assert_null(log_of(t, "xferlog"));
	assert_has(log_of(t, "ftp-auth.log"), "event=LOGIN\n");
	assert_has(peek_file(elsewhere), " /a_file b _ o r alice ftp 0 * c\n");
	assert_has(log_of(t, "trace.log"), "user=- event=COMMAND command=PASS "
		   "arg=********\n");
	assert_lacks(log_of(t, "trace.log"), "Secret-Pw");
	assert_int_equal(stat(elsewhere, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	plug_close(&p);
}

static void json_format_for_every_category_but_xferlog(void **state)
{
	struct tmp *t = *state;
	struct cf_config c = { { "dir", t->dir, "format", "json",
				 "commands", "commands.log" } };
	struct plug p;
	const char *s;
	int i;

	log_file_saw_every_kind(&p, &c);
	for (i = 0; default_files[i] != NULL; i++) {
		if (strcmp(default_files[i], "xferlog") == 0)
			continue;
		s = log_of(t, default_files[i]);
		assert_true(s != NULL && strncmp(s, "{\"time\":\"", 9) == 0);
		assert_string_equal(s + strlen(s) - 2, "}\n");
	}
	assert_has(log_of(t, "auth.log"), ",\"user\":\"alice\","
		   "\"event\":\"LOGIN_FAIL\",\"reason\":\"wrong password\"}\n");
	assert_has(log_of(t, "commands.log"), "\"command\":\"PASS\","
		   "\"arg\":\"********\"}\n");
	assert_has(log_of(t, "xferlog"), " /a_file b _ o r alice ftp 0 * c\n");
	plug_close(&p);
}

static void bad_settings_name_their_line(void **state)
{
	static const struct refusal cases[] = {
		{ { "dir", "/tmp", "format", "xml" },
		  "test.conf:11: log_file: format must be \"text\" or "
		  "\"json\"" },
		{ { "dir", "/tmp", "files", "sub/files.log" },
		  "test.conf:11: log_file: files must be a file name in dir, "
		  "an absolute path, or \"\" to turn it off" },
		{ { "dir", "/tmp", "auth", ".." },
		  "test.conf:11: log_file: auth must be" },
		{ { "dir", "/tmp", "admin", "<int>" },
		  "test.conf:11: log_file: admin must be" },
		{ { "dir", "/tmp", "colour", "blue" },
		  "test.conf:11: unknown key colour" },
		{ { "format", "text" },
		  "test.conf:1: log_file: needs `dir`" },
		{ { "dir", "" }, "test.conf:10: log_file: dir must be a path" },
	};

	refusals_are("logging/file/log_file.so", cases,
		     sizeof(cases) / sizeof(cases[0]));
}

/* Run fn as nobody in a child (root can write anywhere); its exit code. */
static int as_nobody(int (*fn)(struct plug *, const char *), struct plug *p,
		    const char *dir)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 && (setgroups(0, NULL) != 0 ||
		    setgid(65534) != 0 || setuid(65534) != 0))
			_exit(99);
		_exit(fn(p, dir));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static int init_fails_with(struct plug *p, const char *dir, const char *why)
{
	struct cf_config c = { { "dir", dir } };
	char err[1024], want[1024];

	snprintf(want, sizeof(want), "test.conf:10: log_file: cannot write in "
		 "%s: %s", dir, why);
	if (plug_init(p, &c, err, sizeof(err)) == 0)
		return 1;
	if (strcmp(err, want) != 0) {
		fprintf(stderr, "got \"%s\"\nwant \"%s\"\n", err, want);
		return 2;
	}
	return 0;
}

static int cannot_create_in(struct plug *p, const char *dir)
{
	char why[512];

	snprintf(why, sizeof(why), "cannot open %s/connections.log: %s", dir,
		 strerror(EACCES));
	return init_fails_with(p, dir, why);
}

static int cannot_write_in(struct plug *p, const char *dir)
{
	/* the files it opened are closed once each: no close fails */
	return init_fails_with(p, dir, strerror(EACCES)) != 0 ||
	       strstr(fh_logged(), strerror(EBADF)) != NULL;
}

static void missing_or_unwritable_dir_is_an_init_error(void **state)
{
	struct tmp *t = *state;
	char dir[128], why[512], path[256];
	struct plug p;
	int i;

	log_plug_open(&p, "logging/file/log_file.so");
	snprintf(dir, sizeof(dir), "%s/missing", t->dir);
	snprintf(why, sizeof(why), "cannot open %s/connections.log: %s", dir,
		 strerror(ENOENT));
	assert_int_equal(init_fails_with(&p, dir, why), 0);
	/* a folder only root may write in, for a server that is not root */
	assert_int_equal(chmod(t->dir, 0755), 0);
	snprintf(dir, sizeof(dir), "%s/ro", t->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	if (geteuid() != 0)
		assert_int_equal(chmod(dir, 0555), 0);
	assert_int_equal(as_nobody(cannot_create_in, &p, dir), 0);
	/* its files are writable, but logrotate's new ones could not be */
	for (i = 0; default_files[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, default_files[i]);
		write_file(path, "");
		assert_int_equal(chmod(path, 0666), 0);
	}
	assert_int_equal(as_nobody(cannot_write_in, &p, dir), 0);
	plug_close(&p);
}

static void a_symlink_in_place_of_a_log_file_is_refused(void **state)
{
	struct tmp *t = *state;
	struct cf_config c = { { "dir", t->dir } };
	char link[128], want[512], err[512];
	struct plug p;

	snprintf(link, sizeof(link), "%s/auth.log", t->dir);
	assert_int_equal(symlink("/etc/passwd", link), 0);
	log_plug_open(&p, "logging/file/log_file.so");
	assert_int_not_equal(plug_init(&p, &c, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "test.conf:10: log_file: cannot write in "
		 "%s: cannot open %s: %s", t->dir, link, strerror(ELOOP));
	assert_string_equal(err, want);
	plug_close(&p);
}

static void new_files_are_0640_and_get_the_folder_owner_as_root(void **s)
{
	struct tmp *t = *s;
	struct cf_config c = { { "dir", t->dir } };
	char path[128], err[512];
	struct plug p;
	struct stat st;

	snprintf(path, sizeof(path), "%s/auth.log", t->dir);
	write_file(path, "old line\n");
	if (geteuid() == 0)
		assert_int_equal(chown(t->dir, 4242, 4343), 0);
	log_plug_open(&p, "logging/file/log_file.so");
	assert_int_equal(plug_init(&p, &c, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/files.log", t->dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	if (geteuid() == 0) {
		assert_int_equal(st.st_uid, 4242);
		assert_int_equal(st.st_gid, 4343);
		/* a file that was there keeps its owner */
		snprintf(path, sizeof(path), "%s/auth.log", t->dir);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_uid, 0);
	}
	assert_string_equal(log_of(t, "auth.log"), "old line\n");
	plug_close(&p);
}

static void reopen_after_rename_writes_new_files(void **state)
{
	struct tmp *t = *state;
	struct cf_config c = { { "dir", t->dir } };
	struct cf_log_event ev = ev_at(CF_EV_FILE, "alice");
	char from[128], to[160], err[512];
	struct plug p;
	int i;

	log_plug_open(&p, "logging/file/log_file.so");
	assert_int_equal(plug_init(&p, &c, err, sizeof(err)), 0);
	ev.action = "DELE";
	ev.path = "/before";
	plug_log_event(&p, &ev);
	for (i = 0; default_files[i] != NULL; i++) {	/* as logrotate */
		snprintf(from, sizeof(from), "%s/%s", t->dir, default_files[i]);
		snprintf(to, sizeof(to), "%s.1", from);
		assert_int_equal(rename(from, to), 0);
	}
	ev.path = "/between";
	plug_log_event(&p, &ev);	/* still the old file, not lost */
	p.m->log->reopen(p.st);
	ev.path = "/after";
	plug_log_event(&p, &ev);
	assert_has(log_of(t, "files.log.1"), "path=/before\n");
	assert_has(log_of(t, "files.log.1"), "path=/between\n");
	assert_lacks(log_of(t, "files.log.1"), "/after");
	assert_string_equal(log_of(t, "files.log"), HEAD "user=alice "
			    "event=DELE path=/after\n");
	for (i = 0; default_files[i] != NULL; i++)
		assert_non_null(log_of(t, default_files[i]));
	plug_close(&p);
}

static void reload_applies_only_when_every_file_opens(void **state)
{
	struct tmp *t = *state;
	char sub[128], missing[128], err[512];
	struct cf_config c = { { "dir", t->dir } };
	struct cf_config moved = { { "dir", sub, "format", "json" } };
	struct cf_config bad = { { "format", "json", "dir", missing } };
	struct cf_log_event ev = ev_at(CF_EV_LOGIN, "alice");
	struct plug p;

	snprintf(sub, sizeof(sub), "%s/new", t->dir);
	snprintf(missing, sizeof(missing), "%s/missing", t->dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	log_plug_open(&p, "logging/file/log_file.so");
	assert_int_equal(plug_init(&p, &c, err, sizeof(err)), 0);
	assert_int_not_equal(p.m->reload(p.st, &bad, err, sizeof(err)), 0);
	assert_has(err, "test.conf:11: log_file: cannot write in ");
	plug_log_event(&p, &ev);
	assert_has(log_of(t, "auth.log"), "user=alice event=LOGIN\n");
	assert_int_equal(p.m->reload(p.st, &moved, err, sizeof(err)), 0);
	plug_log_event(&p, &ev);
	assert_has(log_of(t, "new/auth.log"), "\"event\":\"LOGIN\"}\n");
	assert_string_equal(log_of(t, "auth.log"), HEAD "user=alice "
			    "event=LOGIN\n");
	plug_close(&p);
}

static void lines_lost_on_a_full_disk_are_counted_and_told(void **state)
{
	struct tmp *t = *state;
	struct cf_config c = { { "dir", t->dir } };
	struct cf_config full = { { "dir", t->dir, "files", "/dev/full" } };
	struct cf_log_event ev = ev_at(CF_EV_FILE, "alice");
	char err[512];
	struct plug p;
	int i;

	if (access("/dev/full", W_OK) != 0)
		skip();
	log_plug_open(&p, "logging/file/log_file.so");
	assert_int_equal(plug_init(&p, &c, err, sizeof(err)), 0);
	assert_int_equal(p.m->reload(p.st, &full, err, sizeof(err)), 0);
	ev.action = "MKD";
	ev.path = "/lost";
	for (i = 0; i < 3; i++)
		plug_log_event(&p, &ev);
	assert_string_equal(fh_logged(), "log_file: cannot write /dev/full: "
			    "No space left on device; counting the lines "
			    "lost\n");
	assert_int_equal(p.m->reload(p.st, &c, err, sizeof(err)), 0);
	ev.path = "/kept";
	plug_log_event(&p, &ev);
	assert_has(fh_logged(), "files.log is written again; 3 lines were "
		   "lost\n");
	assert_has(log_of(t, "files.log"), "path=/kept");
	plug_close(&p);
}

/* The line of the DELE of /line<n> in files.log (n: one digit). */
#define DELE_LINE(n) HEAD "user=alice event=DELE path=/line" #n "\n"

/* DELE of /line<first>, /line<first + 1>, ... as one batch to the file. */
static void dele_batch(struct plug *p, int first, int n)
{
	struct cf_log_event ev = ev_at(CF_EV_FILE, "alice");
	char path[16];
	int i;

	ev.action = "DELE";
	ev.path = path;
	for (i = first; i < first + n; i++) {
		snprintf(path, sizeof(path), "/line%d", i);
		p->m->log->event(p->st, &ev);
	}
	p->m->log->flush(p->st);
}

/*
 * dele_batch to a file that cannot grow past cap bytes (RLIMIT_FSIZE),
 * as if the disk filled up in the middle of the write: the write that
 * crosses the cap stops at it, the next fails with EFBIG (SIGXFSZ
 * ignored).  Both are the whole process's, so they last only the batch:
 * nothing else (no test output) may meet the cap.
 */
static void dele_batch_capped(struct plug *p, int first, int n, size_t cap)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, sa_was;
	struct rlimit was, rl;
	int capped;

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &was), 0);
	assert_int_equal(sigaction(SIGXFSZ, &ign, &sa_was), 0);
	rl = was;
	rl.rlim_cur = (rlim_t)cap;
	capped = setrlimit(RLIMIT_FSIZE, &rl) == 0;
	if (capped)
		dele_batch(p, first, n);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &was), 0);
	assert_int_equal(sigaction(SIGXFSZ, &sa_was, NULL), 0);
	assert_true(capped);
}

/* "log_file: cannot write <dir>/files.log: File too large; ..." */
static const char *efbig_told(const struct tmp *t)
{
	static char want[256];

	snprintf(want, sizeof(want), "log_file: cannot write %s/files.log: "
		 "%s; counting the lines lost\n", t->dir, strerror(EFBIG));
	return want;
}

static void a_write_cut_at_a_line_end_keeps_its_whole_lines(void **state)
{
	struct tmp *t = *state;
	struct cf_config c = { { "dir", t->dir } };
	char err[512];
	struct plug p;

	log_plug_open(&p, "logging/file/log_file.so");
	assert_int_equal(plug_init(&p, &c, err, sizeof(err)), 0);
	/* room for 2 of the 5 lines: the 3 others are lost, and only they */
	dele_batch_capped(&p, 1, 5, 2 * strlen(DELE_LINE(1)));
	assert_string_equal(log_of(t, "files.log"),
			    DELE_LINE(1) DELE_LINE(2));
	/* the write after the short one says why */
	assert_string_equal(fh_logged(), efbig_told(t));
	dele_batch(&p, 6, 1);
	assert_has(fh_logged(), "files.log is written again; 3 lines were "
		   "lost\n");
	/* no empty line where the write stopped */
	assert_string_equal(log_of(t, "files.log"),
			    DELE_LINE(1) DELE_LINE(2) DELE_LINE(6));
	plug_close(&p);
}

static void a_write_cut_inside_a_line_ends_it_before_the_next(void **state)
{
	struct tmp *t = *state;
	struct cf_config c = { { "dir", t->dir } };
	int half = (int)strlen(DELE_LINE(2)) / 2;
	char err[512], want[512];
	struct plug p;

	log_plug_open(&p, "logging/file/log_file.so");
	assert_int_equal(plug_init(&p, &c, err, sizeof(err)), 0);
	/* /line2 stops halfway: it is lost with /line3 */
	dele_batch_capped(&p, 1, 3, strlen(DELE_LINE(1)) + (size_t)half);
	snprintf(want, sizeof(want), DELE_LINE(1) "%.*s", half, DELE_LINE(2));
	assert_string_equal(log_of(t, "files.log"), want);
	assert_string_equal(fh_logged(), efbig_told(t));
	/* the half line is ended once the file takes a byte again */
	dele_batch(&p, 4, 1);
	assert_has(fh_logged(), "files.log is written again; 2 lines were "
		   "lost\n");
	snprintf(want, sizeof(want), DELE_LINE(1) "%.*s\n" DELE_LINE(4), half,
		 DELE_LINE(2));
	assert_string_equal(log_of(t, "files.log"), want);
	plug_close(&p);
}

struct burst {
	struct plug *p;
	int n;
};

static void *burst_main(void *arg)
{
	struct burst *b = arg;
	struct cf_log_event ev = ev_at(CF_EV_FILE, "alice");
	int i;

	ev.action = "DELE";
	ev.path = "/burst";
	for (i = 0; i < b->n; i++)
		plug_log_event(b->p, &ev);
	return NULL;
}

static size_t count_lines(const char *path)
{
	FILE *fp = fopen(path, "r");
	size_t n = 0;
	int ch, last = '\n';

	if (fp == NULL)
		return 0;
	while ((ch = getc(fp)) != EOF) {
		if (ch == '\n')
			n++;
		last = ch;
	}
	fclose(fp);
	assert_int_equal(last, '\n');
	return n;
}

static void reload_while_events_flow_loses_no_line(void **state)
{
	struct tmp *t = *state;
	struct cf_config a = { { "dir", t->dir, "files", "a.log" } };
	struct cf_config b = { { "dir", t->dir, "files", "b.log" } };
	struct plug p;
	struct burst bu = { &p, 20000 };
	pthread_t th;
	char err[512], pa[128], pb[128];
	int i;

	log_plug_open(&p, "logging/file/log_file.so");
	assert_int_equal(plug_init(&p, &a, err, sizeof(err)), 0);
	assert_int_equal(pthread_create(&th, NULL, burst_main, &bu), 0);
	for (i = 0; i < 200; i++)
		assert_int_equal(p.m->reload(p.st, i % 2 ? &a : &b, err,
					     sizeof(err)), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	snprintf(pa, sizeof(pa), "%s/a.log", t->dir);
	snprintf(pb, sizeof(pb), "%s/b.log", t->dir);
	assert_int_equal(count_lines(pa) + count_lines(pb), 20000);
	plug_close(&p);
}

/* ---- log_syslog.so ---- */

static int dgram_bind(const char *path, int type)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	if (type == SOCK_STREAM)
		assert_int_equal(listen(fd, 1), 0);
	return fd;
}

/* The next datagram as a string, or NULL after timeout_ms. */
static const char *dgram_recv(int fd, int timeout_ms)
{
	static char buf[16384];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&pfd, 1, timeout_ms) != 1)
		return NULL;
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

static void syslog_messages_are_rfc3164_lines(void **state)
{
	struct tmp *t = *state;
	char sock[128], err[512], want[512];
	struct cf_config c = { { "socket", sock } };
	struct cf_log_event ev;
	struct plug p;
	int fd;

	snprintf(sock, sizeof(sock), "%s/log.sock", t->dir);
	fd = dgram_bind(sock, SOCK_DGRAM);
	log_plug_open(&p, "logging/syslog/log_syslog.so");
	assert_string_equal(p.m->name, "log_syslog");
	assert_int_equal(plug_init(&p, &c, err, sizeof(err)), 0);
	ev = ev_at(CF_EV_LOGIN, "alice");
	ev.result = 230;
	plug_log_event(&p, &ev);
	/* ftp (11) * 8 + info (6); TZ=UTC in main() */
	snprintf(want, sizeof(want), "<94>Nov 24 04:06:18 cellftpd[%ld]: "
		 "sid=12 client=127.0.0.1:51234 user=alice event=LOGIN "
		 "result=230", (long)getpid());
	assert_string_equal(dgram_recv(fd, 2000), want);
	ev = ev_at(CF_EV_LOGIN_FAIL, "alice");
	ev.time.tv_sec = EV_T0 + 10 * 86400;
	plug_log_event(&p, &ev);
	snprintf(want, sizeof(want), "<92>Dec  4 04:06:18 cellftpd[%ld]: "
		 "sid=12 ", (long)getpid());
	assert_has(dgram_recv(fd, 2000), want);
	ev = ev_at(CF_EV_SERVER, NULL);
	ev.action = "error";
	ev.detail = "boom";
	plug_log_event(&p, &ev);
	assert_has(dgram_recv(fd, 2000), "<91>");
	ev = ev_xfer("RETR", "/a b", 'o', 1);
	plug_log_event(&p, &ev);
	assert_has(dgram_recv(fd, 2000), "event=RETR path=\"/a b\" bytes=42 "
		   "direction=o type=b complete=yes duration_ms=1500 "
		   "result=226");
	plug_close(&p);
	close(fd);
}

static void syslog_facility_ident_and_commands_are_settings(void **state)
{
	struct tmp *t = *state;
	char sock[128], err[512], want[512];
	struct cf_config c = { { "socket", sock, "facility", "local3",
				 "ident", "ftp-front", "commands", "true" } };
	struct cf_log_event ev = ev_at(CF_EV_COMMAND, NULL);
	struct plug p;
	int fd;

	snprintf(sock, sizeof(sock), "%s/log.sock", t->dir);
	fd = dgram_bind(sock, SOCK_DGRAM);
	log_plug_open(&p, "logging/syslog/log_syslog.so");
	assert_int_equal(plug_init(&p, &c, err, sizeof(err)), 0);
	ev.action = "SITE";
	ev.detail = "USERADD bob Secret-Pw";
	plug_log_event(&p, &ev);
	/* local3 (19) * 8 + debug (7) */
	snprintf(want, sizeof(want), "<159>Nov 24 04:06:18 ftp-front[%ld]: "
		 "sid=12 client=127.0.0.1:51234 user=- event=COMMAND "
		 "command=SITE arg=\"USERADD bob ********\"", (long)getpid());
	assert_string_equal(dgram_recv(fd, 2000), want);
	plug_close(&p);
	/* without `commands`, no protocol trace */
	c.kv[6] = NULL;
	log_plug_open(&p, "logging/syslog/log_syslog.so");
	assert_int_equal(plug_init(&p, &c, err, sizeof(err)), 0);
	plug_log_event(&p, &ev);
	assert_null(dgram_recv(fd, 200));
	plug_close(&p);
	close(fd);
}

static void syslog_bad_settings_name_their_line(void **state)
{
	static const struct refusal cases[] = {
		{ { "facility", "kern" },
		  "test.conf:10: log_syslog: facility must be one of" },
		{ { "ident", "cell ftpd" },
		  "test.conf:10: log_syslog: ident must be 1 to 32" },
		{ { "ident", "" }, "test.conf:10: log_syslog: ident must be" },
		{ { "commands", "yes" },
		  "test.conf:10: log_syslog: commands must be true or false" },
		{ { "socket", "dev/log" },
		  "test.conf:10: log_syslog: socket must be an absolute path" },
		{ { "level", "info" }, "test.conf:10: unknown key level" },
	};

	refusals_are("logging/syslog/log_syslog.so", cases,
		     sizeof(cases) / sizeof(cases[0]));
}

static void syslog_stream_socket_is_an_init_error(void **state)
{
	struct tmp *t = *state;
	char sock[128], err[512], want[512];
	struct cf_config c = { { "socket", sock } };
	struct plug p;
	int fd;

	snprintf(sock, sizeof(sock), "%s/stream.sock", t->dir);
	fd = dgram_bind(sock, SOCK_STREAM);
	log_plug_open(&p, "logging/syslog/log_syslog.so");
	assert_int_not_equal(plug_init(&p, &c, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "test.conf:10: log_syslog: cannot use "
		 "%s: %s (a datagram socket is needed)", sock,
		 strerror(EPROTOTYPE));
	assert_string_equal(err, want);
	plug_close(&p);
	close(fd);
}

static void syslog_away_counts_and_tells_when_back(void **state)
{
	struct tmp *t = *state;
	char sock[128], err[512];
	struct cf_config c = { { "socket", sock } };
	struct cf_log_event ev = ev_at(CF_EV_LOGOUT, "alice");
	struct plug p;
	int fd, i;

	snprintf(sock, sizeof(sock), "%s/later.sock", t->dir);
	log_plug_open(&p, "logging/syslog/log_syslog.so");
	assert_int_equal(plug_init(&p, &c, err, sizeof(err)), 0);
	assert_has(fh_logged(), "log_syslog: nothing listens on ");
	for (i = 0; i < 4; i++)
		plug_log_event(&p, &ev);
	assert_has(fh_logged(), "log_syslog: cannot send to ");
	fd = dgram_bind(sock, SOCK_DGRAM);
	/* within the retry delay: counted too */
	plug_log_event(&p, &ev);
	usleep(1100 * 1000);
	plug_log_event(&p, &ev);
	assert_has(dgram_recv(fd, 2000), "event=LOGOUT");
	assert_has(fh_logged(), "takes messages again; 5 were dropped\n");
	/* the syslog daemon restarts: a new socket at the same path */
	close(fd);
	assert_int_equal(unlink(sock), 0);
	fd = dgram_bind(sock, SOCK_DGRAM);
	plug_log_event(&p, &ev);
	assert_has(dgram_recv(fd, 2000), "event=LOGOUT");
	plug_close(&p);
	close(fd);
}

static void syslog_stalled_reader_costs_one_short_wait(void **state)
{
	struct tmp *t = *state;
	char sock[128], err[512], want[128];
	struct cf_config c = { { "socket", sock } };
	struct cf_log_event ev = ev_at(CF_EV_LOGOUT, "alice");
	struct timespec t0, t1;
	struct plug p;
	int fd, i, got = 0;
	long ms;

	snprintf(sock, sizeof(sock), "%s/slow.sock", t->dir);
	fd = dgram_bind(sock, SOCK_DGRAM);
	log_plug_open(&p, "logging/syslog/log_syslog.so");
	assert_int_equal(plug_init(&p, &c, err, sizeof(err)), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 3000; i++)
		plug_log_event(&p, &ev);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	     (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms < 1500);
	while (dgram_recv(fd, 0) != NULL)
		got++;
	assert_true(got > 0 && got < 3000);
	plug_log_event(&p, &ev);
	assert_non_null(dgram_recv(fd, 2000));
	snprintf(want, sizeof(want), "takes messages again; %d were dropped",
		 3000 - got);
	assert_has(fh_logged(), want);
	plug_close(&p);
	close(fd);
}

struct reader {
	int fd, n;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;

	while (dgram_recv(r->fd, 1000) != NULL)
		r->n++;
	return NULL;
}

static void syslog_reader_that_keeps_up_loses_nothing(void **state)
{
	struct tmp *t = *state;
	char sock[128], err[512];
	struct cf_config c = { { "socket", sock } };
	struct cf_log_event ev = ev_at(CF_EV_LOGOUT, "alice");
	struct reader r = { 0, 0 };
	struct plug p;
	pthread_t th;
	int i;

	snprintf(sock, sizeof(sock), "%s/fast.sock", t->dir);
	r.fd = dgram_bind(sock, SOCK_DGRAM);
	log_plug_open(&p, "logging/syslog/log_syslog.so");
	assert_int_equal(plug_init(&p, &c, err, sizeof(err)), 0);
	assert_int_equal(pthread_create(&th, NULL, reader_main, &r), 0);
	for (i = 0; i < 5000; i++)
		plug_log_event(&p, &ev);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(r.n, 5000);
	assert_string_equal(fh_logged(), "");
	plug_close(&p);
	close(r.fd);
}

static void syslog_reload_moves_to_a_new_socket(void **state)
{
	struct tmp *t = *state;
	char s1[128], s2[128], err[512];
	struct cf_config c1 = { { "socket", s1 } };
	struct cf_config c2 = { { "socket", s2, "ident", "moved" } };
	struct cf_config bad = { { "socket", s2, "facility", "nope" } };
	struct cf_log_event ev = ev_at(CF_EV_CONNECT, NULL);
	struct plug p;
	int fd1, fd2;

	snprintf(s1, sizeof(s1), "%s/one.sock", t->dir);
	snprintf(s2, sizeof(s2), "%s/two.sock", t->dir);
	fd1 = dgram_bind(s1, SOCK_DGRAM);
	fd2 = dgram_bind(s2, SOCK_DGRAM);
	log_plug_open(&p, "logging/syslog/log_syslog.so");
	assert_int_equal(plug_init(&p, &c1, err, sizeof(err)), 0);
	assert_int_not_equal(p.m->reload(p.st, &bad, err, sizeof(err)), 0);
	plug_log_event(&p, &ev);
	assert_has(dgram_recv(fd1, 2000), " cellftpd[");
	assert_int_equal(p.m->reload(p.st, &c2, err, sizeof(err)), 0);
	plug_log_event(&p, &ev);
	assert_has(dgram_recv(fd2, 2000), " moved[");
	assert_null(dgram_recv(fd1, 100));
	p.m->log->reopen(p.st);		/* SIGUSR1: connects afresh */
	plug_log_event(&p, &ev);
	assert_has(dgram_recv(fd2, 2000), " moved[");
	plug_close(&p);
	close(fd1);
	close(fd2);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, tmp_setup, tmp_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_lines_of_every_event_type),
		cmocka_unit_test(unknown_sid_client_and_user_are_dash_or_null),
		cmocka_unit_test(json_uses_numbers_and_booleans),
		cmocka_unit_test(hostile_values_cannot_forge_a_line),
		cmocka_unit_test(long_values_are_cut_and_lines_stay_whole),
		cmocka_unit_test(syslog_style_has_no_time),
		cmocka_unit_test(older_senders_leave_the_new_fields_zero),
		cmocka_unit_test(passwords_are_masked_in_commands),
		cmocka_unit_test(xferlog_lines_have_the_14_wu_ftpd_fields),
		cmocka_unit_test(xferlog_file_names_stay_one_field),
		T(each_category_goes_to_its_own_file),
		T(names_are_configurable_and_empty_turns_a_category_off),
		T(json_format_for_every_category_but_xferlog),
		cmocka_unit_test(bad_settings_name_their_line),
		T(missing_or_unwritable_dir_is_an_init_error),
		T(a_symlink_in_place_of_a_log_file_is_refused),
		T(new_files_are_0640_and_get_the_folder_owner_as_root),
		T(reopen_after_rename_writes_new_files),
		T(reload_applies_only_when_every_file_opens),
		T(lines_lost_on_a_full_disk_are_counted_and_told),
		T(a_write_cut_at_a_line_end_keeps_its_whole_lines),
		T(a_write_cut_inside_a_line_ends_it_before_the_next),
		T(reload_while_events_flow_loses_no_line),
		T(syslog_messages_are_rfc3164_lines),
		T(syslog_facility_ident_and_commands_are_settings),
		cmocka_unit_test(syslog_bad_settings_name_their_line),
		T(syslog_stream_socket_is_an_init_error),
		T(syslog_away_counts_and_tells_when_back),
		T(syslog_stalled_reader_costs_one_short_wait),
		T(syslog_reader_that_keeps_up_loses_nothing),
		T(syslog_reload_moves_to_a_new_socket),
	};

	/* syslog stamps local time: make it UTC for the expected lines */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
