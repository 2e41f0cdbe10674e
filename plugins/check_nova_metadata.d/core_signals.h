/* SIGTERM, SIGINT, SIGHUP and the whole-run limit (SIGALRM), handled in
 * one place: whenever one comes, the plugin prints exactly one status
 * line and exits with a plugin exit code.
 *
 * main blocks the four signals before any thread exists, so every thread
 * (libcurl's resolver threads too) inherits the mask and no handler ever
 * interrupts anything. A signal that comes earlier, while the dynamic
 * loader runs or before nm_signals_install, ends the process the
 * default way, without a line (README: "Signals"). One thread waits for them with sigwait(). Unless main has
 * claimed stdout for its own result, that thread writes the prepared line
 * and ends the process with its code; once main has claimed it, a signal
 * neither adds a line nor loses the result. */
#ifndef NM_SIGNALS_H
#define NM_SIGNALS_H

#include <time.h>

#include "states.h"

/* Starts the waiting thread. Call it in main before any other thread
 * exists. Until the lines are set, a signal prints the generic
 * "interrupted" line. 0, or -1 with *cause set to a static explanation;
 * the signals then stay blocked. */
int nm_signals_install(const char **cause);

/* Hands over the line (with its newline) printed for SIGTERM, SIGINT and
 * SIGHUP, and for SIGALRM before the limit is armed; exit code 3. The
 * module owns line from here on, also when -1 (out of memory) is
 * returned: the previous line then stays. */
int nm_signals_set_interrupted(char *line);

/* The same for the line printed when the whole-run limit is reached,
 * with the state it exits with (--timeout-result). */
int nm_signals_set_timeout(char *line, mp_state state);

/* Runs edit on each prepared line in place, under the lock the waiting
 * thread takes, so that a signal meanwhile prints the line before or
 * after, never half of it. For edits that do not lengthen the line (the
 * secret's search, armed once the secret is known). */
void nm_signals_edit_lines(void (*edit)(char *line));

/* Arms the whole-run limit: seconds after nm_signals_install, the
 * timeout line is printed, whatever main is doing (name resolution,
 * a stalled peer). *deadline (CLOCK_MONOTONIC) is that instant, for the
 * check's own timeouts; a check that wants to report more than the
 * timeout line must finish, and claim stdout, before it. 0, or -1 when
 * no timer can be set. */
int nm_signals_arm(unsigned int seconds, struct timespec *deadline);

/* Claims stdout for main's own output (a result, a usage error, help).
 * Call it before printing anything there. When a signal has already come
 * (taken by the waiting thread, or still pending), its line is written
 * and this never returns: the waiting thread ends the process. */
void nm_signals_claim(void);

/* After main has printed: stops the waiting thread and frees the lines.
 * Signals that come later stay blocked until the process exits. */
void nm_signals_end(void);

#endif
