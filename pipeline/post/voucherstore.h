/*
 * The store's "vouchers" database remembers every voucher issued, so a
 * business event is never posted twice (keys readable with mdb_dump):
 *   "e/" EVENT            -> "current=ID\nnight=YYYYMMDD\ndigest=HEX\nseq=N\nseen=YYYYMMDD\n"
 *                            the event's voucher in force, the night it was
 *                            issued, and the latest night that issued or
 *                            found it already issued (no seen: night)
 *   "n/" YYYYMMDD "/" ID  -> voucher_encode() of a voucher issued that night
 * A night's output is every "n/" record of the night, so a rerun writes the
 * same vouchers, and a voucher issued on an earlier night is not written
 * again. Rerunning an old night never overrides what a later night issued
 * or confirmed: the later night saw the newer data. Writes go in the caller's transaction (with the ledger entry).
 */
#ifndef VOUCHERSTORE_H
#define VOUCHERSTORE_H

#include "store/store.h"
#include "post/voucher.h"

enum issue_result {
	ISSUE_NEW,	/* first voucher of the event, issued now */
	ISSUE_KNOWN,	/* the same content was issued before: nothing new */
	ISSUE_CHANGED,	/* the content changed: reversal and new voucher issued now */
	ISSUE_LATER,	/* a later night issued the event's voucher: that one stands */
};

/*
 * Issues v (built, not sealed) on night unless its event already has a
 * voucher with the same content. Seals v; on ISSUE_KNOWN v->night becomes
 * the night it was issued. 0, or -1 reported.
 */
int voucher_issue(struct store *st, MDB_txn *txn, struct voucher *v, int32_t night,
		  enum issue_result *res);

/* Calls fn for every voucher issued on night, in id order. */
typedef int (*voucher_fn)(const struct voucher *v, void *data);
int voucher_each_of_night(struct store *st, MDB_txn *txn, int32_t night,
			  voucher_fn fn, void *data);

#endif
