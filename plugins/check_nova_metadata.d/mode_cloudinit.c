#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_cloudinit.h"
#include "parse_listing.h"
#include "mode_cloudinit.h"
#include "mode_cloudinit_int.h"
#include "mode_openstack.h"
#include "parse_openstack.h"
#include "step.h"
#include "step_vendordata.h"

/* ---- the profile -------------------------------------------------- */

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

/* DataSourceOpenStack.wait_for_metadata_service(): wait_for_url() on
 * <base>/openstack wants 200 and a body, or cloud-init gives up on the
 * datasource and the instance boots without metadata. read_v2 then asks
 * for the same list again (_fetch_available_versions); both requests
 * are made, as a booting instance makes them, and both are counted. */
static nm_err
ci_wait(ci_state *cs)
{
	nm_visit *visit = cs->visit;
	nm_err r;

	if ((r = nm_step_fetch(visit, "/openstack")) != NM_OK)
		return r;
	if (visit->resp.status != 200)
		return nm_step_status_failure(visit, "/openstack");
	if (visit->resp.body.len > 0)
		return NM_OK;
	return nm_visit_ended(nm_visit_result(visit, MP_CRITICAL,
	    "empty answer to /openstack", "empty answer to /openstack: "
	    "cloud-init's wait for the metadata service wants a body and "
	    "gives up on the OpenStack datasource"));
}

/* The second look at the list: cloud-init tolerates its failure, an
 * HTTP error or no answer at all, and asks for "latest", so a broken
 * list here only warns. The whole-run limit still ends the visit. */
static nm_err
ci_versions(ci_state *cs)
{
	nm_visit *visit = cs->visit;
	nm_err e = nm_visit_request(visit, "/openstack");

	/* The whole-run limit, or the visit's own failure. */
	if (e == NM_ERR_TIMEOUT || (e != NM_OK && !nm_visit_no_answer(e)))
		return e;
	cs->version = "latest";
	if (e != NM_OK)
		return nm_visit_result_brief(visit, MP_WARNING, nm_visit_words(
		    "/openstack the second time: %s", nm_reason_phrase(
		    nm_visit_no_answer_class(visit, e))), "no answer for /openstack the second time: %s, cloud-init "
		    "cannot list the versions and falls back to latest",
		    nm_error_text(&visit->err));
	if (visit->resp.status != 200)
		return nm_visit_result_brief(visit, MP_WARNING, nm_visit_words(
		    "HTTP %ld for /openstack the second time",
		    visit->resp.status), "HTTP %ld for /openstack the second "
		    "time: cloud-init cannot list the versions and falls back "
		    "to latest", visit->resp.status);
	cs->version = nm_ci_pick_version(visit->resp.body.data,
	    visit->resp.body.len);
	return nm_visit_result(visit, MP_OK, NULL, "/openstack lists %zu "
	    "versions, cloud-init reads %s", nm_ci_count_lines(
	    visit->resp.body.data, visit->resp.body.len), cs->version);
}

/* meta_data.json: the verdicts, and the document kept for what read_v2
 * checks after the others (random_seed, files, network_config). */
static nm_err
ci_meta(ci_state *cs)
{
	nm_err r;

	if ((r = nm_mode_openstack_record(cs->visit, cs->version,
	    &cs->meta)) != NM_OK)
		return r;
	/* Without a usable meta_data.json cloud-init gives up: its
	 * verdicts say why. */
	return cs->meta == NULL ? NM_ERR_ENDED : NM_OK;
}

/* A served document that is due as JSON must parse: cloud-init stops
 * with BrokenMetadata otherwise. */
