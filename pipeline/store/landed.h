/*
 * Landed files, as fetch records them and normalise reads them.
 *   landed:  "YYYY-MM-DD" NUL relpath -> fileid (8 bytes)
 *   files:   fileid -> "k=v\n" lines: sha, relpath, path (under STATE),
 *            night, size, and what normalise learnt (schema, rows ...,
 *            segment: where its rows went, kept when they are removed so
 *            a reload puts them back there; store/segment.h)
 * relpath is the name in the drops layout ("ky/KY_..._20210205.csv"); path
 * is where the bytes are kept (a corrected file is landed beside the
 * earlier one, never over it).
 */
#ifndef LANDED_H
#define LANDED_H

#include <lmdb.h>

#include "core/digest.h"
#include "store/store.h"

struct landed_file {
	char relpath[512];
	uint8_t fileid[FILEID_LEN];
	char sha[DIGEST_HEXSZ];
	char path[1024];	/* relative to STATE */
};

/* Calls fn for the files landed on night, in relpath order. */
typedef int (*landed_fn)(const struct landed_file *f, void *data);
int landed_each(struct store *st, MDB_txn *txn, const char *night,
		landed_fn fn, void *data);
int landed_put(struct store *st, MDB_txn *txn, const char *night,
	       const char *relpath, const uint8_t fileid[FILEID_LEN]);

/*
 * The night a file of relpath counts as landed: the first night on or
 * after first (its files record's 'night', when its bytes first came)
 * whose landed entry of relpath is id. Not always first: a later landing
 * on that night may have replaced it (A, then B on night 10; A back on
 * night 11 counts as landed on 11). out: "YYYY-MM-DD". 0 found, 1 no
 * landed entry names it, -1 error (reported).
 */
int landed_night(struct store *st, MDB_txn *txn, const char *relpath,
		 const uint8_t id[FILEID_LEN], const char *first, char out[11]);

/* The files record: 0 found (props in *out), 1 not found, -1 error. */
int file_props_get(struct store *st, MDB_txn *txn, const uint8_t id[FILEID_LEN],
		   struct strbuf *out);
int file_props_put(struct store *st, MDB_txn *txn, const uint8_t id[FILEID_LEN],
		   const struct strbuf *props);
/* One property of a props text, or NULL. */
const char *props_get(const struct strbuf *props, const char *key, struct strbuf *val);
/* Replaces or appends key=value in a props text. */
void props_set(struct strbuf *props, const char *key, const char *value);

#endif
