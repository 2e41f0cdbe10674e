#include "config.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_apply.h"
#include "numparse.h"
#include "parse_openstack.h"
#include "cli_options.h"
#include "output.h"
#include "parse_vendordata.h"
#include "cli_view.h"

/* sun_path's size on Linux, its NUL included */
#define NM_MAX_SOCKET_PATH 107
#define NM_MAX_TIMEOUT 3600
#define NM_MAX_FIELD 255
#define NM_MAX_SECONDS 1e15

/* Nonzero range ends below this cannot be measured (the time is taken
 * in microseconds) and would need more decimals than perfdata writes. */
#define NM_MIN_SECONDS 1e-6

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

/* Text that ends up in a URL or an HTTP header: printable ASCII, no
 * spaces, so nothing can split a header or a request line. */
static int
is_token(const char *s, size_t max)
{
	size_t n = 0;

	for (; *s != '\0'; s++, n++) {
		if (n >= max || *s <= ' ' || *s >= 0x7f)
			return 0;
	}
	return n > 0;
}

static int
is_uuid(const char *s)
{
	size_t i;

	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i]))
			return 0;
	}
	return s[36] == '\0';
}

/* A key name as the EC2 listing shows it. */
static int
is_key(const char *s, int allow_slash)
{
	size_t n = 0;

	if (*s == '/')
		return 0;
	for (; *s != '\0'; s++, n++) {
		if (n >= NM_MAX_FIELD)
			return 0;
		if (isalnum((unsigned char)*s) || strchr("._:=,@+-", *s) != NULL)
			continue;
		if (*s == '/' && (allow_slash || s[1] == '\0'))
			continue;
		return 0;
	}
	return n > 0;
}

static int
replace_str(char **slot, const char *value)
{
	char *copy = strdup(value);

	if (copy == NULL)
		return -1;
	free(*slot);
	*slot = copy;
	return 0;
}

static int
push_str(char ***list, size_t *count, const char *value)
{
	char **grown;
	char *copy;

	if ((copy = strdup(value)) == NULL)
		return -1;
	grown = reallocarray(*list, *count + 1, sizeof(**list));
	if (grown == NULL) {
		free(copy);
		return -1;
	}
	grown[(*count)++] = copy;
	*list = grown;
	return 0;
}

/* A zone-scoped IPv6 literal, "fe80::1%eth0": the instance's own view
 * of fe80::a9fe:a9fe is reached only through one interface. */
static int
is_scoped_ipv6(const char *host)
{
	unsigned char addr[sizeof(struct in6_addr)];
	char bare[INET6_ADDRSTRLEN];
	const char *zone;
	size_t len;

	if (nm_view_split_zone(host, &len, &zone) != 1 || len == 0 ||
	    len >= sizeof(bare))
		return 0;
	memcpy(bare, host, len);
	bare[len] = '\0';
	return inet_pton(AF_INET6, bare, addr) == 1;
}

/* "fe80::1%25eth0", as a URL writes it, is kept as "fe80::1%eth0". */
static void
drop_zone_escape(char *host)
{
	const char *zone;
	size_t len;

	if (nm_view_split_zone(host, &len, &zone) == 1 &&
	    zone != host + len + 1)
		memmove(host + len + 1, zone, strlen(zone) + 1);
}

/* A host name (letters, digits, '.', '-', '_') or an IPv6 literal: only
 * those hold ':'. Anything else would change the URL's meaning. */
static int
is_host(const char *host)
{
	unsigned char addr[sizeof(struct in6_addr)];
	const char *p;

	if (strchr(host, '%') != NULL)
		return is_scoped_ipv6(host);
	if (strchr(host, ':') != NULL)
		return inet_pton(AF_INET6, host, addr) == 1;
	for (p = host; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr(".-_", *p) == NULL)
			return 0;
	}
	return p != host;
}

/* HOST:PORT and [IPV6]:PORT: the port, and the length of what is
 * before it in *len; 0 when none is given (a bare IPv6 address has
 * several ':'), -1 when it is no port. */