static nm_err
ci_served(ci_state *cs, int i, const char *path)
{
	nm_visit *visit = cs->visit;
	json_t *doc = NULL;
	char why[384];	/* jansson's text is at most 160 bytes, the rest ours */
	nm_err r;

	cs->served++;
	if (i == DOC_META)
		return ci_meta(cs);
	if (!docs[i].json)
		return nm_visit_result(visit, MP_OK, NULL, "%s: HTTP 200, %zu "
		    "bytes", docs[i].name, visit->resp.body.len);
	switch (nm_os_parse(visit->resp.body.data, visit->resp.body.len,
	    NM_OS_ROOT_ANY, &doc, why, sizeof(why))) {
	case NM_OK:
		json_decref(doc);
		if ((r = nm_visit_result(visit, MP_OK, NULL, "%s: HTTP 200, "
		    "%zu bytes of JSON", docs[i].name,
		    visit->resp.body.len)) != NM_OK)
			return r;
		/* --vendordata-target: this request, not one more. */
		return i == DOC_VENDOR2 && visit->cfg->vd_target_count > 0 ?
		    nm_step_vd_record(visit) : NM_OK;
	case NM_ERR_NOMEM:
		return nm_visit_nomem(visit);
	default:
		return nm_visit_ended(nm_visit_result_brief(visit, MP_CRITICAL,
		    nm_visit_words("%s is %s", docs[i].name, why), "%s is %s "
		    "(%s), cloud-init stops with BrokenMetadata", docs[i].name,
		    why, path));
	}
}

/* A document that came with another status than 200. */
static nm_err
ci_not_served(ci_state *cs, int i, const char *path)
{
	nm_visit *visit = cs->visit;
	char why[256];	/* the server's explanation, "..." when longer */

	/* cloud-init may do without it; the targets' users may not. */
	if (i == DOC_VENDOR2 && visit->cfg->vd_target_count > 0)
		return nm_step_vd_status(visit, path);
	/* read_v2 stops when the one required document is missing. */
	if (docs[i].required)
		return nm_step_status_failure(visit, path);
	if (visit->resp.status == 404) {
		cs->absent[i] = true;
		return nm_visit_result(visit, MP_OK, NULL, "%s: not served "
		    "(HTTP 404), which cloud-init accepts", docs[i].name);
	}
	nm_error_explanation(visit->resp.body.data, visit->resp.body.len, why,
	    sizeof(why));
	return nm_visit_result_brief(visit, MP_CRITICAL, nm_visit_brief(visit,
	    path, visit->resp.status, nm_reason_of_status(visit->resp.status)),
	    "%s: HTTP %ld for %s%s%s, cloud-init boots without it", docs[i].name,
	    visit->resp.status, path, why[0] != '\0' ? ": " : "", why);
}

static nm_err
ci_document(ci_state *cs, int i)
{
	nm_visit *visit = cs->visit;
	/* one of cloud-init's versions and documents */
	char path[256];
	nm_err e;
	int r;

	r = snprintf(path, sizeof(path), "/openstack/%s/%s", cs->version,
	    docs[i].name);
	if (r < 0 || (size_t)r >= sizeof(path))
		return nm_visit_fail(visit, NM_ERR_SETUP, "document path too "
		    "long");
	cs->asked++;
	e = nm_step_fetch(visit, path);
	cs->doc_time[i] = visit->resp.t_total;
	if (i == DOC_VENDOR2)
		visit->vd_time = visit->resp.t_total;
	if (e != NM_OK)
		return e;
	if (visit->resp.status == 200)
		return ci_served(cs, i, path);
	return ci_not_served(cs, i, path);
}

/* A failing entry of the EC2 tree: cloud-init retries it (about 5 s),
 * then ec2_utils drops the whole tree. The OpenStack datasource boots
 * on without it; for the Ec2 datasource the tree is the metadata. */
static mp_state
crawl_state(const ci_state *cs)
{
	return cs->ec2 ? MP_CRITICAL : MP_WARNING;
}

static const char *
crawl_loss(const ci_state *cs)
{
	return cs->ec2 ? "the Ec2 datasource gets no meta-data: no "
	    "instance-id, no public keys" : "cloud-init retries, then boots "
	    "without the EC2 data";
}

/* The crawl ends here, the visit goes on: records why. */
static nm_err
crawl_over(ci_state *cs, nm_err recorded)
{
	cs->crawl_over = true;
	return recorded;
}

/* One request of the EC2 crawl: NM_OK for a 200, or with cs->crawl_over
 * when the crawl ends here (recorded); else the visit's end. */
