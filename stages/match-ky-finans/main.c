/*
 * stage-match-ky-finans: KY's 'Sum - Finans' against the ERP ledger (guide
 * 2.1, Figur 4-9; ../shared/spec/reconciliations.md).
 *
 * Per SE and booking month:
 *   SUMFINANS  left = drift (Debet - Kredit of every konto that is not a
 *              clearing account), right = minus the clearing accounts:
 *              equal when the report totals 0 (Figur 4)
 *   TOTAL      left = KY's debit total, right = the debit total of the ERP
 *              postings from KY (bilag KY-...), explained = the debit side
 *              of the finansbilag in 'Detaljer - Finans fejlede' (Figur 9)
 *   ACCOUNT    per ERP account conf/ky-finans.conf maps KY konti to:
 *              left = KY's Kredit - Debet (the ERP books KY's sides the
 *              other way round, guide 2.1), right = the ERP's net of KY
 *              postings on the account
 * Where 'Detaljer - Finans' is there, its AFVIST postings must be those of
 * 'Detaljer - Finans fejlede' (afviste-ne-fejlede), and postings still
 * AFSENDT or AFVENTER_SVAR are named (afventer-svar): the ERP may not have
 * them yet, so the systemfejl text then says they may be part of the rest.
 * Er_Accepteret_Af_Bogfoering is true or false in any case; another value
 * is bad data (65). Reads only the store and conf/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/exitcode.h"
#include "core/log.h"
#include "match/accounts.h"
#include "match/matchrun.h"
#include "kyfinans.h"
#include "core/banned.h"

#define RECON "ky-finans"

enum source { SUM, FAILED, DETAIL, ERP, NSOURCES };

static const char *const stores[NSOURCES] = {
	"ky.sum_finans", "ky.finans_failed", "ky.finans_detail", "erp.posting",
};

struct acct {
	const char *account;	/* owned by the conf */
	money_t ky, erp;
};

struct finans {
	struct kyfinans_conf conf;
	int f_konto, f_detalj, f_side, f_amount, f_status, f_bilag, f_account;
	money_t drift, clearing, ky_debit, erp_debit, rejected;
	money_t detail_afvist, pending;	/* 'Detaljer - Finans', debit side */
	struct acct *acct;	/* one per distinct mapped ERP account */
	int nacct;
	int bad;		/* an Er_Accepteret_Af_Bogfoering neither true nor false: */
	char bad_status[32];	/* the first such */
};

static struct acct *acct_of(struct finans *f, const char *account)
{
	for (int i = 0; i < f->nacct; i++)
		if (!strcmp(f->acct[i].account, account))
			return &f->acct[i];
	return NULL;
}

static int on_sum(struct match_run *m, const struct record *r, void *data)
{
	struct finans *f = data;
	const struct value *k = &r->v[f->f_konto], *d = &r->v[f->f_detalj];
	money_t v = r->v[f->f_amount].num, net;
	int debit = match_text_is(r, f->f_side, "D");
	const char *account;
	struct acct *a;
	if (!r->v[f->f_amount].present || !k->present)
		return 0;
	net = debit ? v : -v;
	match_add(m, kyfinans_is_clearing(&f->conf, k->text, k->len) ? &f->clearing
		  : &f->drift, net);
	if (debit)
		match_add(m, &f->ky_debit, v);
	account = kyfinans_account(&f->conf, k->text, k->len, d->present ? d->text : NULL,
				   d->present ? d->len : 0);
	if (account && (a = acct_of(f, account)))
		match_add(m, &a->ky, -net);
	return 0;
}

static int text_is_nocase(const struct value *v, const char *s)
{
	return v->present && v->len == strlen(s) && !strncasecmp(v->text, s, v->len);
}

/* A rejected finansbilag counts once: its debit side. */
static int on_failed(struct match_run *m, const struct record *r, void *data)
{
	struct finans *f = data;
	const struct value *st = &r->v[f->f_status];
	int accepted = text_is_nocase(st, "true");
	if (!accepted && !text_is_nocase(st, "false")) {
		if (!f->bad++)
			snprintf(f->bad_status, sizeof(f->bad_status), "%.*s",
				 st->present ? (int)st->len : 0, st->present ? st->text : "");
		return 0;
	}
	if (r->v[f->f_amount].present && match_text_is(r, f->f_side, "D") && !accepted)
		match_add(m, &f->rejected, r->v[f->f_amount].num);
	return 0;
}

