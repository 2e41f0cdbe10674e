#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloudinit.h"
#include "listing.h"
#include "mode_cloudinit.h"
#include "mode_openstack.h"
#include "mode_vendordata.h"
#include "openstack.h"

/* ---- the profile -------------------------------------------------- */

enum { DOC_META, DOC_USER, DOC_VENDOR, DOC_VENDOR2, DOC_NETWORK, N_DOCS };

/* read_v2's datafiles(), in its order; perfdata labels are stable. */
static const struct {
	const char *name;
	const char *label;
	bool required;
	bool json;		/* user_data is opaque */
} docs[N_DOCS] = {
	{ "meta_data.json", "meta_data_time", true, true },
	{ "user_data", "user_data_time", false, false },
	{ "vendor_data.json", "vendor_data_time", false, true },
	{ "vendor_data2.json", "vendor_data2_time", false, true },
	{ "network_data.json", "network_data_time", false, true },
};

typedef struct {
	nm_run *run;
	const char *version;	/* NULL until one is chosen */
	json_t *meta;		/* meta_data.json, once usable */
	double doc_time[N_DOCS];
	double ec2_time;
	int served;		/* documents that came with 200 */
	int contents;		/* files and network_config read */
	int crawl_requests;
	int ec2_leaves;
	bool crawl_failed;
} ci_state;

/* DataSourceOpenStack.wait_for_metadata_service(): wait_for_url() on
 * <base>/openstack wants 200 and a body, or cloud-init gives up on the
 * datasource and the instance boots without metadata. read_v2 then asks
 * for the same list again (_fetch_available_versions); both requests
 * are made, as a booting instance makes them, and both are counted. */
static int
ci_wait(ci_state *cs)
{
	nm_run *run = cs->run;
	int r;

	if ((r = nm_run_fetch(run, "/openstack")) != 0)
		return r < 0 ? -1 : 0;
	if (run->resp.status != 200)
		return nm_run_status_failure(run, "/openstack");
	if (run->resp.body.len > 0)
		return 0;
	run->stop = 1;
	return nm_run_add_result(run, MP_CRITICAL, "empty answer to "
	    "/openstack: cloud-init's wait for the metadata service wants "
	    "a body and gives up on the OpenStack datasource");
}

/* The second look at the list: cloud-init tolerates its failure, an
 * HTTP error or no answer at all, and asks for "latest", so a broken
 * list here only warns. The whole-run limit still ends the run. */
static int
ci_versions(ci_state *cs)
{
	nm_run *run = cs->run;
	int r;

	if ((r = nm_run_request(run, "/openstack")) < 0)
		return -1;
	if (r == 1 && run->resp.err.code == NM_ERR_TIMEOUT)
		return nm_run_transport_failure(run, "/openstack");
	cs->version = "latest";
	if (r == 1)
		return nm_run_add_result(run, MP_WARNING, "no answer for "
		    "/openstack the second time: %s; cloud-init cannot list "
		    "the versions and falls back to latest",
		    nm_error_text(&run->resp.err));
	if (run->resp.status != 200)
		return nm_run_add_result(run, MP_WARNING, "HTTP %ld for "
		    "/openstack the second time: cloud-init cannot list the "
		    "versions and falls back to latest", run->resp.status);
	cs->version = nm_ci_pick_version(run->resp.body.data,
	    run->resp.body.len);
	return nm_run_add_result(run, MP_OK, "/openstack lists %zu versions; "
	    "cloud-init reads %s", nm_ci_count_lines(run->resp.body.data,
	    run->resp.body.len), cs->version);
}

/* meta_data.json: the verdicts, and the document kept for what read_v2
 * checks after the others (random_seed, files, network_config). */
static int
ci_meta(ci_state *cs)
{
	nm_run *run = cs->run;

	if (nm_os_record(run, cs->version, &cs->meta) != 0)
		return -1;
	/* Without a usable meta_data.json cloud-init gives up. */
	if (cs->meta == NULL)
		run->stop = 1;
	return 0;
}

/* A served document that is due as JSON must parse: cloud-init stops
 * with BrokenMetadata otherwise. */
