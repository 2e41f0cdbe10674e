/* The EC2 mode (the default): the listing -u names, signed as the agent
 * signs it, with the keys -k wants, then each value -e expects. Built on
 * the run (run.h) and the pure listing parser (listing.h). */
#ifndef NM_MODE_EC2_H
#define NM_MODE_EC2_H

#include "run.h"

/* The whole mode on one run. 0, or -1 with run->err. */
int nm_ec2_run(nm_run *run);

#endif
