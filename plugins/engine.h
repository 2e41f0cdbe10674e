/* The engine: every target of a run at once, on one event loop (the
 * transport's multi interface) under one deadline. A target is a
 * function that makes its requests in order through nm_engine_get(),
 * as if each blocked; the engine suspends it while its request is in
 * flight and resumes it when the request is over, so the modes stay
 * plain sequential code and every target keeps its own connection.
 * Knows the transport (http.h) and nothing above it. */
#ifndef NM_ENGINE_H
#define NM_ENGINE_H

#include <stddef.h>

#include "error.h"
#include "http.h"

typedef struct nm_engine nm_engine;

/* What a target runs; its return value is handed back as it is. */
typedef int (*nm_target_fn)(void *arg);

nm_err nm_engine_new(nm_engine **out, nm_error *err);
void nm_engine_free(nm_engine *e);

/* GETs path on h within timeout_ms, for the calling target: returns
 * once the transfer is over, resp complete (see nm_http_start). NM_OK,
 * or the engine's own failure (with err). */
nm_err nm_engine_get(nm_engine *e, nm_http *h, const char *path,
    long timeout_ms, nm_response *resp, nm_error *err);

/* Runs fn(args[i]) for i < n, all at once, results[i] its return value.
 * One target runs on the caller's stack; several run each on a stack
 * of its own. NM_OK when every target ran to its end. */
nm_err nm_engine_run(nm_engine *e, size_t n, nm_target_fn fn,
    void *const *args, int *results, nm_error *err);

#endif
