/* Command line to config: defaults, every option, and bad input. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli_args.h"
#include "cli_help.h"
#include "argvlist.h"

#define UUID "32d0524b-314d-4594-b3a3-607e3f2354f8"

static void
test_defaults(void **state)
{
	nm_config *cfg;
	nm_error err = { NM_OK, NULL };

	(void)state;
	assert_int_equal(parse(&cfg, &err, "-i", UUID, "-T", "proj", NULL),
	    NM_ARGS_RUN);
	assert_null(err.cause);
	assert_string_equal(cfg->host, "127.0.0.1");
	assert_int_equal(cfg->port, 8775);
	assert_string_equal(cfg->url, "/latest/meta-data/");
	assert_int_equal(cfg->key_count, 2);
	assert_string_equal(cfg->keys[0], "instance-id");
	assert_string_equal(cfg->keys[1], "local-ipv4");
	assert_int_equal(cfg->timeout, 10);
	assert_int_equal(cfg->timeout_result, MP_CRITICAL);
	assert_int_equal(cfg->output_format, MP_FORMAT_CLASSIC);
	assert_false(cfg->thresholds.has_warning);
	assert_false(cfg->ssl);
	assert_null(cfg->forwarded_for);
	nm_config_free(cfg);
}

/* --cloud-init[=PROFILE]: bare and =openstack are the OpenStack
 * datasource with meta_data.json's keys; =ec2 keeps the EC2 keys. */
static void
test_cloud_init_profiles(void **state)
{
	static const struct {
		const char *opt;
		nm_ci_profile profile;
		const char *key0;
	} cases[] = {
		{ "--cloud-init", NM_CI_OPENSTACK, "uuid" },
		{ "--cloud-init=openstack", NM_CI_OPENSTACK, "uuid" },
		{ "--cloud-init=ec2", NM_CI_EC2, "instance-id" },
	};
	nm_config *cfg;
	nm_error err = { NM_OK, NULL };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(&cfg, &err, "-i", UUID, "-T", "p",
		    cases[i].opt, NULL), NM_ARGS_RUN);
		assert_int_equal(cfg->mode, NM_MODE_CLOUD_INIT);
		assert_int_equal(cfg->ci_profile, cases[i].profile);
		assert_string_equal(cfg->keys[0], cases[i].key0);
		nm_config_free(cfg);
	}
	assert_int_equal(parse(&cfg, &err, "-i", UUID, "-T", "p",
	    "--cloud-init=ec2", "--cloud-init", NULL), NM_ARGS_ERROR);
	assert_non_null(strstr(err.cause, "two profiles"));
	nm_error_clear(&err);
	assert_int_equal(parse(&cfg, &err, "-i", UUID, "-T", "p",
	    "--cloud-init=nova", NULL), NM_ARGS_ERROR);
	assert_non_null(strstr(err.cause, "not a profile"));
	nm_error_clear(&err);
}

static void
test_every_option(void **state)
{
	nm_config *cfg;
	nm_error err = { NM_OK, NULL };

	(void)state;
	assert_int_equal(parse(&cfg, &err, "-H", "[::1]", "-p", "9000",
	    "-6", "-i", "32D0524B-314D-4594-B3A3-607E3F2354F8", "-T", "p",
	    "--secret-file=/s", "-k", "hostname", "-k", "public-keys/",
	    "-e", "local-ipv4=10.0.0.5", "-e", "user=a=b", "-u", "/2009-04-04/meta-data",
	    "-w", "0.5", "-c", "@1:2", "-t", "20", "--timeout-result=warning",
	    "--output-format=mp-test-json", "--forwarded-for=10.0.0.5",
	    "-vvv", "-v", NULL), NM_ARGS_RUN);
	assert_string_equal(cfg->host, "::1");
	assert_int_equal(cfg->port, 9000);
	assert_int_equal(cfg->family, 6);
	assert_string_equal(cfg->instance, UUID);	/* lower-cased */
	assert_string_equal(cfg->secret_file, "/s");
	assert_int_equal(cfg->key_count, 2);	/* -k replaces the defaults */
	assert_string_equal(cfg->keys[0], "hostname");
	assert_string_equal(cfg->keys[1], "public-keys");
	assert_int_equal(cfg->expect_count, 2);
	assert_string_equal(cfg->expects[0].key, "local-ipv4");
	assert_string_equal(cfg->expects[0].value, "10.0.0.5");
	assert_string_equal(cfg->expects[1].key, "user");
	assert_string_equal(cfg->expects[1].value, "a=b");
	assert_string_equal(cfg->url, "/2009-04-04/meta-data/");
	assert_true(cfg->thresholds.has_warning);
	assert_true(cfg->thresholds.has_critical);
	assert_true(cfg->thresholds.critical.alert_inside);
	assert_int_equal(cfg->timeout, 20);
	assert_int_equal(cfg->timeout_result, MP_WARNING);
	assert_int_equal(cfg->output_format, MP_FORMAT_TEST_JSON);
	assert_string_equal(cfg->forwarded_for, "10.0.0.5");
	assert_int_equal(cfg->verbose, 3);	/* capped */
	nm_config_free(cfg);
}

