#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inifile.h"
#include "sign.h"

/* inih's placeholder for a line it need not see: an assignment, so that a
 * following indented line cannot continue the key before it. */
#define SKIPPED_LINE "nm-skipped-overlong-line="
/* What inih sees for a continuation line, whose text it is not given. */
#define CONT_LINE " -"
/* inih's error for an indented line that continues nothing. */
#define STRAY_LINE "nm-indented-line-continues-nothing"

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
open_regular(const char *path, struct stat *st, nm_error *err)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return why_errno(err, "cannot open");
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
    nm_error *err)
{
	struct stat st;
	char *buf = NULL;
	size_t cap;
	ssize_t n;
	int fd;
	nm_err r = NM_ERR_CONFIG;

	*data = NULL;
	if ((fd = open_regular(path, &st, err)) < 0)
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

/* The key of an assignment line, trimmed; whether it is watched. */
static bool
assignment_watched(const nm_ini_stream *s, const char *p, const char *end)
{
	const char *k = p;

	while (p < end && *p != '=' && *p != ':')
		p++;
	while (p > k && (p[-1] == ' ' || p[-1] == '\t'))
		p--;
	return is_watched(s, k, (size_t)(p - k));
}

/* A libinih that cuts values at " ;" would sign with less than Nova
 * reads (oslo.config has no inline comments). */
static bool
cut_by_inline_comment(const char *p, const char *end)
{
#if !HAVE_DECL_INI_ALLOW_INLINE_COMMENTS && INI_ALLOW_INLINE_COMMENTS
	for (p++; p < end; p++) {
		if (*p == ';' && (p[-1] == ' ' || p[-1] == '\t'))
			return true;
	}
#endif
	(void)p;
	(void)end;
	return false;
}

typedef enum { LINE_BLANK, LINE_COMMENT, LINE_CONT, LINE_STRAY,
    LINE_SECTION, LINE_ASSIGN } line_kind;

/* What oslo.config makes of the line, in its order of tests
 * (oslo_config/iniparser.py): an indented line continues the value before
 * it, '#' and ';' lines included, and is refused when a blank line, a
 * comment or a section came between. Extra-opts lines lost their
 * indentation before, so none of them is indented here. */
static line_kind
classify(nm_ini_stream *s, const char *line, const char *p, const char *end,
    bool *watched)
{
	*watched = false;
	if (p > line && p < end) {
		if (!s->have_key)
			return LINE_STRAY;
		*watched = s->last_watched;
		return LINE_CONT;
	}
	s->have_key = false;
	s->last_watched = false;
	if (p == end)
		return LINE_BLANK;
	if (*p == '#' || *p == ';')
		return LINE_COMMENT;
	if (*p == '[')
		return LINE_SECTION;
	*watched = assignment_watched(s, p, end);
	s->last_watched = *watched;
	s->have_key = true;
	return LINE_ASSIGN;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* inih gets a stand-in where it would read the line otherwise than
 * oslo.config: a continuation's text is kept in s for the handler (so
 * neither its length nor a leading '#' matters), and a stray indented
 * line becomes one inih reports as an error. */
static char *
stand_in(nm_ini_stream *s, char *str, line_kind kind, const char *p,
    const char *end)
{
	if (kind == LINE_STRAY) {
		if (s->stray == 0)
			s->stray = s->lineno;
		memcpy(str, STRAY_LINE "\n", sizeof(STRAY_LINE) + 1);
		return str;
	}
	while (end > p && is_space(end[-1]))
		end--;
	s->cont = p;
	s->cont_len = (size_t)(end - p);
	memcpy(str, CONT_LINE "\n", sizeof(CONT_LINE) + 1);
	return str;
}

/* A line too long for inih's buffer: the parse ends if the line matters,
 * else inih sees a line that means nothing. */
static char *
overlong_line(nm_ini_stream *s, char *str, line_kind kind, bool watched)
{
	if (watched || kind == LINE_SECTION) {
		s->too_long = s->lineno;
		return NULL;
	}
	if (kind == LINE_COMMENT)
		memcpy(str, "#\n", 3);
	else
		memcpy(str, SKIPPED_LINE "\n", sizeof(SKIPPED_LINE) + 1);
	s->last_watched = false;
	return str;
}

/* Copies one line of the file into inih's buffer str (size cap), or what
 * inih should see instead; NULL ends the parse. */
static char *
give_line(nm_ini_stream *s, char *str, size_t cap, const char *line,
    size_t n)
{
	const char *end = line + n, *p;
	bool watched, no_value = false;
	line_kind kind;

	if (end > line && end[-1] == '\r')
		end--;
	/* inih drops a UTF-8 BOM before the first line; so does this. */
	if (s->lineno == 1 && n >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0)
		line += 3;
	p = line;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (s->strip_indent)
		line = p;
	kind = classify(s, line, p, end, &watched);
	s->continuation = kind == LINE_CONT;
	if (kind == LINE_CONT || kind == LINE_STRAY)
		return stand_in(s, str, kind, p, end);
	if (kind == LINE_BLANK)
		line = end;
	if (kind == LINE_ASSIGN && s->strip_indent)
		no_value = memchr(p, '=', (size_t)(end - p)) == NULL &&
		    memchr(p, ':', (size_t)(end - p)) == NULL;
	s->bare = no_value;
	n = (size_t)(end - line);
	/* inih needs room for "\r\n\0" (ini.h, INI_MAX_LINE). */
	if (n + no_value + 3 > cap)
		return overlong_line(s, str, kind, watched);
	if (watched && cut_by_inline_comment(p, end)) {
		s->ambiguous = s->lineno;
		return NULL;
	}
	memcpy(str, line, n);
	/* extra-opts: "verbose" alone is "--verbose". */
	if (no_value)
		str[n++] = '=';
	str[n] = '\n';
	str[n + 1] = '\0';
	return str;
}

/* inih's ini_reader. inih keeps each line in its own buffer and frees it
 * unwiped: every call, the last one included, wipes it first, so no
 * value outlives the parse there. */
static char *
reader(char *str, int num, void *stream)
{
	nm_ini_stream *s = stream;
	const char *line, *eol;
	size_t n;

	if (num < 4)
		return NULL;
	nm_wipe(str, (size_t)num);
	if (s->pos >= s->len || s->too_long != 0 || s->ambiguous != 0)
		return NULL;
	line = s->data + s->pos;
	eol = memchr(line, '\n', s->len - s->pos);
	n = eol != NULL ? (size_t)(eol - line) : s->len - s->pos;
	s->pos += n + (eol != NULL);
	s->lineno++;
	return give_line(s, str, (size_t)num, line, n);
}

/* Debian's libinih takes its compile-time options at run time; where it
 * does, make it read nova.conf as oslo.config does and ini files as
 * monitoring-plugins does. This process has no other inih user. */
static void
configure_inih(const nm_ini_stream *s)
{
#if HAVE_DECL_INI_MAX_LINE
	ini_use_stack = false;
	ini_allow_realloc = false;
	ini_max_line = NM_INI_MAX_LINE;
	/* Without realloc, this is the size of the buffer it reads into. */
	ini_initial_alloc = NM_INI_MAX_LINE;
	ini_allow_inline_comments = false;
	ini_allow_multiline = !s->strip_indent;
	ini_allow_no_value = false;
	ini_stop_on_first_error = false;
	ini_allow_bom = true;
#else
	(void)s;
#endif
}

int
nm_ini_parse(nm_ini_stream *s, ini_handler handler, void *user)
{
	configure_inih(s);
	return ini_parse_stream(reader, s, handler, user);
}
