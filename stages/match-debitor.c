/*
 * stage-match-debitor: KY against the debtor system and the ERP ledger
 * (guide 3.2, Figur 29-33; ../shared/spec/reconciliations.md).
 *
 * For each month of the night:
 *   KY->DEBITOR  claims ACCEPTERET in the month (BehandlingDatoTid),
 *                whatever month they were created in, paired 1:1 with
 *                the debits on the KY restance accounts by amount, day
 *                and person (where the ERP names one); rejected claims
 *                ('Detaljer - Debitor fejlede') listed with their reason.
 *   DEBITOR->KY  coverings, write-offs and reductions ('Afstemning af
 *                fordringer') paired 1:1 with the restance credits.
 * For each creation month KY reports on, SUM-REGISTRERINGER: 'Sum -
 * Debitorregistreringer' against the ACCEPTERET detail rows (Figur 32).
 * MELLEMREGNING: on the night's balance (Råbalance, Figur 33) the
 * clearing account must be minus the restance accounts; what a debtor
 * group's own clearing account holds is explained by a transfer to make.
 * Reads only the store and conf/ (accounts.conf, matching.conf).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/exitcode.h"
#include "core/log.h"
#include "match/groupmatch.h"
#include "match/matchconf.h"
#include "match/reconin.h"
#include "core/banned.h"

#define RECON "debitor"

enum { CLAIMS, FAILED, SUMS, EVENTS, ERP, BALANCE, NSOURCES };

static const char *const source_store[NSOURCES] = {
	"ky.debitor", "ky.debitor_failed", "ky.debitor_sum", "ky.fordring_event",
	"erp.posting", "erp.balance",
};

/* A claim's day: when it was accepted, else when it was created. */
static int32_t claim_day(const struct kyrow *q)
{
	if (q->processed && !strcmp(q->status, "ACCEPTERET"))
		return (int32_t)(q->processed / 1000000000);
	return q->day ? q->day : (int32_t)(q->created / 1000000000);
}

/* The month a claim was accepted, or 0. */
static int32_t accepted_month(const struct kyrow *q)
{
	return q->processed && !strcmp(q->status, "ACCEPTERET")
		? (int32_t)(q->processed / 100000000000LL) : 0;
}

struct debitor {
	struct stage_ctx *ctx;
	struct match_conf mc;
	struct accounts acc;
	struct reconin in;
	struct kyrows src[NSOURCES];
	struct postings p;
	struct regsum {		/* the ACCEPTERET claims of an SE and creation month, added up */
		char se[9];
		int32_t month;
		money_t total;
	} *reg;
	size_t nreg, areg;
	struct recon_out out;
	uint64_t paired, items;	/* conservation: items = paired + exceptions */
};

static int is(const struct kyrow *q, const char *status)
{
	return !strcmp(q->status, status);
}

/* One side of a 1:1 matching: KY items and ERP postings of one SE, every month read. */
struct side {
	const char *key;
	int to_debitor;
	int32_t from, to;	/* the months reported; the others read are context */
	const struct kyrow **ky;
	size_t nky;
	const struct posting **erp;
	size_t nerp;
	int *copy;		/* per KY item: which copy of identical rows, from 1 (ky_copy) */
};

/* The month a KY item is filed under: accepted (claims) or its report's (events). */
static int32_t ky_month(const struct side *s, const struct kyrow *q)
{
	return s->to_debitor ? accepted_month(q) : q->month;
}

static int reported(const struct side *s, int32_t month)
{
	return month >= s->from && month <= s->to;
}

/* Orders KY rows so that copies of one claim row (ident, status, day, amount) are adjacent. */
static int ky_key_cmp(const struct kyrow *x, const struct kyrow *y)
{
	int c = strcmp(x->ident, y->ident);
	if (!c)
		c = strcmp(x->status, y->status);
	if (!c)
		c = (claim_day(x) > claim_day(y)) - (claim_day(x) < claim_day(y));
	if (!c)
		c = (x->amount > y->amount) - (x->amount < y->amount);
	return c;
}

/* The side's KY item indexes by ky_key_cmp(), then index. */
static int cmp_ky_copy(const void *a, const void *b, void *data)
{
	const struct side *s = data;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = ky_key_cmp(s->ky[i], s->ky[j]);
	return c ? c : (i > j) - (i < j);
}

/*
 * Which copy of identical KY rows (a repeated claim row) the side's i-th
 * is, from 1: the items sorted once per side (a scan of the items before
 * each one was quadratic).
 */