/* -H repeated: HOST, HOST:PORT, [IPV6], [IPV6]:PORT, -p for the rest. */
static void
test_several_hosts(void **state)
{
	nm_config *cfg;
	nm_error err = { NM_OK, NULL };

	(void)state;
	assert_int_equal(parse(&cfg, &err, "-H", "a", "-H", "b:81", "-H",
	    "[::1]", "-H", "[::2]:82", "-H", "::3", "-p", "80",
	    "--all-addresses", "-i", UUID, "-T", "p", NULL), NM_ARGS_RUN);
	assert_int_equal(cfg->host_count, 5);
	assert_string_equal(cfg->hosts[0].host, "a");
	assert_int_equal(cfg->hosts[0].port, 0);
	assert_string_equal(cfg->hosts[1].host, "b");
	assert_int_equal(cfg->hosts[1].port, 81);
	assert_string_equal(cfg->hosts[2].host, "::1");
	assert_int_equal(cfg->hosts[2].port, 0);
	assert_string_equal(cfg->hosts[3].host, "::2");
	assert_int_equal(cfg->hosts[3].port, 82);
	assert_string_equal(cfg->hosts[4].host, "::3");
	assert_int_equal(cfg->port, 80);
	assert_true(cfg->all_addresses);
	nm_config_free(cfg);
	/* One -H with a port is the single target, on that port. */
	assert_int_equal(parse(&cfg, &err, "-H", "h:9", "-i", UUID, "-T",
	    "p", NULL), NM_ARGS_RUN);
	assert_int_equal(cfg->host_count, 1);
	assert_string_equal(cfg->host, "h");
	assert_int_equal(cfg->port, 9);
	nm_config_free(cfg);
	assert_int_equal(parse(&cfg, &err, "-H", "h", "-H", "h", "-i", UUID,
	    "-T", "p", NULL), NM_ARGS_ERROR);
	assert_non_null(strstr(err.cause, "given twice"));
	nm_error_clear(&err);
}

static void
test_tls_options(void **state)
{
	nm_config *cfg;
	nm_error err = { NM_OK, NULL };

	(void)state;
	assert_int_equal(parse(&cfg, &err, "-i", UUID, "-T", "p", "-S",
	    "--ca-cert=/ca.pem", "-J", "/c.pem", "-K", "/k.pem", "--insecure",
	    NULL), NM_ARGS_RUN);
	assert_true(cfg->ssl);
	assert_true(cfg->insecure);
	assert_string_equal(cfg->ca_cert, "/ca.pem");
	assert_string_equal(cfg->client_cert, "/c.pem");
	assert_string_equal(cfg->client_key, "/k.pem");
	nm_config_free(cfg);
}

static void
test_help_version(void **state)
{
	nm_config *cfg;
	nm_error err = { NM_OK, NULL };

	(void)state;
	assert_int_equal(parse(&cfg, &err, "-h", NULL), NM_ARGS_HELP);
	assert_null(cfg);
	assert_int_equal(parse(&cfg, &err, "--version", NULL),
	    NM_ARGS_VERSION);
	assert_non_null(strstr(nm_help_text(), "--instance"));
	assert_non_null(strstr(nm_help_text(), "Usage:"));
}

