/*
 * The rules of match-betalingsplaner (stages/match-betalingsplaner/):
 * every reason code, the brief's worked example replayed document by
 * document (../shared/spec/seeds-000-001-003.md 2.7), the night-level
 * rules, suggestions, and conf/betalingsplaner.conf's errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stages/match-betalingsplaner/bpconf.h"
#include "stages/match-betalingsplaner/bprules.h"
#include "test.h"

/* The brief's plans file (2.4), verbatim. */
static const char *const brief_plans[][17] = {
	{ "P-VAND", "BETALING", "FAST", "12345674", "0299000000015", "", "", "3500,00", "5000,00",
	  "MAANED", "5", "", "N", "3.22.01.003", "SKOLE-NORD", "2024-01-01", "2025-12-31" },
	{ "P-EL", "BETALING", "FAST", "23456788", "0299000000015", "", "", "1500,00", "3000,00",
	  "MAANED", "5", "", "N", "3.22.01.004", "SKOLE-NORD", "2024-01-01", "2025-12-31" },
	{ "P-VARME", "BETALING", "FAST", "34567891", "0299000000022", "", "", "10000,00",
	  "15000,00", "KVARTAL", "5", "", "N", "3.22.01.005", "SKOLE-OEST", "2024-04-16",
	  "2025-04-15" },
	{ "P-LAEGE", "BETALING", "LAEGEERKLAERING", "*", "0299000000039", "", "", "", "", "", "",
	  "", "J", "5.68.90.001", "JOBCENTER", "2024-01-01", "2026-12-31" },
	{ "P-HUSLEJE-56789014", "BETALING", "HUSLEJE", "56789014", "0299000000046", "", "", "", "",
	  "MAANED", "5", "5", "J", "@husleje-mellemregning", "JOBCENTER", "2024-01-01",
	  "2026-12-31" },
	{ "P-SKOLE-ORD", "FAKTURA", "FAST", "67890124", "0299000000053", "ordre", "4711203",
	  "0,00", "10000,00", "", "", "", "N", "3.22.01.010", "SKOLE-NORD", "2025-01-01",
	  "2025-12-31" },
};

static int role_ok(const char *role, void *data)
{
	(void)data;
	return !strcmp(role, "husleje-mellemregning");
}

static void cells_of(const char *const *r, struct bp_plan_cells *c)
{
	*c = (struct bp_plan_cells){ r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8],
				     r[9], r[10], r[11], r[12], r[13], r[14], r[15], r[16] };
}

static void add_plan(struct bp_planset *s, const char *const *row)
{
	struct bp_plan_cells c;
	cells_of(row, &c);
	s->v = xgrow(s->v, &s->alloc, s->n + 1, sizeof(*s->v));
	bp_plan_check(&c, role_ok, NULL, &s->v[s->n++]);
}

static void brief_planset(struct bp_planset *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < sizeof(brief_plans) / sizeof(brief_plans[0]); i++)
		add_plan(s, brief_plans[i]);
}

/* A simple invoice: one line, amount = net + vat, every total consistent. */
static struct bp_doc *mkdoc(int32_t received, const char *invoice, const char *supplier,
			    const char *ean, int32_t day, money_t amount, money_t vat,
			    const char *order_ref, const char *line_note)
{
	struct bp_doc *d = xcalloc(1, sizeof(*d));
	struct strbuf p = STRBUF_INIT;
	strbuf_addf(&p, "faktura/%s.xml", invoice);
	d->received = received;
	d->relpath = strbuf_detach(&p);
	d->line = 2;
	d->invoice = xstrdup(invoice);
	d->supplier = xstrdup(supplier);
	d->ean = xstrdup(ean);
	d->name = xstrdup("Leverandør");
	d->order_ref = xstrdup(order_ref);
	d->billing_ref = xstrdup("");
	d->account = xstrdup("");
	d->line_notes = xstrdup(line_note);
	d->item_names = xstrdup(line_note);
	d->item_descs = xstrdup("");
	d->notes = xstrdup("");
	d->day = day;
	d->amount = amount;
	d->vat = vat;
	d->net = d->lines_net = amount - vat;
	d->tax_excl = vat;
	d->has = BP_HAS_TAX_EXCL;
	d->tax_incl = amount;
	d->nlines = 1;
	return d;
}

static struct bp_conf conf;

static void load_conf(void)
{
	CHECK(bp_conf_load("conf/betalingsplaner.conf", &conf) == 0, "conf/betalingsplaner.conf");
	CHECK(conf.nscope == 2 && conf.ntakst == 7 && conf.nudlejere == 1,
	      "scope %d takst %d udlejere %d", conf.nscope, conf.ntakst, conf.nudlejere);
}

