#include "config.h"

#include <arpa/inet.h>
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
#include "output.h"

#define NM_DEFAULT_HOST "127.0.0.1"
#define NM_DEFAULT_PORT 8775
#define NM_DEFAULT_URL "/latest/meta-data/"
#define NM_DEFAULT_TIMEOUT 10
#define NM_MAX_TIMEOUT 3600
#define NM_MAX_FIELD 255
#define NM_MAX_SECONDS 1e15

/* Long-only options live above the char range. */
enum {
	OPT_SECRET_FILE = 256,
	OPT_NOVA_CONF,
	OPT_CA_CERT,
	OPT_INSECURE,
	OPT_TIMEOUT_RESULT,
	OPT_OUTPUT_FORMAT,
	OPT_FORWARDED_FOR,
	OPT_CLOUD_INIT
};

static const char short_opts[] = ":hVv46SH:p:i:T:k:e:u:w:c:t:J:K:O::";

static const struct option long_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "hostname", required_argument, NULL, 'H' },
	{ "port", required_argument, NULL, 'p' },
	{ "ssl", no_argument, NULL, 'S' },
	{ "ca-cert", required_argument, NULL, OPT_CA_CERT },
	{ "client-cert", required_argument, NULL, 'J' },
	{ "private-key", required_argument, NULL, 'K' },
	{ "insecure", no_argument, NULL, OPT_INSECURE },
	{ "instance", required_argument, NULL, 'i' },
	{ "tenant", required_argument, NULL, 'T' },
	{ "secret-file", required_argument, NULL, OPT_SECRET_FILE },
	{ "nova-conf", required_argument, NULL, OPT_NOVA_CONF },
	{ "key", required_argument, NULL, 'k' },
	{ "expect", required_argument, NULL, 'e' },
	{ "url", required_argument, NULL, 'u' },
	{ "warning", required_argument, NULL, 'w' },
	{ "critical", required_argument, NULL, 'c' },
	{ "timeout", required_argument, NULL, 't' },
	{ "timeout-result", required_argument, NULL, OPT_TIMEOUT_RESULT },
	{ "output-format", required_argument, NULL, OPT_OUTPUT_FORMAT },
	{ "forwarded-for", required_argument, NULL, OPT_FORWARDED_FOR },
	{ "openstack", optional_argument, NULL, 'O' },
	{ "cloud-init", no_argument, NULL, OPT_CLOUD_INIT },
	{ NULL, 0, NULL, 0 }
};

static const char usage_text[] =
"Usage: " NM_PROGNAME " -i UUID -T PROJECT_ID [-H ADDRESS] [-p PORT]\n"
"       [--secret-file=FILE | --nova-conf=FILE...] [-u PATH]\n"
"       [--extra-opts=[SECTION][@FILE]] [-k KEY]... [-e KEY=VALUE]...\n"
"       [-w RANGE] [-c RANGE] [-t SECONDS] [--timeout-result=STATE]\n"
"       [-S [--ca-cert=FILE] [-J FILE -K FILE] [--insecure]] [-4|-6]\n"
"       [--forwarded-for=ADDRESS] [--output-format=FORMAT] [-v]...\n"
"       [-O[VERSION] | --openstack[=VERSION] | --cloud-init]\n";

static const char help_text[] =
NM_PROGNAME " " PACKAGE_VERSION "\n"
"Checks that the Nova metadata API serves a canary instance: signs the\n"
"request as the neutron metadata agent does (HMAC-SHA256 of the instance\n"
"UUID with metadata_proxy_shared_secret), times the answer and validates\n"
"the listed keys and expected values.\n\n"
"%s\n"
"Options:\n"
" -h, --help              print this help and exit\n"
" -V, --version           print the version and exit\n"
" -v, --verbose           more detail on stderr: -v the steps, -vv the\n"
"                         configuration, -vvv HTTP headers (signature shortened)\n"
" -H, --hostname=ADDRESS  metadata API host: name, IPv4 or IPv6 (default "
    NM_DEFAULT_HOST ")\n"
