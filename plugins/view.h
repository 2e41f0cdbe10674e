/* The instance's own view (--instance-view): what an instance sees at
 * 169.254.169.254 (or fe80::a9fe:a9fe%IFACE) through the whole chain —
 * the datapath, the namespace's haproxy, the neutron metadata agent,
 * Nova. Which hop answered a failure is told from the answer itself:
 * haproxy's own error pages, the agent's webob pages, Nova's. Bytes
 * in, words out; only the interfaces are looked up (the zone's name, the
 * one interface -6 picks). */
#ifndef NM_VIEW_H
#define NM_VIEW_H

#include <stddef.h>

#include "error.h"

#define NM_VIEW_HOST "169.254.169.254"
#define NM_VIEW_HOST6 "fe80::a9fe:a9fe"
#define NM_VIEW_PORT 80

/* Why the chain answered status with body, in the words of the hop that
 * answered: *out malloc'd. 1 when the answer is one the chain's hops
 * give (429, haproxy's 502/503/504 pages, the agent's 500, and for the
 * run's first answer a 403 or a 404 behind the agent), 0 when it is not
 * (*out NULL: Nova's own words apply), -1 on out of memory. Once an
 * answer came through, a later 404 is a path the instance lacks. */
int nm_view_status_reason(long status, const char *body, size_t len,
    int first, char **out);

/* Which of haproxy's own error pages body is: "502", "503", "504", or
 * NULL when it is none of them (the status alone does not say: the
 * agent and Nova answer 503 too). */
const char *nm_view_haproxy_page(const char *body, size_t len);

/* What a connection failure to the metadata address means from inside
 * an instance: a hint that follows libcurl's words. */
const char *nm_view_transport_hint(nm_err e);

/* Splits a zone-scoped IPv6 literal "fe80::1%eth0" (or "%25eth0", as a
 * URL writes it): 1 with the address's length in *addr_len and the zone
 * in *zone when host has a valid zone, 0 when it has none, -1 when its
 * zone is not an interface name or index. */
int nm_view_split_zone(const char *host, size_t *addr_len,
    const char **zone);

/* The interface for the IPv6 address when --interface names none: the
 * only one, loopback aside, that is up with an IPv6 link-local address.
 * NM_OK with *out (malloc'd), NM_ERR_CONFIG when there is none or more
 * than one (err says which), or NM_ERR_NOMEM. */
nm_err nm_view_pick_interface(char **out, nm_error *err);

#endif
