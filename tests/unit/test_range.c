#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "range.h"

static mp_range
parse_ok(const char *text)
{
	mp_range r;
	char why[MP_RANGE_WHY_MAX] = "stale";

	memset(&r, 0xa5, sizeof(r));
	assert_int_equal(mp_range_parse(text, &r, why, sizeof(why)),
	    MP_RANGE_OK);
	assert_string_equal(why, "");
	return r;
}

static void
test_forms(void **state)
{
	mp_range r;

	r = parse_ok("10");
	assert_true(r.start == 0 && r.end == 10 && !r.alert_inside);
	r = parse_ok("10:");
	assert_true(r.start == 10 && isinf(r.end) && r.end > 0);
	assert_false(r.alert_inside);
	r = parse_ok("~:10");
	assert_true(isinf(r.start) && r.start < 0 && r.end == 10);
	r = parse_ok("10:20");
	assert_true(r.start == 10 && r.end == 20 && !r.alert_inside);
	r = parse_ok("@10:20");
	assert_true(r.start == 10 && r.end == 20 && r.alert_inside);
	r = parse_ok("~:");
	assert_true(isinf(r.start) && r.start < 0 && isinf(r.end));
	r = parse_ok("-5:5");
	assert_true(r.start == -5 && r.end == 5);
	r = parse_ok("0.5:1.5");
	assert_true(r.start == 0.5 && r.end == 1.5);
	r = parse_ok("@10");
	assert_true(r.start == 0 && r.end == 10 && r.alert_inside);
	r = parse_ok("5:5");
	assert_true(r.start == 5 && r.end == 5);
	r = parse_ok("1e3");
	assert_true(r.start == 0 && r.end == 1000);
	r = parse_ok("0");
	assert_true(r.start == 0 && r.end == 0);
}

static void
test_invalid_table(void **state)
{
	static const char *bad[] = {
		"", "@", ":", "abc", "10:5", "1:2:3", "~", "@~", "10 ", " 10",
		"1e999", "nan", "0x10", "--1", "10:abc", ":10", "abc:10",
		"10:~", "inf", "-5", "@@10", "10::", "1,5", "10\n", "~:-inf",
		"5:-5", "+", "10:20 ",
	};
	mp_range r, sentinel;
	char why[MP_RANGE_WHY_MAX];
	size_t i;

	memset(&sentinel, 0x5a, sizeof(sentinel));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = sentinel;
		if (mp_range_parse(bad[i], &r, why, sizeof(why)) !=
		    MP_RANGE_INVALID)
			fail_msg("'%s' was accepted", bad[i]);
		assert_null(strchr(why, '\n'));	/* one line */
		assert_true(strlen(why) > 5);
		assert_memory_equal(&r, &sentinel, sizeof(r));
	}
}

static void
expect_cause(const char *text, const char *want)
{
	mp_range r;
	char why[MP_RANGE_WHY_MAX];

	assert_int_equal(mp_range_parse(text, &r, why, sizeof(why)),
	    MP_RANGE_INVALID);
	assert_string_equal(why, want);
}

