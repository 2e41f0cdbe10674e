/* The cloud-init boot profile: the requests cloud-init's OpenStack
 * datasource makes at boot, in its order (cloudinit/sources/helpers/
 * openstack.py, read_v2; the EC2 part from helpers/ec2.py's
 * MetadataMaterializer). The version choice and the listing-to-paths
 * step of the EC2 crawl are pure and unit-tested. */
#ifndef NM_CLOUDINIT_H
#define NM_CLOUDINIT_H

#include <stdbool.h>
#include <stddef.h>

#include "run.h"

/* Bounds on the EC2 crawl, so that a hostile or broken server cannot
 * keep us looping; Nova's tree takes about 25 requests and depth 3. */
#define NM_CI_MAX_REQUESTS 256
#define NM_CI_MAX_DEPTH 8

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

typedef enum {
	NM_CI_OK = 0,
	NM_CI_NOMEM,
	NM_CI_NOT_TEXT		/* not UTF-8: cloud-init cannot decode it */
} nm_ci_err;

/* What cloud-init requests for one EC2 listing, in its order: the
 * directories first (listing order, each once), then the leaves (first
 * appearance order, the last resource for a repeated name). Lines are
 * stripped; "security-credentials" is never fetched; a leaf "N=name"
 * with integer N is requested as "N/openssh-key" (public-keys/).
 * Resources are quoted as urllib.parse.quote(safe="/:") does. */
nm_ci_err nm_ci_entries_parse(const char *body, size_t len,
    nm_ci_entries *out);
void nm_ci_entries_free(nm_ci_entries *e);

/* The --cloud-init mode. 0, or -1 with *cause. */
int nm_cloudinit_run(nm_run *run, char **cause);

#endif
