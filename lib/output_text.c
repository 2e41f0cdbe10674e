#include "config.h"

#include <stddef.h>
#include <string.h>

#include "dynbuf.h"
#include "output_int.h"
#include "output_text.h"
#include "output_tree.h"
#include "perfdata.h"
#include "states.h"

/* Output is a few lines; the cap only guards against a runaway caller. */
#define OUTPUT_CAP (16 * 1024 * 1024)
/* Enough for any item mp_perfdata_format can produce (label, 17 decimals
 * of the largest double, two ranges, min and max). */
#define PERFDATA_BUF 1024

static int
add_str(dynbuf *b, const char *s)
{
	return dynbuf_add(b, s, strlen(s)) == DYNBUF_OK ? 0 : -1;
}

/* lead, then the items separated by spaces; nothing when no sub-check
 * has perfdata. */
static int
add_perfdata_items(dynbuf *b, const mp_check *c, const char **sep)
{
	char item[PERFDATA_BUF];
	size_t i, j;

	for (i = 0; i < c->nsubs; i++) {
		for (j = 0; j < c->subs[i]->nperf; j++) {
			if (mp_perfdata_format(&c->subs[i]->perf[j], item,
			    sizeof(item)) < 0)
				return -1;
			if (add_str(b, *sep) != 0 || add_str(b, item) != 0)
				return -1;
			*sep = " ";
		}
		/* Nested sub-checks' perfdata follows their parent's. */
		if (c->subs[i]->nested != NULL &&
		    add_perfdata_items(b, c->subs[i]->nested, sep) != 0)
			return -1;
	}
	return 0;
}

static int
add_perfdata_after(dynbuf *b, const mp_check *c, const char *lead)
{
	const char *sep = lead;

	return add_perfdata_items(b, c, &sep);
}

/* " | perf1 perf2", or nothing when no sub-check has perfdata. */
static int
add_perfdata(dynbuf *b, const mp_check *c)
{
	return add_perfdata_after(b, c, " | ");
}

/* How a format writes its sub-checks: each line is lead, indent once
 * per level of nesting, before, the state, between, the text, after. */
typedef struct {
	const char *lead, *indent, *before, *between, *after;
} sub_style;

static int add_subchecks_at(dynbuf *b, const mp_check *c,
    const sub_style *st, int depth);

/* One sub-check's line, then the sub-checks nested under it. */
static int
add_subcheck(dynbuf *b, const mp_subcheck *sc, const sub_style *st,
    int depth)
{
	int d;

	if (sc->hidden)
		return 0;
	if (add_str(b, st->lead) != 0)
		return -1;
	for (d = 0; d < depth; d++) {
		if (add_str(b, st->indent) != 0)
			return -1;
	}
	if (add_str(b, st->before) != 0 ||
	    add_str(b, mp_state_name(sc->state)) != 0 ||
	    add_str(b, st->between) != 0 || add_str(b, sc->text) != 0 ||
	    add_str(b, st->after) != 0)
		return -1;
	if (sc->nested != NULL && depth < MP_OUTPUT_MAX_NESTING &&
	    add_subchecks_at(b, sc->nested, st, depth + 1) != 0)
		return -1;
	return 0;
}

/* Worst first, so that the first line under a result has its state and
 * a view that shows only the first few lines shows what is wrong: one
 * pass per state, from the worst, each in the order the sub-checks were
 * added (a stable sort, no allocation). Perfdata keeps that order. */
static int
add_subchecks_at(dynbuf *b, const mp_check *c, const sub_style *st,
    int depth)
{
	size_t i;
	int rank;

	for (rank = MP_STATE_SEVERITY_MAX; rank >= 0; rank--) {
		for (i = 0; i < c->nsubs; i++) {
			if (mp_state_severity(c->subs[i]->state) == rank &&
			    add_subcheck(b, c->subs[i], st, depth) != 0)
				return -1;
		}
	}
	return 0;
}

