/* The check itself: fetch, validate, measure; the result is an mp_check
 * for the output layer. Never prints the result, never exits. */
#ifndef NM_CHECK_H
#define NM_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core_error.h"
#include "core_config.h"
#include "core_reason.h"
#include "visit_targets.h"
#include "output.h"

/* Runs the check for cfg on every backend it names (visit_targets.h), each on
 * a thread of its own with its own connection, signing with signature,
 * finishing before deadline (CLOCK_MONOTONIC); the results are merged
 * on the calling thread in -H order. One backend gives the
 * single-target result; several give each backend nested under the
 * result, the summary naming those not OK. Returns the result, or NULL
 * with err (the plugin's own error: out of memory, libcurl setup, a
 * thread that cannot be started), for main. Call it with libcurl's
 * global setup done (nm_http_global_init) and cfg, signature and the
 * secret's search (core_redact.h) no longer changing: the threads share
 * them, read-only. */
/* What one target of a run came to, for a format that wants figures
 * rather than words (Prometheus'): its name as its perfdata labels have
 * it, its kind, its state, the class of its failure, the status of the
 * last answer it got and its totals. */
typedef struct {
	char *name;
	nm_target_kind kind;
	mp_state state;
	nm_reason reason;	/* NM_REASON_NONE when OK */
	long status;		/* the last HTTP answer's, 0 when none came */
	double time;		/* seconds, all its requests */
	size_t bytes;
	int requests;
} nm_outcome;

/* Every target of a run, in -H order (the agent's hop first). */
typedef struct {
	nm_outcome *v;
	size_t count;
	bool disagree;		/* backends serve different values */
} nm_outcomes;

/* Runs the check; outcomes (may be NULL) gets each target's figures
 * when a result is returned (free them with nm_outcomes_free). */
mp_check *nm_check_run(const nm_config *cfg, const char *signature,
    const struct timespec *deadline, nm_outcomes *outcomes, nm_error *err);

void nm_outcomes_free(nm_outcomes *o);

/* The result for a run that hit the whole-run limit: main formats it
 * ahead of time for its alarm handler, the check uses it when libcurl
 * gives up at the deadline. NULL on out of memory. */
mp_check *nm_check_timeout_result(const nm_config *cfg);

/* The outcomes that go with it: every target timed out, in its state
 * for --timeout-result, known without resolving a name (none with
 * --all-addresses, whose Nova targets are the addresses resolved).
 * NM_OK, or NM_ERR_NOMEM with o empty. */
nm_err nm_check_timeout_outcomes(const nm_config *cfg, nm_outcomes *o,
    nm_error *err);

/* "canary 32d0524b on 127.0.0.1:8775" ("on 3 backends" with several),
 * the start of every summary. */
int nm_check_subject(const nm_config *cfg, char *buf, size_t len);

#endif
