#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cause.h"
#include "http.h"
#include "log.h"
#include "output.h"

#define NM_USER_AGENT NM_PROGNAME "/" PACKAGE_VERSION
#define SIG_HEADER "X-Instance-ID-Signature"

struct nm_http {
	CURL *curl;
	struct curl_slist *headers;
	char base[512];
	char url[2048];
};

void
nm_response_init(nm_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	dynbuf_init(&resp->body, NM_BODY_CAP);
}

void
nm_response_free(nm_response *resp)
{
	dynbuf_free(&resp->body);
	free(resp->content_type);
	free(resp->location);
	nm_response_init(resp);
}

static size_t
write_body(char *data, size_t size, size_t nmemb, void *arg)
{
	nm_response *resp = arg;

	if (size != 0 && nmemb > SIZE_MAX / size)
		return 0;
	switch (dynbuf_add(&resp->body, data, size * nmemb)) {
	case DYNBUF_OK:
		return size * nmemb;
	case DYNBUF_TOO_LARGE:
		resp->too_large = true;
		return 0;	/* libcurl stops with CURLE_WRITE_ERROR */
	default:
		return 0;
	}
}

/* -vvv: the headers as they cross the wire. The request carries no
 * secret, only its HMAC, and that is shortened so it cannot be replayed
 * from a log. */
/* The value is bounded by the line, which libcurl does not NUL-end. */
static void
log_signature(const char *prefix, const char *value, size_t len)
{
	while (len > 0 && (*value == ' ' || *value == '\t')) {
		value++;
		len--;
	}
	nm_log(3, "%s " SIG_HEADER ": %.*s... (shortened)", prefix,
	    len > 8 ? 8 : (int)len, value);
}

static void
log_header_block(const char *prefix, const char *data, size_t size)
{
	const char *end = data + size, *eol;
	int len;

	while (data < end) {
		eol = memchr(data, '\n', (size_t)(end - data));
		if (eol == NULL)
			eol = end;
		len = (int)(eol - data);
		if (len > 0 && data[len - 1] == '\r')
			len--;
		if (len > (int)sizeof(SIG_HEADER) - 1 && strncasecmp(data,
		    SIG_HEADER ":", sizeof(SIG_HEADER)) == 0)
			log_signature(prefix, data + sizeof(SIG_HEADER),
			    (size_t)len - sizeof(SIG_HEADER));
		else if (len > 0)
			nm_log(3, "%s %.*s", prefix, len > 1000 ? 1000 : len,
			    data);
		data = eol + 1;
	}
}

static int
debug_cb(CURL *curl, curl_infotype type, char *data, size_t size, void *arg)
{
	if (type == CURLINFO_HEADER_OUT)
		log_header_block(">", data, size);
	else if (type == CURLINFO_HEADER_IN)
		log_header_block("<", data, size);
	else if (type == CURLINFO_TEXT)
		log_header_block("*", data, size);
	return 0;
}

const char *
nm_http_base(const nm_http *h)
{
	return h->base;
}

/* Every curl_easy_setopt result is checked: an option this libcurl does
 * not support must not silently weaken the check. */
#define SETOPT(curl, opt, val) do {					\
	if ((rc = curl_easy_setopt((curl), (opt), (val))) != CURLE_OK)	\
		goto out;						\
} while (0)

