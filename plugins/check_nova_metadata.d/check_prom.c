#include "config.h"

#include <stdbool.h>
#include <stddef.h>

#include "check_prom.h"
#include "dynbuf.h"
#include "prom.h"

/* A document of a few families per target; the cap guards against a
 * runaway caller only. */
#define PROM_CAP (16 * 1024 * 1024)

/* Each target's families, in the order written; every name starts with
 * the prefix mp_prom_state derives from NM_LABEL. */
typedef enum {
	FAM_UP,
	FAM_REASON,
	FAM_TIME,
	FAM_SIZE,
	FAM_STATUS,
	FAM_COUNT
} target_family;

static const struct {
	const char *name;
	const char *help;
} families[FAM_COUNT] = {
	{ "nova_metadata_up", "Whether the target served the canary its "
	    "metadata as checked (1) or not (0); slow counts as served." },
	{ "nova_metadata_reason", "Why the target failed, as the label "
	    "reason, one of a fixed set (none when it did not); always 1." },
	{ "nova_metadata_response_time_seconds", "Time of all the requests "
	    "the run made to the target, answered or not." },
	{ "nova_metadata_response_size_bytes", "Bytes of all the answers "
	    "the target gave in the run." },
	{ "nova_metadata_http_status", "The last HTTP status the target "
	    "answered with; 0 when it gave none." },
};

static const char *
hop_name(nm_target_kind kind)
{
	switch (kind) {
	case NM_TARGET_AGENT:
		return "agent";
	case NM_TARGET_INSTANCE:
		return "instance";
	default:
		return "nova";
	}
}

/* Served: no failure, or only slowness (a WARNING or CRITICAL on the
 * time, with the metadata in hand). */
static bool
target_up(const nm_outcome *t)
{
	return t->reason == NM_REASON_NONE || t->reason == NM_REASON_SLOW;
}

static double
target_value(target_family f, const nm_outcome *t)
{
	switch (f) {
	case FAM_UP:
		return target_up(t) ? 1 : 0;
	case FAM_TIME:
		return t->time;
	case FAM_SIZE:
		return (double)t->bytes;
	case FAM_STATUS:
		return (double)t->status;
	default:
		return 1;
	}
}

/* Every target's sample of family f. */
static dynbuf_err
add_family(dynbuf *b, target_family f, const char *canary,
    const nm_outcomes *o)
{
	mp_prom_label l[4] = { { "canary", canary }, { "backend", NULL },
	    { "hop", NULL }, { "reason", NULL } };
	const nm_outcome *t;
	dynbuf_err e;
	size_t i;

	if ((e = mp_prom_family(b, families[f].name, "gauge",
	    families[f].help)) != DYNBUF_OK)
		return e;
	for (i = 0; i < o->count; i++) {
		t = &o->v[i];
		l[1].value = t->name;
		l[2].value = hop_name(t->kind);
		/* An empty value would be no label at all. */
		l[3].value = t->reason == NM_REASON_NONE ? "none" :
		    nm_reason_token(t->reason);
		if ((e = mp_prom_sample(b, families[f].name, l,
		    f == FAM_REASON ? 4 : 3, target_value(f, t))) != DYNBUF_OK)
			return e;
	}
	return DYNBUF_OK;
}

/* The canary was served when every target served it; not when the run
 * has no outcomes (cut short). */
static bool
canary_served(const nm_outcomes *o)
{
	size_t i;

	if (o == NULL || o->count == 0)
		return false;
	for (i = 0; i < o->count; i++)
		if (!target_up(&o->v[i]))
			return false;
	return true;
}

static dynbuf_err
add_metrics(dynbuf *b, const mp_check *c, const nm_config *cfg,
    const nm_outcomes *o)
{
	const mp_prom_label canary = { "canary", cfg->instance };
	dynbuf_err e;
	int f;

	if ((e = mp_prom_state(b, c, &canary, 1)) != DYNBUF_OK ||
	    (e = mp_prom_family(b, "nova_metadata_canary_served", "gauge",
	    "Whether every target checked served the canary its metadata "
	    "(1) or not (0).")) != DYNBUF_OK ||
	    (e = mp_prom_sample(b, "nova_metadata_canary_served", &canary, 1,
	    canary_served(o) ? 1 : 0)) != DYNBUF_OK ||
	    (e = mp_prom_family(b, "nova_metadata_backends_disagree", "gauge",
	    "Whether backends served the canary different values for the "
	    "checked keys (1) or not (0).")) != DYNBUF_OK ||
	    (e = mp_prom_sample(b, "nova_metadata_backends_disagree", &canary,
	    1, o != NULL && o->disagree ? 1 : 0)) != DYNBUF_OK)
		return e;
	for (f = 0; o != NULL && o->count > 0 && f < FAM_COUNT; f++)
		if ((e = add_family(b, (target_family)f, cfg->instance,
		    o)) != DYNBUF_OK)
			return e;
	return DYNBUF_OK;
}

int
nm_check_format(const mp_check *c, const nm_config *cfg,
    const nm_outcomes *o, char **out)
{
	dynbuf b;

	if (cfg->output_format != MP_FORMAT_PROMETHEUS)
		return mp_check_format(c, cfg->output_format, out);
	*out = NULL;
	dynbuf_init(&b, PROM_CAP);
	if (add_metrics(&b, c, cfg, o) != DYNBUF_OK) {
		dynbuf_free(&b);
		return -1;
	}
	*out = b.data;
	return 0;
}
