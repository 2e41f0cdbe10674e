#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "listing.h"
#include "run.h"

#define EXPLAIN_MAX 200

/* Text that does not fit is cut, as a summary is better short than
 * missing. */
int
nm_run_appendf(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;
	int r;

	if (used + 1 >= len)
		return -1;
	va_start(ap, fmt);
	r = vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
	return (r < 0 || (size_t)r >= len - used) ? -1 : 0;
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
	if (mp_check_add(run->check, state, "%s", detail) == NULL)
		return -1;
	if (state != MP_OK)
		(void)nm_run_appendf(run->problems, sizeof(run->problems),
		    "%s%s", run->problems[0] != '\0' ? "; " : "",
		    brief != NULL ? brief : detail);
	return 0;
}

int
nm_run_add_result(nm_run *run, mp_state state, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (r < 0)
		return -1;
	return nm_run_add_result2(run, state, NULL, text);
}

/* The whole-run limit, as the alarm handler would have said it. */
static int
use_timeout_result(nm_run *run)
{
	mp_check *t = nm_check_timeout_result(run->cfg);

	if (t == NULL)
		return -1;
	mp_check_free(run->check);
	run->check = t;
	run->stop = 1;
	run->timed_out = 1;
	return 0;
}

/* libcurl's words for a failed transfer, once: its detail usually holds
 * its generic text already (and names host and port); where it does not,
 * the generic text leads, as the detail can be an earlier, milder note
 * (a getpeername() failure before a send failure). Since 7.88 libcurl no
 * longer adds the system's reason, which is added unless present. */
static void
transport_text(const nm_response *resp, char *out, size_t len)
{
	const char *generic = curl_easy_strerror(resp->code);
	const char *sys = resp->os_errno != 0 ?
	    strerror((int)resp->os_errno) : NULL;
	int r;

	if (resp->error[0] == '\0')
		r = snprintf(out, len, "%s", generic);
	else if (strstr(resp->error, generic) != NULL ||
	    resp->code == CURLE_COULDNT_RESOLVE_HOST)
		r = snprintf(out, len, "%s", resp->error);
	else
		r = snprintf(out, len, "%s: %s", generic, resp->error);
	if (r < 0)
		out[0] = '\0';
	if (sys != NULL && strstr(out, sys) == NULL)
		(void)nm_run_appendf(out, len, " (%s)", sys);
}

/* No HTTP answer: the transport's failure, naming the request. */
static int
transport_failure(nm_run *run, const char *path)
{
	const nm_response *resp = &run->resp;
	char text[CURL_ERROR_SIZE + 256], detail[sizeof(text) + 512];
	int r, main = run->main_path != NULL &&
	    strcmp(path, run->main_path) == 0;

	run->stop = 1;
	if (resp->code == CURLE_OPERATION_TIMEDOUT)
		return use_timeout_result(run);
	if (resp->too_large || resp->code == CURLE_FILESIZE_EXCEEDED)
		return nm_run_add_result(run, MP_CRITICAL, "response to %s is "
		    "larger than 1 MiB", path);
	transport_text(resp, text, sizeof(text));
	r = snprintf(detail, sizeof(detail), "no answer for %s: %s", path,
	    text);
	if (r < 0)
		return -1;
	return nm_run_add_result2(run, MP_CRITICAL, main ? text : NULL,
	    detail);
}

int
nm_run_fetch(nm_run *run, const char *path, char **cause)
{
	nm_response *resp = &run->resp;
	int oversized;

	if (nm_http_get(run->http, path, remaining_ms(run->deadline), resp,
	    cause) != 0)
		return -1;
	run->requests++;
	oversized = resp->too_large || resp->code == CURLE_FILESIZE_EXCEEDED;
	if (resp->status > 0 && (resp->code == CURLE_OK || oversized)) {
		run->responses++;
		run->time += resp->t_total;
		if (run->cfg->ssl && resp->t_tls > resp->t_connect)
			run->tls_time += resp->t_tls - resp->t_connect;
		run->bytes += resp->body.len;
	}
	if (resp->code == CURLE_OK)
		return 0;
	return transport_failure(run, path) == 0 ? 1 : -1;
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
 * needs at 3 a.m. */
static void
status_reason(const nm_run *run, char *out, size_t len)
{
	const nm_response *resp = &run->resp;
	char why[EXPLAIN_MAX + 1];
	long s = resp->status;
	int r;

	nm_error_explanation(resp->body.data, resp->body.len, why,
	    sizeof(why));
	if (s == 403)
		r = snprintf(out, len, "signature rejected: the shared secret "
		    "differs from Nova's metadata_proxy_shared_secret");
	else if (s == 404)
		r = snprintf(out, len, "canary unknown to Nova, tenant %s is "
		    "not its project, or Nova has [neutron] "
		    "service_metadata_proxy = False%s", run->cfg->tenant,
		    not_found_hint(run->cfg));
	else if (s >= 300 && s < 400)
		r = snprintf(out, len, "redirected to %s; the metadata API "
		    "answers directly", resp->location != NULL ?
		    resp->location : "nowhere");
	else if (why[0] != '\0')
		r = snprintf(out, len, "Nova says: %s", why);
	else
		r = snprintf(out, len, "no explanation in the body");
	if (r < 0)
		out[0] = '\0';
}

/* Any answer but 200 ends the run. For the main document the summary
 * already shows the status; for any other request it names both. */
int
nm_run_status_failure(nm_run *run, const char *path)
{
	char reason[512], detail[1024];
	int r;

	run->stop = 1;
	status_reason(run, reason, sizeof(reason));
	r = snprintf(detail, sizeof(detail), "HTTP %ld for %s: %s",
	    run->resp.status, path, reason);
	if (r < 0)
		return -1;
	return nm_run_add_result2(run, MP_CRITICAL,
	    run->main_path != NULL && strcmp(path, run->main_path) == 0 ?
	    reason : NULL, detail);
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
		return -1;
	pd = mp_perfdata_make("size", (double)run->bytes, 0, "B");
	pd.has_min = true;
	pd.min = 0;
	if (mp_subcheck_add_perfdata(sc, &pd) != 0)
		return -1;
	if (!run->cfg->ssl)
		return 0;
	pd = mp_perfdata_make("tls_time", run->tls_time, 6, "s");
	pd.has_min = true;
	pd.min = 0;
	return mp_subcheck_add_perfdata(sc, &pd);
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

	(void)nm_run_appendf(run->facts, sizeof(run->facts), ", %.3f s",
	    run->time);
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
		return -1;
	if (s != MP_OK)
		(void)nm_run_appendf(run->problems, sizeof(run->problems),
		    "%s%.3f s violates %s threshold %s",
		    run->problems[0] != '\0' ? "; " : "", run->time,
		    s == MP_CRITICAL ? "critical" : "warning", range);
	if (out != NULL)
		*out = sc;
	return add_perfdata(run, sc);
}

