/* Error causes: helpers return an error value and leave a malloc'd,
 * one-line, scrubbed English text in *cause for the caller to report
 * (tmux's "char **cause"). */
#ifndef MP_CAUSE_H
#define MP_CAUSE_H

/* Sets *cause to the formatted text (NULL when out of memory; nothing
 * when cause is NULL). Always returns -1, so "return mp_set_cause(...)"
 * reports the failure. */
int mp_set_cause(char **cause, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
