#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cloudinit.h"

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
	assert_int_equal(PARSE(top, &e), NM_CI_OK);
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
	assert_int_equal(PARSE(keys, &e), NM_CI_OK);
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
	assert_int_equal(PARSE(l, &e), NM_CI_OK);
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
	assert_int_equal(PARSE(l, &e), NM_CI_OK);
	assert_int_equal(e.count, 4);
	assert_string_equal(e.v[0].resource, "a%20b");
	assert_string_equal(e.v[1].resource, "c:d/e");
	assert_string_equal(e.v[2].resource, "f%2Cg%40h%2Bi~j");
	assert_string_equal(e.v[3].resource, "%C3%A9t%C3%A9");
	nm_ci_entries_free(&e);
	assert_int_equal(PARSE(bad, &e), NM_CI_NOT_TEXT);
	assert_int_equal(e.count, 0);
	assert_int_equal(nm_ci_entries_parse(NULL, 0, &e), NM_CI_OK);
	assert_int_equal(e.count, 0);
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
	assert_int_equal(nm_ci_entries_parse(body, len, &e), NM_CI_OK);
	assert_int_equal(e.count, 1024);
	nm_ci_entries_free(&e);
	free(body);
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
		cmocka_unit_test(test_quoting_and_text),
		cmocka_unit_test(test_many_entries_capped),
	};

	return cmocka_run_group_tests_name("cloudinit", tests, NULL, NULL);
}
