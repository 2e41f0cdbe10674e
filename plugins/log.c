#include "config.h"

#include <stdarg.h>
#include <stdio.h>

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

void
nm_log(int level, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int r;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	r = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	/* A longer line is cut, never dropped: the start says the most. */
	mp_scrub(line);
	nm_redact(line);
	fprintf(stderr, "%s: %s\n", NM_PROGNAME, line);
}
