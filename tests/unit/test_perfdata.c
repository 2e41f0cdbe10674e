#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "perfdata.h"

static mp_range
range(const char *text)
{
	mp_range r;

	assert_int_equal(mp_range_parse(text, &r, NULL, 0), MP_RANGE_OK);
	return r;
}

static void
expect(const mp_perfdata *pd, const char *want)
{
	char buf[512];

	assert_int_equal(mp_perfdata_format(pd, buf, sizeof(buf)),
	    (int)strlen(want));
	assert_string_equal(buf, want);
}

static void
test_spec_time(void **state)
{
	mp_perfdata pd = mp_perfdata_make("time", 0.012138, 6, "s");

	pd.has_warning = true;
	pd.warning = range("1");
	pd.has_critical = true;
	pd.critical = range("5");
	pd.has_min = true;
	pd.min = 0;
	expect(&pd, "time=0.012138s;1;5;0;");
}

static void
test_spec_size(void **state)
{
	mp_perfdata pd = mp_perfdata_make("size", 210, 0, "B");

	pd.has_min = true;
	pd.min = 0;
	expect(&pd, "size=210B;;;0;");
}

static void
test_value_only(void **state)
{
	mp_perfdata pd = mp_perfdata_make("x", 1, 0, "");

	expect(&pd, "x=1");
	pd = mp_perfdata_make("x", 1.5, 3, "%");
	expect(&pd, "x=1.500%");
	pd = mp_perfdata_make("neg", -2.5, 1, "s");
	expect(&pd, "neg=-2.5s");
	pd = mp_perfdata_make("big", 1e12, 0, "B");
	expect(&pd, "big=1000000000000B");
}

static void
test_field_combinations(void **state)
{
	mp_perfdata pd = mp_perfdata_make("t", 2, 0, "s");

	pd.has_warning = true;
	pd.warning = range("10:20");
	expect(&pd, "t=2s;10:20");
	pd.has_critical = true;
	pd.critical = range("@~:5");
	expect(&pd, "t=2s;10:20;@~:5");
	pd.has_warning = false;
	expect(&pd, "t=2s;;@~:5");
	pd.has_max = true;
	pd.max = 100;
	expect(&pd, "t=2s;;@~:5;;100");
	pd.has_min = true;
	pd.min = -1.5;
	expect(&pd, "t=2s;;@~:5;-1.5;100");
	pd.has_critical = false;
	expect(&pd, "t=2s;;;-1.5;100");
	pd.has_min = false;
	expect(&pd, "t=2s;;;;100");
	pd.has_warning = true;
	pd.warning = range("10:");
	pd.has_max = false;
	pd.has_min = true;
	pd.min = 0;
	expect(&pd, "t=2s;10:;;0;");
}

static void
test_label_quoting(void **state)
{
	mp_perfdata pd = mp_perfdata_make("response time", 1, 0, "s");

	expect(&pd, "'response time'=1s");
	pd = mp_perfdata_make("it's=bad", 1, 0, "");
	assert_string_equal(pd.label, "it_s_bad");
	expect(&pd, "it_s_bad=1");
	pd = mp_perfdata_make("a b'c", 2, 0, "");
	expect(&pd, "'a b_c'=2");
}

static void
test_make_truncates(void **state)
{
	char longlabel[500];	/* longer than any label holds */
	mp_perfdata pd;

	memset(longlabel, 'L', sizeof(longlabel) - 1);
	longlabel[sizeof(longlabel) - 1] = '\0';
	pd = mp_perfdata_make(longlabel, 1, 0, "bytes");
	assert_int_equal(strlen(pd.label), sizeof(pd.label) - 1);
	assert_string_equal(pd.uom, "byt");
	assert_false(pd.has_warning || pd.has_critical);
	assert_false(pd.has_min || pd.has_max);
	assert_int_equal(pd.decimals, 0);
	pd = mp_perfdata_make(NULL, 1, 0, NULL);
	assert_string_equal(pd.label, "");
	assert_string_equal(pd.uom, "");
}

static void
test_decimals(void **state)
{
	mp_perfdata pd = mp_perfdata_make("t", 0.1234567, 6, "s");

	expect(&pd, "t=0.123457s");
	pd.decimals = 0;
	expect(&pd, "t=0s");
	pd.decimals = -3;	/* treated as 0, never a negative precision */
	expect(&pd, "t=0s");
	pd.value = 0.125;
	pd.decimals = 1000;	/* capped: must still fit and not crash */
	expect(&pd, "t=0.12500000000000000s");
}

static void
test_not_finite(void **state)
{
	mp_perfdata pd = mp_perfdata_make("t", NAN, 6, "s");

	expect(&pd, "t=U");
	pd.value = INFINITY;
	pd.has_min = true;
	pd.min = 0;
	pd.has_max = true;
	pd.max = INFINITY;
	expect(&pd, "t=U;;;0;");
}

static void
test_buffer_too_small(void **state)
{
	mp_perfdata pd = mp_perfdata_make("time", 0.012138, 6, "s");
	char buf[32];

	pd.has_warning = true;
	pd.warning = range("1");
	pd.has_critical = true;
	pd.critical = range("5");
	pd.has_min = true;
	pd.min = 0;
	/* "time=0.012138s;1;5;0;" is 21 characters */
	assert_int_equal(mp_perfdata_format(&pd, buf, 22), 21);
	assert_string_equal(buf, "time=0.012138s;1;5;0;");
	assert_int_equal(mp_perfdata_format(&pd, buf, 21), -1);
	assert_int_equal(mp_perfdata_format(&pd, buf, 10), -1);
	assert_int_equal(mp_perfdata_format(&pd, buf, 1), -1);
	assert_int_equal(mp_perfdata_format(&pd, buf, 0), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_time),
		cmocka_unit_test(test_spec_size),
		cmocka_unit_test(test_value_only),
		cmocka_unit_test(test_field_combinations),
		cmocka_unit_test(test_label_quoting),
		cmocka_unit_test(test_make_truncates),
		cmocka_unit_test(test_decimals),
		cmocka_unit_test(test_not_finite),
		cmocka_unit_test(test_buffer_too_small),
	};

	return cmocka_run_group_tests_name("perfdata", tests, NULL, NULL);
}
