/*
 * Suite "resume": transfers that continue, add or stop.  REST for RETR
 * and STOR (RFC 3659 section 5), REST used up by one transfer and refused
 * past the end, APPE, STOU with its "FILE:" name (RFC 1123), and ABOR of
 * a running download (RFC 959 section 4.1.3).
 */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REST_LEN	100000
#define ABOR_LEN	(16u << 20)
#define ABOR_WAIT_MS	5000

static int rest_stream(struct chk *c, enum chk_result *r)
{
	if (chk_feat(c->env, "REST STREAM"))
		return 0;
	*r = chk_skip(c, "FEAT does not announce REST STREAM");
	return -1;
}

/* Data command after PASV/EPSV and then REST (REST goes last, RFC 3659
 * 5.3): the 1xx code with d open, or -1 after a WARNING. */
static int start_at(struct chk *c, struct ftpc *f, struct ftpc_data *d,
		    long long off, const char *cmd)
{
	int code;

	d->rcvbuf = 0;
	d->defer = 0;
	if (ftpc_data_prepare(f, d, c->dmode) != 0) {
		chk_fail(c, "a data connection, " RFC959("3.2"), "%s: %s",
			 ftpc_dmode_name(c->dmode), f->reply.code > 0 ?
			 chk_said(f) : f->err);
		return -1;
	}
	if (off >= 0 && chk_expect(c, f, "350", RFC3659("5.3"), "REST %lld",
				   off) < 0)
		goto fail;
	code = ftpc_data_start(f, d, "%s", cmd);
	if (code >= 100 && code < 200)
		return code;
	chk_fail(c, "150, then the data, " RFC959("5.4"), "%s was answered %s",
		 cmd, chk_said(f));
fail:
	ftpc_data_close(d);
	return -1;
}

static int finish(struct chk *c, struct ftpc *f, struct ftpc_data *d,
		  const char *cmd)
{
	int code = ftpc_data_finish(f, d);

	if (code == 226 || code == 250)
		return 0;
	chk_fail(c, "226 after the data, " RFC959("5.4"), "%s ended with %s",
		 cmd, chk_said(f));
	return -1;
}

static int read_from(struct chk *c, struct ftpc *f, long long off,
		     const char *path, struct ftpc_buf *out)
{
	struct ftpc_data d;
	char cmd[CHK_PATH + 8], buf[65536];
	ssize_t n;

	snprintf(cmd, sizeof(cmd), "RETR %s", path);
	if (start_at(c, f, &d, off, cmd) < 0)
		return -1;
	while ((n = ftpc_data_read(f, &d, buf, sizeof(buf))) > 0)
		if (out->len + (size_t)n > CHK_BIG_LIMIT ||
		    ftpc_buf_add(out, buf, (size_t)n) != 0)
			break;
	if (n < 0) {
		ftpc_data_close(&d);
		chk_fail(c, "the data, " RFC959("3.2"), "%s: the data "
			 "connection failed: %s", cmd, f->err);
		return -1;
	}
	ftpc_note(f, "data: received %zu bytes", out->len);
	return finish(c, f, &d, cmd);
}

static int expect_tail(struct chk *c, const char *data, size_t len,
		       size_t off, const struct ftpc_buf *got, const char *what)
{
	char exp[96];

	if (got->len == len - off && memcmp(got->p, data + off, got->len) == 0)
		return 0;
	snprintf(exp, sizeof(exp), "the last %zu bytes, from offset %zu",
		 len - off, off);
	chk_fail(c, exp, "%s gave %zu bytes%s", what, got->len,
		 got->len == len ? ", the whole file: REST was ignored" : "");
	return -1;
}

static enum chk_result rest_retr(struct chk *c)
{
	struct ftpc_buf got = { 0 };
	enum chk_result r = CHK_FAIL;
	char *data;

	if (rest_stream(c, &r) != 0)
		return r;
	data = malloc(REST_LEN);
	if (data == NULL)
		return chk_fail(c, "memory", "out of memory");
	chk_fill(data, REST_LEN, 11);
	if (chk_put(c, c->ctl, "resume", data, REST_LEN) != 0 ||
	    read_from(c, c->ctl, 40000, "resume", &got) != 0 ||
	    expect_tail(c, data, REST_LEN, 40000, &got, "REST 40000 + RETR"))
		goto out;
	r = CHK_PASS;
out:
	ftpc_buf_free(&got);
	free(data);
	return r;
}

