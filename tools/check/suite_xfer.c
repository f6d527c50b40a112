/*
 * Suite "xfer": moving file data.  Every data-connection mode (PASV,
 * EPSV, PORT, EPRT, and IPv6 when the server has it), binary data with
 * every byte value, ASCII conversion both ways, empty and large files
 * compared by checksum, overwriting, and refusals without data.
 */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL_LEN	(200u * 1024 + 7)
#define LARGE_LEN	(24u << 20)

/* got must be want; otherwise a WARNING with both checksums. */
static int same_bytes(struct chk *c, const char *what, const void *want,
		      size_t wl, const struct ftpc_buf *got)
{
	char hw[65], hg[65], exp[160];
	long long at = chk_diff_at(want, wl, got->p, got->len);

	if (at < 0)
		return 0;
	chk_sha256_hex(want, wl, hw);
	chk_sha256_hex(got->p, got->len, hg);
	snprintf(exp, sizeof(exp), "the %zu bytes sent, sha256 %.16s...",
		 wl, hw);
	chk_fail(c, exp, "%s gave %zu bytes, sha256 %.16s..., first "
		 "difference at byte %lld", what, got->len, hg, at);
	return -1;
}

/* Whether an extension's refusal means "not there" rather than broken. */
static int unannounced(struct chk *c, struct ftpc *f, const char *feat)
{
	return !chk_feat(c->env, feat) && CHK_UNIMPLEMENTED(f->reply.code);
}

static enum chk_result roundtrip(struct chk *c, struct ftpc *f,
				 enum ftpc_dmode mode, size_t len)
{
	const char *name = ftpc_dmode_name(mode);
	struct ftpc_buf got = { 0 };
	enum chk_result r = CHK_FAIL;
	char *data = malloc(len);
	char what[64];

	if (data == NULL)
		return chk_fail(c, "memory", "out of memory");
	chk_fill(data, len, (unsigned)len);
	c->dmode = mode;
	if (chk_put(c, f, "blob", data, len) != 0) {
		if ((mode == FTPC_EPSV || mode == FTPC_EPRT) &&
		    unannounced(c, f, name)) {
			chk_unfail(c);
			r = chk_skip(c, "%s is not implemented nor announced",
				     name);
		}
		goto out;
	}
	if (chk_get(c, f, "blob", &got) != 0)
		goto out;
	snprintf(what, sizeof(what), "RETR over %s", name);
	if (same_bytes(c, what, data, len, &got) == 0)
		r = CHK_PASS;
out:
	ftpc_buf_free(&got);
	free(data);
	return r;
}

static enum chk_result pasv(struct chk *c)
{
	if (c->env->is_v6)
		return chk_skip(c, "PASV is IPv4 only and the server is "
				"reached over IPv6 (RFC 2428: use EPSV)");
	return roundtrip(c, c->ctl, FTPC_PASV, SMALL_LEN);
}

static enum chk_result epsv(struct chk *c)
{
	return roundtrip(c, c->ctl, FTPC_EPSV, SMALL_LEN);
}

static enum chk_result port(struct chk *c)
{
	if (c->env->is_v6)
		return chk_skip(c, "PORT is IPv4 only and the server is "
				"reached over IPv6");
	return roundtrip(c, c->ctl, FTPC_PORT, SMALL_LEN);
}

static enum chk_result eprt(struct chk *c)
{
	return roundtrip(c, c->ctl, FTPC_EPRT, SMALL_LEN);
}

/* A session over the server's IPv6 address, in the check's folder. */
static struct ftpc *v6_session(struct chk *c)
{
	const struct chk_opts *o = c->env->opt;
	struct ftpc *f;

	f = chk_connect_to(c, (const struct sockaddr *)&c->env->addr6,
			   c->env->addr6len);
	if (f == NULL || chk_login(c, f, o->user, o->pass) != 0)
		return NULL;
	if (chk_expect(c, f, "200", RFC959("5.4"), "TYPE I") < 0 ||
	    chk_expect(c, f, "250", RFC959("5.4"), "CWD %s", c->dir) < 0)
		return NULL;
	return f;
}

