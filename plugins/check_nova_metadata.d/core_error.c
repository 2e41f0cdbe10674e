#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core_error.h"
#include "quote.h"

mp_state
nm_err_state(nm_err e, mp_state timeout_result)
{
	switch (e) {
	case NM_OK:
		return MP_OK;
	case NM_ERR_NOMEM:
	case NM_ERR_SETUP:
	case NM_ERR_CONFIG:
	case NM_ERR_DENIED:
		return MP_UNKNOWN;
	case NM_ERR_TIMEOUT:
		return timeout_result;
	case NM_ERR_ENDED:
		/* recorded as a sub-check, whose state stands */
		return MP_OK;
	default:
		return MP_CRITICAL;
	}
}

const char *
nm_err_name(nm_err e)
{
	switch (e) {
	case NM_OK:
		return "no error";
	case NM_ERR_NOMEM:
		return "out of memory";
	case NM_ERR_SETUP:
		return "local setup failed";
	case NM_ERR_CONFIG:
		return "bad configuration";
	case NM_ERR_REFUSED:
		return "connection refused";
	case NM_ERR_UNRESOLVED:
		return "name not resolved";
	case NM_ERR_TLS:
		return "TLS failure";
	case NM_ERR_TOO_LARGE:
		return "response larger than 1 MiB";
	case NM_ERR_BROKE_OFF:
		return "the connection broke off";
	case NM_ERR_TIMEOUT:
		return "timed out";
	case NM_ERR_MALFORMED:
		return "malformed answer";
	case NM_ERR_DENIED:
		return "permission denied";
	case NM_ERR_NOT_TEXT:
		return "answer is not text";
	case NM_ERR_ENDED:
		return "ended early";
	default:
		return "transfer failed";
	}
}

nm_err
nm_error_vset(nm_error *e, nm_err code, const char *fmt, va_list ap)
{
	/* NULL when there is no memory for it: nm_error_text then names
	 * the code, and the code is what decides the state. */
	char *text = mp_vscrubbed(fmt, ap);

	free(e->cause);
	e->cause = text;
	e->code = code;
	return code;
}

nm_err
nm_error_set(nm_error *e, nm_err code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = nm_error_vset(e, code, fmt, ap);
	va_end(ap);
	return code;
}

int
nm_error_config(nm_error *e, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	(void)nm_error_vset(e, NM_ERR_CONFIG, fmt, ap);
	va_end(ap);
	return -1;
}

nm_err
nm_error_nomem(nm_error *e)
{
	free(e->cause);
	e->cause = NULL;
	e->code = NM_ERR_NOMEM;
	return NM_ERR_NOMEM;
}

nm_err
nm_error_append(nm_error *e, const char *fmt, ...)
{
	char *tail, *joined = NULL;
	va_list ap;

	va_start(ap, fmt);
	tail = mp_vscrubbed(fmt, ap);
	va_end(ap);
	/* Without memory for the addition the cause stays: shorter, still
	 * true. */
	if (tail != NULL &&
	    asprintf(&joined, "%s%s", nm_error_text(e), tail) >= 0) {
		free(e->cause);
		e->cause = joined;
	}
	free(tail);
	return e->code;
}

const char *
nm_error_text(const nm_error *e)
{
	return e->cause != NULL ? e->cause : nm_err_name(e->code);
}

void
nm_error_clear(nm_error *e)
{
	free(e->cause);
	e->cause = NULL;
	e->code = NM_OK;
}
