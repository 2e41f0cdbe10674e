/* Nagios plugin states and how they combine. */
#ifndef MP_STATES_H
#define MP_STATES_H

typedef enum {
	MP_OK = 0,
	MP_WARNING = 1,
	MP_CRITICAL = 2,
	MP_UNKNOWN = 3
} mp_state;

/* "OK", "WARNING", "CRITICAL", "UNKNOWN"; "UNKNOWN" for anything else. */
const char *mp_state_name(mp_state s);

/* Worst of two states, monitoring-plugins' order: CRITICAL > WARNING >
 * UNKNOWN > OK. */
mp_state mp_state_worst(mp_state a, mp_state b);

/* How bad s is in that order: 0 for OK, 1 UNKNOWN, 2 WARNING, 3
 * CRITICAL (MP_STATE_SEVERITY_MAX); an out-of-range value is UNKNOWN's.
 * What lists of results are ordered by, worst first. */
#define MP_STATE_SEVERITY_MAX 3
int mp_state_severity(mp_state s);

/* Parses "OK", "WARNING", "CRITICAL", "UNKNOWN" (any case) or "0".."3".
 * Returns 0 and sets *out, or -1. */
int mp_state_parse(const char *text, mp_state *out);

#endif
