#include "config.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <ctype.h>
#include <math.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "extraopts.h"
#include "numparse.h"
#include "openstack.h"
#include "options.h"
#include "vendordata.h"
#include "output.h"
#include "view.h"
#include "secret.h"

#define NM_DEFAULT_HOST "127.0.0.1"
#define NM_DEFAULT_PORT 8775
#define NM_DEFAULT_URL "/latest/meta-data/"
#define NM_DEFAULT_AGENT_SOCKET "/var/lib/neutron/metadata_proxy"
/* sun_path's size on Linux, its NUL included */
#define NM_MAX_SOCKET_PATH 107
#define NM_DEFAULT_TIMEOUT 10
#define NM_MAX_TIMEOUT 3600
#define NM_MAX_FIELD 255
#define NM_MAX_SECONDS 1e15

/* Nonzero range ends below this cannot be measured (the time is taken
 * in microseconds) and would need more decimals than perfdata writes. */
#define NM_MIN_SECONDS 1e-6

/* Both tables come from the one description of the options. */
static const char short_opts[] = ":"
#define NM_OPT(val, sh, name, has_arg, arg, help) sh
#define NM_EARLY_OPT(name, arg, help)
#include "options.def"
#undef NM_OPT
#undef NM_EARLY_OPT
    ;

static const struct option long_opts[] = {
#define NM_OPT(val, sh, name, has_arg, arg, help) { name, has_arg, NULL, val },
#define NM_EARLY_OPT(name, arg, help)
#include "options.def"
#undef NM_OPT
#undef NM_EARLY_OPT
	{ NULL, 0, NULL, 0 }
};

static nm_args_result
fail(nm_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A refused option: NM_ERR_CONFIG with its cause (scrubbed). */
static nm_args_result
fail(nm_error *err, const char *fmt, ...)
{
	va_list ap;
	nm_err e;

	va_start(ap, fmt);
	e = nm_error_vset(err, NM_ERR_CONFIG, fmt, ap);
	va_end(ap);
	return e == NM_ERR_NOMEM ? NM_ARGS_NOMEM : NM_ARGS_ERROR;
}

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

static nm_args_result
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
		return NM_ARGS_NOMEM;
	cfg->hosts = grown;
	if ((grown[cfg->host_count].host = strdup(host)) == NULL)
		return NM_ARGS_NOMEM;
	grown[cfg->host_count++].port = port;
	return replace_str(&cfg->host, host) == 0 ? NM_ARGS_RUN : NM_ARGS_NOMEM;
}

static nm_args_result
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
		    "; write an IPv6 address with a port as [IPV6]:PORT" :
		    strchr(host, '%') != NULL ? "; a zone is an interface "
		    "name or index: fe80::1%eth0" : "");
	drop_zone_escape(host);
	return push_host(cfg, host, (unsigned)port, err);
}

static nm_args_result
set_port(nm_config *cfg, const char *arg, nm_error *err)
{
	unsigned long v;
	np_err e;

	if ((e = np_parse_ulong(arg, 1, 65535, &v)) != NP_OK)
		return fail(err, "-p/--port: the value %s (1..65535)",
		    np_strerror(e));
	cfg->port = (unsigned)v;
	cfg->port_given = true;
	return NM_ARGS_RUN;
}

