/*
 * mkman - writes check_nova_metadata(1): the template's prose with the
 * options, synopsis, description, examples and states put in from the
 * very tables --help prints (plugins/check_nova_metadata.d/cli_options.def, plugins/check_nova_metadata.d/cli_helptext.c).
 *
 *   mkman TEMPLATE > check_nova_metadata.1
 *
 * A template line that is exactly @SYNOPSIS@, @DESCRIPTION@, @OPTIONS@,
 * @EXAMPLES@ or @STATES@ becomes that part; @VERSION@ anywhere becomes
 * the package's version. A build tool: it prints and exits. It is built
 * with the build machine's compiler (CC_FOR_BUILD) from this file,
 * plugins/check_nova_metadata.d/cli_options.c and plugins/check_nova_metadata.d/cli_helptext.c alone, so that a cross build
 * never runs a program made for the target.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_helptext.h"
#include "core_config.h"
#include "cli_options.h"

#define LINE_MAX_LEN 4096

/* Text as roff reads it: backslashes and hyphens escaped, a line
 * starting with '.' or '\'' kept as text, "\n" a line break and a tab a
 * space that does not break. */
static void
put_text(FILE *out, const char *s)
{
	int bol = 1;

	for (; *s != '\0'; s++) {
		if (bol && (*s == '.' || *s == '\''))
			fputs("\\&", out);
		bol = 0;
		switch (*s) {
		case '\\':
			fputs("\\e", out);
			break;
		case '-':
			fputs("\\-", out);
			break;
		case '\t':
			fputs("\\ ", out);
			break;
		case '\n':
			fputs("\n.br\n", out);
			bol = 1;
			break;
		default:
			fputc(*s, out);
		}
	}
}

static void
put_bold(FILE *out, const char *s)
{
	fputs("\\fB", out);
	put_text(out, s);
	fputs("\\fR", out);
}

static void
put_italic(FILE *out, const char *s)
{
	fputs("\\fI", out);
	put_text(out, s);
	fputs("\\fR", out);
}

/* "\fB\-H\fR, \fB\-\-hostname\fR=\fIADDRESS\fR" */
static void
put_option_tag(FILE *out, const nm_optdesc *d)
{
	char dash_short[3] = { '-', d->short_opt[0], '\0' };
	char dash_long[64];

	if (d->short_opt[0] != '\0') {
		put_bold(out, dash_short);
		if (d->has_arg == optional_argument) {
			fputs("[", out);
			put_italic(out, d->arg);
			fputs("]", out);
		}
		fputs(", ", out);
	}
	if (snprintf(dash_long, sizeof(dash_long), "--%s", d->name) < 0)
		dash_long[0] = '\0';
	put_bold(out, dash_long);
	if (d->has_arg == no_argument)
		return;
	fputs(d->has_arg == optional_argument ? "[=" : "=", out);
	put_italic(out, d->arg);
	if (d->has_arg == optional_argument)
		fputs("]", out);
}

/* The indented paragraph under a .TP tag just written. */
static void
put_body(FILE *out, const char *text)
{
	fputs("\n", out);
	put_text(out, text);
	fputs("\n", out);
}

static void
put_options(FILE *out)
{
	size_t i;

	for (i = 0; i < nm_optdesc_count; i++) {
		fputs(".TP\n", out);
		put_option_tag(out, &nm_optdescs[i]);
		put_body(out, nm_optdescs[i].help);
	}
}

static void
put_examples(FILE *out)
{
	size_t i;

	for (i = 0; i < nm_help_example_count; i++) {
		fputs(".PP\n", out);
		put_text(out, nm_help_examples[i].what);
		fputs("\n.PP\n.RS\n", out);
		put_bold(out, nm_help_examples[i].command);
		fputs("\n.RE\n", out);
	}
}

static void
put_states(FILE *out)
{
	size_t i;

	for (i = 0; i < nm_help_state_count; i++) {
		fputs(".TP\n", out);
		put_bold(out, nm_help_states[i].state);
		put_body(out, nm_help_states[i].when);
	}
}

static int
put_synopsis(FILE *out)
{
	char word[256];
	size_t i = 0;
	int n;

	put_bold(out, NM_PROGNAME);
	fputs("\n", out);
	while ((n = nm_synopsis_word(&i, word, sizeof(word))) > 0) {
		put_text(out, word);
		fputs("\n", out);
	}
	return n;
}

/* One template line: a placeholder, or text with @VERSION@ put in. */
static int
put_line(FILE *out, const char *line)
{
	const char *v;

	if (strcmp(line, "@SYNOPSIS@") == 0)
		return put_synopsis(out);
	if (strcmp(line, "@DESCRIPTION@") == 0) {
		put_text(out, nm_help_description);
		fputs("\n", out);
	} else if (strcmp(line, "@OPTIONS@") == 0)
		put_options(out);
	else if (strcmp(line, "@EXAMPLES@") == 0)
		put_examples(out);
	else if (strcmp(line, "@STATES@") == 0)
		put_states(out);
	else if ((v = strstr(line, "@VERSION@")) != NULL)
		fprintf(out, "%.*s%s%s\n", (int)(v - line), line,
		    PACKAGE_VERSION, v + 9);
	else
		fprintf(out, "%s\n", line);
	return 0;
}

int
main(int argc, char **argv)
{
	char line[LINE_MAX_LEN];
	FILE *in;
	size_t n;

	if (argc != 2) {
		fputs("usage: mkman TEMPLATE > PAGE\n", stderr);
		return 2;
	}
	if ((in = fopen(argv[1], "r")) == NULL) {
		perror(argv[1]);
		return 1;
	}
	while (fgets(line, sizeof(line), in) != NULL) {
		n = strcspn(line, "\n");
		line[n] = '\0';
		if (put_line(stdout, line) < 0) {
			fputs("mkman: a synopsis word is too long\n", stderr);
			fclose(in);
			return 1;
		}
	}
	if (ferror(in) || fclose(in) != 0 || fflush(stdout) != 0 ||
	    ferror(stdout)) {
		fputs("mkman: read or write error\n", stderr);
		return 1;
	}
	return 0;
}
