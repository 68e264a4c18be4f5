/*
 * bin/stage-workbook: writes OUT/DATE/afstemning.xlsx, the night's workbook
 * for the finance clerk, with libxlsxwriter: a first sheet "Oversigt" (one
 * row per reconciliation), then a sheet per reconciliation that has a
 * summary/ file tonight: its exceptions not decided, each marked open,
 * explained by its code or a detail in its parent (match/openexc.h, the
 * report's rule; the overview's "open" counts the open ones; the header
 * row frozen, an autofilter), its decided exceptions apart
 * (decisions/RECON.csv, who, when and why), its summary rows, and the
 * lists and rates conf/report.conf gives it (ingest/reportconf.h,
 * evaluated by ingest/nightlist.h for the report and here alike). Column
 * names, cell types, status and decision words and reason texts come from
 * conf/terms.conf (run/terms.h), the summary's key and side labels from
 * conf/report.conf; CPR masking from conf/workbook.conf (wbconf.h).
 *
 * Cells (cells.h): keys, SE, months, ids and CPR as text (leading zeros
 * kept, 2021-02 never a date); amounts as numbers in kroner from the
 * CSV's øre, format #,##0.00 (Danish Excel shows 1.278.002,64); days and
 * timestamps as dates. The same night gives the same bytes: the document's
 * created time is the night's date, and libxlsxwriter's zip entries carry
 * a fixed time. Memory does not grow with the night: the summaries (a row
 * per key) are streamed, never held, and libxlsxwriter runs in
 * constant_memory mode (each sheet written top down, a row to its
 * temporary file when the next starts; text as inline strings).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "core/atomicfile.h"
#include "core/date.h"
#include "core/digest.h"
#include "core/exitcode.h"
#include "core/log.h"
#include "ingest/csvin.h"
#include "ingest/csvtable.h"
#include "ingest/nightlist.h"
#include "ingest/reportconf.h"
#include "match/openexc.h"
#include "match/reconconf.h"
#include "run/stage.h"
#include "run/terms.h"
#include "cells.h"
#include "wbconf.h"
#include "core/banned.h"

enum { MAX_COLS = 64, WIDTH_MIN = 6, WIDTH_MAX = 60 };

struct formats {
	lxw_format *head, *title, *text, *amount, *integer, *date, *datetime, *percent;
};

/* A sheet being written: its next row and the widest cell of each column. */
struct sheet {
	lxw_worksheet *ws;
	lxw_row_t row;
	size_t width[MAX_COLS];
	int ncols;
};

/* A decision's row by its exception id. */
struct dec_index {
	const char *id;
	long row;
};

/* One reconciliation's night files. */
struct recon {
	char *name;
	struct csvtable exc, dec;	/* the summary is streamed (sum_stream): it has a
					 * row per key, the others one per break */
	int has_exc, has_dec;
	unsigned long sum_rows;
	char *sum_path, *exc_path, *dec_path;
	struct dec_index *dec_by_id;	/* sorted by id */
	size_t ndec;
	unsigned char *state;		/* per exception: enum exc_state (match/openexc.h) */
	/* for the overview */
	unsigned long by_status[4];	/* OK, EXPLAINED, BREAK, MANGLER rows */
	const char *status;		/* worst, or INGEN-DATA */
	unsigned long nexc, open, decided;
	int tally_on_sheet;	/* the summary's first pass stopped at its second row:
				 * its sheet's pass counts the rest (sum_stream) */
	money_t unexplained;
	money_t open_amount;	/* the open ones' absolute amounts, each krone once (openexc.h) */
};

struct night {
	struct wb_conf conf;
	struct report_conf rconf;	/* conf/report.conf: labels, lists, rates */
	struct nightlist_ctx nl;
	int32_t night;
	struct recon_conf roles;	/* conf/reconciliations.conf: what is open */
	int has_roles;
	struct formats f;
	struct recon *r;
	size_t n;
	unsigned long rows_read;
	char **sheetbuf;	/* a stdio buffer per sheet (sheet_buffer) */
	size_t nsheetbuf;
};

static const char *const status_order[] = { "OK", "EXPLAINED", "BREAK", RECON_MISSING };

static void widen(struct sheet *s, int col, size_t w)
{
	if (col < MAX_COLS && w > s->width[col])
		s->width[col] = w;
	if (col + 1 > s->ncols)
		s->ncols = col + 1;
}

/*
 * The writers of a cell: 0, or -2 when libxlsxwriter refuses it (a string
 * over Excel's 32767 characters, a row past its last).
 */
static int put_text_w(struct sheet *s, int col, const char *text, size_t width, lxw_format *f)
{
	widen(s, col, width);
	return worksheet_write_string(s->ws, s->row, (lxw_col_t)col, text, f) ? -2 : 0;
}

static int put_text(struct sheet *s, int col, const char *text, lxw_format *f)
{
	return put_text_w(s, col, text, utf8_width(text), f);
}

static int put_amount_w(struct sheet *s, struct formats *f, int col, money_t ore, size_t width)
{
	widen(s, col, width);
	/* øre to kroner: the nearest double to the exact decimal, as Excel keeps it. */
	return worksheet_write_number(s->ws, s->row, (lxw_col_t)col, (double)ore / 100.0,
				      f->amount) ? -2 : 0;
}

static int put_amount(struct sheet *s, struct formats *f, int col, money_t ore)
{
	return put_amount_w(s, f, col, ore, amount_width(ore));
}

