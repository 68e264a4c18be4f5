/*
 * Landing a file whose bytes are complete in a temporary file under STATE
 * (fetch's download, unpack's member): the one place that decides where a
 * file lands and records it. The landing area of a night is
 * STATE/landing/DATE/INTO/NAME; NAME and INTO are checked plain names
 * (safe_name, ingest/sources.h), so nothing from a remote side decides a path
 * outside it.
 *   - bytes landed on an earlier night (same SHA-256), or tonight under
 *     another name: not taken again (LAND_KNOWN); unless they are earlier
 *     bytes of this very name and tonight would otherwise read another
 *     version (a night reads the newest landing of a name on or before
 *     it): A on night 1, B on night 2, A tonight lands A tonight as a
 *     correction back (LAND_CORRECTED, replaces B); A on night 1, B then A
 *     tonight lands A tonight over B (LAND_AGAIN: the version before
 *     tonight is A, so no correction is noted; a rerun says the same). The
 *     files record and the receipt keep its first night and path; the
 *     landed entry is tonight's;
 *   - bytes landed tonight already under this name (a rerun): recorded
 *     again, no copy;
 *   - same name, new bytes: a corrected file, landed beside the earlier one
 *     as NAME@FILEID, never over it; recorded as replacing it.
 */
#ifndef LAND_H
#define LAND_H

#include <lmdb.h>
#include <stdint.h>

#include "core/digest.h"
#include "run/stage.h"

enum land_outcome { LAND_NEW, LAND_KNOWN, LAND_AGAIN, LAND_CORRECTED };

struct land {
	const char *into, *name;	/* checked plain names */
	const char *tmp;		/* the bytes; removed once landed or known; NULL:
					 * nothing to move (only a known sha) */
	char sha[DIGEST_HEXSZ];
	uint64_t size;
	const char *origin;		/* props 'from', or NULL */
	/* filled by land_file(): */
	enum land_outcome outcome;
	char path[1024];		/* under STATE */
	char replaces[2 * FILEID_LEN + 1];	/* fileid of the earlier version, or "";
						 * also for LAND_AGAIN of a correction */
	char earlier_night[11];		/* bytes known before: their first night */
};

/*
 * Lands l: 0, 1 when l->tmp is NULL and the bytes are not in the store
 * (the caller must fetch them), -1 error (reported).
 */
int land_file(struct stage_ctx *ctx, MDB_txn *txn, struct land *l);

/* STATE/landing/DATE/INTO, created 0750. */
int land_dir(const struct stage_ctx *ctx, const char *into, struct strbuf *out);

#endif
