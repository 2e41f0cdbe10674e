/* The instance's own view (--instance-view): what an instance sees at
 * 169.254.169.254 (or fe80::a9fe:a9fe%IFACE) through the whole chain —
 * the datapath, the namespace's haproxy, the neutron metadata agent,
 * Nova. Here: where it is reached (the zone's name, the one interface
 * -6 picks); explain_view.h words its failures. */
#ifndef NM_VIEW_H
#define NM_VIEW_H

#include <stddef.h>

#include "core_error.h"

#define NM_VIEW_HOST "169.254.169.254"
#define NM_VIEW_HOST6 "fe80::a9fe:a9fe"
#define NM_VIEW_PORT 80

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
