#include "config.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core_log.h"
#include "visit_targets.h"

/* A resolver answer beyond this many addresses is cut (and logged). */
#define MAX_ADDRESSES 64

void
nm_targets_free(nm_targets *t)
{
	size_t i;

	for (i = 0; i < t->count; i++) {
		free(t->v[i].host);
		free(t->v[i].address);
		free(t->v[i].name);
	}
	free(t->v);
	t->v = NULL;
	t->count = 0;
}

static int
known(const nm_targets *t, const char *host, unsigned port,
    const char *address)
{
	size_t i;

	for (i = 0; i < t->count; i++) {
		if (strcmp(t->v[i].host, host) == 0 && t->v[i].ep.port == port &&
		    (t->v[i].address == NULL) == (address == NULL) &&
		    (address == NULL || strcmp(t->v[i].address, address) == 0))
			return 1;
	}
	return 0;
}

/* Adds host:port (connecting to address, when given); 0 or -1. */
static int
add(nm_targets *t, const char *host, unsigned port, const char *address)
{
	nm_target *grown, *n;
	int v6 = strchr(host, ':') != NULL;

	if (known(t, host, port, address))
		return 0;
	if ((grown = reallocarray(t->v, t->count + 1, sizeof(*grown))) == NULL)
		return -1;
	t->v = grown;
	n = &grown[t->count];
	memset(n, 0, sizeof(*n));
	if ((n->host = strdup(host)) == NULL ||
	    (address != NULL && (n->address = strdup(address)) == NULL) ||
	    (address != NULL ? asprintf(&n->name, "%s[%s]:%u", host, address,
	    port) : asprintf(&n->name, "%s%s%s:%u", v6 ? "[" : "", host,
	    v6 ? "]" : "", port)) < 0) {
		free(n->host);
		free(n->address);
		return -1;
	}
	n->ep.port = port;
	t->count++;
	return 0;
}

