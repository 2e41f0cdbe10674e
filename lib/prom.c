#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output_int.h"
#include "prom.h"
#include "quote.h"
#include "states.h"

/* A metric name's prefix: a service label is a few words. */
#define PREFIX_MAX 64
/* The whole document: a handful of families per target. */
#define PROM_CAP (16 * 1024 * 1024)

static dynbuf_err
add_str(dynbuf *b, const char *s)
{
	return dynbuf_add(b, s, strlen(s));
}

/* s with '\\' and '\n' escaped, and '"' too when quote (a label value,
 * not HELP text); a byte that is not UTF-8 becomes '?', since the
 * format is UTF-8. */
static dynbuf_err
add_escaped(dynbuf *b, const char *s, int quote)
{
	size_t n = strlen(s), i = 0, k;
	dynbuf_err e = DYNBUF_OK;

	while (i < n && e == DYNBUF_OK) {
		if (s[i] == '\\')
			e = add_str(b, "\\\\");
		else if (s[i] == '\n')
			e = add_str(b, "\\n");
		else if (s[i] == '"' && quote)
			e = add_str(b, "\\\"");
		else if ((k = mp_utf8_len(s + i, n - i)) == 0)
			e = add_str(b, "?");
		else {
			e = dynbuf_add(b, s + i, k);
			i += k;
			continue;
		}
		i++;
	}
	return e;
}

dynbuf_err
mp_prom_family(dynbuf *b, const char *name, const char *type,
    const char *help)
{
	dynbuf_err e;

	if ((e = dynbuf_printf(b, "# HELP %s ", name)) != DYNBUF_OK ||
	    (e = add_escaped(b, help, 0)) != DYNBUF_OK)
		return e;
	return dynbuf_printf(b, "\n# TYPE %s %s\n", name, type);
}

/* v as the format reads it back: whole numbers as such, others in the
 * fewest significant digits (up to 17) that give the same double. */
static dynbuf_err
add_value(dynbuf *b, double v)
{
	char num[40];
	int p, r = -1;

	if (isnan(v))
		return add_str(b, "NaN");
	if (isinf(v))
		return add_str(b, v > 0 ? "+Inf" : "-Inf");
	if (v > -1e15 && v < 1e15 && v == (double)(long long)v)
		return dynbuf_printf(b, "%lld", (long long)v);
	for (p = 1; p <= 17; p++) {
		r = snprintf(num, sizeof(num), "%.*g", p, v);
		if (r > 0 && (size_t)r < sizeof(num) &&
		    strtod(num, NULL) == v)
			break;
	}
	if (r < 0 || (size_t)r >= sizeof(num))
		return DYNBUF_TOO_LARGE;
	return add_str(b, num);
}

dynbuf_err
mp_prom_sample(dynbuf *b, const char *name, const mp_prom_label *labels,
    size_t nlabels, double value)
{
	dynbuf_err e;
	size_t i;

	if ((e = add_str(b, name)) != DYNBUF_OK)
		return e;
	for (i = 0; i < nlabels; i++) {
		if ((e = dynbuf_printf(b, "%s%s=\"", i == 0 ? "{" : ",",
		    labels[i].name)) != DYNBUF_OK ||
		    (e = add_escaped(b, labels[i].value, 1)) != DYNBUF_OK ||
		    (e = add_str(b, "\"")) != DYNBUF_OK)
			return e;
	}
	if ((e = add_str(b, nlabels > 0 ? "} " : " ")) != DYNBUF_OK ||
	    (e = add_value(b, value)) != DYNBUF_OK)
		return e;
	return add_str(b, "\n");
}

int
mp_prom_prefix(const char *label, char *buf, size_t len)
{
	size_t n = 0;
	int gap = 0;
	char ch;

	for (; *label != '\0'; label++) {
		ch = *label;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))) {
			gap = n > 0;
			continue;
		}
		/* A metric name starts with a letter or '_'. */
		if (n == 0 && ch <= '9')
			gap = 1;
		/* the '_', the character, the NUL */
		if (n + (size_t)gap + 2 > len)
			return -1;
		if (gap)
			buf[n++] = '_';
		buf[n++] = ch;
		gap = 0;
	}
	if (n == 0) {
		if (len < sizeof("check"))
			return -1;
		memcpy(buf, "check", sizeof("check"));
		return 0;
	}
	buf[n] = '\0';
	return 0;
}

dynbuf_err
mp_prom_state(dynbuf *b, const mp_check *c, const mp_prom_label *labels,
    size_t nlabels)
{
	char prefix[PREFIX_MAX], name[PREFIX_MAX + sizeof("_state")];
	dynbuf_err e;
	int r;

	if (mp_prom_prefix(c->label, prefix, sizeof(prefix)) != 0)
		return DYNBUF_TOO_LARGE;
	r = snprintf(name, sizeof(name), "%s_state", prefix);
	if (r < 0 || (size_t)r >= sizeof(name))
		return DYNBUF_TOO_LARGE;
	if ((e = mp_prom_family(b, name, "gauge", "The check's state, as its "
	    "exit code: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.")) !=
	    DYNBUF_OK)
		return e;
	return mp_prom_sample(b, name, labels, nlabels,
	    (double)mp_check_state(c));
}

int
mp_format_prometheus(const mp_check *c, char **out)
{
	dynbuf b;

	*out = NULL;
	dynbuf_init(&b, PROM_CAP);
	if (mp_prom_state(&b, c, NULL, 0) != DYNBUF_OK) {
		dynbuf_free(&b);
		return -1;
	}
	*out = b.data;
	return 0;
}
