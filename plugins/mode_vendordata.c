#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mode_vendordata.h"
#include "vendordata.h"

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
static int
record_served(nm_run *run, const char *name, const nm_vd_verdict *v)
{
	char key[300];	/* a NAME is at most 255 bytes (args.c) */
	const char *what = v->kind == NM_VD_OK ? v->keys : kind_word(v->kind);
	int r;

	r = snprintf(key, sizeof(key), "vendordata %s", name);
	if (r < 0 || (size_t)r >= sizeof(key))
		return nm_run_fail(run, NM_ERR_SETUP, "vendordata target name "
		    "too long");
	return nm_run_served(run, key, what, strlen(what));
}

int
nm_vd_record(nm_run *run)
{
	const nm_config *cfg = run->cfg;
	nm_vd_verdict *vs;
	size_t i, n = 0, ok = 0;
	int r = -1;

	if ((vs = calloc(cfg->vd_target_count, sizeof(*vs))) == NULL)
		return nm_run_nomem(run);
	if (nm_vd_judge(run->resp.body.data, run->resp.body.len,
	    cfg->vd_targets, cfg->vd_target_count, vs, &n) != NM_OK) {
		r = nm_run_nomem(run);
		goto out;
	}
	run->vd_judged = 1;
	for (i = 0; i < n; i++) {
		ok += vs[i].state == MP_OK;
		if (nm_run_add_result2(run, vs[i].state, NULL,
		    vs[i].text) != 0 || (vs[i].kind != NM_VD_BAD_DOCUMENT &&
		    record_served(run, cfg->vd_targets[i], &vs[i]) != 0))
			goto out;
	}
	run->vd_ok = ok;
	r = cfg->mode == NM_MODE_CLOUD_INIT ? 0 : nm_vd_fact(run);
 out:
	free(vs);
	return r;
}

int
nm_vd_fact(nm_run *run)
{
	if (!run->vd_judged)
		return 0;
	return nm_run_fact(run, ", %zu/%zu vendordata targets", run->vd_ok,
	    run->cfg->vd_target_count);
}

int
nm_vd_status(nm_run *run, const char *path)
{
	const nm_response *resp = &run->resp;

	run->stop = 1;
	/* vendordata_dynamic_failure_fatal: the provider's exception leaves
	 * Nova's handler unformatted, and eventlet answers a bare 500. */
	if (resp->status == 500 && resp->body.len == 0)
		return nm_run_add_result(run, MP_CRITICAL, "HTTP 500 with an "
		    "empty body for %s: a vendordata target failed and Nova "
		    "has [api] vendordata_dynamic_failure_fatal = True (see "
		    "nova-api-metadata's log for \"Error from dynamic "
		    "vendordata service\")", path);
	if (resp->status == 404)
		return nm_run_add_result(run, MP_CRITICAL, "HTTP 404 for %s: "
		    "no vendor_data2.json to hold the vendordata targets (Nova "
		    "serves it from version %s on)", path, NM_VD_SINCE);
	return nm_run_status_failure(run, path);
}

int
nm_vd_run(nm_run *run, const char *version)
{
	char path[256];	/* the version is "latest" or a date (args.c) */
	int r;

	if (run->cfg->vd_target_count == 0 || run->stop)
		return 0;
	r = snprintf(path, sizeof(path), "/openstack/%s/vendor_data2.json",
	    version);
	if (r < 0 || (size_t)r >= sizeof(path))
		return nm_run_fail(run, NM_ERR_SETUP, "vendor_data2.json path "
		    "too long");
	r = nm_run_fetch(run, path);
	run->vd_time = run->resp.t_total;
	if (r != 0)
		return r < 0 ? -1 : 0;
	if (run->resp.status != 200)
		return nm_vd_status(run, path);
	return nm_vd_record(run);
}

int
nm_vd_perfdata(nm_run *run, mp_subcheck *sc)
{
	mp_perfdata pd;

	if (run->cfg->vd_target_count == 0)
		return 0;
	pd = mp_perfdata_make("vendordata_time", run->vd_time, 6, "s");
	pd.has_min = true;
	pd.min = 0;
	return mp_subcheck_add_perfdata(sc, &pd) == 0 ? 0 : nm_run_nomem(run);
}