static void brief_orders(struct bp_orders *o)
{
	static const char *const r[][5] = {
		{ "B-1001", "6811701201", "LAE125", "78901233", "BESTILT" },
		{ "B-1002", "7412662302", "LAE135", "78901233", "BESTILT" },
		{ "B-1003", "6610531403", "LAE145", "89012341", "BESTILT" },
	};
	static const int32_t days[] = { 20250220, 20250224, 20250225 };
	memset(o, 0, sizeof(*o));
	o->v = xcalloc(3, sizeof(*o->v));
	for (int i = 0; i < 3; i++)
		o->v[i] = (struct bp_order){ xstrdup(r[i][0]), xstrdup(r[i][1]), xstrdup(r[i][2]),
					     xstrdup(r[i][3]), xstrdup(r[i][4]), days[i] };
	o->n = o->alloc = 3;
}

static int cmp_docp(const void *a, const void *b)
{
	return bp_doc_cmp(*(struct bp_doc *const *)a, *(struct bp_doc *const *)b);
}

enum { NDOCS = 24 };

struct example {
	struct bp_doc *d[NDOCS];
	struct bp_outcome o[NDOCS];
	size_t n;
	struct bp_state *s;
	struct bp_planset plans;
	struct bp_orders orders;
};

static struct bp_doc *find(struct example *x, const char *invoice, struct bp_outcome **o)
{
	for (size_t i = 0; i < x->n; i++)
		if (!strcmp(x->d[i]->invoice, invoice)) {
			*o = &x->o[i];
			return x->d[i];
		}
	abort();
}

/* The fixture's three nights (fixtures/betalingsplaner/README.md). */
static void example_run(struct example *x)
{
	memset(x, 0, sizeof(*x));
	x->d[x->n++] = mkdoc(20241231, "FV-24-1205", "34567891", "0299000000022", 20241205,
			     1420000, 284000, "", "");
	x->d[x->n++] = mkdoc(20241231, "KV-2408", "45678903", "0299000000060", 20240821, 95500,
			     19100, "", "");
	x->d[x->n++] = mkdoc(20250228, "V-2025-0203", "12345674", "0299000000015", 20250203,
			     418000, 83600, "", "");
	x->d[x->n++] = mkdoc(20250228, "E-2025-0201", "23456788", "0299000000015", 20250201,
			     210000, 42000, "", "");
	x->d[x->n++] = mkdoc(20250228, "HL-2025-02-0101", "56789014", "0299000000046", 20250201,
			     605000, 0, "", "Husleje februar 690384-1301");
	x->d[x->n++] = mkdoc(20250228, "HL-2025-02-0202", "56789014", "0299000000046", 20250201,
			     650000, 0, "", "Husleje februar 771185-2504");
	/* 2025-03-31, the worked example #1-#11 */
	x->d[x->n++] = mkdoc(20250331, "V-2025-0303", "12345674", "0299000000015", 20250303,
			     425000, 85000, "", "");
	x->d[x->n++] = mkdoc(20250331, "V-2025-0310", "12345674", "0299000000015", 20250310,
			     425000, 85000, "", "");
	x->d[x->n++] = mkdoc(20250331, "FV-25-0305", "34567891", "0299000000022", 20250305,
			     1890000, 378000, "", "");
	x->d[x->n++] = mkdoc(20250331, "L-2025-0311", "78901233", "0299000000039", 20250311,
			     39700, 0, "B-1001", "LÆ 125 Statusattest vedr. 681170-1201");
	x->d[x->n++] = mkdoc(20250331, "2025-117", "89012341", "0299000000039", 20250312, 154400,
			     0, "", "LÆ 145 Generel helbredsattest");
	x->d[x->n++] = mkdoc(20250331, "L-2025-0314", "78901233", "0299000000039", 20250314,
			     120000, 0, "B-1002",
			     "LÆ 135 Specifik helbredsattest med tolk vedr. 741266-2302");
	x->d[x->n++] = mkdoc(20250331, "HL-2025-03-0101", "56789014", "0299000000046", 20250301,
			     620000, 0, "", "Husleje marts 690384-1301");
	x->d[x->n++] = mkdoc(20250331, "HL-2025-03-0202", "56789014", "0299000000046", 20250301,
			     740000, 0, "", "Husleje marts 771185-2504");
	x->d[x->n++] = mkdoc(20250331, "2025-0301", "90123459", "0299000000046", 20250303, 500000,
			     0, "", "Husleje marts 631072-2405");
	x->d[x->n++] = mkdoc(20250331, "SU-88812", "67890124", "0299000000053", 20250320, 237500,
			     47500, "4711203-0042", "");
	x->d[x->n++] = mkdoc(20250331, "KV-2503", "45678903", "0299000000060", 20250321, 98000,
			     19600, "", "");
	qsort(x->d, x->n, sizeof(x->d[0]), cmp_docp);
	brief_planset(&x->plans);
	bp_planset_index(&x->plans);	/* the stage's path; one() tries every plan */
	brief_orders(&x->orders);
	x->s = bp_state_new(x->n);
	for (size_t i = 0; i < x->n; i++)
		bp_evaluate(x->s, &conf, &x->plans, &x->orders, NULL, x->d[i], &x->o[i]);
}

