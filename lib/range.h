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
#include <stddef.h>

#include "states.h"

typedef struct {
	double start;		/* -INFINITY when "~" */
	double end;		/* INFINITY when empty after ':' */
	bool alert_inside;	/* "@" given */
} mp_range;

/* Why mp_range_parse refused a text; the caller maps it to its own
 * error. */
typedef enum {
	MP_RANGE_OK = 0,
	MP_RANGE_NOMEM,		/* out of memory */
	MP_RANGE_INVALID	/* not a range: the cause says why */
} mp_range_err;

/* Room for every cause mp_range_parse writes. */
#define MP_RANGE_WHY_MAX 128

/* Parses text into *out, which is left alone on failure. On
 * MP_RANGE_INVALID, why (when not NULL) holds a one-line English cause
 * ("the range's start 20 is greater than its end 10"), cut to whylen
 * bytes; otherwise it is "". The text itself is never quoted in it. */
mp_range_err mp_range_parse(const char *text, mp_range *out, char *why,
    size_t whylen);

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
