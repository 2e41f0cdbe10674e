/* The check's tree as its own code and its formatters see it
 * (output_tree.c, output_text.c, output_json.c); nothing else includes
 * this. Struct tags only, so that it needs no output header. */
#ifndef MP_OUTPUT_INT_H
#define MP_OUTPUT_INT_H

#include <stddef.h>

#include "perfdata.h"
#include "states.h"

/* Deeper sub-checks are kept but not written: a runaway caller cannot
 * make the formatters recurse without end. */
#define MP_OUTPUT_MAX_NESTING 8

struct mp_subcheck {
	mp_state state;
	char *text;
	mp_perfdata *perf;
	size_t nperf;
	struct mp_check *nested;	/* sub-checks under this one, or NULL */
	int hidden;		/* no line in the text formats */
};

struct mp_check {
	char *label;
	char *summary;		/* NULL: derived from the sub-checks */
	struct mp_subcheck **subs;	/* pointers, so handed-out sub-checks stay put */
	size_t nsubs;
};

#endif
