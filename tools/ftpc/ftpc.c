/*
 * The ftpc control connection: connecting, sending commands and reading
 * replies with the framing of RFC 959 section 4.2 checked (codes, CRLF,
 * multi-line continuation), keeping what was wrong instead of hiding it.
 */
#include "ftpc_int.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ftpc_init(struct ftpc *c)
{
	memset(c, 0, sizeof(*c));
	c->io.fd = -1;
	c->timeout_ms = FTPC_TIMEOUT_MS;
}

static void record_addrs(struct ftpc *c)
{
	c->peerlen = sizeof(c->peer);
	if (getpeername(c->io.fd, (struct sockaddr *)&c->peer,
			&c->peerlen) != 0)
		c->peerlen = 0;
	c->locallen = sizeof(c->local);
	if (getsockname(c->io.fd, (struct sockaddr *)&c->local,
			&c->locallen) != 0)
		c->locallen = 0;
}

int ftpc_connect_sa(struct ftpc *c, const struct sockaddr *sa,
		    socklen_t len)
{
	ftpc_close(c);
	c->io.fd = ftpc_connect_fd(c, sa, len, 0, ftpc_deadline(c));
	if (c->io.fd < 0)
		return -1;
	record_addrs(c);
	return 0;
}

int ftpc_connect(struct ftpc *c, const char *host, const char *port,
		 int family)
{
	struct addrinfo hints, *res, *ai;
	int r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	r = getaddrinfo(host, port, &hints, &res);
	if (r != 0) {
		ftpc_seterr(c, "%s: %s", host, gai_strerror(r));
		return -1;
	}
	r = -1;
	for (ai = res; ai != NULL && r != 0; ai = ai->ai_next)
		r = ftpc_connect_sa(c, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(res);
	return r;
}

void ftpc_close(struct ftpc *c)
{
	ftpc_io_close(&c->io);
	ftpc_tls_release(c);
	c->inlen = 0;
	c->eof = 0;
	ftpc_buf_free(&c->reply.text);
	c->reply.code = 0;
	c->reply.nlines = 0;
}

static void flaw(struct ftpc *c, unsigned bit, const char *what)
{
	if (c->flaws == 0)
		snprintf(c->flaw, sizeof(c->flaw), "%s", what);
	c->flaws |= bit;
}

/* More bytes into c->in; 0 at EOF, -1 on error or timeout. */
static int fill(struct ftpc *c, long long deadline)
{
	ssize_t n;

	if (c->inlen == sizeof(c->in))
		return 1;	/* full: the caller takes a partial line */
	n = ftpc_io_read(c, &c->io, c->in + c->inlen,
			 sizeof(c->in) - c->inlen, deadline);
	if (n < 0)
		return -1;
	if (n == 0) {
		c->eof = 1;
		return 0;
	}
	c->inlen += (size_t)n;
	return 1;
}

static void consume(struct ftpc *c, size_t n)
{
	memmove(c->in, c->in + n, c->inlen - n);
	c->inlen -= n;
}

/*
 * Telnet on the control connection (RFC 959 4.1.3, RFC 854): IAC IAC is
 * one 0xff byte (RFC 3659 2.2), other IAC sequences are not text.
 */
static size_t telnet_decode(char *s, size_t len)
{
	unsigned char *p = (unsigned char *)s;
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		if (p[i] != 0xff) {
			p[o++] = p[i];
		} else if (i + 1 < len && p[i + 1] == 0xff) {
			p[o++] = 0xff;
			i++;
		} else if (i + 1 < len && p[i + 1] >= 251 && p[i + 1] <= 254) {
			i += 2;		/* WILL WONT DO DONT + option */
		} else {
			i++;
		}
	}
	p[o] = '\0';
	return o;
}

/*
 * One line into *line, without its end; a bare LF is noted as a flaw.  A
 * CR at the end of the buffered bytes waits for the next read, so CR and
 * LF are always looked at together.
 */
static int read_line(struct ftpc *c, struct ftpc_buf *line,
		     long long deadline)
{
	size_t take, keep;
	char *nl;
	int r, crlf = 0;

	line->len = 0;
	if (ftpc_buf_add(line, "", 0) != 0)
		goto nomem;
	for (;;) {
		nl = memchr(c->in, '\n', c->inlen);
		take = nl != NULL ? (size_t)(nl - c->in) : c->inlen;
		if (take > 0 && c->in[take - 1] == '\r') {
			take--;
			crlf = nl != NULL;
		}
		keep = take;
		if (line->len + keep > FTPC_REPLY_MAX) {
			flaw(c, FTPC_FLAW_TOOLONG, "reply line too long");
			keep = FTPC_REPLY_MAX - line->len;
		}
		if (ftpc_buf_add(line, c->in, keep) != 0)
			goto nomem;
		if (nl != NULL) {
			consume(c, (size_t)(nl - c->in) + 1);
			break;
		}
		consume(c, take);
		r = fill(c, deadline);
		if (r < 0)
			return -1;
		if (r == 0) {
			ftpc_seterr(c, line->len > 0 || c->inlen > 0 ?
				    "connection closed inside a reply line" :
				    "connection closed by the server");
			return -1;
		}
	}
	if (!crlf)
		flaw(c, FTPC_FLAW_BARE_LF, "reply line ended by LF without CR");
	line->len = telnet_decode(line->p, line->len);
	ftpc_trace(c, FTPC_RECV, line->p, line->len);
	return 0;
nomem:
	ftpc_seterr(c, "out of memory");
	return -1;
}