" -p, --port=PORT         port (default 8775)\n"
" -4, -6                  connect over IPv4 / IPv6 only\n"
" -S, --ssl               use HTTPS; the peer is verified\n"
"     --ca-cert=FILE      CA bundle to verify the peer with\n"
" -J, --client-cert=FILE  client certificate (PEM), needs -K\n"
" -K, --private-key=FILE  client certificate's private key (PEM)\n"
"     --insecure          do not verify the peer's certificate\n"
" -i, --instance=UUID     the canary instance (required)\n"
" -T, --tenant=PROJECT_ID the canary's project (required)\n"
"     --secret-file=FILE  shared secret: the first line of FILE\n"
"     --nova-conf=FILE    shared secret from nova.conf: [neutron]\n"
"                         metadata_proxy_shared_secret, else [DEFAULT]\n"
"                         neutron_metadata_proxy_shared_secret; repeatable,\n"
"                         later files override earlier ones as in oslo.config\n"
"                         The secret comes from exactly one source, the first\n"
"                         of: --secret-file, --nova-conf, env NOVA_METADATA_SECRET.\n"
"                         Command-line ones replace those of --extra-opts.\n"
"     --extra-opts=[SECTION][@FILE]  options from an ini file: SECTION\n"
"                         (default " NM_PROGNAME ") of FILE (default: found via\n"
"                         MP_CONFIG_FILE, NAGIOS_CONFIG_PATH, then the standard\n"
"                         places); key=value is --key=value, put before the\n"
"                         command line, which wins\n"
" -k, --key=KEY           a key the listing must hold (repeatable;\n"
"                         default instance-id and local-ipv4)\n"
" -e, --expect=KEY=VALUE  the value KEY must have (repeatable)\n"
" -u, --url=PATH          listing to fetch (default " NM_DEFAULT_URL ")\n"
"     --forwarded-for=ADDRESS  send X-Forwarded-For: ADDRESS\n"
" -w, --warning=RANGE     response time warning range, seconds\n"
" -c, --critical=RANGE    response time critical range, seconds\n"
" -t, --timeout=SECONDS   limit for the whole run (default 10)\n"
"     --timeout-result=STATE  state when the limit is hit (default CRITICAL)\n"
"     --output-format=FORMAT  classic (default) or mp-test-json\n"
" -O, --openstack[=VERSION]  fetch /openstack/VERSION/meta_data.json\n"
"                         (default latest; attached: -O2018-08-27) and require\n"
"                         uuid = -i and project_id = -T; -k and -e then name\n"
"                         its top-level keys (default -k: uuid, hostname)\n"
"     --cloud-init        make the requests cloud-init's OpenStack datasource\n"
"                         makes at boot: /openstack (twice, as it does),\n"
"                         meta_data.json (checked as with -O), user_data,\n"
"                         vendor_data.json, vendor_data2.json,\n"
"                         network_data.json, the files and network_config\n"
"                         meta_data.json points to, then the EC2 tree under\n"
"                         /latest/meta-data/ entry by entry\n"
"                         -O and --cloud-init exclude each other and -u.\n\n"
"Response time is the sum of all requests of the run. Ranges follow the\n"
"monitoring-plugins guidelines: 10, 10:, ~:10, 10:20, @10:20.\n"
"States: OK when HTTP 200 and every key and value is as expected within\n"
"the thresholds; CRITICAL when the service answers wrongly or not at all;\n"
"UNKNOWN for bad options or a missing secret.\n";

const char *
nm_usage_text(void)
{
	return usage_text;
}

const char *
nm_help_text(void)
{
	static char *text;
	size_t len;

	if (text != NULL)
		return text;
	len = sizeof(help_text) + sizeof(usage_text);
	if ((text = malloc(len)) == NULL)
		return usage_text;
	/* help_text holds one %s, for the usage lines. */
	if (snprintf(text, len, help_text, usage_text) < 0) {
		free(text);
		text = NULL;
		return usage_text;
	}
	return text;
}

static nm_args_result
fail(char **cause, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		return NM_ARGS_NOMEM;
	mp_scrub(msg);
	*cause = msg;
	return NM_ARGS_ERROR;
}

