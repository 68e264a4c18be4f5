/*
 * stage-match-betalingsplaner: the night's received OIOUBL invoices and
 * credit notes held against the payment and invoice plans the central
 * finance office keeps, with the robot checks of doctors' certificates and
 * rent (seed 001 cases 5, 6, 13; ../shared/spec/seeds-000-001-003.md 2).
 *
 * Reads only the store and conf/ (betalingsplaner.conf and its tables,
 * accounts.conf for the plans' @roles):
 *   faktura.invoice       every OIOUBL document landed (input 'accumulate');
 *                         its landing night is the night it was received
 *   faktura.plan          the plans files (BETALINGSPLANER_<date>.csv)
 *   faktura.bestilling    orders of doctors' certificates (BESTILLINGER_<date>.csv)
 *   faktura.huslejetraek  rent deducted in KMD Aktiv (optional, rule 14)
 * Every document of the history window (history-months before the night's
 * month) is evaluated again, in processing order, each against the files
 * as of its own received night, so a document's result never changes after
 * its night and a rerun gives the same bytes (bprules.h has the rules).
 *
 * Writes for the night's month to date (month = received night's):
 *   summary/betalingsplaner.csv      a row per plan, UNMATCHED and TOTAL
 *   exceptions/betalingsplaner.csv   one per held invoice (first failing
 *                                    rule, the others listed), per plan
 *                                    warning, per refused file
 *   suggestions/betalingsplaner.csv  plan candidates (rule 18)
 * Exit codes: 0 done, 64 a conf error (file:line), 70 internal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomicfile.h"
#include "core/csvout.h"
#include "core/date.h"
#include "core/digest.h"
#include "core/exitcode.h"
#include "core/log.h"
#include "match/accounts.h"
#include "match/reconin.h"
#include "post/postfile.h"
#include "run/outfile.h"
#include "store/landed.h"
#include "bpconf.h"
#include "bprules.h"
#include "core/banned.h"

#define RECON "betalingsplaner"

enum { INV, PLAN, ORDER, TRAEK, NSOURCES };

static const char *const source_store[NSOURCES] = {
	"faktura.invoice", "faktura.plan", "faktura.bestilling", "faktura.huslejetraek",
};

/* The fields read; each store uses some. */
enum {
	F_SE, F_MONTH, F_CPR, F_AMOUNT, F_DAY, F_TEXT, F_NAME, F_ACCOUNT, F_INVOICE, F_IDENT,
	F_STATUS, F_COSTCENTRE, F_DOCTYPE, F_SUPPLIER, F_EAN, F_ORDER_REF, F_BILLING_REF,
	F_PERIOD_START, F_NET, F_TAX_EXCL, F_TAX_INCL, F_ALLOWANCE, F_CHARGE, F_PREPAID,
	F_ROUNDING, F_VAT, F_TAX_ROUNDING, F_AC_ALLOWANCE, F_AC_CHARGE, F_LINES_NET, F_NLINES,
	F_DOC_LINE, F_LINE_NOTES, F_ITEM_NAMES, F_ITEM_DESCS, F_PLAN, F_PLAN_TYPE, F_CATEGORY,
	F_CVR_TEXT, F_PREFIX_FIELD, F_PREFIX, F_BELOEB_MIN, F_BELOEB_MAX, F_CADENCE, F_TOLERANCE,
	F_MAX_DEV, F_REQUIRE_CPR, F_START_TEXT, F_END_TEXT, F_ATTEST, F_CPR_TEXT, F_MAANED, NF
};

static const char *const field_names[NF] = {
	"se", "month", "cpr", "amount", "day", "text", "name", "account", "invoice", "ident",
	"status", "costcentre", "doctype", "supplier", "ean", "order_ref", "billing_ref",
	"period_start", "net", "tax_excl", "tax_incl", "allowance", "charge", "prepaid",
	"rounding", "vat", "tax_rounding", "ac_allowance", "ac_charge", "lines_net", "nlines",
	"doc_line", "line_notes", "item_names", "item_descs", "plan", "plan_type", "category",
	"cvr_text", "prefix_field", "prefix", "beloeb_min", "beloeb_max", "cadence", "tolerance",
	"max_dev", "require_cpr", "start_text", "end_text", "attest", "cpr_text", "maaned",
};

/* A document and its SE. */
struct ldoc {
	struct bp_doc d;
	char se[SE_LEN + 1];
};

/* One file of plans, orders or deductions, and when it counts. */
struct lfile {
	char se[SE_LEN + 1];
	int32_t namedate, since;
	struct bp_planset plans;
	struct bp_orders orders;
	struct bp_traeks traek;
};

