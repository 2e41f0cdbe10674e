#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "numparse.h"

static void
test_ulong_valid(void **state)
{
	static const struct {
		const char *in;
		unsigned long want;
	} t[] = {
		{ "0", 0 }, { "1", 1 }, { "8775", 8775 }, { "65535", 65535 },
		{ "007", 7 }, { "4294967295", 4294967295UL },
	};
	unsigned long v;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		v = 12345;
		assert_int_equal(np_parse_ulong(t[i].in, 0, ULONG_MAX, &v),
		    NP_OK);
		assert_true(v == t[i].want);
	}
}

static void
test_ulong_invalid(void **state)
{
	static const struct {
		const char *in;
		np_err want;
	} t[] = {
		{ NULL, NP_EMPTY }, { "", NP_EMPTY },
		{ " 1", NP_JUNK }, { "\t1", NP_JUNK }, { "1 ", NP_JUNK },
		{ "+1", NP_JUNK }, { "-1", NP_RANGE }, { "-", NP_JUNK },
		{ "0x10", NP_JUNK }, { "1a", NP_JUNK }, { "abc", NP_JUNK },
		{ "1.5", NP_JUNK }, { "1e3", NP_JUNK }, { "\n", NP_JUNK },
		{ "18446744073709551616", NP_RANGE },	/* ULONG_MAX + 1 */
		{ "99999999999999999999999", NP_RANGE },
	};
	unsigned long v;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		v = 4242;
		assert_int_equal(np_parse_ulong(t[i].in, 0, ULONG_MAX, &v),
		    t[i].want);
		assert_true(v == 4242);	/* untouched on failure */
	}
}

static void
test_ulong_bounds(void **state)
{
	unsigned long v = 0;
	char buf[32];

	assert_int_equal(np_parse_ulong("1", 1, 65535, &v), NP_OK);
	assert_true(v == 1);
	assert_int_equal(np_parse_ulong("65535", 1, 65535, &v), NP_OK);
	assert_true(v == 65535);
	assert_int_equal(np_parse_ulong("0", 1, 65535, &v), NP_RANGE);
	assert_int_equal(np_parse_ulong("65536", 1, 65535, &v), NP_RANGE);
	assert_true(snprintf(buf, sizeof(buf), "%lu", ULONG_MAX) > 0);
	assert_int_equal(np_parse_ulong(buf, 0, ULONG_MAX, &v), NP_OK);
	assert_true(v == ULONG_MAX);
}

static void
test_ulong_errno_cleared(void **state)
{
	unsigned long v = 0;

	/* A stale ERANGE from an earlier call must not fail a good number. */
	errno = ERANGE;
	assert_int_equal(np_parse_ulong("10", 0, 100, &v), NP_OK);
	assert_true(v == 10);
}

static void
test_double_valid(void **state)
{
	static const struct {
		const char *in;
		double want;
	} t[] = {
		{ "0", 0 }, { "1", 1 }, { "-0.5", -0.5 }, { "+2", 2 },
		{ "1e3", 1000 }, { "1E-3", 0.001 }, { "0.012138", 0.012138 },
		{ ".5", 0.5 }, { "5.", 5 }, { "-5", -5 },
		{ "1e308", 1e308 },
	};
	double v;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		v = -1234;
		assert_int_equal(np_parse_double(t[i].in, &v), NP_OK);
		assert_true(v == t[i].want);
	}
}

static void
test_double_invalid(void **state)
{
	static const struct {
		const char *in;
		np_err want;
	} t[] = {
		{ NULL, NP_EMPTY }, { "", NP_EMPTY },
		{ " 1", NP_JUNK }, { "1 ", NP_JUNK }, { "\n1", NP_JUNK },
		{ "0x10", NP_JUNK }, { "0X1p3", NP_JUNK }, { "-0x1", NP_JUNK },
		{ "abc", NP_JUNK }, { "1e", NP_JUNK }, { "--1", NP_JUNK },
		{ "1,5", NP_JUNK }, { "~", NP_JUNK }, { "1:2", NP_JUNK },
		{ "inf", NP_RANGE }, { "-inf", NP_RANGE }, { "INF", NP_RANGE },
		{ "infinity", NP_RANGE }, { "nan", NP_JUNK }, { "NaN", NP_JUNK },
		{ "1e400", NP_RANGE }, { "-1e400", NP_RANGE }, { "1e999", NP_RANGE },
		{ "nanx", NP_JUNK },
	};
	double v;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		v = 77;
		assert_int_equal(np_parse_double(t[i].in, &v), t[i].want);
		assert_true(v == 77);
	}
}

static void
test_strerror(void **state)
{
	assert_string_equal(np_strerror(NP_EMPTY), "is empty");
	assert_string_equal(np_strerror(NP_JUNK), "is not a number");
	assert_string_equal(np_strerror(NP_RANGE), "is out of range");
	assert_non_null(np_strerror((np_err)99));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ulong_valid),
		cmocka_unit_test(test_ulong_invalid),
		cmocka_unit_test(test_ulong_bounds),
		cmocka_unit_test(test_ulong_errno_cleared),
		cmocka_unit_test(test_double_valid),
		cmocka_unit_test(test_double_invalid),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests_name("numparse", tests, NULL, NULL);
}
