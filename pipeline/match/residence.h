/*
 * Residence on a date: the CPR residence extract (one row per address
 * period [Fra, Til)) as an index, and the lookup "which municipality pays
 * for this CPR on day D": the municipality the person was registered in
 * at the start of the teaching (folkeoplysningsloven § 43 stk. 2), or the
 * extract's betalingskommune when it gives one (stk. 3); seed 000 rule 2.
 *
 * The extract is a store whose fields are named cpr, kommune (3-4
 * digits), fra (day), til (day, optional: still living there) and
 * betalingskommune (optional), filled by an input line that does NOT
 * accumulate. The extract a night uses is the newest file of the SE on
 * the night (store/snapshot.h: file-name date <= night, the greatest one
 * over every month), so a rerun of an old night uses the extract that
 * night used.
 *
 * No CPR number is ever logged here.
 */
#ifndef RESIDENCE_H
#define RESIDENCE_H

#include <stdint.h>

#include "core/ident.h"
#include "store/store.h"

enum { KOMMUNE_LEN = 4 };

struct residence_row {
	char cpr[CPR_LEN + 1];
	char kommune[KOMMUNE_LEN + 1];	/* 4 digits */
	char betaler[KOMMUNE_LEN + 1];	/* 4 digits, or "" when the extract gives none */
	int32_t fra;			/* YYYYMMDD, inclusive */
	int32_t til;			/* YYYYMMDD, exclusive; 0: still living there */
};

/* One extract's rows sorted by (cpr, fra), owned; its file. */
struct residence_index {
	struct residence_row *v;
	size_t n;
	uint8_t fileid[FILEID_LEN];	/* the extract read; zeros when none */
	char relpath[512];		/* its landing name; "" when none is visible */
};

/*
 * Loads the newest extract in store sd for se (8 digits) visible on night
 * (YYYYMMDD), its rows copied out of the map (valid after txn writes). 0
 * (an empty index when no extract is visible: every lookup is
 * RES_UNKNOWN_CPR); -1 reported: a store error, sd lacking one of the
 * fields above, a kommune that is not 3-4 digits, or fra >= til (the
 * message names the file and line, never the CPR). Free with
 * residence_free() (also after -1).
 */
int residence_load(struct residence_index *ri, struct store *st, MDB_txn *txn,
		   const struct store_def *sd, const char *se, int32_t night);
void residence_free(struct residence_index *ri);

enum residence_rc {
	RES_OK,			/* exactly one row covers day: payer set */
	RES_UNKNOWN_CPR,	/* the extract has no row for cpr */
	RES_NONE,		/* rows for cpr, but none covers day */
	RES_AMBIGUOUS,		/* more than one row covers day (overlapping periods) */
};

/*
 * The paying municipality of cpr (10 digits) on day (YYYYMMDD): the
 * covering row's betaler when set, else its kommune, into payer (4 digits
 * and NUL; "" unless RES_OK), the row into *row (may be NULL; NULL unless
 * RES_OK) and the number of covering rows into *ncover (may be NULL). A
 * row covers day when fra <= day and (til == 0 or day < til): a move on
 * 2025-02-15 counts from that day. Binary search: O(log n + the CPR's
 * rows). Pure: no allocation, no logging.
 */
enum residence_rc residence_at(const struct residence_index *ri, const char *cpr,
			       int32_t day, char payer[KOMMUNE_LEN + 1],
			       const struct residence_row **row, int *ncover);

#endif
