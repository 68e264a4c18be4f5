/*
 * The files every matching stage writes (../shared/spec/outputs.md):
 *   summary/RECON.csv     recon;se;month;key;left;right;difference;
 *                         explained;unexplained;status
 *   exceptions/RECON.csv  id;recon;se;month;key;cpr;amount;reason;
 *                         first_seen;age_days;left;right
 *   inputs/RECON.csv      recon;se;month;report;store;need;state;file;
 *                         night;sha256
 * UTF-8 with BOM, ';', LF, sorted by key, written atomically (0640).
 * An exception's id hashes recon, se, month, key, cpr and reason code (not
 * the amount), so the same break keeps its id night after night; the
 * store's "breaks" database remembers the night it was first seen.
 * Optional, for the posting-level recons (nemkonto, debitor, faktura): a
 * ref (e.g. the bilag) that joins the id when several breaks share a key,
 * a note appended to the reason text, and a trailing 'account' column
 * (recon_out.with_account). Rows without them print as before.
 * Optional, for a recon whose exception rows carry more (opkraevning: the
 * rate, fee type, charge number ...): named extra columns after those
 * (recon_out.extra), a text per row.
 *
 * The one rule of a summary row's status, the same for every
 * reconciliation (recon_write() applies it; a stage gives amounts and
 * exceptions, never a status). Its exceptions are those of the same
 * recon, SE, month and key; each exception code is an open break, or
 * explains its row, or details another (conf/reconciliations.conf,
 * match/reconconf.h):
 *   MANGLER    a report the row needs (conf 'required', for its key) is
 *              missing for its SE and month: we do not know. The missing
 *              side's amounts (and difference) are empty, and so is
 *              unexplained on every MANGLER row.
 *   BREAK      an open break (or a detail) stands under it, or an
 *              unexplained rest remains (which an open break must list:
 *              a break never goes unlisted).
 *   EXPLAINED  a difference, an explained amount or an explaining
 *              exception, and nothing open: every exception explains it.
 *   OK         difference 0, nothing explained, no exception.
 * Decisions (store/decisions.h, `pipeline decide`): an exception whose
 * decision for the night is forklaret, accepteret or afskrevet, taken on
 * the amount it has tonight, is decided: it is no longer open, and a
 * row whose exceptions are all decided or explaining is EXPLAINED (a
 * decided break also covers the unexplained rest it lists, as an open
 * one would have listed it). genaabnet makes it open again; a decision
 * taken on another amount is flagged beloeb-aendret and does not count
 * (the row stays BREAK). A detail (conf 'detail') is decided with the
 * break it details (a person's difference under its field's decided
 * rest). A decided break's amount moves from unexplained to explained
 * in its row (all the row's rest when no open break stays there) and in
 * the 'total' row above it (issue 19). The night's decided exceptions are written to
 *   decisions/RECON.csv        id;decision;by;at;note;decided_amount;
 *                              amount;review
 * (every exception with a decision for the night, by id; review empty
 * or beloeb-aendret) and their whole history up to the night to
 *   decision-history/RECON.csv id;seq;night;decision;by;at;note;
 *                              decided_amount
 * (by id, then the order recorded). Neither file is written when the
 * night has no decided exception (and a stale one is removed): a night
 * without decisions gives the bytes it always did.
 * A 'total' row (conf: it adds up the other rows of its SE and month) is
 * never better than the worst of them (OK < EXPLAINED < BREAK < MANGLER).
 * Every exception stands under a summary row of its recon, SE, month and
 * key (recon_summary_ensure() adds a row of zeros for one that has none);
 * an exception without one is a bug (exit 70). A reconciliation with no
 * summary row at all writes one: SE empty, the night's month, key
 * INGEN-DATA, amounts empty, status MANGLER.
 *
 * inputs/RECON.csv says, per SE and month of the summary (and for the
 * INGEN-DATA row), which report of conf/reconciliations.conf the stage had
 * (state 'had': one row per file, its landing name, the night it landed and
 * its SHA-256) or not (state 'missing', file empty). A report of scope
 * 'any' lists every file of the SE the stage read.
 *
 * The stage's exit code (recon_out.exit_code after recon_write): 66
 * (EXIT_NOINPUT) when a row is MANGLER, or when the stage has no data at
 * all tonight but had some on an earlier night of this state (its reports
 * are expected); else 0. The ledger note is machine-readable:
 *   "N OK, N EXPLAINED, N BREAK, N MANGLER, N exceptions[; mangler: STORE,...]"
 * or, with no data, "ingen data; mangler: STORE,..." (the required stores
 * that had no file).
 */
#ifndef RECON_H
#define RECON_H

#include "core/money.h"
#include "run/stage.h"
#include "store/decisions.h"
#include "store/snapshot.h"
#include "match/reconconf.h"

enum { RECON_MAX_EXTRA = 8 };

struct summary_row {
	char se[9];
	int32_t month;
	char key[64];		/* a YR ydelseskode is a 36-character UUID */
	money_t left, right, explained;
	/* set by recon_write() */
	const char *status;	/* OK, EXPLAINED, BREAK, MANGLER */
	int blank_left, blank_right;	/* a missing report's side: empty cells */
	uint32_t missing;	/* bit k: required report line k of the conf is missing */
};

struct exception_row {
	char se[9];
	int32_t month;
	char key[64];		/* a YR ydelseskode is a 36-character UUID */
	char cpr[11];
	money_t amount, left, right;
	int has_sides;
	const char *code;	/* static: "afviste-ne-fejlede" */
	const char *text;	/* static: Danish / English */
	char id[17];
	int32_t first_seen;
	char ref[96];		/* "" or part of the id: tells same-key breaks apart */
	char *note;		/* NULL or owned: " (note)" after the text */
	char account[64];	/* the 'account' column when with_account */
	char *extra[RECON_MAX_EXTRA];	/* NULL ("") or owned: recon_out.extra's columns */
	/* set by recon_write() from the store's decisions (store/decisions.h) */
	struct decision *decision;	/* NULL, or owned: the one that applies tonight */
	int decided;		/* 0 open; 1 its decision explains it (forklaret,
				   accepteret, afskrevet on tonight's amount); 2 it
				   is a detail (conf) of a break decided so */
};

