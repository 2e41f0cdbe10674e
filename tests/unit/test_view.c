/* The instance's own view: its options (defaults, zone-scoped -H, what
 * it excludes) and which hop a failure is named after. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli_args.h"
#include "argvlist.h"
#include "explain_view.h"
#include "cli_view.h"

#define UUID "32d0524b-314d-4594-b3a3-607e3f2354f8"

#define HAPROXY_503 "<html><body><h1>503 Service Unavailable</h1>\n" \
	"No server is available to handle this request.\n</body></html>\n"
#define HAPROXY_502 "<html><body><h1>502 Bad Gateway</h1>\nThe server " \
	"returned an invalid or incomplete response.\n</body></html>\n"
#define HAPROXY_504 "<html><body><h1>504 Gateway Time-out</h1>\nThe " \
	"server didn't respond in time.\n</body></html>\n"
#define AGENT_500 "500 Internal Server Error\n\nAn unknown error has " \
	"occurred. Please try your request again.\n\n   "
#define WEBOB_503 "503 Service Unavailable\n\nThe server is currently " \
	"unavailable. Please try again at a later time.\n\n   "
/* Epoxy's agent's own pages (neutron/common/metadata.py) */
#define EPOXY_PAGE(t, s) "<html>\n <head>\n  <title>" t "</title>\n " \
	"</head>\n <body>\n  <h1>" t "</h1>\n  " s "<br /><br />\n\n\n " \
	"</body>\n</html>"
#define EPOXY_503 EPOXY_PAGE("503 Service Unavailable", "The remote " \
	"metadata server is temporarily unavailable. Please try again later.")
#define EPOXY_404 EPOXY_PAGE("404 Not Found", "Instance was not found " \
	"on network 3c6c1d2e-6e0f-4a3c-8f0b-0d5b9f0c1a01.")
#define EPOXY_400 EPOXY_PAGE("400 Bad Request", "Both network x and " \
	"router y defined.")
#define NOVA_403 "<html>\n <head>\n  <title>403 Forbidden</title>\n " \
	"</head>\n <body>\n  <h1>403 Forbidden</h1>\n  Invalid proxy " \
	"request signature.<br /><br />\n\n\n\n </body>\n</html>"

static void
test_view_defaults(void **state)
{
	nm_config *cfg;
	nm_error err = { NM_OK, NULL };

	(void)state;
	assert_int_equal(parse(&cfg, &err, "--instance-view", "-i", UUID,
	    "-T", "p", NULL), NM_ARGS_RUN);
	assert_true(cfg->instance_view);
	assert_string_equal(cfg->host, "169.254.169.254");
	assert_int_equal(cfg->port, 80);
	nm_config_free(cfg);
	/* -p and -H win; the interface is the zone of fe80::a9fe:a9fe */
	assert_int_equal(parse(&cfg, &err, "--instance-view", "-p", "8775",
	    "-i", UUID, "-T", "p", NULL), NM_ARGS_RUN);
	assert_int_equal(cfg->port, 8775);
	nm_config_free(cfg);
	assert_int_equal(parse(&cfg, &err, "--instance-view", "-H",
	    "10.0.0.1:8080", "-i", UUID, "-T", "p", NULL), NM_ARGS_RUN);
	assert_string_equal(cfg->host, "10.0.0.1");
	assert_int_equal(cfg->port, 8080);
	nm_config_free(cfg);
	assert_int_equal(parse(&cfg, &err, "--instance-view",
	    "--interface=lo", "-i", UUID, "-T", "p", NULL), NM_ARGS_RUN);
	assert_string_equal(cfg->host, "fe80::a9fe:a9fe%lo");
	assert_int_equal(cfg->port, 80);
	nm_config_free(cfg);
}

static void
test_zone_scoped_host(void **state)
{
	static const struct {
		const char *arg, *host;
		unsigned port;
	} ok[] = {
		{ "fe80::1%eth0", "fe80::1%eth0", 0 },
		{ "[fe80::1%eth0]", "fe80::1%eth0", 0 },
		{ "[fe80::1%eth0]:80", "fe80::1%eth0", 80 },
		{ "[fe80::a9fe:a9fe%25ens3]:80", "fe80::a9fe:a9fe%ens3", 80 },
		{ "fe80::1%2", "fe80::1%2", 0 },
	};
	nm_config *cfg;
	nm_error err = { NM_OK, NULL };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(parse(&cfg, &err, "-H", ok[i].arg, "-i",
		    UUID, "-T", "p", NULL), NM_ARGS_RUN);
		assert_string_equal(cfg->host, ok[i].host);
		assert_int_equal(cfg->hosts[0].port, ok[i].port);
		nm_config_free(cfg);
	}
}

static void
test_bad_zone(void **state)
{
	static const char *bad[] = {
		"fe80::1%", "fe80::1%a/b", "fe80::1%a b", "10.0.0.1%eth0",
		"name%eth0", "fe80::1%averyveryverylongname", "%eth0",
		"fe80::1%eth0%eth1",
	};
	nm_config *cfg;
	nm_error err = { NM_OK, NULL };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&cfg, &err, "-H", bad[i], "-i", UUID,
		    "-T", "p", NULL), NM_ARGS_ERROR);
		assert_non_null(strstr(err.cause, "-H/--hostname"));
		nm_error_clear(&err);
	}
}

static void
expect_error(const char *word, ...)
{
	nm_config *cfg;
	nm_error err = { NM_OK, NULL };
	nm_args_result r;
	va_list ap;

	va_start(ap, word);
	r = vparse(&cfg, &err, ap);
	va_end(ap);
	assert_int_equal(r, NM_ARGS_ERROR);
	assert_non_null(err.cause);
	assert_non_null(strstr(err.cause, word));
	nm_error_clear(&err);
}

