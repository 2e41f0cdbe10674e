#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "perfdata.h"

/* More digits than a double carries only print noise, and the bound keeps
 * every item within a fixed-size buffer. */
#define PERFDATA_MAX_DECIMALS 17

mp_perfdata
mp_perfdata_make(const char *label, double value, int decimals,
    const char *uom)
{
	mp_perfdata pd;
	size_t i;

	memset(&pd, 0, sizeof(pd));
	/* "'" would end a quoted label and "=" would end the label itself,
	 * either one breaks every perfdata parser downstream. */
	if (label != NULL) {
		for (i = 0; i < sizeof(pd.label) - 1 && label[i] != '\0'; i++)
			pd.label[i] = (label[i] == '\'' || label[i] == '=') ?
			    '_' : label[i];
	}
	pd.value = value;
	pd.decimals = decimals;
	if (uom != NULL) {
		for (i = 0; i < sizeof(pd.uom) - 1 && uom[i] != '\0'; i++)
			pd.uom[i] = uom[i];
	}
	return pd;
}

mp_perfdata
mp_perfdata_relabel(const mp_perfdata *pd, const char *label)
{
	mp_perfdata out = mp_perfdata_make(label, pd->value, pd->decimals,
	    pd->uom);
	char l[sizeof(out.label)];

	memcpy(l, out.label, sizeof(l));
	out = *pd;
	memcpy(out.label, l, sizeof(l));
	return out;
}

/* Appends printf-like text at *off; -1 once anything did not fit. */
static int
append(char *buf, size_t len, size_t *off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
append(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (*off >= len)
		return -1;
	va_start(ap, fmt);
	r = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= len - *off)
		return -1;
	*off += (size_t)r;
	return 0;
}

static int
append_range(char *buf, size_t len, size_t *off, bool has,
    const mp_range *r)
{
	char tmp[80];

	if (!has)
		return append(buf, len, off, ";");
	if (mp_range_format(r, tmp, sizeof(tmp)) < 0)
		return -1;
	return append(buf, len, off, ";%s", tmp);
}

/* min and max are optional numbers; an infinite one is as good as none. */
static int
append_limit(char *buf, size_t len, size_t *off, bool has, double v)
{
	char num[48];

	if (!has || !isfinite(v))
		return append(buf, len, off, ";");
	if (mp_format_number(v, num, sizeof(num)) < 0)
		return -1;
	return append(buf, len, off, ";%s", num);
}

static int
append_head(const mp_perfdata *pd, char *buf, size_t len, size_t *off)
{
	int dec = pd->decimals;
	const char *q = strchr(pd->label, ' ') != NULL ? "'" : "";

	if (dec < 0)
		dec = 0;
	if (dec > PERFDATA_MAX_DECIMALS)
		dec = PERFDATA_MAX_DECIMALS;
	if (append(buf, len, off, "%s%s%s=", q, pd->label, q) != 0)
		return -1;
	/* The guidelines' "U" marks a value that could not be determined. */
	if (!isfinite(pd->value))
		return append(buf, len, off, "U");
	return append(buf, len, off, "%.*f%s", dec, pd->value, pd->uom);
}

int
mp_perfdata_format(const mp_perfdata *pd, char *buf, size_t len)
{
	size_t off = 0;
	bool limits = pd->has_min || pd->has_max;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	if (append_head(pd, buf, len, &off) != 0)
		return -1;
	/* Fields are positional, so everything before the last one given is
	 * written even when empty; after min the guidelines' examples keep
	 * one ';' ("time=0.012138s;1;5;0;"), which graphers expect. */
	if ((pd->has_warning || pd->has_critical || limits) &&
	    append_range(buf, len, &off, pd->has_warning, &pd->warning) != 0)
		return -1;
	if ((pd->has_critical || limits) &&
	    append_range(buf, len, &off, pd->has_critical, &pd->critical) != 0)
		return -1;
	if (limits) {
		if (append_limit(buf, len, &off, pd->has_min, pd->min) != 0 ||
		    append_limit(buf, len, &off, pd->has_max, pd->max) != 0)
			return -1;
	}
	return (int)off;
}
