/* The mp-test-json format: one JSON document, written by jansson. */
#ifndef MP_OUTPUT_JSON_H
#define MP_OUTPUT_JSON_H

#include "output_tree.h"

/* The document, newline-terminated, malloc'd into *out (mp_check_format
 * in output.h says how it looks). 0, or -1 on out of memory. */
int mp_format_test_json(const mp_check *c, char **out);

#endif
