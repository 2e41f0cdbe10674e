/* The instance's own view in words: which hop of the chain (the
 * datapath, the namespace's haproxy, the neutron metadata agent, Nova)
 * answered a failure, told from the answer itself: haproxy's own error
 * pages, the agent's webob pages, Nova's. Bytes in, words out; never
 * prints. */
#ifndef NM_EXPLAIN_VIEW_H
#define NM_EXPLAIN_VIEW_H

#include <stddef.h>

#include "core_error.h"
#include "core_reason.h"

/* Why the chain answered status with body, in the words of the hop that
 * answered: a fixed sentence when the answer is one the chain's hops
 * give (429, haproxy's 502/503/504 pages, the agent's 500, and for the
 * visit's first answer a 403 or a 404 behind the agent), NULL when it
 * is not (Nova's own words apply). Once an answer came through, a later
 * 404 is a path the instance lacks. */
const char *nm_explain_view_status(long status, const char *body,
    size_t len, int first);

/* Which of haproxy's own error pages body is: "502", "503", "504", or
 * NULL when it is none of them (the status alone does not say: the
 * agent and Nova answer 503 too). */
const char *nm_explain_view_haproxy_page(const char *body, size_t len);

/* What a connection failure to the metadata address means from inside
 * an instance: a hint that follows libcurl's words. */
const char *nm_explain_view_no_answer(nm_err e);

/* The class of a status other than 200 inside an instance, by the hop
 * whose page the body is: haproxy's with no agent behind it, the agent's
 * with no port or no Nova, else by the status alone. */
nm_reason nm_explain_view_class(long status, const char *body, size_t len);

#endif
