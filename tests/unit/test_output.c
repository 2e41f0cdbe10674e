#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "output.h"

static char *
format(const mp_check *c, mp_format f)
{
	char *out = NULL;

	assert_int_equal(mp_check_format(c, f, &out), 0);
	assert_non_null(out);
	return out;
}

static void
expect_format(const mp_check *c, mp_format f, const char *want)
{
	char *out = format(c, f);

	assert_string_equal(out, want);
	free(out);
}

static void
expect_classic(const mp_check *c, const char *want)
{
	expect_format(c, MP_FORMAT_CLASSIC, want);
}

static mp_perfdata
time_perf(double v)
{
	mp_perfdata pd = mp_perfdata_make("time", v, 6, "s");

	pd.has_warning = true;
	assert_int_equal(mp_range_parse("1", &pd.warning, NULL, 0),
	    MP_RANGE_OK);
	pd.has_critical = true;
	assert_int_equal(mp_range_parse("5", &pd.critical, NULL, 0),
	    MP_RANGE_OK);
	pd.has_min = true;
	pd.min = 0;
	return pd;
}

static void
test_state_names(void **state)
{
	mp_state s;

	assert_string_equal(mp_state_name(MP_OK), "OK");
	assert_string_equal(mp_state_name(MP_WARNING), "WARNING");
	assert_string_equal(mp_state_name(MP_CRITICAL), "CRITICAL");
	assert_string_equal(mp_state_name(MP_UNKNOWN), "UNKNOWN");
	assert_string_equal(mp_state_name((mp_state)42), "UNKNOWN");
	assert_int_equal(mp_state_parse("critical", &s), 0);
	assert_int_equal(s, MP_CRITICAL);
	assert_int_equal(mp_state_parse("Warning", &s), 0);
	assert_int_equal(s, MP_WARNING);
	assert_int_equal(mp_state_parse("OK", &s), 0);
	assert_int_equal(s, MP_OK);
	assert_int_equal(mp_state_parse("unknown", &s), 0);
	assert_int_equal(s, MP_UNKNOWN);
	assert_int_equal(mp_state_parse("0", &s), 0);
	assert_int_equal(s, MP_OK);
	assert_int_equal(mp_state_parse("3", &s), 0);
	assert_int_equal(s, MP_UNKNOWN);
	s = MP_WARNING;
	assert_int_equal(mp_state_parse("4", &s), -1);
	assert_int_equal(mp_state_parse("", &s), -1);
	assert_int_equal(mp_state_parse("CRIT", &s), -1);
	assert_int_equal(mp_state_parse(" OK", &s), -1);
	assert_int_equal(mp_state_parse("02", &s), -1);
	assert_int_equal(mp_state_parse(NULL, &s), -1);
	assert_int_equal(s, MP_WARNING);
}

static void
test_state_worst(void **state)
{
	assert_int_equal(mp_state_worst(MP_OK, MP_OK), MP_OK);
	assert_int_equal(mp_state_worst(MP_OK, MP_UNKNOWN), MP_UNKNOWN);
	assert_int_equal(mp_state_worst(MP_UNKNOWN, MP_WARNING), MP_WARNING);
	assert_int_equal(mp_state_worst(MP_WARNING, MP_UNKNOWN), MP_WARNING);
	assert_int_equal(mp_state_worst(MP_CRITICAL, MP_UNKNOWN),
	    MP_CRITICAL);
	assert_int_equal(mp_state_worst(MP_UNKNOWN, MP_CRITICAL),
	    MP_CRITICAL);
	assert_int_equal(mp_state_worst(MP_WARNING, MP_CRITICAL),
	    MP_CRITICAL);
	assert_int_equal(mp_state_worst(MP_OK, (mp_state)9), MP_UNKNOWN);
}

