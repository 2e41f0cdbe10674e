#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output_int.h"
#include "output_tree.h"
#include "quote.h"

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
mp_check_suffix_perfdata(mp_check *c, const char *suffix)
{
	mp_perfdata *pd;
	char label[sizeof(pd->label)];
	size_t i, j;
	int r;

	for (i = 0; i < c->nsubs; i++) {
		for (j = 0; j < c->subs[i]->nperf; j++) {
			pd = &c->subs[i]->perf[j];
			r = snprintf(label, sizeof(label), "%s_%s", pd->label,
			    suffix);
			if (r < 0 || (size_t)r >= sizeof(label))
				return -1;
			*pd = mp_perfdata_relabel(pd, label);
		}
		if (c->subs[i]->nested != NULL &&
		    mp_check_suffix_perfdata(c->subs[i]->nested, suffix) != 0)
			return -1;
	}
	return 0;
}

mp_subcheck *
mp_check_last(mp_check *c)
{
	return c->nsubs > 0 ? c->subs[c->nsubs - 1] : NULL;
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

void
mp_subcheck_hide(mp_subcheck *sc)
{
	sc->hidden = 1;
}

mp_state
mp_check_state(const mp_check *c)
{
	mp_state s = MP_OK;
	size_t i;

	if (c->nsubs == 0)
		return MP_UNKNOWN;
	for (i = 0; i < c->nsubs; i++)
		s = mp_state_worst(s, c->subs[i]->state);
	return s;
}

/* The summary when none was set: the first line should say what went
 * wrong, which is the first sub-check in the worst state. */
const char *
mp_check_summary(const mp_check *c)
{
	mp_state worst;
	size_t i;

	if (c->summary != NULL)
		return c->summary;
	if (c->nsubs == 0)
		return "no checks";
	worst = mp_check_state(c);
	for (i = 0; i < c->nsubs; i++) {
		if (c->subs[i]->state == worst)
			return c->subs[i]->text;
	}
	return c->subs[0]->text;
}
