/* The HTTP side: one libcurl handle, reused for every request of a run so
 * the connection is kept, with the agent's headers set once. */
#ifndef NM_HTTP_H
#define NM_HTTP_H

#include <stdbool.h>

#include <curl/curl.h>

#include "dynbuf.h"
#include "nm_config.h"

typedef struct {
	CURLcode code;		/* CURLE_OK when an HTTP response came */
	char error[CURL_ERROR_SIZE];	/* libcurl's detail for code */
	long os_errno;		/* the system's errno behind a connect failure */
	long status;		/* HTTP status, 0 when none */
	dynbuf body;		/* capped at NM_BODY_CAP */
	bool too_large;		/* the body passed the cap */
	char *content_type;	/* NULL when absent */
	char *location;		/* redirect target, NULL when none */
	/* seconds since the request started, per libcurl */
	double t_total, t_dns, t_connect, t_tls, t_first_byte;
} nm_response;

typedef struct nm_http nm_http;

/* A handle for cfg's host, sending the agent's headers with signature.
 * 0, or -1 with *cause (malloc'd). */
int nm_http_new(const nm_config *cfg, const char *signature, nm_http **out,
    char **cause);

/* The base URL, e.g. "http://[::1]:8775", for messages. */
const char *nm_http_base(const nm_http *h);

/* GET path (absolute, starts with '/') within timeout_ms. 0 when the
 * request was made, whatever its outcome (see resp->code); -1 on out of
 * memory or a libcurl setup failure, with *cause. resp is reset first;
 * free it with nm_response_free(). */
int nm_http_get(nm_http *h, const char *path, long timeout_ms,
    nm_response *resp, char **cause);

void nm_response_init(nm_response *resp);
void nm_response_free(nm_response *resp);
void nm_http_free(nm_http *h);

#endif