static enum chk_result ipv6_mode(struct chk *c, enum ftpc_dmode mode)
{
	struct ftpc *f;

	if (!c->env->have_v6)
		return chk_skip(c, "the server has no IPv6 address this "
				"machine can reach");
	f = v6_session(c);
	if (f == NULL)
		return CHK_FAIL;
	return roundtrip(c, f, mode, SMALL_LEN);
}

static enum chk_result ipv6_epsv(struct chk *c)
{
	return ipv6_mode(c, FTPC_EPSV);
}

static enum chk_result ipv6_eprt(struct chk *c)
{
	return ipv6_mode(c, FTPC_EPRT);
}

static enum chk_result epsv_all(struct chk *c)
{
	const char *why = RFC2428("4") " (refused after EPSV ALL)";
	struct ftpc *f = c->ctl;
	struct sockaddr_storage own;
	char port[64], eprt[128];

	if (!chk_feat(c->env, "EPSV"))
		return chk_skip(c, "FEAT does not announce EPSV");
	/* Arguments that would be fine otherwise: the client's own
	 * address, so a refusal can only be for EPSV ALL. */
	memcpy(&own, &f->local, sizeof(own));
	if (own.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&own)->sin6_port = htons(51210);
	else
		((struct sockaddr_in *)&own)->sin_port = htons(51210);
	if (ftpc_fmt_eprt(eprt, sizeof(eprt), (struct sockaddr *)&own) != 0)
		return chk_fail(c, "an address", "no local address");
	if (chk_expect(c, f, "2xx", RFC2428("4"), "EPSV ALL") < 0)
		return CHK_FAIL;
	/* RFC 2428 4: after EPSV ALL, PORT, PASV and EPRT MUST fail. */
	if (chk_expect(c, f, "4xx 5xx", why, "PASV") < 0)
		return CHK_FAIL;
	if (ftpc_fmt_port(port, sizeof(port), (struct sockaddr *)&own) == 0 &&
	    chk_expect(c, f, "4xx 5xx", why, "PORT %s", port) < 0)
		return CHK_FAIL;
	if (chk_expect(c, f, "4xx 5xx", why, "EPRT %s", eprt) < 0)
		return CHK_FAIL;
	return roundtrip(c, f, FTPC_EPSV, 1000);
}

static enum chk_result ascii_download(struct chk *c)
{
	static const char unix_text[] = "one\ntwo\n\nfour\n";
	static const char nvt_text[] = "one\r\ntwo\r\n\r\nfour\r\n";
	struct ftpc *f = c->ctl;
	struct ftpc_buf got = { 0 };
	enum chk_result r = CHK_FAIL;

	if (!c->env->unix_syst)
		return chk_skip(c, "SYST does not say UNIX: the stored form of "
				"a text file is unknown");
	if (chk_put(c, f, "text", unix_text, sizeof(unix_text) - 1) != 0 ||
	    chk_expect(c, f, "200", RFC959("5.4"), "TYPE A") < 0 ||
	    chk_get(c, f, "text", &got) != 0)
		goto out;
	if (got.len != sizeof(nvt_text) - 1 ||
	    memcmp(got.p, nvt_text, got.len) != 0) {
		chk_fail(c, "every LF sent as CRLF in TYPE A, "
			 RFC959("3.1.1.1"), "a %zu-byte UNIX text file came "
			 "back as %zu bytes in TYPE A%s",
			 sizeof(unix_text) - 1, got.len,
			 got.len == sizeof(unix_text) - 1 ?
			 ", unconverted" : "");
		goto out;
	}
	r = CHK_PASS;
out:
	ftpc_buf_free(&got);
	return r;
}

static enum chk_result ascii_upload(struct chk *c)
{
	static const char nvt_text[] = "alpha\r\nbeta\r\n";
	static const char unix_text[] = "alpha\nbeta\n";
	struct ftpc *f = c->ctl;
	struct ftpc_buf got = { 0 };
	enum chk_result r = CHK_FAIL;

