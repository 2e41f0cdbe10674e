/* Ini files, read whole and capped, and parsed line by line as
 * oslo.config reads nova.conf and monitoring-plugins read --extra-opts
 * files: one parser for both, a handler called for each assignment and
 * each continuation line. Never prints, never exits. */
#ifndef NM_INIFILE_H
#define NM_INIFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core_error.h"

/* nova.conf with every sample comment is about half a MiB. */
#define NM_INI_MAX_FILE (8 * 1024 * 1024)
/* The longest line read; a longer one that matters fails the parse,
 * never cut silently. */
#define NM_INI_MAX_LINE (64 * 1024)

/* Called for each assignment (name and value trimmed) and for each line
 * continuing one (name is the key it continues; the stream's
 * continuation is set). section is "" before the first [section].
 * Nonzero to go on; 0 marks the line bad and the parse goes on. */
typedef int (*nm_ini_handler)(void *user, const char *section,
    const char *name, const char *value);

typedef struct {
	const char *data;	/* the file's text, NUL-terminated */
	size_t len;
	size_t pos;
	unsigned lineno;	/* of the line being parsed */
	bool strip_indent;	/* extra-opts: indentation means nothing, and
				 * a key alone is a key with no value */
	/* Keys whose lines must not be passed over (NULL-terminated;
	 * NULL = every key). A line over NM_INI_MAX_LINE that holds one of
	 * them ends the parse with too_long set; any other is passed
	 * over. */
	const char *const *watch;
	/* The line being parsed continues a value (nova.conf only): its
	 * text, trimmed as oslo.config trims it, is cont/cont_len. */
	bool continuation;
	const char *cont;	/* into data */
	size_t cont_len;
	bool last_watched;	/* the last assignment was of a watched key */
	bool have_key;		/* there is a key an indented line extends */
	bool skipping;		/* that key's line was passed over */
	unsigned too_long;	/* line that could not be read whole, or 0 */
	unsigned stray;		/* first indented line with nothing to
				 * continue (oslo.config refuses it), or 0 */
} nm_ini_stream;

/* Reads path (a regular file, links followed, at most NM_INI_MAX_FILE
 * bytes) into *data (malloc'd, NUL-terminated; the caller
 * wipes it when it may hold a secret) and *len; *mode gets its mode.
 * NM_OK, NM_ERR_NOMEM, or NM_ERR_CONFIG with err's cause the reason,
 * without the path. *opened says whether path named a file that opened:
 * only then may a message name it (what did not open may be a secret
 * pasted where its file belongs). */
nm_err nm_ini_read_file(const char *path, char **data, size_t *len,
    mode_t *mode, bool *opened, nm_error *err);

/* Sets s up to read data. */
void nm_ini_stream_init(nm_ini_stream *s, const char *data, size_t len,
    bool strip_indent, const char *const *watch);

/* Parses s to its end with handler: '#' and ';' start comment lines
 * only (none inside a line), '=' or ':' ends a key. 0, the first bad
 * line, or -2 on out of memory. */
int nm_ini_parse(nm_ini_stream *s, nm_ini_handler handler, void *user);

/* Wipes and frees a string that may hold a secret. */
void nm_ini_free_secret(char *s);

#endif
