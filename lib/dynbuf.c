#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynbuf.h"

/* Small bodies are the common case; start with room for a typical
 * metadata listing so most responses need one allocation. */
#define DYNBUF_MIN_ALLOC 256

void
dynbuf_init(dynbuf *b, size_t cap)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	/* One byte is always reserved for the NUL, so cap + 1 must not wrap. */
	b->cap = cap < SIZE_MAX ? cap : SIZE_MAX - 1;
}

/* Next allocation size: doubling keeps appends amortised O(1), but the
 * buffer never grows past what cap can ever need. */
static size_t
next_alloc(size_t cur, size_t need, size_t limit)
{
	size_t n = cur < DYNBUF_MIN_ALLOC ? DYNBUF_MIN_ALLOC : cur;

	while (n < need) {
		if (n > limit / 2)
			return limit;
		n *= 2;
	}
	return n < limit ? n : limit;
}

dynbuf_err
dynbuf_add(dynbuf *b, const void *data, size_t len)
{
	size_t need, n;
	char *p;

	/* b->len <= b->cap always holds, so this cannot wrap. */
	if (len > b->cap - b->len)
		return DYNBUF_TOO_LARGE;
	need = b->len + len + 1;
	if (need > b->alloc) {
		n = next_alloc(b->alloc, need, b->cap + 1);
		if ((p = realloc(b->data, n)) == NULL)
			return DYNBUF_NOMEM;
		b->data = p;
		b->alloc = n;
	}
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return DYNBUF_OK;
}

dynbuf_err
dynbuf_vprintf(dynbuf *b, const char *fmt, va_list ap)
{
	char *text = NULL;
	int n;
	dynbuf_err r;

	if ((n = vasprintf(&text, fmt, ap)) < 0)
		return DYNBUF_NOMEM;
	r = dynbuf_add(b, text, (size_t)n);
	free(text);
	return r;
}

dynbuf_err
dynbuf_printf(dynbuf *b, const char *fmt, ...)
{
	va_list ap;
	dynbuf_err r;

	va_start(ap, fmt);
	r = dynbuf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

void
dynbuf_reset(dynbuf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
dynbuf_free(dynbuf *b)
{
	free(b->data);
	dynbuf_init(b, b->cap);
}