struct bp {
	struct stage_ctx *ctx;
	struct bp_conf conf;
	struct accounts acc;
	int have_acc;
	struct reconin in;
	int f[NF];
	struct ldoc **docs;
	size_t ndocs, adocs;
	struct lfile *files[TRAEK + 1];
	size_t nfiles[TRAEK + 1], afiles[TRAEK + 1];
	struct recon_out out;
	struct postfile post;
	char **texts;		/* the postings rows' reason texts, alive until written */
	size_t ntexts, atexts;
	struct strbuf suggestions;
	unsigned long nsuggestions;
	/* the month's counts for the status note */
	uint64_t received, out_of_scope, posted, held, planexc, refused;
	money_t posted_sum, held_sum;
};

static void text_of(const struct bp *b, const struct record *r, int f, struct strbuf *out)
{
	const struct value *v = &r->v[b->f[f]];
	strbuf_reset(out);
	if (v->present && v->text)
		strbuf_add(out, v->text, v->len);
}

static char *dup_text(const struct bp *b, const struct record *r, int f)
{
	const struct value *v = &r->v[b->f[f]];
	return v->present && v->text ? xstrndup(v->text, v->len) : xstrdup("");
}

static int64_t num_of(const struct bp *b, const struct record *r, int f, int *present)
{
	const struct value *v = &r->v[b->f[f]];
	if (present)
		*present = v->present;
	return v->present ? v->num : 0;
}

static int role_exists(const char *role, void *data)
{
	const struct bp *b = data;
	return b->have_acc && accounts_role(&b->acc, "", role) != NULL;
}

static int load_doc(struct bp *b, const struct row_iter *it, const struct snapshot_entry *e)
{
	const struct record *r = &it->rec;
	struct ldoc *l = xcalloc(1, sizeof(*l));
	struct bp_doc *d = &l->d;
	int has;
	memcpy(l->se, e->se, sizeof(l->se));
	d->received = e->accumulated ? e->since : e->namedate;
	d->relpath = xstrdup(e->relpath ? e->relpath : "");
	d->line = (unsigned long)num_of(b, r, F_DOC_LINE, &has);
	if (!has)
		d->line = it->line;
	{
		const struct value *v = &r->v[b->f[F_DOCTYPE]];
		d->credit = v->present && v->len == 10 && !memcmp(v->text, "CreditNote", 10);
	}
	d->invoice = dup_text(b, r, F_INVOICE);
	d->supplier = dup_text(b, r, F_SUPPLIER);
	d->ean = dup_text(b, r, F_EAN);
	d->name = dup_text(b, r, F_NAME);
	d->order_ref = dup_text(b, r, F_ORDER_REF);
	d->billing_ref = dup_text(b, r, F_BILLING_REF);
	d->account = dup_text(b, r, F_ACCOUNT);
	d->line_notes = dup_text(b, r, F_LINE_NOTES);
	d->item_names = dup_text(b, r, F_ITEM_NAMES);
	d->item_descs = dup_text(b, r, F_ITEM_DESCS);
	d->notes = dup_text(b, r, F_TEXT);
	d->day = (int32_t)num_of(b, r, F_DAY, NULL);
	d->period_start = (int32_t)num_of(b, r, F_PERIOD_START, NULL);
	d->amount = num_of(b, r, F_AMOUNT, NULL);
	d->net = num_of(b, r, F_NET, NULL);
	d->vat = num_of(b, r, F_VAT, NULL);
	d->tax_excl = num_of(b, r, F_TAX_EXCL, &has);
	d->has |= has ? BP_HAS_TAX_EXCL : 0;
	d->tax_incl = num_of(b, r, F_TAX_INCL, NULL);
	d->allowance = num_of(b, r, F_ALLOWANCE, &has);
	d->has |= has ? BP_HAS_ALLOWANCE : 0;
	d->charge = num_of(b, r, F_CHARGE, &has);
	d->has |= has ? BP_HAS_CHARGE : 0;
	d->prepaid = num_of(b, r, F_PREPAID, NULL);
	d->rounding = num_of(b, r, F_ROUNDING, NULL);
	d->tax_rounding = num_of(b, r, F_TAX_ROUNDING, NULL);
	d->ac_allowance = num_of(b, r, F_AC_ALLOWANCE, NULL);
	d->ac_charge = num_of(b, r, F_AC_CHARGE, NULL);
	d->lines_net = num_of(b, r, F_LINES_NET, NULL);
	d->nlines = (long)num_of(b, r, F_NLINES, NULL);
	b->docs = xgrow(b->docs, &b->adocs, b->ndocs + 1, sizeof(*b->docs));
	b->docs[b->ndocs++] = l;
	return 0;
}

