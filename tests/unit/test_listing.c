#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "parse_listing.h"

/* Parses a string literal's bytes, including embedded NULs. */
#define PARSE(lit, l, errp) \
	nm_listing_parse((lit), sizeof(lit) - 1, (l), (errp))

static const char ec2_listing[] =
    "ami-id\n"
    "ami-launch-index\n"
    "ami-manifest-path\n"
    "block-device-mapping/\n"
    "hostname\n"
    "instance-action\n"
    "instance-id\n"
    "instance-type\n"
    "local-hostname\n"
    "local-ipv4\n"
    "placement/\n"
    "public-hostname\n"
    "public-ipv4\n"
    "public-keys/\n"
    "reservation-id\n"
    "security-groups";

static void
test_ec2_listing(void **state)
{
	nm_listing l;
	nm_error err = { NM_OK, NULL };

	assert_int_equal(PARSE(ec2_listing, &l, &err), NM_OK);
	assert_null(err.cause);
	assert_int_equal(l.count, 16);
	assert_string_equal(l.entries[0], "ami-id");
	assert_false(l.is_dir[0]);
	assert_string_equal(l.entries[3], "block-device-mapping");
	assert_true(l.is_dir[3]);
	assert_string_equal(l.entries[13], "public-keys");
	assert_true(l.is_dir[13]);
	assert_string_equal(l.entries[15], "security-groups");
	assert_true(nm_listing_has(&l, "instance-id"));
	assert_true(nm_listing_has(&l, "local-ipv4"));
	assert_true(nm_listing_has(&l, "public-keys"));
	assert_true(nm_listing_has(&l, "public-keys/"));
	assert_true(nm_listing_has(&l, "hostname/"));
	assert_false(nm_listing_has(&l, "instance"));	/* no prefix match */
	assert_false(nm_listing_has(&l, "instance-id-x"));
	assert_false(nm_listing_has(&l, "public-keys//"));
	assert_false(nm_listing_has(&l, ""));
	assert_false(nm_listing_has(&l, NULL));
	assert_false(nm_listing_has(NULL, "ami-id"));
	nm_listing_free(&l);
	assert_null(l.entries);
	assert_int_equal(l.count, 0);
	nm_listing_free(&l);	/* twice is harmless */
}

static void
test_crlf_and_blank_lines(void **state)
{
	nm_listing l;
	nm_error err = { NM_OK, NULL };

	assert_int_equal(PARSE("\r\n\ninstance-id\r\n\r\n\nlocal-ipv4/\r\n"
	    "\n", &l, &err), NM_OK);
	assert_null(err.cause);
	assert_int_equal(l.count, 2);
	assert_string_equal(l.entries[0], "instance-id");
	assert_false(l.is_dir[0]);
	assert_string_equal(l.entries[1], "local-ipv4");
	assert_true(l.is_dir[1]);
	nm_listing_free(&l);

	assert_int_equal(PARSE("a\r\nb", &l, &err), NM_OK);
	assert_int_equal(l.count, 2);
	assert_string_equal(l.entries[1], "b");
	nm_listing_free(&l);
}

static void
test_empty_bodies(void **state)
{
	nm_listing l;
	nm_error err = { NM_OK, NULL };

	assert_int_equal(nm_listing_parse("", 0, &l, &err), NM_OK);
	assert_int_equal(l.count, 0);
	assert_null(err.cause);
	assert_false(nm_listing_has(&l, "instance-id"));
	nm_listing_free(&l);
	assert_int_equal(nm_listing_parse(NULL, 0, &l, &err),
	    NM_OK);
	assert_int_equal(l.count, 0);
	nm_listing_free(&l);
	assert_int_equal(PARSE("\n\r\n\n", &l, &err), NM_OK);
	assert_int_equal(l.count, 0);
	nm_listing_free(&l);
}