static nm_args_result
set_instance(nm_config *cfg, const char *arg, nm_error *err)
{
	char *p;

	if (!is_uuid(arg))
		return fail(err, "-i/--instance: not a UUID (8-4-4-4-12 hex "
		    "digits; %zu characters given)", strlen(arg));
	if (replace_str(&cfg->instance, arg) != 0)
		return NM_ARGS_NOMEM;
	/* Nova writes UUIDs in lower case; sign what Nova will look up. */
	for (p = cfg->instance; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return NM_ARGS_RUN;
}

static nm_args_result
set_tenant(nm_config *cfg, const char *arg, nm_error *err)
{
	if (!is_token(arg, NM_MAX_FIELD))
		return fail(err, "-T/--tenant: not a project ID (1..255 "
		    "printable characters, no spaces; %zu given)", strlen(arg));
	return replace_str(&cfg->tenant, arg) == 0 ? NM_ARGS_RUN : NM_ARGS_NOMEM;
}

static nm_args_result
set_file(char **slot, const char *opt, const char *arg, nm_error *err)
{
	if (*arg == '\0')
		return fail(err, "%s: the file name is empty", opt);
	return replace_str(slot, arg) == 0 ? NM_ARGS_RUN : NM_ARGS_NOMEM;
}

/* Repeatable: later files override earlier ones, as oslo.config does. */
static nm_args_result
add_nova_conf(nm_config *cfg, const char *arg, nm_error *err)
{
	if (*arg == '\0')
		return fail(err, "--nova-conf: the file name is empty");
	return push_str(&cfg->nova_conf, &cfg->nova_conf_count, arg) == 0 ?
	    NM_ARGS_RUN : NM_ARGS_NOMEM;
}

static nm_args_result
add_key(nm_config *cfg, const char *arg, int *keys_given, nm_error *err)
{
	size_t i;

	if (!is_key(arg, 0))
		return fail(err, "-k/--key: not a key name (letters, digits, "
		    "'._:=,@+-', a trailing '/'; %zu characters given)",
		    strlen(arg));
	/* The first -k replaces the default keys instead of adding to them. */
	if (!*keys_given) {
		for (i = 0; i < cfg->key_count; i++)
			free(cfg->keys[i]);
		cfg->key_count = 0;
		*keys_given = 1;
	}
	if (push_str(&cfg->keys, &cfg->key_count, arg) != 0)
		return NM_ARGS_NOMEM;
	/* "public-keys/" and "public-keys" name the same entry. */
	i = strlen(cfg->keys[cfg->key_count - 1]);
	if (i > 1 && cfg->keys[cfg->key_count - 1][i - 1] == '/')
		cfg->keys[cfg->key_count - 1][i - 1] = '\0';
	return NM_ARGS_RUN;
}

static nm_args_result
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
		return NM_ARGS_NOMEM;
	cfg->expects = grown;
	e = &cfg->expects[cfg->expect_count];
	e->key = strndup(arg, klen);
	e->value = strdup(eq + 1);
	if (e->key == NULL || e->value == NULL) {
		free(e->key);
		free(e->value);
		return NM_ARGS_NOMEM;
	}
	cfg->expect_count++;
	if (!is_key(e->key, 1) || e->key[klen - 1] == '/')
		return fail(err, "-e/--expect: the KEY before '=' is not a "
		    "key name (letters, digits, '._:=,@+-/')");
	return NM_ARGS_RUN;
}

static nm_args_result
set_url(nm_config *cfg, const char *arg, nm_error *err)
{
	size_t len = strlen(arg);
	char *url;

	if (arg[0] != '/' || !is_token(arg, 1024) || strpbrk(arg, "?#") != NULL)
		return fail(err, "-u/--url: not a path starting with '/' (no "
		    "query, no spaces; %zu characters given)", len);
	/* A listing is a directory: keys are fetched below it. */
	if ((url = malloc(len + 2)) == NULL)
		return NM_ARGS_NOMEM;
	memcpy(url, arg, len + 1);
	if (url[len - 1] != '/') {
		url[len] = '/';
		url[len + 1] = '\0';
	}
	free(cfg->url);
	cfg->url = url;
	return NM_ARGS_RUN;
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

static nm_args_result
set_range(bool *has, mp_range *range, const char *opt, const char *arg,
    nm_error *err)
{
	char why[MP_RANGE_WHY_MAX];
	mp_range_err e;

	if ((e = mp_range_parse(arg, range, why, sizeof(why))) != MP_RANGE_OK)
		return e == MP_RANGE_NOMEM ? NM_ARGS_NOMEM :
		    fail(err, "%s: %s", opt, why);
	if (!seconds_writable(range->start) || !seconds_writable(range->end))
		return fail(err, "%s: a range end is 10^15 seconds or more, "
		    "or below 0.000001 (a microsecond) other than 0", opt);
	*has = true;
	return NM_ARGS_RUN;
}

/* SECONDS[:STATE], as monitoring-plugins' parse_timeout_string reads
 * it: the state after ':' is the --timeout-result. */
static nm_args_result
set_timeout(nm_config *cfg, const char *arg, nm_error *err)
{
	const char *colon = strchr(arg, ':');
	char *seconds = NULL;
	unsigned long v;
	nm_args_result r;
	np_err e;

	if ((seconds = strndup(arg, colon != NULL ? (size_t)(colon - arg) :
	    strlen(arg))) == NULL)
		return NM_ARGS_NOMEM;
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
		r = NM_ARGS_RUN;
	}
	free(seconds);
	return r;
}

