/* The failure classes: every token is a Prometheus label value of the
 * documented set ([a-z_]+), every phrase is short and free of ';' (which
 * Nagios turns into ':'), and the transport's and the statuses' classes
 * are the ones the README names. */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "core_reason.h"
#include "explain_view.h"

#define HAPROXY_503 "<html><body><h1>503 Service Unavailable</h1>\n" \
	"No server is available to handle this request.\n</body></html>\n"
#define EPOXY_503 "<html><body><h1>503 Service Unavailable</h1>The " \
	"remote metadata server is temporarily unavailable. Please try " \
	"again later.<br /><br /></body></html>"

/* The documented set, in the README's order. */
static const char *const documented[] = {
	"refused", "timeout", "unresolved", "tls", "broke_off", "too_large",
	"socket_denied", "transport", "signature_rejected", "canary_unknown",
	"proxy_off", "not_found", "no_port", "nova_unreachable",
	"proxy_error", "rate_limited", "redirected", "bad_request",
	"server_error", "http_status", "malformed", "key_missing",
	"wrong_canary", "value_mismatch", "vendordata_failed", "cloudinit",
	"slow", "unknown",
};

static bool
is_documented(const char *token)
{
	size_t i;

	for (i = 0; i < sizeof(documented) / sizeof(documented[0]); i++)
		if (strcmp(documented[i], token) == 0)
			return true;
	return false;
}

static void
test_tokens_are_label_values_of_the_set(void **state)
{
	nm_reason r;
	const char *t;

	(void)state;
	assert_string_equal(nm_reason_token(NM_REASON_NONE), "");
	for (r = NM_REASON_NONE + 1; r < NM_REASON_COUNT; r++) {
		t = nm_reason_token(r);
		assert_non_null(t);
		assert_true(strlen(t) > 0);
		assert_int_equal(strspn(t, "abcdefghijklmnopqrstuvwxyz_"),
		    strlen(t));
		assert_true(is_documented(t));
	}
	/* out of range: the plugin could not tell */
	assert_string_equal(nm_reason_token(NM_REASON_COUNT), "unknown");
}

static void
test_phrases_are_short_and_have_no_semicolon(void **state)
{
	nm_reason r;
	const char *p;

	(void)state;
	assert_string_equal(nm_reason_phrase(NM_REASON_NONE), "");
	for (r = NM_REASON_NONE + 1; r < NM_REASON_COUNT; r++) {
		p = nm_reason_phrase(r);
		assert_true(strlen(p) > 0 && strlen(p) <= 32);
		assert_null(strchr(p, ';'));
		assert_null(strchr(p, '|'));
	}
	assert_string_equal(nm_reason_phrase(NM_REASON_REFUSED), "refused");
	assert_string_equal(nm_reason_phrase(NM_REASON_TIMEOUT), "timed out");
	assert_string_equal(nm_reason_phrase(NM_REASON_UNRESOLVED),
	    "name not resolved");
	assert_int_equal(strncmp(nm_reason_phrase(NM_REASON_TLS_CERT),
	    "TLS: ", 5), 0);
}

static void
test_transport_errors(void **state)
{
	(void)state;
	assert_int_equal(nm_reason_of_err(NM_OK), NM_REASON_NONE);
	assert_int_equal(nm_reason_of_err(NM_ERR_REFUSED), NM_REASON_REFUSED);
	assert_int_equal(nm_reason_of_err(NM_ERR_UNRESOLVED),
	    NM_REASON_UNRESOLVED);
	assert_int_equal(nm_reason_of_err(NM_ERR_TLS), NM_REASON_TLS);
	assert_int_equal(nm_reason_of_err(NM_ERR_TIMEOUT), NM_REASON_TIMEOUT);
	assert_int_equal(nm_reason_of_err(NM_ERR_BROKE_OFF),
	    NM_REASON_BROKE_OFF);
	assert_int_equal(nm_reason_of_err(NM_ERR_NOT_TEXT),
	    NM_REASON_MALFORMED);
	assert_int_equal(nm_reason_of_err(NM_ERR_NOMEM), NM_REASON_UNKNOWN);
	assert_int_equal(nm_reason_of_err(NM_ERR_SETUP), NM_REASON_UNKNOWN);
}

static void
test_statuses(void **state)
{
	(void)state;
	assert_int_equal(nm_reason_of_status(403),
	    NM_REASON_SIGNATURE_REJECTED);
	assert_int_equal(nm_reason_of_status(404), NM_REASON_NOT_FOUND);
	assert_int_equal(nm_reason_of_status(429), NM_REASON_RATE_LIMITED);
	assert_int_equal(nm_reason_of_status(302), NM_REASON_REDIRECTED);
	assert_int_equal(nm_reason_of_status(400), NM_REASON_BAD_REQUEST);
	assert_int_equal(nm_reason_of_status(502), NM_REASON_SERVER_ERROR);
	assert_int_equal(nm_reason_of_status(418), NM_REASON_HTTP_STATUS);
}

static void
test_instance_view_classes(void **state)
{
	(void)state;
	assert_int_equal(nm_explain_view_class(503, HAPROXY_503,
	    strlen(HAPROXY_503)), NM_REASON_PROXY_ERROR);
	assert_int_equal(nm_explain_view_class(503, EPOXY_503,
	    strlen(EPOXY_503)), NM_REASON_NOVA_UNREACHABLE);
	assert_int_equal(nm_explain_view_class(404, "", 0), NM_REASON_NO_PORT);
	assert_int_equal(nm_explain_view_class(429, "", 0),
	    NM_REASON_RATE_LIMITED);
	/* a 503 no hop of the chain words: by its status */
	assert_int_equal(nm_explain_view_class(503, "x", 1),
	    NM_REASON_SERVER_ERROR);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens_are_label_values_of_the_set),
		cmocka_unit_test(test_phrases_are_short_and_have_no_semicolon),
		cmocka_unit_test(test_transport_errors),
		cmocka_unit_test(test_statuses),
		cmocka_unit_test(test_instance_view_classes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
