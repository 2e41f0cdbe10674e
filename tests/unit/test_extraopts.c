/* --extra-opts: locators, the search order, key=value to options, the
 * command line winning, and the failures that name file and section. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli_args.h"
#include "argvlist.h"
#include "cli_extraopts.h"
#include "tmpdir.h"

#define UUID "32d0524b-314d-4594-b3a3-607e3f2354f8"

static char dir[] = "/tmp/test_extraopts.XXXXXX";
/* The reallocarray() call that fails (counted from 1), or 0 for none. */
static int realloc_fail_at, realloc_calls;

/* Replaces libc's for this program, so that growing an argv can fail
 * where a test wants it to. */
void *
reallocarray(void *p, size_t n, size_t size)
{
	if (realloc_fail_at != 0 && ++realloc_calls == realloc_fail_at)
		return NULL;
	if (size != 0 && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n * size);
}

static char file[300], sub1[300], sub2[300], deflt[300];

static void
write_file(const char *path, const char *text)
{
	FILE *f;

	assert_non_null(f = fopen(path, "w"));
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static void
join(char *out, const char *a, const char *b)
{
	int r = snprintf(out, 300, "%s/%s", a, b);

	assert_true(r > 0 && r < 300);
}

/* Expands the NULL-terminated words; returns the new argv joined by
 * spaces (static), or NULL with *errp. */
static const char *
expand(nm_error *errp, const char *const *defaults, ...)
{
	static char joined[4096];
	char *argv[32], **out = NULL;
	const char *a;
	int argc = 0, out_argc = 0, from_files = 0, i;
	va_list ap;

	argv[argc++] = (char *)"check_nova_metadata";
	va_start(ap, defaults);
	while ((a = va_arg(ap, const char *)) != NULL)
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	if (nm_extraopts_expand(argc, argv, "check_nova_metadata", defaults,
	    &out_argc, &out, &from_files, errp) != NM_OK) {
		assert_null(out);
		return NULL;
	}
	joined[0] = '\0';
	for (i = 1; i < out_argc; i++) {
		assert_true(strlen(joined) + strlen(out[i]) + 2 < sizeof(joined));
		if (i > 1)
			strncat(joined, " ", sizeof(joined) - strlen(joined) - 1);
		strncat(joined, out[i], sizeof(joined) - strlen(joined) - 1);
	}
	assert_null(out[out_argc]);
	nm_argv_free(out);
	return joined;
}

static const char *const no_defaults[] = { NULL };

static void
test_wanted(void **state)
{
	char *a1[] = { "p", "-v", "--extra-opts=x", NULL };
	char *a2[] = { "p", "--", "--extra-opts", NULL };
	char *a3[] = { "p", "--extra-optsx", NULL };

	(void)state;
	assert_true(nm_extraopts_wanted(3, a1));
	assert_false(nm_extraopts_wanted(3, a2));
	assert_false(nm_extraopts_wanted(2, a3));
}

static void
test_section_and_file(void **state)
{
	char loc[400];
	nm_error err = { NM_OK, NULL };

	(void)state;
	write_file(file, "# plugins.ini\n"
	    "; also a comment\n"
	    "[other]\nhostname = wrong\n"
	    "[check_nova_metadata]\n"
	    "hostname = 192.0.2.1\n"
	    "  port=9000\n"
	    "verbose\n"
	    "v=\n"
	    "key = a\nkey = b\n"
	    "expect = local-ipv4=10.0.0.5\n"
	    "[canary2]\ninstance = " UUID "\n");
	assert_true(snprintf(loc, sizeof(loc), "--extra-opts=@%s", file) > 0);
	assert_string_equal(expand(&err, no_defaults, "-T", "p", loc, "-w",
	    "1", NULL), "--hostname=192.0.2.1 --port=9000 --verbose -v "
	    "--key=a --key=b --expect=local-ipv4=10.0.0.5 -T p -w 1");
	assert_true(snprintf(loc, sizeof(loc), "canary2@%s", file) > 0);
	assert_string_equal(expand(&err, no_defaults, "--extra-opts", loc,
	    "-v", NULL), "--instance=" UUID " -v");
}

static void
test_missing_section_and_file(void **state)
{
	char loc[400];
	nm_error err = { NM_OK, NULL };

	(void)state;
	write_file(file, "[other]\nhostname = x\n");
	assert_true(snprintf(loc, sizeof(loc), "--extra-opts=nosuch@%s", file) > 0);
	assert_null(expand(&err, no_defaults, loc, NULL));
	/* a section named on the command line is not repeated, the file
	 * that opened is */
	assert_null(strstr(err.cause, "nosuch"));
	assert_non_null(strstr(err.cause, "(the section --extra-opts names)"));
	assert_non_null(strstr(err.cause, file));
	nm_error_clear(&err);
	assert_null(expand(&err, no_defaults, "--extra-opts=@/nonexistent/x.ini",
	    NULL));
	assert_null(strstr(err.cause, "/nonexistent/x.ini"));
	assert_non_null(strstr(err.cause, "the file it names: cannot open"));
	assert_non_null(strstr(err.cause, "No such file"));
	nm_error_clear(&err);
}

static void
test_search_order(void **state)
{
	const char *defaults[] = { deflt, NULL };
	char path[300];
	nm_error err = { NM_OK, NULL };

	(void)state;
	unsetenv("MP_CONFIG_FILE");
	unsetenv("NAGIOS_CONFIG_PATH");
	assert_null(expand(&err, no_defaults, "--extra-opts", NULL));
	assert_non_null(strstr(err.cause, "MP_CONFIG_FILE"));
	nm_error_clear(&err);

	write_file(deflt, "[check_nova_metadata]\nport = 1\n");
	assert_string_equal(expand(&err, defaults, "--extra-opts", NULL),
	    "--port=1");

	join(path, sub2, "nagios-plugins.ini");
	write_file(path, "[check_nova_metadata]\nport = 3\n");
	assert_int_equal(setenv("NAGIOS_CONFIG_PATH", sub1, 1), 0);
	assert_string_equal(expand(&err, defaults, "--extra-opts", NULL),
	    "--port=1");	/* nothing in sub1: the default place */
	assert_true(snprintf(path, sizeof(path), ":%s::%s", sub1, sub2) > 0);
	assert_int_equal(setenv("NAGIOS_CONFIG_PATH", path, 1), 0);
	assert_string_equal(expand(&err, defaults, "--extra-opts", NULL),
	    "--port=3");
	join(path, sub1, "plugins.ini");
	write_file(path, "[check_nova_metadata]\nport = 2\n");
	assert_string_equal(expand(&err, defaults, "--extra-opts", NULL),
	    "--port=2");	/* the first directory wins */

	write_file(file, "[check_nova_metadata]\nport = 4\n");
	assert_int_equal(setenv("MP_CONFIG_FILE", file, 1), 0);
	assert_string_equal(expand(&err, defaults, "--extra-opts=", NULL),
	    "--port=4");
	assert_int_equal(setenv("MP_CONFIG_FILE", "/nonexistent.ini", 1), 0);
	assert_null(expand(&err, defaults, "--extra-opts", "-v", NULL));
	assert_non_null(strstr(err.cause, "/nonexistent.ini"));
	nm_error_clear(&err);
	unsetenv("MP_CONFIG_FILE");
	unsetenv("NAGIOS_CONFIG_PATH");
}

static void
test_nested_refused(void **state)
{
	char loc[400];
	nm_error err = { NM_OK, NULL };

	(void)state;
	write_file(file, "[check_nova_metadata]\nextra-opts = x\n");
	assert_true(snprintf(loc, sizeof(loc), "--extra-opts=@%s", file) > 0);
	assert_null(expand(&err, no_defaults, loc, NULL));
	assert_non_null(strstr(err.cause, "line 2"));
	assert_non_null(strstr(err.cause, "not followed"));
	nm_error_clear(&err);
}

/* A key that is no option of the plugin, as a secret pasted into the
 * plugin's section would be: refused naming file, section, line and key,
 * never the value. */
static void
test_unknown_key_never_shows_value(void **state)
{
	static const char *const texts[] = {
		"[check_nova_metadata]\nport = 1\n"
		    "metadata_proxy_shared_secret = S3CRET-VALUE\n",
		"[check_nova_metadata]\nport = 1\nsecret=S3CRET-VALUE\n",
		"[check_nova_metadata]\nport = 1\nsecret: S3CRET-VALUE\n",
	};
	char loc[400];
	nm_error err = { NM_OK, NULL };
	size_t i;

	(void)state;
	assert_true(snprintf(loc, sizeof(loc), "--extra-opts=@%s", file) > 0);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		write_file(file, texts[i]);
		assert_null(expand(&err, no_defaults, loc, NULL));
		assert_non_null(strstr(err.cause, file));
		assert_non_null(strstr(err.cause, "[check_nova_metadata] line 3"));
		/* a key that is no option may be a secret too: the line
		 * points at it */
		assert_non_null(strstr(err.cause, "the key (not shown) is not an "
		    "option"));
		assert_null(strstr(err.cause, "S3CRET"));
		nm_error_clear(&err);
	}
	/* A bare word may be the secret itself: not even the key is shown. */
	write_file(file, "[check_nova_metadata]\nS3CRET-VALUE\n");
	assert_null(expand(&err, no_defaults, loc, NULL));
	assert_non_null(strstr(err.cause, "line 2: the key (not shown)"));
	assert_null(strstr(err.cause, "S3CRET"));
	nm_error_clear(&err);
}

