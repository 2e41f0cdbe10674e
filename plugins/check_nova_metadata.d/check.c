#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core_log.h"
#include "explain_agent.h"
#include "mode_cloudinit.h"
#include "mode_ec2.h"
#include "transport_http.h"
#include "mode_openstack.h"
#include "visit.h"
#include "core_sign.h"
#include "visit_targets.h"

/* Through the agent: "canary 32d0524b via agent PATH", and with Nova
 * checked directly too "... and Nova 127.0.0.1:8775" (several -H: "and
 * Nova on N backends"). Bounded as below, with a socket path of at most
 * 107 bytes (cli_args.c). */
static int
agent_subject(const nm_config *cfg, char *buf, size_t len)
{
	int ipv6 = strchr(cfg->host, ':') != NULL;
	int r;

	if (!cfg->agent_and_nova)
		r = snprintf(buf, len, "canary %.8s via agent %s",
		    cfg->instance, cfg->agent_socket);
	else if (cfg->host_count > 1)
		r = snprintf(buf, len, "canary %.8s via agent %s and Nova on "
		    "%zu backends", cfg->instance, cfg->agent_socket,
		    cfg->host_count);
	else
		r = snprintf(buf, len, "canary %.8s via agent %s and Nova %s"
		    "%s%s%s:%u", cfg->instance, cfg->agent_socket,
		    cfg->all_addresses ? "on every address of " : "",
		    ipv6 ? "[" : "", cfg->host, ipv6 ? "]" : "", cfg->port);
	return (r < 0 || (size_t)r >= len) ? -1 : 0;
}

/* A subject is bounded by construction: 8 bytes of the canary, a host
 * of at most 255 (cli_args.c), a port; 384 bytes hold the longest, and one
 * that did not fit would be an error (-1), never cut. */
int
nm_check_subject(const nm_config *cfg, char *buf, size_t len)
{
	int ipv6 = strchr(cfg->host, ':') != NULL;
	int r;

	if (cfg->agent_socket != NULL)
		return agent_subject(cfg, buf, len);
	if (cfg->instance_view && cfg->host_count <= 1)
		r = snprintf(buf, len, "canary %.8s, instance view %s%s%s:%u",
		    cfg->instance, ipv6 ? "[" : "", cfg->host, ipv6 ? "]" : "",
		    cfg->port);
	else if (cfg->host_count > 1)
		r = snprintf(buf, len, "canary %.8s on %zu backends%s",
		    cfg->instance, cfg->host_count, cfg->all_addresses ?
		    " (every address of each)" : "");
	else if (cfg->all_addresses)
		r = snprintf(buf, len, "canary %.8s on every address of "
		    "%s%s%s:%u", cfg->instance, ipv6 ? "[" : "", cfg->host,
		    ipv6 ? "]" : "", cfg->port);
	else
		r = snprintf(buf, len, "canary %.8s on %s%s%s:%u",
		    cfg->instance, ipv6 ? "[" : "", cfg->host, ipv6 ? "]" : "",
		    cfg->port);
	return (r < 0 || (size_t)r >= len) ? -1 : 0;
}

mp_check *
nm_check_timeout_result(const nm_config *cfg)
{
	char subject[384];
	mp_check *c;

	if (nm_check_subject(cfg, subject, sizeof(subject)) != 0 ||
	    (c = mp_check_new(NM_LABEL)) == NULL)
		return NULL;
	if (mp_check_add(c, nm_err_state(NM_ERR_TIMEOUT, cfg->timeout_result),
	    "timed out after %u s (whole-run limit, -t)", cfg->timeout) ==
	    NULL ||
	    mp_check_set_summary(c, "%s: timed out after %u s (whole-run "
	    "limit, -t)", subject, cfg->timeout) != 0) {
		mp_check_free(c);
		return NULL;
	}
	return c;
}

/* A target's mode on its visit. */
static nm_err
visit_mode(nm_visit *visit)
{
	switch (visit->cfg->mode) {
	case NM_MODE_OPENSTACK:
		return nm_mode_openstack(visit);
	case NM_MODE_CLOUD_INIT:
		return nm_mode_cloudinit(visit);
	default:
		return nm_mode_ec2(visit);
	}
}

/* The result of a finished visit (result: its mode's nm_err): its own,
 * or the whole-run limit's, which replaces it, summary included. Else
 * the visit's own failure, its cause in visit->err. */