static void
test_trailing_slashes(void **state)
{
	nm_listing l;
	nm_error err = { NM_OK, NULL };

	/* only one '/' is stripped; a name may contain '/' inside */
	assert_int_equal(PARSE("a//\nb/c\nd/\n", &l, &err), NM_OK);
	assert_int_equal(l.count, 3);
	assert_string_equal(l.entries[0], "a/");
	assert_true(l.is_dir[0]);
	assert_string_equal(l.entries[1], "b/c");
	assert_false(l.is_dir[1]);
	assert_string_equal(l.entries[2], "d");
	assert_true(l.is_dir[2]);
	assert_true(nm_listing_has(&l, "d"));
	assert_true(nm_listing_has(&l, "d/"));
	assert_true(nm_listing_has(&l, "a//"));
	nm_listing_free(&l);
}

static void
test_public_keys_entry(void **state)
{
	nm_listing l;
	nm_error err = { NM_OK, NULL };

	assert_int_equal(PARSE("0=mykey\n1=other.key@host,x:y+z\n", &l,
	    &err), NM_OK);
	assert_int_equal(l.count, 2);
	assert_string_equal(l.entries[0], "0=mykey");
	assert_string_equal(l.entries[1], "1=other.key@host,x:y+z");
	assert_true(nm_listing_has(&l, "0=mykey"));
	nm_listing_free(&l);
}

static void
expect_error(const char *body, size_t len, nm_err want,
    const char *want_cause)
{
	nm_listing l;
	nm_error err = { NM_OK, NULL };

	memset(&l, 0x5a, sizeof(l));
	assert_int_equal(nm_listing_parse(body, len, &l, &err), want);
	assert_null(l.entries);	/* nothing half-built is handed out */
	assert_null(l.is_dir);
	assert_int_equal(l.count, 0);
	assert_int_equal(err.code, want);
	assert_non_null(err.cause);
	assert_null(strchr(err.cause, '\n'));
	assert_null(strchr(err.cause, '|'));
	assert_string_equal(err.cause, want_cause);
	nm_error_clear(&err);
	nm_listing_free(&l);
}

#define EXPECT_ERROR(lit, want, want_cause) \
	expect_error((lit), sizeof(lit) - 1, (want), (want_cause))

static void
test_not_text(void **state)
{
	EXPECT_ERROR("instance-id\0local-ipv4\n", NM_ERR_NOT_TEXT,
	    "body is not text: NUL byte at offset 11");
	EXPECT_ERROR("\0", NM_ERR_NOT_TEXT,
	    "body is not text: NUL byte at offset 0");
	EXPECT_ERROR("a\rb\n", NM_ERR_NOT_TEXT,
	    "body is not text: carriage return without line feed at "
	    "offset 1");
	EXPECT_ERROR("a\r", NM_ERR_NOT_TEXT,
	    "body is not text: carriage return without line feed at "
	    "offset 1");
	EXPECT_ERROR("ok\nbad\xff\n", NM_ERR_NOT_TEXT,
	    "body is not text: invalid UTF-8 byte 0xff at offset 6");
	EXPECT_ERROR("\xc0\xaf", NM_ERR_NOT_TEXT,
	    "body is not text: invalid UTF-8 byte 0xc0 at offset 0");
	EXPECT_ERROR("x\xed\xa0\x80", NM_ERR_NOT_TEXT,
	    "body is not text: invalid UTF-8 byte 0xed at offset 1");
	EXPECT_ERROR("x\xe2\x82", NM_ERR_NOT_TEXT,
	    "body is not text: invalid UTF-8 byte 0xe2 at offset 1");
}

