/*
 * Suite "security": attempts to get out of the cell or to misuse the
 * server.  ".." and absolute paths aimed above the root, a NUL inside a
 * name, PORT/EPRT to a third party or to a privileged port (the bounce
 * attack of RFC 2577), a passive port taken by another address, and a
 * sweep of replies for real paths.
 */
#include "check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define UP	"/../../../../../../../../../.."
#define TEST_NET "192.0.2.1"	/* RFC 5737: never a real host */

static int need_cell(struct chk *c, enum chk_result *r)
{
	if (strcmp(c->env->base, "/") == 0)
		return 0;
	*r = chk_skip(c, "the login directory is not \"/\"");
	return -1;
}

/* The cell must not have /etc, or escapes to /etc cannot be told. */
static int no_etc(struct chk *c, struct ftpc *f, enum chk_result *r)
{
	int code = chk_cmd(c, f, "CWD /etc");

	if (code < 0) {
		*r = CHK_FAIL;
		return -1;
	}
	if (code / 100 != 2)
		return 0;
	*r = chk_skip(c, "the cell has its own /etc");
	(void)chk_cmd(c, f, "CWD %s", c->dir);
	return -1;
}

static enum chk_result cwd_escape(struct chk *c)
{
	struct ftpc *f = c->ctl;
	enum chk_result r;

	if (need_cell(c, &r) != 0 || no_etc(c, f, &r) != 0)
		return r;
	if (chk_expect(c, f, "550", "550: the cell has no /etc, and \"..\" "
		       "at the root stays there", "CWD " UP "/etc") < 0)
		return CHK_FAIL;
	if (chk_expect(c, f, "550", "550: the cell has no /etc",
		       "CWD ../../../../../../../../../../etc") < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static enum chk_result retr_escape(struct chk *c)
{
	static const char *const paths[] = { UP "/etc/passwd",
		"../../../../../../../../../../etc/passwd", "/etc/passwd" };
	struct ftpc *f = c->ctl;
	struct ftpc_buf got = { 0 };
	struct ftpc_xfer x;
	enum chk_result r;
	unsigned i;

	if (need_cell(c, &r) != 0 || no_etc(c, f, &r) != 0)
		return r;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		got.len = 0;
		ftpc_get(f, c->dmode, &got, 1 << 20, &x, "RETR %s", paths[i]);
		if (x.prelim != 0 || x.final / 100 == 2) {
			r = chk_fail(c, "550: the cell has no /etc/passwd",
				     "RETR %s sent %zu bytes%s", paths[i],
				     got.len, got.p && strstr(got.p, "root:") ?
				     " of the machine's /etc/passwd" : "");
			ftpc_buf_free(&got);
			return r;
		}
	}
	ftpc_buf_free(&got);
	return CHK_PASS;
}

static enum chk_result list_escape(struct chk *c)
{
	struct ftpc *f = c->ctl;
	struct ftpc_buf root = { 0 }, up = { 0 };
	enum chk_result r;
	struct ftpc_xfer x;

	if (need_cell(c, &r) != 0)
		return r;
	r = CHK_FAIL;
	if (chk_names(c, f, "/", &root) != 0)
		goto out;
	ftpc_get(f, c->dmode, &up, 1 << 20, &x, "NLST " UP);
	if (x.prelim == 0 && x.final / 100 == 5) {
		r = CHK_PASS;	/* refused: fine */
		goto out;
	}
	if (x.prelim == 0 || x.data_error || x.final / 100 != 2) {
		chk_fail(c, "the root's listing, or a refusal", "NLST " UP
			 " ended with %s", chk_said(f));
		goto out;
	}
	if (up.p == NULL || strstr(up.p, c->env->token) == NULL) {
		chk_fail(c, "the cell root's listing (it holds the scratch "
			 "folder)", "NLST of \"..\" chains above the root "
			 "lists another directory: \"%.60s\"", up.p ? up.p : "");
		goto out;
	}
	r = CHK_PASS;
out:
	ftpc_buf_free(&root);
	ftpc_buf_free(&up);
	return r;
}

static int visible(struct chk *c, struct ftpc *f, const char *name)
{
	struct ftpc_buf names = { 0 };
	int r;

	r = chk_names(c, f, NULL, &names) == 0 ? chk_has_name(&names, name) :
		-1;
	ftpc_buf_free(&names);
	return r;
}

static enum chk_result make_escape(struct chk *c)
{
	struct ftpc *f = c->ctl;
	enum chk_result r;
	int code;

