/* One run of the check against one target, shared by its modes (EC2
 * listing, OpenStack meta_data.json, the cloud-init profile): the
 * context a run accumulates and the steps every mode takes the same way
 * — fetch within the whole-run limit, record a sub-check, explain a
 * status, hold the time against the thresholds. Internal to the plugin;
 * never prints.
 *
 * A step returns 0 when the run may go on (run->stop says whether it
 * should), or -1 when the run cannot finish; run->err then says why, as
 * an error of its own (out of memory is NM_ERR_NOMEM like any other). */
#ifndef NM_RUN_H
#define NM_RUN_H

#include <stddef.h>
#include <time.h>

#include "dynbuf.h"
#include "error.h"
#include "http.h"
#include "nm_config.h"
#include "output.h"
#include "targets.h"

typedef struct {
	const nm_config *cfg;
	const struct timespec *deadline;
	long margin_ms;		/* requests end this long before it */
	int compare;		/* other backends' values are compared */
	nm_http *http;		/* this target's own connection, used by
				 * its thread alone */
	mp_check *check;
	nm_response resp;	/* the last response */
	const char *main_path;	/* its status is already in facts */
	char subject[384];	/* nm_check_subject()'s: bounded */
	dynbuf facts;		/* "HTTP 200, 2/2 keys" */
	dynbuf problems;	/* texts of the sub-checks that are not OK */
	dynbuf served;		/* the checked values as served, to compare
				 * backends: "key=value" lines */
	nm_error err;		/* why a step returned -1 */
	double time;		/* sum of all requests, answered or not */
	double tls_time;
	size_t bytes;
	int requests;		/* requests made, answered or not */
	int responses;		/* requests that got an HTTP answer */
	int stop;		/* a failure that ends the run early */
	int signed_requests;	/* this target's requests carry the agent's
				 * signature: only those get the 404 probe */
	double vd_time;		/* the vendor_data2.json request's, for
				 * --vendordata-target (0: not reached) */
	int vd_judged;		/* vendor_data2.json was judged ... */
	size_t vd_ok;		/* ... and this many targets were served */
	int timed_out;		/* the whole-run limit ended the run */
	/* who answers: any kind but Nova's picks the instance itself, so
	 * its answer must prove to be the canary's in every mode */
	nm_target_kind kind;
} nm_run;

/* Sets up run for cfg; subject starts its summary. NM_OK or
 * NM_ERR_NOMEM. */
nm_err nm_run_init(nm_run *run, const nm_config *cfg,
    const struct timespec *deadline, const char *subject);
void nm_run_free(nm_run *run);

/* Records why the run cannot finish; returns -1. */
int nm_run_fail(nm_run *run, nm_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int nm_run_nomem(nm_run *run);

/* Appends to the summary's facts ("HTTP 200", ", 2/2 keys"). 0 or -1. */
int nm_run_fact(nm_run *run, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Records a checked key's value as served (a listing, a -e value, a
 * meta_data.json value), to tell backends that disagree (only when
 * run->compare). 0 or -1. */
int nm_run_served(nm_run *run, const char *key, const char *value,
    size_t len);

/* Adds a sub-check with detail as its text; when it is not OK, brief
 * (or detail, when brief is NULL) also goes into the summary. 0 or -1. */
int nm_run_add_result2(nm_run *run, mp_state state, const char *brief,
    const char *detail);
int nm_run_add_result(nm_run *run, mp_state state, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* GETs path into run->resp within the whole-run limit, counting it:
 * 0 when an HTTP answer came (any status), 1 when none came (the
 * transport error is in run->resp.err, not yet recorded), -1. */
int nm_run_request(nm_run *run, const char *path);

/* Records run->resp's transport error for path (CRITICAL, or the
 * whole-run limit) and ends the run. 0 or -1. */
int nm_run_transport_failure(nm_run *run, const char *path);

/* nm_run_request(), then a transport failure recorded: 0 when an HTTP
 * answer came (any status), 1 when the run must end, -1. */
int nm_run_fetch(nm_run *run, const char *path);

/* Milliseconds left before the whole-run limit (may be negative). */
long nm_run_remaining_ms(const nm_run *run);

/* Records run->resp's status (not 200) for path as CRITICAL, in the
 * words an operator needs, and ends the run. 0 or -1. */
int nm_run_status_failure(nm_run *run, const char *path);

/* Holds run->time against -w/-c and attaches the time and size perfdata
 * (tls_time with -S); *sc (may be NULL) gets the sub-check, for a mode
 * that adds its own perfdata after these. 0 or -1. */
int nm_run_check_time(nm_run *run, mp_subcheck **sc);

/* The summary: subject, facts, problems. 0 or -1. */
int nm_run_set_summary(nm_run *run);

#endif
