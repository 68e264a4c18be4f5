/*
 * The run ledger: one entry per (night, stage) in the store's "ledger"
 * database, written in the same transaction as the data the stage wrote,
 * so the ledger never says done for data that is not there.
 * Key: "YYYY-MM-DD" NUL stage. Value: "k=v\n" lines (readable with mdb_dump).
 *
 * Every entry put gets the next number of one counter kept in the store
 * ("meta" ledger-seq), in the same transaction: a stage whose upstream
 * entry has a higher number ran before that upstream did, and is stale.
 * Unlike timestamps this cannot tie within a second.
 */
#ifndef LEDGER_H
#define LEDGER_H

#include <lmdb.h>
#include <stdint.h>

#include "store/store.h"

struct ledger_entry {
	char state[16];		/* running, done, failed */
	char started[32];	/* UTC, ISO 8601 */
	char finished[32];
	char version[32];	/* program version that ran */
	char input[65];		/* digest of everything the stage read */
	char output[65];	/* digest of everything it wrote */
	uint64_t rows_in, rows_out, rows_rejected;
	int exit_code;
	char error[256];	/* a note; ledger_put() masks CPR numbers in it */
	uint64_t seq;		/* set by ledger_put(); 0 in entries made before it */
	char upstream[65];	/* digest of the outputs of the stages it runs after */
	char setup[65];		/* digest of conf/ and schemas/ when it ran */
};

int ledger_put(struct store *st, MDB_txn *txn, const char *night,
	       const char *stage, const struct ledger_entry *e);
/* Whether the entry ran before the upstream entry did (so it is stale). */
int ledger_ran_before(const struct ledger_entry *e, const struct ledger_entry *upstream);
/* 0 found, 1 not found, -1 error. */
int ledger_get(struct store *st, MDB_txn *txn, const char *night,
	       const char *stage, struct ledger_entry *e);
/* Calls fn for every entry, in key order; night NULL for all nights. */
typedef int (*ledger_fn)(const char *night, const char *stage,
			 const struct ledger_entry *e, void *data);
int ledger_each(struct store *st, MDB_txn *txn, const char *night,
		ledger_fn fn, void *data);
void ledger_now(char buf[32]);

#endif
