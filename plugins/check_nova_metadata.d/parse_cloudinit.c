#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_cloudinit.h"
#include "parse_listing.h"
#include "parse_openstack.h"
#include "output.h"

/* A listing with more entries than this is cut: the request cap would
 * stop the crawl long before, and deduplication stays cheap. */
#define MAX_ENTRIES 1024
#define PATH_MAX_LEN NM_CI_PATH_MAX

/* cloudinit/sources/helpers/openstack.py OS_VERSIONS, oldest first. */
static const char *const known_versions[] = {
	"2012-08-10", "2013-04-04", "2013-10-17", "2015-10-15",
	"2016-06-30", "2016-10-06", "2017-02-22", "2018-08-27",
};
#define N_KNOWN (sizeof(known_versions) / sizeof(known_versions[0]))

/* The code point of the well-formed UTF-8 character at s[0..n) and its
 * length in *len; 0 with *len 0 when there is none. */
static unsigned
code_point(const char *s, size_t n, size_t *len)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned cp;
	size_t i;

	if ((*len = mp_utf8_len(s, n)) == 0)
		return 0;
	cp = *len == 1 ? u[0] : u[0] & (0x7f >> *len);
	for (i = 1; i < *len; i++)
		cp = cp << 6 | (u[i] & 0x3f);
	return cp;
}

/* Length of the whitespace character (Python's str.isspace(), which
 * str.strip() removes) at s[0..n), or 0. */
static size_t
space_len(const char *s, size_t n)
{
	size_t len;
	unsigned cp = code_point(s, n, &len);

	if ((cp >= '\t' && cp <= '\r') || (cp >= 0x1c && cp <= 0x20) ||
	    cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
	    (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0x202f || cp == 0x205f || cp == 0x3000)
		return len;
	return 0;
}

/* Length of the whitespace character that ends s[..e), or 0. */
static size_t
space_before(const char *s, const char *e)
{
	size_t k;

	/* back over continuation bytes to the character's first byte */
	for (k = 1; k <= 4 && k <= (size_t)(e - s); k++) {
		if (((unsigned char)e[-(long)k] & 0xc0) != 0x80)
			return space_len(e - k, k) == k ? k : 0;
	}
	return 0;
}

/* Length of the line break (str.splitlines(): \r\n, \n, \r, \v, \f,
 * \x1c-\x1e, U+0085, U+2028, U+2029) at s[0..n), or 0. */
static size_t
break_len(const char *s, size_t n)
{
	size_t len;
	unsigned cp = code_point(s, n, &len);

	if (cp == '\r' && n > 1 && s[1] == '\n')
		return 2;
	if ((cp >= '\n' && cp <= '\r') || (cp >= 0x1c && cp <= 0x1e) ||
	    cp == 0x85 || cp == 0x2028 || cp == 0x2029)
		return len;
	return 0;
}

/* The next line of [*p, end) as str.splitlines() ends it, with
 * str.strip() applied. Bytes that are no UTF-8 belong to the line. */
static int
next_line(const char **p, const char *end, const char **line, size_t *len)
{
	const char *s = *p, *e;
	size_t k = 0;

	if (s >= end)
		return 0;
	for (e = s; e < end && (k = break_len(e, (size_t)(end - e))) == 0;)
		e++;
	*p = e < end ? e + k : end;
	while (s < e && (k = space_len(s, (size_t)(e - s))) > 0)
		s += k;
	while (e > s && (k = space_before(s, e)) > 0)
		e -= k;
	*line = s;
	*len = (size_t)(e - s);
	return 1;
}

static int
listed(const char *body, size_t len, const char *version)
{
	const char *p = body, *end = body + len, *line;
	size_t n, vlen = strlen(version);

	while (next_line(&p, end, &line, &n)) {
		if (n == vlen && memcmp(line, version, n) == 0)
			return 1;
	}
	return 0;
}

const char *
nm_ci_pick_version(const char *body, size_t len)
{
	size_t i;

	if (body == NULL)
		return "latest";
	for (i = N_KNOWN; i > 0; i--) {
		if (listed(body, len, known_versions[i - 1]))
			return known_versions[i - 1];
	}
	return "latest";
}

/* urllib.parse.quote(text, safe="/:"), as cloud-init's combine_url
 * quotes each part it appends. */
static char *
quote(const char *s, size_t n, const char *suffix)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, o = 0, slen = strlen(suffix);
	unsigned char c;
	char *out;

	if (n > PATH_MAX_LEN || (out = malloc(3 * n + slen + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		/* c != 0: strchr() finds the terminator, and a NUL copied
		 * as it is would cut the path short (cloud-init sends %00) */
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') ||
		    (c != '\0' && strchr("_.-~/:", c) != NULL)) {
			out[o++] = (char)c;
			continue;
		}
		out[o++] = '%';
		out[o++] = hex[c >> 4];
		out[o++] = hex[c & 15];
	}
	memcpy(out + o, suffix, slen + 1);
	return out;
}

/* util.safe_int(): an optional sign and digits, read as an integer and
 * printed back, so "00" becomes "0". 0 when ident is no integer. */
static int
int_ident(const char *s, size_t n, char *buf, size_t len)
{
	size_t i = 0, o = 0;
	int neg = 0;

	if (n > 0 && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == n || n - i >= len - 2)
		return 0;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		if (o == 0 && s[i] == '0' && i + 1 < n)
			continue;
		buf[o++] = s[i];
	}
	if (neg && !(o == 1 && buf[0] == '0')) {
		memmove(buf + 1, buf, o);
		buf[0] = '-';
		o++;
	}
	buf[o] = '\0';
	return 1;
}

