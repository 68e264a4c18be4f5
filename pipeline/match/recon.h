/*
 * The two files every matching stage writes (../shared/spec/outputs.md):
 *   summary/RECON.csv     recon;se;month;key;left;right;difference;
 *                         explained;unexplained;status
 *   exceptions/RECON.csv  id;recon;se;month;key;cpr;amount;reason;
 *                         first_seen;age_days;left;right
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
 * (recon_out.extra), a text per row; and a summary row's status set by the
 * stage, when its rule needs the exceptions under the row (a break of
 * 0,00, a warning): summary_row.status.
 */
#ifndef RECON_H
#define RECON_H

#include "core/money.h"
#include "run/stage.h"

enum { RECON_MAX_EXTRA = 8 };

struct summary_row {
	char se[9];
	int32_t month;
	char key[64];		/* a YR ydelseskode is a 36-character UUID */
	money_t left, right, explained;
	const char *status;	/* NULL: recon_status(); else static "OK", "EXPLAINED", "BREAK" */
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
};

struct recon_out {
	const char *recon;
	struct summary_row *sum;
	size_t nsum;
	struct exception_row *exc;
	size_t nexc;
	uint64_t ok, explained, breaks;	/* summary rows by status */
	int with_account;	/* exceptions end with an 'account' column */
	const char *const *extra;	/* names of extra columns after those, or NULL */
	int nextra;		/* how many (at most RECON_MAX_EXTRA) */
	size_t asum, aexc;	/* capacities of sum and exc */
};

void recon_summary(struct recon_out *r, const char *se, int32_t month,
		   const char *key, money_t left, money_t right, money_t explained);
/* cpr may be NULL; has_sides says whether left/right are shown. */
struct exception_row *recon_exception(struct recon_out *r, const char *se,
				      int32_t month, const char *key, const char *cpr,
				      money_t amount, const char *code, const char *text);
/* Sets e->note (printf-style), replacing an earlier one. */
void recon_note(struct exception_row *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Sets extra column i of e to a copy of value (replacing an earlier one). */
void recon_extra(struct exception_row *e, int i, const char *value);
/* "OK", "EXPLAINED" or "BREAK". */
const char *recon_status(money_t left, money_t right, money_t explained);
/* A summary row's status: its own when the stage set one, else recon_status(). */
const char *recon_row_status(const struct summary_row *s);

/*
 * Sorts, gives ids and first-seen nights (in txn), writes both files under
 * ctx's OUT/DATE and digests them into out_digest. 0 or -1 (reported).
 */
int recon_write(struct recon_out *r, struct stage_ctx *ctx, MDB_txn *txn,
		char out_digest[65]);
void recon_free(struct recon_out *r);

#endif
