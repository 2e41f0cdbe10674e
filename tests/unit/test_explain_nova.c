/* Nova's hop in words: its statuses, and what the 404 probe found. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "explain_nova.h"

#define TENANT "6f70656e737461636b"

static nm_config
nova_config(nm_mode mode)
{
	nm_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.tenant = TENANT;
	cfg.mode = mode;
	cfg.url = "/latest/meta-data/";
	return cfg;
}

static void
assert_status(const nm_config *cfg, long status, const char *why,
    const char *location, const char *want)
{
	char *r = nm_explain_nova_status(cfg, status, why, location);

	assert_non_null(r);
	assert_string_equal(r, want);
	free(r);
}

static void
test_statuses(void **state)
{
	nm_config cfg = nova_config(NM_MODE_EC2);

	(void)state;
	assert_status(&cfg, 403, "", NULL, "signature rejected: the shared "
	    "secret differs from Nova's metadata_proxy_shared_secret");
	assert_status(&cfg, 404, "", NULL, "canary unknown to Nova, tenant "
	    TENANT " is not its project, or Nova has [neutron] "
	    "service_metadata_proxy = False");
	assert_status(&cfg, 302, "", "http://x/", "redirected to http://x/, "
	    "but the metadata API answers directly");
	assert_status(&cfg, 301, "", NULL, "redirected to nowhere, but the "
	    "metadata API answers directly");
	assert_status(&cfg, 400, "X-Instance-ID header is missing", NULL,
	    "Nova says: X-Instance-ID header is missing");
	assert_status(&cfg, 500, "", NULL, "no explanation in the body");
}

/* A path or version the operator chose may be what is missing. */
static void
test_not_found_hints(void **state)
{
	nm_config cfg = nova_config(NM_MODE_EC2);

	(void)state;
	cfg.url = "/2009-04-04/meta-data/";
	assert_status(&cfg, 404, "", NULL, "canary unknown to Nova, tenant "
	    TENANT " is not its project, or Nova has [neutron] "
	    "service_metadata_proxy = False, or -u names a path Nova does "
	    "not serve");
	cfg = nova_config(NM_MODE_OPENSTACK);
	cfg.os_version = "2012-08-10";
	assert_status(&cfg, 404, "", NULL, "canary unknown to Nova, tenant "
	    TENANT " is not its project, or Nova has [neutron] "
	    "service_metadata_proxy = False, or Nova does not serve version "
	    "-O");
	cfg.os_version = "latest";
	assert_status(&cfg, 404, "", NULL, "canary unknown to Nova, tenant "
	    TENANT " is not its project, or Nova has [neutron] "
	    "service_metadata_proxy = False");
}

static void
assert_probe(long status, const char *no_answer, const char *want)
{
	nm_config cfg = nova_config(NM_MODE_EC2);
	char *r = nm_explain_nova_probe(&cfg, status, no_answer);

	assert_non_null(r);
	assert_non_null(strstr(r, want));
	free(r);
}

static void
test_probe(void **state)
{
	(void)state;
	assert_probe(403, NULL, "the proxy mode is on): check -i and -T");
	assert_probe(404, NULL, "service_metadata_proxy = False (a wrong "
	    "signature got 404 too)");
	assert_probe(500, NULL, "= False (the probe with a wrong signature "
	    "got HTTP 500, which tells none of them)");
	assert_probe(0, "no time left within -t", "(the probe with a wrong "
	    "signature got no answer: no time left within -t)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statuses),
		cmocka_unit_test(test_not_found_hints),
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
