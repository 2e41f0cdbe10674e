/* The check as a tree, in the shape of monitoring-plugins 3.x's
 * lib/output.h: a check is a list of sub-checks; each sub-check has a
 * state (UNKNOWN until set), one line of text (scrubbed as quote.h says)
 * and perfdata, and may hold a check of its own; the check's state is the
 * worst of its sub-checks'. output.h writes it in a format. */
#ifndef MP_OUTPUT_TREE_H
#define MP_OUTPUT_TREE_H

#include "perfdata.h"
#include "states.h"

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

/* Puts "_suffix" after every perfdata label of c, nested ones too, so
 * that the labels of several targets stay unique ("time" of a target
 * whose suffix is "h_1" becomes "time_h_1"). 0, or -1 when a label would
 * not fit. */
int mp_check_suffix_perfdata(mp_check *c, const char *suffix);

/* c's last sub-check (owned by c), or NULL when it has none. */
mp_subcheck *mp_check_last(mp_check *c);

/* Attaches a perfdata item (copied) to a sub-check; perfdata of all
 * sub-checks appears on the first line in the order added. 0 or -1. */
int mp_subcheck_add_perfdata(mp_subcheck *sc, const mp_perfdata *pd);

/* Leaves sc's line (and those nested under it) out of the text formats;
 * its state counts and its perfdata is written in its place as before,
 * and JSON, the whole record, keeps it. For a line that says nothing an
 * operator needs, such as a green detail of a failed result. */
void mp_subcheck_hide(mp_subcheck *sc);

/* Worst state of all sub-checks; UNKNOWN when there are none. */
mp_state mp_check_state(const mp_check *c);

#endif
