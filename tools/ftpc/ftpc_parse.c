/*
 * The small grammars of FTP replies and arguments, from the client side:
 * 227/229/257/STOU replies, PORT/EPRT arguments, MLSx facts and RFC 3659
 * times.  Pure functions over strings, so they are unit-tested alone.
 */
#include "ftpc.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* A decimal number of at most max; *end after its digits. */
static int number(const char *s, unsigned long max, unsigned long *out,
		  const char **end)
{
	unsigned long v = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > max || p - s > 10)
			return -1;
	}
	*out = v;
	*end = p;
	return 0;
}

int ftpc_parse_227(const char *text, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	unsigned long n[6];
	const char *p = text;
	int i;

	/* RFC 1123 4.1.2.6: scan for the first digit after the code. */
	if (strlen(p) < 4)
		return -1;
	p += 4;
	while (*p != '\0' && *p != '\n' && !isdigit((unsigned char)*p))
		p++;
	for (i = 0; i < 6; i++) {
		if (number(p, 255, &n[i], &p) != 0)
			return -1;
		if (i < 5 && *p++ != ',')
			return -1;
	}
	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl((uint32_t)(n[0] << 24 | n[1] << 16 |
						n[2] << 8 | n[3]));
	sin->sin_port = htons((uint16_t)(n[4] << 8 | n[5]));
	return 0;
}

int ftpc_parse_229(const char *text, unsigned *port)
{
	const char *p = strchr(text, '(');
	unsigned long v;
	char d;

	if (p == NULL)
		return -1;
	d = p[1];
	if (d < 33 || d > 126 || isdigit((unsigned char)d) || p[2] != d ||
	    p[3] != d)
		return -1;
	if (number(p + 4, 65535, &v, &p) != 0 || v == 0)
		return -1;
	if (p[0] != d || p[1] != ')')
		return -1;
	*port = (unsigned)v;
	return 0;
}

int ftpc_parse_257(const char *text, char *out, size_t outlen)
{
	const char *p = strchr(text, '"');
	size_t n = 0;

	if (p == NULL || outlen == 0)
		return -1;
	for (p++; *p != '\0' && *p != '\n'; p++) {
		if (*p == '"') {
			if (p[1] != '"') {
				out[n] = '\0';
				return 0;
			}
			p++;	/* "" stands for one quote */
		}
		if (n + 1 >= outlen)
			return -1;
		out[n++] = *p;
	}
	return -1;		/* no closing quote */
}

int ftpc_parse_stou(const char *text, char *out, size_t outlen)
{
	const char *p, *e;
	size_t n;

	for (p = text; *p != '\0'; p++)
		if (strncasecmp(p, "FILE:", 5) == 0)
			break;
	if (*p == '\0')
		return -1;
	p += 5;
	while (*p == ' ')
		p++;
	e = strchr(p, '\n');
	n = e != NULL ? (size_t)(e - p) : strlen(p);
	while (n > 0 && p[n - 1] == ' ')
		n--;
	if (n == 0 || n >= outlen)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

int ftpc_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	socklen_t sl = sa->sa_family == AF_INET6 ?
		sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);

	if (getnameinfo(sa, sl, buf, (socklen_t)len, NULL, 0,
			NI_NUMERICHOST) != 0)
		return -1;
	return 0;
}

unsigned ftpc_addr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	return 0;
}

int ftpc_addr_same_host(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return 0;
	if (a->sa_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
			((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->sa_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			      &((const struct sockaddr_in6 *)b)->sin6_addr,
			      sizeof(struct in6_addr)) == 0;
	return 0;
}

int ftpc_fmt_port(char *buf, size_t len, const struct sockaddr *sa)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	uint32_t a;
	unsigned p;
	int n;

	if (sa->sa_family != AF_INET)
		return -1;
	a = ntohl(sin->sin_addr.s_addr);
	p = ntohs(sin->sin_port);
	n = snprintf(buf, len, "%u,%u,%u,%u,%u,%u", a >> 24, (a >> 16) & 255,
		     (a >> 8) & 255, a & 255, p >> 8, p & 255);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

int ftpc_fmt_eprt(char *buf, size_t len, const struct sockaddr *sa)
{
	char host[INET6_ADDRSTRLEN];
	int n;

	if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)
		return -1;
	if (ftpc_addr_str(sa, host, sizeof(host)) != 0)
		return -1;
	n = snprintf(buf, len, "|%d|%s|%u|", sa->sa_family == AF_INET ? 1 : 2,
		     host, ftpc_addr_port(sa));
	return n > 0 && (size_t)n < len ? 0 : -1;
}

int ftpc_parse_mlsx(char *line, struct ftpc_mlsx *m)
{
	char *sp = strchr(line, ' '), *f, *semi, *eq;

	memset(m, 0, sizeof(*m));
	if (sp == NULL || sp[1] == '\0')
		return -1;	/* RFC 3659 7.2: facts, one space, a name */
	*sp = '\0';
	m->name = sp + 1;
	for (f = line; *f != '\0'; f = semi + 1) {
		semi = strchr(f, ';');
		if (semi == NULL || m->nfacts == FTPC_MLSX_FACTS)
			return -1;	/* every fact ends with ';' */
		*semi = '\0';
		eq = strchr(f, '=');
		if (eq == NULL || eq == f)
			return -1;
		*eq = '\0';
		for (char *p = f; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		m->fact[m->nfacts] = f;
		m->value[m->nfacts] = eq + 1;
		m->nfacts++;
	}
	return 0;
}

const char *ftpc_mlsx_fact(const struct ftpc_mlsx *m, const char *fact)
{
	unsigned i;

	for (i = 0; i < m->nfacts; i++)
		if (strcasecmp(m->fact[i], fact) == 0)
			return m->value[i];
	return NULL;
}

int ftpc_parse_time(const char *s, long long *secs)
{
	struct tm tm;
	int v[6], i, j;
	time_t t;
	static const int width[6] = { 4, 2, 2, 2, 2, 2 };

	for (i = 0; i < 14; i++)
		if (!isdigit((unsigned char)s[i]))
			return -1;
	for (i = 0, j = 0; i < 6; j += width[i], i++) {
		v[i] = 0;
		for (int k = 0; k < width[i]; k++)
			v[i] = v[i] * 10 + (s[j + k] - '0');
	}
	if (s[14] == '.') {
		if (!isdigit((unsigned char)s[15]))
			return -1;	/* RFC 3659 2.3: a digit after "." */
		for (i = 15; isdigit((unsigned char)s[i]); i++)
			;
		if (s[i] != '\0')
			return -1;
	} else if (s[14] != '\0') {
		return -1;
	}
	if (v[0] < 1000 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 ||
	    v[3] > 23 || v[4] > 59 || v[5] > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	t = timegm(&tm);
	*secs = (long long)t;
	return 0;
}
