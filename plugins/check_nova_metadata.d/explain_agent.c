#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain_agent.h"

nm_err
nm_explain_agent_lookup(const nm_config *cfg, char *buf, size_t len)
{
	int r;

	if (cfg->router_id != NULL)
		r = snprintf(buf, len, "router %s", cfg->router_id);
	else if (cfg->ovn_network_id != NULL)
		r = snprintf(buf, len, "OVN network %s", cfg->ovn_network_id);
	else
		r = snprintf(buf, len, "network %s", cfg->network_id != NULL ?
		    cfg->network_id : "?");
	return r < 0 || (size_t)r >= len ? NM_ERR_SETUP : NM_OK;
}

/* Zed's agent answers its own pages (tests/agent/README.md): Nova's
 * explanation never comes through, so the status must say it all.
 * Epoxy's passes Nova's pages through and writes its own only where it
 * fails itself; those name the cause, and the words below say so. */
#define AGENT_NO_PORT "Instance was not found on "
#define AGENT_NOVA_UNAVAILABLE "The remote metadata server is " \
	"temporarily unavailable"

static int
no_port_reason(const nm_config *cfg, const char *where, const char *why,
    char **out)
{
	/* Epoxy's own 404; Zed's is webob's, the same page as Nova's */
	if (strstr(why, AGENT_NO_PORT) != NULL)
		return asprintf(out, "the agent found no port for %s on %s (its "
		    "own 404, from its port lookup: neutron-server RPC or OVN "
		    "southbound, and two ports for the IP answer the same)",
		    cfg->forwarded_for, where);
	return asprintf(out, "the agent found no port for %s on %s (its "
	    "port lookup: neutron-server RPC or OVN southbound, and two "
	    "ports for the IP answer the same), or Nova does not know the "
	    "canary",
	    cfg->forwarded_for, where);
}

char *
nm_explain_agent_status(const nm_config *cfg, long status, const char *why)
{
	char where[128];	/* a kind and a UUID */
	char *out = NULL;
	int r;

	if (nm_explain_agent_lookup(cfg, where, sizeof(where)) != NM_OK)
		where[0] = '\0';
	if (status == 404)
		r = no_port_reason(cfg, where, why, &out);
	else if (status == 503 && strstr(why, AGENT_NOVA_UNAVAILABLE) != NULL)
		r = asprintf(&out, "the agent cannot reach Nova (%s): see its "
		    "nova_metadata_host, nova_metadata_port, "
		    "nova_metadata_protocol and its log", why);
	else if (status == 400)
		r = asprintf(&out, "the agent refused the request as "
		    "malformed (newer agents: both a network and a router ID)");
	else if (status == 403)
		r = asprintf(&out, "Nova rejected the agent's signature: the "
		    "agent's metadata_proxy_shared_secret differs from Nova's");
	else if (status == 500 || status == 503)
		r = asprintf(&out, "the agent cannot reach Nova or failed "
		    "(%s): see its nova_metadata_host, nova_metadata_port, "
		    "nova_metadata_protocol and its log", why[0] != '\0' ? why :
		    "no explanation");
	else if (status == 429)
		r = asprintf(&out, "rate limited ([metadata_rate_limiting])");
	else if (why[0] != '\0')
		r = asprintf(&out, "the agent says: %s", why);
	else
		r = asprintf(&out, "no explanation in the body");
	return r < 0 ? NULL : out;
}

/* Nova answers us directly, so what the agent got wrong is its own. */
static nm_err
agent_alone(const nm_config *cfg, long s, char *buf, size_t len)
{
	char where[128];
	int r;

	if (nm_explain_agent_lookup(cfg, where, sizeof(where)) != NM_OK)
		return NM_ERR_SETUP;
	if (s == 403)
		r = snprintf(buf, len, "the agent's secret differs from Nova's "
		    "(HTTP 403 through the agent while Nova accepts our "
		    "signature)");
	else if (s == 500 || s == 503)
		r = snprintf(buf, len, "the agent cannot reach Nova (HTTP %ld "
		    "from the agent while Nova answers us directly)", s);
	else if (s == 404)
		r = snprintf(buf, len, "no port for %s on %s: the agent's port "
		    "lookup (neutron-server RPC or OVN southbound) fails while "
		    "Nova answers for the canary", cfg->forwarded_for, where);
	else	/* a 200 that failed says why itself (another instance) */
		r = snprintf(buf, len, "%s", "");
	return r < 0 || (size_t)r >= len ? NM_ERR_SETUP : NM_OK;
}

/* A hop that got its answer, slow or not. */
static int
answers(const nm_hop *h)
{
	return h->state == MP_OK || (h->state == MP_WARNING &&
	    h->status == 200);
}

nm_err
nm_explain_agent_diagnosis(const nm_config *cfg, const nm_hop *agent,
    const nm_hop *nova, char *buf, size_t len)
{
	int r = 0;

	buf[0] = '\0';
	if (agent->state == MP_OK && nova->state == MP_OK)
		return NM_OK;
	/* No answer from the agent: its own line says why. */
	if (agent->state != MP_OK && agent->status == 0)
		return NM_OK;
	if (agent->state != MP_OK && answers(nova))
		return agent_alone(cfg, agent->status, buf, len);
	if (agent->state != MP_OK && agent->status == nova->status &&
	    nova->status != 200)
		r = snprintf(buf, len, "Nova itself: both hops get HTTP %ld",
		    nova->status);
	else if (agent->state == MP_OK)
		r = snprintf(buf, len, "Nova directly fails while the agent's "
		    "hop works");
	return r < 0 || (size_t)r >= len ? NM_ERR_SETUP : NM_OK;
}
