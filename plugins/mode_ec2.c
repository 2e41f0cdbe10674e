#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mode_ec2.h"
#include "listing.h"
#include "mode_openstack.h"
#include "mode_vendordata.h"

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
check_keys(nm_run *run, const nm_listing *listing)
{
	const nm_config *cfg = run->cfg;
	dynbuf missing;
	size_t i, found = 0;
	int r = -1;

	dynbuf_init(&missing, NM_BODY_CAP);
	for (i = 0; i < cfg->key_count; i++) {
		if (nm_listing_has(listing, cfg->keys[i]))
			found++;
		else if (dynbuf_printf(&missing, "%s%s", missing.len > 0 ?
		    ", " : "", cfg->keys[i]) != DYNBUF_OK) {
			r = nm_run_nomem(run);
			goto out;
		}
	}
	if (nm_run_fact(run, ", %zu/%zu keys", found, cfg->key_count) != 0)
		goto out;
	if (found == cfg->key_count)
		r = nm_run_add_result(run, MP_OK, "%zu/%zu keys listed (%zu "
		    "entries in %s)", found, cfg->key_count, listing->count,
		    cfg->url);
	else
		r = nm_run_add_result(run, MP_CRITICAL, "%zu/%zu keys listed, "
		    "%s missing from %s", found, cfg->key_count, missing.data,
		    cfg->url);
 out:
	dynbuf_free(&missing);
	return r;
}

/* A listing that came with 200 but is not one. */
static int
listing_rejected(nm_run *run, nm_err e, const char *why)
{
	run->stop = 1;
	/* The parser's cause says "body is not text: ..." itself. */
	if (e == NM_ERR_NOT_TEXT)
		return nm_run_add_result(run, MP_CRITICAL, "response %s",
		    why != NULL ? why : "body is not text");
	return nm_run_add_result(run, MP_CRITICAL, "response is not a "
	    "metadata listing: %s", why != NULL ? why : "?");
}

/* The listing: signature accepted, well-formed, the keys present. */
static int
check_listing(nm_run *run)
{
	nm_listing listing = { 0 };
	nm_err e;
	nm_error why = { NM_OK, NULL };
	int r;

	r = nm_run_fetch(run, run->cfg->url);
	/* An answer that came but broke off (too large) still had a status. */
	if (r >= 0 && run->resp.status > 0 &&
	    nm_run_fact(run, "HTTP %ld", run->resp.status) != 0)
		return -1;
	if (r != 0)
		return r < 0 ? -1 : 0;
	if (run->resp.status != 200)
		return nm_run_status_failure(run, run->cfg->url);
	/* Only Nova's own answer says our signature was good. */
	if (nm_run_add_result(run, MP_OK, "%s (HTTP 200 for %s)",
	    run->kind == NM_TARGET_NOVA ? "signature accepted" : "answered",
	    run->cfg->url) != 0 || nm_run_served(run, run->cfg->url,
	    run->resp.body.data, run->resp.body.len) != 0)
		return -1;
	e = nm_listing_parse(run->resp.body.data, run->resp.body.len,
	    &listing, &why);
	if (e == NM_ERR_NOMEM)
		r = nm_run_nomem(run);
	else if (e != NM_OK)
		r = listing_rejected(run, e, why.cause);
	else
		r = check_keys(run, &listing);
	nm_error_clear(&why);
	nm_listing_free(&listing);
	return r;
}


static int
compare_value(nm_run *run, const nm_expect *e, unsigned *matched)
{
	const dynbuf *body = &run->resp.body;
	const char *data = body->data != NULL ? body->data : "";
	size_t n = value_length(body);
	char *want = NULL, *got = NULL;
	int r = -1;

	if (nm_run_served(run, e->key, data, n) != 0)
		return -1;
	if (memchr(data, '\0', n) != NULL)
		return nm_run_add_result(run, MP_CRITICAL, "%s: response is "
		    "not text (NUL byte)", e->key);
	if ((want = mp_quote(e->value, strlen(e->value))) == NULL ||
	    (got = mp_quote(data, n)) == NULL)
		r = nm_run_nomem(run);
	else if (n == strlen(e->value) && memcmp(data, e->value, n) == 0) {
		(*matched)++;
		r = nm_run_add_result(run, MP_OK, "%s is %s as expected",
		    e->key, want);
	} else
		r = nm_run_add_result(run, MP_CRITICAL, "%s is %s, expected %s",
		    e->key, got, want);
	free(want);
	free(got);
	return r;
}

static int
check_expect(nm_run *run, const nm_expect *e, unsigned *matched)
{
	char *path = NULL, *want = NULL;
	int r;

	if (asprintf(&path, "%s%s", run->cfg->url, e->key) < 0)
		return nm_run_nomem(run);
	if ((want = mp_quote(e->value, strlen(e->value))) == NULL)
		r = nm_run_nomem(run);
	else if ((r = nm_run_fetch(run, path)) != 0)
		r = r < 0 ? -1 : 0;
	else if (run->resp.status == 404)
		r = nm_run_add_result(run, MP_CRITICAL, "%s missing (HTTP 404 "
		    "for %s), expected %s", e->key, path, want);
	else if (run->resp.status != 200)
		r = nm_run_status_failure(run, path);
	else
		r = compare_value(run, e, matched);
	free(path);
	free(want);
	return r;
}

static int
check_expects(nm_run *run)
{
	const nm_config *cfg = run->cfg;
	unsigned matched = 0;
	size_t i;

	for (i = 0; i < cfg->expect_count && !run->stop; i++) {
		if (check_expect(run, &cfg->expects[i], &matched) != 0)
			return -1;
	}
	if (!run->stop && cfg->expect_count > 0)
		return nm_run_fact(run, ", %u/%zu values", matched,
		    cfg->expect_count);
	return 0;
}

/* time, size (tls_time), then vendordata_time when asked for. */
static int
ec2_perfdata(nm_run *run)
{
	mp_subcheck *sc = NULL;

	if (nm_run_check_time(run, &sc) != 0)
		return -1;
	return nm_vd_perfdata(run, sc);
}

int
nm_ec2_run(nm_run *run)
{
	run->main_path = run->cfg->url;
	if (check_listing(run) != 0)
		return -1;
	if (!run->stop && check_expects(run) != 0)
		return -1;
	/* The listing does not say whose it is: meta_data.json does. */
	if (!run->stop && run->kind != NM_TARGET_NOVA &&
	    nm_os_prove_identity(run) != 0)
		return -1;
	/* The instance's other documents: what Nova hides. */
	if (nm_vd_run(run, "latest") != 0)
		return -1;
	if (!run->timed_out && run->responses > 0)
		return ec2_perfdata(run);
	return 0;
}
