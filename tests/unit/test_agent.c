#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "explain_agent.h"
#include "parse_openstack.h"

#define UUID "32d0524b-314d-4594-b3a3-607e3f2354f8"
#define OTHER "4c1f7a2e-93d6-4b8a-a5e0-6d2c9b3f1e74"
#define TENANT "6f70656e737461636b20697320636f6f"
#define NET "3c6c1d2e-6e0f-4a3c-8f0b-0d5b9f0c1a01"

static nm_config
agent_config(void)
{
	nm_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.instance = UUID;
	cfg.forwarded_for = "192.0.2.10";
	cfg.agent_socket = "/var/lib/neutron/metadata_proxy";
	cfg.network_id = NET;
	return cfg;
}

static void
test_lookup_text(void **state)
{
	nm_config cfg = agent_config();
	char buf[128], tiny[8];

	(void)state;
	assert_int_equal(nm_explain_agent_lookup(&cfg, buf, sizeof(buf)),
	    NM_OK);
	assert_string_equal(buf, "network " NET);
	cfg.network_id = NULL;
	cfg.router_id = NET;
	assert_int_equal(nm_explain_agent_lookup(&cfg, buf, sizeof(buf)),
	    NM_OK);
	assert_string_equal(buf, "router " NET);
	cfg.router_id = NULL;
	cfg.ovn_network_id = NET;
	assert_int_equal(nm_explain_agent_lookup(&cfg, buf, sizeof(buf)),
	    NM_OK);
	assert_string_equal(buf, "OVN network " NET);
	assert_int_equal(nm_explain_agent_lookup(&cfg, tiny, sizeof(tiny)),
	    NM_ERR_SETUP);
}

static void
reason_is(long status, const char *why, const char *start)
{
	nm_config cfg = agent_config();
	char *r = nm_explain_agent_status(&cfg, status, why);

	assert_non_null(r);
	if (strncmp(r, start, strlen(start)) != 0)
		fail_msg("HTTP %ld: '%s' does not start with '%s'", status, r,
		    start);
	free(r);
}

static void
test_status_reasons(void **state)
{
	(void)state;
	reason_is(404, "", "the agent found no port for 192.0.2.10 on "
	    "network " NET " (its port lookup: neutron-server RPC or OVN "
	    "southbound, and two ports for the IP answer the same), or Nova "
	    "does not know the canary");
	/* Epoxy's own 404 names the network: the lookup alone */
	reason_is(404, "Instance was not found on network " NET ".", "the "
	    "agent found no port for 192.0.2.10 on network " NET " (its own "
	    "404, from its port lookup: neutron-server RPC or OVN southbound, "
	    "and two ports for the IP answer the same)");
	reason_is(404, "The resource could not be found.", "the agent found "
	    "no port for 192.0.2.10 on network " NET " (its port lookup");
	reason_is(503, "The remote metadata server is temporarily "
	    "unavailable. Please try again later.", "the agent cannot reach "
	    "Nova (The remote metadata server is temporarily unavailable.");
	reason_is(400, "", "the agent refused the request as malformed");
	reason_is(403, "Access was denied to this resource.", "Nova rejected "
	    "the agent's signature: the agent's metadata_proxy_shared_secret "
	    "differs from Nova's");
	reason_is(500, "An unknown error has occurred.", "the agent cannot "
	    "reach Nova or failed (An unknown error has occurred.): see its "
	    "nova_metadata_host");
	reason_is(503, "", "the agent cannot reach Nova or failed (no "
	    "explanation):");
	reason_is(429, "", "rate limited ([metadata_rate_limiting])");
	reason_is(502, "Bad Gateway", "the agent says: Bad Gateway");
	reason_is(418, "", "no explanation in the body");
}

static const char *
diagnose(mp_state as, long astatus, mp_state ns, long nstatus)
{
	static char buf[512];
	nm_config cfg = agent_config();
	nm_hop agent = { as, astatus }, nova = { ns, nstatus };

	assert_int_equal(nm_explain_agent_diagnosis(&cfg, &agent, &nova, buf,
	    sizeof(buf)), NM_OK);
	return buf;
}

