/*
 * The store: one LMDB environment in STATE/store holding
 *   one database per store of schemas/stores   rows, keyed
 *       KEYFIELDS (fixed width ASCII) | fileid (8) | line (4, BE) | sub (2, BE)
 *       so a cursor reads SE, then month, then CPR, as the matchers do;
 *   "files"     fileid -> what normalise learnt of a landed file
 *   "names"     landing name -> fileid of its current version
 *   "coverage"  store NUL SE month ~namedate fileid -> record count:
 *               which file holds a store's rows for an SE and month, the
 *               newest file date first (the snapshot a night reads);
 *               "loading" instead of a count hides rows being written
 *   "landed"    night NUL relpath -> fileid, what fetch landed that night
 *   "receipts"  source NUL remote path NUL sha -> "k=v\n" lines: how a
 *               landed file came (see receipt.h)
 *   "ledger"    see ledger.h
 *   "breaks"    exception id -> night it was first seen (YYYY-MM-DD)
 *   "vouchers"  every GL posting voucher issued (see voucherstore.h)
 *   "meta"      layout -> digest of schemas/stores
 * Errors from LMDB are reported here and returned as -1.
 */
#ifndef STORE_H
#define STORE_H

#include <lmdb.h>
#include <stdint.h>

#include "schema.h"
#include "strbuf.h"

enum { FILEID_LEN = 8, KEY_MAX = 128 };

struct store {
	MDB_env *env;
	const struct catalog *cat;
	MDB_dbi files, names, coverage, landed, ledger, breaks, meta, receipts;
	MDB_dbi vouchers;
	MDB_dbi *data;		/* one per cat->stores[i] */
};

/* Opens (creating) STATE/store. 0, or -1 reported. */
int store_open(struct store *st, const char *statedir, const struct catalog *cat);
void store_close(struct store *st);

int store_begin(struct store *st, unsigned flags, MDB_txn **txn);
int store_commit(MDB_txn *txn);
/* Reports an LMDB error as "store: what: reason"; returns -1. */
int store_fail(const char *what, int rc);

MDB_dbi store_dbi(const struct store *st, const struct store_def *sd);

/* Builds a row key; returns its length. */
size_t store_key(const struct catalog *cat, const struct store_def *sd,
		 const struct record *r, const uint8_t fileid[FILEID_LEN],
		 uint32_t line, uint16_t sub, uint8_t *out);
/* Key prefix of the first nfields key fields. */
size_t store_key_prefix(const struct catalog *cat, const struct store_def *sd,
			const struct record *r, int nfields, uint8_t *out);
void store_encode(const struct catalog *cat, const struct store_def *sd,
		  const struct record *r, struct strbuf *out);
/* Decodes a row; text values point into the LMDB pages (valid in txn). */
int store_decode(const struct catalog *cat, const struct store_def *sd,
		 const MDB_val *key, const MDB_val *val, struct record *r);
/* The fileid inside a row key. */
const uint8_t *store_key_fileid(const struct store_def *sd, const MDB_val *key);

void fileid_hex(const uint8_t id[FILEID_LEN], char hex[2 * FILEID_LEN + 1]);
int fileid_from_hex(const char *hex, uint8_t id[FILEID_LEN]);

/* Simple "k=v\n" property lists for the files and ledger values. */
const char *prop_get(const MDB_val *val, const char *key, struct strbuf *out);

#endif
