#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "parse_cloudinit.h"

#define PICK(lit) nm_ci_pick_version((lit), sizeof(lit) - 1)
#define PARSE(lit, e) nm_ci_entries_parse((lit), sizeof(lit) - 1, (e))

static void
test_pick_nova_list(void **state)
{
	/* What Nova lists today: VICTORIA is newer than cloud-init knows. */
	static const char nova[] = "2012-08-10\n2013-04-04\n2013-10-17\n"
	    "2015-10-15\n2016-06-30\n2016-10-06\n2017-02-22\n2018-08-27\n"
	    "2020-10-14\nlatest";

	(void)state;
	assert_string_equal(PICK(nova), "2018-08-27");
}

static void
test_pick_older_and_unknown(void **state)
{
	(void)state;
	assert_string_equal(PICK("2012-08-10\n2013-04-04\nlatest"),
	    "2013-04-04");
	/* Order in the list does not matter, only cloud-init's order. */
	assert_string_equal(PICK("2016-10-06\n2012-08-10\n2013-10-17"),
	    "2016-10-06");
	assert_string_equal(PICK("2020-10-14\nlatest"), "latest");
	assert_string_equal(PICK("latest"), "latest");
	assert_string_equal(PICK(""), "latest");
	assert_string_equal(nm_ci_pick_version(NULL, 0), "latest");
	/* Lines are stripped, as cloud-init strips them. */
	assert_string_equal(PICK("  2017-02-22 \r\n\nlatest\r\n"),
	    "2017-02-22");
	/* No prefix or substring matches. */
	assert_string_equal(PICK("2018-08-27x\nx2017-02-22"), "latest");
}

static void
test_nova_top_listing(void **state)
{
	static const char top[] = "ami-id\nami-launch-index\n"
	    "block-device-mapping/\nhostname\ninstance-id\nlocal-ipv4\n"
	    "placement/\npublic-keys/\nreservation-id\nsecurity-groups";
	nm_ci_entries e;

	(void)state;
	assert_int_equal(PARSE(top, &e), NM_OK);
	assert_int_equal(e.count, 10);
	/* Directories first, in listing order, then the leaves. */
	assert_string_equal(e.v[0].resource, "block-device-mapping/");
	assert_true(e.v[0].is_dir);
	assert_string_equal(e.v[0].name, "block-device-mapping");
	assert_string_equal(e.v[1].resource, "placement/");
	assert_string_equal(e.v[2].resource, "public-keys/");
	assert_string_equal(e.v[3].resource, "ami-id");
	assert_false(e.v[3].is_dir);
	assert_string_equal(e.v[9].resource, "security-groups");
	nm_ci_entries_free(&e);
	assert_int_equal(e.count, 0);
}

static void
test_public_keys(void **state)
{
	static const char keys[] = "0=canary-key\n1=other\n007=x\n-0=neg\n"
	    "a=b\n+3=plus";
	nm_ci_entries e;

	(void)state;
	assert_int_equal(PARSE(keys, &e), NM_OK);
	assert_int_equal(e.count, 6);
	assert_string_equal(e.v[0].name, "canary-key");
	assert_string_equal(e.v[0].resource, "0/openssh-key");
	assert_string_equal(e.v[1].resource, "1/openssh-key");
	assert_string_equal(e.v[2].resource, "7/openssh-key");
	assert_string_equal(e.v[3].resource, "0/openssh-key");
	/* No integer before '=': fetched as named, quoted. */
	assert_string_equal(e.v[4].name, "a=b");
	assert_string_equal(e.v[4].resource, "a%3Db");
	assert_string_equal(e.v[5].resource, "3/openssh-key");
	nm_ci_entries_free(&e);
}

static void
test_dedup_and_skips(void **state)
{
	static const char l[] = "placement/\nplacement/\n/\n\n  \nx\n"
	    "security-credentials/\nsecurity-credentials\n0=x\ny//\n";
	nm_ci_entries e;

	(void)state;
	assert_int_equal(PARSE(l, &e), NM_OK);
	assert_int_equal(e.count, 3);
	assert_string_equal(e.v[0].resource, "placement/");
	assert_string_equal(e.v[1].resource, "y/");
	/* "x" then "0=x": one leaf, the last resource wins (dict). */
	assert_string_equal(e.v[2].name, "x");
	assert_string_equal(e.v[2].resource, "0/openssh-key");
	nm_ci_entries_free(&e);
}

