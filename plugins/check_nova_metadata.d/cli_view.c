#include "config.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_view.h"

/* An interface name as the kernel allows it (at most IFNAMSIZ - 1
 * bytes, no '/', no space), or a numeric index. */
static int
is_zone(const char *z)
{
	size_t n = strlen(z), i;

	if (n == 0 || n >= IFNAMSIZ)
		return 0;
	for (i = 0; i < n; i++) {
		if (z[i] <= ' ' || z[i] >= 0x7f || z[i] == '/' || z[i] == '%' ||
		    z[i] == '[' || z[i] == ']' || z[i] == ':')
			return 0;
	}
	return 1;
}

int
nm_view_split_zone(const char *host, size_t *addr_len, const char **zone)
{
	const char *pct = strchr(host, '%');

	if (pct == NULL)
		return 0;
	*addr_len = (size_t)(pct - host);
	*zone = pct + 1;
	/* RFC 6874 writes the '%' itself as "%25" in a URL. */
	if (strncmp(*zone, "25", 2) == 0 && (*zone)[2] != '\0' &&
	    if_nametoindex(*zone) == 0)
		*zone += 2;
	return is_zone(*zone) ? 1 : -1;
}

static int
is_link_local6(const struct ifaddrs *ifa)
{
	const struct sockaddr_in6 *sin6;

	if (ifa->ifa_addr == NULL || ifa->ifa_addr->sa_family != AF_INET6 ||
	    (ifa->ifa_flags & IFF_UP) == 0 || (ifa->ifa_flags & IFF_LOOPBACK))
		return 0;
	sin6 = (const struct sockaddr_in6 *)(const void *)ifa->ifa_addr;
	return IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr);
}

nm_err
nm_view_pick_interface(char **out, nm_error *err)
{
	struct ifaddrs *all = NULL, *ifa;
	const char *found = NULL;
	int n = 0;
	nm_err r;

	*out = NULL;
	if (getifaddrs(&all) != 0)
		return nm_error_set(err, NM_ERR_CONFIG, "-6 with "
		    "--instance-view: cannot list the interfaces, name one "
		    "with --interface");
	for (ifa = all; ifa != NULL; ifa = ifa->ifa_next) {
		if (!is_link_local6(ifa) || (found != NULL &&
		    strcmp(found, ifa->ifa_name) == 0))
			continue;
		found = ifa->ifa_name;
		n++;
	}
	if (n == 1)
		r = (*out = strdup(found)) != NULL ? NM_OK :
		    nm_error_nomem(err);
	else
		r = nm_error_set(err, NM_ERR_CONFIG, "-6 with --instance-view: "
		    "%s interface with an IPv6 link-local address is up, name "
		    "one with --interface", n == 0 ? "no" : "more than one");
	freeifaddrs(all);
	return r;
}