static void load_plan(struct bp *b, const struct record *r, unsigned long line, struct lfile *lf)
{
	struct strbuf c[17];
	static const int cols[17] = { F_PLAN, F_PLAN_TYPE, F_CATEGORY, F_CVR_TEXT, F_EAN,
				      F_PREFIX_FIELD, F_PREFIX, F_BELOEB_MIN, F_BELOEB_MAX,
				      F_CADENCE, F_TOLERANCE, F_MAX_DEV, F_REQUIRE_CPR, F_ACCOUNT,
				      F_COSTCENTRE, F_START_TEXT, F_END_TEXT };
	struct bp_plan_cells cells;
	struct bp_planset *ps = &lf->plans;
	for (int i = 0; i < 17; i++) {
		strbuf_init(&c[i]);
		text_of(b, r, cols[i], &c[i]);
	}
#define C(i) strbuf_str(&c[i])
	cells = (struct bp_plan_cells){ C(0), C(1), C(2), C(3), C(4), C(5), C(6), C(7), C(8),
					C(9), C(10), C(11), C(12), C(13), C(14), C(15), C(16) };
#undef C
	ps->v = xgrow(ps->v, &ps->alloc, ps->n + 1, sizeof(*ps->v));
	bp_plan_check(&cells, role_exists, b, &ps->v[ps->n]);
	ps->v[ps->n++].line = line;
	for (int i = 0; i < 17; i++)
		strbuf_release(&c[i]);
}

/* A CPR as written (DDMMYY-SSSS or 10 digits) as the 10 digits the rules compare. */
static char *cpr_digits(const struct bp *b, const struct record *r)
{
	char *s = dup_text(b, r, F_CPR_TEXT), *w = s;
	for (const char *p = s; *p; p++)
		if (*p != '-' && *p != ' ')
			*w++ = *p;
	*w = '\0';
	return s;
}

static void load_order(struct bp *b, const struct record *r, struct lfile *lf)
{
	struct bp_orders *o = &lf->orders;
	struct bp_order *x;
	o->v = xgrow(o->v, &o->alloc, o->n + 1, sizeof(*o->v));
	x = &o->v[o->n++];
	x->id = dup_text(b, r, F_IDENT);
	x->cpr = cpr_digits(b, r);
	x->attest = dup_text(b, r, F_ATTEST);
	x->cvr = dup_text(b, r, F_CVR_TEXT);
	x->status = dup_text(b, r, F_STATUS);
	x->day = (int32_t)num_of(b, r, F_DAY, NULL);
}

static void load_traek(struct bp *b, const struct record *r, struct lfile *lf)
{
	struct bp_traeks *t = &lf->traek;
	struct bp_traek *x;
	char *cpr = cpr_digits(b, r), *m = dup_text(b, r, F_MAANED);
	const char *why;
	t->v = xgrow(t->v, &t->alloc, t->n + 1, sizeof(*t->v));
	x = &t->v[t->n++];
	memset(x, 0, sizeof(*x));
	xstrlcpy(x->cpr, cpr, sizeof(x->cpr));
	if (month_parse(m, strlen(m), &x->month, &why))
		x->month = 0;	/* matches no invoice */
	free(cpr);
	free(m);
	x->cvr = dup_text(b, r, F_CVR_TEXT);
	x->amount = num_of(b, r, F_AMOUNT, NULL);
}

/* Every row of every file of source src, each file once. */
static int load_source(struct bp *b, int src)
{
	const struct snapshot *s = &b->in.snap[src];
	for (size_t i = 0; i < s->n; i++) {
		const struct snapshot_entry *e = &s->v[i];
		struct row_iter it;
		struct lfile *lf = NULL;
		int rc;
		if (src != INV) {
			b->files[src] = xgrow(b->files[src], &b->afiles[src], b->nfiles[src] + 1,
					      sizeof(*b->files[src]));
			lf = &b->files[src][b->nfiles[src]++];
			memset(lf, 0, sizeof(*lf));
			memcpy(lf->se, e->se, sizeof(lf->se));
			lf->namedate = e->namedate;
			lf->since = e->accumulated ? e->since : 0;
		}
		if (row_iter_open_entry(&it, &b->ctx->store, b->in.txn, s, i))
			return -1;
		while ((rc = row_iter_next(&it)) == 1) {
			b->in.records++;
			if (src == INV)
				load_doc(b, &it, e);
			else if (src == PLAN)
				load_plan(b, &it.rec, it.line, lf);
			else if (src == ORDER)
				load_order(b, &it.rec, lf);
			else
				load_traek(b, &it.rec, lf);
		}
		row_iter_close(&it);
		if (rc < 0)
			return -1;
		if (lf && src == PLAN) {
			bp_planset_dups(&lf->plans);
			bp_planset_index(&lf->plans);
		}
	}
	return 0;
}

/* The file of source src for se as of night: newest by name date, landed by then. */
static const struct lfile *as_of(const struct bp *b, int src, const char *se, int32_t night)
{
	const struct lfile *best = NULL;
	for (size_t i = 0; i < b->nfiles[src]; i++) {
		const struct lfile *f = &b->files[src][i];
		if (strcmp(f->se, se) || f->namedate > night || f->since > night)
			continue;
		if (!best || f->namedate > best->namedate ||
		    (f->namedate == best->namedate && f->since >= best->since))
			best = f;
	}
	return best;
}

