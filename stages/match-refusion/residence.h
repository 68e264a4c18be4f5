/*
 * Residence on a date from the CPR residence extract (brief
 * ../shared/spec/seeds-000-001-003.md 1.4, 1.5 rules 5 and 6): a row per
 * residence interval [fra, til), til 0 while the person lives there.
 * The paying municipality is Betalingskommune when set (folkeoplysningsloven
 * § 43 stk. 3), else Kommunekode. Pure: no store, no logging (a CPR is
 * never logged).
 */
#ifndef RESIDENCE_H
#define RESIDENCE_H

#include <stddef.h>
#include <stdint.h>

struct residence_row {
	char cpr[11];		/* 10 digits */
	char kommune[5];	/* 4 digits */
	char betaling[5];	/* "" or 4 digits */
	int32_t fra, til;	/* YYYYMMDD; til 0: open */
};

struct residence {
	struct residence_row *v;
	size_t n, alloc;
	int sorted;
};

enum residence_rc {
	RES_OK,			/* exactly one row covers the day */
	RES_UNKNOWN_CPR,	/* the extract has no row for the CPR */
	RES_NONE,		/* rows, but none covers the day */
	RES_AMBIGUOUS,		/* more than one row covers the day */
};

/* Adds a row (copied). */
void residence_add(struct residence *r, const struct residence_row *row);
/* Sorts by (cpr, fra); call after the last residence_add(). */
void residence_sort(struct residence *r);
/*
 * The residence of cpr (10 digits) on day: RES_OK with payer (4 digits)
 * and *row (may be NULL) set to the covering row, else why not; *ncover
 * (may be NULL) the rows covering the day.
 */
enum residence_rc residence_at(const struct residence *r, const char *cpr, int32_t day,
			       char payer[5], const struct residence_row **row, int *ncover);
void residence_free(struct residence *r);

#endif
