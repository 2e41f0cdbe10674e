/* libFuzzer target: what cloud-init's boot requests are made of, from
 * server text: the version chosen from the /openstack listing, the EC2
 * listing turned into request paths, and the content_path entries of
 * meta_data.json. Property: a path the plugin would send is quoted as
 * urllib.parse.quote(piece, safe="/:") quotes it (letters, digits,
 * "_.-~" and the safe "/:" as they are, every other byte as %XX with
 * upper-case hex), and unquoted it gives back exactly the server's bytes,
 * a NUL included: cloud-init asks for /openstack/%00, not /openstack/. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "parse_cloudinit.h"
#include "fuzz.h"
#include "parse_openstack.h"

#define PATH_PREFIX "/openstack/"

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;	/* lower case is not what quote() writes */
}

/* Unquotes s into out (at least strlen(s) bytes); its length. Aborts on
 * a byte quote() would have escaped or on a malformed escape. */
static size_t
unquote_strict(const char *s, char *out)
{
	size_t o = 0;
	int hi, lo;

	for (; *s != '\0'; s++) {
		if (*s != '%') {
			if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
			    "qrstuvwxyz0123456789_.-~/:", *s) == NULL)
				abort();
			out[o++] = *s;
			continue;
		}
		if ((hi = hex_value(s[1])) < 0 || (lo = hex_value(s[2])) < 0)
			abort();
		out[o++] = (char)(hi * 16 + lo);
		s += 2;
	}
	return o;
}

/* Whether body is one line by any reading: no ASCII line break, and
 * none of what Python also splits or strips at (\x1c-\x1f, and all
 * that is not ASCII: U+0085, U+00A0, U+2028...). */
static bool
plain_one_line(const char *body, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if ((body[i] >= '\n' && body[i] <= '\r') ||
		    (body[i] >= 0x1c && body[i] <= 0x1f) ||
		    (unsigned char)body[i] >= 0x80)
			return false;
	}
	return true;
}

/* A one-line listing gives at most one entry: its resource, unquoted,
 * is the line as cloud-init strips it (a directory: without its
 * trailing slashes, plus one), or an "N/openssh-key". */
static void
check_single_line(const char *body, size_t len, const nm_ci_entries *e)
{
	static const char ws[] = " \t";
	char *plain;
	size_t n;

	if (!plain_one_line(body, len))
		return;
	if (e->count > 1)
		abort();
	if (e->count == 0)
		return;
	while (len > 0 && strchr(ws, *body) != NULL && *body != '\0') {
		body++;
		len--;
	}
	while (len > 0 && strchr(ws, body[len - 1]) != NULL &&
	    body[len - 1] != '\0')
		len--;
	while (e->v[0].is_dir && len > 1 && body[len - 1] == '/' &&
	    body[len - 2] == '/')
		len--;
	if ((plain = malloc(strlen(e->v[0].resource) + 1)) == NULL)
		return;
	n = unquote_strict(e->v[0].resource, plain);
	if ((n != len || memcmp(plain, body, n) != 0) &&
	    (e->v[0].is_dir || n < 12 ||
	    memcmp(plain + n - 12, "/openssh-key", 12) != 0))
		abort();
	free(plain);
}

static void
check_entries(const char *body, size_t len)
{
	nm_ci_entries e;
	char *plain;
	size_t i;

	if (nm_ci_entries_parse(body, len, &e) != NM_OK)
		return;
	for (i = 0; i < e.count; i++) {
		if ((plain = malloc(strlen(e.v[i].resource) + 1)) == NULL)
			break;
		(void)unquote_strict(e.v[i].resource, plain);
		free(plain);
	}
	check_single_line(body, len, &e);
	nm_ci_entries_free(&e);
}

/* Whether path (unquoted, n bytes, after PATH_PREFIX) is cp without its
 * leading slashes and with each run of slashes as one, as combine_url()
 * joins the pieces. */
static bool
joins_to(const json_t *cp, const char *path, size_t n)
{
	const char *s = json_string_value(cp);
	size_t i = 0, o = 0, len = json_string_length(cp);

	if (s == NULL)
		return false;
	while (i < len && s[i] == '/')
		i++;
	for (; i < len; i++) {
		if (s[i] == '/' && i > 0 && s[i - 1] == '/')
			continue;
		if (o >= n || path[o++] != s[i])
			return false;
	}
	return o == n;
}

/* Some object of files[] or network_config has the content_path that
 * this path is made of. */
static bool
path_from_document(const json_t *md, const char *path, size_t n)
{
	const json_t *files = json_object_get(md, "files");
	size_t i;

	if (joins_to(json_object_get(json_object_get(md, "network_config"),
	    "content_path"), path, n))
		return true;
	for (i = 0; i < json_array_size(files); i++) {
		if (joins_to(json_object_get(json_array_get(files, i),
		    "content_path"), path, n))
			return true;
	}
	return false;
}

static void
check_contents(const char *body, size_t len)
{
	nm_ci_contents c;
	json_t *md = NULL;
	char why[64], *plain;
	size_t i, n;

	if (nm_os_parse(body, len, NM_OS_ROOT_OBJECT, &md, why,
	    sizeof(why)) != NM_OK)
		return;
	(void)nm_ci_random_seed_ok(md, why, sizeof(why));
	if (nm_ci_contents_list(md, &c) == NM_OK) {
		for (i = 0; i < c.count; i++) {
			if (c.v[i].path == NULL)
				continue;
			if ((plain = malloc(strlen(c.v[i].path) + 1)) == NULL)
				break;
			n = unquote_strict(c.v[i].path, plain);
			if (n < sizeof(PATH_PREFIX) - 1 || memcmp(plain,
			    PATH_PREFIX, sizeof(PATH_PREFIX) - 1) != 0 ||
			    !path_from_document(md, plain + sizeof(PATH_PREFIX)
			    - 1, n - (sizeof(PATH_PREFIX) - 1)))
				abort();
			free(plain);
		}
		nm_ci_contents_free(&c);
	}
	json_decref(md);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	const char *v = nm_ci_pick_version(body, size);

	/* a known version that was listed, or the fallback */
	if (strcmp(v, "latest") != 0 && (strlen(v) != 10 ||
	    memmem(body, size, v, 10) == NULL))
		abort();
	check_entries(body, size);
	check_contents(body, size);
	return 0;
}
