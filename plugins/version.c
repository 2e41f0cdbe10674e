#include "config.h"

#include <stdio.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "nm_config.h"
#include "version.h"

int
nm_version_text(char *buf, size_t len)
{
	const curl_version_info_data *curl = curl_version_info(CURLVERSION_NOW);
	int r;

	r = snprintf(buf, len, NM_PROGNAME " " PACKAGE_VERSION "\n"
	    "libcurl %s (%s), %s, jansson %s\n",
	    curl != NULL && curl->version != NULL ? curl->version : "?",
	    curl != NULL && curl->ssl_version != NULL ? curl->ssl_version :
	    "no TLS", OpenSSL_version(OPENSSL_VERSION),
#if JANSSON_VERSION_HEX >= 0x020d00
	    jansson_version_str()
#else
	    JANSSON_VERSION
#endif
	    );
	return r < 0 || (size_t)r >= len ? -1 : r;
}
