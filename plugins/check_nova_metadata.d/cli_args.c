/*
 * The command line: getopt over the one option table, each option's
 * value handed to cli_apply.c, the whole checked by cli_check.c.
 * --extra-opts is expanded first (cli_extraopts.c), once per run.
 */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"
#include "cli_apply.h"
#include "cli_check.h"
#include "cli_extraopts.h"
#include "parse_openstack.h"
#include "cli_options.h"

static nm_args_result
fail(nm_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A refused option: NM_ERR_CONFIG with its cause (scrubbed). */
static nm_args_result
fail(nm_error *err, const char *fmt, ...)
{
	va_list ap;
	nm_err e;

	va_start(ap, fmt);
	e = nm_error_vset(err, NM_ERR_CONFIG, fmt, ap);
	va_end(ap);
	return e == NM_ERR_NOMEM ? NM_ARGS_NOMEM : NM_ARGS_ERROR;
}

static nm_args_result
result_of(nm_err e)
{
	return e == NM_OK ? NM_ARGS_RUN : e == NM_ERR_NOMEM ? NM_ARGS_NOMEM :
	    NM_ARGS_ERROR;
}

/* An option's name as typed, without its value: the value may be
 * anything, a secret pasted in the wrong place included. */
static int
name_length(const char *word)
{
	size_t n = strcspn(word, "=");

	return n > 60 ? 60 : (int)n;
}

/* Whether word is "--NAME=..." for an option NAME that takes no value. */
static bool
is_flag_with_value(const char *word)
{
	const struct option *o;
	size_t n = strcspn(word, "=");

	if (strncmp(word, "--", 2) != 0 || word[n] != '=')
		return false;
	for (o = nm_long_options(); o->name != NULL; o++) {
		if (o->has_arg == no_argument && strlen(o->name) == n - 2 &&
		    strncmp(word + 2, o->name, n - 2) == 0)
			return true;
	}
	return false;
}

/* Whether word is "--NAME[=...]" for a NAME that begins some option's
 * name (getopt's ambiguous prefix): saying it repeats nothing else. */
static bool
is_option_prefix(const char *word)
{
	const struct option *o;
	size_t n = strcspn(word, "=");

	if (strncmp(word, "--", 2) != 0 || n <= 2)
		return false;
	for (o = nm_long_options(); o->name != NULL; o++) {
		if (strlen(o->name) >= n - 2 &&
		    strncmp(word + 2, o->name, n - 2) == 0)
			return true;
	}
	return false;
}

/* What getopt could not make sense of, named as the user typed it when
 * that is an option's name or its start; word is the argument that
 * holds it (error_word()). */
static nm_args_result
getopt_error(int opt, const char *word, nm_error *err)
{
	if (opt == ':')
		return fail(err, "option '%.*s' needs a value",
		    name_length(word), word);
	if (is_flag_with_value(word))
		return fail(err, "option '%.*s' takes no value",
		    name_length(word), word);
	if (optopt != 0 && strncmp(word, "--", 2) != 0)
		return fail(err, "unknown option '-%c'", optopt);
	if (is_option_prefix(word))
		return fail(err, "unknown option '%.*s' (the start of several "
		    "options: write it in full)", name_length(word), word);
	/* Not repeated: a secret pasted as "--SECRET" would be. */
	return fail(err, "unknown option: a long option of %zu characters "
	    "that this plugin does not have (--help lists them)",
	    strcspn(word, "="));
}

/* Whether word is a cluster of short options ("-qZ"). */
static bool
is_short_word(const char *word)
{
	return word[0] == '-' && word[1] != '-' && word[1] != '\0';
}

/* The index of the argument holding the option getopt refused. A long
 * option, a missing value or a finished cluster ("-qZ") is the argument
 * before optind; a cluster getopt has not finished ("-Zq": it stops at
 * the unknown -Z) is still at optind, and the argument before it is
 * another option's ("--ssl -Zq" is not --ssl's error) or argv[0]. */
static int
error_word(int argc, char **argv, int opt)
{
	const char *prev = optind >= 1 ? argv[optind - 1] : NULL;

	if (opt != '?' || optopt == 0 || optopt > 0x7f ||
	    (prev != NULL && is_flag_with_value(prev)))
		return optind - 1;
	if (optind >= 2 && is_short_word(prev) &&
	    prev[strlen(prev) - 1] == optopt)
		return optind - 1;
	if (optind < argc && is_short_word(argv[optind]) &&
	    strchr(argv[optind] + 1, optopt) != NULL)
		return optind;
	return optind - 1;
}

/* getopt_long takes any unique prefix of a long option ("--secret" for
 * --secret-file). Options here must be spelled out: a prefix that
 * matches today may match two options tomorrow, and an ini key such as
 * "secret" must not silently become a file name. */
static nm_args_result
check_spelled_out(char **argv, int index, nm_error *err)
{
	const char *name = nm_long_options()[index].name, *word;
	size_t len = strlen(name);

	/* A separate value is the element before optind, its option the
	 * one before that. */
	word = (optarg != NULL && optind >= 2 && optarg == argv[optind - 1]) ?
	    argv[optind - 2] : argv[optind - 1];
	if (strncmp(word, "--", 2) == 0 && strncmp(word + 2, name, len) == 0 &&
	    (word[2 + len] == '\0' || word[2 + len] == '='))
		return NM_ARGS_RUN;
	return fail(err, "unknown option '%.*s' (write long options in "
	    "full, e.g. --%s)", name_length(word), word, name);
}

/* The last valid --output-format of argv, read as getopt reads it (so
 * that "-e --output-format=x" stays -e's value), past any error. getopt
 * permutes its argv: this scans a copy of the pointers. */
static mp_format
scan_output_format(int argc, char *const *argv)
{
	mp_format f = MP_FORMAT_CLASSIC, seen;
	char **copy;
	int opt;

	if (argc < 1 || (copy = calloc((size_t)argc + 1, sizeof(*copy))) ==
	    NULL)
		return f;
	memcpy(copy, argv, (size_t)argc * sizeof(*copy));
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, copy, nm_short_options(),
	    nm_long_options(), NULL)) != -1) {
		if (opt == OPT_OUTPUT_FORMAT && mp_format_parse(optarg,
		    &seen) == 0)
			f = seen;
	}
	free(copy);
	return f;
}

