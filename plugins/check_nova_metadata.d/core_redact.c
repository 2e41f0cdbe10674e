#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "quote.h"
#include "core_redact.h"
#include "core_sign.h"
#include "core_wipe.h"

/* The secret as it is, scrubbed and JSON-escaped, each of the two
 * also with ';' as ',' (stdout's, mp_unsemicolon); and the same five of
 * the copy that a quote shortens to MP_QUOTE_MAX bytes. */
#define VARIANTS 10
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

/*
 * a * b modulo p = HASH_PRIME = 2^61 - 1, for a, b < 2^61, in 64-bit
 * arithmetic only (C99's uint64_t; no 128-bit type, which 32-bit
 * targets lack). Split each factor at bit 32: a = ah * 2^32 + al with
 * ah < 2^29, al < 2^32, and b likewise. Then
 *
 *   a * b = ah*bh * 2^64 + (ah*bl + al*bh) * 2^32 + al*bl
 *
 * and, as 2^61 = 1 modulo p, 2^64 = 8. Each part fits in 64 bits:
 *   - ah*bh < 2^58, so ah*bh * 8 < 2^61;
 *   - mid = ah*bl + al*bh < 2 * 2^61 = 2^62; split at bit 29,
 *     mid = mh * 2^29 + ml, and mid * 2^32 = mh * 2^61 + ml * 2^32
 *     = mh + ml * 2^32, with mh < 2^33 and ml * 2^32 < 2^61;
 *   - lo = al*bl < 2^64, and lo = (lo >> 61) * 2^61 + (lo & p)
 *     = (lo >> 61) + (lo & p), with lo >> 61 < 8 and lo & p < 2^61.
 * Their sum s is below 3 * 2^61 + 2^34 < 2^64: no overflow. Folding
 * it once more the same way, r = (s >> 61) + (s & p) <= 3 + p, so one
 * subtraction of p brings it below p.
 */
uint64_t
nm_redact_mulmod(uint64_t a, uint64_t b)
{
	const uint64_t low32 = UINT64_C(0xffffffff);
	uint64_t ah = a >> 32, al = a & low32, bh = b >> 32, bl = b & low32;
	uint64_t mid = ah * bl + al * bh, lo = al * bl, s, r;

	s = ((ah * bh) << 3) +
	    (mid >> 29) + ((mid & ((UINT64_C(1) << 29) - 1)) << 32) +
	    (lo >> 61) + (lo & HASH_PRIME);
	r = (s >> 61) + (s & HASH_PRIME);
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
		h = addmod(nm_redact_mulmod(h, HASH_BASE), (unsigned char)s[i]);
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
		v.top = nm_redact_mulmod(v.top, HASH_BASE);
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

/* text (len bytes, printed as is) and its JSON-escaped form, unless the
 * same as like (the spelling they were made from: its own variants are
 * added already). */
static int
add_spelling(const char *text, size_t len, const char *like)
{
	char *json;
	size_t i, n = 0;
	int r = -1;

	if ((json = malloc(2 * len + 1)) == NULL)
		return -1;
	for (i = 0; i < len; i++) {
		if (text[i] == '"' || text[i] == '\\')
			json[n++] = '\\';
		json[n++] = text[i];
	}
	/* A spelling the same as one added already would sign the same
	 * and be dropped: skipping it saves an HMAC, and most secrets need
	 * neither scrubbing nor escaping. */
	if (memcmp(text, like, len) != 0 && add_variant(text, len, NULL) != 0)
		goto out;
	if ((n != len || memcmp(json, text, len) != 0) &&
	    add_variant(json, n, NULL) != 0)
		goto out;
	r = 0;
 out:
	nm_wipe(json, 2 * len + 1);
	free(json);
	return r;
}

/* The scrubbed secret, with ';' as ',' too, and their JSON-escaped
 * forms: how the output layer would print it (the ';' stays in the -v
 * lines). A secret holding a NUL is looked for as it is only. */
static int
add_printed_variants(const char *secret, size_t len)
{
	char *scrubbed = NULL, *plain = NULL;
	int r = -1;

	if (memchr(secret, '\0', len) != NULL)
		return 0;
	if ((scrubbed = strndup(secret, len)) == NULL ||
	    (plain = strndup(secret, len)) == NULL)
		goto out;
	mp_scrub(scrubbed);
	memcpy(plain, scrubbed, len);
	mp_unsemicolon(plain);
	if (add_spelling(scrubbed, len, secret) != 0 ||
	    (memcmp(plain, scrubbed, len) != 0 &&
	    add_spelling(plain, len, scrubbed) != 0))
		goto out;
	r = 0;
 out:
	if (scrubbed != NULL)
		nm_wipe(scrubbed, len);
	if (plain != NULL)
		nm_wipe(plain, len);
	free(scrubbed);
	free(plain);
	return r;
}

/* How many bytes of s[0..len) mp_quote() keeps: whole UTF-8 characters
 * up to MP_QUOTE_MAX bytes. */
static size_t
quote_cut(const char *s, size_t len)
{
	size_t cut = 0, step;

	while (cut < len) {
		if ((step = mp_utf8_len(s + cut, len - cut)) == 0)
			step = 1;
		if (cut + step > MP_QUOTE_MAX)
			break;
		cut += step;
	}
	return cut;
}

/* A secret longer than a quote is shown cut, when pasted where a value
 * is quoted (-e): the cut copy is searched for as well. */
static int
add_cut_variants(const char *secret, size_t len)
{
	size_t cut;

	if (len <= MP_QUOTE_MAX || memchr(secret, '\0', len) != NULL)
		return 0;
	cut = quote_cut(secret, len);
	if (add_variant(secret, cut, NULL) != 0)
		return -1;
	return add_printed_variants(secret, cut);
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
	    add_printed_variants(secret, len) != 0 ||
	    add_cut_variants(secret, len) != 0) {
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
		h = addmod(h, HASH_PRIME -
		    nm_redact_mulmod((unsigned char)text[i], v->top));
		h = addmod(nm_redact_mulmod(h, HASH_BASE),
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
