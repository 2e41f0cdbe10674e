/* The run's result as Prometheus metrics (lib/prom.h's text format),
 * for node_exporter's textfile collector; and the choice between them
 * and the output layer's formats. Never prints. */
#ifndef NM_CHECK_PROM_H
#define NM_CHECK_PROM_H

#include "check.h"
#include "core_config.h"
#include "output.h"

/* c in cfg's output format (cfg->output_format): the output layer's,
 * or with Prometheus' the canary's series: the run's state, whether the
 * canary was served, whether backends disagree, and with outcomes
 * (NULL: the run has none, as when the whole-run limit or a signal ends
 * it) each target's own. The metrics and their labels are README's
 * "With Prometheus". 0, or -1 on out of memory. */
int nm_check_format(const mp_check *c, const nm_config *cfg,
    const nm_outcomes *outcomes, char **out);

#endif