static void
test_classic_ok(void **state)
{
	mp_check *c = mp_check_new("NOVA METADATA");
	mp_subcheck *sc;
	mp_perfdata size = mp_perfdata_make("size", 210, 0, "B");

	assert_non_null(c);
	assert_int_equal(mp_check_state(c), MP_UNKNOWN);
	assert_non_null(sc = mp_check_add(c, MP_OK, "signature accepted"));
	assert_non_null(sc = mp_check_add(c, MP_OK, "%d/%d keys", 2, 2));
	size.has_min = true;
	size.min = 0;
	assert_non_null(sc = mp_check_add(c, MP_OK, "response time %.3f s",
	    0.012138));
	{
		mp_perfdata t = time_perf(0.012138);

		assert_int_equal(mp_subcheck_add_perfdata(sc, &t), 0);
	}
	assert_int_equal(mp_subcheck_add_perfdata(sc, &size), 0);
	assert_int_equal(mp_check_set_summary(c, "canary %s on %s:%d: "
	    "HTTP %d, 2/2 keys, 0.012 s", "32d0524b", "127.0.0.1", 8775,
	    200), 0);
	assert_int_equal(mp_check_state(c), MP_OK);
	expect_classic(c,
	    "NOVA METADATA OK - canary 32d0524b on 127.0.0.1:8775: HTTP 200, "
	    "2/2 keys, 0.012 s | time=0.012138s;1;5;0; size=210B;;;0;\n"
	    "\\_ [OK] signature accepted\n"
	    "\\_ [OK] 2/2 keys\n"
	    "\\_ [OK] response time 0.012 s\n");
	mp_check_free(c);
}

/* monitoring-plugins 3.x's formats, as its lib/output.c writes them. */
static void
test_mp3_formats(void **state)
{
	mp_check *c = mp_check_new("NOVA METADATA");
	mp_subcheck *sc;
	mp_perfdata t = time_perf(1.5);

	(void)state;
	assert_non_null(mp_check_add(c, MP_OK, "signature accepted"));
	assert_non_null(sc = mp_check_add(c, MP_WARNING, "slow"));
	assert_int_equal(mp_subcheck_add_perfdata(sc, &t), 0);
	assert_int_equal(mp_check_set_summary(c, "canary on h:1"), 0);
	expect_format(c, MP_FORMAT_SUMMARY_ONLY, "WARNING: canary on h:1\n");
	expect_format(c, MP_FORMAT_ONE_LINE, "WARNING: canary on h:1 - "
	    "[WARNING] slow - [OK] signature accepted | "
	    "time=1.500000s;1;5;0;\n");
	expect_format(c, MP_FORMAT_MULTI_LINE, "[WARNING] - canary on h:1\n"
	    "\t\\_[WARNING] - slow\n"
	    "\t\\_[OK] - signature accepted|time=1.500000s;1;5;0;\n");
	mp_check_free(c);
	/* no sub-checks, no perfdata: a usage error */
	c = mp_check_new("NOVA METADATA");
	assert_int_equal(mp_check_set_summary(c, "-p: bad"), 0);
	expect_format(c, MP_FORMAT_MULTI_LINE, "[UNKNOWN] - -p: bad\n");
	expect_format(c, MP_FORMAT_ICINGAWEB2, "[UNKNOWN] - -p: bad\n");
	expect_format(c, MP_FORMAT_ONE_LINE, "UNKNOWN: -p: bad\n");
	mp_check_free(c);
}

/* JSON numbers read back exactly, and are as short as that allows
 * within jansson's one "%.*g" precision of at least 15 digits (a
 * subnormal keeps its 15; exponents as jansson writes them). */
static void
test_json_numbers_shortest(void **state)
{
	static const struct {
		double v;
		const char *text;
	} cases[] = {
		{ 0.012981, "\"value\":0.012981," },
		{ 0.1, "\"value\":0.1," },
		{ 10, "\"value\":10.0," },
		{ 1.0 / 3, "\"value\":0.3333333333333333," },
		{ 123456.789, "\"value\":123456.789," },
		{ 5e-324, "\"value\":4.94065645841247e-324," },
		{ 1.5e-7, "\"value\":1.5e-7," },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mp_check *c = mp_check_new("L");
		mp_subcheck *sc = mp_check_add(c, MP_OK, "x");
		mp_perfdata pd = mp_perfdata_make("t", cases[i].v, 6, "s");
		char *out;
		json_t *root;

		assert_int_equal(mp_subcheck_add_perfdata(sc, &pd), 0);
		out = format(c, MP_FORMAT_TEST_JSON);
		if (strstr(out, cases[i].text) == NULL)
			fail_msg("%s not in %s", cases[i].text, out);
		/* and it reads back as the very same double */
		assert_non_null(root = json_loads(out, 0, NULL));
		assert_true(json_real_value(json_object_get(json_array_get(
		    json_object_get(json_array_get(json_object_get(root,
		    "checks"), 0), "perfdata"), 0), "value")) == cases[i].v);
		json_decref(root);
		free(out);
		mp_check_free(c);
	}
}

/* A number that needs 17 digits raises the document's precision: every
 * real still reads back as the very same double. */
