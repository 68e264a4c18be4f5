/*
 * stage-match-ky-eindkomst: KY against SKAT eIndkomst (guide 2.2.1,
 * Figur 11-18; ../shared/spec/reconciliations.md).
 *
 * Per SE, disposition month and eIndkomst field:
 *   left  = KY 'Sum - eIndkomst'          right = SKAT 'Sumoplysninger'
 *   explained = KY 'Detaljer - eIndkomst' lines with status AFVIST
 * and the invariants: AFVIST = 'Detaljer - eIndkomst fejlede' (per CPR
 * and field), BEKRAEFTET + AFVIST = KY Sum. Where SKAT's 'Sum pr. enhed'
 * is there, every person's BEKRAEFTET lines are compared with it per
 * field (the guide's Excel step). Reads only the store and conf/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/exitcode.h"
#include "core/log.h"
#include "match/matchrun.h"
#include "core/banned.h"

#define RECON "ky-eindkomst"

enum source { KY_SUM, KY_DETAIL, KY_FAILED, SKAT_SUM, SKAT_PERSON, NSOURCES };

static const char *const source_store[NSOURCES] = {
	"eindkomst.ky_sum", "eindkomst.ky_detail", "eindkomst.ky_failed",
	"eindkomst.skat_sum", "eindkomst.skat_person",
};

enum { NFELT = 10000, MAX_PERSON_FIELDS = 64 };

struct fieldsum {
	money_t left, right, afvist, bekr, fejlede;
	money_t unknown;		/* detail lines of neither status */
	int seen;
};

struct person {
	char cpr[CPR_LEN + 1];
	int n;
	struct { int feltnr; money_t a, b; } f[MAX_PERSON_FIELDS];
};

struct matcher {
	struct stage_ctx *ctx;
	MDB_txn *txn;
	struct snapshot snap[NSOURCES];
	int f_se, f_month, f_cpr, f_feltnr, f_amount, f_status;
	struct fieldsum *sum;		/* indexed by field number */
	int seen[NFELT], nseen;
	struct recon_out out;
	uint64_t records, pairs_equal, pairs_diff;
	int bad;			/* a sum overflowed: internal error */
};

static int field_index(struct matcher *m, const char *name, int *out)
{
	*out = catalog_field(&m->ctx->cat, name);
	if (*out < 0) {
		log_error("schemas/stores has no field '%s'", name);
		return -1;
	}
	return 0;
}

static void add(struct matcher *m, money_t *acc, money_t v)
{
	if (money_add(acc, v))
		m->bad = 1;
}

static struct fieldsum *field(struct matcher *m, int feltnr)
{
	struct fieldsum *f = &m->sum[feltnr];
	if (!f->seen) {
		f->seen = 1;
		m->seen[m->nseen++] = feltnr;
	}
	return f;
}

static int is_status(const struct matcher *m, const struct record *r, const char *s)
{
	const struct value *v = &r->v[m->f_status];
	return v->present && v->len == strlen(s) && !memcmp(v->text, s, v->len);
}

/* Adds one source's rows for the group into the per-field sums. */
static int sum_source(struct matcher *m, enum source src, const struct match_group *g)
{
	struct row_iter it;
	int rc;
	if (row_iter_open(&it, &m->ctx->store, m->txn, &m->snap[src], g->se, g->month))
		return -1;
	while ((rc = row_iter_next(&it)) == 1) {
		const struct record *r = &it.rec;
		struct fieldsum *f;
		money_t a = r->v[m->f_amount].num;
		if (!r->v[m->f_feltnr].present || !r->v[m->f_amount].present)
			continue;
		m->records++;
		f = field(m, (int)(r->v[m->f_feltnr].num % NFELT));
		if (src == KY_SUM)
			add(m, &f->left, a);
		else if (src == SKAT_SUM)
			add(m, &f->right, a);
		else if (src == KY_FAILED)
			add(m, &f->fejlede, a);
		else if (src == KY_DETAIL && is_status(m, r, "AFVIST"))
			add(m, &f->afvist, a);
		else if (src == KY_DETAIL && is_status(m, r, "BEKRAEFTET"))
			add(m, &f->bekr, a);
		else if (src == KY_DETAIL)
			add(m, &f->unknown, a);
	}
	row_iter_close(&it);
	return rc;
}