static int
ci_served(ci_state *cs, int i, const char *path)
{
	nm_run *run = cs->run;
	json_t *doc = NULL;
	char why[384];	/* jansson's text is at most 160 bytes, the rest ours */

	cs->served++;
	if (i == DOC_META)
		return ci_meta(cs);
	if (!docs[i].json)
		return nm_run_add_result(run, MP_OK, "%s: HTTP 200, %zu bytes",
		    docs[i].name, run->resp.body.len);
	switch (nm_os_parse(run->resp.body.data, run->resp.body.len,
	    NM_OS_ROOT_ANY, &doc, why, sizeof(why))) {
	case NM_OK:
		json_decref(doc);
		if (nm_run_add_result(run, MP_OK, "%s: HTTP 200, %zu bytes "
		    "of JSON", docs[i].name, run->resp.body.len) != 0)
			return -1;
		/* --vendordata-target: this request, not one more. */
		return i == DOC_VENDOR2 && run->cfg->vd_target_count > 0 ?
		    nm_vd_record(run) : 0;
	case NM_ERR_NOMEM:
		return nm_run_nomem(run);
	default:
		run->stop = 1;
		return nm_run_add_result(run, MP_CRITICAL, "%s is %s (%s); "
		    "cloud-init stops with BrokenMetadata", docs[i].name, why,
		    path);
	}
}

static int
ci_document(ci_state *cs, int i)
{
	nm_run *run = cs->run;
	/* path: one of cloud-init's versions and documents; why: the
	 * server's explanation, ending in "..." when longer */
	char path[256], why[256];
	int r;

	r = snprintf(path, sizeof(path), "/openstack/%s/%s", cs->version,
	    docs[i].name);
	if (r < 0 || (size_t)r >= sizeof(path))
		return nm_run_fail(run, NM_ERR_SETUP, "document path too long");
	r = nm_run_fetch(run, path);
	cs->doc_time[i] = run->resp.t_total;
	if (i == DOC_VENDOR2)
		run->vd_time = run->resp.t_total;
	if (r != 0)
		return r < 0 ? -1 : 0;
	if (run->resp.status == 200)
		return ci_served(cs, i, path);
	/* cloud-init may do without it; the targets' users may not. */
	if (i == DOC_VENDOR2 && run->cfg->vd_target_count > 0)
		return nm_vd_status(run, path);
	/* read_v2 stops when the one required document is missing. */
	if (docs[i].required)
		return nm_run_status_failure(run, path);
	if (run->resp.status == 404)
		return nm_run_add_result(run, MP_OK, "%s: not served (HTTP "
		    "404), which cloud-init accepts", docs[i].name);
	nm_error_explanation(run->resp.body.data, run->resp.body.len, why,
	    sizeof(why));
	return nm_run_add_result(run, MP_CRITICAL, "%s: HTTP %ld for %s%s%s; "
	    "cloud-init boots without it", docs[i].name, run->resp.status,
	    path, why[0] != '\0' ? ": " : "", why);
}

/* One request of the EC2 crawl: 0 for a 200, 1 when the crawl (or the
 * run) ends, the failure recorded; -1 on internal failure. */
static int
crawl_fetch(ci_state *cs, const char *path)
{
	nm_run *run = cs->run;
	char why[256];
	int r;

	if (cs->crawl_requests >= NM_CI_MAX_REQUESTS) {
		cs->crawl_failed = true;
		return nm_run_add_result(run, MP_CRITICAL, "EC2 tree: stopped "
		    "after %d requests at %s (a loop in the tree?)",
		    NM_CI_MAX_REQUESTS, path) == 0 ? 1 : -1;
	}
	cs->crawl_requests++;
	r = nm_run_fetch(run, path);
	cs->ec2_time += run->resp.t_total;
	if (r != 0)
		return r;
	if (run->resp.status == 200)
		return 0;
	cs->crawl_failed = true;
	nm_error_explanation(run->resp.body.data, run->resp.body.len, why,
	    sizeof(why));
	return nm_run_add_result(run, MP_CRITICAL, "EC2 tree: HTTP %ld for "
	    "%s%s%s%s", run->resp.status, path, cs->crawl_requests > 1 ?
	    " (listed in its directory)" : "", why[0] != '\0' ? ": " : "",
	    why) == 0 ? 1 : -1;
}

static int crawl_dir(ci_state *cs, const char *path, int depth);