static nm_args_result
set_forwarded_for(nm_config *cfg, const char *arg, nm_error *err)
{
	unsigned char addr[sizeof(struct in6_addr)];

	if (inet_pton(AF_INET, arg, addr) != 1 &&
	    inet_pton(AF_INET6, arg, addr) != 1)
		return fail(err, "--forwarded-for: not an IPv4 or IPv6 "
		    "address (%zu characters given)", strlen(arg));
	return replace_str(&cfg->forwarded_for, arg) == 0 ?
	    NM_ARGS_RUN : NM_ARGS_NOMEM;
}

/* The zone of fe80::a9fe:a9fe: an interface this machine has. */
static nm_args_result
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
	return replace_str(&cfg->interface, arg) == 0 ? NM_ARGS_RUN :
	    NM_ARGS_NOMEM;
}

static nm_args_result
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
	    NM_ARGS_RUN : NM_ARGS_NOMEM;
}

/* --agent-socket[=PATH]: the path goes into connect(), whose limit
 * is sun_path's; a longer one could only fail later, blaming the agent. */
static nm_args_result
set_agent_socket(nm_config *cfg, const char *arg, nm_error *err)
{
	const char *path = arg != NULL ? arg : NM_DEFAULT_AGENT_SOCKET;

	if (*path == '\0' || strlen(path) > NM_MAX_SOCKET_PATH)
		return fail(err, "--agent-socket: a socket path is 1..%d "
		    "bytes (%zu given)", NM_MAX_SOCKET_PATH, strlen(path));
	if (!is_token(path, NM_MAX_SOCKET_PATH))
		return fail(err, "--agent-socket: the path holds spaces or "
		    "control characters");
	return replace_str(&cfg->agent_socket, path) == 0 ? NM_ARGS_RUN :
	    NM_ARGS_NOMEM;
}

/* --network-id, --router-id, --ovn-network-id: neutron's UUIDs, sent
 * in lower case as neutron writes them. */
static nm_args_result
set_agent_id(char **slot, const char *opt, const char *arg, nm_error *err)
{
	char *p;

	if (!is_uuid(arg))
		return fail(err, "%s: not a UUID (8-4-4-4-12 hex digits; "
		    "%zu characters given)", opt, strlen(arg));
	if (replace_str(slot, arg) != 0)
		return NM_ARGS_NOMEM;
	for (p = *slot; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return NM_ARGS_RUN;
}

/* -O[VERSION] and --cloud-init pick a mode; naming both is a mistake
 * the user must hear about, not a silent "last one wins". */
static nm_args_result
set_mode(nm_config *cfg, nm_mode mode, const char *arg, nm_error *err)
{
	const char *version = arg != NULL ? arg : "latest";

	if (cfg->mode != NM_MODE_EC2 && cfg->mode != mode)
		return fail(err, "-O/--openstack and --cloud-init exclude "
		    "each other: choose one");
	cfg->mode = mode;
	if (mode != NM_MODE_OPENSTACK)
		return NM_ARGS_RUN;
	if (!nm_os_version_valid(version))
		return fail(err, "-O/--openstack: not a version (latest or "
		    "YYYY-MM-DD, attached: -O2018-08-27)");
	return replace_str(&cfg->os_version, version) == 0 ? NM_ARGS_RUN :
	    NM_ARGS_NOMEM;
}

/* meta_data.json names its keys differently from the EC2 listing. */
static int
set_openstack_keys(nm_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->key_count; i++)
		free(cfg->keys[i]);
	cfg->key_count = 0;
	return push_str(&cfg->keys, &cfg->key_count, "uuid") != 0 ||
	    push_str(&cfg->keys, &cfg->key_count, "hostname") != 0 ? -1 : 0;
}

static nm_config *
config_new(void)
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
	    push_str(&cfg->keys, &cfg->key_count, "instance-id") != 0 ||
	    push_str(&cfg->keys, &cfg->key_count, "local-ipv4") != 0) {
		nm_config_free(cfg);
		return NULL;
	}
	return cfg;
}

