/* A command line for unit tests, written as a NULL-ended list. */
#ifndef TEST_ARGVLIST_H
#define TEST_ARGVLIST_H

#include <stdarg.h>

#include "cli_args.h"

/* nm_parse_args() of "check_nova_metadata" and the arguments up to the
 * NULL (at most 32). */
nm_args_result parse(nm_config **cfg, nm_error *err, ...);
nm_args_result vparse(nm_config **cfg, nm_error *err, va_list ap);
/* The same for argv's argc words, as main reads them. */
nm_args_result parse_words(int argc, char **argv, nm_config **cfg,
    nm_error *err);

#endif