void
nm_config_free(nm_config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	free(cfg->host);
	free(cfg->ca_cert);
	free(cfg->client_cert);
	free(cfg->client_key);
	free(cfg->instance);
	free(cfg->tenant);
	free(cfg->forwarded_for);
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

/* A host name (letters, digits, '.', '-', '_') or an IPv6 literal: only
 * those hold ':'. Anything else would change the URL's meaning. */
static int
is_host(const char *host)
{
	unsigned char addr[sizeof(struct in6_addr)];
	const char *p;

	if (strchr(host, ':') != NULL)
		return inet_pton(AF_INET6, host, addr) == 1;
	for (p = host; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr(".-_", *p) == NULL)
			return 0;
	}
	return p != host;
}

static nm_args_result
set_host(nm_config *cfg, const char *arg, char **cause)
{
	char host[NM_MAX_FIELD + 1];
	size_t len = strlen(arg);
	const char *from = arg;

	/* "[::1]" is how URLs write an IPv6 address; keep the bare form. */
	if (len >= 2 && arg[0] == '[' && arg[len - 1] == ']') {
		from++;
		len -= 2;
	}
	if (len == 0 || len > NM_MAX_FIELD)
		return fail(cause, "-H/--hostname: '%.60s' is not a host name "
		    "or address", arg);
	memcpy(host, from, len);
	host[len] = '\0';
	if (!is_host(host))
		return fail(cause, "-H/--hostname: '%.60s' is not a host name "
		    "or address%s", arg, strchr(host, ':') != NULL &&
		    strchr(host, '.') != NULL ? " (the port goes in -p)" : "");
	return replace_str(&cfg->host, host) == 0 ? NM_ARGS_RUN : NM_ARGS_NOMEM;
}

static nm_args_result
set_port(nm_config *cfg, const char *arg, char **cause)
{
	unsigned long v;
	np_err e;

	if ((e = np_parse_ulong(arg, 1, 65535, &v)) != NP_OK)
		return fail(cause, "-p/--port: '%s' %s (1..65535)", arg,
		    np_strerror(e));
	cfg->port = (unsigned)v;
	return NM_ARGS_RUN;
}

