#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quote.h"
#include "visit.h"

/* Summaries and sub-check lines are for people: far below this. */
#define TEXT_CAP (64 * 1024)

/* A sub-check's text when it cannot be allocated: its state stands. */
#define TEXT_LOST "(the text of this result could not be allocated)"

nm_err
nm_visit_init(nm_visit *visit, const nm_config *cfg,
    const struct timespec *deadline, const char *subject)
{
	int r;

	memset(visit, 0, sizeof(*visit));
	visit->cfg = cfg;
	visit->deadline = deadline;
	nm_response_init(&visit->resp);
	dynbuf_init(&visit->facts, TEXT_CAP);
	dynbuf_init(&visit->problems, TEXT_CAP);
	dynbuf_init(&visit->served, NM_BODY_CAP * 2);
	r = snprintf(visit->subject, sizeof(visit->subject), "%s", subject);
	if (r < 0 || (size_t)r >= sizeof(visit->subject))
		return NM_ERR_SETUP;
	if ((visit->check = mp_check_new(NM_LABEL)) == NULL)
		return NM_ERR_NOMEM;
	return NM_OK;
}

void
nm_visit_free(nm_visit *visit)
{
	nm_response_free(&visit->resp);
	dynbuf_free(&visit->facts);
	dynbuf_free(&visit->problems);
	dynbuf_free(&visit->served);
	nm_error_clear(&visit->err);
	mp_check_free(visit->check);
	visit->check = NULL;
}

nm_err
nm_visit_fail(nm_visit *visit, nm_err code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (nm_error_vset(&visit->err, code, fmt, ap) != code) {
		/* No cause: the code stands, its name says it. */
		nm_error_clear(&visit->err);
		visit->err.code = code;
	}
	va_end(ap);
	return code;
}

nm_err
nm_visit_nomem(nm_visit *visit)
{
	/* No text to allocate: the error's name says it. */
	nm_error_clear(&visit->err);
	visit->err.code = NM_ERR_NOMEM;
	return NM_ERR_NOMEM;
}

nm_err
nm_visit_ended(nm_err recorded)
{
	return recorded == NM_OK ? NM_ERR_ENDED : recorded;
}

bool
nm_visit_has_result(nm_err e)
{
	return e == NM_OK || e == NM_ERR_ENDED;
}

bool
nm_visit_no_answer(nm_err e)
{
	return e != NM_OK && e != NM_ERR_NOMEM && e != NM_ERR_SETUP &&
	    e != NM_ERR_CONFIG && e != NM_ERR_ENDED;
}

/* The capped buffer's errors, as the visit's: text beyond TEXT_CAP is a
 * bug of ours, not the server's. */
static nm_err
buffer_failed(nm_visit *visit, dynbuf_err e)
{
	if (e == DYNBUF_NOMEM)
		return nm_visit_nomem(visit);
	return nm_visit_fail(visit, NM_ERR_SETUP, "summary longer than %d "
	    "bytes", TEXT_CAP);
}

#define CUT_MARK "..."

/* Appends text to a summary buffer. What passes TEXT_CAP is cut, at a
 * whole UTF-8 character, and ends in "...", as quotes are cut: a run
 * with 100 000 -k is CRITICAL, its summary shortened, not UNKNOWN. Once
 * cut, the buffer takes nothing more. */
static nm_err
append_text(nm_visit *visit, dynbuf *b, bool *cut, const char *text)
{
	const size_t mark = sizeof(CUT_MARK) - 1;
	size_t n = strlen(text), room, keep = 0, step;
	dynbuf_err e;

	if (*cut)
		return NM_OK;
	room = b->cap > b->len + mark ? b->cap - b->len - mark : 0;
	if (n <= room)
		e = dynbuf_add(b, text, n);
	else {
		while (keep < n) {
			if ((step = mp_utf8_len(text + keep, n - keep)) == 0)
				step = 1;
			if (keep + step > room)
				break;
			keep += step;
		}
		*cut = true;
		if ((e = dynbuf_add(b, text, keep)) == DYNBUF_OK)
			e = dynbuf_add(b, CUT_MARK, mark);
	}
	return e == DYNBUF_OK ? NM_OK : buffer_failed(visit, e);
}

nm_err
nm_visit_fact(nm_visit *visit, const char *fmt, ...)
{
	va_list ap;
	char *text;
	nm_err r;

	va_start(ap, fmt);
	text = mp_vscrubbed(fmt, ap);
	va_end(ap);
	if (text == NULL)
		return nm_visit_nomem(visit);
	r = append_text(visit, &visit->facts, &visit->facts_cut, text);
	free(text);
	return r;
}

