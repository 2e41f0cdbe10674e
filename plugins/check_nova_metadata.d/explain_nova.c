#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain_nova.h"

/* A path the operator chose may itself be what is missing. */
static const char *
not_found_hint(const nm_config *cfg)
{
	if (cfg->mode == NM_MODE_EC2 && strcmp(cfg->url, "/latest/meta-data/")
	    != 0)
		return ", or -u names a path Nova does not serve";
	if (cfg->mode == NM_MODE_OPENSTACK && cfg->os_version != NULL &&
	    strcmp(cfg->os_version, "latest") != 0)
		return ", or Nova does not serve version -O";
	return "";
}

char *
nm_explain_nova_status(const nm_config *cfg, long s, const char *why,
    const char *location)
{
	char *out = NULL;
	int r;

	if (s == 403)
		r = asprintf(&out, "signature rejected: the shared secret "
		    "differs from Nova's metadata_proxy_shared_secret");
	else if (s == 404)
		r = asprintf(&out, "canary unknown to Nova, tenant %s is not "
		    "its project, or Nova has [neutron] "
		    "service_metadata_proxy = False%s", cfg->tenant,
		    not_found_hint(cfg));
	else if (s >= 300 && s < 400)
		r = asprintf(&out, "redirected to %s, but the metadata API "
		    "answers directly", location != NULL ? location :
		    "nowhere");
	else if (why[0] != '\0')
		r = asprintf(&out, "Nova says: %s", why);
	else
		r = asprintf(&out, "no explanation in the body");
	return r < 0 ? NULL : out;
}

char *
nm_explain_nova_probe(const nm_config *cfg, long status,
    const char *no_answer)
{
	const char *tenant = cfg->tenant, *hint = not_found_hint(cfg);
	char *out = NULL;
	int n;

	if (status == 403)
		n = asprintf(&out, "canary unknown to Nova or tenant %s is not "
		    "its project%s (a wrong signature got 403: the proxy mode "
		    "is on): check -i and -T", tenant, hint);
	else if (status == 404)
		n = asprintf(&out, "Nova ignores the signed headers: [neutron] "
		    "service_metadata_proxy = False (a wrong signature got 404 "
		    "too): every instance behind the metadata agent gets 404");
	else if (status > 0)
		n = asprintf(&out, "canary unknown to Nova, tenant %s is not "
		    "its project, or Nova has [neutron] service_metadata_proxy "
		    "= False%s (the probe with a wrong signature got HTTP %ld, "
		    "which tells none of them)", tenant, hint, status);
	else
		n = asprintf(&out, "canary unknown to Nova, tenant %s is not "
		    "its project, or Nova has [neutron] service_metadata_proxy "
		    "= False%s (the probe with a wrong signature got no answer: "
		    "%s)", tenant, hint, no_answer);
	return n < 0 ? NULL : out;
}
