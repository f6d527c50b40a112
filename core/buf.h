/*
 * Growable byte buffer, used to build replies and listings.
 * An allocation failure sets `failed` and later appends do nothing, so
 * callers check once at the end instead of after every append.
 */
#ifndef CORE_BUF_H
#define CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *p;
	size_t len, cap;
	size_t max;		/* 0 = no limit; growing past it fails */
	int failed;
};

void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
int buf_reserve(struct buf *b, size_t more);
void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Drop the first n bytes (consumed output). */
void buf_consume(struct buf *b, size_t n);

#endif