static enum chk_result rest_consumed(struct chk *c)
{
	struct ftpc_buf got = { 0 };
	enum chk_result r = CHK_FAIL;
	char data[3000];

	if (rest_stream(c, &r) != 0)
		return r;
	chk_fill(data, sizeof(data), 12);
	if (chk_put(c, c->ctl, "f", data, sizeof(data)) != 0 ||
	    read_from(c, c->ctl, 1000, "f", &got) != 0)
		goto out;
	got.len = 0;
	/* RFC 3659 5.3: the marker is for the immediately next transfer. */
	if (read_from(c, c->ctl, -1, "f", &got) != 0 ||
	    expect_tail(c, data, sizeof(data), 0, &got,
			"a second RETR without REST"))
		goto out;
	r = CHK_PASS;
out:
	ftpc_buf_free(&got);
	return r;
}

static enum chk_result rest_stor(struct chk *c)
{
	struct ftpc *f = c->ctl;
	struct ftpc_buf got = { 0 };
	enum chk_result r = CHK_FAIL;
	struct ftpc_data d;
	char *data;

	if (rest_stream(c, &r) != 0)
		return r;
	data = malloc(REST_LEN);
	if (data == NULL)
		return chk_fail(c, "memory", "out of memory");
	chk_fill(data, REST_LEN, 13);
	/* An "interrupted" upload of 30000 bytes, then the rest. */
	if (chk_put(c, f, "partial", data, 30000) != 0 ||
	    start_at(c, f, &d, 30000, "STOR partial") < 0)
		goto out;
	if (ftpc_data_write(f, &d, data + 30000, REST_LEN - 30000) != 0) {
		ftpc_data_close(&d);
		chk_fail(c, "the data accepted", "STOR after REST: %s", f->err);
		goto out;
	}
	if (finish(c, f, &d, "STOR partial") != 0 ||
	    read_from(c, f, -1, "partial", &got) != 0)
		goto out;
	if (got.len != REST_LEN || memcmp(got.p, data, REST_LEN) != 0) {
		chk_fail(c, "the whole file, 30000 + 70000 bytes, "
			 RFC3659("5.3"), "after REST 30000 + STOR of the rest, "
			 "the file has %zu bytes%s", got.len,
			 got.len == REST_LEN - 30000 ? " (only the tail: REST "
			 "was ignored)" : "");
		goto out;
	}
	r = CHK_PASS;
out:
	ftpc_buf_free(&got);
	free(data);
	return r;
}

static enum chk_result rest_beyond_eof(struct chk *c)
{
	struct ftpc *f = c->ctl;
	enum chk_result r = CHK_FAIL;
	struct ftpc_data d;
	int code;

	if (rest_stream(c, &r) != 0)
		return r;
	if (chk_put(c, f, "short", "0123456789", 10) != 0)
		return CHK_FAIL;
	d.rcvbuf = 0;
	d.defer = 0;
	if (ftpc_data_prepare(f, &d, c->dmode) != 0)
		return chk_fail(c, "a data connection", "%s", f->err);
	/* RFC 3659 5.3: REST only fails on syntax; the range error comes
	 * with the transfer command, which is then rejected. */
	if (chk_expect(c, f, "350", RFC3659("5.3"), "REST 5000") < 0) {
		ftpc_data_close(&d);
		return CHK_FAIL;
	}
	code = ftpc_data_start(f, &d, "RETR short");
	if (code >= 100 && code < 200) {
		(void)ftpc_data_finish(f, &d);
		return chk_fail(c, "RETR rejected with an error, " RFC3659("5.3")
				" (restart marker out of range)", "RETR after "
				"REST past the end started a transfer (%d)",
				code);
	}
	ftpc_data_close(&d);
	if (code / 100 != 4 && code / 100 != 5)
		return chk_fail(c, "a 4xx or 5xx error, " RFC3659("5.3"),
				"RETR after REST past the end was answered %s",
				chk_said(f));
	return CHK_PASS;
}

