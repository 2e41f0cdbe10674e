/* One perfdata item: 'label'=value[UOM];warn;crit;min;max */
#ifndef MP_PERFDATA_H
#define MP_PERFDATA_H

#include <stdbool.h>
#include <stddef.h>
#include "range.h"

typedef struct {
	/* Quoted in the output when it needs it. Room for a metric's name
	 * of at most 32 bytes and a suffix naming a host and port (a DNS
	 * name of at most 255 bytes and an address of at most 45, then a
	 * port), so that a long host never cuts a label. */
	char label[384];
	double value;
	int decimals;		/* digits after the point: 6 for seconds, 0 for bytes */
	char uom[4];		/* "s", "B", "%", "" ... */
	bool has_warning;
	mp_range warning;
	bool has_critical;
	mp_range critical;
	bool has_min;
	double min;
	bool has_max;
	double max;
} mp_perfdata;

/* A perfdata item with label (truncated to fit, characters "'" and "="
 * replaced by "_"), value, decimals and uom; no thresholds, no min/max. */
mp_perfdata mp_perfdata_make(const char *label, double value, int decimals,
    const char *uom);

/* pd with another label, made legal as mp_perfdata_make makes it. */
mp_perfdata mp_perfdata_relabel(const mp_perfdata *pd, const char *label);

/* Formats pd into buf, e.g. "time=0.012138s;1;5;0;" (trailing empty
 * fields dropped as in the guidelines' examples: "size=210B;;;0;").
 * Returns the length, or -1 if it does not fit. */
int mp_perfdata_format(const mp_perfdata *pd, char *buf, size_t len);

#endif
