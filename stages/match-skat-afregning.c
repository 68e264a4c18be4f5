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
 * SKATTEKONTO: the tax account's end balance must be 0; unpaid interest
 * (Rente) explains it and is an exception 'rente' proposing the posting
 * to the 'renter' account (6.45.51) unless the ERP already has it.
 * Accounts come from conf/accounts.conf. Reads only the store and conf/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "exitcode.h"
#include "log.h"
#include "matchrun.h"
#include "banned.h"

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
	money_t renter_booked;			/* ERP net on 'renter' */
	money_t rente, movement, saldo, jump;	/* tax account, this month */
	int have_saldo;
};

struct afregning {
	struct accounts acc;
	int f_feltnr, f_amount, f_status, f_account, f_kind;
	const char *se;
	const struct account_role *hens[NKIND], *afr[NKIND], *renter;
	struct sums s;
	char tax_se[9];		/* the SE whose tax account runs below */
	money_t tax_rente, tax_saldo;
	int tax_have;
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

static int on_erp(struct match_run *m, const struct record *r, void *data)
{
	struct afregning *a = data;
	const struct value *acc = &r->v[a->f_account];
	money_t v = r->v[a->f_amount].num;
	if (!acc->present || !r->v[a->f_amount].present)
		return 0;
	for (int k = 0; k < NKIND; k++) {
		if (account_role_matches(a->hens[k], acc->text, acc->len))
			match_add(m, &a->s.hens[k], -v);
		if (account_role_matches(a->afr[k], acc->text, acc->len))
			match_add(m, &a->s.afr[k], v);
	}
	if (account_role_matches(a->renter, acc->text, acc->len))
		match_add(m, &a->s.renter_booked, v);
	return 0;
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
		money_t want = s->saldo + s->movement;
		if (s->have_saldo && want != v)
			match_add(m, &s->jump, v - want);
		s->saldo = v;
		s->have_saldo = 1;
		s->movement = 0;
		return 0;
	}
	if (match_text_is(r, a->f_kind, "rente"))
		match_add(m, &s->rente, v);
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

static void kind_rows(struct match_run *m, const struct afregning *a, const char *se,
		      int32_t month, int have_ky)
{
	for (int k = 0; k < NKIND; k++) {
		const struct sums *s = &a->s;
		money_t rest = s->hens[k] - s->afr[k] - s->afvist[k];
		struct exception_row *e;
		if (!s->hens[k] && !s->afr[k] && !s->afvist[k] && !s->kysum[k])
			continue;	/* nothing provided, settled or reported */
		recon_summary(&m->out, se, month, kinds[k].key, s->hens[k], s->afr[k],
			      s->afvist[k]);
		if (rest)
			recon_exception(&m->out, se, month, kinds[k].key, NULL, rest, "unexplained",
					"forskel mellem hensættelse og afregning som afviste "
					"eIndkomst-linjer ikke forklarer / provision - settlement not "
					"explained by rejected eIndkomst lines");
		if (!have_ky || s->hens[k] == s->kysum[k])
			continue;
		e = recon_exception(&m->out, se, month, kinds[k].key, NULL,
				    s->hens[k] - s->kysum[k], "hensaettelse-ne-ky",
				    "hensættelsen i økonomisystemet stemmer ikke med KY 'Sum - "
				    "eIndkomst' / the ERP provision differs from KY's sum report");
		e->left = s->hens[k];
		e->right = s->kysum[k];
		e->has_sides = 1;
	}
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

static void tax_rows(struct match_run *m, struct afregning *a, const char *se, int32_t month)
{
	struct sums *s = &a->s;
	money_t left = a->tax_saldo, expl = interest_part(left, a->tax_rente);
	if (s->rente && s->rente + s->renter_booked)
		recon_exception(&m->out, se, month, "SKATTEKONTO", NULL,
				s->rente + s->renter_booked, "rente",
				"renter på skattekontoen: bogfør på konto 'renter' (IM-konto 6.45.51) "
				"/ interest on SKAT's tax account: post it to 6.45.51");
	if (s->jump)
		recon_exception(&m->out, se, month, "SKATTEKONTO", NULL, s->jump, "saldo-spring",
				"skattekontoens saldo er ikke forrige saldo plus posteringerne / "
				"a balance on the tax account is not the last one plus the movements");
	if (!last_tax_month(m, se, month))
		return;
	recon_summary(&m->out, se, month, "SKATTEKONTO", left, 0, expl);
	if (left - expl)
		recon_exception(&m->out, se, month, "SKATTEKONTO", NULL, left - expl,
				"saldo-ikke-0",
				"skattekontoen går ikke i 0: en betalingsanmodning er ikke betalt "
				"eller betalt forkert / the tax account does not end at 0");
}

static int per_group(struct match_run *m, const char *se, int32_t month, void *data)
{
	struct afregning *a = data;
	int have_erp = match_has(m, ERP, se, month);
	int have_tax = match_has(m, SKATTEKONTO, se, month);
	if (need_roles(a, se))
		return -1;
	if (strcmp(a->tax_se, se)) {
		memcpy(a->tax_se, se, sizeof(a->tax_se));
		a->tax_rente = a->tax_saldo = 0;
		a->tax_have = 0;
	}
	memset(&a->s, 0, sizeof(a->s));
	a->s.saldo = a->tax_saldo;
	a->s.have_saldo = a->tax_have;
	if (match_rows(m, KY_SUM, se, month, on_ky, a) ||
	    match_rows(m, KY_DETAIL, se, month, on_ky, a) ||
	    match_rows(m, ERP, se, month, on_erp, a) ||
	    match_rows(m, SKATTEKONTO, se, month, on_tax, a))
		return -1;
	if (have_erp)
		kind_rows(m, a, se, month, match_has(m, KY_SUM, se, month));
	if (!have_tax)
		return 0;
	match_add(m, &a->tax_rente, a->s.rente);
	a->tax_saldo = a->s.saldo;
	a->tax_have = a->s.have_saldo;
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
	    (a.f_kind = match_field(ctx, "kind")) < 0)
		return EXIT_USAGE;
	conf_sibling(&ctx->conf, "accounts.conf", &path);
	rc = accounts_load(path.buf, &a.acc);
	strbuf_release(&path);
	if (rc)
		return EXIT_USAGE;
	rc = match_run(ctx, RECON, stores, NSOURCES, per_group, &a);
	accounts_free(&a.acc);
	return rc;
}

int main(int argc, char **argv)
{
	struct stage_ctx ctx;
	int rc;
	log_init("stage-match-skat-afregning");
	if ((rc = stage_init(&ctx, "match-skat-afregning", argc, argv, 0)))
		return rc;
	rc = afregning_night(&ctx);
	stage_fini(&ctx);
	return rc;
}