nm_err
nm_visit_served(nm_visit *visit, const char *key, const char *value,
    size_t len)
{
	dynbuf_err e;

	/* Only several backends are compared. */
	if (!visit->compare)
		return NM_OK;
	if ((e = dynbuf_printf(&visit->served, "%s=", key)) != DYNBUF_OK ||
	    (e = dynbuf_add(&visit->served, value != NULL ? value : "",
	    len)) != DYNBUF_OK ||
	    (e = dynbuf_add(&visit->served, "\n", 1)) != DYNBUF_OK)
		return buffer_failed(visit, e);
	return NM_OK;
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

void
nm_visit_reason(nm_visit *visit, nm_reason r)
{
	if (visit->reason == NM_REASON_NONE)
		visit->reason = r;
}

/* The summary's words for a failure of path: the class alone for the
 * request that decides the check ("refused", "HTTP 403 signature
 * rejected"), else the path and the class; never the server's or
 * libcurl's words, which change from run to run and stay in the long
 * output. Malloc'd; NULL when it cannot be allocated. */
char *
nm_visit_brief(const nm_visit *visit, const char *path, long status,
    nm_reason why)
{
	bool decides = visit->main_path != NULL &&
	    strcmp(path, visit->main_path) == 0;
	const char *sep = decides ? "" : " ";
	char *out = NULL;
	int r;

	if (decides)
		path = "";
	if (status > 0)
		r = asprintf(&out, "HTTP %ld %s%s%s", status,
		    nm_reason_phrase(why), *path != '\0' ? " for " : "",
		    path);
	else
		r = asprintf(&out, "%s%s%s", path, sep, nm_reason_phrase(why));
	return r < 0 ? NULL : out;
}

nm_reason
nm_visit_no_answer_class(const nm_visit *visit, nm_err e)
{
	return visit->resp.reason != NM_REASON_NONE ? visit->resp.reason :
	    nm_reason_of_err(e);
}

char *
nm_visit_words(const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = mp_vscrubbed(fmt, ap);
	va_end(ap);
	return text;
}

/* The summary names this many causes, then counts the rest: one line
 * on a phone, not a list (the long output has them all). */
#define SUMMARY_CAUSES 3

/* Appends a cause to the summary's problems, after a comma: never a
 * semicolon, which Nagios 4 shows as a colon. */
static nm_err
add_problem(nm_visit *visit, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static nm_err
add_problem(nm_visit *visit, const char *fmt, ...)
{
	va_list ap;
	char *text;
	nm_err r = NM_OK;

	if (visit->problem_count++ >= SUMMARY_CAUSES)
		return NM_OK;
	va_start(ap, fmt);
	text = mp_vscrubbed(fmt, ap);
	va_end(ap);
	if (text == NULL)
		return nm_visit_nomem(visit);
	if (visit->problems.len > 0)
		r = append_text(visit, &visit->problems, &visit->problems_cut,
		    ", ");
	if (r == NM_OK)
		r = append_text(visit, &visit->problems, &visit->problems_cut,
		    text);
	free(text);
	return r;
}

/* A sub-check of text and, when it is not OK, its brief (or the text)
 * in the summary. */
static nm_err
record(nm_visit *visit, mp_state state, const char *brief,
    const char *text)
{
	if (mp_check_add(visit->check, state, "%s", text != NULL ? text :
	    TEXT_LOST) == NULL)
		return nm_visit_nomem(visit);
	if (state == MP_OK)
		return NM_OK;
	/* A failure its step did not class: cloud-init's documents, else
	 * an answer that is not what it must be. */
	nm_visit_reason(visit, state == MP_UNKNOWN ? NM_REASON_UNKNOWN :
	    visit->cfg->mode == NM_MODE_CLOUD_INIT ? NM_REASON_CLOUDINIT :
	    NM_REASON_MALFORMED);
	if (brief == NULL)
		brief = text != NULL ? text : TEXT_LOST;
	return add_problem(visit, "%s", brief);
}

/* record() with the sub-check's text made from fmt and ap. */
static nm_err vrecord(nm_visit *visit, mp_state state, const char *brief,
    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static nm_err
vrecord(nm_visit *visit, mp_state state, const char *brief,
    const char *fmt, va_list ap)
{
	char *text = mp_vscrubbed(fmt, ap);
	nm_err r = record(visit, state, brief, text);

	free(text);
	return r;
}

nm_err
nm_visit_result(nm_visit *visit, mp_state state, const char *brief,
    const char *fmt, ...)
{
	va_list ap;
	nm_err r;

	va_start(ap, fmt);
	r = vrecord(visit, state, brief, fmt, ap);
	va_end(ap);
	return r;
}

nm_err
nm_visit_result_brief(nm_visit *visit, mp_state state, char *brief,
    const char *fmt, ...)
{
	va_list ap;
	nm_err r;

	va_start(ap, fmt);
	r = vrecord(visit, state, brief, fmt, ap);
	va_end(ap);
	free(brief);
	return r;
}

long
nm_visit_remaining_ms(const nm_visit *visit)
{
	return remaining_ms(visit->deadline);
}

double
nm_visit_add_seconds(double sum, double seconds)
{
	double us = (sum + seconds) * 1e6;

	/* Both are times, never negative: adding a half rounds. */
	return (double)(long long)(us + 0.5) / 1e6;
}

nm_err
nm_visit_request(nm_visit *visit, const char *path)
{
	nm_response *resp = &visit->resp;
	nm_err e;

	nm_error_clear(&visit->err);
	/* Each request's limit is what is left of the one deadline, so
	 * libcurl ends the visit's last request at it at the latest. */
	if ((e = nm_http_get(visit->http, path, remaining_ms(visit->deadline) -
	    visit->margin_ms, resp, &visit->err)) != NM_OK) {
		/* The transport's own failure, its cause in visit->err. */
		if (e == NM_ERR_NOMEM || visit->err.code != e)
			return e == NM_ERR_NOMEM ? nm_visit_nomem(visit) :
			    nm_visit_fail(visit, e, "%s", nm_err_name(e));
		return e;
	}
	visit->requests++;
	/* A failed request took its time too: a per-document series
	 * never exceeds the total. */
	visit->time = nm_visit_add_seconds(visit->time, resp->t_total);
	if (resp->status > 0 && (resp->err.code == NM_OK ||
	    resp->err.code == NM_ERR_TOO_LARGE)) {
		visit->responses++;
		if (!visit->probing)
			visit->status = resp->status;
		if (visit->cfg->ssl && resp->t_tls > resp->t_connect)
			visit->tls_time = nm_visit_add_seconds(visit->tls_time,
			    resp->t_tls - resp->t_connect);
		visit->bytes += resp->body.len;
	}
	if ((e = resp->err.code) == NM_OK)
		return NM_OK;
	/* The transport's error is the visit's from here on: moved, not
	 * copied, so that it needs no allocation. */
	visit->err = resp->err;
	resp->err.code = NM_OK;
	resp->err.cause = NULL;
	return e;
}

bool
nm_visit_wants_perfdata(const nm_visit *visit)
{
	return visit->responses > 0 || visit->series;
}

nm_err
nm_visit_perfdata(nm_visit *visit, mp_subcheck *sc)
{
	const mp_thresholds *t = &visit->cfg->thresholds;
	mp_perfdata pd;

	pd = mp_perfdata_make("time", visit->time, 6, "s");
	pd.has_warning = t->has_warning;
	pd.warning = t->warning;
	pd.has_critical = t->has_critical;
	pd.critical = t->critical;
	pd.has_min = true;
	pd.min = 0;
	/* The whole-run limit is the most the time can be, as check_curl
	 * writes its timeout: graphs get their scale from it. */
	pd.has_max = true;
	pd.max = (double)visit->cfg->timeout;
	if (mp_subcheck_add_perfdata(sc, &pd) != 0)
		return nm_visit_nomem(visit);
	pd = mp_perfdata_make("size", (double)visit->bytes, 0, "B");
	pd.has_min = true;
	pd.min = 0;
	if (mp_subcheck_add_perfdata(sc, &pd) != 0)
		return nm_visit_nomem(visit);
	if (!visit->cfg->ssl)
		return NM_OK;
	pd = mp_perfdata_make("tls_time", visit->tls_time, 6, "s");
	pd.has_min = true;
	pd.min = 0;
	return mp_subcheck_add_perfdata(sc, &pd) == 0 ? NM_OK :
	    nm_visit_nomem(visit);
}

/* A time against the range that alerted: "exceeds warning 0.5 s", "is
 * below critical 0.001 s", "is within warning range 0.1..0.2 s": each
 * bound with its unit, so that the figure needs no second reading. */
static int
breach_words(const mp_range *r, const char *kind, double v, char *buf,
    size_t len)
{
	char bound[64], end[64];
	int n;

	if (r->alert_inside)
		n = mp_format_number(r->start, bound, sizeof(bound)) < 0 ||
		    mp_format_number(r->end, end, sizeof(end)) < 0 ? -1 :
		    snprintf(buf, len, "is within %s range %s..%s s", kind,
		    isinf(r->start) ? "~" : bound, isinf(r->end) ? "" : end);
	else if (mp_format_number(v > r->end ? r->end : r->start, bound,
	    sizeof(bound)) < 0)
		n = -1;
	else
		n = snprintf(buf, len, "%s %s %s s", v > r->end ? "exceeds" :
		    "is below", kind, bound);
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

/* The time sub-check carries the visit's perfdata, so that the labels
 * come in the same order whatever else failed. The summary shows the
 * time once: as a figure when it is within the thresholds, else as the
 * cause, with the threshold it broke. */
nm_err
nm_visit_check_time(nm_visit *visit, mp_subcheck **out)
{
	const mp_thresholds *t = &visit->cfg->thresholds;
	mp_state s = mp_thresholds_state(t, visit->time);
	char breach[160] = "";
	mp_subcheck *sc;
	nm_err r;

	/* No answer: no response time to judge or to state, only the
	 * series, on the sub-check that says why. */
	if (visit->responses == 0) {
		if ((sc = mp_check_last(visit->check)) == NULL)
			return nm_visit_fail(visit, NM_ERR_SETUP, "internal "
			    "error: a target without an answer has no "
			    "result");
		if (out != NULL)
			*out = sc;
		return nm_visit_perfdata(visit, sc);
	}
	if (s == MP_OK)
		r = nm_visit_fact(visit, ", %.3f s", visit->time);
	else if (breach_words(s == MP_CRITICAL ? &t->critical : &t->warning,
	    s == MP_CRITICAL ? "critical" : "warning", visit->time, breach,
	    sizeof(breach)) != 0)
		r = nm_visit_fail(visit, NM_ERR_SETUP, "threshold text too "
		    "long");
	else
		r = NM_OK;
	if (r != NM_OK)
		return r;
	if (s != MP_OK)
		nm_visit_reason(visit, NM_REASON_SLOW);
	if (s == MP_OK)
		sc = mp_check_add(visit->check, MP_OK, "response time %.6f s",
		    visit->time);
	else
		sc = mp_check_add(visit->check, s, "response time %.6f s %s",
		    visit->time, breach);
	if (sc == NULL)
		return nm_visit_nomem(visit);
	if (s == MP_OK)
		visit->green_time = sc;
	if (s != MP_OK && (r = add_problem(visit, "%.3f s %s", visit->time,
	    breach)) != NM_OK)
		return r;
	if (out != NULL)
		*out = sc;
	return nm_visit_perfdata(visit, sc);
}

size_t
nm_visit_causes_untold(const nm_visit *visit)
{
	return visit->problem_count > SUMMARY_CAUSES ? visit->problem_count -
	    SUMMARY_CAUSES : 0;
}

/* "SUBJECT: CAUSES, FACTS": what is wrong first, then the figures, so
 * that a line cut short on a phone still says why. */
nm_err
nm_visit_summary(nm_visit *visit)
{
	const char *facts = visit->facts.len > 0 ? visit->facts.data : "";
	const char *problems = visit->problems.len > 0 ?
	    visit->problems.data : "";
	char more[48] = "";
	int r;

	if (visit->green_time != NULL && mp_check_state(visit->check) != MP_OK)
		mp_subcheck_hide(visit->green_time);
	/* The facts are appended as ", 2/2 keys": the first may be one. */
	if (strncmp(facts, ", ", 2) == 0)
		facts += 2;
	if (nm_visit_causes_untold(visit) > 0) {
		r = snprintf(more, sizeof(more), " and %zu more",
		    nm_visit_causes_untold(visit));
		if (r < 0 || (size_t)r >= sizeof(more))
			more[0] = '\0';
	}
	if (mp_check_set_summary(visit->check, "%s%s%s%s%s%s", visit->subject,
	    problems[0] != '\0' || facts[0] != '\0' ? ": " : "", problems,
	    more, problems[0] != '\0' && facts[0] != '\0' ? ", " : "",
	    facts) != 0)
		return nm_visit_nomem(visit);
	return NM_OK;
}
