#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core_error.h"
#include "parse_ini.h"
#include "secret_novaconf.h"
#include "output.h"
#include "quote.h"
#include "secret_source.h"
#include "core_wipe.h"

/* Keeps text up to the first line end; a CR before it is not part of
 * the secret either (files written on Windows, or by echo -e). */
static size_t
first_line(char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] == '\n' || buf[i] == '\r')
			break;
	}
	nm_wipe(buf + i, len - i);
	buf[i] = '\0';
	return i;
}

/* Appends a note for -v to the secret's warnings. Failing to note it
 * only loses the note. */
static void
add_warning(nm_secret *s, const char *fmt, ...)
{
	char *note = NULL, *joined = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&note, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	if (s->warning == NULL) {
		s->warning = note;
		return;
	}
	if (asprintf(&joined, "%s; %s", s->warning, note) >= 0) {
		free(s->warning);
		s->warning = joined;
	}
	free(note);
}

#define UTF8_BOM "\xef\xbb\xbf"

/* Editors on Windows start a UTF-8 file with a byte order mark, which no
 * one means as part of a secret. */
static size_t
strip_bom(char *buf, size_t len)
{
	const size_t n = sizeof(UTF8_BOM) - 1;

	if (len < n || memcmp(buf, UTF8_BOM, n) != 0)
		return len;
	memmove(buf, buf + n, len - n + 1);
	nm_wipe(buf + len - n + 1, n);
	return len - n;
}

/* The file is read as the ini files are: a regular file (links followed,
 * as Kubernetes Secret mounts need), never blocking on a FIFO, so the
 * whole-run limit is never spent here. */
static int
load_file(const char *path, nm_secret *out, nm_error *err)
{
	char *data = NULL;
	size_t len, n;
	mode_t mode;
	bool opened;
	int r = -1;

	/* Not named until it opened: what was given may be the secret
	 * itself, pasted where its file belongs. */
	if (nm_ini_read_file(path, &data, &len, &mode, &opened, err) !=
	    NM_OK) {
		if (err->code != NM_ERR_NOMEM && opened)
			(void)nm_error_set(err, NM_ERR_CONFIG, "--secret-file: "
			    "'%s' %s", path, nm_error_text(err));
		else if (err->code != NM_ERR_NOMEM)
			(void)nm_error_set(err, NM_ERR_CONFIG, "--secret-file: "
			    "the file it names: %s", nm_error_text(err));
		goto out;
	}
	if (len > NM_SECRET_MAX) {
		nm_error_config(err, "--secret-file: '%s' is larger than %d "
		    "bytes: not a secret file", path, NM_SECRET_MAX);
		goto out;
	}
	n = strip_bom(data, len);
	if (n != len)
		add_warning(out, "secret file '%s' starts with a UTF-8 byte "
		    "order mark, which is not taken as part of the secret", path);
	out->len = first_line(data, n);
	out->data = data;
	data = NULL;
	out->source = "--secret-file";
	if ((out->origin = strdup(path)) == NULL) {
		(void)nm_error_nomem(err);
		goto out;
	}
	if ((mode & S_IROTH) != 0)
		add_warning(out, "secret file '%s' is readable by others "
		    "(mode %04o): chmod o-r it", path, (unsigned)(mode & 07777));
	r = 0;
 out:
	if (data != NULL) {
		nm_wipe(data, len);
		free(data);
	}
	return r;
}

static int
load_env(nm_secret *out, nm_error *err)
{
	char *value = getenv(NM_SECRET_ENV);
	size_t len;

	if (value == NULL)
		return nm_error_config(err, "no shared secret: give "
		    "--secret-file or --nova-conf, or set " NM_SECRET_ENV
		    " (Nova's [neutron] metadata_proxy_shared_secret)");
	len = strlen(value);
	if (len > NM_SECRET_MAX)
		return nm_error_config(err, NM_SECRET_ENV " is longer than %d "
		    "bytes", NM_SECRET_MAX);
	if ((out->data = strndup(value, len)) == NULL) {
		(void)nm_error_nomem(err);
		return -1;
	}
	/* The copy in the environment would otherwise outlive the signing
	 * in this process's memory and in /proc/PID/environ. */
	nm_wipe(value, len);
	unsetenv(NM_SECRET_ENV);
	out->len = first_line(out->data, len);
	out->source = "environment " NM_SECRET_ENV;
	return 0;
}