	if (!c->env->unix_syst)
		return chk_skip(c, "SYST does not say UNIX: the stored form of "
				"a text file is unknown");
	if (chk_expect(c, f, "200", RFC959("5.4"), "TYPE A") < 0 ||
	    chk_put(c, f, "text", nvt_text, sizeof(nvt_text) - 1) != 0 ||
	    chk_expect(c, f, "200", RFC959("5.4"), "TYPE I") < 0 ||
	    chk_get(c, f, "text", &got) != 0)
		goto out;
	if (got.len != sizeof(unix_text) - 1 ||
	    memcmp(got.p, unix_text, got.len) != 0) {
		chk_fail(c, "CRLF stored as the UNIX LF, " RFC959("3.1.1.1")
			 " (the receiver converts to its own form)",
			 "a TYPE A upload of %zu bytes is stored as %zu bytes",
			 sizeof(nvt_text) - 1, got.len);
		goto out;
	}
	r = CHK_PASS;
out:
	ftpc_buf_free(&got);
	return r;
}

static enum chk_result ascii_roundtrip(struct chk *c)
{
	static const char nvt_text[] = "x = 1\r\ny = 2\r\n";
	struct ftpc *f = c->ctl;
	struct ftpc_buf got = { 0 };
	enum chk_result r = CHK_FAIL;

	if (chk_expect(c, f, "200", RFC959("5.4"), "TYPE A") < 0 ||
	    chk_put(c, f, "text", nvt_text, sizeof(nvt_text) - 1) != 0 ||
	    chk_get(c, f, "text", &got) != 0)
		goto out;
	if (same_bytes(c, "TYPE A RETR of a TYPE A upload", nvt_text,
		       sizeof(nvt_text) - 1, &got) == 0)
		r = CHK_PASS;
out:
	ftpc_buf_free(&got);
	return r;
}

static enum chk_result empty_file(struct chk *c)
{
	struct ftpc *f = c->ctl;
	struct ftpc_buf got = { 0 };
	enum chk_result r = CHK_FAIL;

	if (chk_put(c, f, "empty", "", 0) != 0 ||
	    chk_get(c, f, "empty", &got) != 0)
		goto out;
	if (got.len != 0) {
		chk_fail(c, "no bytes", "RETR of an empty file gave %zu bytes",
			 got.len);
		goto out;
	}
	if (chk_feat(c->env, "SIZE") &&
	    chk_expect(c, f, "213", RFC3659("4"), "SIZE empty") < 0)
		goto out;
	if (chk_feat(c->env, "SIZE") && strcmp(ftpc_text(f), "213 0") != 0) {
		chk_fail(c, "213 0, " RFC3659("4"), "SIZE of an empty file "
			 "was answered %s", chk_said(f));
		goto out;
	}
	r = CHK_PASS;
out:
	ftpc_buf_free(&got);
	return r;
}

static enum chk_result large_file(struct chk *c)
{
	return roundtrip(c, c->ctl, c->dmode, LARGE_LEN);
}

static enum chk_result overwrite(struct chk *c)
{
	static const char small[] = "short";
	struct ftpc *f = c->ctl;
	struct ftpc_buf got = { 0 };
	enum chk_result r = CHK_FAIL;
	char big[4000];

	chk_fill(big, sizeof(big), 7);
	if (chk_put(c, f, "file", big, sizeof(big)) != 0 ||
	    chk_put(c, f, "file", small, sizeof(small) - 1) != 0 ||
	    chk_get(c, f, "file", &got) != 0)
		goto out;
	if (got.len != sizeof(small) - 1 ||
	    memcmp(got.p, small, got.len) != 0) {
		chk_fail(c, "the old content replaced entirely, "
			 RFC959("4.1.3") " (STOR)", "after STOR of %zu bytes "
			 "over %zu, RETR gave %zu bytes", sizeof(small) - 1,
			 sizeof(big), got.len);
		goto out;
	}
	r = CHK_PASS;
out:
	ftpc_buf_free(&got);
	return r;
}