/* Each bad command line: UNKNOWN with a err.cause naming the option. */
static void
test_errors(void **state)
{
	static const struct {
		const char *a, *b, *c;
		const char *needle;
	} cases[] = {
		{ "-i", "not-a-uuid", NULL, "--instance" },
		{ "-i", UUID "0", NULL, "not a UUID" },
		{ "-i", "32d0524b-314d-4594-b3a3_607e3f2354f8", NULL, "UUID" },
		{ "-p", "0", NULL, "--port" },
		{ "-p", "65536", NULL, "--port" },
		{ "-p", "80x", NULL, "--port" },
		{ "-p", "-1", NULL, "--port" },
		{ "-t", "0", NULL, "--timeout" },
		{ "-t", "1.5", NULL, "--timeout" },
		{ "-t", "99999", NULL, "--timeout" },
		{ "-w", "10:5", NULL, "--warning" },
		{ "-c", "abc", NULL, "--critical" },
		{ "-k", "bad key", NULL, "--key" },
		{ "-k", "", NULL, "--key" },
		{ "-e", "novalue", NULL, "--expect" },
		{ "-e", "=x", NULL, "--expect" },
		{ "-u", "latest/meta-data/", NULL, "--url" },
		{ "-u", "/a b/", NULL, "--url" },
		{ "-u", "/x?y=1", NULL, "--url" },
		{ "-H", "", NULL, "--hostname" },
		{ "-H", "a b", NULL, "--hostname" },
		{ "-H", "h\r\nX-Evil: 1", NULL, "--hostname" },
		{ "-H", "127.0.0.1:0", NULL, "no valid port" },
		{ "-H", "[::1]:x", NULL, "no valid port" },
		{ "-H", "1.2.3.4.5:6:7", NULL, "[IPV6]:PORT" },
		{ "-H", "user@host", NULL, "--hostname" },
		{ "-H", "host/path", NULL, "--hostname" },
		{ "-H", "[]", NULL, "--hostname" },
		{ "-H", "[::1", NULL, "--hostname" },
		{ "-H", "::g", NULL, "--hostname" },
		{ "-4", "-H", "::1", "-4 with -H ::1" },
		{ "-6", "-H", "127.0.0.1", "-6 with -H 127.0.0.1" },
		{ "-w", "1e20", NULL, "--warning" },
		{ "-c", "~:-1e16", NULL, "--critical" },
		{ "--timeout-result=BAD", NULL, NULL, "--timeout-result" },
		{ "--output-format=xml", NULL, NULL, "--output-format" },
		{ "--forwarded-for=not-an-ip", NULL, NULL, "--forwarded-for" },
		{ "--forwarded-for=1.2.3.4\r\nX: y", NULL, NULL, "--forwarded-for" },
		{ "--secret-file=", NULL, NULL, "--secret-file" },
		{ "-J", "/c.pem", "-S", "--private-key" },
		{ "--insecure", NULL, NULL, "--ssl" },
		{ "--bogus", NULL, NULL, "a long option of 7 characters" },
		{ "-x", NULL, NULL, "unknown option '-x'" },
		{ "stray", NULL, NULL, "unexpected argument (5 characters)" },
		{ "-t", "10:", NULL, "the state after ':'" },
		{ "-t", "10:MAYBE", NULL, "the state after ':'" },
		{ "-t", ":CRITICAL", NULL, "--timeout: the seconds" },
		{ "--ssl=1", NULL, NULL, "option '--ssl' takes no value" },
		{ "--use-ipv4=yes", NULL, NULL, "'--use-ipv4' takes no value" },
		{ "-w", "0.000000000000000000001", NULL, "below 0.000001" },
		{ "-c", "1e-7:1", NULL, "below 0.000001" },
		{ "-w", NULL, NULL, "needs a value" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		nm_config *cfg = NULL;
		nm_error err = { NM_OK, NULL };
		nm_args_result r;

		r = parse(&cfg, &err, "-i", UUID, "-T", "p", cases[i].a,
		    cases[i].b, cases[i].c, NULL);
		if (r != NM_ARGS_ERROR || err.cause == NULL ||
		    strstr(err.cause, cases[i].needle) == NULL)
			fail_msg("case %zu (%s %s): result %d, err.cause '%s'", i,
			    cases[i].a, cases[i].b ? cases[i].b : "", (int)r,
			    err.cause ? err.cause : "(null)");
		assert_null(cfg);
		assert_null(strpbrk(err.cause, "\r\n|"));
		nm_error_clear(&err);
	}
}

/* A value typed into the wrong option, or an ini key that is no option,
 * never reaches the message: it may be the shared secret. */
static void
test_error_never_quotes_value(void **state)
{
	static const char *words[] = {
		"--secret=s3cr3tVAL", "--metadata_proxy_shared_secret=s3cr3tVAL",
		"--secret-fil=s3cr3tVAL", "--s=s3cr3tVAL", "--help=s3cr3tVAL",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		nm_config *cfg = NULL;
		nm_error err = { NM_OK, NULL };

		assert_int_equal(parse(&cfg, &err, "-i", UUID, "-T", "p",
		    words[i], NULL), NM_ARGS_ERROR);
		assert_non_null(err.cause);
		if (strstr(err.cause, "s3cr3tVAL") != NULL)
			fail_msg("'%s' quoted its value: %s", words[i], err.cause);
		assert_true(strstr(err.cause, "unknown option") != NULL ||
		    strstr(err.cause, "takes no value") != NULL);
		nm_error_clear(&err);
	}
}

/* Every option that validates its value refuses a secret pasted into
 * it without repeating it, and still names itself. */
static void
test_refused_value_never_quoted(void **state)
{
	static const struct {
		const char *opt;
		const char *name;
	} opts[] = {
		{ "-H", "--hostname" }, { "-p", "--port" }, { "-i", "--instance" },
		{ "-T", "--tenant" }, { "-k", "--key" }, { "-e", "--expect" },
		{ "-u", "--url" }, { "-w", "--warning" }, { "-c", "--critical" },
		{ "-t", "--timeout" }, { "--timeout-result", "--timeout-result" },
		{ "--output-format", "--output-format" },
		{ "--forwarded-for", "--forwarded-for" },
	};
	/* Refused by every option above: a space, a '?', no '='. */
	static const char secret[] = "S3CRET s3cr3t?VALUE";
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		nm_config *cfg = NULL;
		nm_error err = { NM_OK, NULL };

		assert_int_equal(parse(&cfg, &err, "-i", UUID, "-T", "p",
		    opts[i].opt, secret, NULL), NM_ARGS_ERROR);
		if (strstr(err.cause, "S3CRET") != NULL ||
		    strstr(err.cause, "s3cr3t") != NULL ||
		    strstr(err.cause, opts[i].name) == NULL)
			fail_msg("%s: %s", opts[i].opt, err.cause);
		nm_error_clear(&err);
	}
}

