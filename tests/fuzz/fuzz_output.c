/* libFuzzer target: server text through the output layer. The input is
 * split at NUL bytes: the summary, then the texts of up to 8 sub-checks.
 * Classic output must have one line per sub-check after the first and a
 * single '|', the perfdata separator; the test JSON must parse, carry
 * the texts scrubbed and its numbers as the very doubles given. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz.h"
#include "output.h"

#define MAX_SUBS 8
/* A time that needs 17 digits to read back, beside one that needs 5: the
 * document's precision must serve both. */
#define TIME_A 0.012138
#define TIME_B (0.1 + 0.2)

static void
check_classic(const char *out, size_t subs)
{
	const char *bar = strchr(out, '|'), *p;
	size_t lines = 0;

	/* the '|' is on the first line, and the only one */
	if (bar == NULL || strchr(bar + 1, '|') != NULL ||
	    memchr(out, '\n', (size_t)(bar - out)) != NULL)
		abort();
	for (p = out; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	if (lines != 1 + subs || out[strlen(out) - 1] != '\n')
		abort();
}

static void
check_json(const char *out, size_t subs)
{
	json_t *root = json_loads(out, 0, NULL), *checks;
	const char *summary;
	size_t i;

	checks = json_object_get(root, "checks");
	summary = json_string_value(json_object_get(root, "summary"));
	if (summary == NULL || !fuzz_clean_text(summary) ||
	    json_array_size(checks) != subs)
		abort();
	for (i = 0; i < subs; i++) {
		json_t *perf = json_object_get(json_array_get(checks, i),
		    "perfdata");

		summary = json_string_value(json_object_get(
		    json_array_get(checks, i), "output"));
		if (summary == NULL || !fuzz_clean_text(summary) ||
		    json_real_value(json_object_get(json_array_get(perf, 0),
		    "value")) != (i % 2 == 0 ? TIME_A : TIME_B))
			abort();
	}
	json_decref(root);
}

/* Sub-checks from the NUL-separated texts; their count, or -1. */
static int
add_subchecks(mp_check *c, const char *p, const char *end)
{
	static const mp_state states[] = { MP_OK, MP_WARNING, MP_CRITICAL,
	    MP_UNKNOWN };
	mp_perfdata pd;
	mp_subcheck *sc;
	int n = 0;

	for (; p < end && n < MAX_SUBS; p += strlen(p) + 1, n++) {
		pd = mp_perfdata_make("time", n % 2 == 0 ? TIME_A : TIME_B, 6,
		    "s");
		if ((sc = mp_check_add(c, states[n % 4], "%s", p)) == NULL ||
		    mp_subcheck_add_perfdata(sc, &pd) != 0)
			return -1;
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *out = NULL;
	mp_check *c = NULL;
	int subs;

	/* fuzz_text added a NUL at text[size]: each piece ends in one */
	if (text == NULL || (c = mp_check_new("FUZZ")) == NULL ||
	    mp_check_set_summary(c, "%s", text) != 0)
		goto out;
	subs = add_subchecks(c, text + strlen(text) + 1, text + size);
	if (subs == 0)	/* at least one, for the perfdata separator */
		subs = add_subchecks(c, text, text + strlen(text) + 1);
	if (subs <= 0)
		goto out;
	if (mp_check_format(c, MP_FORMAT_CLASSIC, &out) == 0)
		check_classic(out, (size_t)subs);
	free(out);
	out = NULL;
	if (mp_check_format(c, MP_FORMAT_TEST_JSON, &out) == 0)
		check_json(out, (size_t)subs);
 out:
	free(out);
	mp_check_free(c);
	free(text);
	return 0;
}
