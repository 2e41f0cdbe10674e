#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "listing.h"
#include "probe.h"
#include "run.h"
#include "view.h"

#define EXPLAIN_MAX 200
/* Summaries and sub-check lines are for people: far below this. */
#define TEXT_CAP (64 * 1024)

nm_err
nm_run_init(nm_run *run, const nm_config *cfg,
    const struct timespec *deadline, const char *subject)
{
	int r;

	memset(run, 0, sizeof(*run));
	run->cfg = cfg;
	run->deadline = deadline;
	nm_response_init(&run->resp);
	dynbuf_init(&run->facts, TEXT_CAP);
	dynbuf_init(&run->problems, TEXT_CAP);
	dynbuf_init(&run->served, NM_BODY_CAP * 2);
	r = snprintf(run->subject, sizeof(run->subject), "%s", subject);
	if (r < 0 || (size_t)r >= sizeof(run->subject))
		return NM_ERR_SETUP;
	if ((run->check = mp_check_new(NM_LABEL)) == NULL)
		return NM_ERR_NOMEM;
	return NM_OK;
}

void
nm_run_free(nm_run *run)
{
	nm_response_free(&run->resp);
	dynbuf_free(&run->facts);
	dynbuf_free(&run->problems);
	dynbuf_free(&run->served);
	nm_error_clear(&run->err);
	mp_check_free(run->check);
	run->check = NULL;
}

int
nm_run_fail(nm_run *run, nm_err code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)nm_error_vset(&run->err, code, fmt, ap);
	va_end(ap);
	return -1;
}

int
nm_run_nomem(nm_run *run)
{
	/* No text to allocate: the error's name says it. */
	nm_error_clear(&run->err);
	run->err.code = NM_ERR_NOMEM;
	return -1;
}

/* Text beyond TEXT_CAP is a bug of ours, not the server's. */
static int
buffer_failed(nm_run *run, dynbuf_err e)
{
	if (e == DYNBUF_NOMEM)
		return nm_run_nomem(run);
	return nm_run_fail(run, NM_ERR_SETUP, "summary longer than %d bytes",
	    TEXT_CAP);
}

int
nm_run_fact(nm_run *run, const char *fmt, ...)
{
	va_list ap;
	dynbuf_err e;

	va_start(ap, fmt);
	e = dynbuf_vprintf(&run->facts, fmt, ap);
	va_end(ap);
	return e == DYNBUF_OK ? 0 : buffer_failed(run, e);
}

int
nm_run_served(nm_run *run, const char *key, const char *value, size_t len)
{
	dynbuf_err e;

	/* Only several backends are compared. */
	if (!run->compare)
		return 0;
	if ((e = dynbuf_printf(&run->served, "%s=", key)) != DYNBUF_OK ||
	    (e = dynbuf_add(&run->served, value != NULL ? value : "", len)) !=
	    DYNBUF_OK || (e = dynbuf_add(&run->served, "\n", 1)) != DYNBUF_OK)
		return buffer_failed(run, e);
	return 0;
}