/* -t SECONDS[:STATE] as monitoring-plugins' parse_timeout_string. */
static void
test_timeout_state(void **state)
{
	static const struct {
		const char *arg;
		unsigned seconds;
		mp_state result;
	} cases[] = {
		{ "10:UNKNOWN", 10, MP_UNKNOWN }, { "5:ok", 5, MP_OK },
		{ "7:Warning", 7, MP_WARNING }, { "3:2", 3, MP_CRITICAL },
		{ "4:3", 4, MP_UNKNOWN }, { "9", 9, MP_CRITICAL },
	};
	nm_config *cfg;
	nm_error err = { NM_OK, NULL };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(&cfg, &err, "-i", UUID, "-T", "p",
		    "-t", cases[i].arg, NULL), NM_ARGS_RUN);
		assert_int_equal(cfg->timeout, cases[i].seconds);
		assert_int_equal(cfg->timeout_result, cases[i].result);
		nm_config_free(cfg);
	}
	/* the later of -t's state and --timeout-result wins */
	assert_int_equal(parse(&cfg, &err, "-i", UUID, "-T", "p",
	    "-t", "5:OK", "--timeout-result=WARNING", NULL), NM_ARGS_RUN);
	assert_int_equal(cfg->timeout_result, MP_WARNING);
	nm_config_free(cfg);
}

