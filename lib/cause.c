#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "cause.h"
#include "output.h"

int
mp_set_cause(char **cause, const char *fmt, ...)
{
	va_list ap;

	if (cause == NULL)
		return -1;
	/* Causes quote user and server text: never let it split a line. */
	va_start(ap, fmt);
	*cause = mp_vscrubbed(fmt, ap);
	va_end(ap);
	return -1;
}
