/* The shared secret from nova.conf, read as oslo.config reads it: later
 * files override earlier ones; [neutron] metadata_proxy_shared_secret,
 * else the legacy [DEFAULT] neutron_metadata_proxy_shared_secret. Never
 * prints, never exits, never puts the secret into a cause. */
#ifndef NM_NOVACONF_H
#define NM_NOVACONF_H

#include <stddef.h>
#include <sys/types.h>

#include "core_error.h"

#define NM_NOVACONF_GROUP "neutron"
#define NM_NOVACONF_KEY "metadata_proxy_shared_secret"
#define NM_NOVACONF_LEGACY_GROUP "DEFAULT"
#define NM_NOVACONF_LEGACY_KEY "neutron_metadata_proxy_shared_secret"

typedef struct {
	char *secret;		/* NUL-terminated; wiped by nm_novaconf_clear */
	size_t len;
	size_t file;		/* index into paths of the file that set it */
	const char *key;	/* "[neutron] metadata_proxy_shared_secret", ... */
	mode_t mode;		/* that file's mode */
} nm_novaconf_secret;

/* Reads paths[0..count) in order. 0 with *out set (an empty value is
 * returned as found: the caller decides): NM_OK; NM_ERR_NOMEM; or
 * NM_ERR_CONFIG with err's cause (one line naming the file, and the keys
 * when none holds the secret). */
nm_err nm_novaconf_load(const char *const *paths, size_t count,
    nm_novaconf_secret *out, nm_error *err);

void nm_novaconf_clear(nm_novaconf_secret *s);

#endif
