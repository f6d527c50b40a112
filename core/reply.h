/*
 * FTP reply formatting (RFC 959 section 4.2): single and multi-line
 * replies, with continuation lines that could be mistaken for the end line
 * padded by a space.
 */
#ifndef CORE_REPLY_H
#define CORE_REPLY_H

#include "buf.h"

/*
 * Append the reply `code` with `text` to out.  A text with '\n' becomes a
 * multi-line reply: "123-first\r\n", middle lines as they are (a middle
 * line starting with a digit gets a leading space, so it never reads as
 * "123 "), "123 last\r\n".  One trailing '\n' is ignored.  CR and LF
 * inside lines never reach the wire unescaped: CR is dropped, LF splits.
 * A 0xff byte is doubled (Telnet IAC IAC, RFC 854), the inverse of what
 * proto_feed does to commands.
 */
void reply_format(struct buf *out, int code, const char *text);

/*
 * Quote a path for 257 replies: the path between double quotes, an
 * embedded '"' doubled (RFC 959): /a"b -> "/a""b".  CR and LF
 * (no client can send them, but a name made on the server might hold
 * them) shown as '?'.  Appends text meant for reply_format, not wire bytes.
 */
void reply_quote_path(struct buf *out, const char *path);

#endif