static int cmp_ldoc(const void *a, const void *b)
{
	const struct ldoc *x = *(const struct ldoc *const *)a, *y = *(const struct ldoc *const *)b;
	int c = strcmp(x->se, y->se);
	return c ? c : bp_doc_cmp(&x->d, &y->d);
}

static void csv_cell(struct strbuf *line, const char *s, int last)
{
	csvout_str(line, s ? s : "", last);
}

/* The columns after the standard ones (recon_out.extra). */
static const char *const exc_extra[] = { "invoice", "cvr", "ean", "plan", "other_reasons",
					 "file" };

static void extra6(struct exception_row *e, const char *inv, const char *cvr, const char *ean,
		   const char *plan, const char *other, const char *file)
{
	const char *v[6] = { inv, cvr, ean, plan, other, file };
	for (int i = 0; i < 6; i++)
		if (v[i] && v[i][0])
			recon_extra(e, i, v[i]);
}

static void extra_cols(struct exception_row *e, const struct bp_doc *d, const char *plans,
		       const struct bp_outcome *o, int with_file)
{
	struct strbuf other = STRBUF_INIT, file = STRBUF_INIT;
	for (int i = 1; o && i < o->ncodes; i++)
		strbuf_addf(&other, "%s%s", i > 1 ? "," : "", bp_code_name(o->codes[i]));
	if (with_file && d->relpath[0])
		strbuf_addf(&file, "%s:%lu", d->relpath, d->line);
	extra6(e, d->invoice, d->supplier, d->ean, plans, strbuf_str(&other), strbuf_str(&file));
	strbuf_release(&other);
	strbuf_release(&file);
}

/* "faktura INVOICE, CVR SUPPLIER, EAN EAN, ISSUEDATE" (DESIGN 4.7). */
static void doc_head(const struct bp_doc *d, struct strbuf *out)
{
	char day[DATE_BUFSZ];
	strbuf_addf(out, "faktura %s, CVR %s, EAN %s, %s", d->invoice,
		    d->supplier[0] ? d->supplier : "-", d->ean[0] ? d->ean : "-",
		    day_format(d->day, day));
}

static void held(struct bp *b, const char *se, int32_t month, const struct bp_doc *d,
		 const struct bp_outcome *o)
{
	struct strbuf note = STRBUF_INIT;
	struct exception_row *e = recon_exception(&b->out, se, month, o->key, o->cpr, d->amount,
						  bp_code_name(o->codes[0]),
						  bp_code_text(o->codes[0]));
	snprintf(e->ref, sizeof(e->ref), "%s/%s", d->supplier, d->invoice);
	doc_head(d, &note);
	if (o->detail.len)
		strbuf_addf(&note, ": %s", strbuf_str(&o->detail));
	recon_note(e, "%s", strbuf_str(&note));
	e->first_seen = d->received;
	extra_cols(e, d, strbuf_str(&o->plans), o, 1);
	strbuf_release(&note);
}

static const char *const post_extra[] = { "costcentre", "invoice", "cvr", "ean", "file" };

/*
 * An auto-posted invoice: a row of postings/betalingsplaner.csv on the
 * night it arrived, which vouchers.conf's rule plan-bogfoering posts
 * (debit the plan's account the net, koebsmoms the VAT, credit
 * kreditor-mellemregning the amount). Its id is the invoice's, never its amount.
 */
static void posting(struct bp *b, const char *se, int32_t month, const struct bp_doc *d,
		    const struct bp_outcome *o)
{
	char id[17];
	struct strbuf text = STRBUF_INIT, file = STRBUF_INIT;
	struct postfile_row *r;
	postfile_id(id, "%s|%s|%06d|%s|%s|%s|%s/%s", RECON, se, (int)month, o->key, o->cpr,
		    bp_code_name(BP_PLAN_MATCH), d->supplier, d->invoice);
	strbuf_addf(&text, "%s (", bp_code_text(BP_PLAN_MATCH));
	doc_head(d, &text);
	strbuf_addch(&text, ')');
	b->texts = xgrow(b->texts, &b->atexts, b->ntexts + 1, sizeof(*b->texts));
	b->texts[b->ntexts++] = strbuf_detach(&text);
	r = postfile_add(&b->post, id, se, month, o->key, o->cpr, d->amount,
			 bp_code_name(BP_PLAN_MATCH), b->texts[b->ntexts - 1]);
	xstrlcpy(r->account, o->plan->account, sizeof(r->account));
	r->vat = d->vat;
	r->net = d->amount - d->vat;	/* allowances, charges, rounding: on the plan's account */
	strbuf_addf(&file, "%s:%lu", d->relpath, d->line);
	postfile_set(r, 0, o->plan->costcentre);
	postfile_set(r, 1, d->invoice);
	postfile_set(r, 2, d->supplier);
	postfile_set(r, 3, d->ean);
	postfile_set(r, 4, strbuf_str(&file));
	strbuf_release(&file);
}

