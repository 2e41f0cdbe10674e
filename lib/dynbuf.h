/* One capped, growable byte buffer for everything read from the network. */
#ifndef MP_DYNBUF_H
#define MP_DYNBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct {
	char *data;	/* always NUL-terminated when non-NULL */
	size_t len;
	size_t alloc;
	size_t cap;	/* hard limit on len */
} dynbuf;

typedef enum {
	DYNBUF_OK = 0,
	DYNBUF_NOMEM,
	DYNBUF_TOO_LARGE	/* appending would pass cap; nothing appended */
} dynbuf_err;

void dynbuf_init(dynbuf *b, size_t cap);
dynbuf_err dynbuf_add(dynbuf *b, const void *data, size_t len);
/* Appends printf-like text: the one append helper for text that must
 * not be cut silently; DYNBUF_TOO_LARGE leaves b as it was. */
dynbuf_err dynbuf_printf(dynbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
dynbuf_err dynbuf_vprintf(dynbuf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
void dynbuf_reset(dynbuf *b);	/* len = 0, keeps the memory */
void dynbuf_free(dynbuf *b);	/* frees and re-inits with the same cap */

#endif
