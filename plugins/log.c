#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "nm_config.h"
#include "output.h"
#include "redact.h"

static int log_level;

void
nm_log_set_level(int verbose)
{
	log_level = verbose;
}

int
nm_log_level(void)
{
	return log_level;
}

/* The whole line, scrubbed, then redacted: a line cut to a buffer could
 * end inside the secret, where the search no longer finds it. */
void
nm_log(int level, const char *fmt, ...)
{
	char *line;
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	line = mp_vscrubbed(fmt, ap);
	va_end(ap);
	if (line == NULL) {
		fprintf(stderr, "%s: (a diagnostic lost: out of memory)\n",
		    NM_PROGNAME);
		return;
	}
	nm_redact(line);
	fprintf(stderr, "%s: %s\n", NM_PROGNAME, line);
	free(line);
}
