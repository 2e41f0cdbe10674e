#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_check.h"
#include "secret_source.h"
#include "parse_vendordata.h"
#include "cli_view.h"

static nm_err
fail(nm_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A refused option: NM_ERR_CONFIG with its cause (scrubbed), or
 * NM_ERR_NOMEM when the cause cannot be kept. */
static nm_err
fail(nm_error *err, const char *fmt, ...)
{
	va_list ap;
	nm_err e;

	va_start(ap, fmt);
	e = nm_error_vset(err, NM_ERR_CONFIG, fmt, ap);
	va_end(ap);
	return e;
}

static nm_err
replace_host(nm_config *cfg, const char *host)
{
	char *copy = strdup(host);

	if (copy == NULL)
		return NM_ERR_NOMEM;
	free(cfg->host);
	cfg->host = copy;
	return NM_OK;
}

/* -4/-6 against an address literal of the other family could only fail
 * later as "Couldn't connect", which blames the service. */
static nm_err
check_family(const nm_config *cfg, const char *host, nm_error *err)
{
	unsigned char addr[sizeof(struct in6_addr)];

	if (cfg->family == 4 && strchr(host, ':') != NULL)
		return fail(err, "-4 with -H %s: an IPv6 address", host);
	if (cfg->family == 6 && inet_pton(AF_INET, host, addr) == 1)
		return fail(err, "-6 with -H %s: an IPv4 address", host);
	return NM_OK;
}

/* With one -H, its port is the run's: -p's unless it names one. */
static nm_err
check_hosts(nm_config *cfg, nm_error *err)
{
	nm_err r;
	size_t i;

	for (i = 0; i < cfg->host_count; i++) {
		if ((r = check_family(cfg, cfg->hosts[i].host, err)) !=
		    NM_OK)
			return r;
	}
	if (cfg->host_count == 0)
		return check_family(cfg, cfg->host, err);
	if (cfg->host_count == 1 && cfg->hosts[0].port != 0)
		cfg->port = cfg->hosts[0].port;
	return NM_OK;
}

/* The agent's hop needs what haproxy in the namespace adds: the IP and
 * exactly one network or router; the IDs mean nothing without it. */
static nm_err
check_agent(const nm_config *cfg, nm_error *err)
{
	int ids = (cfg->network_id != NULL) + (cfg->router_id != NULL) +
	    (cfg->ovn_network_id != NULL);

	if (cfg->agent_socket == NULL)
		return ids == 0 ? NM_OK : fail(err, "--network-id, "
		    "--router-id and --ovn-network-id need --agent-socket");
	if (cfg->forwarded_for == NULL)
		return fail(err, "--agent-socket needs --forwarded-for: the "
		    "canary's fixed IP, by which the agent finds its port");
	if (ids == 0)
		return fail(err, "--agent-socket needs one of --network-id, "
		    "--router-id (ML2/OVS) or --ovn-network-id (OVN): the "
		    "network the agent looks the IP up on");
	if (ids > 1)
		return fail(err, "--network-id, --router-id and "
		    "--ovn-network-id exclude each other: give exactly one, "
		    "as haproxy in the namespace does");
	return NM_OK;
}

/* What the instance's view excludes: a secret (the agent signs) and
 * X-Forwarded-For (the proxy adds it). */
static nm_err
check_view_options(const nm_config *cfg, nm_error *err)
{
	if (!cfg->instance_view)
		return cfg->interface == NULL ? NM_OK : fail(err,
		    "--interface needs --instance-view: it names the zone of "
		    "the instances' IPv6 metadata address");
	if (cfg->secret_file != NULL || cfg->nova_conf_count > 0)
		return fail(err, "--instance-view needs no secret: an "
		    "instance sends no signature (the agent signs), so drop "
		    "--secret-file and --nova-conf");
	if (cfg->agent_socket != NULL)
		return fail(err, "--instance-view and --agent-socket exclude "
		    "each other: one vantage point per run (the canary VM, or "
		    "the network node)");
	if (cfg->forwarded_for != NULL)
		return fail(err, "--forwarded-for does not apply to "
		    "--instance-view: the metadata proxy adds X-Forwarded-For");
	if (cfg->interface != NULL && cfg->host_count > 0)
		return fail(err, "--interface with -H: write the zone in -H "
		    "instead (fe80::a9fe:a9fe%%%s)", cfg->interface);
	if (cfg->interface != NULL && cfg->family == 4)
		return fail(err, "-4 with --interface: the address on an "
		    "interface is IPv6 (fe80::a9fe:a9fe)");
	return NM_OK;
}

/* --instance-view: the address instances use unless -H names one,
 * port 80 unless -p or -H names one. */
static nm_err
check_instance_view(nm_config *cfg, nm_error *err)
{
	char *iface = NULL, *host = NULL;
	nm_err r;
	nm_err e;

	if ((r = check_view_options(cfg, err)) != NM_OK ||
	    !cfg->instance_view)
		return r;
	if (!cfg->port_given)
		cfg->port = NM_VIEW_PORT;
	if (cfg->host_count > 0)
		return NM_OK;
	if (cfg->interface == NULL && cfg->family != 6)
		return replace_host(cfg, NM_VIEW_HOST);
	if (cfg->interface == NULL && (e = nm_view_pick_interface(&iface,
	    err)) != NM_OK)
		return e == NM_ERR_NOMEM ? NM_ERR_NOMEM : NM_ERR_CONFIG;
	if (asprintf(&host, "%s%%%s", NM_VIEW_HOST6, iface != NULL ? iface :
	    cfg->interface) < 0)
		host = NULL;
	r = host != NULL ? replace_host(cfg, host) : NM_ERR_NOMEM;
	free(iface);
	free(host);
	return r;
}

nm_err
nm_args_check(nm_config *cfg, nm_error *err)
{
	nm_err r;

	if ((r = check_instance_view(cfg, err)) != NM_OK)
		return r;
	if (cfg->instance == NULL)
		return fail(err, "-i/--instance is required: the canary "
		    "instance's UUID");
	if ((r = check_agent(cfg, err)) != NM_OK)
		return r;
	/* Through the agent the project is proved, not sent: optional,
	 * unless Nova is checked directly too, which needs X-Tenant-ID.
	 * An instance sends none either (the agent adds it). */
	cfg->agent_and_nova = cfg->agent_socket != NULL &&
	    (cfg->secret_file != NULL || cfg->nova_conf_count > 0 ||
	    getenv(NM_SECRET_ENV) != NULL);
	if (cfg->tenant == NULL && cfg->agent_and_nova)
		return fail(err, "-T/--tenant is required to check Nova "
		    "directly beside the agent (a secret source is given)");
	/* Nova is asked beside the agent only with a secret: an -H that
	 * would go unused says the operator expected otherwise. */
	if (cfg->agent_socket != NULL && !cfg->agent_and_nova &&
	    cfg->host_count > 0)
		return fail(err, "-H with --agent-socket checks Nova directly "
		    "beside the agent, which needs a secret source "
		    "(--secret-file, --nova-conf or %s)", NM_SECRET_ENV);
	if (cfg->tenant == NULL && cfg->agent_socket == NULL &&
	    !cfg->instance_view)
		return fail(err, "-T/--tenant is required: the canary's "
		    "project ID");
	if ((cfg->client_cert == NULL) != (cfg->client_key == NULL))
		return fail(err, "%s needs %s too: a client certificate "
		    "comes with its private key", cfg->client_cert != NULL ?
		    "-J/--client-cert" : "-K/--private-key",
		    cfg->client_cert != NULL ? "-K/--private-key" :
		    "-J/--client-cert");
	if (cfg->mode != NM_MODE_EC2 && strcmp(cfg->url, NM_DEFAULT_URL) != 0)
		return fail(err, "-u/--url does not apply to %s: the paths "
		    "are OpenStack's", cfg->mode == NM_MODE_OPENSTACK ?
		    "-O/--openstack" : "--cloud-init");
	if ((r = check_hosts(cfg, err)) != NM_OK)
		return r;
	if (cfg->vd_target_count > 0 && cfg->mode == NM_MODE_CLOUD_INIT &&
	    cfg->ci_profile == NM_CI_EC2)
		return fail(err, "--vendordata-target does not apply to "
		    "--cloud-init=ec2: the Ec2 datasource reads no vendordata");
	/* Dates compare as text: "latest" sorts after every one. */
	if (cfg->vd_target_count > 0 && cfg->mode == NM_MODE_OPENSTACK &&
	    strcmp(cfg->os_version, NM_VD_SINCE) < 0)
		return fail(err, "--vendordata-target needs -O %s or later "
		    "(or latest): older versions have no vendor_data2.json",
		    NM_VD_SINCE);
	if (!cfg->ssl && (cfg->ca_cert != NULL || cfg->client_cert != NULL ||
	    cfg->insecure))
		return fail(err, "--ca-cert, -J, -K and --insecure need "
		    "-S/--ssl");
	return NM_OK;
}