	if (need_cell(c, &r) != 0)
		return r;
	/* In a cell this is our own folder; above it, nothing exists. */
	code = chk_expect(c, f, "257 550 553", RFC959("5.4"), "MKD " UP "%s",
			  chk_path(c, "made"));
	if (code < 0)
		return CHK_FAIL;
	/* In a cell, the path names the check's own folder. */
	if (code == 257 && visible(c, f, "made") != 1)
		return chk_fail(c, "the folder made in the cell, where \"..\" "
				"at the root stays", "MKD through \"..\" above "
				"the root said 257, but the folder is not in "
				"the cell");
	return CHK_PASS;
}

static enum chk_result rename_escape(struct chk *c)
{
	struct ftpc *f = c->ctl;
	enum chk_result r;
	int code;

	if (need_cell(c, &r) != 0)
		return r;
	if (chk_put(c, f, "src", "src", 3) != 0 ||
	    chk_expect(c, f, "350", RFC959("5.4"), "RNFR src") < 0)
		return CHK_FAIL;
	code = chk_expect(c, f, "250 550 553", RFC959("5.4"), "RNTO " UP "%s",
			  chk_path(c, "dst"));
	if (code < 0)
		return CHK_FAIL;
	if (code == 250 && visible(c, f, "dst") != 1)
		return chk_fail(c, "the file renamed inside the cell",
				"RNTO through \"..\" above the root said 250, "
				"but the file is not in the cell");
	if (code != 250 && visible(c, f, "src") != 1)
		return chk_fail(c, "the file left where it was",
				"a refused RNTO lost the file");
	return CHK_PASS;
}

static enum chk_result nul_in_path(struct chk *c)
{
	/* RFC 959 5.3.2 allows NUL in a pathname; a UNIX name cannot hold
	 * it, so the command must fail rather than act on "trunc". */
	static const char mkd[] = "MKD trunc\0ated\r\n";
	static const char rmd[] = "RMD trunc\0ated\r\n";
	struct ftpc *f = c->ctl;
	int made, cut;

	if (ftpc_send_raw(f, mkd, sizeof(mkd) - 1) != 0 ||
	    (made = ftpc_reply(f)) < 0)
		return chk_fail(c, "a reply", "%s", f->err);
	/* Exactly "trunc": some servers map NUL to LF instead, which is
	 * another name, not a cut one. */
	cut = chk_cmd(c, f, "CWD trunc");
	if (cut / 100 == 2)
		(void)chk_cmd(c, f, "CWD %s", c->dir);
	if (made / 100 == 2) {
		/* Remove it the way it was made, whatever it became. */
		if (ftpc_send_raw(f, rmd, sizeof(rmd) - 1) == 0)
			(void)ftpc_reply(f);
	}
	if (cut / 100 == 2)
		return chk_fail(c, "a refusal: \"trunc\\0ated\" is not "
				"\"trunc\"", "MKD with a NUL in the name "
				"created \"trunc\" (the name was cut at the "
				"NUL)");
	return CHK_PASS;
}

/* PORT or EPRT to an address that is not the client's. */
static enum chk_result third_party(struct chk *c, const char *verb,
				   const char *arg, const char *expected)
{
	struct ftpc *f = c->ctl;
	int code;

	if (chk_put(c, f, "file", "data", 4) != 0)
		return CHK_FAIL;
	code = chk_cmd(c, f, "%s %s", verb, arg);
	if (code < 0)
		return CHK_FAIL;
	if (strcmp(verb, "EPRT") == 0 && CHK_UNIMPLEMENTED(code) &&
	    !chk_feat(c->env, "EPRT"))
		return chk_skip(c, "EPRT is not implemented nor announced");
	if (code / 100 == 5 || code / 100 == 4)
		return CHK_PASS;
	/* Accepted: a refusal when used is the last line of defence. */
	code = chk_cmd(c, f, "RETR file");
	if (code >= 100 && code < 200)
		(void)ftpc_reply(f);
	if (code / 100 == 5)
		return CHK_PASS;
	return chk_fail(c, expected, "%s %s was answered 200 and RETR then "
			"%s", verb, arg, code > 0 ? chk_said(f) : "got no reply");
}

static enum chk_result port_third(struct chk *c)
{
	if (c->env->is_v6)
		return chk_skip(c, "PORT is IPv4 only");
	return third_party(c, "PORT", "192,0,2,1,195,80", "a refusal: PORT "
			   "only to the client's own address, " RFC2577("3")
			   " (bounce attack)");
}

static enum chk_result eprt_third(struct chk *c)
{
	return third_party(c, "EPRT", "|1|" TEST_NET "|50000|", "a refusal: "
			   "EPRT only to the client's own address, "
			   RFC2577("3") " (bounce attack)");
}

static enum chk_result port_low(struct chk *c)
{
	char host[64], arg[96], *p;

