/* The OpenStack metadata format: /openstack/VERSION/meta_data.json and
 * its siblings. The validation is pure (JSON text in, verdicts out) so
 * it is unit-tested without a network; nm_mode_openstack() is the -O
 * mode on top of it. */
#ifndef NM_OPENSTACK_H
#define NM_OPENSTACK_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core_error.h"
#include "core_reason.h"
#include "core_config.h"
#include "states.h"

/* Nova serves project_id in meta_data.json from this version on
 * (nova/api/metadata/base.py, LIBERTY). */
#define NM_OS_PROJECT_ID_SINCE "2015-10-15"

/* Which top-level JSON types a document may have: cloud-init reads
 * meta_data.json as an object, vendor and network data as any of
 * object, array or string (util.load_json's root_types). */
typedef enum {
	NM_OS_ROOT_OBJECT = 0,
	NM_OS_ROOT_ANY	/* object, array or string */
} nm_os_root;

/* Parses body[0..len) as one JSON document, as Python's json would:
 * "\u0000" in strings and integers beyond 64 bits (read as reals) are
 * accepted. On NM_OK *out is the document (json_decref it). Else
 * NM_ERR_NOMEM, or NM_ERR_MALFORMED (not JSON, or JSON whose top-level
 * type root does not allow) with why holding a phrase that follows "X
 * is": "not JSON: '[' or '{' expected near 'x' at line 1, column 1
 * (byte 1)" or "an array at top level, not an object". why is a
 * caller's buffer: the cause needs no allocation. */
nm_err nm_os_parse(const char *body, size_t len, nm_os_root root,
    json_t **out, char *why, size_t whylen);

/* "an object", "an array", "a string", "a number", "a boolean", "null":
 * what a JSON value is, in a verdict's words. */
const char *nm_os_type_name(const json_t *v);

/* What meta_data.json must say. */
typedef struct {
	const char *instance;	/* uuid */
	const char *tenant;	/* project_id; NULL: not checked */
	const char *version;	/* the version fetched, for project_id */
	char *const *keys;	/* top-level keys that must be present */
	size_t key_count;
	const nm_expect *expects;	/* top-level values */
	size_t expect_count;
} nm_os_want;

typedef struct {
	mp_state state;
	nm_reason reason;	/* its class when not OK */
	char text[512];		/* the sub-check's line */
} nm_os_verdict;

#define NM_OS_MAX_EXPECTS 64
#define NM_OS_MAX_VERDICTS (4 + NM_OS_MAX_EXPECTS)

typedef struct {
	nm_os_verdict v[NM_OS_MAX_VERDICTS];
	size_t count;
	size_t keys_found;
	size_t values_matched;
	bool usable;		/* parsed as an object: cloud-init goes on */
} nm_os_verdicts;

/* Validates a meta_data.json body against want into *out (cleared
 * first). Every failure is a verdict, a text that cannot be allocated
 * included: NM_OK, or NM_ERR_NOMEM when the document cannot be parsed
 * for want of memory. kept (may
 * be NULL) gets the parsed document when it is usable, else NULL
 * (json_decref it): parsed once for every use. */
nm_err nm_os_validate(const char *body, size_t len, const nm_os_want *want,
    nm_os_verdicts *out, json_t **kept);

/* The document is the canary's: uuid = instance and, when tenant is
 * not NULL, project_id = tenant (optional before version
 * NM_OS_PROJECT_ID_SINCE). One verdict each, appended to *out; another
 * instance's answer is CRITICAL naming both UUIDs. The one identity
 * proof of every target, signed or not. A value's text that cannot be
 * allocated leaves its verdict's state standing. */
void nm_os_check_identity(const json_t *doc, const char *instance,
    const char *tenant, const char *version, nm_os_verdicts *out);

/* A JSON scalar as JSON prints it, for -e: strings as they are (a NUL
 * as \u0000), integers in decimal, reals shortest-exact, true/false/
 * null. 0, or -1 for an object or array (or a value that does not
 * fit). */
int nm_os_scalar_text(const json_t *v, char *buf, size_t len);

/* A served scalar for a message: its whole text (nm_os_scalar_text's)
 * through mp_quote, so 'TEXT' cut with "..." past MP_QUOTE_MAX; '' for
 * an object or array. malloc'd; NULL on out of memory. */
char *nm_os_quote_value(const json_t *v);

/* True when v is a string of exactly want's bytes (no embedded NUL). */
bool nm_os_string_is(const json_t *v, const char *want);

/* -e's comparison. Strings: byte for byte. Other scalars: as JSON
 * prints them; failing that, numbers compare numerically with want read
 * by the strict parser ("1.0" matches 1 and 1.0), except that a plain
 * integer want against a JSON integer compares exactly, digit for
 * digit, and a JSON integer beyond 2^53 never equals a rounded double. */
bool nm_os_value_matches(const json_t *v, const char *want);

/* True when version is "latest" or a YYYY-MM-DD date: the only forms
 * Nova's route accepts, and safe in a URL. */
bool nm_os_version_valid(const char *version);

#endif
