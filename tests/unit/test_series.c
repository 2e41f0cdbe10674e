#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "visit_targets.h"

/* The perfdata suffix of the i-th of names, as several targets'. */
static void
expect_series(const char **names, size_t n, size_t i, const char *want)
{
	nm_target v[8];
	nm_targets ts;
	char buf[384];
	size_t j;

	assert_true(n <= sizeof(v) / sizeof(v[0]));
	memset(v, 0, sizeof(v));
	for (j = 0; j < n; j++)
		v[j].name = (char *)names[j];
	ts.v = v;
	ts.count = n;
	assert_int_equal(nm_target_series(&ts, i, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

/* Only letters, digits, "-" and "_": what Graphite's paths (dots are
 * levels, brackets globs), PNP4Nagios' file names and InfluxDB's tags
 * keep as they are. */
static void
test_words(void **state)
{
	const char *names[] = { "127.0.0.1:8775", "[fd00::13]:8775",
	    "meta.example[10.0.0.5]:8775", "agent", "nova-api-1:8775",
	    "[fe80::a9fe:a9fe%eth0]:80" };

	(void)state;
	expect_series(names, 6, 0, "127_0_0_1_8775");
	expect_series(names, 6, 1, "fd00__13_8775");
	expect_series(names, 6, 2, "meta_example_10_0_0_5_8775");
	expect_series(names, 6, 3, "agent");
	expect_series(names, 6, 4, "nova-api-1_8775");
	expect_series(names, 6, 5, "fe80__a9fe_a9fe_eth0_80");
}

/* Two names that make the same word: the later one is told apart by
 * its place, the same in every run with the same -H. */
static void
test_unique(void **state)
{
	const char *names[] = { "a.b:80", "a_b:80", "c:80", "a-b:80" };
	char buf[8];
	nm_targets ts;
	nm_target v[1];

	(void)state;
	expect_series(names, 4, 0, "a_b_80");
	expect_series(names, 4, 1, "a_b_80_2");
	expect_series(names, 4, 3, "a-b_80");
	/* A word that does not fit is an error, never cut. */
	memset(v, 0, sizeof(v));
	v[0].name = (char *)"127.0.0.1:8775";
	ts.v = v;
	ts.count = 1;
	assert_int_equal(nm_target_series(&ts, 0, buf, sizeof(buf)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_unique),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