static int line_code(const char *s, size_t len, char *sep)
{
	if (len < 3 || s[0] < '1' || s[0] > '5' || !isdigit((unsigned char)s[1])
	    || !isdigit((unsigned char)s[2]))
		return -1;
	if (len > 3 && s[3] != ' ' && s[3] != '-')
		return -1;
	*sep = len > 3 ? s[3] : ' ';
	return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

static int add_line(struct ftpc_reply *r, const struct ftpc_buf *line)
{
	if (r->nlines > 0 && ftpc_buf_add(&r->text, "\n", 1) != 0)
		return -1;
	if (ftpc_buf_add(&r->text, line->p, line->len) != 0)
		return -1;
	r->nlines++;
	return 0;
}

static int read_rest(struct ftpc *c, struct ftpc_buf *line, int code,
		     long long deadline)
{
	char sep;
	int lc;

	for (;;) {
		if (c->reply.nlines >= FTPC_REPLY_LINES) {
			flaw(c, FTPC_FLAW_TOOLONG, "multi-line reply never ends");
			ftpc_seterr(c, "multi-line reply longer than %d lines",
				    FTPC_REPLY_LINES);
			return -1;
		}
		if (read_line(c, line, deadline) != 0)
			return -1;
		if (add_line(&c->reply, line) != 0)
			goto nomem;
		lc = line_code(line->p, line->len, &sep);
		if (lc == code && sep == ' ')
			return 0;
		/* Unpadded "ddd text" with another code: RFC 959 4.2 wants
		 * such lines padded, so it can only be a broken end. */
		if (lc > 0 && sep == ' ') {
			flaw(c, FTPC_FLAW_MULTILINE, "a multi-line reply ends "
			     "with another code");
			return 0;
		}
	}
nomem:
	ftpc_seterr(c, "out of memory");
	return -1;
}

int ftpc_reply(struct ftpc *c)
{
	struct ftpc_buf line = { 0 };
	long long deadline = ftpc_deadline(c);
	char sep;
	int code, r = -1;

	c->reply.code = 0;
	c->reply.nlines = 0;
	c->reply.text.len = 0;
	if (ftpc_buf_add(&c->reply.text, "", 0) != 0)
		goto out;
	if (read_line(c, &line, deadline) != 0)
		goto out;
	if (add_line(&c->reply, &line) != 0)
		goto out;
	code = line_code(line.p, line.len, &sep);
	if (code < 0) {
		flaw(c, FTPC_FLAW_NOCODE, "reply without a 3-digit code");
		ftpc_seterr(c, "reply without a code: \"%.80s\"", line.p);
		goto out;
	}
	if (sep == '-' && read_rest(c, &line, code, deadline) != 0)
		goto out;
	c->reply.code = code;
	r = code;
out:
	ftpc_buf_free(&line);
	return r;
}

const char *ftpc_text(const struct ftpc *c)
{
	return c->reply.text.p != NULL ? c->reply.text.p : "";
}

/* A command line with every 0xff doubled (RFC 3659 2.2: IAC IAC). */
static int send_escaped(struct ftpc *c, const char *line, size_t len)
{
	char *buf;
	size_t i, n = 0;
	int r;

	buf = malloc(2 * len + 1);
	if (buf == NULL) {
		ftpc_seterr(c, "out of memory");
		return -1;
	}
	for (i = 0; i < len; i++) {
		buf[n++] = line[i];
		if ((unsigned char)line[i] == 0xff)
			buf[n++] = line[i];
	}
	r = ftpc_io_write(c, &c->io, buf, n, ftpc_deadline(c));
	free(buf);
	return r;
}

static int send_line(struct ftpc *c, const char *buf, size_t len)
{
	char shown[64];
	int r;

	/* Never show a password in a transcript. */
	if (len >= 5 && strncasecmp(buf, "PASS ", 5) == 0) {
		snprintf(shown, sizeof(shown), "PASS ********");
		ftpc_trace(c, FTPC_SENT, shown, strlen(shown));
	} else {
		ftpc_trace(c, FTPC_SENT, buf, len - 2);
	}
	if (memchr(buf, 0xff, len) != NULL)
		r = send_escaped(c, buf, len);
	else
		r = ftpc_io_write(c, &c->io, buf, len, ftpc_deadline(c));
	/* A control connection that cannot be written to is gone. */
	if (r != 0 && c->io.fd >= 0)
		c->eof = 1;
	return r;
}

static int vsendf(struct ftpc *c, const char *fmt, va_list ap)
{
	char small[512], *buf = small;
	va_list cp;
	int n, r;

	va_copy(cp, ap);
	n = vsnprintf(small, sizeof(small) - 2, fmt, cp);
	va_end(cp);
	if (n < 0) {
		ftpc_seterr(c, "bad command format");
		return -1;
	}
	if ((size_t)n >= sizeof(small) - 2) {
		buf = malloc((size_t)n + 3);
		if (buf == NULL) {
			ftpc_seterr(c, "out of memory");
			return -1;
		}
		vsnprintf(buf, (size_t)n + 1, fmt, ap);
	}
	memcpy(buf + n, "\r\n", 3);
	r = send_line(c, buf, (size_t)n + 2);
	if (buf != small)
		free(buf);
	return r;
}


int ftpc_sendf(struct ftpc *c, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsendf(c, fmt, ap);
	va_end(ap);
	return r;
}

int ftpc_send_raw(struct ftpc *c, const void *buf, size_t len)
{
	const char *p = buf;
	size_t shown = len;

	while (shown > 0 && (p[shown - 1] == '\n' || p[shown - 1] == '\r'))
		shown--;
	ftpc_trace(c, FTPC_SENT, p, shown);
	return ftpc_io_write(c, &c->io, buf, len, ftpc_deadline(c));
}

int ftpc_send_urgent(struct ftpc *c, unsigned char byte)
{
	ssize_t n;

	if (c->io.tls != NULL || c->io.fd < 0) {
		ftpc_seterr(c, "no urgent data on this connection");
		return -1;
	}
	do
		n = send(c->io.fd, &byte, 1, MSG_OOB | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != 1) {
		ftpc_seterr(c, "send urgent: %s", strerror(errno));
		return -1;
	}
	ftpc_note(c, "sent 0x%02x as TCP urgent data", byte);
	return 0;
}

/* Hold small writes back (TCP_CORK) so they leave as one segment. */
static void cork(struct ftpc *c, int on)
{
	if (setsockopt(c->io.fd, IPPROTO_TCP, TCP_CORK, &on, sizeof(on)) != 0)
		ftpc_note(c, "TCP_CORK: %s", strerror(errno));
}

int ftpc_send_interrupt(struct ftpc *c, const char *cmd)
{
	int r;

	if (c->io.tls != NULL) {
		if (ftpc_send_raw(c, "\xff\xf4\xff\xf2", 4) != 0)
			return -1;
		return ftpc_sendf(c, "%s", cmd);
	}
	/* A server that reads on SIGURG finds the command already there. */
	cork(c, 1);
	r = ftpc_send_raw(c, "\xff\xf4\xff", 3);
	if (r == 0)
		r = ftpc_send_urgent(c, 0xf2);
	if (r == 0)
		r = ftpc_sendf(c, "%s", cmd);
	cork(c, 0);
	return r;
}

int ftpc_cmd(struct ftpc *c, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsendf(c, fmt, ap);
	va_end(ap);
	if (r != 0)
		return -1;
	return ftpc_reply(c);
}

int ftpc_login(struct ftpc *c, const char *user, const char *pass)
{
	int code;

	code = ftpc_cmd(c, "USER %s", user);
	if (code != 331)
		return code;
	return ftpc_cmd(c, "PASS %s", pass);
}

int ftpc_wait_eof(struct ftpc *c, int ms)
{
	long long deadline = ftpc_now_ms() + ms;
	int r;

	while (!c->eof) {
		if (c->inlen == sizeof(c->in))
			consume(c, c->inlen);	/* not a reply we wait for */
		r = fill(c, deadline);
		if (r < 0 && ftpc_now_ms() >= deadline)
			return 0;
		if (r < 0)
			c->eof = 1;	/* a broken connection is a closed one */
	}
	return 1;
}

int ftpc_pending(struct ftpc *c, int ms)
{
	long long deadline = ftpc_now_ms() + ms;
	int r;

	while (!c->eof && c->inlen < sizeof(c->in)) {
		r = fill(c, deadline);
		if (r < 0) {
			if (ftpc_now_ms() >= deadline)
				break;
			return -1;
		}
		if (r == 0)
			break;
	}
	return (int)c->inlen;
}

int ftpc_quit(struct ftpc *c)
{
	int code = -1;

	if (c->io.fd >= 0 && !c->eof) {
		code = ftpc_cmd(c, "QUIT");
		/* Under TLS, a server may wait for our close_notify. */
		if (code > 0 && ftpc_tls_close(c) == 0)
			(void)ftpc_wait_eof(c, 2000);
	}
	ftpc_close(c);
	return code;
}

void ftpc_note(struct ftpc *c, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	if (c->trace == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	ftpc_trace(c, FTPC_NOTE, buf, strlen(buf));
}
