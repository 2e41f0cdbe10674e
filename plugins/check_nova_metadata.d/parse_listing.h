/* The EC2-style metadata listing: one entry per line, directories end in
 * '/'. Pure: no I/O. */
#ifndef NM_LISTING_H
#define NM_LISTING_H

#include <stdbool.h>
#include <stddef.h>

#include "core_error.h"

typedef struct {
	char **entries;		/* names without the trailing '/' */
	bool *is_dir;
	size_t count;
} nm_listing;

/* Parses body[0..len) (not necessarily NUL-terminated). Accepts LF and
 * CRLF, skips blank lines, strips one trailing '/'. An entry is 1..255
 * characters of [A-Za-z0-9._:=,@+/-] that does not start with '/'
 * (EC2 lists "0=keyname" under public-keys/). NM_OK, NM_ERR_NOMEM,
 * NM_ERR_NOT_TEXT (NUL bytes, a lone CR, invalid UTF-8: "body is not
 * text: ...") or NM_ERR_MALFORMED (a line that is no key name: HTML,
 * JSON, spaces), err (when not NULL) with the code and a cause naming
 * the line ("line 3 is not a key name: '<html>'"), the quoted text
 * shortened and scrubbed. */
nm_err nm_listing_parse(const char *body, size_t len, nm_listing *out,
    nm_error *err);

/* True when name (with or without a trailing '/') is listed. */
bool nm_listing_has(const nm_listing *l, const char *name);

void nm_listing_free(nm_listing *l);

/* The explanation in an error body, for messages: webob (Nova) writes a
 * status line, a generic sentence, then the explanation, as text/plain or
 * as HTML; the last non-blank line of text, tags removed, is the part
 * that names the missing header or the failure. Writes at most
 * out_len - 1 bytes (scrubbed) to out, ending in "..." when the line
 * was longer; "" when there is none. */
void nm_error_explanation(const char *body, size_t len, char *out,
    size_t out_len);

#endif
