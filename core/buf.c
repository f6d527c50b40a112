/*
 * Growable byte buffer (see buf.h): doubling growth, sticky failure,
 * optional ceiling so nothing a client sends grows memory without bound.
 */
#include "buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->failed = 0;
}

int buf_reserve(struct buf *b, size_t more)
{
	size_t want, cap;
	char *p;

	if (b->failed)
		return -1;
	if (more > SIZE_MAX / 2 - b->len)
		goto fail;
	want = b->len + more + 1;	/* room for a terminating NUL */
	if (want <= b->cap)
		return 0;
	if (b->max != 0 && want > b->max + 1)
		goto fail;
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap *= 2;
	if (b->max != 0 && cap > b->max + 1)
		cap = b->max + 1;
	p = realloc(b->p, cap);
	if (p == NULL)
		goto fail;
	b->p = p;
	b->cap = cap;
	return 0;
fail:
	b->failed = 1;
	return -1;
}

void buf_append(struct buf *b, const void *data, size_t len)
{
	if (buf_reserve(b, len) != 0)
		return;
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	if (b->failed)
		return;
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0 || buf_reserve(b, (size_t)n) != 0) {
		b->failed = 1;
		return;
	}
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
}
