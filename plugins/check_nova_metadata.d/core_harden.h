/* Keeps the process's memory, and so the shared secret, to itself. */
#ifndef NM_HARDEN_H
#define NM_HARDEN_H

/* Makes the process not dumpable (no core file, no ptrace attach and no
 * readable /proc/PID/{environ,mem,maps,fd,...} for other processes of the
 * same user) and sets RLIMIT_CORE to 0, as OpenSSH's ssh-agent does.
 * Call it first in main, before anything reads the secret: the
 * environment may hold it from the start. Returns 0, or -1 with *cause
 * set to a static one-line explanation when either step failed; the
 * process is then no worse off than without the call. */
int nm_harden(const char **cause);

#endif
