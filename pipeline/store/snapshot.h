/*
 * What a night reads: for each store, SE and month, the rows of ONE file,
 * the newest by its file-name date on or before the night (a KY report is
 * a month-to-date snapshot; reading two would count twice). Rerunning an
 * old night reads what that night read, even after newer files arrived.
 */
#ifndef SNAPSHOT_H
#define SNAPSHOT_H

#include "core/ident.h"
#include "store/store.h"

struct snapshot_entry {
	char se[SE_LEN + 1];
	int32_t month;
	uint8_t fileid[FILEID_LEN];
};

struct snapshot {
	const struct store_def *sd;
	struct snapshot_entry *v;
	size_t n;
};

/* Loads the choice for months [from, to] as of night (YYYYMMDD). */
int snapshot_load(struct store *st, MDB_txn *txn, const struct store_def *sd,
		  int32_t night, int32_t from, int32_t to, struct snapshot *out);
/*
 * The same, but the newest file of each report: files whose landing names
 * differ other than in their date are different reports, all read (PRISME
 * exports one account's history per file, Figur 33: two accounts, one
 * month). Entries of one SE and month are adjacent; read each with
 * row_iter_open_entry().
 */
int snapshot_load_reports(struct store *st, MDB_txn *txn, const struct store_def *sd,
			  int32_t night, int32_t from, int32_t to, struct snapshot *out);
void snapshot_free(struct snapshot *s);
/* The chosen file for se and month, or NULL. */
const uint8_t *snapshot_file(const struct snapshot *s, const char *se, int32_t month);

/* Iterates the chosen file's rows for one SE and month, in key order. */
struct row_iter {
	const struct catalog *cat;
	const struct store_def *sd;
	MDB_cursor *cur;
	uint8_t prefix[FILEID_LEN + SE_LEN + 6];	/* fileid SE month */
	int started, done;
	struct record rec;	/* the current row (valid until the next call) */
};

/* An iterator over nothing when the snapshot has no file for se, month. */
int row_iter_open(struct row_iter *it, struct store *st, MDB_txn *txn,
		  const struct snapshot *s, const char *se, int32_t month);
/* An iterator over the file of entry i of s. */
int row_iter_open_entry(struct row_iter *it, struct store *st, MDB_txn *txn,
			const struct snapshot *s, size_t i);
/* 1 a row is in it->rec, 0 the end, -1 error (reported). */
int row_iter_next(struct row_iter *it);
void row_iter_close(struct row_iter *it);

#endif