static nm_err
finish(nm_visit *visit, nm_err result, mp_check **out)
{
	nm_err e;

	if (nm_visit_has_result(result)) {
		if ((e = nm_visit_summary(visit)) != NM_OK)
			return e;
		*out = visit->check;
		visit->check = NULL;
		return NM_OK;
	}
	if (result != NM_ERR_TIMEOUT)
		return result;
	if ((*out = nm_check_timeout_result(visit->cfg)) == NULL)
		return nm_visit_nomem(visit);
	return NM_OK;
}

/* How long before the whole-run limit several targets stop. */
#define MARGIN_MS 300
/* Each target's thread: deep enough for jansson's nesting limit and the
 * cloud-init crawl, with room for the sanitizers' larger frames; only
 * the pages a thread touches become resident. Set, not left to the C
 * library, whose default ranges from 128 KiB (musl) to 8 MiB. */
#define STACK_SIZE (2 * 1024 * 1024)

/* One target of a run (a backend, the agent's hop, an instance's
 * view): its visit, made on a thread of its own, and what that thread
 * was started with. The main thread reads visit and result only after
 * joining it. */
typedef struct {
	nm_visit visit;
	const nm_target *target;
	char series[384];	/* its perfdata labels' suffix among several */
	nm_request req;		/* visit.http's: points into cfg, target */
	pthread_t thread;
	bool started;
	nm_err result;		/* visit_mode's */
	mp_state state;		/* its result's, once made */
} backend;

/* A backend's own result: its summary names it ("127.0.0.1:8775: HTTP
 * 403: signature rejected..."), the whole-run limit is its own. */
static mp_check *
backend_check(backend *b)
{
	nm_visit *visit = &b->visit;
	const nm_config *cfg = visit->cfg;
	mp_state s = nm_err_state(b->result, cfg->timeout_result);
	mp_subcheck *sc;
	mp_check *c;

	if (nm_visit_has_result(b->result)) {
		if (nm_visit_summary(visit) != NM_OK)
			return NULL;
		c = visit->check;
		visit->check = NULL;
		b->state = mp_check_state(c);
		return c;
	}
	b->state = s;
	nm_visit_reason(visit, b->result == NM_ERR_TIMEOUT ?
	    NM_REASON_TIMEOUT : NM_REASON_UNKNOWN);
	if ((c = mp_check_new("")) == NULL)
		return NULL;
	if ((b->result == NM_ERR_TIMEOUT ? ((sc = mp_check_add(c, s, "timed "
	    "out after %u s (whole-run limit, -t)", cfg->timeout)) == NULL ||
	    mp_check_set_summary(c, "%s: timed out after %u s (whole-run "
	    "limit, -t)", visit->subject, cfg->timeout) != 0) :
	    ((sc = mp_check_add(c, s, "%s", nm_error_text(&visit->err))) ==
	    NULL || mp_check_set_summary(c, "%s: %s", visit->subject,
	    nm_error_text(&visit->err)) != 0)) ||
	    /* Its graph goes on: the time until it was cut off. */
	    (visit->series && nm_visit_perfdata(visit, sc) != NM_OK)) {
		mp_check_free(c);
		return NULL;
	}
	return c;
}

/* Backends that serve the same canary other values for the checked
 * keys: the odd one out is the one whose values fewer others share. */
static size_t
agreeing(const backend *bs, size_t n, size_t i)
{
	const dynbuf *a = &bs[i].visit.served, *b;
	size_t j, k = 0;

	for (j = 0; j < n; j++) {
		b = &bs[j].visit.served;
		k += b->len > 0 && a->len == b->len &&
		    memcmp(a->data, b->data, a->len) == 0;
	}
	return k;
}

/* How many backends share the most common values; *served gets how
 * many served values at all. */
static size_t
most_agreeing(const backend *bs, size_t n, size_t *served)
{
	size_t i, most = 0;

	*served = 0;
	for (i = 0; i < n; i++) {
		if (bs[i].visit.served.len == 0)
			continue;
		(*served)++;
		if (agreeing(bs, n, i) > most)
			most = agreeing(bs, n, i);
	}
	return most;
}

/* The names of the backends whose values fewer others share than most
 * do, or of all that served values when no value has a majority. */
static int
odd_ones(const backend *bs, size_t n, size_t most, bool all, dynbuf *odd)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (bs[i].visit.served.len == 0 ||
		    (!all && agreeing(bs, n, i) >= most))
			continue;
		if (dynbuf_printf(odd, "%s%s", odd->len > 0 ? ", " : "",
		    bs[i].target->name) != DYNBUF_OK)
			return -1;
	}
	return 0;
}

