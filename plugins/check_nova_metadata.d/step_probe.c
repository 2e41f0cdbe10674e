#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain_nova.h"
#include "step_probe.h"

/* The probe ends this long before the whole-run limit (at most a tenth
 * of it), so that a probe that hangs still leaves time to say what the
 * 404 was; with less than PROBE_MIN_MS left it is not made. */
#define PROBE_RESERVE_MS 300
#define PROBE_MIN_MS 50

/* A reason when its words cannot be allocated: the state stands. */
#define REASON_LOST "(the explanation could not be allocated)"

bool
nm_step_probe_wanted(const nm_visit *visit)
{
	return visit->signed_requests && visit->responses == 1 &&
	    nm_http_signs(visit->http);
}

static long
reserve_ms(const nm_visit *visit)
{
	long tenth = (long)visit->cfg->timeout * 100;

	return tenth < PROBE_RESERVE_MS ? tenth : PROBE_RESERVE_MS;
}

/* The probe itself: NM_OK when an answer came (visit->resp), a transport
 * error when none did (its cause in visit->err), NM_ERR_TIMEOUT with
 * *skipped when no time was left to make it, or the visit's own failure.
 * The right signature is restored on every path. */
static nm_err
probe_request(nm_visit *visit, const char *path, int *skipped)
{
	long saved = visit->margin_ms, reserve = reserve_ms(visit);
	nm_err e, r;

	*skipped = 0;
	if (reserve < saved)
		reserve = saved;
	if (nm_visit_remaining_ms(visit) - reserve < PROBE_MIN_MS) {
		*skipped = 1;
		return NM_ERR_TIMEOUT;
	}
	if ((r = nm_http_wrong_signature(visit->http, true, &visit->err)) !=
	    NM_OK)
		return r;
	visit->margin_ms = reserve;
	visit->probing = true;
	e = nm_visit_request(visit, path);
	visit->probing = false;
	visit->margin_ms = saved;
	if ((r = nm_http_wrong_signature(visit->http, false, &visit->err)) !=
	    NM_OK)
		return r;
	return e;
}

/* Why the probe got no answer, for the verdict. */
static const char *
no_answer_text(const nm_visit *visit, nm_err e, int skipped)
{
	if (skipped)
		return "no time left within -t";
	if (e == NM_ERR_TIMEOUT)
		return "no answer within -t";
	return nm_error_text(&visit->err);
}

nm_err
nm_step_probe_404(nm_visit *visit, const char *path)
{
	char *reason;
	const char *text;
	int skipped;
	nm_reason why;
	nm_err e, r;

	e = probe_request(visit, path, &skipped);
	if (!skipped && !nm_visit_no_answer(e) && e != NM_OK)
		return e;
	why = e != NM_OK ? NM_REASON_NOT_FOUND : visit->resp.status == 403 ?
	    NM_REASON_CANARY_UNKNOWN : visit->resp.status == 404 ?
	    NM_REASON_PROXY_OFF : NM_REASON_NOT_FOUND;
	nm_visit_reason(visit, why);
	reason = nm_explain_nova_probe(visit->cfg, e == NM_OK ?
	    visit->resp.status : 0, no_answer_text(visit, e, skipped));
	text = reason != NULL ? reason : REASON_LOST;
	r = nm_visit_result_brief(visit, MP_CRITICAL, nm_visit_brief(visit,
	    path, 404, why), "HTTP 404 for %s: %s", path, text);
	free(reason);
	return nm_visit_ended(r);
}
