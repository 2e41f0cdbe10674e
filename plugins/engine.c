#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <ucontext.h>

#include "engine.h"

/* Deep enough for jansson's nesting limit and the cloud-init crawl;
 * only the pages a target touches become resident. */
#define STACK_SIZE (1024 * 1024)
#define GUARD_SIZE 4096
/* libcurl ends every transfer at its own timeout; this is the margin
 * after which a transfer that did not end is the engine's failure. */
#define OVERRUN_MS 5000

typedef struct {
	ucontext_t ctx;
	void *stack;		/* mmap'd: guard page, then the stack */
	void *arg;
	int result;
	int done;
	nm_http *waiting;	/* the handle whose transfer it waits for */
} target;

struct nm_engine {
	nm_transfers *transfers;
	ucontext_t loop;	/* where a suspended target returns to */
	target *current;	/* the target running, NULL on the caller's */
	nm_target_fn fn;
	nm_error loop_err;	/* the loop's failure, for waiting targets */
};

/* makecontext() passes only ints: the target starting is found here. */
static nm_engine *starting;

nm_err
nm_engine_new(nm_engine **out, nm_error *err)
{
	nm_engine *e;
	nm_err r;

	*out = NULL;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return nm_error_set(err, NM_ERR_NOMEM, "out of memory");
	if ((r = nm_transfers_new(&e->transfers, err)) != NM_OK) {
		free(e);
		return r;
	}
	*out = e;
	return NM_OK;
}

void
nm_engine_free(nm_engine *e)
{
	if (e == NULL)
		return;
	nm_transfers_free(e->transfers);
	nm_error_clear(&e->loop_err);
	free(e);
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec now;

	if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
		return 0;
	return (long)(now.tv_sec - t0->tv_sec) * 1000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* One target on the caller's stack: the loop runs right here. */
static nm_err
wait_here(nm_engine *e, nm_http *h, long timeout_ms, nm_error *err)
{
	struct timespec t0;
	nm_http *done = NULL;
	nm_err r;

	if (clock_gettime(CLOCK_MONOTONIC, &t0) != 0)
		return nm_error_set(err, NM_ERR_SETUP, "no monotonic clock");
	while (done != h) {
		if ((r = nm_transfers_next(e->transfers, timeout_ms, &done,
		    err)) != NM_OK)
			return r;
		if (ms_since(&t0) > timeout_ms + OVERRUN_MS)
			return nm_error_set(err, NM_ERR_SETUP, "a transfer "
			    "outlived its timeout");
	}
	return NM_OK;
}

nm_err
nm_engine_get(nm_engine *e, nm_http *h, const char *path, long timeout_ms,
    nm_response *resp, nm_error *err)
{
	target *t = e->current;
	nm_err r;

	if ((r = nm_http_start(e->transfers, h, path, timeout_ms, resp,
	    err)) != NM_OK)
		return r;
	if (t == NULL)
		return wait_here(e, h, timeout_ms, err);
	t->waiting = h;
	if (swapcontext(&t->ctx, &e->loop) != 0)
		return nm_error_set(err, NM_ERR_SETUP, "cannot switch targets");
	/* Resumed: the transfer is over, or the loop failed. */
	if (e->loop_err.code != NM_OK)
		return nm_error_set(err, e->loop_err.code, "%s",
		    nm_error_text(&e->loop_err));
	return NM_OK;
}

static void
trampoline(void)
{
	nm_engine *e = starting;
	target *t = e->current;

	t->result = e->fn(t->arg);
	t->done = 1;
	/* uc_link returns to the loop. */
}

static void
target_free(target *t)
{
	if (t->stack != NULL)
		(void)munmap(t->stack, STACK_SIZE + GUARD_SIZE);
	t->stack = NULL;
}

/* Runs t until its first request (or its end). */
static nm_err
target_start(nm_engine *e, target *t, nm_error *err)
{
	char *base;

	t->stack = mmap(NULL, STACK_SIZE + GUARD_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->stack == MAP_FAILED) {
		t->stack = NULL;
		return nm_error_set(err, NM_ERR_NOMEM, "out of memory");
	}
	base = t->stack;
	/* A stack that overflows faults on the guard page, not the heap. */
	if (mprotect(base, GUARD_SIZE, PROT_NONE) != 0 ||
	    getcontext(&t->ctx) != 0)
		return nm_error_set(err, NM_ERR_SETUP, "cannot set up a target");
	t->ctx.uc_stack.ss_sp = base + GUARD_SIZE;
	t->ctx.uc_stack.ss_size = STACK_SIZE;
	t->ctx.uc_link = &e->loop;
	makecontext(&t->ctx, trampoline, 0);
	starting = e;
	e->current = t;
	if (swapcontext(&e->loop, &t->ctx) != 0)
		return nm_error_set(err, NM_ERR_SETUP, "cannot switch targets");
	e->current = NULL;
	return NM_OK;
}

/* Hands control to t until it waits again or ends. */
static nm_err
target_resume(nm_engine *e, target *t, nm_error *err)
{
	t->waiting = NULL;
	e->current = t;
	if (swapcontext(&e->loop, &t->ctx) != 0)
		return nm_error_set(err, NM_ERR_SETUP, "cannot switch targets");
	e->current = NULL;
	return NM_OK;
}

static target *
waiting_for(target *ts, size_t n, const nm_http *h)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!ts[i].done && ts[i].waiting == h)
			return &ts[i];
	}
	return NULL;
}

static size_t
count_running(const target *ts, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += !ts[i].done;
	return k;
}

/* The loop failed: every waiting target gets the failure and unwinds. */
static void
unwind(nm_engine *e, target *ts, size_t n, const nm_error *why)
{
	size_t i;

	(void)nm_error_set(&e->loop_err, why->code, "%s", nm_error_text(why));
	for (i = 0; i < n; i++) {
		/* A bounded hand-over: each resume ends in a failed get,
		 * and a failed get ends the target's mode. */
		if (!ts[i].done && ts[i].stack != NULL)
			(void)target_resume(e, &ts[i], &e->loop_err);
	}
}

static nm_err
loop(nm_engine *e, target *ts, size_t n, nm_error *err)
{
	nm_http *done;
	target *t;
	nm_err r = NM_OK;

	while (r == NM_OK && count_running(ts, n) > 0) {
		if ((r = nm_transfers_next(e->transfers, 1000, &done, err)) !=
		    NM_OK || done == NULL)
			continue;
		if ((t = waiting_for(ts, n, done)) == NULL)
			r = nm_error_set(err, NM_ERR_SETUP, "a transfer ended "
			    "that no target waits for");
		else
			r = target_resume(e, t, err);
	}
	return r;
}

nm_err
nm_engine_run(nm_engine *e, size_t n, nm_target_fn fn, void *const *args,
    int *results, nm_error *err)
{
	target *ts;
	size_t i;
	nm_err r = NM_OK;

	e->fn = fn;
	if (n == 1) {
		results[0] = fn(args[0]);
		return NM_OK;
	}
	if ((ts = calloc(n, sizeof(*ts))) == NULL)
		return nm_error_set(err, NM_ERR_NOMEM, "out of memory");
	for (i = 0; i < n; i++)
		ts[i].arg = args[i];
	for (i = 0; i < n && r == NM_OK; i++)
		r = target_start(e, &ts[i], err);
	if (r == NM_OK)
		r = loop(e, ts, n, err);
	if (r != NM_OK)
		unwind(e, ts, n, err);
	for (i = 0; i < n; i++) {
		results[i] = ts[i].result;
		target_free(&ts[i]);
	}
	free(ts);
	return r;
}
