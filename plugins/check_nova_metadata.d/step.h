/* The steps every mode takes the same way on a visit (visit.h): a GET
 * whose failure to get an answer is recorded, and a status other than
 * 200 recorded in the words of the hop that answered (explain_nova.h,
 * explain_agent.h, explain_view.h), Nova's 404 told apart by the probe
 * (step_probe.h). Each returns an nm_err as core_error.h says for a step. */
#ifndef NM_STEP_H
#define NM_STEP_H

#include "visit.h"

/* GETs path (nm_visit_request): NM_OK when an HTTP answer came (any
 * status, in visit->resp); NM_ERR_ENDED when none came, recorded as a
 * sub-check; NM_ERR_TIMEOUT at the whole-run limit; or the visit's own
 * failure. */
nm_err nm_step_fetch(nm_visit *visit, const char *path);

/* Records why path got no answer (e, a transport error of
 * nm_visit_request, its cause in visit->err): NM_ERR_ENDED once
 * recorded (CRITICAL, or the state nm_err_state gives e),
 * NM_ERR_TIMEOUT for the whole-run limit (the check replaces the
 * result), or the visit's own failure. */
nm_err nm_step_no_answer(nm_visit *visit, const char *path, nm_err e);

/* Records visit->resp's status (not 200) for path as CRITICAL, in the
 * words an operator needs: NM_ERR_ENDED, or the visit's own failure.
 * For the main document the summary already shows the status; for any
 * other request the sub-check names both. */
nm_err nm_step_status_failure(nm_visit *visit, const char *path);

#endif
