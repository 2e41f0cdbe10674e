#include "config.h"

#include <stddef.h>

#include "cli_helptext.h"
#include "core_config.h"

const char nm_help_description[] =
    "This plugin checks that the OpenStack Nova metadata API serves a "
    "canary instance. It plays the neutron metadata agent's part: it signs "
    "the request (X-Instance-ID-Signature, HMAC-SHA256 of the instance "
    "UUID with metadata_proxy_shared_secret), times the answer, checks "
    "that the listing holds the expected keys and values, and exits OK, "
    "WARNING, CRITICAL or UNKNOWN with performance data.";

const nm_help_example nm_help_examples[] = {
	{ "The EC2 listing of the canary, the secret from a file readable "
	  "only by the monitoring user; WARNING from 0.5 s, CRITICAL from "
	  "2 s.",
	  NM_PROGNAME " -H\t192.0.2.10 -i\t32d0524b-314d-4594-b3a3-607e3f2354f8 "
	  "-T\t6f70656e737461636b --secret-file=/etc/nagios/nova-metadata.secret "
	  "-w\t0.5 -c\t2" },
	{ "The secret read from nova.conf itself, over HTTPS, and UNKNOWN "
	  "rather than CRITICAL when the 5 s limit is hit.",
	  NM_PROGNAME " -H\tnova.example.org -S -i\tUUID -T\tPROJECT_ID "
	  "--nova-conf=/etc/nova/nova.conf -t\t5:UNKNOWN" },
	{ "What cloud-init asks for at boot, with thresholds that suit its "
	  "28 requests. An OK run names what is absent and fine: "
	  "\"cloud-init profile, version 2018-08-27, user_data: none, 17 EC2 "
	  "values, 28 requests, 0.003 s\".",
	  NM_PROGNAME " -H\t192.0.2.10 -i\tUUID -T\tPROJECT_ID "
	  "--secret-file=FILE --cloud-init -w\t3 -c\t8" },
	{ "A dynamic vendordata target that instances need: CRITICAL when "
	  "Nova serves it as {} (it failed) or not at all.",
	  NM_PROGNAME " -H\t192.0.2.10 -i\tUUID -T\tPROJECT_ID "
	  "--secret-file=FILE -O --vendordata-target=join" },
	{ "Three backends in one run. The first line says how many are OK, "
	  "then each failing one with its cause: \"canary 32d0524b: 2/3 "
	  "backends OK, 10.0.0.12:8775 HTTP 403 signature rejected\"; a "
	  "single backend gives the cause, then the figures: \"canary "
	  "32d0524b on 10.0.0.12:8775: HTTP 403 signature rejected, 0.001 "
	  "s\".",
	  NM_PROGNAME " -H\t10.0.0.11 -H\t10.0.0.12 -H\t10.0.0.13 -i\tUUID "
	  "-T\tPROJECT_ID --nova-conf=/etc/nova/nova.conf" },
	{ "Options from the [nova] section of an ini file.",
	  NM_PROGNAME " --extra-opts=nova@/etc/nagios/plugins.ini" },
};
const size_t nm_help_example_count =
    sizeof(nm_help_examples) / sizeof(nm_help_examples[0]);

const nm_help_state nm_help_states[] = {
	{ "OK", "HTTP 200, every key and value as expected, the response "
	  "time within the thresholds." },
	{ "WARNING", "The response time is in the warning range (-w); with "
	  "--cloud-init also a failing second /openstack list, after which "
	  "cloud-init falls back to latest." },
	{ "CRITICAL", "The response time is in the critical range (-c); the "
	  "API answers wrongly (400, 403: the shared secret differs from "
	  "Nova's, 404: canary unknown, tenant not its project or "
	  "service_metadata_proxy off, as one more request with a wrong "
	  "signature tells, 5xx, a key missing, a value differs, "
	  "a --vendordata-target {} or absent, "
	  "a body over 1 MiB or malformed) or not at all (connection "
	  "refused, name not resolved, TLS failure); the whole-run limit (-t) "
	  "is hit, unless --timeout-result or -t's :STATE names another "
	  "state. Through --agent-socket: the agent's 404 (no port for the "
	  "IP on that network), 403 (its secret differs from Nova's), "
	  "500/503 (it cannot reach Nova), 400, 429, another instance's "
	  "answer, or the agent not serving on its socket." },
	{ "UNKNOWN", "A bad option, a missing or unreadable secret, a bad "
	  "range, not a UUID; -h and -V; interrupted by a signal; the "
	  "agent's socket not accessible to this user." },
};
const size_t nm_help_state_count =
    sizeof(nm_help_states) / sizeof(nm_help_states[0]);
