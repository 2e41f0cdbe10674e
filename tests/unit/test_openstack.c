#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "parse_openstack.h"

#define UUID "32d0524b-314d-4594-b3a3-607e3f2354f8"
#define TENANT "6f70656e737461636b20697320636f6f"

/* Shaped like Nova's _metadata_as_json() for "latest". */
static const char nova_md[] =
    "{\"uuid\": \"" UUID "\", \"meta\": {\"role\": \"canary\"}, "
    "\"hostname\": \"canary.novalocal\", \"name\": \"canary\", "
    "\"launch_index\": 0, \"availability_zone\": \"nova\", "
    "\"random_seed\": \"c2VlZA==\", \"project_id\": \"" TENANT "\", "
    "\"devices\": [], \"dedicated_cpus\": [], \"ratio\": 0.1, "
    "\"big\": 1e300, \"flag\": true, \"nothing\": null}";

static char *default_keys[] = { "uuid", "hostname" };

static nm_os_want
want_for(const char *version)
{
	nm_os_want w = { UUID, TENANT, version, default_keys, 2, NULL, 0 };

	return w;
}

static nm_os_verdicts vs;

static const nm_os_verdict *
find(const char *needle)
{
	size_t i;

	for (i = 0; i < vs.count; i++) {
		if (strstr(vs.v[i].text, needle) != NULL)
			return &vs.v[i];
	}
	return NULL;
}

static mp_state
worst(void)
{
	mp_state s = MP_OK;
	size_t i;

	for (i = 0; i < vs.count; i++) {
		if (vs.v[i].state > s)
			s = vs.v[i].state;
	}
	return s;
}

static void
test_nova_document_ok(void **state)
{
	nm_os_want w = want_for("latest");

	(void)state;
	assert_int_equal(nm_os_validate(nova_md, sizeof(nova_md) - 1, &w, &vs,
	    NULL), NM_OK);
	assert_true(vs.usable);
	assert_int_equal(vs.count, 3);
	assert_int_equal(worst(), MP_OK);
	assert_int_equal(vs.keys_found, 2);
	assert_non_null(find("uuid is the canary " UUID));
	assert_non_null(find("project_id is the tenant " TENANT));
	assert_non_null(find("2/2 keys present"));
}

static void
test_another_instance(void **state)
{
	static const char doc[] = "{\"uuid\": \"11111111-2222-3333-4444-"
	    "555555555555\", \"project_id\": \"other\", \"hostname\": \"x\"}";
	nm_os_want w = want_for("latest");
	const nm_os_verdict *v;

	(void)state;
	assert_int_equal(nm_os_validate(doc, sizeof(doc) - 1, &w, &vs, NULL),
	    NM_OK);
	assert_true(vs.usable);
	v = find("uuid '11111111-2222-3333-4444-555555555555'");
	assert_non_null(v);
	assert_int_equal(v->state, MP_CRITICAL);
	assert_non_null(strstr(v->text, "another instance's"));
	assert_non_null(strstr(v->text, UUID));
	v = find("project_id 'other'");
	assert_non_null(v);
	assert_int_equal(v->state, MP_CRITICAL);
	assert_non_null(strstr(v->text, TENANT));
}

static void
test_project_id_by_version(void **state)
{
	static const char doc[] = "{\"uuid\": \"" UUID "\", \"hostname\": "
	    "\"h\"}";
	nm_os_want w = want_for("2013-10-17");
	const nm_os_verdict *v;

	(void)state;
	/* Nova serves project_id from 2015-10-15 on only. */
	assert_int_equal(nm_os_validate(doc, sizeof(doc) - 1, &w, &vs, NULL),
	    NM_OK);
	assert_int_equal(worst(), MP_OK);
	assert_non_null(find("not served before version 2015-10-15"));
	w = want_for("2015-10-15");
	assert_int_equal(nm_os_validate(doc, sizeof(doc) - 1, &w, &vs, NULL),
	    NM_OK);
	v = find("has no project_id");
	assert_non_null(v);
	assert_int_equal(v->state, MP_CRITICAL);
	w = want_for("latest");
	assert_int_equal(nm_os_validate(doc, sizeof(doc) - 1, &w, &vs, NULL),
	    NM_OK);
	assert_non_null(find("has no project_id"));
}

static void
test_uuid_not_string(void **state)
{
	static const char doc[] = "{\"uuid\": 42, \"project_id\": \"" TENANT
	    "\", \"hostname\": \"h\"}";
	nm_os_want w = want_for("latest");
	const nm_os_verdict *v;

	(void)state;
	assert_int_equal(nm_os_validate(doc, sizeof(doc) - 1, &w, &vs, NULL),
	    NM_OK);
	v = find("uuid is a number");
	assert_non_null(v);
	assert_int_equal(v->state, MP_CRITICAL);
}

