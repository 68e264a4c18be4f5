/*
 * Outgoing files: what a stage sends out of the pipeline (a charge to
 * another municipality, a dispute letter, a postings file for the
 * vouchers stage, a suggestions list). Written like every output
 * (core/atomicfile.h: temporary name, fsync, rename; 0640 in 0750
 * directories) and REMEMBERED in the store's "outfiles" database, per
 * night and path, so `pipeline status --date D` lists them, a rerun can
 * tell the same bytes from changed ones (and says so), and a rerun that
 * no longer writes a file removes it (outfile_prune()). The archive
 * stage seals every file under OUT/DATE, outgoing files with them.
 *
 *   outfiles:  "YYYY-MM-DD" NUL RELPATH -> "sha256=HEX\nsize=N\nrows=N\nstage=NAME\n"
 *
 * RELPATH is under OUT/DATE ("charges/mellemkommunal-refusion/0101.csv"):
 * relative, no "." or ".." part, no empty part. Records go in the
 * caller's write transaction, so they commit with its ledger entry.
 */
#ifndef OUTFILE_H
#define OUTFILE_H

#include <lmdb.h>

#include "core/strbuf.h"
#include "run/stage.h"

enum outfile_result {
	OUTFILE_NEW,		/* first time this night wrote the path */
	OUTFILE_SAME,		/* a rerun wrote the same bytes */
	OUTFILE_CHANGED,	/* a rerun wrote other bytes (inputs or conf changed): logged */
};

/*
 * Writes len bytes of data to OUT/DATE/rel atomically, 0640, records it
 * for ctx's night and stage in txn, and sets *res (may be NULL); sha,
 * when not NULL, gets the bytes' SHA-256 (hex) for the stage's output
 * digest. rows is the file's data rows (for status). 0, or -1 reported
 * (a bad rel, a write or store error; the caller aborts txn).
 */
int outfile_write(struct stage_ctx *ctx, MDB_txn *txn, const char *rel, const void *data,
		  size_t len, unsigned long rows, char sha[65], enum outfile_result *res);

/*
 * Removes the files under OUT/DATE/dir/ that ctx's stage wrote on an
 * earlier run of the night and this run did not write again (kept: the
 * relpaths it wrote, any order), and their records; a rerun after a conf
 * change may send fewer files. Files of other stages stay. 0, or -1
 * reported.
 */
int outfile_prune(struct stage_ctx *ctx, MDB_txn *txn, const char *dir,
		  const char *const *kept, size_t nkept);

/* One outgoing file's record. */
struct outfile_info {
	const char *night, *rel, *sha, *stage;	/* valid during the callback only */
	unsigned long long size, rows;
};
/* Calls fn for every outgoing file of night (YYYY-MM-DD; all stages) in
 * path order; fn's non-zero return stops and is returned. -1 on error. */
typedef int (*outfile_fn)(const struct outfile_info *f, void *data);
int outfile_each(struct store *st, MDB_txn *txn, const char *night, outfile_fn fn,
		 void *data);

#endif
