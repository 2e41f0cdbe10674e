/* The cloud-init boot profile: the requests cloud-init's OpenStack
 * datasource makes at boot, in its order (cloudinit/sources/helpers/
 * openstack.py, read_v2; the EC2 part from helpers/ec2.py's
 * MetadataMaterializer), pure and unit-tested: the version choice, the
 * listing-to-paths step of the EC2 crawl, what meta_data.json points
 * at. mode_cloudinit.h makes the requests. */
#ifndef NM_CLOUDINIT_H
#define NM_CLOUDINIT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core_error.h"

/* Bounds on the EC2 crawl, so that a hostile or broken server cannot
 * keep us looping; Nova's tree takes about 25 requests and depth 3. */
#define NM_CI_MAX_REQUESTS 256
#define NM_CI_MAX_DEPTH 8
/* meta_data.json's files fetched at most; Nova's injected-file quota is
 * 5 by default. */
#define NM_CI_MAX_CONTENT 64
/* The longest name or content_path made into a path. */
#define NM_CI_PATH_MAX 1024

/* The newest version cloud-init supports (its OS_VERSIONS, up to
 * 2018-08-27) among those listed in body[0..len) (the /openstack
 * answer, one per line), else "latest". Returns a static string. */
const char *nm_ci_pick_version(const char *body, size_t len);

typedef struct {
	char *name;		/* the field as cloud-init names it */
	char *resource;		/* URL-quoted, relative to the listing;
				 * directories end in '/' */
	bool is_dir;
} nm_ci_entry;

typedef struct {
	nm_ci_entry *v;
	size_t count;
} nm_ci_entries;

/* What cloud-init requests for one EC2 listing, in its order: the
 * directories first (listing order, each once), then the leaves (first
 * appearance order, the last resource for a repeated name). Lines are
 * stripped; "security-credentials" is never fetched; a leaf "N=name"
 * with integer N is requested as "N/openssh-key" (public-keys/).
 * Resources are quoted as urllib.parse.quote(safe="/:") does. NM_OK,
 * NM_ERR_NOT_TEXT (not UTF-8: cloud-init cannot decode it),
 * NM_ERR_MALFORMED (a name over NM_CI_PATH_MAX bytes, longer than any
 * path we build) or NM_ERR_NOMEM. */
nm_err nm_ci_entries_parse(const char *body, size_t len,
    nm_ci_entries *out);
void nm_ci_entries_free(nm_ci_entries *e);

/* read_v2's check of meta_data.json's random_seed: absent, or a string
 * that Python's base64.b64decode() (not validating: characters outside
 * the alphabet are skipped, the padding ends the data) accepts. false
 * with why set to "random_seed is not base64: ...". */
bool nm_ci_random_seed_ok(const json_t *md, char *why, size_t whylen);

/* One document that meta_data.json points at, under /openstack/. */
typedef struct {
	char *what;		/* "file '/etc/motd' (files[0])",
				 * "network_config" */
	char *path;		/* "/openstack/content/0000"; NULL when
				 * broken */
	char *broken;		/* why cloud-init stops here, else NULL */
	bool text;		/* decoded as text: must be UTF-8 */
} nm_ci_content;

typedef struct {
	nm_ci_content *v;
	size_t count;
	size_t files;		/* items of files with a path, all of them */
} nm_ci_contents;

/* What read_v2 reads after the documents, in its order: each item of
 * files that has a "path" (content_path, read as bytes), then a truthy
 * network_config (content_path, read as text). The list ends at the
 * first entry cloud-init cannot read (no usable content_path, not an
 * object), which has broken set; at most NM_CI_MAX_CONTENT files.
 * content_path becomes a path as cloud-init's combine_url() builds it.
 * NM_OK or NM_ERR_NOMEM. */
nm_err nm_ci_contents_list(const json_t *md, nm_ci_contents *out);
void nm_ci_contents_free(nm_ci_contents *c);

/* The stripped, non-empty lines of body[0..len), as cloud-init counts
 * the versions /openstack lists. */
size_t nm_ci_count_lines(const char *body, size_t len);

/* Whether s[0..n) is UTF-8 that cloud-init can decode. */
bool nm_ci_is_text(const char *s, size_t n);

#endif
