#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core_error.h"
#include "cli_extraopts.h"
#include "parse_ini.h"
#include "core_config.h"
#include "cli_options.h"
#include "core_wipe.h"

#define OPT_LEN (sizeof(NM_EXTRAOPTS_OPT) - 1)

const char *const nm_extraopts_default_paths[] = {
	"/usr/local/etc/monitoring-plugins/monitoring-plugins.ini",
	"/usr/local/etc/monitoring-plugins.ini",
	"/etc/monitoring-plugins/monitoring-plugins.ini",
	"/etc/monitoring-plugins.ini",
	/* the older names, still honoured by monitoring-plugins */
	"/etc/nagios/plugins.ini",
	"/usr/local/nagios/etc/plugins.ini",
	"/usr/local/etc/nagios/plugins.ini",
	"/etc/opt/nagios/plugins.ini",
	"/etc/nagios-plugins.ini",
	"/usr/local/etc/nagios-plugins.ini",
	"/etc/opt/nagios-plugins.ini",
	NULL
};

/* The names looked for in each NAGIOS_CONFIG_PATH directory. */
static const char *const file_names[] = {
	"monitoring-plugins.ini", "plugins.ini", "nagios-plugins.ini", NULL
};

typedef struct {
	char **v;		/* NULL-terminated once built */
	size_t n, cap;
} argvec;

/* What --extra-opts was given: shared by every locator on the line. */
typedef struct {
	const char *section;		/* the default section */
	const char *const *defaults;	/* the standard places */
	/* The command line names a secret source: those of the ini files
	 * are dropped, so that the command line wins across sources. */
	bool drop_secret_sources;
	argvec *args;
} expand_ctx;

typedef enum { BAD_NONE, BAD_NESTED, BAD_UNKNOWN, BAD_NEEDS_VALUE,
    BAD_NO_VALUE } bad_key;

/* One --extra-opts being read. */
typedef struct {
	nm_ini_stream stream;
	const char *section;
	bool section_given;	/* named on the command line: not shown */
	const char *file;
	const expand_ctx *ctx;
	int found;		/* options taken from the section */
	int nomem;
	bad_key bad;		/* the first key that is no option here */
	unsigned bad_line;
	char *bad_name;		/* that key when it may be shown, or NULL */
} section_state;

/* Appends s, which it takes: on failure s is freed. */
static int
argvec_take(argvec *a, char *s)
{
	char **grown;

	if (s == NULL)
		return -1;
	if (a->n + 2 > a->cap) {
		grown = reallocarray(a->v, a->cap + 16, sizeof(*grown));
		if (grown == NULL) {
			free(s);
			return -1;
		}
		a->v = grown;
		a->cap += 16;
	}
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
	return 0;
}

void
nm_argv_free(char **argv)
{
	char **p;

	if (argv == NULL)
		return;
	for (p = argv; *p != NULL; p++)
		free(*p);
	free(argv);
}

static int
is_extraopts(const char *arg)
{
	return strncmp(arg, NM_EXTRAOPTS_OPT, OPT_LEN) == 0 &&
	    (arg[OPT_LEN] == '\0' || arg[OPT_LEN] == '=');
}

bool
nm_extraopts_wanted(int argc, char *const *argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (is_extraopts(argv[i]))
			return true;
	}
	return false;
}

/* key=value as the option it stands for: "--key=value", "--key" when
 * the value is empty, "-kVALUE" for a one-letter key. */
static char *
option_for(const char *key, const char *value)
{
	char *arg = NULL;
	int single = key[1] == '\0';

	if (asprintf(&arg, "%s%s%s%s", single ? "-" : "--", key,
	    *value != '\0' && !single ? "=" : "", value) < 0)
		return NULL;
	return arg;
}

/* getopt's has_arg for the option key stands for, or -1 when key is no
 * option of this plugin. */
static int
key_has_arg(const char *key)
{
	const struct option *o;
	const char *p;

	if (key[0] != '\0' && key[1] == '\0') {
		if (key[0] == ':' || (p = strchr(nm_short_options(),
		    key[0])) == NULL)
			return -1;
		return p[1] != ':' ? no_argument : p[2] == ':' ?
		    optional_argument : required_argument;
	}
	for (o = nm_long_options(); o->name != NULL; o++) {
		if (strcmp(o->name, key) == 0)
			return o->has_arg;
	}
	return -1;
}

