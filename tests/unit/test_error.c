/* The plugin's error type: the state each code gives, and that an error
 * whose cause cannot be allocated still stands. The failing allocator is
 * vasprintf, wrapped at link time (-Wl,--wrap, as cmocka suggests):
 * every cause text is made by it. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core_error.h"

static bool fail_alloc;

/* _FORTIFY_SOURCE turns vasprintf into __vasprintf_chk: both are
 * wrapped. */
int __real_vasprintf(char **s, const char *fmt, va_list ap);
int __wrap_vasprintf(char **s, const char *fmt, va_list ap);
int __real___vasprintf_chk(char **s, int flag, const char *fmt,
    va_list ap);
int __wrap___vasprintf_chk(char **s, int flag, const char *fmt,
    va_list ap);

int
__wrap_vasprintf(char **s, const char *fmt, va_list ap)
{
	if (fail_alloc)
		return -1;
	return __real_vasprintf(s, fmt, ap);
}

int
__wrap___vasprintf_chk(char **s, int flag, const char *fmt, va_list ap)
{
	if (fail_alloc)
		return -1;
	return __real___vasprintf_chk(s, flag, fmt, ap);
}

static int
reset(void **state)
{
	(void)state;
	fail_alloc = false;
	return 0;
}

static void
test_set(void **state)
{
	nm_error e = { NM_OK, NULL };

	(void)state;
	assert_int_equal(nm_error_set(&e, NM_ERR_TLS, "handshake: %s|x\n",
	    "bad"), NM_ERR_TLS);
	assert_int_equal(e.code, NM_ERR_TLS);
	assert_string_equal(nm_error_text(&e), "handshake: bad/x ");
	assert_int_equal(nm_error_append(&e, " (%d)", 2), NM_ERR_TLS);
	assert_string_equal(nm_error_text(&e), "handshake: bad/x  (2)");
	nm_error_clear(&e);
	assert_int_equal(e.code, NM_OK);
	assert_null(e.cause);
}

/* No memory for the cause: the code stands, named by its text. */
static void
test_set_without_memory(void **state)
{
	static const nm_err codes[] = { NM_ERR_REFUSED, NM_ERR_TLS,
	    NM_ERR_MALFORMED, NM_ERR_TIMEOUT, NM_ERR_CONFIG, NM_ERR_DENIED };
	nm_error e = { NM_OK, NULL };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		/* a cause from before goes: it was about another failure */
		fail_alloc = false;
		assert_int_equal(nm_error_set(&e, NM_ERR_SETUP, "earlier"),
		    NM_ERR_SETUP);
		fail_alloc = true;
		assert_int_equal(nm_error_set(&e, codes[i], "cause %d", 1),
		    codes[i]);
		assert_int_equal(e.code, codes[i]);
		assert_null(e.cause);
		assert_string_equal(nm_error_text(&e), nm_err_name(codes[i]));
		assert_int_equal(nm_err_state(e.code, MP_WARNING),
		    nm_err_state(codes[i], MP_WARNING));
	}
	nm_error_clear(&e);
	/* nm_error_config's verdict does not depend on memory either */
	assert_int_equal(nm_error_config(&e, "-w: %s", "bad"), -1);
	assert_int_equal(e.code, NM_ERR_CONFIG);
	assert_string_equal(nm_error_text(&e), "bad configuration");
	assert_int_equal(nm_error_config(NULL, "x"), -1);
	nm_error_clear(&e);
}

/* No memory for an addition: the cause stays as it was. */
static void
test_append_without_memory(void **state)
{
	nm_error e = { NM_OK, NULL };

	(void)state;
	assert_int_equal(nm_error_set(&e, NM_ERR_CONFIG, "-p: bad"),
	    NM_ERR_CONFIG);
	fail_alloc = true;
	assert_int_equal(nm_error_append(&e, " (from --extra-opts)"),
	    NM_ERR_CONFIG);
	assert_int_equal(e.code, NM_ERR_CONFIG);
	assert_string_equal(nm_error_text(&e), "-p: bad");
	nm_error_clear(&e);
	/* and on an error without a cause, the name stays its text */
	(void)nm_error_set(&e, NM_ERR_BROKE_OFF, "x");
	assert_int_equal(nm_error_append(&e, " more"), NM_ERR_BROKE_OFF);
	assert_string_equal(nm_error_text(&e), "the connection broke off");
	fail_alloc = false;
	assert_int_equal(nm_error_append(&e, " (%s)", "ok"), NM_ERR_BROKE_OFF);
	assert_string_equal(nm_error_text(&e),
	    "the connection broke off (ok)");
	nm_error_clear(&e);
}

static void
test_states(void **state)
{
	(void)state;
	assert_int_equal(nm_err_state(NM_OK, MP_CRITICAL), MP_OK);
	assert_int_equal(nm_err_state(NM_ERR_NOMEM, MP_CRITICAL), MP_UNKNOWN);
	assert_int_equal(nm_err_state(NM_ERR_SETUP, MP_CRITICAL), MP_UNKNOWN);
	assert_int_equal(nm_err_state(NM_ERR_CONFIG, MP_CRITICAL), MP_UNKNOWN);
	assert_int_equal(nm_err_state(NM_ERR_DENIED, MP_CRITICAL), MP_UNKNOWN);
	assert_int_equal(nm_err_state(NM_ERR_REFUSED, MP_UNKNOWN),
	    MP_CRITICAL);
	assert_int_equal(nm_err_state(NM_ERR_TLS, MP_UNKNOWN), MP_CRITICAL);
	assert_int_equal(nm_err_state(NM_ERR_MALFORMED, MP_UNKNOWN),
	    MP_CRITICAL);
	assert_int_equal(nm_err_state(NM_ERR_TIMEOUT, MP_WARNING), MP_WARNING);
	assert_string_equal(nm_err_name(NM_ERR_NOMEM), "out of memory");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_set, reset),
		cmocka_unit_test_setup(test_set_without_memory, reset),
		cmocka_unit_test_setup(test_append_without_memory, reset),
		cmocka_unit_test_setup(test_states, reset),
	};

	return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