static int
is_utf8(const char *s, size_t n)
{
	size_t i = 0, step;

	while (i < n) {
		if ((step = mp_utf8_len(s + i, n - i)) == 0)
			return 0;
		i += step;
	}
	return 1;
}

void
nm_ci_entries_free(nm_ci_entries *e)
{
	size_t i;

	for (i = 0; i < e->count; i++) {
		free(e->v[i].name);
		free(e->v[i].resource);
	}
	free(e->v);
	e->v = NULL;
	e->count = 0;
}

static nm_ci_entry *
find_entry(nm_ci_entries *e, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < e->count; i++) {
		if (strlen(e->v[i].name) == n &&
		    memcmp(e->v[i].name, name, n) == 0)
			return &e->v[i];
	}
	return NULL;
}

/* Adds name -> resource, or gives an existing name the new resource,
 * as a Python dict assignment does. Takes resource; 0 or -1. */
static int
put_entry(nm_ci_entries *e, const char *name, size_t n, char *resource,
    bool is_dir)
{
	nm_ci_entry *found = find_entry(e, name, n), *grown;

	if (found != NULL) {
		free(found->resource);
		found->resource = resource;
		return 0;
	}
	if (e->count >= MAX_ENTRIES) {
		free(resource);
		return 0;
	}
	grown = reallocarray(e->v, e->count + 1, sizeof(*grown));
	if (grown == NULL) {
		free(resource);
		return -1;
	}
	e->v = grown;
	grown[e->count].name = strndup(name, n);
	grown[e->count].resource = resource;
	grown[e->count].is_dir = is_dir;
	if (grown[e->count].name == NULL) {
		free(resource);
		return -1;
	}
	e->count++;
	return 0;
}

/* One line of a listing, as MetadataMaterializer._parse reads it.
 * 0, NM_ERR_MALFORMED for a name no path could hold, or NM_ERR_NOMEM. */
static nm_err
parse_field(const char *line, size_t n, nm_ci_entries *dirs,
    nm_ci_entries *leaves)
{
	const char *eq, *name = line;
	char ident[32] = "", *res;
	size_t nlen = n;
	bool is_dir = n > 0 && line[n - 1] == '/';

	while (nlen > 0 && name[nlen - 1] == '/')
		nlen--;
	/* Credentials are never materialized. */
	if (nlen == 0 || (nlen == 20 && memcmp(name, "security-credentials",
	    20) == 0))
		return NM_OK;
	/* The server's fault, to be told apart from a failed malloc. */
	if (nlen > PATH_MAX_LEN)
		return NM_ERR_MALFORMED;
	if (is_dir) {
		if (find_entry(dirs, name, nlen) != NULL)
			return NM_OK;
		res = quote(name, nlen, "/");
		return res == NULL || put_entry(dirs, name, nlen, res, true) != 0 ?
		    NM_ERR_NOMEM : NM_OK;
	}
	eq = memchr(name, '=', nlen);
	if (eq != NULL && int_ident(name, (size_t)(eq - name), ident,
	    sizeof(ident))) {
		/* public-keys/ lists "0=keyname"; the key is at 0/openssh-key. */
		res = quote(ident, strlen(ident), "/openssh-key");
		nlen -= (size_t)(eq + 1 - name);
		name = eq + 1;
	} else
		res = quote(name, nlen, "");
	return res == NULL || put_entry(leaves, name, nlen, res, false) != 0 ?
	    NM_ERR_NOMEM : NM_OK;
}

