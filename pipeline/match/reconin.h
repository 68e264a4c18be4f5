/*
 * What a posting-level reconciliation (nemkonto, debitor, faktura) reads:
 * the snapshots of a few stores over a range of months (the newest file of
 * each report: snapshot_load_reports()), every row of them through one
 * callback, the ERP postings on an account role as an
 * array, and the digest of what was read for the run ledger.
 */
#ifndef RECONIN_H
#define RECONIN_H

#include "core/money.h"
#include "store/snapshot.h"
#include "run/stage.h"
#include "match/accounts.h"
#include "match/recon.h"

enum { RECONIN_MAX = 8 };

struct reconin {
	struct stage_ctx *ctx;
	MDB_txn *txn;
	const char *const *stores;	/* the stage's static store names */
	int n;
	struct snapshot snap[RECONIN_MAX];
	uint64_t records;	/* rows read */
};

/* Loads the snapshots of stores[0..n) (static names) for months [from, to] as of the night. */
int reconin_open(struct reconin *in, struct stage_ctx *ctx, MDB_txn *txn,
		 const char *const *stores, int n, int32_t from, int32_t to);
void reconin_free(struct reconin *in);

/* Every SE any store has for the night, once, sorted (pointers into in; free the array). */
size_t reconin_ses(const struct reconin *in, const char ***out);

/* Calls fn for every row of store i (SE, then month order). 0, or fn's / -1. */
typedef int (*reconin_fn)(const struct record *r, void *data);
int reconin_each(struct reconin *in, int i, reconin_fn fn, void *data);

/* The chosen file of every store, SE and month, and the conf: the ledger's input. */
void reconin_digest(const struct reconin *in, char out[65]);

/*
 * Ends a run: records the files read as out's inputs, writes out's files
 * (match/recon.h: the status rule), the ledger entry (rows read, summary
 * rows, statuses) in txn, and commits. out->exit_code (EXIT_DONE, or
 * EXIT_NOINPUT when reports are missing), or EXIT_INTERNAL (reported; txn
 * aborted). out must have been begun with recon_begin().
 */
int reconin_commit(struct reconin *in, struct recon_out *out);

/* A field index by name, reported when schemas/stores lacks it. */
int reconin_field(const struct stage_ctx *ctx, const char *name, int *out);
/* Copies a text value (or "") into buf. */
void reconin_text(const struct record *r, int f, char *buf, size_t size);

/*
 * The text of a list of rows: NUL-terminated copies in blocks that never
 * move, so the rows' pointers stay valid while the list grows. A row's
 * text costs its length, not the widest value a field may hold.
 */
struct textpool {
	char **block;
	size_t nblock, ablock;
	size_t used, size;	/* of the newest block */
};

/* A copy of s[0..n) in pool, NUL-terminated ("" for n 0, not copied); owned by pool. */
const char *textpool_add(struct textpool *pool, const char *s, size_t n);
void textpool_free(struct textpool *pool);

/*
 * A row of a KY report (or a balance), copied out of the store: the
 * fields the posting-level recons use, "" or 0 where the store has none.
 * The texts live in the list's pool and are cut where the fixed-size
 * fields of before cut them (ident 47 bytes, status 23, bilag, costcentre
 * and invoice 31, account 63, reason, text and name 95), so ids and notes
 * stay as they were. Timestamps are YYYYMMDDhhmmssmmm. About 150 bytes
 * a row, where the fixed fields took 580.
 */
struct kyrow {
	char se[9], cpr[11], cvr[9];
	const char *ident, *status, *bilag, *account, *costcentre, *invoice;
	const char *reason, *text, *name;
	int32_t month, day;
	int64_t created, processed;
	money_t amount;
};

/*
 * A KY row as the value of an external-sorter row (store/segment.h's
 * segsort), for a stage that regroups KY rows in bounded memory (faktura,
 * debitor): month, day, created, processed and amount in host order (32
 * bytes), then every text of struct kyrow as segrow strings (none NULL).
 * kyrow_row_get() reads a value kyrow_row_put() wrote: se, cpr and cvr
 * copied, the other texts pointing into raw (valid while the row is).
 */
void kyrow_row_put(struct strbuf *v, const struct kyrow *q);
void kyrow_row_get(const char *raw, struct kyrow *q);

struct kyrows {
	struct kyrow *v;
	size_t n, alloc;
	struct textpool text;
	const char *last[9];	/* the newest row's texts (shared with the next when equal) */
};

/* Appends a copy of r (its texts into k's pool). */
void kyrows_add(struct kyrows *k, const struct kyrow *r);

/* Frees the rows and their text. */
void kyrows_free(struct kyrows *k);

/* Appends every row of store i of in. 0 or -1 (reported). */
int reconin_rows(struct reconin *in, int i, struct kyrows *out);
/*
 * The rows of store i one at a time, not kept: fn gets each (its texts
 * valid during the call only). 0, fn's non-zero return (it stops), or -1.
 */
typedef int (*kyrow_fn)(const struct kyrow *r, void *data);
int kyrows_each(struct reconin *in, int i, kyrow_fn fn, void *data);

/*
 * An ERP posting, copied out of the store; its texts in the list's pool,
 * cut as the fixed fields of before cut them (account 63 bytes, bilag
 * and journal 31, text 79).
 */
struct posting {
	char se[9];
	char recipient[16];
	int32_t month, day;
	money_t amount;		/* debit > 0, credit < 0 */
	const char *account, *bilag, *text, *journal;
};

/*
 * A posting as the value of an external-sorter row (store/segment.h's
 * segsort), for a stage that regroups postings in bounded memory
 * (faktura, debitor): month, day and amount in host order (16 bytes),
 * then SE, recipient, account, bilag and text as segrow strings.
 * posting_row_put() appends it to v; posting_row_get() reads a value it
 * wrote: SE and recipient copied, account, bilag and text pointing into
 * raw (valid while the row is), journal "".
 */
void posting_row_put(struct strbuf *v, const struct posting *p);
void posting_row_get(const char *raw, struct posting *p);

struct postings {
	struct posting *v;
	size_t n, alloc;
	struct textpool text;
	const char *last[4];	/* the newest row's account, bilag, text, journal (shared) */
};

/*
 * Appends the rows of the erp.posting store (index i of in) whose account
 * plays role for their SE (conf/accounts.conf), or every row when role
 * is NULL. 0; 1 when an SE has no such role (reported, its postings
 * left out: a configuration error); -1 on a store error.
 */
int postings_load(struct reconin *in, int i, const struct accounts *acc,
		  const char *role, struct postings *out);
/*
 * The same rows one at a time, not kept: fn gets each posting (its texts
 * valid during the call only). 0, 1 as postings_load, fn's non-zero
 * return (it stops), or -1.
 */
typedef int (*posting_fn)(const struct posting *p, void *data);
int postings_each(struct reconin *in, int i, const struct accounts *acc,
		  const char *role, posting_fn fn, void *data);
/* Appends a copy of p (its texts into out's pool). */
void postings_add(struct postings *out, const struct posting *p);
void postings_free(struct postings *p);
/* Sorts by SE, recipient, day, bilag, amount, account: identical postings adjacent. */
void postings_sort(struct postings *p);
/*
 * A posting's part of an exception id (match/recon.h's ref): bilag, day, amount,
 * and which copy of identical postings it is, so the id stays stable.
 * p must be sorted by postings_sort().
 */
void postings_ref(const struct postings *p, size_t i, char *ref, size_t size);

#endif
