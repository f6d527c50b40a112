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
 * line starting with three digits gets a leading space), "123 last\r\n".
 * CR and LF inside lines never reach the wire unescaped.
 */
void reply_format(struct buf *out, int code, const char *text);

/* Quote a path for 257 replies: embedded '"' doubled (RFC 959). */
void reply_quote_path(struct buf *out, const char *path);

#endif