static CURLcode
setopts_transfer(CURL *curl, nm_http *h)
{
	CURLcode rc;

	SETOPT(curl, CURLOPT_NOSIGNAL, 1L);	/* main owns SIGALRM */
	SETOPT(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(curl, CURLOPT_FOLLOWLOCATION, 0L);
	/* The metadata API is reached directly, as the agent does: proxies
	 * from the environment must not divert the check. */
	SETOPT(curl, CURLOPT_PROXY, "");
	SETOPT(curl, CURLOPT_NOPROXY, "*");
	SETOPT(curl, CURLOPT_USERAGENT, NM_USER_AGENT);
	SETOPT(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)NM_BODY_CAP);
	SETOPT(curl, CURLOPT_WRITEFUNCTION, write_body);
	SETOPT(curl, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
	if (nm_log_level() >= 3) {
		SETOPT(curl, CURLOPT_DEBUGFUNCTION, debug_cb);
		SETOPT(curl, CURLOPT_VERBOSE, 1L);
	}
	SETOPT(curl, CURLOPT_PRIVATE, h);
 out:
	return rc;
}

static CURLcode
setopts_address(CURL *curl, const nm_config *cfg)
{
	CURLcode rc;
	long family = CURL_IPRESOLVE_WHATEVER;

	if (cfg->family == 4)
		family = CURL_IPRESOLVE_V4;
	else if (cfg->family == 6)
		family = CURL_IPRESOLVE_V6;
	SETOPT(curl, CURLOPT_IPRESOLVE, family);
 out:
	return rc;
}

static CURLcode
setopts_tls(CURL *curl, const nm_config *cfg)
{
	CURLcode rc = CURLE_OK;

	if (!cfg->ssl)
		goto out;
	/* An encrypted key must fail, not prompt on a terminal nobody
	 * watches. */
	SETOPT(curl, CURLOPT_KEYPASSWD, "");
	SETOPT(curl, CURLOPT_SSL_VERIFYPEER, cfg->insecure ? 0L : 1L);
	SETOPT(curl, CURLOPT_SSL_VERIFYHOST, cfg->insecure ? 0L : 2L);
	if (cfg->ca_cert != NULL)
		SETOPT(curl, CURLOPT_CAINFO, cfg->ca_cert);
	if (cfg->client_cert != NULL) {
		SETOPT(curl, CURLOPT_SSLCERT, cfg->client_cert);
		SETOPT(curl, CURLOPT_SSLKEY, cfg->client_key);
	}
 out:
	return rc;
}

static int
append_header(struct curl_slist **list, const char *name, const char *value)
{
	char line[1024];
	struct curl_slist *grown;
	int r;

	r = snprintf(line, sizeof(line), "%s: %s", name, value);
	if (r < 0 || (size_t)r >= sizeof(line))
		return -1;
	if ((grown = curl_slist_append(*list, line)) == NULL)
		return -1;
	*list = grown;
	return 0;
}

/* The neutron metadata agent's headers (neutron/agent/metadata/agent.py);
 * X-Forwarded-For only when asked, as the agent sends the instance's IP. */
static int
build_headers(const nm_config *cfg, const char *signature,
    struct curl_slist **out)
{
	struct curl_slist *list = NULL;

	if (append_header(&list, "X-Instance-ID", cfg->instance) != 0 ||
	    append_header(&list, "X-Tenant-ID", cfg->tenant) != 0 ||
	    append_header(&list, SIG_HEADER, signature) != 0 ||
	    (cfg->forwarded_for != NULL && append_header(&list,
	    "X-Forwarded-For", cfg->forwarded_for) != 0)) {
		curl_slist_free_all(list);
		return -1;
	}
	*out = list;
	return 0;
}

static int
format_base(const nm_config *cfg, char *buf, size_t len)
{
	int ipv6 = strchr(cfg->host, ':') != NULL;
	int r;

	r = snprintf(buf, len, "%s://%s%s%s:%u", cfg->ssl ? "https" : "http",
	    ipv6 ? "[" : "", cfg->host, ipv6 ? "]" : "", cfg->port);
	return (r < 0 || (size_t)r >= len) ? -1 : 0;
}

/* A missing or unreadable TLS file is the local setup's fault (UNKNOWN),
 * not the service's, which is what libcurl's failure would suggest. */
static int
check_file(const char *opt, const char *path, char **cause)
{
	struct stat st;

	if (path == NULL)
		return 0;
	/* The path is not repeated: what was given may be a secret pasted
	 * in the wrong place. */
	if (stat(path, &st) != 0 || access(path, R_OK) != 0)
		return mp_set_cause(cause, "%s: the file it names cannot be "
		    "read: %s", opt, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return mp_set_cause(cause, "%s: the file it names is not a "
		    "regular file", opt);
	return 0;
}

static int
check_tls_files(const nm_config *cfg, char **cause)
{
	if (check_file("--ca-cert", cfg->ca_cert, cause) != 0 ||
	    check_file("-J/--client-cert", cfg->client_cert, cause) != 0 ||
	    check_file("-K/--private-key", cfg->client_key, cause) != 0)
		return -1;
	return 0;
}

int
nm_http_new(const nm_config *cfg, const char *signature, nm_http **out,
    char **cause)
{
	nm_http *h = NULL;
	CURLcode rc;
	int r = -1;

	*out = NULL;
	if (check_tls_files(cfg, cause) != 0)
		goto out;
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		mp_set_cause(cause, "out of memory");
		goto out;
	}
	if (format_base(cfg, h->base, sizeof(h->base)) != 0 ||
	    build_headers(cfg, signature, &h->headers) != 0 ||
	    (h->curl = curl_easy_init()) == NULL) {
		mp_set_cause(cause, "cannot set up libcurl (out of memory?)");
		goto out;
	}
	if ((rc = setopts_transfer(h->curl, h)) != CURLE_OK ||
	    (rc = setopts_address(h->curl, cfg)) != CURLE_OK ||
	    (rc = setopts_tls(h->curl, cfg)) != CURLE_OK ||
	    (rc = curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER,
	    h->headers)) != CURLE_OK) {
		mp_set_cause(cause, "libcurl setup failed: %s",
		    curl_easy_strerror(rc));
		goto out;
	}
	*out = h;
	h = NULL;
	r = 0;
 out:
	nm_http_free(h);
	return r;
}

