/*
 * stage-match-skat-afregning: provisions against settlements on the ERP
 * clearing accounts, and SKAT's tax account (guide 2.2.3, Figur 20-23;
 * ../shared/spec/reconciliations.md).
 *
 * Per SE and month, for SKAT (field 0015), AMB (0016), ATP (0046) and OP
 * (0047):
 *   left  = the provision on 'hensaettelse-X' (credit, so minus its net)
 *   right = the settlement on 'afregning-X' (debit: its net)
 *   explained = KY's rejected eIndkomst lines (AFVIST) of the field
 * and the provision must equal KY 'Sum - eIndkomst' for the field.
 * SKATTEKONTO: the tax account's end balance must be 0; interest (Rente)
 * not yet paid explains it: a payment (Indbetaling) of exactly a charge's
 * amount pays that charge.
 * RENTE, per month with interest charged: the charges against what is
 * booked on the 'renter' account (6.45.51); the rest is an exception
 * 'rente' proposing the posting (it explains its row): bookings on
 * 'renter' anywhere in the window (the voucher is dated the night after)
 * cover first the charge of their exact amount, the rest charges oldest
 * first; a posting of the opposite amount in a booking's bilag (the
 * voucher's credit on Afregning SKAT) is interest, not a settlement.
 * A month with KY's sums but no ERP dump, where the ERP has other months
 * of the SE, is MANGLER (conf/reconciliations.conf), as is SKATTEKONTO
 * where provisions came and the tax account did not.
 * Accounts come from conf/accounts.conf. Reads only the store and conf/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/exitcode.h"
#include "core/log.h"
#include "match/accounts.h"
#include "match/matchrun.h"
#include "core/banned.h"

#define RECON "skat-afregning"

enum source { KY_SUM, KY_DETAIL, ERP, SKATTEKONTO, NSOURCES };

static const char *const stores[NSOURCES] = {
	"eindkomst.ky_sum", "eindkomst.ky_detail", "erp.posting", "skat.skattekonto",
};

enum { NKIND = 4 };

/* The four contributions: summary key, eIndkomst field, account roles. */
static const struct kind {
	const char *key;
	int feltnr;
	const char *hens, *afr;
} kinds[NKIND] = {
	{ "SKAT", 15, "hensaettelse-skat", "afregning-skat" },
	{ "AMB", 16, "hensaettelse-amb", "afregning-amb" },
	{ "ATP", 46, "hensaettelse-atp", "afregning-atp" },
	{ "OP", 47, "hensaettelse-op", "afregning-op" },
};

struct sums {
	money_t kysum[NKIND], afvist[NKIND], hens[NKIND], afr[NKIND];
	money_t movement, saldo, jump;	/* tax account, this month */
	int have_saldo;
};

/* What runs across the months of one SE. */
struct se_state {
	char se[SE_LEN + 1];
	money_t saldo;		/* the tax account's last balance */
	int have_saldo;
	money_t *unpaid;	/* interest charges no payment has matched */
	size_t nunpaid;
	struct charge {		/* the window's interest charges, oldest first */
		int32_t month;
		money_t amount, unbooked;
	} *charge;
	size_t ncharge;
	struct booking {	/* the window's postings on 'renter' */
		char *bilag;	/* NULL: none */
		money_t amount, left;	/* left: not yet set against a charge */
	} *booking;
	size_t nbooking;
	int32_t month;		/* the month se_start reads */
	int erp_months;		/* months the ERP has of the SE */
};

struct afregning {
	struct accounts acc;
	int f_feltnr, f_amount, f_status, f_account, f_kind, f_bilag;
	const struct account_role *hens[NKIND], *afr[NKIND], *renter;
	struct sums s;
	struct se_state t;
};

static int kind_of_field(int64_t feltnr)
{
	for (int k = 0; k < NKIND; k++)
		if (kinds[k].feltnr == feltnr)
			return k;
	return -1;
}

