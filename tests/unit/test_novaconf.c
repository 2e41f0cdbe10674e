/* nova.conf as oslo.config reads it: comments, spacing, quotes, duplicate
 * keys, the legacy name, override order across files, long lines, and
 * the failures that must name the file (and never the secret). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "secret_novaconf.h"
#include "tmpdir.h"

static char dir[] = "/tmp/test_novaconf.XXXXXX";
static int file_counter;
static char paths[16][256];

/* Writes text into a new file under dir; returns its path. */
static const char *
fixture(const char *text)
{
	char *p = paths[file_counter++ % 16];
	FILE *f;
	int r;

	r = snprintf(p, 256, "%s/nova%d.conf", dir, file_counter);
	assert_true(r > 0 && r < 256);
	assert_non_null(f = fopen(p, "w"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	return p;
}

/* Loads one file; returns the secret (a static copy) or NULL with the
 * error in *errp (caller clears). */
static const char *
load(const char *const *files, size_t n, nm_error *errp, const char **key)
{
	static char copy[1024 * 80];
	nm_novaconf_secret s;

	if (nm_novaconf_load(files, n, &s, errp) != NM_OK) {
		assert_int_equal(errp->code, NM_ERR_CONFIG);
		assert_non_null(errp->cause);
		return NULL;
	}
	assert_int_equal(errp->code, NM_OK);
	assert_null(errp->cause);
	assert_true(s.len < sizeof(copy));
	memcpy(copy, s.secret, s.len + 1);
	assert_int_equal(strlen(copy), s.len);
	if (key != NULL)
		*key = s.key;
	nm_novaconf_clear(&s);
	assert_null(s.secret);
	return copy;
}

static const char *
load1(const char *text, nm_error *errp, const char **key)
{
	const char *f = fixture(text);

	return load(&f, 1, errp, key);
}

static void
test_plain(void **state)
{
	nm_error err = { NM_OK, NULL };
	const char *key;

	(void)state;
	assert_string_equal(load1("[neutron]\nmetadata_proxy_shared_secret="
	    "s3cret\n", &err, &key), "s3cret");
	assert_string_equal(key, "[neutron] metadata_proxy_shared_secret");
}

static void
test_comments_and_spaces(void **state)
{
	nm_error err = { NM_OK, NULL };

	(void)state;
	assert_string_equal(load1(
	    "# nova.conf\n"
	    "; an old-style comment\n"
	    "[DEFAULT]\n"
	    "debug = True\n\n"
	    "[neutron]\n"
	    "# metadata_proxy_shared_secret = commented-out\n"
	    "service_metadata_proxy = true\n"
	    "metadata_proxy_shared_secret   =   two words ; and # more  \r\n"
	    "[api]\n"
	    "metadata_proxy_shared_secret = other-section\n",
	    &err, NULL), "two words ; and # more");
}

static void
test_duplicate_last_wins(void **state)
{
	nm_error err = { NM_OK, NULL };

	(void)state;
	assert_string_equal(load1("[neutron]\nmetadata_proxy_shared_secret = a\n"
	    "[DEFAULT]\nx = 1\n[Neutron]\nmetadata_proxy_shared_secret = b\n",
	    &err, NULL), "b");
}

static void
test_legacy_key(void **state)
{
	nm_error err = { NM_OK, NULL };
	const char *key;

	(void)state;
	assert_string_equal(load1("[DEFAULT]\n"
	    "neutron_metadata_proxy_shared_secret = legacy\n", &err, &key),
	    "legacy");
	assert_string_equal(key, "[DEFAULT] neutron_metadata_proxy_shared_secret");
	/* In one file the current name wins, wherever it stands. */
	assert_string_equal(load1("[neutron]\nmetadata_proxy_shared_secret = new\n"
	    "[DEFAULT]\nneutron_metadata_proxy_shared_secret = old\n", &err,
	    &key), "new");
	/* The legacy name belongs in [DEFAULT] only. */
	assert_null(load1("[neutron]\nneutron_metadata_proxy_shared_secret = x\n",
	    &err, NULL));
	nm_error_clear(&err);
}

static void
test_quotes_and_empty(void **state)
{
	nm_error err = { NM_OK, NULL };

	(void)state;
	assert_string_equal(load1("[neutron]\nmetadata_proxy_shared_secret = "
	    "\"quoted value\"\n", &err, NULL), "quoted value");
	assert_string_equal(load1("[neutron]\nmetadata_proxy_shared_secret = "
	    "'x\"\n", &err, NULL), "'x\"");
	/* Found but empty: the caller says so, the parser does not guess. */
	assert_string_equal(load1("[neutron]\nmetadata_proxy_shared_secret =\n"
	    "[DEFAULT]\nneutron_metadata_proxy_shared_secret = old\n", &err,
	    NULL), "");
}

static void
test_continuation(void **state)
{
	nm_error err = { NM_OK, NULL };

	(void)state;
	assert_string_equal(load1("[neutron]\nmetadata_proxy_shared_secret = a\n"
	    "  b\nother = c\n  d\n", &err, NULL), "a\nb");
}

/* What oslo.config 9 (oslo_config.cfg, read through ConfigOpts) makes of
 * each file: the expected values were taken from it, not reasoned out.
 * NULL: oslo.config refuses the file at that line. */
static const struct {
	const char *text;
	const char *secret;
	int bad_line;
} oslo_cases[] = {
	{ "[neutron]\nmetadata_proxy_shared_secret = abc\n  # def\n",
	    "abc\n# def", 0 },
	{ "[neutron]\nmetadata_proxy_shared_secret = abc\n\t; def\n",
	    "abc\n; def", 0 },
	{ "[neutron]\nmetadata_proxy_shared_secret = \"\n",
	    "", 0 },
	{ "[neutron]\nmetadata_proxy_shared_secret = '\n",
	    "", 0 },
	{ "[neutron]\nmetadata_proxy_shared_secret = \"\n  b\n",
	    "\nb", 0 },
	{ "[neutron]\nmetadata_proxy_shared_secret = abc\n  [x]\nother = 1\n",
	    "abc\n[x]", 0 },
	{ "[neutron]\nmetadata_proxy_shared_secret = abc  \n  def  \r\n",
	    "abc\ndef", 0 },
	{ "[neutron]\nmetadata_proxy_shared_secret = \"abc\n  def\"\n",
	    "\"abc\ndef\"", 0 },
	{ "[neutron]\nmetadata_proxy_shared_secret = a\n \t \n",
	    "a", 0 },
	{ "[neutron]\nmetadata_proxy_shared_secret: abc\n",
	    "abc", 0 },
	{ "[neutron]\nmetadata_proxy_shared_secret = abc\n  def\n  # g\n[DEFAULT]\n",
	    "abc\ndef\n# g", 0 },
	{ "[neutron]\nmetadata_proxy_shared_secret = a\n\n  b\n",
	    NULL, 4 }, /* Unexpected continuation line: '  b' */
	{ "[neutron]\n# x\n  # indented comment\nmetadata_proxy_shared_secret = a\n",
	    NULL, 3 }, /* Unexpected continuation line: '  # inden */
	{ "[neutron]\n  metadata_proxy_shared_secret = a\n",
	    NULL, 2 }, /* Unexpected continuation line: '  metadat */
	{ "[neutron]\nmetadata_proxy_shared_secret = a\n[DEFAULT]\n  x\n",
	    NULL, 4 }, /* Unexpected continuation line: '  x' */
};

static void
test_oslo_parity(void **state)
{
	const char *got;
	char line[32];
	nm_error err = { NM_OK, NULL };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(oslo_cases) / sizeof(oslo_cases[0]); i++) {
		got = load1(oslo_cases[i].text, &err, NULL);
		if (oslo_cases[i].secret != NULL) {
			if (got == NULL)
				fail_msg("case %zu: %s", i, err.cause);
			assert_string_equal(got, oslo_cases[i].secret);
			continue;
		}
		if (got != NULL)
			fail_msg("case %zu: read, but oslo.config refuses", i);
		assert_true(snprintf(line, sizeof(line), "line %d is indented",
		    oslo_cases[i].bad_line) > 0);
		assert_non_null(strstr(err.cause, line));
		nm_error_clear(&err);
	}
}

static void
test_override_order(void **state)
{
	const char *f[3];
	nm_error err = { NM_OK, NULL };

	(void)state;
	f[0] = fixture("[neutron]\nmetadata_proxy_shared_secret = first\n");
	f[1] = fixture("[neutron]\nmetadata_proxy_shared_secret = second\n");
	f[2] = fixture("[DEFAULT]\ndebug = true\n");
	assert_string_equal(load(f, 3, &err, NULL), "second");
	/* As oslo.config: the last file with either name wins. */
	f[2] = fixture("[DEFAULT]\nneutron_metadata_proxy_shared_secret = l\n");
	assert_string_equal(load(f, 3, &err, NULL), "l");
}

static void
test_no_key(void **state)
{
	const char *f[2];
	nm_error err = { NM_OK, NULL };

	(void)state;
	f[0] = fixture("[neutron]\nurl = http://neutron:9696\n");
	f[1] = fixture("");
	assert_null(load(f, 2, &err, NULL));
	assert_non_null(strstr(err.cause, f[0]));
	assert_non_null(strstr(err.cause, f[1]));
	assert_non_null(strstr(err.cause, "[neutron] metadata_proxy_shared_secret"));
	assert_non_null(strstr(err.cause,
	    "[DEFAULT] neutron_metadata_proxy_shared_secret"));
	nm_error_clear(&err);
}

static void
test_unreadable(void **state)
{
	const char *f[2];
	nm_error err = { NM_OK, NULL };
	char missing[300];

	(void)state;
	assert_true(snprintf(missing, sizeof(missing), "%s/missing.conf", dir) > 0);
	f[0] = missing;
	assert_null(load(f, 1, &err, NULL));
	/* the name is not repeated: it may be a secret pasted there */
	assert_null(strstr(err.cause, missing));
	assert_non_null(strstr(err.cause, "--nova-conf: a file it names: cannot open"));
	assert_non_null(strstr(err.cause, "No such file or directory"));
	nm_error_clear(&err);
	f[0] = dir;
	assert_null(load(f, 1, &err, NULL));
	assert_non_null(strstr(err.cause, "is a directory"));
	nm_error_clear(&err);
	/* A later good file does not excuse an earlier bad one. */
	f[0] = missing;
	f[1] = fixture("[neutron]\nmetadata_proxy_shared_secret = x\n");
	assert_null(load(f, 2, &err, NULL));
	nm_error_clear(&err);
}

/* Kubernetes mounts and /etc/alternatives are links: followed, as
 * oslo.config follows them. */
static void
test_symbolic_link_followed(void **state)
{
	const char *real;
	char link[300];
	nm_error err = { NM_OK, NULL };

	(void)state;
	real = fixture("[neutron]\nmetadata_proxy_shared_secret = linked\n");
	assert_true(snprintf(link, sizeof(link), "%s/link.conf", dir) > 0);
	assert_int_equal(symlink(real, link), 0);
	real = link;
	assert_string_equal(load(&real, 1, &err, NULL), "linked");
}

static void
test_bad_line_names_line_not_secret(void **state)
{
	nm_error err = { NM_OK, NULL };

	(void)state;
	assert_null(load1("[neutron]\nmetadata_proxy_shared_secret = s3cr3t\n"
	    "this line has no equals sign\n", &err, NULL));
	assert_non_null(strstr(err.cause, "line 3"));
	assert_null(strstr(err.cause, "s3cr3t"));
	nm_error_clear(&err);
}

static char *
long_text(const char *before, size_t n, char fill, const char *after)
{
	size_t a = strlen(before), b = strlen(after);
	char *t = malloc(a + n + b + 1);

	assert_non_null(t);
	memcpy(t, before, a);
	memset(t + a, fill, n);
	memcpy(t + a + n, after, b + 1);
	return t;
}

static void
test_long_lines(void **state)
{
	char *text;
	nm_error err = { NM_OK, NULL };
	const char *got;

	(void)state;
	/* A long unrelated line is no reason to fail. */
	text = long_text("[filter_scheduler]\nenabled_filters = ", 5000, 'F',
	    "\n[neutron]\nmetadata_proxy_shared_secret = short\n");
	assert_string_equal(load1(text, &err, NULL), "short");
	free(text);
	/* A long secret is read whole, never cut. */
	text = long_text("[neutron]\nmetadata_proxy_shared_secret = ", 3000,
	    'S', "=tail\n");
	got = load1(text, &err, NULL);
	assert_non_null(got);
	assert_int_equal(strlen(got), 3005);
	assert_string_equal(got + 3000, "=tail");
	free(text);
	/* Longer than any buffer: refused, naming the line. */
	text = long_text("[neutron]\nmetadata_proxy_shared_secret = ", 70000,
	    'S', "\n");
	assert_null(load1(text, &err, NULL));
	assert_non_null(strstr(err.cause, "line 2"));
	assert_null(strstr(err.cause, "SSSS"));
	nm_error_clear(&err);
	free(text);
}

/* Three paths longer together than 512 bytes: the message names each
 * of them whole. */
static void
test_no_key_long_paths(void **state)
{
	char longp[3][400];
	nm_error err = { NM_OK, NULL };
	const char *files[3];
	size_t i, n;
	int r;

	(void)state;
	for (i = 0; i < 3; i++) {
		files[i] = fixture("[neutron]\nservice_metadata_proxy = true\n");
		r = snprintf(longp[i], sizeof(longp[i]), "%s", dir);
		assert_true(r > 0 && (size_t)r < sizeof(longp[i]));
		/* "/." repeated: the same directory, a longer path */
		for (n = (size_t)r; n + 2 < 300; n += 2)
			memcpy(longp[i] + n, "/.", 3);
		r = snprintf(longp[i] + n, sizeof(longp[i]) - n, "%s",
		    files[i] + strlen(dir));
		assert_true(r > 0 && (size_t)r < sizeof(longp[i]) - n);
		files[i] = longp[i];
	}
	assert_null(load(files, 3, &err, NULL));
	for (i = 0; i < 3; i++)
		assert_non_null(strstr(err.cause, longp[i]));
	assert_non_null(strstr(err.cause, "neither"));
	nm_error_clear(&err);
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) == NULL ? -1 : 0;
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
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_comments_and_spaces),
		cmocka_unit_test(test_duplicate_last_wins),
		cmocka_unit_test(test_legacy_key),
		cmocka_unit_test(test_quotes_and_empty),
		cmocka_unit_test(test_continuation),
		cmocka_unit_test(test_oslo_parity),
		cmocka_unit_test(test_override_order),
		cmocka_unit_test(test_no_key),
		cmocka_unit_test(test_no_key_long_paths),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_symbolic_link_followed),
		cmocka_unit_test(test_bad_line_names_line_not_secret),
		cmocka_unit_test(test_long_lines),
	};

	return cmocka_run_group_tests_name("novaconf", tests, setup, teardown);
}
