/*
 * libFuzzer target: PORT, EPRT and EPSV arguments (core/dataaddr.c).  The
 * input is the argument as the client sent it.  Whatever parses must be a
 * usable address that formats and parses back to itself; everything else
 * must be refused with a documented code.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "core/dataaddr.h"
#include "fuzz.h"

static void check_port(const char *arg)
{
	struct sockaddr_storage ss, back;
	socklen_t len = 0, blen = 0;
	char text[64], host[INET6_ADDRSTRLEN], *open, *close;

	if (da_parse_port(arg, &ss, &len) != 0)
		return;
	FUZZ_CHECK(ss.ss_family == AF_INET && len == sizeof(struct sockaddr_in));
	FUZZ_CHECK(da_port(&ss) != 0);
	FUZZ_CHECK(da_same_host(&ss, &ss));
	FUZZ_CHECK(da_host_text(&ss, host, sizeof(host)) == 0);
	/* the 227 text carries the same six numbers */
	FUZZ_CHECK(da_format_pasv(&ss, text, sizeof(text)) == 0);
	open = strchr(text, '(');
	close = strchr(text, ')');
	FUZZ_CHECK(open != NULL && close != NULL && close > open);
	*close = '\0';
	FUZZ_CHECK(da_parse_port(open + 1, &back, &blen) == 0);
	FUZZ_CHECK(blen == len && memcmp(&back, &ss, len) == 0);
	/* a short buffer is refused, never overrun */
	FUZZ_CHECK(da_format_pasv(&ss, text, 8) == -1);
}

static void check_eprt(const char *arg)
{
	struct sockaddr_storage ss, back;
	socklen_t len = 0, blen = 0;
	char host[INET6_ADDRSTRLEN], text[96];
	const void *raw;
	int r = da_parse_eprt(arg, &ss, &len);

	FUZZ_CHECK(r == 0 || r == -1 || r == -2);
	if (r != 0)
		return;
	FUZZ_CHECK(ss.ss_family == AF_INET || ss.ss_family == AF_INET6);
	FUZZ_CHECK(da_port(&ss) >= 1 && da_port(&ss) <= 65535);
	FUZZ_CHECK(da_same_host(&ss, &ss));
	FUZZ_CHECK(da_host_text(&ss, host, sizeof(host)) == 0);
	/* written back in its own family, it parses to the same address */
	if (ss.ss_family == AF_INET) {
		FUZZ_CHECK(len == sizeof(struct sockaddr_in));
		raw = &((struct sockaddr_in *)&ss)->sin_addr;
	} else {
		FUZZ_CHECK(len == sizeof(struct sockaddr_in6));
		raw = &((struct sockaddr_in6 *)&ss)->sin6_addr;
	}
	FUZZ_CHECK(inet_ntop(ss.ss_family, raw, host, sizeof(host)) != NULL);
	snprintf(text, sizeof(text), "|%d|%s|%u|",
		 ss.ss_family == AF_INET ? 1 : 2, host, da_port(&ss));
	FUZZ_CHECK(da_parse_eprt(text, &back, &blen) == 0);
	FUZZ_CHECK(blen == len && memcmp(&back, &ss, len) == 0);
}

static void check_epsv(const char *arg, unsigned port, size_t outlen)
{
	char text[64];
	int r = da_parse_epsv(arg);

	FUZZ_CHECK(r == 0 || r == 'A' || r == 1 || r == 2 || r == -1 ||
		   r == -2);
	r = da_format_epsv(port, text, outlen);
	if (r == 0)
		FUZZ_CHECK(port >= 1 && port <= 65535 &&
			   strlen(text) < outlen);
	else
		FUZZ_CHECK(r == -1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *arg = fuzz_strndup(data, size);
	unsigned port = 0;
	struct sockaddr_storage ss;
	char host[8];

	for (size_t i = 0; i < size && i < 3; i++)
		port = port << 8 | data[i];
	check_port(arg);
	check_eprt(arg);
	check_epsv(arg, port & 0x1ffff, 1 + (size % 64));
	/* host text of whatever family and bytes, into a small buffer */
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, data, size < sizeof(ss) ? size : sizeof(ss));
	if (da_host_text(&ss, host, sizeof(host)) == 0)
		FUZZ_CHECK(strlen(host) < sizeof(host));
	(void)da_port(&ss);
	free(arg);
	return 0;
}
