/* libFuzzer target: ranges from the command line and server text through
 * the output layer, which must never emit '|' or control characters
 * outside the perfdata separator. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *out = NULL, *cause = NULL, *nl;
	mp_check *c;
	mp_range r;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (mp_range_parse(text, &r, &cause) == 0)
		(void)mp_range_alerts(&r, 1.0);
	free(cause);
	if ((c = mp_check_new("FUZZ")) != NULL &&
	    mp_check_add(c, MP_CRITICAL, "%s", text) != NULL &&
	    mp_check_format(c, MP_FORMAT_CLASSIC, &out) == 0) {
		/* line 1 has no perfdata here, so no '|' anywhere */
		if (strchr(out, '|') != NULL)
			abort();
		nl = strchr(out, '\n');
		if (nl == NULL || strchr(nl + 1, '\n') != strrchr(out, '\n'))
			abort();
	}
	free(out);
	mp_check_free(c);
	free(text);
	return 0;
}
