/* libFuzzer target: the command line together with an --extra-opts
 * file, through the public API main uses (nm_cmdline_read, then
 * nm_parse_args), and nm_extraopts_expand alone. The input is split at its first NUL: before it, one
 * argument per line; after it, the ini file. Every --extra-opts reads
 * that file (an "@file" part is replaced, and MP_CONFIG_FILE names it),
 * so no other file on the machine is read. Properties: the expanded argv
 * keeps argv[0] and ends in NULL; an error is one line; a parse either
 * runs with a config, or stops for help, version or a reason. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"
#include "cli_extraopts.h"
#include "fuzz.h"

#define MAX_ARGS 64

/* argv from text, one argument per line; its argc, or -1. The file
 * part ("@file") of an --extra-opts locator becomes ini. */
static int
split_args(char *text, const char *ini, char **argv, char **owned)
{
	char *line, *next, *at;
	int argc = 0, r;
	size_t n;

	argv[argc++] = NM_PROGNAME;
	for (line = text; line != NULL && argc < MAX_ARGS; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		argv[argc] = line;
		at = strchr(line, '@');
		if (at != NULL && (strncmp(line, NM_EXTRAOPTS_OPT,
		    strlen(NM_EXTRAOPTS_OPT)) == 0 ||
		    strcmp(argv[argc - 1], NM_EXTRAOPTS_OPT) == 0)) {
			n = (size_t)(at - line) + strlen(ini) + 2;
			if ((owned[argc] = malloc(n)) == NULL)
				return -1;
			r = snprintf(owned[argc], n, "%.*s@%s",
			    (int)(at - line), line, ini);
			if (r < 0 || (size_t)r >= n)
				return -1;
			argv[argc] = owned[argc];
		}
		argc++;
	}
	argv[argc] = NULL;
	return argc;
}

static void
check_one_line(const char *cause)
{
	if (cause != NULL && (cause[0] == '\0' || strchr(cause, '\n') != NULL))
		abort();
}

static void
parse(int argc, char **argv)
{
	nm_config *cfg = NULL;
	nm_error err = { NM_OK, NULL };
	nm_args_result r;
	nm_cmdline cl;

	nm_cmdline_read(argc, argv, &cl);
	r = nm_parse_args(&cl, &cfg, &err);
	nm_cmdline_free(&cl);
	if ((r == NM_ARGS_RUN) != (cfg != NULL) ||
	    (r == NM_ARGS_ERROR && (err.code != NM_ERR_CONFIG ||
	    err.cause == NULL)) ||
	    (r == NM_ARGS_NOMEM && err.code != NM_ERR_NOMEM))
		abort();
	check_one_line(err.cause);
	nm_config_free(cfg);
	nm_error_clear(&err);
}

/* The expansion alone: argv[0] kept, no --extra-opts left, NULL at the
 * end; or a one-line cause. */
static void
check_expand(int argc, char **argv, const char *ini)
{
	const char *defaults[2] = { ini, NULL };
	char **out = NULL;
	nm_error err = { NM_OK, NULL };
	int out_argc = 0, from_files = 0;

	if (nm_extraopts_expand(argc, argv, NM_PROGNAME, defaults, &out_argc,
	    &out, &from_files, &err) == NM_OK) {
		if (out_argc < 1 || out[out_argc] != NULL ||
		    strcmp(out[0], argv[0]) != 0 ||
		    nm_extraopts_wanted(out_argc, out))
			abort();
	} else
		check_one_line(err.cause);
	nm_argv_free(out);
	nm_error_clear(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 1], *owned[MAX_ARGS + 1] = { 0 };
	char *text = fuzz_text(data, size);
	const char *ini;
	size_t n = text == NULL ? 0 : strlen(text);
	int argc, i;

	ini = text == NULL ? NULL : fuzz_memfile(0, data + n + (n < size),
	    size - n - (n < size));
	if (ini == NULL || setenv("MP_CONFIG_FILE", ini, 1) != 0 ||
	    unsetenv("NAGIOS_CONFIG_PATH") != 0 ||
	    (argc = split_args(text, ini, argv, owned)) < 0)
		goto out;
	if (nm_extraopts_wanted(argc, argv))
		check_expand(argc, argv, ini);
	/* as main does: nm_cmdline_read expands --extra-opts */
	parse(argc, argv);
 out:
	for (i = 0; i <= MAX_ARGS; i++)
		free(owned[i]);
	free(text);
	return 0;
}