static void
test_json_numbers_mixed(void **state)
{
	const double v[] = { 0.1 + 0.2, 0.012981, 10 };
	mp_check *c = mp_check_new("L");
	mp_subcheck *sc = mp_check_add(c, MP_OK, "x");
	json_t *root, *perf;
	char *out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		mp_perfdata pd = mp_perfdata_make("t", v[i], 6, "s");

		assert_int_equal(mp_subcheck_add_perfdata(sc, &pd), 0);
	}
	out = format(c, MP_FORMAT_TEST_JSON);
	assert_non_null(root = json_loads(out, 0, NULL));
	perf = json_object_get(json_array_get(json_object_get(root,
	    "checks"), 0), "perfdata");
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_true(json_real_value(json_object_get(json_array_get(perf,
		    i), "value")) == v[i]);
	json_decref(root);
	free(out);
	mp_check_free(c);
}

static void
test_classic_warning(void **state)
{
	mp_check *c = mp_check_new("NOVA METADATA");
	mp_subcheck *sc;
	mp_perfdata t = time_perf(1.5);

	assert_non_null(mp_check_add(c, MP_OK, "signature accepted"));
	assert_non_null(sc = mp_check_add(c, MP_WARNING,
	    "response time 1.500 s (warning 1)"));
	assert_int_equal(mp_subcheck_add_perfdata(sc, &t), 0);
	assert_int_equal(mp_check_state(c), MP_WARNING);
	/* no summary set: the worst sub-check speaks */
	expect_classic(c,
	    "NOVA METADATA WARNING - response time 1.500 s (warning 1) | "
	    "time=1.500000s;1;5;0;\n"
	    "\\_ [WARNING] response time 1.500 s (warning 1)\n"
	    "\\_ [OK] signature accepted\n");
	mp_check_free(c);
}

static void
test_classic_critical(void **state)
{
	mp_check *c = mp_check_new("NOVA METADATA");

	assert_non_null(mp_check_add(c, MP_CRITICAL, "signature rejected"));
	assert_non_null(mp_check_add(c, MP_WARNING, "slow"));
	assert_non_null(mp_check_add(c, MP_CRITICAL, "key missing"));
	assert_int_equal(mp_check_state(c), MP_CRITICAL);
	/* no perfdata: no " | " */
	expect_classic(c,
	    "NOVA METADATA CRITICAL - signature rejected\n"
	    "\\_ [CRITICAL] signature rejected\n"
	    "\\_ [CRITICAL] key missing\n"
	    "\\_ [WARNING] slow\n");
	mp_check_free(c);
}

static void
test_classic_unknown(void **state)
{
	mp_check *c = mp_check_new("NOVA METADATA");

	assert_non_null(mp_check_add(c, MP_OK, "fine"));
	assert_non_null(mp_check_add(c, MP_UNKNOWN, "could not tell"));
	assert_int_equal(mp_check_state(c), MP_UNKNOWN);
	expect_classic(c,
	    "NOVA METADATA UNKNOWN - could not tell\n"
	    "\\_ [UNKNOWN] could not tell\n"
	    "\\_ [OK] fine\n");
	mp_check_free(c);
}

static void
test_no_subchecks(void **state)
{
	mp_check *c = mp_check_new("NOVA METADATA");

	assert_int_equal(mp_check_state(c), MP_UNKNOWN);
	expect_classic(c, "NOVA METADATA UNKNOWN - no checks\n");
	assert_int_equal(mp_check_set_summary(c, "-w: '%s' is not a number",
	    "abc"), 0);
	expect_classic(c,
	    "NOVA METADATA UNKNOWN - -w: 'abc' is not a number\n");
	mp_check_free(c);

	c = mp_check_new(NULL);	/* no label: the line starts with the state */
	expect_classic(c, "UNKNOWN - no checks\n");
	mp_check_free(c);
}

static void
test_worst_state_order(void **state)
{
	static const struct {
		mp_state a, b, want;
	} t[] = {
		{ MP_OK, MP_OK, MP_OK },
		{ MP_OK, MP_UNKNOWN, MP_UNKNOWN },
		{ MP_UNKNOWN, MP_WARNING, MP_WARNING },
		{ MP_WARNING, MP_UNKNOWN, MP_WARNING },
		{ MP_UNKNOWN, MP_CRITICAL, MP_CRITICAL },
		{ MP_CRITICAL, MP_WARNING, MP_CRITICAL },
		{ MP_OK, MP_WARNING, MP_WARNING },
	};
	mp_check *c;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_non_null(c = mp_check_new("L"));
		assert_non_null(mp_check_add(c, t[i].a, "a"));
		assert_non_null(mp_check_add(c, t[i].b, "b"));
		assert_int_equal(mp_check_state(c), t[i].want);
		mp_check_free(c);
	}
}

