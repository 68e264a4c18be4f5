/*
 * postings/RECON.csv: the money movements a matching stage makes that are
 * not breaks (a charge sent to another municipality, a charge accepted,
 * an invoice posted by its payment plan), for the vouchers stage: a rule
 * of conf/vouchers.conf that says 'from postings' reads them through the
 * same rules, ids, voucher store and reversals as exception rows
 * (post/voucherrules.h), so vouchers.conf stays the one place that maps
 * results to accounts.
 *
 *   id;recon;se;month;key;cpr;amount;reason;first_seen;age_days;left;right;account;net;vat[;EXTRA...]
 *
 * The exception row's shape (match/recon.h), so the vouchers stage reads
 * both alike, then account (an account, @ROLE, or empty), net and vat
 * (a VAT split: 'debit @account @net', 'debit koebsmoms @vat'), then the
 * recon's own columns (charge id, period, invoice number ...), which
 * rules name as {@COLUMN} or @COLUMN. reason is "CODE: text"; first_seen
 * is the night, age_days 0; left and right are empty.
 *
 * The id is the business event's (postfile_id(): a charge's id, an
 * invoice's file and number), never its amount: a row seen again on a
 * later night is not posted again (the voucher store's ISSUE_KNOWN), and
 * the same id with another amount is reversed and posted anew
 * (ISSUE_CHANGED). A stage writes the file every night, header only when
 * nothing moved, and a row on the night the movement happens.
 * UTF-8 with BOM, ';', LF, rows sorted by (se, month, key, id), an
 * outgoing file (run/outfile.h: atomic, 0640 as postings may name
 * persons, remembered in the store, listed by status, archived).
 */
#ifndef POSTFILE_H
#define POSTFILE_H

#include "core/money.h"
#include "run/stage.h"

enum { POSTFILE_MAX_EXTRA = 16 };

struct postfile_row {
	char id[17];		/* 16 hex, postfile_id() */
	char se[9];
	int32_t month;		/* YYYYMM */
	char key[64];
	char cpr[11];		/* "" or 10 digits */
	money_t amount;		/* øre */
	const char *code;	/* static: "opkraevning" */
	const char *text;	/* static: Danish / English */
	char account[64];	/* "", an account, or @ROLE */
	money_t net, vat;	/* øre; postfile_add(): net = amount, vat = 0 */
	char *extra[POSTFILE_MAX_EXTRA];	/* owned; NULL is empty */
};

struct postfile {
	const char *recon;
	const char *const *extra;	/* names of the recon's own columns */
	int nextra;
	struct postfile_row *v;
	size_t n, alloc;
};

/* An empty file of recon with nextra own columns (names not copied). */
void postfile_init(struct postfile *p, const char *recon, const char *const *extra,
		   int nextra);
/* A new row (net = amount, vat = 0, account and extras empty); cpr may be NULL. */
struct postfile_row *postfile_add(struct postfile *p, const char *id, const char *se,
				 int32_t month, const char *key, const char *cpr,
				 money_t amount, const char *code, const char *text);
/* Sets own column i of r (copied). */
void postfile_set(struct postfile_row *r, int i, const char *value);
/* 16 hex of SHA-256 of the business event's text (printf-style). */
void postfile_id(char id[17], const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Sorts and writes OUT/DATE/postings/RECON.csv (ctx's night is first_seen)
 * with outfile_write() in txn (the stage's write transaction: the record
 * commits with its ledger entry), and its SHA-256 into digest (for the
 * stage's output digest). 0, or -1 reported. Two rows with one id: -1 (a
 * stage's bug; nothing written).
 */
int postfile_write(struct postfile *p, struct stage_ctx *ctx, MDB_txn *txn, char digest[65]);
void postfile_free(struct postfile *p);

#endif
