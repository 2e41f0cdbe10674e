/* The neutron metadata agent's hop in words: what each of its answers
 * means, and, with Nova checked directly beside it, which hop broke.
 * Pure: numbers and texts in, a sentence out; never prints. */
#ifndef NM_EXPLAIN_AGENT_H
#define NM_EXPLAIN_AGENT_H

#include <stddef.h>

#include "core_error.h"
#include "core_config.h"
#include "states.h"

/* "network 3c6c1d2e-...", "router 9a1b...", "OVN network ...": what the
 * agent looks the canary's IP up on. NM_OK, or NM_ERR_SETUP when it did
 * not fit. */
nm_err nm_explain_agent_lookup(const nm_config *cfg, char *buf, size_t len);

/* Why the agent answered status (not 200), in the operator's words;
 * why is the body's explanation ("" when none). malloc'd, NULL on out
 * of memory. */
char *nm_explain_agent_status(const nm_config *cfg, long status,
    const char *why);

/* How one hop ended: its state, and the status of its last answer (0
 * when none came). */
typedef struct {
	mp_state state;
	long status;
} nm_hop;

/* The hop that broke, from the agent's and Nova's direct results, as
 * the first line's lead ("the agent's secret differs from Nova's: ...");
 * "" when the two say nothing more together than each alone. NM_OK, or
 * NM_ERR_SETUP when it did not fit. */
nm_err nm_explain_agent_diagnosis(const nm_config *cfg, const nm_hop *agent,
    const nm_hop *nova, char *buf, size_t len);

#endif