static int on_detail(struct match_run *m, const struct record *r, void *data)
{
	struct finans *f = data;
	money_t v = r->v[f->f_amount].num;
	if (!r->v[f->f_amount].present || !match_text_is(r, f->f_side, "D"))
		return 0;
	if (match_text_is(r, f->f_status, "AFVIST"))
		match_add(m, &f->detail_afvist, v);
	else if (match_text_is(r, f->f_status, "AFSENDT") ||
		 match_text_is(r, f->f_status, "AFVENTER_SVAR"))
		match_add(m, &f->pending, v);
	return 0;
}

static int on_erp(struct match_run *m, const struct record *r, void *data)
{
	struct finans *f = data;
	const struct value *acc = &r->v[f->f_account];
	money_t v = r->v[f->f_amount].num;
	if (!r->v[f->f_amount].present || !match_text_starts(r, f->f_bilag, "KY-"))
		return 0;
	if (v > 0)
		match_add(m, &f->erp_debit, v);
	for (int i = 0; acc->present && i < f->nacct; i++)
		if (account_matches(f->acct[i].account, acc->text, acc->len))
			match_add(m, &f->acct[i].erp, v);
	return 0;
}

static void sumfinans_row(struct match_run *m, const struct finans *f, const char *se,
			  int32_t month)
{
	money_t rest = f->drift;
	match_add(m, &rest, f->clearing);
	recon_summary(&m->out, se, month, "SUMFINANS", f->drift, match_sub(m, 0, f->clearing), 0);
	if (rest)
		recon_exception(&m->out, se, month, "SUMFINANS", NULL, rest,
				"sumfinans-ikke-0",
				"'Sum - Finans' giver ikke 0: drift er ikke minus mellemregningerne "
				"(opret sag i MinSupport) / KY's sum report does not total 0");
}

/*
 * TOTAL and the mapped accounts. Without the ERP month they are MANGLER
 * (conf/reconciliations.conf): the rows are written, no break is.
 */
static void total_rows(struct match_run *m, const struct finans *f, const char *se,
		       int32_t month, int have_erp)
{
	money_t rest = match_sub(m, match_sub(m, f->ky_debit, f->erp_debit), f->rejected);
	recon_summary(&m->out, se, month, "TOTAL", f->ky_debit, f->erp_debit, f->rejected);
	if (!have_erp)
		rest = 0;
	if (rest && f->pending)
		recon_exception(&m->out, se, month, "TOTAL", NULL, rest, "systemfejl",
				"forskel KY - økonomisystem som fejllisten ikke forklarer, og "
				"posteringer der afventer svar (afventer-svar) kan være en del af "
				"den / difference not explained by the rejected postings, and "
				"postings awaiting the ERP's answer (afventer-svar) may be part of it");
	else if (rest)
		recon_exception(&m->out, se, month, "TOTAL", NULL, rest, "systemfejl",
				"forskel KY - økonomisystem som fejllisten ikke forklarer: undersøg "
				"med ERP-leverandøren eller KOMBIT (MinSupport) / difference not "
				"explained by the rejected postings: a system error to investigate");
	for (int i = 0; i < f->nacct; i++) {
		const struct acct *a = &f->acct[i];
		struct exception_row *e;
		if (!a->ky && !a->erp)
			continue;
		recon_summary(&m->out, se, month, a->account, a->ky, a->erp, 0);
		if (a->ky == a->erp || !have_erp)
			continue;
		e = recon_exception(&m->out, se, month, a->account, NULL,
				    match_sub(m, a->ky, a->erp),
				    "konto-difference",
				    "KY og økonomisystemet er uenige om kontoen / KY and the ERP "
				    "disagree on this account");
		e->left = a->ky;
		e->right = a->erp;
		e->has_sides = 1;
	}
}