static void example_free(struct example *x)
{
	for (size_t i = 0; i < x->n; i++) {
		bp_outcome_free(&x->o[i]);
		bp_doc_free(x->d[i]);
		free(x->d[i]);
	}
	bp_state_free(x->s);
	bp_planset_free(&x->plans);
	bp_orders_free(&x->orders);
}

static void expect(struct example *x, const char *invoice, const char *key, const char *codes,
		   const char *detail)
{
	struct bp_outcome *o;
	struct strbuf got = STRBUF_INIT;
	find(x, invoice, &o);
	for (int i = 0; i < o->ncodes; i++)
		strbuf_addf(&got, "%s%s", i ? "," : "", bp_code_name(o->codes[i]));
	CHECK(o->in_scope == (key != NULL), "%s in scope %d", invoice, o->in_scope);
	if (key)
		CHECK(o->key && !strcmp(o->key, key), "%s key %s, want %s", invoice,
		      o->key ? o->key : "(none)", key);
	CHECK(!strcmp(strbuf_str(&got), codes), "%s codes '%s', want '%s'", invoice,
	      strbuf_str(&got), codes);
	CHECK(!strcmp(strbuf_str(&o->detail), detail), "%s detail '%s', want '%s'", invoice,
	      strbuf_str(&o->detail), detail);
	strbuf_release(&got);
}

static void test_worked_example(void)
{
	struct example x;
	struct bp_planexc *v = NULL;
	size_t n = 0, alloc = 0;
	money_t left = 0, right = 0;
	int held = 0, posted = 0;
	struct bp_outcome *o;
	example_run(&x);
	/* history */
	expect(&x, "FV-24-1205", "P-VARME", "", "");
	expect(&x, "V-2025-0203", "P-VAND", "", "");
	expect(&x, "HL-2025-02-0101", "P-HUSLEJE-56789014", "", "");
	expect(&x, "KV-2408", NULL, "", "");
	/* the brief's table, 2.7 */
	expect(&x, "V-2025-0303", "P-VAND", "", "");
	expect(&x, "V-2025-0310", "P-VAND", "kadence-for-tidlig",
	       "forrige 2025-03-03, tidligst 2025-03-29");
	expect(&x, "FV-25-0305", "P-VARME", "beloeb-uden-for-interval",
	       "18900,00 uden for 10000,00-15000,00");
	expect(&x, "L-2025-0311", "P-LAEGE", "", "");
	expect(&x, "2025-117", "P-LAEGE", "cpr-mangler,ingen-bestilling", "");
	expect(&x, "L-2025-0314", "P-LAEGE", "takst-afviger", "LAE135 takst 796,00-1035,00");
	expect(&x, "HL-2025-03-0101", "P-HUSLEJE-56789014", "", "");
	expect(&x, "HL-2025-03-0202", "P-HUSLEJE-56789014", "maanedsafvigelse",
	       "forrige 6500,00, +13,85 % > 5 %");
	expect(&x, "2025-0301", "UNMATCHED", "cvr-ikke-godkendt", "");
	expect(&x, "SU-88812", "P-SKOLE-ORD", "", "");
	expect(&x, "KV-2503", NULL, "", "");
	find(&x, "L-2025-0311", &o);
	CHECK(!strcmp(o->cpr, "6811701201"), "#4 CPR %s", o->cpr);
	find(&x, "2025-0301", &o);
	CHECK(!strcmp(o->cpr, "6310722405") && !o->plans.len, "#9 CPR %s", o->cpr);
	/* the month's totals: 51.516,00 received, 13.222,00 posted, 6 held */
	for (size_t i = 0; i < x.n; i++) {
		if (x.d[i]->received != 20250331 || !x.o[i].in_scope)
			continue;
		left += x.d[i]->amount;
		if (x.o[i].ncodes)
			held++;
		else {
			posted++;
			right += x.d[i]->amount;
		}
	}
	CHECK(left == 5151600 && right == 1322200 && held == 6 && posted == 4,
	      "left %lld right %lld held %d posted %d", (long long)left, (long long)right, held,
	      posted);
	/* night level: P-EL kadence-mangler 2.100,00, P-VARME plan-udloeber 15 days */
	bp_night(x.s, &conf, &x.plans, 20250331, &v, &n, &alloc);
	CHECK(n == 2, "%zu plan exceptions", n);
	if (n == 2) {
		CHECK(v[0].code == BP_KADENCE_MANGLER && !strcmp(v[0].plan->id, "P-EL") &&
		      v[0].amount == 210000 && v[0].due == 20250306 &&
		      !strcmp(v[0].last->invoice, "E-2025-0201"), "P-EL kadence-mangler");
		CHECK(v[1].code == BP_PLAN_UDLOEBER && !strcmp(v[1].plan->id, "P-VARME") &&
		      v[1].days == 15, "P-VARME plan-udloeber %d", v[1].days);
	}
	/* 2025-04-09, nothing new: P-EL, P-VAND (due 04-08), tenants Q and R (due 04-06) */
	n = 0;
	bp_night(x.s, &conf, &x.plans, 20250409, &v, &n, &alloc);
	CHECK(n == 5, "%zu plan exceptions on 04-09", n);
	if (n == 5) {
		CHECK(!strcmp(v[0].plan->id, "P-EL"), "first %s", v[0].plan->id);
		CHECK(!strcmp(v[1].plan->id, "P-HUSLEJE-56789014") && !strcmp(v[1].cpr,
		      "6903841301") && v[1].amount == 620000 && v[1].due == 20250406, "tenant Q");
		CHECK(!strcmp(v[2].cpr, "7711852504") && v[2].amount == 740000 &&
		      !strcmp(v[2].last->invoice, "HL-2025-03-0202"), "tenant R: anchor the held #8");
		CHECK(!strcmp(v[3].plan->id, "P-VAND") && v[3].due == 20250408, "P-VAND due %d",
		      v[3].due);
		CHECK(v[4].code == BP_PLAN_UDLOEBER && v[4].days == 6, "P-VARME 6 days");
	}
	/* a tenant gone for 3 periods is no longer expected */
	n = 0;
	bp_night(x.s, &conf, &x.plans, 20250702, &v, &n, &alloc);
	for (size_t i = 0; i < n; i++)
		CHECK(strcmp(v[i].plan->id, "P-HUSLEJE-56789014"), "tenant %s expected in July",
		      v[i].cpr);
	free(v);
	example_free(&x);
}

