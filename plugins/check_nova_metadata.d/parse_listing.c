#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_error.h"
#include "parse_listing.h"
#include "output.h"

/* EC2 and Nova key names are short; 255 is the documented ceiling. */
#define ENTRY_MAX 255

static nm_err
refuse(nm_error *err, nm_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Why the body is no listing, in err when the caller wants it. Returns
 * code: a cause that cannot be allocated leaves the code standing, with
 * its name for a text. */
static nm_err
refuse(nm_error *err, nm_err code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	va_start(ap, fmt);
	if (nm_error_vset(err, code, fmt, ap) != code) {
		nm_error_clear(err);
		err->code = code;
	}
	va_end(ap);
	return code;
}

/* Rejects what cannot be a text listing before looking at lines, so the
 * cause says "binary" rather than blaming some line for it. */
static nm_err
check_text(const char *body, size_t len, nm_error *err)
{
	size_t i, k;

	for (i = 0; i < len; i += k) {
		if (body[i] == '\0')
			return refuse(err, NM_ERR_NOT_TEXT, "body is not text: "
			    "NUL byte at offset %zu", i);
		if (body[i] == '\r' && (i + 1 == len || body[i + 1] != '\n'))
			return refuse(err, NM_ERR_NOT_TEXT, "body is not text: "
			    "carriage return without line feed at offset %zu",
			    i);
		if ((k = mp_utf8_len(body + i, len - i)) == 0)
			return refuse(err, NM_ERR_NOT_TEXT, "body is not text: "
			    "invalid UTF-8 byte 0x%02x at offset %zu",
			    (unsigned)(unsigned char)body[i], i);
	}
	return NM_OK;
}

static bool
is_key_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= '0' && ch <= '9') || strchr("._:=,@+/-", ch) != NULL;
}

/* Validates one line (without its line end) as an entry. */
static nm_err
check_entry(const char *s, size_t n, size_t lineno, nm_error *err)
{
	size_t i, name_len = n;
	char *q;

	if (n > 0 && s[n - 1] == '/')
		name_len--;
	if (name_len > ENTRY_MAX) {
		return refuse(err, NM_ERR_MALFORMED, "line %zu is too long: "
		    "%zu characters, at most %d", lineno, n, ENTRY_MAX);
	}
	for (i = 0; i < name_len; i++) {
		if (!is_key_char(s[i]))
			break;
	}
	if (name_len == 0 || s[0] == '/' || i < name_len) {
		/* Without the line's text the verdict still stands. */
		q = mp_quote(s, n);
		(void)refuse(err, NM_ERR_MALFORMED, "line %zu is not a key "
		    "name%s%s", lineno, q != NULL ? ": " : "", q != NULL ? q :
		    "");
		free(q);
		return NM_ERR_MALFORMED;
	}
	return NM_OK;
}

/* Appends s[0..n) (a directory when is_dir) to l. */
static nm_err
add_entry(nm_listing *l, const char *s, size_t n, bool is_dir,
    size_t *alloc)
{
	char **e;
	bool *d;
	size_t na;

	if (l->count == *alloc) {
		na = *alloc == 0 ? 16 : *alloc * 2;
		if (na > SIZE_MAX / sizeof(*e))
			return NM_ERR_NOMEM;
		if ((e = realloc(l->entries, na * sizeof(*e))) == NULL)
			return NM_ERR_NOMEM;
		l->entries = e;
		if ((d = realloc(l->is_dir, na * sizeof(*d))) == NULL)
			return NM_ERR_NOMEM;
		l->is_dir = d;
		*alloc = na;
	}
	if ((l->entries[l->count] = strndup(s, n)) == NULL)
		return NM_ERR_NOMEM;
	l->is_dir[l->count++] = is_dir;
	return NM_OK;
}

/* Adds one line, s[0..n) without its line end, to l; blank lines are
 * skipped. */
static nm_err
parse_line(nm_listing *l, const char *s, size_t n, size_t lineno,
    size_t *alloc, nm_error *err)
{
	nm_err r;
	bool is_dir;

	/* check_text allows '\r' only right before '\n': CRLF endings */
	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (n == 0)
		return NM_OK;
	if ((r = check_entry(s, n, lineno, err)) != NM_OK)
		return r;
	is_dir = s[n - 1] == '/';
	return add_entry(l, s, is_dir ? n - 1 : n, is_dir, alloc);
}

