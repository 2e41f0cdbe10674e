/* The prose --help and the man page share: the description, the
 * examples and the states. The options and the synopsis come from
 * cli_options.def. Data only: doc/mkman is built from this with the build
 * machine's compiler. */
#ifndef NM_HELPTEXT_H
#define NM_HELPTEXT_H

#include <stddef.h>

typedef struct {
	const char *what;	/* one sentence */
	const char *command;	/* the command line, without a newline */
} nm_help_example;

typedef struct {
	const char *state;	/* "OK", "WARNING", ... */
	const char *when;	/* one paragraph */
} nm_help_state;

extern const char nm_help_description[];
extern const nm_help_example nm_help_examples[];
extern const size_t nm_help_example_count;
extern const nm_help_state nm_help_states[];
extern const size_t nm_help_state_count;

#endif
