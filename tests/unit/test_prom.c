/* Prometheus' text exposition format (lib/prom.h): escaping, numbers,
 * the metric prefix and the state gauge. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "check_prom.h"
#include "core_config.h"
#include "output.h"
#include "prom.h"

static void
expect_sample(const mp_prom_label *l, size_t n, double v, const char *want)
{
	dynbuf b;

	dynbuf_init(&b, 4096);
	assert_int_equal(mp_prom_sample(&b, "m", l, n, v), DYNBUF_OK);
	assert_string_equal(b.data, want);
	dynbuf_free(&b);
}

static void
test_values(void **state)
{
	(void)state;
	expect_sample(NULL, 0, 0, "m 0\n");
	expect_sample(NULL, 0, 200, "m 200\n");
	expect_sample(NULL, 0, -3, "m -3\n");
	expect_sample(NULL, 0, 0.012138, "m 0.012138\n");
	expect_sample(NULL, 0, 0.1 + 0.2, "m 0.30000000000000004\n");
	expect_sample(NULL, 0, 1e300, "m 1e+300\n");
	expect_sample(NULL, 0, NAN, "m NaN\n");
	expect_sample(NULL, 0, INFINITY, "m +Inf\n");
	expect_sample(NULL, 0, -INFINITY, "m -Inf\n");
}

static void
test_labels_escaped(void **state)
{
	const mp_prom_label l[] = {
		{ "backend", "a\"b\\c\nd" },
		{ "hop", "nova" },
	};
	const mp_prom_label bad[] = { { "x", "\xff\xc3\xa9|\t" } };

	(void)state;
	expect_sample(l, 2, 1, "m{backend=\"a\\\"b\\\\c\\nd\",hop=\"nova\"} 1\n");
	/* not UTF-8: '?'; UTF-8 and other bytes as they are */
	expect_sample(bad, 1, 1, "m{x=\"?\xc3\xa9|\t\"} 1\n");
}

static void
test_family(void **state)
{
	dynbuf b;

	(void)state;
	dynbuf_init(&b, 4096);
	assert_int_equal(mp_prom_family(&b, "m", "gauge", "a \"b\" c\\d\ne"),
	    DYNBUF_OK);
	/* HELP escapes backslash and newline, not quotes */
	assert_string_equal(b.data, "# HELP m a \"b\" c\\\\d\\ne\n"
	    "# TYPE m gauge\n");
	dynbuf_free(&b);
}