/* An option's value is there exactly when the option takes one: "port ="
 * would otherwise take the next option for its value. */
static void
test_value_presence(void **state)
{
	static const struct {
		const char *line, *want;
	} cases[] = {
		{ "port =\n", "'port' needs a value" },
		{ "k=\n", "'k' needs a value" },
		{ "secret-file\n", "'secret-file' needs a value" },
		{ "ssl = S3CRET\n", "'ssl' takes no value" },
		{ "v = S3CRET\n", "'v' takes no value" },
	};
	char loc[400], text[200];
	nm_error err = { NM_OK, NULL };
	size_t i;

	(void)state;
	assert_true(snprintf(loc, sizeof(loc), "--extra-opts=@%s", file) > 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_true(snprintf(text, sizeof(text), "[check_nova_metadata]"
		    "\n%sinstance = x\n", cases[i].line) > 0);
		write_file(file, text);
		assert_null(expand(&err, no_defaults, loc, NULL));
		assert_non_null(strstr(err.cause, cases[i].want));
		assert_non_null(strstr(err.cause, "line 2"));
		assert_null(strstr(err.cause, "S3CRET"));
		nm_error_clear(&err);
	}
	write_file(file, "[check_nova_metadata]\nopenstack =\nO = 2018-08-27\n"
	    "ssl\nS=\nverbose\n");
	assert_string_equal(expand(&err, no_defaults, loc, NULL),
	    "--openstack -O2018-08-27 --ssl -S --verbose");
}

