/* The shared secret: loaded from exactly one source, wiped after use. */
#ifndef NM_SECRET_H
#define NM_SECRET_H

#include <stddef.h>

#include "core_error.h"
#include "core_config.h"

#define NM_SECRET_MAX 4096

typedef struct {
	char *data;		/* NUL-terminated; never printed */
	size_t len;
	const char *source;	/* "--secret-file", "--nova-conf", env name */
	char *origin;		/* the file it came from, NULL for the environment */
	/* For -v, "; "-separated: file readable by others, a UTF-8 BOM
	 * dropped from a secret file, white space at either end kept. */
	char *warning;
} nm_secret;

#define NM_SECRET_ENV "NOVA_METADATA_SECRET"

/* Loads the secret per cfg: --secret-file, else --nova-conf, else the
 * environment. NM_OK, NM_ERR_NOMEM, or NM_ERR_CONFIG with err's cause
 * (one line, never containing the secret). */
nm_err nm_secret_load(const nm_config *cfg, nm_secret *out, nm_error *err);

/* Wipes and frees. */
void nm_secret_clear(nm_secret *s);

#endif