/* Writes a parsed cell; a blank writes nothing. */
static int put_cell(struct sheet *s, struct formats *f, int col, const struct cell *c)
{
	lxw_datetime dt;
	lxw_error e = LXW_NO_ERROR;
	switch (c->kind) {
	case CELL_BLANK:
		return 0;
	case CELL_TEXT:	/* cell_parse() counted its width */
		return put_text_w(s, col, c->text.buf, c->width, f->text);
	case CELL_AMOUNT:
		return put_amount_w(s, f, col, c->ore, c->width);
	case CELL_INTEGER:
		e = worksheet_write_number(s->ws, s->row, (lxw_col_t)col, (double)c->integer,
					   f->integer);
		break;
	case CELL_DATE:
	case CELL_DATETIME:
		dt.year = c->year;
		dt.month = c->month;
		dt.day = c->day;
		dt.hour = c->hour;
		dt.min = c->min;
		dt.sec = c->sec;
		e = worksheet_write_datetime(s->ws, s->row, (lxw_col_t)col, &dt,
					     c->kind == CELL_DATE ? f->date : f->datetime);
		break;
	}
	widen(s, col, c->width);
	return e ? -2 : 0;
}

/* A night file's cell v (path, line, column tcol) of column name in file
 * kind, typed by conf/terms.conf. */
static int put_typed(struct night *n, struct sheet *s, int col, enum term_type type,
		     const char *name, const char *v, const char *path, unsigned long line,
		     int tcol)
{
	struct cell c;
	const char *why = "";
	int rc = cell_parse(v, type, n->conf.mask_cpr, &c, &why);
	if (rc)
		log_input(path, line, (unsigned)tcol + 1, "%s '%s': %s", name, v, why);
	else if (put_cell(s, &n->f, col, &c))
		rc = -2;
	cell_release(&c);
	return rc;
}

static int put_value(struct night *n, struct sheet *s, int col, const char *kind,
		     const char *name, const char *v, const char *path, unsigned long line,
		     int tcol)
{
	return put_typed(n, s, col, terms_column(kind, name).type, name, v, path, line, tcol);
}

/* A CSV cell of column name in file kind, typed by conf/terms.conf. */
static int put_csv(struct night *n, struct sheet *s, int col, const char *kind,
		   const char *name, const struct csvtable *t, size_t row, int tcol,
		   const char *path)
{
	return put_value(n, s, col, kind, name, csvtable_get(t, row, tcol), path, t->lines[row],
			 tcol);
}

/* A text cell after the CPR rule of the conf. */
static int put_masked(struct night *n, struct sheet *s, int col, const char *text)
{
	struct cell c;
	const char *why;
	int rc;
	cell_parse(text, TERM_TEXT, n->conf.mask_cpr, &c, &why);
	rc = c.kind == CELL_BLANK ? 0 : put_text(s, col, c.text.buf, n->f.text);
	cell_release(&c);
	return rc ? -2 : 0;
}

static void fit_columns(struct sheet *s)
{
	for (int i = 0; i < s->ncols && i < MAX_COLS; i++) {
		size_t w = s->width[i] < WIDTH_MIN ? WIDTH_MIN : s->width[i];
		if (w > WIDTH_MAX)
			w = WIDTH_MAX;
		worksheet_set_column(s->ws, (lxw_col_t)i, (lxw_col_t)i, (double)w + 2, NULL);
	}
}

static int cmp_dec(const void *a, const void *b)
{
	const struct dec_index *x = a, *y = b;
	return strcmp(x->id, y->id);
}

/* Sorts the decisions by id (the file should be; a hand-made one need not). */
static void index_decisions(struct recon *r)
{
	int c = csvtable_col(&r->dec, "id");
	r->ndec = r->has_dec ? r->dec.nrows : 0;
	r->dec_by_id = r->ndec ? xcalloc(r->ndec, sizeof(*r->dec_by_id)) : NULL;
	for (size_t i = 0; i < r->ndec; i++) {
		r->dec_by_id[i].id = csvtable_get(&r->dec, i, c);
		r->dec_by_id[i].row = (long)i;
	}
	if (r->ndec)
		qsort(r->dec_by_id, r->ndec, sizeof(*r->dec_by_id), cmp_dec);
}

/* The decision row of an exception id, or -1. */
static long decision_of(const struct recon *r, const char *id)
{
	struct dec_index key = { id, 0 }, *hit;
	if (!r->ndec)
		return -1;
	hit = bsearch(&key, r->dec_by_id, r->ndec, sizeof(key), cmp_dec);
	return hit ? hit->row : -1;
}

/* The exception columns a sheet shows: all but recon (the sheet is it). */
static int exc_shown(const struct csvtable *t, size_t c)
{
	return strcmp(t->header[c], "recon") != 0;
}

static const char *const dec_cols[] = { "decision", "by", "at", "note", "decided_amount",
					"review" };
enum { NDEC = sizeof(dec_cols) / sizeof(dec_cols[0]) };

static int exc_header(struct sheet *s, struct night *n, const struct recon *r)
{
	int col = 0;
	for (size_t c = 0; r->has_exc && c < r->exc.ncols; c++)
		if (exc_shown(&r->exc, c) &&
		    put_text(s, col++, terms_column_name("exceptions", r->exc.header[c]),
			     n->f.head))
			return -1;
	if (put_text(s, col++, terms_column_name("exceptions", "state"), n->f.head))
		return -1;
	for (size_t k = 0; k < NDEC; k++)
		if (put_text(s, col++, terms_column_name("decisions", dec_cols[k]), n->f.head))
			return -1;
	s->row++;
	return col;
}