/* Secret sources on the command line replace every secret source of the
 * ini files, so the command line wins across --secret-file and
 * --nova-conf as it does for each option. */
static void
test_command_line_secret_sources_win(void **state)
{
	char loc[400];
	nm_error err = { NM_OK, NULL };

	(void)state;
	write_file(file, "[check_nova_metadata]\nport = 1\n"
	    "secret-file = /wrong\nnova-conf = /wrong.conf\n");
	assert_true(snprintf(loc, sizeof(loc), "--extra-opts=@%s", file) > 0);
	assert_string_equal(expand(&err, no_defaults, loc, NULL),
	    "--port=1 --secret-file=/wrong --nova-conf=/wrong.conf");
	assert_string_equal(expand(&err, no_defaults, loc, "--nova-conf",
	    "good.conf", NULL), "--port=1 --nova-conf good.conf");
	assert_string_equal(expand(&err, no_defaults, "--secret-file=s", loc,
	    NULL), "--port=1 --secret-file=s");
	/* After "--", nothing is an option. */
	assert_string_equal(expand(&err, no_defaults, loc, "--",
	    "--nova-conf", NULL), "--port=1 --secret-file=/wrong "
	    "--nova-conf=/wrong.conf -- --nova-conf");
}

/* Every allocation of a growing argv failing in turn: -1 without a
 * err.cause, and nothing freed twice (the sanitizers, or glibc, abort). */
