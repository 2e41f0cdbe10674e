/* The backends a run checks, from the configuration: every -H (HOST,
 * HOST:PORT, [IPV6], [IPV6]:PORT; -p for those without a port), and
 * with --all-addresses every address each name resolves to. */
#ifndef NM_TARGETS_H
#define NM_TARGETS_H

#include <stddef.h>

#include "core_error.h"
#include "transport_http.h"
#include "core_config.h"

typedef enum {
	NM_TARGET_NOVA = 0,	/* Nova directly, signed */
	NM_TARGET_AGENT,	/* the neutron metadata agent's UNIX socket */
	NM_TARGET_INSTANCE	/* the instance's own view: 169.254.169.254 */
} nm_target_kind;

typedef struct {
	nm_endpoint ep;		/* points into the strings below */
	char *host;
	char *address;		/* --all-addresses, else NULL */
	char *name;		/* "127.0.0.1:8775", "[::1]:8775",
				 * "meta.example[10.0.0.5]:8775": the
				 * summary's and the perfdata labels' name */
	nm_target_kind kind;
} nm_target;

typedef struct {
	nm_target *v;
	size_t count;
} nm_targets;

/* Every backend of cfg, in the order given (a name's addresses in the
 * resolver's order, each once). A name that does not resolve stays one
 * backend, which then fails as unresolved. NM_OK or NM_ERR_NOMEM. */
nm_err nm_targets_build(const nm_config *cfg, nm_targets *out,
    nm_error *err);
void nm_targets_free(nm_targets *t);

/* The suffix of ts->v[i]'s perfdata labels among several targets
 * ("time_SUFFIX"): its name with every character but an ASCII letter,
 * digit or "-" made "_", brackets dropped ("127.0.0.1:8775" ->
 * "127_0_0_1_8775", "[fd00::13]:8775" -> "fd00__13_8775",
 * "meta.example[10.0.0.5]:8775" -> "meta_example_10_0_0_5_8775"), as
 * Icinga 2's Graphite and InfluxDB writers and PNP4Nagios keep such a
 * word as it is. Should an earlier target's name make the same word,
 * "_N" follows, N the target's place in ts (from 1), so that the labels
 * stay unique and the same from run to run. 0, or -1 when buf is too
 * small. */
int nm_target_series(const nm_targets *ts, size_t i, char *buf,
    size_t len);

/* Puts the neutron metadata agent's socket (--agent-socket) first in
 * t: kind NM_TARGET_AGENT, named "agent" (its perfdata labels' suffix
 * beside Nova's backends). NM_OK or NM_ERR_NOMEM. */
nm_err nm_targets_add_agent(const nm_config *cfg, nm_targets *t,
    nm_error *err);

/* What every request to t carries, from cfg: t's endpoint, the TLS
 * material and address family, and the headers its kind sends. Nova
 * gets the agent's signed headers (signature, and wrong for the 404
 * probe's set); the agent's socket what haproxy in the namespace sends;
 * an instance nothing. The strings stay cfg's, t's and the caller's.
 * NM_OK, or NM_ERR_SETUP when a header the kind needs is missing. */
nm_err nm_targets_request(const nm_config *cfg, const nm_target *t,
    const char *signature, const char *wrong, nm_request *req,
    nm_error *err);

#endif
