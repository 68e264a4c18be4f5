#include "report.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cprkey.h"
#include "core/date.h"
#include "core/ident.h"
#include "core/log.h"
#include "core/money.h"
#include "ingest/csvin.h"
#include "ingest/csvtable.h"
#include "ingest/nightlist.h"
#include "match/openexc.h"
#include "match/reconconf.h"
#include "run/terms.h"
#include "core/banned.h"

struct names {
	char **v;
	size_t n;
};

static void text_cell(struct strbuf *h, const char *s, const char *cls);
static void file_link(struct strbuf *h, const char *rel, const char *label);

enum { GROUP_BREAK, GROUP_EXPLAINED, GROUP_OK, GROUP_NO_DATA };

struct recon_data {
	const char *recon;
	const struct recon_labels *lab;
	const struct recon_def *def;	/* conf/reconciliations.conf, or NULL */
	struct csvtable exc, in, dec;	/* the summary is streamed (sum_each) */
	int has_sum, has_exc, has_in, has_dec;
	unsigned long sum_rows;
	unsigned long ok, explained, breaks, missing;
	int no_data;		/* its one row is INGEN-DATA */
	unsigned long open;	/* open breaks, each counted once */
	money_t open_amount;	/* their amounts, numerically, each krone once */
	char *isopen;		/* per exception row: 1 when it is one of the open */
	unsigned char *state;	/* per exception row: its enum exc_state */
	unsigned long decided;	/* exceptions with a decision row (decisions/RECON.csv) */
	int group;		/* the page's order: GROUP_BREAK ... GROUP_NO_DATA */
	/* worst row: OK, EXPLAINED, BREAK, MANGLER; INGEN-DATA; or NOFILE (no summary) */
	const char *status;
};

void html_escape(struct strbuf *sb, const char *s)
{
	for (;;) {
		size_t n = strcspn(s, "&<>\"'");	/* a run that needs nothing: at once */
		strbuf_add(sb, s, n);
		s += n;
		switch (*s) {
		case '\0': return;
		case '&': strbuf_addstr(sb, "&amp;"); break;
		case '<': strbuf_addstr(sb, "&lt;"); break;
		case '>': strbuf_addstr(sb, "&gt;"); break;
		case '"': strbuf_addstr(sb, "&quot;"); break;
		default: strbuf_addstr(sb, "&#39;"); break;
		}
		s++;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void names_add(struct names *n, const char *s)
{
	for (size_t i = 0; i < n->n; i++)
		if (!strcmp(n->v[i], s))
			return;
	n->v = xrealloc(n->v, (n->n + 1) * sizeof(*n->v));
	n->v[n->n++] = xstrdup(s);
}

static void names_free(struct names *n)
{
	for (size_t i = 0; i < n->n; i++)
		free(n->v[i]);
	free(n->v);
	n->v = NULL;
	n->n = 0;
}

/* Regular files of dir (suffix kept or, with strip, ".csv" files without
 * it), sorted; a missing dir lists nothing. */
static void list_dir(const char *dir, int strip_csv, struct names *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || strstr(e->d_name, ".tmp."))
			continue;
		if (strip_csv) {
			if (len <= 4 || strcmp(e->d_name + len - 4, ".csv"))
				continue;
			e->d_name[len - 4] = '\0';
		}
		names_add(out, e->d_name);
	}
	closedir(d);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
}

static int cell_money(const struct csvtable *t, size_t r, int col, const char *path,
		      money_t *v)
{
	const char *s = csvtable_get(t, r, col), *why;
	if (money_parse(s, strlen(s), 0, v, &why)) {
		log_input(path, t->lines[r], (unsigned)col + 1, "amount '%s': %s", s, why);
		return -1;
	}
	return 0;
}

/* The page so far goes out (out.fp, out.dg) once it holds this much. */
enum { PAGE_FLUSH = 1 << 16 };

/* Writes what the page holds to out and empties it (force 0: only when it
 * holds PAGE_FLUSH bytes). Only between rows: a row may still edit its tail. */
static void page_flush(struct strbuf *h, struct report_out *out, int force)
{
	if (!h->len || (!force && h->len < PAGE_FLUSH))
		return;
	fwrite(h->buf, 1, h->len, out->fp);
	digest_update(out->dg, h->buf, h->len);
	strbuf_reset(h);
}

/*
 * A night file streamed row by row (csvin, as csvtable reads it) with its
 * header's names: the summary has a row per key (a recipient, a CPR),
 * hundreds of thousands on a large night, so it is never held whole.
 */
struct stream {
	char **head;
	size_t ncols;
	int (*fn)(struct stream *k, const struct csv_row *row);
	void *arg;
};

static int on_stream_row(const struct csv_row *row, void *data)
{
	struct stream *k = data;
	if (k->head)
		return k->fn(k, row);
	k->ncols = row->nfields;
	k->head = xcalloc(k->ncols + 1, sizeof(*k->head));
	for (size_t c = 0; c < k->ncols; c++)
		k->head[c] = xstrdup(row->fields[c].ptr);
	return 0;
}

/* Calls fn(k, row) per data row of path. 0, -1 reported, or fn's value. */
static int stream_file(const char *path, int (*fn)(struct stream *, const struct csv_row *),
		       void *arg)
{
	struct csvin_opts o = { .delimiter = ';', .encoding = CSVIN_UTF8 };
	struct stream k = { NULL, 0, fn, arg };
	int rc = csvin_read(path, &o, on_stream_row, &k, NULL);
	for (size_t c = 0; c < k.ncols; c++)
		free(k.head[c]);
	free(k.head);
	return rc;
}

static void money_cell(struct strbuf *h, money_t v)
{
	char b[MONEY_BUFSZ];
	/* a cell per amount of every summary row: pieces, not a format */
	strbuf_addstr(h, v < 0 ? "<td class=\"num neg\">" : "<td class=\"num\">");
	strbuf_addstr(h, money_format_grouped(v, b));
	strbuf_addstr(h, "</td>");
}

/* A header cell with a label of the report's own (a column of a night
 * file takes its name from conf/terms.conf: term_th()). */
static void th(struct strbuf *h, const char *label)
{
	strbuf_addstr(h, "<th>");
	html_escape(h, label);
	strbuf_addstr(h, "</th>");
}

static const char *status_class(const char *st)
{
	if (!strcmp(st, "OK"))
		return "st-ok";
	if (!strcmp(st, "EXPLAINED"))
		return "st-explained";
	if (!strcmp(st, "BREAK"))
		return "st-break";
	return "st-missing";
}

/* The clerk's word for a status: conf/terms.conf (run/terms.h). */
static const char *status_text(const char *st)
{
	if (strcmp(st, "OK") && strcmp(st, "EXPLAINED") && strcmp(st, "BREAK") &&
	    strcmp(st, RECON_NO_DATA) && strcmp(st, "NOFILE"))
		st = RECON_MISSING;
	return terms_status(st);
}

/* OK < EXPLAINED < BREAK < MANGLER: a reconciliation shows its worst row. */
static int status_rank(const char *st)
{
	static const char *const order[] = { "OK", "EXPLAINED", "BREAK", "MANGLER" };
	for (int i = 0; i < 4; i++)
		if (!strcmp(order[i], st))
			return i;
	return 3;
}

/* The row of id in a decisions file (OUT/DATE/decisions/RECON.csv, written
 * by the matching stages: id;decision;by;at;note;decided_amount;amount;
 * review), or -1. */