static void
test_malformed(void **state)
{
	EXPECT_ERROR("<html>\n<body>404</body>\n</html>\n",
	    NM_ERR_MALFORMED, "line 1 is not a key name: '<html>'");
	EXPECT_ERROR("instance-id\n{\"uuid\": \"32d0524b\"}\n",
	    NM_ERR_MALFORMED, "line 2 is not a key name: "
	    "'{\"uuid\": \"32d0524b\"}'");
	EXPECT_ERROR("{\"meta\": {}, \"uuid\": \"32d0524b\"}",
	    NM_ERR_MALFORMED, "line 1 is not a key name: "
	    "'{\"meta\": {}, \"uuid\": \"32d0524b\"}'");
	EXPECT_ERROR("{\n  \"uuid\": \"x\"\n}\n", NM_ERR_MALFORMED,
	    "line 1 is not a key name: '{'");
	EXPECT_ERROR("a\n\n\nkey with spaces\n", NM_ERR_MALFORMED,
	    "line 4 is not a key name: 'key with spaces'");
	EXPECT_ERROR(" instance-id\n", NM_ERR_MALFORMED,
	    "line 1 is not a key name: ' instance-id'");
	EXPECT_ERROR("instance-id \n", NM_ERR_MALFORMED,
	    "line 1 is not a key name: 'instance-id '");
	EXPECT_ERROR("/etc/passwd\n", NM_ERR_MALFORMED,
	    "line 1 is not a key name: '/etc/passwd'");
	EXPECT_ERROR("/\n", NM_ERR_MALFORMED,
	    "line 1 is not a key name: '/'");
	EXPECT_ERROR("a|b\n", NM_ERR_MALFORMED,
	    "line 1 is not a key name: 'a/b'");	/* scrubbed */
	EXPECT_ERROR("tab\there\n", NM_ERR_MALFORMED,
	    "line 1 is not a key name: 'tab here'");
	EXPECT_ERROR("esc\x1b[2J\n", NM_ERR_MALFORMED,
	    "line 1 is not a key name: 'esc [2J'");
	EXPECT_ERROR("caf\xc3\xa9\n", NM_ERR_MALFORMED,
	    "line 1 is not a key name: 'caf\xc3\xa9'");
	EXPECT_ERROR("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 "
	    "Strict//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd"
	    "\">\n", NM_ERR_MALFORMED,
	    "line 1 is not a key name: '<!DOCTYPE html PUBLIC \"-//W3C//DTD "
	    "XHTML 1.0 Strict//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-"
	    "str...'");	/* MP_QUOTE_MAX bytes */
}

static void
test_long_lines(void **state)
{
	const size_t big = 100 * 1024;
	nm_listing l;
	char *body;
	nm_error err = { NM_OK, NULL };

	body = malloc(big + 2);
	assert_non_null(body);

	/* 255 characters is the longest name, with or without the '/' */
	memset(body, 'k', 255);
	body[255] = '/';
	body[256] = '\n';
	assert_int_equal(nm_listing_parse(body, 257, &l, &err),
	    NM_OK);
	assert_int_equal(l.count, 1);
	assert_int_equal(strlen(l.entries[0]), 255);
	assert_true(l.is_dir[0]);
	nm_listing_free(&l);
	assert_int_equal(nm_listing_parse(body, 255, &l, &err),
	    NM_OK);
	nm_listing_free(&l);

	memset(body, 'k', 256);
	expect_error(body, 256, NM_ERR_MALFORMED,
	    "line 1 is too long: 256 characters, at most 255");

	/* a 100 KB line: refused, and the cause does not carry it */
	memcpy(body, "ok\n", 3);
	memset(body + 3, '<', big - 3);
	body[big] = '\n';
	expect_error(body, big + 1, NM_ERR_MALFORMED,
	    "line 2 is too long: 102397 characters, at most 255");
	free(body);
}

static void
test_many_entries(void **state)
{
	const size_t n = 5000;
	nm_listing l;
	char *body;
	nm_error err = { NM_OK, NULL };
	size_t i, off = 0;
	int r;

	body = malloc(n * 16);
	assert_non_null(body);
	for (i = 0; i < n; i++) {
		r = snprintf(body + off, n * 16 - off, "key-%zu%s\r\n", i,
		    i % 3 == 0 ? "/" : "");
		assert_true(r > 0 && (size_t)r < n * 16 - off);
		off += (size_t)r;
	}
	assert_int_equal(nm_listing_parse(body, off, &l, &err),
	    NM_OK);
	assert_int_equal(l.count, n);
	assert_string_equal(l.entries[0], "key-0");
	assert_true(l.is_dir[0]);
	assert_string_equal(l.entries[n - 1], "key-4999");
	assert_false(l.is_dir[n - 1]);
	assert_true(nm_listing_has(&l, "key-2500"));
	assert_false(nm_listing_has(&l, "key-5000"));
	nm_listing_free(&l);
	free(body);
}

