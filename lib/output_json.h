/* The mp-test-json format: one JSON document, written by jansson. */
#ifndef MP_OUTPUT_JSON_H
#define MP_OUTPUT_JSON_H

#include "output.h"

/* mp_check_format for MP_FORMAT_TEST_JSON. */
int mp_check_format_json(const mp_check *c, char **out);

#endif