static int on_ky(struct match_run *m, const struct record *r, void *data)
{
	struct afregning *a = data;
	int k;
	if (!r->v[a->f_feltnr].present || !r->v[a->f_amount].present ||
	    (k = kind_of_field(r->v[a->f_feltnr].num)) < 0)
		return 0;
	if (!r->v[a->f_status].present)		/* KY 'Sum - eIndkomst' */
		match_add(m, &a->s.kysum[k], r->v[a->f_amount].num);
	else if (match_text_is(r, a->f_status, "AFVIST"))
		match_add(m, &a->s.afvist[k], r->v[a->f_amount].num);
	return 0;
}

/* Whether a posting of v in bilag b is the other side of a booking on 'renter'. */
static int is_interest(const struct se_state *t, const struct value *b, money_t v)
{
	for (size_t i = 0; b->present && i < t->nbooking; i++) {
		const struct booking *k = &t->booking[i];
		if (k->bilag && k->amount == -v && strlen(k->bilag) == b->len &&
		    !memcmp(k->bilag, b->text, b->len))
			return 1;
	}
	return 0;
}

/* The window's bookings on 'renter', with their bilag. */
static int on_renter(struct match_run *m, const struct record *r, void *data)
{
	struct afregning *a = data;
	struct se_state *t = &a->t;
	const struct value *acc = &r->v[a->f_account], *b = &r->v[a->f_bilag];
	if (!acc->present || !r->v[a->f_amount].present ||
	    !account_role_matches(a->renter, acc->text, acc->len))
		return 0;
	(void)m;
	t->booking = xrealloc(t->booking, (t->nbooking + 1) * sizeof(*t->booking));
	t->booking[t->nbooking++] = (struct booking){
		.bilag = b->present && b->len ? xstrndup(b->text, b->len) : NULL,
		.amount = r->v[a->f_amount].num, .left = r->v[a->f_amount].num,
	};
	return 0;
}

static int on_erp(struct match_run *m, const struct record *r, void *data)
{
	struct afregning *a = data;
	const struct value *acc = &r->v[a->f_account];
	money_t v = r->v[a->f_amount].num;
	if (!acc->present || !r->v[a->f_amount].present ||
	    is_interest(&a->t, &r->v[a->f_bilag], v))
		return 0;
	for (int k = 0; k < NKIND; k++) {
		if (account_role_matches(a->hens[k], acc->text, acc->len))
			match_add(m, &a->s.hens[k], -v);
		if (account_role_matches(a->afr[k], acc->text, acc->len))
			match_add(m, &a->s.afr[k], v);
	}
	return 0;
}

/* The window's interest charges on the tax account. */
static int on_charge(struct match_run *m, const struct record *r, void *data)
{
	struct afregning *a = data;
	struct se_state *t = &a->t;
	money_t v = r->v[a->f_amount].num;
	(void)m;
	if (!r->v[a->f_amount].present || !match_text_is(r, a->f_kind, "rente"))
		return 0;
	t->charge = xrealloc(t->charge, (t->ncharge + 1) * sizeof(*t->charge));
	t->charge[t->ncharge++] = (struct charge){ t->month, v, v };
	return 0;
}

/* A payment of exactly an unpaid charge's amount pays that charge. */
static void pay_interest(struct se_state *t, money_t v)
{
	for (size_t i = 0; i < t->nunpaid; i++)
		if (t->unpaid[i] == -v) {
			memmove(&t->unpaid[i], &t->unpaid[i + 1],
				(t->nunpaid - i - 1) * sizeof(*t->unpaid));
			t->nunpaid--;
			return;
		}
}

/*
 * Tax account rows come in date and line order; a row's movements come
 * before its Saldo cell, so each Saldo must be the last one plus them.
 */