/* A file a stage read: its store, SE and month (a snapshot entry). */
struct recon_file {
	const char *store;	/* the stage's static store name */
	char se[9];
	int32_t month;
	uint8_t fileid[FILEID_LEN];
};

struct segsort;

struct recon_out {
	const char *recon;
	/* Set by the stage before recon_begin() when it reads sum and exc
	 * itself (opkraevning, betalingsplaner): every row stays in them. Else
	 * (the default) recon_begin() sets up two sorters and the rows go
	 * there, in bounded memory (spilled to an unlinked file in STATE):
	 * sum and exc stay empty, nsum and nexc count what was added (nsum
	 * the rows written once recon_write() is done), the pointer
	 * recon_exception() returns is valid until its next call, and its
	 * code and text must be static (they are kept by address). */
	int in_memory;
	struct summary_row *sum;
	size_t nsum;
	struct exception_row *exc;
	size_t nexc;
	uint64_t ok, explained, breaks, missing;	/* summary rows by status */
	int no_data;		/* the stage wrote no row: the INGEN-DATA row */
	int exit_code;		/* set by recon_write(): EXIT_DONE or EXIT_NOINPUT */
	int with_account;	/* exceptions end with an 'account' column */
	const char *const *extra;	/* names of extra columns after those, or NULL */
	int nextra;		/* how many (at most RECON_MAX_EXTRA) */
	size_t asum, aexc;	/* capacities of sum and exc */
	struct recon_conf conf;	/* conf/reconciliations.conf (recon_begin()) */
	const struct recon_def *def;
	struct recon_file *files;
	size_t nfiles, afiles;
	uint32_t missing_any;	/* required report lines missing on some row */
	size_t *sumidx;		/* recon_summary_ensure's index: 1 + row, 0 empty */
	size_t nsumidx;		/* its slots (a power of two), 0 until first used */
	/* bounded mode (!in_memory): rows and exceptions by place, spilled */
	struct segsort *sort_sum, *sort_exc;
	const char *tmpdir;	/* STATE: where they and recon_write's spools spill */
	uint64_t seq;		/* rows added: equal places keep the order added */
	struct exception_row pending;	/* the last exception, until the next one */
	int pending_on;
	int sort_failed;	/* a sorter could not spill (reported): recon_write() fails */
	struct recon_code_count {	/* exceptions added, by code (recon_code_count()) */
		const char *code;
		uint64_t n;
	} *codes;
	size_t ncodes, acodes;
};

/*
 * Loads conf/reconciliations.conf beside ctx's conf and checks that
 * r->recon's section declares exactly the stores the stage reads. 0, or
 * EXIT_USAGE (reported with file:line). Call before matching.
 */
int recon_begin(struct recon_out *r, const struct stage_ctx *ctx,
		const char *const *stores, int nstores);
/* Records every file of a snapshot of store (a static name) as read. */
void recon_inputs(struct recon_out *r, const char *store, const struct snapshot *s);

void recon_summary(struct recon_out *r, const char *se, int32_t month,
		   const char *key, money_t left, money_t right, money_t explained);
/* A row of zeros for se, month and key unless one is there: for an
 * exception that has no comparison of its own to stand under. In memory
 * (in_memory, or no recon_begin()) it is looked up in a hash index of the
 * rows (built at the first call, kept by recon_summary): a night of many
 * missing payments against 10^5 recipients' rows is not quadratic (issue
 * 17). Bounded, it goes to the sorter as a wish, decided when
 * recon_write() streams the rows in order: a row of zeros when it is the
 * first of its place (no row was added before it), else nothing — the
 * answer the lookup gives at the time of the call. */
void recon_summary_ensure(struct recon_out *r, const char *se, int32_t month,
			  const char *key);
/* cpr may be NULL; has_sides says whether left/right are shown. */
struct exception_row *recon_exception(struct recon_out *r, const char *se,
				      int32_t month, const char *key, const char *cpr,
				      money_t amount, const char *code, const char *text);
/* How many exceptions of code were added (a stage's conservation check, in either mode). */
uint64_t recon_code_count(const struct recon_out *r, const char *code);
/* Sets e->note (printf-style), replacing an earlier one. */
void recon_note(struct exception_row *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Sets extra column i of e to a copy of value (replacing an earlier one). */
void recon_extra(struct exception_row *e, int i, const char *value);

/*
 * Sorts, applies the status rule, gives ids and first-seen nights (in txn),
 * writes the three files under ctx's OUT/DATE, digests them into
 * out_digest and sets exit_code. 0, or -1 (reported; an exception
 * without a summary row, or an unlisted break, is a bug).
 * Memory is bounded whatever the rows (issue 17): the exceptions stream
 * once in order (ids, decisions, first-seen, their file), the rows twice
 * (the status rule, then the file: a 'total' row needs its whole SE and
 * month), through spools that spill to an unlinked file in STATE; what
 * stays in memory is one entry per SE and month, the night's decided
 * exceptions and the inputs file.
 */
int recon_write(struct recon_out *r, struct stage_ctx *ctx, MDB_txn *txn,
		char out_digest[65]);
/* The ledger note and counts of a written run (see above). */
void recon_ledger(const struct recon_out *r, struct ledger_entry *e);
void recon_free(struct recon_out *r);

#endif