static bool
is_secret_source(const char *key)
{
	return strcmp(key, "secret-file") == 0 ||
	    strcmp(key, "nova-conf") == 0;
}

/* A key is named in errors only when it is an option's name: anything
 * else may be a secret pasted on a line of its own or as a key, and the
 * line number already points at it. */
static bool
showable_key(const char *key)
{
	return key_has_arg(key) >= 0 || strcmp(key, &NM_EXTRAOPTS_OPT[2]) == 0;
}

/* Notes the first key that cannot become an option; ends the parse. */
static int
refuse_key(section_state *st, bad_key bad, const char *key)
{
	if (st->bad != BAD_NONE)
		return 0;
	st->bad = bad;
	st->bad_line = st->stream.lineno;
	if (showable_key(key) && (st->bad_name = strdup(key)) == NULL)
		st->nomem = 1;
	return 0;
}

/* Each key=value of the section becomes an option when it is one of this
 * plugin's, with a value exactly when the option takes one: anything
 * else would reach getopt, which would show the value, or take the next
 * option for it. */
static int
handler(void *user, const char *section, const char *name, const char *value)
{
	section_state *st = user;
	int has_arg;

	if (strcmp(section, st->section) != 0)
		return 1;
	if (strcmp(name, NM_EXTRAOPTS_OPT + 2) == 0)
		return refuse_key(st, BAD_NESTED, name);
	if ((has_arg = key_has_arg(name)) < 0)
		return refuse_key(st, BAD_UNKNOWN, name);
	if (has_arg == required_argument && *value == '\0')
		return refuse_key(st, BAD_NEEDS_VALUE, name);
	if (has_arg == no_argument && *value != '\0')
		return refuse_key(st, BAD_NO_VALUE, name);
	if (st->ctx->drop_secret_sources && is_secret_source(name))
		return 1;
	if (argvec_take(st->ctx->args, option_for(name, value)) != 0) {
		st->nomem = 1;
		return 0;
	}
	st->found++;
	return 1;
}

/* dir (len bytes of it) + "/" + name, when that exists. */
static char *
existing_in(const char *dir, size_t len, const char *name)
{
	char *path = NULL;

	if (len > INT_MAX || asprintf(&path, "%.*s/%s", (int)len, dir,
	    name) < 0)
		return NULL;
	if (access(path, F_OK) == 0)
		return path;
	free(path);
	return NULL;
}

static char *
find_in_config_path(void)
{
	const char *p = getenv("NAGIOS_CONFIG_PATH"), *const *name;
	char *found;
	size_t len;

	while (p != NULL && *p != '\0') {
		len = strcspn(p, ":");
		for (name = file_names; len > 0 && *name != NULL; name++) {
			if ((found = existing_in(p, len, *name)) != NULL)
				return found;
		}
		p += len;
		if (*p == ':')
			p++;
	}
	return NULL;
}

/* strdup, or NULL with err out of memory. */
static char *
dup_or_nomem(const char *s, nm_error *err)
{
	char *copy = strdup(s);

	if (copy == NULL)
		(void)nm_error_nomem(err);
	return copy;
}

/* monitoring-plugins' search: MP_CONFIG_FILE, NAGIOS_CONFIG_PATH, then
 * the standard places. NULL with err when nothing is found. */
static char *
find_default_file(const char *const *defaults, nm_error *err)
{
	const char *env = getenv("MP_CONFIG_FILE");
	char *found;

	if (env != NULL && *env != '\0')
		return dup_or_nomem(env, err);
	if ((found = find_in_config_path()) != NULL)
		return found;
	for (; *defaults != NULL; defaults++) {
		if (access(*defaults, F_OK) == 0)
			return dup_or_nomem(*defaults, err);
	}
	(void)nm_error_config(err, NM_EXTRAOPTS_OPT ": no ini file: "
	    "MP_CONFIG_FILE is unset, and no monitoring-plugins.ini, "
	    "plugins.ini or nagios-plugins.ini in NAGIOS_CONFIG_PATH or the "
	    "standard places");
	return NULL;
}

