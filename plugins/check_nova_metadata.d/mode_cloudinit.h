/* The --cloud-init mode: cloud-init's boot requests in its order, made
 * on the visit (step.h) and judged by the pure steps in parse_cloudinit.h. */
#ifndef NM_MODE_CLOUDINIT_H
#define NM_MODE_CLOUDINIT_H

#include "visit.h"

/* The whole mode on one visit: NM_OK or NM_ERR_ENDED (the result is the
 * sub-checks), NM_ERR_TIMEOUT, or the visit's own failure. */
nm_err nm_mode_cloudinit(nm_visit *visit);

#endif
