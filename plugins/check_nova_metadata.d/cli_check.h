/* The options taken together: what each needs of the others, what
 * excludes what, and the defaults that depend on several (the instance
 * view's address, one -H's port). Never prints, never exits. */
#ifndef NM_ARGS_CHECK_H
#define NM_ARGS_CHECK_H

#include "core_error.h"
#include "core_config.h"

/* NM_OK; NM_ERR_NOMEM; or NM_ERR_CONFIG with err's cause. */
nm_err nm_args_check(nm_config *cfg, nm_error *err);

#endif
