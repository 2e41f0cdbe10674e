/* Helpers shared by the fuzz targets; see fuzz.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

char *
fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		return NULL;
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

bool
fuzz_clean_text(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '|' || *p < 0x20 || *p == 0x7f)
			return false;
	}
	return true;
}

const char *
fuzz_memfile(unsigned slot, const uint8_t *data, size_t size)
{
	static int fds[FUZZ_MEMFILES] = { -1, -1, -1, -1 };
	static char paths[FUZZ_MEMFILES][32];
	int r;

	if (slot >= FUZZ_MEMFILES)
		return NULL;
	if (fds[slot] < 0) {
		if ((fds[slot] = memfd_create("fuzz", MFD_CLOEXEC)) < 0)
			return NULL;
		r = snprintf(paths[slot], sizeof(paths[slot]),
		    "/proc/self/fd/%d", fds[slot]);
		if (r < 0 || (size_t)r >= sizeof(paths[slot]))
			return NULL;
	}
	if (ftruncate(fds[slot], 0) != 0 ||
	    (size > 0 && pwrite(fds[slot], data, size, 0) != (ssize_t)size))
		return NULL;
	return paths[slot];
}
