#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse_ini.h"
#include "core_wipe.h"

void
nm_ini_free_secret(char *s)
{
	if (s == NULL)
		return;
	nm_wipe(s, strlen(s));
	free(s);
}

static int
why_errno(nm_error *err, const char *what)
{
	(void)nm_error_set(err, NM_ERR_CONFIG, "%s: %s", what,
	    strerror(errno));
	return -1;
}

static int
why_text(nm_error *err, const char *text)
{
	(void)nm_error_set(err, NM_ERR_CONFIG, "%s", text);
	return -1;
}

/* Opens without blocking on a FIFO, so the whole-run limit is never
 * spent here. Unlike signify, a symbolic link is followed: Kubernetes
 * ConfigMap and Secret mounts and /etc/alternatives-style setups are
 * links, and oslo.config and monitoring-plugins follow them too; what is
 * read must still be a regular file of bounded size. */
static int
open_regular(const char *path, struct stat *st, bool *opened, nm_error *err)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return why_errno(err, "cannot open");
	*opened = true;
	if (fstat(fd, st) != 0) {
		why_errno(err, "cannot stat");
		close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode) || st->st_size > NM_INI_MAX_FILE) {
		why_text(err, S_ISDIR(st->st_mode) ? "is a directory" :
		    !S_ISREG(st->st_mode) ? "is not a regular file" :
		    "is larger than 8 MiB: not a configuration file");
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads at most cap bytes; the file may change size while read. */
static ssize_t
read_all(int fd, char *buf, size_t cap)
{
	size_t got = 0;
	ssize_t n;

	while (got < cap) {
		n = read(fd, buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

nm_err
nm_ini_read_file(const char *path, char **data, size_t *len, mode_t *mode,
    bool *opened, nm_error *err)
{
	struct stat st;
	char *buf = NULL;
	size_t cap;
	ssize_t n;
	int fd;
	nm_err r = NM_ERR_CONFIG;

	*data = NULL;
	*opened = false;
	if ((fd = open_regular(path, &st, opened, err)) < 0)
		return err->code;
	cap = (size_t)st.st_size;
	if ((buf = malloc(cap + 1)) == NULL) {
		r = nm_error_nomem(err);
		goto out;
	}
	if ((n = read_all(fd, buf, cap)) < 0) {
		why_errno(err, "cannot read");
		r = err->code;
		goto out;
	}
	buf[n] = '\0';
	if (memchr(buf, '\0', (size_t)n) != NULL) {
		why_text(err, "holds NUL bytes: not a text file");
		r = err->code;
		goto out;
	}
	*data = buf;
	*len = (size_t)n;
	*mode = st.st_mode;
	buf = NULL;
	r = NM_OK;
 out:
	if (buf != NULL) {
		nm_wipe(buf, cap + 1);
		free(buf);
	}
	close(fd);
	return r;
}

void
nm_ini_stream_init(nm_ini_stream *s, const char *data, size_t len,
    bool strip_indent, const char *const *watch)
{
	memset(s, 0, sizeof(*s));
	s->data = data;
	s->len = len;
	s->strip_indent = strip_indent;
	s->watch = watch;
}

static bool
is_watched(const nm_ini_stream *s, const char *key, size_t n)
{
	const char *const *w;

	if (s->watch == NULL)
		return true;
	for (w = s->watch; *w != NULL; w++) {
		if (strlen(*w) == n && memcmp(*w, key, n) == 0)
			return true;
	}
	return false;
}

static bool
is_space(char c)
{
	return isspace((unsigned char)c) != 0;
}

typedef enum { LINE_BLANK, LINE_COMMENT, LINE_CONT, LINE_STRAY,
    LINE_SECTION, LINE_ASSIGN } line_kind;

/* What oslo.config makes of the line, in its order of tests
 * (oslo_config/iniparser.py): an indented line continues the value before
 * it, '#' and ';' lines included, and is refused when a blank line, a
 * comment or a section came between. Extra-opts lines lost their
 * indentation before, so none of them is indented here. */
static line_kind
classify(nm_ini_stream *s, const char *line, const char *p, const char *end)
{
	if (p > line && p < end)
		return s->have_key ? LINE_CONT : LINE_STRAY;
	s->have_key = false;
	s->last_watched = false;
	s->skipping = false;
	if (p == end)
		return LINE_BLANK;
	if (*p == '#' || *p == ';')
		return LINE_COMMENT;
	if (*p == '[')
		return LINE_SECTION;
	s->have_key = true;
	return LINE_ASSIGN;
}

/* One line's parts, in the parse's scratch buffers. */
typedef struct {
	char *section;		/* "" before the first [section] */
	char *name;		/* the key of the last assignment */
	char *value;		/* scratch for the value handed over */
	size_t cap;		/* each buffer's size */
} parse_bufs;

/* Copies [p, end) into buf (cap bytes), NUL-terminated. */
static void
put(char *buf, size_t cap, const char *p, const char *end)
{
	size_t n = (size_t)(end - p);

	if (n >= cap)
		n = cap - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
}

/* "[name]": the name up to the first ']', as it stands; text after the
 * ']' means nothing. 0, or -1 when there is no ']'. */
static int
take_section(parse_bufs *b, const char *p, const char *end)
{
	const char *close = memchr(p, ']', (size_t)(end - p));

	if (close == NULL)
		return -1;
	put(b->section, b->cap, p + 1, close);
	return 0;
}

/* "name = value" (or ':'), both trimmed; a line without either is a
 * key with an empty value where bare keys are allowed (extra-opts),
 * else an error (-1). */
static int
take_assignment(nm_ini_stream *s, parse_bufs *b, const char *p,
    const char *end)
{
	const char *sep = p, *k_end, *v = end;

	while (sep < end && *sep != '=' && *sep != ':')
		sep++;
	if (sep == end && !s->strip_indent)
		return -1;
	k_end = sep;
	while (k_end > p && is_space(k_end[-1]))
		k_end--;
	if (sep < end) {
		v = sep + 1;
		while (v < end && is_space(*v))
			v++;
	}
	while (end > v && is_space(end[-1]))
		end--;
	put(b->name, b->cap, p, k_end);
	put(b->value, b->cap, v, end);
	s->last_watched = is_watched(s, p, (size_t)(k_end - p));
	return 0;
}

/* A line over the limit: the parse fails on it when it matters (a
 * section, a watched key or its continuation); any other is passed
 * over, as an assignment to a key that is nobody's, so that the lines
 * continuing it are passed over too. */
static int
overlong_line(nm_ini_stream *s, line_kind kind, const char *p,
    const char *end)
{
	const char *k = p;

	if (kind == LINE_ASSIGN) {
		while (k < end && *k != '=' && *k != ':')
			k++;
		while (k > p && is_space(k[-1]))
			k--;
		s->last_watched = is_watched(s, p, (size_t)(k - p));
	}
	if (kind == LINE_SECTION || s->last_watched) {
		s->too_long = s->lineno;
		return -1;
	}
	s->skipping = true;
	return 1;
}

/* One line: 1 when fine, 0 when it is bad (a malformed line, or the
 * handler said so), -1 when the parse must end. */
static int
parse_line(nm_ini_stream *s, parse_bufs *b, const char *line,
    const char *end, nm_ini_handler handler, void *user)
{
	const char *p = line;
	line_kind kind;

	/* A UTF-8 BOM before the first line is no part of it. */
	if (s->lineno == 1 && end - line >= 3 &&
	    memcmp(line, "\xef\xbb\xbf", 3) == 0)
		line = p = line + 3;
	/* Trailing white space (CR, VT and FF too) is no part of a line:
	 * one made of it alone is blank, as to oslo.config. */
	while (end > line && is_space(end[-1]))
		end--;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (s->strip_indent)
		line = p;
	kind = classify(s, line, p, end);
	s->continuation = kind == LINE_CONT;
	if (kind == LINE_BLANK || kind == LINE_COMMENT)
		return 1;
	if (kind == LINE_STRAY) {
		if (s->stray == 0)
			s->stray = s->lineno;
		return 0;
	}
	if ((size_t)(end - line) >= b->cap)
		return overlong_line(s, kind, p, end);
	if (kind == LINE_SECTION)
		return take_section(b, p, end) == 0 ? 1 : 0;
	if (kind == LINE_CONT) {
		/* What continues a line passed over is passed over; a key
		 * without a name has nothing to continue. */
		if (s->skipping)
			return 1;
		if (b->name[0] == '\0')
			return 0;
		s->cont = p;
		s->cont_len = (size_t)(end - p);
		put(b->value, b->cap, p, end);
	} else if (take_assignment(s, b, p, end) != 0)
		return 0;
	return handler(user, b->section, b->name, b->value) != 0;
}

/* Wipes too: a value, or a secret pasted as a key, is no one's after
 * the parse. */
static void
bufs_free(parse_bufs *b)
{
	char *const all[] = { b->section, b->name, b->value };
	size_t i;

	for (i = 0; i < 3; i++) {
		if (all[i] != NULL)
			nm_wipe(all[i], b->cap);
		free(all[i]);
	}
}

/* libinih is not used here: it takes an indented '#' or ';' line for a
 * comment where oslo.config continues the value, continues a value
 * across a blank line or a comment where oslo.config refuses the line,
 * and its line length and inline comments are fixed when it is built
 * (only Debian's patched build lets a program set them), so it would cut
 * or misread the secret Nova reads. monitoring-plugins reads
 * --extra-opts files with a parser of its own too. */
int
nm_ini_parse(nm_ini_stream *s, nm_ini_handler handler, void *user)
{
	parse_bufs b;
	const char *line, *eol;
	int first_bad = 0, r = 0;
	size_t n;

	/* Lines up to NM_INI_MAX_LINE bytes are read whole. */
	b.cap = (s->len < NM_INI_MAX_LINE ? s->len : NM_INI_MAX_LINE) + 1;
	b.section = calloc(1, b.cap);
	b.name = calloc(1, b.cap);
	b.value = calloc(1, b.cap);
	if (b.section == NULL || b.name == NULL || b.value == NULL) {
		first_bad = -2;
		goto out;
	}
	while (s->pos < s->len) {
		line = s->data + s->pos;
		eol = memchr(line, '\n', s->len - s->pos);
		n = eol != NULL ? (size_t)(eol - line) : s->len - s->pos;
		s->pos += n + (eol != NULL);
		s->lineno++;
		if ((r = parse_line(s, &b, line, line + n, handler, user)) < 0)
			break;
		if (r == 0 && first_bad == 0)
			first_bad = (int)s->lineno;
	}
	if (r < 0 && first_bad == 0)
		first_bad = (int)s->lineno;
 out:
	bufs_free(&b);
	return first_bad;
}
