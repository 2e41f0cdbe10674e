/* The prose --help and the man page share: the description, the usage
 * lines, the examples and the states. The options come from options.def.
 * Never prints. */
#ifndef NM_HELP_H
#define NM_HELP_H

#include <stddef.h>

#include "dynbuf.h"

typedef struct {
	const char *what;	/* one sentence */
	const char *command;	/* the command line, without a newline */
} nm_help_example;

typedef struct {
	const char *state;	/* "OK", "WARNING", ... */
	const char *when;	/* one paragraph */
} nm_help_state;

extern const char nm_help_description[];
extern const char nm_help_usage[];	/* lines without the program name */
extern const nm_help_example nm_help_examples[];
extern const size_t nm_help_example_count;
extern const nm_help_state nm_help_states[];
extern const size_t nm_help_state_count;

/* Appends text to b, words wrapped to width columns, every line indented
 * by indent spaces; "\n" in text starts a new line. 0, or -1 when b is
 * full or out of memory. */
int nm_help_wrap(dynbuf *b, const char *text, size_t indent, size_t width);

#endif
