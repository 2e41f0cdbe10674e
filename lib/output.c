#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "dynbuf.h"
#include "output.h"

/* Output is a few lines; the cap only guards against a runaway caller. */
#define OUTPUT_CAP (16 * 1024 * 1024)
/* Enough for any item mp_perfdata_format can produce (label, 17 decimals
 * of the largest double, two ranges, min and max). */
#define PERFDATA_BUF 1024

struct mp_subcheck {
	mp_state state;
	char *text;
	mp_perfdata *perf;
	size_t nperf;
	mp_check *nested;	/* sub-checks under this one, or NULL */
};

struct mp_check {
	char *label;
	char *summary;		/* NULL: derived from the sub-checks */
	mp_subcheck **subs;	/* pointers, so handed-out sub-checks stay put */
	size_t nsubs;
};

int
mp_format_parse(const char *text, mp_format *out)
{
	static const struct {
		const char *name;
		mp_format format;
	} names[] = {
		{ "classic", MP_FORMAT_CLASSIC },
		{ "mp-test-json", MP_FORMAT_TEST_JSON },
		{ "one-line", MP_FORMAT_ONE_LINE },
		{ "icingaweb2", MP_FORMAT_ICINGAWEB2 },
		{ "multi-line", MP_FORMAT_ICINGAWEB2 },
		{ "summary-only", MP_FORMAT_SUMMARY_ONLY },
	};
	size_t i;

	if (text == NULL)
		return -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(text, names[i].name) == 0) {
			*out = names[i].format;
			return 0;
		}
	}
	return -1;
}

size_t
mp_utf8_len(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4;
	else
		return 0;	/* continuation byte, overlong C0/C1, F5..FF */
	/* The second byte's range is what excludes overlong forms (E0, F0),
	 * UTF-16 surrogates (ED) and code points above U+10FFFF (F4). */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < need || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < need; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	}
	return need;
}

void
mp_scrub(char *text)
{
	unsigned char *s = (unsigned char *)text;
	size_t n, k, i;

	if (text == NULL)
		return;
	n = strlen(text);
	for (i = 0; i < n; i += k) {
		if ((k = mp_utf8_len(text + i, n - i)) == 0) {
			s[i] = '?';
			k = 1;
		} else if (k == 1 && s[i] == '|') {
			s[i] = '/';	/* would start perfdata */
		} else if (k == 1 && (s[i] < 0x20 || s[i] == 0x7f)) {
			s[i] = ' ';
		} else if (k == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0) {
			/* C1 controls: NEL (U+0085) ends a line on some
			 * terminals and in some web front ends. */
			s[i] = ' ';
			s[i + 1] = ' ';
		}
	}
}

char *
mp_quote(const char *s, size_t n)
{
	size_t cut = 0, step;
	char *out = NULL;

	if (s == NULL)
		n = 0;
	/* Whole characters only, so the cut never makes invalid UTF-8. */
	while (cut < n && cut < MP_QUOTE_MAX) {
		step = mp_utf8_len(s + cut, n - cut);
		if (step == 0)
			step = 1;
		if (cut + step > MP_QUOTE_MAX)
			break;
		cut += step;
	}
	if (asprintf(&out, "'%.*s%s'", (int)cut, cut > 0 ? s : "",
	    cut < n ? "..." : "") < 0)
		return NULL;
	mp_scrub(out);
	return out;
}

/* vasprintf, then scrub: every text this layer stores is clean. */
char *
mp_vscrubbed(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	mp_scrub(s);
	return s;
}

mp_check *
mp_check_new(const char *label)
{
	mp_check *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->label = strdup(label != NULL ? label : "")) == NULL) {
		free(c);
		return NULL;
	}
	mp_scrub(c->label);
	return c;
}

static void
subcheck_free(mp_subcheck *sc)
{
	if (sc == NULL)
		return;
	free(sc->text);
	free(sc->perf);
	mp_check_free(sc->nested);
	free(sc);
}

void
mp_check_free(mp_check *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nsubs; i++)
		subcheck_free(c->subs[i]);
	free(c->subs);
	free(c->summary);
	free(c->label);
	free(c);
}

