/* Prometheus' text exposition format, version 0.0.4: what node_exporter's
 * textfile collector reads and `promtool check metrics` checks. A metric
 * family's "# HELP" and "# TYPE" lines, then its samples, each label
 * value escaped as the format asks (backslash, double quote, newline).
 * Writes into a dynbuf and never prints. */
#ifndef MP_PROM_H
#define MP_PROM_H

#include <stddef.h>

#include "dynbuf.h"
#include "output_tree.h"

typedef struct {
	const char *name;	/* [a-zA-Z_][a-zA-Z0-9_]*, the caller's */
	const char *value;	/* any text: escaped, and bytes that are
				 * not UTF-8 become '?' */
} mp_prom_label;

/* "# HELP name help" (help escaped: backslash, newline) and "# TYPE name
 * type" ("gauge", "counter", ...). */
dynbuf_err mp_prom_family(dynbuf *b, const char *name, const char *type,
    const char *help);

/* "name{l1="v1",l2="v2"} value"; no braces without labels. A whole
 * number is written as one ("200", "3"), any other in as few
 * significant digits as read back to the very same double (0.012138),
 * NaN and the infinities as the format spells them. */
dynbuf_err mp_prom_sample(dynbuf *b, const char *name,
    const mp_prom_label *labels, size_t nlabels, double value);

/* The metric names' prefix for a service label: in lower case, every
 * run of other characters than letters and digits an '_', none at
 * either end ("NOVA METADATA" -> "nova_metadata"); "check" when nothing
 * is left. -1 when it does not fit in len. */
int mp_prom_prefix(const char *label, char *buf, size_t len);

/* The check's state, its exit code, as the gauge PREFIX_state (PREFIX
 * from c's label) with labels: its family and its one sample. */
dynbuf_err mp_prom_state(dynbuf *b, const mp_check *c,
    const mp_prom_label *labels, size_t nlabels);

/* The Prometheus format of a check that the caller knows nothing more
 * of: mp_prom_state without labels, malloc'd into *out. 0, or -1 on out
 * of memory. */
int mp_format_prometheus(const mp_check *c, char **out);

#endif
