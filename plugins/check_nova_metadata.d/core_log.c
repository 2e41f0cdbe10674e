#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core_log.h"
#include "core_config.h"
#include "output.h"
#include "core_redact.h"

/* Set by main before any target's thread starts; read-only after. */
static int log_level;
/* Every target's thread logs: each line goes out whole, in one write,
 * and no two writes at once, so that lines never interleave. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

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

/* All of line to stderr under the lock: every round writes at least
 * one byte or stops. stdio is not used, so that no buffer holds half a
 * line when the signal thread ends the process. */
static void
write_line(const char *line, size_t len)
{
	size_t done = 0;
	ssize_t n;

	(void)pthread_mutex_lock(&write_lock);
	while (done < len) {
		n = write(STDERR_FILENO, line + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	(void)pthread_mutex_unlock(&write_lock);
}

/* The whole line, scrubbed, then redacted: a line cut to a buffer could
 * end inside the secret, where the search no longer finds it. */
void
nm_log(int level, const char *fmt, ...)
{
	static const char lost[] = NM_PROGNAME ": (a diagnostic lost: out "
	    "of memory)\n";
	char *text, *line = NULL;
	va_list ap;
	int r;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	text = mp_vscrubbed(fmt, ap);
	va_end(ap);
	if (text != NULL) {
		nm_redact(text);
		r = asprintf(&line, "%s: %s\n", NM_PROGNAME, text);
		if (r < 0)
			line = NULL;
		free(text);
	}
	if (line == NULL) {
		write_line(lost, sizeof(lost) - 1);
		return;
	}
	write_line(line, strlen(line));
	free(line);
}
