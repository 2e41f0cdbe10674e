#include "config.h"

#include <stdio.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "transport_http.h"
#include "core_config.h"
#include "cli_version.h"

int
nm_version_text(char *buf, size_t len)
{
	char curl[256];
	int r;

	if (nm_http_version_text(curl, sizeof(curl)) < 0)
		return -1;
	r = snprintf(buf, len, NM_PROGNAME " " PACKAGE_VERSION "\n"
	    "%s, %s, jansson %s\n", curl, OpenSSL_version(OPENSSL_VERSION),
#if JANSSON_VERSION_HEX >= 0x020d00
	    jansson_version_str()
#else
	    JANSSON_VERSION
#endif
	    );
	return r < 0 || (size_t)r >= len ? -1 : r;
}