/* --use-ipv4/--use-ipv6 and case-insensitive, 3.x output formats. */
static void
test_conventions(void **state)
{
	nm_config *cfg;
	nm_error err = { NM_OK, NULL };

	(void)state;
	assert_int_equal(parse(&cfg, &err, "-i", UUID, "-T", "p",
	    "-H", "::1", "--use-ipv6", "--output-format=ICINGAweb2", NULL),
	    NM_ARGS_RUN);
	assert_int_equal(cfg->family, 6);
	assert_int_equal(cfg->output_format, MP_FORMAT_ICINGAWEB2);
	nm_config_free(cfg);
	assert_int_equal(parse(&cfg, &err, "-i", UUID, "-T", "p",
	    "--use-ipv4", "--output-format=Summary-Only", NULL), NM_ARGS_RUN);
	assert_int_equal(cfg->family, 4);
	assert_int_equal(cfg->output_format, MP_FORMAT_SUMMARY_ONLY);
	nm_config_free(cfg);
}

/* Abbreviations are refused, spelled-out options work with either form
 * of value. */
static void
test_long_options_spelled_out(void **state)
{
	nm_config *cfg;
	nm_error err = { NM_OK, NULL };

	(void)state;
	assert_int_equal(parse(&cfg, &err, "-i", UUID, "--tenant", "p",
	    "--hostname=h", "--port", "99", "--timeout-r", "ok", NULL),
	    NM_ARGS_ERROR);
	assert_non_null(strstr(err.cause, "'--timeout-r'"));
	assert_non_null(strstr(err.cause, "--timeout-result"));
	nm_error_clear(&err);
	/* ambiguous: getopt itself refuses it */
	assert_int_equal(parse(&cfg, &err, "-i", UUID, "-T", "p", "--tim",
	    "5", NULL), NM_ARGS_ERROR);
	assert_non_null(strstr(err.cause, "'--tim'"));
	nm_error_clear(&err);
	assert_int_equal(parse(&cfg, &err, "-i", UUID, "--tenant", "p",
	    "--hostname=h", "--port", "99", "--timeout", "5", "--ssl",
	    "--insecure", NULL), NM_ARGS_RUN);
	assert_string_equal(cfg->host, "h");
	assert_int_equal(cfg->port, 99);
	assert_int_equal(cfg->timeout, 5);
	nm_config_free(cfg);
}

/* The output format as main reads it before parsing. */
static mp_format
format_of(int argc, char **argv)
{
	nm_cmdline cl;
	mp_format f;

	nm_cmdline_read(argc, argv, &cl);
	f = cl.format;
	nm_cmdline_free(&cl);
	return f;
}

static void
test_output_format_prescan(void **state)
{
	char *a[] = { "p", "--output-format=mp-test-json", "--bogus", NULL };
	char *b[] = { "p", "--output-format", "mp-test-json", NULL };
	char *c[] = { "p", "--output-format=mp-test-json",
	    "--output-format=classic", NULL };
	char *d[] = { "p", "--output-format=xml", NULL };
	char *e[] = { "p", "--", "--output-format=mp-test-json", NULL };
	/* a value of -e, not an option; the case does not matter */
	char *f[] = { "p", "-e", "--output-format=mp-test-json", NULL };
	char *g[] = { "p", "--output-format=One-Line", "-i", "bad", NULL };

	(void)state;
	assert_int_equal(format_of(3, a), MP_FORMAT_TEST_JSON);
	assert_int_equal(format_of(3, b), MP_FORMAT_TEST_JSON);
	assert_int_equal(format_of(3, c), MP_FORMAT_CLASSIC);
	assert_int_equal(format_of(2, d), MP_FORMAT_CLASSIC);
	assert_int_equal(format_of(3, e), MP_FORMAT_CLASSIC);
	assert_int_equal(format_of(3, f), MP_FORMAT_CLASSIC);
	assert_int_equal(format_of(4, g), MP_FORMAT_ONE_LINE);
}

static void
test_required(void **state)
{
	nm_config *cfg;
	nm_error err = { NM_OK, NULL };

	(void)state;
	assert_int_equal(parse(&cfg, &err, "-T", "p", NULL), NM_ARGS_ERROR);
	assert_non_null(strstr(err.cause, "--instance is required"));
	nm_error_clear(&err);
	assert_int_equal(parse(&cfg, &err, "-i", UUID, NULL), NM_ARGS_ERROR);
	assert_non_null(strstr(err.cause, "--tenant is required"));
	nm_error_clear(&err);
}

