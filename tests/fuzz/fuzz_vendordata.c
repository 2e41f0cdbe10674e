/* libFuzzer target: vendor_data2.json as a server sends it, through the
 * --vendordata-target judge. Properties: one verdict per target, or
 * exactly one for a document that is not a JSON object; each verdict's
 * text and key list are terminated, free of '|' and control characters
 * (they reach the output), and its state agrees with its kind. The
 * key list (only compared between backends, never printed) stays
 * within its buffer. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "parse_vendordata.h"

#define NTARGETS 4

static void
check_verdict(const nm_vd_verdict *v)
{
	if (memchr(v->text, '\0', sizeof(v->text)) == NULL ||
	    memchr(v->keys, '\0', sizeof(v->keys)) == NULL ||
	    !fuzz_clean_text(v->text) || v->text[0] == '\0')
		abort();
	if ((v->kind == NM_VD_OK) != (v->state == MP_OK) ||
	    (v->kind != NM_VD_OK && v->state != MP_CRITICAL))
		abort();
	/* A served target names its keys in the text it prints. */
	if (v->kind == NM_VD_OK && strstr(v->text, " served (") == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *names[NTARGETS] = { "join", "enrol", "a|b", "x" };
	nm_vd_verdict *vs = calloc(NTARGETS, sizeof(*vs));
	size_t i, n = 0;

	if (vs == NULL)
		return 0;
	if (nm_vd_judge((const char *)data, size, names, NTARGETS, vs,
	    &n) == NM_OK) {
		if (n != NTARGETS && !(n == 1 &&
		    vs[0].kind == NM_VD_BAD_DOCUMENT))
			abort();
		for (i = 0; i < n; i++)
			check_verdict(&vs[i]);
	}
	free(vs);
	return 0;
}