static void
test_diagnosis(void **state)
{
	(void)state;
	assert_string_equal(diagnose(MP_OK, 200, MP_OK, 200), "");
	assert_string_equal(diagnose(MP_CRITICAL, 403, MP_OK, 200), "the "
	    "agent's secret differs from Nova's (HTTP 403 through the agent "
	    "while Nova accepts our signature)");
	assert_string_equal(diagnose(MP_CRITICAL, 500, MP_OK, 200), "the "
	    "agent cannot reach Nova (HTTP 500 from the agent while Nova "
	    "answers us directly)");
	assert_string_equal(diagnose(MP_CRITICAL, 503, MP_WARNING, 200), "the "
	    "agent cannot reach Nova (HTTP 503 from the agent while Nova "
	    "answers us directly)");
	assert_string_equal(diagnose(MP_CRITICAL, 404, MP_OK, 200), "no port "
	    "for 192.0.2.10 on network " NET ": the agent's port lookup "
	    "(neutron-server RPC or OVN southbound) fails while Nova answers "
	    "for the canary");
	/* another instance's 200: the identity verdict speaks */
	assert_string_equal(diagnose(MP_CRITICAL, 200, MP_OK, 200), "");
	/* no answer from the agent: its own line says why */
	assert_string_equal(diagnose(MP_CRITICAL, 0, MP_OK, 200), "");
	assert_string_equal(diagnose(MP_CRITICAL, 404, MP_CRITICAL, 404),
	    "Nova itself: both hops get HTTP 404");
	assert_string_equal(diagnose(MP_CRITICAL, 500, MP_CRITICAL, 404), "");
	assert_string_equal(diagnose(MP_OK, 200, MP_CRITICAL, 403), "Nova "
	    "directly fails while the agent's hop works");
}

static nm_os_verdicts vs;

static void
identity(const char *body, const char *tenant, const char *version)
{
	json_t *doc = json_loads(body, 0, NULL);

	assert_non_null(doc);
	memset(&vs, 0, sizeof(vs));
	nm_os_check_identity(doc, UUID, tenant, version, &vs);
	json_decref(doc);
}

static void
test_identity(void **state)
{
	(void)state;
	identity("{\"uuid\": \"" UUID "\", \"project_id\": \"" TENANT "\"}",
	    TENANT, "latest");
	assert_int_equal(vs.count, 2);
	assert_int_equal(vs.v[0].state, MP_OK);
	assert_int_equal(vs.v[1].state, MP_OK);
	/* no -T: the project is not checked, even when absent */
	identity("{\"uuid\": \"" UUID "\"}", NULL, "latest");
	assert_int_equal(vs.count, 1);
	assert_int_equal(vs.v[0].state, MP_OK);
	assert_string_equal(vs.v[0].text, "uuid is the canary " UUID);
	/* another instance's answer names both UUIDs */
	identity("{\"uuid\": \"" OTHER "\", \"project_id\": \"x\"}", NULL,
	    "latest");
	assert_int_equal(vs.count, 1);
	assert_int_equal(vs.v[0].state, MP_CRITICAL);
	assert_string_equal(vs.v[0].text, "meta_data.json is another "
	    "instance's: uuid '" OTHER "', expected the canary " UUID);
	identity("{\"uuid\": \"" UUID "\", \"project_id\": \"x\"}", TENANT,
	    "latest");
	assert_int_equal(vs.v[1].state, MP_CRITICAL);
	identity("{\"project_id\": \"" TENANT "\"}", TENANT, "latest");
	assert_int_equal(vs.v[0].state, MP_CRITICAL);
	assert_string_equal(vs.v[0].text, "meta_data.json has no uuid "
	    "(expected the canary " UUID ")");
	/* before Liberty Nova did not serve project_id */
	identity("{\"uuid\": \"" UUID "\"}", TENANT, "2013-10-17");
	assert_int_equal(vs.count, 2);
	assert_int_equal(vs.v[1].state, MP_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_text),
		cmocka_unit_test(test_status_reasons),
		cmocka_unit_test(test_diagnosis),
		cmocka_unit_test(test_identity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
