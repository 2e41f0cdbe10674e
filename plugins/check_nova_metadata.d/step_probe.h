/* The 404 probe, a step of its own. Nova answers 404 for an unknown
 * canary, for a tenant that is not the canary's project, and for every
 * signed request when its [neutron] service_metadata_proxy is False (it
 * then ignores the headers and looks the caller up by address); the body
 * is the same. One more request with a deliberately wrong signature
 * tells them apart: with the proxy mode on Nova checks the signature
 * first (403), with it off it reads none of it (404 again). */
#ifndef NM_STEP_PROBE_H
#define NM_STEP_PROBE_H

#include <stdbool.h>

#include "visit.h"

/* Whether the 404 in visit->resp is worth a probe: this target signs
 * its requests, and it is the visit's first answer (after a 200 Nova
 * knows the canary, and a later 404 is only a path it does not serve). */
bool nm_step_probe_wanted(const nm_visit *visit);

/* Probes path within the whole-run limit (counted in requests and time)
 * and records the 404 with what the probe found, CRITICAL (explain_nova.h
 * words it). NM_ERR_ENDED, or the visit's own failure: a probe that gets
 * no answer, the whole-run limit's included, is part of the verdict. */
nm_err nm_step_probe_404(nm_visit *visit, const char *path);

#endif