static long dec_find(const struct csvtable *dec, const char *id)
{
	int cid = dec ? csvtable_col(dec, "id") : -1;
	size_t lo = 0, hi = dec ? dec->nrows : 0;
	while (*id && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(csvtable_get(dec, mid, cid), id);
		if (!c)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/*
 * The row of id's decision when it is one to show apart, or -1: genaabnet
 * opens the exception again (no decision any more: it stands among the
 * open ones, flagged, as the workbook and `exceptions --decided` have it);
 * a beloeb-aendret one is shown apart too, flagged, and still open.
 */
static long dec_standing(const struct csvtable *dec, const char *id)
{
	long k = dec_find(dec, id);
	if (k >= 0 && !strcmp(csvtable_get(dec, (size_t)k, csvtable_col(dec, "decision")),
			      "genaabnet"))
		return -1;
	return k;
}

/* Sorts t's rows by its id column, so dec_find() can search it (the
 * decisions files are written sorted; this keeps the report right if one
 * is not). */
struct id_row {
	char **row;
	unsigned long line;
};
static int id_col_sort;
static int cmp_id_row(const void *a, const void *b)
{
	const struct id_row *x = a, *y = b;
	return strcmp(x->row[id_col_sort], y->row[id_col_sort]);
}
static void sort_by_id(struct csvtable *t)
{
	struct id_row *v;
	int cid = csvtable_col(t, "id");
	if (cid < 0 || t->nrows < 2)
		return;
	v = xcalloc(t->nrows, sizeof(*v));
	for (size_t i = 0; i < t->nrows; i++) {
		v[i].row = t->rows[i];
		v[i].line = t->lines[i];
	}
	id_col_sort = cid;
	qsort(v, t->nrows, sizeof(*v), cmp_id_row);
	for (size_t i = 0; i < t->nrows; i++) {
		t->rows[i] = v[i].row;
		t->lines[i] = v[i].line;
	}
	free(v);
}

/*
 * The overview's one level: the exceptions, open or not by the one rule
 * (match/openexc.h) with tonight's decisions (dec, or NULL). isopen (or
 * NULL) gets 1 for each open row, state (or NULL) each row's state.
 */
static int open_rows(const struct csvtable *t, const struct recon_def *def,
		     const struct csvtable *dec, const char *path, char *isopen,
		     unsigned char *state, unsigned long *n, money_t *amount)
{
	unsigned char *decided = xcalloc(t->nrows + 1, 1), *st = xcalloc(t->nrows + 1, 1);
	int rc;
	exc_decided_from_file(t, dec, decided);
	rc = exc_states(def, t, decided, path, st, n, amount);
	for (size_t r = 0; !rc && r < t->nrows; r++) {
		if (isopen)
			isopen[r] = st[r] == EXC_OPEN;
		if (state)
			state[r] = st[r];
	}
	free(decided);
	free(st);
	return rc;
}

/* Reads a night file into t and adds its SHA-256 to the input digest. */
static int read_table(const char *path, struct csvtable *t, struct digest_ctx *in)
{
	char hex[DIGEST_HEXSZ];
	uint64_t size;
	if (csvtable_read(path, NULL, t))
		return -1;
	if (digest_file(path, hex, &size) == 0)
		digest_update(in, hex, 64);
	return 0;
}

/* The overview's counts of a summary, row by row. */
struct sum_count {
	struct recon_data *r;
	int worst;
	int cst, ckey;		/* -2 until the first row */
};

static int count_row(struct stream *k, const struct csv_row *row)
{
	struct sum_count *c = k->arg;
	struct recon_data *r = c->r;
	const char *s;
	if (c->cst == -2) {
		c->cst = csvhead_col(k->head, k->ncols, "status");
		c->ckey = csvhead_col(k->head, k->ncols, "key");
	}
	s = csvrow_get(row, c->cst);
	r->ok += !strcmp(s, "OK");
	r->explained += !strcmp(s, "EXPLAINED");
	r->breaks += !strcmp(s, "BREAK");
	r->missing += !strcmp(s, "MANGLER");
	r->no_data |= !strcmp(csvrow_get(row, c->ckey), RECON_NO_DATA);
	if (status_rank(s) > c->worst)
		c->worst = status_rank(s);
	r->sum_rows++;
	return 0;
}

static int read_recon(const char *nightdir, struct recon_data *r, struct report_stats *st,
		      struct digest_ctx *in)
{
	struct strbuf p = STRBUF_INIT;
	struct stat sb;
	int rc = 0, worst = -1;
	strbuf_addf(&p, "%s/summary/%s.csv", nightdir, r->recon);
	if (stat(p.buf, &sb) == 0) {
		struct sum_count c = { r, -1, -2, -2 };
		char hex[DIGEST_HEXSZ];
		uint64_t size;
		if ((rc = stream_file(p.buf, count_row, &c)) == 0) {
			r->has_sum = 1;
			if (digest_file(p.buf, hex, &size) == 0)
				digest_update(in, hex, 64);
		}
		worst = c.worst;
	}
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/decisions/%s.csv", nightdir, r->recon);
	if (!rc && stat(p.buf, &sb) == 0 && (rc = read_table(p.buf, &r->dec, in)) == 0) {
		r->has_dec = 1;
		sort_by_id(&r->dec);
	}
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/exceptions/%s.csv", nightdir, r->recon);
	if (!rc && stat(p.buf, &sb) == 0 && (rc = read_table(p.buf, &r->exc, in)) == 0)
		r->has_exc = 1;
	if (!rc && r->has_exc) {
		int cid = csvtable_col(&r->exc, "id");
		r->isopen = xcalloc(r->exc.nrows + 1, 1);
		r->state = xcalloc(r->exc.nrows + 1, 1);
		rc = open_rows(&r->exc, r->def, r->has_dec ? &r->dec : NULL, p.buf, r->isopen,
			       r->state, &r->open, &r->open_amount);
		for (size_t i = 0; r->has_dec && i < r->exc.nrows; i++)
			r->decided += dec_standing(&r->dec, csvtable_get(&r->exc, i, cid)) >= 0;
	}
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/inputs/%s.csv", nightdir, r->recon);
	if (!rc && stat(p.buf, &sb) == 0 && (rc = read_table(p.buf, &r->in, in)) == 0)
		r->has_in = 1;
	st->rows_read += r->sum_rows + (r->has_exc ? r->exc.nrows : 0);
	if (!r->has_sum)
		r->status = "NOFILE";
	else if (r->no_data)
		r->status = RECON_NO_DATA;
	else
		r->status = worst < 0 ? "OK" : worst == 0 ? "OK" : worst == 1 ? "EXPLAINED" :
			    worst == 2 ? "BREAK" : "MANGLER";
	/* the page's order: open breaks (or rows we do not know), explained, OK, no data */
	if (!r->has_sum || r->no_data)
		r->group = GROUP_NO_DATA;
	else if (r->open || worst >= 2)
		r->group = GROUP_BREAK;
	else
		r->group = worst == 1 || (r->has_exc && r->exc.nrows) ? GROUP_EXPLAINED : GROUP_OK;
	strbuf_release(&p);
	return rc;
}

static const char css[] =
	"body{font:15px/1.45 system-ui,'Segoe UI',Arial,sans-serif;color:#1b1b1b;"
	"margin:0 auto;max-width:1100px;padding:1.2em}"
	"h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.25em;margin:1.6em 0 .4em;"
	"border-bottom:2px solid #ccc;padding-bottom:.2em}h3{font-size:1.05em;margin:1em 0 .3em}"
	"table{border-collapse:collapse;margin:.4em 0 1em;font-variant-numeric:tabular-nums}"
	"caption{text-align:left;font-weight:600;padding:.2em 0}"
	"th,td{border:1px solid #bbb;padding:.25em .6em;vertical-align:top}"
	"th{background:#eef1f4;text-align:left}td.num{text-align:right;white-space:nowrap}"
	"td.neg{color:#a00}td.nw{white-space:nowrap}svg{max-width:100%;height:auto}tr.total td{font-weight:700;border-top:2px solid #555}"
	".badge{display:inline-block;padding:.1em .6em;border-radius:.8em;font-size:.85em;"
	"font-weight:600;border:1px solid}"
	".st-ok{background:#e3f4e1}.badge.st-ok{color:#1d6b1a;border-color:#1d6b1a}"
	".st-explained{background:#fff4d6}.badge.st-explained{color:#7a5800;border-color:#7a5800}"
	".st-break{background:#fbe0e0}.badge.st-break{color:#9b1111;border-color:#9b1111}"
	".st-missing{background:#eee}.badge.st-missing{color:#555;border-color:#555}"
	"td.st{font-weight:600;white-space:nowrap}.files a{margin-right:1em}"
	"figure{margin:.5em 0 1.5em}figcaption{font-size:.9em;color:#444}"
	".note{color:#444;font-size:.92em}"
	"td.reason{min-width:18em}"
	".flag{font-weight:700;color:#9b1111}tr.review td{background:#fbe0e0}"
	"tr.nodata td{color:#555}.print{display:none}"
	"@page{size:A4 landscape;margin:10mm}"
	"@media print{body{max-width:none;padding:0;font-size:8pt;line-height:1.25}"
	"th,td{padding:0 .3em}h1{font-size:13pt}h2{font-size:10.5pt;margin:.8em 0 .2em}"
	"h3{font-size:9pt;margin:.5em 0 .1em}table{margin:.2em 0 .5em}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
	"tr,figure{break-inside:avoid}h2,h3,caption{break-after:avoid}"
	"figure{margin:.1em 0 .3em}figure.trend svg{width:105mm}figcaption{font-size:7pt}"
	"figure.trend{float:right;width:105mm;margin:0 0 .3em 4mm}table.summary tr.ok{display:none}"
	"table.breaks,table.list,table.decided,h3,section.recon,section#intake,section#files"
	"{clear:both}section.inorder table#reports{display:none}"
	"p{margin:.2em 0}section#intake table{display:inline-table;vertical-align:top;"
	"margin-right:4mm}"
	"td.reason{min-width:0;font-size:7pt}p.note{font-size:7pt;margin:.2em 0}"
	"table.breaks tbody tr:not(.st-break){display:none}.print{display:block}"
	"a{color:inherit;text-decoration:none}"
	".files a::after{content:' (' attr(href) ')';font-size:.85em}}";

static void render_head(struct strbuf *h, const char *day)
{
	strbuf_addstr(h, "<!DOCTYPE html>\n<html lang=\"da\">\n<head>\n<meta charset=\"utf-8\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
	strbuf_addf(h, "<title>Afstemning %s</title>\n<style>", day);
	strbuf_addstr(h, css);
	strbuf_addstr(h, "</style>\n</head>\n<body>\n<header>\n");
	strbuf_addf(h, "<h1>Nattens afstemning %s</h1>\n", day);
	strbuf_addf(h, "<p class=\"note\">Beløb i kr. Status: <span class=\"badge st-ok\">%s"
		    "</span> <span class=\"badge st-explained\">%s</span> forskel "
		    "forklaret af afviste linjer eller en beslutning, <span class=\"badge "
		    "st-break\">%s</span> uforklaret forskel eller åbne afvigelser. CPR-numre er "
		    "maskeret; de fulde rækker står i afvigelsesfilerne.</p>\n</header>\n",
		    status_text("OK"), status_text("EXPLAINED"), status_text("BREAK"));
}

static const char *title_of(const struct recon_data *r)
{
	return *r->lab->title ? r->lab->title : r->recon;
}

/* One line per reconciliation, in the page's order (ord): its worst row,
 * the rows by status, what is open. */
static void render_overview(struct strbuf *h, const struct recon_data *r, const size_t *ord,
			    size_t n)
{
	char b[MONEY_BUFSZ];
	strbuf_addstr(h, "<table id=\"overview\">\n<caption>Overblik</caption>\n<thead><tr>");
	th(h, "Afstemning");
	th(h, "Status");
	th(h, "OK");
	th(h, "Forklaret");
	th(h, "Afvigelse");
	th(h, "Mangler data");
	th(h, "Åbne afvigelser");
	th(h, "Beløb åbne (numerisk)");
	strbuf_addstr(h, "</tr></thead>\n<tbody>\n");
	for (size_t k = 0; k < n; k++) {
		const struct recon_data *x = &r[ord[k]];
		/* one without data tonight is this one line: no section to link to */
		if (x->group == GROUP_NO_DATA)
			strbuf_addf(h, "<tr id=\"recon-%s\" class=\"nodata\"><td><a>", x->recon);
		else
			strbuf_addf(h, "<tr><td><a href=\"#recon-%s\">", x->recon);
		html_escape(h, title_of(x));
		strbuf_addf(h, "</a></td><td class=\"st %s\">%s</td>", status_class(x->status),
			    status_text(x->status));
		strbuf_addf(h, "<td class=\"num\">%lu</td><td class=\"num\">%lu</td>"
			    "<td class=\"num\">%lu</td><td class=\"num\">%lu</td>"
			    "<td class=\"num\">%lu</td>", x->ok, x->explained, x->breaks,
			    x->no_data ? 0 : x->missing, x->open);
		strbuf_addf(h, "<td class=\"num\">%s</td></tr>\n",
			    money_format_grouped(x->open_amount, b));
	}
	if (!n)
		strbuf_addstr(h, "<tr><td colspan=\"8\">Ingen afstemninger denne nat.</td></tr>\n");
	strbuf_addstr(h, "</tbody>\n</table>\n<p class=\"note\">Rækkefølge: åbne afvigelser efter "
		      "beløb (største først), så forklarede, så OK, til sidst dem uden data i nat "
		      "(én linje hver; hvilke rapporter de mangler står under Nattens modtagelse). "
		      "Åbne afvigelser tæller hver "
		      "krone én gang, på afvigelsernes niveau: en afvigelse der forklarer sin "
		      "række (f.eks. renter med forslag til bilag, en faktura KY har afvist) eller "
		      "som en beslutning forklarer, er ikke åben, og en detalje (en persons "
		      "forskel under feltets uforklarede rest, en kontos forskel under TOTAL) "
		      "tælles i den afvigelse den er en del af (conf/reconciliations.conf).</p>\n");
}

/* A list of distinct words, each with a count or the places it was seen. */
struct tally {
	char **word;
	struct strbuf *what;
	unsigned long *count;
	size_t n;
};

static size_t tally_at(struct tally *t, const char *word)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->word[i], word))
			return i;
	t->word = xrealloc(t->word, (t->n + 1) * sizeof(*t->word));
	t->what = xrealloc(t->what, (t->n + 1) * sizeof(*t->what));
	t->count = xrealloc(t->count, (t->n + 1) * sizeof(*t->count));
	t->word[t->n] = xstrdup(word);
	strbuf_init(&t->what[t->n]);
	t->count[t->n] = 0;
	return t->n++;
}