static int on_tax(struct match_run *m, const struct record *r, void *data)
{
	struct afregning *a = data;
	struct sums *s = &a->s;
	money_t v = r->v[a->f_amount].num;
	if (!r->v[a->f_amount].present)
		return 0;
	if (match_text_is(r, a->f_kind, "saldo")) {
		money_t want = s->saldo;
		match_add(m, &want, s->movement);
		if (s->have_saldo && want != v)
			match_add(m, &s->jump, match_sub(m, v, want));
		s->saldo = v;
		s->have_saldo = 1;
		s->movement = 0;
		return 0;
	}
	if (match_text_is(r, a->f_kind, "rente")) {
		a->t.unpaid = xrealloc(a->t.unpaid, (a->t.nunpaid + 1) * sizeof(*a->t.unpaid));
		a->t.unpaid[a->t.nunpaid++] = v;
	} else if (match_text_is(r, a->f_kind, "indbetaling")) {
		pay_interest(&a->t, v);
	}
	match_add(m, &s->movement, v);
	return 0;
}

static int need_roles(struct afregning *a, const char *se)
{
	for (int k = 0; k < NKIND; k++)
		if (!(a->hens[k] = accounts_need(&a->acc, se, kinds[k].hens)) ||
		    !(a->afr[k] = accounts_need(&a->acc, se, kinds[k].afr)))
			return -1;
	a->renter = accounts_need(&a->acc, se, "renter");
	return a->renter ? 0 : -1;
}

/*
 * The four provisions of the month against their settlements. Checks run
 * only on what arrived: without the ERP month or KY's reports the row is
 * MANGLER (conf/reconciliations.conf), with no break of phantom amounts.
 * 1 if a row was written.
 */
static int kind_rows(struct match_run *m, const struct afregning *a, const char *se,
		     int32_t month, int have_erp, int have_ky, int have_detail)
{
	int rows = 0;
	for (int k = 0; k < NKIND; k++) {
		const struct sums *s = &a->s;
		money_t rest = match_sub(m, match_sub(m, s->hens[k], s->afr[k]), s->afvist[k]);
		struct exception_row *e;
		if (!s->hens[k] && !s->afr[k] && !s->afvist[k] && !s->kysum[k])
			continue;	/* nothing provided, settled or reported */
		rows = 1;
		recon_summary(&m->out, se, month, kinds[k].key, s->hens[k], s->afr[k],
			      s->afvist[k]);
		/* a required report missing: the row is MANGLER and its rest unknown */
		if (!have_erp || !have_ky || !have_detail)
			continue;
		if (rest)
			recon_exception(&m->out, se, month, kinds[k].key, NULL, rest, "unexplained",
					"forskel mellem hensættelse og afregning som afviste "
					"eIndkomst-linjer ikke forklarer / provision - settlement not "
					"explained by rejected eIndkomst lines");
		if (s->hens[k] == s->kysum[k])
			continue;
		e = recon_exception(&m->out, se, month, kinds[k].key, NULL,
				    match_sub(m, s->hens[k], s->kysum[k]), "hensaettelse-ne-ky",
				    "hensættelsen i økonomisystemet stemmer ikke med KY 'Sum - "
				    "eIndkomst' / the ERP provision differs from KY's sum report");
		e->left = s->hens[k];
		e->right = s->kysum[k];
		e->has_sides = 1;
	}
	return rows;
}

/* The part of a balance that unpaid interest of the same sign explains. */
static money_t interest_part(money_t saldo, money_t rente)
{
	if (saldo < 0 && rente < 0)
		return saldo > rente ? saldo : rente;
	if (saldo > 0 && rente > 0)
		return saldo < rente ? saldo : rente;
	return 0;
}

static int last_tax_month(const struct match_run *m, const char *se, int32_t month)
{
	const struct snapshot *sn = &m->snap[SKATTEKONTO];
	for (size_t i = 0; i < sn->n; i++)
		if (!strcmp(sn->v[i].se, se) && sn->v[i].month > month)
			return 0;
	return 1;
}

/* Whether SKAT's tax account came for the SE in any month read. */
static int has_tax_account(const struct match_run *m, const char *se)
{
	const struct snapshot *sn = &m->snap[SKATTEKONTO];
	for (size_t i = 0; i < sn->n; i++)
		if (!strcmp(sn->v[i].se, se))
			return 1;
	return 0;
}

/*
 * Sets the bookings on 'renter' against the charges: a booking of a
 * charge's exact amount first, what is left oldest charge first.
 */
