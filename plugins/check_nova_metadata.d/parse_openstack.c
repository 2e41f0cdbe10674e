#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynbuf.h"
#include "numparse.h"
#include "parse_openstack.h"
#include "output.h"

static const char *
type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

const char *
nm_os_type_name(const json_t *v)
{
	return type_name(v);
}

static void
setf(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A verdict's line. Its parts are bounded (server and option text come
 * quoted, at most MP_QUOTE_MAX bytes each), but key names and the list
 * of missing keys are not: a line that does not fit ends in "..." so
 * that the cut shows, never mid-way silently. */
static void
setf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (r < 0)
		buf[0] = '\0';
	else if ((size_t)r >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
	mp_scrub(buf);
}

/* Python's json, which Nova writes with and cloud-init reads with,
 * takes "\u0000" in strings and integers of any size, so both are
 * accepted here too: NUL inside strings (compared by length, never
 * printed raw), and integers beyond 64 bits read again as reals. Object
 * keys with NUL stay an error: jansson cannot hold them. */
static json_t *
load(const char *body, size_t len, json_error_t *err)
{
	const size_t flags = JSON_DECODE_ANY | JSON_ALLOW_NUL;
	json_t *doc;

	doc = json_loadb(body, len, flags, err);
	if (doc == NULL && json_error_code(err) == json_error_numeric_overflow)
		doc = json_loadb(body, len, flags | JSON_DECODE_INT_AS_REAL,
		    err);
	return doc;
}

nm_err
nm_os_parse(const char *body, size_t len, nm_os_root root, json_t **out,
    char *why, size_t whylen)
{
	json_error_t err;
	json_t *doc;
	int ok;

	*out = NULL;
	why[0] = '\0';
	/* Any root is parsed so that a wrong one can be named. */
	doc = load(body != NULL ? body : "", len, &err);
	if (doc == NULL) {
		if (json_error_code(&err) == json_error_out_of_memory)
			return NM_ERR_NOMEM;
		setf(why, whylen, "not JSON: %s at line %d, column %d (byte "
		    "%d)", err.text, err.line, err.column, err.position);
		return NM_ERR_MALFORMED;
	}
	ok = json_is_object(doc) || (root == NM_OS_ROOT_ANY &&
	    (json_is_array(doc) || json_is_string(doc)));
	if (!ok) {
		setf(why, whylen, "%s at top level, not %s", type_name(doc),
		    root == NM_OS_ROOT_ANY ? "an object, array or string" :
		    "an object");
		json_decref(doc);
		return NM_ERR_MALFORMED;
	}
	*out = doc;
	return NM_OK;
}

/* Shortest text that reads back as the same double, as Python's repr
 * (and so cloud-init and Nova's JSON) prints it. */
static int
real_text(double d, char *buf, size_t len)
{
	double back;
	int prec, r;

	for (prec = 1; prec <= 17; prec++) {
		r = snprintf(buf, len, "%.*g", prec, d);
		if (r < 0 || (size_t)r >= len)
			return -1;
		if (np_parse_double(buf, &back) == NP_OK && back == d)
			return 0;
	}
	return 0;
}

/* A string as text: an embedded NUL shows as \u0000, as JSON wrote
 * it, rather than ending the text early. */
static int
string_text(const json_t *v, char *buf, size_t len)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v), i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] != '\0') {
			if (o + 1 >= len)
				return -1;
			buf[o++] = s[i];
			continue;
		}
		if (o + 6 >= len)
			return -1;
		memcpy(buf + o, "\\u0000", 6);
		o += 6;
	}
	if (o >= len)
		return -1;
	buf[o] = '\0';
	return 0;
}

int
nm_os_scalar_text(const json_t *v, char *buf, size_t len)
{
	int r;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return string_text(v, buf, len);
	case JSON_INTEGER:
		r = snprintf(buf, len, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		break;
	case JSON_REAL:
		return real_text(json_real_value(v), buf, len);
	case JSON_TRUE:
	case JSON_FALSE:
	case JSON_NULL:
		r = snprintf(buf, len, "%s", json_is_true(v) ? "true" :
		    json_is_false(v) ? "false" : "null");
		break;
	default:
		return -1;
	}
	return (r < 0 || (size_t)r >= len) ? -1 : 0;
}

bool
nm_os_string_is(const json_t *v, const char *want)
{
	size_t n = strlen(want);

	return json_is_string(v) && json_string_length(v) == n &&
	    memcmp(json_string_value(v), want, n) == 0;
}

/* want is a plain integer ("+5", "-0", "007"): compared exactly, as
 * digits, so that integers beyond a double's 53 bits stay exact. As
 * text, not parsed: an unsigned long is 32 bits on 32-bit targets,
 * and json_int_t is 64 bits everywhere. */