static int ky_copy(struct side *s, size_t i)
{
	if (!s->copy) {
		size_t *by = xcalloc(s->nky + 1, sizeof(*by));
		s->copy = xcalloc(s->nky + 1, sizeof(*s->copy));
		for (size_t j = 0; j < s->nky; j++)
			by[j] = j;
		if (s->nky)
			qsort_r(by, s->nky, sizeof(*by), cmp_ky_copy, s);
		for (size_t j = 0; j < s->nky; j++)
			s->copy[by[j]] = j > 0 && !ky_key_cmp(s->ky[by[j - 1]], s->ky[by[j]])
				? s->copy[by[j - 1]] + 1 : 1;
		free(by);
	}
	return s->copy[i];
}

static void ky_unpaired(struct debitor *d, struct side *s, size_t i)
{
	const struct kyrow *q = s->ky[i];
	char day[DATE_BUFSZ];
	struct exception_row *e = recon_exception(&d->out, q->se, ky_month(s, q), s->key, q->cpr,
						  q->amount, "mangler-i-erp",
						  "KY-beløb uden postering på KY-restancekonto / KY "
						  "amount without a posting on the restance accounts");
	int copy = ky_copy(s, i);
	size_t len;
	snprintf(e->ref, sizeof(e->ref), "%s|%s|%d|%lld", q->ident, q->status, (int)claim_day(q),
		 (long long)q->amount);
	len = strlen(e->ref);
	/* a second copy gets its own id; the first keeps the id it always had */
	if (copy > 1)
		snprintf(e->ref + len, sizeof(e->ref) - len, "|%d", copy);
	recon_note(e, "%s %s af %s", q->ident, q->status, day_format(claim_day(q), day));
}

static void erp_unpaired(struct debitor *d, const struct side *s, size_t i)
{
	const struct posting *p = s->erp[i];
	char day[DATE_BUFSZ];
	struct exception_row *e = recon_exception(&d->out, p->se, p->month, s->key, NULL,
						  p->amount, "ukendt-postering",
						  "postering på KY-restancekonto uden KY-beløb / posting "
						  "on a restance account that KY does not know");
	postings_ref(&d->p, (size_t)(p - d->p.v), e->ref, sizeof(e->ref));
	recon_note(e, "bilag %s af %s: %s", p->bilag, day_format(p->day, day), p->text);
}

/* The month of item i of the side's matching (KY items first, then postings). */
static int32_t item_month(const struct side *s, size_t i)
{
	return i < s->nky ? ky_month(s, s->ky[i]) : s->erp[i - s->nky]->month;
}

/*
 * Per settlement, whether it spans months (a claim accepted 31-07 and
 * posted 01-08): its items explain their own month's difference.
 */
static char *across_months(const struct side *s, const struct gm_item *v, int nsets)
{
	int32_t *first = xcalloc((size_t)nsets + 1, sizeof(*first));
	char *across = xcalloc((size_t)nsets + 1, 1);
	for (size_t i = 0; i < s->nky + s->nerp; i++) {
		int32_t m = item_month(s, i);
		if (!v[i].set)
			continue;
		if (!first[v[i].set])
			first[v[i].set] = m;
		else if (first[v[i].set] != m)
			across[v[i].set] = 1;
	}
	free(first);
	return across;
}

/*
 * A summary row per reported month that has KY items or postings: its KY
 * items against its postings (a month with neither has no row, not a row
 * of zeros).
 */
static void side_summaries(struct debitor *d, const char *se, const struct side *s,
			   const struct gm_item *v, int nsets)
{
	char *across = across_months(s, v, nsets);
	for (int32_t m = s->from; m <= s->to; m = month_add(m, 1)) {
		money_t left = 0, right = 0, explained = 0;
		int items = 0;
		for (size_t i = 0; i < s->nky + s->nerp; i++) {
			money_t a = v[i].amount;
			if (item_month(s, i) != m)
				continue;
			items++;
			*(i < s->nky ? &left : &right) += a;
			if (across[v[i].set])
				explained += i < s->nky ? a : -a;
		}
		if (items)
			recon_summary(&d->out, se, m, s->key, left, right, explained);
	}
	free(across);
}

/*
 * Pairs the side's KY items with its postings over every month read, so a
 * claim accepted 31-07 and posted 01-08 pairs; what is left open is filed
 * under its own month, for the reported months.
 */
