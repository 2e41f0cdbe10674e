/* libFuzzer target: the explanation taken from an error body (webob's
 * text/plain or HTML page, or anything a broken server sends) goes into
 * the first line, so it must never carry '|' or a control character,
 * and it must fit the buffer it was given. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "parse_listing.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t lens[] = { 1, 2, 16, 200, 1024 };
	char out[1024 + 1];
	size_t i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		out[lens[i]] = 'X';	/* must stay: the bound holds */
		memset(out, 'Y', lens[i]);
		nm_error_explanation((const char *)data, size, out, lens[i]);
		if (memchr(out, '\0', lens[i]) == NULL ||
		    out[lens[i]] != 'X' || !fuzz_clean_text(out))
			abort();
	}
	return 0;
}