static void
test_quoting_and_text(void **state)
{
	static const char l[] = "a b\nc:d/e\nf,g@h+i~j\n\xc3\xa9t\xc3\xa9";
	static const char bad[] = "ok\n\xff\xfe";
	nm_ci_entries e;

	(void)state;
	assert_int_equal(PARSE(l, &e), NM_OK);
	assert_int_equal(e.count, 4);
	assert_string_equal(e.v[0].resource, "a%20b");
	assert_string_equal(e.v[1].resource, "c:d/e");
	assert_string_equal(e.v[2].resource, "f%2Cg%40h%2Bi~j");
	assert_string_equal(e.v[3].resource, "%C3%A9t%C3%A9");
	nm_ci_entries_free(&e);
	assert_int_equal(PARSE(bad, &e), NM_ERR_NOT_TEXT);
	assert_int_equal(e.count, 0);
	assert_int_equal(nm_ci_entries_parse(NULL, 0, &e), NM_OK);
	assert_int_equal(e.count, 0);
}

/* A name no path can hold is the server's fault, not a failed malloc. */
static void
test_line_too_long(void **state)
{
	char body[1100];
	nm_ci_entries e;

	(void)state;
	memset(body, 'k', sizeof(body));
	assert_int_equal(nm_ci_entries_parse(body, sizeof(body), &e),
	    NM_ERR_MALFORMED);
	assert_int_equal(e.count, 0);
	assert_null(e.v);
	assert_int_equal(nm_ci_entries_parse(body, 1024, &e), NM_OK);
	assert_int_equal(e.count, 1);
	nm_ci_entries_free(&e);
}

static void
test_many_entries_capped(void **state)
{
	size_t n = 5000, i, len = 0;
	char *body = malloc(n * 16);
	nm_ci_entries e;
	int r;

	(void)state;
	assert_non_null(body);
	for (i = 0; i < n; i++) {
		r = snprintf(body + len, 16, "k%zu\n", i);
		assert_true(r > 0 && r < 16);
		len += (size_t)r;
	}
	assert_int_equal(nm_ci_entries_parse(body, len, &e), NM_OK);
	assert_int_equal(e.count, 1024);
	nm_ci_entries_free(&e);
	free(body);
}

static json_t *
doc(const char *text)
{
	json_error_t err;
	json_t *d = json_loads(text, JSON_ALLOW_NUL, &err);

	assert_non_null(d);
	return d;
}

static bool
seed_ok(const char *text, const char *want_why)
{
	json_t *d = doc(text);
	char why[128];
	bool r = nm_ci_random_seed_ok(d, why, sizeof(why));

	json_decref(d);
	if (want_why != NULL)
		assert_non_null(strstr(why, want_why));
	return r;
}

static void
test_random_seed(void **state)
{
	(void)state;
	assert_true(seed_ok("{}", NULL));
	assert_true(seed_ok("{\"random_seed\": \"c2VlZA==\"}", NULL));
	assert_true(seed_ok("{\"random_seed\": \"\"}", NULL));
	/* As binascii without strict mode: junk skipped, the padding ends
	 * the data. */
	assert_true(seed_ok("{\"random_seed\": \"c2V\\nlZA==tail\"}", NULL));
	assert_true(seed_ok("{\"random_seed\": \"abc=\"}", NULL));
	assert_true(seed_ok("{\"random_seed\": \"ab\\u0000cd\"}", NULL));
	assert_true(seed_ok("{\"random_seed\": \"ab=!=\"}", NULL));
	assert_false(seed_ok("{\"random_seed\": \"c2VlZA=\"}",
	    "random_seed is not base64: incorrect padding"));
	assert_false(seed_ok("{\"random_seed\": \"abcde\"}",
	    "one character more than a multiple of 4"));
	assert_false(seed_ok("{\"random_seed\": \"a===\"}", "one character"));
	assert_false(seed_ok("{\"random_seed\": \"ab\\u00e9cd\"}",
	    "not ASCII"));
	assert_false(seed_ok("{\"random_seed\": 12}", "a number, not text"));
	assert_false(seed_ok("{\"random_seed\": null}", "null"));
	assert_false(seed_ok("{\"random_seed\": [\"x\"]}", "not text"));
}