nm_err
nm_ci_entries_parse(const char *body, size_t len, nm_ci_entries *out)
{
	nm_ci_entries dirs = { 0 }, leaves = { 0 };
	const char *p, *end, *line;
	nm_err r = NM_ERR_NOMEM;
	nm_ci_entry *all;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (body == NULL)
		return NM_OK;
	p = body;
	end = body + len;
	if (!is_utf8(body, len))
		return NM_ERR_NOT_TEXT;
	while (next_line(&p, end, &line, &n)) {
		if (n > 0 && (r = parse_field(line, n, &dirs, &leaves)) !=
		    NM_OK)
			goto out;
	}
	/* Directories are materialized before leaves. */
	r = NM_ERR_NOMEM;
	all = reallocarray(dirs.v, dirs.count + leaves.count + 1,
	    sizeof(*all));
	if (all == NULL)
		goto out;
	dirs.v = all;
	if (leaves.count > 0)
		memcpy(all + dirs.count, leaves.v, leaves.count *
		    sizeof(*all));
	out->v = all;
	out->count = dirs.count + leaves.count;
	free(leaves.v);
	memset(&dirs, 0, sizeof(dirs));
	memset(&leaves, 0, sizeof(leaves));
	r = NM_OK;
 out:
	nm_ci_entries_free(&dirs);
	nm_ci_entries_free(&leaves);
	return r;
}

/* ---- what meta_data.json points at -------------------------------- */

static bool
b64_alphabet(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* binascii.a2b_base64 without strict mode: other characters are
 * skipped, a complete padding ends the data, a dangling quad fails.
 * NULL when Python decodes s, else why not. */
static const char *
b64_error(const char *s, size_t n)
{
	size_t i, quad = 0, pads = 0;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x80)
			return "not ASCII";
		if (c == '=') {
			if (quad >= 2 && quad + ++pads >= 4)
				return NULL;
			continue;
		}
		if (!b64_alphabet(c))
			continue;
		pads = 0;
		quad = (quad + 1) % 4;
	}
	if (quad == 1)
		return "one character more than a multiple of 4";
	return quad == 0 ? NULL : "incorrect padding";
}

bool
nm_ci_random_seed_ok(const json_t *md, char *why, size_t whylen)
{
	const json_t *seed = json_object_get(md, "random_seed");
	const char *err;
	int r;

	why[0] = '\0';
	if (seed == NULL)
		return true;
	if (!json_is_string(seed))
		err = json_is_null(seed) ? "null, not text" :
		    json_is_boolean(seed) ? "a boolean, not text" :
		    json_is_number(seed) ? "a number, not text" :
		    "not text";
	else
		err = b64_error(json_string_value(seed),
		    json_string_length(seed));
	if (err == NULL)
		return true;
	r = snprintf(why, whylen, "random_seed is not base64: %s", err);
	if (r < 0)
		why[0] = '\0';
	return false;
}

void
nm_ci_contents_free(nm_ci_contents *c)
{
	size_t i;

	for (i = 0; i < c->count; i++) {
		free(c->v[i].what);
		free(c->v[i].path);
		free(c->v[i].broken);
	}
	free(c->v);
	c->v = NULL;
	c->count = 0;
}

/* _read_content_path(): content_path without leading slashes, split
 * at '/', appended piece by piece as combine_url() appends (a '/' only
 * where the path does not end in one, each piece quoted). NULL with
 * *broken set when no piece is left; NULL alone when out of memory. */
static char *
content_url(const json_t *item, const char **broken)
{
	const json_t *cp = json_object_get(item, "content_path");
	const char *s = "", *end, *slash;
	char *url = NULL, *piece = NULL, *grown;
	size_t n = 0, used;

	*broken = NULL;
	if (cp != NULL && !json_is_string(cp)) {
		*broken = "its content_path is not text";
		return NULL;
	}
	if (cp != NULL) {
		s = json_string_value(cp);
		n = json_string_length(cp);
	}
	if (n > PATH_MAX_LEN) {
		*broken = "its content_path is too long";
		return NULL;
	}
	end = s + n;
	while (s < end && *s == '/')
		s++;
	if (s == end) {
		*broken = "it has no valid content_path";
		return NULL;
	}
	if ((url = strdup("/openstack")) == NULL)
		return NULL;
	while (s <= end) {
		if ((slash = memchr(s, '/', (size_t)(end - s))) == NULL)
			slash = end;
		used = strlen(url);
		piece = quote(s, (size_t)(slash - s), "");
		grown = piece == NULL ? NULL : realloc(url, used +
		    strlen(piece) + 2);
		if (grown == NULL)
			goto fail;
		url = grown;
		if (url[used - 1] != '/')
			url[used++] = '/';
		memcpy(url + used, piece, strlen(piece) + 1);
		free(piece);
		s = slash + 1;
	}
	return url;
 fail:
	free(piece);
	free(url);
	return NULL;
}

/* Takes what, path and broken (any may be NULL but what). NM_OK or
 * NM_ERR_NOMEM. */