/* Rules 16, 17 and plan-fejl under the plans as of the night. */
static void plan_level(struct bp *b, const struct bp_state *s, const char *se, int32_t month,
		       const struct bp_planset *ps)
{
	struct bp_planexc *v = NULL;
	size_t n = 0, alloc = 0;
	char day[DATE_BUFSZ], day2[DATE_BUFSZ];
	int32_t night = b->ctx->night;
	bp_night(s, &b->conf, ps, night, &v, &n, &alloc);
	for (size_t i = 0; i < n; i++) {
		struct exception_row *e = recon_exception(&b->out, se, month, v[i].plan->id,
							  v[i].cpr, v[i].amount,
							  bp_code_name(v[i].code),
							  bp_code_text(v[i].code));
		if (v[i].code == BP_KADENCE_MANGLER) {
			recon_note(e, "sidste faktura %s %s, forventet senest %s", v[i].last->invoice,
				   day_format(v[i].last->day, day), day_format(v[i].due, day2));
			extra_cols(e, v[i].last, v[i].plan->id, NULL, 0);
		} else {
			recon_note(e, "slutdato %s, %d dage", day_format(v[i].plan->end, day),
				   v[i].days);
			extra6(e, "", "", "", v[i].plan->id, "", "");
		}
		b->planexc++;
	}
	free(v);
	for (size_t i = 0; i < ps->n; i++) {
		const struct bp_plan *p = &ps->v[i];
		struct exception_row *e;
		if (!p->error)
			continue;
		e = recon_exception(&b->out, se, month, p->id[0] ? p->id : "UNMATCHED", NULL, 0,
				    bp_code_name(BP_PLAN_FEJL), bp_code_text(BP_PLAN_FEJL));
		snprintf(e->ref, sizeof(e->ref), "linje %lu", p->line);
		recon_note(e, "BETALINGSPLANER linje %lu: %s", p->line, p->error);
		extra6(e, "", "", "", p->id, "", "");
		b->planexc++;
	}
}

struct refused_scan {
	struct bp *b;
	const char *se;
	int32_t month;
	MDB_txn *txn;
};

/* Rule 1: an OIOUBL file of the month that normalise refused (its record says why). */
static int on_landed(const struct landed_file *f, void *data)
{
	struct refused_scan *r = data;
	struct strbuf props = STRBUF_INIT, line = STRBUF_INIT, why = STRBUF_INIT, schema = STRBUF_INIT;
	const struct input_rule *rule;
	struct name_match m;
	int rc;
	rule = conf_match_input(&r->b->ctx->conf, f->relpath, &m);
	if (!rule || !strstr(rule->schema, "oioubl"))
		return 0;
	rc = file_props_get(&r->b->ctx->store, r->txn, f->fileid, &props);
	if (rc < 0)
		return -1;
	if (!rc && (!props_get(&props, "refused_line", &line) || !line.len)) {
		strbuf_reset(&line);
		props_get(&props, "rejected_line", &line);
	}
	if (!rc && line.len) {
		struct exception_row *e;
		if (!props_get(&props, "refused_why", &why) || !why.len) {
			strbuf_reset(&why);
			props_get(&props, "rejected_why", &why);
		}
		e = recon_exception(&r->b->out, r->se, r->month, "UNMATCHED", NULL, 0,
				    bp_code_name(BP_IKKE_OIOUBL), bp_code_text(BP_IKKE_OIOUBL));
		xstrlcpy(e->ref, f->relpath, sizeof(e->ref));
		recon_note(e, "%s:%s: %s", f->relpath, strbuf_str(&line), strbuf_str(&why));
		strbuf_addf(&schema, "%s:%s", f->relpath, strbuf_str(&line));
		extra6(e, "", "", "", "", "", strbuf_str(&schema));
		r->b->refused++;
	}
	strbuf_release(&props);
	strbuf_release(&line);
	strbuf_release(&why);
	strbuf_release(&schema);
	return 0;
}