static void tally_free(struct tally *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->word[i]);
		strbuf_release(&t->what[i]);
	}
	free(t->word);
	free(t->what);
	free(t->count);
	memset(t, 0, sizeof(*t));
}

/* Per reconciliation: the reports it had (files) and the required ones missing (where). */
static void render_reports(struct strbuf *h, const struct recon_data *recons,
			   const size_t *ord, size_t n)
{
	strbuf_addstr(h, "<table id=\"reports\">\n<caption>Rapporter pr. afstemning "
		      "(inputs/)</caption>\n<thead><tr><th>Afstemning</th><th>Modtaget</th>"
		      "<th>Mangler</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < n; i++) {
		const struct recon_data *r = &recons[ord[i]];
		const struct csvtable *t = &r->in;
		struct tally had = { 0 }, miss = { 0 };
		int cl = csvtable_col(t, "report"), cst = csvtable_col(t, "state");
		int cn = csvtable_col(t, "need"), cse = csvtable_col(t, "se");
		int cm = csvtable_col(t, "month"), cf = csvtable_col(t, "file");
		int cnight = csvtable_col(t, "night");
		for (size_t k = 0; r->has_in && k < t->nrows; k++) {
			const char *label = csvtable_get(t, k, cl), *se = csvtable_get(t, k, cse);
			struct strbuf file = STRBUF_INIT;
			size_t at;
			if (!strcmp(csvtable_get(t, k, cst), "had")) {
				at = tally_at(&had, label);
				strbuf_addf(&file, "|%s@%s|", csvtable_get(t, k, cf),
					    csvtable_get(t, k, cnight));
				if (!strstr(strbuf_str(&had.what[at]), file.buf)) {
					strbuf_add(&had.what[at], file.buf, file.len);
					had.count[at]++;
				}
			} else if (!strcmp(csvtable_get(t, k, cn), "required")) {
				at = tally_at(&miss, label);
				strbuf_addf(&miss.what[at], "%s%s %s", miss.what[at].len ? ", " : "",
					    *se ? se : "alle SE", csvtable_get(t, k, cm));
			}
			strbuf_release(&file);
		}
		strbuf_addf(h, "<tr><td><a href=\"#recon-%s\">", r->recon);
		html_escape(h, title_of(r));
		strbuf_addstr(h, "</a></td><td>");
		for (size_t k = 0; k < had.n; k++) {
			strbuf_addstr(h, k ? "; " : "");
			html_escape(h, had.word[k]);
			strbuf_addf(h, " (%lu fil%s)", had.count[k], had.count[k] == 1 ? "" : "er");
		}
		strbuf_addf(h, "%s</td><td%s>", had.n ? "" : "Intet",
			    miss.n ? " class=\"st st-missing\"" : "");
		for (size_t k = 0; k < miss.n; k++) {
			strbuf_addstr(h, k ? "; " : "");
			html_escape(h, miss.word[k]);
			strbuf_addstr(h, ": ");
			html_escape(h, strbuf_str(&miss.what[k]));
		}
		strbuf_addstr(h, miss.n ? "</td></tr>\n" : "–</td></tr>\n");
		tally_free(&had);
		tally_free(&miss);
	}
	strbuf_addstr(h, "</tbody>\n</table>\n");
}

/* What the night's sources offered (OUT/DATE/sources.csv, written by fetch). */
static int render_sources(struct strbuf *h, const char *nightdir, struct digest_ctx *in,
			  struct report_stats *st)
{
	struct strbuf p = STRBUF_INIT;
	struct csvtable t;
	int rc = 0;
	strbuf_addf(&p, "%s/sources.csv", nightdir);
	strbuf_addstr(h, "<table id=\"sources\">\n<caption>Kilder (sources.csv)</caption>\n"
		      "<thead><tr><th>Kilde</th><th>Mappe</th><th>Status</th><th>Filer</th>"
		      "<th>Note</th></tr></thead>\n<tbody>\n");
	if (access(p.buf, R_OK)) {
		strbuf_addstr(h, "<tr><td colspan=\"5\">fetch har ikke skrevet sources.csv "
			      "denne nat.</td></tr>\n");
		st->no_sources = 1;
	} else if ((rc = read_table(p.buf, &t, in)) == 0) {
		for (size_t r = 0; r < t.nrows; r++) {
			int up = !strcmp(csvtable_get(&t, r, csvtable_col(&t, "state")), "reached");
			st->unreachable += !up;
			st->files += strtoul(csvtable_get(&t, r, csvtable_col(&t, "files")), NULL, 10);
			strbuf_addstr(h, "<tr>");
			text_cell(h, csvtable_get(&t, r, csvtable_col(&t, "source")), "nw");
			text_cell(h, csvtable_get(&t, r, csvtable_col(&t, "into")), "nw");
			strbuf_addf(h, "<td class=\"st %s\">%s</td>", up ? "st-ok" : "st-break",
				    up ? "nået" : "kunne ikke nås");
			strbuf_addstr(h, "<td class=\"num\">");
			html_escape(h, csvtable_get(&t, r, csvtable_col(&t, "files")));
			strbuf_addstr(h, "</td>");
			text_cell(h, csvtable_get(&t, r, csvtable_col(&t, "note")), "reason");
			strbuf_addstr(h, "</tr>\n");
		}
		if (!t.nrows)
			strbuf_addstr(h, "<tr><td colspan=\"5\">Ingen kilder.</td></tr>\n");
		csvtable_free(&t);
	}
	strbuf_addstr(h, "</tbody>\n</table>\n");
	strbuf_release(&p);
	return rc;
}

/* Rejected input rows: a count per rejected/ file, with its link. */
static int render_rejected(struct strbuf *h, const char *nightdir, struct digest_ctx *in,
			   struct report_stats *st)
{
	struct strbuf p = STRBUF_INIT;
	struct names n = { NULL, 0 };
	int rc = 0;
	strbuf_addf(&p, "%s/rejected", nightdir);
	list_dir(p.buf, 0, &n);
	strbuf_addstr(h, "<table id=\"rejected\">\n<caption>Afviste inputrækker "
		      "(rejected/)</caption>\n<thead><tr><th>Fil</th><th>Rækker</th></tr>"
		      "</thead>\n<tbody>\n");
	for (size_t i = 0; i < n.n && !rc; i++) {
		struct csvtable t;
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/rejected/%s", nightdir, n.v[i]);
		if ((rc = read_table(p.buf, &t, in)))
			break;
		st->rejected += t.nrows;
		st->rejected_files++;
		strbuf_reset(&p);
		strbuf_addf(&p, "rejected/%s", n.v[i]);
		strbuf_addstr(h, "<tr class=\"st-break\"><td>");
		file_link(h, p.buf, n.v[i]);
		strbuf_addf(h, "</td><td class=\"num\">%zu</td></tr>\n", t.nrows);
		csvtable_free(&t);
	}
	if (!n.n)
		strbuf_addstr(h, "<tr><td colspan=\"2\">Ingen afviste rækker.</td></tr>\n");
	strbuf_addstr(h, "</tbody>\n</table>\n");
	names_free(&n);
	strbuf_release(&p);
	return rc;
}

/*
 * The night's verdict on its inputs, the exit code of README's rule:
 * 69 a source could not be reached, 65 input rows were rejected, 66
 * reports are missing (a summary row MANGLER) or nothing came at all
 * (every reconciliation has no data: an empty night), else 0. A conf
 * that runs no reconciliation (reconciliations.conf names none, as a
 * partition that only loads files) has no empty night to report.
 */
static int verdict(const struct recon_data *r, size_t n, struct report_stats *st)
{
	size_t nodata = 0;
	for (size_t i = 0; i < n; i++) {
		nodata += r[i].no_data || !r[i].has_sum;
		st->missing_rows += r[i].no_data ? 0 : r[i].missing;
	}
	st->empty = n && nodata == n;
	if (st->unreachable)
		return 69;
	if (st->rejected)
		return 65;
	return st->missing_rows || st->empty ? 66 : 0;
}

static void render_verdict(struct strbuf *h, const struct report_stats *st)
{
	const char *cls = st->verdict ? "st-break" : "st-ok";
	strbuf_addf(h, "<p id=\"verdict\" class=\"badge %s\">", cls);
	if (!st->verdict && !st->unreachable && !st->rejected && !st->missing_rows &&
	    !st->empty) {
		strbuf_addf(h, "Alt modtaget: %lu fil(er), ingen afviste rækker, ingen manglende "
			    "rapporter.</p>\n", st->files);
		return;
	}
	strbuf_addstr(h, "Nattens input er ikke i orden:");
	if (st->unreachable)
		strbuf_addf(h, " %lu kilde(r) kunne ikke nås;", st->unreachable);
	if (st->rejected)
		strbuf_addf(h, " %lu afviste inputrække(r) i %lu fil(er);", st->rejected,
			    st->rejected_files);
	if (st->missing_rows)
		strbuf_addf(h, " %lu afstemningsrække(r) mangler data;", st->missing_rows);
	if (st->empty)
		strbuf_addstr(h, " ingen afstemning fik data i nat (en tom nat);");
	if (st->expected_missing)
		strbuf_addstr(h, " en afstemning der havde data før, har ingen i nat;");
	strbuf_addf(h, " afslutningskode %d.</p>\n", st->verdict);
}

/* A column's header cell, its name from conf/terms.conf. */
static void term_th(struct strbuf *h, const char *file, const char *name)
{
	strbuf_addstr(h, "<th>");
	html_escape(h, terms_column_name(file, name));
	strbuf_addstr(h, "</th>");
}

