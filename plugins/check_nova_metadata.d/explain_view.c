#include "config.h"

#include <string.h>

#include "explain_view.h"

/* haproxy's built-in error pages (src/http_htx.c's http_err_msgs) carry
 * one fixed sentence each; neither the agent nor Nova writes them. */
static const struct {
	const char *status;
	const char *sentence;
} haproxy_pages[] = {
	{ "502", "The server returned an invalid or incomplete response." },
	{ "503", "No server is available to handle this request." },
	{ "504", "The server didn't respond in time." },
};

/* The agent's answer when forwarding to Nova raised (Zed's
 * MetadataProxyHandler.__call__). */
#define AGENT_UNKNOWN_ERROR "An unknown error has occurred"
/* Pages Epoxy's agent writes itself (neutron/common/metadata.py):
 * Nova unreachable, no single port for the address on the network or
 * router, both IDs given. Nova's own answers come through unchanged. */
#define AGENT_NOVA_UNAVAILABLE "The remote metadata server is " \
	"temporarily unavailable"
#define AGENT_NO_PORT "Instance was not found on "
#define AGENT_BOTH_IDS "Both network "
/* Nova's 403 page: behind the agent only the agent's signature can be
 * wrong, the instance sends none (Epoxy passes Nova's page through). */
#define NOVA_BAD_SIGNATURE "Invalid proxy request signature"

static int
contains(const char *body, size_t len, const char *needle)
{
	return body != NULL && memmem(body, len, needle, strlen(needle)) !=
	    NULL;
}

const char *
nm_explain_view_haproxy_page(const char *body, size_t len)
{
	size_t i;

	if (!contains(body, len, "<html><body><h1>"))
		return NULL;
	for (i = 0; i < sizeof(haproxy_pages) / sizeof(haproxy_pages[0]); i++) {
		if (contains(body, len, haproxy_pages[i].sentence))
			return haproxy_pages[i].status;
	}
	return NULL;
}

static const char *
haproxy_reason(const char *page)
{
	if (strcmp(page, "502") == 0)
		return "the metadata proxy (haproxy) got an invalid or "
		    "incomplete answer from the neutron metadata agent";
	if (strcmp(page, "503") == 0)
		return "the metadata proxy (haproxy) has no server for the "
		    "request: the neutron metadata agent is not serving its "
		    "socket";
	return "the metadata proxy (haproxy) timed out waiting for the "
	    "neutron metadata agent (haproxy's timeout server)";
}

const char *
nm_explain_view_status(long status, const char *body, size_t len,
    int first)
{
	const char *page = nm_explain_view_haproxy_page(body, len);

	if (status == 429)
		return "rate limited by the metadata proxy "
		    "([metadata_rate_limiting])";
	if (page != NULL && status >= 502 && status <= 504)
		return haproxy_reason(page);
	if (status == 500 && contains(body, len, AGENT_UNKNOWN_ERROR))
		return "the neutron metadata agent failed to forward the "
		    "request to Nova (\"" AGENT_UNKNOWN_ERROR "\"): Nova "
		    "down or unreachable from the agent";
	if (status == 503 && contains(body, len, AGENT_NOVA_UNAVAILABLE))
		return "the neutron metadata agent cannot reach Nova (\""
		    AGENT_NOVA_UNAVAILABLE "\"): Nova down or unreachable "
		    "from the agent";
	if (status == 404 && contains(body, len, AGENT_NO_PORT))
		return "no port for this address (the neutron metadata "
		    "agent's own 404, \"" AGENT_NO_PORT "...\": its port "
		    "lookup in neutron-server or the OVN southbound)";
	if (status == 400 && contains(body, len, AGENT_BOTH_IDS))
		return "the neutron metadata agent refused the request: the "
		    "metadata proxy sent both a network and a router ID";
	/* Nova's own words (Epoxy) tell it on any request. */
	if (status == 403 && (first || contains(body, len,
	    NOVA_BAD_SIGNATURE)))
		return "Nova rejected the neutron metadata agent's signature: "
		    "the agent's metadata_proxy_shared_secret differs from "
		    "Nova's";
	if (!first)
		return NULL;
	if (status == 404)
		return "no port for this address (the agent's port lookup: "
		    "neutron-server or the OVN southbound), or the instance "
		    "is unknown to Nova";
	return NULL;
}

const char *
nm_explain_view_no_answer(nm_err e)
{
	switch (e) {
	case NM_ERR_REFUSED:
		return "nothing serves the metadata address: the metadata "
		    "proxy (haproxy) is down, or the router's NAT rule (OVN: "
		    "its flows) does not lead to it";
	case NM_ERR_BROKE_OFF:
		return "the metadata proxy (haproxy) closed the connection";
	default:
		return NULL;
	}
}

nm_reason
nm_explain_view_class(long status, const char *body, size_t len)
{
	if (status >= 502 && status <= 504 &&
	    nm_explain_view_haproxy_page(body, len) != NULL)
		return NM_REASON_PROXY_ERROR;
	if ((status == 500 && contains(body, len, AGENT_UNKNOWN_ERROR)) ||
	    (status == 503 && contains(body, len, AGENT_NOVA_UNAVAILABLE)))
		return NM_REASON_NOVA_UNREACHABLE;
	if (status == 404)
		return NM_REASON_NO_PORT;
	return nm_reason_of_status(status);
}