static int
add_addresses(nm_targets *t, const nm_config *cfg, const char *host,
    unsigned port)
{
	struct addrinfo hints, *res = NULL, *ai;
	char addr[INET6_ADDRSTRLEN];
	const void *p;
	int r, n = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = cfg->family == 4 ? AF_INET : cfg->family == 6 ?
	    AF_INET6 : AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((r = getaddrinfo(host, NULL, &hints, &res)) != 0) {
		nm_log(1, "--all-addresses: %s: %s", host, gai_strerror(r));
		return add(t, host, port, NULL);
	}
	for (ai = res, r = 0; ai != NULL && r == 0 && n < MAX_ADDRESSES;
	    ai = ai->ai_next) {
		p = ai->ai_family == AF_INET6 ?
		    (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr :
		    (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr;
		if (inet_ntop(ai->ai_family, p, addr, sizeof(addr)) == NULL)
			continue;
		/* A literal is its own one address. */
		r = add(t, host, port, strcmp(addr, host) == 0 ? NULL : addr);
		n++;
	}
	freeaddrinfo(res);
	return r;
}

/* The endpoints point into each target's own strings. */
static void
link_endpoints(nm_targets *t)
{
	size_t i;

	for (i = 0; i < t->count; i++) {
		t->v[i].ep.host = t->v[i].host;
		t->v[i].ep.address = t->v[i].address;
	}
}

/* Every target of a run is of one kind: what the options chose. */
static void
set_kinds(nm_targets *t, const nm_config *cfg)
{
	size_t i;

	for (i = 0; i < t->count; i++) {
		if (cfg->instance_view)
			t->v[i].kind = NM_TARGET_INSTANCE;
	}
}

nm_err
nm_targets_build(const nm_config *cfg, nm_targets *out, nm_error *err)
{
	size_t i, n = cfg->host_count;
	unsigned port;
	int r = 0;

	memset(out, 0, sizeof(*out));
	for (i = 0; (i < n || (n == 0 && i == 0)) && r == 0; i++) {
		const char *host = n > 0 ? cfg->hosts[i].host : cfg->host;

		port = n > 0 && cfg->hosts[i].port != 0 ? cfg->hosts[i].port :
		    cfg->port;
		r = cfg->all_addresses ? add_addresses(out, cfg, host, port) :
		    add(out, host, port, NULL);
	}
	if (r != 0) {
		nm_targets_free(out);
		return nm_error_set(err, NM_ERR_NOMEM, "out of memory");
	}
	link_endpoints(out);
	set_kinds(out, cfg);
	return NM_OK;
}

/* name as a word every perfdata writer keeps; 0, or -1 when it does
 * not fit in buf. */
static int
series_word(const char *name, char *buf, size_t len)
{
	size_t n = 0;
	const char *p;
	char ch;

	for (p = name; *p != '\0'; p++) {
		if (*p == ']' || (*p == '[' && p == name))
			continue;
		ch = *p;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-'))
			ch = '_';
		if (n + 1 >= len)
			return -1;
		buf[n++] = ch;
	}
	if (n >= len)
		return -1;
	buf[n] = '\0';
	return 0;
}

int
nm_target_series(const nm_targets *ts, size_t i, char *buf, size_t len)
{
	char other[384];
	size_t j, n;
	int r;

	if (series_word(ts->v[i].name, buf, len) != 0)
		return -1;
	for (j = 0; j < i; j++) {
		if (series_word(ts->v[j].name, other, sizeof(other)) != 0 ||
		    strcmp(other, buf) != 0)
			continue;
		n = strlen(buf);
		r = snprintf(buf + n, len - n, "_%zu", i + 1);
		return (r < 0 || (size_t)r >= len - n) ? -1 : 0;
	}
	return 0;
}

/* haproxy in the namespace forwards the instance's request as it came:
 * to the link-local address, which stays the URL's host. */
#define AGENT_HOST "169.254.169.254"

nm_err
nm_targets_add_agent(const nm_config *cfg, nm_targets *t, nm_error *err)
{
	nm_target *grown, *n;

	if ((grown = reallocarray(t->v, t->count + 1, sizeof(*grown))) ==
	    NULL)
		return nm_error_set(err, NM_ERR_NOMEM, "out of memory");
	t->v = grown;
	memmove(&grown[1], &grown[0], t->count * sizeof(*grown));
	n = &grown[0];
	memset(n, 0, sizeof(*n));
	if ((n->host = strdup(AGENT_HOST)) == NULL ||
	    (n->name = strdup("agent")) == NULL) {
		free(n->host);
		memmove(&grown[0], &grown[1], t->count * sizeof(*grown));
		return nm_error_set(err, NM_ERR_NOMEM, "out of memory");
	}
	n->kind = NM_TARGET_AGENT;
	n->ep.port = 80;
	n->ep.unix_socket = cfg->agent_socket;
	t->count++;
	link_endpoints(t);
	return NM_OK;
}

static void
add_header(nm_header *set, size_t *n, const char *name, const char *value)
{
	set[*n].name = name;
	set[*n].value = value;
	(*n)++;
}

/* The neutron metadata agent's headers (neutron/agent/metadata/agent.py);
 * X-Forwarded-For only when asked, as the agent sends the instance's IP. */
static void
nova_headers(const nm_config *cfg, const char *signature, nm_header *set,
    size_t *n)
{
	*n = 0;
	add_header(set, n, "X-Instance-ID", cfg->instance);
	add_header(set, n, "X-Tenant-ID", cfg->tenant);
	add_header(set, n, "X-Instance-ID-Signature", signature);
	if (cfg->forwarded_for != NULL)
		add_header(set, n, "X-Forwarded-For", cfg->forwarded_for);
}

/* What haproxy in the router, DHCP or ovnmeta namespace sends the
 * agent (neutron/agent/metadata/driver.py's config): the instance's IP
 * and the one ID the agent looks its port up by; no signature. */
static nm_err
agent_headers(const nm_config *cfg, nm_request *req, nm_error *err)
{
	const char *name = "X-Neutron-Network-ID", *id = cfg->network_id;

	if (cfg->router_id != NULL) {
		name = "X-Neutron-Router-ID";
		id = cfg->router_id;
	} else if (cfg->ovn_network_id != NULL) {
		name = "X-OVN-Network-ID";
		id = cfg->ovn_network_id;
	}
	if (cfg->forwarded_for == NULL || id == NULL)
		return nm_error_set(err, NM_ERR_SETUP, "internal error: the "
		    "agent's hop needs X-Forwarded-For and a network or "
		    "router ID");
	add_header(req->headers, &req->header_count, "X-Forwarded-For",
	    cfg->forwarded_for);
	add_header(req->headers, &req->header_count, name, id);
	return NM_OK;
}

nm_err
nm_targets_request(const nm_config *cfg, const nm_target *t,
    const char *signature, const char *wrong, nm_request *req,
    nm_error *err)
{
	memset(req, 0, sizeof(*req));
	req->ep = t->ep;
	req->ssl = cfg->ssl;
	req->family = cfg->family;
	req->ca_cert = cfg->ca_cert;
	req->client_cert = cfg->client_cert;
	req->client_key = cfg->client_key;
	req->insecure = cfg->insecure;
	switch (t->kind) {
	case NM_TARGET_AGENT:
		return agent_headers(cfg, req, err);
	case NM_TARGET_INSTANCE:
		/* An instance sends none: the proxy and the agent add them. */
		return NM_OK;
	default:
		break;
	}
	if (signature == NULL)
		return nm_error_set(err, NM_ERR_SETUP, "internal error: Nova's "
		    "requests need a signature");
	nova_headers(cfg, signature, req->headers, &req->header_count);
	/* The probe's set is built with the right one, so that the probe
	 * cannot fail to be set up halfway through a run. */
	if (wrong != NULL)
		nova_headers(cfg, wrong, req->probe_headers,
		    &req->probe_header_count);
	return NM_OK;
}
