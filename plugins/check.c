#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "http.h"
#include "listing.h"
#include "log.h"

#define EXPLAIN_MAX 200

/* Everything one run accumulates on its way to the summary. */
typedef struct {
	const nm_config *cfg;
	const struct timespec *deadline;
	nm_http *http;
	mp_check *check;
	nm_response resp;
	char subject[384];
	char facts[256];	/* "HTTP 200, 2/2 keys" */
	char problems[1024];	/* texts of the sub-checks that are not OK */
	double time;		/* sum of all requests */
	double tls_time;
	size_t bytes;
	int responses;		/* requests that got an HTTP answer */
	int stop;		/* a failure that ends the run early */
	int timed_out;		/* the result is the whole-run limit's */
} nm_run;

static int
appendf(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends to a NUL-terminated buffer; text that does not fit is cut, as
 * a summary is better short than missing. */
static int
appendf(char *buf, size_t len, const char *fmt, ...)
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

int
nm_check_subject(const nm_config *cfg, char *buf, size_t len)
{
	int ipv6 = strchr(cfg->host, ':') != NULL;
	int r;

	r = snprintf(buf, len, "canary %.8s on %s%s%s:%u", cfg->instance,
	    ipv6 ? "[" : "", cfg->host, ipv6 ? "]" : "", cfg->port);
	return (r < 0 || (size_t)r >= len) ? -1 : 0;
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

mp_check *
nm_check_timeout_result(const nm_config *cfg)
{
	char subject[384];
	mp_check *c;

	if (nm_check_subject(cfg, subject, sizeof(subject)) != 0 ||
	    (c = mp_check_new(NM_LABEL)) == NULL)
		return NULL;
	if (mp_check_add(c, cfg->timeout_result, "timed out after %u s "
	    "(whole-run limit, -t)", cfg->timeout) == NULL ||
	    mp_check_set_summary(c, "%s: timed out after %u s (whole-run "
	    "limit, -t)", subject, cfg->timeout) != 0) {
		mp_check_free(c);
		return NULL;
	}
	return c;
}

/* Adds a sub-check with detail as its text; when it is not OK, brief
 * (or detail, when brief is NULL) also goes into the summary. */
static int
add_result2(nm_run *run, mp_state state, const char *brief,
    const char *detail)
{
	if (mp_check_add(run->check, state, "%s", detail) == NULL)
		return -1;
	if (state != MP_OK)
		(void)appendf(run->problems, sizeof(run->problems), "%s%s",
		    run->problems[0] != '\0' ? "; " : "",
		    brief != NULL ? brief : detail);
	return 0;
}

static int
add_result(nm_run *run, mp_state state, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
add_result(nm_run *run, mp_state state, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (r < 0)
		return -1;
	return add_result2(run, state, NULL, text);
}

/* Nova's error bodies come from webob: a status line, a generic
 * sentence, then the explanation. The last non-blank line is the part
 * that names the missing header or the failure. */
static void
explain_body(const dynbuf *body, char *out, size_t len)
{
	const char *text = body->data != NULL ? body->data : "";
	const char *end = text + body->len, *start, *stop;
	size_t n;

	out[0] = '\0';
	while (end > text && (end[-1] == '\n' || end[-1] == '\r' ||
	    end[-1] == ' ' || end[-1] == '\t'))
		end--;
	start = end;
	while (start > text && start[-1] != '\n')
		start--;
	while (start < end && (*start == ' ' || *start == '\t'))
		start++;
	stop = end;
	n = (size_t)(stop - start);
	if (n == 0)
		return;
	if (n >= len)
		n = len - 1;
	if (n > EXPLAIN_MAX)
		n = EXPLAIN_MAX;
	memcpy(out, start, n);
	out[n] = '\0';
	mp_scrub(out);
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

/* No HTTP answer: the transport's failure, as libcurl names it. */
static int
transport_failure(nm_run *run, const char *path)
{
	const nm_response *resp = &run->resp;

	run->stop = 1;
	if (resp->code == CURLE_OPERATION_TIMEDOUT)
		return use_timeout_result(run);
	if (resp->too_large || resp->code == CURLE_FILESIZE_EXCEEDED)
		return add_result(run, MP_CRITICAL, "response to %s is larger "
		    "than 1 MiB", path);
	/* libcurl 7.88 no longer puts the system's reason in its text. */
	return add_result(run, MP_CRITICAL, "%s%s%s%s%s%s",
	    curl_easy_strerror(resp->code), resp->error[0] != '\0' ? " (" : "",
	    resp->error, resp->error[0] != '\0' ? ")" : "",
	    resp->os_errno != 0 ? ": " : "",
	    resp->os_errno != 0 ? strerror((int)resp->os_errno) : "");
}

/* GETs path; 0 when an HTTP answer came (any status), 1 when the run
 * must end (the failure is recorded), -1 on internal failure. */
static int
fetch(nm_run *run, const char *path, char **cause)
{
	nm_response *resp = &run->resp;
	int oversized;

	if (nm_http_get(run->http, path, remaining_ms(run->deadline), resp,
	    cause) != 0)
		return -1;
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

/* Why Nova answers a status other than 200, in the words an operator
 * needs at 3 a.m. */
static void
status_reason(const nm_run *run, char *out, size_t len)
{
	const nm_response *resp = &run->resp;
	char why[EXPLAIN_MAX + 1];
	long s = resp->status;
	int r;

	explain_body(&resp->body, why, sizeof(why));
	if (s == 403)
		r = snprintf(out, len, "signature rejected: the shared secret "
		    "differs from Nova's metadata_proxy_shared_secret");
	else if (s == 404)
		r = snprintf(out, len, "canary unknown to Nova, tenant %s is "
		    "not its project, or Nova has [neutron] "
		    "service_metadata_proxy = False", run->cfg->tenant);
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

/* Any answer but 200 ends the run. For the listing the summary already
 * shows the status; for a value's own request it names both. */
static int
status_failure(nm_run *run, const char *path)
{
	char reason[512], detail[1024];
	int r;

	run->stop = 1;
	status_reason(run, reason, sizeof(reason));
	r = snprintf(detail, sizeof(detail), "HTTP %ld for %s: %s",
	    run->resp.status, path, reason);
	if (r < 0)
		return -1;
	return add_result2(run, MP_CRITICAL,
	    strcmp(path, run->cfg->url) == 0 ? reason : NULL, detail);
}

static int
check_keys(nm_run *run, const nm_listing *listing)
{
	const nm_config *cfg = run->cfg;
	char missing[512] = "";
	size_t i, found = 0;

	for (i = 0; i < cfg->key_count; i++) {
		if (nm_listing_has(listing, cfg->keys[i]))
			found++;
		else
			(void)appendf(missing, sizeof(missing), "%s%s",
			    missing[0] != '\0' ? ", " : "", cfg->keys[i]);
	}
	(void)appendf(run->facts, sizeof(run->facts), ", %zu/%zu keys", found,
	    cfg->key_count);
	if (found == cfg->key_count)
		return add_result(run, MP_OK, "%zu/%zu keys listed (%zu entries "
		    "in %s)", found, cfg->key_count, listing->count, cfg->url);
	return add_result(run, MP_CRITICAL, "%zu/%zu keys listed, %s missing "
	    "from %s", found, cfg->key_count, missing, cfg->url);
}

/* The listing: signature accepted, well-formed, the keys present. */
static int
check_listing(nm_run *run, char **cause)
{
	nm_listing listing = { 0 };
	nm_listing_err e;
	char *why = NULL;
	int r = -1;

	if ((r = fetch(run, run->cfg->url, cause)) != 0)
		return r < 0 ? -1 : 0;
	(void)appendf(run->facts, sizeof(run->facts), "HTTP %ld",
	    run->resp.status);
	if (run->resp.status != 200)
		return status_failure(run, run->cfg->url);
	if (add_result(run, MP_OK, "signature accepted (HTTP 200 for %s)",
	    run->cfg->url) != 0)
		return -1;
	e = nm_listing_parse(run->resp.body.data, run->resp.body.len,
	    &listing, &why);
	if (e == NM_LISTING_NOMEM)
		goto out;
	if (e != NM_LISTING_OK) {
		run->stop = 1;
		r = add_result(run, MP_CRITICAL, "response is %s: %s",
		    e == NM_LISTING_NOT_TEXT ? "not text" :
		    "not a metadata listing", why != NULL ? why : "?");
		goto out;
	}
	r = check_keys(run, &listing);
 out:
	free(why);
	nm_listing_free(&listing);
	return r;
}

/* The value as served, without the one line end a proxy may add. */
static size_t
value_length(const dynbuf *body)
{
	size_t n = body->len;

	if (n > 0 && body->data[n - 1] == '\n')
		n--;
	if (n > 0 && body->data[n - 1] == '\r')
		n--;
	return n;
}

static int
check_expect(nm_run *run, const nm_expect *e, unsigned *matched,
    char **cause)
{
	char path[2048];
	const dynbuf *body = &run->resp.body;
	size_t n;
	int r;

	r = snprintf(path, sizeof(path), "%s%s", run->cfg->url, e->key);
	if (r < 0 || (size_t)r >= sizeof(path))
		return add_result(run, MP_UNKNOWN, "-e %s: path too long",
		    e->key);
	if ((r = fetch(run, path, cause)) != 0)
		return r < 0 ? -1 : 0;
	if (run->resp.status == 404)
		return add_result(run, MP_CRITICAL, "%s missing (HTTP 404 for "
		    "%s), expected '%.100s'", e->key, path, e->value);
	if (run->resp.status != 200)
		return status_failure(run, path);
	n = value_length(body);
	if (memchr(body->data != NULL ? body->data : "", '\0', n) != NULL)
		return add_result(run, MP_CRITICAL, "%s: response is not text "
		    "(NUL byte)", e->key);
	if (n == strlen(e->value) && memcmp(body->data != NULL ? body->data :
	    "", e->value, n) == 0) {
		(*matched)++;
		return add_result(run, MP_OK, "%s is '%.100s' as expected",
		    e->key, e->value);
	}
	return add_result(run, MP_CRITICAL, "%s is '%.*s', expected '%.100s'",
	    e->key, n > 100 ? 100 : (int)n, body->data != NULL ? body->data :
	    "", e->value);
}

static int
check_expects(nm_run *run, char **cause)
{
	const nm_config *cfg = run->cfg;
	unsigned matched = 0;
	size_t i;

	for (i = 0; i < cfg->expect_count && !run->stop; i++) {
		if (check_expect(run, &cfg->expects[i], &matched, cause) != 0)
			return -1;
	}
	if (!run->stop && cfg->expect_count > 0)
		(void)appendf(run->facts, sizeof(run->facts), ", %u/%zu values",
		    matched, cfg->expect_count);
	return 0;
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

/* Response time against -w/-c; carries the perfdata of the run. */
static int
check_time(nm_run *run)
{
	const mp_thresholds *t = &run->cfg->thresholds;
	mp_state s = mp_thresholds_state(t, run->time);
	char range[64] = "";
	const mp_range *hit = s == MP_CRITICAL ? &t->critical : &t->warning;
	mp_subcheck *sc;

	(void)appendf(run->facts, sizeof(run->facts), ", %.3f s", run->time);
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
		(void)appendf(run->problems, sizeof(run->problems), "%s%.3f s "
		    "violates %s threshold %s", run->problems[0] != '\0' ?
		    "; " : "", run->time, s == MP_CRITICAL ? "critical" :
		    "warning", range);
	return add_perfdata(run, sc);
}

static int
set_summary(nm_run *run)
{
	const char *sep1 = run->facts[0] != '\0' ? ": " : "";
	const char *sep2 = run->problems[0] != '\0' ?
	    (run->facts[0] != '\0' ? "; " : ": ") : "";

	return mp_check_set_summary(run->check, "%s%s%s%s%s", run->subject,
	    sep1, run->facts, sep2, run->problems);
}

static int
run_steps(nm_run *run, char **cause)
{
	if (check_listing(run, cause) != 0)
		return -1;
	if (!run->stop && check_expects(run, cause) != 0)
		return -1;
	if (!run->timed_out && run->responses > 0 && check_time(run) != 0)
		return -1;
	return 0;
}

mp_check *
nm_check_run(const nm_config *cfg, const char *signature,
    const struct timespec *deadline, char **cause)
{
	nm_run run;
	mp_check *ret = NULL;

	memset(&run, 0, sizeof(run));
	run.cfg = cfg;
	run.deadline = deadline;
	nm_response_init(&run.resp);
	*cause = NULL;
	if (nm_check_subject(cfg, run.subject, sizeof(run.subject)) != 0 ||
	    (run.check = mp_check_new(NM_LABEL)) == NULL) {
		*cause = strdup("out of memory");
		goto out;
	}
	if (nm_http_new(cfg, signature, &run.http, cause) != 0)
		goto out;
	if (run_steps(&run, cause) != 0)
		goto out;
	/* A timeout replaced the whole result, summary included. */
	if (!run.timed_out && set_summary(&run) != 0)
		goto out;
	ret = run.check;
	run.check = NULL;
 out:
	if (ret == NULL && *cause == NULL)
		*cause = strdup("out of memory");
	nm_response_free(&run.resp);
	nm_http_free(run.http);
	mp_check_free(run.check);
	return ret;
}
