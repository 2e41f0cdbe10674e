/* The agent's signature: the README's test vector and HMAC edge cases. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "core_sign.h"
#include "core_wipe.h"

static void
test_spec_vector(void **state)
{
	char hex[NM_SIGNATURE_HEX_LEN + 1];
	const char *secret = "deadbeef2eb84d8d";

	(void)state;
	assert_int_equal(nm_sign(secret, strlen(secret),
	    "32d0524b-314d-4594-b3a3-607e3f2354f8", hex), 0);
	assert_string_equal(hex,
	    "6bcbe3885ae7efc49cef35b438efe29c95501f4a720a0c53ed000d8fcf04a605");
}

/* RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?". */
static void
test_rfc4231_case2(void **state)
{
	char hex[NM_SIGNATURE_HEX_LEN + 1];

	(void)state;
	assert_int_equal(nm_sign("Jefe", 4, "what do ya want for nothing?",
	    hex), 0);
	assert_string_equal(hex,
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void
test_lower_case_and_length(void **state)
{
	char hex[NM_SIGNATURE_HEX_LEN + 1];
	size_t i;

	(void)state;
	assert_int_equal(nm_sign("k", 1, "m", hex), 0);
	assert_int_equal(strlen(hex), NM_SIGNATURE_HEX_LEN);
	for (i = 0; i < NM_SIGNATURE_HEX_LEN; i++)
		assert_non_null(strchr("0123456789abcdef", hex[i]));
}

/* A key longer than SHA-256's block is hashed first (RFC 2104); the
 * result must still differ from a key that is merely its prefix. */
static void
test_long_key_differs(void **state)
{
	char key[200], a[NM_SIGNATURE_HEX_LEN + 1], b[NM_SIGNATURE_HEX_LEN + 1];

	(void)state;
	memset(key, 'x', sizeof(key));
	assert_int_equal(nm_sign(key, sizeof(key), "id", a), 0);
	assert_int_equal(nm_sign(key, sizeof(key) - 1, "id", b), 0);
	assert_string_not_equal(a, b);
}

static void
test_wipe(void **state)
{
	char buf[16];
	size_t i;

	(void)state;
	memset(buf, 'S', sizeof(buf));
	nm_wipe(buf, sizeof(buf));
	for (i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
	nm_wipe(NULL, 10);	/* must not crash */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_vector),
		cmocka_unit_test(test_rfc4231_case2),
		cmocka_unit_test(test_lower_case_and_length),
		cmocka_unit_test(test_long_key_differs),
		cmocka_unit_test(test_wipe),
	};

	return cmocka_run_group_tests_name("sign", tests, NULL, NULL);
}