/* Options that take no argument or only pick a value from a short list. */
static nm_args_result
apply_simple(nm_config *cfg, int opt, const char *arg, nm_error *err)
{
	switch (opt) {
	case 'v':
		if (cfg->verbose < 3)
			cfg->verbose++;
		return NM_ARGS_RUN;
	case '4':
	case '6':
		cfg->family = opt - '0';
		return NM_ARGS_RUN;
	case 'S':
		cfg->ssl = true;
		return NM_ARGS_RUN;
	case OPT_INSECURE:
		cfg->insecure = true;
		return NM_ARGS_RUN;
	case OPT_ALL_ADDRESSES:
		cfg->all_addresses = true;
		return NM_ARGS_RUN;
	case OPT_INSTANCE_VIEW:
		cfg->instance_view = true;
		return NM_ARGS_RUN;
	case OPT_TIMEOUT_RESULT:
		if (mp_state_parse(arg, &cfg->timeout_result) != 0)
			return fail(err, "--timeout-result: not OK, WARNING, "
			    "CRITICAL, UNKNOWN or 0..3");
		return NM_ARGS_RUN;
	case OPT_OUTPUT_FORMAT:
		if (mp_format_parse(arg, &cfg->output_format) != 0)
			return fail(err, "--output-format: not one of %s",
			    MP_FORMAT_NAMES);
		return NM_ARGS_RUN;
	default:
		return fail(err, "internal error: option %d not handled", opt);
	}
}

static nm_args_result
apply_option(nm_config *cfg, int opt, const char *arg, int *keys_given,
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
	case OPT_CLOUD_INIT: return set_mode(cfg, NM_MODE_CLOUD_INIT, NULL,
	    err);
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

/* An option's name as typed, without its value: the value may be
 * anything, a secret pasted in the wrong place included. */
static int
name_length(const char *word)
{
	size_t n = strcspn(word, "=");

	return n > 60 ? 60 : (int)n;
}

/* Whether word is "--NAME=..." for an option NAME that takes no value. */
static bool
is_flag_with_value(const char *word)
{
	const struct option *o;
	size_t n = strcspn(word, "=");

	if (strncmp(word, "--", 2) != 0 || word[n] != '=')
		return false;
	for (o = long_opts; o->name != NULL; o++) {
		if (o->has_arg == no_argument && strlen(o->name) == n - 2 &&
		    strncmp(word + 2, o->name, n - 2) == 0)
			return true;
	}
	return false;
}

/* What getopt could not make sense of, named as the user typed it. */
static nm_args_result
getopt_error(int opt, char **argv, nm_error *err)
{
	const char *word = argv[optind - 1];

	if (opt == ':')
		return fail(err, "option '%.*s' needs a value",
		    name_length(word), word);
	if (is_flag_with_value(word))
		return fail(err, "option '%.*s' takes no value",
		    name_length(word), word);
	if (optopt != 0 && strncmp(word, "--", 2) != 0)
		return fail(err, "unknown option '-%c'", optopt);
	return fail(err, "unknown option '%.*s'", name_length(word), word);
}

/* getopt_long takes any unique prefix of a long option ("--secret" for
 * --secret-file). Options here must be spelled out: a prefix that
 * matches today may match two options tomorrow, and an ini key such as
 * "secret" must not silently become a file name. */
static nm_args_result
check_spelled_out(char **argv, int index, nm_error *err)
{
	const char *name = long_opts[index].name, *word;
	size_t len = strlen(name);

	/* A separate value is the element before optind, its option the
	 * one before that. */
	word = (optarg != NULL && optind >= 2 && optarg == argv[optind - 1]) ?
	    argv[optind - 2] : argv[optind - 1];
	if (strncmp(word, "--", 2) == 0 && strncmp(word + 2, name, len) == 0 &&
	    (word[2 + len] == '\0' || word[2 + len] == '='))
		return NM_ARGS_RUN;
	return fail(err, "unknown option '%.*s' (write long options in "
	    "full, e.g. --%s)", name_length(word), word, name);
}

const struct option *
nm_long_options(void)
{
	return long_opts;
}

const char *
nm_short_options(void)
{
	return short_opts;
}

/* The last valid --output-format of argv, read as getopt reads it (so
 * that "-e --output-format=x" stays -e's value), past any error. */
static mp_format
scan_output_format(int argc, char **argv)
{
	mp_format f = MP_FORMAT_CLASSIC, seen;
	int opt;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, short_opts, long_opts,
	    NULL)) != -1) {
		if (opt == OPT_OUTPUT_FORMAT && mp_format_parse(optarg,
		    &seen) == 0)
			f = seen;
	}
	return f;
}

