/* Nova's hop in words: what each of the metadata API's answers to the
 * canary's signed request means, and what the 404 probe found. Pure:
 * numbers and texts in, a sentence out; never prints. */
#ifndef NM_EXPLAIN_NOVA_H
#define NM_EXPLAIN_NOVA_H

#include "core_config.h"

/* Why Nova answered status (not 200), in the words an operator needs at
 * 3 a.m.; why is the body's explanation ("" when none), location the
 * redirect's target (NULL when none). malloc'd, whole; NULL on out of
 * memory. */
char *nm_explain_nova_status(const nm_config *cfg, long status,
    const char *why, const char *location);

/* Nova's 404 as the probe with a wrong signature told it apart:
 * probe_status is the probe's answer (403: the proxy mode is on, 404:
 * it is off, other: neither), or 0 when none came, no_answer then
 * saying why. malloc'd; NULL on out of memory. */
char *nm_explain_nova_probe(const nm_config *cfg, long probe_status,
    const char *no_answer);

#endif
