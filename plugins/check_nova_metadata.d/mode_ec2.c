#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_listing.h"
#include "mode_ec2.h"
#include "mode_openstack.h"
#include "step.h"
#include "step_vendordata.h"

/* A text for a result when it cannot be allocated: the state stands. */
static const char *
text_or_lost(const char *text)
{
	return text != NULL ? text : "(its text could not be allocated)";
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

/* The missing keys' list is for people: past this many bytes it ends
 * in "...", as every other text of the output that is cut. */
#define MISSING_MAX (16 * 1024)

/* Adds key to the list of missing ones, or "..." once the list is
 * full; false when that cannot be allocated. */
static bool
add_missing(dynbuf *missing, bool *cut, const char *key)
{
	const char *sep = missing->len > 0 ? ", " : "";

	if (*cut)
		return true;
	if (missing->len + strlen(sep) + strlen(key) > MISSING_MAX) {
		*cut = true;
		return dynbuf_printf(missing, "%s...", sep) == DYNBUF_OK;
	}
	return dynbuf_printf(missing, "%s%s", sep, key) == DYNBUF_OK;
}

static nm_err
check_keys(nm_visit *visit, const nm_listing *listing)
{
	const nm_config *cfg = visit->cfg;
	const char *first = NULL;	/* the first key missing */
	dynbuf missing;
	size_t i, found = 0;
	bool lost = false, cut = false;
	nm_err r;

	dynbuf_init(&missing, MISSING_MAX + 8);
	for (i = 0; i < cfg->key_count; i++) {
		if (nm_listing_has(listing, cfg->keys[i])) {
			found++;
			continue;
		}
		if (first == NULL)
			first = cfg->keys[i];
		if (!lost && !add_missing(&missing, &cut, cfg->keys[i]))
			lost = true;
	}
	if ((r = nm_visit_fact(visit, ", %zu/%zu keys", found,
	    cfg->key_count)) != NM_OK)
		goto out;
	if (found == cfg->key_count)
		r = nm_visit_result(visit, MP_OK, NULL, "%zu/%zu keys listed "
		    "(%zu entries in %s)", found, cfg->key_count,
		    listing->count, cfg->url);
	else {
		nm_visit_reason(visit, NM_REASON_KEY_MISSING);
		/* The summary names the first; the sub-check all. */
		r = nm_visit_result_brief(visit, MP_CRITICAL,
		    cfg->key_count - found == 1 ? nm_visit_words("%s missing",
		    first) : nm_visit_words("%s and %zu more keys missing",
		    first, cfg->key_count - found - 1), "%zu/%zu keys "
		    "listed, %s missing from %s", found, cfg->key_count,
		    text_or_lost(lost ? NULL : missing.data), cfg->url);
	}
 out:
	dynbuf_free(&missing);
	return r;
}

/* A listing that came with 200 but is not one: the visit ends. */
static nm_err
listing_rejected(nm_visit *visit, nm_err e, const char *why)
{
	nm_visit_reason(visit, NM_REASON_MALFORMED);
	/* The parser's cause says "body is not text: ..." itself. */
	if (e == NM_ERR_NOT_TEXT)
		return nm_visit_ended(nm_visit_result(visit, MP_CRITICAL, NULL,
		    "response %s", why != NULL ? why : "body is not text"));
	return nm_visit_ended(nm_visit_result(visit, MP_CRITICAL, NULL,
	    "response is not a metadata listing: %s", why != NULL ? why :
	    "?"));
}

/* The listing as served: signature accepted, well-formed, the keys
 * present. */
static nm_err
judge_listing(nm_visit *visit)
{
	const nm_config *cfg = visit->cfg;
	nm_listing listing = { 0 };
	nm_error why = { NM_OK, NULL };
	nm_err e;

	/* Only Nova's own answer says our signature was good. */
	if ((e = nm_visit_result(visit, MP_OK, NULL, "%s (HTTP 200 for %s)",
	    visit->kind == NM_TARGET_NOVA ? "signature accepted" : "answered",
	    cfg->url)) != NM_OK || (e = nm_visit_served(visit, cfg->url,
	    visit->resp.body.data, visit->resp.body.len)) != NM_OK)
		return e;
	e = nm_listing_parse(visit->resp.body.data, visit->resp.body.len,
	    &listing, &why);
	if (e == NM_ERR_NOMEM)
		e = nm_visit_nomem(visit);
	else if (e != NM_OK)
		e = listing_rejected(visit, e, why.cause);
	else
		e = check_keys(visit, &listing);
	nm_error_clear(&why);
	nm_listing_free(&listing);
	return e;
}

static nm_err
check_listing(nm_visit *visit)
{
	nm_err e, f;

	e = nm_step_fetch(visit, visit->cfg->url);
	/* An answer that came but broke off (too large) still had a status.
	 * Any other status than 200 leads the cause ("HTTP 403 signature
	 * rejected"), not the figures. */
	if (nm_visit_has_result(e) && visit->resp.status > 0 &&
	    (visit->resp.status == 200 || e != NM_OK) &&
	    (f = nm_visit_fact(visit, "HTTP %ld", visit->resp.status)) !=
	    NM_OK)
		return f;
	if (e != NM_OK)
		return e;
	if (visit->resp.status != 200)
		return nm_step_status_failure(visit, visit->cfg->url);
	return judge_listing(visit);
}

static nm_err
compare_value(nm_visit *visit, const nm_expect *e, unsigned *matched)
{
	const dynbuf *body = &visit->resp.body;
	const char *data = body->data != NULL ? body->data : "";
	size_t n = value_length(body);
	char *want = NULL, *got = NULL;
	nm_err r;

	if ((r = nm_visit_served(visit, e->key, data, n)) != NM_OK)
		return r;
	if (memchr(data, '\0', n) != NULL) {
		nm_visit_reason(visit, NM_REASON_MALFORMED);
		return nm_visit_result(visit, MP_CRITICAL, NULL, "%s: response "
		    "is not text (NUL byte)", e->key);
	}
	want = mp_quote(e->value, strlen(e->value));
	got = mp_quote(data, n);
	if (n == strlen(e->value) && memcmp(data, e->value, n) == 0) {
		(*matched)++;
		r = nm_visit_result(visit, MP_OK, NULL, "%s is %s as expected",
		    e->key, text_or_lost(want));
	} else {
		nm_visit_reason(visit, NM_REASON_VALUE_MISMATCH);
		r = nm_visit_result(visit, MP_CRITICAL, NULL, "%s is %s, "
		    "expected %s", e->key, text_or_lost(got),
		    text_or_lost(want));
	}
	free(want);
	free(got);
	return r;
}

static nm_err
check_expect(nm_visit *visit, const nm_expect *e, unsigned *matched)
{
	char *path = NULL, *want = NULL;
	nm_err r;

	if (asprintf(&path, "%s%s", visit->cfg->url, e->key) < 0)
		return nm_visit_nomem(visit);
	if ((r = nm_step_fetch(visit, path)) != NM_OK)
		;	/* recorded, or the visit's end */
	else if (visit->resp.status == 404) {
		want = mp_quote(e->value, strlen(e->value));
		nm_visit_reason(visit, NM_REASON_KEY_MISSING);
		r = nm_visit_result(visit, MP_CRITICAL, NULL, "%s missing "
		    "(HTTP 404 for %s), expected %s", e->key, path,
		    text_or_lost(want));
	}
	else if (visit->resp.status != 200)
		r = nm_step_status_failure(visit, path);
	else
		r = compare_value(visit, e, matched);
	free(path);
	free(want);
	return r;
}

static nm_err
check_expects(nm_visit *visit)
{
	const nm_config *cfg = visit->cfg;
	unsigned matched = 0;
	size_t i;
	nm_err r;

	for (i = 0; i < cfg->expect_count; i++) {
		if ((r = check_expect(visit, &cfg->expects[i], &matched)) !=
		    NM_OK)
			return r;
	}
	if (cfg->expect_count > 0)
		return nm_visit_fact(visit, ", %u/%zu values", matched,
		    cfg->expect_count);
	return NM_OK;
}

/* time, size (tls_time), then vendordata_time when asked for. */
static nm_err
ec2_perfdata(nm_visit *visit)
{
	mp_subcheck *sc = NULL;
	nm_err r;

	if ((r = nm_visit_check_time(visit, &sc)) != NM_OK)
		return r;
	return nm_step_vd_perfdata(visit, sc);
}

nm_err
nm_mode_ec2(nm_visit *visit)
{
	nm_err e, p;

	visit->main_path = visit->cfg->url;
	e = check_listing(visit);
	if (e == NM_OK)
		e = check_expects(visit);
	/* The listing does not say whose it is: meta_data.json does. */
	if (e == NM_OK && visit->kind != NM_TARGET_NOVA)
		e = nm_mode_openstack_identity(visit);
	/* The instance's other documents: what Nova hides. */
	if (e == NM_OK)
		e = nm_step_vd_fetch(visit, "latest");
	/* Perfdata whenever the result is the visit's and an answer came
	 * (always for one of several targets). */
	if (nm_visit_has_result(e) && nm_visit_wants_perfdata(visit) &&
	    (p = ec2_perfdata(visit)) != NM_OK)
		return p;
	return e;
}
