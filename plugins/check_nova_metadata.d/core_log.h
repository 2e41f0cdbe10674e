/* -v diagnostics. They go to stderr as they happen, so an operator
 * watching a hang sees how far the run got; stdout carries only the
 * plugin's result, so its first line stays the status line. */
#ifndef NM_LOG_H
#define NM_LOG_H

/* Set once by main from -v. */
void nm_log_set_level(int verbose);
int nm_log_level(void);

/* Prints "check_nova_metadata: TEXT" to stderr when level <= -v count.
 * TEXT is scrubbed of control characters. */
void nm_log(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