/* Several targets: each one's sub-checks nested under it, its perfdata
 * labels suffixed, in every format. */
static void
test_nested(void **state)
{
	mp_check *c = mp_check_new("L"), *a = mp_check_new(""), *b;
	mp_perfdata pd = mp_perfdata_make("time", 0.5, 1, "s");
	mp_subcheck *sc;

	(void)state;
	b = mp_check_new("");
	assert_non_null(sc = mp_check_add(a, MP_OK, "a1"));
	assert_int_equal(mp_subcheck_add_perfdata(sc, &pd), 0);
	assert_non_null(mp_check_add(b, MP_CRITICAL, "b1"));
	assert_int_equal(mp_check_suffix_perfdata(a, "h_1"), 0);
	assert_non_null(mp_check_add_nested(c, MP_OK, a, "h:1: fine"));
	assert_non_null(mp_check_add_nested(c, MP_CRITICAL, b, "h:2: bad"));
	assert_int_equal(mp_check_state(c), MP_CRITICAL);
	assert_int_equal(mp_check_set_summary(c, "1/2 backends OK"), 0);
	expect_classic(c, "L CRITICAL - 1/2 backends OK | time_h_1=0.5s\n"
	    "\\_ [CRITICAL] h:2: bad\n"
	    "    \\_ [CRITICAL] b1\n"
	    "\\_ [OK] h:1: fine\n"
	    "    \\_ [OK] a1\n");
	expect_format(c, MP_FORMAT_MULTI_LINE, "[CRITICAL] - 1/2 backends OK\n"
	    "\t\\_[CRITICAL] - h:2: bad\n\t\t\\_[CRITICAL] - b1\n"
	    "\t\\_[OK] - h:1: fine\n\t\t\\_[OK] - a1"
	    "|time_h_1=0.5s\n");
	/* Icinga Web 2 trims the long output: no line may lean on a
	 * leading tab that the first one would lose */
	expect_format(c, MP_FORMAT_ICINGAWEB2, "[CRITICAL] - 1/2 backends OK\n"
	    "\\_[CRITICAL] - h:2: bad\n\t\\_[CRITICAL] - b1\n"
	    "\\_[OK] - h:1: fine\n\t\\_[OK] - a1"
	    "|time_h_1=0.5s\n");
	expect_format(c, MP_FORMAT_ONE_LINE, "CRITICAL: 1/2 backends OK - "
	    "[CRITICAL] h:2: bad - [CRITICAL] b1 - [OK] h:1: fine - [OK] a1 | "
	    "time_h_1=0.5s\n");
	expect_format(c, MP_FORMAT_TEST_JSON, "{\"label\":\"L\","
	    "\"state\":\"CRITICAL\",\"summary\":\"1/2 backends OK\","
	    "\"checks\":[{\"state\":\"OK\",\"output\":\"h:1: fine\","
	    "\"perfdata\":[],\"checks\":[{\"state\":\"OK\",\"output\":"
	    "\"a1\",\"perfdata\":[{\"label\":\"time_h_1\",\"value\":0.5,"
	    "\"uom\":\"s\"}]}]},{\"state\":\"CRITICAL\",\"output\":"
	    "\"h:2: bad\",\"perfdata\":[],\"checks\":[{\"state\":"
	    "\"CRITICAL\",\"output\":\"b1\",\"perfdata\":[]}]}]}\n");
	mp_check_free(c);
}

/* The long output lists sub-checks worst first at every level, ties in
 * the order added (out-of-range states rank as UNKNOWN); perfdata and
 * JSON keep the order added. */
