#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain_agent.h"
#include "explain_nova.h"
#include "explain_view.h"
#include "parse_listing.h"
#include "step.h"
#include "step_probe.h"

#define EXPLAIN_MAX 200

/* A reason when its words cannot be allocated: the state stands. */
#define REASON_LOST "(the explanation could not be allocated)"

/* Inside an instance, what a failure to connect means for the chain. */
static const char *
view_hint(const nm_visit *visit, nm_err e)
{
	return visit->cfg->instance_view ? nm_explain_view_no_answer(e) :
	    NULL;
}

nm_err
nm_step_no_answer(nm_visit *visit, const char *path, nm_err e)
{
	const char *text = nm_error_text(&visit->err);
	const char *hint = view_hint(visit, e);
	nm_reason why = nm_visit_no_answer_class(visit, e);

	/* The whole-run limit: the check replaces the result with it. */
	if (e == NM_ERR_TIMEOUT)
		return NM_ERR_TIMEOUT;
	nm_visit_reason(visit, why);
	if (e == NM_ERR_TOO_LARGE)
		return nm_visit_ended(nm_visit_result_brief(visit, MP_CRITICAL,
		    nm_visit_brief(visit, path, 0, why), "response to %s is "
		    "larger than 1 MiB", path));
	return nm_visit_ended(nm_visit_result_brief(visit, nm_err_state(e,
	    MP_CRITICAL), nm_visit_brief(visit, path, 0, why), "no answer for "
	    "%s: %s%s%s", path, text, hint != NULL ? ": " : "", hint != NULL ?
	    hint : ""));
}

nm_err
nm_step_fetch(nm_visit *visit, const char *path)
{
	nm_err e = nm_visit_request(visit, path);

	if (!nm_visit_no_answer(e))
		return e;
	return nm_step_no_answer(visit, path, e);
}

/* Why the hop that answered gave a status other than 200: malloc'd,
 * whole (a Location header included), NULL on out of memory. The
 * server's explanation ends in "..." when it was longer than
 * EXPLAIN_MAX. */
static char *
status_reason(const nm_visit *visit)
{
	const nm_response *resp = &visit->resp;
	char why[EXPLAIN_MAX + 1];
	const char *hop;

	/* Inside an instance the answer may be any hop's, not Nova's. */
	if (visit->cfg->instance_view && (hop = nm_explain_view_status(
	    resp->status, resp->body.data, resp->body.len,
	    visit->responses <= 1)) != NULL)
		return strdup(hop);
	nm_error_explanation(resp->body.data, resp->body.len, why,
	    sizeof(why));
	if (visit->kind == NM_TARGET_AGENT)
		return nm_explain_agent_status(visit->cfg, resp->status, why);
	return nm_explain_nova_status(visit->cfg, resp->status, why,
	    resp->location);
}

/* The class of a status other than 200, by the hop that answered (a
 * 404 from Nova is the probe's to class). */
static nm_reason
status_class(const nm_visit *visit)
{
	const nm_response *resp = &visit->resp;

	if (visit->cfg->instance_view)
		return nm_explain_view_class(resp->status, resp->body.data,
		    resp->body.len);
	if (visit->kind == NM_TARGET_AGENT && resp->status == 404)
		return NM_REASON_NO_PORT;
	if (visit->kind == NM_TARGET_AGENT && (resp->status == 500 ||
	    resp->status == 503))
		return NM_REASON_NOVA_UNREACHABLE;
	return nm_reason_of_status(resp->status);
}

/* Any answer but 200 ends the visit. */
nm_err
nm_step_status_failure(nm_visit *visit, const char *path)
{
	char *reason;
	const char *text;
	nm_reason why;
	nm_err r;

	/* Nova's 404 has three causes; one more request tells which. */
	if (visit->resp.status == 404 && nm_step_probe_wanted(visit))
		return nm_step_probe_404(visit, path);
	why = status_class(visit);
	nm_visit_reason(visit, why);
	reason = status_reason(visit);
	text = reason != NULL ? reason : REASON_LOST;
	r = nm_visit_result_brief(visit, MP_CRITICAL, nm_visit_brief(visit,
	    path, visit->resp.status, why), "HTTP %ld for %s: %s",
	    visit->resp.status, path, text);
	free(reason);
	return nm_visit_ended(r);
}
