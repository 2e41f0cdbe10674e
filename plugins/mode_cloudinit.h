/* The --cloud-init mode: cloud-init's boot requests in its order, made
 * on the run (run.h) and judged by the pure steps in cloudinit.h. */
#ifndef NM_MODE_CLOUDINIT_H
#define NM_MODE_CLOUDINIT_H

#include "run.h"

/* The whole mode on one run. 0, or -1 with run->err. */
int nm_cloudinit_run(nm_run *run);

#endif
