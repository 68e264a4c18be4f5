#include "ingest/nightlist.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/date.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/banned.h"

static int read_table(struct nightlist_ctx *nc, const char *path, struct csvtable *t)
{
	if (csvtable_read(path, NULL, t))
		return -1;
	if (nc->on_file)
		nc->on_file(nc->arg, path);
	return 0;
}

/* The voucher of posting id: vouchers/vouchers.csv's voucher_id whose
 * reference is RULE:ID (post/voucher.h), not a reversal, or "". */
static const char *voucher_of(struct nightlist_ctx *nc, const char *id)
{
	const struct csvtable *v = &nc->vouchers;
	size_t idlen = strlen(id);
	int cref, cid, ckind;
	if (!nc->vouchers_state) {
		struct strbuf p = STRBUF_INIT;
		strbuf_addf(&p, "%s/vouchers/vouchers.csv", nc->nightdir);
		nc->vouchers_state = access(p.buf, R_OK) == 0 &&
				     read_table(nc, p.buf, &nc->vouchers) == 0 ? 1 : -1;
		strbuf_release(&p);
	}
	if (nc->vouchers_state < 0 || !*id)
		return "";
	cref = csvtable_col(v, "reference");
	cid = csvtable_col(v, "voucher_id");
	ckind = csvtable_col(v, "kind");
	for (size_t i = 0; i < v->nrows; i++) {
		const char *ref = csvtable_get(v, i, cref);
		size_t n = strlen(ref);
		if (n > idlen && ref[n - idlen - 1] == ':' && !strcmp(ref + n - idlen, id) &&
		    strcmp(csvtable_get(v, i, ckind), "reversal"))
			return csvtable_get(v, i, cid);
	}
	return "";
}

void nightlist_ctx_release(struct nightlist_ctx *nc)
{
	if (nc->vouchers_state > 0)
		csvtable_free(&nc->vouchers);
	nc->vouchers_state = 0;
}

static int where_holds(const struct list_where *w, int nw, const struct csvtable *t, size_t r)
{
	for (int k = 0; k < nw; k++) {
		const char *v = csvtable_get(t, r, csvtable_col(t, w[k].col));
		int ok = w[k].op == LIST_EQ ? !strcmp(v, w[k].value) :
			 w[k].op == LIST_NE ? strcmp(v, w[k].value) != 0 :
			 !strncmp(v, w[k].value, strlen(w[k].value));
		if (!ok)
			return 0;
	}
	return 1;
}

/* tpl with each {COL} replaced by row r's cell. */
static void fill_template(const char *tpl, const struct csvtable *t, size_t r,
			  struct strbuf *out)
{
	strbuf_reset(out);
	while (*tpl) {
		const char *close;
		if (*tpl == '{' && (close = strchr(tpl, '}'))) {
			char col[128];
			size_t n = (size_t)(close - tpl - 1);
			if (n >= sizeof(col))
				n = sizeof(col) - 1;
			memcpy(col, tpl + 1, n);
			col[n] = '\0';
			strbuf_addstr(out, csvtable_get(t, r, csvtable_col(t, col)));
			tpl = close + 1;
		} else
			strbuf_addch(out, *tpl++);
	}
}