/* A side of a per-person comparison: a source and which of its rows count. */
struct side {
	struct row_iter it;
	const char *status;	/* only rows with this status, or NULL */
	int have;		/* it.rec holds the side's next row */
};

static int side_next(struct matcher *m, struct side *s)
{
	int rc;
	while ((rc = row_iter_next(&s->it)) == 1)
		if (!s->status || is_status(m, &s->it.rec, s->status))
			break;
	s->have = rc == 1;
	return rc < 0 ? -1 : 0;
}

static const char *side_cpr(const struct matcher *m, const struct side *s)
{
	const struct value *v = &s->it.rec.v[m->f_cpr];
	return v->present ? v->text : "          ";
}

static void person_add(struct matcher *m, struct person *p, const struct record *r, int b)
{
	int felt = (int)r->v[m->f_feltnr].num, i;
	money_t a = r->v[m->f_amount].present ? r->v[m->f_amount].num : 0;
	for (i = 0; i < p->n; i++)
		if (p->f[i].feltnr == felt)
			break;
	if (i == p->n) {
		if (p->n == MAX_PERSON_FIELDS) {
			m->bad = 1;
			return;
		}
		p->f[p->n].feltnr = felt;
		p->f[p->n].a = p->f[p->n].b = 0;
		p->n++;
	}
	add(m, b ? &p->f[i].b : &p->f[i].a, a);
	m->records++;
}

/* Takes every row of one person from a side. */
static int side_take(struct matcher *m, struct side *s, const char *cpr,
		     struct person *p, int b)
{
	while (s->have && !memcmp(side_cpr(m, s), cpr, CPR_LEN)) {
		person_add(m, p, &s->it.rec, b);
		if (side_next(m, s))
			return -1;
	}
	return 0;
}

typedef void (*person_fn)(struct matcher *m, const struct match_group *g, const struct person *p);

/* Merges two sides sorted by CPR and calls fn once per person. */
static int merge_persons(struct matcher *m, const struct match_group *g, enum source a,
			 const char *sa, enum source b, const char *sb, person_fn fn)
{
	struct side x = { .status = sa }, y = { .status = sb };
	int rc = -1;
	if (row_iter_open(&x.it, &m->ctx->store, m->txn, &m->snap[a], g->se, g->month) ||
	    row_iter_open(&y.it, &m->ctx->store, m->txn, &m->snap[b], g->se, g->month) ||
	    side_next(m, &x) || side_next(m, &y))
		goto out;
	while (x.have || y.have) {
		struct person p = { .n = 0 };
		const char *cx = x.have ? side_cpr(m, &x) : NULL;
		const char *cy = y.have ? side_cpr(m, &y) : NULL;
		const char *c = !cx ? cy : !cy ? cx : memcmp(cx, cy, CPR_LEN) <= 0 ? cx : cy;
		memcpy(p.cpr, c, CPR_LEN);
		p.cpr[CPR_LEN] = '\0';
		if (side_take(m, &x, p.cpr, &p, 0) || side_take(m, &y, p.cpr, &p, 1))
			goto out;
		fn(m, g, &p);
	}
	rc = 0;
out:
	row_iter_close(&x.it);
	row_iter_close(&y.it);
	return rc;
}

static void feltnr_key(int feltnr, char key[8])
{
	snprintf(key, 8, "%04d", feltnr % NFELT);
}

/* The guide's Excel step: a person's confirmed KY lines against SKAT's. */
static void person_vs_skat(struct matcher *m, const struct match_group *g, const struct person *p)
{
	for (int i = 0; i < p->n; i++) {
		char key[8];
		struct exception_row *e;
		if (p->f[i].a == p->f[i].b) {
			m->pairs_equal++;
			continue;
		}
		m->pairs_diff++;
		feltnr_key(p->f[i].feltnr, key);
		e = recon_exception(&m->out, g->se, g->month, key, p->cpr,
				    p->f[i].a - p->f[i].b, "cpr-difference",
				    "KY bekræftet afviger fra SKAT 'Sum pr. enhed' for personen / "
				    "the person's confirmed KY amount differs from SKAT's");
		e->left = p->f[i].a;
		e->right = p->f[i].b;
		e->has_sides = 1;
	}
}

