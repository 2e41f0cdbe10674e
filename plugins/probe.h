/* The 404 probe. Nova answers 404 for an unknown canary, for a tenant
 * that is not the canary's project, and for every signed request when
 * its [neutron] service_metadata_proxy is False (it then ignores the
 * headers and looks the caller up by address); the body is the same.
 * One more request with a deliberately wrong signature tells them
 * apart: with the proxy mode on Nova checks the signature first (403),
 * with it off it reads none of it (404 again). */
#ifndef NM_PROBE_H
#define NM_PROBE_H

#include <stdbool.h>

#include "run.h"

/* Whether the 404 in run->resp is worth a probe: this target signs its
 * requests, and it is the run's first answer (after a 200 Nova knows
 * the canary, and a later 404 is only a path it does not serve). */
bool nm_probe_wanted(const nm_run *run);

/* Probes path within the whole-run limit (counted in requests and time)
 * and records the 404 with what the probe found, CRITICAL; hint is added
 * to the canary's causes (", or -u names a path ..."). Ends the run.
 * 0 or -1. */
int nm_probe_404(nm_run *run, const char *path, const char *hint);

#endif
