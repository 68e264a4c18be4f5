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
#include "ingest/csvtable.h"
#include "match/reconconf.h"
#include "run/terms.h"
#include "core/banned.h"

struct names {
	char **v;
	size_t n;
};

static void text_cell(struct strbuf *h, const char *s, const char *cls);
static void file_link(struct strbuf *h, const char *rel, const char *label);

struct recon_data {
	const char *recon;
	const struct recon_labels *lab;
	const struct recon_def *def;	/* conf/reconciliations.conf, or NULL */
	struct csvtable sum, exc, in;
	int has_sum, has_exc, has_in;
	unsigned long ok, explained, breaks, missing;
	int no_data;		/* its one row is INGEN-DATA */
	unsigned long open;	/* open breaks, each counted once */
	money_t open_amount;	/* their amounts, numerically, each krone once */
	/* worst row: OK, EXPLAINED, BREAK, MANGLER; INGEN-DATA; or NOFILE (no summary) */
	const char *status;
};

void html_escape(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': strbuf_addstr(sb, "&amp;"); break;
		case '<': strbuf_addstr(sb, "&lt;"); break;
		case '>': strbuf_addstr(sb, "&gt;"); break;
		case '"': strbuf_addstr(sb, "&quot;"); break;
		case '\'': strbuf_addstr(sb, "&#39;"); break;
		default: strbuf_addch(sb, *s);
		}
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

