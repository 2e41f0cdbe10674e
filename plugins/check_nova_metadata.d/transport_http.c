#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
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

#include "transport_http.h"
#include "core_log.h"
#include "core_config.h"
#include "output.h"

#define NM_USER_AGENT NM_PROGNAME "/" PACKAGE_VERSION
#define SIG_HEADER "X-Instance-ID-Signature"

struct nm_http {
	CURL *curl;
	struct curl_slist *headers;
	struct curl_slist *connect_to;	/* --all-addresses, else NULL */
	struct curl_slist *wrong_headers;	/* the 404 probe's; NULL when
						 * the handle does not sign */
	char base[512];	/* scheme, a host of at most 255 bytes, a port */
	char url[2048];	/* a longer one fails the request, named */
	char errbuf[CURL_ERROR_SIZE];	/* libcurl's detail for a failure */
	const char *unix_socket;	/* the agent's, or NULL */
	unsigned transfers;	/* finished on this handle */
	nm_response *resp;	/* the request being made */
	bool too_large;		/* its body passed the cap */
	bool nomem;		/* its body could not be stored */
	bool headers_done;	/* its header section ended (blank line) */
	int perform_errno;	/* errno as the transfer left it */
	int socket_errno;	/* socket()'s errno when it failed, else 0 */
};

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

/* libcurl's "out of memory" for a header line it refused to hold: the
 * request went out and the header section had not ended. */
static bool
header_too_large(const nm_http *h, CURLcode code)
{
	long sent = 0;

	return code == CURLE_OUT_OF_MEMORY && !h->nomem && !h->headers_done &&
	    curl_easy_getinfo(h->curl, CURLINFO_REQUEST_SIZE, &sent) ==
	    CURLE_OK && sent > 0;
}

/* Which of the plugin's transport errors a failed transfer is. */
static nm_err
classify(const nm_http *h, CURLcode code)
{
	if (h->too_large || code == CURLE_FILESIZE_EXCEEDED)
		return NM_ERR_TOO_LARGE;
	if (header_too_large(h, code))
		return NM_ERR_TRANSPORT;
	if (h->nomem || code == CURLE_OUT_OF_MEMORY)
		return NM_ERR_NOMEM;
	switch (code) {
	case CURLE_COULDNT_CONNECT:
		return NM_ERR_REFUSED;
	case CURLE_COULDNT_RESOLVE_HOST:
		return NM_ERR_UNRESOLVED;
	case CURLE_OPERATION_TIMEDOUT:
		return NM_ERR_TIMEOUT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CLIENTCERT:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_SHUTDOWN_FAILED:
		return NM_ERR_TLS;
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
		return NM_ERR_BROKE_OFF;
	default:
		return NM_ERR_TRANSPORT;
	}
}

/* libcurl's words for a failed transfer, once: its detail usually holds
 * its generic text already (and names host and port); where it does not,
 * the generic text leads, as the detail can be an earlier, milder note
 * (a getpeername() failure before a send failure). Since 7.88 libcurl no
 * longer adds the system's reason, which is added unless present. */