static int
crawl_entry(ci_state *cs, const char *dir, const nm_ci_entry *e, int depth)
{
	char path[NM_CI_PATH_MAX + 64];
	int r;

	r = snprintf(path, sizeof(path), "%s%s", dir, e->resource);
	if (r < 0 || (size_t)r >= sizeof(path)) {
		cs->crawl_failed = true;
		return nm_run_add_result(cs->run, MP_CRITICAL, "EC2 tree: path "
		    "too long under %s", dir);
	}
	if (e->is_dir && depth + 1 >= NM_CI_MAX_DEPTH) {
		cs->crawl_failed = true;
		return nm_run_add_result(cs->run, MP_CRITICAL, "EC2 tree: %s is "
		    "deeper than %d levels", path, NM_CI_MAX_DEPTH);
	}
	if ((r = crawl_fetch(cs, path)) != 0)
		return r < 0 ? -1 : 0;
	if (e->is_dir)
		return crawl_dir(cs, path, depth + 1);
	cs->ec2_leaves++;
	return 0;
}

/* MetadataMaterializer._materialize: run->resp holds path's listing. */
static int
crawl_dir(ci_state *cs, const char *path, int depth)
{
	nm_run *run = cs->run;
	nm_ci_entries entries;
	size_t i;
	int r = -1;

	switch (nm_ci_entries_parse(run->resp.body.data, run->resp.body.len,
	    &entries)) {
	case NM_OK:
		break;
	case NM_ERR_NOT_TEXT:
		cs->crawl_failed = true;
		return nm_run_add_result(run, MP_CRITICAL, "EC2 tree: listing "
		    "%s is not UTF-8 text", path);
	case NM_ERR_MALFORMED:
		cs->crawl_failed = true;
		return nm_run_add_result(run, MP_CRITICAL, "EC2 tree: listing "
		    "%s has a line over %d bytes", path, NM_CI_PATH_MAX);
	default:
		return nm_run_nomem(run);
	}
	for (i = 0; i < entries.count && !run->stop && !cs->crawl_failed;
	    i++) {
		if (crawl_entry(cs, path, &entries.v[i], depth) != 0)
			goto out;
	}
	r = 0;
 out:
	nm_ci_entries_free(&entries);
	return r;
}

static int
ci_crawl(ci_state *cs)
{
	static const char top[] = "/latest/meta-data/";
	int r;

	if ((r = crawl_fetch(cs, top)) != 0)
		return r < 0 ? -1 : 0;
	if (crawl_dir(cs, top, 0) != 0)
		return -1;
	if (cs->crawl_failed || cs->run->stop)
		return 0;
	return nm_run_add_result(cs->run, MP_OK, "EC2 tree: %d values in %d "
	    "requests under %s", cs->ec2_leaves, cs->crawl_requests, top);
}

static int
add_time(mp_subcheck *sc, const char *label, double value)
{
	mp_perfdata pd = mp_perfdata_make(label, value, 6, "s");

	pd.has_min = true;
	pd.min = 0;
	return mp_subcheck_add_perfdata(sc, &pd);
}

/* After time and size (nm_run_check_time), in a fixed order; documents
 * not fetched show 0, so graphs keep their series. */
static int
ci_perfdata(const ci_state *cs)
{
	mp_subcheck *sc = NULL;
	mp_perfdata pd;
	int i;

	if (nm_run_check_time(cs->run, &sc) != 0)
		return -1;
	pd = mp_perfdata_make("requests", (double)cs->run->requests, 0, "");
	pd.has_min = true;
	pd.min = 0;
	if (mp_subcheck_add_perfdata(sc, &pd) != 0)
		return nm_run_nomem(cs->run);
	for (i = 0; i < N_DOCS; i++) {
		if (add_time(sc, docs[i].label, cs->doc_time[i]) != 0)
			return nm_run_nomem(cs->run);
	}
	if (add_time(sc, "ec2_time", cs->ec2_time) != 0)
		return nm_run_nomem(cs->run);
	return nm_vd_perfdata(cs->run, sc);
}

/* One document meta_data.json points at: 0 when read, 1 when cloud-init
 * stops here (recorded), -1 on internal failure. */