static void
test_worst_first(void **state)
{
	mp_check *c = mp_check_new("L"), *n = mp_check_new("");
	mp_perfdata p1 = mp_perfdata_make("p1", 1, 0, ""),
	    p2 = mp_perfdata_make("p2", 2, 0, "");
	mp_subcheck *sc;
	json_t *root, *checks;
	char *out;
	size_t i;
	static const char *const added[] = { "ok1", "warn", "unknown",
	    "crit1", "ok2", "odd", "crit2" };

	(void)state;
	assert_non_null(sc = mp_check_add(c, MP_OK, "ok1"));
	assert_int_equal(mp_subcheck_add_perfdata(sc, &p1), 0);
	assert_non_null(mp_check_add(n, MP_OK, "n-ok"));
	assert_non_null(mp_check_add(n, MP_WARNING, "n-warn"));
	assert_non_null(mp_check_add_nested(c, MP_WARNING, n, "warn"));
	assert_non_null(mp_check_add(c, MP_UNKNOWN, "unknown"));
	assert_non_null(mp_check_add(c, MP_CRITICAL, "crit1"));
	assert_non_null(sc = mp_check_add(c, MP_OK, "ok2"));
	assert_int_equal(mp_subcheck_add_perfdata(sc, &p2), 0);
	assert_non_null(mp_check_add(c, (mp_state)7, "odd"));
	assert_non_null(mp_check_add(c, MP_CRITICAL, "crit2"));
	expect_classic(c, "L CRITICAL - crit1 | p1=1 p2=2\n"
	    "\\_ [CRITICAL] crit1\n"
	    "\\_ [CRITICAL] crit2\n"
	    "\\_ [WARNING] warn\n"
	    "    \\_ [WARNING] n-warn\n"
	    "    \\_ [OK] n-ok\n"
	    "\\_ [UNKNOWN] unknown\n"
	    "\\_ [UNKNOWN] odd\n"
	    "\\_ [OK] ok1\n"
	    "\\_ [OK] ok2\n");
	expect_format(c, MP_FORMAT_ONE_LINE, "CRITICAL: crit1 - "
	    "[CRITICAL] crit1 - [CRITICAL] crit2 - [WARNING] warn - "
	    "[WARNING] n-warn - [OK] n-ok - [UNKNOWN] unknown - "
	    "[UNKNOWN] odd - [OK] ok1 - [OK] ok2 | p1=1 p2=2\n");
	/* JSON: the record for programs, each element where it was added */
	out = format(c, MP_FORMAT_TEST_JSON);
	assert_non_null(root = json_loads(out, 0, NULL));
	checks = json_object_get(root, "checks");
	assert_int_equal(json_array_size(checks), 7);
	for (i = 0; i < 7; i++)
		assert_string_equal(json_string_value(json_object_get(
		    json_array_get(checks, i), "output")), added[i]);
	json_decref(root);
	free(out);
	mp_check_free(c);
}

/* A hidden sub-check has no line in the text formats; its state counts,
 * its perfdata stays in its place, JSON keeps it. */
static void
test_hidden(void **state)
{
	mp_check *c = mp_check_new("L"), *n = mp_check_new("");
	mp_perfdata p1 = mp_perfdata_make("p1", 1, 0, ""),
	    p2 = mp_perfdata_make("p2", 2, 0, "");
	mp_subcheck *sc;
	char *out;

	(void)state;
	assert_non_null(sc = mp_check_add(c, MP_OK, "time"));
	assert_int_equal(mp_subcheck_add_perfdata(sc, &p1), 0);
	mp_subcheck_hide(sc);
	assert_non_null(mp_check_add(n, MP_OK, "under"));
	assert_non_null(sc = mp_check_add_nested(c, MP_WARNING, n, "gone"));
	mp_subcheck_hide(sc);
	assert_non_null(sc = mp_check_add(c, MP_CRITICAL, "bad"));
	assert_int_equal(mp_subcheck_add_perfdata(sc, &p2), 0);
	assert_int_equal(mp_check_state(c), MP_CRITICAL);
	expect_classic(c, "L CRITICAL - bad | p1=1 p2=2\n"
	    "\\_ [CRITICAL] bad\n");
	expect_format(c, MP_FORMAT_ONE_LINE, "CRITICAL: bad - [CRITICAL] bad "
	    "| p1=1 p2=2\n");
	expect_format(c, MP_FORMAT_ICINGAWEB2, "[CRITICAL] - bad\n"
	    "\\_[CRITICAL] - bad|p1=1 p2=2\n");
	out = format(c, MP_FORMAT_TEST_JSON);
	assert_non_null(strstr(out, "\"output\":\"time\""));
	assert_non_null(strstr(out, "\"output\":\"under\""));
	free(out);
	mp_check_free(c);
}

/* No ';' in the output's text, in any format, whatever the texts held
 * (Nagios 4 shows it as ':'): it becomes ','. Perfdata keeps its
 * separators. */