static void sum_header(struct strbuf *h, const struct recon_data *r, const char *se,
		       const char *month)
{
	const struct recon_labels *l = r->lab;
	strbuf_addstr(h, "<table class=\"summary\">\n<caption>SE ");
	html_escape(h, se);
	strbuf_addstr(h, ", ");
	html_escape(h, month);
	strbuf_addstr(h, "</caption>\n<thead><tr>");
	th(h, l->key);
	th(h, l->left);
	th(h, l->right);
	term_th(h, "summary", "difference");
	th(h, l->explained);
	term_th(h, "summary", "unexplained");
	term_th(h, "summary", "status");
	strbuf_addstr(h, "</tr></thead>\n<tbody>\n");
}

/* The statuses a summary row has, in the order of row_class[] and of
 * struct sum_render's words. */
static const char *const row_status[] = { "OK", "EXPLAINED", "BREAK", RECON_MISSING };
static const char *const row_class[] = { "st-ok", "st-explained", "st-break", "st-missing" };
enum { NROW_STATUS = 4 };

/* A summary being written, one table per SE and month. */
struct sum_render {
	struct strbuf *h;
	struct report_out *out;
	const struct recon_data *r;
	const char *path;
	struct strbuf se, mo;	/* the table's */
	unsigned long n;
	int cse, cmo, ckey, cst, camount[5];	/* -2 until the first row */
	/* conf/terms.conf's word for each of row_status[], looked up at the
	 * first row: a summary has a row per key, the table is scanned */
	const char *word[NROW_STATUS];
};

static const char *const sum_amounts[] = { "left", "right", "difference", "explained",
					   "unexplained" };

static int sum_row(struct sum_render *w, const struct csv_row *row)
{
	struct strbuf *h = w->h;
	const char *key = csvrow_get(row, w->ckey);
	const char *st = csvrow_get(row, w->cst);
	int total = !strcmp(key, "TOTAL"), ix = 0;
	char mask[CPR_MASKSZ];
	while (ix < NROW_STATUS && strcmp(st, row_status[ix]))
		ix++;
	strbuf_addstr(h, total ? "<tr class=\"total\"><td>" :
		      ix == 0 ? "<tr class=\"ok\"><td>" : "<tr><td>");
	html_escape(h, total ? "I alt" : key_masked(key, mask));
	strbuf_addstr(h, "</td>");
	for (size_t k = 0; k < 5; k++) {
		money_t v;
		int col = w->camount[k];
		const char *s = csvrow_get(row, col), *why;
		if (!*s && ix == 3) {
			strbuf_addstr(h, "<td class=\"num\">–</td>");	/* its report is missing */
			continue;
		}
		if (money_parse(s, strlen(s), 0, &v, &why)) {
			log_input(w->path, row->line, (unsigned)col + 1, "amount '%s': %s", s, why);
			return -1;
		}
		money_cell(h, v);
	}
	strbuf_addstr(h, "<td class=\"st ");
	strbuf_addstr(h, ix < NROW_STATUS ? row_class[ix] : status_class(st));
	strbuf_addstr(h, "\">");
	strbuf_addstr(h, ix < NROW_STATUS ? w->word[ix] : status_text(st));
	strbuf_addstr(h, "</td></tr>\n");
	return 0;
}

/* The required reports missing for se and month (inputs/RECON.csv), as a note. */
static void missing_note(struct strbuf *h, const struct recon_data *r, const char *se,
			 const char *month)
{
	const struct csvtable *t = &r->in;
	int n = 0;
	for (size_t k = 0; r->has_in && k < t->nrows; k++) {
		if (strcmp(csvtable_get(t, k, csvtable_col(t, "se")), se) ||
		    strcmp(csvtable_get(t, k, csvtable_col(t, "month")), month) ||
		    strcmp(csvtable_get(t, k, csvtable_col(t, "state")), "missing") ||
		    strcmp(csvtable_get(t, k, csvtable_col(t, "need")), "required"))
			continue;
		strbuf_addstr(h, n++ ? ", " : "<p class=\"note st-missing\">Mangler data: ");
		html_escape(h, csvtable_get(t, k, csvtable_col(t, "report")));
	}
	if (n)
		strbuf_addstr(h, ". Rækker der har brug for dem står som <b>Mangler data</b>, "
			      "ikke som OK eller afvigelse.</p>\n");
}

static int sum_render_row(struct stream *k, const struct csv_row *row)
{
	struct sum_render *w = k->arg;
	const char *se, *mo;
	if (w->cse == -2) {
		w->cse = csvhead_col(k->head, k->ncols, "se");
		w->cmo = csvhead_col(k->head, k->ncols, "month");
		w->ckey = csvhead_col(k->head, k->ncols, "key");
		w->cst = csvhead_col(k->head, k->ncols, "status");
		for (size_t c = 0; c < 5; c++)
			w->camount[c] = csvhead_col(k->head, k->ncols, sum_amounts[c]);
		for (int i = 0; i < NROW_STATUS; i++)
			w->word[i] = status_text(row_status[i]);
	}
	se = csvrow_get(row, w->cse);
	mo = csvrow_get(row, w->cmo);
	if (!w->n || strcmp(se, w->se.buf) || strcmp(mo, w->mo.buf)) {
		if (w->n)
			strbuf_addstr(w->h, "</tbody>\n</table>\n");
		missing_note(w->h, w->r, se, mo);
		sum_header(w->h, w->r, se, mo);
		strbuf_reset(&w->se);
		strbuf_addstr(&w->se, se);
		strbuf_reset(&w->mo);
		strbuf_addstr(&w->mo, mo);
	}
	w->n++;
	if (sum_row(w, row))
		return -1;
	page_flush(w->h, w->out, 0);
	return 0;
}

/* One table per SE and month, in the file's (sorted) order, streamed. */
static int render_summary(struct strbuf *h, struct report_out *out, const struct recon_data *r,
			  const char *path)
{
	struct sum_render w = { h, out, r, path, STRBUF_INIT, STRBUF_INIT, 0, -2, -2, -2, -2,
				{ -2, -2, -2, -2, -2 }, { NULL } };
	int rc = stream_file(path, sum_render_row, &w);
	strbuf_release(&w.se);
	strbuf_release(&w.mo);
	if (rc)
		return -1;
	if (w.n)
		strbuf_addstr(h, "</tbody>\n</table>\n");
	else
		strbuf_addstr(h, "<p>Ingen summer denne nat.</p>\n");
	if (r->ok)	/* paper gets what needs a look */
		strbuf_addf(h, "<p class=\"note print\">På papir vises ikke de %lu rækker der er "
			    "OK; de står på skærmen og i summary-filen.</p>\n", r->ok);
	return 0;
}

/* A text cell: HTML-escaped, anything CPR-shaped masked DDMMYY-xxxx. */
static void text_cell(struct strbuf *h, const char *s, const char *cls)
{
	struct strbuf m = STRBUF_INIT;
	cpr_mask_text(s, strlen(s), &m);
	strbuf_addf(h, "<td class=\"%s\">", cls);
	html_escape(h, strbuf_str(&m));
	strbuf_addstr(h, "</td>");
	strbuf_release(&m);
}

/* A reason "code: dansk / English (details)" as the clerk reads it: the
 * code, then the Danish text of conf/terms.conf (or the CSV's Danish half)
 * and the details; the English half stays in the exception file. */
static void reason_cell(struct strbuf *h, const char *recon, const char *reason)
{
	struct strbuf m = STRBUF_INIT, dk = STRBUF_INIT;
	struct reason_parts p;
	cpr_mask_text(reason, strlen(reason), &m);
	reason_split(m.buf, &p);
	if (p.code_len) {
		strbuf_add(&dk, p.code, p.code_len);
		strbuf_addstr(&dk, ": ");
	}
	terms_reason(recon, m.buf, &dk);
	strbuf_addstr(h, "<td class=\"reason\">");
	html_escape(h, dk.buf);
	strbuf_addstr(h, "</td>");
	strbuf_release(&dk);
	strbuf_release(&m);
}

/* The word for a decision (decisions/RECON.csv's decision column). */
static const char *decision_text(const char *d)
{
	return terms_decision(d);
}

static int break_row(struct strbuf *h, const struct recon_data *r, size_t i, const char *path)
{
	static const char *const cols[] = { "se", "month" };
	const struct csvtable *t = &r->exc;
	const char *cpr = csvtable_get(t, i, csvtable_col(t, "cpr"));
	long d = r->has_dec ? dec_find(&r->dec, csvtable_get(t, i, csvtable_col(t, "id"))) : -1;
	char mask[CPR_MASKSZ];
	money_t v;
	strbuf_addstr(h, r->isopen[i] ? "<tr class=\"st-break\">" : "<tr>");
	for (size_t k = 0; k < 2; k++)
		text_cell(h, csvtable_get(t, i, csvtable_col(t, cols[k])), "nw");
	text_cell(h, key_masked(csvtable_get(t, i, csvtable_col(t, "key")), mask), "nw");
	text_cell(h, *cpr ? cpr_mask(cpr, mask) : "", "nw");
	if (cell_money(t, i, csvtable_col(t, "amount"), path, &v))
		return -1;
	money_cell(h, v);
	reason_cell(h, r->recon, csvtable_get(t, i, csvtable_col(t, "reason")));
	if (d >= 0) {	/* a decision that does not explain it: open again, or the amount moved */
		const char *rev = csvtable_get(&r->dec, (size_t)d, csvtable_col(&r->dec, "review"));
		h->len -= strlen("</td>");
		h->buf[h->len] = '\0';
		strbuf_addf(h, " <span class=\"flag\">%s</span></td>", *rev ?
			    terms_review("beloeb-aendret") :
			    decision_text(csvtable_get(&r->dec, (size_t)d,
						       csvtable_col(&r->dec, "decision"))));
	}
	text_cell(h, csvtable_get(t, i, csvtable_col(t, "first_seen")), "nw");
	strbuf_addstr(h, "<td class=\"num\">");
	html_escape(h, csvtable_get(t, i, csvtable_col(t, "age_days")));
	strbuf_addstr(h, "</td></tr>\n");
	return 0;
}

/* An exception a decision explains is shown apart (render_decided). */
static int shown_apart(const struct recon_data *r, size_t i)
{
	return r->state[i] == EXC_DECIDED;
}