static int exc_row(struct sheet *s, struct night *n, const struct recon *r, size_t i, long d)
{
	const struct csvtable *t = &r->exc;
	int col = 0, rc;
	for (size_t c = 0; c < t->ncols; c++) {
		if (!exc_shown(t, c))
			continue;
		if (!strcmp(t->header[c], "reason")) {
			struct strbuf b = STRBUF_INIT;
			terms_reason(r->name, csvtable_get(t, i, (int)c), &b);
			rc = put_masked(n, s, col++, strbuf_str(&b));
			strbuf_release(&b);
		} else {
			rc = put_csv(n, s, col++, "exceptions", t->header[c], t, i, (int)c,
				     r->exc_path);
		}
		if (rc)
			return rc;
	}
	/* open, explained by its code, a detail counted in its parent, decided */
	{
		char label[32];
		snprintf(label, sizeof(label), "state-%s", exc_state_word(r->state[i]));
		if (put_text(s, col++, terms_label(label), n->f.text))
			return -2;
	}
	for (size_t k = 0; d >= 0 && k < NDEC; k++, col++) {
		int dc = csvtable_col(&r->dec, dec_cols[k]);
		const char *v = csvtable_get(&r->dec, (size_t)d, dc);
		if (dc < 0 || !*v)
			continue;
		if (!strcmp(dec_cols[k], "decision"))
			rc = put_text(s, col, terms_decision(v), n->f.text);
		else if (!strcmp(dec_cols[k], "review"))
			rc = put_text(s, col, terms_review(v), n->f.text);
		else
			rc = put_csv(n, s, col, "decisions", dec_cols[k], &r->dec, (size_t)d, dc,
				     r->dec_path);
		if (rc)
			return rc;
	}
	s->row++;
	return 0;
}

/* A summary column's header: the reconciliation's own labels of
 * conf/report.conf for the key and the two sides (as the report), else
 * conf/terms.conf's word. */
static const char *sum_head(const struct night *n, const struct recon *r, const char *col)
{
	const struct recon_labels *l = report_labels(&n->rconf, r->name);
	if (!strcmp(col, "key"))
		return l->key;
	if (!strcmp(col, "left"))
		return l->left;
	if (!strcmp(col, "right"))
		return l->right;
	if (!strcmp(col, "explained"))
		return l->explained;
	return terms_column_name("summary", col);
}

/*
 * The summary file, streamed (csvin): it has a row per key (a recipient, a
 * CPR), hundreds of thousands on a large night, so it is never held, and
 * parsed once: the overview's figures (tally) are counted by the sheet's
 * pass, after a first pass that reads no more than two rows (sum_stream).
 */
enum sum_role { SUM_CELL, SUM_SKIP, SUM_STATUS, SUM_KEY };

struct sum_stream {
	struct night *n;
	struct recon *r;
	struct sheet *s;	/* NULL: tally only */
	int tally;		/* count each row for the overview (tally_row) */
	char **head;		/* the header's names */
	enum term_type *type;	/* and their types (conf/terms.conf), looked up once */
	enum sum_role *role;	/* what each column is on the sheet */
	size_t ncols;
	int ckey, cst, cun;
	int worst, no_data;
	/* conf/terms.conf's words for status_order[], INGEN-DATA and TOTAL,
	 * looked up once at the header, not per row */
	const char *word[4], *no_data_word, *total_word;
};

/* The first pass stopped: the status is known not to be INGEN-DATA. */
enum { SUM_ENOUGH = 1 };

/* The overview's figures of one row (its sheet counts the open and decided
 * exceptions). */
static int tally_row(struct sum_stream *k, const struct csv_row *row)
{
	struct recon *r = k->r;
	const char *st = csvrow_get(row, k->cst), *u = csvrow_get(row, k->cun), *why;
	const char *key = csvrow_get(row, k->ckey);
	int j = 3;
	money_t v;
	for (int i = 0; i < 4; i++)
		if (!strcmp(st, status_order[i]))
			j = i;
	/* A reconciliation's one INGEN-DATA row is no "Mangler data" row: its
	 * status says "Ingen data i nat" (as the report and `pipeline overview`
	 * count it: a municipality that does not use it has one every night). */
	if (strcmp(key, RECON_NO_DATA))
		r->by_status[j]++;
	k->worst = j > k->worst ? j : k->worst;
	k->no_data |= !strcmp(key, RECON_NO_DATA);
	/* Empty on a MANGLER row (we do not know); a total adds up the others. */
	if (!*u || !strcmp(key, "TOTAL"))
		return 0;
	if (money_parse(u, strlen(u), 0, &v, &why))
		return log_input(r->sum_path, row->line, (unsigned)k->cun + 1,
				 "unexplained '%s': %s", u, why), -1;
	if (money_add(&r->unexplained, v))
		return log_input(r->sum_path, row->line, (unsigned)k->cun + 1,
				 "unexplained '%s': the sum overflows", u), -1;
	return 0;
}

/* The clerk's word for a row's status v (terms_status(), from the words
 * looked up at the header). */
static const char *sum_status_word(const struct sum_stream *k, const char *v)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(v, status_order[i]))
			return k->word[i];
	return terms_status(v);
}