static nm_err
crawl_fetch(ci_state *cs, const char *path)
{
	nm_visit *visit = cs->visit;
	char why[256];
	nm_err e;

	if (cs->crawl_requests >= NM_CI_MAX_REQUESTS)
		return crawl_over(cs, nm_visit_result(visit, MP_CRITICAL, NULL,
		    "EC2 tree: stopped after %d requests at %s (a loop in the "
		    "tree?)", NM_CI_MAX_REQUESTS, path));
	cs->crawl_requests++;
	e = nm_visit_request(visit, path);
	cs->ec2_time = nm_visit_add_seconds(cs->ec2_time,
	    visit->resp.t_total);
	/* No answer at all is one more failure cloud-init retries and
	 * works around under the OpenStack datasource; the whole-run limit
	 * and a body over the cap are the check's own. */
	if (nm_visit_no_answer(e) && e != NM_ERR_TIMEOUT &&
	    e != NM_ERR_TOO_LARGE && !cs->ec2)
		return crawl_over(cs, nm_visit_result_brief(visit, MP_WARNING,
		    nm_visit_brief(visit, path, 0, nm_visit_no_answer_class(
		    visit, e)), "EC2 tree: no answer for %s: %s, %s", path,
		    nm_error_text(&visit->err), crawl_loss(cs)));
	if (nm_visit_no_answer(e))
		return nm_step_no_answer(visit, path, e);
	if (e != NM_OK || visit->resp.status == 200)
		return e;
	nm_error_explanation(visit->resp.body.data, visit->resp.body.len, why,
	    sizeof(why));
	return crawl_over(cs, nm_visit_result_brief(visit, crawl_state(cs),
	    nm_visit_brief(visit, path, visit->resp.status,
	    nm_reason_of_status(visit->resp.status)),
	    "EC2 tree: HTTP %ld for %s%s%s%s, %s", visit->resp.status, path,
	    cs->crawl_requests > 1 ? " (listed in its directory)" : "",
	    why[0] != '\0' ? ": " : "", why, crawl_loss(cs)));
}

static nm_err crawl_dir(ci_state *cs, const char *path, int depth);

static const char *
text_or_lost(const char *text)
{
	return text != NULL ? text : "(lost: out of memory)";
}

/* The Ec2 profile's -k: each key among the top listing's names. */
static nm_err
ec2_keys(ci_state *cs, const nm_ci_entries *entries)
{
	const nm_config *cfg = cs->visit->cfg;
	size_t i, j;
	nm_err r;

	for (i = 0; i < cfg->key_count; i++) {
		for (j = 0; j < entries->count; j++) {
			if (strcmp(entries->v[j].name, cfg->keys[i]) == 0)
				break;
		}
		r = j < entries->count ? nm_visit_result(cs->visit, MP_OK,
		    NULL, "%s listed in %s", cfg->keys[i], cs->top) :
		    nm_visit_result(cs->visit, MP_CRITICAL, NULL, "%s not "
		    "listed in %s", cfg->keys[i], cs->top);
		if (r != NM_OK)
			return r;
	}
	return NM_OK;
}

/* A -k or -e key, whose value backends are compared on. */
static bool
ec2_checked(const nm_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->key_count; i++) {
		if (strcmp(cfg->keys[i], name) == 0)
			return true;
	}
	for (i = 0; i < cfg->expect_count; i++) {
		if (strcmp(cfg->expects[i].key, name) == 0)
			return true;
	}
	return false;
}

/* One -e of the Ec2 profile against the value in data[0..n). */
static nm_err
ec2_compare(ci_state *cs, const nm_expect *e, const char *data, size_t n)
{
	char *want, *got;
	nm_err r;

	want = mp_quote(e->value, strlen(e->value));
	got = mp_quote(data, n);
	if (n == strlen(e->value) && memcmp(data, e->value, n) == 0) {
		cs->matched++;
		r = nm_visit_result(cs->visit, MP_OK, NULL, "%s is %s as "
		    "expected", e->key, text_or_lost(want));
	} else
		r = nm_visit_result(cs->visit, MP_CRITICAL, NULL, "%s is %s, "
		    "expected %s", e->key, text_or_lost(got),
		    text_or_lost(want));
	free(want);
	free(got);
	return r;
}

