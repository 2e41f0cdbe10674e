/* The search for the secret in printed lines. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "redact.h"
#include "sign.h"

#define UUID "32d0524b-314d-4594-b3a3-607e3f2354f8"

static void
expect_redacted(const char *in, const char *want)
{
	char *text = strdup(in);

	assert_non_null(text);
	nm_redact(text);
	assert_string_equal(text, want);
	free(text);
}

static void
test_not_armed_changes_nothing(void **state)
{
	(void)state;
	nm_redact_disarm();
	expect_redacted("deadbeef2eb84d8d", "deadbeef2eb84d8d");
	nm_redact(NULL);
}

static void
test_every_copy(void **state)
{
	(void)state;
	assert_int_equal(nm_redact_arm("deadbeef2eb84d8d", 16, UUID, NULL), 0);
	expect_redacted("deadbeef2eb84d8d", "****************");
	expect_redacted("-T deadbeef2eb84d8d, -e k=deadbeef2eb84d8dX "
	    "deadbeef2eb84d8", "-T ****************, -e k=****************X "
	    "deadbeef2eb84d8");
	/* near misses stay */
	expect_redacted("deadbeef2eb84d8e deadbeef2eb84d8D",
	    "deadbeef2eb84d8e deadbeef2eb84d8D");
	expect_redacted("", "");
	expect_redacted("short", "short");
	nm_redact_disarm();
	expect_redacted("deadbeef2eb84d8d", "deadbeef2eb84d8d");
}

/* The caller's signature of the secret arms the same search; one that
 * is not a signature arms nothing. */
static void
test_given_signature(void **state)
{
	char sig[NM_SIGNATURE_HEX_LEN + 1];

	(void)state;
	assert_int_equal(nm_sign("deadbeef2eb84d8d", 16, UUID, sig), 0);
	assert_int_equal(nm_redact_arm("deadbeef2eb84d8d", 16, UUID, sig), 0);
	expect_redacted("x deadbeef2eb84d8d y", "x **************** y");
	assert_int_equal(nm_redact_arm("deadbeef2eb84d8d", 16, UUID, "ab"), -1);
	expect_redacted("deadbeef2eb84d8d", "deadbeef2eb84d8d");
}

/* As the output layer prints it: '|' scrubbed to '/', '"' and '\\'
 * escaped in JSON. */
static void
test_printed_spellings(void **state)
{
	(void)state;
	assert_int_equal(nm_redact_arm("a|b\"c\\d\te", 9, UUID, NULL), 0);
	expect_redacted("x a|b\"c\\d\te y", "x ********* y");
	expect_redacted("x a/b\"c\\d e y", "x ********* y");
	expect_redacted("x a/b\\\"c\\\\d e y", "x *********** y");
	nm_redact_disarm();
}

static void
test_overlapping_and_repeated(void **state)
{
	(void)state;
	assert_int_equal(nm_redact_arm("abab", 4, UUID, NULL), 0);
	expect_redacted("ababab", "****ab");
	expect_redacted("ababxabab", "****x****");
	nm_redact_disarm();
	/* the signature is per instance: another canary, no match */
	assert_int_equal(nm_redact_arm("abab", 4, UUID, NULL), 0);
	assert_int_equal(nm_redact_arm("zzzz", 4, UUID, NULL), 0);
	expect_redacted("abab zzzz", "abab ****");
	nm_redact_disarm();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_armed_changes_nothing),
		cmocka_unit_test(test_every_copy),
		cmocka_unit_test(test_given_signature),
		cmocka_unit_test(test_printed_spellings),
		cmocka_unit_test(test_overlapping_and_repeated),
	};

	return cmocka_run_group_tests_name("redact", tests, NULL, NULL);
}
