#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quote.h"

size_t
mp_utf8_len(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4;
	else
		return 0;	/* continuation byte, overlong C0/C1, F5..FF */
	/* The second byte's range is what excludes overlong forms (E0, F0),
	 * UTF-16 surrogates (ED) and code points above U+10FFFF (F4). */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < need || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < need; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	}
	return need;
}

void
mp_scrub(char *text)
{
	unsigned char *s = (unsigned char *)text;
	size_t n, k, i;

	if (text == NULL)
		return;
	n = strlen(text);
	for (i = 0; i < n; i += k) {
		if ((k = mp_utf8_len(text + i, n - i)) == 0) {
			s[i] = '?';
			k = 1;
		} else if (k == 1 && s[i] == '|') {
			s[i] = '/';	/* would start perfdata */
		} else if (k == 1 && (s[i] < 0x20 || s[i] == 0x7f)) {
			s[i] = ' ';
		} else if (k == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0) {
			/* C1 controls: NEL (U+0085) ends a line on some
			 * terminals and in some web front ends. */
			s[i] = ' ';
			s[i + 1] = ' ';
		}
	}
}

void
mp_unsemicolon(char *text)
{
	if (text == NULL)
		return;
	for (; (text = strchr(text, ';')) != NULL; text++)
		*text = ',';
}

char *
mp_quote(const char *s, size_t n)
{
	size_t cut = 0, step;
	char *out = NULL;

	if (s == NULL)
		n = 0;
	/* Whole characters only, so the cut never makes invalid UTF-8. */
	while (cut < n && cut < MP_QUOTE_MAX) {
		step = mp_utf8_len(s + cut, n - cut);
		if (step == 0)
			step = 1;
		if (cut + step > MP_QUOTE_MAX)
			break;
		cut += step;
	}
	if (asprintf(&out, "'%.*s%s'", (int)cut, cut > 0 ? s : "",
	    cut < n ? "..." : "") < 0)
		return NULL;
	mp_scrub(out);
	return out;
}

/* vasprintf, then scrub: every text this layer stores is clean. */
char *
mp_vscrubbed(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	mp_scrub(s);
	return s;
}
