/* Command line to nm_config. Never prints, never exits. */
#ifndef NM_ARGS_H
#define NM_ARGS_H

#include <getopt.h>

#include "error.h"
#include "nm_config.h"

typedef enum {
	NM_ARGS_RUN = 0,	/* *cfg is set: run the check */
	NM_ARGS_HELP,		/* -h: print nm_help_text() and exit OK */
	NM_ARGS_VERSION,	/* -V */
	NM_ARGS_ERROR,		/* err says which option and why: UNKNOWN */
	NM_ARGS_NOMEM		/* err is NM_ERR_NOMEM */
} nm_args_result;

/* Parses argv (getopt_long; argv may be permuted). On NM_ARGS_RUN *cfg
 * is a new config the caller frees with nm_config_free(); on
 * NM_ARGS_ERROR err is NM_ERR_CONFIG with a one-line cause. The caller
 * clears err (nm_error_clear) in every case. */
nm_args_result nm_parse_args(int argc, char **argv, nm_config **cfg,
    nm_error *err);

/* The output format asked for on the command line (the last
 * --output-format wins; classic when absent or invalid), so that even a
 * usage error is printed in the format a machine reader expects. */
mp_format nm_args_output_format(int argc, char *const *argv);

/* getopt_long's table of this plugin's long options (NULL-terminated)
 * and its short option string, for --extra-opts to tell keys that are
 * options from keys that are not. */
const struct option *nm_long_options(void);
const char *nm_short_options(void);

/* The text for -h and the usage line for errors. */
const char *nm_help_text(void);
const char *nm_usage_text(void);

#endif
