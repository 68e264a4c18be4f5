/*
 * Matching in groups, shared by the reconciliations that pair postings
 * (nemkonto, debitor, faktura). Items have a side (0 or 1) and an amount;
 * a settlement is a set of items whose side-0 amounts sum to their side-1
 * amounts. Passes, each in the caller's item order (sort it first: the
 * result must not depend on hash or memory order):
 *   0. an item of amount 0 settles alone;
 *   1. 1:1 - equal amounts, the closest day within pair_window, nearest
 *      pairs first over the whole set (the window widens 0, 1, 3, 7...
 *      days), so one missing item does not shift the later pairs;
 *   2. N:1 - one side-0 item settled by 2..max_group side-1 items whose
 *      days are within group_window of it (bounded subset sum), then 1:N
 *      the other way round; the many items must fit each other's party;
 *   3. whatever is left, if it balances as a whole and its days lie within
 *      pair_window of each other, is one N:M settlement (unless
 *      balance_rest is 0: where each item must find its own counterpart,
 *      e.g. a claim and its posting).
 * No pass settles items further apart than its window: an equal amount
 * months away is not a counterpart (issue 12), it leaves both open.
 * Each item's search (the pair scan over unfitting parties, the window's
 * candidates, the subset search) counts its steps and stops at max_steps:
 * that item stays open and is counted in gave_up, the others go on and the
 * rest pass still runs. The call as a whole stops searching after
 * GM_CALL_ITEMS times max_steps (every later search gives up at once).
 * A pathological item cannot hang the night, and the
 * step count (not the clock) keeps the result the same on every run.
 */
#ifndef GROUPMATCH_H
#define GROUPMATCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/money.h"

struct gm_item {
	int side;		/* 0 or 1 */
	money_t amount;		/* >= 0; the subset passes need > 0 */
	int32_t day;		/* YYYYMMDD */
	const char *party;	/* who: a CPR, or the part of it an ERP keeps (0106);
				   items settle together only when one's party begins
				   with the other's; NULL or "" fits anyone */
	int set;		/* out: 0 open, else the settlement's number from 1 */
	int kind;		/* out: GM_ZERO ... GM_NM for a settled item */
};

enum gm_kind { GM_OPEN, GM_ZERO, GM_PAIR, GM_N1, GM_1N, GM_NM };

struct gm_limits {
	int pair_window;	/* days between paired items, and the span of the
				   balancing rest; -1 no limit (never a default) */
	int group_window;	/* days between a group's one item and each of its many */
	int max_group;		/* most items on the many side, 2..GM_MAX_GROUP */
	uint64_t max_steps;	/* search steps per item */
	int balance_rest;	/* pass 3 on (1) or off (0) */
};

enum { GM_MAX_GROUP = 16, GM_CALL_ITEMS = 16 };
#define GM_LIMITS_DEFAULT { 31, 31, 6, 200000, 1 }

struct gm_result {
	int nsets;		/* settlements found */
	int open;		/* items left open */
	int gave_up;		/* items left open because their search hit max_steps */
	uint64_t steps;
};

/* The size of a signed amount (a credit < 0), as an item takes it. */
static inline money_t gm_amount(money_t signed_amount)
{
	return signed_amount < 0 ? -signed_amount : signed_amount;
}

/* Fills set and kind of every item and res. 1 if any item gave up, else 0. */
int groupmatch(struct gm_item *v, size_t n, const struct gm_limits *lim,
	       struct gm_result *res);
/*
 * groupmatch() on one part of a matching split into parts that no
 * settlement can cross (1:1 only, max_group 1, balance_rest 0: equal
 * amounts, so a part per amount), the parts matched in turn: *budget is
 * the call-wide step budget they share (begin it at GM_CALL_ITEMS times
 * max_steps for the whole), less the steps each part takes. While it
 * lasts, every part is matched as it would be in one call on the whole
 * (set numbers are the part's own); once spent, later searches give up.
 */
int groupmatch_part(struct gm_item *v, size_t n, const struct gm_limits *lim,
		    struct gm_result *res, uint64_t *budget);
/* "0", "1:1", "N:1", "1:N", "N:M" or "open". */
const char *gm_kind_name(int kind);

#endif
