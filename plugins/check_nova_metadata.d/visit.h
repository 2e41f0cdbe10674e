/* One visit of the check to one target (a backend, the agent's hop):
 * the state its mode accumulates and the bookkeeping every step does
 * the same way — a request within the whole-run limit, counted; a
 * sub-check or a fact recorded; the time held against the thresholds.
 * Internal to the plugin; never prints, and words no hop's failures
 * (step.h and the explain_*.h files do).
 *
 * Every function that can fail returns an nm_err, as core_error.h says for
 * a step: NM_OK, or the visit's own failure (NM_ERR_NOMEM,
 * NM_ERR_SETUP) with its cause in visit->err. */
#ifndef NM_VISIT_H
#define NM_VISIT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "dynbuf.h"
#include "core_error.h"
#include "core_reason.h"
#include "transport_http.h"
#include "core_config.h"
#include "output.h"
#include "visit_targets.h"

typedef struct {
	const nm_config *cfg;
	const struct timespec *deadline;
	long margin_ms;		/* requests end this long before it */
	int compare;		/* other backends' values are compared */
	bool series;		/* one of several targets: its perfdata
				 * comes whether or not it got an answer,
				 * so that each target's graph goes on */
	nm_http *http;		/* this target's own connection, used by
				 * its thread alone */
	mp_check *check;
	mp_subcheck *green_time;	/* the time's line in check when OK:
					 * a failed result hides it */
	nm_response resp;	/* the last response */
	const char *main_path;	/* its status is already in facts */
	char subject[384];	/* nm_check_subject()'s: bounded */
	dynbuf facts;		/* "HTTP 200, 2/2 keys" */
	dynbuf problems;	/* texts of the sub-checks that are not OK */
	size_t problem_count;	/* causes recorded: the summary names the
				 * first few (visit.c) */
	bool facts_cut;		/* full: ends in "...", takes no more */
	bool problems_cut;
	dynbuf served;		/* the checked values as served, to compare
				 * backends: "key=value" lines */
	nm_error err;		/* the cause of the last error a step
				 * returned: the visit's own failure, or
				 * the last request's transport error */
	nm_reason reason;	/* the class of the first failure recorded
				 * (nm_visit_reason), NM_REASON_NONE while
				 * none is */
	double time;		/* sum of all requests, answered or not */
	double tls_time;
	size_t bytes;
	long status;		/* the last answer's HTTP status, 0 while
				 * none came; the 404 probe's is not one */
	bool probing;		/* the request is the 404 probe's */
	int requests;		/* requests made, answered or not */
	int responses;		/* requests that got an HTTP answer */
	int signed_requests;	/* this target's requests carry the agent's
				 * signature: only those get the 404 probe */
	double vd_time;		/* the vendor_data2.json request's, for
				 * --vendordata-target (0: not reached) */
	int vd_judged;		/* vendor_data2.json was judged ... */
	size_t vd_ok;		/* ... and this many targets were served */
	/* who answers: any kind but Nova's picks the instance itself, so
	 * its answer must prove to be the canary's in every mode */
	nm_target_kind kind;
} nm_visit;

/* Sets up visit for cfg; subject starts its summary. NM_OK,
 * NM_ERR_SETUP or NM_ERR_NOMEM. */
nm_err nm_visit_init(nm_visit *visit, const nm_config *cfg,
    const struct timespec *deadline, const char *subject);
void nm_visit_free(nm_visit *visit);

/* Records why the visit cannot finish in visit->err; returns code, which
 * stands when the cause cannot be allocated (its name is the text). */
