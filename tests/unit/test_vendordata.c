/* What Nova hides about dynamic vendordata: the pure judge of
 * vendor_data2.json (parse_vendordata.c), the --vendordata-target NAME rule,
 * and the 404 probe's wrong signature (core_sign.c). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core_sign.h"
#include "parse_vendordata.h"

/* Nova's document with two targets: join answered, enrol failed. */
static const char DOC[] = "{\"static\": {}, \"join\": {\"realm\": \"X\", "
    "\"join_token\": \"t\"}, \"enrol\": {}, \"list\": [1], \"text\": \"s\", "
    "\"nothing\": null}";

static nm_vd_verdict
judge_one(const char *doc, const char *name)
{
	char *names[1];
	nm_vd_verdict v;
	size_t n = 99;

	names[0] = (char *)name;
	assert_int_equal(nm_vd_judge(doc, strlen(doc), names, 1, &v, &n),
	    NM_OK);
	assert_int_equal(n, 1);
	return v;
}

static void
test_served_object_is_ok(void **state)
{
	nm_vd_verdict v = judge_one(DOC, "join");

	(void)state;
	assert_int_equal(v.kind, NM_VD_OK);
	assert_int_equal(v.state, MP_OK);
	/* sorted key names, never values (tokens change per request) */
	assert_string_equal(v.keys, "join_token,realm");
	assert_string_equal(v.text, "vendordata target join served (2 keys)");
}

static void
test_empty_object_is_hidden_failure(void **state)
{
	nm_vd_verdict v = judge_one(DOC, "enrol");

	(void)state;
	assert_int_equal(v.kind, NM_VD_EMPTY);
	assert_int_equal(v.state, MP_CRITICAL);
	assert_non_null(strstr(v.text, "enrol is {}"));
	assert_non_null(strstr(v.text, "Nova hides it"));
	assert_non_null(strstr(v.text, "nova-api-metadata's log"));
	assert_non_null(strstr(v.text,
	    "Error from dynamic vendordata service enrol"));
}

static void
test_absent_is_not_configured(void **state)
{
	nm_vd_verdict v = judge_one(DOC, "ipa");

	(void)state;
	assert_int_equal(v.kind, NM_VD_ABSENT);
	assert_int_equal(v.state, MP_CRITICAL);
	assert_non_null(strstr(v.text, "ipa is not in vendor_data2.json"));
	assert_non_null(strstr(v.text, "vendordata_dynamic_targets"));
}

static void
test_not_an_object(void **state)
{
	static const struct {
		const char *name, *type;
	} cases[] = {
		{ "list", "an array" }, { "text", "a string" },
		{ "nothing", "null" },
	};
	nm_vd_verdict v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = judge_one(DOC, cases[i].name);
		assert_int_equal(v.kind, NM_VD_NOT_OBJECT);
		assert_int_equal(v.state, MP_CRITICAL);
		assert_non_null(strstr(v.text, cases[i].type));
	}
}

static void
test_bad_document_one_verdict(void **state)
{
	static const char *docs[] = { "not json", "[{\"join\": {}}]", "",
	    "{\"join\": {\"a\": 1}} trailing" };
	char *names[2] = { "join", "enrol" };
	nm_vd_verdict v[2];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		n = 99;
		assert_int_equal(nm_vd_judge(docs[i], strlen(docs[i]), names, 2,
		    v, &n), NM_OK);
		assert_int_equal(n, 1);
		assert_int_equal(v[0].kind, NM_VD_BAD_DOCUMENT);
		assert_int_equal(v[0].state, MP_CRITICAL);
		assert_true(strncmp(v[0].text, "vendor_data2.json is ", 21) ==
		    0);
	}
}

static void
test_several_in_order(void **state)
{
	char *names[3] = { "enrol", "join", "ipa" };
	nm_vd_verdict v[3];
	size_t n = 0;

	(void)state;
	assert_int_equal(nm_vd_judge(DOC, strlen(DOC), names, 3, v, &n),
	    NM_OK);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].kind, NM_VD_EMPTY);
	assert_int_equal(v[1].kind, NM_VD_OK);
	assert_int_equal(v[2].kind, NM_VD_ABSENT);
}

