/* The transport: the only part of the plugin that knows libcurl. It
 * takes a request (nm_request: where, which TLS material, which
 * headers), never the configuration. One handle per target, made and
 * used by that target's thread alone, reused for every request of a
 * run so that the connection is kept. A request that gets no HTTP
 * answer reports a transport error of its own (nm_err) with libcurl's
 * words for it. */
#ifndef NM_HTTP_H
#define NM_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "dynbuf.h"
#include "core_error.h"
#include "core_reason.h"

typedef struct nm_response {
	nm_error err;		/* NM_OK when an HTTP response came */
	nm_reason reason;	/* err's class, finer than its code (a
				 * certificate, the agent's socket);
				 * NM_REASON_NONE when a response came */
	long status;		/* HTTP status, 0 when none */
	dynbuf body;		/* capped at NM_BODY_CAP */
	char *location;		/* redirect target, NULL when none */
	/* seconds since the request started, per libcurl */
	double t_total, t_dns, t_connect, t_tls, t_first_byte;
} nm_response;

typedef struct nm_http nm_http;

/* Where a handle connects: host and port make the URL (the Host header,
 * the TLS name); address, when set, is where the connection goes. */
#define NM_ENDPOINT_MAX 512
typedef struct {
	const char *host;
	unsigned port;
	const char *address;	/* an IP address, or NULL */
	/* the neutron metadata agent's UNIX socket, or NULL: libcurl
	 * connects there, plain HTTP, the URL keeps host */
	const char *unix_socket;
} nm_endpoint;

/* Once per process, in main before any other thread than the signal
 * thread exists and before any handle: libcurl's global setup.
 * NM_OK or NM_ERR_SETUP. */
nm_err nm_http_global_init(void);
void nm_http_global_cleanup(void);

/* "libcurl 7.88.1 (OpenSSL/3.0.11)" as loaded at run time, for -V. */
int nm_http_version_text(char *buf, size_t len);

/* What every request on a handle carries. The strings are the
 * caller's and must outlive the handle. */
#define NM_HEADERS_MAX 4
typedef struct {
	const char *name;
	const char *value;
} nm_header;

typedef struct {
	nm_endpoint ep;
	bool ssl;		/* https (never on the agent's socket) */
	int family;		/* 0 = either, 4, 6 */
	/* TLS material: files checked before the first request (a missing
	 * one is the local setup's fault); used with ssl only */
	const char *ca_cert;
	const char *client_cert;
	const char *client_key;
	bool insecure;
	/* sent with every request; the value of X-Instance-ID-Signature
	 * is logged shortened (-vvv), never whole */
	nm_header headers[NM_HEADERS_MAX];
	size_t header_count;
	/* the 404 probe's set: the same with a wrong signature; none
	 * when the requests are not signed (nm_http_signs) */
	nm_header probe_headers[NM_HEADERS_MAX];
	size_t probe_header_count;
} nm_request;

/* A handle for req. NM_OK, or NM_ERR_SETUP/NM_ERR_NOMEM with err's
 * cause. */
nm_err nm_http_new(const nm_request *req, nm_http **out, nm_error *err);

/* GETs path (absolute, starts with '/') on h within timeout_ms, as one
 * blocking transfer: libcurl ends it at its timeout. resp is reset
 * first and holds the answer when this returns (resp->err: a transport
 * error, or NM_OK with resp->status); free it with nm_response_free().
 * NM_OK, or NM_ERR_NOMEM/NM_ERR_SETUP (with err's cause) when the
 * request could not be made or its answer not stored. */
nm_err nm_http_get(nm_http *h, const char *path, long timeout_ms,
    nm_response *resp, nm_error *err);

/* Whether h's requests carry the agent's signed headers: only those
 * can be probed with a wrong signature. */
bool nm_http_signs(const nm_http *h);

/* The 404 probe: on, h's next requests carry the request's probe
 * headers (a deliberately wrong signature); off, its headers again.
 * h must sign. NM_OK or NM_ERR_SETUP. */
nm_err nm_http_wrong_signature(nm_http *h, bool on, nm_error *err);

void nm_response_init(nm_response *resp);
void nm_response_free(nm_response *resp);
void nm_http_free(nm_http *h);

#endif
