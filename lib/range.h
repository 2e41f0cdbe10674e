/* Nagios threshold ranges (monitoring-plugins guidelines):
 *   "10"     alert outside 0..10
 *   "10:"    alert below 10 (outside 10..inf)
 *   "~:10"   alert above 10 (outside -inf..10)
 *   "10:20"  alert outside 10..20
 *   "@10:20" alert inside 10..20 (inclusive)
 * The end points themselves never alert for the outside forms. */
#ifndef MP_RANGE_H
#define MP_RANGE_H

#include <stdbool.h>

#include "error.h"
#include "states.h"

typedef struct {
	double start;		/* -INFINITY when "~" */
	double end;		/* INFINITY when empty after ':' */
	bool alert_inside;	/* "@" given */
} mp_range;

/* Parses text into *out. Returns 0, or -1 with err (when not NULL)
 * NM_ERR_NOMEM, or NM_ERR_CONFIG with a one-line English cause ("the
 * range's start 20 is greater than its end 10"). */
int mp_range_parse(const char *text, mp_range *out, nm_error *err);

/* True when value v must raise an alert under range r. */
bool mp_range_alerts(const mp_range *r, double v);

/* Canonical text of r for perfdata and messages, e.g. "10", "10:",
 * "~:10", "@10:20". Returns the snprintf-like length, or -1 when it does
 * not fit in len bytes (buf is then left NUL-terminated but meaningless). */
int mp_range_format(const mp_range *r, char *buf, size_t len);

/* v as the shortest fixed-point text that reads back as v (no exponent,
 * as perfdata wants); the length, or -1 when it does not fit. */
int mp_format_number(double v, char *buf, size_t len);

typedef struct {
	bool has_warning;
	mp_range warning;
	bool has_critical;
	mp_range critical;
} mp_thresholds;

/* CRITICAL if the critical range alerts, else WARNING if the warning range
 * alerts, else OK. */
mp_state mp_thresholds_state(const mp_thresholds *t, double v);

#endif
