#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "cause.h"
#include "output.h"

int
mp_set_cause(char **cause, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;

	if (cause == NULL)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	/* Causes quote user and server text: never let it split a line. */
	if (text != NULL)
		mp_scrub(text);
	*cause = text;
	return -1;
}
