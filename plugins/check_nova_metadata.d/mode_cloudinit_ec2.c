/* The --cloud-init mode's Ec2 datasource profile (--cloud-init-profile
 * ec2): DataSourceEc2's wait, its version probes, user-data, then the
 * EC2 tree crawled as the OpenStack profile crawls it
 * (mode_cloudinit.c, through mode_cloudinit_int.h). */
#include "config.h"

#include <stdio.h>

#include "mode_cloudinit_int.h"
#include "mode_openstack.h"
#include "parse_listing.h"
#include "step.h"

/* DataSourceEc2's min_metadata_version and extended_metadata_versions,
 * the latter in the order get_metadata_api_version() probes them. */
#define EC2_MIN_VERSION "2009-04-04"
static const char *const ec2_probed[] = {
	"2021-03-23", "2018-09-24", "2016-09-02"
};
#define EC2_PROBES (sizeof(ec2_probed) / sizeof(ec2_probed[0]))

/* wait_for_metadata_service(): wait_for_url() on the oldest version's
 * instance-id wants 200 and a body, or the datasource is not found and
 * the instance boots without metadata. */
static nm_err
ec2_wait(ci_state *cs)
{
	static const char path[] = "/" EC2_MIN_VERSION "/meta-data/instance-id";
	nm_visit *visit = cs->visit;
	nm_err r;

	if ((r = nm_step_fetch(visit, path)) != NM_OK)
		return r;
	if (visit->resp.status != 200)
		return nm_step_status_failure(visit, path);
	if (visit->resp.body.len > 0)
		return NM_OK;
	return nm_visit_ended(nm_visit_result_brief(visit, MP_CRITICAL,
	    nm_visit_words("empty answer to %s", path), "empty answer to %s: "
	    "cloud-init's wait for the metadata service wants a body and "
	    "gives up on the Ec2 datasource", path));
}

/* One probe of get_metadata_api_version(): NM_OK with cs->version set
 * on a 200. Any other answer, or none, moves on to the next version;
 * a 404 is what Nova gives for versions it does not serve. */
static nm_err
ec2_probe(ci_state *cs, const char *version)
{
	nm_visit *visit = cs->visit;
	char path[64];
	nm_err e;
	int n;

	n = snprintf(path, sizeof(path), "/%s/meta-data/instance-id",
	    version);
	if (n < 0 || (size_t)n >= sizeof(path))
		return nm_visit_fail(visit, NM_ERR_SETUP, "probe path too "
		    "long");
	e = nm_visit_request(visit, path);
	if (e == NM_ERR_TIMEOUT || (e != NM_OK && !nm_visit_no_answer(e)))
		return e;
	if (e != NM_OK)
		return nm_visit_result_brief(visit, MP_WARNING, nm_visit_brief(
		    visit, path, 0, nm_visit_no_answer_class(visit, e)), "no "
		    "answer for %s: %s, cloud-init skips version %s", path,
		    nm_error_text(&visit->err), version);
	if (visit->resp.status == 200) {
		cs->version = version;
		return NM_OK;
	}
	if (visit->resp.status == 404)
		return NM_OK;
	return nm_visit_result(visit, MP_WARNING, NULL, "HTTP %ld for %s: "
	    "cloud-init skips version %s", visit->resp.status, path,
	    version);
}

static nm_err
ec2_versions(ci_state *cs)
{
	size_t i;
	nm_err e;

	for (i = 0; i < EC2_PROBES && cs->version == NULL; i++) {
		if ((e = ec2_probe(cs, ec2_probed[i])) != NM_OK)
			return e;
	}
	if (cs->version == NULL)
		cs->version = EC2_MIN_VERSION;
	return nm_visit_result(cs->visit, MP_OK, NULL, "cloud-init reads "
	    "EC2 version %s", cs->version);
}

/* get_instance_userdata(): a 404 is an instance without user data
 * (Nova's answer then); any other failure is retried and then dropped,
 * and the instance boots without the user data it was given. */
