/* The last guard of "the secret never appears in any output": once the
 * signature is made, every line printed is searched for the secret and
 * any copy of it is starred out, even one that reached the output as the
 * value of another option (-H, -T, -e, ...) or in a server's answer.
 *
 * The secret itself is not kept for this. A run of output bytes of the
 * secret's length that signs the canary to the same signature is the
 * secret; the signature is no secret (it is sent to Nova), so the
 * search keeps nothing that the request does not show anyway. */
#ifndef NM_REDACT_H
#define NM_REDACT_H

#include <stddef.h>
#include <stdint.h>

/* Arms the search while the secret is still at hand: the secret as it
 * is, as the output layer scrubs it, and as JSON escapes that. sig is
 * nm_sign(secret, len, instance) when the caller has it already, so it
 * is not computed twice; NULL computes it here. 0, or -1 on failure
 * (out of memory, libcrypto), when nothing is armed. */
int nm_redact_arm(const char *secret, size_t len, const char *instance,
    const char *sig);

/* Stars out every copy of the secret in text, in place; the length
 * stays. Nothing happens until armed. */
void nm_redact(char *text);

/* Forgets the lengths and signatures. */
void nm_redact_disarm(void);

/* a * b modulo 2^61 - 1 for a, b below 2^61: the search's rolling hash,
 * in 64-bit arithmetic only. Here for its unit test. */
uint64_t nm_redact_mulmod(uint64_t a, uint64_t b);

#endif