static int sum_row(struct sum_stream *k, const struct csv_row *row)
{
	struct sheet *s = k->s;
	struct night *n = k->n;
	int col = 0, no_data = !strcmp(csvrow_get(row, k->ckey), RECON_NO_DATA);
	for (size_t c = 0; c < k->ncols; c++) {
		const char *h = k->head[c], *v = csvrow_get(row, (int)c);
		int rc;
		if (k->role[c] == SUM_SKIP)
			continue;
		if (k->role[c] == SUM_STATUS)
			rc = put_text(s, col, no_data ? k->no_data_word : sum_status_word(k, v),
				      n->f.text) ? -2 : 0;
		else if (k->role[c] == SUM_KEY && !strcmp(v, "TOTAL"))
			rc = put_text(s, col, k->total_word, n->f.text) ? -2 : 0;
		else
			rc = put_typed(n, s, col, k->type[c], h, v, k->r->sum_path, row->line,
				       (int)c);
		if (rc)
			return rc;
		col++;
	}
	s->row++;
	return 0;
}

static int on_sum_row(const struct csv_row *row, void *data)
{
	struct sum_stream *k = data;
	if (!k->head) {
		k->ncols = row->nfields;
		k->head = xcalloc(k->ncols + 1, sizeof(*k->head));
		k->type = xcalloc(k->ncols + 1, sizeof(*k->type));
		k->role = xcalloc(k->ncols + 1, sizeof(*k->role));
		for (size_t c = 0; c < k->ncols; c++) {
			k->head[c] = xstrdup(row->fields[c].ptr);
			k->type[c] = terms_column("summary", k->head[c]).type;
			k->role[c] = !strcmp(k->head[c], "recon") ? SUM_SKIP :
				     !strcmp(k->head[c], "status") ? SUM_STATUS :
				     !strcmp(k->head[c], "key") ? SUM_KEY : SUM_CELL;
		}
		k->ckey = csvhead_col(k->head, k->ncols, "key");
		k->cst = csvhead_col(k->head, k->ncols, "status");
		k->cun = csvhead_col(k->head, k->ncols, "unexplained");
		for (int i = 0; i < 4; i++)
			k->word[i] = terms_status(status_order[i]);
		k->no_data_word = terms_status(RECON_NO_DATA);
		k->total_word = terms_label("total");
		if (!k->s)
			return 0;
		for (size_t c = 0, col = 0; c < k->ncols; c++)
			if (strcmp(k->head[c], "recon") &&
			    put_text(k->s, (int)col++, sum_head(k->n, k->r, k->head[c]),
				     k->n->f.head))
				return -2;
		k->s->row++;
		return 0;
	}
	if (k->tally) {
		int rc = tally_row(k, row);
		k->r->sum_rows++;
		if (rc)
			return rc;
	}
	if (!k->s)	/* two rows: no INGEN-DATA night; the sheet counts the rest */
		return k->r->sum_rows >= 2 ? SUM_ENOUGH : 0;
	return sum_row(k, row);
}

/* r's status and the night's rows read, once its summary is counted. */
static void tally_done(struct night *n, struct recon *r, const struct sum_stream *k)
{
	n->rows_read += r->sum_rows;
	r->status = k->no_data && r->sum_rows == 1 ? RECON_NO_DATA :
		    k->worst < 0 ? "OK" : status_order[k->worst];
}

/*
 * Streams r's summary: with s NULL the first pass, which counts rows for
 * the overview until it knows whether the night is INGEN-DATA (a single
 * INGEN-DATA row: no sheet) and stops at the second row, so a summary of
 * a row per key is parsed once, by its sheet's pass, which counts the
 * rest (r->tally_on_sheet); with s, into sheet s. 0, -1 a file or cell
 * that cannot be used (reported), -2 the library refused.
 */
static int sum_stream(struct night *n, struct recon *r, struct sheet *s)
{
	struct csvin_opts o = { .delimiter = ';', .encoding = CSVIN_UTF8 };
	struct sum_stream k = { .n = n, .r = r, .s = s, .tally = !s || r->tally_on_sheet,
				.worst = -1 };
	int rc;
	if (s && r->tally_on_sheet) {	/* counted again, from its first row */
		memset(r->by_status, 0, sizeof(r->by_status));
		r->sum_rows = 0;
		r->unexplained = 0;
	}
	rc = csvin_read(r->sum_path, &o, on_sum_row, &k, NULL);
	if (rc == SUM_ENOUGH) {
		rc = 0;
		r->tally_on_sheet = 1;
		r->status = k.worst < 0 ? "OK" : status_order[k.worst];	/* so far */
	} else if (!rc && k.tally)
		tally_done(n, r, &k);
	if (!rc && s && !k.head)
		s->row++;	/* no header: an empty header row, as before */
	for (size_t c = 0; c < k.ncols; c++)
		free(k.head[c]);
	free(k.head);
	free(k.type);
	free(k.role);
	return rc;
}

/* A list's row (ingest/nightlist.h) on a sheet: texts as text (CPR as
 * conf/workbook.conf says), amounts as numbers, a file as its name under
 * OUT/DATE. */
struct list_sink {
	struct sheet *s;
	struct night *n;
};

