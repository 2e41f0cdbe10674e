/* The transport's handle as its two files see it: transport_http.c makes
 * requests on it, transport_failure.c words a failed transfer. Nothing
 * else includes this: it is the one header that brings in curl.h, and the
 * plugin above the transport knows only transport_http.h. Struct tags
 * only, so that it needs no transport_http.h. */
#ifndef NM_TRANSPORT_INT_H
#define NM_TRANSPORT_INT_H

#include <stdbool.h>

#include <curl/curl.h>

struct nm_response;

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
	struct nm_response *resp;	/* the request being made */
	bool too_large;		/* its body passed the cap */
	bool nomem;		/* its body could not be stored */
	bool headers_done;	/* its header section ended (blank line) */
	int perform_errno;	/* errno as the transfer left it */
	int socket_errno;	/* socket()'s errno when it failed, else 0 */
};

/* libcurl's CURLINFO_OS_ERRNO for the last transfer, 0 when none. */
long nm_http_os_errno(CURL *curl);

/* A transfer that failed (rc) on the monitoring host's own limits is
 * recorded in resp->err as NM_ERR_SETUP naming the limit. Returns
 * whether it was one. */
bool nm_http_local_limit(struct nm_http *h, CURLcode rc,
    struct nm_response *resp);

/* resp->err for a failed transfer (code): the plugin's transport error
 * with libcurl's words for it. */
void nm_http_failure_text(struct nm_http *h, CURLcode code,
    struct nm_response *resp);

/* resp->err for a connection to the agent's socket that failed with
 * os_errno: not allowed (NM_ERR_DENIED, with what to change), else
 * nothing serving there (NM_ERR_REFUSED). */
void nm_http_agent_connect_failure(const struct nm_http *h, long os_errno,
    struct nm_response *resp);

#endif