static int
integer_text_is(json_int_t v, const char *want, bool *equal)
{
	char digits[24];	/* |json_int_t| has at most 20 digits */
	unsigned long long mag;
	bool neg = want[0] == '-';
	const char *d = want + (want[0] == '-' || want[0] == '+');
	int r;

	if (*d == '\0' || strspn(d, "0123456789") != strlen(d))
		return -1;
	while (d[0] == '0' && d[1] != '\0')
		d++;
	mag = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	r = snprintf(digits, sizeof(digits), "%llu", mag);
	if (r < 0 || (size_t)r >= sizeof(digits))
		return -1;
	*equal = strcmp(digits, d) == 0 && (mag == 0 || neg == (v < 0));
	return 0;
}

/* 2^53: every integer below it is a double exactly, and no other
 * integer rounds to it. */
#define EXACT_INT_MAX 9007199254740992.0

bool
nm_os_value_matches(const json_t *v, const char *want)
{
	char text[1024];	/* a number, true, false or null: strings
				 * are compared before it is used */
	double d;
	bool equal;

	if (json_is_string(v))
		return nm_os_string_is(v, want);
	if (nm_os_scalar_text(v, text, sizeof(text)) == 0 &&
	    strcmp(text, want) == 0)
		return true;
	if (!json_is_number(v) || np_parse_double(want, &d) != NP_OK)
		return false;
	if (json_is_real(v))
		return json_real_value(v) == d;
	if (integer_text_is(json_integer_value(v), want, &equal) == 0)
		return equal;
	/* "1.0", "1e3": a whole number a double holds exactly. */
	return d > -EXACT_INT_MAX && d < EXACT_INT_MAX &&
	    (double)(json_int_t)d == d &&
	    (json_int_t)d == json_integer_value(v);
}

bool
nm_os_version_valid(const char *v)
{
	size_t i;

	if (strcmp(v, "latest") == 0)
		return true;
	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (v[i] != '-')
				return false;
		} else if (v[i] < '0' || v[i] > '9')
			return false;
	}
	return v[10] == '\0';
}

static nm_os_verdict *
verdict(nm_os_verdicts *out, mp_state s, nm_reason why)
{
	nm_os_verdict *v;

	if (out->count >= NM_OS_MAX_VERDICTS)
		return NULL;
	v = &out->v[out->count++];
	memset(v, 0, sizeof(*v));
	v->state = s;
	v->reason = s == MP_UNKNOWN ? NM_REASON_UNKNOWN : why;
	return v;
}

/* The list of missing -k keys: a line holds less anyway. */
#define NM_OS_MISSING_MAX 4096

char *
nm_os_quote_value(const json_t *v)
{
	size_t len = 64;	/* a number, true, false or null */
	char *text = NULL, *q = NULL;

	/* A NUL shows as \u0000, six bytes for one; a body is at most
	 * NM_BODY_CAP, so this cannot overflow. */
	if (json_is_string(v))
		len = json_string_length(v) * 6 + 1;
	if ((text = malloc(len)) == NULL)
		goto out;
	if (nm_os_scalar_text(v, text, len) != 0)
		text[0] = '\0';	/* objects and arrays are named, not shown */
	q = mp_quote(text, strlen(text));
out:
	free(text);
	return q;
}

/* A quoted value for a verdict when its text cannot be allocated: the
 * verdict's state stands. */
static const char *
text_or_lost(const char *text)
{
	return text != NULL ? text : "(its text could not be allocated)";
}

/* uuid and project_id: the document must be the canary's. Both served
 * and expected values are named, as "another instance's data" is the
 * failure a wrong proxy or a cache produces. */
static void
check_identity(const json_t *doc, const char *key, const char *want,
    const char *what, bool optional, nm_os_verdicts *out)
{
	const json_t *v = json_object_get(doc, key);
	char *got = NULL;
	nm_os_verdict *vd;

	if (v == NULL && optional) {
		if ((vd = verdict(out, MP_OK,
		    NM_REASON_WRONG_CANARY)) != NULL)
			setf(vd->text, sizeof(vd->text), "%s not served before "
			    "version " NM_OS_PROJECT_ID_SINCE, key);
		return;
	}
	if ((vd = verdict(out, MP_CRITICAL,
	    NM_REASON_WRONG_CANARY)) == NULL)
		return;
	if (v == NULL)
		setf(vd->text, sizeof(vd->text), "meta_data.json has no %s "
		    "(expected %s %s)", key, what, want);
	else if (!json_is_string(v))
		setf(vd->text, sizeof(vd->text), "meta_data.json's %s is %s, "
		    "expected %s %s", key, type_name(v), what, want);
	else if (!nm_os_string_is(v, want)) {
		got = nm_os_quote_value(v);
		setf(vd->text, sizeof(vd->text), "meta_data.json is another "
		    "instance's: %s %s, expected %s %s", key,
		    text_or_lost(got), what, want);
	} else {
		vd->state = MP_OK;
		setf(vd->text, sizeof(vd->text), "%s is %s %s", key, what,
		    want);
	}
	free(got);
}

