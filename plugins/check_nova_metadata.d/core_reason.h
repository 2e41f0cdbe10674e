/* Why a target failed, as one of a fixed set: a stable token for
 * machines (Prometheus' reason label: lower case and '_', never free
 * text) and a short phrase in the plugin's own words for the first line
 * ("refused", "timed out", "signature rejected"). Both stay the same
 * from run to run for the same fault, so that notifications, flapping
 * detection and alerts see one problem. The long output keeps the full
 * explanation; these only name its class. */
#ifndef NM_REASON_H
#define NM_REASON_H

#include "core_error.h"

typedef enum {
	NM_REASON_NONE = 0,	/* OK: no failure */
	/* no HTTP answer */
	NM_REASON_REFUSED,	/* connection refused or unreachable */
	NM_REASON_TIMEOUT,	/* no answer within -t */
	NM_REASON_UNRESOLVED,	/* the name did not resolve */
	NM_REASON_TLS_CERT,	/* the server's certificate did not verify */
	NM_REASON_TLS,		/* any other TLS failure: handshake, client
				 * identity */
	NM_REASON_BROKE_OFF,	/* the peer closed or reset mid-exchange */
	NM_REASON_TOO_LARGE,	/* a body over the 1 MiB cap */
	NM_REASON_HEADER_TOO_LARGE,	/* a header line over libcurl's cap */
	NM_REASON_NOT_SERVING,	/* nothing serves on the agent's socket */
	NM_REASON_DENIED,	/* this user may not use the agent's socket */
	NM_REASON_TRANSPORT,	/* any other transfer failure */
	/* an HTTP answer other than 200 */
	NM_REASON_SIGNATURE_REJECTED,	/* 403: the shared secret differs */
	NM_REASON_CANARY_UNKNOWN,	/* 404: Nova does not know the canary
					 * or the tenant is not its project */
	NM_REASON_PROXY_OFF,	/* 404: service_metadata_proxy = False */
	NM_REASON_NOT_FOUND,	/* 404 that the probe could not tell apart */
	NM_REASON_NO_PORT,	/* 404 from the agent: no port for the IP */
	NM_REASON_NOVA_UNREACHABLE,	/* 5xx: the agent cannot reach Nova */
	NM_REASON_PROXY_ERROR,	/* 502-504 from haproxy: no agent behind */
	NM_REASON_RATE_LIMITED,	/* 429 */
	NM_REASON_REDIRECTED,	/* 3xx */
	NM_REASON_BAD_REQUEST,	/* 400 */
	NM_REASON_SERVER_ERROR,	/* any other 5xx */
	NM_REASON_HTTP_STATUS,	/* any other status */
	/* an answer that is not what it must be */
	NM_REASON_MALFORMED,	/* not the format it must be, or no text */
	NM_REASON_KEY_MISSING,	/* a required key is missing */
	NM_REASON_WRONG_CANARY,	/* another instance's or project's data */
	NM_REASON_VALUE_MISMATCH,	/* a -e value differs */
	NM_REASON_VENDORDATA_FAILED,	/* a dynamic vendordata target failed */
	NM_REASON_CLOUDINIT,	/* a document cloud-init needs is missing or
				 * wrong */
	NM_REASON_SLOW,		/* answered, but over -w or -c */
	NM_REASON_UNKNOWN,	/* the plugin could not tell: its own
				 * failure (UNKNOWN) */
	NM_REASON_COUNT
} nm_reason;

/* "refused", "signature_rejected": [a-z_]+, stable, documented in the
 * README and the man page. "" for NM_REASON_NONE. */
const char *nm_reason_token(nm_reason r);

/* "refused", "TLS: certificate not verified": short, no ';', stable. ""
 * for NM_REASON_NONE. */
const char *nm_reason_phrase(nm_reason r);

/* The class of a transport error (a request that got no HTTP answer);
 * NM_REASON_UNKNOWN for the plugin's own errors. */
nm_reason nm_reason_of_err(nm_err e);

/* The class of an HTTP status other than 200 when nothing more is known
 * (the caller refines 404 and 5xx by hop). */
nm_reason nm_reason_of_status(long status);

#endif
