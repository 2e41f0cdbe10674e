#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core_error.h"
#include "dynbuf.h"
#include "parse_ini.h"
#include "secret_novaconf.h"
#include "output.h"
#include "core_wipe.h"

#define KEY_NAME "[" NM_NOVACONF_GROUP "] " NM_NOVACONF_KEY
#define LEGACY_NAME "[" NM_NOVACONF_LEGACY_GROUP "] " NM_NOVACONF_LEGACY_KEY

static const char *const watched_keys[] = {
	NM_NOVACONF_KEY, NM_NOVACONF_LEGACY_KEY, NULL
};

/* One file's findings: the last value of each key, as oslo.config keeps
 * them. Slot 0 is the current name, slot 1 the legacy one. */
typedef struct {
	nm_ini_stream stream;
	char *value[2];
	int last;		/* slot of the last assignment, -1 = other key */
	bool nomem;
} file_state;

/* oslo.config matches group names case-insensitively, except DEFAULT. */
static int
slot_of(const char *section, const char *name)
{
	if (strcasecmp(section, NM_NOVACONF_GROUP) == 0 &&
	    strcmp(name, NM_NOVACONF_KEY) == 0)
		return 0;
	if (strcmp(section, NM_NOVACONF_LEGACY_GROUP) == 0 &&
	    strcmp(name, NM_NOVACONF_LEGACY_KEY) == 0)
		return 1;
	return -1;
}

/* oslo.config drops one pair of matching quotes around a value; a lone
 * quote is such a pair to it, and leaves the value empty. */
static char *
unquoted_copy(const char *value)
{
	size_t n = strlen(value);

	if (n >= 1 && (value[0] == '"' || value[0] == '\'') &&
	    value[n - 1] == value[0])
		return strndup(value + 1, n > 1 ? n - 2 : 0);
	return strdup(value);
}

/* A continuation line extends the value, joined by a newline, quotes
 * left as they are. */
static int
append_line(char **slot, const char *text, size_t len)
{
	size_t a = strlen(*slot);
	char *joined;

	if ((joined = malloc(a + len + 2)) == NULL)
		return -1;
	memcpy(joined, *slot, a);
	joined[a] = '\n';
	memcpy(joined + a + 1, text, len);
	joined[a + 1 + len] = '\0';
	nm_ini_free_secret(*slot);
	*slot = joined;
	return 0;
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	file_state *st = user;
	int slot = slot_of(section, name);
	char *copy;

	if (st->stream.continuation) {
		if (slot < 0 || slot != st->last || st->value[slot] == NULL)
			return 1;
		if (append_line(&st->value[slot], st->stream.cont,
		    st->stream.cont_len) != 0)
			goto nomem;
		return 1;
	}
	st->last = slot;
	if (slot < 0)
		return 1;
	/* A key given twice: the last one wins. */
	if ((copy = unquoted_copy(value)) == NULL)
		goto nomem;
	nm_ini_free_secret(st->value[slot]);
	st->value[slot] = copy;
	return 1;
 nomem:
	st->nomem = true;
	return 0;
}

static void
file_state_clear(file_state *st)
{
	nm_ini_free_secret(st->value[0]);
	nm_ini_free_secret(st->value[1]);
	memset(st, 0, sizeof(*st));
}

/* Why a parse ended badly, or 0. */
static int
parse_problem(const char *path, const file_state *st, int r, nm_error *err)
{
	const nm_ini_stream *s = &st->stream;

	if (st->nomem || r == -2) {
		(void)nm_error_nomem(err);
		return -1;
	}
	if (s->too_long != 0)
		return nm_error_config(err, "--nova-conf: '%s' line %u is "
		    "longer than %d bytes: not read", path, s->too_long,
		    NM_INI_MAX_LINE);
	if (r > 0 && (unsigned)r == s->stray)
		return nm_error_config(err, "--nova-conf: '%s' line %d is "
		    "indented, which continues a value, but follows a blank "
		    "line, a comment or a [section] (oslo.config would refuse "
		    "it too)", path, r);
	if (r > 0)
		return nm_error_config(err, "--nova-conf: '%s' line %d is not "
		    "'key = value', a [section] or a comment (oslo.config "
		    "would refuse it too)", path, r);
	return 0;
}