static int
add_disagreement(mp_check *top, const backend *bs, size_t n, dynbuf *sum)
{
	size_t i, served, most = most_agreeing(bs, n, &served), at_most = 0;
	bool tie, plural;
	dynbuf odd;
	int r;

	if (served < 2 || most == served)
		return 0;
	for (i = 0; i < n; i++)
		at_most += bs[i].visit.served.len > 0 &&
		    agreeing(bs, n, i) == most;
	/* Two values as common as each other, or one that only half the
	 * backends share: no majority to tell the odd ones by. */
	tie = at_most > most || most * 2 <= served;
	dynbuf_init(&odd, NM_BODY_CAP);
	r = odd_ones(bs, n, most, tie, &odd);
	plural = r == 0 && strchr(odd.data, ',') != NULL;
	if (r == 0 && (mp_check_add(top, MP_WARNING, "backends disagree on "
	    "the checked values: %s serve%s other values than %s (a stale "
	    "cache or a drifted configuration?)", odd.data, plural ? "" : "s",
	    tie ? "each other" : "the rest") == NULL ||
	    dynbuf_printf(sum, ", backends disagree: %s differ%s%s",
	    odd.data, plural ? "" : "s",
	    tie ? " (no majority)" : "") != DYNBUF_OK))
		r = -1;
	dynbuf_free(&odd);
	return r;
}

/* Whether backends that served values serve different ones. */
static bool
disagreed(const backend *bs, size_t n)
{
	size_t served, most = most_agreeing(bs, n, &served);

	return served >= 2 && most != served;
}

/* The status a failure's class stands for, when it is one: a 403 is
 * the signature's, a 404 the canary's or the proxy mode's (the last
 * answer may be the probe's), the rest the answer the visit ended at. */
static long
reason_status(nm_reason r, const nm_visit *visit)
{
	switch (r) {
	case NM_REASON_SIGNATURE_REJECTED:
		return 403;
	case NM_REASON_CANARY_UNKNOWN:
	case NM_REASON_PROXY_OFF:
	case NM_REASON_NOT_FOUND:
	case NM_REASON_NO_PORT:
		return 404;
	case NM_REASON_RATE_LIMITED:
		return 429;
	case NM_REASON_BAD_REQUEST:
		return 400;
	case NM_REASON_REDIRECTED:
	case NM_REASON_SERVER_ERROR:
	case NM_REASON_HTTP_STATUS:
	case NM_REASON_PROXY_ERROR:
	case NM_REASON_NOVA_UNREACHABLE:
		return visit->responses > 0 ? visit->resp.status : 0;
	default:
		return 0;
	}
}

/* A backend's result c nested under top with state s, with "ok" (1
 * when the backend is OK, else 0) after its own perfdata, every label
 * suffixed with the backend's series word. Its line names it and, when
 * it is not OK, the class of its failure in short ("127.0.0.1:1:
 * refused", "10.0.0.12:8775: HTTP 403 signature rejected"): the detail
 * is in its sub-checks, once. An OK backend's line is its summary, its
 * figures. The nesting sub-check, or NULL. */
static mp_subcheck *
nest(mp_check *top, const backend *b, mp_check *c, mp_state s)
{
	mp_subcheck *last = mp_check_last(c);
	mp_perfdata pd = mp_perfdata_make("ok", s == MP_OK ? 1 : 0, 0, "");
	nm_reason r = b->visit.reason != NM_REASON_NONE ? b->visit.reason :
	    NM_REASON_UNKNOWN;
	long status = reason_status(r, &b->visit);

	pd.has_min = pd.has_max = true;
	pd.min = 0;
	pd.max = 1;
	if (last == NULL || mp_subcheck_add_perfdata(last, &pd) != 0 ||
	    mp_check_suffix_perfdata(c, b->series) != 0) {
		mp_check_free(c);
		return NULL;
	}
	if (s == MP_OK)
		return mp_check_add_nested(top, s, c, "%s",
		    mp_check_summary(c));
	if (status > 0)
		return mp_check_add_nested(top, s, c, "%s: HTTP %ld %s",
		    b->target->name, status, nm_reason_phrase(r));
	return mp_check_add_nested(top, s, c, "%s: %s", b->target->name,
	    nm_reason_phrase(r));
}