static enum chk_result appe(struct chk *c)
{
	struct ftpc *f = c->ctl;
	struct ftpc_buf got = { 0 };
	enum chk_result r = CHK_FAIL;
	struct ftpc_xfer x;

	if (chk_put(c, f, "log", "first,", 6) != 0)
		goto out;
	ftpc_put(f, c->dmode, "second", 6, &x, "APPE log");
	if (x.prelim == 0 || x.final != 226) {
		chk_fail(c, "150 then 226, " RFC959("5.4"), "APPE log ended "
			 "with %s", chk_said(f));
		goto out;
	}
	if (chk_get(c, f, "log", &got) != 0)
		goto out;
	if (got.len != 12 || memcmp(got.p, "first,second", 12) != 0) {
		chk_fail(c, "\"first,second\", " RFC959("4.1.3") " (APPE)",
			 "after APPE the file is \"%.*s\"", (int)(got.len > 40 ?
			 40 : got.len), got.p);
		goto out;
	}
	r = CHK_PASS;
out:
	ftpc_buf_free(&got);
	return r;
}

static enum chk_result appe_new(struct chk *c)
{
	struct ftpc *f = c->ctl;
	struct ftpc_buf got = { 0 };
	enum chk_result r = CHK_FAIL;
	struct ftpc_xfer x;

	ftpc_put(f, c->dmode, "fresh", 5, &x, "APPE fresh");
	if (x.prelim == 0 || x.final != 226) {
		chk_fail(c, "150 then 226: APPE creates a missing file, "
			 RFC959("4.1.3"), "APPE of a new file ended with %s",
			 chk_said(f));
		goto out;
	}
	if (chk_get(c, f, "fresh", &got) != 0)
		goto out;
	if (got.len != 5 || memcmp(got.p, "fresh", 5) != 0) {
		chk_fail(c, "the 5 bytes sent", "RETR gave %zu bytes", got.len);
		goto out;
	}
	r = CHK_PASS;
out:
	ftpc_buf_free(&got);
	return r;
}

/* STOU: the name from "150 FILE: name", data sent, 226; 0 or -1. */
static int stou(struct chk *c, struct ftpc *f, const char *data, size_t len,
		char *name, size_t namelen)
{
	struct ftpc_data d;

	if (start_at(c, f, &d, -1, "STOU") < 0)
		return -1;
	if (ftpc_parse_stou(ftpc_text(f), name, namelen) != 0) {
		chk_fail(c, "\"150 FILE: name\", " RFC1123("4.1.2.9"),
			 "STOU was answered %s, without the file name",
			 chk_said(f));
		ftpc_data_close(&d);
		(void)ftpc_data_finish(f, &d);
		return -1;
	}
	if (ftpc_data_write(f, &d, data, len) != 0) {
		ftpc_data_close(&d);
		chk_fail(c, "the data accepted", "STOU: %s", f->err);
		return -1;
	}
	return finish(c, f, &d, "STOU");
}

static enum chk_result stou_names(struct chk *c)
{
	struct ftpc *f = c->ctl;
	struct ftpc_buf got = { 0 };
	enum chk_result r = CHK_FAIL;
	char n1[CHK_PATH], n2[CHK_PATH];

	if (stou(c, f, "one", 3, n1, sizeof(n1)) != 0 ||
	    stou(c, f, "two", 3, n2, sizeof(n2)) != 0)
		goto out;
	if (strcmp(n1, n2) == 0) {
		chk_fail(c, "a new unique name each time, " RFC959("4.1.3"),
			 "two STOU both named \"%s\"", n1);
		goto out;
	}
	if (chk_get(c, f, n1, &got) != 0)
		goto out;
	if (got.len != 3 || memcmp(got.p, "one", 3) != 0) {
		chk_fail(c, "the data of the first STOU", "RETR %s gave %zu "
			 "bytes", n1, got.len);
		goto out;
	}
	r = CHK_PASS;
out:
	ftpc_buf_free(&got);
	return r;
}

static enum chk_result abor_check(struct chk *c, struct ftpc *f,
				  struct ftpc_data *d)
{
	int first, second, timeout = f->timeout_ms;

