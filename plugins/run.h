/* One run of the check, shared by its modes (EC2 listing, OpenStack
 * meta_data.json, the cloud-init profile): the context a run accumulates
 * and the steps every mode takes the same way — fetch within the
 * whole-run limit, record a sub-check, explain a status, hold the time
 * against the thresholds. Internal to the plugin; never prints. */
#ifndef NM_RUN_H
#define NM_RUN_H

#include <stddef.h>
#include <time.h>

#include "http.h"
#include "nm_config.h"
#include "output.h"

typedef struct {
	const nm_config *cfg;
	const struct timespec *deadline;
	nm_http *http;
	mp_check *check;
	nm_response resp;	/* the last response */
	const char *main_path;	/* its status is already in facts */
	char subject[384];
	char facts[256];	/* "HTTP 200, 2/2 keys" */
	char problems[1024];	/* texts of the sub-checks that are not OK */
	double time;		/* sum of all requests */
	double tls_time;
	size_t bytes;
	int requests;		/* requests made, answered or not */
	int responses;		/* requests that got an HTTP answer */
	int stop;		/* a failure that ends the run early */
	int timed_out;		/* the result is the whole-run limit's */
} nm_run;

/* Appends to a NUL-terminated buffer; text that does not fit is cut.
 * 0, or -1 when cut. */
int nm_run_appendf(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Adds a sub-check with detail as its text; when it is not OK, brief
 * (or detail, when brief is NULL) also goes into the summary. 0 or -1. */
int nm_run_add_result2(nm_run *run, mp_state state, const char *brief,
    const char *detail);
int nm_run_add_result(nm_run *run, mp_state state, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* GETs path into run->resp within the whole-run limit; 0 when an HTTP
 * answer came (any status), 1 when the run must end (the transport
 * failure or the limit is recorded), -1 on internal failure with *cause. */
int nm_run_fetch(nm_run *run, const char *path, char **cause);

/* Records run->resp's status (not 200) for path as CRITICAL, in the
 * words an operator needs, and ends the run. 0 or -1. */
int nm_run_status_failure(nm_run *run, const char *path);

/* Holds run->time against -w/-c and attaches the time and size perfdata
 * (tls_time with -S); *sc (may be NULL) gets the sub-check, for a mode
 * that adds its own perfdata after these. 0 or -1. */
int nm_run_check_time(nm_run *run, mp_subcheck **sc);

#endif
