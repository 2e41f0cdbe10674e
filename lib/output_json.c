#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "output_int.h"
#include "output_json.h"
#include "output_tree.h"
#include "range.h"
#include "states.h"

/* jansson writes every real of a document with one "%.*g" precision.
 * From 15 significant digits on, a number that reads back with 15 or
 * fewer is written as those digits (0.012981, not 0.012980999999999999);
 * 17 always read back. */
#define JSON_MIN_PRECISION 15
#define JSON_MAX_PRECISION 17

/* The document being built: the precision its reals need. */
typedef struct {
	int precision;
} json_doc;

/* The fewest digits, from JSON_MIN_PRECISION on, with which v reads
 * back as itself. */
static int
real_precision(double v)
{
	char num[40];
	int p, r;

	for (p = JSON_MIN_PRECISION; p < JSON_MAX_PRECISION; p++) {
		r = snprintf(num, sizeof(num), "%.*g", p, v);
		if (r > 0 && (size_t)r < sizeof(num) && strtod(num, NULL) == v)
			return p;
	}
	return JSON_MAX_PRECISION;
}

/* A real that jansson will write so that it reads back exactly; JSON
 * has no infinity or NaN, so such a number is null. */
static json_t *
json_number(json_doc *doc, double v)
{
	int p;

	if (!isfinite(v))
		return json_null();
	if ((p = real_precision(v)) > doc->precision)
		doc->precision = p;
	return json_real(v);
}

/* Sets key to the range's text; the reference to the string is always
 * consumed, as json_object_set_new does. */
static int
json_set_range(json_t *o, const char *key, const mp_range *r)
{
	char text[80];

	if (mp_range_format(r, text, sizeof(text)) < 0)
		return -1;
	return json_object_set_new(o, key, json_string(text));
}

static json_t *
json_perfdata(json_doc *doc, const mp_perfdata *pd)
{
	json_t *o = NULL, *ret = NULL;

	if ((o = json_object()) == NULL ||
	    json_object_set_new(o, "label", json_string(pd->label)) != 0 ||
	    json_object_set_new(o, "value", json_number(doc, pd->value)) != 0 ||
	    json_object_set_new(o, "uom", json_string(pd->uom)) != 0)
		goto out;
	if (pd->has_warning && json_set_range(o, "warn", &pd->warning) != 0)
		goto out;
	if (pd->has_critical &&
	    json_set_range(o, "crit", &pd->critical) != 0)
		goto out;
	if (pd->has_min &&
	    json_object_set_new(o, "min", json_number(doc, pd->min)) != 0)
		goto out;
	if (pd->has_max &&
	    json_object_set_new(o, "max", json_number(doc, pd->max)) != 0)
		goto out;
	ret = o;
	o = NULL;
 out:
	json_decref(o);
	return ret;
}

static json_t *json_subchecks(json_doc *doc, const mp_check *c, int depth);

static json_t *
json_subcheck(json_doc *doc, const mp_subcheck *sc, int depth)
{
	json_t *o = NULL, *perf = NULL, *ret = NULL;
	size_t i;

	if ((perf = json_array()) == NULL)
		goto out;
	for (i = 0; i < sc->nperf; i++) {
		if (json_array_append_new(perf,
		    json_perfdata(doc, &sc->perf[i])) != 0)
			goto out;
	}
	if ((o = json_pack("{s:s, s:s, s:O}", "state",
	    mp_state_name(sc->state), "output", sc->text,
	    "perfdata", perf)) == NULL)
		goto out;
	/* Nested sub-checks as monitoring-plugins 3.x nests them. */
	if (sc->nested != NULL && depth < MP_OUTPUT_MAX_NESTING &&
	    json_object_set_new(o, "checks", json_subchecks(doc, sc->nested,
	    depth + 1)) != 0)
		goto out;
	ret = o;
	o = NULL;
 out:
	json_decref(perf);
	json_decref(o);
	return ret;
}

/* The sub-checks as a JSON array; NULL on out of memory. */
static json_t *
json_subchecks(json_doc *doc, const mp_check *c, int depth)
{
	json_t *checks;
	size_t i;

	if ((checks = json_array()) == NULL)
		return NULL;
	for (i = 0; i < c->nsubs; i++) {
		if (json_array_append_new(checks, json_subcheck(doc,
		    c->subs[i], depth)) != 0) {
			json_decref(checks);
			return NULL;
		}
	}
	return checks;
}

/* root as one compact line, newline-terminated, malloc'd into *out. */
static int
dump_line(const json_t *root, size_t flags, char **out)
{
	char *text = NULL;
	size_t n;
	int r = -1;

	if ((n = json_dumpb(root, NULL, 0, flags)) == 0 || n > SIZE_MAX - 2 ||
	    (text = malloc(n + 2)) == NULL ||
	    json_dumpb(root, text, n, flags) != n)
		goto out;
	text[n] = '\n';
	text[n + 1] = '\0';
	*out = text;
	text = NULL;
	r = 0;
 out:
	free(text);
	return r;
}

int
mp_format_test_json(const mp_check *c, char **out)
{
	json_doc doc = { JSON_MIN_PRECISION };
	json_t *root = NULL, *checks = NULL;
	int r = -1;

	*out = NULL;
	if ((checks = json_subchecks(&doc, c, 0)) == NULL)
		goto out;
	if ((root = json_pack("{s:s, s:s, s:s, s:O}", "label", c->label,
	    "state", mp_state_name(mp_check_state(c)),
	    "summary", mp_check_summary(c), "checks", checks)) == NULL)
		goto out;
	r = dump_line(root, JSON_COMPACT | JSON_REAL_PRECISION(doc.precision),
	    out);
 out:
	json_decref(root);
	json_decref(checks);
	return r;
}
