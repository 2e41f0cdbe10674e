/* The output layer, in the shape of monitoring-plugins 3.x's lib/output.h:
 * a check (output_tree.h) written in one of the formats. Formatting
 * returns a string and never prints. All text given to this layer is
 * scrubbed: '|' and control characters never reach the output, so server
 * text cannot forge perfdata or lines. */
#ifndef MP_OUTPUT_H
#define MP_OUTPUT_H

#include "states.h"
#include "perfdata.h"
#include "output_tree.h"
/* Every text this layer takes is scrubbed as quote.h says; its callers
 * quote with it. */
#include "quote.h"

typedef enum {
	/* this plugin's own: Nagios' first line, long output, perfdata */
	MP_FORMAT_CLASSIC = 0,
	/* monitoring-plugins 3.x's: one JSON document */
	MP_FORMAT_TEST_JSON,
	/* this plugin's own: "STATE: summary - [STATE] sub - ... | perf" */
	MP_FORMAT_ONE_LINE,
	/* this plugin's own, for Icinga Web 2: multi-line's, with the
	 * sub-checks' lines one tab less deep ("\\_[STATE] - sub",
	 * "\t\\_[STATE] - nested"): Icinga Web 2 trims the long output,
	 * which takes the first line's leading tab and would show the
	 * first sub-check one level above its siblings */
	MP_FORMAT_ICINGAWEB2,
	/* this plugin's own: "STATE: summary", nothing else */
	MP_FORMAT_SUMMARY_ONLY,
	/* this plugin's own: Prometheus' text exposition format 0.0.4
	 * (prom.h), for node_exporter's textfile collector */
	MP_FORMAT_PROMETHEUS,
	/* monitoring-plugins 3.x's "multi-line": "[STATE] - summary",
	 * "\t\\_[STATE] - sub" lines, "|perf" after the last */
	MP_FORMAT_MULTI_LINE
} mp_format;

/* The names mp_format_parse knows, for messages. */
#define MP_FORMAT_NAMES "classic, one-line, icingaweb2, multi-line, " \
	"summary-only, mp-test-json, prometheus"

/* Parses a format's name, in any case: monitoring-plugins 3.x's
 * "multi-line" and "mp-test-json", and this plugin's own "classic",
 * "icingaweb2", "one-line", "summary-only" and "prometheus". 0 or -1. */
int mp_format_parse(const char *text, mp_format *out);

/* The whole output, newline-terminated, malloc'd into *out. Its text
 * holds no ';' (mp_unsemicolon): Nagios 4 would show it as ':'; only
 * perfdata's separators are ';'.
 * Classic:
 *   LABEL STATE - summary | perf1 perf2
 *   \_ [STATE] sub-check text
 *   ...
 * Test JSON: {"state":"OK","summary":"...","checks":[{"state":"OK",
 *   "output":"...","perfdata":[{"label":"time","value":0.012,"uom":"s",
 *   "warn":"1","crit":"5","min":0.0}]}]}, written by jansson; every
 *   number reads back exactly, in 15 significant digits or as few as
 *   that takes (0.012981, not 0.012980999999999999), up to 17 in a
 *   document with a number that needs them.
 * The others as monitoring-plugins 3.x's lib/output.c writes them,
 * without the service label; summary-only carries no perfdata.
 * The text formats list sub-checks worst first (mp_state_severity), at
 * every level, ties in the order they were added, so that the first
 * line under a result has its state; JSON, the record for programs,
 * keeps the order added, so an element's place does not change with its
 * state. Perfdata keeps the order added in every format.
 * Prometheus: the check's state alone, as mp_format_prometheus writes
 * it (prom.h); a caller that knows more writes its own metrics after
 * mp_prom_state.
 * Returns 0, or -1 on out of memory. */
int mp_check_format(const mp_check *c, mp_format f, char **out);

#endif