static int list_row_cells(void *arg, const struct list_cell *cells, int ncells)
{
	struct list_sink *k = arg;
	for (int c = 0; c < ncells; c++) {
		int rc = 0;
		if (cells[c].kind == LCELL_MONEY)
			rc = put_amount(k->s, &k->n->f, c, cells[c].ore);
		else if (cells[c].kind == LCELL_TEXT)
			rc = put_masked(k->n, k->s, c, cells[c].text);
		else if (cells[c].kind == LCELL_LINK)
			rc = put_text(k->s, c, cells[c].text, k->n->f.text);
		if (rc)
			return -2;
	}
	k->s->row++;
	return 0;
}

/* A section's title row: title, with " (N)" when rows >= 0. */
static int section_title(struct sheet *s, struct night *n, const char *title, long rows)
{
	struct strbuf b = STRBUF_INIT;
	int rc;
	s->row++;
	strbuf_addstr(&b, title);
	if (rows >= 0)
		strbuf_addf(&b, " (%ld)", rows);
	rc = put_text(s, 0, b.buf, n->f.title);
	strbuf_release(&b);
	s->row++;
	return rc ? -2 : 0;
}

/*
 * A list of conf/report.conf as a section of its reconciliation's sheet,
 * as the report shows it: the title and count, the header of its labels,
 * its rows, and "I alt (N)" with the sums of its sum: columns; a list
 * without rows is its title and "Ingen". 0, -1 reported, -2 library.
 */
static int list_section(struct sheet *s, struct night *n, const struct report_list *l)
{
	struct strbuf body = STRBUF_INIT;
	money_t *sums = xcalloc((size_t)l->ncols, sizeof(*sums));
	struct list_sink k = { s, n };
	size_t rows = 0;
	int rc, any_money = 0;
	/* the rows go below their title and header: count them first */
	rc = nightlist_eval(&n->nl, l, NULL, NULL, sums, &rows);
	if (!rc)
		rc = section_title(s, n, l->title, (long)rows);
	if (!rc && !rows)
		rc = put_text(s, 0, terms_label("none"), n->f.text) ? -2 : 0;
	if (!rc && !rows)
		s->row++;
	else if (!rc) {
		for (int c = 0; c < l->ncols && !rc; c++)
			rc = put_text(s, c, l->cols[c].label, n->f.head) ? -2 : 0;
		s->row++;
		memset(sums, 0, (size_t)l->ncols * sizeof(*sums));
		rows = 0;
		if (!rc)
			rc = nightlist_eval(&n->nl, l, list_row_cells, &k, sums, &rows);
		for (int c = 0; c < l->ncols; c++)
			any_money |= l->cols[c].money == 2;
		if (!rc && any_money && rows > 1) {
			strbuf_addf(&body, "%s (%zu)", terms_label("total"), rows);
			rc = put_text(s, 0, body.buf, n->f.head) ? -2 : 0;
			for (int c = 0; c < l->ncols && !rc; c++)
				if (l->cols[c].money == 2)
					rc = put_amount(s, &n->f, c, sums[c]);
			s->row++;
		}
	}
	free(sums);
	strbuf_release(&body);
	return rc;
}

/* A rate of conf/report.conf (the supplier error rate, seed 001 rule 19)
 * as a section: per value its rows, bad rows and the share in per cent. */
static int rate_section(struct sheet *s, struct night *n, const struct report_rate *rt)
{
	struct rate_count *c = NULL;
	size_t nc = 0;
	int rc = nightrate_eval(&n->nl, rt, n->night, &c, &nc);
	const char *head[] = { rt->by_label, terms_label("rate-rows"), terms_label("rate-bad"),
			       terms_label("rate-pct") };
	if (!rc)
		rc = section_title(s, n, rt->title, -1);
	if (!rc && !nc)
		rc = put_text(s, 0, terms_label("none"), n->f.text) ? -2 : 0;
	for (int k = 0; !rc && nc && k < 4; k++)
		rc = put_text(s, k, head[k], n->f.head) ? -2 : 0;
	s->row++;
	for (size_t i = 0; !rc && i < nc; i++, s->row++) {
		widen(s, 1, 6);
		widen(s, 2, 6);
		widen(s, 3, 6);
		if (put_masked(n, s, 0, c[i].by) ||
		    worksheet_write_number(s->ws, s->row, 1, (double)c[i].n, n->f.integer) ||
		    worksheet_write_number(s->ws, s->row, 2, (double)c[i].bad, n->f.integer) ||
		    worksheet_write_number(s->ws, s->row, 3, (double)c[i].permille / 10.0,
					   n->f.percent))
			rc = -2;
	}
	rate_counts_free(c, nc);
	return rc;
}

/*
 * A larger stdio buffer for the temporary file of r's sheet ws
 * (constant_memory: every cell goes there by fprintf, and is copied out
 * again when the workbook closes): its default is the file system's
 * block, a write(2) per 4 KB, so the sheet of a large summary was as
 * many system calls as cells. Only for a summary of SHEET_BIG bytes or
 * more (a small sheet gains nothing; the heap stays as it was). The
 * buffer lives until workbook_close() (free_night). Nothing of the bytes
 * written changes.
 */
enum { SHEET_BUFSZ = 1 << 16, SHEET_BIG = 1 << 20 };

