/*
 * The clerk's decisions on exceptions (breaks), kept in the store's
 * "decisions" database with their whole history: every decision ever
 * recorded, never overwritten or deleted, so an auditor sees who decided
 * what, when and why, and on which amount.
 *
 *   key    ID "/" SEQ     ID the exception's id (16 lowercase hex,
 *                         match/recon.h), SEQ 8 decimal digits, 1, 2, ...
 *                         per id in the order recorded: one id's history
 *                         is adjacent and in order (25 bytes, ASCII)
 *   value  "night=YYYY-MM-DD\ndecision=WORD\nby=INITIALS\n"
 *          "at=YYYY-MM-DDTHH:MM:SSZ\namount=ØRE\nnote=TEXT"
 *          in that order; note is last and runs to the end of the value
 *          (it may hold newlines, never NUL); amount is int64 øre in
 *          decimal (the exception's amount when decided).
 *
 * Which nights a decision applies to: the night it was taken on (the
 * night whose exceptions the clerk decided on) and every later one. A
 * night applies the latest recorded decision (highest SEQ) whose night is
 * not after it; none: the exception is open as the rule of match/recon.h
 * says. So a rerun of the night it was taken on shows it, and a rerun of
 * an earlier night gives the bytes of that night's first run.
 *
 * The database is created by the first decision (decisions_open(create));
 * a store without one has no decisions (nothing else changes in it).
 * Errors from LMDB are reported (store_fail) and returned as -1.
 */
#ifndef DECISIONS_H
#define DECISIONS_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "core/money.h"
#include "core/strbuf.h"

enum {
	DECISION_KEY_LEN = 25,	/* ID(16) "/" SEQ(8) */
	DECISION_NOTE_MAX = 2000,	/* bytes of a note */
	DECISION_BY_MAX = 16,	/* bytes of the initials */
};

/* forklaret (explained), accepteret (accepted), afskrevet (written off)
 * count as explaining the exception; genaabnet (reopened) makes it open. */
#define DECISION_WORDS "forklaret, accepteret, afskrevet, genaabnet"

struct decision {
	char id[17];		/* 16 hex */
	uint32_t seq;		/* 1.. per id; set by decisions_put() */
	int32_t night;		/* YYYYMMDD: applies to it and later nights */
	char decision[16];	/* one of DECISION_WORDS */
	char by[DECISION_BY_MAX + 1];
	char at[21];		/* UTC, YYYY-MM-DDTHH:MM:SSZ */
	money_t amount;		/* øre: the exception's amount when decided */
	struct strbuf note;	/* owned: decision_release() */
};

/* 1 when word is one of DECISION_WORDS. */
int decision_word_ok(const char *word);
/* 1 when the word explains (forklaret, accepteret, afskrevet), else 0. */
int decision_explains(const char *word);
/* 1 when s is an exception id: 16 lowercase hex digits. */
int decision_id_ok(const char *s);
/* NULL, or why the initials cannot be used (static): 1..DECISION_BY_MAX
 * bytes of letters (UTF-8 letters such as æøå too), digits, '.', '-', '_'. */
const char *decision_by_bad(const char *by);
/* NULL, or why the note cannot be used (static): empty, longer than
 * DECISION_NOTE_MAX, or holding a control character other than newline
 * and tab. */
const char *decision_note_bad(const char *note);

/*
 * Opens the "decisions" database in txn. create (a write transaction):
 * made when missing. 0 opened; 1 there is none (not create; nothing
 * reported); -1 reported.
 */
int decisions_open(MDB_txn *txn, int create, MDB_dbi *dbi);
/*
 * Records d (id, night, decision, by, at, amount, note set and valid) as
 * the id's next decision; sets d->seq. 0 or -1 reported.
 */
int decisions_put(MDB_txn *txn, MDB_dbi dbi, struct decision *d);
/*
 * The decision that applies to exception id on night (YYYYMMDD): the
 * latest recorded whose night is not after it. 0 found (*d filled, its
 * note owned by the caller: decision_release()), 1 none, -1 reported.
 */
int decisions_effective(MDB_txn *txn, MDB_dbi dbi, const char *id, int32_t night,
			struct decision *d);
/*
 * Calls fn for every decision of id in the order recorded (id NULL:
 * every decision in the database, by id then order); d is valid during
 * the call only. A value that does not decode is reported and -1. fn's
 * nonzero return stops and is returned.
 */
typedef int (*decision_fn)(const struct decision *d, void *data);
int decisions_each(MDB_txn *txn, MDB_dbi dbi, const char *id, decision_fn fn, void *data);

/* Decodes a key and value into d (note into d->note, which must be
 * initialised). 0, or -1 with *why set (static): for check-store. */
int decision_decode(const MDB_val *key, const MDB_val *val, struct decision *d,
		    const char **why);
/* The value bytes of d (the layout above) into out. */
void decision_encode(const struct decision *d, struct strbuf *out);
void decision_init(struct decision *d);
void decision_release(struct decision *d);

#endif