static void
test_no_semicolon_in_text(void **state)
{
	mp_check *c = mp_check_new("L;1"), *n = mp_check_new("");
	mp_perfdata t = time_perf(0.5);
	mp_subcheck *sc;
	static const mp_format formats[] = { MP_FORMAT_CLASSIC,
	    MP_FORMAT_TEST_JSON, MP_FORMAT_ONE_LINE, MP_FORMAT_ICINGAWEB2,
	    MP_FORMAT_SUMMARY_ONLY, MP_FORMAT_MULTI_LINE };
	char *out, *line, *end, *bar;
	mp_format f;
	size_t i;

	(void)state;
	assert_non_null(mp_check_add(n, MP_CRITICAL, "n;1 ;; n2"));
	assert_non_null(sc = mp_check_add_nested(c, MP_CRITICAL, n, "a;b"));
	assert_non_null(sc = mp_check_add(c, MP_OK, "server said 'x;y'"));
	assert_int_equal(mp_subcheck_add_perfdata(sc, &t), 0);
	assert_int_equal(mp_check_set_summary(c, "s1; s2;"), 0);
	expect_classic(c, "L,1 CRITICAL - s1, s2, | time=0.500000s;1;5;0;\n"
	    "\\_ [CRITICAL] a,b\n"
	    "    \\_ [CRITICAL] n,1 ,, n2\n"
	    "\\_ [OK] server said 'x,y'\n");
	expect_format(c, MP_FORMAT_ICINGAWEB2, "[CRITICAL] - s1, s2,\n"
	    "\\_[CRITICAL] - a,b\n\t\\_[CRITICAL] - n,1 ,, n2\n"
	    "\\_[OK] - server said 'x,y'|time=0.500000s;1;5;0;\n");
	expect_format(c, MP_FORMAT_SUMMARY_ONLY, "CRITICAL: s1, s2,\n");
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		f = formats[i];
		out = format(c, f);
		for (line = out; *line != '\0'; line = end + 1) {
			end = strchr(line, '\n');
			assert_non_null(end);
			*end = '\0';
			if ((bar = strchr(line, '|')) != NULL)
				*bar = '\0';
			if (strchr(line, ';') != NULL)
				fail_msg("format %d: ';' in %s", (int)f, line);
		}
		free(out);
	}
	/* perfdata's own are kept */
	out = format(c, MP_FORMAT_ONE_LINE);
	assert_non_null(strstr(out, "| time=0.500000s;1;5;0;\n"));
	free(out);
	out = format(c, MP_FORMAT_TEST_JSON);
	assert_null(strchr(out, ';'));
	assert_non_null(strstr(out, "\"summary\":\"s1, s2,\""));
	free(out);
	mp_check_free(c);
	/* and the helper alone */
	out = strdup(";a;;b;");
	mp_unsemicolon(out);
	assert_string_equal(out, ",a,,b,");
	mp_unsemicolon(NULL);
	free(out);
}

static void
test_quote(void **state)
{
	char long_text[MP_QUOTE_MAX + 10], *q;

	(void)state;
	assert_non_null(q = mp_quote("a|b\n", 4));
	assert_string_equal(q, "'a/b '");
	free(q);
	assert_non_null(q = mp_quote(NULL, 0));
	assert_string_equal(q, "''");
	free(q);
	/* Cut at MP_QUOTE_MAX bytes, never inside a character. */
	memset(long_text, 'x', sizeof(long_text));
	long_text[MP_QUOTE_MAX - 1] = '\xc3';
	long_text[MP_QUOTE_MAX] = '\xa9';
	assert_non_null(q = mp_quote(long_text, sizeof(long_text)));
	assert_int_equal(strlen(q), 1 + (MP_QUOTE_MAX - 1) + 3 + 1);
	assert_string_equal(q + MP_QUOTE_MAX, "...'");
	free(q);
}

static void
test_scrub_table(void **state)
{
	static const struct {
		const char *in, *want;
	} t[] = {
		{ "a|b", "a/b" },
		{ "line1\nline2", "line1 line2" },
		{ "cr\rlf\n", "cr lf " },
		{ "tab\there", "tab here" },
		{ "esc\x1b[31mred", "esc [31mred" },
		{ "del\x7f", "del " },
		{ "\x01\x1f", "  " },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 "
		    "\xe2\x82\xac \xf0\x9f\x98\x80" },	/* valid: kept */
		{ "bad\xff", "bad?" },
		{ "\xc3(", "?(" },			/* lead without tail */
		{ "\xc0\xaf", "??" },			/* overlong '/' */
		{ "\xe0\x80\xaf", "???" },		/* overlong, 3 bytes */
		{ "\xed\xa0\x80", "???" },		/* surrogate U+D800 */
		{ "\xf4\x90\x80\x80", "????" },		/* > U+10FFFF */
		{ "\xf5\x80\x80\x80", "????" },
		{ "end\xe2\x82", "end??" },		/* truncated */
		{ "\x80", "?" },			/* lone continuation */
		{ "nel\xc2\x85x", "nel  x" },		/* C1 control */
		{ "\xc2\xa0", "\xc2\xa0" },		/* NBSP is text */
		{ "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf" },	/* U+10FFFF */
		{ "", "" },
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_true(strlen(t[i].in) < sizeof(buf));
		memcpy(buf, t[i].in, strlen(t[i].in) + 1);
		mp_scrub(buf);
		assert_string_equal(buf, t[i].want);
	}
	mp_scrub(NULL);
}