/* The Ec2 profile's top-level value NAME, which the crawl just fetched
 * into visit->resp: recorded for comparing backends when -k or -e names
 * it, and held against -e. Without the one line end a proxy may add. */
static nm_err
ec2_expect(ci_state *cs, const char *name)
{
	nm_visit *visit = cs->visit;
	const nm_config *cfg = visit->cfg;
	const char *data = visit->resp.body.data != NULL ?
	    visit->resp.body.data : "";
	size_t i, n = visit->resp.body.len;
	nm_err r = NM_OK;

	if (n > 0 && data[n - 1] == '\n')
		n--;
	if (n > 0 && data[n - 1] == '\r')
		n--;
	if (ec2_checked(cfg, name) && (r = nm_visit_served(visit, name, data,
	    n)) != NM_OK)
		return r;
	for (i = 0; i < cfg->expect_count && r == NM_OK; i++) {
		if (strcmp(cfg->expects[i].key, name) != 0)
			continue;
		cs->expect_seen++;
		r = ec2_compare(cs, &cfg->expects[i], data, n);
	}
	return r;
}

static nm_err
crawl_entry(ci_state *cs, const char *dir, const nm_ci_entry *e, int depth)
{
	char path[NM_CI_PATH_MAX + 64];
	nm_err r;
	int n;

	n = snprintf(path, sizeof(path), "%s%s", dir, e->resource);
	if (n < 0 || (size_t)n >= sizeof(path))
		return crawl_over(cs, nm_visit_result(cs->visit, MP_CRITICAL,
		    NULL, "EC2 tree: path too long under %s", dir));
	if (e->is_dir && depth + 1 >= NM_CI_MAX_DEPTH)
		return crawl_over(cs, nm_visit_result(cs->visit, MP_CRITICAL,
		    NULL, "EC2 tree: %s is deeper than %d levels", path,
		    NM_CI_MAX_DEPTH));
	if ((r = crawl_fetch(cs, path)) != NM_OK || cs->crawl_over)
		return r;
	if (e->is_dir)
		return crawl_dir(cs, path, depth + 1);
	cs->ec2_leaves++;
	return cs->ec2 && depth == 0 ? ec2_expect(cs, e->name) : NM_OK;
}

/* MetadataMaterializer._materialize: visit->resp holds path's listing. */
static nm_err
crawl_dir(ci_state *cs, const char *path, int depth)
{
	nm_visit *visit = cs->visit;
	nm_ci_entries entries;
	size_t i;
	nm_err r;

	switch (nm_ci_entries_parse(visit->resp.body.data,
	    visit->resp.body.len, &entries)) {
	case NM_OK:
		break;
	case NM_ERR_NOT_TEXT:
		return crawl_over(cs, nm_visit_result_brief(visit,
		    crawl_state(cs), nm_visit_words("EC2 tree: listing %s is "
		    "not UTF-8 text", path), "EC2 tree: listing %s is not UTF-8 "
		    "text, %s", path,
		    crawl_loss(cs)));
	case NM_ERR_MALFORMED:
		return crawl_over(cs, nm_visit_result(visit, MP_CRITICAL, NULL,
		    "EC2 tree: listing %s has a line over %d bytes", path,
		    NM_CI_PATH_MAX));
	default:
		return nm_visit_nomem(visit);
	}
	r = cs->ec2 && depth == 0 ? ec2_keys(cs, &entries) : NM_OK;
	for (i = 0; i < entries.count && r == NM_OK && !cs->crawl_over; i++)
		r = crawl_entry(cs, path, &entries.v[i], depth);
	nm_ci_entries_free(&entries);
	return r;
}

/* The EC2 tree, as cloud-init's crawl walks it: NM_OK when the walk is
 * done, whole or ended early (recorded); else the visit's end. */