static void pair_side(struct debitor *d, const char *se, struct side *s)
{
	size_t n = s->nky + s->nerp;
	struct gm_item *v = xcalloc(n + 1, sizeof(*v));
	struct gm_result r;
	struct gm_limits lim = d->mc.lim;
	/* a claim and its posting: 1:1 only; a covering KY reports in parts may
	 * be booked as one posting, and the other way round (max-group) */
	if (s->to_debitor)
		lim.max_group = 1;
	for (size_t i = 0; i < s->nky; i++)
		v[i] = (struct gm_item){ .side = 0, .amount = gm_amount(s->ky[i]->amount),
					 .day = claim_day(s->ky[i]), .party = s->ky[i]->cpr };
	for (size_t i = 0; i < s->nerp; i++)
		v[s->nky + i] = (struct gm_item){ .side = 1, .amount = gm_amount(s->erp[i]->amount),
						  .day = s->erp[i]->day,
						  .party = s->erp[i]->recipient };
	groupmatch(v, n, &lim, &r);
	for (size_t i = 0; i < s->nky; i++) {
		if (!reported(s, ky_month(s, s->ky[i])))
			continue;
		d->items++;
		d->paired += v[i].set != 0;
		if (!v[i].set)
			ky_unpaired(d, s, i);
	}
	for (size_t i = 0; i < s->nerp; i++) {
		if (!reported(s, s->erp[i]->month))
			continue;
		d->items++;
		d->paired += v[s->nky + i].set != 0;
		if (!v[s->nky + i].set)
			erp_unpaired(d, s, i);
	}
	side_summaries(d, se, s, v, r.nsets);
	free(v);
}

/* KY->DEBITOR (debits, accepted claims) or DEBITOR->KY (credits, events), months from..to. */
static void flow(struct debitor *d, const char *se, int32_t from, int32_t to, int to_debitor)
{
	const struct kyrows *l = &d->src[to_debitor ? CLAIMS : EVENTS];
	struct side s = { .key = to_debitor ? "KY->DEBITOR" : "DEBITOR->KY",
			  .to_debitor = to_debitor, .from = from, .to = to };
	s.ky = xcalloc(l->n + 1, sizeof(*s.ky));
	s.erp = xcalloc(d->p.n + 1, sizeof(*s.erp));
	for (size_t i = 0; i < l->n; i++) {
		const struct kyrow *q = &l->v[i];
		if (!strcmp(q->se, se) && ky_month(&s, q))
			s.ky[s.nky++] = q;
	}
	for (size_t i = 0; i < d->p.n; i++) {
		const struct posting *p = &d->p.v[i];
		if (!strcmp(p->se, se) && (to_debitor ? p->amount > 0 : p->amount < 0))
			s.erp[s.nerp++] = p;
	}
	pair_side(d, se, &s);
	free(s.ky);
	free(s.erp);
	free(s.copy);
}

/* Rejected rows' indexes by ident and CPR, then index. */
static int cmp_failed(const void *a, const void *b, void *data)
{
	const struct kyrow *v = data;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(v[i].ident, v[j].ident);
	if (!c)
		c = strcmp(v[i].cpr, v[j].cpr);
	return c ? c : (i > j) - (i < j);
}

/*
 * Per rejected row, which copy of the same claim (ident and CPR) it is,
 * from 1, counted over every rejected row read (sorted once).
 */
static int *failed_copies(const struct kyrows *l)
{
	size_t *by = xcalloc(l->n + 1, sizeof(*by));
	int *copy = xcalloc(l->n + 1, sizeof(*copy));
	for (size_t j = 0; j < l->n; j++)
		by[j] = j;
	if (l->n)
		qsort_r(by, l->n, sizeof(*by), cmp_failed, l->v);
	for (size_t j = 0; j < l->n; j++)
		copy[by[j]] = j > 0 && !strcmp(l->v[by[j - 1]].ident, l->v[by[j]].ident) &&
			      !strcmp(l->v[by[j - 1]].cpr, l->v[by[j]].cpr)
			? copy[by[j - 1]] + 1 : 1;
	free(by);
	return copy;
}

/* Figur 31: every rejected claim of the month, with the debtor system's reason. */
static void rejected(struct debitor *d, const char *se, int32_t month, const int *copies)
{
	const struct kyrows *l = &d->src[FAILED];
	for (size_t i = 0; i < l->n; i++) {
		const struct kyrow *q = &l->v[i];
		struct exception_row *e;
		int copy = copies[i];
		if (strcmp(q->se, se) || q->month != month)
			continue;
		recon_summary_ensure(&d->out, se, month, "KY->DEBITOR");
		e = recon_exception(&d->out, se, month, "KY->DEBITOR", q->cpr, q->amount, "afvist",
				    "fordringen er afvist af debitorsystemet og ikke sendt / the "
				    "claim was rejected by the debtor system and not sent");
		snprintf(e->ref, sizeof(e->ref), "%s|%d", q->ident, copy);
		recon_note(e, "%s: %s%s%s", q->ident, q->reason[0] ? q->reason : q->status,
			   q->text[0] ? " - " : "", q->text);
	}
}