/* The rows of one file of a list (rel: its name under OUT/DATE). */
static int list_rows(struct nightlist_ctx *nc, const struct report_list *l, const char *rel,
		     list_row_fn fn, void *fnarg, money_t *sums, size_t *rows)
{
	struct strbuf p = STRBUF_INIT, *links;
	struct list_cell *cells;
	char (*code)[64];
	struct csvtable t;
	int rc = 0;
	strbuf_addf(&p, "%s/%s", nc->nightdir, rel);
	if (access(p.buf, R_OK)) {
		strbuf_release(&p);
		return 0;
	}
	if (read_table(nc, p.buf, &t)) {
		strbuf_release(&p);
		return -1;
	}
	cells = xcalloc((size_t)l->ncols, sizeof(*cells));
	links = xcalloc((size_t)l->ncols, sizeof(*links));
	code = xcalloc((size_t)l->ncols, sizeof(*code));
	for (int c = 0; c < l->ncols; c++)
		strbuf_init(&links[c]);
	for (size_t r = 0; r < t.nrows && !rc; r++) {
		if (!where_holds(l->where, l->nwhere, &t, r))
			continue;
		for (int c = 0; c < l->ncols && !rc; c++) {
			const char *col = l->cols[c].col;
			struct list_cell *x = &cells[c];
			memset(x, 0, sizeof(*x));
			x->kind = LCELL_TEXT;
			if (l->cols[c].money) {
				int k = csvtable_col(&t, col);
				const char *s = csvtable_get(&t, r, k), *why;
				if (!*s) {
					x->kind = LCELL_BLANK;
				} else if (money_parse(s, strlen(s), 0, &x->ore, &why)) {
					log_input(p.buf, t.lines[r], (unsigned)k + 1, "amount '%s': %s",
						  s, why);
					rc = -1;
				} else {
					x->kind = LCELL_MONEY;
					sums[c] += l->cols[c].money == 2 ? x->ore : 0;
				}
			} else if (!strcmp(col, "@code")) {
				csv_reason_code(csvtable_get(&t, r, csvtable_col(&t, "reason")),
						code[c], sizeof(code[c]));
				x->text = code[c];
			} else if (!strcmp(col, "@voucher")) {
				x->text = voucher_of(nc, csvtable_get(&t, r, csvtable_col(&t, "id")));
			} else if (!strcmp(col, "@file") || !strncmp(col, "link:", 5)) {
				const char *base;
				if (*col == '@') {
					strbuf_reset(&links[c]);
					strbuf_addstr(&links[c], rel);
				} else
					fill_template(col + 5, &t, r, &links[c]);
				base = strrchr(links[c].buf, '/');
				x->kind = LCELL_LINK;
				x->text = links[c].buf;
				x->label = base ? base + 1 : links[c].buf;
			} else {
				const char *s = csvtable_get(&t, r, csvtable_col(&t, col));
				x->text = s;
				x->wide = strlen(s) > 40;
			}
		}
		if (!rc) {
			(*rows)++;
			rc = fn ? fn(fnarg, cells, l->ncols) : 0;
		}
	}
	for (int c = 0; c < l->ncols; c++)
		strbuf_release(&links[c]);
	free(links);
	free(cells);
	free(code);
	csvtable_free(&t);
	strbuf_release(&p);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int nightlist_eval(struct nightlist_ctx *nc, const struct report_list *l, list_row_fn fn,
		   void *fnarg, money_t *sums, size_t *rows)
{
	size_t len = strlen(l->from);
	struct strbuf p = STRBUF_INIT;
	char **names = NULL;
	size_t n = 0;
	int rc = 0;
	DIR *d;
	struct dirent *e;
	if (l->from[len - 1] != '/')
		return list_rows(nc, l, l->from, fn, fnarg, sums, rows);
	/* DIR/: every .csv file of it, in name order */
	strbuf_addf(&p, "%s/%s", nc->nightdir, l->from);
	if ((d = opendir(p.buf))) {
		while ((e = readdir(d))) {
			size_t k = strlen(e->d_name);
			if (e->d_name[0] == '.' || strstr(e->d_name, ".tmp.") || k <= 4 ||
			    strcmp(e->d_name + k - 4, ".csv"))
				continue;
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xstrdup(e->d_name);
		}
		closedir(d);
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n && !rc; i++) {
		strbuf_reset(&p);
		strbuf_addf(&p, "%s%s", l->from, names[i]);
		if (nc->on_name)
			nc->on_name(nc->arg, p.buf);
		rc = list_rows(nc, l, p.buf, fn, fnarg, sums, rows);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	strbuf_release(&p);
	return rc;
}

struct rate_row {
	char *key;	/* "g:ID" or "b:ID": a row of good or bad, once */
	char *by;
	int bad;
};

static int cmp_rate_row(const void *a, const void *b)
{
	return strcmp(((const struct rate_row *)a)->key, ((const struct rate_row *)b)->key);
}

static int cmp_rate_count(const void *a, const void *b)
{
	const struct rate_count *x = a, *y = b;
	if (x->bad != y->bad)
		return x->bad > y->bad ? -1 : 1;
	return strcmp(x->by, y->by);
}

/* The rows of one night's file for a rate (rate's window: from < first_seen <= to). */
static int rate_read(struct nightlist_ctx *nc, const struct report_rate *rt, int32_t day,
		     int bad, int64_t from, struct rate_row **v, size_t *n)
{
	struct strbuf p = STRBUF_INIT;
	struct csvtable t;
	char d[DATE_BUFSZ];
	strbuf_addf(&p, "%s/%s/%s", nc->outroot, day_format(day, d), bad ? rt->bad : rt->good);
	if (access(p.buf, R_OK)) {
		strbuf_release(&p);
		return 0;
	}
	if (read_table(nc, p.buf, &t)) {
		strbuf_release(&p);
		return -1;
	}
	for (size_t r = 0; r < t.nrows; r++) {
		int32_t fs;
		struct strbuf key = STRBUF_INIT;
		if (bad && !where_holds(rt->where, rt->nwhere, &t, r))
			continue;
		if (day_parse_iso(csvtable_get(&t, r, csvtable_col(&t, "first_seen")), &fs))
			fs = day;
		if (day_number(fs) <= from)
			continue;
		strbuf_addf(&key, "%c:%s", bad ? 'b' : 'g', csvtable_get(&t, r, csvtable_col(&t, "id")));
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[*n].key = strbuf_detach(&key);
		(*v)[*n].by = xstrdup(csvtable_get(&t, r, csvtable_col(&t, rt->by)));
		(*v)[(*n)++].bad = bad;
	}
	csvtable_free(&t);
	strbuf_release(&p);
	return 0;
}

int nightrate_eval(struct nightlist_ctx *nc, const struct report_rate *rt, int32_t night,
		   struct rate_count **out, size_t *nout)
{
	struct rate_row *v = NULL;
	struct rate_count *c = NULL;
	size_t n = 0, nc_ = 0;
	int64_t to = day_number(night), from = to - rt->days;
	int rc = 0;
	for (int64_t dn = to; dn > from && !rc; dn--)
		for (int bad = 0; bad < 2 && !rc; bad++)
			rc = rate_read(nc, rt, day_from_number(dn), bad, from, &v, &n);
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_rate_row);
	for (size_t i = 0; !rc && i < n; i++) {
		size_t k;
		if (i && !strcmp(v[i].key, v[i - 1].key))
			continue;	/* listed again on a later night of its month */
		for (k = 0; k < nc_ && strcmp(c[k].by, v[i].by); k++)
			;
		if (k == nc_) {
			c = xrealloc(c, (nc_ + 1) * sizeof(*c));
			c[nc_].by = xstrdup(v[i].by);
			c[nc_].n = c[nc_].bad = 0;
			nc_++;
		}
		c[k].n++;
		c[k].bad += (unsigned long)v[i].bad;
	}
	for (size_t k = 0; k < nc_; k++) {
		unsigned long q = c[k].bad * 1000 / c[k].n, rem = c[k].bad * 1000 % c[k].n;
		c[k].permille = q + (2 * rem >= c[k].n);
	}
	if (nc_ > 1)
		qsort(c, nc_, sizeof(*c), cmp_rate_count);
	for (size_t i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].by);
	}
	free(v);
	if (rc) {
		rate_counts_free(c, nc_);
		c = NULL;
		nc_ = 0;
	}
	*out = c;
	*nout = nc_;
	return rc;
}

void rate_counts_free(struct rate_count *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].by);
	free(c);
}