static void
test_scrub_in_output(void **state)
{
	mp_check *c = mp_check_new("L|X\n");
	mp_subcheck *sc;
	mp_perfdata pd = mp_perfdata_make("a|b\nc", 1, 0, "");

	assert_non_null(sc = mp_check_add(c, MP_CRITICAL,
	    "server said: %s", "x|y=1\r\n\\_ [OK] forged\t\x1b[2J\xff"));
	assert_int_equal(mp_subcheck_add_perfdata(sc, &pd), 0);
	/* a label filled by hand, bypassing mp_perfdata_make */
	memcpy(pd.label, "it's=", 6);
	memcpy(pd.uom, "s|\n", 4);
	assert_int_equal(mp_subcheck_add_perfdata(sc, &pd), 0);
	assert_int_equal(mp_check_set_summary(c, "%s", "sum|ma\x1b\xc0ry"),
	    0);
	expect_classic(c,
	    "L/X  CRITICAL - sum/ma ?ry | 'a/b c'=1 it_s_=1s/ \n"
	    "\\_ [CRITICAL] server said: x/y=1  \\_ [OK] forged  [2J?\n");
	mp_check_free(c);
}

static json_t *
format_json(const mp_check *c)
{
	char *out = format(c, MP_FORMAT_TEST_JSON);
	json_error_t err;
	json_t *root;
	size_t n = strlen(out);

	assert_true(n > 0 && out[n - 1] == '\n');
	assert_null(memchr(out, '\n', n - 1));	/* compact: one line */
	root = json_loads(out, 0, &err);
	if (root == NULL)
		fail_msg("not JSON: %s: %s", err.text, out);
	free(out);
	return root;
}

static void
test_json(void **state)
{
	mp_check *c = mp_check_new("NOVA METADATA");
	mp_subcheck *sc;
	mp_perfdata t = time_perf(0.012138);
	mp_perfdata size = mp_perfdata_make("size", 210, 0, "B");
	json_t *root, *checks, *perf, *p;

	assert_non_null(mp_check_add(c, MP_OK, "signature accepted"));
	assert_non_null(sc = mp_check_add(c, MP_WARNING, "slow|ish\n"));
	t.has_max = true;
	t.max = 10;
	assert_int_equal(mp_subcheck_add_perfdata(sc, &t), 0);
	assert_int_equal(mp_subcheck_add_perfdata(sc, &size), 0);
	root = format_json(c);

	assert_string_equal(json_string_value(json_object_get(root, "label")),
	    "NOVA METADATA");
	assert_string_equal(json_string_value(json_object_get(root, "state")),
	    "WARNING");
	assert_string_equal(json_string_value(json_object_get(root,
	    "summary")), "slow/ish ");
	checks = json_object_get(root, "checks");
	assert_true(json_is_array(checks));
	assert_int_equal(json_array_size(checks), 2);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(checks, 0), "state")), "OK");
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(checks, 0), "output")), "signature accepted");
	assert_int_equal(json_array_size(json_object_get(
	    json_array_get(checks, 0), "perfdata")), 0);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(checks, 1), "state")), "WARNING");
	perf = json_object_get(json_array_get(checks, 1), "perfdata");
	assert_int_equal(json_array_size(perf), 2);

	p = json_array_get(perf, 0);
	assert_string_equal(json_string_value(json_object_get(p, "label")),
	    "time");
	assert_true(json_real_value(json_object_get(p, "value")) == 0.012138);
	assert_string_equal(json_string_value(json_object_get(p, "uom")), "s");
	assert_string_equal(json_string_value(json_object_get(p, "warn")), "1");
	assert_string_equal(json_string_value(json_object_get(p, "crit")), "5");
	assert_true(json_number_value(json_object_get(p, "min")) == 0);
	assert_true(json_number_value(json_object_get(p, "max")) == 10);

	p = json_array_get(perf, 1);
	assert_string_equal(json_string_value(json_object_get(p, "label")),
	    "size");
	assert_true(json_number_value(json_object_get(p, "value")) == 210);
	assert_string_equal(json_string_value(json_object_get(p, "uom")), "B");
	/* absent fields are absent, not null */
	assert_null(json_object_get(p, "warn"));
	assert_null(json_object_get(p, "crit"));
	assert_null(json_object_get(p, "min"));
	assert_null(json_object_get(p, "max"));
	json_decref(root);
	mp_check_free(c);
}