nm_err
nm_mode_cloudinit_crawl(ci_state *cs)
{
	const char *top = cs->top;
	nm_err r;

	if ((r = crawl_fetch(cs, top)) != NM_OK || cs->crawl_over)
		return r;
	if ((r = crawl_dir(cs, top, 0)) != NM_OK || cs->crawl_over)
		return r;
	return nm_visit_result(cs->visit, MP_OK, NULL, "EC2 tree: %d values "
	    "in %d requests under %s", cs->ec2_leaves, cs->crawl_requests,
	    top);
}

int
nm_mode_cloudinit_add_time(mp_subcheck *sc, const char *label,
    double value)
{
	mp_perfdata pd = mp_perfdata_make(label, value, 6, "s");

	pd.has_min = true;
	pd.min = 0;
	return mp_subcheck_add_perfdata(sc, &pd);
}

/* After time and size (nm_visit_check_time), in a fixed order; documents
 * not fetched show 0, so graphs keep their series. */
static nm_err
ci_perfdata(const ci_state *cs)
{
	mp_subcheck *sc = NULL;
	mp_perfdata pd;
	nm_err r;
	int i;

	if ((r = nm_visit_check_time(cs->visit, &sc)) != NM_OK)
		return r;
	pd = mp_perfdata_make("requests", (double)cs->visit->requests, 0, "");
	pd.has_min = true;
	pd.min = 0;
	if (mp_subcheck_add_perfdata(sc, &pd) != 0)
		return nm_visit_nomem(cs->visit);
	for (i = 0; i < N_DOCS; i++) {
		if (nm_mode_cloudinit_add_time(sc, docs[i].label,
		    cs->doc_time[i]) != 0)
			return nm_visit_nomem(cs->visit);
	}
	if (nm_mode_cloudinit_add_time(sc, "ec2_time", cs->ec2_time) != 0)
		return nm_visit_nomem(cs->visit);
	return nm_step_vd_perfdata(cs->visit, sc);
}

/* One document meta_data.json points at: NM_OK when read, NM_ERR_ENDED
 * when cloud-init stops here (recorded), or the visit's own failure. */
static nm_err
content_fetch(ci_state *cs, const nm_ci_content *c)
{
	nm_visit *visit = cs->visit;
	char why[256];
	nm_err e;

	if (c->broken != NULL)
		return nm_visit_ended(nm_visit_result_brief(visit, MP_CRITICAL,
		    nm_visit_words("meta_data.json's %s cannot be read: %s",
		    c->what, c->broken), "meta_data.json's %s cannot be read: "
		    "%s, cloud-init stops", c->what, c->broken));
	if ((e = nm_step_fetch(visit, c->path)) != NM_OK)
		return e;
	if (visit->resp.status == 200 && (!c->text ||
	    nm_ci_is_text(visit->resp.body.data, visit->resp.body.len))) {
		cs->contents++;
		return NM_OK;
	}
	if (visit->resp.status == 200)
		return nm_visit_ended(nm_visit_result_brief(visit, MP_CRITICAL,
		    nm_visit_words("%s (meta_data.json's %s) is not UTF-8 text",
		    c->path, c->what), "%s (meta_data.json's %s) is not UTF-8 "
		    "text, cloud-init stops", c->path, c->what));
	nm_error_explanation(visit->resp.body.data, visit->resp.body.len, why,
	    sizeof(why));
	return nm_visit_ended(nm_visit_result_brief(visit, MP_CRITICAL,
	    nm_visit_brief(visit, c->path, visit->resp.status,
	    nm_reason_of_status(visit->resp.status)),
	    "HTTP %ld for %s (meta_data.json's %s)%s%s, cloud-init stops with "
	    "BrokenMetadata", visit->resp.status, c->path, c->what,
	    why[0] != '\0' ? ": " : "", why));
}

/* What read_v2 does between the documents and the EC2 crawl: check
 * random_seed, then read every file and network_config meta_data.json
 * points at, each within the whole-run limit. */
