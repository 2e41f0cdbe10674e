/* The one error route: each code's state (nm_err_state), and what a
 * step's nm_err means for the visit of one target (visit.h). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "core_error.h"
#include "visit.h"

static void
test_states(void **state)
{
	(void)state;
	assert_int_equal(nm_err_state(NM_OK, MP_CRITICAL), MP_OK);
	/* the plugin's own failures */
	assert_int_equal(nm_err_state(NM_ERR_NOMEM, MP_CRITICAL), MP_UNKNOWN);
	assert_int_equal(nm_err_state(NM_ERR_SETUP, MP_CRITICAL), MP_UNKNOWN);
	assert_int_equal(nm_err_state(NM_ERR_CONFIG, MP_CRITICAL), MP_UNKNOWN);
	assert_int_equal(nm_err_state(NM_ERR_DENIED, MP_CRITICAL), MP_UNKNOWN);
	/* the service's */
	assert_int_equal(nm_err_state(NM_ERR_REFUSED, MP_UNKNOWN),
	    MP_CRITICAL);
	assert_int_equal(nm_err_state(NM_ERR_TOO_LARGE, MP_UNKNOWN),
	    MP_CRITICAL);
	assert_int_equal(nm_err_state(NM_ERR_MALFORMED, MP_UNKNOWN),
	    MP_CRITICAL);
	assert_int_equal(nm_err_state(NM_ERR_NOT_TEXT, MP_UNKNOWN),
	    MP_CRITICAL);
	/* the whole-run limit: --timeout-result */
	assert_int_equal(nm_err_state(NM_ERR_TIMEOUT, MP_WARNING),
	    MP_WARNING);
	assert_int_equal(nm_err_state(NM_ERR_TIMEOUT, MP_UNKNOWN),
	    MP_UNKNOWN);
	/* recorded as a sub-check: its state stands, nothing is added */
	assert_int_equal(nm_err_state(NM_ERR_ENDED, MP_CRITICAL), MP_OK);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(nm_err_name(NM_ERR_NOT_TEXT),
	    "answer is not text");
	assert_string_equal(nm_err_name(NM_ERR_ENDED), "ended early");
	assert_string_equal(nm_err_name(NM_ERR_NOMEM), "out of memory");
}

/* What a mode's or step's code leaves the visit with. */
static void
test_step_codes(void **state)
{
	(void)state;
	assert_true(nm_visit_has_result(NM_OK));
	assert_true(nm_visit_has_result(NM_ERR_ENDED));
	assert_false(nm_visit_has_result(NM_ERR_TIMEOUT));
	assert_false(nm_visit_has_result(NM_ERR_NOMEM));
	assert_false(nm_visit_has_result(NM_ERR_SETUP));
	/* a recorded step ends the visit; a failed record stays a failure */
	assert_int_equal(nm_visit_ended(NM_OK), NM_ERR_ENDED);
	assert_int_equal(nm_visit_ended(NM_ERR_NOMEM), NM_ERR_NOMEM);
	/* a request's transport errors, as opposed to the visit's own */
	assert_true(nm_visit_no_answer(NM_ERR_REFUSED));
	assert_true(nm_visit_no_answer(NM_ERR_TOO_LARGE));
	assert_true(nm_visit_no_answer(NM_ERR_TIMEOUT));
	assert_true(nm_visit_no_answer(NM_ERR_DENIED));
	assert_false(nm_visit_no_answer(NM_OK));
	assert_false(nm_visit_no_answer(NM_ERR_NOMEM));
	assert_false(nm_visit_no_answer(NM_ERR_SETUP));
	assert_false(nm_visit_no_answer(NM_ERR_ENDED));
}

/* A sub-check not OK goes into the summary, before the facts: its
 * brief when given, else its text; an OK one does not. Causes are
 * joined by commas, never ';' (Nagios 4 shows it as ':'). */
static void
test_results(void **state)
{
	struct timespec deadline = { 0, 0 };
	nm_config cfg;
	nm_visit visit;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(nm_visit_init(&visit, &cfg, &deadline,
	    "canary 32d0524b on 127.0.0.1:8775"), NM_OK);
	assert_int_equal(nm_visit_fact(&visit, "HTTP %d", 403), NM_OK);
	assert_int_equal(nm_visit_result(&visit, MP_OK, NULL, "fine"), NM_OK);
	assert_int_equal(nm_visit_result(&visit, MP_CRITICAL, "short",
	    "HTTP %d for %s: long", 403, "/x"), NM_OK);
	assert_int_equal(nm_visit_result(&visit, MP_WARNING, NULL, "a|b"),
	    NM_OK);
	assert_int_equal(nm_visit_summary(&visit), NM_OK);
	assert_string_equal(mp_check_summary(visit.check), "canary 32d0524b "
	    "on 127.0.0.1:8775: short, a/b, HTTP 403");
	assert_int_equal(mp_check_state(visit.check), MP_CRITICAL);
	nm_visit_free(&visit);
}

