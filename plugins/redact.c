#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "redact.h"
#include "sign.h"
#include "wipe.h"

#define VARIANTS 3
#define INSTANCE_MAX 64
/* A rolling hash (Rabin-Karp, modulo the prime 2^61 - 1) picks the
 * windows worth an HMAC: signing every window of a -vvv --cloud-init run
 * cost 300 million instructions. The hash says no more about the secret
 * than the signature, which is sent on the wire. */
#define HASH_PRIME ((UINT64_C(1) << 61) - 1)
#define HASH_BASE UINT64_C(1000003)

typedef struct {
	size_t len;
	uint64_t hash;		/* of the spelling */
	uint64_t top;		/* HASH_BASE^(len - 1): what the first byte weighs */
	char sig[NM_SIGNATURE_HEX_LEN + 1];
} variant;

static variant variants[VARIANTS];
static size_t nvariants;
static char instance_copy[INSTANCE_MAX + 1];

static uint64_t
mulmod(uint64_t a, uint64_t b)
{
	unsigned __int128 p = (unsigned __int128)a * b;
	uint64_t lo = (uint64_t)(p & HASH_PRIME), hi = (uint64_t)(p >> 61);
	uint64_t r = lo + hi;	/* at most 2 * HASH_PRIME */

	if (r >= HASH_PRIME)
		r -= HASH_PRIME;
	return r >= HASH_PRIME ? r - HASH_PRIME : r;
}

static uint64_t
addmod(uint64_t a, uint64_t b)
{
	uint64_t r = a + b;

	return r >= HASH_PRIME ? r - HASH_PRIME : r;
}

/* hash(s[0..len)) = sum of s[i] * BASE^(len - 1 - i) */
static uint64_t
hash_bytes(const char *s, size_t len)
{
	uint64_t h = 0;
	size_t i;

	for (i = 0; i < len; i++)
		h = addmod(mulmod(h, HASH_BASE), (unsigned char)s[i]);
	return h;
}

/* Adds one spelling of the secret unless an earlier one signs the same;
 * sig is its signature when known, else NULL. */
static int
add_variant(const char *text, size_t len, const char *sig)
{
	variant v;
	size_t i;

	if (len == 0 || nvariants >= VARIANTS)
		return 0;
	v.len = len;
	v.hash = hash_bytes(text, len);
	v.top = 1;
	for (i = 1; i < len; i++)
		v.top = mulmod(v.top, HASH_BASE);
	if (sig != NULL)
		memcpy(v.sig, sig, sizeof(v.sig));
	else if (nm_sign(text, len, instance_copy, v.sig) != 0)
		return -1;
	for (i = 0; i < nvariants; i++) {
		if (variants[i].len == len &&
		    strcmp(variants[i].sig, v.sig) == 0)
			return 0;
	}
	variants[nvariants++] = v;
	return 0;
}

/* The scrubbed secret and its JSON-escaped form: how the output layer
 * would print it. A secret holding a NUL is looked for as it is only. */
static int
add_printed_variants(const char *secret, size_t len)
{
	char *scrubbed = NULL, *json = NULL;
	size_t i, n = 0;
	int r = -1;

	if (memchr(secret, '\0', len) != NULL)
		return 0;
	if ((scrubbed = strndup(secret, len)) == NULL ||
	    (json = malloc(2 * len + 1)) == NULL)
		goto out;
	mp_scrub(scrubbed);
	for (i = 0; i < len; i++) {
		if (scrubbed[i] == '"' || scrubbed[i] == '\\')
			json[n++] = '\\';
		json[n++] = scrubbed[i];
	}
	/* A spelling the same as one added already would sign the same
	 * and be dropped: skipping it saves an HMAC, and most secrets need
	 * neither scrubbing nor escaping. */
	if (memcmp(scrubbed, secret, len) != 0 &&
	    add_variant(scrubbed, len, NULL) != 0)
		goto out;
	if ((n != len || memcmp(json, scrubbed, len) != 0) &&
	    add_variant(json, n, NULL) != 0)
		goto out;
	r = 0;
 out:
	if (scrubbed != NULL)
		nm_wipe(scrubbed, len);
	if (json != NULL)
		nm_wipe(json, 2 * len + 1);
	free(scrubbed);
	free(json);
	return r;
}

int
nm_redact_arm(const char *secret, size_t len, const char *instance,
    const char *sig)
{
	size_t n = strlen(instance);

	nm_redact_disarm();
	if (n > INSTANCE_MAX)
		return -1;
	memcpy(instance_copy, instance, n + 1);
	if ((sig != NULL && strlen(sig) != NM_SIGNATURE_HEX_LEN) ||
	    add_variant(secret, len, sig) != 0 ||
	    add_printed_variants(secret, len) != 0) {
		nm_redact_disarm();
		return -1;
	}
	return 0;
}

/* Whether text[0..len) is the spelling v stands for. */
static bool
is_secret(const char *text, const variant *v)
{
	char sig[NM_SIGNATURE_HEX_LEN + 1];

	return nm_sign(text, v->len, instance_copy, sig) == 0 &&
	    strcmp(sig, v->sig) == 0;
}

static void
redact_variant(char *text, size_t n, const variant *v)
{
	uint64_t h;
	size_t i;

	if (v->len > n)
		return;
	h = hash_bytes(text, v->len);
	for (i = 0; ; i++) {
		if (h == v->hash && is_secret(text + i, v)) {
			memset(text + i, '*', v->len);
			/* Hash the stars on from here: a copy overlapping
			 * this one has lost its start and cannot match. */
			h = hash_bytes(text + i, v->len);
		}
		if (i + v->len >= n)
			break;
		/* drop text[i], take text[i + len] */
		h = addmod(h, HASH_PRIME - mulmod((unsigned char)text[i], v->top));
		h = addmod(mulmod(h, HASH_BASE),
		    (unsigned char)text[i + v->len]);
	}
}

void
nm_redact(char *text)
{
	size_t i, n;

	if (text == NULL || nvariants == 0)
		return;
	n = strlen(text);
	for (i = 0; i < nvariants; i++)
		redact_variant(text, n, &variants[i]);
}

void
nm_redact_disarm(void)
{
	nm_wipe(variants, sizeof(variants));
	nvariants = 0;
	instance_copy[0] = '\0';
}
