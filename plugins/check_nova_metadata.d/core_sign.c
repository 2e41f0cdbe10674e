#include "config.h"

#include <limits.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>

#include "core_sign.h"
#include "core_wipe.h"

int
nm_crypto_init(void)
{
	/* The first initialisation decides whether the exit handler is
	 * registered; libcurl's later OPENSSL_init_ssl() keeps that. */
	return OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL) == 1 ? 0 : -1;
}

int
nm_sign(const void *key, size_t key_len, const char *message,
    char hex[NM_SIGNATURE_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	unsigned int i;
	int r = -1;

	hex[0] = '\0';
	if (key_len > (size_t)INT_MAX)
		goto out;
	if (HMAC(EVP_sha256(), key, (int)key_len,
	    (const unsigned char *)message, strlen(message),
	    mac, &mac_len) == NULL || mac_len * 2 != NM_SIGNATURE_HEX_LEN)
		goto out;
	for (i = 0; i < mac_len; i++) {
		hex[2 * i] = digits[mac[i] >> 4];
		hex[2 * i + 1] = digits[mac[i] & 0x0f];
	}
	hex[2 * mac_len] = '\0';
	r = 0;
 out:
	nm_wipe(mac, sizeof(mac));
	return r;
}

int
nm_sign_wrong(const char *sig, char out[NM_SIGNATURE_HEX_LEN + 1])
{
	size_t n = strlen(sig), i;
	char *last;

	out[0] = '\0';
	if (n != NM_SIGNATURE_HEX_LEN)
		return -1;
	for (i = 0; i < n; i++) {
		/* i < strlen: never the NUL that strchr would find */
		if (strchr("0123456789abcdef", sig[i]) == NULL)
			return -1;
	}
	memcpy(out, sig, n + 1);
	last = &out[n - 1];
	*last = *last == '0' ? '1' : '0';
	return 0;
}