/* argv's words, copied. */
static char **
copy_argv(int argc, char *const *argv)
{
	char **copy;
	int i;

	if (argc < 1 || (copy = calloc((size_t)argc + 1, sizeof(*copy))) ==
	    NULL)
		return NULL;
	for (i = 0; i < argc; i++) {
		if ((copy[i] = strdup(argv[i])) == NULL) {
			nm_argv_free(copy);
			return NULL;
		}
	}
	return copy;
}

void
nm_cmdline_read(int argc, char *const *argv, nm_cmdline *cl)
{
	memset(cl, 0, sizeof(*cl));
	if (nm_extraopts_wanted(argc, argv) && nm_extraopts_expand(argc, argv,
	    NM_PROGNAME, NULL, &cl->argc, &cl->argv, &cl->from_files,
	    &cl->error) == NM_OK) {
		cl->format = scan_output_format(cl->argc, cl->argv);
		return;
	}
	/* Unread or unreadable files: the format as the command line
	 * alone gives it, for the error that follows. */
	cl->format = scan_output_format(argc, argv);
	if (cl->error.code != NM_OK)
		return;
	if ((cl->argv = copy_argv(argc, argv)) == NULL) {
		(void)nm_error_nomem(&cl->error);
		return;
	}
	cl->argc = argc;
}

void
nm_cmdline_free(nm_cmdline *cl)
{
	nm_argv_free(cl->argv);
	nm_error_clear(&cl->error);
	memset(cl, 0, sizeof(*cl));
}

/* The word of argv that holds the option getopt just returned. */
static int
option_word(char **argv)
{
	return (optarg != NULL && optind >= 2 && optarg == argv[optind - 1]) ?
	    optind - 2 : optind - 1;
}

