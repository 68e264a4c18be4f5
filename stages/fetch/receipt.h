/*
 * Receipts: how each landed file came, in the store's "receipts" database.
 *   key    source NUL remote path NUL sha256-hex
 *   value  "k=v\n" lines: source, remote, size, mtime (remote, seconds),
 *          signal (the completeness signal: "marker NAME.done"), sha,
 *          hostkey ("SHA256:..." of the server's key; "-" for a local
 *          directory), night (when these bytes first landed: the files
 *          record's, also when a later night lands them again), path
 *          (under STATE), received (UTC)
 * A file whose receipt matches its remote size and mtime is not fetched
 * again.
 */
#ifndef RECEIPT_H
#define RECEIPT_H

#include <lmdb.h>
#include <stdint.h>

#include "core/digest.h"
#include "store/store.h"

struct receipt {
	const char *source, *remote, *signal, *hostkey, *night, *path;
	uint64_t size;
	int64_t mtime;
	char sha[DIGEST_HEXSZ];
};

int receipt_put(struct store *st, MDB_txn *txn, const struct receipt *r);
/* The sha of a receipt for source/remote with this size and mtime: 0 found
 * (sha filled), 1 none, -1 error. */
int receipt_find(struct store *st, MDB_txn *txn, const char *source, const char *remote,
		 uint64_t size, int64_t mtime, char sha[DIGEST_HEXSZ]);

#endif