/* Each remaining reason code on a document of its own against the brief's plans. */
static void one(const char *what, struct bp_doc *d, const struct bp_traeks *traek,
		const char *codes, const char *detail)
{
	struct bp_planset ps;
	struct bp_orders os;
	struct bp_state *s = bp_state_new(1);
	struct bp_outcome o;
	struct strbuf got = STRBUF_INIT;
	brief_planset(&ps);
	brief_orders(&os);
	bp_evaluate(s, &conf, &ps, &os, traek, d, &o);
	for (int i = 0; i < o.ncodes; i++)
		strbuf_addf(&got, "%s%s", i ? "," : "", bp_code_name(o.codes[i]));
	CHECK(!strcmp(strbuf_str(&got), codes), "%s: codes '%s', want '%s'", what,
	      strbuf_str(&got), codes);
	if (detail)
		CHECK(!strcmp(strbuf_str(&o.detail), detail), "%s: detail '%s', want '%s'", what,
		      strbuf_str(&o.detail), detail);
	strbuf_release(&got);
	bp_outcome_free(&o);
	bp_state_free(s);
	bp_planset_free(&ps);
	bp_orders_free(&os);
	bp_doc_free(d);
	free(d);
}

static void test_codes(void)
{
	struct bp_doc *d;
	struct bp_planset ps;
	struct bp_orders os;
	struct bp_state *s;
	struct bp_outcome o1, o2;
	struct bp_traeks tr = { 0 };

	/* ean-ugyldig (check digit), then the robot EAN test fails too: out of scope */
	d = mkdoc(20250331, "X1", "12345674", "0299000000016", 20250303, 425000, 85000, "", "");
	one("ean-ugyldig out of scope", d, NULL, "", "");
	/* ean-ugyldig on a FAKTURA plan (the EAN is not matched there) */
	d = mkdoc(20250331, "X2", "67890124", "12345", 20250320, 237500, 47500, "4711203-9", "");
	one("ean-ugyldig", d, NULL, "ean-ugyldig", "");
	/* cvr-mangler, cvr-ugyldig: on the robot EAN, no plan */
	d = mkdoc(20250331, "X3", "", "0299000000039", 20250311, 39700, 0, "B-1001",
		  "LÆ 125 681170-1201");
	one("cvr-mangler", d, NULL, "cvr-mangler,ingen-bestilling", "");
	d = mkdoc(20250331, "X4", "12345678", "0299000000039", 20250311, 39700, 0, "B-1001",
		  "LÆ 125 681170-1201");
	one("cvr-ugyldig", d, NULL, "cvr-ugyldig,ingen-bestilling", "");
	/* sum-afviger: each equation */
	d = mkdoc(20250331, "X5", "12345674", "0299000000015", 20250303, 425000, 85000, "", "");
	d->lines_net = 330000;
	one("sum lines", d, NULL, "sum-afviger", "linjer 3300,00 ≠ LineExtensionAmount 3400,00");
	d = mkdoc(20250331, "X6", "12345674", "0299000000015", 20250303, 425000, 85000, "", "");
	d->tax_excl = 340000;	/* UBL's meaning: the net */
	one("sum taxexcl", d, NULL, "sum-afviger", "TaxExclusiveAmount 3400,00 ≠ moms 850,00");
	d = mkdoc(20250331, "X7", "12345674", "0299000000015", 20250303, 425000, 85000, "", "");
	d->amount = 425002;
	one("sum payable", d, NULL, "sum-afviger", "PayableAmount 4250,02 ≠ 4250,00");
	d = mkdoc(20250331, "X8", "12345674", "0299000000015", 20250303, 424999, 85000, "", "");
	d->tax_incl = 425000;
	d->rounding = 0;
	one("sum within 0,01", d, NULL, "", "");
	d = mkdoc(20250331, "X9", "12345674", "0299000000015", 20250303, 425000, 85000, "", "");
	d->nlines = 0;
	one("sum no lines", d, NULL, "sum-afviger", "ingen linjer");
	/* allowance: header allowance 100, charge 50 */
	d = mkdoc(20250331, "XA", "12345674", "0299000000015", 20250303, 418750, 83750, "", "");
	d->net = d->lines_net = 340000;
	d->ac_allowance = d->allowance = 10000;
	d->ac_charge = d->charge = 5000;
	d->has |= BP_HAS_ALLOWANCE | BP_HAS_CHARGE;
	one("allowance and charge", d, NULL, "", "");
	/* kreditnota: a credit note of P-VAND (stored negative) */
	d = mkdoc(20250331, "KN-1", "12345674", "0299000000015", 20250303, -425000, -85000, "", "");
	d->credit = 1;
	free(d->billing_ref);
	d->billing_ref = xstrdup("V-2025-0303");
	one("kreditnota", d, NULL, "kreditnota", "krediterer faktura V-2025-0303");
	/* ingen-plan: robot EAN, no plan at all there */
	{
		static const char *const row[17] = {
			"P-X", "BETALING", "FAST", "12345674", "0299000000077", "", "", "", "", "",
			"", "", "N", "1.2", "", "2020-01-01", "2024-12-31" };
		struct bp_planset p2;
		memset(&p2, 0, sizeof(p2));
		add_plan(&p2, row);
		s = bp_state_new(1);
		d = mkdoc(20250331, "XU", "12345674", "0299000000077", 20250303, 1000, 0, "", "");
		bp_evaluate(s, &conf, &p2, &os, NULL, d, &o1);
		CHECK(o1.ncodes == 1 && o1.codes[0] == BP_PLAN_UDLOEBET &&
		      !strcmp(strbuf_str(&o1.detail), "plan P-X udløb 2024-12-31") &&
		      !strcmp(strbuf_str(&o1.plans), "P-X"), "plan-udloebet: %s",
		      strbuf_str(&o1.detail));
		bp_outcome_free(&o1);
		bp_doc_free(d);
		free(d);
		bp_state_free(s);
		bp_planset_free(&p2);
	}
	d = mkdoc(20250331, "XI", "12345674", "0299000000039", 20250311, 39700, 0, "", "");
	free(d->supplier);
	d->supplier = xstrdup("12345674");
	one("P-LAEGE takes any doctor", d, NULL, "cpr-mangler,ingen-bestilling", "");
	/* flere-planer: two active plans for one CVR and EAN */
	brief_planset(&ps);
	add_plan(&ps, brief_plans[0]);
	free(ps.v[6].id);
	ps.v[6].id = xstrdup("P-VAND-2");
	brief_orders(&os);
	s = bp_state_new(1);
	d = mkdoc(20250331, "XF", "12345674", "0299000000015", 20250303, 425000, 85000, "", "");
	bp_evaluate(s, &conf, &ps, &os, NULL, d, &o1);
	CHECK(o1.ncodes == 1 && o1.codes[0] == BP_FLERE_PLANER && !strcmp(o1.key, "UNMATCHED") &&
	      !strcmp(strbuf_str(&o1.plans), "P-VAND|P-VAND-2") &&
	      !strcmp(strbuf_str(&o1.detail), "planer P-VAND, P-VAND-2"), "flere-planer %s",
	      strbuf_str(&o1.plans));
	/* dublet-fakturanr: the same number from the same supplier again */
	{
		struct bp_doc *d2 = mkdoc(20250331, "XF", "12345674", "0299000000015", 20250310,
					  425000, 85000, "", "");
		free(d2->relpath);
		d2->relpath = xstrdup("faktura/XF_rykker.xml");
		bp_evaluate(s, &conf, &ps, &os, NULL, d2, &o2);
		CHECK(o2.ncodes == 2 && o2.codes[0] == BP_DUBLET &&
		      !strcmp(strbuf_str(&o2.detail), "først modtaget 2025-03-31 i faktura/XF.xml"),
		      "dublet-fakturanr: %s", strbuf_str(&o2.detail));
		bp_outcome_free(&o2);
		bp_doc_free(d2);
		free(d2);
	}
	bp_outcome_free(&o1);
	bp_doc_free(d);
	free(d);
	bp_state_free(s);
	bp_planset_free(&ps);
	/* bestilling-allerede-faktureret, attesttype-afviger, ingen takst */
	brief_planset(&ps);
	s = bp_state_new(2);
	d = mkdoc(20250331, "L1", "78901233", "0299000000039", 20250311, 39700, 0, "B-1001",
		  "LÆ 125 681170-1201");
	bp_evaluate(s, &conf, &ps, &os, NULL, d, &o1);
	CHECK(o1.ncodes == 0, "L1 posted (%d codes)", o1.ncodes);
	{
		struct bp_doc *d2 = mkdoc(20250331, "L2", "78901233", "0299000000039", 20250312,
					  39700, 0, "B-1001", "LÆ 125 681170-1201");
		bp_evaluate(s, &conf, &ps, &os, NULL, d2, &o2);
		CHECK(o2.ncodes == 1 && o2.codes[0] == BP_BESTILLING_FAKTURERET &&
		      !strcmp(strbuf_str(&o2.detail), "bestilling B-1001"),
		      "bestilling-allerede-faktureret %d", o2.ncodes);
		bp_outcome_free(&o2);
		bp_doc_free(d2);
		free(d2);
	}
	bp_outcome_free(&o1);
	bp_doc_free(d);
	free(d);
	bp_state_free(s);
	d = mkdoc(20250331, "L3", "78901233", "0299000000039", 20250314, 39700, 0, "",
		  "LÆ 125 statusattest 741266-2302");
	one("attesttype-afviger", d, NULL, "attesttype-afviger,takst-afviger",
	    "faktura LAE125, bestilling B-1002 LAE135");
	d = mkdoc(20250331, "L4", "89012341", "0299000000039", 20250314, 39700, 0, "",
		  "LÆ 999 noget 661053-1403");
	one("attest LAE999", d, NULL, "attesttype-afviger,takst-afviger", NULL);
	d = mkdoc(20250331, "L5", "89012341", "0299000000039", 20250314, 180000, 0, "",
		  "Attest 661053-1403");
	one("order of CPR, type from order", d, NULL, "", "");
	d = mkdoc(20250331, "L6", "89012341", "0299000000039", 20250314, 180000, 0, "",
		  "Attest 991053-1404 321372-2405");
	one("only invalid CPR-like numbers", d, NULL, "cpr-mangler,ingen-bestilling",
	    "kun ugyldige CPR-lignende tal");
	/* traek-ne-faktura: the deduction in KMD Aktiv differs from the rent */
	tr.v = xcalloc(1, sizeof(*tr.v));
	tr.v[0] = (struct bp_traek){ "6903841301", 202503, xstrdup("56789014"), 610000 };
	tr.n = tr.alloc = 1;
	d = mkdoc(20250331, "HL-T", "56789014", "0299000000046", 20250301, 620000, 0, "",
		  "Husleje 690384-1301");
	one("traek-ne-faktura", d, &tr, "traek-ne-faktura", "træk 6100,00, husleje 6200,00");
	tr.v[0].amount = 620000;
	d = mkdoc(20250331, "HL-T", "56789014", "0299000000046", 20250301, 620000, 0, "",
		  "Husleje 690384-1301");
	one("traek equal", d, &tr, "", "");
	bp_traeks_free(&tr);
	/* HUSLEJE '*' plan through the landlord table */
	{
		static const char *const row[17] = {
			"P-HUSLEJE", "BETALING", "HUSLEJE", "*", "0299000000046", "", "", "", "",
			"MAANED", "5", "5", "J", "@husleje-mellemregning", "JOBCENTER", "2024-01-01",
			"2026-12-31" };
		struct bp_planset p2;
		memset(&p2, 0, sizeof(p2));
		add_plan(&p2, row);
		CHECK(!p2.v[0].error, "'*' HUSLEJE plan: %s", p2.v[0].error);
		s = bp_state_new(1);
		d = mkdoc(20250331, "UH", "90123459", "0299000000046", 20250303, 500000, 0, "",
			  "631072-2405");
		bp_evaluate(s, &conf, &p2, &os, NULL, d, &o1);
		CHECK(o1.ncodes == 1 && o1.codes[0] == BP_CVR_IKKE_GODKENDT, "not approved");
		bp_outcome_free(&o1);
		bp_doc_free(d);
		free(d);
		d = mkdoc(20250331, "UH2", "56789014", "0299000000046", 20250303, 500000, 0, "",
			  "631072-2405");
		bp_evaluate(s, &conf, &p2, &os, NULL, d, &o1);
		CHECK(o1.ncodes == 0 && o1.plan == &p2.v[0], "approved landlord via '*'");
		bp_outcome_free(&o1);
		bp_doc_free(d);
		free(d);
		bp_state_free(s);
		bp_planset_free(&p2);
	}
	bp_planset_free(&ps);
	bp_orders_free(&os);
}

