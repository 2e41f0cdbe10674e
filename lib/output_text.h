/* The text formats: classic, icingaweb2, and monitoring-plugins 3.x's
 * one-line, multi-line and summary-only (mp_check_format in output.h
 * says how each looks). Each writes the whole output, newline-terminated, malloc'd into
 * *out, and returns 0, or -1 on out of memory. */
#ifndef MP_OUTPUT_TEXT_H
#define MP_OUTPUT_TEXT_H

#include "output_tree.h"

int mp_format_classic(const mp_check *c, char **out);
int mp_format_one_line(const mp_check *c, char **out);
int mp_format_icingaweb2(const mp_check *c, char **out);
int mp_format_multi_line(const mp_check *c, char **out);
int mp_format_summary_only(const mp_check *c, char **out);

#endif
