/*
 * Data-channel addresses: parsing and formatting the arguments of PORT,
 * EPRT, PASV and EPSV (RFC 959, RFC 2428).  Pure functions, fuzzed.
 */
#ifndef CORE_DATAADDR_H
#define CORE_DATAADDR_H

#include <stddef.h>
#include <sys/socket.h>

/* "h1,h2,h3,h4,p1,p2" -> IPv4 sockaddr.  0, or -1 if malformed. */
int da_parse_port(const char *arg, struct sockaddr_storage *ss,
		  socklen_t *len);

/*
 * "|1|132.235.1.2|6275|" or "|2|::1|6275|" (any printable delimiter).
 * 0; -1 malformed; -2 unknown network protocol (reply 522).
 */
int da_parse_eprt(const char *arg, struct sockaddr_storage *ss,
		  socklen_t *len);

/*
 * EPSV argument: NULL or "" -> 0 (any); "ALL" -> 'A'; "1" or "2" -> 1 or 2;
 * anything else -1 (501); other numbers -2 (522).
 */
int da_parse_epsv(const char *arg);

/* "Entering Passive Mode (h1,h2,h3,h4,p1,p2)." text for 227. */
int da_format_pasv(const struct sockaddr_storage *ss, char *out,
		   size_t outlen);

/* "Entering Extended Passive Mode (|||port|)" text for 229. */
int da_format_epsv(unsigned port, char *out, size_t outlen);

/* Same host?  IPv4-mapped IPv6 compares equal to plain IPv4. */
int da_same_host(const struct sockaddr_storage *a,
		 const struct sockaddr_storage *b);

/* Port of a sockaddr (host order). */
unsigned da_port(const struct sockaddr_storage *ss);

/* Numeric host text ("127.0.0.1", "::1"; mapped v4 shown as v4). */
int da_host_text(const struct sockaddr_storage *ss, char *out, size_t outlen);

#endif
