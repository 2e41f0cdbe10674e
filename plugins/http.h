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

/* Once per process, before any handle: libcurl's global setup.
 * NM_OK or NM_ERR_SETUP. */
nm_err nm_http_global_init(void);
void nm_http_global_cleanup(void);

/* "libcurl 7.88.1 (OpenSSL/3.0.11)" as loaded at run time, for -V. */
int nm_http_version_text(char *buf, size_t len);

/* A handle for cfg's host, sending the agent's headers with signature.
 * NM_OK, or NM_ERR_SETUP/NM_ERR_NOMEM with err's cause. */
nm_err nm_http_new(const nm_config *cfg, const char *signature,
    nm_http **out, nm_error *err);

/* GET path (absolute, starts with '/') within timeout_ms. NM_OK when
 * the request was made, whatever its outcome (see resp->err: a
 * transport error, or NM_OK with resp->status); NM_ERR_NOMEM or
 * NM_ERR_SETUP (with err's cause) when it could not be made. resp is
 * reset first; free it with nm_response_free(). */
nm_err nm_http_get(nm_http *h, const char *path, long timeout_ms,
    nm_response *resp, nm_error *err);

void nm_response_init(nm_response *resp);
void nm_response_free(nm_response *resp);
void nm_http_free(nm_http *h);

#endif