static void
test_prefix(void **state)
{
	char buf[16];

	(void)state;
	assert_int_equal(mp_prom_prefix("NOVA METADATA", buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "nova_metadata");
	assert_int_equal(mp_prom_prefix("  a--b  ", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "a_b");
	assert_int_equal(mp_prom_prefix("9x", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "_9x");
	assert_int_equal(mp_prom_prefix("", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "check");
	assert_int_equal(mp_prom_prefix("9", buf, 3), 0);
	assert_string_equal(buf, "_9");
	assert_int_equal(mp_prom_prefix("9", buf, 2), -1);
	assert_int_equal(mp_prom_prefix("a b", buf, 4), 0);
	assert_string_equal(buf, "a_b");
	assert_int_equal(mp_prom_prefix("a b", buf, 3), -1);
	assert_int_equal(mp_prom_prefix("ABCDEFGHIJKLMNOP", buf,
	    sizeof(buf)), -1);
	assert_int_equal(mp_prom_prefix("ABCDEFGHIJKLMNO", buf,
	    sizeof(buf)), 0);
}

static void
test_format(void **state)
{
	mp_check *c = mp_check_new("NOVA METADATA");
	mp_format f;
	char *out = NULL;

	(void)state;
	assert_non_null(c);
	assert_int_equal(mp_format_parse("Prometheus", &f), 0);
	assert_int_equal(f, MP_FORMAT_PROMETHEUS);
	/* no sub-check: UNKNOWN, and no summary in any form */
	assert_int_equal(mp_check_set_summary(c, "-p: \"bad\""), 0);
	assert_int_equal(mp_check_format(c, f, &out), 0);
	assert_string_equal(out, "# HELP nova_metadata_state The check's "
	    "state, as its exit code: 0 OK, 1 WARNING, 2 CRITICAL, 3 "
	    "UNKNOWN.\n# TYPE nova_metadata_state gauge\n"
	    "nova_metadata_state 3\n");
	free(out);
	assert_non_null(mp_check_add(c, MP_CRITICAL, "refused"));
	assert_int_equal(mp_check_format(c, f, &out), 0);
	assert_non_null(strstr(out, "\nnova_metadata_state 2\n"));
	free(out);
	mp_check_free(c);
}

static nm_config *
prom_config(void)
{
	nm_config *cfg = nm_config_new();

	assert_non_null(cfg);
	free(cfg->instance);
	cfg->instance = strdup("32d0524b-314d-4594-b3a3-607e3f2354f8");
	assert_non_null(cfg->instance);
	cfg->output_format = MP_FORMAT_PROMETHEUS;
	return cfg;
}

#define CANARY "canary=\"32d0524b-314d-4594-b3a3-607e3f2354f8\""

/* The plugin's document: the canary's label on the run's series, each
 * target's name escaped, its hop, "none" for no reason. */
static void
test_check_format(void **state)
{
	nm_outcome v[2] = {
		{ (char *)"a\"b\\c\nd", NM_TARGET_AGENT, MP_OK,
		    NM_REASON_NONE, 200, 0.25, 10, 1 },
		{ (char *)"h:1", NM_TARGET_INSTANCE, MP_CRITICAL,
		    NM_REASON_SLOW, 200, 6, 20, 1 },
	};
	nm_outcomes o = { v, 2, false };
	nm_config *cfg = prom_config();
	mp_check *c = mp_check_new("NOVA METADATA");
	char *out = NULL;

	(void)state;
	assert_non_null(mp_check_add(c, MP_CRITICAL, "slow"));
	assert_int_equal(nm_check_format(c, cfg, &o, &out), 0);
	assert_non_null(strstr(out, "\nnova_metadata_state{" CANARY "} 2\n"));
	assert_non_null(strstr(out, "\nnova_metadata_canary_served{" CANARY
	    "} 1\n"));
	assert_non_null(strstr(out, "\nnova_metadata_up{" CANARY ",backend="
	    "\"a\\\"b\\\\c\\nd\",hop=\"agent\"} 1\n"));
	assert_non_null(strstr(out, "\nnova_metadata_reason{" CANARY
	    ",backend=\"h:1\",hop=\"instance\",reason=\"slow\"} 1\n"));
	assert_non_null(strstr(out, ",hop=\"agent\",reason=\"none\"} 1\n"));
	assert_non_null(strstr(out, "\nnova_metadata_response_time_seconds{"
	    CANARY ",backend=\"h:1\",hop=\"instance\"} 6\n"));
	free(out);
	/* a target that failed: not up, the canary not served */
	v[1].reason = NM_REASON_TIMEOUT;
	v[1].status = 0;
	assert_int_equal(nm_check_format(c, cfg, &o, &out), 0);
	assert_non_null(strstr(out, "\nnova_metadata_canary_served{" CANARY
	    "} 0\n"));
	assert_non_null(strstr(out, "hop=\"instance\",reason=\"timeout\"} "
	    "1\n"));
	assert_non_null(strstr(out, "\nnova_metadata_http_status{" CANARY
	    ",backend=\"h:1\",hop=\"instance\"} 0\n"));
	free(out);
	/* no outcomes (the whole-run limit's line): the run's series */
	assert_int_equal(nm_check_format(c, cfg, NULL, &out), 0);
	assert_non_null(strstr(out, "nova_metadata_canary_served{" CANARY
	    "} 0\n"));
	assert_null(strstr(out, "nova_metadata_up"));
	free(out);
	/* another format: the output layer's */
	cfg->output_format = MP_FORMAT_SUMMARY_ONLY;
	assert_int_equal(nm_check_format(c, cfg, &o, &out), 0);
	assert_string_equal(out, "CRITICAL: slow\n");
	free(out);
	mp_check_free(c);
	nm_config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_labels_escaped),
		cmocka_unit_test(test_family),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_check_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
