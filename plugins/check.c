#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "explain_agent.h"
#include "mode_cloudinit.h"
#include "mode_ec2.h"
#include "http.h"
#include "mode_openstack.h"
#include "visit.h"
#include "targets.h"

/* Through the agent: "canary 32d0524b via agent PATH", and with Nova
 * checked directly too "... and Nova 127.0.0.1:8775" (several -H: "and
 * Nova on N backends"). Bounded as below, with a socket path of at most
 * 107 bytes (args.c). */
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
 * of at most 255 (args.c), a port; 384 bytes hold the longest, and one
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

/* A target's mode on its visit; the engine hands the nm_err it
 * returns back as an int. */
static int
visit_mode(void *arg)
{
	nm_visit *visit = arg;

	switch (visit->cfg->mode) {
	case NM_MODE_OPENSTACK:
		return (int)nm_mode_openstack(visit);
	case NM_MODE_CLOUD_INIT:
		return (int)nm_mode_cloudinit(visit);
	default:
		return (int)nm_mode_ec2(visit);
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

/* How long before the whole-run limit several backends stop. */
#define MARGIN_MS 300

/* One backend of a run with several. */
typedef struct {
	nm_visit visit;
	const nm_target *target;
	nm_err result;		/* visit_mode's */
} backend;

/* The one backend a single-target run checks, as it always did. */
static mp_check *
check_one(const nm_config *cfg, const nm_endpoint *ep, const char *signature,
    const struct timespec *deadline, nm_target_kind kind, nm_error *err)
{
	char subject[384];
	nm_visit visit;
	mp_check *ret = NULL;
	void *arg = &visit;
	int result = NM_ERR_SETUP;
	nm_err e;

	e = nm_check_subject(cfg, subject, sizeof(subject)) != 0 ?
	    NM_ERR_SETUP : nm_visit_init(&visit, cfg, deadline, subject);
	if (e != NM_OK) {
		(void)nm_error_set(err, e, "%s", nm_err_name(e));
		return NULL;
	}
	visit.kind = kind;
	/* Only Nova's own port is signed; the agent and an instance are
	 * not, and have no wrong signature to probe a 404 with. */
	visit.signed_requests = kind == NM_TARGET_NOVA;
	if (nm_engine_new(&visit.engine, &visit.err) == NM_OK &&
	    nm_http_new(cfg, ep, signature, &visit.http, &visit.err) == NM_OK &&
	    nm_engine_run(visit.engine, 1, visit_mode, &arg, &result,
	    &visit.err) == NM_OK)
		(void)finish(&visit, (nm_err)result, &ret);
	if (ret == NULL) {
		/* Every failing step names its error; none is a bug. */
		if (visit.err.code == NM_OK)
			(void)nm_error_set(&visit.err, NM_ERR_SETUP, "internal "
			    "error: a step failed without saying why");
		/* Moved, not copied: the code cannot turn into another. */
		nm_error_clear(err);
		*err = visit.err;
		visit.err.code = NM_OK;
		visit.err.cause = NULL;
	}
	nm_http_free(visit.http);
	nm_engine_free(visit.engine);
	nm_visit_free(&visit);
	return ret;
}

/* A backend's own result: its summary names it ("127.0.0.1:8775: HTTP
 * 403: signature rejected..."), the whole-run limit is its own. */
static mp_check *
backend_check(backend *b)
{
	nm_visit *visit = &b->visit;
	const nm_config *cfg = visit->cfg;
	mp_state s = nm_err_state(b->result, cfg->timeout_result);
	mp_check *c;

	if (nm_visit_has_result(b->result)) {
		if (nm_visit_summary(visit) != NM_OK)
			return NULL;
		c = visit->check;
		visit->check = NULL;
		return c;
	}
	if ((c = mp_check_new("")) == NULL)
		return NULL;
	if (b->result == NM_ERR_TIMEOUT ? (mp_check_add(c, s, "timed out "
	    "after %u s (whole-run limit, -t)", cfg->timeout) == NULL ||
	    mp_check_set_summary(c, "%s: timed out after %u s (whole-run "
	    "limit, -t)", visit->subject, cfg->timeout) != 0) :
	    (mp_check_add(c, s, "%s", nm_error_text(&visit->err)) == NULL ||
	    mp_check_set_summary(c, "%s: %s", visit->subject,
	    nm_error_text(&visit->err)) != 0)) {
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
	size_t i, most = 0, served = 0, at_most = 0;
	bool tie, plural;
	dynbuf odd;
	int r;

	for (i = 0; i < n; i++) {
		if (bs[i].visit.served.len == 0)
			continue;
		served++;
		if (agreeing(bs, n, i) > most)
			most = agreeing(bs, n, i);
	}
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
	    dynbuf_printf(sum, "%sbackends disagree: %s differ%s%s",
	    sum->len > 0 ? "; " : "", odd.data, plural ? "" : "s",
	    tie ? " (no majority)" : "") != DYNBUF_OK))
		r = -1;
	dynbuf_free(&odd);
	return r;
}

/* A backend's result c nested under top with state s, its perfdata
 * labelled with the backend's name. 0 or -1. */
static int
nest(mp_check *top, const backend *b, mp_check *c, mp_state s)
{
	if (mp_check_prefix_perfdata(c, b->target->name) != 0 ||
	    mp_check_add_nested(top, s, c, "%s", mp_check_summary(c)) == NULL)
		return -1;
	return 0;
}

/* Each backend nested under the result, the summary naming those not
 * OK, then how many are. */
static mp_check *
combine(const nm_config *cfg, backend *bs, size_t n)
{
	mp_check *top, *c;
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
		if ((s != MP_OK && dynbuf_printf(&sum, "%s%s", sum.len > 0 ?
		    "; " : "", mp_check_summary(c)) != DYNBUF_OK) ||
		    nest(top, &bs[i], c, s) != 0)
			goto out;
	}
	if (add_disagreement(top, bs, n, &sum) != 0 ||
	    mp_check_set_summary(top, "canary %.8s on %zu backends: %s%s%zu/%zu "
	    "backends OK", cfg->instance, n, sum.len > 0 ? sum.data : "",
	    sum.len > 0 ? "; " : "", ok, n) != 0)
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

static nm_err
backends_init(const nm_config *cfg, const nm_targets *ts, backend *bs,
    const char *signature, const struct timespec *deadline,
    nm_engine *engine)
{
	size_t i;
	nm_err e;

	for (i = 0; i < ts->count; i++) {
		bs[i].target = &ts->v[i];
		bs[i].result = NM_ERR_SETUP;
		if ((e = nm_visit_init(&bs[i].visit, cfg, deadline,
		    ts->v[i].name)) != NM_OK)
			return e;
		bs[i].visit.engine = engine;
		/* The agent and Nova are two hops, not replicas to compare. */
		bs[i].visit.compare = cfg->agent_socket == NULL;
		bs[i].visit.kind = ts->v[i].kind;
		bs[i].visit.signed_requests = ts->v[i].kind == NM_TARGET_NOVA;
		/* Every backend's result, a hung one's own limit included,
		 * is in before the whole-run limit's prepared line. */
		bs[i].visit.margin_ms = (long)cfg->timeout * 1000 / 10 <
		    MARGIN_MS ? (long)cfg->timeout * 1000 / 10 : MARGIN_MS;
		if ((e = nm_http_new(cfg, &ts->v[i].ep, signature,
		    &bs[i].visit.http, &bs[i].visit.err)) != NM_OK)
			return e;
	}
	return NM_OK;
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
 * the summary leads with the hop that broke, then the hops not OK. */
static mp_check *
combine_hops(const nm_config *cfg, backend *bs, size_t n)
{
	char subject[384], lead[512];
	nm_hop agent = { MP_OK, 0 }, nova = { MP_OK, 0 }, h;
	mp_check *top, *c;
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
		if ((h.state != MP_OK && dynbuf_printf(&sum, "; %s",
		    mp_check_summary(c)) != DYNBUF_OK) ||
		    nest(top, &bs[i], c, h.state) != 0)
			goto out;
	}
	if (nm_explain_agent_diagnosis(cfg, &agent, &nova, lead,
	    sizeof(lead)) != NM_OK)
		lead[0] = '\0';
	/* sum holds "; HOP: ..." per hop not OK: its first "; " goes when
	 * no lead comes before it. */
	if (mp_check_set_summary(top, "%s: %s%s%s%zu/%zu %s OK", subject,
	    lead, sum.len > 0 ? sum.data + (lead[0] != '\0' ? 0 : 2) : "",
	    lead[0] != '\0' || sum.len > 0 ? "; " : "", ok, n,
	    n == 2 ? "hops" : "targets") != 0)
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

typedef mp_check *(*combine_fn)(const nm_config *, backend *, size_t);

/* Every backend at once on one engine, each on its own connection. */
static mp_check *
check_several(const nm_config *cfg, const nm_targets *ts,
    const char *signature, const struct timespec *deadline,
    combine_fn combine_all, nm_error *err)
{
	nm_engine *engine = NULL;
	backend *bs = NULL;
	void **args = NULL;
	int *results = NULL;
	mp_check *ret = NULL;
	size_t i, n = ts->count;

	if ((bs = calloc(n, sizeof(*bs))) == NULL ||
	    (args = calloc(n, sizeof(*args))) == NULL ||
	    (results = calloc(n, sizeof(*results))) == NULL) {
		(void)nm_error_set(err, NM_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (nm_engine_new(&engine, err) != NM_OK)
		goto out;
	if (backends_init(cfg, ts, bs, signature, deadline, engine) !=
	    NM_OK) {
		for (i = 0; i < n && bs[i].visit.err.code == NM_OK; i++)
			;
		(void)nm_error_set(err, i < n ? bs[i].visit.err.code :
		    NM_ERR_NOMEM, "%s", i < n ?
		    nm_error_text(&bs[i].visit.err) : "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		args[i] = &bs[i].visit;
	if (nm_engine_run(engine, n, visit_mode, args, results, err) != NM_OK)
		goto out;
	for (i = 0; i < n; i++)
		bs[i].result = (nm_err)results[i];
	if ((ret = combine_all(cfg, bs, n)) == NULL)
		(void)nm_error_set(err, NM_ERR_NOMEM, "out of memory");
 out:
	for (i = 0; bs != NULL && i < n; i++) {
		nm_http_free(bs[i].visit.http);
		nm_visit_free(&bs[i].visit);
	}
	nm_engine_free(engine);
	free(bs);
	free(args);
	free(results);
	return ret;
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

mp_check *
nm_check_run(const nm_config *cfg, const char *signature,
    const struct timespec *deadline, nm_error *err)
{
	nm_targets ts;
	mp_check *ret = NULL;

	nm_error_clear(err);
	if ((cfg->agent_socket != NULL ? agent_targets(cfg, &ts, err) :
	    nm_targets_build(cfg, &ts, err)) != NM_OK)
		return NULL;
	if (ts.count == 1)
		ret = check_one(cfg, &ts.v[0].ep, signature, deadline,
		    ts.v[0].kind, err);
	else
		ret = check_several(cfg, &ts, signature, deadline,
		    cfg->agent_socket != NULL ? combine_hops : combine, err);
	nm_targets_free(&ts);
	/* Every failing step names its error; none is a bug. */
	if (ret == NULL && err->code == NM_OK)
		(void)nm_error_set(err, NM_ERR_SETUP, "internal error: the "
		    "check failed without saying why");
	return ret;
}