static nm_err
add_content(nm_ci_contents *c, char *what, char *path, const char *broken,
    bool text)
{
	nm_ci_content *grown, *e;

	grown = what == NULL ? NULL : reallocarray(c->v, c->count + 1,
	    sizeof(*grown));
	if (grown == NULL)
		goto fail;
	c->v = grown;
	e = &grown[c->count];
	e->what = what;
	e->path = path;
	e->text = text;
	e->broken = NULL;
	if (broken != NULL && (e->broken = strdup(broken)) == NULL)
		goto fail;
	c->count++;
	return NM_OK;
 fail:
	free(what);
	free(path);
	return NM_ERR_NOMEM;
}

/* Whether the list ends: its last entry is one cloud-init cannot read. */
static bool
list_ended(const nm_ci_contents *c)
{
	return c->count > 0 && c->v[c->count - 1].broken != NULL;
}

/* One object that carries a content_path, listed; when it is broken
 * the list ends with it (list_ended). NM_OK or NM_ERR_NOMEM. */
static nm_err
add_pointer(nm_ci_contents *c, const json_t *item, char *what, bool text)
{
	const char *broken;
	char *url;

	if (!json_is_object(item))
		return add_content(c, what, NULL, "it is not an object",
		    false);
	url = content_url(item, &broken);
	if (url == NULL && broken == NULL) {
		free(what);
		return NM_ERR_NOMEM;
	}
	return add_content(c, what, url, broken, text);
}

/* Whether read_v2 reads a files item: `"path" in item`, which for a
 * string is a substring test and for a list a membership test. */
static bool
has_path(const json_t *item)
{
	size_t i;

	if (json_is_object(item))
		return json_object_get(item, "path") != NULL;
	if (json_is_string(item))
		return memmem(json_string_value(item),
		    json_string_length(item), "path", 4) != NULL;
	for (i = 0; i < json_array_size(item); i++) {
		if (nm_os_string_is(json_array_get(item, i), "path"))
			return true;
	}
	/* A number, a boolean or null cannot be asked: it breaks too. */
	return !json_is_array(item);
}

static char *
file_what(const json_t *item, size_t i)
{
	const json_t *path = json_object_get(item, "path");
	char *name, *what = NULL;

	/* The served path, quoted and cut as every served text is. */
	name = path != NULL ? nm_os_quote_value(path) : strdup("''");
	if (name == NULL)
		return NULL;
	if (asprintf(&what, "file %s (files[%zu])", name, i) < 0)
		what = NULL;
	free(name);
	if (what != NULL)
		mp_scrub(what);
	return what;
}

/* The items of files, until one ends the list (list_ended). NM_OK or
 * NM_ERR_NOMEM. */
static nm_err
list_files(const json_t *md, nm_ci_contents *c)
{
	const json_t *files = json_object_get(md, "files"), *item;
	size_t i;
	nm_err r;

	if (files == NULL)
		return NM_OK;
	if (!json_is_array(files))
		return add_content(c, strdup("files"), NULL, "it is not a "
		    "list", false);
	for (i = 0; i < json_array_size(files); i++) {
		item = json_array_get(files, i);
		if (!has_path(item))
			continue;
		if (c->files++ >= NM_CI_MAX_CONTENT)
			continue;
		if ((r = add_pointer(c, item, file_what(item, i), false)) !=
		    NM_OK || list_ended(c))
			return r;
	}
	return NM_OK;
}

/* Python's truth: null, false, 0, "", [] and {} are skipped. */
static bool
truthy(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return json_object_size(v) > 0;
	case JSON_ARRAY: return json_array_size(v) > 0;
	case JSON_STRING: return json_string_length(v) > 0;
	case JSON_INTEGER: return json_integer_value(v) != 0;
	case JSON_REAL: return json_real_value(v) != 0;
	case JSON_TRUE: return true;
	default: return false;
	}
}

nm_err
nm_ci_contents_list(const json_t *md, nm_ci_contents *out)
{
	const json_t *net = json_object_get(md, "network_config");
	nm_err r;

	memset(out, 0, sizeof(*out));
	if ((r = list_files(md, out)) == NM_OK && !list_ended(out) &&
	    net != NULL && truthy(net))
		r = add_pointer(out, net, strdup("network_config"), true);
	if (r == NM_OK)
		return NM_OK;
	nm_ci_contents_free(out);
	return NM_ERR_NOMEM;
}

size_t
nm_ci_count_lines(const char *body, size_t len)
{
	const char *p = body != NULL ? body : "", *end = p + len, *line;
	size_t n, count = 0;

	while (next_line(&p, end, &line, &n))
		count += n > 0;
	return count;
}

bool
nm_ci_is_text(const char *s, size_t n)
{
	return is_utf8(s != NULL ? s : "", n) != 0;
}