static int
parse_file(const char *path, file_state *st, mode_t *mode, nm_error *err)
{
	char *data = NULL;
	size_t len = 0;
	bool opened;
	int r;

	/* Not named until it opened: what was given may be the secret. */
	if (nm_ini_read_file(path, &data, &len, mode, &opened, err) != NM_OK) {
		if (err->code != NM_ERR_NOMEM && opened)
			(void)nm_error_set(err, NM_ERR_CONFIG, "--nova-conf: "
			    "'%s' %s", path, nm_error_text(err));
		else if (err->code != NM_ERR_NOMEM)
			(void)nm_error_set(err, NM_ERR_CONFIG, "--nova-conf: a "
			    "file it names: %s", nm_error_text(err));
		return -1;
	}
	nm_ini_stream_init(&st->stream, data, len, false, watched_keys);
	st->last = -1;
	r = nm_ini_parse(&st->stream, handler, st);
	nm_wipe(data, len);
	free(data);
	return parse_problem(path, st, r, err);
}

/* The most the list of files searched may take: --nova-conf is given
 * at most a few times, each a path. */
#define FILES_CAP 65536

/* "'a', 'b'": the files searched, whole, for the message that none had
 * the secret. */
static dynbuf_err
list_files(const char *const *paths, size_t count, dynbuf *b)
{
	dynbuf_err e = DYNBUF_OK;
	size_t i;

	for (i = 0; i < count && e == DYNBUF_OK; i++)
		e = dynbuf_printf(b, "%s'%s'", i > 0 ? ", " : "", paths[i]);
	return e;
}

/* Keeps what file i says, when it says anything: the last file that
 * holds either name wins, and in it the current name beats the legacy. */
static void
take_result(file_state *st, size_t i, mode_t mode, nm_novaconf_secret *out)
{
	int slot = st->value[0] != NULL ? 0 : st->value[1] != NULL ? 1 : -1;

	if (slot < 0)
		return;
	nm_novaconf_clear(out);
	out->secret = st->value[slot];
	st->value[slot] = NULL;
	out->len = strlen(out->secret);
	out->file = i;
	out->key = slot == 0 ? KEY_NAME : LEGACY_NAME;
	out->mode = mode;
}

nm_err
nm_novaconf_load(const char *const *paths, size_t count,
    nm_novaconf_secret *out, nm_error *err)
{
	file_state st;
	dynbuf files;
	dynbuf_err e;
	mode_t mode = 0;
	size_t i;
	nm_err r;

	memset(out, 0, sizeof(*out));
	memset(&st, 0, sizeof(st));
	nm_error_clear(err);
	for (i = 0; i < count; i++) {
		if (parse_file(paths[i], &st, &mode, err) != 0) {
			file_state_clear(&st);
			nm_novaconf_clear(out);
			return err->code;
		}
		take_result(&st, i, mode, out);
		file_state_clear(&st);
	}
	if (out->secret != NULL)
		return NM_OK;
	dynbuf_init(&files, FILES_CAP);
	e = list_files(paths, count, &files);
	if (e == DYNBUF_NOMEM)
		r = nm_error_nomem(err);
	else if (e != DYNBUF_OK)
		r = nm_error_set(err, NM_ERR_CONFIG, "--nova-conf: no shared "
		    "secret in %zu files (too long a list to name them)", count);
	else
		r = nm_error_set(err, NM_ERR_CONFIG, "--nova-conf: no shared "
		    "secret in %s: neither " KEY_NAME " nor " LEGACY_NAME " is set",
		    files.data != NULL ? files.data : "");
	dynbuf_free(&files);
	return r;
}

void
nm_novaconf_clear(nm_novaconf_secret *s)
{
	nm_ini_free_secret(s->secret);
	memset(s, 0, sizeof(*s));
}
