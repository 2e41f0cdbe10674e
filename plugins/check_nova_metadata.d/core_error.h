/* The plugin's one error type: what went wrong, as a value (OpenSSH's
 * SSH_ERR_*, curl's CURLcode), with its cause text beside it. Only
 * nm_err_state() turns an error into a Nagios state. */
#ifndef NM_ERROR_H
#define NM_ERROR_H

#include <stdarg.h>

#include "states.h"

typedef enum {
	NM_OK = 0,
	/* the plugin itself: UNKNOWN */
	NM_ERR_NOMEM,		/* out of memory */
	NM_ERR_SETUP,		/* a local failure: libcurl setup, a file */
	NM_ERR_CONFIG,		/* a bad option, or a file or setting it
				 * names: the cause says which and why */
	/* no HTTP answer: CRITICAL, the cause as libcurl names it */
	NM_ERR_REFUSED,		/* connection refused or unreachable */
	NM_ERR_UNRESOLVED,	/* the name did not resolve */
	NM_ERR_TLS,		/* handshake, certificate, client identity */
	NM_ERR_TOO_LARGE,	/* the body passed the 1 MiB cap */
	NM_ERR_BROKE_OFF,	/* the peer closed or reset mid-exchange */
	NM_ERR_TRANSPORT,	/* any other transfer failure */
	/* an answer that is not what it must be: CRITICAL */
	NM_ERR_MALFORMED,	/* not the format it must be: a listing that
				 * is none, JSON that is not, a wrong root */
	/* the whole-run limit: --timeout-result. A step that meets it
	 * returns it at once; the check replaces the target's result with
	 * the limit's. */
	NM_ERR_TIMEOUT,
	/* a local socket this user may not connect to: UNKNOWN, the
	 * plugin runs as the wrong user */
	NM_ERR_DENIED,
	/* an answer that is no text (a NUL byte, invalid UTF-8): CRITICAL */
	NM_ERR_NOT_TEXT,
	/* A step's verdict, not a failure of its own: the target's visit
	 * ended early (a status, no answer, a document cloud-init stops
	 * at) and the cause is already recorded as a sub-check, whose state
	 * stands. Steps after it are skipped; the target's result is its
	 * sub-checks, so this error adds no state of its own (OK). */
	NM_ERR_ENDED
} nm_err;

/* What a step or a mode returns, for the run of one target:
 * - NM_OK: go on;
 * - NM_ERR_ENDED: stop, the result (the sub-checks so far) stands;
 * - NM_ERR_TIMEOUT: the whole-run limit; the result is the limit's;
 * - a transport error (NM_ERR_REFUSED ... NM_ERR_TRANSPORT, NM_ERR_DENIED)
 *   only from the raw request, before it is recorded as a sub-check;
 * - NM_ERR_NOMEM, NM_ERR_SETUP: the target's result cannot be made;
 *   the cause is the one the caller holds, and the plugin is UNKNOWN.
 * Parsers return NM_OK, NM_ERR_NOMEM, NM_ERR_MALFORMED or
 * NM_ERR_NOT_TEXT. */

/* An error and its one-line, scrubbed cause (malloc'd; NULL when the
 * error is NM_OK or its name says all, as for NM_ERR_NOMEM). */
typedef struct {
	nm_err code;
	char *cause;
} nm_error;

/* The state an error gives: UNKNOWN for the plugin's own failures,
 * CRITICAL for the service's, timeout_result for the limit. */
mp_state nm_err_state(nm_err e, mp_state timeout_result);

/* A short English name: "out of memory", "connection refused", ... */
const char *nm_err_name(nm_err e);

/* Sets e to code with a printf-like cause (scrubbed). Returns code, so
 * "return nm_error_set(...)" reports it. When the cause cannot be
 * allocated the error still stands, its name its text: a failure never
 * turns into NM_ERR_NOMEM (a CRITICAL into an UNKNOWN) because its
 * message did not fit. */
nm_err nm_error_set(nm_error *e, nm_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The cause, or the error's name when there is none. */
const char *nm_error_text(const nm_error *e);

/* nm_error_set with a va_list. */
nm_err nm_error_vset(nm_error *e, nm_err code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* nm_error_set(e, NM_ERR_CONFIG, ...) for helpers that return 0 or -1:
 * always -1. e may be NULL, for callers that want only the verdict. */
int nm_error_config(nm_error *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Sets e to NM_ERR_NOMEM, which needs no cause; returns NM_ERR_NOMEM. */
nm_err nm_error_nomem(nm_error *e);

/* Appends a printf-like text to e's cause, keeping its code (for "...
 * (from --extra-opts)"); when the longer text cannot be allocated the
 * cause stays as it was. Returns e's code. */
nm_err nm_error_append(nm_error *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void nm_error_clear(nm_error *e);

#endif