static void
failure_text(nm_http *h, CURLcode code, nm_response *resp)
{
	const char *generic = curl_easy_strerror(code), *sys = NULL;
	nm_err e = classify(h, code);
	long os_errno = 0;
	/* libcurl cuts its detail at CURL_ERROR_SIZE - 1 bytes (a long host
	 * name in it, say): a full buffer shows the cut. */
	const char *cut = strlen(h->errbuf) >= sizeof(h->errbuf) - 1 ?
	    "..." : "";

	if (curl_easy_getinfo(h->curl, CURLINFO_OS_ERRNO, &os_errno) ==
	    CURLE_OK && os_errno != 0)
		sys = strerror((int)os_errno);
	mp_scrub(h->errbuf);
	if (header_too_large(h, code))
		(void)nm_error_set(&resp->err, e, "header too large: a "
		    "response header line over 100 KiB");
	else if (e == NM_ERR_TOO_LARGE || e == NM_ERR_NOMEM || e == NM_ERR_TIMEOUT)
		(void)nm_error_set(&resp->err, e, "%s", nm_err_name(e));
	else if (h->errbuf[0] == '\0')
		(void)nm_error_set(&resp->err, e, "%s", generic);
	else if (strstr(h->errbuf, generic) != NULL ||
	    code == CURLE_COULDNT_RESOLVE_HOST)
		(void)nm_error_set(&resp->err, e, "%s%s", h->errbuf, cut);
	else
		(void)nm_error_set(&resp->err, e, "%s: %s%s", generic,
		    h->errbuf, cut);
	if (sys != NULL && resp->err.cause != NULL &&
	    strstr(resp->err.cause, sys) == NULL)
		(void)nm_error_set(&resp->err, e, "%s (%s)", resp->err.cause,
		    sys);
}

/* How the monitoring user reaches the agent's socket, on each release
 * (README, "Through the neutron metadata agent"). */
#define SOCKET_ACCESS_HINT "run the check as root or the agent's user " \
	"(Icinga 2: command_endpoint on this node), or give this user " \
	"write access: the agent's group (metadata_proxy_socket_mode = " \
	"group; Epoxy ignores it and follows the agent's umask) or an ACL"

/* The name of uid (or gid), else "uid N": the reentrant lookups, as
 * any thread may make them. 0, or -1 when not even the number fits. */
#define NAME_BUF 4096
static int
id_name(bool group, unsigned long id, char *out, size_t len)
{
	char buf[NAME_BUF];
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	const char *name = NULL;
	int r;

	if (group && getgrgid_r((gid_t)id, &gr, buf, sizeof(buf), &grp) == 0 &&
	    grp != NULL)
		name = grp->gr_name;
	else if (!group && getpwuid_r((uid_t)id, &pw, buf, sizeof(buf),
	    &pwp) == 0 && pwp != NULL)
		name = pwp->pw_name;
	r = name != NULL ? snprintf(out, len, "%s", name) : -1;
	if (r < 0 || (size_t)r >= len)
		r = snprintf(out, len, "%s %lu", group ? "gid" : "uid", id);
	return r < 0 || (size_t)r >= len ? -1 : 0;
}

/* Who this process is, for the operator who must change it. */
static void
user_name(char *buf, size_t len)
{
	char pwbuf[NAME_BUF];
	struct passwd pw, *pwp = NULL;
	int r;

	if (getpwuid_r(geteuid(), &pw, pwbuf, sizeof(pwbuf), &pwp) != 0)
		pwp = NULL;
	r = snprintf(buf, len, "%s (uid %lu)", pwp != NULL && pwp->pw_name !=
	    NULL ? pwp->pw_name : "?", (unsigned long)geteuid());
	if (r < 0 || (size_t)r >= len)
		(void)snprintf(buf, len, "uid %lu", (unsigned long)geteuid());
}

/* The socket's mode, owner and group, by name where they have one. */
static void
socket_denied(const nm_http *h, const struct stat *st, const char *who,
    nm_response *resp)
{
	char owner[64], group[64];

	(void)id_name(false, (unsigned long)st->st_uid, owner, sizeof(owner));
	(void)id_name(true, (unsigned long)st->st_gid, group, sizeof(group));
	(void)nm_error_set(&resp->err, NM_ERR_DENIED, "%s may not connect to "
	    "the agent's socket %s (mode %04o, owner %s, group %s); "
	    SOCKET_ACCESS_HINT, who, h->unix_socket,
	    (unsigned)(st->st_mode & 07777), owner, group);
}

/* The agent's socket could not be connected to. Not allowed is the
 * plugin's own setup (UNKNOWN: SOCKET_ACCESS_HINT says what to change),
 * named with the socket's mode and owner; anything else means nothing
 * serves there (CRITICAL). */
