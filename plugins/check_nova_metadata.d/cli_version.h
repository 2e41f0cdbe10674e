/* -V: the plugin's version and the libraries it runs with. */
#ifndef NM_VERSION_H
#define NM_VERSION_H

#include <stddef.h>

/* "check_nova_metadata 0.1.0\nlibcurl ..., OpenSSL ..., jansson ...\n"
 * with the versions loaded at run time, not those built against. The
 * length, or -1 when it does not fit in len bytes. */
int nm_version_text(char *buf, size_t len);

#endif
