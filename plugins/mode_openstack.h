/* The -O mode: /openstack/VERSION/meta_data.json, fetched on the run
 * (run.h) and judged by the pure validator (openstack.h). */
#ifndef NM_MODE_OPENSTACK_H
#define NM_MODE_OPENSTACK_H

#include <jansson.h>

#include "run.h"

/* Checks meta_data.json in run->resp (status 200) against the config
 * and records the verdicts (and, in the -O mode, the keys and values
 * found in the summary); *kept gets the parsed document when cloud-init
 * could go on with it, else NULL (json_decref it). 0 or -1 with
 * run->err. */
int nm_os_record(nm_run *run, const char *version, json_t **kept);

/* For a target that picks the instance itself (run->kind is not
 * NM_TARGET_NOVA) in a mode that does not read meta_data.json anyway:
 * fetches /openstack/latest/meta_data.json and records whether it is
 * the canary's (nm_os_check_identity). 0 or -1 with run->err. */
int nm_os_prove_identity(nm_run *run);

/* The -O mode: fetch /openstack/VERSION/meta_data.json and validate it.
 * 0, or -1 with run->err. */
int nm_openstack_run(nm_run *run);

#endif