static void
test_contents(void **state)
{
	json_t *d = doc("{\"files\": [{\"path\": \"/etc/a\", "
	    "\"content_path\": \"/content/0000\"}, {\"content_path\": "
	    "\"/x\"}, \"skipped\", [1], {\"path\": \"b\", \"content_path\": "
	    "\"content//a b/\"}], \"network_config\": {\"content_path\": "
	    "\"content/0001\"}}");
	nm_ci_contents c;

	(void)state;
	assert_int_equal(nm_ci_contents_list(d, &c), NM_OK);
	json_decref(d);
	assert_int_equal(c.count, 3);
	assert_int_equal(c.files, 2);
	assert_string_equal(c.v[0].what, "file '/etc/a' (files[0])");
	assert_string_equal(c.v[0].path, "/openstack/content/0000");
	assert_false(c.v[0].text);
	assert_null(c.v[0].broken);
	/* combine_url: empty pieces add no second '/', a trailing one
	 * stays; pieces are quoted. */
	assert_string_equal(c.v[1].path, "/openstack/content/a%20b/");
	assert_string_equal(c.v[2].what, "network_config");
	assert_string_equal(c.v[2].path, "/openstack/content/0001");
	assert_true(c.v[2].text);
	nm_ci_contents_free(&c);
}

/* The listing body[0..len) gives exactly the resources want[0..n). */
static void
expect_resources(const char *body, size_t len, const char *const *want,
    size_t n)
{
	nm_ci_entries e;
	size_t i;

	assert_int_equal(nm_ci_entries_parse(body, len, &e), NM_OK);
	assert_int_equal(e.count, n);
	for (i = 0; i < n; i++)
		assert_string_equal(e.v[i].resource, want[i]);
	nm_ci_entries_free(&e);
}

/* Lines end and are stripped as Python's str.splitlines() and
 * str.strip() end and strip them: at \x1c-\x1e, U+0085, U+2028 and
 * U+2029 too, and Unicode spaces go (found by fuzzing: "\x1c" was
 * requested as %1C where cloud-init sees an empty line). */
static void
test_python_lines(void **state)
{
	static const char l[] = "a\x1c" "b\xc2\x85" "c\xe2\x80\xa8" "d\r\n"
	    "\xc2\xa0" "e\xe3\x80\x80\x1f" "\n\x1f" "f/\xe2\x80\xa9" "\x1d\x1e";
	static const char v[] = "2017-02-22\x1c\xe2\x80\x83" "2018-08-27\xc2\xa0";
	static const char *const want[] = { "f/", "a", "b", "c", "d", "e" };

	(void)state;
	expect_resources(l, sizeof(l) - 1, want, 6);
	assert_string_equal(nm_ci_pick_version(v, sizeof(v) - 1),
	    "2018-08-27");
}

/* A NUL is quoted like any other byte: urllib's quote() gives "%00",
 * and cloud-init requests /openstack/content/%00 (found by fuzzing: the
 * path was cut short at the NUL). */
static void
test_nul_is_quoted(void **state)
{
	static const char l[] = "a\0b\nd\0/\n\0";
	static const char *const want[] = { "d%00/", "a%00b", "%00" };
	json_t *d = doc("{\"files\": [{\"path\": \"p\", \"content_path\": "
	    "\"/content/0\\u00001\"}]}");
	nm_ci_contents c;

	(void)state;
	expect_resources(l, sizeof(l) - 1, want, 3);
	assert_int_equal(nm_ci_contents_list(d, &c), NM_OK);
	json_decref(d);
	assert_int_equal(c.count, 1);
	assert_string_equal(c.v[0].path, "/openstack/content/0%001");
	nm_ci_contents_free(&c);
}