static void
test_causes(void **state)
{
	expect_cause("10:5", "the range's start 10 is greater than its end 5");
	expect_cause("abc", "the range's end is not a number");
	expect_cause("10:abc", "the range's end is not a number");
	expect_cause("abc:10", "the range's start is not a number");
	expect_cause("1e999", "the range's end is out of range");
	expect_cause("", "range is empty");
	expect_cause("1:2:3", "the range has more than one ':'");
	expect_cause("@", "the range has no end point");
	expect_cause("~", "the range has no end point");
	expect_cause("-5", "the range's start 0 is greater than its end -5");
	/* The text itself is never quoted: it may be a secret typed into
	 * the wrong option. */
	expect_cause("S3CRETaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "the range's end is not a number");
	expect_cause("1:S3CRET", "the range's end is not a number");
}

static void
test_null_cause_allowed(void **state)
{
	mp_range r;

	char small[12];

	assert_int_equal(mp_range_parse("abc", &r, NULL, 0),
	    MP_RANGE_INVALID);
	assert_int_equal(mp_range_parse(NULL, &r, NULL, 0), MP_RANGE_INVALID);
	assert_int_equal(mp_range_parse("5", &r, NULL, 0), MP_RANGE_OK);
	/* a cause cut to the caller's buffer, still a string */
	assert_int_equal(mp_range_parse("abc", &r, small, sizeof(small)),
	    MP_RANGE_INVALID);
	assert_string_equal(small, "the range's");
	assert_int_equal(mp_range_parse("abc", &r, small, 0),
	    MP_RANGE_INVALID);
}

static void
test_boundaries(void **state)
{
	mp_range r;

	r = parse_ok("10");
	assert_false(mp_range_alerts(&r, 0));
	assert_false(mp_range_alerts(&r, 10));
	assert_true(mp_range_alerts(&r, 10.0001));
	assert_true(mp_range_alerts(&r, -0.0001));
	r = parse_ok("10:");
	assert_false(mp_range_alerts(&r, 10));
	assert_false(mp_range_alerts(&r, 1e300));
	assert_true(mp_range_alerts(&r, 9.9999));
	r = parse_ok("~:10");
	assert_false(mp_range_alerts(&r, -1e300));
	assert_false(mp_range_alerts(&r, 10));
	assert_true(mp_range_alerts(&r, 10.0001));
	r = parse_ok("10:20");
	assert_false(mp_range_alerts(&r, 10));
	assert_false(mp_range_alerts(&r, 20));
	assert_true(mp_range_alerts(&r, 9.999));
	assert_true(mp_range_alerts(&r, 20.001));
	r = parse_ok("@10:20");
	assert_true(mp_range_alerts(&r, 10));
	assert_true(mp_range_alerts(&r, 15));
	assert_true(mp_range_alerts(&r, 20));
	assert_false(mp_range_alerts(&r, 9.999));
	assert_false(mp_range_alerts(&r, 20.001));
	r = parse_ok("~:");
	assert_false(mp_range_alerts(&r, 1e300));
	assert_false(mp_range_alerts(&r, -1e300));
	r = parse_ok("-5:5");
	assert_false(mp_range_alerts(&r, -5));
	assert_true(mp_range_alerts(&r, -5.5));
	/* A measurement that is not a number alerts under any range. */
	assert_true(mp_range_alerts(&r, NAN));
}

static void
expect_format(const char *in, const char *want)
{
	mp_range r = parse_ok(in);
	char buf[64];

	assert_int_equal(mp_range_format(&r, buf, sizeof(buf)),
	    (int)strlen(want));
	assert_string_equal(buf, want);
}

static void
test_format(void **state)
{
	mp_range r;
	char buf[8];

	expect_format("10", "10");
	expect_format("0:10", "10");
	expect_format("10:", "10:");
	expect_format("~:10", "~:10");
	expect_format("10:20", "10:20");
	expect_format("@10:20", "@10:20");
	expect_format("@10", "@10");
	expect_format("~:", "~:");
	expect_format("-5:5", "-5:5");
	expect_format("0.5", "0.5");
	expect_format("0.1:0.25", "0.1:0.25");
	expect_format("1e3", "1000");
	expect_format("1234567.5", "1234567.5");
	/* perfdata numbers are [-0-9.]: no exponent */
	expect_format("1e-7", "0.0000001");
	expect_format("0:0.000001", "0.000001");
	expect_format("@~:-3", "@~:-3");
	/* 21 decimals once fell back to "%.17g": 9.9999999999999991e-22 */
	expect_format("0.000000000000000000001", "0.000000000000000000001");
	expect_format("0.0000012345678901234567", "0.0000012345678901234567");

	r = parse_ok("10:20");
	assert_int_equal(mp_range_format(&r, buf, 6), 5);
	assert_string_equal(buf, "10:20");
	assert_int_equal(mp_range_format(&r, buf, 5), -1);
	assert_int_equal(mp_range_format(&r, buf, 0), -1);
	r = parse_ok("1234567.5:2234567.5");
	assert_int_equal(mp_range_format(&r, buf, sizeof(buf)), -1);
}

static void
test_format_roundtrip(void **state)
{
	static const char *in[] = {
		"10", "10:", "~:10", "10:20", "@10:20", "0.012138", "@~:0.3",
		"-1e-300:1e300", "3.14159265358979", "0.1:0.2",
	};
	mp_range a, b;
	char buf[80];
	size_t i;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		a = parse_ok(in[i]);
		assert_true(mp_range_format(&a, buf, sizeof(buf)) > 0);
		b = parse_ok(buf);
		assert_true(a.start == b.start && a.end == b.end);
		assert_true(a.alert_inside == b.alert_inside);
	}
}

static void
test_thresholds(void **state)
{
	mp_thresholds t;

	memset(&t, 0, sizeof(t));
	assert_int_equal(mp_thresholds_state(&t, 1e9), MP_OK);

	t.has_warning = true;
	t.warning = parse_ok("1");
	t.has_critical = true;
	t.critical = parse_ok("5");
	assert_int_equal(mp_thresholds_state(&t, 0.5), MP_OK);
	assert_int_equal(mp_thresholds_state(&t, 1), MP_OK);
	assert_int_equal(mp_thresholds_state(&t, 1.5), MP_WARNING);
	assert_int_equal(mp_thresholds_state(&t, 5), MP_WARNING);
	assert_int_equal(mp_thresholds_state(&t, 5.01), MP_CRITICAL);

	/* Critical is tested first: when both alert, CRITICAL wins even if
	 * the warning range is the "wider" one. */
	t.warning = parse_ok("@0:100");
	t.critical = parse_ok("~:2");
	assert_int_equal(mp_thresholds_state(&t, 3), MP_CRITICAL);
	assert_int_equal(mp_thresholds_state(&t, 1), MP_WARNING);

	t.has_warning = false;
	assert_int_equal(mp_thresholds_state(&t, 1), MP_OK);
	assert_int_equal(mp_thresholds_state(&t, 3), MP_CRITICAL);
	t.has_critical = false;
	t.has_warning = true;
	t.warning = parse_ok("10:");
	assert_int_equal(mp_thresholds_state(&t, 3), MP_WARNING);
	assert_int_equal(mp_thresholds_state(&t, 30), MP_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_invalid_table),
		cmocka_unit_test(test_causes),
		cmocka_unit_test(test_null_cause_allowed),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_roundtrip),
		cmocka_unit_test(test_thresholds),
	};

	return cmocka_run_group_tests_name("range", tests, NULL, NULL);
}