/* A transfer command that must be refused before any data. */
static enum chk_result refused(struct chk *c, const char *codes,
			       const char *fmt, const char *arg)
{
	struct ftpc *f = c->ctl;
	struct ftpc_buf got = { 0 };
	struct ftpc_xfer x;
	char want[128], cmd[CHK_PATH];

	snprintf(cmd, sizeof(cmd), fmt, arg);
	ftpc_get(f, c->dmode, &got, 1 << 20, &x, "%s", cmd);
	ftpc_buf_free(&got);
	if (x.prelim == 0 && x.final > 0 && chk_code_in(x.final, codes))
		return CHK_PASS;
	chk_codes_words(codes, want, sizeof(want));
	snprintf(want + strlen(want), sizeof(want) - strlen(want), ", "
		 "without a transfer, %s", RFC959("5.4"));
	if (x.prelim != 0)
		return chk_fail(c, want, "%s started a transfer (%d)", cmd,
				x.prelim);
	return chk_fail(c, want, "%s was answered %s", cmd, chk_said(f));
}

static enum chk_result retr_missing(struct chk *c)
{
	return refused(c, "550 450", "RETR %s", "no-such-file");
}

static enum chk_result retr_dir(struct chk *c)
{
	if (chk_expect(c, c->ctl, "257", RFC959("5.4"), "MKD adir") < 0)
		return CHK_FAIL;
	return refused(c, "550 450 553", "RETR %s", "adir");
}

static enum chk_result stor_no_dir(struct chk *c)
{
	struct ftpc *f = c->ctl;
	struct ftpc_xfer x;

	ftpc_put(f, c->dmode, "x", 1, &x, "STOR no-dir/file");
	if (x.final > 0 && x.final / 100 != 2)
		return CHK_PASS;
	return chk_fail(c, "a refusal (550, 553 or 450), " RFC959("5.4"),
			"STOR into a missing folder ended with %s",
			chk_said(f));
}

const struct chk_def chk_xfer_suite[] = {
	{ "xfer", "pasv", 0, pasv, "binary upload and download over PASV" },
	{ "xfer", "epsv", 0, epsv, "binary upload and download over EPSV" },
	{ "xfer", "port", 0, port, "binary upload and download over PORT" },
	{ "xfer", "eprt", 0, eprt, "binary upload and download over EPRT" },
	{ "xfer", "ipv6_epsv", 0, ipv6_epsv, "EPSV transfers over IPv6" },
	{ "xfer", "ipv6_eprt", 0, ipv6_eprt, "EPRT |2| transfers over IPv6" },
	{ "xfer", "epsv_all", 0, epsv_all,
	  "after EPSV ALL, PASV/PORT/EPRT are refused and EPSV works" },
	{ "xfer", "ascii_download", 0, ascii_download,
	  "TYPE A sends a UNIX text file with CRLF line ends" },
	{ "xfer", "ascii_upload", 0, ascii_upload,
	  "TYPE A stores CRLF text in the UNIX form" },
	{ "xfer", "ascii_roundtrip", 0, ascii_roundtrip,
	  "TYPE A upload then download gives the same text" },
	{ "xfer", "empty_file", 0, empty_file,
	  "an empty file uploads, downloads and sizes as 0 bytes" },
	{ "xfer", "large_file", 0, large_file,
	  "24 MiB up and down, compared by checksum" },
	{ "xfer", "stor_overwrite", 0, overwrite,
	  "STOR over an existing file replaces all of it" },
	{ "xfer", "retr_missing", 0, retr_missing,
	  "RETR of a missing file: 550, no transfer" },
	{ "xfer", "retr_directory", 0, retr_dir,
	  "RETR of a folder is refused without a transfer" },
	{ "xfer", "stor_missing_dir", 0, stor_no_dir,
	  "STOR into a missing folder is refused" },
	{ NULL, NULL, 0, NULL, NULL }
};