static void book_charges(struct match_run *m, struct se_state *t)
{
	money_t pool = 0;
	for (size_t i = 0; i < t->ncharge; i++)
		for (size_t b = 0; b < t->nbooking; b++)
			if (t->charge[i].amount && t->booking[b].left == -t->charge[i].amount) {
				t->charge[i].unbooked = t->booking[b].left = 0;
				break;
			}
	for (size_t b = 0; b < t->nbooking; b++)
		match_add(m, &pool, t->booking[b].left);
	for (size_t i = 0; i < t->ncharge; i++) {
		money_t c = interest_part(-t->charge[i].unbooked, pool);
		pool -= c;
		t->charge[i].unbooked += c;
	}
}

/* The month's interest charges, and the part no booking on 'renter' covers. */
static money_t charged(struct match_run *m, const struct se_state *t, int32_t month,
		       money_t *unbooked)
{
	money_t sum = 0;
	*unbooked = 0;
	for (size_t i = 0; i < t->ncharge; i++)
		if (t->charge[i].month == month) {
			match_add(m, &sum, t->charge[i].amount);
			match_add(m, unbooked, t->charge[i].unbooked);
		}
	return sum;
}

static money_t unpaid_interest(struct match_run *m, const struct se_state *t)
{
	money_t sum = 0;
	for (size_t i = 0; i < t->nunpaid; i++)
		match_add(m, &sum, t->unpaid[i]);
	return sum;
}

/*
 * RENTE, per month with interest charged: left the interest SKAT charged
 * on the tax account, right the part booked on 'renter' (6.45.51),
 * explained the rest, for which the 'rente' exception proposes the
 * voucher (Figur 23). SKATTEKONTO, in the tax account's last month: its
 * end balance against 0, explained by unpaid interest.
 */
static void tax_rows(struct match_run *m, struct afregning *a, const char *se, int32_t month)
{
	struct sums *s = &a->s;
	money_t left = a->t.saldo, expl = interest_part(left, unpaid_interest(m, &a->t));
	money_t rente, charge = charged(m, &a->t, month, &rente);
	if (charge || rente)
		recon_summary(&m->out, se, month, "RENTE", charge, match_sub(m, charge, rente),
			      rente);
	if (rente)
		recon_exception(&m->out, se, month, "RENTE", NULL, rente, "rente",
				"renter på skattekontoen: bogfør på konto 'renter' (IM-konto 6.45.51) "
				"/ interest on SKAT's tax account: post it to 6.45.51");
	if (s->jump) {
		recon_summary_ensure(&m->out, se, month, "SKATTEKONTO");
		recon_exception(&m->out, se, month, "SKATTEKONTO", NULL, s->jump, "saldo-spring",
				"skattekontoens saldo er ikke forrige saldo plus posteringerne / "
				"a balance on the tax account is not the last one plus the movements");
	}
	if (!last_tax_month(m, se, month))
		return;
	recon_summary(&m->out, se, month, "SKATTEKONTO", left, 0, expl);
	if (left - expl)
		recon_exception(&m->out, se, month, "SKATTEKONTO", NULL, left - expl,
				"saldo-ikke-0",
				"skattekontoen går ikke i 0: en betalingsanmodning er ikke betalt "
				"eller betalt forkert / the tax account does not end at 0");
}

static void se_state_free(struct se_state *t)
{
	for (size_t i = 0; i < t->nbooking; i++)
		free(t->booking[i].bilag);
	free(t->booking);
	free(t->charge);
	free(t->unpaid);
	memset(t, 0, sizeof(*t));
}

/* Calls fn for every row of source src for se, month by month. */
static int se_rows(struct match_run *m, struct afregning *a, int src, const char *se,
		   match_row_fn fn)
{
	size_t n;
	struct match_group *g = match_groups(&m->snap[src], 1, &n);
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++)
		if (!strcmp(g[i].se, se)) {
			a->t.month = g[i].month;
			if (src == ERP)
				a->t.erp_months++;
			rc = match_rows(m, src, se, g[i].month, fn, a);
		}
	free(g);
	return rc;
}

