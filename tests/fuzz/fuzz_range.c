/* libFuzzer target: threshold ranges (-w, -c) and the perfdata made of
 * them. Properties: a range formatted and parsed again is the same range;
 * a number formatted for perfdata reads back as itself; a perfdata item
 * is one token (no space, '|' or control character outside its label);
 * a refused range has a one-line cause. */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "perfdata.h"
#include "range.h"

static bool
same_point(double a, double b)
{
	return a == b && signbit(a) == signbit(b);
}

static void
check_roundtrip(const mp_range *r)
{
	char text[128];
	mp_range again;

	if (mp_range_format(r, text, sizeof(text)) < 0)
		abort();
	if (mp_range_parse(text, &again, NULL, 0) != MP_RANGE_OK ||
	    again.alert_inside != r->alert_inside ||
	    !same_point(again.end, r->end) ||
	    !(same_point(again.start, r->start) ||
	    (r->start == 0 && again.start == 0)))
		abort();
}

static void
check_number(double v)
{
	char buf[64];

	if (mp_format_number(v, buf, sizeof(buf)) < 0 ||
	    strtod(buf, NULL) != v || strchr(buf, ' ') != NULL)
		abort();
}

static void
check_perfdata(const mp_range *r, const char *label)
{
	mp_perfdata pd = mp_perfdata_make(label, r->end, 6, "s");
	char buf[1024];
	const char *p;

	pd.has_warning = pd.has_critical = true;
	pd.warning = pd.critical = *r;
	if (isfinite(r->start)) {
		pd.has_min = true;
		pd.min = r->start;
	}
	if (mp_perfdata_format(&pd, buf, sizeof(buf)) < 0)
		return;
	/* after the label (quoted when it has to be) only one token */
	p = buf[0] == '\'' ? strchr(buf + 1, '\'') : strchr(buf, '=');
	if (p == NULL || p[strcspn(p, " |\t\r\n")] != '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	char why[MP_RANGE_WHY_MAX];
	mp_range_err e;
	mp_range r;

	if (text == NULL)
		return 0;
	if ((e = mp_range_parse(text, &r, why, sizeof(why))) == MP_RANGE_OK) {
		check_roundtrip(&r);
		if (isfinite(r.start))
			check_number(r.start);
		if (isfinite(r.end))
			check_number(r.end);
		(void)mp_range_alerts(&r, r.end);
		check_perfdata(&r, text);
	} else if (e == MP_RANGE_INVALID ? why[0] == '\0' ||
	    strchr(why, '\n') != NULL : e != MP_RANGE_NOMEM)
		abort();
	free(text);
	return 0;
}
