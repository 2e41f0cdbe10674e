#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mode_cloudinit.h"
#include "mode_ec2.h"
#include "http.h"
#include "mode_openstack.h"
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
run_mode(void *arg)
{
	nm_run *run = arg;

	switch (run->cfg->mode) {
	case NM_MODE_OPENSTACK:
		return nm_openstack_run(run);
	case NM_MODE_CLOUD_INIT:
		return nm_cloudinit_run(run);
	default:
		return nm_ec2_run(run);
	}
}

/* The result of a finished run: its own, or the whole-run limit's,
 * which replaces it, summary included. */
static int
finish(nm_run *run, mp_check **out)
{
	if (!run->timed_out) {
		if (nm_run_set_summary(run) != 0)
			return -1;
		*out = run->check;
		run->check = NULL;
		return 0;
	}
	if ((*out = nm_check_timeout_result(run->cfg)) == NULL)
		return nm_run_nomem(run);
	return 0;
}

/* The target on the engine: its mode, start to end. */
static int
run_target(nm_run *run)
{
	void *arg = run;
	int result = -1;

	if (nm_engine_new(&run->engine, &run->err) != NM_OK)
		return -1;
	if (nm_engine_run(run->engine, 1, run_mode, &arg, &result,
	    &run->err) != NM_OK)
		result = -1;
	return result;
}

mp_check *
nm_check_run(const nm_config *cfg, const char *signature,
    const struct timespec *deadline, char **cause)
{
	char subject[384];
	nm_run run;
	mp_check *ret = NULL;
	nm_err e;

	*cause = NULL;
	e = nm_check_subject(cfg, subject, sizeof(subject)) != 0 ?
	    NM_ERR_SETUP : nm_run_init(&run, cfg, deadline, subject);
	if (e != NM_OK) {
		*cause = strdup(nm_err_name(e));
		return NULL;
	}
	if (nm_http_new(cfg, signature, &run.http, &run.err) != NM_OK ||
	    run_target(&run) != 0 || finish(&run, &ret) != 0) {
		/* Every failing step names its error; none is a bug. */
		if (run.err.code == NM_OK)
			(void)nm_error_set(&run.err, NM_ERR_SETUP, "internal "
			    "error: a step failed without saying why");
		*cause = strdup(nm_error_text(&run.err));
	}
	nm_http_free(run.http);
	nm_engine_free(run.engine);
	nm_run_free(&run);
	return ret;
}
