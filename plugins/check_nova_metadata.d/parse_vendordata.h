/* What Nova hides about dynamic vendordata: a target that failed is
 * served in vendor_data2.json as "NAME": {} with HTTP 200
 * (nova/api/metadata/vendordata_dynamic.py), so only the document's
 * content tells. Pure: bytes in, one verdict per target out; no I/O. */
#ifndef NM_VENDORDATA_H
#define NM_VENDORDATA_H

#include <stdbool.h>
#include <stddef.h>

#include "core_error.h"
#include "states.h"

/* vendor_data2.json exists from this OpenStack version on (Newton). */
#define NM_VD_SINCE "2016-10-06"

typedef enum {
	NM_VD_OK = 0,		/* a non-empty object */
	NM_VD_EMPTY,		/* {}: the target failed, Nova hid it */
	NM_VD_ABSENT,		/* no such entry: not configured */
	NM_VD_NOT_OBJECT,	/* an array, a string, ...: Nova serves any
				 * JSON a target answers */
	NM_VD_BAD_DOCUMENT	/* the document itself: not JSON, not an
				 * object at top level */
} nm_vd_kind;

typedef struct {
	nm_vd_kind kind;
	mp_state state;
	char text[1024];	/* one line, for the sub-check: two NAMEs fit */
	char keys[256];		/* the object's key names, sorted, joined
				 * by ','; "..." when cut (NM_VD_OK) */
} nm_vd_verdict;

/* A NAME --vendordata-target accepts: 1..255 printable ASCII bytes, no
 * space and no '@' (nova.conf splits NAME@URL at the first '@'), and not
 * "static", the StaticJSON provider's entry. NULL when valid, else why
 * (a phrase to follow "--vendordata-target: "). */
const char *nm_vd_name_problem(const char *name);

/* Judges every target of names[0..n) in vendor_data2.json body[0..len)
 * (served with 200), parsed once: out[i] for names[i], *nout = n; or,
 * when the document is not JSON or not an object, out[0] alone
 * (NM_VD_BAD_DOCUMENT), *nout = 1. out holds n verdicts (n >= 1).
 * NM_OK, or NM_ERR_NOMEM. */
nm_err nm_vd_judge(const char *body, size_t len, char *const *names,
    size_t n, nm_vd_verdict *out, size_t *nout);

#endif
