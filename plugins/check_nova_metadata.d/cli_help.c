#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_help.h"
#include "cli_helptext.h"
#include "core_config.h"
#include "cli_options.h"

#define HELP_WIDTH 79
#define HELP_INDENT 4
#define HELP_CAP (64 * 1024)

static const char help_license[] =
    "This plugin comes with ABSOLUTELY NO WARRANTY. You may redistribute "
    "copies of it under the terms of the GNU General Public License, "
    "version 3 or later; see the file named COPYING.\n"
    "The manual is check_nova_metadata(1) and the README. Report problems "
    "and ask questions through the project's issue tracker.";

static int
add(dynbuf *b, const char *s, size_t n)
{
	return dynbuf_add(b, s, n) == DYNBUF_OK ? 0 : -1;
}

static int
add_spaces(dynbuf *b, size_t n)
{
	static const char spaces[] = "                                ";

	if (n >= sizeof(spaces))
		n = sizeof(spaces) - 1;
	return add(b, spaces, n);
}

/* A word as printed: its tabs (spaces that do not break) become spaces. */
static int
add_word(dynbuf *b, const char *p, size_t n)
{
	size_t k;

	while (n > 0) {
		k = strcspn(p, "\t");
		if (k > n)
			k = n;
		if (add(b, p, k) != 0 || (k < n && add(b, " ", 1) != 0))
			return -1;
		k += k < n;
		p += k;
		n -= k;
	}
	return 0;
}

/* nm_help_wrap, continuing a line already col columns wide (its first
 * word is written right there). */
static int
wrap_at(dynbuf *b, const char *text, size_t indent, size_t width, size_t col)
{
	const char *p = text;
	int first = 1;
	size_t n;

	while (*p != '\0') {
		if (*p == ' ' || *p == '\n') {
			if (*p == '\n' && col > 0 && add(b, "\n", 1) != 0)
				return -1;
			if (*p == '\n')
				col = 0;
			p++;
			continue;
		}
		n = strcspn(p, " \n");
		if (col > 0 && !first && col + 1 + n > width) {
			if (add(b, "\n", 1) != 0)
				return -1;
			col = 0;
		}
		if ((col == 0 ? add_spaces(b, indent) : first ? 0 :
		    add(b, " ", 1)) != 0 || add_word(b, p, n) != 0)
			return -1;
		col += (col == 0 ? indent : first ? 0 : 1) + n;
		first = 0;
		p += n;
	}
	return col > 0 ? add(b, "\n", 1) : 0;
}

int
nm_help_wrap(dynbuf *b, const char *text, size_t indent, size_t width)
{
	return wrap_at(b, text, indent, width, 0);
}

/* " -H, --hostname=ADDRESS" or "     --insecure", as monitoring-plugins
 * name an option above its description. */
static int
add_option_head(dynbuf *b, const nm_optdesc *d)
{
	char line[160];
	const char *open = d->has_arg == optional_argument ? "[=" : "=";
	const char *close = d->has_arg == optional_argument ? "]" : "";
	int r;

	if (d->has_arg == no_argument)
		open = close = "";
	r = snprintf(line, sizeof(line), " %c%c%s--%s%s%s%s\n",
	    d->short_opt[0] != '\0' ? '-' : ' ',
	    d->short_opt[0] != '\0' ? d->short_opt[0] : ' ',
	    d->short_opt[0] != '\0' ? ", " : "  ", d->name, open,
	    d->arg, close);
	if (r < 0 || (size_t)r >= sizeof(line))
		return -1;
	return add(b, line, (size_t)r);
}

static int
add_options(dynbuf *b)
{
	size_t i;

	for (i = 0; i < nm_optdesc_count; i++) {
		if (add_option_head(b, &nm_optdescs[i]) != 0 ||
		    nm_help_wrap(b, nm_optdescs[i].help, HELP_INDENT,
		    HELP_WIDTH) != 0)
			return -1;
	}
	return 0;
}

static int
add_examples_and_states(dynbuf *b)
{
	size_t i;

	if (add(b, "\nExamples:\n", 11) != 0)
		return -1;
	for (i = 0; i < nm_help_example_count; i++) {
		if (add(b, " ", 1) != 0 || wrap_at(b,
		    nm_help_examples[i].command, 3, HELP_WIDTH, 1) != 0 ||
		    nm_help_wrap(b,
		    nm_help_examples[i].what, HELP_INDENT, HELP_WIDTH) != 0)
			return -1;
	}
	if (add(b, "\nStates:\n", 9) != 0)
		return -1;
	for (i = 0; i < nm_help_state_count; i++) {
		if (nm_help_wrap(b, nm_help_states[i].state, 1,
		    HELP_WIDTH) != 0 || nm_help_wrap(b,
		    nm_help_states[i].when, HELP_INDENT, HELP_WIDTH) != 0)
			return -1;
	}
	return 0;
}

static char *
build_help(void)
{
	static const char head[] = NM_PROGNAME " " PACKAGE_VERSION "\n"
	    "Copyright (C) 2026 the check_nova_metadata authors\n\n";
	dynbuf b;
	char *ret = NULL;

	dynbuf_init(&b, HELP_CAP);
	if (add(&b, head, sizeof(head) - 1) != 0 ||
	    nm_help_wrap(&b, nm_help_description, 0, HELP_WIDTH) != 0 ||
	    add(&b, "\n", 1) != 0 || add(&b, nm_usage_text(),
	    strlen(nm_usage_text())) != 0 ||
	    add(&b, "\nOptions:\n", 10) != 0 || add_options(&b) != 0 ||
	    add_examples_and_states(&b) != 0 || add(&b, "\n", 1) != 0 ||
	    nm_help_wrap(&b, help_license, 0, HELP_WIDTH) != 0)
		goto out;
	ret = b.data;
	dynbuf_init(&b, HELP_CAP);	/* ownership moved to ret */
 out:
	dynbuf_free(&b);
	return ret;
}

/* The synopsis's words joined by spaces. */
static int
add_synopsis_words(dynbuf *b)
{
	char word[256];
	size_t i = 0;
	int n, first = 1;

	while ((n = nm_synopsis_word(&i, word, sizeof(word))) > 0) {
		if ((!first && add(b, " ", 1) != 0) ||
		    add(b, word, (size_t)n) != 0)
			return -1;
		first = 0;
	}
	return n < 0 || b->data == NULL ? -1 : 0;
}

static char *
build_usage(void)
{
	static const char head[] = "Usage:\n " NM_PROGNAME " ";
	dynbuf b, words;
	char *ret = NULL;

	dynbuf_init(&b, HELP_CAP);
	dynbuf_init(&words, HELP_CAP);
	if (add(&b, head, sizeof(head) - 1) != 0 ||
	    add_synopsis_words(&words) != 0)
		goto out;
	/* The first line already holds the program's name: wrap the rest
	 * below it, indented under its first argument. */
	if (wrap_at(&b, words.data, sizeof(NM_PROGNAME) + 1, HELP_WIDTH,
	    sizeof(NM_PROGNAME) + 1) != 0)
		goto out;
	ret = b.data;
	dynbuf_init(&b, HELP_CAP);
 out:
	dynbuf_free(&words);
	dynbuf_free(&b);
	return ret;
}

const char *
nm_usage_text(void)
{
	static char *text;

	if (text == NULL)
		text = build_usage();
	return text != NULL ? text : "Usage: " NM_PROGNAME " -i UUID "
	    "-T PROJECT_ID [options]\n";
}

const char *
nm_help_text(void)
{
	static char *text;

	if (text == NULL)
		text = build_help();
	return text != NULL ? text : nm_usage_text();
}
