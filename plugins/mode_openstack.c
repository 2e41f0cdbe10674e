#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mode_openstack.h"
#include "openstack.h"
#include "mode_vendordata.h"

static int
served_value(nm_run *run, const json_t *doc, const char *key)
{
	const json_t *v = json_object_get(doc, key);
	char *text;
	int r;

	if (v == NULL)
		return nm_run_served(run, key, "(absent)", 8);
	if ((text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY |
	    JSON_SORT_KEYS)) == NULL)
		return nm_run_nomem(run);
	r = nm_run_served(run, key, text, strlen(text));
	free(text);
	return r;
}

/* The values of the keys -k and -e name, to compare backends. */
static int
record_served(nm_run *run, const json_t *doc)
{
	const nm_config *cfg = run->cfg;
	size_t i;

	for (i = 0; i < cfg->key_count; i++) {
		if (served_value(run, doc, cfg->keys[i]) != 0)
			return -1;
	}
	for (i = 0; i < cfg->expect_count; i++) {
		if (served_value(run, doc, cfg->expects[i].key) != 0)
			return -1;
	}
	return 0;
}

/* Each verdict a sub-check of the run. 0 or -1. */
static int
add_verdicts(nm_run *run, const nm_os_verdicts *vs)
{
	size_t i;

	for (i = 0; i < vs->count; i++) {
		if (nm_run_add_result2(run, vs->v[i].state, NULL,
		    vs->v[i].text) != 0)
			return -1;
	}
	return 0;
}

int
nm_os_record(nm_run *run, const char *version, json_t **kept)
{
	const nm_config *cfg = run->cfg;
	nm_os_want want = { cfg->instance, cfg->tenant, version, cfg->keys,
	    cfg->key_count, cfg->expects, cfg->expect_count };
	nm_os_verdicts *vs;
	int r = -1;

	*kept = NULL;
	if ((vs = malloc(sizeof(*vs))) == NULL ||
	    nm_os_validate(run->resp.body.data, run->resp.body.len,
	    &want, vs, kept) != NM_OK) {
		r = nm_run_nomem(run);
		goto out;
	}
	if (add_verdicts(run, vs) != 0)
		goto out;
	if (vs->usable && cfg->mode == NM_MODE_OPENSTACK && (nm_run_fact(run,
	    ", %zu/%zu keys", vs->keys_found, cfg->key_count) != 0 ||
	    (cfg->expect_count > 0 && nm_run_fact(run, ", %zu/%zu values",
	    vs->values_matched, cfg->expect_count) != 0)))
		goto out;
	r = *kept != NULL && run->compare ? record_served(run, *kept) : 0;
 out:
	free(vs);
	return r;
}

#define IDENTITY_PATH "/openstack/latest/meta_data.json"

/* The identity proof's verdicts, each a sub-check. */
static int
record_identity(nm_run *run, const json_t *doc)
{
	const nm_config *cfg = run->cfg;
	nm_os_verdicts *vs;
	int r;

	if ((vs = calloc(1, sizeof(*vs))) == NULL)
		return nm_run_nomem(run);
	if (nm_os_check_identity(doc, cfg->instance, cfg->tenant, "latest",
	    vs) != NM_OK)
		r = nm_run_nomem(run);
	else
		r = add_verdicts(run, vs);
	free(vs);
	return r;
}

int
nm_os_prove_identity(nm_run *run)
{
	char why[384];	/* nm_os_parse's: jansson's text and ours */
	json_t *doc = NULL;
	int r;

	if ((r = nm_run_fetch(run, IDENTITY_PATH)) != 0)
		return r < 0 ? -1 : 0;
	if (run->resp.status != 200)
		return nm_run_status_failure(run, IDENTITY_PATH);
	switch (nm_os_parse(run->resp.body.data, run->resp.body.len,
	    NM_OS_ROOT_OBJECT, &doc, why, sizeof(why))) {
	case NM_OK:
		r = record_identity(run, doc);
		break;
	case NM_ERR_NOMEM:
		r = nm_run_nomem(run);
		break;
	default:
		r = nm_run_add_result(run, MP_CRITICAL, "%s is %s; the "
		    "answer cannot prove to be the canary's", IDENTITY_PATH,
		    why);
	}
	json_decref(doc);
	return r;
}

int
nm_openstack_run(nm_run *run)
{
	const char *version = run->cfg->os_version;
	char path[256];	/* the version is "latest" or a date (args.c) */
	json_t *doc = NULL;
	mp_subcheck *sc = NULL;
	int r;

	r = snprintf(path, sizeof(path), "/openstack/%s/meta_data.json",
	    version);
	if (r < 0 || (size_t)r >= sizeof(path))
		return nm_run_add_result(run, MP_UNKNOWN, "-O: version too "
		    "long");
	run->main_path = path;
	r = nm_run_fetch(run, path);
	/* An answer that broke off (too large) still had a status. */
	if (r >= 0 && run->resp.status > 0 &&
	    nm_run_fact(run, "HTTP %ld", run->resp.status) != 0)
		r = -1;
	if (r == 0 && run->resp.status != 200)
		r = nm_run_status_failure(run, path);
	else if (r == 0)
		r = nm_os_record(run, version, &doc);
	json_decref(doc);
	if (r == 0)
		r = nm_vd_run(run, version);
	/* Perfdata whenever an answer came, as in the EC2 mode. */
	if (r >= 0 && !run->timed_out && run->responses > 0 &&
	    (r = nm_run_check_time(run, &sc)) == 0)
		r = nm_vd_perfdata(run, sc);
	/* path lives on this stack frame. */
	run->main_path = NULL;
	return r < 0 ? -1 : 0;
}
