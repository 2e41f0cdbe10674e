/* The command-line options, described once (cli_options.def) for getopt,
 * --help and the man page. Data and pure functions only: doc/mkman is
 * built from this with the build machine's compiler. */
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

/* How the synopsis shows an option (or'ed). */
#define NM_SYN_REQUIRED	0x1	/* without [] */
#define NM_SYN_REPEAT	0x2	/* "..." after it */
#define NM_SYN_ALT	0x4	/* an alternative to the option before:
				 * "[A | B]" */
#define NM_SYN_NONE	0x8	/* not in the synopsis (-h, -V) */

typedef struct {
	int val;		/* getopt's value; 0 for an early option */
	const char *short_opt;	/* "H:", or "" */
	const char *name;	/* long name without "--" */
	int has_arg;		/* no_argument, required_, optional_argument */
	const char *arg;	/* the value's placeholder, "" for none */
	int synopsis;		/* NM_SYN_* */
	const char *help;	/* one paragraph, "\n" for a new line */
	bool early;		/* handled before getopt (--extra-opts) */
} nm_optdesc;

/* Every option, in --help's order. */
extern const nm_optdesc nm_optdescs[];
extern const size_t nm_optdesc_count;

/* getopt_long's table of the options (NULL-terminated) and its short
 * option string, both from cli_options.def. */
const struct option *nm_long_options(void);
const char *nm_short_options(void);

/* The synopsis, one word of it at a time: *i starts at 0 and is moved
 * past the options the word covers. Writes the word ("-i\tUUID",
 * "[-H\tADDRESS]...", "[-4\t|\t-6]"; a tab is a space that must not
 * break a line) into buf. The word's length; 0 when there is none left;
 * -1 when it does not fit in len bytes. Required options come first. */
int nm_synopsis_word(size_t *i, char *buf, size_t len);

#endif