static void detail_checks(struct match_run *m, const struct finans *f, const char *se,
			  int32_t month)
{
	struct exception_row *e;
	if (f->detail_afvist != f->rejected) {
		e = recon_exception(&m->out, se, month, "TOTAL", NULL,
				    match_sub(m, f->detail_afvist, f->rejected), "afviste-ne-fejlede",
				    "'Detaljer - Finans' afviste stemmer ikke med 'Detaljer - Finans "
				    "fejlede' / rejected postings differ from the failed-postings report");
		e->left = f->detail_afvist;
		e->right = f->rejected;
		e->has_sides = 1;
	}
	if (f->pending)
		recon_exception(&m->out, se, month, "TOTAL", NULL, f->pending, "afventer-svar",
				"posteringer der endnu ikke er besvaret af økonomisystemet (AFSENDT, "
				"AFVENTER_SVAR) / postings the ERP has not answered yet");
}

static int per_group(struct match_run *m, const char *se, int32_t month, void *data)
{
	struct finans *f = data;
	int have_sum = match_has(m, SUM, se, month);
	f->drift = f->clearing = f->ky_debit = f->erp_debit = f->rejected = 0;
	f->detail_afvist = f->pending = 0;
	for (int i = 0; i < f->nacct; i++)
		f->acct[i].ky = f->acct[i].erp = 0;
	if (match_rows(m, SUM, se, month, on_sum, f) ||
	    match_rows(m, FAILED, se, month, on_failed, f) ||
	    match_rows(m, DETAIL, se, month, on_detail, f) ||
	    match_rows(m, ERP, se, month, on_erp, f))
		return EXIT_INTERNAL;
	if (f->bad) {
		log_error("%s %06d: 'Detaljer - Finans fejlede' has Er_Accepteret_Af_Bogfoering "
			  "'%s', neither true nor false", se, (int)month, f->bad_status);
		return EXIT_BADDATA;
	}
	if (!have_sum)
		return 0;	/* an ERP month KY has not reported on */
	sumfinans_row(m, f, se, month);
	if (match_has(m, DETAIL, se, month))
		detail_checks(m, f, se, month);
	total_rows(m, f, se, month, match_has(m, ERP, se, month));
	return 0;
}

/* The distinct ERP accounts of the map, in the order of the conf file. */
static void accounts_of_map(struct finans *f)
{
	for (int i = 0; i < f->conf.nmap; i++) {
		const char *account = f->conf.map[i].account;
		if (acct_of(f, account))
			continue;
		f->acct = xrealloc(f->acct, (size_t)(f->nacct + 1) * sizeof(*f->acct));
		f->acct[f->nacct++] = (struct acct){ .account = account };
	}
}

static int finans_night(struct stage_ctx *ctx)
{
	struct finans f = { .nacct = 0 };
	struct strbuf path = STRBUF_INIT;
	int rc;
	if ((f.f_konto = match_field(ctx, "konto")) < 0 ||
	    (f.f_detalj = match_field(ctx, "detaljeringskonto")) < 0 ||
	    (f.f_side = match_field(ctx, "side")) < 0 ||
	    (f.f_amount = match_field(ctx, "amount")) < 0 ||
	    (f.f_status = match_field(ctx, "status")) < 0 ||
	    (f.f_bilag = match_field(ctx, "bilag")) < 0 ||
	    (f.f_account = match_field(ctx, "account")) < 0)
		return EXIT_USAGE;
	conf_sibling(&ctx->conf, "ky-finans.conf", &path);
	rc = kyfinans_load(path.buf, &f.conf);
	strbuf_release(&path);
	if (rc)
		return EXIT_USAGE;
	accounts_of_map(&f);
	rc = match_run(ctx, RECON, stores, NSOURCES, per_group, &f);
	free(f.acct);
	kyfinans_free(&f.conf);
	return rc;
}

/* --help (run/stage.h). */
const struct stage_help stage_help = {
	"Reconciles KY 'Sum - Finans' against the ERP postings from KY (guide 2.1;\n"
	"conf/ky-finans.conf): OUT/DATE/summary/ky-finans.csv and\n"
	"OUT/DATE/exceptions/ky-finans.csv.\n",
	"Exit: 0 done (breaks found are still 0), 64 usage or configuration,\n"
	"      65 input it cannot use (an Er_Accepteret_Af_Bogfoering neither true nor\n"
	"      false), 70 internal error, 75 locked.\n",
};

int main(int argc, char **argv)
{
	struct stage_ctx ctx;
	int rc;
	log_init("stage-match-ky-finans");
	if ((rc = stage_init(&ctx, "match-ky-finans", argc, argv, 0)))
		return rc;
	rc = finans_night(&ctx);
	return stage_end(&ctx, rc);
}