/* The summary names three causes, then counts the others; the facts'
 * leading comma goes when no fact came before. */
static void
test_results_counted(void **state)
{
	struct timespec deadline = { 0, 0 };
	nm_config cfg;
	nm_visit visit;
	int i;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(nm_visit_init(&visit, &cfg, &deadline, "subject"),
	    NM_OK);
	for (i = 0; i < 5; i++)
		assert_int_equal(nm_visit_result(&visit, MP_CRITICAL, NULL,
		    "cause %d", i), NM_OK);
	assert_int_equal(nm_visit_fact(&visit, ", %.3f s", 0.5), NM_OK);
	assert_int_equal(nm_visit_summary(&visit), NM_OK);
	assert_int_equal(nm_visit_causes_untold(&visit), 2);
	assert_string_equal(mp_check_summary(visit.check), "subject: cause 0, "
	    "cause 1, cause 2 and 2 more, 0.500 s");
	nm_visit_free(&visit);
}

/* The words for a failed request: the class alone for the main
 * document, with the path for any other, the status first. */
static void
test_brief(void **state)
{
	struct timespec deadline = { 0, 0 };
	nm_config cfg;
	nm_visit visit;
	char *b;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(nm_visit_init(&visit, &cfg, &deadline, "s"), NM_OK);
	visit.main_path = "/latest/meta-data/";
	b = nm_visit_brief(&visit, "/latest/meta-data/", 403,
	    NM_REASON_SIGNATURE_REJECTED);
	assert_string_equal(b, "HTTP 403 signature rejected");
	free(b);
	b = nm_visit_brief(&visit, "/latest/meta-data/", 0,
	    NM_REASON_REFUSED);
	assert_string_equal(b, "refused");
	free(b);
	b = nm_visit_brief(&visit, "/x", 500, NM_REASON_SERVER_ERROR);
	assert_string_equal(b, "HTTP 500 server error for /x");
	free(b);
	b = nm_visit_brief(&visit, "/x", 0, NM_REASON_BROKE_OFF);
	assert_string_equal(b, "/x connection broke off");
	free(b);
	nm_visit_free(&visit);
}

/* The visit's own failure keeps its code and says why. */
static void
test_fail(void **state)
{
	struct timespec deadline = { 0, 0 };
	nm_config cfg;
	nm_visit visit;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(nm_visit_init(&visit, &cfg, &deadline, "s"), NM_OK);
	assert_int_equal(nm_visit_fail(&visit, NM_ERR_SETUP, "path %s too "
	    "long", "/x"), NM_ERR_SETUP);
	assert_int_equal(visit.err.code, NM_ERR_SETUP);
	assert_string_equal(nm_error_text(&visit.err), "path /x too long");
	assert_int_equal(nm_visit_nomem(&visit), NM_ERR_NOMEM);
	assert_string_equal(nm_error_text(&visit.err), "out of memory");
	nm_visit_free(&visit);
}

/* A visit's time is a sum of libcurl's whole microseconds: the sum is
 * the double nearest to its whole microseconds, which mp-test-json then
 * writes as short as the numbers of the sum (never 17 digits). */
static void
test_seconds_sum(void **state)
{
	char text[40];
	double t = 0;
	int i;

	(void)state;
	t = nm_visit_add_seconds(t, 0.001);
	t = nm_visit_add_seconds(t, 0.011981);
	assert_true(t == 0.012981);
	for (i = 0; i < 1000; i++)
		t = nm_visit_add_seconds(t, 0.000007);
	assert_true(t == 0.019981);
	(void)snprintf(text, sizeof(text), "%.15g", t);
	assert_string_equal(text, "0.019981");
	assert_true(nm_visit_add_seconds(0.1, 0.2) == 0.3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_seconds_sum),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_step_codes),
		cmocka_unit_test(test_results),
		cmocka_unit_test(test_results_counted),
		cmocka_unit_test(test_brief),
		cmocka_unit_test(test_fail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
