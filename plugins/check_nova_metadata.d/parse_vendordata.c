#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "parse_openstack.h"
#include "output.h"
#include "parse_vendordata.h"

#define NAME_MAX_LEN 255

const char *
nm_vd_name_problem(const char *name)
{
	size_t n = 0;

	for (; name[n] != '\0'; n++) {
		if (n >= NAME_MAX_LEN)
			return "NAME longer than 255 characters";
		if (name[n] <= ' ' || name[n] >= 0x7f)
			return "NAME must be printable ASCII without spaces";
		if (name[n] == '@')
			return "NAME holds '@': give the target's name, not "
			    "NAME@URL as nova.conf has it";
	}
	if (n == 0)
		return "NAME is empty";
	if (strcmp(name, "static") == 0)
		return "\"static\" is the StaticJSON provider's entry, not a "
		    "dynamic target";
	return NULL;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The key names, sorted: what a target serves stays the same from one
 * request to the next even where its values (one-time passwords) do
 * not, so backends are compared on these. */
static int
key_names(const json_t *obj, char *buf, size_t len)
{
	const char **names;
	const char *k;
	json_t *v;
	size_t i = 0, n = json_object_size(obj), used = 0;
	int r;

	buf[0] = '\0';
	if ((names = calloc(n, sizeof(*names))) == NULL)
		return -1;
	json_object_foreach((json_t *)obj, k, v)
		names[i++] = k;
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		r = snprintf(buf + used, len - used, "%s%s", i > 0 ? "," : "",
		    names[i]);
		if (r < 0 || (size_t)r >= len - used) {
			/* room for "..." is kept: 4 bytes */
			memcpy(buf + (len > 4 ? len - 4 : 0), "...", 4);
			break;
		}
		used += (size_t)r;
	}
	free(names);
	return 0;
}

static int
judge_entry(const json_t *entry, const char *name, nm_vd_verdict *out)
{
	int r;

	out->state = MP_CRITICAL;
	if (entry == NULL) {
		out->kind = NM_VD_ABSENT;
		r = snprintf(out->text, sizeof(out->text), "vendordata target "
		    "%s is not in vendor_data2.json: it is not configured in "
		    "this Nova ([api] vendordata_dynamic_targets, with "
		    "DynamicJSON in vendordata_providers)", name);
	} else if (!json_is_object(entry)) {
		out->kind = NM_VD_NOT_OBJECT;
		r = snprintf(out->text, sizeof(out->text), "vendordata target "
		    "%s is %s in vendor_data2.json, not an object: the target "
		    "answers something instances cannot use", name,
		    nm_os_type_name(entry));
	} else if (json_object_size(entry) == 0) {
		out->kind = NM_VD_EMPTY;
		r = snprintf(out->text, sizeof(out->text), "vendordata target "
		    "%s is {}: the target failed and Nova hides it (HTTP 200, "
		    "see nova-api-metadata's log for \"Error from dynamic "
		    "vendordata service %s\")", name, name);
	} else {
		out->kind = NM_VD_OK;
		out->state = MP_OK;
		if (key_names(entry, out->keys, sizeof(out->keys)) != 0)
			return -1;
		r = snprintf(out->text, sizeof(out->text), "vendordata target "
		    "%s served (%zu key%s)", name, json_object_size(entry),
		    json_object_size(entry) == 1 ? "" : "s");
	}
	/* A long name is cut, never the verdict's state. */
	if (r < 0)
		out->text[0] = '\0';
	return 0;
}

nm_err
nm_vd_judge(const char *body, size_t len, char *const *names, size_t n,
    nm_vd_verdict *out, size_t *nout)
{
	char why[384];	/* jansson's text is at most 160 bytes, the rest ours */
	json_t *doc = NULL;
	size_t i;
	nm_err r = NM_ERR_NOMEM;
	int written;

	*nout = 0;
	memset(out, 0, n * sizeof(*out));
	switch (nm_os_parse(body, len, NM_OS_ROOT_OBJECT, &doc, why,
	    sizeof(why))) {
	case NM_OK:
		break;
	case NM_ERR_NOMEM:
		goto out;
	default:
		out[0].kind = NM_VD_BAD_DOCUMENT;
		out[0].state = MP_CRITICAL;
		written = snprintf(out[0].text, sizeof(out[0].text),
		    "vendor_data2.json is %s", why);
		if (written < 0)
			out[0].text[0] = '\0';
		*nout = 1;
		r = NM_OK;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (judge_entry(json_object_get(doc, names[i]), names[i],
		    &out[i]) != 0)
			goto out;
		mp_scrub(out[i].text);
	}
	*nout = n;
	r = NM_OK;
 out:
	json_decref(doc);
	return r;
}
