#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "transport_int.h"
#include "transport_http.h"
#include "core_log.h"
#include "core_config.h"
#include "output.h"

#define NM_USER_AGENT NM_PROGNAME "/" PACKAGE_VERSION
#define SIG_HEADER "X-Instance-ID-Signature"

nm_err
nm_http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? NM_OK :
	    NM_ERR_SETUP;
}

void
nm_http_global_cleanup(void)
{
	curl_global_cleanup();
}

int
nm_http_version_text(char *buf, size_t len)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	int r;

	r = snprintf(buf, len, "libcurl %s (%s)",
	    v != NULL && v->version != NULL ? v->version : "?",
	    v != NULL && v->ssl_version != NULL ? v->ssl_version : "no TLS");
	return r < 0 || (size_t)r >= len ? -1 : r;
}

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
	nm_error_clear(&resp->err);
	free(resp->location);
	nm_response_init(resp);
}

static size_t
write_body(char *data, size_t size, size_t nmemb, void *arg)
{
	nm_http *h = arg;

	if (size != 0 && nmemb > SIZE_MAX / size)
		return 0;
	switch (dynbuf_add(&h->resp->body, data, size * nmemb)) {
	case DYNBUF_OK:
		return size * nmemb;
	case DYNBUF_TOO_LARGE:
		h->too_large = true;
		return 0;	/* libcurl stops with CURLE_WRITE_ERROR */
	default:
		h->nomem = true;
		return 0;
	}
}

/* Only notes where the header section ends: libcurl reports a header
 * line over CURL_MAX_HTTP_HEADER (100 KiB) as CURLE_OUT_OF_MEMORY, and a
 * failure "out of memory" inside the header section, once the request
 * went out, is that peer's oversized header, not this host's memory. A
 * status line starts another response's headers (after a 1xx). */
static size_t
header_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	nm_http *h = arg;
	size_t len;

	if (size != 0 && nmemb > SIZE_MAX / size)
		return 0;
	len = size * nmemb;
	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0)
		h->headers_done = false;
	else if ((len == 2 && data[0] == '\r' && data[1] == '\n') ||
	    (len == 1 && data[0] == '\n'))
		h->headers_done = true;
	return len;
}

/* socket() as libcurl would call it, keeping its errno: libcurl 7.88
 * reports a failed socket() as "Couldn't connect" and drops the errno
 * that says the monitoring host is out of descriptors. */
