#include "config.h"

#include <string.h>
#include <strings.h>

#include "states.h"

const char *
mp_state_name(mp_state s)
{
	switch (s) {
	case MP_OK:
		return "OK";
	case MP_WARNING:
		return "WARNING";
	case MP_CRITICAL:
		return "CRITICAL";
	case MP_UNKNOWN:
	default:
		return "UNKNOWN";
	}
}

/* The numeric order puts UNKNOWN above CRITICAL, but an operator cares
 * more about a confirmed failure than about a check that could not tell,
 * so the guidelines rank CRITICAL > WARNING > UNKNOWN > OK. */
int
mp_state_severity(mp_state s)
{
	switch (s) {
	case MP_OK:
		return 0;
	case MP_UNKNOWN:
		return 1;
	case MP_WARNING:
		return 2;
	case MP_CRITICAL:
		return 3;
	default:
		return 1;	/* out-of-range values are treated as UNKNOWN */
	}
}

mp_state
mp_state_worst(mp_state a, mp_state b)
{
	mp_state r = mp_state_severity(a) >= mp_state_severity(b) ? a : b;

	/* Never hand an out-of-range value back to a caller that exits with it. */
	if (r != MP_OK && r != MP_WARNING && r != MP_CRITICAL)
		r = MP_UNKNOWN;
	return r;
}

int
mp_state_parse(const char *text, mp_state *out)
{
	static const struct {
		const char *name;
		const char *digit;
		mp_state state;
	} names[] = {
		{ "OK", "0", MP_OK },
		{ "WARNING", "1", MP_WARNING },
		{ "CRITICAL", "2", MP_CRITICAL },
		{ "UNKNOWN", "3", MP_UNKNOWN },
	};
	size_t i;

	if (text == NULL)
		return -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(text, names[i].name) == 0 ||
		    strcmp(text, names[i].digit) == 0) {
			*out = names[i].state;
			return 0;
		}
	}
	return -1;
}