static int
content_fetch(ci_state *cs, const nm_ci_content *c)
{
	nm_run *run = cs->run;
	char why[256];
	int r;

	if (c->broken != NULL) {
		run->stop = 1;
		return nm_run_add_result(run, MP_CRITICAL, "meta_data.json's "
		    "%s cannot be read: %s; cloud-init stops", c->what,
		    c->broken) == 0 ? 1 : -1;
	}
	if ((r = nm_run_fetch(run, c->path)) != 0)
		return r;
	if (run->resp.status == 200 && (!c->text ||
	    nm_ci_is_text(run->resp.body.data, run->resp.body.len))) {
		cs->contents++;
		return 0;
	}
	run->stop = 1;
	if (run->resp.status == 200)
		return nm_run_add_result(run, MP_CRITICAL, "%s (meta_data."
		    "json's %s) is not UTF-8 text; cloud-init stops", c->path,
		    c->what) == 0 ? 1 : -1;
	nm_error_explanation(run->resp.body.data, run->resp.body.len, why,
	    sizeof(why));
	return nm_run_add_result(run, MP_CRITICAL, "HTTP %ld for %s (meta_"
	    "data.json's %s)%s%s; cloud-init stops with BrokenMetadata",
	    run->resp.status, c->path, c->what, why[0] != '\0' ? ": " : "",
	    why) == 0 ? 1 : -1;
}

/* What read_v2 does between the documents and the EC2 crawl: check
 * random_seed, then read every file and network_config meta_data.json
 * points at, each within the whole-run limit. */
static int
ci_content(ci_state *cs)
{
	nm_run *run = cs->run;
	nm_ci_contents list;
	char why[128];	/* one of b64_error()'s fixed phrases */
	size_t i;
	int r = -1;

	if (!nm_ci_random_seed_ok(cs->meta, why, sizeof(why))) {
		run->stop = 1;
		return nm_run_add_result(run, MP_CRITICAL, "meta_data.json's "
		    "%s; cloud-init stops with BrokenMetadata", why);
	}
	if (nm_ci_contents_list(cs->meta, &list) != NM_OK)
		return nm_run_nomem(run);
	for (i = 0; i < list.count && !run->stop; i++) {
		if (content_fetch(cs, &list.v[i]) < 0)
			goto out;
	}
	r = 0;
	if (run->stop)
		goto out;
	if (list.files > NM_CI_MAX_CONTENT)
		r = nm_run_add_result(run, MP_WARNING, "meta_data.json lists "
		    "%zu files; only the first %d are read", list.files,
		    NM_CI_MAX_CONTENT);
	else if (list.count > 0)
		r = nm_run_add_result(run, MP_OK, "%d documents meta_data.json "
		    "points at: all read", cs->contents);
 out:
	nm_ci_contents_free(&list);
	return r;
}

static int
ci_summary(const ci_state *cs)
{
	nm_run *run = cs->run;
	char files[32] = "";
	int r;

	if (cs->contents > 0) {
		r = snprintf(files, sizeof(files), "%d files, ", cs->contents);
		if (r < 0 || (size_t)r >= sizeof(files))
			return nm_run_fail(run, NM_ERR_SETUP, "snprintf failed");
	}
	/* No version is claimed when the list was never read. */
	if (nm_run_fact(run, "cloud-init profile, %s%s, %d/%d documents, "
	    "%s%d EC2 values, %d requests", cs->version != NULL ? "version " :
	    "no version chosen", cs->version != NULL ? cs->version : "",
	    cs->served, N_DOCS, files, cs->ec2_leaves, run->requests) != 0)
		return -1;
	return nm_vd_fact(run);
}

int
nm_cloudinit_run(nm_run *run)
{
	ci_state cs;
	int i, r = -1;

	memset(&cs, 0, sizeof(cs));
	cs.run = run;
	if (ci_wait(&cs) != 0)
		goto out;
	if (!run->stop && ci_versions(&cs) != 0)
		goto out;
	for (i = 0; i < N_DOCS && !run->stop; i++) {
		if (ci_document(&cs, i) != 0)
			goto out;
	}
	if (!run->stop && cs.meta != NULL && ci_content(&cs) != 0)
		goto out;
	if (!run->stop && ci_crawl(&cs) != 0)
		goto out;
	if (ci_summary(&cs) != 0)
		goto out;
	r = 0;
	if (!run->timed_out && run->responses > 0)
		r = ci_perfdata(&cs);
 out:
	json_decref(cs.meta);
	return r;
}