static void suggestions(struct bp *b, const char *se, const struct bp_planset *ps,
			struct ldoc **docs, size_t n)
{
	const struct bp_doc **v = xcalloc(n + 1, sizeof(*v));
	struct bp_suggestion *s;
	size_t ns;
	for (size_t i = 0; i < n; i++)
		v[i] = &docs[i]->d;
	ns = bp_suggest(&b->conf, ps, v, n, b->ctx->night, &s);
	for (size_t i = 0; i < ns; i++) {
		struct strbuf *o = &b->suggestions;
		char m1[MONEY_BUFSZ], day[DATE_BUFSZ], num[64];
		strbuf_addf(o, "FORSLAG-%s-%s;BETALING;FAST;", s[i].cvr, s[i].ean);
		csv_cell(o, s[i].cvr, 0);
		csv_cell(o, s[i].ean, 0);
		strbuf_addstr(o, ";;");
		csv_cell(o, money_format(s[i].min, m1), 0);
		csv_cell(o, money_format(s[i].max, m1), 0);
		csv_cell(o, bp_kadence_name(s[i].kadence), 0);
		snprintf(num, sizeof(num), "%d", b->conf.sug_slack);
		csv_cell(o, num, 0);
		strbuf_addstr(o, ";N;");
		csv_cell(o, s[i].account, 0);
		strbuf_addch(o, ';');
		csv_cell(o, day_format(bp_add_days(b->ctx->night, 1), day), 0);
		csv_cell(o, day_format(bp_add_period(b->ctx->night, BP_K_MAANED, 12), day), 0);
		snprintf(num, sizeof(num), "%d", s[i].n);
		csv_cell(o, num, 0);
		snprintf(num, sizeof(num), "%d", s[i].median);
		csv_cell(o, num, 0);
		snprintf(num, sizeof(num), "%lld,%02lld", (long long)(s[i].cv / 100),
			 (long long)(s[i].cv % 100));
		csv_cell(o, num, 0);
		csv_cell(o, day_format(s[i].first, day), 0);
		csv_cell(o, day_format(s[i].last, day), 0);
		csv_cell(o, money_format(s[i].sum, m1), 0);
		csv_cell(o, s[i].name, 1);
		b->nsuggestions++;
	}
	(void)se;
	free(s);
	free(v);
}

/* Summary amounts per key of one SE's month. */
struct keysum {
	char key[64];
	money_t left, right;
};

/* Appends key's amounts; ks_merge() adds up each key's. */
static struct keysum *keysum_of(struct keysum **v, size_t *n, size_t *alloc, const char *key)
{
	*v = xgrow(*v, alloc, *n + 1, sizeof(**v));
	memset(&(*v)[*n], 0, sizeof(**v));
	xstrlcpy((*v)[*n].key, key, sizeof((*v)[*n].key));
	return &(*v)[(*n)++];
}

static int cmp_keysum(const void *a, const void *b)
{
	return strcmp(((const struct keysum *)a)->key, ((const struct keysum *)b)->key);
}

/* Sorts by key and adds up each key's rows into one. */
static void ks_merge(struct keysum *v, size_t *n)
{
	size_t w = 0;
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_keysum);
	for (size_t i = 0; i < *n; i++) {
		if (w && !strcmp(v[w - 1].key, v[i].key)) {
			v[w - 1].left += v[i].left;
			v[w - 1].right += v[i].right;
		} else {
			v[w++] = v[i];
		}
	}
	*n = w;
}

/* One SE: replay its history window, write its month. */
static int one_se(struct bp *b, const char *se, struct ldoc **docs, size_t n)
{
	int32_t night = b->ctx->night, month = night / 100, first = month * 100 + 1;
	int32_t from = month_add(month, -b->conf.history_months) * 100 + 1;
	struct bp_state *s = bp_state_new(n);
	const struct lfile *pf = as_of(b, PLAN, se, night);
	static const struct bp_planset none_plans;
	static const struct bp_orders none_orders;
	const struct bp_planset *ps_night = pf ? &pf->plans : &none_plans;
	struct keysum *ks = NULL;
	size_t nks = 0, aks = 0;
	money_t tl = 0, tr = 0;
	struct refused_scan rs = { b, se, month, b->in.txn };
	size_t lo = 0;
	for (size_t i = 0; i < n; i++) {
		const struct bp_doc *d = &docs[i]->d;
		const struct lfile *p = as_of(b, PLAN, se, d->received);
		const struct lfile *o = as_of(b, ORDER, se, d->received);
		const struct lfile *t = as_of(b, TRAEK, se, d->received);
		struct bp_outcome oc;
		if (d->received < from || d->received > night) {
			if (d->received < from)
				lo = i + 1;
			continue;
		}
		bp_evaluate(s, &b->conf, p ? &p->plans : &none_plans,
			    o ? &o->orders : &none_orders, t ? &t->traek : NULL, d, &oc);
		if (d->received >= first) {
			b->received++;
			if (!oc.in_scope) {
				b->out_of_scope++;
			} else {
				struct keysum *k = keysum_of(&ks, &nks, &aks, oc.key);
				k->left += d->amount;
				if (!oc.ncodes) {
					k->right += d->amount;
					b->posted++;
					b->posted_sum += d->amount;
					if (d->received == night)
						posting(b, se, month, d, &oc);
				} else {
					b->held++;
					b->held_sum += d->amount;
					held(b, se, month, d, &oc);
				}
			}
		}
		bp_outcome_free(&oc);
	}
	plan_level(b, s, se, month, ps_night);
	/* rule 1: refused files landed in the month up to the night */
	for (int32_t d = first; d <= night; d = bp_add_days(d, 1)) {
		char nd[DATE_BUFSZ];
		if (landed_each(&b->ctx->store, b->in.txn, day_format(d, nd), on_landed, &rs))
			goto fail;
	}
	/* summary rows: the plans of the month, every key with money or an exception */
	for (size_t i = 0; i < ps_night->n; i++) {
		const struct bp_plan *p = &ps_night->v[i];
		if (!p->error && p->start <= night && p->end >= first)
			keysum_of(&ks, &nks, &aks, p->id);
	}
	for (size_t i = 0; i < b->out.nexc; i++)
		if (!strcmp(b->out.exc[i].se, se))
			keysum_of(&ks, &nks, &aks, b->out.exc[i].key);
	keysum_of(&ks, &nks, &aks, "UNMATCHED");
	ks_merge(ks, &nks);
	for (size_t i = 0; i < nks; i++) {
		recon_summary(&b->out, se, month, ks[i].key, ks[i].left, ks[i].right, 0);
		tl += ks[i].left;
		tr += ks[i].right;
	}
	recon_summary(&b->out, se, month, "TOTAL", tl, tr, 0);
	suggestions(b, se, ps_night, docs + lo, n - lo);
	free(ks);
	bp_state_free(s);
	return 0;
fail:
	free(ks);
	bp_state_free(s);
	return -1;
}