static void
test_view_excludes(void **state)
{
	(void)state;
	expect_error("--instance-view and --agent-socket exclude",
	    "--instance-view", "--agent-socket", "--forwarded-for", "10.0.0.5",
	    "--network-id", "3c6c1d2e-6e0f-4a3c-8f0b-0d5b9f0c1a01", "-i", UUID,
	    NULL);
	expect_error("--interface needs --instance-view", "--interface=lo",
	    "-i", UUID, "-T", "p", NULL);
	expect_error("needs no secret", "--instance-view", "--secret-file=/s",
	    "-i", UUID, "-T", "p", NULL);
	expect_error("needs no secret", "--instance-view", "--nova-conf=/n",
	    "-i", UUID, "-T", "p", NULL);
	expect_error("the metadata proxy adds X-Forwarded-For",
	    "--instance-view", "--forwarded-for=10.0.0.5", "-i", UUID, "-T",
	    "p", NULL);
	expect_error("--interface with -H", "--instance-view",
	    "--interface=lo", "-H", "::1", "-i", UUID, "-T", "p", NULL);
	expect_error("-4 with --interface", "--instance-view", "-4",
	    "--interface=lo", "-i", UUID, "-T", "p", NULL);
	expect_error("--interface: no interface", "--instance-view",
	    "--interface=nm-nosuch0", "-i", UUID, "-T", "p", NULL);
	expect_error("--interface: not an interface name", "--instance-view",
	    "--interface=a/b", "-i", UUID, "-T", "p", NULL);
}

static void
assert_reason(long status, const char *body, int first, const char *want)
{
	const char *out = nm_explain_view_status(status, body, strlen(body),
	    first);

	if (want == NULL) {
		assert_null(out);
		return;
	}
	assert_non_null(out);
	assert_non_null(strstr(out, want));
}

static void
test_which_hop(void **state)
{
	(void)state;
	assert_reason(429, "<html><body><h1>429 Too Many Requests</h1>", 1,
	    "rate limited by the metadata proxy ([metadata_rate_limiting])");
	assert_reason(429, "", 0, "rate limited by the metadata proxy");
	assert_reason(503, HAPROXY_503, 1, "the metadata proxy (haproxy) has "
	    "no server");
	assert_reason(502, HAPROXY_502, 1, "(haproxy) got an invalid");
	assert_reason(504, HAPROXY_504, 1, "(haproxy) timed out");
	/* the same status without haproxy's page is not the proxy's */
	assert_reason(503, WEBOB_503, 1, NULL);
	assert_reason(502, "Bad Gateway", 1, NULL);
	assert_reason(500, AGENT_500, 1, "the neutron metadata agent failed "
	    "to forward the request to Nova");
	assert_reason(500, "500 Internal Server Error\n\nboom", 1, NULL);
	assert_reason(403, "403 Forbidden", 1, "the agent's "
	    "metadata_proxy_shared_secret differs from Nova's");
	assert_reason(404, "404 Not Found", 1, "no port for this address");
	/* after an answer came through, a 404 is a path, not the lookup */
	assert_reason(404, "404 Not Found", 0, NULL);
	assert_reason(400, "400 Bad Request", 1, NULL);
	/* Epoxy: the agent's own pages, on any request, never Nova's */
	assert_reason(503, EPOXY_503, 1, "the neutron metadata agent cannot "
	    "reach Nova");
	assert_reason(503, EPOXY_503, 0, "the neutron metadata agent cannot "
	    "reach Nova");
	assert_reason(404, EPOXY_404, 0, "the neutron metadata agent's own "
	    "404");
	assert_reason(400, EPOXY_400, 1, "both a network and a router ID");
	/* Nova's 403 passed through: the agent's signature, on any request */
	assert_reason(403, NOVA_403, 0, "the agent's "
	    "metadata_proxy_shared_secret differs from Nova's");
	assert_null(nm_explain_view_haproxy_page(EPOXY_503, strlen(EPOXY_503)));
	assert_null(nm_explain_view_haproxy_page(WEBOB_503, strlen(WEBOB_503)));
	assert_string_equal(nm_explain_view_haproxy_page(HAPROXY_503,
	    strlen(HAPROXY_503)), "503");
	assert_null(nm_explain_view_haproxy_page(NULL, 0));
}

static void
test_split_zone(void **state)
{
	const char *zone;
	size_t len;

	(void)state;
	assert_int_equal(nm_view_split_zone("fe80::1", &len, &zone), 0);
	assert_int_equal(nm_view_split_zone("fe80::1%eth0", &len, &zone), 1);
	assert_int_equal(len, 7);
	assert_string_equal(zone, "eth0");
	assert_int_equal(nm_view_split_zone("fe80::1%25eth0", &len, &zone),
	    1);
	assert_string_equal(zone, "eth0");
	assert_int_equal(nm_view_split_zone("fe80::1%", &len, &zone), -1);
	assert_int_equal(nm_view_split_zone("fe80::1%a:b", &len, &zone), -1);
	assert_non_null(nm_explain_view_no_answer(NM_ERR_REFUSED));
	assert_null(nm_explain_view_no_answer(NM_ERR_TLS));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_view_defaults),
		cmocka_unit_test(test_zone_scoped_host),
		cmocka_unit_test(test_bad_zone),
		cmocka_unit_test(test_view_excludes),
		cmocka_unit_test(test_which_hop),
		cmocka_unit_test(test_split_zone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
