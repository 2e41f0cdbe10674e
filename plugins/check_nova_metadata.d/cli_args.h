/* Command line to nm_config. Never prints, never exits. */
#ifndef NM_ARGS_H
#define NM_ARGS_H

#include "core_error.h"
#include "core_config.h"
#include "output.h"

typedef enum {
	NM_ARGS_RUN = 0,	/* *cfg is set: run the check */
	NM_ARGS_HELP,		/* -h: print nm_help_text(), exit UNKNOWN (3) */
	NM_ARGS_VERSION,	/* -V: print the versions, exit UNKNOWN (3) */
	NM_ARGS_ERROR,		/* err says which option and why: UNKNOWN */
	NM_ARGS_NOMEM		/* err is NM_ERR_NOMEM */
} nm_args_result;

/* The command line with each --extra-opts replaced by the options it
 * stands for, put before the command line's. */
typedef struct {
	int argc;
	char **argv;		/* owned; NULL when error is set */
	int from_files;		/* argv[1..from_files] came from ini files */
	nm_error error;		/* reading them failed: nm_parse_args says so */
	/* The last valid --output-format (classic when none), so that even
	 * a usage error is printed in the format a machine reader expects. */
	mp_format format;
} nm_cmdline;

/* Fills *cl from argv, reading the --extra-opts files: this is the one
 * place they are read in a run. Never fails: a failure is kept in
 * cl->error for nm_parse_args. Free with nm_cmdline_free. */
void nm_cmdline_read(int argc, char *const *argv, nm_cmdline *cl);
void nm_cmdline_free(nm_cmdline *cl);

/* Parses cl (getopt_long; cl->argv may be permuted). On NM_ARGS_RUN *cfg
 * is a new config the caller frees with nm_config_free(); on
 * NM_ARGS_ERROR err is NM_ERR_CONFIG with a one-line cause. The caller
 * clears err (nm_error_clear) in every case. */
nm_args_result nm_parse_args(nm_cmdline *cl, nm_config **cfg,
    nm_error *err);

#endif
