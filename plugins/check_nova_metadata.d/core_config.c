#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core_config.h"

void
nm_config_free(nm_config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	free(cfg->host);
	for (i = 0; i < cfg->host_count; i++)
		free(cfg->hosts[i].host);
	free(cfg->hosts);
	free(cfg->ca_cert);
	free(cfg->client_cert);
	free(cfg->client_key);
	free(cfg->instance);
	free(cfg->tenant);
	free(cfg->forwarded_for);
	free(cfg->agent_socket);
	free(cfg->network_id);
	free(cfg->router_id);
	free(cfg->ovn_network_id);
	free(cfg->secret_file);
	for (i = 0; i < cfg->nova_conf_count; i++)
		free(cfg->nova_conf[i]);
	free(cfg->nova_conf);
	free(cfg->url);
	free(cfg->os_version);
	for (i = 0; i < cfg->key_count; i++)
		free(cfg->keys[i]);
	free(cfg->keys);
	for (i = 0; i < cfg->expect_count; i++) {
		free(cfg->expects[i].key);
		free(cfg->expects[i].value);
	}
	free(cfg->expects);
	free(cfg->interface);
	for (i = 0; i < cfg->vd_target_count; i++)
		free(cfg->vd_targets[i]);
	free(cfg->vd_targets);
	free(cfg);
}

nm_config *
nm_config_new(void)
{
	nm_config *cfg;

	if ((cfg = calloc(1, sizeof(*cfg))) == NULL)
		return NULL;
	cfg->port = NM_DEFAULT_PORT;
	cfg->timeout = NM_DEFAULT_TIMEOUT;
	cfg->timeout_result = MP_CRITICAL;
	cfg->output_format = MP_FORMAT_CLASSIC;
	if ((cfg->host = strdup(NM_DEFAULT_HOST)) == NULL ||
	    (cfg->url = strdup(NM_DEFAULT_URL)) == NULL ||
	    (cfg->keys = calloc(2, sizeof(*cfg->keys))) == NULL ||
	    (cfg->keys[cfg->key_count++] = strdup("instance-id")) == NULL ||
	    (cfg->keys[cfg->key_count++] = strdup("local-ipv4")) == NULL) {
		nm_config_free(cfg);
		return NULL;
	}
	return cfg;
}