static long
split_port(const char *arg, size_t *len)
{
	const char *colon = strrchr(arg, ':');
	unsigned long v;

	if (colon == NULL || (arg[0] != '[' && strchr(arg, ':') != colon) ||
	    (arg[0] == '[' && colon[-1] != ']'))
		return 0;
	if (np_parse_ulong(colon + 1, 1, 65535, &v) != NP_OK)
		return -1;
	*len = (size_t)(colon - arg);
	return (long)v;
}

static nm_err
push_host(nm_config *cfg, const char *host, unsigned port, nm_error *err)
{
	nm_hostspec *grown;
	size_t i;

	for (i = 0; i < cfg->host_count; i++) {
		if (strcmp(cfg->hosts[i].host, host) == 0 &&
		    cfg->hosts[i].port == port)
			return fail(err, "-H/--hostname: %s given twice",
			    host);
	}
	grown = reallocarray(cfg->hosts, cfg->host_count + 1, sizeof(*grown));
	if (grown == NULL)
		return NM_ERR_NOMEM;
	cfg->hosts = grown;
	if ((grown[cfg->host_count].host = strdup(host)) == NULL)
		return NM_ERR_NOMEM;
	grown[cfg->host_count++].port = port;
	return replace_str(&cfg->host, host) == 0 ? NM_OK : NM_ERR_NOMEM;
}

static nm_err
set_host(nm_config *cfg, const char *arg, nm_error *err)
{
	char host[NM_MAX_FIELD + 1];
	size_t len = strlen(arg);
	const char *from = arg;
	long port = split_port(arg, &len);

	if (port < 0)
		return fail(err, "-H/--hostname: %s has no valid port "
		    "(1..65535 after the last ':')", arg);
	/* "[::1]" is how URLs write an IPv6 address; keep the bare form. */
	if (len >= 2 && arg[0] == '[' && arg[len - 1] == ']') {
		from++;
		len -= 2;
	}
	if (len == 0 || len > NM_MAX_FIELD)
		return fail(err, "-H/--hostname: not a host name or address "
		    "(%zu characters given, 1..%d)", len, NM_MAX_FIELD);
	memcpy(host, from, len);
	host[len] = '\0';
	if (!is_host(host))
		return fail(err, "-H/--hostname: not a host name or address "
		    "(letters, digits, '.', '-', '_', or an IPv6 address)%s",
		    strchr(host, ':') != NULL && strchr(host, '.') != NULL ?
		    ": write an IPv6 address with a port as [IPV6]:PORT" :
		    strchr(host, '%') != NULL ? ": a zone is an interface "
		    "name or index: fe80::1%eth0" : "");
	drop_zone_escape(host);
	return push_host(cfg, host, (unsigned)port, err);
}

static nm_err
set_port(nm_config *cfg, const char *arg, nm_error *err)
{
	unsigned long v;
	np_err e;

	if ((e = np_parse_ulong(arg, 1, 65535, &v)) != NP_OK)
		return fail(err, "-p/--port: the value %s (1..65535)",
		    np_strerror(e));
	cfg->port = (unsigned)v;
	cfg->port_given = true;
	return NM_OK;
}