/* Replaces *slot with the scrubbed text; the old text stays on failure. */
static int
replace_text(char **slot, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static int
replace_text(char **slot, const char *fmt, va_list ap)
{
	char *s = mp_vscrubbed(fmt, ap);

	if (s == NULL)
		return -1;
	free(*slot);
	*slot = s;
	return 0;
}

int
mp_check_set_summary(mp_check *c, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = replace_text(&c->summary, fmt, ap);
	va_end(ap);
	return r;
}

/* Takes ownership of sc on success only. */
static int
check_append(mp_check *c, mp_subcheck *sc)
{
	mp_subcheck **p;

	if (c->nsubs >= SIZE_MAX / sizeof(*p) - 1)
		return -1;
	if ((p = realloc(c->subs, (c->nsubs + 1) * sizeof(*p))) == NULL)
		return -1;
	c->subs = p;
	c->subs[c->nsubs++] = sc;
	return 0;
}

mp_subcheck *
mp_check_add(mp_check *c, mp_state s, const char *fmt, ...)
{
	mp_subcheck *sc = NULL, *ret = NULL;
	va_list ap;

	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		goto out;
	sc->state = s;
	va_start(ap, fmt);
	sc->text = mp_vscrubbed(fmt, ap);
	va_end(ap);
	if (sc->text == NULL || check_append(c, sc) != 0)
		goto out;
	ret = sc;
	sc = NULL;
 out:
	subcheck_free(sc);
	return ret;
}

mp_subcheck *
mp_check_add_nested(mp_check *c, mp_state s, mp_check *nested,
    const char *fmt, ...)
{
	mp_subcheck *sc = NULL, *ret = NULL;
	va_list ap;

	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		goto out;
	sc->state = s;
	va_start(ap, fmt);
	sc->text = mp_vscrubbed(fmt, ap);
	va_end(ap);
	if (sc->text == NULL || check_append(c, sc) != 0)
		goto out;
	sc->nested = nested;
	ret = sc;
	sc = NULL;
 out:
	subcheck_free(sc);
	if (ret == NULL)
		mp_check_free(nested);
	return ret;
}

int
mp_check_prefix_perfdata(mp_check *c, const char *prefix)
{
	mp_perfdata *pd;
	char label[sizeof(pd->label)];
	size_t i, j;
	int r;

	for (i = 0; i < c->nsubs; i++) {
		for (j = 0; j < c->subs[i]->nperf; j++) {
			pd = &c->subs[i]->perf[j];
			r = snprintf(label, sizeof(label), "%s %s", prefix,
			    pd->label);
			if (r < 0 || (size_t)r >= sizeof(label))
				return -1;
			*pd = mp_perfdata_relabel(pd, label);
		}
		if (c->subs[i]->nested != NULL &&
		    mp_check_prefix_perfdata(c->subs[i]->nested, prefix) != 0)
			return -1;
	}
	return 0;
}

int
mp_subcheck_add_perfdata(mp_subcheck *sc, const mp_perfdata *pd)
{
	mp_perfdata *p, clean;

	if (sc->nperf >= SIZE_MAX / sizeof(*p) - 1)
		return -1;
	if ((p = realloc(sc->perf, (sc->nperf + 1) * sizeof(*p))) == NULL)
		return -1;
	sc->perf = p;
	p = &sc->perf[sc->nperf++];
	*p = *pd;
	/* The label goes verbatim into the first line, and callers may have
	 * filled it without mp_perfdata_make: it must not be able to end the
	 * label, the perfdata section or the line. */
	p->label[sizeof(p->label) - 1] = '\0';
	p->uom[sizeof(p->uom) - 1] = '\0';
	clean = mp_perfdata_make(p->label, 0, 0, p->uom);
	memcpy(p->label, clean.label, sizeof(p->label));
	memcpy(p->uom, clean.uom, sizeof(p->uom));
	mp_scrub(p->label);
	mp_scrub(p->uom);
	return 0;
}

/* Worst state of the sub-checks themselves, ignoring a forced state. */
static mp_state
subchecks_state(const mp_check *c)
{
	mp_state s = MP_OK;
	size_t i;

	if (c->nsubs == 0)
		return MP_UNKNOWN;
	for (i = 0; i < c->nsubs; i++)
		s = mp_state_worst(s, c->subs[i]->state);
	return s;
}

mp_state
mp_check_state(const mp_check *c)
{
	return subchecks_state(c);
}

/* The summary when none was set: the first line should say what went
 * wrong, which is the first sub-check in the worst state. */
static const char *
effective_summary(const mp_check *c)
{
	mp_state worst;
	size_t i;

	if (c->summary != NULL)
		return c->summary;
	if (c->nsubs == 0)
		return "no checks";
	worst = subchecks_state(c);
	for (i = 0; i < c->nsubs; i++) {
		if (c->subs[i]->state == worst)
			return c->subs[i]->text;
	}
	return c->subs[0]->text;
}

const char *
mp_check_summary(const mp_check *c)
{
	return effective_summary(c);
}

static int
add_str(dynbuf *b, const char *s)
{
	return dynbuf_add(b, s, strlen(s)) == DYNBUF_OK ? 0 : -1;
}

/* lead, then the items separated by spaces; nothing when no sub-check
 * has perfdata. */
static int
add_perfdata_items(dynbuf *b, const mp_check *c, const char **sep)
{
	char item[PERFDATA_BUF];
	size_t i, j;

	for (i = 0; i < c->nsubs; i++) {
		for (j = 0; j < c->subs[i]->nperf; j++) {
			if (mp_perfdata_format(&c->subs[i]->perf[j], item,
			    sizeof(item)) < 0)
				return -1;
			if (add_str(b, *sep) != 0 || add_str(b, item) != 0)
				return -1;
			*sep = " ";
		}
		/* Nested sub-checks' perfdata follows their parent's. */
		if (c->subs[i]->nested != NULL &&
		    add_perfdata_items(b, c->subs[i]->nested, sep) != 0)
			return -1;
	}
	return 0;
}

static int
add_perfdata_after(dynbuf *b, const mp_check *c, const char *lead)
{
	const char *sep = lead;

	return add_perfdata_items(b, c, &sep);
}

/* " | perf1 perf2", or nothing when no sub-check has perfdata. */
static int
add_perfdata(dynbuf *b, const mp_check *c)
{
	return add_perfdata_after(b, c, " | ");
}

/* How a format writes its sub-checks: each line is lead, indent once
 * per level of nesting, before, the state, between, the text, after. */
typedef struct {
	const char *lead, *indent, *before, *between, *after;
} sub_style;

#define MAX_NESTING 8

static int
add_subchecks_at(dynbuf *b, const mp_check *c, const sub_style *st,
    int depth)
{
	size_t i;
	int d;

	for (i = 0; i < c->nsubs; i++) {
		if (add_str(b, st->lead) != 0)
			return -1;
		for (d = 0; d < depth; d++) {
			if (add_str(b, st->indent) != 0)
				return -1;
		}
		if (add_str(b, st->before) != 0 ||
		    add_str(b, mp_state_name(c->subs[i]->state)) != 0 ||
		    add_str(b, st->between) != 0 ||
		    add_str(b, c->subs[i]->text) != 0 ||
		    add_str(b, st->after) != 0)
			return -1;
		if (c->subs[i]->nested != NULL && depth < MAX_NESTING &&
		    add_subchecks_at(b, c->subs[i]->nested, st, depth + 1) != 0)
			return -1;
	}
	return 0;
}

/* One line per sub-check, nested ones indented under their parent. */
static int
add_subchecks(dynbuf *b, const mp_check *c, const char *lead,
    const char *indent, const char *before, const char *between,
    const char *after)
{
	sub_style st = { lead, indent, before, between, after };

	return add_subchecks_at(b, c, &st, 0);
}

/* "STATE: summary", how monitoring-plugins 3.x's formats begin. */
static int
add_state_summary(dynbuf *b, const mp_check *c)
{
	return add_str(b, mp_state_name(mp_check_state(c))) != 0 ||
	    add_str(b, ": ") != 0 || add_str(b, effective_summary(c)) != 0 ?
	    -1 : 0;
}

static int
format_summary_only(const mp_check *c, dynbuf *b)
{
	return add_state_summary(b, c) != 0 || add_str(b, "\n") != 0 ? -1 : 0;
}

/* Everything on the one line: the summary, each sub-check, perfdata. */
static int
format_one_line(const mp_check *c, dynbuf *b)
{
	return add_state_summary(b, c) != 0 ||
	    add_subchecks(b, c, "", "", " - [", "] ", "") != 0 ||
	    add_perfdata(b, c) != 0 || add_str(b, "\n") != 0 ? -1 : 0;
}

/* "[STATE] - summary", a tab-indented "\_[STATE] - text" line per
 * sub-check, and "|perfdata" right after the last line. */
static int
format_icingaweb2(const mp_check *c, dynbuf *b)
{
	return add_str(b, "[") != 0 ||
	    add_str(b, mp_state_name(mp_check_state(c))) != 0 ||
	    add_str(b, "] - ") != 0 || add_str(b, effective_summary(c)) != 0 ||
	    add_subchecks(b, c, "\n\t", "\t", "\\_[", "] - ", "") != 0 ||
	    add_perfdata_after(b, c, "|") != 0 || add_str(b, "\n") != 0 ?
	    -1 : 0;
}

static int
format_classic(const mp_check *c, dynbuf *b)
{
	if (*c->label != '\0' &&
	    (add_str(b, c->label) != 0 || add_str(b, " ") != 0))
		return -1;
	return add_str(b, mp_state_name(mp_check_state(c))) != 0 ||
	    add_str(b, " - ") != 0 ||
	    add_str(b, effective_summary(c)) != 0 ||
	    add_perfdata(b, c) != 0 || add_str(b, "\n") != 0 ||
	    add_subchecks(b, c, "", "    ", "\\_ [", "] ", "\n") != 0 ?
	    -1 : 0;
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

/* JSON has no infinity or NaN; such a number is written as null. */
static json_t *
json_number(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *
json_perfdata(const mp_perfdata *pd)
{
	json_t *o = NULL, *ret = NULL;

	if ((o = json_object()) == NULL ||
	    json_object_set_new(o, "label", json_string(pd->label)) != 0 ||
	    json_object_set_new(o, "value", json_number(pd->value)) != 0 ||
	    json_object_set_new(o, "uom", json_string(pd->uom)) != 0)
		goto out;
	if (pd->has_warning && json_set_range(o, "warn", &pd->warning) != 0)
		goto out;
	if (pd->has_critical &&
	    json_set_range(o, "crit", &pd->critical) != 0)
		goto out;
	if (pd->has_min &&
	    json_object_set_new(o, "min", json_number(pd->min)) != 0)
		goto out;
	if (pd->has_max &&
	    json_object_set_new(o, "max", json_number(pd->max)) != 0)
		goto out;
	ret = o;
	o = NULL;
 out:
	json_decref(o);
	return ret;
}

static json_t *json_subchecks(const mp_check *c, int depth);

static json_t *
json_subcheck(const mp_subcheck *sc, int depth)
{
	json_t *o = NULL, *perf = NULL, *ret = NULL;
	size_t i;

	if ((perf = json_array()) == NULL)
		goto out;
	for (i = 0; i < sc->nperf; i++) {
		if (json_array_append_new(perf, json_perfdata(&sc->perf[i])) != 0)
			goto out;
	}
	if ((o = json_pack("{s:s, s:s, s:O}", "state",
	    mp_state_name(sc->state), "output", sc->text,
	    "perfdata", perf)) == NULL)
		goto out;
	/* Nested sub-checks as monitoring-plugins 3.x nests them. */
	if (sc->nested != NULL && depth < MAX_NESTING &&
	    json_object_set_new(o, "checks", json_subchecks(sc->nested,
	    depth + 1)) != 0)
		goto out;
	ret = o;
	o = NULL;
 out:
	json_decref(perf);
	json_decref(o);
	return ret;
}

/* A real as the shortest text that reads back exactly: jansson writes
 * every real with one precision, 0.012981 as 0.012980999999999999.
 * Fixed point where perfdata would use it, else the shortest "%.*g". */
static int
add_json_real(dynbuf *b, double v)
{
	char num[48];
	int prec, r = -1;

	if (fabs(v) >= 1e-5 && fabs(v) < 1e15)
		r = mp_format_number(v, num, sizeof(num));
	for (prec = 1; r < 0 && prec <= 17; prec++) {
		r = snprintf(num, sizeof(num), "%.*g", prec, v);
		if (r < 0 || (size_t)r >= sizeof(num))
			return -1;
		if (strtod(num, NULL) != v)
			r = -1;
	}
	if (r < 0)
		return -1;
	if (add_str(b, num) != 0)
		return -1;
	/* A reader tells a real from an integer by '.' or an exponent, and
	 * jansson writes 1.0 for one. */
	return strpbrk(num, ".eE") != NULL ? 0 : add_str(b, ".0");
}

/* '"', '\\' and control characters escaped; the rest is valid UTF-8
 * already (jansson refuses anything else). */
static int
add_json_string(dynbuf *b, const char *s)
{
	const char *run = s;
	char esc[8];
	int r;

	if (add_str(b, "\"") != 0)
		return -1;
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		if (ch == '"' || ch == '\\')
			r = snprintf(esc, sizeof(esc), "\\%c", ch);
		else
			r = snprintf(esc, sizeof(esc), "\\u%04x", ch);
		if (r < 0 || (size_t)r >= sizeof(esc) ||
		    dynbuf_add(b, run, (size_t)(s - run)) != DYNBUF_OK ||
		    add_str(b, esc) != 0)
			return -1;
		run = s + 1;
	}
	return add_str(b, run) != 0 || add_str(b, "\"") != 0 ? -1 : 0;
}

static int json_emit(dynbuf *b, json_t *j);

/* Members in insertion order, as jansson keeps them. */
static int
json_emit_object(dynbuf *b, json_t *o)
{
	const char *key, *sep = "";
	json_t *v;

	if (add_str(b, "{") != 0)
		return -1;
	json_object_foreach(o, key, v) {
		if (add_str(b, sep) != 0 || add_json_string(b, key) != 0 ||
		    add_str(b, ":") != 0 || json_emit(b, v) != 0)
			return -1;
		sep = ",";
	}
	return add_str(b, "}");
}

static int
json_emit_array(dynbuf *b, json_t *a)
{
	size_t i;
	json_t *v;

	if (add_str(b, "[") != 0)
		return -1;
	json_array_foreach(a, i, v) {
		if ((i > 0 && add_str(b, ",") != 0) || json_emit(b, v) != 0)
			return -1;
	}
	return add_str(b, "]");
}

/* Compact JSON, as json_dumps(JSON_COMPACT) writes it but for reals. */
static int
json_emit(dynbuf *b, json_t *j)
{
	char num[32];
	int r;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		return json_emit_object(b, j);
	case JSON_ARRAY:
		return json_emit_array(b, j);
	case JSON_STRING:
		return add_json_string(b, json_string_value(j));
	case JSON_REAL:
		return add_json_real(b, json_real_value(j));
	case JSON_INTEGER:
		r = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(j));
		return r < 0 || (size_t)r >= sizeof(num) ? -1 : add_str(b, num);
	case JSON_TRUE:
		return add_str(b, "true");
	case JSON_FALSE:
		return add_str(b, "false");
	default:
		return add_str(b, "null");
	}
}

