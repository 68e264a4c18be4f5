/*
 * The store: one LMDB environment in STATE/store holding
 *   one database per store of schemas/stores   rows, keyed
 *       segment (8, BE) | KEYFIELDS (fixed width ASCII) | record (6, BE) | line (4, BE)
 *       segment numbers the loads of files, in the order they were
 *       loaded (store/segment.h): a file's rows are one segment, written
 *       once in key order with MDB_APPEND (a new segment sorts after all
 *       rows there are), so loading a file costs the same whatever the
 *       store holds. The coverage entries of a file name its segment.
 *       Within it one SE and month's rows are adjacent and a cursor
 *       reads them by SE, then month, then CPR, as the matchers do; the
 *       work of loading, reading or removing a file is that file's rows.
 *       record numbers a file's records 1, 2, ... in the order they were
 *       read (the parts of a multi-part file are one file; an XML file's
 *       rows, of every store it fills, are one count): no two rows of a
 *       file ever share a key, whatever its lines look like (an XML file
 *       may hold many rows on one line). line is the physical line the
 *       record was read from (an XML row: its row element's), for
 *       messages only: it never decides order or identity;
 *   "files"     fileid -> what normalise learnt of a landed file
 *   "names"     landing name -> fileid of its current version
 *   "coverage"  store NUL SE month ~namedate fileid -> record count and
 *               segment (store/segment.h): which file holds a store's rows
 *               for an SE and month, the newest file date first (the
 *               snapshot a night reads), and where they are; "loading"
 *               instead of a count hides rows being written or removed
 *   "filecover" fileid | coverage key -> "": the coverage entries of one
 *               file, so hiding or removing a file reads only its own
 *   "landed"    night NUL relpath -> fileid, what fetch landed that night
 *   "receipts"  source NUL remote path NUL sha -> "k=v\n" lines: how a
 *               landed file came (see stages/fetch/receipt.h)
 *   "ledger"    see store/ledger.h
 *   "breaks"    exception id -> night it was first seen (YYYY-MM-DD)
 *   "decisions" the clerk's decisions (store/decisions.h; made by the first)
 *   "vouchers"  every GL posting voucher issued (see post/voucherstore.h)
 *   "outfiles"  the outgoing files of each night (see run/outfile.h)
 *   "meta"      layout -> STORE_LAYOUT ":" digest of schemas/stores
 * Errors from LMDB are reported here and returned as -1.
 *
 * The rule every user of the store keeps (lmdb.h, "MDB_val"): the
 * mv_data of a key or value that mdb_get() or mdb_cursor_get() returned
 * points into the map and is dead after any write (put, del) in the same
 * transaction, and after the transaction ends. Copy what is needed
 * before writing, and never pass such a pointer back to a write call
 * (mdb_cursor_put(MDB_CURRENT) with the key the cursor returned moves
 * the node and reads freed memory). bin/pipeline check-store finds what
 * a break of this rule left behind (driver/storecheck.h).
 *
 * The map size (the largest the store may grow; address space, not
 * memory) is PIPELINE_STORE_MAP_SIZE when set (bytes, or with a K, M, G
 * or T suffix), else 'store-map-size' of pipeline.conf, else 64G;
 * valgrind needs a small one (make check VALGRIND=1 sets 1G).
 */
#ifndef STORE_H
#define STORE_H

#include <lmdb.h>
#include <stdint.h>

#include "core/strbuf.h"
#include "store/catalog.h"

enum { FILEID_LEN = 8, SEGMENT_LEN = 8, KEY_MAX = 128 };

/*
 * The version of the row layout above; a store of another refuses to
 * open. 4: rows keyed by segment, not fileid (3); 5: values in varints
 * (store_encode), where 4 had fixed u32, u64 and u16 fields.
 */
#define STORE_LAYOUT "5"

struct store {
	MDB_env *env;
	const struct catalog *cat;
	MDB_dbi files, names, coverage, landed, ledger, breaks, meta, receipts;
	MDB_dbi vouchers, filecover, outfiles;
	MDB_dbi *data;		/* one per cat->stores[i] */
	/*
	 * Whether a landed file (by its landing name) is an accumulating
	 * input's: every such file counts, not only the newest
	 * (store/snapshot.h). run/stage.c sets it from pipeline.conf's input
	 * lines; NULL (store_open's default): no input accumulates.
	 */
	int (*accumulates)(const char *relpath, void *data);
	void *accumulates_data;
};