/* "[name]" for the default section; one named on the command line is
 * not repeated, as it may be a secret pasted there. */
static const char *
section_label(const section_state *st, char *buf, size_t len)
{
	/* Only the default section is shown, and its name is ours: the
	 * buffers of 128 bytes hold it. */
	int r;

	if (st->section_given)
		return "(the section --extra-opts names)";
	r = snprintf(buf, len, "[%s]", st->section);
	return r < 0 || (size_t)r >= len ? "(the default section)" : buf;
}

/* Why a key was refused: names the file, section, line and key (when
 * it may be shown), never the value. */
static int
key_problem(const section_state *st, nm_error *err)
{
	char label[128];
	static const char *const why[] = {
		[BAD_NESTED] = "is --extra-opts itself, which is not followed",
		[BAD_UNKNOWN] = "is not an option of " NM_PROGNAME,
		[BAD_NEEDS_VALUE] = "needs a value",
		[BAD_NO_VALUE] = "takes no value",
	};

	if (st->bad_name == NULL)
		return nm_error_config(err, NM_EXTRAOPTS_OPT ": '%s' %s line "
		    "%u: the key (not shown) %s", st->file,
		    section_label(st, label, sizeof(label)), st->bad_line,
		    why[st->bad]);
	return nm_error_config(err, NM_EXTRAOPTS_OPT ": '%s' %s line %u: "
	    "'%s' %s", st->file, section_label(st, label, sizeof(label)),
	    st->bad_line, st->bad_name, why[st->bad]);
}

static int
section_problem(const section_state *st, int r, nm_error *err)
{
	const nm_ini_stream *s = &st->stream;
	char label[128];

	if (st->nomem || r == -2) {
		(void)nm_error_nomem(err);
		return -1;
	}
	if (st->bad != BAD_NONE)
		return key_problem(st, err);
	if (s->too_long != 0)
		return nm_error_config(err, NM_EXTRAOPTS_OPT ": '%s' line %u is "
		    "longer than %d bytes: not read", st->file, s->too_long,
		    NM_INI_MAX_LINE);
	if (r > 0)
		return nm_error_config(err, NM_EXTRAOPTS_OPT ": '%s' line %d is "
		    "not key=value, a [section] or a comment", st->file, r);
	if (st->found == 0)
		return nm_error_config(err, NM_EXTRAOPTS_OPT ": no section %s "
		    "with options in '%s'", section_label(st, label,
		    sizeof(label)), st->file);
	return 0;
}

/* Appends the options of [section] in file to ctx->args. A file or
 * section given on the command line is named in errors only once the
 * file has opened: until then it may be a secret pasted there. */
static int
read_section(const char *file, bool file_given, const char *section,
    bool section_given, const expand_ctx *ctx, nm_error *err)
{
	section_state st;
	char *data = NULL;
	size_t len = 0;
	mode_t mode;
	bool opened;
	int r;

	if (nm_ini_read_file(file, &data, &len, &mode, &opened, err) !=
	    NM_OK) {
		if (err->code != NM_ERR_NOMEM && file_given && !opened)
			(void)nm_error_set(err, NM_ERR_CONFIG, NM_EXTRAOPTS_OPT
			    ": the file it names: %s", nm_error_text(err));
		else if (err->code != NM_ERR_NOMEM)
			(void)nm_error_set(err, NM_ERR_CONFIG, NM_EXTRAOPTS_OPT
			    ": '%s' %s", file, nm_error_text(err));
		return -1;
	}
	memset(&st, 0, sizeof(st));
	nm_ini_stream_init(&st.stream, data, len, true, NULL);
	st.section = section;
	st.section_given = section_given;
	st.file = file;
	st.ctx = ctx;
	r = nm_ini_parse(&st.stream, handler, &st);
	/* A value may be a secret after all; the file text goes unseen. */
	nm_wipe(data, len);
	free(data);
	r = section_problem(&st, r, err);
	free(st.bad_name);
	return r;
}

