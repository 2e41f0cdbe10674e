/* The command-line options, described once (options.def) for getopt,
 * --help and the man page. */
#ifndef NM_OPTIONS_H
#define NM_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

/* Long-only options live above the char range. */
enum {
	OPT_SECRET_FILE = 256,
	OPT_NOVA_CONF,
	OPT_CA_CERT,
	OPT_INSECURE,
	OPT_TIMEOUT_RESULT,
	OPT_OUTPUT_FORMAT,
	OPT_FORWARDED_FOR,
	OPT_CLOUD_INIT,
	OPT_ALL_ADDRESSES,
	OPT_INSTANCE_VIEW,
	OPT_INTERFACE,
	OPT_VENDORDATA_TARGET,
	OPT_AGENT_SOCKET,
	OPT_NETWORK_ID,
	OPT_ROUTER_ID,
	OPT_OVN_NETWORK_ID
};

typedef struct {
	int val;		/* getopt's value; 0 for an early option */
	const char *short_opt;	/* "H:", or "" */
	const char *name;	/* long name without "--" */
	int has_arg;		/* no_argument, required_, optional_argument */
	const char *arg;	/* the value's placeholder, "" for none */
	const char *help;	/* one paragraph, "\n" for a new line */
	bool early;		/* handled before getopt (--extra-opts) */
} nm_optdesc;

/* Every option, in --help's order. */
extern const nm_optdesc nm_optdescs[];
extern const size_t nm_optdesc_count;

#endif
