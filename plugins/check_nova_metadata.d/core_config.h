/* What the command line asked for. Built once by nm_parse_args(), then
 * only read (const) by the check. Owns every string in it. */
#ifndef NM_CONFIG_H
#define NM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "output.h"
#include "range.h"
#include "states.h"

#define NM_PROGNAME "check_nova_metadata"
#define NM_LABEL "NOVA METADATA"
#define NM_BODY_CAP (1024 * 1024)	/* over 1 MiB is CRITICAL */

/* What holds when no option says otherwise. */
#define NM_DEFAULT_HOST "127.0.0.1"
#define NM_DEFAULT_PORT 8775
#define NM_DEFAULT_URL "/latest/meta-data/"
#define NM_DEFAULT_AGENT_SOCKET "/var/lib/neutron/metadata_proxy"
#define NM_DEFAULT_TIMEOUT 10

typedef struct {
	char *key;
	char *value;
} nm_expect;

/* One -H as given: a backend, or with --all-addresses a name whose
 * every address is one. */
typedef struct {
	char *host;		/* without [] around IPv6 */
	unsigned port;		/* 0: -p's */
} nm_hostspec;

/* What is fetched: the EC2 listing (the default), OpenStack's
 * meta_data.json (-O), or the requests cloud-init makes at boot. */
typedef enum {
	NM_MODE_EC2 = 0,
	NM_MODE_OPENSTACK,
	NM_MODE_CLOUD_INIT
} nm_mode;

/* Which of cloud-init's datasources --cloud-init plays. */
typedef enum {
	NM_CI_OPENSTACK = 0,	/* DataSourceOpenStack: /openstack first */
	NM_CI_EC2		/* DataSourceEc2: /2009-04-04 and its tree */
} nm_ci_profile;

typedef struct {
	/* where */
	char *host;		/* as given, without [] around IPv6 */
	unsigned port;
	nm_hostspec *hosts;	/* every -H, in order (none: host) */
	size_t host_count;
	bool all_addresses;	/* every A and AAAA a backend */
	int family;		/* 0 = either, 4, 6 */
	bool ssl;
	char *ca_cert;
	char *client_cert;
	char *client_key;
	bool insecure;

	/* who */
	char *instance;		/* canary UUID, lower-case */
	char *tenant;
	char *forwarded_for;	/* X-Forwarded-For, NULL = not sent */

	/* the neutron metadata agent's hop (--agent-socket): its socket,
	 * and exactly one of the IDs haproxy in the namespace adds */
	char *agent_socket;	/* NULL: Nova only */
	char *network_id;	/* X-Neutron-Network-ID */
	char *router_id;	/* X-Neutron-Router-ID */
	char *ovn_network_id;	/* X-OVN-Network-ID */
	bool agent_and_nova;	/* a secret source too: Nova checked
				 * directly (-H) beside the agent */

	/* the shared secret: exactly one source is used, in this order */
	char *secret_file;
	char **nova_conf;	/* later files override earlier ones */
	size_t nova_conf_count;

	/* what */
	nm_mode mode;
	char *os_version;	/* -O's VERSION: "latest" or YYYY-MM-DD */
	char *url;		/* listing path, starts and ends with '/' */
	char **keys;		/* keys that must be listed */
	size_t key_count;
	nm_expect *expects;
	size_t expect_count;
	mp_thresholds thresholds;	/* on response time, seconds */
	char **vd_targets;	/* --vendordata-target: each NAME must be a
				 * non-empty object in vendor_data2.json */
	size_t vd_target_count;

	/* how */
	unsigned timeout;	/* seconds, whole run */
	mp_state timeout_result;
	mp_format output_format;
	int verbose;

	/* the instance's own view: unsigned, at the address instances use */
	nm_ci_profile ci_profile;	/* with NM_MODE_CLOUD_INIT */
	bool instance_view;
	char *interface;	/* --interface: the zone of the IPv6 address */
	bool port_given;	/* -p was given: --instance-view keeps it */
} nm_config;

/* A config with the defaults, or NULL when out of memory. */
nm_config *nm_config_new(void);

void nm_config_free(nm_config *cfg);

#endif