/* 'Detaljer - eIndkomst' AFVIST must be 'Detaljer - eIndkomst fejlede'. */
static void afvist_vs_fejlede(struct matcher *m, const struct match_group *g, const struct person *p)
{
	for (int i = 0; i < p->n; i++) {
		char key[8];
		struct exception_row *e;
		if (p->f[i].a == p->f[i].b)
			continue;
		feltnr_key(p->f[i].feltnr, key);
		e = recon_exception(&m->out, g->se, g->month, key, p->cpr,
				    p->f[i].a - p->f[i].b, "afviste-ne-fejlede",
				    "'Detaljer - eIndkomst' afviste stemmer ikke med 'Detaljer - "
				    "eIndkomst fejlede' / rejected lines differ from the failed-lines report");
		e->left = p->f[i].a;
		e->right = p->f[i].b;
		e->has_sides = 1;
	}
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* Which reports the group has: a check runs only on what arrived (no phantom breaks). */
struct have {
	int sum, skat, detail, failed, person;
};

static void field_exceptions(struct matcher *m, const struct match_group *g, const char *key,
			     const struct fieldsum *f, const struct have *h)
{
	money_t unexplained = f->left - f->right - f->afvist;
	struct exception_row *e;
	if (h->sum && h->skat && h->detail && unexplained)
		recon_exception(&m->out, g->se, g->month, key, NULL, unexplained,
				"unexplained",
				"forskel mellem KY og SKAT som afviste linjer ikke forklarer / "
				"difference KY - SKAT not explained by rejected lines");
	if (h->sum && h->detail && f->bekr + f->afvist != f->left) {
		e = recon_exception(&m->out, g->se, g->month, key, NULL,
				    f->bekr + f->afvist - f->left, "detaljer-ne-sum",
				    "bekræftede + afviste linjer stemmer ikke med KY 'Sum - eIndkomst' / "
				    "confirmed + rejected detail lines differ from KY's sum report");
		e->left = f->bekr + f->afvist;
		e->right = f->left;
		e->has_sides = 1;
	}
	if (f->unknown)
		recon_exception(&m->out, g->se, g->month, key, NULL, f->unknown, "ukendt-status",
				"detaljelinjer med anden status end BEKRAEFTET/AFVIST / detail "
				"lines with a status other than BEKRAEFTET or AFVIST");
}

/* One summary row per field and a TOTAL row, with the field-level breaks. */
static money_t field_rows(struct matcher *m, const struct match_group *g, const struct have *h)
{
	struct fieldsum total = { 0 };
	money_t rest = 0;
	qsort(m->seen, (size_t)m->nseen, sizeof(int), cmp_int);
	for (int i = 0; i < m->nseen; i++) {
		const struct fieldsum *f = &m->sum[m->seen[i]];
		char key[8];
		feltnr_key(m->seen[i], key);
		recon_summary(&m->out, g->se, g->month, key, f->left, f->right, f->afvist);
		field_exceptions(m, g, key, f, h);
		add(m, &total.left, f->left);
		add(m, &total.right, f->right);
		add(m, &total.afvist, f->afvist);
		if (h->sum && h->skat && h->detail && f->left - f->right - f->afvist)
			rest = 1;
	}
	recon_summary(&m->out, g->se, g->month, "TOTAL", total.left, total.right, total.afvist);
	return rest;
}

static int has(const struct matcher *m, enum source s, const struct match_group *g)
{
	return snapshot_file(&m->snap[s], g->se, g->month) != NULL;
}

static int match_group(struct matcher *m, const struct match_group *g)
{
	struct have h = { has(m, KY_SUM, g), has(m, SKAT_SUM, g), has(m, KY_DETAIL, g),
			  has(m, KY_FAILED, g), has(m, SKAT_PERSON, g) };
	money_t rest;
	for (int i = 0; i < m->nseen; i++)
		memset(&m->sum[m->seen[i]], 0, sizeof(*m->sum));
	m->nseen = 0;
	for (int s = KY_SUM; s <= SKAT_SUM; s++)
		if (sum_source(m, (enum source)s, g))
			return -1;
	rest = field_rows(m, g, &h);
	if (h.detail && h.failed &&
	    merge_persons(m, g, KY_DETAIL, "AFVIST", KY_FAILED, NULL, afvist_vs_fejlede))
		return -1;
	if (h.detail && h.person)
		return merge_persons(m, g, KY_DETAIL, "BEKRAEFTET", SKAT_PERSON, NULL,
				     person_vs_skat);
	if (rest)
		recon_exception(&m->out, g->se, g->month, "TOTAL", NULL, 0,
				"mangler-sum-pr-enhed",
				"bestil 'Sum pr. enhed' hos SKAT for at finde personerne / order "
				"SKAT's 'Sum pr. enhed' to find the persons");
	return 0;
}

static int match_night(struct stage_ctx *ctx)
{
	struct matcher m = { .ctx = ctx, .out = { .recon = RECON } };
	struct ledger_entry e;
	struct match_group *g = NULL;
	size_t ng = 0;
	int rc = EXIT_INTERNAL;

	if (field_index(&m, "se", &m.f_se) || field_index(&m, "month", &m.f_month) ||
	    field_index(&m, "cpr", &m.f_cpr) || field_index(&m, "feltnr", &m.f_feltnr) ||
	    field_index(&m, "amount", &m.f_amount) || field_index(&m, "status", &m.f_status))
		return EXIT_USAGE;
	m.sum = xcalloc(NFELT, sizeof(*m.sum));
	if ((rc = recon_begin(&m.out, ctx, source_store, NSOURCES)))
		goto out;
	rc = EXIT_INTERNAL;
	if (store_begin(&ctx->store, 0, &m.txn))
		goto out;
	if (match_load_snapshots(ctx, m.txn, source_store, NSOURCES, m.snap))
		goto abort;
	for (int s = 0; s < NSOURCES; s++)
		recon_inputs(&m.out, source_store[s], &m.snap[s]);
	g = match_groups(m.snap, NSOURCES, &ng);
	for (size_t i = 0; i < ng; i++)
		if (match_group(&m, &g[i]))
			goto abort;
	if (m.bad) {
		log_error("internal: an amount sum overflowed or a person has more than %d fields",
			  MAX_PERSON_FIELDS);
		goto abort;
	}
	stage_ledger_entry(ctx, &e, "done", EXIT_DONE);
	match_input_digest(ctx, m.snap, NSOURCES, e.input);
	if (recon_write(&m.out, ctx, m.txn, e.output))
		goto abort;
	e.rows_in = m.records;
	recon_ledger(&m.out, &e);
	if (ledger_put(&ctx->store, m.txn, ctx->opts.date, ctx->name, &e) ||
	    store_commit(m.txn))
		goto out;
	log_info("%s: %zu SE/month(s), %s", ctx->opts.date, ng, e.error);
	rc = m.out.exit_code;
	goto out;
abort:
	mdb_txn_abort(m.txn);
out:
	for (int s = 0; s < NSOURCES; s++)
		snapshot_free(&m.snap[s]);
	recon_free(&m.out);
	free(m.sum);
	free(g);
	return rc;
}

/* --help (run/stage.h). */
const struct stage_help stage_help = {
	"Reconciles KY 'Sum - eIndkomst' against SKAT's Sumoplysninger per SE, month\n"
	"and field (guide Figur 12) and per person: OUT/DATE/summary/ky-eindkomst.csv\n"
	"and OUT/DATE/exceptions/ky-eindkomst.csv.\n",
	"Exit: 0 done (breaks found are still 0), 64 usage or configuration,\n"
	"      65 input it cannot use, 70 internal error, 75 locked.\n",
};

int main(int argc, char **argv)
{
	struct stage_ctx ctx;
	int rc;
	log_init("stage-match-ky-eindkomst");
	if ((rc = stage_init(&ctx, "match-ky-eindkomst", argc, argv, 0)))
		return rc;
	rc = match_night(&ctx);
	return stage_end(&ctx, rc);
}
