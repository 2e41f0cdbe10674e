#include "config.h"

#include <stddef.h>
#include <strings.h>

#include "output.h"
#include "output_json.h"
#include "output_text.h"
#include "prom.h"

int
mp_format_parse(const char *text, mp_format *out)
{
	static const struct {
		const char *name;
		mp_format format;
	} names[] = {
		{ "classic", MP_FORMAT_CLASSIC },
		{ "mp-test-json", MP_FORMAT_TEST_JSON },
		{ "one-line", MP_FORMAT_ONE_LINE },
		{ "icingaweb2", MP_FORMAT_ICINGAWEB2 },
		{ "multi-line", MP_FORMAT_ICINGAWEB2 },
		{ "summary-only", MP_FORMAT_SUMMARY_ONLY },
		{ "prometheus", MP_FORMAT_PROMETHEUS },
	};
	size_t i;

	if (text == NULL)
		return -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(text, names[i].name) == 0) {
			*out = names[i].format;
			return 0;
		}
	}
	return -1;
}

int
mp_check_format(const mp_check *c, mp_format f, char **out)
{
	switch (f) {
	case MP_FORMAT_TEST_JSON:
		return mp_format_test_json(c, out);
	case MP_FORMAT_ONE_LINE:
		return mp_format_one_line(c, out);
	case MP_FORMAT_ICINGAWEB2:
		return mp_format_icingaweb2(c, out);
	case MP_FORMAT_SUMMARY_ONLY:
		return mp_format_summary_only(c, out);
	case MP_FORMAT_PROMETHEUS:
		return mp_format_prometheus(c, out);
	default:
		return mp_format_classic(c, out);
	}
}
