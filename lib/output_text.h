/* The text formats: classic and monitoring-plugins 3.x's one-line,
 * icingaweb2 and summary-only. */
#ifndef MP_OUTPUT_TEXT_H
#define MP_OUTPUT_TEXT_H

#include "output.h"

/* mp_check_format for every format but MP_FORMAT_TEST_JSON (classic for
 * any value it does not know). */
int mp_check_format_text(const mp_check *c, mp_format f, char **out);

#endif