/* How many targets are OK, out of n ("backends_ok", "hops_ok"), on
 * the first target's nesting sub-check: first in the perfdata. 0 or
 * -1. */
static int
add_count(mp_subcheck *first, const char *label, size_t ok, size_t n)
{
	mp_perfdata pd = mp_perfdata_make(label, (double)ok, 0, "");

	pd.has_min = pd.has_max = true;
	pd.min = 0;
	pd.max = (double)n;
	return first != NULL && mp_subcheck_add_perfdata(first, &pd) == 0 ?
	    0 : -1;
}

/* A backend that is not OK in the run's summary: its name and its
 * causes, without its figures ("127.0.0.1:1 refused"); those are in its
 * own line of the long output and in its perfdata. */
static int
add_cause(dynbuf *sum, const backend *b)
{
	const nm_visit *visit = &b->visit;
	const char *cause;

	if (b->result == NM_ERR_TIMEOUT)
		cause = nm_reason_phrase(NM_REASON_TIMEOUT);
	else if (!nm_visit_has_result(b->result))
		cause = nm_error_text(&visit->err);
	else if (visit->problems.len > 0)
		cause = visit->problems.data;
	else
		cause = "not OK";
	if (dynbuf_printf(sum, ", %s %s", b->target->name, cause) !=
	    DYNBUF_OK)
		return -1;
	if (nm_visit_has_result(b->result) &&
	    nm_visit_causes_untold(visit) > 0 && dynbuf_printf(sum, " and %zu "
	    "more", nm_visit_causes_untold(visit)) != DYNBUF_OK)
		return -1;
	return 0;
}

/* Each backend nested under the result; the summary says how many are
 * OK first, then names those not OK with their causes, so that the
 * tally is on the first line an operator sees, however it wraps. */
static mp_check *
combine(const nm_config *cfg, backend *bs, size_t n)
{
	mp_check *top, *c;
	mp_subcheck *first = NULL, *sc;
	mp_state s;
	dynbuf sum;
	size_t i, ok = 0;
	int r = -1;

	dynbuf_init(&sum, NM_BODY_CAP);
	if ((top = mp_check_new(NM_LABEL)) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if ((c = backend_check(&bs[i])) == NULL)
			goto out;
		s = mp_check_state(c);
		ok += s == MP_OK;
		if (s != MP_OK && add_cause(&sum, &bs[i]) != 0) {
			mp_check_free(c);
			goto out;
		}
		if ((sc = nest(top, &bs[i], c, s)) == NULL)
			goto out;
		if (i == 0)
			first = sc;
	}
	if (add_count(first, "backends_ok", ok, n) != 0 ||
	    add_disagreement(top, bs, n, &sum) != 0 ||
	    mp_check_set_summary(top, "canary %.8s%s: %zu/%zu backends OK%s",
	    cfg->instance, cfg->all_addresses ? " on every address" : "", ok,
	    n, sum.len > 0 ? sum.data : "") != 0)
		goto out;
	r = 0;
 out:
	dynbuf_free(&sum);
	if (r != 0) {
		mp_check_free(top);
		top = NULL;
	}
	return top;
}

/* How a finished hop ended, for the diagnosis. */
static nm_hop
hop_of(const backend *b, mp_state s)
{
	nm_hop h;

	h.state = s;
	h.status = b->visit.responses > 0 ? b->visit.resp.status : 0;
	return h;
}

/* The agent's hop and Nova's directly, each nested under the result;
 * the summary says how many hops are OK, then which broke, then the
 * causes of those not OK. */
