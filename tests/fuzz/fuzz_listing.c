/* libFuzzer target: the EC2 listing parser takes any bytes a server sends. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "listing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nm_listing l = { 0 };
	char *cause = NULL;

	if (nm_listing_parse((const char *)data, size, &l, &cause) ==
	    NM_LISTING_OK)
		(void)nm_listing_has(&l, "instance-id");
	nm_listing_free(&l);
	free(cause);
	return 0;
}