nm_err nm_visit_fail(nm_visit *visit, nm_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
nm_err nm_visit_nomem(nm_visit *visit);

/* NM_ERR_ENDED when recorded is NM_OK: a step that recorded why the
 * visit ends here ("return nm_visit_ended(nm_visit_result(...))"). */
nm_err nm_visit_ended(nm_err recorded);

/* Whether a mode's or step's e leaves the visit with a result of its
 * own, its sub-checks (NM_OK, NM_ERR_ENDED): else the whole-run limit's
 * (NM_ERR_TIMEOUT) or none (the visit's failure). */
bool nm_visit_has_result(nm_err e);

/* Whether nm_visit_request's e is the transport's (no answer, cause in
 * visit->err, not recorded yet) rather than the visit's own failure. */
bool nm_visit_no_answer(nm_err e);

/* Records r as why the target failed unless a failure was recorded
 * first: the first is the one that explains the rest. */
void nm_visit_reason(nm_visit *visit, nm_reason r);

/* The summary's words for a failure of path: the class alone for the
 * document that decides the check (visit->main_path: "refused", "HTTP
 * 403 signature rejected"), else with the path ("HTTP 500 server error
 * for PATH", "PATH refused"); status 0 when no answer came. Never the
 * server's or libcurl's words, which change from run to run and stay in
 * the long output. Malloc'd; NULL when it cannot be allocated. */
char *nm_visit_brief(const nm_visit *visit, const char *path, long status,
    nm_reason why);

/* The class of nm_visit_request's transport error e (no answer): the
 * transport's finer one when it has one. */
nm_reason nm_visit_no_answer_class(const nm_visit *visit, nm_err e);

/* A brief of the caller's own words for nm_visit_result: the printf-like
 * text, scrubbed, malloc'd; NULL on out of memory. */
char *nm_visit_words(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Appends to the summary's facts ("HTTP 200", ", 2/2 keys"). */
nm_err nm_visit_fact(nm_visit *visit, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Records a checked key's value as served (a listing, a -e value, a
 * meta_data.json value), to tell backends that disagree (only when
 * visit->compare). */
nm_err nm_visit_served(nm_visit *visit, const char *key, const char *value,
    size_t len);

/* Adds a sub-check with the printf-like text; when it is not OK, brief
 * (or the text, when brief is NULL) also goes into the summary. A text
 * that cannot be allocated leaves the sub-check with its state and a
 * fixed text: only a sub-check that cannot be added is NM_ERR_NOMEM. */
nm_err nm_visit_result(nm_visit *visit, mp_state state, const char *brief,
    const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* As nm_visit_result, with a malloc'd brief (nm_visit_brief,
 * nm_visit_words) that it frees; NULL (out of memory) gives the text. */
nm_err nm_visit_result_brief(nm_visit *visit, mp_state state, char *brief,
    const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* GETs path into visit->resp within the whole-run limit, counting it:
 * NM_OK when an HTTP answer came (any status); a transport error when
 * none did (nm_visit_no_answer: its cause in visit->err, not recorded;
 * NM_ERR_TOO_LARGE still counts the answer); NM_ERR_NOMEM or
 * NM_ERR_SETUP when the request could not be made. */
/* sum + seconds, both whole microseconds as libcurl measures them, as
 * the nearest double to a whole number of microseconds: a sum of many
 * requests reads 0.012981, not 0.012980999999999999. */
double nm_visit_add_seconds(double sum, double seconds);

nm_err nm_visit_request(nm_visit *visit, const char *path);

/* Milliseconds left before the whole-run limit (may be negative). */
long nm_visit_remaining_ms(const nm_visit *visit);

/* Whether a mode with a result of its own adds its perfdata: when an
 * answer came, and always for one of several targets. */
bool nm_visit_wants_perfdata(const nm_visit *visit);
/* Holds visit->time against -w/-c and attaches the time and size
 * perfdata (tls_time with -S); *sc (may be NULL) gets the sub-check, for
 * a mode that adds its own perfdata after these. A target that got no
 * answer (one of several, visit->series) has no time to judge: the
 * perfdata (the time until it failed, size 0) goes on its last sub-check,
 * the failure, and no fact or sub-check is added. */
nm_err nm_visit_check_time(nm_visit *visit, mp_subcheck **sc);
/* The time and size perfdata (tls_time with -S) on sc, unjudged: for a
 * target among several that the whole-run limit cut off. */
nm_err nm_visit_perfdata(nm_visit *visit, mp_subcheck *sc);

/* How many causes the summary does not name (it names the first few,
 * visit->problems). */
size_t nm_visit_causes_untold(const nm_visit *visit);

/* The summary: subject, causes, facts. A result that is not OK loses
 * its green time line (its perfdata stays): it is noise beside the
 * failure, unless the time itself is the failure. */
nm_err nm_visit_summary(nm_visit *visit);

#endif
