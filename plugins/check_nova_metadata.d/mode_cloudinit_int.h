/* The --cloud-init mode's state as its two files see it: the
 * OpenStack datasource's profile and the EC2 crawl (mode_cloudinit.c),
 * the Ec2 datasource's profile (mode_cloudinit_ec2.c). Nothing else
 * includes this. */
#ifndef NM_MODE_CLOUDINIT_INT_H
#define NM_MODE_CLOUDINIT_INT_H

#include <stdbool.h>

#include <jansson.h>

#include "visit.h"

/* cloud-init's OpenStack documents, in read_v2's order. */
enum { DOC_META, DOC_USER, DOC_VENDOR, DOC_VENDOR2, DOC_NETWORK, N_DOCS };

typedef struct {
	nm_visit *visit;
	const char *version;	/* NULL until one is chosen */
	json_t *meta;		/* meta_data.json, once usable */
	double doc_time[N_DOCS];
	double ec2_time;
	int served;		/* documents that came with 200 */
	int asked;		/* documents requested */
	bool absent[N_DOCS];	/* not served (404), as cloud-init allows */
	int contents;		/* files and network_config read */
	int crawl_requests;
	int ec2_leaves;
	bool crawl_over;	/* the EC2 crawl ended early, recorded; the
				 * visit goes on */
	bool ec2;		/* the Ec2 datasource's profile */
	const char *top;	/* the EC2 tree's top listing */
	double ud_time;		/* the Ec2 profile's user-data */
	unsigned matched;	/* -e values as expected (Ec2 profile) */
	unsigned expect_seen;	/* -e keys found at the tree's top */
} ci_state;

/* The EC2 tree under cs->top, as cloud-init's crawl walks it: NM_OK when
 * the walk is done, whole or ended early (recorded); else the visit's
 * end. With cs->ec2 a failing entry is CRITICAL and -k/-e are held
 * against the tree's top. */
nm_err nm_mode_cloudinit_crawl(ci_state *cs);

/* A time in seconds as perfdata on sc (uom s, min 0): 0, or -1 out of
 * memory. */
int nm_mode_cloudinit_add_time(mp_subcheck *sc, const char *label,
    double value);

/* The whole Ec2 profile on cs, a zeroed state with its visit: as
 * nm_mode_cloudinit() returns. */
nm_err nm_mode_cloudinit_ec2(ci_state *cs);

#endif