static void
test_out_of_memory(void **state)
{
	char loc[400], *argv[48], **out = NULL;
	nm_error err = { NM_OK, NULL };
	int argc = 0, out_argc, from_files, r, i;

	(void)state;
	write_file(file, "[check_nova_metadata]\nk=a\nk=b\nk=c\nk=d\nk=e\n"
	    "k=f\nk=g\nk=h\nk=i\nk=j\n");
	assert_true(snprintf(loc, sizeof(loc), "--extra-opts=@%s", file) > 0);
	argv[argc++] = "check_nova_metadata";
	argv[argc++] = loc;
	while (argc < 40)
		argv[argc++] = "-v";
	argv[argc] = NULL;
	for (i = 1; i < 100; i++) {
		realloc_calls = 0;
		realloc_fail_at = i;
		r = nm_extraopts_expand(argc, argv, "check_nova_metadata",
		    no_defaults, &out_argc, &out, &from_files, &err);
		realloc_fail_at = 0;
		if (r == 0)
			break;
		assert_null(out);
		assert_null(err.cause);
	}
	assert_int_equal(r, 0);
	assert_true(i > 3);	/* the argv did grow, and fail, a few times */
	assert_int_equal(out_argc, 11 + 38);
	nm_argv_free(out);
}

/* Through nm_parse_args: the file's options, the command line winning. */
static void
test_parse_args_command_line_wins(void **state)
{
	char loc[400];
	nm_error err = { NM_OK, NULL };
	char *argv[] = { "check_nova_metadata", loc, "-p", "9999", NULL };
	nm_config *cfg = NULL;

	(void)state;
	write_file(file, "[check_nova_metadata]\ninstance = " UUID "\n"
	    "tenant = proj\nport = 1234\nhostname = ::1\n"
	    "secret-file = /etc/nova/secret\nnova-conf = /etc/nova/nova.conf\n");
	assert_true(snprintf(loc, sizeof(loc), "--extra-opts=@%s", file) > 0);
	assert_int_equal(parse_words(4, argv, &cfg, &err), NM_ARGS_RUN);
	assert_null(err.cause);
	assert_int_equal(cfg->port, 9999);
	assert_string_equal(cfg->host, "::1");
	assert_string_equal(cfg->tenant, "proj");
	assert_string_equal(cfg->secret_file, "/etc/nova/secret");
	assert_int_equal(cfg->nova_conf_count, 1);
	assert_string_equal(cfg->nova_conf[0], "/etc/nova/nova.conf");
	nm_config_free(cfg);
	/* A secret source on the command line replaces the file's. */
	argv[2] = "--nova-conf";
	argv[3] = "good.conf";
	assert_int_equal(parse_words(4, argv, &cfg, &err), NM_ARGS_RUN);
	assert_null(cfg->secret_file);
	assert_int_equal(cfg->nova_conf_count, 1);
	assert_string_equal(cfg->nova_conf[0], "good.conf");
	assert_int_equal(cfg->port, 1234);
	nm_config_free(cfg);

	write_file(file, "[check_nova_metadata]\nport = nope\n");
	argv[2] = NULL;
	assert_int_equal(parse_words(2, argv, &cfg, &err), NM_ARGS_ERROR);
	assert_non_null(strstr(err.cause, "-p/--port"));
	nm_error_clear(&err);
	write_file(file, "[elsewhere]\nport = 1\n");
	assert_int_equal(parse_words(2, argv, &cfg, &err), NM_ARGS_ERROR);
	assert_non_null(strstr(err.cause, "[check_nova_metadata]"));
	nm_error_clear(&err);
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	join(file, dir, "plugins.ini");
	join(sub1, dir, "d1");
	join(sub2, dir, "d2");
	join(deflt, dir, "default.ini");
	if (mkdir(sub1, 0700) != 0 || mkdir(sub2, 0700) != 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return tmpdir_remove(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wanted),
		cmocka_unit_test(test_section_and_file),
		cmocka_unit_test(test_missing_section_and_file),
		cmocka_unit_test(test_search_order),
		cmocka_unit_test(test_nested_refused),
		cmocka_unit_test(test_unknown_key_never_shows_value),
		cmocka_unit_test(test_value_presence),
		cmocka_unit_test(test_command_line_secret_sources_win),
		cmocka_unit_test(test_out_of_memory),
		cmocka_unit_test(test_parse_args_command_line_wins),
	};

	return cmocka_run_group_tests_name("extraopts", tests, setup, teardown);
}