static void
test_json_empty_and_scrubbed(void **state)
{
	mp_check *c = mp_check_new("L");
	json_t *root;

	root = format_json(c);
	assert_string_equal(json_string_value(json_object_get(root, "state")),
	    "UNKNOWN");
	assert_string_equal(json_string_value(json_object_get(root,
	    "summary")), "no checks");
	assert_int_equal(json_array_size(json_object_get(root, "checks")), 0);
	json_decref(root);

	/* invalid UTF-8 would make jansson refuse the string: scrubbed first */
	assert_non_null(mp_check_add(c, MP_CRITICAL, "bad \xff\xfe byte"));
	root = format_json(c);
	assert_string_equal(json_string_value(json_object_get(root,
	    "summary")), "bad ?? byte");
	json_decref(root);
	mp_check_free(c);
}

static void
test_format_parse(void **state)
{
	static const struct {
		const char *text;
		mp_format format;
	} names[] = {
		{ "Classic", MP_FORMAT_CLASSIC },
		{ "MP-TEST-JSON", MP_FORMAT_TEST_JSON },
		{ "one-line", MP_FORMAT_ONE_LINE },
		{ "icingaweb2", MP_FORMAT_ICINGAWEB2 },
		{ "Multi-Line", MP_FORMAT_MULTI_LINE },
		{ "IcingaWeb2", MP_FORMAT_ICINGAWEB2 },
		{ "summary-only", MP_FORMAT_SUMMARY_ONLY },
	};
	mp_format f = MP_FORMAT_TEST_JSON;
	size_t i;

	assert_int_equal(mp_format_parse("classic", &f), 0);
	assert_int_equal(f, MP_FORMAT_CLASSIC);
	assert_int_equal(mp_format_parse("mp-test-json", &f), 0);
	assert_int_equal(f, MP_FORMAT_TEST_JSON);
	assert_int_equal(mp_format_parse("json", &f), -1);
	assert_int_equal(mp_format_parse("", &f), -1);
	/* any case, and monitoring-plugins 3.x's names */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		f = MP_FORMAT_CLASSIC;
		assert_int_equal(mp_format_parse(names[i].text, &f), 0);
		assert_int_equal(f, names[i].format);
	}
	assert_int_equal(mp_format_parse("one-line ", &f), -1);
	f = MP_FORMAT_TEST_JSON;
	assert_int_equal(mp_format_parse(NULL, &f), -1);
	assert_int_equal(f, MP_FORMAT_TEST_JSON);
}

static void
test_utf8_len(void **state)
{
	assert_int_equal(mp_utf8_len("a", 1), 1);
	assert_int_equal(mp_utf8_len("\xc3\xa9", 2), 2);
	assert_int_equal(mp_utf8_len("\xc3\xa9", 1), 0);	/* truncated */
	assert_int_equal(mp_utf8_len("\xe2\x82\xac", 3), 3);
	assert_int_equal(mp_utf8_len("\xf0\x9f\x98\x80", 4), 4);
	assert_int_equal(mp_utf8_len("\xf0\x9f\x98\x80", 3), 0);
	assert_int_equal(mp_utf8_len("\xed\x9f\xbf", 3), 3);	/* U+D7FF */
	assert_int_equal(mp_utf8_len("\xed\xa0\x80", 3), 0);
	assert_int_equal(mp_utf8_len("\xc1\xbf", 2), 0);
	assert_int_equal(mp_utf8_len("\xf0\x8f\xbf\xbf", 4), 0);
	assert_int_equal(mp_utf8_len("\xe2\x28\xa1", 3), 0);
	assert_int_equal(mp_utf8_len("", 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_state_worst),
		cmocka_unit_test(test_classic_ok),
		cmocka_unit_test(test_classic_warning),
		cmocka_unit_test(test_classic_critical),
		cmocka_unit_test(test_classic_unknown),
		cmocka_unit_test(test_no_subchecks),
		cmocka_unit_test(test_worst_state_order),
		cmocka_unit_test(test_scrub_table),
		cmocka_unit_test(test_scrub_in_output),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_mp3_formats),
		cmocka_unit_test(test_json_numbers_shortest),
		cmocka_unit_test(test_json_numbers_mixed),
		cmocka_unit_test(test_json_empty_and_scrubbed),
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_worst_first),
		cmocka_unit_test(test_hidden),
		cmocka_unit_test(test_no_semicolon_in_text),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_utf8_len),
	};

	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
