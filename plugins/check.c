#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cloudinit.h"
#include "http.h"
#include "listing.h"
#include "log.h"
#include "openstack.h"
#include "run.h"

int
nm_check_subject(const nm_config *cfg, char *buf, size_t len)
{
	int ipv6 = strchr(cfg->host, ':') != NULL;
	int r;

	r = snprintf(buf, len, "canary %.8s on %s%s%s:%u", cfg->instance,
	    ipv6 ? "[" : "", cfg->host, ipv6 ? "]" : "", cfg->port);
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
	if (mp_check_add(c, cfg->timeout_result, "timed out after %u s "
	    "(whole-run limit, -t)", cfg->timeout) == NULL ||
	    mp_check_set_summary(c, "%s: timed out after %u s (whole-run "
	    "limit, -t)", subject, cfg->timeout) != 0) {
		mp_check_free(c);
		return NULL;
	}
	return c;
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
			(void)nm_run_appendf(missing, sizeof(missing), "%s%s",
			    missing[0] != '\0' ? ", " : "", cfg->keys[i]);
	}
	(void)nm_run_appendf(run->facts, sizeof(run->facts), ", %zu/%zu keys",
	    found, cfg->key_count);
	if (found == cfg->key_count)
		return nm_run_add_result(run, MP_OK, "%zu/%zu keys listed (%zu "
		    "entries in %s)", found, cfg->key_count, listing->count,
		    cfg->url);
	return nm_run_add_result(run, MP_CRITICAL, "%zu/%zu keys listed, %s "
	    "missing from %s", found, cfg->key_count, missing, cfg->url);
}

/* The listing: signature accepted, well-formed, the keys present. */
static int
check_listing(nm_run *run, char **cause)
{
	nm_listing listing = { 0 };
	nm_listing_err e;
	char *why = NULL;
	int r;

	r = nm_run_fetch(run, run->cfg->url, cause);
	/* An answer that came but broke off (too large) still had a status. */
	if (r >= 0 && run->resp.status > 0)
		(void)nm_run_appendf(run->facts, sizeof(run->facts), "HTTP %ld",
		    run->resp.status);
	if (r != 0)
		return r < 0 ? -1 : 0;
	if (run->resp.status != 200)
		return nm_run_status_failure(run, run->cfg->url);
	if (nm_run_add_result(run, MP_OK, "signature accepted (HTTP 200 for "
	    "%s)", run->cfg->url) != 0)
		return -1;
	e = nm_listing_parse(run->resp.body.data, run->resp.body.len,
	    &listing, &why);
	if (e == NM_LISTING_NOMEM) {
		/* Not a verdict on the service: the run cannot go on. */
		r = -1;
		goto out;
	}
	if (e != NM_LISTING_OK) {
		run->stop = 1;
		/* The parser's cause says "body is not text: ..." itself. */
		r = e == NM_LISTING_NOT_TEXT ?
		    nm_run_add_result(run, MP_CRITICAL, "response %s",
		    why != NULL ? why : "body is not text") :
		    nm_run_add_result(run, MP_CRITICAL, "response is not a "
		    "metadata listing: %s", why != NULL ? why : "?");
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
		return nm_run_add_result(run, MP_UNKNOWN, "-e %s: path too "
		    "long", e->key);
	if ((r = nm_run_fetch(run, path, cause)) != 0)
		return r < 0 ? -1 : 0;
	if (run->resp.status == 404)
		return nm_run_add_result(run, MP_CRITICAL, "%s missing (HTTP "
		    "404 for %s), expected '%.100s'", e->key, path, e->value);
	if (run->resp.status != 200)
		return nm_run_status_failure(run, path);
	n = value_length(body);
	if (memchr(body->data != NULL ? body->data : "", '\0', n) != NULL)
		return nm_run_add_result(run, MP_CRITICAL, "%s: response is "
		    "not text (NUL byte)", e->key);
	if (n == strlen(e->value) && memcmp(body->data != NULL ? body->data :
	    "", e->value, n) == 0) {
		(*matched)++;
		return nm_run_add_result(run, MP_OK, "%s is '%.100s' as "
		    "expected", e->key, e->value);
	}
	return nm_run_add_result(run, MP_CRITICAL, "%s is '%.*s', expected "
	    "'%.100s'", e->key, n > 100 ? 100 : (int)n, body->data != NULL ?
	    body->data : "", e->value);
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
		(void)nm_run_appendf(run->facts, sizeof(run->facts),
		    ", %u/%zu values", matched, cfg->expect_count);
	return 0;
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

/* The EC2 mode: the listing, then each expected value. */
static int
run_steps(nm_run *run, char **cause)
{
	run->main_path = run->cfg->url;
	if (check_listing(run, cause) != 0)
		return -1;
	if (!run->stop && check_expects(run, cause) != 0)
		return -1;
	if (!run->timed_out && run->responses > 0 &&
	    nm_run_check_time(run, NULL) != 0)
		return -1;
	return 0;
}

static int
run_mode(nm_run *run, char **cause)
{
	switch (run->cfg->mode) {
	case NM_MODE_OPENSTACK:
		return nm_openstack_run(run, cause);
	case NM_MODE_CLOUD_INIT:
		return nm_cloudinit_run(run, cause);
	default:
		return run_steps(run, cause);
	}
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
	if (run_mode(&run, cause) != 0)
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