static void
agent_connect_failure(const nm_http *h, long os_errno, nm_response *resp)
{
	char who[128];
	struct stat st;
	int e = (int)os_errno;

	if (e != EACCES && e != EPERM) {
		(void)nm_error_set(&resp->err, NM_ERR_REFUSED, "the agent is not "
		    "serving on %s (%s)", h->unix_socket, e != 0 ? strerror(e) :
		    "cannot connect");
		return;
	}
	user_name(who, sizeof(who));
	if (stat(h->unix_socket, &st) != 0)
		(void)nm_error_set(&resp->err, NM_ERR_DENIED, "%s may not "
		    "connect to the agent's socket %s (%s); "
		    SOCKET_ACCESS_HINT, who, h->unix_socket,
		    strerror(e));
	else
		socket_denied(h, &st, who, resp);
}

static long
os_errno(CURL *curl)
{
	long e = 0;

	if (curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &e) != CURLE_OK)
		e = 0;
	return e;
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

/* Which of the monitoring host's limits errno e names, if any. */
static const char *
limit_name(int e)
{
	switch (e) {
	case EMFILE:
		return "open files of this process (ulimit -n)";
	case ENFILE:
		return "open files of the system (fs.file-max)";
	case EAGAIN:
		return "processes and threads (ulimit -u)";
	case ENOBUFS:
	case ENOMEM:
		return "memory for sockets";
	default:
		return NULL;
	}
}

/* A transfer that failed on the monitoring host's own limits: no socket
 * (socket() gave EMFILE or ENFILE, seen as "Couldn't connect"), no
 * resolver thread ("getaddrinfo() thread failed to start"), no file
 * descriptor for libcurl's own wake-up pair (seen as out of memory).
 * That is not the target's failure: NM_ERR_SETUP (UNKNOWN), naming the
 * limit. Returns whether it was one. */
static bool
local_limit(nm_http *h, CURLcode rc, nm_response *resp)
{
	long e = os_errno(h->curl);
	const char *limit = NULL, *what = "a socket";

	if (rc == CURLE_COULDNT_CONNECT && (h->socket_errno == EMFILE ||
	    h->socket_errno == ENFILE || h->socket_errno == ENOBUFS ||
	    h->socket_errno == ENOMEM)) {
		e = h->socket_errno;
		limit = limit_name((int)e);
	} else if (rc == CURLE_COULDNT_CONNECT && (e == EMFILE || e == ENFILE))
		limit = limit_name((int)e);
	else if (rc == CURLE_COULDNT_RESOLVE_HOST &&
	    strstr(h->errbuf, "thread failed to start") != NULL) {
		e = h->perform_errno == EMFILE || h->perform_errno == ENFILE ?
		    h->perform_errno : EAGAIN;
		limit = limit_name((int)e);
		what = "the name resolver's thread";
	} else if (rc == CURLE_OUT_OF_MEMORY && !header_too_large(h, rc) &&
	    (h->perform_errno == EMFILE || h->perform_errno == ENFILE)) {
		e = h->perform_errno;
		limit = limit_name((int)e);
		what = "libcurl's wake-up descriptors";
	}
	if (limit == NULL)
		return false;
	(void)nm_error_set(&resp->err, NM_ERR_SETUP, "the monitoring host's "
	    "limit of %s is reached: cannot open %s (%s)", limit, what,
	    strerror((int)e));
	return true;
}

/* The transfer is over: resp completed from what libcurl knows. */
static nm_err
finish(nm_http *h, CURLcode rc, nm_response *resp, nm_error *err)
{
	if (keep_connection_policy(h) != CURLE_OK)
		return nm_error_set(err, NM_ERR_SETUP, "libcurl setup failed");
	if (rc != CURLE_OK && !local_limit(h, rc, resp)) {
		failure_text(h, rc, resp);
		if (rc == CURLE_COULDNT_CONNECT && h->unix_socket != NULL)
			agent_connect_failure(h, os_errno(h->curl), resp);
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
