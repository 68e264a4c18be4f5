/*
 * The lists and rates of conf/report.conf (reportconf.h) evaluated over a
 * night's files, once for both the report (HTML) and the workbook (typed
 * cells): which rows a list takes and what each cell holds; a rate's counts.
 */
#ifndef NIGHTLIST_H
#define NIGHTLIST_H

#include <stddef.h>
#include <stdint.h>

#include "core/money.h"
#include "ingest/csvtable.h"
#include "ingest/reportconf.h"

/* What the evaluation reads besides its files; the caller's hooks. */
struct nightlist_ctx {
	const char *outroot, *nightdir;
	/* Called with each night file read (path), in order; may be NULL. */
	void (*on_file)(void *arg, const char *path);
	/* Called with each name a DIR/ list lists (relative, "dir/x.csv"). */
	void (*on_name)(void *arg, const char *rel);
	void *arg;
	struct csvtable vouchers;	/* vouchers/vouchers.csv, read on first use */
	int vouchers_state;		/* 0 not read, 1 read, -1 none */
};

enum list_cell_kind { LCELL_TEXT, LCELL_BLANK, LCELL_MONEY, LCELL_LINK };

/* One cell of a list's row. text: the file's cell as it stands (TEXT; the
 * caller masks CPR numbers as its output requires: reportconf.h),
 * a night file's name under OUT/DATE (LINK; label: its last part); ore: an
 * amount in øre (MONEY). Pointers live until the row callback returns. */
struct list_cell {
	enum list_cell_kind kind;
	const char *text, *label;
	money_t ore;
	int wide;	/* a long text (over 40 bytes) */
};

/* Called per row the list's conditions take; cells[c] is l->cols[c].
 * Nonzero stops the evaluation and is returned. */
typedef int (*list_row_fn)(void *arg, const struct list_cell *cells, int ncells);

/*
 * Evaluates list l over nc's night: row per row through fn (NULL: only
 * count and sum, e.g. to write a count above the rows), sums[c] adds
 * each sum: column (sums has l->ncols slots, zeroed by the caller), rows
 * counts the rows. A missing file lists nothing. 0, -1 a file unreadable
 * or an amount that is not one (reported file:line:column), or fn's value.
 */
int nightlist_eval(struct nightlist_ctx *nc, const struct report_list *l, list_row_fn fn,
		   void *fnarg, money_t *sums, size_t *rows);

/* A value of a rate's by column: rows of good and bad in the window, bad of them. */
struct rate_count {
	char *by;
	unsigned long n, bad;
	unsigned long permille;	/* bad / n in tenths of a per cent, half up */
};

/*
 * The rate rt at night (YYYYMMDD, core/date.h) over the nights of the
 * last rt->days days under nc->outroot: each id once, only rows whose
 * first_seen is in the window (seed 001 rule 19). *out: the most bad rows
 * first, then by value; free with rate_counts_free. 0, or -1 reported.
 */
int nightrate_eval(struct nightlist_ctx *nc, const struct report_rate *rt, int32_t night,
		   struct rate_count **out, size_t *n);
void rate_counts_free(struct rate_count *c, size_t n);

/* Frees what nc read (the vouchers). */
void nightlist_ctx_release(struct nightlist_ctx *nc);

#endif
