/* libFuzzer target: nova.conf as oslo.config reads it, through the ini
 * layer the plugin shares with --extra-opts. The input is split at NUL
 * bytes into up to three files, read in order (later ones override), as
 * repeated --nova-conf options are. Properties: a secret found is named
 * by one of the two keys and comes from one of the files; a failure has
 * a one-line cause that names a file, or the option when the file could
 * not be read (a path is not repeated then: it may be a pasted secret),
 * unless memory ran out. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "secret_novaconf.h"

#define MAX_FILES 3

static void
check_secret(const nm_novaconf_secret *s, size_t count)
{
	if (s->secret == NULL || s->file >= count || s->key == NULL ||
	    strlen(s->secret) != s->len ||
	    (strstr(s->key, NM_NOVACONF_KEY) == NULL &&
	    strstr(s->key, NM_NOVACONF_LEGACY_KEY) == NULL))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *paths[MAX_FILES];
	const uint8_t *p = data, *end = data + size, *nul;
	nm_novaconf_secret s;
	nm_error err = { NM_OK, NULL };
	size_t count = 0, n;

	while (count < MAX_FILES && (count == 0 || p < end)) {
		nul = memchr(p, '\0', (size_t)(end - p));
		n = count == MAX_FILES - 1 || nul == NULL ?
		    (size_t)(end - p) : (size_t)(nul - p);
		if ((paths[count] = fuzz_memfile(count, p, n)) == NULL)
			return 0;
		count++;
		p += n + (p + n < end);
	}
	memset(&s, 0, sizeof(s));
	if (nm_novaconf_load(paths, count, &s, &err) == NM_OK)
		check_secret(&s, count);
	else if (err.code == NM_ERR_NOMEM ? err.cause != NULL :
	    err.code != NM_ERR_CONFIG || err.cause == NULL ||
	    strchr(err.cause, '\n') != NULL ||
	    (strstr(err.cause, "/proc/self/fd/") == NULL &&
	    strncmp(err.cause, "--nova-conf: ", 13) != 0))
		abort();
	nm_novaconf_clear(&s);
	nm_error_clear(&err);
	return 0;
}