static int write_suggestions(struct bp *b, char digest[65])
{
	struct strbuf text = STRBUF_INIT;
	int rc;
	strbuf_addstr(&text, CSV_BOM "Plan_id;Type;Kategori;CVR;EAN;Praefiks_felt;Praefiks;"
		      "Beloeb_min;Beloeb_max;Kadence;Tolerance_dage;Max_afvigelse_pct;Kraev_CPR;"
		      "Konto;Omkostningssted;Startdato;Slutdato;Antal_fakturaer;"
		      "Median_interval_dage;Variation_pct;Foerste_faktura;Seneste_faktura;Sum;"
		      "Leverandoer\n");
	strbuf_addstr(&text, strbuf_str(&b->suggestions));
	rc = outfile_write(b->ctx, b->in.txn, "suggestions/" RECON ".csv", text.buf, text.len,
			   b->nsuggestions, digest, NULL);
	strbuf_release(&text);
	return rc;
}

/*
 * inputs/betalingsplaner.csv: the invoice files received in the night's
 * month (the history before it was listed on its own nights; listing it
 * again would grow with every night), every plans, orders and Aktiv file.
 */
static void month_inputs(struct bp *b, int src)
{
	const struct snapshot *s = &b->in.snap[src];
	struct snapshot part = { .sd = s->sd };
	int32_t first = b->ctx->night / 100 * 100 + 1;
	if (src != INV) {
		recon_inputs(&b->out, source_store[src], s);
		return;
	}
	part.v = xcalloc(s->n + 1, sizeof(*part.v));
	for (size_t i = 0; i < s->n; i++)
		if (!s->v[i].accumulated || s->v[i].since >= first)
			part.v[part.n++] = s->v[i];	/* shallow: s owns the names */
	recon_inputs(&b->out, source_store[src], &part);
	free(part.v);
}

static int commit(struct bp *b)
{
	struct stage_ctx *ctx = b->ctx;
	struct ledger_entry e;
	char recon_digest[65], sug[65], post[65];
	struct strbuf both = STRBUF_INIT;
	char a[MONEY_BUFSZ], h[MONEY_BUFSZ], status[256];
	stage_ledger_entry(ctx, &e, "done", EXIT_DONE);
	reconin_digest(&b->in, e.input);
	for (int i = 0; i < b->in.n; i++)
		month_inputs(b, i);
	if (recon_write(&b->out, ctx, b->in.txn, recon_digest) || write_suggestions(b, sug) ||
	    postfile_write(&b->post, ctx, b->in.txn, post))
		goto abort;
	strbuf_addf(&both, "%s %s %s", recon_digest, sug, post);
	digest_buf(both.buf, both.len, e.output);
	recon_ledger(&b->out, &e);	/* the statuses, and exit 66 when a report is missing */
	xstrlcpy(status, e.error, sizeof(status));
	e.rows_in = b->received;
	e.rows_out = b->posted;
	e.rows_rejected = b->refused;
	strbuf_reset(&both);
	strbuf_addf(&both, "%llu invoices (%llu out of scope), %llu auto-posted %s, "
		    "%llu held %s, %llu plan exceptions, %llu files refused; %s",
		    (unsigned long long)b->received, (unsigned long long)b->out_of_scope,
		    (unsigned long long)b->posted, money_format(b->posted_sum, a),
		    (unsigned long long)b->held, money_format(b->held_sum, h),
		    (unsigned long long)b->planexc, (unsigned long long)b->refused, status);
	xstrlcpy(e.error, both.buf, sizeof(e.error));
	strbuf_release(&both);
	if (ledger_put(&ctx->store, b->in.txn, ctx->opts.date, ctx->name, &e))
		goto abort;
	if (store_commit(b->in.txn))
		return EXIT_INTERNAL;
	log_info("%s: %s", ctx->opts.date, e.error);
	return b->out.exit_code;
abort:
	mdb_txn_abort(b->in.txn);
	return EXIT_INTERNAL;
}