static mp_check *
combine_hops(const nm_config *cfg, backend *bs, size_t n)
{
	char subject[384], lead[512];
	nm_hop agent = { MP_OK, 0 }, nova = { MP_OK, 0 }, h;
	mp_check *top, *c;
	mp_subcheck *first = NULL, *sc;
	dynbuf sum;
	size_t i, ok = 0;
	int r = -1;

	dynbuf_init(&sum, NM_BODY_CAP);
	if ((top = mp_check_new(NM_LABEL)) == NULL ||
	    nm_check_subject(cfg, subject, sizeof(subject)) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if ((c = backend_check(&bs[i])) == NULL)
			goto out;
		h = hop_of(&bs[i], mp_check_state(c));
		ok += h.state == MP_OK;
		if (i == 0)
			agent = h;
		else if (h.state != MP_OK || nova.status == 0)
			nova = (nm_hop){ mp_state_worst(nova.state, h.state),
			    h.status };
		if (h.state != MP_OK && add_cause(&sum, &bs[i]) != 0) {
			mp_check_free(c);
			goto out;
		}
		if ((sc = nest(top, &bs[i], c, h.state)) == NULL)
			goto out;
		if (i == 0)
			first = sc;
	}
	if (add_count(first, "hops_ok", ok, n) != 0)
		goto out;
	if (nm_explain_agent_diagnosis(cfg, &agent, &nova, lead,
	    sizeof(lead)) != NM_OK)
		lead[0] = '\0';
	if (mp_check_set_summary(top, "%s: %zu/%zu %s OK%s%s%s", subject, ok,
	    n, n == 2 ? "hops" : "targets", lead[0] != '\0' ? ", " : "", lead,
	    sum.len > 0 ? sum.data : "") != 0)
		goto out;
	r = 0;
 out:
	dynbuf_free(&sum);
	if (r != 0) {
		mp_check_free(top);
		top = NULL;
	}
	return top;
}

/* The agent's hop first; Nova's backends after it when checked too. */
static nm_err
agent_targets(const nm_config *cfg, nm_targets *ts, nm_error *err)
{
	nm_err e;

	memset(ts, 0, sizeof(*ts));
	if (cfg->agent_and_nova && (e = nm_targets_build(cfg, ts, err)) !=
	    NM_OK)
		return e;
	if ((e = nm_targets_add_agent(cfg, ts, err)) != NM_OK)
		nm_targets_free(ts);
	return e;
}

nm_err
nm_check_timeout_outcomes(const nm_config *cfg, nm_outcomes *o,
    nm_error *err)
{
	nm_targets ts;
	nm_err e;
	size_t i;

	*o = (nm_outcomes){ NULL, 0, false };
	if (cfg->all_addresses && (cfg->agent_socket == NULL ||
	    cfg->agent_and_nova))
		return NM_OK;
	if ((e = cfg->agent_socket != NULL ? agent_targets(cfg, &ts, err) :
	    nm_targets_build(cfg, &ts, err)) != NM_OK)
		return e;
	if ((o->v = calloc(ts.count, sizeof(*o->v))) == NULL)
		e = nm_error_nomem(err);
	for (i = 0; e == NM_OK && i < ts.count; i++) {
		if ((o->v[i].name = strdup(ts.v[i].name)) == NULL) {
			e = nm_error_nomem(err);
			break;
		}
		o->count++;
		o->v[i].kind = ts.v[i].kind;
		o->v[i].state = nm_err_state(NM_ERR_TIMEOUT,
		    cfg->timeout_result);
		o->v[i].reason = NM_REASON_TIMEOUT;
		o->v[i].time = (double)cfg->timeout;
	}
	nm_targets_free(&ts);
	if (e != NM_OK)
		nm_outcomes_free(o);
	return e;
}

/* Sets up bs[i], for ts->v[i]: its visit, its request, its handle. A
 * single target's subject is the run's; several are each named. */
static nm_err
backend_init(const nm_config *cfg, const nm_targets *ts, size_t i,
    backend *b, const char *signature, const char *wrong,
    const struct timespec *deadline, nm_error *err)
{
	char subject[384];	/* nm_check_subject()'s: bounded */
	size_t n = ts->count;
	nm_err e;

	b->target = &ts->v[i];
	b->result = NM_ERR_SETUP;
	if (n > 1 && nm_target_series(ts, i, b->series, sizeof(b->series)) !=
	    0)
		return nm_error_set(err, NM_ERR_SETUP, "internal error: no "
		    "perfdata label for %s", b->target->name);
	e = n == 1 && nm_check_subject(cfg, subject, sizeof(subject)) != 0 ?
	    NM_ERR_SETUP : nm_visit_init(&b->visit, cfg, deadline, n == 1 ?
	    subject : b->target->name);
	if (e != NM_OK)
		return nm_error_set(err, e, "%s", nm_err_name(e));
	b->visit.kind = b->target->kind;
	/* Only Nova's own port is signed; the agent and an instance are
	 * not, and have no wrong signature to probe a 404 with. */
	b->visit.signed_requests = b->target->kind == NM_TARGET_NOVA;
	/* Several backends' values are compared; the agent and Nova are
	 * two hops, not replicas. */
	b->visit.compare = n > 1 && cfg->agent_socket == NULL;
	b->visit.series = n > 1;
	/* Every target's result, a hung one's own limit included, is in
	 * before the whole-run limit's prepared line. One target's own
	 * timeout result is that very line: it needs no margin. */
	if (n > 1)
		b->visit.margin_ms = (long)cfg->timeout * 1000 / 10 < MARGIN_MS ?
		    (long)cfg->timeout * 1000 / 10 : MARGIN_MS;
	if ((e = nm_targets_request(cfg, b->target, signature, wrong,
	    &b->req, err)) != NM_OK)
		return e;
	return nm_http_new(&b->req, &b->visit.http, err);
}

