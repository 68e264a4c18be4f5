/*
 * The store checker behind `bin/pipeline check-store` (like SQLite's
 * PRAGMA integrity_check): reads STATE/store READ-ONLY, in one read
 * transaction, and verifies every invariant the code relies on. It never
 * writes, never creates the state directory, and takes no lock (a live
 * run may go on meanwhile: the read transaction is a consistent snapshot).
 *
 * Each problem is one line "check-store: DB: what is wrong" (DB the
 * database, or "meta", "out" for OUT's files); keys are shown escaped
 * (storecheck_escape()) or, where their layout is known, decoded, with
 * anything CPR-shaped masked. Notes (not problems) are lines
 * "check-store: DB: note: ...". The invariants:
 *
 *  databases  every database store/store.h names and one per store of
 *             schemas/stores exists; no other (but "refusion" and
 *             "decisions", made by their first user); meta "layout" is
 *             STORE_LAYOUT ":" the catalog digest (else rows are not
 *             decoded: that layout is not known); meta holds only
 *             "layout" and "ledger-seq" (8 bytes, big-endian).
 *  every db   keys strictly increasing under memcmp, shorter first
 *             (LMDB's default order; a damaged page can break it).
 *  rows       every key is store_key_len() bytes and store_decode()s
 *             with its value; SE and CPR key fields are digits or blank;
 *             the key's fileid has a "files" record. Rows are counted
 *             per (store, fileid, SE, month), SE and month as normalise's
 *             cover_count() takes them (an absent SE is 8 blanks, an
 *             absent month 000000).
 *  coverage   key: store NUL SE(8 digits or 8 blanks) month(6 digits)
 *             ~date(8 digits, 99999999 - the file name's date) fileid(8);
 *             the store is in the catalog (a garbage key, e.g. the tail
 *             of a store name a reused MDB_val left, is a problem); the
 *             fileid has a "files" record; the value is a decimal count
 *             or "loading". "loading" with no live run is a problem (rows
 *             of a load that never finished, hidden from every night);
 *             with a live run (lock_probe()) a note. A count equals the
 *             rows present for (store, fileid, SE, month); rows without
 *             any entry are orphans; one entry per (store, fileid, SE,
 *             month).
 *  filecover  exactly the inverse index: fileid | coverage key -> ""
 *             for every coverage key, and nothing else.
 *  files      key 8 bytes; value "k=v\n" lines (no key twice) with sha
 *             (64 lowercase hex; the fileid is its first 8 bytes),
 *             relpath, path (relative, no ".."), night (YYYY-MM-DD),
 *             size; status, when present, loaded, rejected or replaced
 *             (by a corrected version: normalise's mark_replaced), and
 *             store a catalog store. A loaded file is its name's current
 *             version ("names") and has records = the sum of its coverage
 *             counts and rows_read = rows_loaded + rows_rejected; a file
 *             replaced, rejected, or never loaded has no visible coverage
 *             entry. Its entries are all in the store it names.
 *             replaces (land.c) names another file of the same relpath;
 *             from (unpack) names the relpath of a landed file. The
 *             bytes exist at STATE/path, a regular file of that size
 *             (and that SHA-256, when asked to hash).
 *  names      relpath -> fileid with a "files" record of that relpath.
 *  landed     YYYY-MM-DD NUL relpath -> fileid with a "files" record of
 *             that relpath and night.
 *  receipts   source NUL remote NUL sha(64 hex) -> "k=v\n" lines whose
 *             source, remote and sha are the key's; the file (fileid of
 *             the sha) has a "files" record with that night and path.
 *  ledger     key YYYY-MM-DD NUL stage; value "k=v\n" lines with every
 *             field ledger_put() writes; state running, done or failed;
 *             numbers decimal. "running" with no live run is a problem (a
 *             killed stage nothing marked failed); with one, a note.
 *             The sequence: ledger_put() gives every put the next value
 *             of meta "ledger-seq" in the put's transaction, and entries
 *             are overwritten (one per night and stage), never deleted,
 *             so the live seqs have gaps and that is normal. What can be
 *             checked soundly: every seq is >= 1 and <= the counter, no
 *             two entries share one, and the entry the counter names
 *             exists (the last put is never overwritten without the
 *             counter moving on): max(seq) == counter. No ledger, no
 *             counter (or 0).
 *  breaks     key 16 hex digits -> a YYYY-MM-DD date.
 *  decisions  (when a decision made it) every key and value decodes
 *             (store/decisions.h: ID/SEQ, night, a decision word,
 *             initials, UTC time, øre, a note); the id is in "breaks";
 *             one id's SEQs run 1, 2, ... without a gap (none deleted).
 *  vouchers   "e/" EVENT(64 hex) -> current, night, digest, seq (seen
 *             optional, >= night): its current voucher is "n/NIGHT/ID" of
 *             its night, of this event, with its digest and the id
 *             voucher_seal() gives for its seq. "n/" NIGHT(8) "/" ID ->
 *             voucher_decode()s, id and night as in the key, sides D or
 *             K, amounts > 0, balanced (voucher_balance()); a voucher's
 *             digest is its postings' (voucher_seal()) and its event has
 *             an "e/" record; a reversal's id derives from the voucher it
 *             reverses, which exists, of the same event and digest, on
 *             the same or an earlier night. With an out directory: every
 *             voucher has OUT/YYYY-MM-DD/vouchers/ID.xml and every ID.xml
 *             in OUT/YYYY-MM-DD/vouchers/ is a voucher of that night; a night
 *             whose OUT/DATE is missing altogether is a note (outputs
 *             may have been moved away).
 *
 * Ownership: nothing returned needs freeing; opts' strings are the
 * caller's.
 */
#ifndef STORECHECK_H
#define STORECHECK_H

#include <stdio.h>

#include "core/strbuf.h"
#include "store/catalog.h"

struct storecheck_opts {
	const char *state;	/* STATE: the store is STATE/store */
	const char *out;	/* OUT (night directories), or NULL: the vouchers'
				 * XML files are not checked */
	int hash;		/* hash every landed file against its sha */
	int level;		/* 0 problems only; 1 also notes and the summary;
				 * 2 also what each database held */
	FILE *fp;		/* where the lines go */
};

struct storecheck_counts {
	unsigned long problems, notes;
	unsigned long databases;	/* databases read */
	unsigned long rows, coverage, files, ledger, vouchers;	/* "n/" records */
	int live;		/* a live run held the lock */
};

/*
 * Checks the store of o->state against cat (schemas/stores) and prints
 * the problems, notes and (level >= 1) the summary line
 *   check-store: STATE: N problem(s) in D databases, R rows, C coverage
 *   entries, F files, L ledger entries, V vouchers
 * to o->fp. Returns 0 when the store was read (c->problems says whether
 * it is sound), -1 when it could not be read: no STATE/store/data.mdb
 * ("no store at STATE"), LMDB cannot open it, or a read failed mid-way
 * (reported with log_error(), once).
 */
int storecheck_run(const struct catalog *cat, const struct storecheck_opts *o,
		   struct storecheck_counts *c);

/*
 * Appends the readable form of n bytes to out: printable ASCII as is,
 * '\\' and '"' escaped, NUL as \0, other bytes \xHH; a CPR-shaped run
 * (DDMMYY-DDDD..., or 10 or more digits) keeps its first 6 digits and
 * shows the rest as 'x': "0101011234" -> "010101xxxx".
 */
void storecheck_escape(const void *p, size_t n, struct strbuf *out);

#endif