/* The exceptions not explained by a decision, open ones tinted. */
static int render_breaks(struct strbuf *h, const struct recon_data *r, const char *path)
{
	size_t n = r->has_exc ? r->exc.nrows : 0, shown = 0;
	if (!n) {
		strbuf_addstr(h, "<p class=\"note\">Ingen åbne afvigelser.</p>\n");
		return 0;
	}
	strbuf_addf(h, "<h3>Afvigelser: %zu, heraf åbne: %lu", n, r->open);
	if (r->decided)
		strbuf_addf(h, ", med beslutning: %lu", r->decided);
	strbuf_addstr(h, "</h3>\n");
	for (size_t i = 0; i < n; i++)
		shown += !shown_apart(r, i);
	if (!shown)
		return 0;
	strbuf_addstr(h, "<table class=\"breaks\">\n<thead><tr>");
	term_th(h, "exceptions", "se");
	term_th(h, "exceptions", "month");
	th(h, r->lab->key);
	term_th(h, "exceptions", "cpr");
	term_th(h, "exceptions", "amount");
	term_th(h, "exceptions", "reason");
	term_th(h, "exceptions", "first_seen");
	term_th(h, "exceptions", "age_days");
	strbuf_addstr(h, "</tr></thead>\n<tbody>\n");
	shown = 0;
	for (size_t i = 0; i < n && shown < REPORT_MAX_BREAKS; i++) {
		if (shown_apart(r, i))
			continue;
		shown++;
		if (break_row(h, r, i, path))
			return -1;
	}
	strbuf_addstr(h, "</tbody>\n</table>\n");
	if (r->open < shown)
		strbuf_addstr(h, "<p class=\"note print\">På papir vises kun de åbne; de forklarede "
			      "står på skærmen og i afvigelsesfilen.</p>\n");
	if (shown == REPORT_MAX_BREAKS && n - r->decided > REPORT_MAX_BREAKS)
		strbuf_addf(h, "<p class=\"note\">Viser de første %d; alle står i "
			    "afvigelsesfilen.</p>\n", REPORT_MAX_BREAKS);
	return 0;
}

/* Every exception with a decision, apart from the open ones: the
 * decision, who, when, the note; a decision whose amount has changed since
 * (review beloeb-aendret) is flagged, never kept in silence. A reopened one
 * (genaabnet) has no decision: it is among the open ones (dec_standing). */
static int render_decided(struct strbuf *h, const struct recon_data *r, const char *path,
			  const char *dpath)
{
	const struct csvtable *t = &r->exc, *d = &r->dec;
	static const char *const dcols[] = { "by", "at", "note" };
	char mask[CPR_MASKSZ], code[64];
	if (!r->decided)
		return 0;
	strbuf_addf(h, "<h3>Afvigelser med beslutning: %lu</h3>\n<table class=\"decided\">\n"
		    "<thead><tr>", r->decided);
	th(h, r->lab->key);
	term_th(h, "decisions", "cpr");
	term_th(h, "decisions", "amount");
	term_th(h, "exceptions", "reason");
	term_th(h, "decisions", "decision");
	term_th(h, "decisions", "by");
	term_th(h, "decisions", "at");
	term_th(h, "decisions", "note");
	term_th(h, "decisions", "decided_amount");
	term_th(h, "decisions", "review");
	strbuf_addstr(h, "</tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < t->nrows; i++) {
		long k = dec_standing(d, csvtable_get(t, i, csvtable_col(t, "id")));
		const char *cpr = csvtable_get(t, i, csvtable_col(t, "cpr")), *rev;
		money_t v;
		if (k < 0)
			continue;
		rev = csvtable_get(d, (size_t)k, csvtable_col(d, "review"));
		strbuf_addstr(h, *rev ? "<tr class=\"review\">" : "<tr>");
		text_cell(h, key_masked(csvtable_get(t, i, csvtable_col(t, "key")), mask), "nw");
		text_cell(h, *cpr ? cpr_mask(cpr, mask) : "", "nw");
		if (cell_money(t, i, csvtable_col(t, "amount"), path, &v))
			return -1;
		money_cell(h, v);
		csv_reason_code(csvtable_get(t, i, csvtable_col(t, "reason")), code, sizeof(code));
		text_cell(h, code, "nw");
		text_cell(h, decision_text(csvtable_get(d, (size_t)k, csvtable_col(d, "decision"))),
			  "nw");
		for (size_t c = 0; c < 3; c++)
			text_cell(h, csvtable_get(d, (size_t)k, csvtable_col(d, dcols[c])),
				  c == 2 ? "reason" : "nw");
		if (cell_money(d, (size_t)k, csvtable_col(d, "decided_amount"), dpath, &v))
			return -1;
		money_cell(h, v);
		if (*rev)
			strbuf_addf(h, "<td class=\"flag\">%s</td></tr>\n",
				    terms_review("beloeb-aendret"));
		else
			strbuf_addstr(h, "<td></td></tr>\n");
	}
	strbuf_addstr(h, "</tbody>\n</table>\n");
	return 0;
}

struct trend_point {
	int32_t day;
	int present;
	unsigned long count;
	money_t amount;
};

/* The open breaks of recon on night d (OUT/D/exceptions/RECON.csv, less
 * those that night's decisions explain): *t read (the caller frees it,
 * and *isopen) when 1 is returned; 0 no file; -1 reported. */
static int night_open(const char *outroot, int32_t d, const char *recon,
		      const struct recon_def *def, struct digest_ctx *in, struct csvtable *t,
		      char **isopen, unsigned long *n, money_t *amount)
{
	struct strbuf path = STRBUF_INIT;
	struct csvtable dec;
	char day[DATE_BUFSZ];
	int has_dec = 0, rc = 0;
	*isopen = NULL;
	day_format(d, day);
	strbuf_addf(&path, "%s/%s/decisions/%s.csv", outroot, day, recon);
	if (access(path.buf, R_OK) == 0) {
		if (read_table(path.buf, &dec, in)) {
			strbuf_release(&path);
			return -1;
		}
		has_dec = 1;
		sort_by_id(&dec);
	}
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/%s/exceptions/%s.csv", outroot, day, recon);
	if (access(path.buf, R_OK) == 0 && (rc = read_table(path.buf, t, in)) == 0) {
		*isopen = xcalloc(t->nrows + 1, 1);
		rc = open_rows(t, def, has_dec ? &dec : NULL, path.buf, *isopen, NULL, n, amount);
		if (rc) {
			csvtable_free(t);
			free(*isopen);
			*isopen = NULL;
		} else
			rc = 1;
	}
	if (has_dec)
		csvtable_free(&dec);
	strbuf_release(&path);
	return rc;
}

/* Open breaks of recon on each of the last n nights up to night (each
 * file read goes into the input digest); a night without the file is a gap. */
static int trend_read(const char *outroot, int32_t night, const char *recon,
		      const struct recon_def *def, struct trend_point *p, int n,
		      struct digest_ctx *in)
{
	int64_t last = day_number(night);
	for (int i = 0; i < n; i++) {
		struct csvtable t;
		char *isopen;
		int rc;
		memset(&p[i], 0, sizeof(p[i]));
		p[i].day = day_from_number(last - (n - 1 - i));
		rc = night_open(outroot, p[i].day, recon, def, in, &t, &isopen, &p[i].count,
				&p[i].amount);
		if (rc < 0)
			return -1;
		if (rc == 1) {
			p[i].present = 1;
			csvtable_free(&t);
			free(isopen);
		}
	}
	return 0;
}

/*
 * The chart: two bands, each with its own axis, so neither series hides
 * the other. Above, the amount (numeric, kr.) as a line with a marker on
 * every night that ran (one night is a marker); below, the count of open
 * breaks as bars. Integer coordinates only, so the bytes never depend on
 * float rounding.
 */
enum {
	SVG_W = 760, SVG_H = 196, PLOT_X = 60, PLOT_W = 620,
	LINE_Y = 12, LINE_H = 56,	/* the amount's band */
	BAR_Y = 84, BAR_H = 84,		/* the count's band, below it */
};
#define COLOUR_BAR "#c0392b"
#define COLOUR_LINE "#1f4e8c"

static void svg_axes(struct strbuf *h, const struct trend_point *p, int n,
		     unsigned long maxc, money_t maxa)
{
	char d1[DATE_BUFSZ], d2[DATE_BUFSZ], b[MONEY_BUFSZ];
	int right = PLOT_X + PLOT_W;
	/* the count's axis, left */
	strbuf_addf(h, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\"/>\n",
		    PLOT_X, BAR_Y + BAR_H, right, BAR_Y + BAR_H);
	strbuf_addf(h, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n",
		    PLOT_X, BAR_Y, PLOT_X, BAR_Y + BAR_H);
	strbuf_addf(h, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%lu</text>\n"
		    "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">0</text>\n",
		    PLOT_X - 4, BAR_Y + 9, maxc, PLOT_X - 4, BAR_Y + BAR_H);
	strbuf_addf(h, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">antal"
		    "</text>\n", PLOT_X - 4, BAR_Y + BAR_H / 2 + 4);
	/* the amount's axis, right */
	strbuf_addf(h, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n"
		    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>\n",
		    right, LINE_Y, right, LINE_Y + LINE_H, PLOT_X, LINE_Y + LINE_H, right,
		    LINE_Y + LINE_H);
	strbuf_addf(h, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s kr.</text>\n"
		    "<text x=\"%d\" y=\"%d\" font-size=\"11\">0 kr.</text>\n", right + 4,
		    LINE_Y + 9, money_format_grouped(maxa, b), right + 4, LINE_Y + LINE_H);
	strbuf_addf(h, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>\n", PLOT_X,
		    BAR_Y + BAR_H + 16, day_format(p[0].day, d1));
	strbuf_addf(h, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>\n",
		    right, BAR_Y + BAR_H + 16, day_format(p[n - 1].day, d2));
}

/* One night's mark: a bar of its open breaks, or a flat tick (green: none
 * open, grey: no run that night). */
static void svg_mark(struct strbuf *h, const struct trend_point *p, int x, int bw,
		     unsigned long maxc)
{
	char d[DATE_BUFSZ], b[MONEY_BUFSZ];
	int bh = (int)((p->count * BAR_H) / maxc);
	day_format(p->day, d);
	if (!p->present || !p->count) {
		strbuf_addf(h, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"3\" fill=\"%s\">"
			    "<title>%s: %s</title></rect>\n", x, BAR_Y + BAR_H - 3, bw,
			    p->present ? "#2e7d32" : "#bbb", d,
			    p->present ? "ingen åbne" : "ingen kørsel");
		return;
	}
	strbuf_addf(h, "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
		    "fill=\"" COLOUR_BAR "\"><title>%s: %lu åbne, %s kr.</title></rect>\n", x,
		    BAR_Y + BAR_H - bh, bw, bh, d, p->count, money_format_grouped(p->amount, b));
}