mp_format
nm_args_output_format(int argc, char *const *argv)
{
	char **copy = NULL, **expanded = NULL;
	nm_error err = { NM_OK, NULL };
	mp_format f = MP_FORMAT_CLASSIC;
	int n = 0;

	/* --extra-opts may set the format: read it as the parser does. */
	if (nm_extraopts_wanted(argc, argv) && nm_extraopts_expand(argc, argv,
	    NM_PROGNAME, NULL, &n, &expanded, &err) == NM_OK) {
		f = scan_output_format(n, expanded);
		goto out;
	}
	/* getopt permutes its argv: scan a copy of the pointers. */
	if (argc < 1 || (copy = calloc((size_t)argc + 1, sizeof(*copy))) == NULL)
		goto out;
	memcpy(copy, argv, (size_t)argc * sizeof(*copy));
	f = scan_output_format(argc, copy);
 out:
	nm_error_clear(&err);
	free(copy);
	nm_argv_free(expanded);
	return f;
}

/* -4/-6 against an address literal of the other family could only fail
 * later as "Couldn't connect", which blames the service. */
static nm_args_result
check_family(const nm_config *cfg, const char *host, nm_error *err)
{
	unsigned char addr[sizeof(struct in6_addr)];

	if (cfg->family == 4 && strchr(host, ':') != NULL)
		return fail(err, "-4 with -H %s: an IPv6 address", host);
	if (cfg->family == 6 && inet_pton(AF_INET, host, addr) == 1)
		return fail(err, "-6 with -H %s: an IPv4 address", host);
	return NM_ARGS_RUN;
}

/* One -H is the single target it always was, its port -p's unless it
 * names one. */
static nm_args_result
check_hosts(nm_config *cfg, nm_error *err)
{
	nm_args_result r;
	size_t i;

	for (i = 0; i < cfg->host_count; i++) {
		if ((r = check_family(cfg, cfg->hosts[i].host, err)) !=
		    NM_ARGS_RUN)
			return r;
	}
	if (cfg->host_count == 0)
		return check_family(cfg, cfg->host, err);
	if (cfg->host_count == 1 && cfg->hosts[0].port != 0)
		cfg->port = cfg->hosts[0].port;
	return NM_ARGS_RUN;
}

/* The agent's hop needs what haproxy in the namespace adds: the IP and
 * exactly one network or router; the IDs mean nothing without it. */