static nm_err
ec2_userdata(ci_state *cs)
{
	nm_visit *visit = cs->visit;
	char path[64], why[256];
	nm_err e;
	int n;

	n = snprintf(path, sizeof(path), "/%s/user-data", cs->version);
	if (n < 0 || (size_t)n >= sizeof(path))
		return nm_visit_fail(visit, NM_ERR_SETUP, "user-data path too "
		    "long");
	cs->asked++;
	e = nm_step_fetch(visit, path);
	cs->ud_time = visit->resp.t_total;
	if (e != NM_OK)
		return e;
	if (visit->resp.status == 200) {
		cs->served++;
		return nm_visit_result(visit, MP_OK, NULL, "user-data: HTTP "
		    "200, %zu bytes", visit->resp.body.len);
	}
	if (visit->resp.status == 404)
		return nm_visit_result(visit, MP_OK, NULL, "user-data: not "
		    "served (HTTP 404): the instance has none, which "
		    "cloud-init accepts");
	nm_error_explanation(visit->resp.body.data, visit->resp.body.len, why,
	    sizeof(why));
	return nm_visit_result_brief(visit, MP_CRITICAL, nm_visit_brief(visit,
	    path, visit->resp.status, nm_reason_of_status(visit->resp.status)),
	    "user-data: HTTP %ld for %s%s%s, cloud-init boots without it",
	    visit->resp.status,
	    path, why[0] != '\0' ? ": " : "", why);
}

/* -e keys the crawl never met: the tree's top has no such value. */
static nm_err
ec2_expects_seen(ci_state *cs)
{
	const nm_config *cfg = cs->visit->cfg;

	if (cs->crawl_over || cs->expect_seen >= cfg->expect_count)
		return NM_OK;
	return nm_visit_result(cs->visit, MP_CRITICAL, NULL, "%zu of the -e "
	    "keys are no top-level value of %s", cfg->expect_count -
	    cs->expect_seen, cs->top);
}

static nm_err
ec2_requests(ci_state *cs)
{
	char top[64];
	nm_err e;
	int n;

	if ((e = ec2_wait(cs)) != NM_OK || (e = ec2_versions(cs)) != NM_OK ||
	    (e = ec2_userdata(cs)) != NM_OK)
		return e;
	n = snprintf(top, sizeof(top), "/%s/meta-data/", cs->version);
	if (n < 0 || (size_t)n >= sizeof(top))
		return nm_visit_fail(cs->visit, NM_ERR_SETUP, "tree path too "
		    "long");
	cs->top = top;
	e = nm_mode_cloudinit_crawl(cs);
	if (e == NM_OK)
		e = ec2_expects_seen(cs);
	cs->top = NULL;	/* top is this frame's */
	/* The tree does not say whose it is: meta_data.json does (one
	 * request cloud-init does not make). */
	if (e == NM_OK && cs->visit->kind != NM_TARGET_NOVA)
		e = nm_mode_openstack_identity(cs->visit);
	return e;
}

static nm_err
ec2_summary(const ci_state *cs)
{
	nm_visit *visit = cs->visit;

	nm_err e;

	/* user-data: read, none (404, which cloud-init accepts), or never
	 * asked for: the visit ended first, and its cause leads. */
	if ((e = nm_visit_fact(visit, "cloud-init Ec2 profile, %s%s, "
	    "user-data %s, %d EC2 values, %d request%s", cs->version != NULL ?
	    "version " : "no version chosen", cs->version != NULL ?
	    cs->version : "", cs->served > 0 ? "read" : cs->asked > 0 ?
	    "none" : "not reached", cs->ec2_leaves, visit->requests,
	    visit->requests == 1 ? "" : "s")) != NM_OK)
		return e;
	/* As the EC2 mode says it. */
	if (visit->cfg->expect_count > 0)
		return nm_visit_fact(visit, ", %u/%zu values", cs->matched,
		    visit->cfg->expect_count);
	return NM_OK;
}

/* time, size, requests, user_data_time, ec2_time: fixed, 0 when not
 * reached. */
static nm_err
ec2_perfdata(const ci_state *cs)
{
	mp_subcheck *sc = NULL;
	mp_perfdata pd;
	nm_err r;

	if ((r = nm_visit_check_time(cs->visit, &sc)) != NM_OK)
		return r;
	pd = mp_perfdata_make("requests", (double)cs->visit->requests, 0, "");
	pd.has_min = true;
	pd.min = 0;
	if (mp_subcheck_add_perfdata(sc, &pd) != 0 ||
	    nm_mode_cloudinit_add_time(sc, "user_data_time",
	    cs->ud_time) != 0 ||
	    nm_mode_cloudinit_add_time(sc, "ec2_time", cs->ec2_time) != 0)
		return nm_visit_nomem(cs->visit);
	return NM_OK;
}

nm_err
nm_mode_cloudinit_ec2(ci_state *cs)
{
	nm_visit *visit = cs->visit;
	nm_err e, p;

	cs->ec2 = true;
	e = ec2_requests(cs);
	if (nm_visit_has_result(e) && ((p = ec2_summary(cs)) != NM_OK ||
	    (nm_visit_wants_perfdata(visit) &&
	    (p = ec2_perfdata(cs)) != NM_OK)))
		e = p;
	return e;
}
