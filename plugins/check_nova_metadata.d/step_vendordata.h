/* The vendordata step (--vendordata-target) on a visit of any mode:
 * vendor_data2.json fetched (EC2, -O) or taken from cloud-init's own
 * request, each target judged by the pure validator (parse_vendordata.h), its
 * time in perfdata. Generic over the target: only the visit's requests,
 * never the signature. Each returns an nm_err as core_error.h says for a
 * step. */
#ifndef NM_STEP_VENDORDATA_H
#define NM_STEP_VENDORDATA_H

#include "visit.h"

/* EC2 and -O: GET /openstack/VERSION/vendor_data2.json and judge it;
 * nothing without --vendordata-target. */
nm_err nm_step_vd_fetch(nm_visit *visit, const char *version);

/* Judges vendor_data2.json as served (visit->resp, status 200): one
 * sub-check per target, the key names for comparing backends, and
 * outside --cloud-init (whose summary says it at its end) the count in
 * the summary. */
nm_err nm_step_vd_record(nm_visit *visit);

/* ", 1/2 vendordata targets" in the summary, once judged. */
nm_err nm_step_vd_fact(nm_visit *visit);

/* vendor_data2.json at path came with another status (visit->resp):
 * what that means for the targets, CRITICAL. NM_ERR_ENDED, or the
 * visit's own failure. */
nm_err nm_step_vd_status(nm_visit *visit, const char *path);

/* The label vendordata_time (visit->vd_time; 0 when not reached) after
 * the mode's own, with --vendordata-target. */
nm_err nm_step_vd_perfdata(nm_visit *visit, mp_subcheck *sc);

#endif