static void
test_malformed_names_position(void **state)
{
	static const char doc[] = "{\"uuid\": \"" UUID "\",\n \"hostname\" "
	    "\"h\"}";
	nm_os_want w = want_for("latest");

	(void)state;
	assert_int_equal(nm_os_validate(doc, sizeof(doc) - 1, &w, &vs, NULL),
	    NM_OK);
	assert_false(vs.usable);
	assert_int_equal(vs.count, 1);
	assert_int_equal(vs.v[0].state, MP_CRITICAL);
	assert_non_null(strstr(vs.v[0].text, "meta_data.json is not JSON"));
	assert_non_null(strstr(vs.v[0].text, "line 2, column 15"));
	assert_non_null(strstr(vs.v[0].text, "(byte "));
	assert_non_null(strstr(vs.v[0].text, "expected near"));
}

static void
test_empty_truncated_nul(void **state)
{
	static const char nul[] = "{\"uuid\": \"a\0b\"}";
	nm_os_want w = want_for("latest");

	(void)state;
	assert_int_equal(nm_os_validate("", 0, &w, &vs, NULL), NM_OK);
	assert_false(vs.usable);
	assert_non_null(find("not JSON"));
	assert_int_equal(nm_os_validate("{\"uuid\": \"", 10, &w, &vs, NULL),
	    NM_OK);
	assert_non_null(find("not JSON"));
	assert_int_equal(nm_os_validate(nul, sizeof(nul) - 1, &w, &vs, NULL),
	    NM_OK);
	assert_non_null(find("not JSON"));
	assert_int_equal(nm_os_validate(NULL, 0, &w, &vs, NULL), NM_OK);
	assert_false(vs.usable);
}

static void
test_wrong_root(void **state)
{
	nm_os_want w = want_for("latest");
	json_t *doc = NULL;
	char why[256];

	(void)state;
	assert_int_equal(nm_os_validate("[1, 2]", 6, &w, &vs, NULL), NM_OK);
	assert_false(vs.usable);
	/* One sentence, not "meta_data.json is top level is ...". */
	assert_non_null(find("meta_data.json is an array at top level, not "
	    "an object"));
	assert_null(find("is top level"));
	assert_int_equal(nm_os_validate("\"s\"", 3, &w, &vs, NULL), NM_OK);
	assert_non_null(find("meta_data.json is a string at top level"));
	/* Vendor data may be an object, an array or a string. */
	assert_int_equal(nm_os_parse("[1]", 3, NM_OS_ROOT_ANY, &doc, why,
	    sizeof(why)), NM_OK);
	json_decref(doc);
	assert_int_equal(nm_os_parse("\"x\"", 3, NM_OS_ROOT_ANY, &doc, why,
	    sizeof(why)), NM_OK);
	json_decref(doc);
	assert_int_equal(nm_os_parse("12", 2, NM_OS_ROOT_ANY, &doc, why,
	    sizeof(why)), NM_ERR_MALFORMED);
	assert_null(doc);
	assert_string_equal(why, "a number at top level, not an object, "
	    "array or string");
}

static void
test_keys(void **state)
{
	char *keys[] = { "uuid", "hostname", "public_keys", "nope" };
	nm_os_want w = want_for("latest");
	const nm_os_verdict *v;

	(void)state;
	w.keys = keys;
	w.key_count = 4;
	assert_int_equal(nm_os_validate(nova_md, sizeof(nova_md) - 1, &w, &vs,
	    NULL), NM_OK);
	assert_int_equal(vs.keys_found, 2);
	v = find("2/4 keys present, public_keys, nope missing");
	assert_non_null(v);
	assert_int_equal(v->state, MP_CRITICAL);
}

static void
test_expects(void **state)
{
	nm_expect e[] = {
		{ "launch_index", "0" }, { "availability_zone", "nova" },
		{ "ratio", "0.1" }, { "big", "1e+300" }, { "flag", "true" },
		{ "nothing", "null" }, { "name", "other" }, { "meta", "x" },
		{ "absent", "y" }, { "launch_index", "00" },
	};
	nm_os_want w = want_for("latest");
	const nm_os_verdict *v;

	(void)state;
	w.expects = e;
	w.expect_count = sizeof(e) / sizeof(e[0]);
	assert_int_equal(nm_os_validate(nova_md, sizeof(nova_md) - 1, &w, &vs,
	    NULL), NM_OK);
	assert_int_equal(vs.values_matched, 7);
	assert_non_null(find("launch_index is '0' as expected"));
	assert_non_null(find("ratio is '0.1' as expected"));
	assert_non_null(find("big is '1e+300' as expected"));
	v = find("name is 'canary', expected 'other'");
	assert_non_null(v);
	assert_int_equal(v->state, MP_CRITICAL);
	assert_non_null(find("meta is an object, expected 'x'"));
	assert_non_null(find("absent missing from meta_data.json"));
	/* Numbers compare as numbers: "00" is 0. */
	assert_null(find("expected '00'"));
}