	/* The RFC 959 4.1.3 way to interrupt: Telnet IP, Synch, ABOR. */
	if (ftpc_send_interrupt(f, "ABOR") != 0)
		return chk_fail(c, "ABOR sent", "%s", f->err);
	f->timeout_ms = ABOR_WAIT_MS;
	first = ftpc_reply(f);
	f->timeout_ms = timeout;
	if (first < 0) {
		ftpc_data_close(d);
		(void)ftpc_reply(f);
		return chk_fail(c, "426 then 226 while the transfer runs, "
				RFC959("4.1.3"), "no reply to ABOR within %d s "
				"while the download was running", ABOR_WAIT_MS /
				1000);
	}
	ftpc_data_close(d);
	if (first != 426 && first != 226)
		return chk_fail(c, "426 then 226, " RFC959("4.1.3"),
				"ABOR during RETR was answered %s", chk_said(f));
	second = first == 426 ? ftpc_reply(f) : 0;
	if (first == 426 && second != 226 && second != 225)
		return chk_fail(c, "226 after the 426, " RFC959("4.1.3"),
				"the second reply to ABOR was %s", chk_said(f));
	if (first == 226)
		return chk_fail(c, "426 (transfer aborted) then 226, "
				RFC959("4.1.3"), "ABOR during a download that "
				"could not have finished got only %s",
				chk_said(f));
	return CHK_PASS;
}

static enum chk_result abor(struct chk *c)
{
	struct ftpc *f = c->ctl;
	enum chk_result r = CHK_FAIL;
	struct ftpc_data d;
	char *data, buf[65536];
	ssize_t n;

	data = malloc(ABOR_LEN);
	if (data == NULL)
		return chk_fail(c, "memory", "out of memory");
	chk_fill(data, ABOR_LEN, 14);
	if (chk_put(c, f, "big", data, ABOR_LEN) != 0)
		goto out;
	/* A small window: the server's sends block long before the end. */
	d.rcvbuf = 16384;
	d.defer = 0;
	if (ftpc_data_prepare(f, &d, c->dmode) != 0 ||
	    ftpc_data_start(f, &d, "RETR big") / 100 != 1) {
		ftpc_data_close(&d);
		chk_fail(c, "150", "RETR big: %s", f->reply.code > 0 ?
			 chk_said(f) : f->err);
		goto out;
	}
	n = ftpc_data_read(f, &d, buf, sizeof(buf));
	if (n <= 0 || memcmp(buf, data, (size_t)n) != 0) {
		ftpc_data_close(&d);
		chk_fail(c, "the file's first bytes", "the download gave %s",
			 n <= 0 ? "nothing" : "other bytes");
		goto out;
	}
	ftpc_note(f, "data: read %zd bytes, then ABOR", n);
	r = abor_check(c, f, &d);
	if (r == CHK_PASS && chk_expect(c, f, "200", RFC959("5.4") " (the "
					"session goes on)", "NOOP") < 0)
		r = CHK_FAIL;
out:
	free(data);
	return r;
}

static enum chk_result abor_idle(struct chk *c)
{
	if (chk_expect(c, c->ctl, "225 226", RFC959("5.4"), "ABOR") < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

const struct chk_def chk_resume_suite[] = {
	{ "resume", "rest_retr", 0, rest_retr,
	  "REST n + RETR sends the file from byte n" },
	{ "resume", "rest_stor", 0, rest_stor,
	  "REST n + STOR completes an interrupted upload" },
	{ "resume", "rest_consumed", 0, rest_consumed,
	  "a REST marker applies to one transfer only" },
	{ "resume", "rest_beyond_eof", 0, rest_beyond_eof,
	  "RETR after REST past the end is rejected" },
	{ "resume", "appe", 0, appe, "APPE adds to the end of a file" },
	{ "resume", "appe_new", 0, appe_new, "APPE creates a missing file" },
	{ "resume", "stou", 0, stou_names,
	  "STOU answers \"150 FILE: name\" with a new name each time" },
	{ "resume", "abor", 0, abor,
	  "ABOR during a download: 426 then 226, the session goes on" },
	{ "resume", "abor_idle", 0, abor_idle,
	  "ABOR with no transfer answers 225 or 226" },
	{ NULL, NULL, 0, NULL, NULL }
};
