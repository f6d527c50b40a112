/*
 * Suite "robust": what a client can throw at the control connection.
 * Over-long lines, unknown verbs, bad or missing arguments, commands
 * before login, Telnet IAC sequences, pipelined and fragmented commands,
 * and an unreachable PORT address: one sane reply each, session intact.
 */
#include "check.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LONG_LINE	10000
#define EXPECT_501	RFC959("4.2.1")

static int alive(struct chk *c, struct ftpc *f)
{
	return chk_expect(c, f, "200", RFC959("5.4") " (the session goes on)",
			  "NOOP");
}

static enum chk_result long_line(struct chk *c)
{
	struct ftpc *f = c->ctl;
	char *line = malloc(LONG_LINE + 16);
	int code, n = 0, fivexx = 0;

	if (line == NULL)
		return chk_fail(c, "memory", "out of memory");
	memcpy(line, "XLNG ", 5);
	memset(line + 5, 'A', LONG_LINE);
	memcpy(line + 5 + LONG_LINE, "\r\nNOOP\r\n", 9);
	code = ftpc_send_raw(f, line, LONG_LINE + 13);
	free(line);
	if (code != 0)
		return chk_fail(c, "the line read", "sending: %s", f->err);
	/* Replies up to the NOOP's 200: exactly one, a 5xx. */
	while (n < 10 && (code = ftpc_reply(f)) > 0 && code != 200) {
		n++;
		fivexx += code / 100 == 5;
		if (code == 421)
			return ftpc_wait_eof(f, 3000) == 1 ? CHK_PASS :
				chk_fail(c, "the connection closed after 421, "
					 RFC959("5.4"), "421 but still open");
	}
	if (code < 0 && n == 0)
		return chk_fail(c, "a reply: every command gets at least one, "
				RFC959("4.2"), "after a %d-byte line: %s",
				LONG_LINE + 5, f->eof ? "the server closed the "
				"connection without a reply" : f->err);
	if (code < 0 && f->eof && n == 1 && fivexx == 1) {
		snprintf(c->remark, sizeof(c->remark), "the server answered "
			 "the long line, then closed the connection");
		return CHK_PASS;
	}
	if (code < 0)
		return chk_fail(c, "one 5xx reply", "after a %d-byte line and "
				"%d replies: %s", LONG_LINE + 5, n, f->err);
	if (n != 1 || fivexx != 1)
		return chk_fail(c, "exactly one 5xx reply to one line, "
				RFC959("4.2"), "a %d-byte line got %d replies "
				"(%d of them 5xx)%s", LONG_LINE + 5, n, fivexx,
				n > 1 ? ": the line was cut into several "
				"commands" : "");
	return CHK_PASS;
}

