#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"
#include "range.h"

#define MP_NUMBER_MAX_DECIMALS 30

/* Writes the cause of a refusal into why; always MP_RANGE_INVALID. */
static mp_range_err
refuse(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static mp_range_err
refuse(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (why == NULL || whylen == 0)
		return MP_RANGE_INVALID;
	va_start(ap, fmt);
	r = vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	/* A cause cut to fit still names the fault; a failed one is none. */
	if (r < 0)
		why[0] = '\0';
	return MP_RANGE_INVALID;
}

/* Parses one end point, s[0..n), into *v. The text itself is never
 * quoted: it may be anything, a secret typed into the wrong option
 * included. */
static mp_range_err
parse_point(const char *what, const char *s, size_t n, double *v,
    char *why, size_t whylen)
{
	char *copy = NULL;
	np_err e;
	mp_range_err r = MP_RANGE_NOMEM;

	if ((copy = strndup(s, n)) == NULL)
		goto out;
	if ((e = np_parse_double(copy, v)) != NP_OK)
		r = refuse(why, whylen, "%s %s", what, np_strerror(e));
	else
		r = MP_RANGE_OK;
 out:
	free(copy);
	return r;
}

/* Splits "[@][start:]end" at its single ':' and fills r. */
static mp_range_err
parse_parts(const char *p, mp_range *r, char *why, size_t whylen)
{
	const char *colon = strchr(p, ':');
	mp_range_err e;

	if (colon == NULL) {
		if (*p == '\0' || strcmp(p, "~") == 0)
			return refuse(why, whylen, "the range has no end point");
		r->start = 0;
		return parse_point("the range's end", p, strlen(p), &r->end,
		    why, whylen);
	}
	if (strchr(colon + 1, ':') != NULL)
		return refuse(why, whylen, "the range has more than one ':'");
	/* The guidelines spell minus infinity "~"; an empty start is more
	 * likely a typo than a request for 0. */
	if (colon == p)
		return refuse(why, whylen, "the range has no start; use '~' "
		    "for no lower bound");
	if (colon - p == 1 && *p == '~')
		r->start = -INFINITY;
	else if ((e = parse_point("the range's start", p,
	    (size_t)(colon - p), &r->start, why, whylen)) != MP_RANGE_OK)
		return e;
	if (colon[1] == '\0') {
		r->end = INFINITY;
		return MP_RANGE_OK;
	}
	return parse_point("the range's end", colon + 1, strlen(colon + 1),
	    &r->end, why, whylen);
}

mp_range_err
mp_range_parse(const char *text, mp_range *out, char *why, size_t whylen)
{
	mp_range r = { 0, INFINITY, false };
	const char *p = text;
	mp_range_err e;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (text == NULL || *text == '\0')
		return refuse(why, whylen, "range is empty");
	if (*p == '@') {
		r.alert_inside = true;
		p++;
	}
	if ((e = parse_parts(p, &r, why, whylen)) != MP_RANGE_OK)
		return e;
	/* Numbers that parsed are shown: they are what the range means, and
	 * they are no secret. */
	if (r.start > r.end)
		return refuse(why, whylen, "the range's start %g is greater "
		    "than its end %g", r.start, r.end);
	*out = r;
	return MP_RANGE_OK;
}

bool
mp_range_alerts(const mp_range *r, double v)
{
	bool inside;

	/* A measurement that is not a number cannot be shown to be fine. */
	if (isnan(v))
		return true;
	inside = v >= r->start && v <= r->end;
	return r->alert_inside ? inside : !inside;
}

/* Perfdata readers follow the guidelines' [-0-9.] for numbers, so no
 * exponent: the shortest fixed-point text that reads back as v ("0.1",
 * "0.000001", "1234567.5"). 17 significant digits always read back, so
 * 30 decimals cover every magnitude from 1e-13 up; smaller ones (and
 * magnitudes from 1e15) fall back to "%.17g", and callers that promise
 * no exponent refuse such numbers on input. */
int
mp_format_number(double v, char *buf, size_t len)
{
	int prec, r = -1;

	if (len == 0)
		return -1;
	if (isfinite(v) && fabs(v) < 1e15) {
		for (prec = 0; prec <= MP_NUMBER_MAX_DECIMALS; prec++) {
			r = snprintf(buf, len, "%.*f", prec, v);
			if (r < 0 || (size_t)r >= len)
				return -1;
			if (strtod(buf, NULL) == v)
				return r;
		}
	}
	r = snprintf(buf, len, "%.17g", v);
	return (r < 0 || (size_t)r >= len) ? -1 : r;
}

int
mp_range_format(const mp_range *r, char *buf, size_t len)
{
	char start[48], end[48];
	const char *at = r->alert_inside ? "@" : "";
	int n;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	if (mp_format_number(r->start, start, sizeof(start)) < 0 ||
	    mp_format_number(r->end, end, sizeof(end)) < 0)
		return -1;
	if (isinf(r->start) && r->start < 0)
		n = snprintf(buf, len, "%s~:%s", at, isinf(r->end) ? "" : end);
	else if (isinf(r->end))
		n = snprintf(buf, len, "%s%s:", at, start);
	else if (r->start == 0)
		n = snprintf(buf, len, "%s%s", at, end);
	else
		n = snprintf(buf, len, "%s%s:%s", at, start, end);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return n;
}

mp_state
mp_thresholds_state(const mp_thresholds *t, double v)
{
	if (t->has_critical && mp_range_alerts(&t->critical, v))
		return MP_CRITICAL;
	if (t->has_warning && mp_range_alerts(&t->warning, v))
		return MP_WARNING;
	return MP_OK;
}
