/*
 * stage-match-ky-yr: KY 'Sum - Ydelsesrefusion' against the confirmed
 * eIndkomst lines (guide 2.2.2; ../shared/spec/reconciliations.md).
 *
 * Per SE, disposition month and YR ydelseskode:
 *   left  = KY 'Sum - Ydelsesrefusion' (positive + negative)
 *   right = the income amounts (INDKOMST_BELOEB, not the contributions)
 *           of the BEKRAEFTET 'Detaljer - eIndkomst' lines with the code
 *   explained = the same of the AFVIST lines: YR's return status follows
 *           eIndkomst's
 * The municipality's share of ATP and OP (the codes of conf/ky-yr.conf)
 * has its own key ANDEL-ATP-OP against the KY postings (bilag KY-...) on
 * the ERP account of the role kommunal-andel-atp-op (8.51.52): the refund
 * is booked on that account too (guide 2.2.2) and is not KY's share.
 * Reads only the store and conf/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/exitcode.h"
#include "core/log.h"
#include "match/accounts.h"
#include "match/matchrun.h"
#include "kyyr.h"
#include "core/banned.h"

#define RECON "ky-yr"
#define ANDEL "ANDEL-ATP-OP"

enum source { SUM_YR, KY_DETAIL, ERP, NSOURCES };

static const char *const stores[NSOURCES] = {
	"ky.sum_yr", "eindkomst.ky_detail", "erp.posting",
};

/* A summary key holds 63 bytes (match/recon.h); KY's codes are 36-character UUIDs. */
enum { CODE_MAX = 63 };

struct code {
	char code[CODE_MAX + 1];
	money_t sum, bekr, afvist;
};

struct yr {
	struct kyyr_conf conf;
	struct accounts acc;
	const struct account_role *andel_role;
	int f_code, f_amount, f_status, f_feltnr, f_account, f_bilag;
	struct code *c;
	size_t n;
	money_t andel_ky, andel_erp;
	const char *too_long;	/* the store of a code longer than CODE_MAX */
};

/* The contributions are not refunded per benefit: A-skat, AM, ATP, OP. */
static int is_contribution(int64_t feltnr)
{
	return feltnr == 15 || feltnr == 16 || feltnr == 46 || feltnr == 47;
}

static struct code *code_of(struct yr *y, const struct value *v, int src)
{
	struct code *c;
	if (v->len > CODE_MAX) {
		if (!y->too_long)
			y->too_long = stores[src];
		return NULL;
	}
	for (size_t i = 0; i < y->n; i++)
		if (strlen(y->c[i].code) == v->len && !memcmp(y->c[i].code, v->text, v->len))
			return &y->c[i];
	y->c = xrealloc(y->c, (y->n + 1) * sizeof(*y->c));
	c = &y->c[y->n++];
	memset(c, 0, sizeof(*c));
	memcpy(c->code, v->text, v->len);
	return c;
}

static int on_sum(struct match_run *m, const struct record *r, void *data)
{
	struct yr *y = data;
	const struct value *v = &r->v[y->f_code];
	struct code *c;
	if (!v->present || !r->v[y->f_amount].present)
		return 0;
	if (kyyr_is_andel(&y->conf, v->text, v->len))
		match_add(m, &y->andel_ky, r->v[y->f_amount].num);
	else if ((c = code_of(y, v, SUM_YR)))
		match_add(m, &c->sum, r->v[y->f_amount].num);
	return 0;
}

static int on_detail(struct match_run *m, const struct record *r, void *data)
{
	struct yr *y = data;
	const struct value *v = &r->v[y->f_code];
	struct code *c;
	if (!v->present || !v->len || !r->v[y->f_amount].present ||
	    is_contribution(r->v[y->f_feltnr].num) ||
	    kyyr_is_andel(&y->conf, v->text, v->len) || !(c = code_of(y, v, KY_DETAIL)))
		return 0;
	if (match_text_is(r, y->f_status, "BEKRAEFTET"))
		match_add(m, &c->bekr, r->v[y->f_amount].num);
	else if (match_text_is(r, y->f_status, "AFVIST"))
		match_add(m, &c->afvist, r->v[y->f_amount].num);
	return 0;
}

static int on_erp(struct match_run *m, const struct record *r, void *data)
{
	struct yr *y = data;
	const struct value *acc = &r->v[y->f_account];
	if (y->andel_role && acc->present && r->v[y->f_amount].present &&
	    match_text_starts(r, y->f_bilag, "KY-") &&
	    account_role_matches(y->andel_role, acc->text, acc->len))
		match_add(m, &y->andel_erp, r->v[y->f_amount].num);
	return 0;
}

static int cmp_code(const void *a, const void *b)
{
	return strcmp(((const struct code *)a)->code, ((const struct code *)b)->code);
}