static void *
backend_main(void *arg)
{
	backend *b = arg;

	b->result = visit_mode(&b->visit);
	return NULL;
}

/* Starts a thread for every target but the last, which the main thread
 * visits itself meanwhile: one target needs no thread at all, and each
 * visit is the same code on whichever thread. A thread that cannot be
 * started is the monitoring host's limit (processes, memory), not the
 * target's: the run is UNKNOWN and names it; those started run to their
 * end. */
static nm_err
start_all(backend *bs, size_t n, nm_error *err)
{
	pthread_attr_t attr;
	size_t i;
	int e;

	if ((e = pthread_attr_init(&attr)) != 0)
		return nm_error_set(err, NM_ERR_SETUP, "cannot start threads: "
		    "%s", strerror(e));
	if ((e = pthread_attr_setstacksize(&attr, STACK_SIZE)) != 0) {
		(void)pthread_attr_destroy(&attr);
		return nm_error_set(err, NM_ERR_SETUP, "cannot start threads: "
		    "%s", strerror(e));
	}
	for (i = 0; i + 1 < n; i++) {
		if ((e = pthread_create(&bs[i].thread, &attr, backend_main,
		    &bs[i])) != 0)
			break;
		bs[i].started = true;
	}
	(void)pthread_attr_destroy(&attr);
	if (i + 1 >= n)
		return NM_OK;
	return nm_error_set(err, NM_ERR_SETUP, "%scannot start a thread for "
	    "%s%s: %s", e == EAGAIN ? "the monitoring host's limit of "
	    "processes and threads (ulimit -u) is reached: " : "",
	    bs[i].target->kind == NM_TARGET_AGENT ? "the " : "backend ",
	    bs[i].target->kind == NM_TARGET_AGENT ? "agent's hop" :
	    bs[i].target->name, strerror(e));
}

/* Waits for every thread started. No guard against one that overruns
 * the deadline is needed: libcurl ends each transfer at its
 * CURLOPT_TIMEOUT_MS, never later than the deadline, and should
 * anything block past it all the same (a resolver that ignores it),
 * the signal thread's whole-run alarm prints the timeout line and ends
 * the process at the deadline, whatever is joined here. */
static void
join_all(backend *bs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (bs[i].started)
			(void)pthread_join(bs[i].thread, NULL);
		bs[i].started = false;
	}
}

/* The result of the run from its targets' visits, on the main thread:
 * one target's own, the agent's and Nova's hops, or every backend
 * nested in -H order. NULL with err when there is none. */
static mp_check *
merge(const nm_config *cfg, backend *bs, size_t n, nm_error *err)
{
	mp_check *ret = NULL;
	nm_visit *visit = &bs[0].visit;

	if (n > 1) {
		ret = cfg->agent_socket != NULL ? combine_hops(cfg, bs, n) :
		    combine(cfg, bs, n);
		if (ret == NULL)
			(void)nm_error_set(err, NM_ERR_NOMEM, "out of memory");
		return ret;
	}
	(void)finish(visit, bs[0].result, &ret);
	if (ret != NULL) {
		bs[0].state = mp_check_state(ret);
		if (bs[0].result == NM_ERR_TIMEOUT)
			nm_visit_reason(visit, NM_REASON_TIMEOUT);
	} else {
		/* Every failing step names its error; none is a bug. */
		if (visit->err.code == NM_OK)
			(void)nm_error_set(&visit->err, NM_ERR_SETUP, "internal "
			    "error: a step failed without saying why");
		/* Moved, not copied: the code cannot turn into another. */
		nm_error_clear(err);
		*err = visit->err;
		visit->err.code = NM_OK;
		visit->err.cause = NULL;
	}
	return ret;
}