void
nm_http_free(nm_http *h)
{
	if (h == NULL)
		return;
	if (h->curl != NULL)
		curl_easy_cleanup(h->curl);
	curl_slist_free_all(h->headers);
	free(h);
}

static double
info_seconds(CURL *curl, CURLINFO what)
{
	curl_off_t us = 0;

	if (curl_easy_getinfo(curl, what, &us) != CURLE_OK || us < 0)
		return 0.0;
	return (double)us / 1e6;
}

static int
copy_info_string(CURL *curl, CURLINFO what, char **out)
{
	char *value = NULL;

	*out = NULL;
	if (curl_easy_getinfo(curl, what, &value) != CURLE_OK || value == NULL)
		return 0;
	if ((*out = strdup(value)) == NULL)
		return -1;
	mp_scrub(*out);
	return 0;
}

static int
collect_info(CURL *curl, nm_response *resp)
{
	if (curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE,
	    &resp->status) != CURLE_OK)
		resp->status = 0;
	if (curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &resp->os_errno) !=
	    CURLE_OK)
		resp->os_errno = 0;
	resp->t_total = info_seconds(curl, CURLINFO_TOTAL_TIME_T);
	resp->t_dns = info_seconds(curl, CURLINFO_NAMELOOKUP_TIME_T);
	resp->t_connect = info_seconds(curl, CURLINFO_CONNECT_TIME_T);
	resp->t_tls = info_seconds(curl, CURLINFO_APPCONNECT_TIME_T);
	resp->t_first_byte = info_seconds(curl, CURLINFO_STARTTRANSFER_TIME_T);
	if (copy_info_string(curl, CURLINFO_CONTENT_TYPE,
	    &resp->content_type) != 0 ||
	    copy_info_string(curl, CURLINFO_REDIRECT_URL,
	    &resp->location) != 0)
		return -1;
	return 0;
}

static CURLcode
setopts_request(nm_http *h, long timeout_ms, nm_response *resp)
{
	CURLcode rc;

	SETOPT(h->curl, CURLOPT_URL, h->url);
	SETOPT(h->curl, CURLOPT_TIMEOUT_MS, timeout_ms);
	SETOPT(h->curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	SETOPT(h->curl, CURLOPT_WRITEDATA, resp);
	SETOPT(h->curl, CURLOPT_ERRORBUFFER, resp->error);
 out:
	return rc;
}

int
nm_http_get(nm_http *h, const char *path, long timeout_ms,
    nm_response *resp, char **cause)
{
	CURLcode rc;
	int r;

	nm_response_free(resp);
	r = snprintf(h->url, sizeof(h->url), "%s%s", h->base, path);
	if (r < 0 || (size_t)r >= sizeof(h->url))
		return mp_set_cause(cause, "URL too long: %s%.60s...", h->base,
		    path);
	if (timeout_ms < 1)
		timeout_ms = 1;
	if ((rc = setopts_request(h, timeout_ms, resp)) != CURLE_OK)
		return mp_set_cause(cause, "libcurl setup failed: %s",
		    curl_easy_strerror(rc));
	nm_log(1, "GET %s (limit %ld ms)", h->url, timeout_ms);
	resp->code = curl_easy_perform(h->curl);
	/* The error buffer must not outlive resp. */
	if (curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, NULL) != CURLE_OK)
		return mp_set_cause(cause, "libcurl setup failed");
	mp_scrub(resp->error);
	if (collect_info(h->curl, resp) != 0)
		return mp_set_cause(cause, "out of memory");
	if (resp->code != CURLE_OK)
		nm_log(1, "  -> failed: %s", resp->error[0] != '\0' ?
		    resp->error : curl_easy_strerror(resp->code));
	nm_log(1, "  -> HTTP %ld, %zu bytes, %.6f s (dns %.6f, connect %.6f, "
	    "tls %.6f, first byte %.6f)", resp->status, resp->body.len,
	    resp->t_total, resp->t_dns, resp->t_connect, resp->t_tls,
	    resp->t_first_byte);
	return 0;
}
