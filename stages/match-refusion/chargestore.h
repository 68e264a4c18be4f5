/*
 * The memory of what match-refusion charged, so no participant line is
 * ever charged twice and a later night issues a supplementary charge of
 * only the new lines (brief ../shared/spec/seeds-000-001-003.md 1.5 rule
 * 4, 1.6): the store's database "refusion", like the voucher store.
 *
 * Keys (bytes; readable with mdb_dump -p -s refusion):
 *   "l" NUL LINEKEY       a charged line: LINEKEY "CPR|SKOLE|HOLDNR|HOURSYEAR"
 *                         ("sha256:" and its hash when over 400 bytes)
 *                         -> night= charge= kommune= period= nr= amount= sort= row=
 *   "c" NUL OWN|K|PERIOD NUL NR(6 digits)
 *                         a charge -> id= night= lines= amount=
 *   "i" NUL FILEID(hex) NUL RECORD
 *                         a line of a charge received -> night= (the night
 *                         it was first decided: its dispute was sent then)
 *                         code= accepted= disputed= note= (the decision
 *                         then: a later night's newer extract or conf does
 *                         not make it again; a store written before
 *                         decisions were kept has night= only)
 * row is the line's row in its charge file (CSV, to the end of the value),
 * sort its place there: a night's charge files are written again, byte for
 * byte, from the store. Charged lines are frozen: a later conf or extract
 * never re-charges or un-charges a line that was sent. Writes go in the
 * stage's transaction with its ledger entry. Nothing here logs a key (it
 * holds a CPR).
 */
#ifndef CHARGESTORE_H
#define CHARGESTORE_H

#include <lmdb.h>
#include <stdint.h>

#include "core/money.h"
#include "core/strbuf.h"
#include "post/voucher.h"

struct charged_line {
	int32_t night;		/* YYYYMMDD it was charged */
	char charge[UUID_SZ];	/* the charge's id */
	char kommune[5];	/* who pays */
	int32_t period;		/* YYYYH */
	unsigned nr;		/* the charge's issue number for (own, K, period) */
	money_t amount;		/* øre */
};

struct charge_rec {
	char kommune[5];
	int32_t period;
	unsigned nr;
	char id[UUID_SZ];
	int32_t night;
	unsigned long lines;
	money_t amount;
};

/* Opens (creates) the database in a write transaction. 0 or -1 (reported). */
int chargestore_open(MDB_txn *txn, MDB_dbi *dbi);
/* 1 and *out when linekey was charged (any night), 0 never, -1 error. */
int chargestore_line_get(MDB_txn *txn, MDB_dbi dbi, const char *linekey,
			 struct charged_line *out);
/* 1 + the greatest issue number of (own, k, period); 1 when none. 0 or -1. */
int chargestore_next_nr(MDB_txn *txn, MDB_dbi dbi, const char *own, const char *k,
			int32_t period, unsigned *nr);
/* Records a charged line; one already there is -1 "charged twice" (a bug). */
int chargestore_put_line(MDB_txn *txn, MDB_dbi dbi, const char *linekey,
			 const struct charged_line *l, const char *sort, const char *row);
/* Records a charge. 0 or -1 (reported). */
int chargestore_put_charge(MDB_txn *txn, MDB_dbi dbi, const char *own,
			   const struct charge_rec *c);
/* The decision on a line of a charge received, as it was sent. */
struct in_decision {
	int32_t night;		/* YYYYMMDD it was first decided: its dispute went then */
	char code[32];		/* the decision: rules.h in_code_name(); "" none stored */
	money_t accepted, disputed;	/* øre; disputed may be negative (sum-afviger) */
	char note[96];		/* the exception's note, "" when none (never a CPR) */
};

/*
 * The decision stored for a received line (file id in hex, record number
 * in its file) as of night (YYYYMMDD): 1 and *d when one was made on a
 * night <= night (it stands: the caller uses it as it is, on that night's
 * rerun too); 0 when the line is to be decided now, d->night then the
 * night it counts as decided on (night, or the night a store written
 * before decisions were kept recorded) and the rest empty. A decision of
 * a later night than night does not stand for night: a rerun of an
 * earlier night decides the line there. -1 error (reported).
 */
int chargestore_decision_get(MDB_txn *txn, MDB_dbi dbi, const char *fileid, uint64_t record,
			     int32_t night, struct in_decision *d);
/* Records d for the received line, replacing what was there. 0 or -1 (reported). */
int chargestore_decision_put(MDB_txn *txn, MDB_dbi dbi, const char *fileid, uint64_t record,
			     const struct in_decision *d);
/* Every charge issued on night, in (kommune, period, nr) order. */
typedef int (*charge_fn)(const struct charge_rec *c, void *data);
int chargestore_each_charge(MDB_txn *txn, MDB_dbi dbi, int32_t night, charge_fn fn, void *data);
/* Every line charged on night (any order), with its sort key and row. */
typedef int (*charged_fn)(const struct charged_line *l, const char *sort, const char *row,
			  void *data);
int chargestore_each_line(MDB_txn *txn, MDB_dbi dbi, int32_t night, charged_fn fn, void *data);

#endif
