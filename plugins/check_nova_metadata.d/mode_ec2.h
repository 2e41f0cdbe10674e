/* The EC2 mode (the default): the listing -u names, signed as the agent
 * signs it, with the keys -k wants, then each value -e expects. Built on
 * the visit's steps (step.h) and the pure listing parser (parse_listing.h). */
#ifndef NM_MODE_EC2_H
#define NM_MODE_EC2_H

#include "visit.h"

/* The whole mode on one visit: NM_OK or NM_ERR_ENDED (the result is the
 * sub-checks), NM_ERR_TIMEOUT, or the visit's own failure. */
nm_err nm_mode_ec2(nm_visit *visit);

#endif
