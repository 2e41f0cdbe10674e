/* The transport: the only part of the plugin that knows libcurl. One
 * handle per target, reused for every request of a run so the
 * connection is kept, with the agent's headers set once. A request that
 * gets no HTTP answer reports a transport error of its own (nm_err)
 * with libcurl's words for it. */
#ifndef NM_HTTP_H
#define NM_HTTP_H

#include <stdbool.h>

#include "dynbuf.h"
#include "error.h"
#include "nm_config.h"

typedef struct {
	nm_error err;		/* NM_OK when an HTTP response came */
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
	/* the neutron metadata agent's UNIX socket, or NULL: then host is
	 * 169.254.169.254, nothing is signed, and X-Forwarded-For and the
	 * one network header are sent, as haproxy in the namespace does */
	const char *unix_socket;
} nm_endpoint;

/* Once per process, before any handle: libcurl's global setup.
 * NM_OK or NM_ERR_SETUP. */
nm_err nm_http_global_init(void);
void nm_http_global_cleanup(void);

/* "libcurl 7.88.1 (OpenSSL/3.0.11)" as loaded at run time, for -V. */
int nm_http_version_text(char *buf, size_t len);

/* A handle for ep with cfg's TLS and address family, sending the
 * agent's headers with signature. NM_OK, or NM_ERR_SETUP/NM_ERR_NOMEM
 * with err's cause. */
nm_err nm_http_new(const nm_config *cfg, const nm_endpoint *ep,
    const char *signature, nm_http **out, nm_error *err);

/* The transfers in flight, all on libcurl's multi interface: one
 * event loop for every target of a run. */
typedef struct nm_transfers nm_transfers;

nm_err nm_transfers_new(nm_transfers **out, nm_error *err);
void nm_transfers_free(nm_transfers *m);

/* Starts GET path (absolute, starts with '/') on h, which must be idle,
 * within timeout_ms. resp is reset first and filled when the transfer
 * is over (nm_transfers_next); free it with nm_response_free().
 * NM_ERR_NOMEM or NM_ERR_SETUP (with err's cause) when it could not be
 * started. */
nm_err nm_http_start(nm_transfers *m, nm_http *h, const char *path,
    long timeout_ms, nm_response *resp, nm_error *err);

/* Drives the transfers for at most wait_ms (capped at 1 s); *done is
 * the handle whose transfer ended, its response complete (resp->err: a
 * transport error, or NM_OK with resp->status), or NULL when none did
 * yet. NM_OK, or the loop's own failure. */
nm_err nm_transfers_next(nm_transfers *m, long wait_ms, nm_http **done,
    nm_error *err);

/* Whether h's requests carry the agent's signed headers: only those
 * can be probed with a wrong signature. */
bool nm_http_signs(const nm_http *h);

/* The 404 probe: on, h's next requests carry a deliberately wrong
 * X-Instance-ID-Signature (nm_sign_wrong of its own); off, the right
 * one again. h must be idle and sign. NM_OK or NM_ERR_SETUP. */
nm_err nm_http_wrong_signature(nm_http *h, bool on, nm_error *err);

void nm_response_init(nm_response *resp);
void nm_response_free(nm_response *resp);
void nm_http_free(nm_http *h);

#endif