static nm_args_result
set_instance(nm_config *cfg, const char *arg, char **cause)
{
	char *p;

	if (!is_uuid(arg))
		return fail(cause, "-i/--instance: '%.60s' is not a UUID "
		    "(8-4-4-4-12 hex digits)", arg);
	if (replace_str(&cfg->instance, arg) != 0)
		return NM_ARGS_NOMEM;
	/* Nova writes UUIDs in lower case; sign what Nova will look up. */
	for (p = cfg->instance; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return NM_ARGS_RUN;
}

static nm_args_result
set_tenant(nm_config *cfg, const char *arg, char **cause)
{
	if (!is_token(arg, NM_MAX_FIELD))
		return fail(cause, "-T/--tenant: '%.60s' is not a project ID "
		    "(1..255 printable characters, no spaces)", arg);
	return replace_str(&cfg->tenant, arg) == 0 ? NM_ARGS_RUN : NM_ARGS_NOMEM;
}

static nm_args_result
set_file(char **slot, const char *opt, const char *arg, char **cause)
{
	if (*arg == '\0')
		return fail(cause, "%s: the file name is empty", opt);
	return replace_str(slot, arg) == 0 ? NM_ARGS_RUN : NM_ARGS_NOMEM;
}

/* Repeatable: later files override earlier ones, as oslo.config does. */
static nm_args_result
add_nova_conf(nm_config *cfg, const char *arg, char **cause)
{
	if (*arg == '\0')
		return fail(cause, "--nova-conf: the file name is empty");
	return push_str(&cfg->nova_conf, &cfg->nova_conf_count, arg) == 0 ?
	    NM_ARGS_RUN : NM_ARGS_NOMEM;
}

static nm_args_result
add_key(nm_config *cfg, const char *arg, int *keys_given, char **cause)
{
	size_t i;

	if (!is_key(arg, 0))
		return fail(cause, "-k/--key: '%.60s' is not a key name", arg);
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
add_expect(nm_config *cfg, const char *arg, char **cause)
{
	const char *eq = strchr(arg, '=');
	nm_expect *grown, *e;
	size_t klen;

	if (eq == NULL || eq == arg)
		return fail(cause, "-e/--expect: '%.60s' is not KEY=VALUE", arg);
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
		return fail(cause, "-e/--expect: '%.60s' is not a key name",
		    e->key);
	return NM_ARGS_RUN;
}

static nm_args_result
set_url(nm_config *cfg, const char *arg, char **cause)
{
	size_t len = strlen(arg);
	char *url;

	if (arg[0] != '/' || !is_token(arg, 1024) || strpbrk(arg, "?#") != NULL)
		return fail(cause, "-u/--url: '%.60s' is not a path starting "
		    "with '/' (no query, no spaces)", arg);
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

static nm_args_result
set_range(bool *has, mp_range *range, const char *opt, const char *arg,
    char **cause)
{
	char *why = NULL;
	nm_args_result r;

	if (mp_range_parse(arg, range, &why) != 0) {
		r = why == NULL ? NM_ARGS_NOMEM :
		    fail(cause, "%s: %s", opt, why);
		free(why);
		return r;
	}
	/* Perfdata numbers are plain decimals; past this they would need an
	 * exponent, and no response takes 31 million years anyway. */
	if ((isfinite(range->start) && fabs(range->start) >= NM_MAX_SECONDS) ||
	    (isfinite(range->end) && fabs(range->end) >= NM_MAX_SECONDS))
		return fail(cause, "%s: '%.60s' is beyond %g seconds", opt, arg,
		    NM_MAX_SECONDS);
	*has = true;
	return NM_ARGS_RUN;
}

static nm_args_result
set_timeout(nm_config *cfg, const char *arg, char **cause)
{
	unsigned long v;
	np_err e;

	if ((e = np_parse_ulong(arg, 1, NM_MAX_TIMEOUT, &v)) != NP_OK)
		return fail(cause, "-t/--timeout: '%.60s' %s (whole seconds, "
		    "1..%d)", arg, np_strerror(e), NM_MAX_TIMEOUT);
	cfg->timeout = (unsigned)v;
	return NM_ARGS_RUN;
}

static nm_args_result
set_forwarded_for(nm_config *cfg, const char *arg, char **cause)
{
	unsigned char addr[sizeof(struct in6_addr)];

	if (inet_pton(AF_INET, arg, addr) != 1 &&
	    inet_pton(AF_INET6, arg, addr) != 1)
		return fail(cause, "--forwarded-for: '%.60s' is not an IPv4 or "
		    "IPv6 address", arg);
	return replace_str(&cfg->forwarded_for, arg) == 0 ?
	    NM_ARGS_RUN : NM_ARGS_NOMEM;
}

/* -O[VERSION] and --cloud-init pick a mode; naming both is a mistake
 * the user must hear about, not a silent "last one wins". */
static nm_args_result
set_mode(nm_config *cfg, nm_mode mode, const char *arg, char **cause)
{
	const char *version = arg != NULL ? arg : "latest";

	if (cfg->mode != NM_MODE_EC2 && cfg->mode != mode)
		return fail(cause, "-O/--openstack and --cloud-init exclude "
		    "each other: choose one");
	cfg->mode = mode;
	if (mode != NM_MODE_OPENSTACK)
		return NM_ARGS_RUN;
	if (!nm_os_version_valid(version))
		return fail(cause, "-O/--openstack: '%.60s' is not a version "
		    "(latest or YYYY-MM-DD, attached: -O2018-08-27)", version);
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
apply_simple(nm_config *cfg, int opt, const char *arg, char **cause)
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
	case OPT_TIMEOUT_RESULT:
		if (mp_state_parse(arg, &cfg->timeout_result) != 0)
			return fail(cause, "--timeout-result: '%.60s' is not "
			    "OK, WARNING, CRITICAL or UNKNOWN", arg);
		return NM_ARGS_RUN;
	case OPT_OUTPUT_FORMAT:
		if (mp_format_parse(arg, &cfg->output_format) != 0)
			return fail(cause, "--output-format: '%.60s' is not "
			    "classic or mp-test-json", arg);
		return NM_ARGS_RUN;
	default:
		return fail(cause, "internal error: option %d not handled", opt);
	}
}

static nm_args_result
apply_option(nm_config *cfg, int opt, const char *arg, int *keys_given,
    char **cause)
{
	mp_thresholds *t = &cfg->thresholds;

	switch (opt) {
	case 'H': return set_host(cfg, arg, cause);
	case 'p': return set_port(cfg, arg, cause);
	case 'i': return set_instance(cfg, arg, cause);
	case 'T': return set_tenant(cfg, arg, cause);
	case 'k': return add_key(cfg, arg, keys_given, cause);
	case 'e': return add_expect(cfg, arg, cause);
	case 'u': return set_url(cfg, arg, cause);
	case 't': return set_timeout(cfg, arg, cause);
	case 'w': return set_range(&t->has_warning, &t->warning,
	    "-w/--warning", arg, cause);
	case 'c': return set_range(&t->has_critical, &t->critical,
	    "-c/--critical", arg, cause);
	case 'J': return set_file(&cfg->client_cert, "-J/--client-cert", arg,
	    cause);
	case 'K': return set_file(&cfg->client_key, "-K/--private-key", arg,
	    cause);
	case OPT_CA_CERT: return set_file(&cfg->ca_cert, "--ca-cert", arg,
	    cause);
	case OPT_SECRET_FILE: return set_file(&cfg->secret_file,
	    "--secret-file", arg, cause);
	case OPT_NOVA_CONF: return add_nova_conf(cfg, arg, cause);
	case OPT_FORWARDED_FOR: return set_forwarded_for(cfg, arg, cause);
	case 'O': return set_mode(cfg, NM_MODE_OPENSTACK, arg, cause);
	case OPT_CLOUD_INIT: return set_mode(cfg, NM_MODE_CLOUD_INIT, NULL,
	    cause);
	default: return apply_simple(cfg, opt, arg, cause);
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

/* What getopt could not make sense of, named as the user typed it. */
static nm_args_result
getopt_error(int opt, char **argv, char **cause)
{
	const char *word = argv[optind - 1];

	if (opt == ':')
		return fail(cause, "option '%.*s' needs a value",
		    name_length(word), word);
	if (optopt != 0 && strncmp(word, "--", 2) != 0)
		return fail(cause, "unknown option '-%c'", optopt);
	return fail(cause, "unknown option '%.*s'", name_length(word), word);
}

/* getopt_long takes any unique prefix of a long option ("--secret" for
 * --secret-file). Options here must be spelled out: a prefix that
 * matches today may match two options tomorrow, and an ini key such as
 * "secret" must not silently become a file name. */
static nm_args_result
check_spelled_out(char **argv, int index, char **cause)
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
	return fail(cause, "unknown option '%.*s' (write long options in "
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

mp_format
nm_args_output_format(int argc, char *const *argv)
{
	static const char opt[] = "--output-format";
	mp_format f = MP_FORMAT_CLASSIC, seen;
	const char *value;
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strncmp(argv[i], opt, sizeof(opt) - 1) != 0)
			continue;
		value = argv[i][sizeof(opt) - 1] == '=' ?
		    argv[i] + sizeof(opt) : argv[i][sizeof(opt) - 1] == '\0' &&
		    i + 1 < argc ? argv[i + 1] : NULL;
		if (value != NULL && mp_format_parse(value, &seen) == 0)
			f = seen;
	}
	return f;
}

/* -4/-6 against an address literal of the other family could only fail
 * later as "Couldn't connect", which blames the service. */
static nm_args_result
check_family(const nm_config *cfg, char **cause)
{
	unsigned char addr[sizeof(struct in6_addr)];

	if (cfg->family == 4 && strchr(cfg->host, ':') != NULL)
		return fail(cause, "-4 with -H %s: an IPv6 address", cfg->host);
	if (cfg->family == 6 && inet_pton(AF_INET, cfg->host, addr) == 1)
		return fail(cause, "-6 with -H %s: an IPv4 address", cfg->host);
	return NM_ARGS_RUN;
}

static nm_args_result
check_complete(const nm_config *cfg, char **cause)
{
	nm_args_result r;

	if (cfg->instance == NULL)
		return fail(cause, "-i/--instance is required: the canary "
		    "instance's UUID");
	if (cfg->tenant == NULL)
		return fail(cause, "-T/--tenant is required: the canary's "
		    "project ID");
	if ((cfg->client_cert == NULL) != (cfg->client_key == NULL))
		return fail(cause, "%s needs %s too: a client certificate "
		    "comes with its private key", cfg->client_cert != NULL ?
		    "-J/--client-cert" : "-K/--private-key",
		    cfg->client_cert != NULL ? "-K/--private-key" :
		    "-J/--client-cert");
	if (cfg->mode != NM_MODE_EC2 && strcmp(cfg->url, NM_DEFAULT_URL) != 0)
		return fail(cause, "-u/--url does not apply to %s: the paths "
		    "are OpenStack's", cfg->mode == NM_MODE_OPENSTACK ?
		    "-O/--openstack" : "--cloud-init");
	if ((r = check_family(cfg, cause)) != NM_ARGS_RUN)
		return r;
	if (!cfg->ssl && (cfg->ca_cert != NULL || cfg->client_cert != NULL ||
	    cfg->insecure))
		return fail(cause, "--ca-cert, -J, -K and --insecure need "
		    "-S/--ssl");
	return NM_ARGS_RUN;
}

static nm_args_result
parse_argv(int argc, char **argv, nm_config **out, char **cause)
{
	nm_config *cfg = NULL;
	nm_args_result r = NM_ARGS_NOMEM;
	int opt, index, keys_given = 0;

	*out = NULL;
	*cause = NULL;
	if ((cfg = config_new()) == NULL)
		goto out;
	optind = 0;	/* glibc: full re-initialisation, for repeated calls */
	opterr = 0;
	while ((index = -1, opt = getopt_long(argc, argv, short_opts,
	    long_opts, &index)) != -1) {
		if (index >= 0 && opt != '?' && opt != ':' &&
		    (r = check_spelled_out(argv, index, cause)) != NM_ARGS_RUN)
			goto out;
		if (opt == 'h' || opt == 'V') {
			r = opt == 'h' ? NM_ARGS_HELP : NM_ARGS_VERSION;
			goto out;
		}
		if (opt == '?' || opt == ':') {
			r = getopt_error(opt, argv, cause);
			goto out;
		}
		if ((r = apply_option(cfg, opt, optarg, &keys_given,
		    cause)) != NM_ARGS_RUN)
			goto out;
	}
	if (optind < argc) {
		/* getopt takes an optional value only when attached. */
		r = fail(cause, "unexpected argument '%.60s'%s", argv[optind],
		    nm_os_version_valid(argv[optind]) ? " (a version goes "
		    "attached: -O2018-08-27 or --openstack=2018-08-27)" : "");
		goto out;
	}
	if (cfg->mode != NM_MODE_EC2 && !keys_given &&
	    set_openstack_keys(cfg) != 0) {
		r = NM_ARGS_NOMEM;
		goto out;
	}
	if ((r = check_complete(cfg, cause)) != NM_ARGS_RUN)
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
nm_parse_args(int argc, char **argv, nm_config **out, char **cause)
{
	char **expanded = NULL;
	nm_args_result r;
	int n = 0;

	*out = NULL;
	*cause = NULL;
	if (!nm_extraopts_wanted(argc, argv))
		return parse_argv(argc, argv, out, cause);
	if (nm_extraopts_expand(argc, argv, NM_PROGNAME, NULL, &n, &expanded,
	    cause) != 0)
		return *cause != NULL ? NM_ARGS_ERROR : NM_ARGS_NOMEM;
	r = parse_argv(n, expanded, out, cause);
	nm_argv_free(expanded);
	return r;
}
