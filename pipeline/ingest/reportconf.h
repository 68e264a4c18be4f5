/*
 * conf/report.conf: how the night's report names each reconciliation's
 * columns, so a new match-* stage shows up in the report without a code
 * change (a recon not listed gets the default labels); the workbook shows
 * the same labels, lists and rates (ingest/nightlist.h evaluates them for
 * both). Grammar: core/conffile.h.
 *
 *   trend-nights N       nights in the trend chart (default 30)
 *   recon NAME [title T] [figure F] [key K] [left L] [right R] [explained E]
 *                        labels for summary/NAME.csv, as the KY guide
 *                        names them ("figure" cites the guide's figure)
 *   list NAME TITLE from FILE [where COND]... columns COLUMN...
 *                        an extra table in NAME's section: the rows of a
 *                        night file, FILE relative to OUT/DATE
 *                        ("postings/betalingsplaner.csv"), or DIR/ (a
 *                        trailing '/'): the rows of every .csv file of that
 *                        directory of the night, in name order. Listed in the order of the conf.
 *     COND               COL=VALUE, COL!=VALUE (COL!= : not empty) or
 *                        COL^=PREFIX: which rows are shown (all must hold)
 *     COLUMN             [kr:|sum:]COL=LABEL: the cell of header COL under
 *                        LABEL; kr: an amount (Danish notation, shown
 *                        grouped, 1.234,50); sum: an amount also summed in
 *                        the table's last row "I alt (N rows)". COL may be
 *                          @code     the reason code (column reason up to ':')
 *                          @voucher  the voucher of the row's posting (the
 *                                    voucher_id of vouchers/vouchers.csv whose
 *                                    reference ends in ':' and the row's id)
 *                          @file     the file the row came from, linked
 *                          link:TPL  a link to the night file TPL, {COL}
 *                                    replaced by the row's cell
 *                        A CPR-shaped run in any cell is masked DDMMYY-xxxx.
 *   rate NAME TITLE by COL[=LABEL] days N good FILE bad FILE [where COND]...
 *                        a share per value of COL in NAME's section (seed
 *                        001 rule 19, the supplier error rate): the rows of
 *                        FILE good and FILE bad (those the conditions take)
 *                        of the nights in the last N days under OUT, each
 *                        id once and only rows whose first_seen is in those
 *                        N days; per value: rows, bad rows, bad in % (one
 *                        decimal, half up), the most bad rows first.
 */
#ifndef REPORTCONF_H
#define REPORTCONF_H

struct recon_labels {
	char *recon;
	char *title, *figure, *key, *left, *right, *explained;
};

enum list_op { LIST_EQ, LIST_NE, LIST_PREFIX };

struct list_where {
	char *col, *value;
	enum list_op op;
};

struct list_column {
	char *col;		/* header name, @code, @voucher, @file, or link:TEMPLATE */
	char *label;
	int money;		/* 0 text, 1 kr: an amount, 2 sum: an amount summed */
};

struct report_list {
	char *recon, *title, *from;
	struct list_where *where;
	int nwhere;
	struct list_column *cols;
	int ncols;
};

struct report_rate {
	char *recon, *title, *by, *by_label, *good, *bad;
	int days;
	struct list_where *where;
	int nwhere;
};

struct report_conf {
	int trend_nights;
	struct recon_labels *v;
	int n;
	struct report_list *lists;	/* in the conf's order */
	int nlists;
	struct report_rate *rates;	/* in the conf's order, after the lists */
	int nrates;
	struct recon_labels fallback;	/* labels of a recon not listed */
};

/* A missing file gives the defaults. 0, or -1 reported (file:line). */
int report_conf_load(const char *path, struct report_conf *rc);
void report_conf_free(struct report_conf *rc);
/* The labels of recon: listed ones, else the defaults with title = recon. */
const struct recon_labels *report_labels(const struct report_conf *rc, const char *recon);

#endif
