/* What the fuzz targets share: libFuzzer's entry point, which the
 * replay driver (replay.c) also calls, and small helpers for inputs and
 * the properties the targets check. A broken property aborts, so that
 * libFuzzer saves the input and the replay test fails. */
#ifndef NM_FUZZ_H
#define NM_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A copy of data[0..size) with a NUL after it (as a string, it ends at
 * the first NUL of data); NULL on out of memory. */
char *fuzz_text(const uint8_t *data, size_t size);

/* True when s holds no '|' and no control character (DEL included). */
bool fuzz_clean_text(const char *s);

/* A memory file for APIs that read a path: the path that opens it
 * ("/proc/self/fd/N"), its content replaced by data[0..size) on each
 * call. slot picks one of a few files kept for the whole process. NULL
 * when the kernel has no memfd. */
const char *fuzz_memfile(unsigned slot, const uint8_t *data, size_t size);

#define FUZZ_MEMFILES 4

#endif