static curl_socket_t
open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
	nm_http *h = arg;
	curl_socket_t fd;

	(void)purpose;
	fd = socket(addr->family, addr->socktype, addr->protocol);
	if (fd == CURL_SOCKET_BAD)
		h->socket_errno = errno;
	return fd;
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
		else if (len > 0)	/* whole: a cut could split the secret */
			nm_log(3, "%s %.*s", prefix, len, data);
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

	/* No alarm() around name resolution: the one timer a process has
	 * is the whole-run limit's, and the signal thread takes SIGALRM
	 * (the threaded resolver keeps to the timeout without it). */
	SETOPT(curl, CURLOPT_NOSIGNAL, 1L);
	SETOPT(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(curl, CURLOPT_FOLLOWLOCATION, 0L);
	/* The metadata API is reached directly, as the agent does: proxies
	 * from the environment must not divert the check. */
	SETOPT(curl, CURLOPT_PROXY, "");
	SETOPT(curl, CURLOPT_NOPROXY, "*");
	SETOPT(curl, CURLOPT_USERAGENT, NM_USER_AGENT);
	SETOPT(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)NM_BODY_CAP);
	SETOPT(curl, CURLOPT_WRITEFUNCTION, write_body);
	SETOPT(curl, CURLOPT_WRITEDATA, h);
	SETOPT(curl, CURLOPT_HEADERFUNCTION, header_cb);
	SETOPT(curl, CURLOPT_HEADERDATA, h);
	SETOPT(curl, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	SETOPT(curl, CURLOPT_OPENSOCKETDATA, h);
	SETOPT(curl, CURLOPT_ERRORBUFFER, h->errbuf);
	SETOPT(curl, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
	if (nm_log_level() >= 3) {
		SETOPT(curl, CURLOPT_DEBUGFUNCTION, debug_cb);
		SETOPT(curl, CURLOPT_VERBOSE, 1L);
	}
 out:
	return rc;
}

static CURLcode
setopts_address(CURL *curl, const nm_request *req)
{
	CURLcode rc;
	long family = CURL_IPRESOLVE_WHATEVER;

	if (req->family == 4)
		family = CURL_IPRESOLVE_V4;
	else if (req->family == 6)
		family = CURL_IPRESOLVE_V6;
	SETOPT(curl, CURLOPT_IPRESOLVE, family);
 out:
	return rc;
}

static CURLcode
setopts_tls(CURL *curl, const nm_request *req)
{
	CURLcode rc = CURLE_OK;

	if (!req->ssl)
		goto out;
	/* An encrypted key must fail, not prompt on a terminal nobody
	 * watches. */
	SETOPT(curl, CURLOPT_KEYPASSWD, "");
	SETOPT(curl, CURLOPT_SSL_VERIFYPEER, req->insecure ? 0L : 1L);
	SETOPT(curl, CURLOPT_SSL_VERIFYHOST, req->insecure ? 0L : 2L);
	if (req->ca_cert != NULL)
		SETOPT(curl, CURLOPT_CAINFO, req->ca_cert);
	if (req->client_cert != NULL) {
		SETOPT(curl, CURLOPT_SSLCERT, req->client_cert);
		SETOPT(curl, CURLOPT_SSLKEY, req->client_key);
	}
 out:
	return rc;
}

static int
append_header(struct curl_slist **list, const nm_header *hd)
{
	/* IDs of at most 255 bytes (cli_args.c), a hex HMAC, an IP address;
	 * one that did not fit fails the set-up, never cut */
	char line[1024];
	struct curl_slist *grown;
	int r;

	r = snprintf(line, sizeof(line), "%s: %s", hd->name, hd->value);
	if (r < 0 || (size_t)r >= sizeof(line))
		return -1;
	if ((grown = curl_slist_append(*list, line)) == NULL)
		return -1;
	*list = grown;
	return 0;
}

/* The request's headers as libcurl takes them; none gives NULL. */
static int
build_headers(const nm_header *hd, size_t n, struct curl_slist **out)
{
	struct curl_slist *list = NULL;
	size_t i;

	*out = NULL;
	for (i = 0; i < n && i < NM_HEADERS_MAX; i++) {
		if (append_header(&list, &hd[i]) != 0) {
			curl_slist_free_all(list);
			return -1;
		}
	}
	*out = list;
	return 0;
}

/* The agent's socket: libcurl connects there instead of to the URL's
 * host, which stays the link-local address the instance asked. */
static CURLcode
setopts_unix(nm_http *h, const nm_endpoint *ep)
{
	CURLcode rc = CURLE_OK;

	h->unix_socket = ep->unix_socket;
	if (ep->unix_socket == NULL)
		goto out;
	SETOPT(h->curl, CURLOPT_UNIX_SOCKET_PATH, ep->unix_socket);
	/* A connection of its own for every request: Epoxy's agent
	 * (socketserver) closes each one after its answer without saying
	 * so ("Connection: close" only on its own pages), and a request
	 * sent meanwhile on the reused one gets a reset that libcurl's
	 * retry of a dead connection does not always catch. A local
	 * socket costs no handshake. */
	SETOPT(h->curl, CURLOPT_FORBID_REUSE, 1L);
 out:
	return rc;
}

static int
format_base(const nm_request *req, char *buf, size_t len)
{
	const nm_endpoint *ep = &req->ep;
	const char *scheme = req->ssl ? "https" : "http";
	int ipv6 = strchr(ep->host, ':') != NULL;
	const char *zone = strchr(ep->host, '%');
	int r;

	/* A zone goes into the URL as RFC 6874 writes it: "%25eth0". */
	if (zone != NULL)
		r = snprintf(buf, len, "%s://[%.*s%%25%s]:%u", scheme,
		    (int)(zone - ep->host), ep->host,
		    zone + 1, ep->port);
	else if (ep->unix_socket != NULL)
		r = snprintf(buf, len, "http://%s", ep->host);
	else
		r = snprintf(buf, len, "%s://%s%s%s:%u", scheme, ipv6 ? "[" :
		    "", ep->host, ipv6 ? "]" : "", ep->port);
	return (r < 0 || (size_t)r >= len) ? -1 : 0;
}

/* --all-addresses: the connection goes to one address while the URL,
 * and with it the Host header and the TLS name, keeps the name. */
static CURLcode
setopts_connect_to(nm_http *h, const nm_endpoint *ep)
{
	char line[NM_ENDPOINT_MAX + 64];
	int ipv6, r;
	CURLcode rc = CURLE_OK;

	if (ep->address == NULL)
		return CURLE_OK;
	ipv6 = strchr(ep->address, ':') != NULL;
	r = snprintf(line, sizeof(line), "%s:%u:%s%s%s:%u", ep->host,
	    ep->port, ipv6 ? "[" : "", ep->address, ipv6 ? "]" : "", ep->port);
	if (r < 0 || (size_t)r >= sizeof(line))
		return CURLE_BAD_FUNCTION_ARGUMENT;
	if ((h->connect_to = curl_slist_append(NULL, line)) == NULL)
		return CURLE_OUT_OF_MEMORY;
	SETOPT(h->curl, CURLOPT_CONNECT_TO, h->connect_to);
 out:
	return rc;
}

/* A missing or unreadable TLS file is the local setup's fault (UNKNOWN),
 * not the service's, which is what libcurl's failure would suggest. */
static nm_err
check_file(const char *opt, const char *path, nm_error *err)
{
	struct stat st;

	if (path == NULL)
		return NM_OK;
	/* The path is not repeated: what was given may be a secret pasted
	 * in the wrong place. */
	if (stat(path, &st) != 0 || access(path, R_OK) != 0)
		return nm_error_set(err, NM_ERR_SETUP, "%s: the file it names "
		    "cannot be read: %s", opt, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return nm_error_set(err, NM_ERR_SETUP, "%s: the file it names "
		    "is not a regular file", opt);
	return NM_OK;
}

static nm_err
check_tls_files(const nm_request *req, nm_error *err)
{
	nm_err r;

	if ((r = check_file("--ca-cert", req->ca_cert, err)) != NM_OK ||
	    (r = check_file("-J/--client-cert", req->client_cert, err)) !=
	    NM_OK)
		return r;
	return check_file("-K/--private-key", req->client_key, err);
}

/* libcurl's options for req on h, every result checked. */
static CURLcode
setopts_all(nm_http *h, const nm_request *req)
{
	CURLcode rc;

	if ((rc = setopts_transfer(h->curl, h)) != CURLE_OK ||
	    (rc = setopts_address(h->curl, req)) != CURLE_OK ||
	    (rc = setopts_connect_to(h, &req->ep)) != CURLE_OK ||
	    (rc = setopts_unix(h, &req->ep)) != CURLE_OK)
		return rc;
	/* The agent's socket speaks plain HTTP. */
	if (req->ep.unix_socket == NULL &&
	    (rc = setopts_tls(h->curl, req)) != CURLE_OK)
		return rc;
	return curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->headers);
}

nm_err
nm_http_new(const nm_request *req, nm_http **out, nm_error *err)
{
	nm_http *h = NULL;
	CURLcode rc;
	nm_err r;

	*out = NULL;
	if ((r = check_tls_files(req, err)) != NM_OK)
		goto out;
	r = NM_ERR_NOMEM;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		goto out;
	if (format_base(req, h->base, sizeof(h->base)) != 0 ||
	    build_headers(req->headers, req->header_count, &h->headers) != 0 ||
	    build_headers(req->probe_headers, req->probe_header_count,
	    &h->wrong_headers) != 0 ||
	    (h->curl = curl_easy_init()) == NULL) {
		r = nm_error_set(err, NM_ERR_SETUP, "cannot set up libcurl "
		    "(out of memory?)");
		goto out;
	}
	if ((rc = setopts_all(h, req)) != CURLE_OK) {
		r = nm_error_set(err, NM_ERR_SETUP, "libcurl setup failed: %s",
		    curl_easy_strerror(rc));
		goto out;
	}
	*out = h;
	h = NULL;
	r = NM_OK;
 out:
	if (r == NM_ERR_NOMEM)
		(void)nm_error_set(err, r, "out of memory");
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
	curl_slist_free_all(h->connect_to);
	curl_slist_free_all(h->wrong_headers);
	free(h);
}

bool
nm_http_signs(const nm_http *h)
{
	return h != NULL && h->wrong_headers != NULL;
}

nm_err
nm_http_wrong_signature(nm_http *h, bool on, nm_error *err)
{
	CURLcode rc;

	if (!nm_http_signs(h) || h->resp != NULL)
		return nm_error_set(err, NM_ERR_SETUP, "internal error: no "
		    "probe on a handle that does not sign or is busy");
	nm_log(1, "%s", on ? "404 probe: the next request carries a wrong "
	    "signature" : "404 probe over: the right signature again");
	if ((rc = curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, on ?
	    h->wrong_headers : h->headers)) != CURLE_OK)
		return nm_error_set(err, NM_ERR_SETUP, "libcurl setup failed: "
		    "%s", curl_easy_strerror(rc));
	return NM_OK;
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
	resp->t_total = info_seconds(curl, CURLINFO_TOTAL_TIME_T);
	resp->t_dns = info_seconds(curl, CURLINFO_NAMELOOKUP_TIME_T);
	resp->t_connect = info_seconds(curl, CURLINFO_CONNECT_TIME_T);
	resp->t_tls = info_seconds(curl, CURLINFO_APPCONNECT_TIME_T);
	resp->t_first_byte = info_seconds(curl, CURLINFO_STARTTRANSFER_TIME_T);
	return copy_info_string(curl, CURLINFO_REDIRECT_URL,
	    &resp->location);
}

