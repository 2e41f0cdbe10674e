/* Text from a server or an operator, made safe for a status line: the
 * one quoting helper and the one scrubber (no '|', no control
 * characters, valid UTF-8). */
#ifndef MP_QUOTE_H
#define MP_QUOTE_H

#include <stdarg.h>
#include <stddef.h>

/* The one quote length: text from a server or an operator is shown up
 * to this many bytes in a message. */
#define MP_QUOTE_MAX 100

/* The one quoting helper: 'TEXT' for s[0..n), cut after MP_QUOTE_MAX
 * bytes (never inside a UTF-8 character) with "..." inside the quotes,
 * scrubbed. malloc'd; NULL on out of memory. */
char *mp_quote(const char *s, size_t n);

/* vasprintf, then mp_scrub: the one way to a scrubbed, malloc'd text
 * (NULL on out of memory). */
char *mp_vscrubbed(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

/* Scrubs text in place: '|' becomes '/', control characters (and DEL)
 * become ' ', bytes that are not valid UTF-8 become '?'. */
void mp_scrub(char *text);

/* Turns every ';' in text into ','. Nagios 4 (and Icinga 2's IDO)
 * rewrite ';' in plugin output as ':', which makes one clause read as
 * the explanation of the one before: the output layer writes no ';' in
 * text (output.h), and code that must know how a text is printed (the
 * secret's search) applies this after mp_scrub. */
void mp_unsemicolon(char *text);

/* Length (1..4) of the well-formed UTF-8 sequence at p[0..n), or 0 when
 * it is not one (overlong, surrogate, above U+10FFFF, truncated). Shared
 * by mp_scrub and by parsers that must tell text from binary. */
size_t mp_utf8_len(const char *p, size_t n);

#endif
