/*
 * Opening a landed archive: .gz (one file), .zip, .tar, .tar.gz / .tgz
 * (zlib inflates gzip, libarchive reads zip and tar). Every member is
 * checked before anything lands:
 *   refused: an absolute path or "..", a symlink, a hard link, a device or
 *   other special file, a member base name that is not plain (safe_name),
 *   two members of the same base name, more than max-entries members,
 *   more than max-bytes in all, or more than max-ratio times the archive's
 *   own size once past 1 MiB (zip bombs); a corrupt or truncated archive:
 *   a gzip stream whose CRC-32 or length does not match what it holds
 *   (zlib checks both; libarchive's gzip reader does not), bytes after a
 *   gzip stream that are not another gzip member, a zip member whose
 *   CRC-32 does not match (libarchive).
 * Directories are skipped; members land under their base name. An archive
 * inside an archive (a zip in a zip, a .csv.gz in a tar) is opened in
 * turn, within the same limits (counted together), at most
 * UNPACK_MAX_DEPTH deep: deeper, the whole archive is refused, named.
 */
#ifndef UNPACK_H
#define UNPACK_H

#include <stddef.h>
#include <stdint.h>

#include "ingest/sources.h"

enum unpack_kind { UNPACK_NONE, UNPACK_GZ, UNPACK_TAR, UNPACK_TGZ, UNPACK_ZIP };

/* Archives inside archives are opened to this depth (the drop is 1). */
enum { UNPACK_MAX_DEPTH = 3 };

/* By the name's ending (case-insensitive). */
enum unpack_kind unpack_kind(const char *name);

struct unpack_member {
	char *name;		/* base name, checked */
	char *tmp;		/* its bytes, in the temporary directory */
	uint64_t size;
};

struct unpack_members {
	struct unpack_member *v;
	size_t n;
};

/*
 * Unpacks path (called label in messages) into temporary files in tmpdir.
 * 0: every member is in out, sorted by name; 1: refused or corrupt, the
 * reason reported and nothing left in tmpdir; -1: a local error (reported).
 */
int unpack_archive(const char *path, const char *label, enum unpack_kind kind,
		   const struct unpack_limits *lim, const char *tmpdir,
		   struct unpack_members *out);
/* Frees out; removes the temporary files still there. */
void unpack_members_free(struct unpack_members *out);

#endif
