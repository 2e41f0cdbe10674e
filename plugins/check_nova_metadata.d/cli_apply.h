/* One option's value into the config: each value checked and stored,
 * or refused with a one-line cause that never quotes the value. Never
 * prints, never exits. */
#ifndef NM_ARGS_APPLY_H
#define NM_ARGS_APPLY_H

#include "core_error.h"
#include "core_config.h"

/* Applies option opt (getopt's value) with its value arg (NULL when
 * none). *keys_given is set by the first -k, which replaces the
 * default keys. NM_OK; NM_ERR_NOMEM (err untouched); or NM_ERR_CONFIG
 * with err's cause naming the option. */
nm_err nm_args_apply(nm_config *cfg, int opt, const char *arg,
    int *keys_given, nm_error *err);

/* Replaces the keys with meta_data.json's defaults (uuid, hostname),
 * for -O and --cloud-init without -k. 0, or -1 when out of memory. */
int nm_args_openstack_keys(nm_config *cfg);

#endif