/*
 * Opens (creating) STATE/store with the map size described above; 0, or
 * -1 reported (a bad PIPELINE_STORE_MAP_SIZE, an LMDB error, a store of
 * another layout).
 */
int store_open(struct store *st, const char *statedir, const struct catalog *cat);
/*
 * Opens an existing store for reading only: no write transaction, so it
 * never waits for a live run's writer, and nothing is created. 0; 1 when
 * STATE/store holds no store (nothing reported); -1 reported. Only
 * MDB_RDONLY transactions may be begun on it.
 */
int store_open_readonly(struct store *st, const char *statedir,
			const struct catalog *cat);
/*
 * Sets the map size store_open() uses when PIPELINE_STORE_MAP_SIZE is
 * not set (pipeline.conf's 'store-map-size'); 0 keeps the default.
 */
void store_set_map_size(size_t bytes);
/* Parses "64G", "512M", "1073741824": 0, or -1 when it is not a size. */
int store_parse_size(const char *s, size_t *bytes);
void store_close(struct store *st);

int store_begin(struct store *st, unsigned flags, MDB_txn **txn);
int store_commit(MDB_txn *txn);
/* Reports an LMDB error as "store: what: reason"; returns -1. */
int store_fail(const char *what, int rc);

MDB_dbi store_dbi(const struct store *st, const struct store_def *sd);

/* The largest record number a row key holds (48 bits). */
#define STORE_RECORD_MAX (((uint64_t)1 << 48) - 1)
/*
 * Builds a row key (segment, key fields, record number 1..STORE_RECORD_MAX
 * of the record in its file, the line it was read from); returns its
 * length, store_key_len(sd).
 */
size_t store_key(const struct catalog *cat, const struct store_def *sd,
		 const struct record *r, const uint8_t segment[SEGMENT_LEN],
		 uint64_t record, uint32_t line, uint8_t *out);
/* The same without the segment (what store/segment.h sorts): returns
 * store_key_len(sd) - SEGMENT_LEN. */
size_t store_key_tail(const struct catalog *cat, const struct store_def *sd,
		      const struct record *r, uint64_t record, uint32_t line, uint8_t *out);
/* The length of every row key of sd. */
size_t store_key_len(const struct store_def *sd);
/*
 * A row's value into out (reset first; the caller owns out): a varint
 * bitmap of the present value fields (bit i: sd->value[i]), then per
 * present field in order: a number (øre, a day, a count) as the varint
 * of its zigzag (0, -1, 1, -2 ... -> 0, 1, 2, 3), a text (CPR, SE or
 * text) as the varint of its length in bytes and the bytes, any length.
 * A varint is LEB128: 7 bits a byte, low first, high bit set on all but
 * the last. Cannot fail (out grows; strbuf dies on no memory).
 */
void store_encode(const struct catalog *cat, const struct store_def *sd,
		  const struct record *r, struct strbuf *out);
/* Decodes a row; text values point into the LMDB pages (valid in txn,
 * until its next write). 0, or -1 when the key or value is malformed
 * (wrong key length, a varint past the value or past 64 bits, a bit for
 * a field sd does not have, a text longer than what is left, bytes left
 * over). */
int store_decode(const struct catalog *cat, const struct store_def *sd,
		 const MDB_val *key, const MDB_val *val, struct record *r);
/*
 * store_decode without clearing the whole record (4 KB: the most of a
 * matcher's time per row, issue 17): only sd's key and value fields are
 * set, present or not; r's other fields are left as they are. For a
 * record cleared once and given the rows of one store only, as
 * row_iter's (store/snapshot.h), the result is store_decode's.
 */
int store_decode_row(const struct catalog *cat, const struct store_def *sd,
		     const MDB_val *key, const MDB_val *val, struct record *r);
/* The segment inside a row key (its first SEGMENT_LEN bytes). */
const uint8_t *store_key_segment(const MDB_val *key);

void fileid_hex(const uint8_t id[FILEID_LEN], char hex[2 * FILEID_LEN + 1]);
int fileid_from_hex(const char *hex, uint8_t id[FILEID_LEN]);

/* Simple "k=v\n" property lists for the files and ledger values. */
const char *prop_get(const MDB_val *val, const char *key, struct strbuf *out);

#endif