static int load(struct bp *b, MDB_txn *txn)
{
	struct strbuf path = STRBUF_INIT;
	const struct stage_ctx *c = b->ctx;
	int32_t month = c->night / 100;
	int rc;
	for (int i = 0; i < NF; i++)
		if (reconin_field(c, field_names[i], &b->f[i]))
			return EXIT_USAGE;
	if ((rc = recon_begin(&b->out, c, source_store, NSOURCES)))
		return rc;
	conf_sibling(&c->conf, "betalingsplaner.conf", &path);
	rc = bp_conf_load(path.buf, &b->conf);
	if (!rc) {
		conf_sibling(&c->conf, "accounts.conf", &path);
		b->have_acc = accounts_load(path.buf, &b->acc) == 0;
		rc = b->have_acc ? 0 : -1;
	}
	strbuf_release(&path);
	if (rc)
		return EXIT_USAGE;
	/* plans and orders files may be older than the window: from 2000 on */
	if (reconin_open(&b->in, b->ctx, txn, source_store, NSOURCES, 200001, month_add(month, 12)))
		return EXIT_INTERNAL;
	for (int s = 0; s < NSOURCES; s++)
		if (load_source(b, s))
			return EXIT_INTERNAL;
	return 0;
}

static void free_all(struct bp *b)
{
	for (size_t i = 0; i < b->ndocs; i++) {
		bp_doc_free(&b->docs[i]->d);
		free(b->docs[i]);
	}
	free(b->docs);
	for (int s = PLAN; s <= TRAEK; s++) {
		for (size_t i = 0; i < b->nfiles[s]; i++) {
			bp_planset_free(&b->files[s][i].plans);
			bp_orders_free(&b->files[s][i].orders);
			bp_traeks_free(&b->files[s][i].traek);
		}
		free(b->files[s]);
	}
	bp_conf_free(&b->conf);
	if (b->have_acc)
		accounts_free(&b->acc);
	reconin_free(&b->in);
	recon_free(&b->out);
	postfile_free(&b->post);
	for (size_t i = 0; i < b->ntexts; i++)
		free(b->texts[i]);
	free(b->texts);
	strbuf_release(&b->suggestions);
}

static int match_night(struct stage_ctx *ctx)
{
	/* in_memory: summary() reads out.exc */
	struct bp b = { .ctx = ctx, .out = { .recon = RECON, .extra = exc_extra, .nextra = 6,
					     .in_memory = 1 } };
	MDB_txn *txn;
	const char **ses;
	size_t nses;
	int rc;
	strbuf_init(&b.suggestions);
	postfile_init(&b.post, RECON, post_extra, 5);
	if (store_begin(&ctx->store, 0, &txn))
		return EXIT_INTERNAL;
	b.in.txn = txn;
	if ((rc = load(&b, txn))) {
		mdb_txn_abort(txn);
		free_all(&b);
		return rc;
	}
	if (b.ndocs)
		qsort(b.docs, b.ndocs, sizeof(*b.docs), cmp_ldoc);
	nses = reconin_ses(&b.in, &ses);
	for (size_t i = 0; i < nses && !rc; i++) {
		size_t lo = 0, hi;
		while (lo < b.ndocs && strcmp(b.docs[lo]->se, ses[i]) < 0)
			lo++;
		for (hi = lo; hi < b.ndocs && !strcmp(b.docs[hi]->se, ses[i]); hi++)
			;
		if (one_se(&b, ses[i], b.docs + lo, hi - lo))
			rc = EXIT_INTERNAL;
	}
	free(ses);
	if (rc)
		mdb_txn_abort(txn);
	else
		rc = commit(&b);
	free_all(&b);
	return rc;
}

/* --help (run/stage.h). */
const struct stage_help stage_help = {
	"Holds the received OIOUBL invoices and credit notes against the payment and\n"
	"invoice plans (BETALINGSPLANER), doctors' certificate orders and rent\n"
	"deductions (seed 001 cases 5, 6, 13): OUT/DATE/summary, exceptions, postings\n"
	"and suggestions/betalingsplaner.csv.\n",
	"Exit: 0 done (held invoices are still 0), 64 usage or configuration\n"
	"      (conf/betalingsplaner.conf and its tables), 66 no plans file for an\n"
	"      SE (every row MANGLER), 70 internal error, 75 locked.\n",
};

int main(int argc, char **argv)
{
	struct stage_ctx ctx;
	int rc;
	log_init("stage-match-betalingsplaner");
	if ((rc = stage_init(&ctx, "match-betalingsplaner", argc, argv, 0)))
		return rc;
	rc = match_night(&ctx);
	return stage_end(&ctx, rc);
}