static void svg_plot(struct strbuf *h, const struct trend_point *p, int n,
		     unsigned long maxc, money_t maxa)
{
	int slot = PLOT_W / n, bw = slot > 3 ? slot - 2 : 1;
	int r = bw < 8 ? 3 : 4;
	struct strbuf line = STRBUF_INIT, marks = STRBUF_INIT;
	char d[DATE_BUFSZ], b[MONEY_BUFSZ];
	if (bw > 60)
		bw = 60;
	for (int i = 0; i < n; i++) {
		int x = PLOT_X + i * slot + (slot - bw) / 2;
		int y = LINE_Y + LINE_H - (maxa ? (int)((p[i].amount * LINE_H) / maxa) : 0);
		svg_mark(h, &p[i], x, bw, maxc ? maxc : 1);
		if (!p[i].present) {	/* a night without a run breaks the line */
			if (line.len)
				strbuf_addf(h, "<polyline points=\"%s\" fill=\"none\" stroke=\""
					    COLOUR_LINE "\" stroke-width=\"2\"/>\n", line.buf);
			strbuf_reset(&line);
			continue;
		}
		strbuf_addf(&line, "%s%d,%d", line.len ? " " : "", x + bw / 2, y);
		strbuf_addf(&marks, "<circle class=\"amount\" cx=\"%d\" cy=\"%d\" r=\"%d\" fill=\""
			    COLOUR_LINE "\"><title>%s: %s kr.</title></circle>\n", x + bw / 2, y, r,
			    day_format(p[i].day, d), money_format_grouped(p[i].amount, b));
	}
	if (line.len)
		strbuf_addf(h, "<polyline points=\"%s\" fill=\"none\" stroke=\"" COLOUR_LINE
			    "\" stroke-width=\"2\"/>\n", line.buf);
	strbuf_add(h, marks.buf, marks.len);
	strbuf_release(&line);
	strbuf_release(&marks);
}

/* The chart of the last n nights; one line instead when none of them had
 * an open break (no empty chart on paper). */
static int render_trend(struct strbuf *h, const char *outroot, int32_t night,
			const struct recon_data *r, int n, struct digest_ctx *in)
{
	struct trend_point *p = xcalloc((size_t)n, sizeof(*p));
	unsigned long maxc = 0;
	money_t maxa = 0;
	char b[MONEY_BUFSZ];
	if (trend_read(outroot, night, r->recon, r->def, p, n, in)) {
		free(p);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		maxc = p[i].count > maxc ? p[i].count : maxc;
		maxa = p[i].amount > maxa ? p[i].amount : maxa;
	}
	if (!maxc) {
		strbuf_addf(h, "<p class=\"note\">Ingen åbne afvigelser de sidste %d nætter.</p>\n",
			    n);
		free(p);
		return 0;
	}
	strbuf_addf(h, "<figure class=\"trend\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
		    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
		    "aria-label=\"Åbne afvigelser de sidste %d nætter\">\n", SVG_W, SVG_H, SVG_W,
		    SVG_H, n);
	svg_axes(h, p, n, maxc, maxa);
	svg_plot(h, p, n, maxc, maxa);
	strbuf_addf(h, "</svg>\n<figcaption>De sidste %d nætter. Øverst <b style=\"color:"
		    COLOUR_LINE "\">beløbet</b> i åbne afvigelser, numerisk (linje, højre akse, "
		    "maks %s kr.); nederst <b style=\"color:" COLOUR_BAR "\">antallet</b> (søjler, "
		    "venstre akse, maks %lu). Grøn: ingen åbne, grå: ingen kørsel."
		    "</figcaption>\n</figure>\n", n, money_format_grouped(maxa, b), maxc);
	free(p);
	return 0;
}

static void file_link(struct strbuf *h, const char *rel, const char *label)
{
	strbuf_addstr(h, "<a href=\"");
	html_escape(h, rel);
	strbuf_addstr(h, "\">");
	html_escape(h, label);
	strbuf_addstr(h, "</a>");
}

/* The report's hooks of the lists' evaluation (ingest/nightlist.h): every
 * file a list reads and every name it lists go into the input digest. */
static void nl_file(void *arg, const char *path)
{
	char hex[DIGEST_HEXSZ];
	uint64_t size;
	if (digest_file(path, hex, &size) == 0)
		digest_update(arg, hex, 64);
}

static void nl_name(void *arg, const char *rel)
{
	digest_update(arg, rel, strlen(rel) + 1);
}

/* One row of a list, as HTML. */
static int list_row_html(void *arg, const struct list_cell *cells, int ncells)
{
	struct strbuf *h = arg;
	strbuf_addstr(h, "<tr>");
	for (int c = 0; c < ncells; c++) {
		const struct list_cell *x = &cells[c];
		if (x->kind == LCELL_BLANK) {
			strbuf_addstr(h, "<td></td>");
		} else if (x->kind == LCELL_MONEY) {
			money_cell(h, x->ore);
		} else if (x->kind == LCELL_LINK) {
			strbuf_addstr(h, "<td class=\"nw\">");
			file_link(h, x->text, x->label);
			strbuf_addstr(h, "</td>");
		} else {
			char mask[CPR_MASKSZ];
			text_cell(h, key_masked(x->text, mask), x->wide ? "reason" : "nw");
		}
	}
	strbuf_addstr(h, "</tr>\n");
	return 0;
}

/* A list of conf/report.conf in recon's section: its title, the rows
 * its conditions take, and a last row I alt with the count and the sums
 * of its amounts; one line when no row is there. */
static int render_list(struct strbuf *h, struct nightlist_ctx *nc, const struct report_list *l)
{
	struct strbuf body = STRBUF_INIT;
	money_t *sums = xcalloc((size_t)l->ncols, sizeof(*sums));
	size_t rows = 0;
	int rc, any_money = 0;
	rc = nightlist_eval(nc, l, list_row_html, &body, sums, &rows);
	if (!rc && !rows) {
		strbuf_addstr(h, "<p class=\"note\"><b>");
		html_escape(h, l->title);
		strbuf_addstr(h, ":</b> ingen.</p>\n");
	} else if (!rc) {
		strbuf_addstr(h, "<table class=\"list\">\n<caption>");
		html_escape(h, l->title);
		strbuf_addf(h, " (%zu)</caption>\n<thead><tr>", rows);
		for (int c = 0; c < l->ncols; c++)
			th(h, l->cols[c].label);
		strbuf_addstr(h, "</tr></thead>\n<tbody>\n");
		strbuf_add(h, body.buf, body.len);
		for (int c = 0; c < l->ncols; c++)
			any_money |= l->cols[c].money == 2;
		if (any_money && rows > 1) {
			strbuf_addstr(h, "<tr class=\"total\">");
			for (int c = 0; c < l->ncols; c++) {
				if (l->cols[c].money == 2)
					money_cell(h, sums[c]);
				else
					strbuf_addf(h, c ? "<td></td>" : "<td>I alt (%zu)</td>", rows);
			}
			strbuf_addstr(h, "</tr>\n");
		}
		strbuf_addstr(h, "</tbody>\n</table>\n");
	}
	free(sums);
	strbuf_release(&body);
	return rc;
}

/* A rate of conf/report.conf (the supplier error rate, seed 001 rule 19). */
static int render_rate(struct strbuf *h, struct nightlist_ctx *nc, int32_t night,
		       const struct report_rate *rt)
{
	struct rate_count *c = NULL;
	size_t n = 0;
	int rc = nightrate_eval(nc, rt, night, &c, &n);
	if (!rc && !n) {
		strbuf_addstr(h, "<p class=\"note\"><b>");
		html_escape(h, rt->title);
		strbuf_addstr(h, ":</b> ingen.</p>\n");
	} else if (!rc) {
		strbuf_addstr(h, "<table class=\"list rate\">\n<caption>");
		html_escape(h, rt->title);
		strbuf_addstr(h, "</caption>\n<thead><tr>");
		th(h, rt->by_label);
		th(h, terms_label("rate-rows"));
		th(h, terms_label("rate-bad"));
		th(h, terms_label("rate-pct"));
		strbuf_addstr(h, "</tr></thead>\n<tbody>\n");
		for (size_t k = 0; k < n; k++) {
			strbuf_addstr(h, "<tr>");
			text_cell(h, c[k].by, "nw");
			strbuf_addf(h, "<td class=\"num\">%lu</td><td class=\"num\">%lu</td>"
				    "<td class=\"num\">%lu,%lu</td></tr>\n", c[k].n, c[k].bad,
				    c[k].permille / 10, c[k].permille % 10);
		}
		strbuf_addstr(h, "</tbody>\n</table>\n");
	}
	rate_counts_free(c, n);
	return rc;
}

static int render_recon(struct strbuf *h, struct report_out *out, struct nightlist_ctx *nc,
			int32_t night, const struct recon_data *r,
			const struct report_conf *rc_, struct digest_ctx *in)
{
	const char *nightdir_fmt = "%s/%s/%s.csv";
	struct strbuf path = STRBUF_INIT, rel = STRBUF_INIT;
	int rc = 0;
	strbuf_addf(h, "<section class=\"recon\" id=\"recon-%s\">\n<h2>", r->recon);
	html_escape(h, title_of(r));
	if (*r->lab->figure) {
		strbuf_addstr(h, " <small>(som vejledningens ");
		html_escape(h, r->lab->figure);
		strbuf_addstr(h, ")</small>");
	}
	strbuf_addf(h, " <span class=\"badge %s\">%s</span></h2>\n<p class=\"files\">",
		    status_class(r->status), status_text(r->status));
	strbuf_addf(&rel, "summary/%s.csv", r->recon);
	file_link(h, rel.buf, "Summer (CSV)");
	strbuf_reset(&rel);
	strbuf_addf(&rel, "exceptions/%s.csv", r->recon);
	file_link(h, rel.buf, "Afvigelser (CSV)");
	if (r->has_dec) {
		strbuf_reset(&rel);
		strbuf_addf(&rel, "decisions/%s.csv", r->recon);
		file_link(h, rel.buf, "Beslutninger (CSV)");
	}
	strbuf_addstr(h, "</p>\n");
	strbuf_addf(&path, nightdir_fmt, nc->nightdir, "summary", r->recon);
	/* the chart first: on paper it stands beside the summary (float) */
	rc = render_trend(h, nc->outroot, night, r, rc_->trend_nights, in);
	if (!rc)
		rc = render_summary(h, out, r, path.buf);
	strbuf_reset(&path);
	strbuf_addf(&path, nightdir_fmt, nc->nightdir, "exceptions", r->recon);
	if (!rc)
		rc = render_breaks(h, r, path.buf);
	strbuf_reset(&rel);
	strbuf_addf(&rel, nightdir_fmt, nc->nightdir, "decisions", r->recon);
	if (!rc)
		rc = render_decided(h, r, path.buf, rel.buf);
	for (int i = 0; i < rc_->nlists && !rc; i++)
		if (!strcmp(rc_->lists[i].recon, r->recon))
			rc = render_list(h, nc, &rc_->lists[i]);
	for (int i = 0; i < rc_->nrates && !rc; i++)
		if (!strcmp(rc_->rates[i].recon, r->recon))
			rc = render_rate(h, nc, night, &rc_->rates[i]);
	strbuf_addstr(h, "</section>\n");
	strbuf_release(&path);
	strbuf_release(&rel);
	return rc;
}