/* One line per sub-check, nested ones indented under their parent. */
static int
add_subchecks(dynbuf *b, const mp_check *c, const char *lead,
    const char *indent, const char *before, const char *between,
    const char *after)
{
	sub_style st = { lead, indent, before, between, after };

	return add_subchecks_at(b, c, &st, 0);
}

/* "STATE: summary", how monitoring-plugins 3.x's formats begin. */
static int
add_state_summary(dynbuf *b, const mp_check *c)
{
	return add_str(b, mp_state_name(mp_check_state(c))) != 0 ||
	    add_str(b, ": ") != 0 || add_str(b, mp_check_summary(c)) != 0 ?
	    -1 : 0;
}

static int
format_summary_only(const mp_check *c, dynbuf *b)
{
	return add_state_summary(b, c) != 0 || add_str(b, "\n") != 0 ? -1 : 0;
}

/* Everything on the one line: the summary, each sub-check, perfdata. */
static int
format_one_line(const mp_check *c, dynbuf *b)
{
	return add_state_summary(b, c) != 0 ||
	    add_subchecks(b, c, "", "", " - [", "] ", "") != 0 ||
	    add_perfdata(b, c) != 0 || add_str(b, "\n") != 0 ? -1 : 0;
}

/* "[STATE] - summary", a "\_[STATE] - text" line per sub-check after
 * lead and a tab per level of nesting, and "|perfdata" right after the
 * last line. */
static int
format_bracketed(const mp_check *c, dynbuf *b, const char *lead)
{
	return add_str(b, "[") != 0 ||
	    add_str(b, mp_state_name(mp_check_state(c))) != 0 ||
	    add_str(b, "] - ") != 0 || add_str(b, mp_check_summary(c)) != 0 ||
	    add_subchecks(b, c, lead, "\t", "\\_[", "] - ", "") != 0 ||
	    add_perfdata_after(b, c, "|") != 0 || add_str(b, "\n") != 0 ?
	    -1 : 0;
}

/* monitoring-plugins 3.x's: the sub-checks a tab deep. */
static int
format_multi_line(const mp_check *c, dynbuf *b)
{
	return format_bracketed(c, b, "\n\t");
}

/* Icinga Web 2 trims the long output before it shows it, so a leading
 * tab survives on every line but the first: the sub-checks start at the
 * margin, as classic's do, and only nesting indents. */
static int
format_icingaweb2(const mp_check *c, dynbuf *b)
{
	return format_bracketed(c, b, "\n");
}

static int
format_classic(const mp_check *c, dynbuf *b)
{
	if (*c->label != '\0' &&
	    (add_str(b, c->label) != 0 || add_str(b, " ") != 0))
		return -1;
	return add_str(b, mp_state_name(mp_check_state(c))) != 0 ||
	    add_str(b, " - ") != 0 ||
	    add_str(b, mp_check_summary(c)) != 0 ||
	    add_perfdata(b, c) != 0 || add_str(b, "\n") != 0 ||
	    add_subchecks(b, c, "", "    ", "\\_ [", "] ", "\n") != 0 ?
	    -1 : 0;
}

/* Runs one format's writer into a fresh buffer and hands it to *out. */
static int
format_with(const mp_check *c, int (*write)(const mp_check *, dynbuf *),
    char **out)
{
	dynbuf b;
	int r;

	*out = NULL;
	dynbuf_init(&b, OUTPUT_CAP);
	if ((r = write(c, &b)) == 0) {
		*out = b.data;
		dynbuf_init(&b, OUTPUT_CAP);	/* ownership moved to *out */
	}
	dynbuf_free(&b);
	return r;
}

int
mp_format_classic(const mp_check *c, char **out)
{
	return format_with(c, format_classic, out);
}

int
mp_format_one_line(const mp_check *c, char **out)
{
	return format_with(c, format_one_line, out);
}

int
mp_format_icingaweb2(const mp_check *c, char **out)
{
	return format_with(c, format_icingaweb2, out);
}

int
mp_format_multi_line(const mp_check *c, char **out)
{
	return format_with(c, format_multi_line, out);
}

int
mp_format_summary_only(const mp_check *c, char **out)
{
	return format_with(c, format_summary_only, out);
}