nm_err
nm_listing_parse(const char *body, size_t len, nm_listing *out,
    nm_error *err)
{
	nm_listing l = { NULL, NULL, 0 };
	const char *nl;
	size_t pos, end, lineno = 0, alloc = 0;
	nm_err r;

	memset(out, 0, sizeof(*out));
	if (err != NULL)
		nm_error_clear(err);
	if ((r = check_text(body, len, err)) != NM_OK)
		goto out;
	for (pos = 0; pos < len; pos = end + 1) {
		nl = memchr(body + pos, '\n', len - pos);
		end = nl != NULL ? (size_t)(nl - body) : len;
		if ((r = parse_line(&l, body + pos, end - pos, ++lineno,
		    &alloc, err)) != NM_OK)
			goto out;
	}
	*out = l;
	memset(&l, 0, sizeof(l));
 out:
	if (r == NM_ERR_NOMEM && err != NULL)
		(void)nm_error_nomem(err);
	nm_listing_free(&l);
	return r;
}

bool
nm_listing_has(const nm_listing *l, const char *name)
{
	size_t n, i;

	if (l == NULL || name == NULL)
		return false;
	n = strlen(name);
	if (n > 0 && name[n - 1] == '/')
		n--;
	for (i = 0; i < l->count; i++) {
		if (strncmp(l->entries[i], name, n) == 0 &&
		    l->entries[i][n] == '\0')
			return true;
	}
	return false;
}

void
nm_listing_free(nm_listing *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->count; i++)
		free(l->entries[i]);
	free(l->entries);
	free(l->is_dir);
	memset(l, 0, sizeof(*l));
}

/* Only the end of a large body can hold the explanation. */
#define EXPLAIN_WINDOW 8192

/* Copies text without HTML tags; a <br> or a block end becomes a line
 * break so that markup's lines stay apart. */
static size_t
strip_tags(const char *in, size_t len, char *out)
{
	size_t i, n = 0;
	int in_tag = 0;

	for (i = 0; i < len; i++) {
		if (!in_tag && in[i] == '<') {
			in_tag = 1;
			out[n++] = '\n';
		} else if (in_tag && in[i] == '>')
			in_tag = 0;
		else if (!in_tag)
			out[n++] = in[i];
	}
	return n;
}

/* in[0..n) into out; when it does not fit, cut at a whole UTF-8
 * character and ended with "...", so that the cut shows. */
static void
copy_marked(const char *in, size_t n, char *out, size_t out_len)
{
	size_t cut = 0, step, room;

	if (n < out_len) {
		memcpy(out, in, n);
		out[n] = '\0';
		return;
	}
	if (out_len < 4) {
		out[0] = '\0';
		return;
	}
	room = out_len - 4;
	while (cut < room) {
		step = mp_utf8_len(in + cut, n - cut);
		if (step == 0)
			step = 1;
		if (cut + step > room)
			break;
		cut += step;
	}
	memcpy(out, in, cut);
	memcpy(out + cut, "...", 4);
}

void
nm_error_explanation(const char *body, size_t len, char *out, size_t out_len)
{
	char text[EXPLAIN_WINDOW + 1];
	const char *start, *end;
	size_t n;

	if (out_len == 0)
		return;
	out[0] = '\0';
	if (body == NULL)
		return;
	if (len > EXPLAIN_WINDOW) {
		body += len - EXPLAIN_WINDOW;
		len = EXPLAIN_WINDOW;
	}
	n = memchr(body, '<', len) != NULL ? strip_tags(body, len, text) :
	    (memcpy(text, body, len), len);
	end = text + n;
	while (end > text && (end[-1] == '\n' || end[-1] == '\r' ||
	    end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\0'))
		end--;
	start = end;
	while (start > text && start[-1] != '\n')
		start--;
	while (start < end && (*start == ' ' || *start == '\t'))
		start++;
	copy_marked(start, (size_t)(end - start), out, out_len);
	mp_scrub(out);
}
