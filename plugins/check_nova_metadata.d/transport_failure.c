/* The transport's failures in the plugin's words: which nm_err a failed
 * transfer is (its CURLcode, what the callbacks saw), libcurl's text for
 * it with the system's reason, the agent's socket that this user may not
 * connect to, and the monitoring host's own limits. transport_http.c
 * calls these once a transfer is over (transport_int.h). */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "transport_int.h"
#include "transport_http.h"
#include "core_error.h"
#include "quote.h"

/* libcurl's "out of memory" for a header line it refused to hold: the
 * request went out and the header section had not ended. */
static bool
header_too_large(const nm_http *h, CURLcode code)
{
	long sent = 0;

#if LIBCURL_VERSION_NUM >= 0x080600
	/* libcurl 8.6 and later name it (Debian 13): "A value or data field
	 * grew larger than allowed"; a body over the cap is too_large. */
	if (code == CURLE_TOO_LARGE && !h->too_large)
		return true;
#endif
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

/* The class of a failed transfer, finer than its nm_err: a certificate
 * that did not verify, a header over libcurl's cap. */
static nm_reason
reason_of(const nm_http *h, CURLcode code, nm_err e)
{
	if (e == NM_ERR_TRANSPORT && header_too_large(h, code))
		return NM_REASON_HEADER_TOO_LARGE;
	switch (code) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return NM_REASON_TLS_CERT;
	default:
		return nm_reason_of_err(e);
	}
}

/* libcurl's words for a failed transfer, once: its detail usually holds
 * its generic text already (and names host and port); where it does not,
 * the generic text leads, as the detail can be an earlier, milder note
 * (a getpeername() failure before a send failure). Since 7.88 libcurl no
 * longer adds the system's reason, which is added unless present. */
void
nm_http_failure_text(nm_http *h, CURLcode code, nm_response *resp)
{
	const char *generic = curl_easy_strerror(code), *sys = NULL;
	nm_err e = classify(h, code);
	long os_errno = 0;
	/* libcurl cuts its detail at CURL_ERROR_SIZE - 1 bytes (a long host
	 * name in it, say): a full buffer shows the cut. */
	const char *cut = strlen(h->errbuf) >= sizeof(h->errbuf) - 1 ?
	    "..." : "";

	resp->reason = reason_of(h, code, e);
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
void
nm_http_agent_connect_failure(const nm_http *h, long os_errno,
    nm_response *resp)
{
	char who[128];
	struct stat st;
	int e = (int)os_errno;

	if (e != EACCES && e != EPERM) {
		resp->reason = NM_REASON_NOT_SERVING;
		(void)nm_error_set(&resp->err, NM_ERR_REFUSED, "the agent is not "
		    "serving on %s (%s)", h->unix_socket, e != 0 ? strerror(e) :
		    "cannot connect");
		return;
	}
	resp->reason = NM_REASON_DENIED;
	user_name(who, sizeof(who));
	if (stat(h->unix_socket, &st) != 0)
		(void)nm_error_set(&resp->err, NM_ERR_DENIED, "%s may not "
		    "connect to the agent's socket %s (%s); "
		    SOCKET_ACCESS_HINT, who, h->unix_socket,
		    strerror(e));
	else
		socket_denied(h, &st, who, resp);
}

long
nm_http_os_errno(CURL *curl)
{
	long e = 0;

	if (curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &e) != CURLE_OK)
		e = 0;
	return e;
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
bool
nm_http_local_limit(nm_http *h, CURLcode rc, nm_response *resp)
{
	long e = nm_http_os_errno(h->curl);
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
	resp->reason = NM_REASON_UNKNOWN;
	(void)nm_error_set(&resp->err, NM_ERR_SETUP, "the monitoring host's "
	    "limit of %s is reached: cannot open %s (%s)", limit, what,
	    strerror((int)e));
	return true;
}