static nm_err
ci_content(ci_state *cs)
{
	nm_visit *visit = cs->visit;
	nm_ci_contents list;
	char why[128];	/* one of b64_error()'s fixed phrases */
	size_t i;
	nm_err r = NM_OK;

	if (!nm_ci_random_seed_ok(cs->meta, why, sizeof(why)))
		return nm_visit_ended(nm_visit_result_brief(visit, MP_CRITICAL,
		    nm_visit_words("meta_data.json's %s", why), "meta_data.json's "
		    "%s, cloud-init stops with BrokenMetadata", why));
	if (nm_ci_contents_list(cs->meta, &list) != NM_OK)
		return nm_visit_nomem(visit);
	for (i = 0; i < list.count && r == NM_OK; i++)
		r = content_fetch(cs, &list.v[i]);
	if (r != NM_OK)
		goto out;
	if (list.files > NM_CI_MAX_CONTENT)
		r = nm_visit_result(visit, MP_WARNING, NULL, "meta_data.json "
		    "lists %zu files, only the first %d are read", list.files,
		    NM_CI_MAX_CONTENT);
	else if (list.count > 0)
		r = nm_visit_result(visit, MP_OK, NULL, "%d documents "
		    "meta_data.json points at: all read", cs->contents);
 out:
	nm_ci_contents_free(&list);
	return r;
}

/* The documents in the summary: each optional one not served named
 * ("user_data: none": an instance without user data is normal, and
 * cloud-init boots on), rather than a fraction that reads as a partial
 * failure; a count only when some were never asked for (the visit ended
 * first, and its cause leads the summary). One that failed otherwise is
 * that cause already. */
static nm_err
ci_documents_fact(const ci_state *cs)
{
	int i;
	nm_err e;

	if (cs->served == N_DOCS)
		return nm_visit_fact(cs->visit, ", all %d documents", N_DOCS);
	for (i = 0; i < N_DOCS; i++) {
		if (cs->absent[i] && (e = nm_visit_fact(cs->visit, ", %s: none",
		    docs[i].name)) != NM_OK)
			return e;
	}
	if (cs->asked < N_DOCS)
		return nm_visit_fact(cs->visit, ", %d/%d documents",
		    cs->served, N_DOCS);
	return NM_OK;
}

static nm_err
ci_summary(const ci_state *cs)
{
	nm_visit *visit = cs->visit;
	nm_err e;

	/* No version is claimed when the list was never read. */
	if ((e = nm_visit_fact(visit, "cloud-init profile, %s%s",
	    cs->version != NULL ? "version " : "no version chosen",
	    cs->version != NULL ? cs->version : "")) != NM_OK ||
	    (e = ci_documents_fact(cs)) != NM_OK)
		return e;
	if (cs->contents > 0 && (e = nm_visit_fact(visit, ", %d files",
	    cs->contents)) != NM_OK)
		return e;
	if ((e = nm_visit_fact(visit, ", %d EC2 values, %d request%s",
	    cs->ec2_leaves, visit->requests, visit->requests == 1 ? "" :
	    "s")) != NM_OK)
		return e;
	return nm_step_vd_fact(visit);
}

/* cloud-init's requests in its order, until one ends the visit. */
static nm_err
ci_requests(ci_state *cs)
{
	nm_err e;
	int i;

	if ((e = ci_wait(cs)) != NM_OK || (e = ci_versions(cs)) != NM_OK)
		return e;
	for (i = 0; i < N_DOCS; i++) {
		if ((e = ci_document(cs, i)) != NM_OK)
			return e;
	}
	if (cs->meta != NULL && (e = ci_content(cs)) != NM_OK)
		return e;
	return nm_mode_cloudinit_crawl(cs);
}

nm_err
nm_mode_cloudinit(nm_visit *visit)
{
	ci_state cs;
	nm_err e, p;

	memset(&cs, 0, sizeof(cs));
	cs.visit = visit;
	if (visit->cfg->ci_profile == NM_CI_EC2)
		return nm_mode_cloudinit_ec2(&cs);
	cs.top = "/latest/meta-data/";
	e = ci_requests(&cs);
	/* The summary and perfdata whenever the result is the visit's. */
	if (nm_visit_has_result(e) && ((p = ci_summary(&cs)) != NM_OK ||
	    (nm_visit_wants_perfdata(visit) &&
	    (p = ci_perfdata(&cs)) != NM_OK)))
		e = p;
	json_decref(cs.meta);
	return e;
}
