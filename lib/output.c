#include "config.h"

#include <stddef.h>
#include <string.h>
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
		{ "multi-line", MP_FORMAT_MULTI_LINE },
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

static int
format(const mp_check *c, mp_format f, char **out)
{
	switch (f) {
	case MP_FORMAT_TEST_JSON:
		return mp_format_test_json(c, out);
	case MP_FORMAT_ONE_LINE:
		return mp_format_one_line(c, out);
	case MP_FORMAT_ICINGAWEB2:
		return mp_format_icingaweb2(c, out);
	case MP_FORMAT_MULTI_LINE:
		return mp_format_multi_line(c, out);
	case MP_FORMAT_SUMMARY_ONLY:
		return mp_format_summary_only(c, out);
	case MP_FORMAT_PROMETHEUS:
		return mp_format_prometheus(c, out);
	default:
		return mp_format_classic(c, out);
	}
}

/* The last scrub: no ';' in the text of the output, whatever put it
 * there (a server's words, a caller's). Texts hold no '|' (mp_scrub), so
 * a line's first '|' starts its perfdata, whose ';' are its separators
 * and stay; JSON has no ';' of its own, only in its strings. */
static void
unsemicolon_text(char *out, mp_format f)
{
	char *line, *end, *stop, *p;

	switch (f) {
	case MP_FORMAT_TEST_JSON:
		mp_unsemicolon(out);
		return;
	case MP_FORMAT_CLASSIC:
	case MP_FORMAT_ONE_LINE:
	case MP_FORMAT_ICINGAWEB2:
	case MP_FORMAT_MULTI_LINE:
	case MP_FORMAT_SUMMARY_ONLY:
		break;
	default:
		return;	/* no status line: a format for machines */
	}
	for (line = out; *line != '\0'; line = *end != '\0' ? end + 1 : end) {
		end = line + strcspn(line, "\n");
		if ((stop = memchr(line, '|', (size_t)(end - line))) == NULL)
			stop = end;
		for (p = line; p < stop; p++) {
			if (*p == ';')
				*p = ',';
		}
	}
}

int
mp_check_format(const mp_check *c, mp_format f, char **out)
{
	int r;

	if ((r = format(c, f, out)) == 0)
		unsemicolon_text(*out, f);
	return r;
}
