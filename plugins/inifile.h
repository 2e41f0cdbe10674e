/* Ini files for libinih: read whole and capped, fed to inih line by line
 * through a reader that wipes inih's line buffer, keeps lines inih cannot
 * hold from being cut silently, and tells continuation lines apart.
 * Shared by --nova-conf and --extra-opts. Never prints, never exits. */
#ifndef NM_INIFILE_H
#define NM_INIFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <ini.h>

#include "error.h"

/* nova.conf with every sample comment is about half a MiB. */
#define NM_INI_MAX_FILE (8 * 1024 * 1024)
/* The longest line inih is asked to hold where it can be told to. */
#define NM_INI_MAX_LINE (64 * 1024)

typedef struct {
	const char *data;	/* the file's text, NUL-terminated */
	size_t len;
	size_t pos;
	unsigned lineno;	/* of the line last given to inih */
	bool strip_indent;	/* extra-opts: indentation means nothing */
	/* Keys whose lines must not be cut or skipped (NULL-terminated;
	 * NULL = every key). A line too long for inih that holds one of
	 * them ends the parse with too_long set; any other is replaced by
	 * a line inih ignores. */
	const char *const *watch;
	/* The line last given continues a value (nova.conf only). inih is
	 * given a stand-in for it, since inih takes an indented '#' or ';'
	 * line for a comment where oslo.config continues the value: the
	 * handler's value is meaningless, the text is cont/cont_len. */
	bool continuation;
	const char *cont;	/* into data; trimmed as oslo.config trims */
	size_t cont_len;
	bool last_watched;	/* the last assignment was of a watched key */
	bool have_key;		/* inih has a key an indented line extends */
	bool bare;		/* extra-opts: the line last given had no '=' */
	unsigned too_long;	/* line that could not be given whole, or 0 */
	unsigned ambiguous;	/* watched line inih would cut at ';', or 0 */
	unsigned stray;		/* first indented line with nothing to
				 * continue (oslo.config refuses it), or 0 */
} nm_ini_stream;

/* Reads path (a regular file, links followed, at most NM_INI_MAX_FILE
 * bytes) into *data (malloc'd, NUL-terminated; the caller
 * wipes it when it may hold a secret) and *len; *mode gets its mode.
 * NM_OK, NM_ERR_NOMEM, or NM_ERR_CONFIG with err's cause the reason,
 * without the path. */
nm_err nm_ini_read_file(const char *path, char **data, size_t *len,
    mode_t *mode, nm_error *err);

/* Sets s up to read data. */
void nm_ini_stream_init(nm_ini_stream *s, const char *data, size_t len,
    bool strip_indent, const char *const *watch);

/* Parses s with handler, as ini_parse_stream() does (0, the first bad
 * line, or -2 on out of memory), with inih set to behave like
 * oslo.config and monitoring-plugins where this libinih can be told:
 * no inline comments, long lines, stop at nothing. */
int nm_ini_parse(nm_ini_stream *s, ini_handler handler, void *user);

/* Wipes and frees a string that may hold a secret. */
void nm_ini_free_secret(char *s);

#endif