static void sheet_buffer(struct night *n, const struct recon *r, lxw_worksheet *ws)
{
	struct stat st;
	char *b;
	if (stat(r->sum_path, &st) || st.st_size < SHEET_BIG)
		return;
	b = xmalloc(SHEET_BUFSZ);
	if (!ws->file || setvbuf(ws->file, b, _IOFBF, SHEET_BUFSZ)) {
		free(b);
		return;
	}
	n->sheetbuf = xrealloc(n->sheetbuf, (n->nsheetbuf + 1) * sizeof(*n->sheetbuf));
	n->sheetbuf[n->nsheetbuf++] = b;
}

/*
 * A reconciliation's sheet: open exceptions from the first row (frozen,
 * autofilter), decided ones apart, then the summary. 0, -1 a night file's
 * cell that cannot be used (reported), -2 the library refused (internal).
 */
static int recon_sheet(lxw_workbook *wb, struct night *n, struct recon *r)
{
	struct sheet s = { 0 };
	char name[32];
	int ncols, rc, cid = r->has_exc ? csvtable_col(&r->exc, "id") : -1;
	lxw_row_t first;
	xstrlcpy(name, r->name, sizeof(name));	/* Excel: at most 31 characters */
	if (!(s.ws = workbook_add_worksheet(wb, name)))
		return -2;
	sheet_buffer(n, r, s.ws);
	if ((ncols = exc_header(&s, n, r)) < 0)
		return -2;
	first = s.row;
	for (size_t i = 0; r->has_exc && i < r->exc.nrows; i++) {
		long d = decision_of(r, csvtable_get(&r->exc, i, cid));
		if (r->state[i] == EXC_DECIDED)
			continue;
		if ((rc = exc_row(&s, n, r, i, d)))
			return rc;
	}
	worksheet_freeze_panes(s.ws, 1, 0);
	if (worksheet_autofilter(s.ws, 0, 0, s.row > first ? s.row - 1 : 0,
				 (lxw_col_t)(ncols - 1)))
		return -2;
	s.row++;
	if (put_text(&s, 0, terms_label("decided"), n->f.title))
		return -2;
	s.row++;
	if (exc_header(&s, n, r) < 0)
		return -2;
	for (size_t i = 0; r->has_exc && i < r->exc.nrows; i++) {
		long d = decision_of(r, csvtable_get(&r->exc, i, cid));
		if (r->state[i] != EXC_DECIDED)
			continue;
		if ((rc = exc_row(&s, n, r, i, d)))
			return rc;
		r->decided++;
	}
	s.row++;
	if (put_text(&s, 0, terms_label("summary"), n->f.title))
		return -2;
	s.row++;
	if ((rc = sum_stream(n, r, &s)))
		return rc;
	for (int i = 0; i < n->rconf.nlists; i++)
		if (!strcmp(n->rconf.lists[i].recon, r->name) &&
		    (rc = list_section(&s, n, &n->rconf.lists[i])))
			return rc;
	for (int i = 0; i < n->rconf.nrates; i++)
		if (!strcmp(n->rconf.rates[i].recon, r->name) &&
		    (rc = rate_section(&s, n, &n->rconf.rates[i])))
			return rc;
	r->nexc = r->has_exc ? r->exc.nrows : 0;
	fit_columns(&s);
	return 0;
}

/* Fills the first sheet (added first, filled last: it counts the others). */
static int overview_sheet(lxw_worksheet *ws, struct night *n)
{
	struct sheet s = { .ws = ws };
	const char *head[] = {
		terms_column_name("summary", "recon"), terms_column_name("summary", "status"),
		terms_status("OK"), terms_status("EXPLAINED"), terms_status("BREAK"),
		terms_status(RECON_MISSING), terms_label("exceptions"), terms_label("open"),
		terms_label("decided"), terms_label("unexplained-sum"), terms_label("open-amount"),
	};
	int ncols = (int)(sizeof(head) / sizeof(head[0]));
	for (int c = 0; c < ncols; c++)
		if (put_text(&s, c, head[c], n->f.head))
			return -2;
	for (size_t i = 0; i < n->n; i++) {
		const struct recon *r = &n->r[i];
		double v[] = { (double)r->by_status[0], (double)r->by_status[1],
			       (double)r->by_status[2], (double)r->by_status[3], (double)r->nexc,
			       (double)r->open, (double)r->decided };
		s.row++;
		if (put_text(&s, 0, r->name, n->f.text) ||
		    put_text(&s, 1, terms_status(r->status), n->f.text))
			return -2;
		for (int k = 0; k < 7; k++) {
			widen(&s, 2 + k, 4);
			if (worksheet_write_number(s.ws, s.row, (lxw_col_t)(2 + k), v[k],
						   n->f.integer))
				return -2;
		}
		if (put_amount(&s, &n->f, 9, r->unexplained) ||
		    put_amount(&s, &n->f, 10, r->open_amount))
			return -2;
	}
	worksheet_freeze_panes(s.ws, 1, 0);
	if (worksheet_autofilter(s.ws, 0, 0, s.row, (lxw_col_t)(ncols - 1)))
		return -2;
	fit_columns(&s);
	return 0;
}

static void free_night(struct night *n)
{
	for (size_t i = 0; i < n->n; i++) {
		struct recon *r = &n->r[i];
		free(r->name);
		free(r->sum_path);
		free(r->exc_path);
		free(r->dec_path);
		free(r->dec_by_id);
		free(r->state);
		if (r->has_exc)
			csvtable_free(&r->exc);
		if (r->has_dec)
			csvtable_free(&r->dec);
	}
	free(n->r);
	for (size_t i = 0; i < n->nsheetbuf; i++)
		free(n->sheetbuf[i]);
	free(n->sheetbuf);
	if (n->has_roles)
		reconconf_free(&n->roles);
}