void
nm_outcomes_free(nm_outcomes *o)
{
	size_t i;

	if (o == NULL)
		return;
	for (i = 0; i < o->count; i++)
		free(o->v[i].name);
	free(o->v);
	o->v = NULL;
	o->count = 0;
	o->disagree = false;
}

/* Each target's figures, once its result is made. */
static nm_err
record_outcomes(const backend *bs, size_t n, const mp_check *ret,
    nm_outcomes *o, nm_error *err)
{
	const nm_visit *visit;
	size_t i;

	if ((o->v = calloc(n, sizeof(*o->v))) == NULL)
		return nm_error_nomem(err);
	for (i = 0; i < n; i++) {
		visit = &bs[i].visit;
		if ((o->v[i].name = strdup(bs[i].target->name)) == NULL) {
			nm_outcomes_free(o);
			return nm_error_nomem(err);
		}
		o->count++;
		o->v[i].kind = bs[i].target->kind;
		o->v[i].state = bs[i].state;
		o->v[i].reason = bs[i].state == MP_OK ? NM_REASON_NONE :
		    visit->reason != NM_REASON_NONE ? visit->reason :
		    NM_REASON_UNKNOWN;
		o->v[i].status = visit->status;
		o->v[i].time = visit->time;
		o->v[i].bytes = visit->bytes;
		o->v[i].requests = visit->requests;
		nm_log(2, "%s: %s%s%s", o->v[i].name, mp_state_name(
		    o->v[i].state), o->v[i].reason != NM_REASON_NONE ?
		    ", reason " : "", nm_reason_token(o->v[i].reason));
	}
	o->disagree = n > 1 && mp_check_state(ret) != MP_OK &&
	    disagreed(bs, n);
	return NM_OK;
}

/* Every target at once, each on a thread of its own (the last on the
 * main thread) with its own connection, under the one deadline. */
static mp_check *
check_targets(const nm_config *cfg, const nm_targets *ts,
    const char *signature, const char *wrong,
    const struct timespec *deadline, nm_outcomes *outcomes, nm_error *err)
{
	backend *bs;
	mp_check *ret = NULL;
	size_t i, n = ts->count;

	if ((bs = calloc(n, sizeof(*bs))) == NULL) {
		(void)nm_error_set(err, NM_ERR_NOMEM, "out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (backend_init(cfg, ts, i, &bs[i], signature, wrong,
		    deadline, err) != NM_OK)
			goto out;
	}
	if (start_all(bs, n, err) != NM_OK) {
		join_all(bs, n);
		goto out;
	}
	(void)backend_main(&bs[n - 1]);
	join_all(bs, n);
	ret = merge(cfg, bs, n, err);
	if (ret != NULL && outcomes != NULL && record_outcomes(bs, n, ret,
	    outcomes, err) != NM_OK) {
		mp_check_free(ret);
		ret = NULL;
	}
 out:
	for (i = 0; i < n; i++) {
		nm_http_free(bs[i].visit.http);
		nm_visit_free(&bs[i].visit);
	}
	free(bs);
	return ret;
}

mp_check *
nm_check_run(const nm_config *cfg, const char *signature,
    const struct timespec *deadline, nm_outcomes *outcomes, nm_error *err)
{
	char wrong[NM_SIGNATURE_HEX_LEN + 1];
	nm_targets ts;
	mp_check *ret = NULL;

	nm_error_clear(err);
	/* Empty on every path, the early returns too: the caller frees. */
	if (outcomes != NULL)
		*outcomes = (nm_outcomes){ NULL, 0, false };
	/* The 404 probe's signature, made once for every backend. */
	if (signature != NULL && nm_sign_wrong(signature, wrong) != 0) {
		(void)nm_error_set(err, NM_ERR_SETUP, "internal error: the "
		    "signature is not %d hex digits", NM_SIGNATURE_HEX_LEN);
		return NULL;
	}
	if ((cfg->agent_socket != NULL ? agent_targets(cfg, &ts, err) :
	    nm_targets_build(cfg, &ts, err)) != NM_OK)
		return NULL;
	ret = check_targets(cfg, &ts, signature, signature != NULL ? wrong :
	    NULL, deadline, outcomes, err);
	nm_targets_free(&ts);
	/* Every failing step names its error; none is a bug. */
	if (ret == NULL && err->code == NM_OK)
		(void)nm_error_set(err, NM_ERR_SETUP, "internal error: the "
		    "check failed without saying why");
	return ret;
}