/* A new SE: its tax account starts afresh; the window's interest and bookings. */
static int se_start(struct match_run *m, struct afregning *a, const char *se)
{
	uint64_t records = m->records;
	se_state_free(&a->t);
	memcpy(a->t.se, se, sizeof(a->t.se));
	if (se_rows(m, a, ERP, se, on_renter) || se_rows(m, a, SKATTEKONTO, se, on_charge))
		return -1;
	book_charges(m, &a->t);
	m->records = records;	/* read again month by month, counted there */
	return 0;
}

static int per_group(struct match_run *m, const char *se, int32_t month, void *data)
{
	struct afregning *a = data;
	int have_erp = match_has(m, ERP, se, month);
	int have_tax = match_has(m, SKATTEKONTO, se, month);
	if (need_roles(a, se))
		return EXIT_USAGE;
	if (strcmp(a->t.se, se) && se_start(m, a, se))
		return EXIT_INTERNAL;
	memset(&a->s, 0, sizeof(a->s));
	a->s.saldo = a->t.saldo;
	a->s.have_saldo = a->t.have_saldo;
	if (match_rows(m, KY_SUM, se, month, on_ky, a) ||
	    match_rows(m, KY_DETAIL, se, month, on_ky, a) ||
	    match_rows(m, ERP, se, month, on_erp, a) ||
	    match_rows(m, SKATTEKONTO, se, month, on_tax, a))
		return EXIT_INTERNAL;
	/* an SE whose ERP dump has no month read is not this reconciliation's */
	if (a->t.erp_months &&
	    kind_rows(m, a, se, month, have_erp, match_has(m, KY_SUM, se, month),
		      match_has(m, KY_DETAIL, se, month)) &&
	    !has_tax_account(m, se))
		recon_summary(&m->out, se, month, "SKATTEKONTO", 0, 0, 0);	/* MANGLER */
	if (!have_tax)
		return 0;
	a->t.saldo = a->s.saldo;
	a->t.have_saldo = a->s.have_saldo;
	tax_rows(m, a, se, month);
	return 0;
}

static int afregning_night(struct stage_ctx *ctx)
{
	struct afregning a = { .f_feltnr = 0 };
	struct strbuf path = STRBUF_INIT;
	int rc;
	if ((a.f_feltnr = match_field(ctx, "feltnr")) < 0 ||
	    (a.f_amount = match_field(ctx, "amount")) < 0 ||
	    (a.f_status = match_field(ctx, "status")) < 0 ||
	    (a.f_account = match_field(ctx, "account")) < 0 ||
	    (a.f_kind = match_field(ctx, "kind")) < 0 ||
	    (a.f_bilag = match_field(ctx, "bilag")) < 0)
		return EXIT_USAGE;
	conf_sibling(&ctx->conf, "accounts.conf", &path);
	rc = accounts_load(path.buf, &a.acc);
	strbuf_release(&path);
	if (rc)
		return EXIT_USAGE;
	rc = match_run(ctx, RECON, stores, NSOURCES, per_group, &a);
	se_state_free(&a.t);
	accounts_free(&a.acc);
	return rc;
}

/* --help (run/stage.h). */
const struct stage_help stage_help = {
	"Reconciles the provisions for SKAT, AM-bidrag, ATP and OP against their\n"
	"settlement and SKAT's tax account (guide 2.2.3):\n"
	"OUT/DATE/summary/skat-afregning.csv and OUT/DATE/exceptions/skat-afregning.csv.\n",
	"Exit: 0 done (breaks found are still 0), 64 usage or configuration (an\n"
	"      account role missing in conf/accounts.conf), 65 input it cannot use,\n"
	"      70 internal error, 75 locked.\n",
};

int main(int argc, char **argv)
{
	struct stage_ctx ctx;
	int rc;
	log_init("stage-match-skat-afregning");
	if ((rc = stage_init(&ctx, "match-skat-afregning", argc, argv, 0)))
		return rc;
	rc = afregning_night(&ctx);
	return stage_end(&ctx, rc);
}
