/* Wiping memory that held a secret. */
#ifndef NM_WIPE_H
#define NM_WIPE_H

#include <stddef.h>

/* Wipes len bytes at p so the compiler cannot drop it. */
void nm_wipe(void *p, size_t len);

#endif
