/*
 * Copyright (C) 2026 the check_nova_metadata authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The plugin holds the metadata proxy's shared secret: it may come in
 * the environment, it is in memory while the signature is made, and a
 * core file or a debugger would expose it. Core files are collected by
 * crash reporters (systemd-coredump, apport) into places other people
 * read and attach to bug reports; and any process of the monitoring
 * user (every other plugin a scheduler runs) could ptrace this one or
 * read its /proc files. A process that is not dumpable writes no core,
 * cannot be attached to, and its /proc/PID files belong to root.
 */
#include "config.h"

#include <stddef.h>
#include <sys/resource.h>
#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#include "core_harden.h"

int
nm_harden(const char **cause)
{
	const struct rlimit none = { 0, 0 };
	int r = 0;

	*cause = NULL;
#if defined(HAVE_PRCTL) && defined(PR_SET_DUMPABLE)
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
		*cause = "cannot make the process non-dumpable "
		    "(prctl PR_SET_DUMPABLE refused): a debugger of this user "
		    "could read the shared secret";
		r = -1;
	}
#else
	*cause = "no PR_SET_DUMPABLE on this system: a debugger of this "
	    "user could read the shared secret";
	r = -1;
#endif
	/* The only guard against core files where there is no
	 * PR_SET_DUMPABLE; a second one on Linux, as in ssh-agent. */
	if (setrlimit(RLIMIT_CORE, &none) != 0 && r == 0) {
		*cause = "cannot set RLIMIT_CORE to 0: a crash could write the "
		    "shared secret into a core file";
		r = -1;
	}
	return r;
}
