/* The one strict number parser: whole string, no junk, no overflow. */
#ifndef MP_NUMPARSE_H
#define MP_NUMPARSE_H

typedef enum {
	NP_OK = 0,
	NP_EMPTY,	/* NULL or "" */
	NP_JUNK,	/* not a number, or trailing characters, or leading space */
	NP_RANGE	/* out of [min, max], negative for unsigned, overflow, nan/inf */
} np_err;

/* Decimal unsigned integer in [min, max]; no sign, no spaces, no hex. */
np_err np_parse_ulong(const char *s, unsigned long min, unsigned long max,
    unsigned long *out);

/* Finite decimal number ("1", "-0.5", "1e3", "+2"); no hex, no inf/nan,
 * no spaces. */
np_err np_parse_double(const char *s, double *out);

/* Short English text for an error: "is empty", "is not a number", "is out
 * of range". */
const char *np_strerror(np_err e);

#endif