/* The sub-checks as a JSON array; NULL on out of memory. */
static json_t *
json_subchecks(const mp_check *c, int depth)
{
	json_t *checks;
	size_t i;

	if ((checks = json_array()) == NULL)
		return NULL;
	for (i = 0; i < c->nsubs; i++) {
		if (json_array_append_new(checks, json_subcheck(c->subs[i],
		    depth)) != 0) {
			json_decref(checks);
			return NULL;
		}
	}
	return checks;
}

static int
format_json(const mp_check *c, dynbuf *b)
{
	json_t *root = NULL, *checks = NULL;
	int r = -1;

	if ((checks = json_subchecks(c, 0)) == NULL)
		goto out;
	if ((root = json_pack("{s:s, s:s, s:s, s:O}", "label", c->label,
	    "state", mp_state_name(mp_check_state(c)),
	    "summary", effective_summary(c), "checks", checks)) == NULL)
		goto out;
	if (json_emit(b, root) != 0 || add_str(b, "\n") != 0)
		goto out;
	r = 0;
 out:
	json_decref(root);
	json_decref(checks);
	return r;
}

int
mp_check_format(const mp_check *c, mp_format f, char **out)
{
	dynbuf b;
	int r = -1;

	*out = NULL;
	dynbuf_init(&b, OUTPUT_CAP);
	switch (f) {
	case MP_FORMAT_TEST_JSON:
		r = format_json(c, &b);
		break;
	case MP_FORMAT_ONE_LINE:
		r = format_one_line(c, &b);
		break;
	case MP_FORMAT_ICINGAWEB2:
		r = format_icingaweb2(c, &b);
		break;
	case MP_FORMAT_SUMMARY_ONLY:
		r = format_summary_only(c, &b);
		break;
	default:
		r = format_classic(c, &b);
		break;
	}
	if (r != 0)
		goto out;
	*out = b.data;
	dynbuf_init(&b, OUTPUT_CAP);	/* ownership moved to *out */
 out:
	dynbuf_free(&b);
	return r;
}
