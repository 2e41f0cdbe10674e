#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mode_openstack.h"
#include "parse_openstack.h"
#include "step.h"
#include "step_vendordata.h"

static nm_err
served_value(nm_visit *visit, const json_t *doc, const char *key)
{
	const json_t *v = json_object_get(doc, key);
	char *text;
	nm_err r;

	if (v == NULL)
		return nm_visit_served(visit, key, "(absent)", 8);
	if ((text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY |
	    JSON_SORT_KEYS)) == NULL)
		return nm_visit_nomem(visit);
	r = nm_visit_served(visit, key, text, strlen(text));
	free(text);
	return r;
}

/* The values of the keys -k and -e name, to compare backends. */
static nm_err
record_served(nm_visit *visit, const json_t *doc)
{
	const nm_config *cfg = visit->cfg;
	size_t i;
	nm_err r;

	for (i = 0; i < cfg->key_count; i++) {
		if ((r = served_value(visit, doc, cfg->keys[i])) != NM_OK)
			return r;
	}
	for (i = 0; i < cfg->expect_count; i++) {
		if ((r = served_value(visit, doc, cfg->expects[i].key)) !=
		    NM_OK)
			return r;
	}
	return NM_OK;
}

/* Each verdict a sub-check of the visit. */
static nm_err
add_verdicts(nm_visit *visit, const nm_os_verdicts *vs)
{
	size_t i;
	nm_err r;

	for (i = 0; i < vs->count; i++) {
		if (vs->v[i].state != MP_OK)
			nm_visit_reason(visit, vs->v[i].reason);
		if ((r = nm_visit_result(visit, vs->v[i].state, NULL, "%s",
		    vs->v[i].text)) != NM_OK)
			return r;
	}
	return NM_OK;
}

/* In the -O mode, the keys and values found, in the summary. */
static nm_err
record_counts(nm_visit *visit, const nm_os_verdicts *vs)
{
	const nm_config *cfg = visit->cfg;
	nm_err r;

	if (!vs->usable || cfg->mode != NM_MODE_OPENSTACK)
		return NM_OK;
	if ((r = nm_visit_fact(visit, ", %zu/%zu keys", vs->keys_found,
	    cfg->key_count)) != NM_OK || cfg->expect_count == 0)
		return r;
	return nm_visit_fact(visit, ", %zu/%zu values", vs->values_matched,
	    cfg->expect_count);
}

nm_err
nm_mode_openstack_record(nm_visit *visit, const char *version,
    json_t **kept)
{
	const nm_config *cfg = visit->cfg;
	nm_os_want want = { cfg->instance, cfg->tenant, version, cfg->keys,
	    cfg->key_count, cfg->expects, cfg->expect_count };
	nm_os_verdicts *vs;
	nm_err r;

	*kept = NULL;
	if ((vs = malloc(sizeof(*vs))) == NULL ||
	    nm_os_validate(visit->resp.body.data, visit->resp.body.len,
	    &want, vs, kept) != NM_OK) {
		r = nm_visit_nomem(visit);
		goto out;
	}
	if ((r = add_verdicts(visit, vs)) != NM_OK ||
	    (r = record_counts(visit, vs)) != NM_OK)
		goto out;
	r = *kept != NULL && visit->compare ? record_served(visit, *kept) :
	    NM_OK;
 out:
	free(vs);
	return r;
}

#define IDENTITY_PATH "/openstack/latest/meta_data.json"

/* The identity proof's verdicts, each a sub-check. */
static nm_err
record_identity(nm_visit *visit, const json_t *doc)
{
	const nm_config *cfg = visit->cfg;
	nm_os_verdicts *vs;
	nm_err r;

	if ((vs = calloc(1, sizeof(*vs))) == NULL)
		return nm_visit_nomem(visit);
	nm_os_check_identity(doc, cfg->instance, cfg->tenant, "latest", vs);
	r = add_verdicts(visit, vs);
	free(vs);
	return r;
}

nm_err
nm_mode_openstack_identity(nm_visit *visit)
{
	char why[384];	/* nm_os_parse's: jansson's text and ours */
	json_t *doc = NULL;
	nm_err r;

	if ((r = nm_step_fetch(visit, IDENTITY_PATH)) != NM_OK)
		return r;
	if (visit->resp.status != 200)
		return nm_step_status_failure(visit, IDENTITY_PATH);
	switch (nm_os_parse(visit->resp.body.data, visit->resp.body.len,
	    NM_OS_ROOT_OBJECT, &doc, why, sizeof(why))) {
	case NM_OK:
		r = record_identity(visit, doc);
		break;
	case NM_ERR_NOMEM:
		r = nm_visit_nomem(visit);
		break;
	default:
		nm_visit_reason(visit, NM_REASON_MALFORMED);
		r = nm_visit_result_brief(visit, MP_CRITICAL, nm_visit_words(
		    "%s is %s", IDENTITY_PATH, why), "%s is %s, the answer "
		    "cannot prove to be the canary's", IDENTITY_PATH, why);
	}
	json_decref(doc);
	return r;
}

/* meta_data.json as served, then vendor_data2.json. */
static nm_err
openstack_documents(nm_visit *visit, const char *version, const char *path)
{
	json_t *doc = NULL;
	nm_err e, f;

	e = nm_step_fetch(visit, path);
	/* An answer that came but broke off (too large) still had a status.
	 * Any other status than 200 leads the cause ("HTTP 403 signature
	 * rejected"), not the figures. */
	if (nm_visit_has_result(e) && visit->resp.status > 0 &&
	    (visit->resp.status == 200 || e != NM_OK) &&
	    (f = nm_visit_fact(visit, "HTTP %ld", visit->resp.status)) !=
	    NM_OK)
		return f;
	if (e == NM_OK && visit->resp.status != 200)
		e = nm_step_status_failure(visit, path);
	else if (e == NM_OK)
		e = nm_mode_openstack_record(visit, version, &doc);
	json_decref(doc);
	if (e == NM_OK)
		e = nm_step_vd_fetch(visit, version);
	return e;
}

nm_err
nm_mode_openstack(nm_visit *visit)
{
	const char *version = visit->cfg->os_version;
	char path[256];	/* the version is "latest" or a date (cli_args.c) */
	mp_subcheck *sc = NULL;
	nm_err e, p;
	int r;

	r = snprintf(path, sizeof(path), "/openstack/%s/meta_data.json",
	    version);
	if (r < 0 || (size_t)r >= sizeof(path))
		return nm_visit_ended(nm_visit_result(visit, MP_UNKNOWN, NULL,
		    "-O: version too long"));
	visit->main_path = path;
	e = openstack_documents(visit, version, path);
	/* Perfdata whenever an answer came, as in the EC2 mode. */
	if (nm_visit_has_result(e) && nm_visit_wants_perfdata(visit) &&
	    ((p = nm_visit_check_time(visit, &sc)) != NM_OK ||
	    (p = nm_step_vd_perfdata(visit, sc)) != NM_OK))
		e = p;
	/* path lives on this stack frame. */
	visit->main_path = NULL;
	return e;
}