static nm_args_result
check_agent(const nm_config *cfg, nm_error *err)
{
	int ids = (cfg->network_id != NULL) + (cfg->router_id != NULL) +
	    (cfg->ovn_network_id != NULL);

	if (cfg->agent_socket == NULL)
		return ids == 0 ? NM_ARGS_RUN : fail(err, "--network-id, "
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
	return NM_ARGS_RUN;
}

/* What the instance's view excludes: a secret (the agent signs) and
 * X-Forwarded-For (the proxy adds it). */
static nm_args_result
check_view_options(const nm_config *cfg, nm_error *err)
{
	if (!cfg->instance_view)
		return cfg->interface == NULL ? NM_ARGS_RUN : fail(err,
		    "--interface needs --instance-view: it names the zone of "
		    "the instances' IPv6 metadata address");
	if (cfg->secret_file != NULL || cfg->nova_conf_count > 0)
		return fail(err, "--instance-view needs no secret: an "
		    "instance sends no signature (the agent signs); drop "
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
	return NM_ARGS_RUN;
}

/* --instance-view: the address instances use unless -H names one,
 * port 80 unless -p or -H names one. */
static nm_args_result
check_instance_view(nm_config *cfg, nm_error *err)
{
	char *iface = NULL, *host = NULL;
	nm_args_result r;
	nm_err e;

	if ((r = check_view_options(cfg, err)) != NM_ARGS_RUN ||
	    !cfg->instance_view)
		return r;
	if (!cfg->port_given)
		cfg->port = NM_VIEW_PORT;
	if (cfg->host_count > 0)
		return NM_ARGS_RUN;
	if (cfg->interface == NULL && cfg->family != 6)
		return replace_str(&cfg->host, NM_VIEW_HOST) == 0 ?
		    NM_ARGS_RUN : NM_ARGS_NOMEM;
	if (cfg->interface == NULL && (e = nm_view_pick_interface(&iface,
	    err)) != NM_OK)
		return e == NM_ERR_NOMEM ? NM_ARGS_NOMEM : NM_ARGS_ERROR;
	if (asprintf(&host, "%s%%%s", NM_VIEW_HOST6, iface != NULL ? iface :
	    cfg->interface) < 0)
		host = NULL;
	r = host != NULL && replace_str(&cfg->host, host) == 0 ?
	    NM_ARGS_RUN : NM_ARGS_NOMEM;
	free(iface);
	free(host);
	return r;
}

static nm_args_result
check_complete(nm_config *cfg, nm_error *err)
{
	nm_args_result r;

	if ((r = check_instance_view(cfg, err)) != NM_ARGS_RUN)
		return r;
	if (cfg->instance == NULL)
		return fail(err, "-i/--instance is required: the canary "
		    "instance's UUID");
	if ((r = check_agent(cfg, err)) != NM_ARGS_RUN)
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
	if ((r = check_hosts(cfg, err)) != NM_ARGS_RUN)
		return r;
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
	return NM_ARGS_RUN;
}

/* The word of argv that holds the option getopt just returned. */
static int
option_word(char **argv)
{
	return (optarg != NULL && optind >= 2 && optarg == argv[optind - 1]) ?
	    optind - 2 : optind - 1;
}

/* Says where a refused option came from when an ini file gave it: the
 * operator looks there, not at the command line. */
static nm_args_result
note_origin(nm_args_result r, char **argv, int from_files, nm_error *err)
{
	if (r != NM_ARGS_ERROR || option_word(argv) > from_files)
		return r;
	if (nm_error_append(err, " (from --extra-opts)") == NM_ERR_NOMEM)
		return NM_ARGS_NOMEM;
	return r;
}

/* One option from getopt: refused, help, version, or applied. */
static nm_args_result
take_option(nm_config *cfg, int opt, int index, char **argv,
    int *keys_given, nm_error *err)
{
	nm_args_result r;

	if (index >= 0 && opt != '?' && opt != ':' &&
	    (r = check_spelled_out(argv, index, err)) != NM_ARGS_RUN)
		return r;
	if (opt == 'h' || opt == 'V')
		return opt == 'h' ? NM_ARGS_HELP : NM_ARGS_VERSION;
	if (opt == '?' || opt == ':')
		return getopt_error(opt, argv, err);
	return apply_option(cfg, opt, optarg, keys_given, err);
}

/* argv[1..from_files] came from --extra-opts files. */
static nm_args_result
parse_argv(int argc, char **argv, int from_files, nm_config **out,
    nm_error *err)
{
	nm_config *cfg = NULL;
	nm_args_result r = NM_ARGS_NOMEM;
	int opt, index, keys_given = 0;

	*out = NULL;
	nm_error_clear(err);
	if ((cfg = config_new()) == NULL)
		goto out;
	optind = 0;	/* glibc: full re-initialisation, for repeated calls */
	opterr = 0;
	while ((index = -1, opt = getopt_long(argc, argv, short_opts,
	    long_opts, &index)) != -1) {
		r = take_option(cfg, opt, index, argv, &keys_given, err);
		if ((r = note_origin(r, argv, from_files, err)) != NM_ARGS_RUN)
			goto out;
	}
	if (optind < argc) {
		/* getopt takes an optional value only when attached. */
		/* Not quoted: it may be a value that lost its option. */
		r = fail(err, "unexpected argument (%zu characters) where "
		    "an option belongs%s", strlen(argv[optind]),
		    nm_os_version_valid(argv[optind]) ? "; a version goes "
		    "attached: -O2018-08-27 or --openstack=2018-08-27" : "");
		goto out;
	}
	if (cfg->mode != NM_MODE_EC2 && !keys_given &&
	    set_openstack_keys(cfg) != 0) {
		r = NM_ARGS_NOMEM;
		goto out;
	}
	if ((r = check_complete(cfg, err)) != NM_ARGS_RUN)
		goto out;
	*out = cfg;
	cfg = NULL;
 out:
	nm_config_free(cfg);
	return r;
}

/* --extra-opts first becomes the options it stands for, put before the
 * command line's so that those win; then the whole is parsed as one. */
nm_args_result
nm_parse_args(int argc, char **argv, nm_config **out, nm_error *err)
{
	char **expanded = NULL;
	nm_args_result r;
	int n = 0, from_files = 0;
	nm_err e;

	*out = NULL;
	nm_error_clear(err);
	if (!nm_extraopts_wanted(argc, argv))
		r = parse_argv(argc, argv, 0, out, err);
	else if ((e = nm_extraopts_expand_counted(argc, argv, NM_PROGNAME,
	    NULL, &n, &expanded, &from_files, err)) != NM_OK)
		r = e == NM_ERR_NOMEM ? NM_ARGS_NOMEM : NM_ARGS_ERROR;
	else
		r = parse_argv(n, expanded, from_files, out, err);
	/* Out of memory is its own error, whatever cause came before. */
	if (r == NM_ARGS_NOMEM)
		(void)nm_error_nomem(err);
	nm_argv_free(expanded);
	return r;
}