/* One "[section][@file]" locator. */
static int
expand_one(const char *locator, const expand_ctx *ctx, nm_error *err)
{
	const char *at = locator != NULL ? strchr(locator, '@') : NULL;
	char *section = NULL, *file = NULL;
	int r = -1;

	if (locator == NULL || locator == at || *locator == '\0')
		section = strdup(ctx->section);
	else
		section = at != NULL ? strndup(locator, (size_t)(at - locator)) :
		    strdup(locator);
	if (section == NULL) {
		(void)nm_error_nomem(err);
		goto out;
	}
	if (at != NULL && at[1] != '\0')
		file = dup_or_nomem(at + 1, err);
	else
		file = find_default_file(ctx->defaults, err);
	if (file == NULL)
		goto out;
	r = read_section(file, at != NULL && at[1] != '\0', section,
	    strcmp(section, ctx->section) != 0, ctx, err);
 out:
	free(section);
	free(file);
	return r;
}

/* argv[*i] is --extra-opts: its locator, if any, and how many words. */
static const char *
locator_of(int argc, char *const *argv, int *i)
{
	const char *arg = argv[*i];

	if (arg[OPT_LEN] == '=')
		return arg + OPT_LEN + 1;
	/* "--extra-opts section" takes the next word unless an option. */
	if (*i + 1 < argc && argv[*i + 1][0] != '-') {
		(*i)++;
		return argv[*i];
	}
	return NULL;
}

static bool
is_long(const char *arg, const char *name)
{
	size_t n = strlen(name);

	return strncmp(arg, "--", 2) == 0 && strncmp(arg + 2, name, n) == 0 &&
	    (arg[2 + n] == '\0' || arg[2 + n] == '=');
}

/* Whether the command line (up to a "--") names a secret source. */
static bool
names_secret_source(int argc, char *const *argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (is_long(argv[i], "secret-file") ||
		    is_long(argv[i], "nova-conf"))
			return true;
	}
	return false;
}

static int
split_args(int argc, char *const *argv, const expand_ctx *ctx, argvec *rest,
    nm_error *err)
{
	int i, ended = 0;

	for (i = 1; i < argc; i++) {
		if (!ended && strcmp(argv[i], "--") == 0)
			ended = 1;
		if (ended || !is_extraopts(argv[i])) {
			if (argvec_take(rest, strdup(argv[i])) != 0) {
				(void)nm_error_nomem(err);
				return -1;
			}
			continue;
		}
		if (expand_one(locator_of(argc, argv, &i), ctx, err) != 0)
			return -1;
	}
	return 0;
}

nm_err
nm_extraopts_expand(int argc, char *const *argv, const char *section,
    const char *const *default_paths, int *out_argc, char ***out_argv,
    int *from_files, nm_error *err)
{
	argvec all = { 0 }, rest = { 0 };
	expand_ctx ctx;
	char *arg;
	size_t i;
	nm_err r = NM_ERR_NOMEM;

	*out_argv = NULL;
	*from_files = 0;
	nm_error_clear(err);
	ctx.section = section;
	ctx.defaults = default_paths != NULL ? default_paths :
	    nm_extraopts_default_paths;
	ctx.drop_secret_sources = names_secret_source(argc, argv);
	ctx.args = &all;
	if (argc < 1) {
		r = nm_error_set(err, NM_ERR_CONFIG, "no program name in "
		    "argv");
		goto out;
	}
	if (argvec_take(&all, strdup(argv[0])) != 0) {
		r = nm_error_nomem(err);
		goto out;
	}
	if (split_args(argc, argv, &ctx, &rest, err) != 0) {
		r = err->code;
		goto out;
	}
	*from_files = (int)(all.n - 1);
	for (i = 0; i < rest.n; i++) {
		/* argvec_take owns it from here, whether it succeeds or not. */
		arg = rest.v[i];
		rest.v[i] = NULL;
		if (argvec_take(&all, arg) != 0) {
			r = nm_error_nomem(err);
			goto out;
		}
	}
	/* More words than an int counts: memory ran out long before. */
	if (all.n > INT_MAX) {
		r = nm_error_nomem(err);
		goto out;
	}
	*out_argc = (int)all.n;
	*out_argv = all.v;
	all.v = NULL;
	r = NM_OK;
 out:
	for (i = 0; i < rest.n; i++)
		free(rest.v[i]);
	free(rest.v);
	nm_argv_free(all.v);
	return r;
}
