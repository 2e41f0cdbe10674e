/* The search for the secret in printed lines. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core_redact.h"
#include "core_sign.h"

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
	/* ';' as ',' (stdout's text), as it is, and in JSON */
	assert_int_equal(nm_redact_arm("a;b|c\"d", 7, UUID, NULL), 0);
	expect_redacted("x a;b|c\"d y", "x ******* y");
	expect_redacted("x a;b/c\"d y", "x ******* y");
	expect_redacted("x a,b/c\"d y", "x ******* y");
	expect_redacted("x a,b/c\\\"d y", "x ******** y");
	expect_redacted("x a:b/c\"d y", "x a:b/c\"d y");
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

#define P ((UINT64_C(1) << 61) - 1)

/* The reference: a * b modulo P by doubling and adding, one bit of b
 * at a time; every sum stays below 2^62. Slow and plainly right. */
static uint64_t
slow_mulmod(uint64_t a, uint64_t b)
{
	uint64_t r = 0;

	a %= P;
	while (b != 0) {
		if (b & 1)
			r = (r + a) % P;
		a = (a + a) % P;
		b >>= 1;
	}
	return r;
}

/* The rolling hash's product without a 128-bit type (32-bit builds):
 * every pair of the edges of its bounds and of the split at bit 32,
 * then pseudo-random pairs, against the reference. */
static void
test_mulmod_without_128_bits(void **state)
{
	static const uint64_t edge[] = {
		0, 1, 2, 3, 8, UINT64_C(1000003),
		(UINT64_C(1) << 29) - 1, UINT64_C(1) << 29,
		(UINT64_C(1) << 31) - 1, UINT64_C(1) << 31,
		(UINT64_C(1) << 32) - 1, UINT64_C(1) << 32,
		(UINT64_C(1) << 32) + 1, (UINT64_C(1) << 60) - 1,
		UINT64_C(1) << 60, P - 2, P - 1, P,
	};
	size_t n = sizeof(edge) / sizeof(edge[0]), i, j;
	uint64_t x = UINT64_C(0x9e3779b97f4a7c15), a, b;

	(void)state;
	/* Known values: (-1)^2, 2^61, 2^64, P itself and 2^120 modulo P. */
	assert_true(nm_redact_mulmod(P - 1, P - 1) == 1);
	assert_true(nm_redact_mulmod(UINT64_C(1) << 60, 2) == 1);
	assert_true(nm_redact_mulmod(UINT64_C(1) << 32, UINT64_C(1) << 32) == 8);
	assert_true(nm_redact_mulmod(P, 5) == 0);
	assert_true(nm_redact_mulmod(UINT64_C(1) << 60, UINT64_C(1) << 60) ==
	    (UINT64_C(1) << 59));
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			assert_true(nm_redact_mulmod(edge[i], edge[j]) ==
			    slow_mulmod(edge[i], edge[j]));
	for (i = 0; i < 20000; i++) {
		/* xorshift64: no library generator, the same on every
		 * platform */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		a = x >> 3;		/* below 2^61 */
		b = (x * UINT64_C(0x2545f4914f6cdd1d)) >> 3;
		assert_true(nm_redact_mulmod(a, b) == slow_mulmod(a, b));
	}
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
		cmocka_unit_test(test_mulmod_without_128_bits),
	};

	return cmocka_run_group_tests_name("redact", tests, NULL, NULL);
}