	if (c->env->is_v6)
		return chk_skip(c, "PORT is IPv4 only");
	if (ftpc_addr_str((struct sockaddr *)&c->ctl->local, host,
			  sizeof(host)) != 0)
		return chk_fail(c, "an address", "no local address");
	for (p = host; *p != '\0'; p++)
		if (*p == '.')
			*p = ',';
	snprintf(arg, sizeof(arg), "%s,0,25", host);
	return third_party(c, "PORT", arg, "a refusal of a port below 1024, "
			   RFC2577("3") " (504 suggested)");
}

/* Connect from 127.0.0.2 to the passive port before the client does. */
static int foreign_connect(const struct sockaddr_storage *to)
{
	struct sockaddr_in from;
	struct pollfd p;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	memset(&from, 0, sizeof(from));
	from.sin_family = AF_INET;
	from.sin_addr.s_addr = htonl(0x7f000002);
	if (bind(fd, (struct sockaddr *)&from, sizeof(from)) != 0 ||
	    (connect(fd, (const struct sockaddr *)to, sizeof(from)) != 0 &&
	     errno != EINPROGRESS))
		goto fail;
	p.fd = fd;
	p.events = POLLOUT;
	if (poll(&p, 1, 3000) != 1)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

/* Bytes the foreign connection receives within ms (0 if none). */
static ssize_t stolen_bytes(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[4096];
	ssize_t n;

	if (poll(&p, 1, ms) != 1)
		return 0;
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	return n > 0 ? n : 0;
}

static enum chk_result pasv_steal(struct chk *c)
{
	static const struct timespec pause = { 0, 300 * 1000 * 1000 };
	struct ftpc *f = c->ctl;
	struct ftpc_data d;
	struct ftpc_buf got = { 0 };
	enum chk_result r = CHK_FAIL;
	int fd, code;
	ssize_t n;
	char buf[4096];

	if (!c->env->loopback || c->env->is_v6 || c->env->tls)
		return chk_skip(c, "needs a plain IPv4 loopback server");
	if (chk_put(c, f, "secret", "secret data", 11) != 0)
		return CHK_FAIL;
	d.rcvbuf = 0;
	d.defer = 1;
	if (ftpc_data_prepare(f, &d, FTPC_PASV) != 0)
		return chk_fail(c, "227", "PASV: %s", f->err);
	/* The thief (127.0.0.2) gets in first; the client follows. */
	fd = foreign_connect(&d.addr);
	ftpc_note(f, "data: connected from 127.0.0.2 first (%s)",
		  fd >= 0 ? "accepted" : "refused");
	(void)nanosleep(&pause, NULL);
	if (ftpc_data_connect(f, &d) != 0) {
		chk_fail(c, "the client's own connection accepted",
			 "connecting to the passive port: %s", f->err);
		goto out;
	}
	code = ftpc_data_start(f, &d, "RETR secret");
	n = fd >= 0 ? stolen_bytes(fd, 1000) : 0;
	if (n > 0) {
		chk_fail(c, "data only to the client's address, " RFC2577("8")
			 " (port stealing)", "a connection from 127.0.0.2 to "
			 "the passive port received %zd bytes of the file", n);
		goto out;
	}
	if (code >= 100 && code < 200) {
		while ((n = ftpc_data_read(f, &d, buf, sizeof(buf))) > 0 &&
		       got.len < sizeof(buf))
			(void)ftpc_buf_add(&got, buf, (size_t)n);
		code = ftpc_data_finish(f, &d);
		if (code != 226 || got.len != 11) {
			chk_fail(c, "226 and the file, to the client",
				 "after the foreign connection, RETR gave %zu "
				 "bytes and %s", got.len, chk_said(f));
			goto out;
		}
	} else if (code / 100 != 4 && code / 100 != 5) {
		chk_fail(c, "the transfer, or a refusal", "RETR was answered "
			 "%s", chk_said(f));
		goto out;
	}
	r = CHK_PASS;
out:
	if (fd >= 0)
		close(fd);
	ftpc_data_close(&d);
	ftpc_buf_free(&got);
	return r;
}

static enum chk_result path_sweep(struct chk *c)
{
	struct ftpc *f = c->ctl;
	struct ftpc_buf out = { 0 };

	/* Every reply is scanned for real paths; provoke many of them. */
	(void)chk_cmd(c, f, "MKD sub");
	(void)chk_cmd(c, f, "CWD sub");
	(void)chk_cmd(c, f, "PWD");
	(void)chk_cmd(c, f, "CDUP");
	(void)chk_put(c, f, "file", "x", 1);
	(void)chk_cmd(c, f, "DELE %s", chk_path(c, "no-such"));
	(void)chk_cmd(c, f, "RNFR %s", chk_path(c, "no-such"));
	(void)chk_cmd(c, f, "RMD %s", chk_path(c, "no-such"));
	(void)chk_cmd(c, f, "CWD %s", chk_path(c, "no-such"));
	(void)chk_cmd(c, f, "SIZE %s", chk_path(c, "no-such"));
	(void)chk_cmd(c, f, "MDTM %s", chk_path(c, "no-such"));
	(void)chk_cmd(c, f, "MLST %s", chk_path(c, "file"));
	(void)chk_cmd(c, f, "STAT %s", c->dir);
	(void)chk_listing(c, f, "LIST", &out);
	ftpc_buf_free(&out);
	return chk_done(c);
}

const struct chk_def chk_security_suite[] = {
	{ "security", "cwd_escape", 0, cwd_escape,
	  "CWD through \"..\" above the root cannot reach /etc" },
	{ "security", "retr_escape", 0, retr_escape,
	  "RETR of /etc/passwd through \"..\" fails" },
	{ "security", "list_escape", 0, list_escape,
	  "NLST above the root lists the root or is refused" },
	{ "security", "make_escape", 0, make_escape,
	  "MKD through \"..\" above the root stays in the cell" },
	{ "security", "rename_escape", 0, rename_escape,
	  "RNTO through \"..\" above the root stays in the cell" },
	{ "security", "nul_in_path", 0, nul_in_path,
	  "a NUL in a name does not cut it short" },
	{ "security", "port_third_party", 0, port_third,
	  "PORT to another host is refused (bounce attack)" },
	{ "security", "eprt_third_party", 0, eprt_third,
	  "EPRT to another host is refused (bounce attack)" },
	{ "security", "port_privileged", 0, port_low,
	  "PORT to a port below 1024 is refused" },
	{ "security", "pasv_steal", 0, pasv_steal,
	  "a passive port does not serve another address" },
	{ "security", "no_real_path", 0, path_sweep,
	  "no reply or listing shows a path the session never used" },
	{ NULL, NULL, 0, NULL, NULL }
};
