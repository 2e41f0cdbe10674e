#include "config.h"

#include <string.h>

#include <openssl/crypto.h>

#include "core_wipe.h"

void
nm_wipe(void *p, size_t len)
{
	if (p == NULL || len == 0)
		return;
#ifdef HAVE_EXPLICIT_BZERO
	explicit_bzero(p, len);
#else
	OPENSSL_cleanse(p, len);
#endif
}