static int cmp_recon(const void *a, const void *b)
{
	return strcmp(((const struct recon *)a)->name, ((const struct recon *)b)->name);
}

static char *night_path(const struct stage_ctx *ctx, const char *dir, const char *recon)
{
	struct strbuf p = STRBUF_INIT, rel = STRBUF_INIT;
	strbuf_addf(&rel, "%s/%s.csv", dir, recon);
	stage_out_path(ctx, rel.buf, &p);
	strbuf_release(&rel);
	return strbuf_detach(&p);
}

/* An optional night file: 1 read, 0 not there, -1 unreadable (reported). */
static int read_optional(const char *path, struct csvtable *t)
{
	if (access(path, F_OK) && errno == ENOENT)
		return 0;
	return csvtable_read(path, NULL, t) ? -1 : 1;
}

/* Every reconciliation with a summary/ file tonight, by name. 0, or -1. */
static int read_night(struct stage_ctx *ctx, struct night *n)
{
	struct strbuf dir = STRBUF_INIT;
	struct dirent *de;
	DIR *d;
	size_t alloc = 0;
	int rc = 0;
	stage_out_path(ctx, "summary", &dir);
	if (!(d = opendir(dir.buf))) {
		strbuf_release(&dir);
		return errno == ENOENT ? 0 : (log_error("%s: %s", dir.buf, strerror(errno)), -1);
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 5 || strcmp(de->d_name + len - 4, ".csv") ||
		    atomic_is_tmp(de->d_name))
			continue;
		n->r = xgrow(n->r, &alloc, n->n + 1, sizeof(*n->r));
		memset(&n->r[n->n], 0, sizeof(*n->r));
		n->r[n->n++].name = xstrndup(de->d_name, len - 4);
	}
	closedir(d);
	strbuf_release(&dir);
	if (n->n)
		qsort(n->r, n->n, sizeof(*n->r), cmp_recon);
	for (size_t i = 0; i < n->n && !rc; i++) {
		struct recon *r = &n->r[i];
		int got;
		r->sum_path = night_path(ctx, "summary", r->name);
		r->exc_path = night_path(ctx, "exceptions", r->name);
		r->dec_path = night_path(ctx, "decisions", r->name);
		if ((got = read_optional(r->exc_path, &r->exc)) < 0)
			return -1;
		r->has_exc = got;
		n->rows_read += got ? r->exc.nrows : 0;
		if ((got = read_optional(r->dec_path, &r->dec)) < 0)
			return -1;
		r->has_dec = got;
		n->rows_read += got ? r->dec.nrows : 0;
		index_decisions(r);
		/* the one rule of what is open (match/openexc.h), as the report counts */
		if (r->has_exc) {
			unsigned char *decided = xcalloc(r->exc.nrows + 1, 1);
			r->state = xcalloc(r->exc.nrows + 1, 1);
			exc_decided_from_file(&r->exc, r->has_dec ? &r->dec : NULL, decided);
			rc = exc_states(reconconf_find(&n->roles, r->name), &r->exc, decided,
					r->exc_path, r->state, &r->open, &r->open_amount);
			free(decided);
		}
	}
	return rc;
}

static void make_formats(lxw_workbook *wb, struct formats *f)
{
	f->head = workbook_add_format(wb);
	format_set_bold(f->head);
	format_set_num_format(f->head, "@");
	f->title = workbook_add_format(wb);
	format_set_bold(f->title);
	format_set_font_size(f->title, 12);
	f->text = workbook_add_format(wb);
	format_set_num_format(f->text, "@");	/* typed in again, still text */
	f->amount = workbook_add_format(wb);
	format_set_num_format(f->amount, "#,##0.00");
	f->integer = workbook_add_format(wb);
	format_set_num_format(f->integer, "0");
	f->date = workbook_add_format(wb);
	format_set_num_format(f->date, "dd-mm-yyyy");
	f->datetime = workbook_add_format(wb);
	format_set_num_format(f->datetime, "dd-mm-yyyy hh:mm:ss");
	f->percent = workbook_add_format(wb);
	format_set_num_format(f->percent, "0.0");	/* a share in per cent, one decimal */
}

/*
 * Writes the workbook to tmp. 0, -1 a night file that cannot be used
 * (reported), -2 the library failed (reported).
 */
