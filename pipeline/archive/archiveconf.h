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
 *   seal-input STORE     the bytes of every file of STORE (schemas/stores)
 *                        that a night's results read (the 'had' rows of
 *                        OUT/DATE/inputs/RECON.csv) are sealed in that
 *                        night's tar as landed/NIGHT/RELPATH (NIGHT the
 *                        night it landed), not only their SHA-256: e.g.
 *                        the CPR residence extract the refund's decisions
 *                        were made against (issue 14; seed 000). Each
 *                        night's tar holds its own copy: the archive does
 *                        not share bytes between nights, so retiring one
 *                        night never takes another's evidence. Repeatable.
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
	char **seal_inputs;		/* store names, owned */
	unsigned long *seal_lines;	/* their lines in seal_path */
	size_t nseal;
	char *seal_path;		/* the archive.conf that named them */
};

/* Loads archive.conf beside the pipeline conf (c->state after any
 * --state: the default dir is STATE/archive); a missing file means that
 * dir and no retention. 0, or -1 reported. */
int archive_conf_load(const struct pipeline_conf *c, struct archive_conf *ac);
void archive_conf_free(struct archive_conf *ac);

#endif
