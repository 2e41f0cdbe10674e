/* libFuzzer target: the EC2 listing parser takes any bytes a server sends.
 * An accepted listing holds only key names: no line breaks, no NUL, no
 * '|' that could reach the output, and no empty entry. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "parse_listing.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nm_listing l = { 0 };
	nm_error err = { NM_OK, NULL };
	char dir[260];
	size_t i;
	int r;

	if (nm_listing_parse((const char *)data, size, &l, &err) ==
	    NM_OK) {
		for (i = 0; i < l.count; i++) {
			/* as a directory too: an entry may end in '/' */
			r = snprintf(dir, sizeof(dir), "%s/", l.entries[i]);
			if (l.entries[i][0] == '\0' || r < 0 ||
			    (size_t)r >= sizeof(dir) ||
			    !fuzz_clean_text(l.entries[i]) ||
			    !nm_listing_has(&l, dir))
				abort();
		}
		(void)nm_listing_has(&l, "instance-id");
	} else if (err.code == NM_ERR_NOMEM ? err.cause != NULL :
	    (err.code != NM_ERR_MALFORMED && err.code != NM_ERR_NOT_TEXT) ||
	    err.cause == NULL ||
	    strchr(err.cause, '\n') != NULL)
		abort();	/* a cause is one line */
	nm_listing_free(&l);
	nm_error_clear(&err);
	return 0;
}