/* Figur 32: 'Sum - Debitorregistreringer' against the accepted detail rows, per creation month. */
static void registrations(struct debitor *d, const char *se)
{
	const struct kyrows *sums = &d->src[SUMS];
	for (size_t i = 0; i < sums->n; i++) {
		money_t left = 0, right = 0;
		int32_t m = sums->v[i].month;
		if (strcmp(sums->v[i].se, se) || (i > 0 && sums->v[i - 1].month == m &&
						  !strcmp(sums->v[i - 1].se, se)))
			continue;	/* one row per SE and creation month */
		for (size_t j = i; j < sums->n && sums->v[j].month == m &&
		     !strcmp(sums->v[j].se, se); j++)
			if (is(&sums->v[j], "ACCEPTERET"))
				left += sums->v[j].amount;
		for (size_t j = 0; j < d->nreg; j++)
			if (!strcmp(d->reg[j].se, se) && d->reg[j].month == m)
				right += d->reg[j].total;
		recon_summary(&d->out, se, m, "SUM-REGISTRERINGER", left, right, 0);
		if (left != right)
			recon_exception(&d->out, se, m, "SUM-REGISTRERINGER", NULL, left - right,
					"sum-ne-detaljer", "'Sum - Debitorregistreringer' stemmer "
					"ikke med de accepterede fordringer i 'Detaljer - Debitor' / "
					"the sum report differs from the accepted detail rows");
	}
}

static int balance_role(const struct debitor *d, const struct kyrow *b, const char *role)
{
	const struct account_role *r = accounts_role(&d->acc, b->se, role);
	return r && account_role_matches(r, b->account, strlen(b->account));
}

/* Figur 33: clearing account = minus the restance accounts, on the night's balance. */
static void clearing(struct debitor *d, const char *se, int32_t month)
{
	const struct kyrows *l = &d->src[BALANCE];
	money_t restance = 0, common = 0, groups = 0;
	int seen = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct kyrow *b = &l->v[i];
		struct exception_row *e;
		if (strcmp(b->se, se) || b->month != month)
			continue;
		seen = 1;
		if (balance_role(d, b, "ky-restance"))
			restance += b->amount;
		else if (balance_role(d, b, "mellemregning-debitor-ky"))
			common += b->amount;
		else if (balance_role(d, b, "debitorgruppe-mellemregning") && b->amount) {
			groups += b->amount;
			e = recon_exception(&d->out, se, month, "MELLEMREGNING", NULL, b->amount,
					    "debitorgruppe-overfoersel", "overfør debitorgruppens "
					    "mellemregning til 'Mellemregning Debitor KY' / transfer "
					    "the debtor group's clearing balance to the common account");
			xstrlcpy(e->ref, b->account, sizeof(e->ref));
			xstrlcpy(e->account, b->account, sizeof(e->account));
			recon_note(e, "%s %s", b->account, b->name);
		}
	}
	if (!seen)
		return;
	recon_summary(&d->out, se, month, "MELLEMREGNING", restance, -common, -groups);
	if (restance + common + groups)
		recon_exception(&d->out, se, month, "MELLEMREGNING", NULL, restance + common + groups,
				"unexplained", "'Mellemregning Debitor KY' er ikke minus summen af "
				"KY-restancekonti / the clearing account is not minus the restance "
				"accounts");
}

static void match_all(struct debitor *d)
{
	const char **se;
	size_t nse = reconin_ses(&d->in, &se);
	int32_t to = d->ctx->night / 100;
	int32_t from = month_add(to, -matchconf_months_back(&d->mc, d->ctx->conf.months_back));
	int *copies = failed_copies(&d->src[FAILED]);
	for (size_t i = 0; i < nse; i++) {
		flow(d, se[i], from, to, 1);
		flow(d, se[i], from, to, 0);
		for (int32_t m = from; m <= to; m = month_add(m, 1))
			rejected(d, se[i], m, copies);
		registrations(d, se[i]);
		clearing(d, se[i], to);
	}
	free(copies);
	free(se);
}

/*
 * A claim as it is read: its ACCEPTERET amount added up for
 * SUM-REGISTRERINGER; kept only when flow() pairs it (accepted: a claim
 * waiting for release is in no matching), and with the texts ky_unpaired()
 * names. Kept claims keep their order, so every result is the same.
 */
