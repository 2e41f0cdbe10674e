/* libFuzzer target: meta_data.json as a server sends it, through the -O
 * validation and the JSON reading that cloud-init's checks share.
 * Properties: the verdicts stay within their bounds and are terminated;
 * every scalar member matches -e with the text the plugin prints for it
 * (what an operator copies from -v output must match); a version the
 * plugin accepts needs no quoting in a URL. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz.h"
#include "parse_openstack.h"

#define UUID "32d0524b-314d-4594-b3a3-607e3f2354f8"
#define TENANT "6f70656e737461636b"

static void
check_verdicts(const nm_os_verdicts *vs, const nm_os_want *w)
{
	size_t i;

	if (vs->count == 0 || vs->count > NM_OS_MAX_VERDICTS ||
	    vs->keys_found > w->key_count ||
	    vs->values_matched > w->expect_count)
		abort();
	for (i = 0; i < vs->count; i++) {
		if (memchr(vs->v[i].text, '\0', sizeof(vs->v[i].text)) == NULL ||
		    vs->v[i].state > MP_UNKNOWN)
			abort();
	}
}

/* Each scalar member matches its own printed text. */
static void
check_scalars(const json_t *doc)
{
	const char *key;
	json_t *v;
	char text[256];

	json_object_foreach((json_t *)doc, key, v) {
		if (json_is_string(v) &&
		    strlen(json_string_value(v)) != json_string_length(v))
			continue;	/* NUL inside: no command line holds it */
		if (nm_os_scalar_text(v, text, sizeof(text)) == 0 &&
		    !nm_os_value_matches(v, text))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *keys[] = { "uuid", "hostname", "public_keys" };
	static const nm_expect expects[] = {
		{ "hostname", "canary" }, { "launch_index", "0" },
		{ "availability_zone", "nova" },
	};
	static const char *const versions[] = { "latest", "2012-08-10" };
	nm_os_want w = { UUID, TENANT, NULL, keys, 3, expects, 3 };
	nm_os_verdicts *vs = malloc(sizeof(*vs));
	json_t *doc = NULL;
	char why[128], *text;
	size_t i;

	for (i = 0; vs != NULL && i < 2; i++) {
		w.version = versions[i];
		if (nm_os_validate((const char *)data, size, &w, vs, NULL) ==
		    NM_OK)
			check_verdicts(vs, &w);
	}
	if (nm_os_parse((const char *)data, size, NM_OS_ROOT_ANY, &doc, why,
	    sizeof(why)) == NM_OK) {
		if (json_is_object(doc))
			check_scalars(doc);
	} else if (memchr(why, '\0', sizeof(why)) == NULL)
		abort();
	/* a version that passes goes into a URL unquoted */
	if ((text = fuzz_text(data, size)) != NULL &&
	    nm_os_version_valid(text) &&
	    text[strspn(text, "0123456789-latest")] != '\0')
		abort();
	free(text);
	json_decref(doc);
	free(vs);
	return 0;
}
