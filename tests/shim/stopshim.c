/*
 * Copyright (C) 2026 the check_nova_metadata authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An LD_PRELOAD shim for tests/blackbox/test_signals.py: it stops the
 * plugin at a chosen point so that a test can deliver a signal exactly
 * there, without any hook in the plugin itself. Set by the environment:
 *
 *   NM_SHIM_STOP=FUNCTION  the first call of FUNCTION that matches raises
 *                          SIGSTOP before going on into the real one:
 *                          getopt_long, open, curl_global_init,
 *                          getaddrinfo, fputs, fflush (of stdout), or exit
 *                          (an atexit handler: inside exit(), before stdio
 *                          flushes stdout)
 *   NM_SHIM_MATCH=TEXT     only a call whose path, string or host name
 *                          contains TEXT (open, fputs, getaddrinfo)
 *   NM_SHIM_NTH=N          the Nth matching call instead of the first
 *   NM_SHIM_DELAY_MS=N     getaddrinfo sleeps N ms first (a resolver that
 *                          blocks)
 *   NM_SHIM_NOTIFY_FD=N    prctl (the plugin's first call in main) writes
 *                          one byte to descriptor N: "main has started"
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static int stopped;
static long matched;

static void *
next(const char *name)
{
	void *fn = dlsym(RTLD_NEXT, name);

	if (fn == NULL)
		abort();
	return fn;
}

/* Stops once, at the Nth call of fn whose text holds NM_SHIM_MATCH. */
static void
maybe_stop(const char *fn, const char *text)
{
	const char *want = getenv("NM_SHIM_STOP");
	const char *match = getenv("NM_SHIM_MATCH");
	const char *nth = getenv("NM_SHIM_NTH");

	if (stopped || want == NULL || strcmp(want, fn) != 0)
		return;
	if (match != NULL && (text == NULL || strstr(text, match) == NULL))
		return;
	if (++matched < (nth != NULL ? strtol(nth, NULL, 10) : 1))
		return;
	stopped = 1;
	(void)raise(SIGSTOP);
}

static void
stop_in_exit(void)
{
	maybe_stop("exit", NULL);
}

__attribute__((constructor)) static void
shim_init(void)
{
	const char *want = getenv("NM_SHIM_STOP");

	if (want != NULL && strcmp(want, "exit") == 0)
		(void)atexit(stop_in_exit);
}

int
prctl(int option, ...)
{
	int (*real)(int, unsigned long, unsigned long, unsigned long,
	    unsigned long) = next("prctl");
	const char *fd = getenv("NM_SHIM_NOTIFY_FD");
	unsigned long a[4];
	va_list ap;
	int i;

	va_start(ap, option);
	for (i = 0; i < 4; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);
	if (fd != NULL) {
		if (write((int)strtol(fd, NULL, 10), "m", 1) != 1)
			abort();
		unsetenv("NM_SHIM_NOTIFY_FD");
	}
	return real(option, a[0], a[1], a[2], a[3]);
}

int
getopt_long(int argc, char *const argv[], const char *optstring,
    const struct option *longopts, int *longindex)
{
	int (*real)(int, char *const *, const char *, const struct option *,
	    int *) = next("getopt_long");

	maybe_stop("getopt_long", NULL);
	return real(argc, argv, optstring, longopts, longindex);
}

int
open(const char *path, int flags, ...)
{
	int (*real)(const char *, int, ...) = next("open");
	unsigned int mode = 0;
	va_list ap;

	va_start(ap, flags);
	if ((flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE)
		mode = va_arg(ap, unsigned int);
	va_end(ap);
	maybe_stop("open", path);
	return real(path, flags, mode);
}

/* The same function where a build asks for large files by name. */
int open64(const char *path, int flags, ...) __attribute__((alias("open")));

/* CURLcode curl_global_init(long), without curl.h: an enum is an int. */
int curl_global_init(long flags);

int
curl_global_init(long flags)
{
	int (*real)(long) = next("curl_global_init");

	maybe_stop("curl_global_init", NULL);
	return real(flags);
}

int
getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	int (*real)(const char *, const char *, const struct addrinfo *,
	    struct addrinfo **) = next("getaddrinfo");
	const char *delay = getenv("NM_SHIM_DELAY_MS");
	struct timespec ts;
	long ms;

	if (delay != NULL && (ms = strtol(delay, NULL, 10)) > 0) {
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (ms % 1000) * 1000000L;
		(void)nanosleep(&ts, NULL);
	}
	maybe_stop("getaddrinfo", node);
	return real(node, service, hints, res);
}

int
fputs(const char *s, FILE *stream)
{
	int (*real)(const char *, FILE *) = next("fputs");

	maybe_stop("fputs", s);
	return real(s, stream);
}

int
fflush(FILE *stream)
{
	int (*real)(FILE *) = next("fflush");

	if (stream == stdout)
		maybe_stop("fflush", NULL);
	return real(stream);
}
