/* The output layer, in the shape of monitoring-plugins 3.x's lib/output.h:
 * a check is a list of sub-checks; each sub-check has a state (UNKNOWN
 * until set), one line of text and perfdata; the check's state is the
 * worst of its sub-checks'. Formatting returns a string and never prints.
 * All text given to this layer is scrubbed: '|' and control characters
 * never reach the output, so server text cannot forge perfdata or lines. */
#ifndef MP_OUTPUT_H
#define MP_OUTPUT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include "states.h"
#include "perfdata.h"

typedef enum {
	/* this plugin's own: Nagios' first line, long output, perfdata */
	MP_FORMAT_CLASSIC = 0,
	/* monitoring-plugins 3.x's: one JSON document */
	MP_FORMAT_TEST_JSON,
	/* this plugin's own: "STATE: summary - [STATE] sub - ... | perf" */
	MP_FORMAT_ONE_LINE,
	/* monitoring-plugins 3.x's "multi-line" (also accepted under its
	 * pre-release name "icingaweb2"): "[STATE] - summary",
	 * "\t\\_[STATE] - sub" lines, "|perf" after the last */
	MP_FORMAT_ICINGAWEB2,
	/* this plugin's own: "STATE: summary", nothing else */
	MP_FORMAT_SUMMARY_ONLY
} mp_format;

/* The names mp_format_parse knows, for messages. */
#define MP_FORMAT_NAMES "classic, one-line, icingaweb2 (or multi-line), " \
	"summary-only, mp-test-json"

/* Parses a format's name, in any case: monitoring-plugins 3.x's
 * "multi-line" and "mp-test-json", and this plugin's own "classic",
 * "icingaweb2" (another name for multi-line), "one-line" and
 * "summary-only". 0 or -1. */
int mp_format_parse(const char *text, mp_format *out);

typedef struct mp_subcheck mp_subcheck;
typedef struct mp_check mp_check;

/* NULL on out of memory. label is the service label, e.g. "NOVA METADATA". */
mp_check *mp_check_new(const char *label);
void mp_check_free(mp_check *c);

/* The summary after "LABEL STATE - " on the first line. printf-like; the
 * result is scrubbed. Returns 0, or -1 on out of memory. When no summary
 * is set, the formatter uses the text of the worst sub-check. */
int mp_check_set_summary(mp_check *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends a sub-check with the given state and scrubbed printf-like text.
 * Returns the sub-check (owned by c) or NULL on out of memory. */
mp_subcheck *mp_check_add(mp_check *c, mp_state s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The summary as the first line shows it (set, or derived). */
const char *mp_check_summary(const mp_check *c);

/* Appends a sub-check with state s and text under which nested's
 * sub-checks are nested (as monitoring-plugins 3.x nests them: indented
 * in the long output, "checks" in JSON, their perfdata after their
 * parent's). Takes nested, also on failure. NULL on out of memory. */
mp_subcheck *mp_check_add_nested(mp_check *c, mp_state s, mp_check *nested,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Puts "prefix " before every perfdata label of c, nested ones too, so
 * that the labels of several targets stay unique. 0, or -1 when a label
 * would not fit. */
int mp_check_prefix_perfdata(mp_check *c, const char *prefix);

/* Attaches a perfdata item (copied) to a sub-check; perfdata of all
 * sub-checks appears on the first line in the order added. 0 or -1. */
int mp_subcheck_add_perfdata(mp_subcheck *sc, const mp_perfdata *pd);

/* Worst state of all sub-checks; UNKNOWN when there are none. */
mp_state mp_check_state(const mp_check *c);

/* The whole output, newline-terminated, malloc'd into *out.
 * Classic:
 *   LABEL STATE - summary | perf1 perf2
 *   \_ [STATE] sub-check text
 *   ...
 * Test JSON: {"state":"OK","summary":"...","checks":[{"state":"OK",
 *   "output":"...","perfdata":[{"label":"time","value":0.012,"uom":"s",
 *   "warn":"1","crit":"5","min":0}]}]}, numbers as short as they read
 *   back exactly (0.012981, never 0.012980999999999999).
 * The others as monitoring-plugins 3.x's lib/output.c writes them,
 * without the service label; summary-only carries no perfdata.
 * Returns 0, or -1 on out of memory. */
int mp_check_format(const mp_check *c, mp_format f, char **out);

/* The one quote length: text from a server or an operator is shown up
 * to this many bytes in a message. */
#define MP_QUOTE_MAX 100

/* The one quoting helper: 'TEXT' for s[0..n), cut after MP_QUOTE_MAX
 * bytes (never inside a UTF-8 character) with "..." inside the quotes,
 * scrubbed. malloc'd; NULL on out of memory. */
char *mp_quote(const char *s, size_t n);

/* vasprintf, then mp_scrub: the one way to a scrubbed, malloc'd text
 * (NULL on out of memory). */
char *mp_vscrubbed(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

/* Scrubs text in place: '|' becomes '/', control characters (and DEL)
 * become ' ', bytes that are not valid UTF-8 become '?'. */
void mp_scrub(char *text);

/* Length (1..4) of the well-formed UTF-8 sequence at p[0..n), or 0 when
 * it is not one (overlong, surrogate, above U+10FFFF, truncated). Shared
 * by mp_scrub and by parsers that must tell text from binary. */
size_t mp_utf8_len(const char *p, size_t n);

#endif
