#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"

np_err
np_parse_ulong(const char *s, unsigned long min, unsigned long max,
    unsigned long *out)
{
	unsigned long v;
	char *end = NULL;

	if (s == NULL || *s == '\0')
		return NP_EMPTY;
	/* strtoul would silently skip spaces and negate "-1" into a huge
	 * value; a strict parser only lets digits start the number. */
	if (s[0] == '-' && s[1] >= '0' && s[1] <= '9')
		return NP_RANGE;
	if (*s < '0' || *s > '9')
		return NP_JUNK;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (end == s || *end != '\0')
		return NP_JUNK;		/* also "0x10": strtoul stops at 'x' */
	if (errno == ERANGE || v < min || v > max)
		return NP_RANGE;
	*out = v;
	return NP_OK;
}

np_err
np_parse_double(const char *s, double *out)
{
	double v;
	char *end = NULL;

	if (s == NULL || *s == '\0')
		return NP_EMPTY;
	/* strtod accepts leading spaces and hexadecimal floats; neither is
	 * something an operator means when writing a threshold. */
	if (strchr(" \t\n\v\f\r", *s) != NULL || strpbrk(s, "xX") != NULL)
		return NP_JUNK;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0')
		return NP_JUNK;
	/* "nan" is, to the letter, not a number; "inf" is a number no
	 * threshold can use. */
	if (isnan(v))
		return NP_JUNK;
	if (errno == ERANGE || !isfinite(v))
		return NP_RANGE;
	*out = v;
	return NP_OK;
}

const char *
np_strerror(np_err e)
{
	switch (e) {
	case NP_OK:
		return "is valid";
	case NP_EMPTY:
		return "is empty";
	case NP_JUNK:
		return "is not a number";
	case NP_RANGE:
		return "is out of range";
	default:
		return "is invalid";
	}
}
