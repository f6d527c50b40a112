/*
 * Data-channel addresses (see dataaddr.h): strict parsers for PORT, EPRT
 * and EPSV arguments and the 227/229 reply texts.  Nothing here trusts the
 * client: every field is range-checked and trailing junk is refused.
 */
#include "dataaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/*
 * Parse an unsigned decimal of at least one digit at *s, no sign, no
 * spaces, value at most max.  Advances *s past the digits.
 */
static int da_number(const char **s, unsigned long max, unsigned long *out)
{
	const char *p = *s;
	unsigned long v = 0;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > max)
			return -1;
	}
	*s = p;
	*out = v;
	return 0;
}

int da_parse_port(const char *arg, struct sockaddr_storage *ss,
		  socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	unsigned char b[6];
	unsigned long v;
	const char *p = arg;
	int i;

	if (arg == NULL)
		return -1;
	for (i = 0; i < 6; i++) {
		if (i > 0 && *p++ != ',')
			return -1;
		if (da_number(&p, 255, &v) != 0)
			return -1;
		b[i] = (unsigned char)v;
	}
	if (*p != '\0' || (b[4] == 0 && b[5] == 0))
		return -1;
	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	memcpy(&sin->sin_addr, b, 4);
	memcpy(&sin->sin_port, b + 4, 2);	/* already network order */
	*len = sizeof(*sin);
	return 0;
}

/* Fill ss from an EPRT address text of protocol 1 (IPv4) or 2 (IPv6). */
static int da_eprt_host(int proto, const char *host, unsigned port,
			struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (proto == 1) {
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return -1;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
		return -1;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons((uint16_t)port);
	*len = sizeof(*sin6);
	return 0;
}

int da_parse_eprt(const char *arg, struct sockaddr_storage *ss,
		  socklen_t *len)
{
	char host[INET6_ADDRSTRLEN];
	const char *p, *h, *he;
	unsigned long proto, port;
	char d;

	if (arg == NULL || arg[0] < 33 || arg[0] > 126)
		return -1;
	d = arg[0];
	p = arg + 1;
	if (da_number(&p, 65535, &proto) != 0 || *p++ != d)
		return -1;
	h = p;
	he = strchr(h, d);
	if (he == NULL)
		return -1;
	p = he + 1;
	if (da_number(&p, 65535, &port) != 0 || port == 0)
		return -1;
	if (p[0] != d || p[1] != '\0')
		return -1;
	/* The whole argument is well formed; only now judge the protocol. */
	if (proto != 1 && proto != 2)
		return -2;
	if ((size_t)(he - h) >= sizeof(host))
		return -1;
	memcpy(host, h, (size_t)(he - h));
	host[he - h] = '\0';
	return da_eprt_host((int)proto, host, (unsigned)port, ss, len);
}

int da_parse_epsv(const char *arg)
{
	const char *p = arg;
	unsigned long v;

	if (arg == NULL || arg[0] == '\0')
		return 0;
	if (strcasecmp(arg, "ALL") == 0)
		return 'A';
	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p != '\0')
		return -1;
	p = arg;
	if (da_number(&p, 65535, &v) != 0)
		return -2;	/* a number, just a huge one */
	if (v == 1 || v == 2)
		return (int)v;
	return -2;
}

/*
 * The IPv4 address of ss, also when it is IPv4-mapped IPv6; NULL when ss
 * holds no IPv4 address.
 */
static const unsigned char *da_v4(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET)
		return (const unsigned char *)&sin->sin_addr;
	if (ss->ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
		return sin6->sin6_addr.s6_addr + 12;
	return NULL;
}

int da_format_pasv(const struct sockaddr_storage *ss, char *out,
		   size_t outlen)
{
	const unsigned char *a = da_v4(ss);
	unsigned port = da_port(ss);
	int n;

	if (a == NULL)
		return -1;
	n = snprintf(out, outlen,
		     "Entering Passive Mode (%u,%u,%u,%u,%u,%u).",
		     a[0], a[1], a[2], a[3], port >> 8, port & 0xff);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int da_format_epsv(unsigned port, char *out, size_t outlen)
{
	int n;

	if (port == 0 || port > 65535)
		return -1;
	n = snprintf(out, outlen, "Entering Extended Passive Mode (|||%u|)",
		     port);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int da_same_host(const struct sockaddr_storage *a,
		 const struct sockaddr_storage *b)
{
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)a;
	const struct sockaddr_in6 *b6 = (const struct sockaddr_in6 *)b;
	const unsigned char *a4 = da_v4(a), *b4 = da_v4(b);

	if (a4 != NULL || b4 != NULL)
		return a4 != NULL && b4 != NULL && memcmp(a4, b4, 4) == 0;
	if (a->ss_family != AF_INET6 || b->ss_family != AF_INET6)
		return 0;
	return memcmp(&a6->sin6_addr, &b6->sin6_addr,
		      sizeof(a6->sin6_addr)) == 0;
}

unsigned da_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

int da_host_text(const struct sockaddr_storage *ss, char *out, size_t outlen)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
	const unsigned char *a4 = da_v4(ss);

	if (outlen > (socklen_t)-1)
		outlen = (socklen_t)-1;
	if (a4 != NULL)
		return inet_ntop(AF_INET, a4, out, (socklen_t)outlen) ? 0 : -1;
	if (ss->ss_family == AF_INET6)
		return inet_ntop(AF_INET6, &sin6->sin6_addr, out,
				 (socklen_t)outlen) ? 0 : -1;
	return -1;
}
