/* --vendordata-target on the run: vendor_data2.json fetched (EC2, -O)
 * or taken from cloud-init's own request, each target judged by the
 * pure validator (vendordata.h), its time in perfdata. Generic over the
 * target: only the run's requests, never the signature. */
#ifndef NM_MODE_VENDORDATA_H
#define NM_MODE_VENDORDATA_H

#include "run.h"

/* EC2 and -O: GET /openstack/VERSION/vendor_data2.json and judge it;
 * nothing without --vendordata-target or once the run stopped. 0 or -1. */
int nm_vd_run(nm_run *run, const char *version);

/* Judges vendor_data2.json as served (run->resp, status 200): one
 * sub-check per target, the key names for comparing backends, and
 * outside --cloud-init (whose summary says it at its end) the count in
 * the summary. 0 or -1. */
int nm_vd_record(nm_run *run);

/* ", 1/2 vendordata targets" in the summary, once judged. 0 or -1. */
int nm_vd_fact(nm_run *run);

/* vendor_data2.json at path came with another status (run->resp): what
 * that means for the targets, CRITICAL. 0 or -1. */
int nm_vd_status(nm_run *run, const char *path);

/* The label vendordata_time (run->vd_time; 0 when not reached) after
 * the mode's own, with --vendordata-target. 0 or -1. */
int nm_vd_perfdata(nm_run *run, mp_subcheck *sc);

#endif
