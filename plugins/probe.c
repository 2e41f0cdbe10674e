#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

/* The probe ends this long before the whole-run limit (at most a tenth
 * of it), so that a probe that hangs still leaves time to say what the
 * 404 was; with less than PROBE_MIN_MS left it is not made. */
#define PROBE_RESERVE_MS 300
#define PROBE_MIN_MS 50

bool
nm_probe_wanted(const nm_run *run)
{
	return run->signed_requests && run->responses == 1 &&
	    nm_http_signs(run->http);
}

static long
reserve_ms(const nm_run *run)
{
	long tenth = (long)run->cfg->timeout * 100;

	return tenth < PROBE_RESERVE_MS ? tenth : PROBE_RESERVE_MS;
}

/* The probe itself: 0 when an answer came (run->resp), 1 when none did
 * (run->resp.err, or nothing made when no time was left: *skipped),
 * -1. The right signature is restored on every path. */
static int
probe_request(nm_run *run, const char *path, int *skipped)
{
	long saved = run->margin_ms, reserve = reserve_ms(run);
	int r;

	*skipped = 0;
	if (reserve < saved)
		reserve = saved;
	if (nm_run_remaining_ms(run) - reserve < PROBE_MIN_MS) {
		*skipped = 1;
		return 1;
	}
	if (nm_http_wrong_signature(run->http, true, &run->err) != NM_OK)
		return -1;
	run->margin_ms = reserve;
	r = nm_run_request(run, path);
	run->margin_ms = saved;
	if (nm_http_wrong_signature(run->http, false, &run->err) != NM_OK)
		return -1;
	return r;
}

/* The cause in the words an operator needs: malloc'd, NULL when out of
 * memory. */
static char *
probe_reason(const nm_run *run, int r, int skipped, const char *hint)
{
	const char *tenant = run->cfg->tenant;
	char *out = NULL;
	int n;

	if (r == 0 && run->resp.status == 403)
		n = asprintf(&out, "canary unknown to Nova or tenant %s is not "
		    "its project%s (a wrong signature got 403: the proxy mode "
		    "is on); check -i and -T", tenant, hint);
	else if (r == 0 && run->resp.status == 404)
		n = asprintf(&out, "Nova ignores the signed headers: [neutron] "
		    "service_metadata_proxy = False (a wrong signature got 404 "
		    "too); every instance behind the metadata agent gets 404");
	else if (r == 0)
		n = asprintf(&out, "canary unknown to Nova, tenant %s is not "
		    "its project, or Nova has [neutron] service_metadata_proxy "
		    "= False%s; the probe with a wrong signature got HTTP %ld, "
		    "which tells none of them", tenant, hint, run->resp.status);
	else
		n = asprintf(&out, "canary unknown to Nova, tenant %s is not "
		    "its project, or Nova has [neutron] service_metadata_proxy "
		    "= False%s; the probe with a wrong signature got no answer: "
		    "%s", tenant, hint, skipped ? "no time left within -t" :
		    run->resp.err.code == NM_ERR_TIMEOUT ? "no answer within "
		    "-t" : nm_error_text(&run->resp.err));
	return n < 0 ? NULL : out;
}

int
nm_probe_404(nm_run *run, const char *path, const char *hint)
{
	char *reason = NULL, *detail = NULL;
	int skipped, r;

	run->stop = 1;
	if ((r = probe_request(run, path, &skipped)) < 0)
		return -1;
	if ((reason = probe_reason(run, r, skipped, hint)) == NULL ||
	    asprintf(&detail, "HTTP 404 for %s: %s", path, reason) < 0) {
		free(reason);
		return nm_run_nomem(run);
	}
	r = nm_run_add_result2(run, MP_CRITICAL, run->main_path != NULL &&
	    strcmp(path, run->main_path) == 0 ? reason : NULL, detail);
	free(reason);
	free(detail);
	return r;
}
