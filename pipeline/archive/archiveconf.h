/*
 * conf/archive.conf: where the sealed nights are kept and for how long.
 * Grammar: core/conffile.h; a relative dir is relative to the conf file.
 *
 *   dir DIR              the archive directory (created 0750); without it,
 *                        STATE/archive: the archive of the state it seals
 *   retention-years N    nights older than N years before the newest sealed
 *                        night (at most N years before today) lose their
 *                        tar and manifest (their seal
 *                        records stay, so the chain still verifies); 0 keeps
 *                        everything (the default)
 *
 * The environment variable PIPELINE_ARCHIVE_DIR, and the auditors'
 * --archive DIR option, override dir (tests, a copy on removable media).
 */
#ifndef ARCHIVECONF_H
#define ARCHIVECONF_H

#include "run/conf.h"

struct archive_conf {
	char *dir;
	int retention_years;
};

/* Loads archive.conf beside the pipeline conf (c->state after any
 * --state: the default dir is STATE/archive); a missing file means that
 * dir and no retention. 0, or -1 reported. */
int archive_conf_load(const struct pipeline_conf *c, struct archive_conf *ac);
void archive_conf_free(struct archive_conf *ac);

#endif
