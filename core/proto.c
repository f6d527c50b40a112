/*
 * Control-connection framing (see proto.h): Telnet IAC removal, line
 * assembly with a hard length limit, and the "VERB argument" split.
 */
#include "proto.h"

#include <stdlib.h>
#include <string.h>

#define TN_IAC	255
#define TN_SB	250
#define TN_SE	240
#define TN_WILL	251		/* WILL, WONT, DO, DONT: 251..254 */

/* Telnet decoder states, kept in proto_lines.iac between reads. */
enum {
	TS_DATA = 0,		/* plain data */
	TS_IAC,			/* after IAC */
	TS_OPT,			/* after IAC WILL/WONT/DO/DONT: skip the option */
	TS_SB,			/* inside IAC SB ... */
	TS_SB_IAC		/* IAC inside a subnegotiation */
};

/* Line assembler results for one data byte. */
enum {
	LA_MORE = 0,
	LA_LINE,
	LA_TOOLONG
};

/* One byte of the wire in, -1 (swallowed) or one data byte out. */
static int tn_decode(struct proto_lines *pl, unsigned char c)
{
	switch (pl->iac) {
	case TS_DATA:
		if (c != TN_IAC)
			return c;
		pl->iac = TS_IAC;
		return -1;
	case TS_IAC:
		pl->iac = TS_DATA;
		if (c == TN_IAC)
			return c;
		if (c >= TN_WILL)
			pl->iac = TS_OPT;
		else if (c == TN_SB)
			pl->iac = TS_SB;
		else if (c < TN_SE)
			return c;	/* its DM went out of band */
		return -1;
	case TS_OPT:
		pl->iac = TS_DATA;
		return -1;
	case TS_SB:
		if (c == TN_IAC)
			pl->iac = TS_SB_IAC;
		return -1;
	default:		/* TS_SB_IAC: IAC SE ends it, IAC IAC is data */
		pl->iac = c == TN_SE ? TS_DATA : TS_SB;
		return -1;
	}
}

/*
 * Store one byte of the line, or switch to discarding when the line
 * would grow past PROTO_LINE_MAX.
 */
static void la_store(struct proto_lines *pl, char *dst, size_t *n, int c)
{
	if (pl->overlong)
		return;
	if (*n == PROTO_LINE_MAX) {
		pl->overlong = 1;
		*n = 0;
		return;
	}
	dst[(*n)++] = (char)c;
}

/*
 * One data byte into the line.  A CR is held back until the next byte
 * shows whether it begins the line end, so a line of exactly
 * PROTO_LINE_MAX bytes followed by CRLF still fits.
 */
static int la_byte(struct proto_lines *pl, char *dst, size_t *n, int c)
{
	if (c == '\n') {
		pl->cr = 0;
		if (pl->overlong) {
			pl->overlong = 0;
			return LA_TOOLONG;
		}
		return LA_LINE;
	}
	if (pl->cr) {
		pl->cr = 0;
		la_store(pl, dst, n, '\r');
	}
	if (c == '\r')
		pl->cr = 1;
	else
		la_store(pl, dst, n, c);
	return LA_MORE;
}

static void la_drop_part(struct proto_lines *pl)
{
	free(pl->part);
	pl->part = NULL;
	pl->partlen = 0;
}

/* Input ran out mid-line: keep what we have for the next read. */
static int la_keep_part(struct proto_lines *pl, const char *src, size_t n)
{
	if (n == 0) {
		la_drop_part(pl);
		return PROTO_NEED_MORE;
	}
	if (pl->part == NULL) {
		pl->part = malloc(PROTO_LINE_MAX + 1);
		if (pl->part == NULL) {
			pl->partlen = 0;
			return PROTO_NOMEM;
		}
	}
	memcpy(pl->part, src, n);
	pl->partlen = n;
	return PROTO_NEED_MORE;
}

int proto_feed(struct proto_lines *pl, const char *in, size_t inlen,
	       size_t *pos, char *scratch, char **line, size_t *len)
{
	size_t i, n;
	int c, r;

	*line = NULL;
	*len = 0;
	/* The line is assembled in scratch; part only bridges two reads. */
	n = pl->partlen;
	if (n > 0)
		memcpy(scratch, pl->part, n);
	for (i = *pos; i < inlen; i++) {
		c = tn_decode(pl, (unsigned char)in[i]);
		if (c < 0)
			continue;
		r = la_byte(pl, scratch, &n, c);
		if (r == LA_MORE)
			continue;
		*pos = i + 1;
		la_drop_part(pl);
		if (r == LA_TOOLONG)
			return PROTO_TOOLONG;
		scratch[n] = '\0';
		*line = scratch;
		*len = n;
		return PROTO_LINE;
	}
	if (*pos < inlen)
		*pos = inlen;
	return la_keep_part(pl, scratch, n);
}

void proto_lines_free(struct proto_lines *pl)
{
	free(pl->part);
	memset(pl, 0, sizeof(*pl));
}

static int is_alpha(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

int proto_split(char *line, char **verb, char **arg)
{
	char *p, *end;
	size_t n;

	*verb = NULL;
	*arg = NULL;
	end = line + strlen(line);
	while (end > line && end[-1] == '\r')
		*--end = '\0';
	for (n = 0; is_alpha((unsigned char)line[n]); n++) {
		if (n == 8)
			return -1;
		if (line[n] >= 'a')
			line[n] = (char)(line[n] - 'a' + 'A');
	}
	if (n == 0 || (line[n] != '\0' && line[n] != ' '))
		return -1;
	p = line + n;
	if (*p == ' ') {
		*p++ = '\0';
		while (*p == ' ')
			p++;
	}
	*verb = line;
	if (*p != '\0')
		*arg = p;
	return 0;
}

int proto_arg_clean(const char *arg, size_t len)
{
	size_t i;

	if (arg == NULL)
		return 1;
	for (i = 0; i < len; i++)
		if (arg[i] == '\0' || arg[i] == '\r' || arg[i] == '\n')
			return 0;
	return 1;
}