static long
remaining_ms(const struct timespec *deadline)
{
	struct timespec now;
	long ms;

	if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
		return 1;
	ms = (long)(deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms;
}

int
nm_run_add_result2(nm_run *run, mp_state state, const char *brief,
    const char *detail)
{
	dynbuf_err e;

	if (mp_check_add(run->check, state, "%s", detail) == NULL)
		return nm_run_nomem(run);
	if (state == MP_OK)
		return 0;
	e = dynbuf_printf(&run->problems, "%s%s", run->problems.len > 0 ?
	    "; " : "", brief != NULL ? brief : detail);
	return e == DYNBUF_OK ? 0 : buffer_failed(run, e);
}

int
nm_run_add_result(nm_run *run, mp_state state, const char *fmt, ...)
{
	char *text;
	va_list ap;
	int r;

	va_start(ap, fmt);
	text = mp_vscrubbed(fmt, ap);
	va_end(ap);
	if (text == NULL)
		return nm_run_nomem(run);
	r = nm_run_add_result2(run, state, NULL, text);
	free(text);
	return r;
}

/* Inside an instance, what a failure to connect means for the chain. */
static const char *
view_hint(const nm_run *run, const nm_error *e)
{
	return run->cfg->instance_view ? nm_view_transport_hint(e->code) :
	    NULL;
}

int
nm_run_transport_failure(nm_run *run, const char *path)
{
	const nm_error *e = &run->resp.err;
	char *brief = NULL, *detail = NULL;
	int r, main = run->main_path != NULL &&
	    strcmp(path, run->main_path) == 0;

	run->stop = 1;
	/* The whole-run limit: the check replaces the result with it. */
	if (e->code == NM_ERR_TIMEOUT) {
		run->timed_out = 1;
		return 0;
	}
	if (e->code == NM_ERR_TOO_LARGE)
		return nm_run_add_result(run, MP_CRITICAL, "response to %s is "
		    "larger than 1 MiB", path);
	if (asprintf(&brief, "%s%s%s", nm_error_text(e), view_hint(run, e) !=
	    NULL ? ": " : "", view_hint(run, e) != NULL ? view_hint(run, e) :
	    "") < 0)
		return nm_run_nomem(run);
	if (asprintf(&detail, "no answer for %s: %s", path, brief) < 0) {
		free(brief);
		return nm_run_nomem(run);
	}
	r = nm_run_add_result2(run, nm_err_state(e->code, MP_CRITICAL),
	    main ? brief : NULL, detail);
	free(brief);
	free(detail);
	return r;
}

long
nm_run_remaining_ms(const nm_run *run)
{
	return remaining_ms(run->deadline);
}

int
nm_run_request(nm_run *run, const char *path)
{
	nm_response *resp = &run->resp;
	nm_err e;

	/* Each request's limit is what is left of the one deadline, so
	 * libcurl ends the run's last request at it at the latest. */
	if ((e = nm_http_get(run->http, path, remaining_ms(run->deadline) -
	    run->margin_ms, resp, &run->err)) != NM_OK)
		return e == NM_ERR_NOMEM ? nm_run_nomem(run) : -1;
	run->requests++;
	/* A failed request took its time too: a per-document series
	 * never exceeds the total. */
	run->time += resp->t_total;
	if (resp->status > 0 && (resp->err.code == NM_OK ||
	    resp->err.code == NM_ERR_TOO_LARGE)) {
		run->responses++;
		if (run->cfg->ssl && resp->t_tls > resp->t_connect)
			run->tls_time += resp->t_tls - resp->t_connect;
		run->bytes += resp->body.len;
	}
	return resp->err.code == NM_OK ? 0 : 1;
}

int
nm_run_fetch(nm_run *run, const char *path)
{
	int r = nm_run_request(run, path);

	if (r != 1)
		return r;
	return nm_run_transport_failure(run, path) == 0 ? 1 : -1;
}
/* A path the operator chose may itself be what is missing. */
static const char *
not_found_hint(const nm_config *cfg)
{
	if (cfg->mode == NM_MODE_EC2 && strcmp(cfg->url, "/latest/meta-data/")
	    != 0)
		return ", or -u names a path Nova does not serve";
	if (cfg->mode == NM_MODE_OPENSTACK && cfg->os_version != NULL &&
	    strcmp(cfg->os_version, "latest") != 0)
		return ", or Nova does not serve version -O";
	return "";
}

/* Why Nova answers a status other than 200, in the words an operator
 * needs at 3 a.m.: malloc'd, whole (a Location header included), NULL
 * on out of memory. The server's explanation ends in "..." when it was
 * longer than EXPLAIN_MAX. */
static char *
status_reason(const nm_run *run)
{
	const nm_response *resp = &run->resp;
	char why[EXPLAIN_MAX + 1], *out = NULL;
	long s = resp->status;
	int r;

	/* Inside an instance the answer may be any hop's, not Nova's. */
	if (run->cfg->instance_view && (r = nm_view_status_reason(s,
	    resp->body.data, resp->body.len, run->responses <= 1, &out)) != 0)
		return r > 0 ? out : NULL;
	nm_error_explanation(resp->body.data, resp->body.len, why,
	    sizeof(why));
	if (run->kind == NM_TARGET_AGENT)
		return nm_agent_status_reason(run->cfg, s, why);
	if (s == 403)
		r = asprintf(&out, "signature rejected: the shared secret "
		    "differs from Nova's metadata_proxy_shared_secret");
	else if (s == 404)
		r = asprintf(&out, "canary unknown to Nova, tenant %s is not "
		    "its project, or Nova has [neutron] "
		    "service_metadata_proxy = False%s", run->cfg->tenant,
		    not_found_hint(run->cfg));
	else if (s >= 300 && s < 400)
		r = asprintf(&out, "redirected to %s; the metadata API "
		    "answers directly", resp->location != NULL ?
		    resp->location : "nowhere");
	else if (why[0] != '\0')
		r = asprintf(&out, "Nova says: %s", why);
	else
		r = asprintf(&out, "no explanation in the body");
	return r < 0 ? NULL : out;
}

/* Any answer but 200 ends the run. For the main document the summary
 * already shows the status; for any other request it names both. */
int
nm_run_status_failure(nm_run *run, const char *path)
{
	char *reason = NULL, *detail = NULL;
	int r;

	run->stop = 1;
	/* Nova's 404 has three causes; one more request tells which. */
	if (run->resp.status == 404 && nm_probe_wanted(run))
		return nm_probe_404(run, path, not_found_hint(run->cfg));
	if ((reason = status_reason(run)) == NULL ||
	    asprintf(&detail, "HTTP %ld for %s: %s", run->resp.status, path,
	    reason) < 0) {
		free(reason);
		return nm_run_nomem(run);
	}
	r = nm_run_add_result2(run, MP_CRITICAL,
	    run->main_path != NULL && strcmp(path, run->main_path) == 0 ?
	    reason : NULL, detail);
	free(reason);
	free(detail);
	return r;
}

static int
add_perfdata(nm_run *run, mp_subcheck *sc)
{
	const mp_thresholds *t = &run->cfg->thresholds;
	mp_perfdata pd;

	pd = mp_perfdata_make("time", run->time, 6, "s");
	pd.has_warning = t->has_warning;
	pd.warning = t->warning;
	pd.has_critical = t->has_critical;
	pd.critical = t->critical;
	pd.has_min = true;
	pd.min = 0;
	/* The whole-run limit is the most the time can be, as check_curl
	 * writes its timeout: graphs get their scale from it. */
	pd.has_max = true;
	pd.max = (double)run->cfg->timeout;
	if (mp_subcheck_add_perfdata(sc, &pd) != 0)
		return nm_run_nomem(run);
	pd = mp_perfdata_make("size", (double)run->bytes, 0, "B");
	pd.has_min = true;
	pd.min = 0;
	if (mp_subcheck_add_perfdata(sc, &pd) != 0)
		return nm_run_nomem(run);
	if (!run->cfg->ssl)
		return 0;
	pd = mp_perfdata_make("tls_time", run->tls_time, 6, "s");
	pd.has_min = true;
	pd.min = 0;
	return mp_subcheck_add_perfdata(sc, &pd) == 0 ? 0 : nm_run_nomem(run);
}

/* The time sub-check carries the run's perfdata, so that the labels
 * come in the same order whatever else failed. */
int
nm_run_check_time(nm_run *run, mp_subcheck **out)
{
	const mp_thresholds *t = &run->cfg->thresholds;
	mp_state s = mp_thresholds_state(t, run->time);
	char range[64] = "";
	const mp_range *hit = s == MP_CRITICAL ? &t->critical : &t->warning;
	mp_subcheck *sc;
	dynbuf_err e;

	if (nm_run_fact(run, ", %.3f s", run->time) != 0)
		return -1;
	if (s != MP_OK && mp_range_format(hit, range, sizeof(range)) < 0)
		range[0] = '\0';
	if (s == MP_OK)
		sc = mp_check_add(run->check, MP_OK, "response time %.6f s",
		    run->time);
	else
		sc = mp_check_add(run->check, s, "response time %.6f s "
		    "violates %s threshold %s", run->time, s == MP_CRITICAL ?
		    "critical" : "warning", range);
	if (sc == NULL)
		return nm_run_nomem(run);
	if (s != MP_OK && (e = dynbuf_printf(&run->problems, "%s%.3f s "
	    "violates %s threshold %s", run->problems.len > 0 ? "; " : "",
	    run->time, s == MP_CRITICAL ? "critical" : "warning", range)) !=
	    DYNBUF_OK)
		return buffer_failed(run, e);
	if (out != NULL)
		*out = sc;
	return add_perfdata(run, sc);
}


int
nm_run_set_summary(nm_run *run)
{
	const char *facts = run->facts.len > 0 ? run->facts.data : "";
	const char *problems = run->problems.len > 0 ? run->problems.data : "";
	const char *sep1 = facts[0] != '\0' ? ": " : "";
	const char *sep2 = problems[0] != '\0' ?
	    (facts[0] != '\0' ? "; " : ": ") : "";

	if (mp_check_set_summary(run->check, "%s%s%s%s%s", run->subject,
	    sep1, facts, sep2, problems) != 0)
		return nm_run_nomem(run);
	return 0;
}
