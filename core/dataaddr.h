/*
 * Data-channel addresses: parsing and formatting the arguments of PORT,
 * EPRT, PASV and EPSV (RFC 959, RFC 2428).  Pure functions, fuzzed.
 */
#ifndef CORE_DATAADDR_H
#define CORE_DATAADDR_H

#include <stddef.h>
#include <sys/socket.h>

/*
 * "h1,h2,h3,h4,p1,p2" -> IPv4 sockaddr.  0, or -1 if malformed: exactly
 * six decimal fields 0..255, no signs, spaces or trailing bytes, and not
 * port 0.  Whether the host is the client's own is the caller's check.
 */
int da_parse_port(const char *arg, struct sockaddr_storage *ss,
		  socklen_t *len);

/*
 * "|1|132.235.1.2|6275|" or "|2|::1|6275|" (any delimiter in 33..126).
 * 0; -1 malformed (also an address of the other family, a port outside
 * 1..65535, trailing bytes); -2 a well-formed argument with an unknown
 * network protocol number (reply 522).
 */
int da_parse_eprt(const char *arg, struct sockaddr_storage *ss,
		  socklen_t *len);

/*
 * EPSV argument: NULL or "" -> 0 (any); "ALL" (any case) -> 'A'; "1" or
 * "2" -> 1 or 2; other numbers -2 (522); anything else -1 (501).
 */
int da_parse_epsv(const char *arg);

/*
 * "Entering Passive Mode (h1,h2,h3,h4,p1,p2)." text for 227.  0, or -1
 * when ss holds no IPv4 (or IPv4-mapped) address or out is too short.
 */
int da_format_pasv(const struct sockaddr_storage *ss, char *out,
		   size_t outlen);

/*
 * "Entering Extended Passive Mode (|||port|)" text for 229.  0, or -1
 * when port is not 1..65535 or out is too short.
 */
int da_format_epsv(unsigned port, char *out, size_t outlen);

/*
 * Same host (ports ignored)?  IPv4-mapped IPv6 compares equal to plain
 * IPv4; families other than AF_INET/AF_INET6 are never the same.
 */
int da_same_host(const struct sockaddr_storage *a,
		 const struct sockaddr_storage *b);

/* Port of a sockaddr (host order); 0 for other families. */
unsigned da_port(const struct sockaddr_storage *ss);

/*
 * Numeric host text ("127.0.0.1", "::1"; mapped v4 shown as v4).  0, or
 * -1 for another family or a too short out (INET6_ADDRSTRLEN is enough).
 */
int da_host_text(const struct sockaddr_storage *ss, char *out, size_t outlen);

#endif
