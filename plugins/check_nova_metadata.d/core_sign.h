/* The neutron metadata agent's request signature. */
#ifndef NM_SIGN_H
#define NM_SIGN_H

#include <stddef.h>

#define NM_SIGNATURE_HEX_LEN 64

/* Initialises libcrypto before anything else does (libcurl), without
 * the exit handler that frees its tables: the process ends right after
 * and the kernel frees them faster. 0, or -1 when libcrypto fails. */
int nm_crypto_init(void);

/* hex = lower-case hex of HMAC-SHA256(key, message), NUL-terminated
 * (hex must hold NM_SIGNATURE_HEX_LEN + 1 bytes). Returns 0, or -1 when
 * libcrypto fails. */
int nm_sign(const void *key, size_t key_len, const char *message,
    char hex[NM_SIGNATURE_HEX_LEN + 1]);

/* The 404 probe's signature: sig (lower-case hex) with its last digit
 * changed, so Nova with the proxy mode on must refuse it, while it
 * tells nothing that sig does not (no secret is involved). 0, or -1
 * when sig is not NM_SIGNATURE_HEX_LEN hex digits. */
int nm_sign_wrong(const char *sig, char out[NM_SIGNATURE_HEX_LEN + 1]);

#endif
