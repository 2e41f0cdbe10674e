/*
 * Copyright (C) 2026 the check_nova_metadata authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The plugin's first instructions. A dynamically linked program spends
 * its first milliseconds in the dynamic loader, mapping libcurl, OpenSSL
 * and their libraries, before any of its own code can block a signal; a
 * SIGTERM then kills it without a status line. This launcher is linked
 * statically without a C library, so nothing runs before nm_launch():
 * it blocks the signals the plugin takes in one place
 * (plugins/signals.c), then execs the real plugin. The mask and any
 * signal that came meanwhile survive execve, so the real plugin's
 * signal thread finds them pending and prints the one status line.
 *
 * argv (argv[0] too) and the environment pass through unchanged. The
 * real plugin's path is compiled in (NM_REAL_PLUGIN): no option or
 * variable can make the launcher run anything else.
 *
 * Freestanding: no C library, so no sprintf or errno; raw system calls
 * through nm_syscall() (plugins/launcher_start.S).
 */
#include <asm/signal.h>
#include <asm/unistd.h>
#include <asm-generic/errno-base.h>
#include <asm-generic/errno.h>

#include "nm_config.h"

#ifndef NM_REAL_PLUGIN
#error "NM_REAL_PLUGIN must name the real plugin's absolute path"
#endif

long nm_syscall(long nr, long a, long b, long c, long d);
void nm_launch(long *sp) __attribute__((noreturn));

#define SIG_BIT(sig) (1UL << ((sig) - 1))

/* The names of the errors execve can give, for the one line. */
static const struct {
	int code;
	const char *name;
} exec_errors[] = {
	{ ENOENT, "No such file or directory" },
	{ EACCES, "Permission denied" },
	{ EPERM, "Operation not permitted" },
	{ ENOEXEC, "Exec format error" },
	{ ENOMEM, "Cannot allocate memory" },
	{ E2BIG, "Argument list too long" },
	{ ENOTDIR, "Not a directory" },
	{ ELOOP, "Too many levels of symbolic links" },
	{ ENAMETOOLONG, "File name too long" },
	{ ETXTBSY, "Text file busy" },
	{ EIO, "Input/output error" },
	{ EISDIR, "Is a directory" },
	{ ELIBBAD, "Accessing a corrupted shared library" },
	{ EMFILE, "Too many open files" },
	{ ENFILE, "Too many open files in system" },
	{ EAGAIN, "Resource temporarily unavailable" },
	{ EINVAL, "Invalid argument" },
	{ EFAULT, "Bad address" },
};

/* A bounded line: appends as much of s as fits, keeping room for the
 * newline. */
struct line {
	char text[1024];
	unsigned long len;
};

static void
append(struct line *l, const char *s)
{
	while (*s != '\0' && l->len < sizeof(l->text) - 1)
		l->text[l->len++] = *s++;
}

static void
append_number(struct line *l, unsigned long n)
{
	char digits[24];
	unsigned int i = sizeof(digits) - 1;

	digits[i] = '\0';
	do {
		digits[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n != 0 && i > 0);
	append(l, digits + i);
}

static const char *
error_name(unsigned long code)
{
	unsigned long i;

	for (i = 0; i < sizeof(exec_errors) / sizeof(exec_errors[0]); i++)
		if ((unsigned long)exec_errors[i].code == code)
			return exec_errors[i].name;
	return "error";
}

/* One UNKNOWN line on stdout, exit 3: the installation is broken. */
static void __attribute__((noreturn))
exec_failed(unsigned long code)
{
	struct line l;
	unsigned long done = 0;
	long n;
	int rounds;

	l.len = 0;
	append(&l, NM_LABEL " UNKNOWN - cannot run the plugin " NM_REAL_PLUGIN
	    ": ");
	append(&l, error_name(code));
	append(&l, " (errno ");
	append_number(&l, code);
	append(&l, ")");
	l.text[l.len++] = '\n';
	/* Every round writes at least one byte or stops. */
	for (rounds = 0; done < l.len && rounds < 64; rounds++) {
		n = nm_syscall(__NR_write, 1, (long)(l.text + done),
		    (long)(l.len - done), 0);
		if (n == -EINTR || n == -EAGAIN)
			continue;
		if (n <= 0)
			break;
		done += (unsigned long)n;
	}
	(void)nm_syscall(__NR_exit_group, 3, 0, 0, 0);
	__builtin_unreachable();	/* exit_group does not return */
}

/* sp: the initial stack, argc then argv's pointers, a NULL, envp's. */
void
nm_launch(long *sp)
{
	/* The kernel's sigset for rt_sigprocmask: 64 bits on both
	 * architectures. SIGALRM too, as plugins/signals.c blocks it: a
	 * limit inherited from the caller reaches the signal thread. */
	unsigned long set = SIG_BIT(SIGTERM) | SIG_BIT(SIGINT) |
	    SIG_BIT(SIGHUP) | SIG_BIT(SIGALRM);
	long argc = sp[0], r;
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;

	/* Cannot fail with these arguments; should it, the real plugin
	 * blocks them again in its .preinit_array. */
	(void)nm_syscall(__NR_rt_sigprocmask, SIG_BLOCK, (long)&set, 0,
	    (long)sizeof(set));
	r = nm_syscall(__NR_execve, (long)NM_REAL_PLUGIN, (long)argv,
	    (long)envp, 0);
	exec_failed((unsigned long)-r);
}