/* The reason code of an exception: its reason up to the first ':'. */
static void reason_code(const char *reason, char *code, size_t size)
{
	size_t n = strcspn(reason, ":");
	if (n >= size)
		n = size - 1;
	memcpy(code, reason, n);
	code[n] = '\0';
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

static void money_cell(struct strbuf *h, money_t v)
{
	char b[MONEY_BUFSZ];
	strbuf_addf(h, "<td class=\"num%s\">%s</td>", v < 0 ? " neg" : "",
		    money_format_grouped(v, b));
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

/*
 * The overview's one level: the exceptions. An exception that explains
 * its row is not open; a detail is counted in its parent (an exception of
 * the parent code, same SE and month, under the detail's key or the one
 * conf names) and only where there is none; every other exception is one
 * open break, its amount counted numerically (match/reconconf.h).
 */
static int count_open(const struct csvtable *t, const struct recon_def *def, const char *path,
		      unsigned long *n, money_t *amount)
{
	int cse = csvtable_col(t, "se"), cmo = csvtable_col(t, "month");
	int ckey = csvtable_col(t, "key"), creason = csvtable_col(t, "reason");
	int camount = csvtable_col(t, "amount");
	char code[64], other[64];
	*n = 0;
	*amount = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		const struct recon_detail *det = NULL;
		int role = EXC_BREAK;
		money_t v;
		if (cell_money(t, r, camount, path, &v))
			return -1;
		reason_code(csvtable_get(t, r, creason), code, sizeof(code));
		if (def)
			role = recon_code_role(def, code, &det);
		if (role == EXC_EXPLAINS)
			continue;
		if (role == EXC_DETAIL) {
			const char *key = det->key ? det->key : csvtable_get(t, r, ckey);
			int parent = 0;
			for (size_t q = 0; q < t->nrows && !parent; q++) {
				reason_code(csvtable_get(t, q, creason), other, sizeof(other));
				/* '*': any open break of another breakdown (reconconf.h) */
				parent = (!strcmp(det->parent, "*") ?
					  recon_code_role(def, other, NULL) == EXC_BREAK :
					  !strcmp(other, det->parent)) &&
					 !strcmp(csvtable_get(t, q, cse), csvtable_get(t, r, cse)) &&
					 !strcmp(csvtable_get(t, q, cmo), csvtable_get(t, r, cmo)) &&
					 (!strcmp(key, "*") || !strcmp(csvtable_get(t, q, ckey), key));
			}
			if (parent)
				continue;
		}
		(*n)++;
		*amount += v < 0 ? -v : v;
	}
	return 0;
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

static int read_recon(const char *nightdir, struct recon_data *r, struct report_stats *st,
		      struct digest_ctx *in)
{
	struct strbuf p = STRBUF_INIT;
	struct stat sb;
	int rc = 0, col, worst = -1;
	strbuf_addf(&p, "%s/summary/%s.csv", nightdir, r->recon);
	if (stat(p.buf, &sb) == 0) {
		if ((rc = read_table(p.buf, &r->sum, in)) == 0)
			r->has_sum = 1;
	}
	col = r->has_sum ? csvtable_col(&r->sum, "status") : -1;
	for (size_t i = 0; r->has_sum && i < r->sum.nrows; i++) {
		const char *s = csvtable_get(&r->sum, i, col);
		r->ok += !strcmp(s, "OK");
		r->explained += !strcmp(s, "EXPLAINED");
		r->breaks += !strcmp(s, "BREAK");
		r->missing += !strcmp(s, "MANGLER");
		r->no_data |= !strcmp(csvtable_get(&r->sum, i, csvtable_col(&r->sum, "key")),
				      RECON_NO_DATA);
		if (status_rank(s) > worst)
			worst = status_rank(s);
	}
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/exceptions/%s.csv", nightdir, r->recon);
	if (!rc && stat(p.buf, &sb) == 0 && (rc = read_table(p.buf, &r->exc, in)) == 0)
		r->has_exc = 1;
	if (!rc && r->has_exc)
		rc = count_open(&r->exc, r->def, p.buf, &r->open, &r->open_amount);
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/inputs/%s.csv", nightdir, r->recon);
	if (!rc && stat(p.buf, &sb) == 0 && (rc = read_table(p.buf, &r->in, in)) == 0)
		r->has_in = 1;
	st->rows_read += (r->has_sum ? r->sum.nrows : 0) + (r->has_exc ? r->exc.nrows : 0);
	if (!r->has_sum)
		r->status = "NOFILE";
	else if (r->no_data)
		r->status = RECON_NO_DATA;
	else
		r->status = worst < 0 ? "OK" : worst == 0 ? "OK" : worst == 1 ? "EXPLAINED" :
			    worst == 2 ? "BREAK" : "MANGLER";
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
	"@page{size:A4 landscape;margin:12mm}"
	"@media print{body{max-width:none;padding:0;font-size:9pt}th,td{padding:.1em .35em}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
	"section.recon{break-before:page}section.recon:first-of-type{break-before:auto}"
	"table,figure,tr{break-inside:avoid}h2,h3{break-after:avoid}"
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
	strbuf_addstr(h, "<p class=\"note\">Beløb i kr. Status: <span class=\"badge st-ok\">OK – "
		      "stemmer</span> <span class=\"badge st-explained\">Forklaret</span> forskel "
		      "forklaret af afviste linjer, <span class=\"badge st-break\">Afvigelse</span> "
		      "uforklaret forskel eller åbne afvigelser. CPR-numre er maskeret; de fulde "
		      "rækker står i afvigelsesfilerne.</p>\n</header>\n");
}

static const char *title_of(const struct recon_data *r)
{
	return *r->lab->title ? r->lab->title : r->recon;
}

/* One line per reconciliation: its worst row, the rows by status, what is open. */
static void render_overview(struct strbuf *h, const struct recon_data *r, size_t n)
{
	char b[MONEY_BUFSZ];
	strbuf_addstr(h, "<table id=\"overview\">\n<caption>Overblik</caption>\n"
		      "<thead><tr><th>Afstemning</th><th>Status</th><th>OK</th><th>Forklaret</th>"
		      "<th>Afvigelse</th><th>Mangler data</th><th>Åbne afvigelser</th>"
		      "<th>Beløb åbne (numerisk)</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < n; i++) {
		strbuf_addf(h, "<tr><td><a href=\"#recon-%s\">", r[i].recon);
		html_escape(h, title_of(&r[i]));
		strbuf_addf(h, "</a></td><td class=\"st %s\">%s</td>", status_class(r[i].status),
			    status_text(r[i].status));
		strbuf_addf(h, "<td class=\"num\">%lu</td><td class=\"num\">%lu</td>"
			    "<td class=\"num\">%lu</td><td class=\"num\">%lu</td>"
			    "<td class=\"num\">%lu</td>", r[i].ok, r[i].explained, r[i].breaks,
			    r[i].no_data ? 0 : r[i].missing, r[i].open);
		strbuf_addf(h, "<td class=\"num\">%s</td></tr>\n",
			    money_format_grouped(r[i].open_amount, b));
	}
	if (!n)
		strbuf_addstr(h, "<tr><td colspan=\"8\">Ingen afstemninger denne nat.</td></tr>\n");
	strbuf_addstr(h, "</tbody>\n</table>\n<p class=\"note\">Åbne afvigelser tæller hver "
		      "krone én gang, på afvigelsernes niveau: en afvigelse der forklarer sin "
		      "række (f.eks. renter med forslag til bilag, en faktura KY har afvist) er "
		      "ikke åben, og en detalje (en persons forskel under feltets uforklarede "
		      "rest, en kontos forskel under TOTAL) tælles i den afvigelse den er en del "
		      "af (conf/reconciliations.conf).</p>\n");
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
static void render_reports(struct strbuf *h, const struct recon_data *r, size_t n)
{
	strbuf_addstr(h, "<table id=\"reports\">\n<caption>Rapporter pr. afstemning "
		      "(inputs/)</caption>\n<thead><tr><th>Afstemning</th><th>Modtaget</th>"
		      "<th>Mangler</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < n; i++) {
		const struct csvtable *t = &r[i].in;
		struct tally had = { 0 }, miss = { 0 };
		int cl = csvtable_col(t, "report"), cst = csvtable_col(t, "state");
		int cn = csvtable_col(t, "need"), cse = csvtable_col(t, "se");
		int cm = csvtable_col(t, "month"), cf = csvtable_col(t, "file");
		int cnight = csvtable_col(t, "night");
		for (size_t k = 0; r[i].has_in && k < t->nrows; k++) {
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
		strbuf_addf(h, "<tr><td><a href=\"#recon-%s\">", r[i].recon);
		html_escape(h, title_of(&r[i]));
		strbuf_addstr(h, "</a></td><td>");
		for (size_t k = 0; k < had.n; k++) {
			strbuf_addstr(h, k ? "<br>" : "");
			html_escape(h, had.word[k]);
			strbuf_addf(h, " (%lu fil%s)", had.count[k], had.count[k] == 1 ? "" : "er");
		}
		strbuf_addf(h, "%s</td><td%s>", had.n ? "" : "Intet",
			    miss.n ? " class=\"st st-missing\"" : "");
		for (size_t k = 0; k < miss.n; k++) {
			strbuf_addstr(h, k ? "<br>" : "");
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
	strbuf_addstr(h, "</caption>\n<thead><tr><th>");
	html_escape(h, l->key);
	strbuf_addstr(h, "</th><th>");
	html_escape(h, l->left);
	strbuf_addstr(h, "</th><th>");
	html_escape(h, l->right);
	strbuf_addstr(h, "</th>");
	term_th(h, "summary", "difference");
	strbuf_addstr(h, "<th>");
	html_escape(h, l->explained);
	strbuf_addstr(h, "</th>");
	term_th(h, "summary", "unexplained");
	term_th(h, "summary", "status");
	strbuf_addstr(h, "</tr></thead>\n<tbody>\n");
}

static int sum_row(struct strbuf *h, const struct recon_data *r, size_t i, const char *path)
{
	static const char *const amounts[] = { "left", "right", "difference", "explained",
					       "unexplained" };
	const struct csvtable *t = &r->sum;
	const char *key = csvtable_get(t, i, csvtable_col(t, "key"));
	const char *st = csvtable_get(t, i, csvtable_col(t, "status"));
	int total = !strcmp(key, "TOTAL");
	char mask[CPR_MASKSZ];
	strbuf_addf(h, "<tr%s><td>", total ? " class=\"total\"" : "");
	html_escape(h, total ? "I alt" : key_masked(key, mask));
	strbuf_addstr(h, "</td>");
	for (size_t k = 0; k < 5; k++) {
		money_t v;
		int col = csvtable_col(t, amounts[k]);
		if (!*csvtable_get(t, i, col) && !strcmp(st, RECON_MISSING)) {
			strbuf_addstr(h, "<td class=\"num\">–</td>");	/* its report is missing */
			continue;
		}
		if (cell_money(t, i, col, path, &v))
			return -1;
		money_cell(h, v);
	}
	strbuf_addf(h, "<td class=\"st %s\">%s</td></tr>\n", status_class(st), status_text(st));
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

/* One table per SE and month, in the file's (sorted) order. */
static int render_summary(struct strbuf *h, const struct recon_data *r, const char *path)
{
	const struct csvtable *t = &r->sum;
	int cse = csvtable_col(t, "se"), cmo = csvtable_col(t, "month");
	for (size_t i = 0; i < t->nrows; i++) {
		const char *se = csvtable_get(t, i, cse), *mo = csvtable_get(t, i, cmo);
		if (i == 0 || strcmp(se, csvtable_get(t, i - 1, cse)) ||
		    strcmp(mo, csvtable_get(t, i - 1, cmo))) {
			if (i)
				strbuf_addstr(h, "</tbody>\n</table>\n");
			missing_note(h, r, se, mo);
			sum_header(h, r, se, mo);
		}
		if (sum_row(h, r, i, path))
			return -1;
	}
	if (t->nrows)
		strbuf_addstr(h, "</tbody>\n</table>\n");
	else
		strbuf_addstr(h, "<p>Ingen summer denne nat.</p>\n");
	return 0;
}

static void text_cell(struct strbuf *h, const char *s, const char *cls)
{
	strbuf_addf(h, "<td class=\"%s\">", cls);
	html_escape(h, s);
	strbuf_addstr(h, "</td>");
}

static int break_row(struct strbuf *h, const struct recon_data *r, size_t i, const char *path)
{
	static const char *const cols[] = { "se", "month" };
	const struct csvtable *t = &r->exc;
	const char *cpr = csvtable_get(t, i, csvtable_col(t, "cpr"));
	char mask[CPR_MASKSZ];
	money_t v;
	strbuf_addstr(h, "<tr>");
	for (size_t k = 0; k < 2; k++)
		text_cell(h, csvtable_get(t, i, csvtable_col(t, cols[k])), "nw");
	text_cell(h, key_masked(csvtable_get(t, i, csvtable_col(t, "key")), mask), "nw");
	text_cell(h, *cpr ? cpr_mask(cpr, mask) : "", "nw");
	if (cell_money(t, i, csvtable_col(t, "amount"), path, &v))
		return -1;
	money_cell(h, v);
	text_cell(h, csvtable_get(t, i, csvtable_col(t, "reason")), "reason");
	text_cell(h, csvtable_get(t, i, csvtable_col(t, "first_seen")), "nw");
	strbuf_addstr(h, "<td class=\"num\">");
	html_escape(h, csvtable_get(t, i, csvtable_col(t, "age_days")));
	strbuf_addstr(h, "</td></tr>\n");
	return 0;
}

static int render_breaks(struct strbuf *h, const struct recon_data *r, const char *path)
{
	static const char *const exc_cols[] = { "cpr", "amount", "reason", "first_seen",
						"age_days" };
	size_t n = r->has_exc ? r->exc.nrows : 0;
	strbuf_addf(h, "<h3>Afvigelser: %zu, heraf åbne: %lu</h3>\n", n, r->open);
	if (!n) {
		strbuf_addstr(h, "<p>Ingen åbne afvigelser.</p>\n");
		return 0;
	}
	strbuf_addstr(h, "<table class=\"breaks\">\n<thead><tr>");
	term_th(h, "exceptions", "se");
	term_th(h, "exceptions", "month");
	strbuf_addstr(h, "<th>");
	html_escape(h, r->lab->key);
	strbuf_addstr(h, "</th>");
	for (size_t k = 0; k < sizeof(exc_cols) / sizeof(exc_cols[0]); k++)
		term_th(h, "exceptions", exc_cols[k]);
	strbuf_addstr(h, "</tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < n && i < REPORT_MAX_BREAKS; i++)
		if (break_row(h, r, i, path))
			return -1;
	strbuf_addstr(h, "</tbody>\n</table>\n");
	if (n > REPORT_MAX_BREAKS)
		strbuf_addf(h, "<p class=\"note\">Viser de første %d af %zu; alle står i "
			    "afvigelsesfilen.</p>\n", REPORT_MAX_BREAKS, n);
	return 0;
}

struct trend_point {
	int32_t day;
	int present;
	unsigned long count;
	money_t amount;
};

/* Open breaks of recon on each of the last n nights up to night, from
 * OUT/D/exceptions/RECON.csv (each file read goes into the input digest);
 * a night without the file is a gap. */
static int trend_read(const char *outroot, int32_t night, const char *recon,
		      const struct recon_def *def, struct trend_point *p, int n,
		      struct digest_ctx *in)
{
	int64_t last = day_number(night);
	for (int i = 0; i < n; i++) {
		struct strbuf path = STRBUF_INIT;
		struct csvtable t;
		char d[DATE_BUFSZ];
		int rc = 0;
		memset(&p[i], 0, sizeof(p[i]));
		p[i].day = day_from_number(last - (n - 1 - i));
		strbuf_addf(&path, "%s/%s/exceptions/%s.csv", outroot, day_format(p[i].day, d), recon);
		if (access(path.buf, R_OK) == 0 && (rc = read_table(path.buf, &t, in)) == 0) {
			p[i].present = 1;
			rc = count_open(&t, def, path.buf, &p[i].count, &p[i].amount);
			csvtable_free(&t);
		}
		strbuf_release(&path);
		if (rc)
			return -1;
	}
	return 0;
}

enum { SVG_W = 760, SVG_H = 180, PLOT_X = 44, PLOT_Y = 14, PLOT_W = 690, PLOT_H = 120 };

static void svg_axes(struct strbuf *h, const struct trend_point *p, int n,
		     unsigned long maxc, money_t maxa)
{
	char d1[DATE_BUFSZ], d2[DATE_BUFSZ], b[MONEY_BUFSZ];
	strbuf_addf(h, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\"/>\n",
		    PLOT_X, PLOT_Y + PLOT_H, PLOT_X + PLOT_W, PLOT_Y + PLOT_H);
	if (maxc)
		strbuf_addf(h, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">"
			    "%lu</text>\n", PLOT_X - 4, PLOT_Y + 8, maxc);
	strbuf_addf(h, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">0</text>\n",
		    PLOT_X - 4, PLOT_Y + PLOT_H);
	strbuf_addf(h, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>\n", PLOT_X,
		    PLOT_Y + PLOT_H + 16, day_format(p[0].day, d1));
	strbuf_addf(h, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>\n",
		    PLOT_X + PLOT_W, PLOT_Y + PLOT_H + 16, day_format(p[n - 1].day, d2));
	strbuf_addf(h, "<text x=\"%d\" y=\"%d\" font-size=\"11\"><tspan fill=\"#c0392b\">"
		    "&#9632;</tspan> antal åbne afvigelser (maks %lu)   <tspan fill=\"#1f4e8c\">"
		    "&#9473;</tspan> beløb, numerisk (maks %s kr.)</text>\n", PLOT_X,
		    PLOT_Y + PLOT_H + 34, maxc, money_format_grouped(maxa, b));
}

/* One night's mark: a bar of its open breaks, or a flat tick (green: none
 * open, grey: no run that night). */
static void svg_mark(struct strbuf *h, const struct trend_point *p, int x, int bw,
		     unsigned long maxc)
{
	char d[DATE_BUFSZ], b[MONEY_BUFSZ];
	int bh = (int)((p->count * PLOT_H) / maxc);
	day_format(p->day, d);
	if (!p->present || !p->count) {
		strbuf_addf(h, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"3\" fill=\"%s\">"
			    "<title>%s: %s</title></rect>\n", x, PLOT_Y + PLOT_H - 3, bw,
			    p->present ? "#2e7d32" : "#bbb", d,
			    p->present ? "ingen åbne" : "ingen kørsel");
		return;
	}
	strbuf_addf(h, "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
		    "fill=\"#c0392b\"><title>%s: %lu åbne, %s kr.</title></rect>\n", x,
		    PLOT_Y + PLOT_H - bh, bw, bh, d, p->count, money_format_grouped(p->amount, b));
}

/* Bars: the number of open breaks; line: their numeric amount. Integer
 * coordinates only, so the bytes never depend on float rounding. */
static void svg_plot(struct strbuf *h, const struct trend_point *p, int n,
		     unsigned long maxc, money_t maxa)
{
	int slot = PLOT_W / n, bw = slot > 3 ? slot - 2 : 1;
	struct strbuf line = STRBUF_INIT;
	for (int i = 0; i < n; i++) {
		int x = PLOT_X + i * slot + (slot - bw) / 2;
		int y = PLOT_Y + PLOT_H - (maxa ? (int)((p[i].amount * PLOT_H) / maxa) : 0);
		svg_mark(h, &p[i], x, bw, maxc ? maxc : 1);
		if (p[i].present)
			strbuf_addf(&line, "%s%d,%d", line.len ? " " : "", x + bw / 2, y);
	}
	if (line.len)
		strbuf_addf(h, "<polyline points=\"%s\" fill=\"none\" stroke=\"#1f4e8c\" "
			    "stroke-width=\"2\"/>\n", line.buf);
	strbuf_release(&line);
}

static int render_trend(struct strbuf *h, const char *outroot, int32_t night,
			const struct recon_data *r, int n, struct digest_ctx *in)
{
	struct trend_point *p = xcalloc((size_t)n, sizeof(*p));
	unsigned long maxc = 0;
	money_t maxa = 0;
	if (trend_read(outroot, night, r->recon, r->def, p, n, in)) {
		free(p);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		maxc = p[i].count > maxc ? p[i].count : maxc;
		maxa = p[i].amount > maxa ? p[i].amount : maxa;
	}
	strbuf_addf(h, "<figure class=\"trend\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
		    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
		    "aria-label=\"Åbne afvigelser de sidste %d nætter\">\n", SVG_W, SVG_H, SVG_W,
		    SVG_H, n);
	svg_axes(h, p, n, maxc, maxa);
	svg_plot(h, p, n, maxc, maxa);
	strbuf_addf(h, "</svg>\n<figcaption>Åbne afvigelser og deres beløb de sidste %d "
		    "nætter (grøn: ingen åbne, grå: ingen kørsel).</figcaption>\n</figure>\n", n);
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

static int render_recon(struct strbuf *h, const char *outroot, int32_t night,
			const struct recon_data *r, int trend_nights, struct digest_ctx *in)
{
	const char *nightdir_fmt = "%s/%s/%s/%s.csv";
	struct strbuf path = STRBUF_INIT, rel = STRBUF_INIT;
	char d[DATE_BUFSZ];
	int rc = 0;
	day_format(night, d);
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
	strbuf_addstr(h, "</p>\n");
	strbuf_addf(&path, nightdir_fmt, outroot, d, "summary", r->recon);
	if (r->no_data) {
		strbuf_addstr(h, "<p class=\"note\">Ingen data i nat: ingen af afstemningens "
			      "rækker kunne dannes.</p>\n");
		missing_note(h, r, "", csvtable_get(&r->sum, 0, csvtable_col(&r->sum, "month")));
	} else if (r->has_sum)
		rc = render_summary(h, r, path.buf);
	else
		strbuf_addstr(h, "<p>Ingen summary-fil denne nat.</p>\n");
	strbuf_reset(&path);
	strbuf_addf(&path, nightdir_fmt, outroot, d, "exceptions", r->recon);
	if (!rc)
		rc = render_breaks(h, r, path.buf);
	if (!rc)
		rc = render_trend(h, outroot, night, r, trend_nights, in);
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
					    "postings" };
	static const char *const titles[] = {
		"Bilag (vouchers)", "Afviste inputrækker (rejected)",
		"Opkrævninger sendt (charges)", "Indsigelser (disputes)",
		"Posteringsgrundlag (postings)",
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
		strbuf_addf(h, "<h3>%s</h3>\n", titles[k]);
		if (!n.n)
			strbuf_addstr(h, "<p>Ingen.</p>\n");
		else
			strbuf_addstr(h, "<ul class=\"files\">\n");
		for (size_t i = 0; i < n.n; i++) {
			strbuf_reset(&p);
			strbuf_addf(&p, "%s/%s", dirs[k], n.v[i]);
			digest_update(in, p.buf, p.len + 1);	/* with its NUL: a separator */
			strbuf_addstr(h, "<li>");
			file_link(h, p.buf, n.v[i]);
			strbuf_addstr(h, "</li>\n");
		}
		if (n.n)
			strbuf_addstr(h, "</ul>\n");
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

int report_render(const char *outroot, int32_t night, const struct report_conf *rc,
		  const struct recon_conf *roles, int expected_missing,
		  struct strbuf *html, struct report_stats *st)
{
	struct strbuf nightdir = STRBUF_INIT, intake = STRBUF_INIT;
	struct names names = { NULL, 0 };
	struct recon_data *r;
	char d[DATE_BUFSZ];
	int err = 0;
	memset(st, 0, sizeof(*st));
	strbuf_addf(&nightdir, "%s/%s", outroot, day_format(night, d));
	collect_recons(nightdir.buf, &names);
	r = xcalloc(names.n ? names.n : 1, sizeof(*r));
	struct digest_ctx *in = digest_new();
	for (size_t i = 0; i < names.n && !err; i++) {
		r[i].recon = names.v[i];
		r[i].lab = report_labels(rc, names.v[i]);
		r[i].def = roles ? reconconf_find(roles, names.v[i]) : NULL;
		err = read_recon(nightdir.buf, &r[i], st, in);
	}
	st->recons = names.n;
	if (!err)
		err = render_sources(&intake, nightdir.buf, in, st);
	if (!err) {
		render_reports(&intake, r, names.n);
		err = render_rejected(&intake, nightdir.buf, in, st);
	}
	if (!err) {
		st->expected_missing = expected_missing;
		st->verdict = verdict(r, names.n, st);
		if (!st->verdict && expected_missing)
			st->verdict = 66;
		render_head(html, d);
		strbuf_addstr(html, "<nav>\n<h2>Nattens modtagelse og overblik</h2>\n");
		render_verdict(html, st);
		strbuf_add(html, intake.buf, intake.len);
		render_overview(html, r, names.n);
		strbuf_addstr(html, "</nav>\n");
		for (size_t i = 0; i < names.n && !err; i++)
			err = render_recon(html, outroot, night, &r[i], rc->trend_nights, in);
		render_files(html, nightdir.buf, in);
		strbuf_addstr(html, "</body>\n</html>\n");
	}
	digest_finish(in, st->input);
	for (size_t i = 0; i < names.n; i++) {
		if (r[i].has_sum)
			csvtable_free(&r[i].sum);
		if (r[i].has_exc)
			csvtable_free(&r[i].exc);
		if (r[i].has_in)
			csvtable_free(&r[i].in);
	}
	free(r);
	names_free(&names);
	strbuf_release(&nightdir);
	strbuf_release(&intake);
	return err ? -1 : 0;
}