static bool
matches(const char *doc, const char *want)
{
	json_t *root = NULL;
	char why[256];
	bool r;

	assert_int_equal(nm_os_parse(doc, strlen(doc), NM_OS_ROOT_OBJECT,
	    &root, why, sizeof(why)), NM_OK);
	r = nm_os_value_matches(json_object_get(root, "v"), want);
	json_decref(root);
	return r;
}

static void
test_expect_numbers(void **state)
{
	(void)state;
	assert_true(matches("{\"v\": 1}", "1.0"));
	assert_true(matches("{\"v\": 1.0}", "1"));
	assert_true(matches("{\"v\": 1.0}", "1.0"));
	assert_true(matches("{\"v\": 1}", "1e0"));
	assert_true(matches("{\"v\": -3}", "-3.00"));
	assert_true(matches("{\"v\": 0}", "-0"));
	assert_true(matches("{\"v\": 0.1}", "0.10"));
	assert_true(matches("{\"v\": 0.10000000000000001}", "0.1"));
	assert_false(matches("{\"v\": 1}", "1.5"));
	assert_false(matches("{\"v\": 1}", "-1"));
	assert_false(matches("{\"v\": 1}", "1x"));
	assert_false(matches("{\"v\": 1}", ""));
	/* Integers beyond 2^53: exact, never through a rounded double. */
	assert_true(matches("{\"v\": 9007199254740993}",
	    "9007199254740993"));
	assert_true(matches("{\"v\": 9007199254740993}",
	    "+09007199254740993"));
	assert_false(matches("{\"v\": 9007199254740993}",
	    "9007199254740992"));
	assert_false(matches("{\"v\": 9007199254740992}",
	    "9007199254740993"));
	assert_false(matches("{\"v\": 9007199254740992}",
	    "9007199254740993.0"));
	assert_false(matches("{\"v\": 9223372036854775807}",
	    "99999999999999999999999"));
	assert_true(matches("{\"v\": -9223372036854775807}",
	    "-9223372036854775807"));
	assert_true(matches("{\"v\": -9223372036854775808}",
	    "-9223372036854775808"));
	assert_false(matches("{\"v\": -9223372036854775808}",
	    "9223372036854775808"));
	/* Past 32 bits (an unsigned long on 32-bit targets). */
	assert_true(matches("{\"v\": 4294967296}", "4294967296"));
	assert_true(matches("{\"v\": -4294967297}", "-0004294967297"));
	assert_false(matches("{\"v\": 4294967296}", "0"));
	assert_false(matches("{\"v\": 0}", "4294967296"));
	assert_true(matches("{\"v\": 0}", "+000"));
	/* Strings stay text: "1.0" is not 1. */
	assert_false(matches("{\"v\": \"1\"}", "1.0"));
	assert_true(matches("{\"v\": \"1.0\"}", "1.0"));
	assert_true(matches("{\"v\": true}", "true"));
	assert_true(matches("{\"v\": null}", "null"));
}

static void
test_nul_and_big_integers(void **state)
{
	static const char doc[] = "{\"uuid\": \"" UUID "\\u0000\", "
	    "\"project_id\": \"" TENANT "\", \"hostname\": \"h\\u0000x\", "
	    "\"huge\": 123456789012345678901234567890}";
	nm_expect e[] = {
		{ "hostname", "h" }, { "huge", "1.2345678901234568e+29" },
	};
	nm_os_want w = want_for("latest");
	const nm_os_verdict *v;
	size_t i;

	(void)state;
	w.expects = e;
	w.expect_count = 2;
	assert_int_equal(nm_os_validate(doc, sizeof(doc) - 1, &w, &vs, NULL),
	    NM_OK);
	/* Python reads both; so do we. */
	assert_true(vs.usable);
	/* A NUL does not end the comparison early. */
	v = find("another instance's: uuid '" UUID "\\u0000'");
	assert_non_null(v);
	assert_int_equal(v->state, MP_CRITICAL);
	assert_non_null(find("hostname is 'h\\u0000x', expected 'h'"));
	assert_non_null(find("huge is '1.2345678901234568e+29' as expected"));
	for (i = 0; i < vs.count; i++)
		assert_int_equal(strlen(vs.v[i].text), strnlen(vs.v[i].text,
		    sizeof(vs.v[i].text)));
}