static int write_workbook(const struct stage_ctx *ctx, struct night *n, const char *tmp)
{
	/* constant_memory: each row goes to a temporary file when the next one
	 * starts (rows are written in order, every sheet top down), so memory
	 * does not grow with the rows; strings are written inline, not in a
	 * shared table (the same bytes for the same night all the same). */
	lxw_workbook_options opt = { .constant_memory = LXW_TRUE };
	struct strbuf title = STRBUF_INIT;
	lxw_doc_properties props = { 0 };
	lxw_workbook *wb;
	lxw_worksheet *ov = NULL;
	lxw_error e;
	int rc = 0;
	if (!(wb = workbook_new_opt(tmp, &opt))) {
		log_error("%s: libxlsxwriter cannot create the workbook", tmp);
		return -2;
	}
	strbuf_addf(&title, "%s %s", terms_label("title"), ctx->opts.date);
	props.title = title.buf;
	props.author = "bin/stage-workbook";
	/* The night's date, not now: the same night gives the same bytes. */
	props.created = (time_t)(day_number(ctx->night) * 86400);
	workbook_set_properties(wb, &props);
	make_formats(wb, &n->f);
	/* The overview first: its sheet is added before the reconciliations'. */
	if (!(ov = workbook_add_worksheet(wb, terms_label("overview"))))
		rc = -2;
	for (size_t i = 0; i < n->n && !rc; i++)
		rc = sum_stream(n, &n->r[i], NULL);
	/* A reconciliation without data tonight is one line of the overview. */
	for (size_t i = 0; i < n->n && !rc; i++)
		if (strcmp(n->r[i].status, RECON_NO_DATA))
			rc = recon_sheet(wb, n, &n->r[i]);
	if (!rc)
		rc = overview_sheet(ov, n);
	if (rc == -2)
		log_error("%s: libxlsxwriter refused a cell", tmp);
	if ((e = workbook_close(wb)) && !rc) {
		log_error("%s: %s", tmp, lxw_strerror(e));
		rc = -2;
	}
	strbuf_release(&title);
	return rc;
}

static int record(struct stage_ctx *ctx, const char *sha, const struct night *n)
{
	struct ledger_entry e;
	stage_ledger_entry(ctx, &e, "done", EXIT_DONE);
	xstrlcpy(e.output, sha, sizeof(e.output));
	e.rows_in = n->rows_read;
	e.rows_out = n->n;
	return stage_ledger_commit(ctx, &e);
}

/*
 * Exit: 0 written; 64 a bad conf/terms.conf, conf/report.conf or
 * conf/workbook.conf; 65 a
 * night file it cannot use (file:line:column); 70 internal.
 */
static int workbook_night(struct stage_ctx *ctx)
{
	struct night n = { 0 };
	struct strbuf p = STRBUF_INIT;
	struct atomic_file af;
	char sha[DIGEST_HEXSZ];
	uint64_t size;
	int rc = EXIT_DONE, w;
	conf_sibling(&ctx->conf, "terms.conf", &p);
	if (terms_load(p.buf)) {
		strbuf_release(&p);
		return EXIT_USAGE;
	}
	conf_sibling(&ctx->conf, "workbook.conf", &p);
	if (wb_conf_load(p.buf, &n.conf)) {
		rc = EXIT_USAGE;
		goto out;
	}
	conf_sibling(&ctx->conf, "report.conf", &p);
	if (report_conf_load(p.buf, &n.rconf)) {
		rc = EXIT_USAGE;
		goto out;
	}
	n.night = ctx->night;
	n.nl.outroot = ctx->opts.out;
	n.nl.nightdir = ctx->outdir;
	conf_sibling(&ctx->conf, "reconciliations.conf", &p);
	if (reconconf_load(p.buf, &n.roles)) {
		rc = EXIT_USAGE;
		goto out;
	}
	n.has_roles = 1;
	if (read_night(ctx, &n)) {
		rc = EXIT_BADDATA;
		goto out;
	}
	/* libxlsxwriter writes to a file name: atomic_open()'s temporary in
	 * OUT/DATE (0640; atomic_sweep() removes it if we are killed), which
	 * it truncates and fills; atomic_commit() syncs and renames it. */
	stage_out_path(ctx, "afstemning.xlsx", &p);
	if (atomic_open(&af, p.buf, 0640)) {
		rc = EXIT_INTERNAL;
		goto out;
	}
	w = write_workbook(ctx, &n, af.tmp);
	if (w) {
		atomic_abort(&af);
		rc = w == -1 ? EXIT_BADDATA : EXIT_INTERNAL;
		goto out;
	}
	/* the ledger names the bytes written: read back from the temporary */
	if (digest_file(af.tmp, sha, &size)) {
		log_error("%s: %s", af.tmp, strerror(errno));
		atomic_abort(&af);
		rc = EXIT_INTERNAL;
		goto out;
	}
	if (atomic_commit(&af) || record(ctx, sha, &n)) {
		rc = EXIT_INTERNAL;
		goto out;
	}
	log_info("%s: afstemning.xlsx, %zu reconciliation(s), %lu rows read", ctx->opts.date,
		 n.n, n.rows_read);
out:
	free_night(&n);
	nightlist_ctx_release(&n.nl);
	report_conf_free(&n.rconf);
	terms_unload();
	strbuf_release(&p);
	return rc;
}

/* --help (run/stage.h). */
const struct stage_help stage_help = {
	"Writes OUT/DATE/afstemning.xlsx, the night's workbook for the finance clerk:\n"
	"an overview sheet, then a sheet per reconciliation with its open exceptions,\n"
	"its decided exceptions (decisions/), its summary rows and the lists and\n"
	"rates conf/report.conf gives it; Danish headers (conf/terms.conf, the\n"
	"labels of conf/report.conf), keys and CPR as text, amounts as numbers,\n"
	"dates as dates; CPR masked unless conf/workbook.conf says 'cpr full'.\n",
	"Exit: 0 done, 64 usage or configuration, 65 a night file it cannot use,\n"
	"70 internal error, 75 locked.\n",
};

int main(int argc, char **argv)
{
	struct stage_ctx ctx;
	int rc;
	log_init("stage-workbook");
	if ((rc = stage_init(&ctx, "workbook", argc, argv, 0)))
		return rc;
	rc = workbook_night(&ctx);
	return stage_end(&ctx, rc);
}