/* Without the eIndkomst details the rows are MANGLER: no phantom break. */
static void code_rows(struct match_run *m, struct yr *y, const char *se, int32_t month,
		      int have_detail)
{
	if (y->n)
		qsort(y->c, y->n, sizeof(*y->c), cmp_code);
	for (size_t i = 0; i < y->n; i++) {
		const struct code *c = &y->c[i];
		money_t rest = match_sub(m, match_sub(m, c->sum, c->bekr), c->afvist);
		recon_summary(&m->out, se, month, c->code, c->sum, c->bekr, c->afvist);
		if (rest && have_detail)
			recon_exception(&m->out, se, month, c->code, NULL, rest, "unexplained",
					"forskel mellem 'Sum - Ydelsesrefusion' og eIndkomst som afviste "
					"linjer ikke forklarer / YR sum differs from the confirmed "
					"eIndkomst lines beyond the rejected ones");
	}
}

static void andel_row(struct match_run *m, const struct yr *y, const char *se, int32_t month,
		      int have_erp)
{
	struct exception_row *e;
	recon_summary(&m->out, se, month, ANDEL, y->andel_ky, y->andel_erp, 0);
	if (y->andel_ky == y->andel_erp || !have_erp)
		return;
	e = recon_exception(&m->out, se, month, ANDEL, NULL,
			    match_sub(m, y->andel_ky, y->andel_erp),
			    "andel-difference",
			    "kommunens andel af ATP og OP i KY stemmer ikke med konto 8.51.52 / the "
			    "municipality's ATP and OP share differs from its ERP account");
	e->left = y->andel_ky;
	e->right = y->andel_erp;
	e->has_sides = 1;
}

static int per_group(struct match_run *m, const char *se, int32_t month, void *data)
{
	struct yr *y = data;
	y->n = 0;
	y->andel_ky = y->andel_erp = 0;
	y->andel_role = NULL;
	/* the share's account matters only where ky-yr.conf names its codes */
	if (y->conf.nandel &&
	    !(y->andel_role = accounts_need(&y->acc, se, "kommunal-andel-atp-op")))
		return EXIT_USAGE;
	if (match_rows(m, SUM_YR, se, month, on_sum, y) ||
	    match_rows(m, KY_DETAIL, se, month, on_detail, y) ||
	    match_rows(m, ERP, se, month, on_erp, y))
		return EXIT_INTERNAL;
	if (y->too_long) {
		log_error("%s %06d: a YR ydelseskode in %s is longer than %d characters, "
			  "the most a summary key holds", se, (int)month, y->too_long, CODE_MAX);
		return EXIT_BADDATA;
	}
	if (!match_has(m, SUM_YR, se, month))
		return 0;	/* YR is compared where KY reported on it */
	code_rows(m, y, se, month, match_has(m, KY_DETAIL, se, month));
	if (y->conf.nandel && (y->andel_ky || match_has(m, ERP, se, month)))
		andel_row(m, y, se, month, match_has(m, ERP, se, month));
	return 0;
}

static int load_conf(struct stage_ctx *ctx, struct yr *y)
{
	struct strbuf path = STRBUF_INIT;
	int rc;
	conf_sibling(&ctx->conf, "ky-yr.conf", &path);
	rc = kyyr_load(path.buf, &y->conf);
	conf_sibling(&ctx->conf, "accounts.conf", &path);
	if (!rc && (rc = accounts_load(path.buf, &y->acc)))
		kyyr_free(&y->conf);
	strbuf_release(&path);
	return rc;
}

static int yr_night(struct stage_ctx *ctx)
{
	struct yr y = { .n = 0 };
	int rc;
	if ((y.f_code = match_field(ctx, "ydelseskode")) < 0 ||
	    (y.f_amount = match_field(ctx, "amount")) < 0 ||
	    (y.f_status = match_field(ctx, "status")) < 0 ||
	    (y.f_feltnr = match_field(ctx, "feltnr")) < 0 ||
	    (y.f_account = match_field(ctx, "account")) < 0 ||
	    (y.f_bilag = match_field(ctx, "bilag")) < 0)
		return EXIT_USAGE;
	if (load_conf(ctx, &y))
		return EXIT_USAGE;
	rc = match_run(ctx, RECON, stores, NSOURCES, per_group, &y);
	free(y.c);
	kyyr_free(&y.conf);
	accounts_free(&y.acc);
	return rc;
}

/* --help (run/stage.h). */
const struct stage_help stage_help = {
	"Reconciles KY 'Sum - Ydelsesrefusion' against the eIndkomst lines per YR\n"
	"code, and the municipality's ATP/OP share (guide 2.2.2; conf/ky-yr.conf):\n"
	"OUT/DATE/summary/ky-yr.csv and OUT/DATE/exceptions/ky-yr.csv.\n",
	"Exit: 0 done (breaks found are still 0), 64 usage or configuration,\n"
	"      65 input it cannot use (a YR code over 63 characters), 70 internal\n"
	"      error, 75 locked.\n",
};

int main(int argc, char **argv)
{
	struct stage_ctx ctx;
	int rc;
	log_init("stage-match-ky-yr");
	if ((rc = stage_init(&ctx, "match-ky-yr", argc, argv, 0)))
		return rc;
	rc = yr_night(&ctx);
	return stage_end(&ctx, rc);
}
