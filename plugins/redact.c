#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "redact.h"
#include "sign.h"

#define VARIANTS 3
#define INSTANCE_MAX 64

typedef struct {
	size_t len;
	char sig[NM_SIGNATURE_HEX_LEN + 1];
} variant;

static variant variants[VARIANTS];
static size_t nvariants;
static char instance_copy[INSTANCE_MAX + 1];

/* Adds one spelling of the secret unless an earlier one signs the same. */
static int
add_variant(const char *text, size_t len)
{
	variant v;
	size_t i;

	if (len == 0 || nvariants >= VARIANTS)
		return 0;
	v.len = len;
	if (nm_sign(text, len, instance_copy, v.sig) != 0)
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
	r = add_variant(scrubbed, len) != 0 || add_variant(json, n) != 0 ?
	    -1 : 0;
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
nm_redact_arm(const char *secret, size_t len, const char *instance)
{
	size_t n = strlen(instance);

	nm_redact_disarm();
	if (n > INSTANCE_MAX)
		return -1;
	memcpy(instance_copy, instance, n + 1);
	if (add_variant(secret, len) != 0 ||
	    add_printed_variants(secret, len) != 0) {
		nm_redact_disarm();
		return -1;
	}
	return 0;
}

static void
redact_variant(char *text, size_t n, const variant *v)
{
	char sig[NM_SIGNATURE_HEX_LEN + 1];
	size_t i;

	for (i = 0; v->len <= n && i <= n - v->len; i++) {
		if (nm_sign(text + i, v->len, instance_copy, sig) != 0 ||
		    strcmp(sig, v->sig) != 0)
			continue;
		memset(text + i, '*', v->len);
		i += v->len - 1;
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