static void
check_keys(const json_t *doc, const nm_os_want *want, nm_os_verdicts *out)
{
	dynbuf missing;
	nm_os_verdict *vd;
	size_t i;
	bool lost = false;

	dynbuf_init(&missing, NM_OS_MISSING_MAX);
	for (i = 0; i < want->key_count; i++) {
		if (json_object_get(doc, want->keys[i]) != NULL) {
			out->keys_found++;
			continue;
		}
		/* Past the cap the line is cut with "..." by setf anyway. */
		if (!lost && dynbuf_printf(&missing, "%s%s", missing.len > 0 ?
		    ", " : "", want->keys[i]) == DYNBUF_NOMEM)
			lost = true;
	}
	vd = verdict(out, out->keys_found == want->key_count ? MP_OK :
	    MP_CRITICAL, NM_REASON_KEY_MISSING);
	if (vd != NULL && vd->state == MP_OK)
		setf(vd->text, sizeof(vd->text), "%zu/%zu keys present in "
		    "meta_data.json (%zu in all)", out->keys_found,
		    want->key_count, json_object_size(doc));
	else if (vd != NULL)
		setf(vd->text, sizeof(vd->text), "%zu/%zu keys present, %s "
		    "missing from meta_data.json", out->keys_found,
		    want->key_count, lost ? text_or_lost(NULL) :
		    missing.data != NULL ? missing.data : "");
	dynbuf_free(&missing);
}

/* One -e: the served and the expected value quoted as the project
 * quotes (cut with "..." past MP_QUOTE_MAX). */
static void
check_expect(const json_t *doc, const nm_expect *e, nm_os_verdicts *out)
{
	const json_t *v = json_object_get(doc, e->key);
	char *want = NULL, *got = NULL;
	nm_os_verdict *vd;

	if ((vd = verdict(out, MP_CRITICAL,
	    NM_REASON_VALUE_MISMATCH)) == NULL)
		return;
	want = mp_quote(e->value, strlen(e->value));
	if (v != NULL && !json_is_object(v) && !json_is_array(v))
		got = nm_os_quote_value(v);
	if (v == NULL)
		setf(vd->text, sizeof(vd->text), "%s missing from "
		    "meta_data.json, expected %s", e->key, text_or_lost(want));
	else if (json_is_object(v) || json_is_array(v))
		setf(vd->text, sizeof(vd->text), "%s is %s, expected %s",
		    e->key, type_name(v), text_or_lost(want));
	else if (!nm_os_value_matches(v, e->value))
		setf(vd->text, sizeof(vd->text), "%s is %s, expected %s",
		    e->key, text_or_lost(got), text_or_lost(want));
	else {
		vd->state = MP_OK;
		out->values_matched++;
		setf(vd->text, sizeof(vd->text), "%s is %s as expected",
		    e->key, text_or_lost(got));
	}
	free(want);
	free(got);
}

/* Before Liberty Nova did not serve project_id; "latest" and unknown
 * dates compare as new. */
static bool
project_id_optional(const char *version)
{
	return strcmp(version, "latest") != 0 &&
	    strcmp(version, NM_OS_PROJECT_ID_SINCE) < 0;
}

void
nm_os_check_identity(const json_t *doc, const char *instance,
    const char *tenant, const char *version, nm_os_verdicts *out)
{
	check_identity(doc, "uuid", instance, "the canary", false, out);
	/* Through the agent the project is optional: nothing sends it. */
	if (tenant != NULL)
		check_identity(doc, "project_id", tenant, "the tenant",
		    project_id_optional(version), out);
}

nm_err
nm_os_validate(const char *body, size_t len, const nm_os_want *want,
    nm_os_verdicts *out, json_t **kept)
{
	json_t *doc = NULL;
	nm_os_verdict *vd;
	char why[384];	/* jansson's text is at most 160 bytes, the rest ours */
	size_t i;

	memset(out, 0, sizeof(*out));
	if (kept != NULL)
		*kept = NULL;
	switch (nm_os_parse(body, len, NM_OS_ROOT_OBJECT, &doc, why,
	    sizeof(why))) {
	case NM_ERR_NOMEM:
		return NM_ERR_NOMEM;
	case NM_OK:
		break;
	default:
		if ((vd = verdict(out, MP_CRITICAL,
		    NM_REASON_MALFORMED)) != NULL)
			setf(vd->text, sizeof(vd->text), "meta_data.json is "
			    "%s", why);
		return NM_OK;
	}
	out->usable = true;
	nm_os_check_identity(doc, want->instance, want->tenant, want->version,
	    out);
	check_keys(doc, want, out);
	for (i = 0; i < want->expect_count; i++) {
		if (i == NM_OS_MAX_EXPECTS) {
			if ((vd = verdict(out, MP_UNKNOWN,
			    NM_REASON_UNKNOWN)) != NULL)
				setf(vd->text, sizeof(vd->text), "only the "
				    "first %d -e are checked", NM_OS_MAX_EXPECTS);
			break;
		}
		check_expect(doc, &want->expects[i], out);
	}
	if (kept != NULL)
		*kept = doc;
	else
		json_decref(doc);
	return NM_OK;
}