/* A server's key names and text lose control characters and '|'. */
static void
test_text_is_scrubbed(void **state)
{
	static const char doc[] = "{\"a|b\": {}}";
	nm_vd_verdict v = judge_one(doc, "a|b");

	(void)state;
	assert_int_equal(v.kind, NM_VD_EMPTY);
	assert_null(strchr(v.text, '|'));
}

/* Many long keys: the list is cut with "...", never overflows. */
static void
test_long_key_list_cut(void **state)
{
	char doc[4096];
	nm_vd_verdict v;
	size_t used = 0, i;
	int r;

	(void)state;
	r = snprintf(doc, sizeof(doc), "{\"t\": {");
	assert_true(r > 0 && (size_t)r < sizeof(doc));
	used = (size_t)r;
	for (i = 0; i < 40; i++) {
		r = snprintf(doc + used, sizeof(doc) - used, "%s\"key%02zu_"
		    "abcdefghijklmnopqrstuvwxyz\": 1", i > 0 ? ", " : "", i);
		assert_true(r > 0 && (size_t)r < sizeof(doc) - used);
		used += (size_t)r;
	}
	r = snprintf(doc + used, sizeof(doc) - used, "}}");
	assert_true(r > 0 && (size_t)r < sizeof(doc) - used);
	v = judge_one(doc, "t");
	assert_int_equal(v.kind, NM_VD_OK);
	assert_true(strlen(v.keys) < sizeof(v.keys));
	assert_non_null(strstr(v.keys, "..."));
	assert_true(strncmp(v.keys, "key00_", 6) == 0);
}

static void
test_name_rules(void **state)
{
	char long_name[300];

	(void)state;
	assert_null(nm_vd_name_problem("join"));
	assert_null(nm_vd_name_problem("ipa-enrol_2.x"));
	assert_non_null(nm_vd_name_problem(""));
	assert_non_null(nm_vd_name_problem("join@http://x"));
	assert_non_null(nm_vd_name_problem("with space"));
	assert_non_null(nm_vd_name_problem("tab\there"));
	assert_non_null(nm_vd_name_problem("static"));
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_non_null(nm_vd_name_problem(long_name));
	long_name[255] = '\0';
	assert_null(nm_vd_name_problem(long_name));
}

static void
test_wrong_signature(void **state)
{
	const char *sig =
	    "6bcbe3885ae7efc49cef35b438efe29c95501f4a720a0c53ed000d8fcf04a605";
	char out[NM_SIGNATURE_HEX_LEN + 1];
	char zero[NM_SIGNATURE_HEX_LEN + 1];

	(void)state;
	assert_int_equal(nm_sign_wrong(sig, out), 0);
	assert_int_equal(strlen(out), NM_SIGNATURE_HEX_LEN);
	assert_memory_equal(out, sig, NM_SIGNATURE_HEX_LEN - 1);
	assert_true(out[NM_SIGNATURE_HEX_LEN - 1] !=
	    sig[NM_SIGNATURE_HEX_LEN - 1]);
	assert_non_null(strchr("0123456789abcdef",
	    out[NM_SIGNATURE_HEX_LEN - 1]));
	memset(zero, '0', NM_SIGNATURE_HEX_LEN);
	zero[NM_SIGNATURE_HEX_LEN] = '\0';
	assert_int_equal(nm_sign_wrong(zero, out), 0);
	assert_int_equal(out[NM_SIGNATURE_HEX_LEN - 1], '1');
	assert_int_equal(nm_sign_wrong("abc", out), -1);
	assert_string_equal(out, "");
	zero[3] = 'G';
	assert_int_equal(nm_sign_wrong(zero, out), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_served_object_is_ok),
		cmocka_unit_test(test_empty_object_is_hidden_failure),
		cmocka_unit_test(test_absent_is_not_configured),
		cmocka_unit_test(test_not_an_object),
		cmocka_unit_test(test_bad_document_one_verdict),
		cmocka_unit_test(test_several_in_order),
		cmocka_unit_test(test_text_is_scrubbed),
		cmocka_unit_test(test_long_key_list_cut),
		cmocka_unit_test(test_name_rules),
		cmocka_unit_test(test_wrong_signature),
	};

	return cmocka_run_group_tests_name("vendordata", tests, NULL, NULL);
}