static int claim_row(const struct kyrow *q, void *data)
{
	struct debitor *d = data;
	struct kyrow c;
	if (is(q, "ACCEPTERET")) {
		struct regsum *t = d->nreg ? &d->reg[d->nreg - 1] : NULL;
		if (!t || t->month != q->month || strcmp(t->se, q->se)) {
			t = NULL;
			for (size_t i = 0; i < d->nreg && !t; i++)
				if (d->reg[i].month == q->month && !strcmp(d->reg[i].se, q->se))
					t = &d->reg[i];
		}
		if (!t) {
			d->reg = xgrow(d->reg, &d->areg, d->nreg + 1, sizeof(*d->reg));
			t = &d->reg[d->nreg++];
			memset(t, 0, sizeof(*t));
			memcpy(t->se, q->se, sizeof(t->se));
			t->month = q->month;
		}
		t->total += q->amount;
	}
	if (!accepted_month(q))
		return 0;
	c = *q;
	c.bilag = c.account = c.costcentre = c.invoice = c.reason = c.text = c.name = "";
	kyrows_add(&d->src[CLAIMS], &c);
	return 0;
}

static int load(struct debitor *d, MDB_txn *txn)
{
	struct strbuf path = STRBUF_INIT;
	const struct stage_ctx *c = d->ctx;
	int32_t to = c->night / 100;
	int rc;
	conf_sibling(&c->conf, "matching.conf", &path);
	rc = matchconf_load(path.buf, RECON, &d->mc);
	conf_sibling(&c->conf, "accounts.conf", &path);
	if (!rc)
		rc = accounts_load(path.buf, &d->acc);
	strbuf_release(&path);
	if (rc)
		return EXIT_USAGE;
	if ((rc = recon_begin(&d->out, d->ctx, source_store, NSOURCES)))
		return rc;
	if (reconin_open(&d->in, d->ctx, txn, source_store, NSOURCES,
			 month_add(to, -d->mc.lookback_months), to) ||
	    (rc = postings_load(&d->in, ERP, &d->acc, "ky-restance", &d->p)) < 0)
		return EXIT_INTERNAL;
	postings_sort(&d->p);
	if (kyrows_each(&d->in, CLAIMS, claim_row, d))
		return EXIT_INTERNAL;
	for (int s = 0; s < NSOURCES; s++)
		if (s != ERP && s != CLAIMS && reconin_rows(&d->in, s, &d->src[s]))
			return EXIT_INTERNAL;
	return rc ? EXIT_USAGE : 0;
}

/* Every KY item and posting of the night's months is paired or an exception. */
static int conserved(const struct debitor *d)
{
	uint64_t excepted = recon_code_count(&d->out, "mangler-i-erp") +
			    recon_code_count(&d->out, "ukendt-postering");
	if (d->paired + excepted != d->items) {
		log_error("internal: %llu items, %llu paired, %llu exceptions",
			  (unsigned long long)d->items, (unsigned long long)d->paired,
			  (unsigned long long)excepted);
		return 0;
	}
	return 1;
}

static int match_night(struct stage_ctx *ctx)
{
	struct debitor d = { .ctx = ctx, .out = { .recon = RECON, .with_account = 1 } };
	MDB_txn *txn;
	int rc;
	if (store_begin(&ctx->store, 0, &txn))
		return EXIT_INTERNAL;
	if ((rc = load(&d, txn)) != 0 || (match_all(&d), !conserved(&d))) {
		mdb_txn_abort(txn);
		rc = rc ? rc : EXIT_INTERNAL;
	} else {
		rc = reconin_commit(&d.in, &d.out);
	}
	reconin_free(&d.in);
	postings_free(&d.p);
	for (int s = 0; s < NSOURCES; s++)
		kyrows_free(&d.src[s]);
	accounts_free(&d.acc);
	recon_free(&d.out);
	free(d.reg);
	return rc;
}

/* --help (run/stage.h). */
const struct stage_help stage_help = {
	"Reconciles KY's claims against the debtor system and the restance accounts\n"
	"(guide 3.2): OUT/DATE/summary/debitor.csv and OUT/DATE/exceptions/debitor.csv.\n",
	"Exit: 0 done (breaks found are still 0), 64 usage or configuration (no\n"
	"      role for an SE in conf/accounts.conf), 65 input it cannot use,\n"
	"      70 internal error, 75 locked.\n",
};

int main(int argc, char **argv)
{
	struct stage_ctx ctx;
	int rc;
	log_init("stage-match-debitor");
	if ((rc = stage_init(&ctx, "match-debitor", argc, argv, 0)))
		return rc;
	rc = match_night(&ctx);
	return stage_end(&ctx, rc);
}