/* The files of dir and of its subdirectories (one level): "sub/name". */
static void list_dir_deep(const char *dir, struct names *out)
{
	struct names top = { NULL, 0 };
	struct strbuf p = STRBUF_INIT;
	list_dir(dir, 0, &top);
	for (size_t i = 0; i < top.n; i++) {
		struct names sub = { NULL, 0 };
		DIR *d;
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/%s", dir, top.v[i]);
		if (!(d = opendir(p.buf))) {
			names_add(out, top.v[i]);
			continue;
		}
		closedir(d);
		list_dir(p.buf, 0, &sub);
		for (size_t j = 0; j < sub.n; j++) {
			strbuf_reset(&p);
			strbuf_addf(&p, "%s/%s", top.v[i], sub.v[j]);
			names_add(out, p.buf);
		}
		names_free(&sub);
	}
	names_free(&top);
	strbuf_release(&p);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
}

/* The night's other files a clerk or auditor opens: vouchers, rejected rows,
 * and the outgoing files of a recon that sends some (charges, disputes,
 * postings: mellemkommunal-refusion), when the night has them. Their names
 * go into the input digest (the page lists them). */
static void render_files(struct strbuf *h, const char *nightdir, struct digest_ctx *in)
{
	static const char *const dirs[] = { "vouchers", "rejected", "charges", "disputes",
					    "postings", "suggestions", "decisions" };
	static const char *const titles[] = {
		"Bilag (vouchers)", "Afviste inputrækker (rejected)",
		"Opkrævninger sendt (charges)", "Indsigelser (disputes)",
		"Posteringsgrundlag (postings)", "Forslag (suggestions)",
		"Beslutninger (decisions)",
	};
	strbuf_addstr(h, "<section id=\"files\">\n<h2>Nattens øvrige filer</h2>\n");
	for (size_t k = 0; k < sizeof(dirs) / sizeof(dirs[0]); k++) {
		struct strbuf p = STRBUF_INIT;
		struct names n = { NULL, 0 };
		strbuf_addf(&p, "%s/%s", nightdir, dirs[k]);
		if (k < 2) {
			list_dir(p.buf, 0, &n);
		} else {
			DIR *d = opendir(p.buf);
			if (!d) {	/* only a recon that sends files has them */
				strbuf_release(&p);
				continue;
			}
			closedir(d);
			list_dir_deep(p.buf, &n);
		}
		/* one line per directory: few pages on paper */
		strbuf_addf(h, "<p class=\"files\"><b>%s:</b> %s", titles[k], n.n ? "" : "ingen.");
		for (size_t i = 0; i < n.n; i++) {
			strbuf_reset(&p);
			strbuf_addf(&p, "%s/%s", dirs[k], n.v[i]);
			digest_update(in, p.buf, p.len + 1);	/* with its NUL: a separator */
			strbuf_addstr(h, i ? " " : "");
			file_link(h, p.buf, n.v[i]);
		}
		strbuf_addstr(h, "</p>\n");
		names_free(&n);
		strbuf_release(&p);
	}
	strbuf_addstr(h, "</section>\n");
}

/* Recon names make HTML ids and file names: letters, digits, '-' and '_'. */
static int recon_name_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static void collect_recons(const char *nightdir, struct names *n)
{
	struct strbuf p = STRBUF_INIT;
	struct names all = { NULL, 0 };
	strbuf_addf(&p, "%s/summary", nightdir);
	list_dir(p.buf, 1, &all);
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/exceptions", nightdir);
	list_dir(p.buf, 1, &all);
	if (all.n)
		qsort(all.v, all.n, sizeof(*all.v), cmp_str);
	for (size_t i = 0; i < all.n; i++)
		if (recon_name_ok(all.v[i]))
			names_add(n, all.v[i]);
	names_free(&all);
	strbuf_release(&p);
}

/* The latest night before night under outroot with an exceptions/ file
 * (YYYYMMDD), or 0 on a first night. */
static int32_t previous_night(const char *outroot, int32_t night)
{
	struct names n = { NULL, 0 };
	struct strbuf p = STRBUF_INIT;
	int32_t found = 0;
	list_dir(outroot, 0, &n);
	for (size_t i = n.n; i-- > 0 && !found;) {
		struct names x = { NULL, 0 };
		int32_t d;
		if (day_parse_iso(n.v[i], &d) || d >= night)
			continue;
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/%s/exceptions", outroot, n.v[i]);
		list_dir(p.buf, 1, &x);
		if (x.n)
			found = d;
		names_free(&x);
	}
	names_free(&n);
	strbuf_release(&p);
	return found;
}

/* The first row tells: the matchers write the INGEN-DATA row only as a
 * summary's one row (match/recon.c, a night without comparisons), so the
 * rest of a summary of a row per key is not parsed (1: stop). */
static int key_no_data(struct stream *k, const struct csv_row *row)
{
	int *found = k->arg;
	*found = !strcmp(csvrow_get(row, csvhead_col(k->head, k->ncols, "key")), RECON_NO_DATA);
	return 1;
}

/* 1 when recon had no data on night d (no summary file, or its INGEN-DATA
 * row), 0 when it had, -1 reported. */
static int no_data_on(const char *outroot, int32_t d, const char *recon, struct digest_ctx *in)
{
	struct strbuf p = STRBUF_INIT;
	char day[DATE_BUFSZ], hex[DIGEST_HEXSZ];
	uint64_t size;
	int rc = 1, found = 0;
	strbuf_addf(&p, "%s/%s/summary/%s.csv", outroot, day_format(d, day), recon);
	if (access(p.buf, R_OK) == 0) {
		if (stream_file(p.buf, key_no_data, &found) < 0)
			rc = -1;
		else {
			rc = found;
			if (digest_file(p.buf, hex, &size) == 0)
				digest_update(in, hex, 64);
		}
	}
	strbuf_release(&p);
	return rc;
}

/* A table's rows sorted by id, to join two nights on the exception id. */
struct id_index {
	struct id_row *v;
	size_t n;
	int cid;
};

static void id_index_build(const struct csvtable *t, struct id_index *x)
{
	int cid = csvtable_col(t, "id");
	x->n = 0;
	x->v = xcalloc(t->nrows + 1, sizeof(*x->v));
	for (size_t i = 0; cid >= 0 && i < t->nrows; i++) {
		x->v[x->n].row = t->rows[i];
		x->v[x->n++].line = i;	/* the row's index */
	}
	x->cid = id_col_sort = cid;
	if (x->n > 1)
		qsort(x->v, x->n, sizeof(*x->v), cmp_id_row);
}