#define P9 "ppppppppp"
#define P90 P9 P9 P9 P9 P9 P9 P9 P9 P9 P9
#define P100 P90 P9 "p"

static void
expect_broken(const char *text, const char *what, const char *why)
{
	json_t *d = doc(text);
	nm_ci_contents c;

	assert_int_equal(nm_ci_contents_list(d, &c), NM_OK);
	json_decref(d);
	assert_true(c.count > 0);
	assert_string_equal(c.v[c.count - 1].what, what);
	assert_null(c.v[c.count - 1].path);
	assert_string_equal(c.v[c.count - 1].broken, why);
	nm_ci_contents_free(&c);
}

static void
test_contents_broken(void **state)
{
	json_t *d;
	nm_ci_contents c;

	(void)state;
	expect_broken("{\"files\": [{\"path\": \"p\"}]}",
	    "file 'p' (files[0])", "it has no valid content_path");
	expect_broken("{\"files\": [{\"path\": 1, \"content_path\": "
	    "\"///\"}]}", "file '1' (files[0])", "it has no valid content_path");
	expect_broken("{\"files\": [{\"path\": \"p\", \"content_path\": "
	    "[]}]}", "file 'p' (files[0])", "its content_path is not text");
	expect_broken("{\"files\": {}}", "files", "it is not a list");
	expect_broken("{\"files\": [null]}", "file '' (files[0])",
	    "it is not an object");
	expect_broken("{\"files\": [\"has path\"]}", "file '' (files[0])",
	    "it is not an object");
	expect_broken("{\"network_config\": \"x\"}", "network_config",
	    "it is not an object");
	/* A served path longer than the old 256-byte buffer was shown as
	 * ''; now it is quoted and the cut marked. */
	expect_broken("{\"files\": [{\"path\": \"/" P100 P100 P100 "\"}]}",
	    "file '/" P90 P9 "...' (files[0])", "it has no valid content_path");
	/* The list ends at the first broken entry. */
	d = doc("{\"files\": [{\"path\": \"p\"}], \"network_config\": "
	    "{\"content_path\": \"c/1\"}}");
	assert_int_equal(nm_ci_contents_list(d, &c), NM_OK);
	assert_int_equal(c.count, 1);
	nm_ci_contents_free(&c);
	json_decref(d);
	/* Falsy network_config is skipped, as Python's "if net_item:". */
	d = doc("{\"network_config\": 0, \"files\": []}");
	assert_int_equal(nm_ci_contents_list(d, &c), NM_OK);
	assert_int_equal(c.count, 0);
	nm_ci_contents_free(&c);
	json_decref(d);
}

static void
test_contents_bounded(void **state)
{
	json_t *d = json_object(), *files = json_array();
	nm_ci_contents c;
	int i;

	(void)state;
	for (i = 0; i < NM_CI_MAX_CONTENT + 10; i++)
		json_array_append_new(files, json_pack("{s:s,s:s}", "path", "p",
		    "content_path", "c/0"));
	json_object_set_new(d, "files", files);
	assert_int_equal(nm_ci_contents_list(d, &c), NM_OK);
	assert_int_equal(c.count, NM_CI_MAX_CONTENT);
	assert_int_equal(c.files, NM_CI_MAX_CONTENT + 10);
	nm_ci_contents_free(&c);
	json_decref(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick_nova_list),
		cmocka_unit_test(test_pick_older_and_unknown),
		cmocka_unit_test(test_nova_top_listing),
		cmocka_unit_test(test_public_keys),
		cmocka_unit_test(test_dedup_and_skips),
		cmocka_unit_test(test_line_too_long),
		cmocka_unit_test(test_quoting_and_text),
		cmocka_unit_test(test_nul_is_quoted),
		cmocka_unit_test(test_python_lines),
		cmocka_unit_test(test_many_entries_capped),
		cmocka_unit_test(test_random_seed),
		cmocka_unit_test(test_contents),
		cmocka_unit_test(test_contents_broken),
		cmocka_unit_test(test_contents_bounded),
	};

	return cmocka_run_group_tests_name("cloudinit", tests, NULL, NULL);
}
