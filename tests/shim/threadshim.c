/*
 * Copyright (C) 2026 the check_nova_metadata authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An LD_PRELOAD shim for tests/blackbox/test_backends.py: the monitoring
 * host's thread limit, on demand. Set by the environment:
 *
 *   NM_SHIM_FAIL_THREAD=N  the Nth pthread_create of the process, and
 *                          every one after it, fails with EAGAIN (the
 *                          first is the signal thread's)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

typedef int (*create_fn)(pthread_t *, const pthread_attr_t *,
    void *(*)(void *), void *);

static long calls;

int
pthread_create(pthread_t *t, const pthread_attr_t *attr,
    void *(*start)(void *), void *arg)
{
	const char *nth = getenv("NM_SHIM_FAIL_THREAD");
	create_fn real = (create_fn)dlsym(RTLD_NEXT, "pthread_create");

	if (real == NULL)
		abort();
	/* libcurl's resolver threads start from the targets' threads. */
	if (nth != NULL && __atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST) >=
	    strtol(nth, NULL, 10))
		return EAGAIN;
	return real(t, attr, start, arg);
}