static void test_plan_check(void)
{
	static const struct {
		int col;
		const char *value, *why;
	} bad[] = {
		{ 0, "", "Plan_id er tom" },
		{ 1, "LEASING", "Type 'LEASING' er hverken BETALING eller FAKTURA" },
		{ 3, "12345678", "CVR '12345678' er ikke 8 cifre med modulus 11" },
		{ 4, "0299000000016", "EAN '0299000000016' er ikke 13 cifre med gyldigt kontrolciffer" },
		{ 7, "12.34", "Beloeb_min '12.34' er ikke et beløb" },
		{ 9, "MND", "Kadence 'MND' er ikke UGE, MAANED, KVARTAL, HALVAAR eller AAR" },
		{ 13, "@ukendt", "Konto '@ukendt' er ingen rolle i accounts.conf" },
		{ 15, "2025-13-01", "Startdato '2025-13-01' er ikke en dato" },
		{ 16, "2023-12-31", "Startdato er efter Slutdato" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *row[17];
		struct bp_plan_cells c;
		struct bp_plan p;
		memcpy(row, brief_plans[0], sizeof(row));
		row[bad[i].col] = bad[i].value;
		cells_of(row, &c);
		bp_plan_check(&c, role_ok, NULL, &p);
		CHECK(p.error && !strcmp(p.error, bad[i].why), "plan-fejl '%s', want '%s'",
		      p.error ? p.error : "(none)", bad[i].why);
		bp_plan_free(&p);
	}
	{
		struct bp_planset s;
		brief_planset(&s);
		for (size_t i = 0; i < s.n; i++)
			CHECK(!s.v[i].error, "brief plan %s: %s", s.v[i].id, s.v[i].error);
		CHECK(s.v[4].dev == 500 && s.v[5].faktura && !strcmp(s.v[5].prefix, "4711203"),
		      "plan values");
		add_plan(&s, brief_plans[1]);
		bp_planset_dups(&s);
		CHECK(s.v[6].error && !s.v[1].error, "duplicate Plan_id");
		bp_planset_free(&s);
	}
}

static void test_helpers(void)
{
	char cpr[CPR_LEN + 1], t[8][8];
	int inv = 0, n;
	CHECK(bp_add_period(20250131, BP_K_MAANED, 1) == 20250228, "31-01 + 1 month");
	CHECK(bp_add_period(20240131, BP_K_MAANED, 1) == 20240229, "leap year");
	CHECK(bp_add_period(20241205, BP_K_KVARTAL, 1) == 20250305, "quarter");
	CHECK(bp_add_period(20250301, BP_K_UGE, 2) == 20250315, "two weeks");
	CHECK(bp_add_period(20250831, BP_K_HALVAAR, 1) == 20260228, "half year clamp");
	CHECK(bp_add_period(20240229, BP_K_AAR, 1) == 20250228, "year clamp");
	CHECK(bp_add_days(20250301, -5) == 20250224, "days back");
	CHECK(bp_cpr_find("LÆ 125 Statusattest vedr. 681170-1201", &inv, cpr) &&
	      !strcmp(cpr, "6811701201"), "substitute CPR with dash");
	CHECK(bp_cpr_find("x0101851234y", &inv, cpr) && !strcmp(cpr, "0101851234"), "plain");
	inv = 0;
	CHECK(!bp_cpr_find("ordre 4711203-0042", &inv, cpr) && !inv, "7 digits before the dash");
	CHECK(!bp_cpr_find("01018512345", &inv, cpr), "11 digits are no CPR");
	inv = 0;
	CHECK(!bp_cpr_find("321385-1234", &inv, cpr) && inv, "invalid date noted");
	CHECK(bp_cpr_find("321385-1234 og 010185-4321", &inv, cpr) && !strcmp(cpr, "0101854321"),
	      "the first valid one");
	n = bp_attest_types("LÆ 125 Statusattest, lae.135 og LAE125", t, 0, 8);
	CHECK(n == 2 && !strcmp(t[0], "LAE125") && !strcmp(t[1], "LAE135"), "attest types %d", n);
	n = bp_attest_types("læ 145", t, 0, 8);
	CHECK(n == 1 && !strcmp(t[0], "LAE145"), "lower case æ");
}

static void test_suggest(void)
{
	static const struct {
		int32_t day;
		money_t amount;
	} kv[] = { { 20240821, 95500 }, { 20240920, 99000 }, { 20241021, 101000 },
		   { 20241121, 96500 }, { 20241220, 98500 }, { 20250121, 97000 },
		   { 20250220, 100000 }, { 20250321, 98000 } };
	struct bp_doc *d[9];
	struct bp_planset ps;
	struct bp_suggestion *sg;
	size_t n;
	brief_planset(&ps);
	for (int i = 0; i < 8; i++) {
		char inv[16];
		snprintf(inv, sizeof(inv), "KV-%d", i);
		d[i] = mkdoc(20250331, inv, "45678903", "0299000000060", kv[i].day, kv[i].amount, 0,
			     "", "");
	}
	/* a planned pair is never suggested */
	d[8] = mkdoc(20250331, "V", "12345674", "0299000000015", 20250303, 425000, 0, "", "");
	n = bp_suggest(&conf, &ps, (const struct bp_doc *const *)d, 9, 20250331, &sg);
	CHECK(n == 1, "%zu suggestions", n);
	if (n == 1)
		CHECK(sg[0].n == 8 && sg[0].min == 85950 && sg[0].max == 111100 &&
		      sg[0].kadence == BP_K_MAANED && sg[0].median == 30 && sg[0].cv == 174 &&
		      sg[0].sum == 785500 && sg[0].first == 20240821, "suggestion n %d min %lld "
		      "max %lld median %d cv %lld", sg[0].n, (long long)sg[0].min,
		      (long long)sg[0].max, sg[0].median, (long long)sg[0].cv);
	free(sg);
	/* 5 invoices are too few */
	n = bp_suggest(&conf, &ps, (const struct bp_doc *const *)d + 3, 5, 20250331, &sg);
	CHECK(n == 0, "five invoices suggest %zu", n);
	free(sg);
	for (int i = 0; i < 9; i++) {
		bp_doc_free(d[i]);
		free(d[i]);
	}
	bp_planset_free(&ps);
}

static void test_conf_errors(void)
{
	static const char *const bad[] = {
		"scope-ean 0299000000016\n",
		"warn-plan-days x\n",
		"amount-basis brutto\n",
		"credit-notes maybe\n",
		"cpr-places line-note nowhere\n",
		"suggest min-invoices 1\n",
		"frobnicate 1\n",
		"warn-plan-days 3\nwarn-plan-days 4\n",
		"sum-tolerance 0.01\n",
	};
	struct bp_conf c;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *p = test_text_file(bad[i]);
		CHECK(bp_conf_load(p, &c) == -1, "bad conf accepted: %s", bad[i]);
		bp_conf_free(&c);
		unlink(p);
	}
	{
		const char *p = test_text_file("takst LAE125 2013-07-01 397,00 396,00\n");
		char line[128];
		FILE *f;
		snprintf(line, sizeof(line), "takster %s\n", p);
		f = fopen("/tmp/test-bp.conf", "w");
		fputs(line, f);
		fclose(f);
		CHECK(bp_conf_load("/tmp/test-bp.conf", &c) == -1, "takst MIN above MAX accepted");
		bp_conf_free(&c);
		unlink(p);
		unlink("/tmp/test-bp.conf");
	}
}

int main(void)
{
	load_conf();
	test_helpers();
	test_plan_check();
	test_worked_example();
	test_codes();
	test_suggest();
	test_conf_errors();
	bp_conf_free(&conf);
	return test_done();
}