static CURLcode
setopts_request(nm_http *h, long timeout_ms)
{
	CURLcode rc;

	SETOPT(h->curl, CURLOPT_URL, h->url);
	SETOPT(h->curl, CURLOPT_TIMEOUT_MS, timeout_ms);
	SETOPT(h->curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
 out:
	return rc;
}

/* libcurl reuses a connection the server left open; one the server has
 * closed meanwhile is found dead and replaced, but a request that went
 * out while the server was closing it is lost, and libcurl retries such
 * requests only a few times per handle ("Connection died, tried 5
 * times before giving up", or "Connection reset by peer" when the reset
 * comes after the request). So once a server has closed a connection
 * between two requests (libcurl had to connect anew for a later one),
 * every further request of the visit gets a connection of its own. */
static CURLcode
keep_connection_policy(nm_http *h)
{
	long connects = 0;
	CURLcode rc;

	if (h->transfers++ == 0 || curl_easy_getinfo(h->curl,
	    CURLINFO_NUM_CONNECTS, &connects) != CURLE_OK || connects == 0)
		return CURLE_OK;
	/* not even the connection the last transfer left open */
	SETOPT(h->curl, CURLOPT_FRESH_CONNECT, 1L);
	SETOPT(h->curl, CURLOPT_FORBID_REUSE, 1L);
 out:
	return rc;
}

/* The transfer is over: resp completed from what libcurl knows. */
static nm_err
finish(nm_http *h, CURLcode rc, nm_response *resp, nm_error *err)
{
	if (keep_connection_policy(h) != CURLE_OK)
		return nm_error_set(err, NM_ERR_SETUP, "libcurl setup failed");
	if (rc != CURLE_OK && !nm_http_local_limit(h, rc, resp)) {
		nm_http_failure_text(h, rc, resp);
		if (rc == CURLE_COULDNT_CONNECT && h->unix_socket != NULL)
			nm_http_agent_connect_failure(h,
			    nm_http_os_errno(h->curl), resp);
	}
	if (collect_info(h->curl, resp) != 0 || resp->err.code == NM_ERR_NOMEM)
		return nm_error_set(err, NM_ERR_NOMEM, "out of memory");
	if (rc != CURLE_OK)
		nm_log(1, "  -> failed: %s", nm_error_text(&resp->err));
	nm_log(1, "  -> HTTP %ld, %zu bytes, %.6f s (dns %.6f, connect %.6f, "
	    "tls %.6f, first byte %.6f)", resp->status, resp->body.len,
	    resp->t_total, resp->t_dns, resp->t_connect, resp->t_tls,
	    resp->t_first_byte);
	return NM_OK;
}

nm_err
nm_http_get(nm_http *h, const char *path, long timeout_ms,
    nm_response *resp, nm_error *err)
{
	CURLcode rc;
	int r;

	nm_response_free(resp);
	r = snprintf(h->url, sizeof(h->url), "%s%s", h->base, path);
	if (r < 0 || (size_t)r >= sizeof(h->url))
		return nm_error_set(err, NM_ERR_SETUP, "URL too long: "
		    "%s%.60s...", h->base, path);
	if (timeout_ms < 1)
		timeout_ms = 1;
	if ((rc = setopts_request(h, timeout_ms)) != CURLE_OK)
		return nm_error_set(err, NM_ERR_SETUP, "libcurl setup failed: "
		    "%s", curl_easy_strerror(rc));
	nm_log(1, "GET %s (limit %ld ms)", h->url, timeout_ms);
	h->resp = resp;
	h->too_large = h->nomem = h->headers_done = false;
	h->socket_errno = 0;
	h->errbuf[0] = '\0';
	errno = 0;
	rc = curl_easy_perform(h->curl);
	h->perform_errno = errno;
	h->resp = NULL;
	return finish(h, rc, resp, err);
}
