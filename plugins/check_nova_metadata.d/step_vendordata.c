#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "step.h"
#include "step_vendordata.h"
#include "parse_vendordata.h"

static const char *
kind_word(nm_vd_kind k)
{
	switch (k) {
	case NM_VD_OK: return "object";
	case NM_VD_EMPTY: return "{}";
	case NM_VD_ABSENT: return "(absent)";
	case NM_VD_NOT_OBJECT: return "(not an object)";
	default: return "(not a document)";
	}
}

/* What backends are compared on: a target's key names, not its values,
 * which may be new on every request (one-time passwords, tokens). */
static nm_err
record_served(nm_visit *visit, const char *name, const nm_vd_verdict *v)
{
	char key[300];	/* a NAME is at most 255 bytes (cli_args.c) */
	const char *what = v->kind == NM_VD_OK ? v->keys : kind_word(v->kind);
	int r;

	r = snprintf(key, sizeof(key), "vendordata %s", name);
	if (r < 0 || (size_t)r >= sizeof(key))
		return nm_visit_fail(visit, NM_ERR_SETUP, "vendordata target "
		    "name too long");
	return nm_visit_served(visit, key, what, strlen(what));
}

/* A failed target in the summary: its name and what it is, without the
 * advice its sub-check gives. NULL for the document's own verdict,
 * whose text is short. */
static char *
verdict_brief(const char *name, const nm_vd_verdict *v)
{
	switch (v->kind) {
	case NM_VD_EMPTY:
		return nm_visit_words("vendordata target %s is {}", name);
	case NM_VD_ABSENT:
		return nm_visit_words("vendordata target %s not configured",
		    name);
	case NM_VD_NOT_OBJECT:
		return nm_visit_words("vendordata target %s is not an object",
		    name);
	default:
		return NULL;
	}
}

nm_err
nm_step_vd_record(nm_visit *visit)
{
	const nm_config *cfg = visit->cfg;
	nm_vd_verdict *vs;
	size_t i, n = 0, ok = 0;
	nm_err r;

	if ((vs = calloc(cfg->vd_target_count, sizeof(*vs))) == NULL)
		return nm_visit_nomem(visit);
	if (nm_vd_judge(visit->resp.body.data, visit->resp.body.len,
	    cfg->vd_targets, cfg->vd_target_count, vs, &n) != NM_OK) {
		r = nm_visit_nomem(visit);
		goto out;
	}
	visit->vd_judged = 1;
	for (i = 0; i < n; i++) {
		ok += vs[i].state == MP_OK;
		if (vs[i].state != MP_OK)
			nm_visit_reason(visit, NM_REASON_VENDORDATA_FAILED);
		if ((r = nm_visit_result_brief(visit, vs[i].state,
		    verdict_brief(cfg->vd_targets[i], &vs[i]), "%s",
		    vs[i].text)) != NM_OK)
			goto out;
		if (vs[i].kind != NM_VD_BAD_DOCUMENT && (r = record_served(
		    visit, cfg->vd_targets[i], &vs[i])) != NM_OK)
			goto out;
	}
	visit->vd_ok = ok;
	r = cfg->mode == NM_MODE_CLOUD_INIT ? NM_OK : nm_step_vd_fact(visit);
 out:
	free(vs);
	return r;
}

nm_err
nm_step_vd_fact(nm_visit *visit)
{
	if (!visit->vd_judged)
		return NM_OK;
	return nm_visit_fact(visit, ", %zu/%zu vendordata targets",
	    visit->vd_ok, visit->cfg->vd_target_count);
}

nm_err
nm_step_vd_status(nm_visit *visit, const char *path)
{
	const nm_response *resp = &visit->resp;

	/* vendordata_dynamic_failure_fatal: the provider's exception leaves
	 * Nova's handler unformatted, and eventlet answers a bare 500. */
	if ((resp->status == 500 && resp->body.len == 0) ||
	    resp->status == 404)
		nm_visit_reason(visit, NM_REASON_VENDORDATA_FAILED);
	if (resp->status == 500 && resp->body.len == 0)
		return nm_visit_ended(nm_visit_result_brief(visit, MP_CRITICAL,
		    nm_visit_brief(visit, path, 500,
		    NM_REASON_VENDORDATA_FAILED), "HTTP 500 with an empty body "
		    "for %s: a vendordata target "
		    "failed and Nova has [api] "
		    "vendordata_dynamic_failure_fatal = True (see "
		    "nova-api-metadata's log for \"Error from dynamic "
		    "vendordata service\")", path));
	if (resp->status == 404)
		return nm_visit_ended(nm_visit_result(visit, MP_CRITICAL, NULL,
		    "HTTP 404 for %s: no vendor_data2.json to hold the "
		    "vendordata targets (Nova serves it from version %s on)",
		    path, NM_VD_SINCE));
	return nm_step_status_failure(visit, path);
}

nm_err
nm_step_vd_fetch(nm_visit *visit, const char *version)
{
	char path[256];	/* the version is "latest" or a date (cli_args.c) */
	nm_err e;
	int r;

	if (visit->cfg->vd_target_count == 0)
		return NM_OK;
	r = snprintf(path, sizeof(path), "/openstack/%s/vendor_data2.json",
	    version);
	if (r < 0 || (size_t)r >= sizeof(path))
		return nm_visit_fail(visit, NM_ERR_SETUP, "vendor_data2.json "
		    "path too long");
	e = nm_step_fetch(visit, path);
	visit->vd_time = visit->resp.t_total;
	if (e != NM_OK)
		return e;
	if (visit->resp.status != 200)
		return nm_step_vd_status(visit, path);
	return nm_step_vd_record(visit);
}

nm_err
nm_step_vd_perfdata(nm_visit *visit, mp_subcheck *sc)
{
	mp_perfdata pd;

	if (visit->cfg->vd_target_count == 0)
		return NM_OK;
	pd = mp_perfdata_make("vendordata_time", visit->vd_time, 6, "s");
	pd.has_min = true;
	pd.min = 0;
	return mp_subcheck_add_perfdata(sc, &pd) == 0 ? NM_OK :
	    nm_visit_nomem(visit);
}