/* Server text longer than any old buffer: quoted whole up to the quote
 * length and then cut with "...", never mid-way silently; a line longer
 * than a verdict holds ends in "...". */
static void
test_long_server_text(void **state)
{
	char doc[4096], key[700], *p;
	nm_expect e[] = { { "hostname", "h" }, { key, "v" } };
	nm_os_want w = want_for("latest");
	const nm_os_verdict *v;
	int r;

	(void)state;
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	r = snprintf(doc, sizeof(doc), "{\"uuid\": \"" UUID "\", "
	    "\"project_id\": \"" TENANT "\", \"hostname\": \"%s\"}",
	    "x");
	assert_true(r > 0 && (size_t)r < sizeof(doc));
	/* hostname: 2000 bytes, the old 1024-byte buffer's double */
	p = strstr(doc, "\"x\"}");
	assert_non_null(p);
	memset(p + 1, 'x', 2000);
	memcpy(p + 2001, "\"}", 3);
	w.expects = e;
	w.expect_count = 2;
	assert_int_equal(nm_os_validate(doc, strlen(doc), &w, &vs, NULL),
	    NM_OK);
	v = find("hostname is 'xxxxxxxxxx");
	assert_non_null(v);
	assert_int_equal(v->state, MP_CRITICAL);
	assert_non_null(strstr(v->text, "xxx...', expected 'h'"));
	/* 100 bytes quoted, then the marker */
	assert_int_equal(strstr(v->text, "...'") - strchr(v->text, '\'') - 1,
	    MP_QUOTE_MAX);
	v = find("kkkkkkkkkk");
	assert_non_null(v);
	assert_int_equal(strlen(v->text), sizeof(v->text) - 1);
	assert_string_equal(v->text + sizeof(v->text) - 4, "...");
}

static void
test_scalar_text(void **state)
{
	char buf[64];
	json_t *v;

	(void)state;
	v = json_integer(-7);
	assert_int_equal(nm_os_scalar_text(v, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "-7");
	json_decref(v);
	v = json_real(2.5);
	assert_int_equal(nm_os_scalar_text(v, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2.5");
	json_decref(v);
	v = json_string("abcdefgh");
	assert_int_equal(nm_os_scalar_text(v, buf, 4), -1);
	json_decref(v);
	v = json_array();
	assert_int_equal(nm_os_scalar_text(v, buf, sizeof(buf)), -1);
	json_decref(v);
}

static void
test_version_valid(void **state)
{
	(void)state;
	assert_true(nm_os_version_valid("latest"));
	assert_true(nm_os_version_valid("2018-08-27"));
	assert_false(nm_os_version_valid("2018-08-2"));
	assert_false(nm_os_version_valid("2018-08-277"));
	assert_false(nm_os_version_valid("2018/08/27"));
	assert_false(nm_os_version_valid("../x"));
	assert_false(nm_os_version_valid(""));
	assert_false(nm_os_version_valid("Latest"));
}

static void
test_server_text_scrubbed(void **state)
{
	static const char doc[] = "{\"uuid\": \"x|y\\nz\", \"project_id\": "
	    "\"" TENANT "\", \"hostname\": \"h\"}";
	nm_os_want w = want_for("latest");
	const nm_os_verdict *v;

	(void)state;
	assert_int_equal(nm_os_validate(doc, sizeof(doc) - 1, &w, &vs, NULL),
	    NM_OK);
	v = find("another instance's");
	assert_non_null(v);
	assert_null(strchr(v->text, '|'));
	assert_null(strchr(v->text, '\n'));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nova_document_ok),
		cmocka_unit_test(test_another_instance),
		cmocka_unit_test(test_project_id_by_version),
		cmocka_unit_test(test_uuid_not_string),
		cmocka_unit_test(test_malformed_names_position),
		cmocka_unit_test(test_empty_truncated_nul),
		cmocka_unit_test(test_wrong_root),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_expects),
		cmocka_unit_test(test_scalar_text),
		cmocka_unit_test(test_expect_numbers),
		cmocka_unit_test(test_nul_and_big_integers),
		cmocka_unit_test(test_long_server_text),
		cmocka_unit_test(test_version_valid),
		cmocka_unit_test(test_server_text_scrubbed),
	};

	return cmocka_run_group_tests_name("openstack", tests, NULL, NULL);
}