static enum chk_result unknown(struct chk *c)
{
	if (chk_expect(c, c->ctl, "500 502", RFC959("4.2.1"), "XYZZY") < 0 ||
	    chk_expect(c, c->ctl, "500 502", RFC959("4.2.1"), "XYZZY arg") < 0
	    || alive(c, c->ctl) < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result port_bad(struct chk *c)
{
	static const char *const args[] = { "1,2,3", "127,0,0,1,300,1",
					    "256,0,0,1,4,1", "a,b,c,d,e,f", "" };
	unsigned i;

	for (i = 0; i < sizeof(args) / sizeof(args[0]); i++)
		if (chk_expect(c, c->ctl, "500 501", EXPECT_501, "PORT%s%s",
			       args[i][0] ? " " : "", args[i]) < 0)
			return CHK_FAIL;
	return alive(c, c->ctl) < 0 ? CHK_FAIL : CHK_PASS;
}

static enum chk_result eprt_bad(struct chk *c)
{
	struct ftpc *f = c->ctl;
	int code;

	code = chk_cmd(c, f, "EPRT |1|127.0.0.1|x|");
	if (code < 0)
		return CHK_FAIL;
	if (CHK_UNIMPLEMENTED(code) && !chk_feat(c->env, "EPRT"))
		return chk_skip(c, "EPRT is not implemented nor announced");
	if (code != 500 && code != 501)
		return chk_fail(c, EXPECT_501, "EPRT with a bad port was "
				"answered %s", chk_said(f));
	if (chk_expect(c, f, "522 501 500", RFC2428("2") " (522: protocol "
		       "not supported)", "EPRT |9|127.0.0.1|6000|") < 0 ||
	    chk_expect(c, f, "500 501", EXPECT_501, "EPRT garbage") < 0)
		return CHK_FAIL;
	return alive(c, f) < 0 ? CHK_FAIL : CHK_PASS;
}

static enum chk_result epsv_bad(struct chk *c)
{
	struct ftpc *f = c->ctl;

	if (!chk_feat(c->env, "EPSV"))
		return chk_skip(c, "FEAT does not announce EPSV");
	if (chk_expect(c, f, "522 501 500", RFC2428("3") " (522: protocol "
		       "not supported)", "EPSV 9") < 0 ||
	    chk_expect(c, f, "500 501 522", EXPECT_501, "EPSV garbage") < 0)
		return CHK_FAIL;
	return alive(c, f) < 0 ? CHK_FAIL : CHK_PASS;
}

static enum chk_result rest_bad(struct chk *c)
{
	if (!chk_feat(c->env, "REST STREAM"))
		return chk_skip(c, "FEAT does not announce REST STREAM");
	if (chk_expect(c, c->ctl, "500 501 554", RFC3659("5.3") " (a marker "
		       "that is not digits)", "REST abc") < 0 ||
	    chk_expect(c, c->ctl, "500 501 554", RFC3659("5.3"),
		       "REST -5") < 0)
		return CHK_FAIL;
	return alive(c, c->ctl) < 0 ? CHK_FAIL : CHK_PASS;
}

static enum chk_result missing_args(struct chk *c)
{
	static const char *const verbs[] = { "MKD", "RMD", "DELE", "RNFR",
					     "RETR", "STOR", "TYPE", "MODE",
					     "STRU" };
	unsigned i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (chk_expect(c, c->ctl, "500 501", EXPECT_501 " (an argument "
			       "is required)", "%s", verbs[i]) < 0)
			return CHK_FAIL;
	return alive(c, c->ctl) < 0 ? CHK_FAIL : CHK_PASS;
}

static enum chk_result before_login(struct chk *c)
{
	static const char *const cmds[] = { "PWD", "CWD /", "LIST", "NLST",
					    "RETR x", "STOR x", "DELE x",
					    "RNFR x", "RMD x", "PASV",
					    "PORT 127,0,0,1,200,10", "SIZE x",
					    "MDTM x", "CDUP" };
	struct ftpc *f = c->ctl;
	unsigned i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (chk_expect(c, f, "530", RFC959("5.4") " (not logged in)",
			       "%s", cmds[i]) < 0)
			return CHK_FAIL;
	if (chk_expect(c, f, "530", RFC959("5.4") " (not logged in)",
		       "MKD %s/robust-prelogin", c->env->scratch) < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result telnet_abor(struct chk *c)
{
	struct ftpc *f = c->ctl;

	/* RFC 959 4.1.3: Telnet IP, the Synch (IAC, then DM as urgent
	 * data), then ABOR; with no transfer running the answer is 225
	 * or 226, and the Telnet bytes are not part of the command. */
	if (ftpc_send_interrupt(f, "ABOR") != 0)
		return chk_fail(c, "the bytes sent", "%s", f->err);
	if (!chk_code_in(ftpc_reply(f), "225 226"))
		return chk_fail(c, "225 or 226: Telnet IP and Synch are not "
				"part of the command, " RFC959("4.1.3"),
				"IP, Synch, ABOR was answered %s", chk_said(f));
	return alive(c, f) < 0 ? CHK_FAIL : CHK_PASS;
}

static enum chk_result iac_in_path(struct chk *c)
{
	struct ftpc *f = c->ctl;
	struct ftpc_buf names = { 0 };
	enum chk_result r = CHK_FAIL;

	/* RFC 3659 2.2: a 0xff in a pathname travels as IAC IAC. */
	if (ftpc_send_raw(f, "MKD ab\xff\xff" "cd\r\n", 12) != 0)
		return chk_fail(c, "the line read", "%s", f->err);
	if (ftpc_reply(f) != 257) {
		if (f->reply.code / 100 == 5)
			return chk_skip(c, "the server does not take this name "
					"(%s)", chk_said(f));
		return chk_fail(c, "257", "MKD was answered %s", chk_said(f));
	}
	if (chk_names(c, f, NULL, &names) != 0)
		goto out;
	if (!chk_has_name(&names, "ab\xff" "cd")) {
		chk_fail(c, "the name \"ab\\xffcd\": IAC IAC stands for one "
			 "0xff byte, " RFC3659("2.2"), "NLST shows \"%.*s\"",
			 (int)strcspn(names.p, "\n"), names.p);
		goto out;
	}
	r = CHK_PASS;
out:
	/* Remove it with the very bytes that made it, whatever it is. */
	if (ftpc_send_raw(f, "RMD ab\xff\xff" "cd\r\n", 12) == 0)
		(void)ftpc_reply(f);
	ftpc_buf_free(&names);
	return r;
}

static enum chk_result pipelined(struct chk *c)
{
	static const int want[] = { 200, 257, 200, 215, 200 };
	static const char burst[] = "NOOP\r\nPWD\r\nNOOP\r\nSYST\r\nNOOP\r\n";
	struct ftpc *f = c->ctl;
	unsigned i;
	int code;

	if (ftpc_send_raw(f, burst, sizeof(burst) - 1) != 0)
		return chk_fail(c, "the lines read", "%s", f->err);
	for (i = 0; i < 5; i++) {
		code = ftpc_reply(f);
		if (code == want[i] || (i == 3 && CHK_UNIMPLEMENTED(code)))
			continue;
		return chk_fail(c, "one reply per command, in order: 200 257 "
				"200 215 200, " RFC959("4.2"), "reply %u to five "
				"commands sent at once was %s", i + 1,
				chk_said(f));
	}
	return CHK_PASS;
}

static enum chk_result fragmented(struct chk *c)
{
	static const struct timespec pause = { 0, 200 * 1000 * 1000 };
	struct ftpc *f = c->ctl;

	if (ftpc_send_raw(f, "NO", 2) != 0 || nanosleep(&pause, NULL) != 0 ||
	    ftpc_send_raw(f, "OP\r", 3) != 0 || nanosleep(&pause, NULL) != 0 ||
	    ftpc_send_raw(f, "\n", 1) != 0)
		return chk_fail(c, "the bytes sent", "%s", f->err);
	if (ftpc_reply(f) != 200)
		return chk_fail(c, "200: a command may arrive in pieces",
				"NOOP sent in three pieces was answered %s",
				chk_said(f));
	if (ftpc_pending(f, 300) != 0)
		return chk_fail(c, "one reply per command, " RFC959("4.2"),
				"more replies followed a fragmented NOOP");
	return alive(c, f) < 0 ? CHK_FAIL : CHK_PASS;
}

static enum chk_result long_name(struct chk *c)
{
	char name[301];
	int code;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	code = chk_expect(c, c->ctl, "257 5xx", RFC959("5.4"), "MKD %s", name);
	if (code < 0 || alive(c, c->ctl) < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result port_unreachable(struct chk *c)
{
	struct ftpc *f = c->ctl;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char arg[128];
	int fd, code;

	if (c->env->is_v6)
		return chk_skip(c, "PORT is IPv4 only");
	if (chk_put(c, f, "file", "data", 4) != 0)
		return CHK_FAIL;
	/* A port of ours that nobody listens on any more. */
	memcpy(&ss, &f->local, sizeof(ss));
	((struct sockaddr_in *)&ss)->sin_port = 0;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, sizeof(struct
		sockaddr_in)) != 0 || getsockname(fd, (struct sockaddr *)&ss,
						  &len) != 0) {
		if (fd >= 0)
			close(fd);
		return chk_fail(c, "a local port", "cannot bind a socket");
	}
	close(fd);
	if (ftpc_fmt_port(arg, sizeof(arg), (struct sockaddr *)&ss) != 0 ||
	    chk_expect(c, f, "200", RFC959("5.4"), "PORT %s", arg) < 0)
		return CHK_FAIL;
	code = chk_cmd(c, f, "RETR file");
	if (code >= 100 && code < 200)
		code = ftpc_reply(f);
	if (code < 0)
		return CHK_FAIL;
	if (code != 425 && code / 100 != 4 && code / 100 != 5)
		return chk_fail(c, "425 (cannot open data connection), "
				RFC959("5.4"), "RETR to a closed port ended with "
				"%s", chk_said(f));
	return alive(c, f) < 0 ? CHK_FAIL : CHK_PASS;
}

const struct chk_def chk_robust_suite[] = {
	{ "robust", "long_line", CHK_NODIR, long_line,
	  "a 10000-byte line gets one 5xx and the session goes on" },
	{ "robust", "unknown_command", CHK_NODIR, unknown,
	  "an unknown verb gets 500 (or 502)" },
	{ "robust", "port_bad", CHK_NODIR, port_bad,
	  "malformed PORT arguments get 501" },
	{ "robust", "eprt_bad", CHK_NODIR, eprt_bad,
	  "malformed EPRT or an unknown protocol is refused (501, 522)" },
	{ "robust", "epsv_bad", CHK_NODIR, epsv_bad,
	  "EPSV with an unknown protocol is refused (522)" },
	{ "robust", "rest_bad", CHK_NODIR, rest_bad,
	  "REST with a marker that is not digits is refused" },
	{ "robust", "missing_args", CHK_NODIR, missing_args,
	  "verbs that need an argument get 501 without one" },
	{ "robust", "before_login", CHK_RAW, before_login,
	  "file and data commands before login get 530" },
	{ "robust", "telnet_abor", CHK_NODIR, telnet_abor,
	  "Telnet IP and Synch before ABOR (no transfer): 225 or 226" },
	{ "robust", "iac_in_path", 0, iac_in_path,
	  "IAC IAC in a path stands for one 0xff byte" },
	{ "robust", "pipelined", CHK_NODIR, pipelined,
	  "five commands in one packet get five replies in order" },
	{ "robust", "fragmented", CHK_NODIR, fragmented,
	  "a command sent in pieces gets one reply" },
	{ "robust", "long_name", 0, long_name,
	  "MKD of a 300-byte name: 257 or a refusal, session intact" },
	{ "robust", "port_unreachable", 0, port_unreachable,
	  "RETR to a PORT nobody listens on: 425, session intact" },
	{ NULL, NULL, 0, NULL, NULL }
};