static void
test_null_cause(void **state)
{
	nm_listing l;

	assert_int_equal(PARSE("<html>", &l, NULL), NM_ERR_MALFORMED);
	assert_int_equal(PARSE("a\0", &l, NULL), NM_ERR_NOT_TEXT);
	assert_int_equal(PARSE("a\n", &l, NULL), NM_OK);
	nm_listing_free(&l);
}

/* Nova's error bodies, as webob writes them in both flavours. */
static void
test_error_explanation(void **state)
{
	static const char plain[] = "400 Bad Request\n\nThe server could "
	    "not comply with the request since it is either malformed or "
	    "otherwise incorrect.\n\n X-Instance-ID header is missing from "
	    "request.  ";
	static const char html[] = "<html>\n <head>\n  <title>500 Internal "
	    "Server Error</title>\n </head>\n <body>\n  <h1>500 Internal "
	    "Server Error</h1>\n  An unknown error has occurred. Please try "
	    "your request again.<br /><br />\n\n\n\n </body>\n</html>";
	static const char hostile[] = "oops|\x1b[31mred\r\n";
	char out[201];

	(void)state;
	nm_error_explanation(plain, strlen(plain), out, sizeof(out));
	assert_string_equal(out, "X-Instance-ID header is missing from "
	    "request.");
	nm_error_explanation(html, strlen(html), out, sizeof(out));
	assert_string_equal(out, "An unknown error has occurred. Please try "
	    "your request again.");
	nm_error_explanation(hostile, strlen(hostile), out, sizeof(out));
	assert_null(strpbrk(out, "|\x1b\r\n"));
	assert_non_null(strstr(out, "oops"));
	nm_error_explanation("", 0, out, sizeof(out));
	assert_string_equal(out, "");
	nm_error_explanation(" \n\n \t", 5, out, sizeof(out));
	assert_string_equal(out, "");
	nm_error_explanation(NULL, 0, out, sizeof(out));
	assert_string_equal(out, "");
}

/* A long last line is cut to the room given, marked with "..."; a huge
 * body is read only at its end. */
static void
test_error_explanation_bounds(void **state)
{
	char out[8];
	char *big;
	size_t n = 2 * 1024 * 1024;

	(void)state;
	nm_error_explanation("abcdefghijklmnop", 16, out, sizeof(out));
	assert_string_equal(out, "abcd...");
	/* the cut never splits a character */
	nm_error_explanation("abc\xc3\xa9" "fghijk", 11, out, sizeof(out));
	assert_string_equal(out, "abc...");
	nm_error_explanation("abcdefg", 7, out, sizeof(out));
	assert_string_equal(out, "abcdefg");
	assert_non_null(big = malloc(n));
	memset(big, 'x', n);
	memcpy(big + n - 6, "\nlast.", 6);
	nm_error_explanation(big, n, out, sizeof(out));
	assert_string_equal(out, "last.");
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ec2_listing),
		cmocka_unit_test(test_crlf_and_blank_lines),
		cmocka_unit_test(test_empty_bodies),
		cmocka_unit_test(test_trailing_slashes),
		cmocka_unit_test(test_public_keys_entry),
		cmocka_unit_test(test_not_text),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_many_entries),
		cmocka_unit_test(test_null_cause),
		cmocka_unit_test(test_error_explanation),
		cmocka_unit_test(test_error_explanation_bounds),
	};

	return cmocka_run_group_tests_name("listing", tests, NULL, NULL);
}