static int
load_nova_conf(const nm_config *cfg, nm_secret *out, nm_error *err)
{
	nm_novaconf_secret nc;
	const char *path;
	int r = -1;

	if (nm_novaconf_load((const char *const *)cfg->nova_conf,
	    cfg->nova_conf_count, &nc, err) != NM_OK)
		return -1;
	path = cfg->nova_conf[nc.file];
	out->source = "--nova-conf";
	out->data = nc.secret;
	out->len = nc.len;
	nc.secret = NULL;
	if (out->len > NM_SECRET_MAX) {
		nm_error_config(err, "--nova-conf: the shared secret in '%s' is "
		    "longer than %d bytes", path, NM_SECRET_MAX);
		goto out;
	}
	if (asprintf(&out->origin, "%s %s", path, nc.key) < 0) {
		out->origin = NULL;
		(void)nm_error_nomem(err);
		goto out;
	}
	if ((nc.mode & S_IROTH) != 0)
		add_warning(out, "nova.conf '%s', which holds the shared "
		    "secret, is readable by others (mode %04o)", path,
		    (unsigned)(nc.mode & 07777));
	r = 0;
 out:
	nm_novaconf_clear(&nc);
	return r;
}

/* A secret in the environment that an option overrode would still sit
 * in this process's memory and in /proc/PID/environ. */
static void
forget_env(void)
{
	char *value = getenv(NM_SECRET_ENV);

	if (value == NULL)
		return;
	nm_wipe(value, strlen(value));
	unsetenv(NM_SECRET_ENV);
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

/* Whether s[0..len) is UTF-8 text. Nova's secret is read by
 * oslo.config, as text: a secret that is not cannot be Nova's. */
static bool
is_utf8(const char *s, size_t len)
{
	size_t i = 0, step;

	while (i < len) {
		if ((step = mp_utf8_len(s + i, len - i)) == 0)
			return false;
		i += step;
	}
	return true;
}

/* Exactly one source, the first given of: --secret-file, --nova-conf,
 * the environment (README, --help). */
nm_err
nm_secret_load(const nm_config *cfg, nm_secret *out, nm_error *err)
{
	int r;

	memset(out, 0, sizeof(*out));
	nm_error_clear(err);
	if (cfg->secret_file != NULL)
		r = load_file(cfg->secret_file, out, err);
	else if (cfg->nova_conf_count > 0)
		r = load_nova_conf(cfg, out, err);
	else
		r = load_env(out, err);
	forget_env();
	if (r == 0 && out->len > 0 && (is_blank(out->data[0]) ||
	    is_blank(out->data[out->len - 1])))
		add_warning(out, "secret has leading/trailing white space, "
		    "kept as part of it");
	if (r == 0 && out->len == 0) {
		nm_error_config(err, "the shared secret from %s%s%s is empty",
		    out->source, out->origin != NULL ? " " : "",
		    out->origin != NULL ? out->origin : "");
		r = -1;
	} else if (r == 0 && !is_utf8(out->data, out->len)) {
		nm_error_config(err, "the shared secret from %s%s%s is not "
		    "valid UTF-8: Nova reads its secret from nova.conf as "
		    "text, so this cannot be Nova's", out->source,
		    out->origin != NULL ? " " : "",
		    out->origin != NULL ? out->origin : "");
		r = -1;
	}
	if (r != 0)
		nm_secret_clear(out);
	return r == 0 ? NM_OK : err->code;
}

void
nm_secret_clear(nm_secret *s)
{
	if (s->data != NULL) {
		nm_wipe(s->data, s->len);
		free(s->data);
	}
	free(s->origin);
	free(s->warning);
	memset(s, 0, sizeof(*s));
}