/* The row index of id in t (indexed by x), or -1. */
static long id_index_find(const struct id_index *x, const char *id)
{
	size_t lo = 0, hi = x->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(x->v[mid].row[x->cid], id);
		if (!c)
			return (long)x->v[mid].line;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

enum { CHANGES_MAX_ROWS = 300 };

struct change_count {
	unsigned long n[3];	/* new, closed, changed */
	money_t amount[3];	/* new and closed: numeric; changed: tonight less before */
};

static const char *const change_word[3] = { "Ny", "Lukket", "Beløb ændret" };
static const char *const change_class[3] = { "st-break", "st-ok", "st-explained" };

/* One line of the changes' details: before (or NULL) and after (or NULL). */
static int change_row(struct strbuf *h, const struct recon_data *r, int kind,
		      const struct csvtable *bt, long bi, const struct csvtable *at, long ai,
		      const char *bpath, const char *apath, struct change_count *cc,
		      size_t *shown)
{
	const struct csvtable *t = ai >= 0 ? at : bt;
	size_t i = (size_t)(ai >= 0 ? ai : bi);
	const char *cpr = csvtable_get(t, i, csvtable_col(t, "cpr"));
	char mask[CPR_MASKSZ], code[64];
	money_t before = 0, after = 0;
	if (bi >= 0 && cell_money(bt, (size_t)bi, csvtable_col(bt, "amount"), bpath, &before))
		return -1;
	if (ai >= 0 && cell_money(at, (size_t)ai, csvtable_col(at, "amount"), apath, &after))
		return -1;
	cc->n[kind]++;
	cc->amount[kind] += kind == 0 ? (after < 0 ? -after : after) :
			    kind == 1 ? (before < 0 ? -before : before) :
			    (after < 0 ? -after : after) - (before < 0 ? -before : before);
	if (!shown || (*shown)++ >= CHANGES_MAX_ROWS)
		return 0;	/* counted, not listed */
	h += kind;	/* new, closed and changed rows each in their own buffer */
	strbuf_addf(h, "<tr class=\"%s\"><td><a href=\"#recon-%s\">%s", change_class[kind],
		    r->recon, r->recon);
	strbuf_addf(h, "</a></td><td class=\"st\">%s</td>", change_word[kind]);
	text_cell(h, key_masked(csvtable_get(t, i, csvtable_col(t, "key")), mask), "nw");
	text_cell(h, *cpr ? cpr_mask(cpr, mask) : "", "nw");
	if (bi >= 0)
		money_cell(h, before);
	else
		strbuf_addstr(h, "<td class=\"num\">–</td>");
	if (ai >= 0)
		money_cell(h, after);
	else
		strbuf_addstr(h, "<td class=\"num\">–</td>");
	csv_reason_code(csvtable_get(t, i, csvtable_col(t, "reason")), code, sizeof(code));
	text_cell(h, code, "nw");	/* the whole text is in the section below */
	strbuf_addstr(h, "</tr>\n");
	return 0;
}

/*
 * What changed since the previous night (the latest earlier OUT/D with
 * exceptions files): per reconciliation with data tonight, the open
 * breaks that are new, those that closed, and those whose amount changed,
 * joined on the exception id (stable across nights: match/recon.h).
 */
static int render_changes(struct strbuf *h, const char *outroot, const char *nightdir,
			  int32_t night, const struct recon_data *r, const size_t *ord, size_t n,
			  struct digest_ctx *in)
{
	int32_t prev = previous_night(outroot, night);
	struct strbuf sum = STRBUF_INIT, det = STRBUF_INIT, apath = STRBUF_INIT;
	struct strbuf kinds[3] = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
	char d[DATE_BUFSZ], b[MONEY_BUFSZ];
	size_t shown = 0, recons = 0;
	int rc = 0;
	strbuf_addstr(h, "<section id=\"changes\">\n<h2>Siden sidste nat</h2>\n");
	if (!prev) {
		strbuf_addstr(h, "<p>Første nat: der er ingen tidligere nat med afvigelser at "
			      "sammenligne med. Alle åbne afvigelser nedenfor er nye.</p>\n"
			      "</section>\n");
		return 0;
	}
	day_format(prev, d);
	digest_update(in, d, strlen(d) + 1);	/* the night compared with */
	for (size_t k = 0; k < n && !rc; k++) {
		const struct recon_data *x = &r[ord[k]];
		struct change_count cc = { { 0, 0, 0 }, { 0, 0, 0 } };
		struct csvtable pt;
		struct id_index pix = { NULL, 0, 0 }, tix = { NULL, 0, 0 };
		struct strbuf bpath = STRBUF_INIT;
		char *popen = NULL;
		unsigned long pn = 0;
		money_t pa = 0;
		int has_prev;
		int first;
		if (x->group == GROUP_NO_DATA)
			continue;	/* we do not know what is open tonight: nothing closed */
		/* its first night with data: every open break is new, counted, not listed
		 * again (its section lists them) */
		first = no_data_on(outroot, prev, x->recon, in);
		if (first < 0) {
			rc = -1;
			break;
		}
		has_prev = night_open(outroot, prev, x->recon, x->def, in, &pt, &popen, &pn, &pa);
		if (has_prev < 0) {
			rc = -1;
			break;
		}
		strbuf_addf(&bpath, "%s/%s/exceptions/%s.csv", outroot, d, x->recon);
		strbuf_reset(&apath);
		strbuf_addf(&apath, "%s/exceptions/%s.csv", nightdir, x->recon);
		if (has_prev)
			id_index_build(&pt, &pix);
		if (x->has_exc)
			id_index_build(&x->exc, &tix);
		for (size_t i = 0; x->has_exc && i < x->exc.nrows && !rc; i++) {
			long j;
			money_t a, bv;
			if (!x->isopen[i])
				continue;
			j = has_prev ? id_index_find(&pix, csvtable_get(&x->exc, i,
						      csvtable_col(&x->exc, "id"))) : -1;
			if (j < 0 || !popen[j]) {
				rc = change_row(kinds, x, 0, NULL, -1, &x->exc, (long)i, NULL,
						apath.buf, &cc, first ? NULL : &shown);
				continue;
			}
			if ((rc = cell_money(&x->exc, i, csvtable_col(&x->exc, "amount"), apath.buf,
					     &a)) ||
			    (rc = cell_money(&pt, (size_t)j, csvtable_col(&pt, "amount"), bpath.buf,
					     &bv)))
				break;
			if (a != bv)
				rc = change_row(kinds, x, 2, &pt, j, &x->exc, (long)i, bpath.buf,
						apath.buf, &cc, &shown);
		}
		for (size_t j = 0; has_prev && j < pt.nrows && !rc; j++) {
			long i;
			if (!popen[j])
				continue;
			i = x->has_exc ? id_index_find(&tix, csvtable_get(&pt, j,
						       csvtable_col(&pt, "id"))) : -1;
			if (i < 0 || !x->isopen[i])
				rc = change_row(kinds, x, 1, &pt, (long)j, NULL, -1, bpath.buf, NULL,
						&cc, &shown);
		}
		for (int c = 0; c < 3; c++) {	/* per recon: new, closed, changed */
			strbuf_add(&det, kinds[c].buf, kinds[c].len);
			strbuf_reset(&kinds[c]);
		}
		if (!rc && (cc.n[0] || cc.n[1] || cc.n[2])) {
			recons++;
			strbuf_addf(&sum, "<tr><td><a href=\"#recon-%s\">", x->recon);
			html_escape(&sum, title_of(x));
			strbuf_addstr(&sum, first ? "</a> (første nat med data)</td>" : "</a></td>");
			for (int c = 0; c < 3; c++) {
				strbuf_addf(&sum, "<td class=\"num\">%lu</td>", cc.n[c]);
				money_cell(&sum, cc.amount[c]);
			}
			money_cell(&sum, has_prev ? pa : 0);
			strbuf_addf(&sum, "<td class=\"num\">%s</td></tr>\n",
				    money_format_grouped(x->open_amount, b));
		}
		if (has_prev) {
			csvtable_free(&pt);
			free(popen);
		}
		free(pix.v);
		free(tix.v);
		strbuf_release(&bpath);
	}
	if (!rc && !recons)
		strbuf_addf(h, "<p>Ingen ændringer siden %s: de samme åbne afvigelser med de "
			    "samme beløb.</p>\n", d);
	else if (!rc) {
		strbuf_addf(h, "<table id=\"changes-summary\">\n<caption>Åbne afvigelser i nat mod "
			    "%s</caption>\n<thead><tr>", d);
		th(h, "Afstemning");
		th(h, "Nye");
		th(h, "Beløb nye");
		th(h, "Lukkede");
		th(h, "Beløb lukkede");
		th(h, "Ændret beløb");
		th(h, "Ændring");
		th(h, "Åbent beløb før");
		th(h, "Åbent beløb nu");
		strbuf_addstr(h, "</tr></thead>\n<tbody>\n");
		strbuf_add(h, sum.buf, sum.len);
		strbuf_addstr(h, "</tbody>\n</table>\n");
	}
	if (!rc && det.len) {
		strbuf_addstr(h, "<table id=\"changes\">\n<thead><tr>");
		th(h, "Afstemning");
		th(h, "Ændring");
		th(h, "Nøgle");
		th(h, "CPR");
		th(h, "Beløb før");
		th(h, "Beløb nu");
		th(h, "Årsag");
		strbuf_addstr(h, "</tr></thead>\n<tbody>\n");
		strbuf_add(h, det.buf, det.len);
		strbuf_addstr(h, "</tbody>\n</table>\n");
		if (shown > CHANGES_MAX_ROWS)
			strbuf_addf(h, "<p class=\"note\">Viser de første %d af %zu ændringer.</p>\n",
				    CHANGES_MAX_ROWS, shown);
	}
	strbuf_addstr(h, "</section>\n");
	strbuf_release(&sum);
	strbuf_release(&det);
	strbuf_release(&apath);
	for (int c = 0; c < 3; c++)
		strbuf_release(&kinds[c]);
	return rc;
}

/* The page's order: open breaks by open amount (largest first), then
 * explained, then OK, then those without data; by name within a group. */
static const struct recon_data *order_of;
static int cmp_order(const void *a, const void *b)
{
	const struct recon_data *x = &order_of[*(const size_t *)a];
	const struct recon_data *y = &order_of[*(const size_t *)b];
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->group == GROUP_BREAK && x->open_amount != y->open_amount)
		return x->open_amount > y->open_amount ? -1 : 1;
	return strcmp(x->recon, y->recon);
}

int report_render(const char *outroot, int32_t night, const struct report_conf *rc,
		  const struct recon_conf *roles, int expected_missing,
		  struct report_out *out, struct report_stats *st)
{
	struct strbuf nightdir = STRBUF_INIT, intake = STRBUF_INIT, page = STRBUF_INIT;
	struct strbuf *html = &page;
	struct names names = { NULL, 0 };
	struct recon_data *r;
	struct nightlist_ctx nc;
	size_t *ord;
	char d[DATE_BUFSZ];
	int err = 0;
	memset(st, 0, sizeof(*st));
	strbuf_addf(&nightdir, "%s/%s", outroot, day_format(night, d));
	collect_recons(nightdir.buf, &names);
	r = xcalloc(names.n ? names.n : 1, sizeof(*r));
	ord = xcalloc(names.n ? names.n : 1, sizeof(*ord));
	struct digest_ctx *in = digest_new();
	memset(&nc, 0, sizeof(nc));
	nc.outroot = outroot;
	nc.nightdir = nightdir.buf;
	nc.on_file = nl_file;
	nc.on_name = nl_name;
	nc.arg = in;
	for (size_t i = 0; i < names.n && !err; i++) {
		r[i].recon = names.v[i];
		r[i].lab = report_labels(rc, names.v[i]);
		r[i].def = roles ? reconconf_find(roles, names.v[i]) : NULL;
		err = read_recon(nightdir.buf, &r[i], st, in);
		ord[i] = i;
	}
	order_of = r;
	if (!err && names.n > 1)
		qsort(ord, names.n, sizeof(*ord), cmp_order);
	st->recons = names.n;
	if (!err)
		err = render_sources(&intake, nightdir.buf, in, st);
	if (!err) {
		render_reports(&intake, r, ord, names.n);
		err = render_rejected(&intake, nightdir.buf, in, st);
	}
	if (!err) {
		st->expected_missing = expected_missing;
		st->verdict = verdict(r, names.n, st);
		if (!st->verdict && expected_missing)
			st->verdict = 66;
		render_head(html, d);
		render_verdict(html, st);
		err = render_changes(html, outroot, nightdir.buf, night, r, ord, names.n, in);
	}
	if (!err) {
		strbuf_addstr(html, "<nav>\n");
		render_overview(html, r, ord, names.n);
		strbuf_addstr(html, "</nav>\n");
		/* inputs not in order: what came and what did not, before the sections */
		if (st->verdict) {
			strbuf_addstr(html, "<section id=\"intake\">\n<h2>Nattens modtagelse</h2>\n");
			strbuf_add(html, intake.buf, intake.len);
			strbuf_addstr(html, "</section>\n");
		}
		for (size_t k = 0; k < names.n && !err; k++)
			if (r[ord[k]].group != GROUP_NO_DATA)
				err = render_recon(html, out, &nc, night, &r[ord[k]], rc, in);
	}
	if (!err) {
		if (!st->verdict) {	/* in order: on paper the verdict's line says it */
			strbuf_addstr(html, "<section id=\"intake\" class=\"inorder\">\n"
				      "<h2>Nattens modtagelse</h2>\n<p class=\"note print\">Alt "
				      "modtaget; rapporterne pr. afstemning står på skærmen.</p>\n");
			strbuf_add(html, intake.buf, intake.len);
			strbuf_addstr(html, "</section>\n");
		}
		render_files(html, nightdir.buf, in);
		strbuf_addstr(html, "</body>\n</html>\n");
		page_flush(html, out, 1);
	}
	digest_finish(in, st->input);
	for (size_t i = 0; i < names.n; i++) {
		if (r[i].has_exc)
			csvtable_free(&r[i].exc);
		if (r[i].has_in)
			csvtable_free(&r[i].in);
		if (r[i].has_dec)
			csvtable_free(&r[i].dec);
		free(r[i].isopen);
		free(r[i].state);
	}
	nightlist_ctx_release(&nc);
	free(r);
	free(ord);
	names_free(&names);
	strbuf_release(&nightdir);
	strbuf_release(&intake);
	strbuf_release(&page);
	return err ? -1 : 0;
}
