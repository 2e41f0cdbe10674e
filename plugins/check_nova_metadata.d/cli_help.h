/* --help and the usage line, from cli_options.def and cli_helptext.c. Never
 * prints. */
#ifndef NM_HELP_H
#define NM_HELP_H

#include <stddef.h>

#include "dynbuf.h"

/* Appends text to b, words wrapped to width columns, every line indented
 * by indent spaces; "\n" in text starts a new line and a tab is a space
 * that does not break. 0, or -1 when b is full or out of memory. */
int nm_help_wrap(dynbuf *b, const char *text, size_t indent, size_t width);

/* The text of -h, and the usage lines it starts with. Built on first
 * use and kept; a fixed text when that fails. */
const char *nm_help_text(void);
const char *nm_usage_text(void);

#endif
