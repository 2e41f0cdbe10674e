#include "config.h"

#include <stddef.h>

#include "core_reason.h"

static const struct {
	const char *token;
	const char *phrase;
} reasons[NM_REASON_COUNT] = {
	[NM_REASON_NONE] = { "", "" },
	[NM_REASON_REFUSED] = { "refused", "refused" },
	[NM_REASON_TIMEOUT] = { "timeout", "timed out" },
	[NM_REASON_UNRESOLVED] = { "unresolved", "name not resolved" },
	[NM_REASON_TLS_CERT] = { "tls", "TLS: certificate not verified" },
	[NM_REASON_TLS] = { "tls", "TLS: handshake failed" },
	[NM_REASON_BROKE_OFF] = { "broke_off", "connection broke off" },
	[NM_REASON_TOO_LARGE] = { "too_large", "answer over 1 MiB" },
	[NM_REASON_HEADER_TOO_LARGE] = { "too_large", "header too large" },
	/* Only the agent's hop has them, and its subject ("via agent
	 * PATH") or its name ("agent") comes first: not named twice. */
	[NM_REASON_NOT_SERVING] = { "refused", "not serving" },
	[NM_REASON_DENIED] = { "socket_denied", "socket not permitted" },
	[NM_REASON_TRANSPORT] = { "transport", "transfer failed" },
	[NM_REASON_SIGNATURE_REJECTED] = { "signature_rejected",
	    "signature rejected" },
	[NM_REASON_CANARY_UNKNOWN] = { "canary_unknown", "canary unknown" },
	[NM_REASON_PROXY_OFF] = { "proxy_off", "metadata proxy mode off" },
	[NM_REASON_NOT_FOUND] = { "not_found", "not found" },
	[NM_REASON_NO_PORT] = { "no_port", "no port for the address" },
	[NM_REASON_NOVA_UNREACHABLE] = { "nova_unreachable",
	    "agent cannot reach Nova" },
	[NM_REASON_PROXY_ERROR] = { "proxy_error", "no agent behind haproxy" },
	[NM_REASON_RATE_LIMITED] = { "rate_limited", "rate limited" },
	[NM_REASON_REDIRECTED] = { "redirected", "redirected" },
	[NM_REASON_BAD_REQUEST] = { "bad_request", "bad request" },
	[NM_REASON_SERVER_ERROR] = { "server_error", "server error" },
	[NM_REASON_HTTP_STATUS] = { "http_status", "unexpected status" },
	[NM_REASON_MALFORMED] = { "malformed", "malformed answer" },
	[NM_REASON_KEY_MISSING] = { "key_missing", "key missing" },
	[NM_REASON_WRONG_CANARY] = { "wrong_canary", "wrong canary" },
	[NM_REASON_VALUE_MISMATCH] = { "value_mismatch", "value differs" },
	[NM_REASON_VENDORDATA_FAILED] = { "vendordata_failed",
	    "vendordata failed" },
	[NM_REASON_CLOUDINIT] = { "cloudinit", "cloud-init document wrong" },
	[NM_REASON_SLOW] = { "slow", "slow" },
	[NM_REASON_UNKNOWN] = { "unknown", "check failed" },
};

const char *
nm_reason_token(nm_reason r)
{
	if ((unsigned)r >= NM_REASON_COUNT)
		r = NM_REASON_UNKNOWN;
	return reasons[r].token;
}

const char *
nm_reason_phrase(nm_reason r)
{
	if ((unsigned)r >= NM_REASON_COUNT)
		r = NM_REASON_UNKNOWN;
	return reasons[r].phrase;
}

nm_reason
nm_reason_of_err(nm_err e)
{
	switch (e) {
	case NM_OK:
	case NM_ERR_ENDED:
		return NM_REASON_NONE;
	case NM_ERR_REFUSED:
		return NM_REASON_REFUSED;
	case NM_ERR_UNRESOLVED:
		return NM_REASON_UNRESOLVED;
	case NM_ERR_TLS:
		return NM_REASON_TLS;
	case NM_ERR_TOO_LARGE:
		return NM_REASON_TOO_LARGE;
	case NM_ERR_BROKE_OFF:
		return NM_REASON_BROKE_OFF;
	case NM_ERR_TRANSPORT:
		return NM_REASON_TRANSPORT;
	case NM_ERR_MALFORMED:
	case NM_ERR_NOT_TEXT:
		return NM_REASON_MALFORMED;
	case NM_ERR_TIMEOUT:
		return NM_REASON_TIMEOUT;
	case NM_ERR_DENIED:
		return NM_REASON_DENIED;
	default:
		return NM_REASON_UNKNOWN;
	}
}

nm_reason
nm_reason_of_status(long status)
{
	if (status == 403)
		return NM_REASON_SIGNATURE_REJECTED;
	if (status == 404)
		return NM_REASON_NOT_FOUND;
	if (status == 429)
		return NM_REASON_RATE_LIMITED;
	if (status == 400)
		return NM_REASON_BAD_REQUEST;
	if (status >= 300 && status < 400)
		return NM_REASON_REDIRECTED;
	if (status >= 500 && status < 600)
		return NM_REASON_SERVER_ERROR;
	return NM_REASON_HTTP_STATUS;
}