static nm_err
set_instance(nm_config *cfg, const char *arg, nm_error *err)
{
	char *p;

	if (!is_uuid(arg))
		return fail(err, "-i/--instance: not a UUID (8-4-4-4-12 hex "
		    "digits, %zu characters given)", strlen(arg));
	if (replace_str(&cfg->instance, arg) != 0)
		return NM_ERR_NOMEM;
	/* Nova writes UUIDs in lower case; sign what Nova will look up. */
	for (p = cfg->instance; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return NM_OK;
}

static nm_err
set_tenant(nm_config *cfg, const char *arg, nm_error *err)
{
	if (!is_token(arg, NM_MAX_FIELD))
		return fail(err, "-T/--tenant: not a project ID (1..255 "
		    "printable characters, no spaces, %zu given)", strlen(arg));
	return replace_str(&cfg->tenant, arg) == 0 ? NM_OK : NM_ERR_NOMEM;
}

static nm_err
set_file(char **slot, const char *opt, const char *arg, nm_error *err)
{
	if (*arg == '\0')
		return fail(err, "%s: the file name is empty", opt);
	return replace_str(slot, arg) == 0 ? NM_OK : NM_ERR_NOMEM;
}

/* Repeatable: later files override earlier ones, as oslo.config does. */
static nm_err
add_nova_conf(nm_config *cfg, const char *arg, nm_error *err)
{
	if (*arg == '\0')
		return fail(err, "--nova-conf: the file name is empty");
	return push_str(&cfg->nova_conf, &cfg->nova_conf_count, arg) == 0 ?
	    NM_OK : NM_ERR_NOMEM;
}

static nm_err
add_key(nm_config *cfg, const char *arg, int *keys_given, nm_error *err)
{
	size_t i;

	if (!is_key(arg, 0))
		return fail(err, "-k/--key: not a key name (letters, digits, "
		    "'._:=,@+-', a trailing '/', %zu characters given)",
		    strlen(arg));
	/* The first -k replaces the default keys instead of adding to them. */
	if (!*keys_given) {
		for (i = 0; i < cfg->key_count; i++)
			free(cfg->keys[i]);
		cfg->key_count = 0;
		*keys_given = 1;
	}
	if (push_str(&cfg->keys, &cfg->key_count, arg) != 0)
		return NM_ERR_NOMEM;
	/* "public-keys/" and "public-keys" name the same entry. */
	i = strlen(cfg->keys[cfg->key_count - 1]);
	if (i > 1 && cfg->keys[cfg->key_count - 1][i - 1] == '/')
		cfg->keys[cfg->key_count - 1][i - 1] = '\0';
	return NM_OK;
}

static nm_err
add_expect(nm_config *cfg, const char *arg, nm_error *err)
{
	const char *eq = strchr(arg, '=');
	nm_expect *grown, *e;
	size_t klen;

	if (eq == NULL || eq == arg)
		return fail(err, "-e/--expect: not KEY=VALUE (%zu characters "
		    "given, no '=' after a key)", strlen(arg));
	klen = (size_t)(eq - arg);
	grown = reallocarray(cfg->expects, cfg->expect_count + 1,
	    sizeof(*grown));
	if (grown == NULL)
		return NM_ERR_NOMEM;
	cfg->expects = grown;
	e = &cfg->expects[cfg->expect_count];
	e->key = strndup(arg, klen);
	e->value = strdup(eq + 1);
	if (e->key == NULL || e->value == NULL) {
		free(e->key);
		free(e->value);
		return NM_ERR_NOMEM;
	}
	cfg->expect_count++;
	if (!is_key(e->key, 1) || e->key[klen - 1] == '/')
		return fail(err, "-e/--expect: the KEY before '=' is not a "
		    "key name (letters, digits, '._:=,@+-/')");
	return NM_OK;
}

static nm_err
set_url(nm_config *cfg, const char *arg, nm_error *err)
{
	size_t len = strlen(arg);
	char *url;

	if (arg[0] != '/' || !is_token(arg, 1024) || strpbrk(arg, "?#") != NULL)
		return fail(err, "-u/--url: not a path starting with '/' (no "
		    "query, no spaces, %zu characters given)", len);
	/* A listing is a directory: keys are fetched below it. */
	if ((url = malloc(len + 2)) == NULL)
		return NM_ERR_NOMEM;
	memcpy(url, arg, len + 1);
	if (url[len - 1] != '/') {
		url[len] = '/';
		url[len + 1] = '\0';
	}
	free(cfg->url);
	cfg->url = url;
	return NM_OK;
}

/* Perfdata numbers are plain decimals; past these bounds they would need
 * an exponent, and no response takes 31 million years or is timed to
 * better than a microsecond anyway. */
static bool
seconds_writable(double v)
{
	return !isfinite(v) || v == 0 ||
	    (fabs(v) < NM_MAX_SECONDS && fabs(v) >= NM_MIN_SECONDS);
}

static nm_err
set_range(bool *has, mp_range *range, const char *opt, const char *arg,
    nm_error *err)
{
	char why[MP_RANGE_WHY_MAX];
	mp_range_err e;

	if ((e = mp_range_parse(arg, range, why, sizeof(why))) != MP_RANGE_OK)
		return e == MP_RANGE_NOMEM ? nm_error_nomem(err) :
		    fail(err, "%s: %s", opt, why);
	if (!seconds_writable(range->start) || !seconds_writable(range->end))
		return fail(err, "%s: a range end is 10^15 seconds or more, "
		    "or below 0.000001 (a microsecond) other than 0", opt);
	*has = true;
	return NM_OK;
}

/* SECONDS[:STATE], as monitoring-plugins' parse_timeout_string reads
 * it: the state after ':' is the --timeout-result. */
static nm_err
set_timeout(nm_config *cfg, const char *arg, nm_error *err)
{
	const char *colon = strchr(arg, ':');
	char *seconds = NULL;
	unsigned long v;
	nm_err r;
	np_err e;

	if ((seconds = strndup(arg, colon != NULL ? (size_t)(colon - arg) :
	    strlen(arg))) == NULL)
		return NM_ERR_NOMEM;
	if ((e = np_parse_ulong(seconds, 1, NM_MAX_TIMEOUT, &v)) != NP_OK)
		r = fail(err, "-t/--timeout: the seconds %s (whole seconds, "
		    "1..%d, then :STATE if wanted)", np_strerror(e),
		    NM_MAX_TIMEOUT);
	else if (colon != NULL &&
	    mp_state_parse(colon + 1, &cfg->timeout_result) != 0)
		r = fail(err, "-t/--timeout: the state after ':' is not OK, "
		    "WARNING, CRITICAL, UNKNOWN or 0..3");
	else {
		cfg->timeout = (unsigned)v;
		r = NM_OK;
	}
	free(seconds);
	return r;
}

static nm_err
set_forwarded_for(nm_config *cfg, const char *arg, nm_error *err)
{
	unsigned char addr[sizeof(struct in6_addr)];

	if (inet_pton(AF_INET, arg, addr) != 1 &&
	    inet_pton(AF_INET6, arg, addr) != 1)
		return fail(err, "--forwarded-for: not an IPv4 or IPv6 "
		    "address (%zu characters given)", strlen(arg));
	return replace_str(&cfg->forwarded_for, arg) == 0 ?
	    NM_OK : NM_ERR_NOMEM;
}

/* The zone of fe80::a9fe:a9fe: an interface this machine has. */
static nm_err
set_interface(nm_config *cfg, const char *arg, nm_error *err)
{
	char probe[IFNAMSIZ + 8];	/* longer is no interface name */
	const char *zone;
	size_t len;
	int r;

	r = snprintf(probe, sizeof(probe), "x%%%s", arg);
	if (r < 0 || (size_t)r >= sizeof(probe) ||
	    nm_view_split_zone(probe, &len, &zone) != 1 || zone != probe + 2)
		return fail(err, "--interface: not an interface name (1..%d "
		    "characters, no spaces, '/', '%%', ':')", IFNAMSIZ - 1);
	if (if_nametoindex(arg) == 0)
		return fail(err, "--interface: no interface %s here", arg);
	return replace_str(&cfg->interface, arg) == 0 ? NM_OK :
	    NM_ERR_NOMEM;
}

static nm_err
add_vendordata_target(nm_config *cfg, const char *arg, nm_error *err)
{
	const char *why = nm_vd_name_problem(arg);
	size_t i;

	/* The length only: what was given may be anything. */
	if (why != NULL)
		return fail(err, "--vendordata-target: %s (%zu characters "
		    "given)", why, strlen(arg));
	for (i = 0; i < cfg->vd_target_count; i++) {
		if (strcmp(cfg->vd_targets[i], arg) == 0)
			return fail(err, "--vendordata-target: the same NAME "
			    "twice");
	}
	return push_str(&cfg->vd_targets, &cfg->vd_target_count, arg) == 0 ?
	    NM_OK : NM_ERR_NOMEM;
}

/* --agent-socket[=PATH]: the path goes into connect(), whose limit
 * is sun_path's; a longer one could only fail later, blaming the agent. */
static nm_err
set_agent_socket(nm_config *cfg, const char *arg, nm_error *err)
{
	const char *path = arg != NULL ? arg : NM_DEFAULT_AGENT_SOCKET;

	if (*path == '\0' || strlen(path) > NM_MAX_SOCKET_PATH)
		return fail(err, "--agent-socket: a socket path is 1..%d "
		    "bytes (%zu given)", NM_MAX_SOCKET_PATH, strlen(path));
	if (!is_token(path, NM_MAX_SOCKET_PATH))
		return fail(err, "--agent-socket: the path holds spaces or "
		    "control characters");
	return replace_str(&cfg->agent_socket, path) == 0 ? NM_OK :
	    NM_ERR_NOMEM;
}

/* --network-id, --router-id, --ovn-network-id: neutron's UUIDs, sent
 * in lower case as neutron writes them. */
static nm_err
set_agent_id(char **slot, const char *opt, const char *arg, nm_error *err)
{
	char *p;

	if (!is_uuid(arg))
		return fail(err, "%s: not a UUID (8-4-4-4-12 hex digits, "
		    "%zu characters given)", opt, strlen(arg));
	if (replace_str(slot, arg) != 0)
		return NM_ERR_NOMEM;
	for (p = *slot; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return NM_OK;
}

/* -O[VERSION] and --cloud-init pick a mode; naming both is a mistake
 * the user must hear about, not a silent "last one wins". */
static nm_err
set_mode(nm_config *cfg, nm_mode mode, const char *arg, nm_error *err)
{
	const char *version = arg != NULL ? arg : "latest";

	if (cfg->mode != NM_MODE_EC2 && cfg->mode != mode)
		return fail(err, "-O/--openstack and --cloud-init exclude "
		    "each other: choose one");
	cfg->mode = mode;
	if (mode != NM_MODE_OPENSTACK)
		return NM_OK;
	if (!nm_os_version_valid(version))
		return fail(err, "-O/--openstack: not a version (latest or "
		    "YYYY-MM-DD, attached: -O2018-08-27)");
	return replace_str(&cfg->os_version, version) == 0 ? NM_OK :
	    NM_ERR_NOMEM;
}

/* --cloud-init[=PROFILE]: the bare option is the OpenStack datasource,
 * as it always was. */
static nm_err
set_cloud_init(nm_config *cfg, const char *arg, nm_error *err)
{
	nm_ci_profile profile;
	nm_err r;

	if (arg == NULL || strcmp(arg, "openstack") == 0)
		profile = NM_CI_OPENSTACK;
	else if (strcmp(arg, "ec2") == 0)
		profile = NM_CI_EC2;
	else
		return fail(err, "--cloud-init: not a profile (openstack or "
		    "ec2, attached: --cloud-init=ec2)");
	if (cfg->mode == NM_MODE_CLOUD_INIT && cfg->ci_profile != profile)
		return fail(err, "--cloud-init: two profiles given: choose "
		    "one");
	if ((r = set_mode(cfg, NM_MODE_CLOUD_INIT, NULL, err)) != NM_OK)
		return r;
	cfg->ci_profile = profile;
	return NM_OK;
}

/* meta_data.json names its keys differently from the EC2 listing. */
int
nm_args_openstack_keys(nm_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->key_count; i++)
		free(cfg->keys[i]);
	cfg->key_count = 0;
	return push_str(&cfg->keys, &cfg->key_count, "uuid") != 0 ||
	    push_str(&cfg->keys, &cfg->key_count, "hostname") != 0 ? -1 : 0;
}

/* Options that take no argument or only pick a value from a short list. */
static nm_err
apply_simple(nm_config *cfg, int opt, const char *arg, nm_error *err)
{
	switch (opt) {
	case 'v':
		if (cfg->verbose < 3)
			cfg->verbose++;
		return NM_OK;
	case '4':
	case '6':
		cfg->family = opt - '0';
		return NM_OK;
	case 'S':
		cfg->ssl = true;
		return NM_OK;
	case OPT_INSECURE:
		cfg->insecure = true;
		return NM_OK;
	case OPT_ALL_ADDRESSES:
		cfg->all_addresses = true;
		return NM_OK;
	case OPT_INSTANCE_VIEW:
		cfg->instance_view = true;
		return NM_OK;
	case OPT_TIMEOUT_RESULT:
		if (mp_state_parse(arg, &cfg->timeout_result) != 0)
			return fail(err, "--timeout-result: not OK, WARNING, "
			    "CRITICAL, UNKNOWN or 0..3");
		return NM_OK;
	case OPT_OUTPUT_FORMAT:
		if (mp_format_parse(arg, &cfg->output_format) != 0)
			return fail(err, "--output-format: not one of %s",
			    MP_FORMAT_NAMES);
		return NM_OK;
	default:
		return fail(err, "internal error: option %d not handled", opt);
	}
}

nm_err
nm_args_apply(nm_config *cfg, int opt, const char *arg, int *keys_given,
    nm_error *err)
{
	mp_thresholds *t = &cfg->thresholds;

	switch (opt) {
	case 'H': return set_host(cfg, arg, err);
	case 'p': return set_port(cfg, arg, err);
	case 'i': return set_instance(cfg, arg, err);
	case 'T': return set_tenant(cfg, arg, err);
	case 'k': return add_key(cfg, arg, keys_given, err);
	case 'e': return add_expect(cfg, arg, err);
	case 'u': return set_url(cfg, arg, err);
	case 't': return set_timeout(cfg, arg, err);
	case 'w': return set_range(&t->has_warning, &t->warning,
	    "-w/--warning", arg, err);
	case 'c': return set_range(&t->has_critical, &t->critical,
	    "-c/--critical", arg, err);
	case 'J': return set_file(&cfg->client_cert, "-J/--client-cert", arg,
	    err);
	case 'K': return set_file(&cfg->client_key, "-K/--private-key", arg,
	    err);
	case OPT_CA_CERT: return set_file(&cfg->ca_cert, "--ca-cert", arg,
	    err);
	case OPT_SECRET_FILE: return set_file(&cfg->secret_file,
	    "--secret-file", arg, err);
	case OPT_NOVA_CONF: return add_nova_conf(cfg, arg, err);
	case OPT_FORWARDED_FOR: return set_forwarded_for(cfg, arg, err);
	case OPT_INTERFACE: return set_interface(cfg, arg, err);
	case 'O': return set_mode(cfg, NM_MODE_OPENSTACK, arg, err);
	case OPT_CLOUD_INIT: return set_cloud_init(cfg, arg, err);
	case OPT_VENDORDATA_TARGET: return add_vendordata_target(cfg, arg,
	    err);
	case OPT_AGENT_SOCKET: return set_agent_socket(cfg, arg, err);
	case OPT_NETWORK_ID: return set_agent_id(&cfg->network_id,
	    "--network-id", arg, err);
	case OPT_ROUTER_ID: return set_agent_id(&cfg->router_id,
	    "--router-id", arg, err);
	case OPT_OVN_NETWORK_ID: return set_agent_id(&cfg->ovn_network_id,
	    "--ovn-network-id", arg, err);
	default: return apply_simple(cfg, opt, arg, err);
	}
}
