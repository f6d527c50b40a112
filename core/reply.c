/*
 * FTP reply formatting (see reply.h): turns a code and a text into wire
 * lines that every client parses the same way, whatever the text holds.
 */
#include "reply.h"

#include <string.h>

#define TN_IAC	'\xff'

/*
 * Append text[0..len) as wire bytes: CR dropped (only our own CRLF ends a
 * line), a data 0xff doubled as Telnet requires (RFC 854).
 */
static void reply_put(struct buf *out, const char *s, size_t len)
{
	size_t i, start;

	for (i = start = 0; i < len; i++) {
		if (s[i] != '\r' && s[i] != TN_IAC)
			continue;
		buf_append(out, s + start, i - start);
		if (s[i] == TN_IAC)
			buf_append(out, "\xff\xff", 2);
		start = i + 1;
	}
	buf_append(out, s + start, len - start);
}

/*
 * A middle line must not look like "123 " or "123-": clients look for the
 * code at the start of a line, so any line that begins with a digit (once
 * its dropped CRs are gone) is pushed right by one space.
 */
static void reply_middle(struct buf *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && s[i] == '\r'; i++)
		;
	if (i < len && s[i] >= '0' && s[i] <= '9')
		buf_append(out, " ", 1);
	reply_put(out, s, len);
	buf_append(out, "\r\n", 2);
}

void reply_format(struct buf *out, int code, const char *text)
{
	const char *nl, *end;
	size_t len;

	if (text == NULL)
		text = "";
	len = strlen(text);
	/* A text that ends with '\n' does not get an empty last line. */
	if (len > 0 && text[len - 1] == '\n')
		len--;
	end = text + len;
	nl = memchr(text, '\n', len);
	if (nl == NULL) {
		buf_printf(out, "%03d ", code);
		reply_put(out, text, len);
		buf_append(out, "\r\n", 2);
		return;
	}
	buf_printf(out, "%03d-", code);
	reply_put(out, text, (size_t)(nl - text));
	buf_append(out, "\r\n", 2);
	for (;;) {
		text = nl + 1;
		nl = memchr(text, '\n', (size_t)(end - text));
		if (nl == NULL)
			break;
		reply_middle(out, text, (size_t)(nl - text));
	}
	buf_printf(out, "%03d ", code);
	reply_put(out, text, (size_t)(end - text));
	buf_append(out, "\r\n", 2);
}

void reply_quote_path(struct buf *out, const char *path)
{
	const char *p;

	buf_append(out, "\"", 1);
	for (p = path; *p != '\0'; p++) {
		if (*p == '"')
			buf_append(out, "\"\"", 2);
		else if (*p == '\r' || *p == '\n')
			buf_append(out, "?", 1);
		else
			buf_append(out, p, 1);
	}
	buf_append(out, "\"", 1);
}