/* Later options win, as with every getopt program; parsing twice in one
 * process works (getopt's state is reset each time). */
#define NET "3C6C1D2E-6E0F-4A3C-8F0B-0D5B9F0C1A01"

/* --agent-socket: the default path, one ID lower-cased, -T optional, and
 * a secret source means Nova directly too. */
static void
test_agent_socket(void **state)
{
	nm_config *cfg;
	nm_error err = { NM_OK, NULL };

	(void)state;
	unsetenv("NOVA_METADATA_SECRET");
	assert_int_equal(parse(&cfg, &err, "-i", UUID, "--agent-socket",
	    "--forwarded-for", "2001:db8::10", "--network-id", NET, NULL),
	    NM_ARGS_RUN);
	assert_string_equal(cfg->agent_socket,
	    "/var/lib/neutron/metadata_proxy");
	assert_string_equal(cfg->network_id,
	    "3c6c1d2e-6e0f-4a3c-8f0b-0d5b9f0c1a01");
	assert_null(cfg->router_id);
	assert_null(cfg->tenant);
	assert_false(cfg->agent_and_nova);
	nm_config_free(cfg);
	assert_int_equal(parse(&cfg, &err, "-i", UUID, "-T", "p",
	    "--agent-socket=/run/n/mp", "--forwarded-for", "10.0.0.5",
	    "--ovn-network-id", NET, "--secret-file=/s", NULL), NM_ARGS_RUN);
	assert_string_equal(cfg->agent_socket, "/run/n/mp");
	assert_non_null(cfg->ovn_network_id);
	assert_true(cfg->agent_and_nova);
	nm_config_free(cfg);
	/* a secret source without -T: Nova cannot be asked */
	assert_int_equal(parse(&cfg, &err, "-i", UUID, "--agent-socket",
	    "--forwarded-for", "10.0.0.5", "--router-id", NET, "--nova-conf",
	    "/n", NULL), NM_ARGS_ERROR);
	assert_non_null(strstr(err.cause, "-T/--tenant is required"));
	nm_error_clear(&err);
	assert_int_equal(parse(&cfg, &err, "-i", UUID, "--agent-socket",
	    "--forwarded-for", "10.0.0.5", "--router-id", NET,
	    "--network-id", NET, NULL), NM_ARGS_ERROR);
	assert_non_null(strstr(err.cause, "exclude each other"));
	nm_error_clear(&err);
	/* -H beside the agent alone would go unused */
	assert_int_equal(parse(&cfg, &err, "-i", UUID, "--agent-socket",
	    "--forwarded-for", "10.0.0.5", "--router-id", NET, "-H",
	    "192.0.2.21", NULL), NM_ARGS_ERROR);
	assert_non_null(strstr(err.cause, "-H with --agent-socket"));
	nm_error_clear(&err);
	/* without the agent -T stays required */
	assert_int_equal(parse(&cfg, &err, "-i", UUID, NULL),
	    NM_ARGS_ERROR);
	assert_non_null(strstr(err.cause, "-T/--tenant is required"));
	nm_error_clear(&err);
}

static void
test_last_wins_and_reparse(void **state)
{
	nm_config *cfg;
	nm_error err = { NM_OK, NULL };
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		assert_int_equal(parse(&cfg, &err, "-i", UUID, "-T", "a",
		    "-T", "b", "-p", "1", "-p", "2", NULL), NM_ARGS_RUN);
		assert_string_equal(cfg->tenant, "b");
		assert_int_equal(cfg->port, 2);
		nm_config_free(cfg);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_option),
		cmocka_unit_test(test_cloud_init_profiles),
		cmocka_unit_test(test_several_hosts),
		cmocka_unit_test(test_tls_options),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_required),
		cmocka_unit_test(test_error_never_quotes_value),
		cmocka_unit_test(test_refused_value_never_quoted),
		cmocka_unit_test(test_timeout_state),
		cmocka_unit_test(test_conventions),
		cmocka_unit_test(test_long_options_spelled_out),
		cmocka_unit_test(test_output_format_prescan),
		cmocka_unit_test(test_last_wins_and_reparse),
		cmocka_unit_test(test_agent_socket),
	};

	return cmocka_run_group_tests_name("args", tests, NULL, NULL);
}