/* Says where a refused option came from when an ini file gave it
 * (word: its argument's index): the operator looks there, not at the
 * command line. */
static nm_args_result
note_origin(nm_args_result r, int word, int from_files, nm_error *err)
{
	if (r != NM_ARGS_ERROR || word < 1 || word > from_files)
		return r;
	if (nm_error_append(err, " (from --extra-opts)") == NM_ERR_NOMEM)
		return NM_ARGS_NOMEM;
	return r;
}

/* One option from getopt: refused, help, version, or applied; *word is
 * set to the index of the argument that holds it. */
static nm_args_result
take_option(nm_config *cfg, int opt, int index, int argc, char **argv,
    int *keys_given, int *word, nm_error *err)
{
	nm_args_result r;

	if (opt == '?' || opt == ':') {
		*word = error_word(argc, argv, opt);
		return getopt_error(opt, argv[*word], err);
	}
	*word = option_word(argv);
	if (index >= 0 &&
	    (r = check_spelled_out(argv, index, err)) != NM_ARGS_RUN)
		return r;
	if (opt == 'h' || opt == 'V')
		return opt == 'h' ? NM_ARGS_HELP : NM_ARGS_VERSION;
	return result_of(nm_args_apply(cfg, opt, optarg, keys_given, err));
}

/* argv[1..from_files] came from --extra-opts files. */
static nm_args_result
parse_argv(int argc, char **argv, int from_files, nm_config **out,
    nm_error *err)
{
	nm_config *cfg = NULL;
	nm_args_result r = NM_ARGS_NOMEM;
	int opt, index, word, keys_given = 0;

	*out = NULL;
	nm_error_clear(err);
	if ((cfg = nm_config_new()) == NULL)
		goto out;
	optind = 0;	/* glibc: full re-initialisation, for repeated calls */
	opterr = 0;
	while ((index = -1, opt = getopt_long(argc, argv, nm_short_options(),
	    nm_long_options(), &index)) != -1) {
		word = 0;
		r = take_option(cfg, opt, index, argc, argv, &keys_given,
		    &word, err);
		if ((r = note_origin(r, word, from_files, err)) != NM_ARGS_RUN)
			goto out;
	}
	if (optind < argc) {
		/* getopt takes an optional value only when attached. */
		/* Not quoted: it may be a value that lost its option. */
		r = fail(err, "unexpected argument (%zu characters) where "
		    "an option belongs%s", strlen(argv[optind]),
		    nm_os_version_valid(argv[optind]) ? ": a version goes "
		    "attached: -O2018-08-27 or --openstack=2018-08-27" : "");
		goto out;
	}
	/* The Ec2 profile's keys are the EC2 tree's: the default stays. */
	if (cfg->mode != NM_MODE_EC2 && !keys_given &&
	    !(cfg->mode == NM_MODE_CLOUD_INIT &&
	    cfg->ci_profile == NM_CI_EC2) &&
	    nm_args_openstack_keys(cfg) != 0) {
		r = NM_ARGS_NOMEM;
		goto out;
	}
	if ((r = result_of(nm_args_check(cfg, err))) != NM_ARGS_RUN)
		goto out;
	*out = cfg;
	cfg = NULL;
 out:
	nm_config_free(cfg);
	return r;
}

/* The files' options come before the command line's, so that those
 * win; the whole is parsed as one. */
nm_args_result
nm_parse_args(nm_cmdline *cl, nm_config **out, nm_error *err)
{
	nm_args_result r;

	*out = NULL;
	nm_error_clear(err);
	if (cl->error.code != NM_OK) {
		/* The cause moves to err. */
		*err = cl->error;
		cl->error.code = NM_OK;
		cl->error.cause = NULL;
		r = result_of(err->code);
	} else
		r = parse_argv(cl->argc, cl->argv, cl->from_files, out, err);
	/* Out of memory is its own error, whatever cause came before. */
	if (r == NM_ARGS_NOMEM)
		(void)nm_error_nomem(err);
	return r;
}
