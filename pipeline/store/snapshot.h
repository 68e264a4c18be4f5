/*
 * What a night reads of a store, per SE and month:
 *   - by default ONE file, the newest by its file-name date on or before
 *     the night (a KY report is a month-to-date snapshot; reading two
 *     would count twice);
 *   - every file of an ACCUMULATING input (pipeline.conf 'input ...
 *     accumulate': participant lists, incoming charges, invoices): each
 *     landed file that is VISIBLE on the night counts once:
 *       its file-name date <= night, and
 *       its name first landed on a night <= night (a file dropped later
 *       with an older date in its name is not read by a rerun of an
 *       earlier night), and
 *       it is its name's current version (a corrected file, same name and
 *       other bytes, replaces its predecessor's rows, as for any input;
 *       the correction is visible from the night its name first landed).
 *     The same bytes landed again, under any name, are one file (fetch
 *     lands a SHA-256 once): they count once.
 * Rerunning an old night reads what that night read, even after newer
 * files arrived (a correction is the exception: it replaced the rows).
 *
 * Which inputs accumulate is the conf's, at the time of reading:
 * store->accumulates (store/store.h), which run/stage.c sets from
 * pipeline.conf's input lines. A store filled by both kinds of input
 * line gets, per SE and month, the newest non-accumulating file first,
 * then every visible accumulating one.
 *
 * Entries of one SE and month are adjacent; accumulated ones in
 * canonical order: file-name date, then landing name (bytewise). Rows of
 * a file come in key order (the store's key fields, then record number).
 */
#ifndef SNAPSHOT_H
#define SNAPSHOT_H

#include "core/ident.h"
#include "store/store.h"

struct snapshot_entry {
	char se[SE_LEN + 1];
	int32_t month;
	uint8_t fileid[FILEID_LEN];
	uint8_t segment[SEGMENT_LEN];	/* where its rows are (store/segment.h) */
	int32_t namedate;	/* the file name's date, YYYYMMDD */
	int accumulated;	/* read as an accumulating input's file */
	int32_t since;		/* accumulated: the night its name first landed, YYYYMMDD */
	char *relpath;		/* accumulated: the landing name (owned); else NULL */
};

struct snapshot {
	const struct store_def *sd;
	struct snapshot_entry *v;
	size_t n;
};

/* Loads the choice for months [from, to] as of night (YYYYMMDD). 0 or -1 (reported). */
int snapshot_load(struct store *st, MDB_txn *txn, const struct store_def *sd,
		  int32_t night, int32_t from, int32_t to, struct snapshot *out);
/*
 * The same, but the newest file of each report: files whose landing names
 * differ other than in their date are different reports, all read (PRISME
 * exports one account's history per file, Figur 33: two accounts, one
 * month). Accumulated files are all read, as above. Read each entry with
 * row_iter_open_entry(), or an SE and month's with row_iter_open().
 */
int snapshot_load_reports(struct store *st, MDB_txn *txn, const struct store_def *sd,
			  int32_t night, int32_t from, int32_t to, struct snapshot *out);
void snapshot_free(struct snapshot *s);
/* The first chosen file for se and month, or NULL (whether there is any). */
const uint8_t *snapshot_file(const struct snapshot *s, const char *se, int32_t month);
/*
 * The entries of se and month: how many, and the first's index in *first
 * (the set of files a night reads for them). 0 when there is none.
 */
size_t snapshot_entries(const struct snapshot *s, const char *se, int32_t month,
			size_t *first);

/*
 * Iterates rows: every entry of an SE and month (row_iter_open), or one
 * entry (row_iter_open_entry); entries in snapshot order, each file's
 * rows in key order.
 */
struct row_iter {
	const struct catalog *cat;
	const struct store_def *sd;
	const struct snapshot *snap;
	MDB_cursor *cur;
	uint8_t prefix[SEGMENT_LEN + SE_LEN + 6];	/* segment SE month */
	size_t next, end;	/* entries still to read: [next, end) */
	int started, done;
	struct record rec;	/* the current row (valid until the next call) */
	size_t entry;		/* the current row's snapshot entry */
	uint32_t line;		/* the current row's line in its file (XML: the row element's) */
	uint64_t record;	/* its record number in its file (store/store.h) */
};

/* An iterator over every file the snapshot has for se and month (none: nothing). */
int row_iter_open(struct row_iter *it, struct store *st, MDB_txn *txn,
		  const struct snapshot *s, const char *se, int32_t month);
/* An iterator over the file of entry i of s. */
int row_iter_open_entry(struct row_iter *it, struct store *st, MDB_txn *txn,
			const struct snapshot *s, size_t i);
/* 1 a row is in it->rec, 0 the end, -1 error (reported). */
int row_iter_next(struct row_iter *it);
void row_iter_close(struct row_iter *it);

#endif
