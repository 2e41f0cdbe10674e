/* The -O mode: /openstack/VERSION/meta_data.json, fetched on the visit
 * (step.h) and judged by the pure validator (parse_openstack.h); and the two
 * steps other modes take from it. */
#ifndef NM_MODE_OPENSTACK_H
#define NM_MODE_OPENSTACK_H

#include <jansson.h>

#include "visit.h"

/* Checks meta_data.json in visit->resp (status 200) against the config
 * and records the verdicts (and, in the -O mode, the keys and values
 * found in the summary); *kept gets the parsed document when cloud-init
 * could go on with it, else NULL (json_decref it). NM_OK, or the
 * visit's own failure. */
nm_err nm_mode_openstack_record(nm_visit *visit, const char *version,
    json_t **kept);

/* For a target that picks the instance itself (visit->kind is not
 * NM_TARGET_NOVA) in a mode that does not read meta_data.json anyway:
 * fetches /openstack/latest/meta_data.json and records whether it is
 * the canary's (nm_os_check_identity). An nm_err as for a step. */
nm_err nm_mode_openstack_identity(nm_visit *visit);

/* The -O mode: fetch /openstack/VERSION/meta_data.json and validate it.
 * NM_OK or NM_ERR_ENDED (the result is the sub-checks), NM_ERR_TIMEOUT,
 * or the visit's own failure. */
nm_err nm_mode_openstack(nm_visit *visit);

#endif
