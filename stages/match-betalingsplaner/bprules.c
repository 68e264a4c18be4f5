/*
 * The rules of match-betalingsplaner (bprules.h). Rule numbers are the
 * brief's (../shared/spec/seeds-000-001-003.md 2.5).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "bprules.h"
#include "core/banned.h"

static const struct {
	const char *name, *text;
} codes[BP_NCODES] = {
	[BP_IKKE_OIOUBL] = { "ikke-oioubl", "filen er ikke en OIOUBL 2.x faktura eller kreditnota / "
			     "the file is not an OIOUBL 2.x invoice or credit note" },
	[BP_DUBLET] = { "dublet-fakturanr", "fakturanummeret er modtaget før fra samme leverandør / "
			"invoice number received before from the same supplier" },
	[BP_EAN_UGYLDIG] = { "ean-ugyldig", "modtagerens EAN er ikke 13 cifre med gyldigt "
			     "kontrolciffer / receiver EAN is not 13 digits with a valid check digit" },
	[BP_CVR_MANGLER] = { "cvr-mangler", "fakturaen har intet leverandør-CVR / the invoice "
			     "carries no supplier CVR" },
	[BP_CVR_UGYLDIG] = { "cvr-ugyldig", "leverandørens CVR er ikke 8 cifre med modulus 11 / "
			     "supplier CVR is not 8 digits passing modulus 11" },
	[BP_SUM_AFVIGER] = { "sum-afviger", "fakturaens totaler stemmer ikke med linjer, moms og "
			     "rabatter / the invoice totals disagree with its lines, VAT and "
			     "allowances" },
	[BP_KREDITNOTA] = { "kreditnota", "kreditnota bogføres ikke automatisk / a credit note is "
			    "not posted automatically" },
	[BP_FLERE_PLANER] = { "flere-planer", "fakturaen passer på flere planer / the invoice fits "
			      "several plans" },
	[BP_PLAN_UDLOEBET] = { "plan-udloebet", "planen for leverandør og EAN er udløbet / the "
			       "supplier's plan for the EAN has expired" },
	[BP_CVR_IKKE_GODKENDT] = { "cvr-ikke-godkendt", "leverandøren er ikke en godkendt udlejer / "
				   "the supplier is not an approved landlord" },
	[BP_INGEN_PLAN] = { "ingen-plan", "ingen plan for leverandøren på robot-EAN'et / no plan for "
			    "the supplier on the robot EAN" },
	[BP_CPR_MANGLER] = { "cpr-mangler", "intet gyldigt CPR-nummer på fakturaen / no valid CPR "
			     "number on the invoice" },
	[BP_BELOEB] = { "beloeb-uden-for-interval", "beløbet ligger uden for planens interval / the "
			"amount is outside the plan's interval" },
	[BP_INGEN_BESTILLING] = { "ingen-bestilling", "ingen bestilling af lægeerklæringen / no "
				  "order for the certificate" },
	[BP_BESTILLING_FAKTURERET] = { "bestilling-allerede-faktureret", "bestillingen er allerede "
				       "faktureret / the order has been invoiced already" },
	[BP_ATTESTTYPE] = { "attesttype-afviger", "attesttypen afviger fra bestillingen / the "
			    "certificate type differs from the order" },
	[BP_TAKST] = { "takst-afviger", "beløbet ligger uden for taksten for attesttypen / the "
		       "amount is outside the certificate type's tariff" },
	[BP_KADENCE_TIDLIG] = { "kadence-for-tidlig", "fakturaen kommer før planens kadence / the "
				"invoice comes before the plan's cadence" },
	[BP_MAANEDSAFVIGELSE] = { "maanedsafvigelse", "beløbet afviger fra forrige faktura ud over "
				  "planens grænse / the amount deviates from the previous invoice "
				  "beyond the plan's limit" },
	[BP_TRAEK] = { "traek-ne-faktura", "huslejen stemmer ikke med trækket i ydelsen / the rent "
		       "differs from the deduction from benefit" },
	[BP_KADENCE_MANGLER] = { "kadence-mangler", "en forventet faktura er ikke kommet / an "
				 "expected invoice has not come" },
	[BP_PLAN_UDLOEBER] = { "plan-udloeber", "planen udløber snart og skal revurderes / the plan "
			       "expires soon and must be reviewed" },
	[BP_PLAN_FEJL] = { "plan-fejl", "planen kan ikke bruges / the plan cannot be used" },
	[BP_PLAN_MATCH] = { "plan-match", "bogført automatisk efter planen / posted automatically by "
			    "the plan" },
};

const char *bp_code_name(enum bp_code c)
{
	return codes[c].name;
}

const char *bp_code_text(enum bp_code c)
{
	return codes[c].text;
}

static const char *const kadence_names[] = { "", "UGE", "MAANED", "KVARTAL", "HALVAAR", "AAR" };

const char *bp_kadence_name(enum bp_kadence k)
{
	return kadence_names[k];
}

/* ---- dates ---- */

static int month_days(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : d[m - 1];
}

int32_t bp_add_days(int32_t day, int n)
{
	return day_from_number(day_number(day) + n);
}

int32_t bp_add_period(int32_t day, enum bp_kadence kad, int k)
{
	static const int months[] = { 0, 0, 1, 3, 6, 12 };
	int y = day / 10000, m = day / 100 % 100, d = day % 100, total;
	if (kad == BP_K_NONE)
		return day;
	if (kad == BP_K_UGE)
		return bp_add_days(day, 7 * k);
	total = y * 12 + (m - 1) + months[kad] * k;
	y = total / 12;
	m = total % 12 + 1;
	if (d > month_days(y, m))
		d = month_days(y, m);
	return y * 10000 + m * 100 + d;
}

/* ---- identifiers in free text ---- */

static int isdig(char c)
{
	return c >= '0' && c <= '9';
}

int bp_cpr_find(const char *s, int *invalid_seen, char out[CPR_LEN + 1])
{
	size_t n = strlen(s);
	const char *why;
	int mod11;
	for (size_t i = 0; i < n; i++) {
		char ten[CPR_LEN + 1];
		size_t j = i, k = 0;
		if (!isdig(s[i]) || (i > 0 && isdig(s[i - 1])))
			continue;
		while (k < 6 && j < n && isdig(s[j]))
			ten[k++] = s[j++];
		if (k < 6)
			continue;
		if (j < n && s[j] == '-')
			j++;
		while (k < 10 && j < n && isdig(s[j]))
			ten[k++] = s[j++];
		if (k < 10 || (j < n && isdig(s[j])))
			continue;
		ten[CPR_LEN] = '\0';
		/* core/ident.h's rule: a real date, or a substitute number */
		if (cpr_parse(ten, CPR_LEN, 0, out, &mod11, &why) == 0)
			return 1;
		if (invalid_seen)
			*invalid_seen = 1;
	}
	return 0;
}

int bp_attest_types(const char *s, char (*out)[8], int n, int max)
{
	struct strbuf u = STRBUF_INIT;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((p[0] == 0xC3 && (p[1] == 0x86 || p[1] == 0xA6))) {	/* Æ æ */
			strbuf_addstr(&u, "AE");
			p++;
		} else if (*p == '.' || isspace(*p)) {
			continue;
		} else {
			strbuf_addch(&u, (char)toupper(*p));
		}
	}
	for (const char *p = strbuf_str(&u); (p = strstr(p, "LAE")); p++) {
		char t[8];
		int dup = 0;
		if (!isdig(p[3]) || !isdig(p[4]) || !isdig(p[5]))
			continue;
		memcpy(t, p, 6);
		t[6] = '\0';
		for (int i = 0; i < n; i++)
			dup |= !strcmp(out[i], t);
		if (!dup && n < max)
			memcpy(out[n++], t, 7);
	}
	strbuf_release(&u);
	return n;
}

/* ---- the plans file ---- */

static int is_digits(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdig(s[i]))
			return 0;
	return 1;
}

/* A Danish decimal with at most two decimals ("5", "5,5") in hundredths. */
static int pct_parse(const char *s, int *out)
{
	money_t v;
	const char *why;
	if (money_parse(s, strlen(s), 0, &v, &why) || v < 0 || v > 100000000)
		return -1;
	*out = (int)v;
	return 0;
}

static void plan_error(struct bp_plan *p, const char *fmt, const char *arg)
{
	struct strbuf b = STRBUF_INIT;
	if (p->error)
		return;
	strbuf_addf(&b, fmt, arg);
	p->error = strbuf_detach(&b);
}

void bp_plan_check(const struct bp_plan_cells *c, int (*role_exists)(const char *, void *),
		   void *data, struct bp_plan *p)
{
	const char *why;
	char tmp[EAN_LEN + 1];
	memset(p, 0, sizeof(*p));
	p->id = xstrdup(c->id);
	p->category = xstrdup(c->category);
	p->cvr = xstrdup(c->cvr);
	p->ean = xstrdup(c->ean);
	p->prefix = xstrdup(c->prefix);
	p->account = xstrdup(c->account);
	p->costcentre = xstrdup(c->costcentre);
	if (!c->id[0])
		plan_error(p, "Plan_id er tom%s", "");
	else if (strlen(c->id) > 63)
		plan_error(p, "Plan_id er længere end 63 bytes%s", "");
	if (!strcmp(c->type, "FAKTURA"))
		p->faktura = 1;
	else if (strcmp(c->type, "BETALING"))
		plan_error(p, "Type '%s' er hverken BETALING eller FAKTURA", c->type);
	if (!strcmp(c->cvr, "*")) {
		if (p->faktura)
			plan_error(p, "en FAKTURA-plan skal have et CVR-nummer%s", "");
		else if (strcmp(c->category, "LAEGEERKLAERING") && strcmp(c->category, "HUSLEJE"))
			plan_error(p, "CVR '*' kun for LAEGEERKLAERING og HUSLEJE, ikke %s",
				   c->category);
	} else if (se_parse(c->cvr, strlen(c->cvr), tmp, &why) || !is_digits(c->cvr, SE_LEN)) {
		plan_error(p, "CVR '%s' er ikke 8 cifre med modulus 11", c->cvr);
	}
	if (!p->faktura && (ean_parse(c->ean, strlen(c->ean), tmp, &why) ||
			    !is_digits(c->ean, EAN_LEN)))
		plan_error(p, "EAN '%s' er ikke 13 cifre med gyldigt kontrolciffer", c->ean);
	if (p->faktura) {
		if (!strcmp(c->prefix_field, "faktura"))
			p->prefix_invoice = 1;
		else if (strcmp(c->prefix_field, "ordre"))
			plan_error(p, "Praefiks_felt '%s' er hverken ordre eller faktura",
				   c->prefix_field);
		if (!c->prefix[0])
			plan_error(p, "en FAKTURA-plan skal have et Praefiks%s", "");
	}
	if (c->min[0] && !money_parse(c->min, strlen(c->min), 0, &p->min, &why))
		p->has_min = 1;
	else if (c->min[0])
		plan_error(p, "Beloeb_min '%s' er ikke et beløb", c->min);
	if (c->max[0] && !money_parse(c->max, strlen(c->max), 0, &p->max, &why))
		p->has_max = 1;
	else if (c->max[0])
		plan_error(p, "Beloeb_max '%s' er ikke et beløb", c->max);
	if (p->has_min && p->has_max && p->min > p->max)
		plan_error(p, "Beloeb_min er større end Beloeb_max%s", "");
	p->kadence = BP_K_NONE;
	for (int k = BP_K_UGE; k <= BP_K_AAR; k++)
		if (!strcmp(c->kadence, kadence_names[k]))
			p->kadence = (enum bp_kadence)k;
	if (c->kadence[0] && p->kadence == BP_K_NONE)
		plan_error(p, "Kadence '%s' er ikke UGE, MAANED, KVARTAL, HALVAAR eller AAR",
			   c->kadence);
	if (c->tolerance[0]) {
		if (strlen(c->tolerance) > 4 || !is_digits(c->tolerance, strlen(c->tolerance)))
			plan_error(p, "Tolerance_dage '%s' er ikke et antal dage", c->tolerance);
		else
			p->tolerance = (int)strtol(c->tolerance, NULL, 10);
	}
	if (c->dev[0]) {
		if (pct_parse(c->dev, &p->dev))
			plan_error(p, "Max_afvigelse_pct '%s' er ikke en procentsats", c->dev);
		else
			p->has_dev = 1;
	}
	if (!strcmp(c->require_cpr, "J"))
		p->require_cpr = 1;
	else if (c->require_cpr[0] && strcmp(c->require_cpr, "N"))
		plan_error(p, "Kraev_CPR '%s' er hverken J eller N", c->require_cpr);
	if (c->account[0] == '@') {
		if (!role_exists || !role_exists(c->account + 1, data))
			plan_error(p, "Konto '%s' er ingen rolle i accounts.conf", c->account);
	} else {
		int ok = c->account[0] != '\0';
		for (const char *a = c->account; *a; a++)
			ok &= isalnum((unsigned char)*a) || *a == '.' || *a == '-';
		if (!ok)
			plan_error(p, "Konto '%s' er ikke en konto", c->account);
	}
	if (day_parse_iso(c->start, &p->start))
		plan_error(p, "Startdato '%s' er ikke en dato", c->start);
	if (day_parse_iso(c->end, &p->end))
		plan_error(p, "Slutdato '%s' er ikke en dato", c->end);
	if (!p->error && p->start > p->end)
		plan_error(p, "Startdato er efter Slutdato%s", "");
}

void bp_plan_free(struct bp_plan *p)
{
	free(p->id);
	free(p->category);
	free(p->cvr);
	free(p->ean);
	free(p->prefix);
	free(p->account);
	free(p->costcentre);
	free(p->error);
}

static int cmp_plan_id_line(const void *a, const void *b)
{
	const struct bp_plan *const *x = a, *const *y = b;
	int c = strcmp((*x)->id, (*y)->id);
	return c ? c : (*x < *y ? -1 : *x > *y);
}

void bp_planset_dups(struct bp_planset *s)
{
	struct bp_plan **v = xcalloc(s->n + 1, sizeof(*v));
	for (size_t i = 0; i < s->n; i++)
		v[i] = &s->v[i];
	if (s->n)
		qsort(v, s->n, sizeof(*v), cmp_plan_id_line);	/* file order within an id */
	for (size_t i = 1; i < s->n; i++)
		if (v[i]->id[0] && !strcmp(v[i]->id, v[i - 1]->id))
			plan_error(v[i], "Plan_id '%s' står før i filen", v[i]->id);
	free(v);
}

static int cmp_by_ean(const void *a, const void *b)
{
	const struct bp_plan *const *x = a, *const *y = b;
	int c = strcmp((*x)->ean, (*y)->ean);
	return c ? c : strcmp((*x)->cvr, (*y)->cvr);
}

static int cmp_by_cvr(const void *a, const void *b)
{
	const struct bp_plan *const *x = a, *const *y = b;
	return strcmp((*x)->cvr, (*y)->cvr);
}

void bp_planset_index(struct bp_planset *s)
{
	size_t k = 0;
	free(s->idx);
	s->idx = xcalloc(s->n + 1, sizeof(*s->idx));
	for (size_t i = 0; i < s->n; i++)
		if (!s->v[i].faktura)	/* with errors too: rule 18 asks for any plan */
			s->idx[k++] = &s->v[i];
	s->nbetaling = k;
	for (size_t i = 0; i < s->n; i++)
		if (!s->v[i].error && s->v[i].faktura)
			s->idx[k++] = &s->v[i];
	s->nidx = k;
	if (s->nbetaling)
		qsort(s->idx, s->nbetaling, sizeof(*s->idx), cmp_by_ean);
	if (k > s->nbetaling)
		qsort(s->idx + s->nbetaling, k - s->nbetaling, sizeof(*s->idx), cmp_by_cvr);
}

/* The key of a plan in the index: EAN and CVR (BETALING), or CVR (FAKTURA). */
static int key_cmp(const struct bp_plan *p, const char *ean, const char *cvr)
{
	int c = ean ? strcmp(p->ean, ean) : 0;
	return c ? c : cvr ? strcmp(p->cvr, cvr) : 0;
}

/* [*lo, *hi) of sorted v[0..n) with that EAN (NULL: any) and CVR (NULL: any). */
static void range_of(const struct bp_plan **v, size_t n, const char *ean, const char *cvr,
		     size_t *lo, size_t *hi)
{
	size_t a = 0, b = n;
	while (a < b) {	/* the first not below the key */
		size_t m = a + (b - a) / 2;
		if (key_cmp(v[m], ean, cvr) < 0)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	b = n;
	while (a < b) {	/* the first above it */
		size_t m = a + (b - a) / 2;
		if (key_cmp(v[m], ean, cvr) <= 0)
			a = m + 1;
		else
			b = m;
	}
	*hi = a;
}

/*
 * The plans that could take d: with an index, the BETALING plans on its
 * EAN of its CVR or '*', and the FAKTURA plans of its CVR; else all.
 * *out: free().
 */
static size_t candidates(const struct bp_planset *ps, const struct bp_doc *d,
			 const struct bp_plan ***out)
{
	size_t n = 0, r[3][2];
	const struct bp_plan **v;
	if (!ps->idx) {
		v = xcalloc(ps->n + 1, sizeof(*v));
		for (size_t i = 0; i < ps->n; i++)
			v[n++] = &ps->v[i];
		*out = v;
		return n;
	}
	range_of(ps->idx, ps->nbetaling, d->ean, d->supplier, &r[0][0], &r[0][1]);
	range_of(ps->idx, ps->nbetaling, d->ean, "*", &r[1][0], &r[1][1]);
	range_of(ps->idx + ps->nbetaling, ps->nidx - ps->nbetaling, NULL, d->supplier, &r[2][0],
		 &r[2][1]);
	r[2][0] += ps->nbetaling;
	r[2][1] += ps->nbetaling;
	if (!strcmp(d->supplier, "*"))
		r[1][1] = r[1][0];	/* the same range twice */
	v = xcalloc(r[0][1] - r[0][0] + r[1][1] - r[1][0] + r[2][1] - r[2][0] + 1, sizeof(*v));
	for (int k = 0; k < 3; k++)
		for (size_t i = r[k][0]; i < r[k][1]; i++)
			v[n++] = ps->idx[i];
	*out = v;
	return n;
}

/*
 * Rule 7's case 6 test: there are plans active on day on this EAN and all
 * of them are HUSLEJE (a landlord plan, or the landlord table, is the approval).
 */
static int all_rent_on_ean(const struct bp_planset *ps, const char *ean, int32_t day)
{
	int any = 0, all = 1;
	size_t lo = 0, hi = ps->n;
	if (ps->idx)
		range_of(ps->idx, ps->nbetaling, ean, NULL, &lo, &hi);
	for (size_t i = lo; i < hi; i++) {
		const struct bp_plan *p = ps->idx ? ps->idx[i] : &ps->v[i];
		if (p->error || p->faktura || strcmp(p->ean, ean) || day < p->start || day > p->end)
			continue;
		any = 1;
		all &= !strcmp(p->category, "HUSLEJE");
	}
	return any && all;
}

void bp_planset_free(struct bp_planset *s)
{
	free(s->idx);
	for (size_t i = 0; i < s->n; i++)
		bp_plan_free(&s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void bp_orders_free(struct bp_orders *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->v[i].id);
		free(o->v[i].cpr);
		free(o->v[i].attest);
		free(o->v[i].cvr);
		free(o->v[i].status);
	}
	free(o->v);
	memset(o, 0, sizeof(*o));
}

void bp_traeks_free(struct bp_traeks *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].cvr);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

void bp_conf_defaults(struct bp_conf *c)
{
	static const int places[] = { BP_LINE_NOTE, BP_LINE_ITEM_NAME, BP_HEADER_NOTE,
				      BP_ORDER_REF };
	memset(c, 0, sizeof(*c));
	memcpy(c->places, places, sizeof(places));
	c->nplaces = 4;
	c->warn_days = 30;
	c->sum_tolerance = 1;
	c->history_months = 36;
	c->stop_periods = 3;
	c->sug_min = 6;
	c->sug_cv = 10;
	c->sug_window = 12;
	c->sug_slack = 5;
	c->sug_margin = 10;
}

void bp_conf_free(struct bp_conf *c)
{
	free(c->scope);
	free(c->takst);
	free(c->udlejere);
	memset(c, 0, sizeof(*c));
}

int bp_udlejer(const struct bp_conf *c, const char *cvr)
{
	for (int i = 0; i < c->nudlejere; i++)
		if (!strcmp(c->udlejere[i], cvr))
			return 1;
	return 0;
}

int bp_in_scope(const struct bp_conf *c, const char *ean)
{
	for (int i = 0; i < c->nscope; i++)
		if (!strcmp(c->scope[i], ean))
			return 1;
	return 0;
}

/* ---- documents ---- */

void bp_doc_free(struct bp_doc *d)
{
	char **s[] = { &d->relpath, &d->invoice, &d->supplier, &d->ean, &d->name, &d->order_ref,
		       &d->billing_ref, &d->account, &d->line_notes, &d->item_names,
		       &d->item_descs, &d->notes };
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		free(*s[i]);
		*s[i] = NULL;
	}
}

int bp_doc_cmp(const struct bp_doc *a, const struct bp_doc *b)
{
	int c;
	if (a->received != b->received)
		return a->received < b->received ? -1 : 1;
	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	if ((c = strcmp(a->supplier, b->supplier)) || (c = strcmp(a->invoice, b->invoice)) ||
	    (c = strcmp(a->relpath, b->relpath)))
		return c;
	return (a->line > b->line) - (a->line < b->line);
}

static money_t absm(money_t v)
{
	return v < 0 ? -v : v;
}

int bp_sum_check(const struct bp_doc *d, money_t t, struct strbuf *note)
{
	char a[MONEY_BUFSZ], b[MONEY_BUFSZ];
	money_t want;
	if (d->nlines < 1) {
		strbuf_addstr(note, "ingen linjer");
		return 1;
	}
	if (d->lines_net != d->net) {
		strbuf_addf(note, "linjer %s ≠ LineExtensionAmount %s", money_format(d->lines_net, a),
			    money_format(d->net, b));
		return 1;
	}
	if ((d->has & BP_HAS_TAX_EXCL) && d->tax_excl != d->vat) {
		strbuf_addf(note, "TaxExclusiveAmount %s ≠ moms %s", money_format(d->tax_excl, a),
			    money_format(d->vat, b));
		return 1;
	}
	if ((d->has & BP_HAS_ALLOWANCE) && d->allowance != d->ac_allowance) {
		strbuf_addf(note, "AllowanceTotalAmount %s ≠ rabatter %s",
			    money_format(d->allowance, a), money_format(d->ac_allowance, b));
		return 1;
	}
	if ((d->has & BP_HAS_CHARGE) && d->charge != d->ac_charge) {
		strbuf_addf(note, "ChargeTotalAmount %s ≠ gebyrer %s", money_format(d->charge, a),
			    money_format(d->ac_charge, b));
		return 1;
	}
	want = d->net - d->ac_allowance + d->ac_charge + d->vat + d->tax_rounding;
	if (absm(d->tax_incl - want) > t) {
		strbuf_addf(note, "TaxInclusiveAmount %s ≠ %s", money_format(d->tax_incl, a),
			    money_format(want, b));
		return 1;
	}
	want = d->tax_incl - d->prepaid + d->rounding;
	if (absm(d->amount - want) > t) {
		strbuf_addf(note, "PayableAmount %s ≠ %s", money_format(d->amount, a),
			    money_format(want, b));
		return 1;
	}
	return 0;
}

/* ---- a small string map (the history's indexes) ---- */

struct smap {
	char **keys;
	void **vals;
	size_t cap, n;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void **smap_slot(struct smap *m, const char *key, int create)
{
	size_t i;
	if (create && (m->n + 1) * 2 > m->cap) {
		struct smap g = { 0 };
		g.cap = m->cap ? m->cap * 2 : 64;
		g.keys = xcalloc(g.cap, sizeof(*g.keys));
		g.vals = xcalloc(g.cap, sizeof(*g.vals));
		for (size_t j = 0; j < m->cap; j++)
			if (m->keys[j]) {
				size_t k = hash_str(m->keys[j]) & (g.cap - 1);
				while (g.keys[k])
					k = (k + 1) & (g.cap - 1);
				g.keys[k] = m->keys[j];
				g.vals[k] = m->vals[j];
			}
		g.n = m->n;
		free(m->keys);
		free(m->vals);
		*m = g;
	}
	if (!m->cap)
		return NULL;
	for (i = hash_str(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (!strcmp(m->keys[i], key))
			return &m->vals[i];
	if (!create)
		return NULL;
	m->keys[i] = xstrdup(key);
	m->n++;
	return &m->vals[i];
}

static void smap_free(struct smap *m, int free_vals)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i]) {
			free(m->keys[i]);
			if (free_vals)
				free(m->vals[i]);
		}
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* ---- the history ---- */

struct stream {
	char *plan;
	char cpr[CPR_LEN + 1];
	int tenant;			/* a HUSLEJE stream per CPR */
	const struct bp_doc *last;	/* last auto-posted invoice (rules 12, 13) */
	money_t last_basis;
	const struct bp_doc *anchor;	/* the last invoice on cadence (rule 16) */
};

struct bp_state {
	struct smap seen;	/* "supplier\x1finvoice" -> first document */
	struct smap streams;	/* "plan\x1fcpr" -> struct stream */
	struct smap consumed;	/* order id -> (void *)1 */
	struct smap rent;	/* "cpr\x1fmonth\x1fsupplier" -> money_t */
};

struct bp_state *bp_state_new(size_t ndocs)
{
	struct bp_state *s = xcalloc(1, sizeof(*s));
	(void)ndocs;
	return s;
}

void bp_state_free(struct bp_state *s)
{
	if (!s)
		return;
	smap_free(&s->seen, 0);
	for (size_t i = 0; i < s->streams.cap; i++)
		if (s->streams.keys[i])
			free(((struct stream *)s->streams.vals[i])->plan);
	smap_free(&s->streams, 1);
	smap_free(&s->consumed, 0);
	smap_free(&s->rent, 1);
	free(s);
}

void bp_outcome_free(struct bp_outcome *o)
{
	strbuf_release(&o->detail);
	strbuf_release(&o->plans);
}

static void add_code(struct bp_outcome *o, enum bp_code c, const struct strbuf *detail)
{
	if (!o->ncodes && detail && detail->len)
		strbuf_addstr(&o->detail, strbuf_str(detail));
	o->codes[o->ncodes++] = c;
}

/* The document's CPR by cpr-places (DESIGN 3.5). */
static int doc_cpr(const struct bp_conf *c, const struct bp_doc *d, int *invalid, char *out)
{
	for (int i = 0; i < c->nplaces; i++) {
		const char *t = c->places[i] == BP_LINE_NOTE ? d->line_notes :
				c->places[i] == BP_LINE_ITEM_NAME ? d->item_names :
				c->places[i] == BP_LINE_ITEM_DESC ? d->item_descs :
				c->places[i] == BP_HEADER_NOTE ? d->notes : d->order_ref;
		if (t && bp_cpr_find(t, invalid, out))
			return 1;
	}
	return 0;
}

/* Whether plan p would take d, ignoring its dates: 0 no, else its score (DESIGN 4.1). */
static int plan_score(const struct bp_conf *c, const struct bp_plan *p, const struct bp_doc *d)
{
	if (p->error)
		return 0;
	if (!p->faktura) {
		if (strcmp(p->ean, d->ean))
			return 0;
		if (d->supplier[0] && !strcmp(p->cvr, d->supplier))
			return 2;
		if (!strcmp(p->cvr, "*"))
			return strcmp(p->category, "HUSLEJE") || bp_udlejer(c, d->supplier) ? 1 : 0;
		return 0;
	} else {
		const char *f = p->prefix_invoice ? d->invoice : d->order_ref;
		if (!d->supplier[0] || strcmp(p->cvr, d->supplier) || !f[0] ||
		    strncmp(f, p->prefix, strlen(p->prefix)))
			return 0;
		return 1000 + (int)strlen(p->prefix);
	}
}

static int cmp_plan_ptr(const void *a, const void *b)
{
	const struct bp_plan *const *x = a, *const *y = b;
	return strcmp((*x)->id, (*y)->id);
}

/*
 * Rule 7: the plan of d, or NULL with *code set (a reason) or 0 (out of
 * scope). o->plans gets the plan column.
 */
static const struct bp_plan *select_plan(const struct bp_conf *c, const struct bp_planset *ps,
					 const struct bp_doc *d, struct bp_outcome *o,
					 int *code, struct strbuf *detail)
{
	const struct bp_plan **cand, **best;
	const struct bp_plan *chosen = NULL;
	size_t nbest = 0, ncand = candidates(ps, d, &cand);
	int top = 0;
	best = xcalloc(ncand + 1, sizeof(*best));
	*code = -1;
	for (size_t i = 0; i < ncand; i++) {
		const struct bp_plan *p = cand[i];
		int sc;
		if (p->error || d->day < p->start || d->day > p->end)
			continue;
		if (!(sc = plan_score(c, p, d)) || sc < top)
			continue;
		if (sc > top)
			nbest = 0;
		top = sc;
		best[nbest++] = p;
	}
	if (nbest == 1) {
		chosen = best[0];
		strbuf_addstr(&o->plans, chosen->id);
	} else if (nbest > 1) {
		qsort(best, nbest, sizeof(*best), cmp_plan_ptr);
		strbuf_addstr(detail, "planer ");
		for (size_t i = 0; i < nbest; i++) {
			strbuf_addf(&o->plans, "%s%s", i ? "|" : "", best[i]->id);
			strbuf_addf(detail, "%s%s", i ? ", " : "", best[i]->id);
		}
		*code = BP_FLERE_PLANER;
	} else {
		size_t nexp = 0;
		for (size_t i = 0; i < ncand; i++)
			if (cand[i]->end < d->day && plan_score(c, cand[i], d))
				best[nexp++] = cand[i];
		if (nexp) {
			char day[DATE_BUFSZ];
			qsort(best, nexp, sizeof(*best), cmp_plan_ptr);
			for (size_t i = 0; i < nexp; i++) {
				strbuf_addf(&o->plans, "%s%s", i ? "|" : "", best[i]->id);
				strbuf_addf(detail, "%splan %s udløb %s", i ? ", " : "", best[i]->id,
					    day_format(best[i]->end, day));
			}
			*code = BP_PLAN_UDLOEBET;
		} else if (bp_in_scope(c, d->ean)) {
			*code = all_rent_on_ean(ps, d->ean, d->day) ? BP_CVR_IKKE_GODKENDT :
				BP_INGEN_PLAN;
		} else {
			*code = 0;
		}
	}
	free(best);
	free(cand);
	return chosen;
}

static struct stream *stream_of(struct bp_state *s, const struct bp_plan *p, const char *cpr,
				int create)
{
	struct strbuf k = STRBUF_INIT;
	int tenant = !strcmp(p->category, "HUSLEJE");
	void **slot;
	if (tenant && !cpr[0])
		return NULL;	/* a rent invoice without a CPR has no stream (DESIGN 3.8) */
	strbuf_addf(&k, "%s\x1f%s", p->id, tenant ? cpr : "");
	slot = smap_slot(&s->streams, strbuf_str(&k), create);
	strbuf_release(&k);
	if (slot && !*slot) {
		struct stream *st = xcalloc(1, sizeof(*st));
		st->plan = xstrdup(p->id);
		xstrlcpy(st->cpr, tenant ? cpr : "", sizeof(st->cpr));
		st->tenant = tenant;
		*slot = st;
	}
	return slot ? *slot : NULL;
}

static const struct bp_takst *takst_of(const struct bp_conf *c, const char *type, int32_t day)
{
	const struct bp_takst *t = NULL;
	for (int i = 0; i < c->ntakst; i++)
		if (!strcmp(c->takst[i].type, type) && c->takst[i].from <= day &&
		    (!t || c->takst[i].from > t->from))
			t = &c->takst[i];
	return t;
}

static int order_before(const struct bp_order *a, const struct bp_order *b)
{
	return a->day != b->day ? a->day < b->day : strcmp(a->id, b->id) < 0;
}

/* Rules 10 and 11 (DESIGN 4.4, 4.5); returns the order used, or NULL. */
static const struct bp_order *certificate(struct bp_state *s, const struct bp_conf *c,
					  const struct bp_orders *os, const struct bp_doc *d,
					  const char *cpr, struct bp_outcome *o)
{
	char named[8][8], day[DATE_BUFSZ];
	int nnamed = 0;
	const struct bp_order **pool = xcalloc(os->n + 1, sizeof(*pool));
	const struct bp_order *oldest = NULL, *oldest_free = NULL, *use = NULL;
	size_t np = 0, nfree = 0;
	const char *type = NULL;
	struct strbuf det = STRBUF_INIT;
	const char *texts[] = { d->line_notes, d->item_names, d->item_descs, d->notes };
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		nnamed = bp_attest_types(texts[i] ? texts[i] : "", named, nnamed, 8);
	for (size_t i = 0; i < os->n; i++) {
		const struct bp_order *r = &os->v[i];
		if (strcmp(r->status, "BESTILT") || r->day > d->day ||
		    (r->cvr[0] && strcmp(r->cvr, d->supplier)))
			continue;
		if (cpr[0] ? !strcmp(r->cpr, cpr) : (d->order_ref[0] && !strcmp(r->id, d->order_ref)))
			pool[np++] = r;
	}
	for (size_t i = 0; i < np; i++)
		if (d->order_ref[0] && !strcmp(pool[i]->id, d->order_ref)) {
			pool[0] = pool[i];
			np = 1;
			break;
		}
	for (size_t i = 0; i < np; i++) {
		int used = smap_slot(&s->consumed, pool[i]->id, 0) != NULL;
		if (!oldest || order_before(pool[i], oldest))
			oldest = pool[i];
		if (used)
			continue;
		nfree++;
		if (!oldest_free || order_before(pool[i], oldest_free))
			oldest_free = pool[i];
		if (nnamed) {
			int named_here = 0;
			for (int t = 0; t < nnamed; t++)
				named_here |= !strcmp(named[t], pool[i]->attest);
			if (named_here && (!use || order_before(pool[i], use)))
				use = pool[i];
		}
	}
	if (!np) {
		add_code(o, BP_INGEN_BESTILLING, NULL);
	} else if (!nfree) {
		strbuf_addf(&det, "bestilling %s", oldest->id);
		add_code(o, BP_BESTILLING_FAKTURERET, &det);
	} else if (nnamed && !use) {
		strbuf_addstr(&det, "faktura ");
		for (int t = 0; t < nnamed; t++)
			strbuf_addf(&det, "%s%s", t ? "/" : "", named[t]);
		strbuf_addf(&det, ", bestilling %s %s", oldest_free->id, oldest_free->attest);
		add_code(o, BP_ATTESTTYPE, &det);
		use = oldest_free;
	} else if (!use) {
		use = oldest_free;
	}
	/* rule 11: the order's type, else the first the invoice names */
	type = use ? use->attest : nnamed ? named[0] : NULL;
	if (type) {
		const struct bp_takst *t = takst_of(c, type, d->day);
		char a[MONEY_BUFSZ], b[MONEY_BUFSZ];
		strbuf_reset(&det);
		if (!t) {
			strbuf_addf(&det, "ingen takst for %s", type);
			add_code(o, BP_TAKST, &det);
		} else if (o->basis < t->min || o->basis > t->max) {
			strbuf_addf(&det, "%s takst %s-%s", type, money_format(t->min, a),
				    money_format(t->max, b));
			add_code(o, BP_TAKST, &det);
		}
	}
	(void)day;
	strbuf_release(&det);
	free(pool);
	return nfree ? use : NULL;
}

static void rent_key(struct strbuf *k, const char *cpr, int32_t month, const char *supplier)
{
	strbuf_reset(k);
	strbuf_addf(k, "%s\x1f%d\x1f%s", cpr, (int)month, supplier);
}

/* "+13,85": a per cent in hundredths, signed, half away from zero. */
static void pct_format(struct strbuf *b, money_t num, money_t den)
{
	__int128 q = (__int128)num * 20000 / den;	/* in 1/20000: round half away */
	int64_t h = (int64_t)((q + (q < 0 ? -1 : 1)) / 2);
	int64_t a = h < 0 ? -h : h;
	strbuf_addf(b, "%c%lld,%02lld", h < 0 ? '-' : '+', (long long)(a / 100),
		    (long long)(a % 100));
}

static void limit_format(struct strbuf *b, int hundredths)
{
	strbuf_addf(b, "%d", hundredths / 100);
	if (hundredths % 100) {
		int r = hundredths % 100;
		if (r % 10)
			strbuf_addf(b, ",%02d", r);
		else
			strbuf_addf(b, ",%d", r / 10);
	}
}

void bp_evaluate(struct bp_state *s, const struct bp_conf *c, const struct bp_planset *plans,
		 const struct bp_orders *orders, const struct bp_traeks *traek,
		 const struct bp_doc *d, struct bp_outcome *o)
{
	struct strbuf det = STRBUF_INIT, key = STRBUF_INIT;
	char tmp[EAN_LEN + 1], day[DATE_BUFSZ], day2[DATE_BUFSZ], a[MONEY_BUFSZ], b[MONEY_BUFSZ];
	const char *why;
	const struct bp_plan *p;
	const struct bp_doc *first = NULL;
	const struct bp_order *order = NULL;
	struct stream *st = NULL;
	int invalid = 0, selcode, dublet = 0;
	void **slot;

	memset(o, 0, sizeof(*o));
	strbuf_init(&o->detail);
	strbuf_init(&o->plans);
	o->basis = c->basis_net ? d->amount - d->vat : d->amount;
	doc_cpr(c, d, &invalid, o->cpr);
	p = select_plan(c, plans, d, o, &selcode, &det);

	/* rule 2: seen before, in scope or not (and remembered in any case) */
	strbuf_addf(&key, "%s\x1f%s", d->supplier, d->invoice);
	slot = smap_slot(&s->seen, strbuf_str(&key), 1);
	if (*slot)
		first = *slot;
	else
		*slot = (void *)d;
	if (!p && selcode == 0) {	/* out of scope: counted, no exception */
		strbuf_release(&det);
		strbuf_release(&key);
		return;
	}
	o->in_scope = 1;
	o->plan = p;
	o->key = p ? p->id : "UNMATCHED";
	if (first) {
		struct strbuf x = STRBUF_INIT;
		dublet = 1;
		strbuf_addf(&x, "først modtaget %s i %s", day_format(first->received, day),
			    first->relpath);
		add_code(o, BP_DUBLET, &x);
		strbuf_release(&x);
	}
	/* rules 3, 4, 5, 6 */
	if (ean_parse(d->ean, strlen(d->ean), tmp, &why) || !is_digits(d->ean, EAN_LEN))
		add_code(o, BP_EAN_UGYLDIG, NULL);
	if (!d->supplier[0])
		add_code(o, BP_CVR_MANGLER, NULL);
	else if (se_parse(d->supplier, strlen(d->supplier), tmp, &why) ||
		 !is_digits(d->supplier, SE_LEN))
		add_code(o, BP_CVR_UGYLDIG, NULL);
	{
		struct strbuf x = STRBUF_INIT;
		if (bp_sum_check(d, c->sum_tolerance, &x))
			add_code(o, BP_SUM_AFVIGER, &x);
		strbuf_reset(&x);
		if (d->credit && !c->post_credit) {
			if (d->billing_ref[0])
				strbuf_addf(&x, "krediterer faktura %s", d->billing_ref);
			add_code(o, BP_KREDITNOTA, &x);
		}
		strbuf_release(&x);
	}
	/* rule 7 */
	if (!p) {
		add_code(o, (enum bp_code)selcode, &det);
		goto done;
	}
	/* rule 8 */
	if (p->require_cpr && !o->cpr[0]) {
		strbuf_reset(&det);
		if (invalid)
			strbuf_addstr(&det, "kun ugyldige CPR-lignende tal");
		add_code(o, BP_CPR_MANGLER, &det);
	}
	st = stream_of(s, p, o->cpr, 1);
	if (d->credit)
		goto done;	/* rules 9-14 are for invoices */
	/* rule 9 */
	if ((p->has_min && o->basis < p->min) || (p->has_max && o->basis > p->max)) {
		strbuf_reset(&det);
		strbuf_addf(&det, "%s uden for %s-", money_format(o->basis, a),
			    p->has_min ? money_format(p->min, b) : "");
		strbuf_addstr(&det, p->has_max ? money_format(p->max, b) : "");
		add_code(o, BP_BELOEB, &det);
	}
	/* rules 10, 11 */
	if (!strcmp(p->category, "LAEGEERKLAERING"))
		order = certificate(s, c, orders, d, o->cpr, o);
	/* rule 12 */
	if (p->kadence != BP_K_NONE && st && st->last) {
		int32_t earliest = bp_add_days(bp_add_period(st->last->day, p->kadence, 1),
					       -p->tolerance);
		if (d->day < earliest) {
			strbuf_reset(&det);
			strbuf_addf(&det, "forrige %s, tidligst %s", day_format(st->last->day, day),
				    day_format(earliest, day2));
			add_code(o, BP_KADENCE_TIDLIG, &det);
		}
	}
	/* rule 13 */
	if (p->has_dev && st && st->last) {
		money_t pv = st->last_basis, diff = o->basis - pv;
		if ((__int128)absm(diff) * 10000 > (__int128)p->dev * absm(pv)) {
			strbuf_reset(&det);
			strbuf_addf(&det, "forrige %s", money_format(pv, a));
			if (pv) {
				strbuf_addstr(&det, ", ");
				pct_format(&det, diff, pv);
				strbuf_addstr(&det, " % > ");
				limit_format(&det, p->dev);
				strbuf_addstr(&det, " %");
			}
			add_code(o, BP_MAANEDSAFVIGELSE, &det);
		}
	}
	/* rule 14 */
	if (!strcmp(p->category, "HUSLEJE") && o->cpr[0] && traek) {
		int32_t month = (d->period_start ? d->period_start : d->day) / 100;
		money_t t = 0, r = o->basis;
		for (size_t i = 0; i < traek->n; i++)
			if (!strcmp(traek->v[i].cpr, o->cpr) && traek->v[i].month == month &&
			    !strcmp(traek->v[i].cvr, d->supplier))
				t += traek->v[i].amount;
		rent_key(&key, o->cpr, month, d->supplier);
		if ((slot = smap_slot(&s->rent, strbuf_str(&key), 0)))
			r += *(money_t *)*slot;
		if (t != r) {
			strbuf_reset(&det);
			strbuf_addf(&det, "træk %s, husleje %s", money_format(t, a), money_format(r, b));
			add_code(o, BP_TRAEK, &det);
		}
	}
done:
	/* the history (DESIGN 4.8) */
	if (!o->ncodes && p) {
		if (st) {
			st->last = d;
			st->last_basis = o->basis;
			st->anchor = d;
		}
		if (order)
			*smap_slot(&s->consumed, order->id, 1) = (void *)1;
		if (!strcmp(p->category, "HUSLEJE") && o->cpr[0]) {
			int32_t month = (d->period_start ? d->period_start : d->day) / 100;
			rent_key(&key, o->cpr, month, d->supplier);
			slot = smap_slot(&s->rent, strbuf_str(&key), 1);
			if (!*slot)
				*slot = xcalloc(1, sizeof(money_t));
			*(money_t *)*slot += o->basis;
		}
	} else if (p && st && !d->credit && !dublet && st->anchor && p->kadence != BP_K_NONE &&
		   d->day >= bp_add_days(bp_add_period(st->anchor->day, p->kadence, 1),
					 -p->tolerance)) {
		st->anchor = d;	/* the next period's invoice came, though held */
	}
	strbuf_release(&det);
	strbuf_release(&key);
}

static int cmp_planexc(const void *a, const void *b)
{
	const struct bp_planexc *x = a, *y = b;
	int c = strcmp(x->plan->id, y->plan->id);
	if (!c)
		c = strcmp(x->cpr, y->cpr);
	return c ? c : (int)x->code - (int)y->code;
}

static struct bp_planexc *planexc_add(struct bp_planexc **v, size_t *n, size_t *alloc,
				      enum bp_code code, const struct bp_plan *p)
{
	struct bp_planexc *e;
	*v = xgrow(*v, alloc, *n + 1, sizeof(**v));
	e = &(*v)[(*n)++];
	memset(e, 0, sizeof(*e));
	e->code = code;
	e->plan = p;
	return e;
}

/* Whether plan p is usable and active on night. */
static int active_on(const struct bp_plan *p, int32_t night)
{
	return !p->error && night >= p->start && night <= p->end;
}

void bp_night(const struct bp_state *s, const struct bp_conf *c, const struct bp_planset *plans,
	      int32_t night, struct bp_planexc **v, size_t *n, size_t *alloc)
{
	size_t start = *n;
	struct smap byid = { 0 };	/* plan id -> plan (the first usable one) */
	for (size_t i = 0; i < plans->n; i++) {
		const struct bp_plan *p = &plans->v[i];
		int64_t left = day_number(p->end) - day_number(night);
		void **slot;
		if (!active_on(p, night))
			continue;
		slot = smap_slot(&byid, p->id, 1);
		if (!*slot)
			*slot = (void *)p;
		if (left >= 0 && left <= c->warn_days)
			planexc_add(v, n, alloc, BP_PLAN_UDLOEBER, p)->days = (int)left;
	}
	/* rule 16: every stream once, against its plan as of the night */
	for (size_t j = 0; j < s->streams.cap; j++) {
		const struct stream *st = s->streams.vals[j];
		const struct bp_plan *p;
		struct bp_planexc *e;
		void **slot;
		int32_t due;
		if (!s->streams.keys[j] || !st->anchor ||
		    !(slot = smap_slot(&byid, st->plan, 0)) || !(p = *slot) ||
		    p->kadence == BP_K_NONE)
			continue;
		due = bp_add_days(bp_add_period(st->anchor->day, p->kadence, 1), p->tolerance);
		if (night <= due || due > p->end)
			continue;
		if (st->tenant && night > bp_add_period(st->anchor->day, p->kadence, c->stop_periods))
			continue;	/* the tenant moved */
		e = planexc_add(v, n, alloc, BP_KADENCE_MANGLER, p);
		e->last = st->anchor;
		xstrlcpy(e->cpr, st->cpr, sizeof(e->cpr));
		e->amount = st->anchor->amount;
		e->due = due;
	}
	smap_free(&byid, 0);
	if (*n > start)
		qsort(*v + start, *n - start, sizeof(**v), cmp_planexc);
}

/* ---- rule 18, suggestions ---- */

struct pairdoc {
	const struct bp_doc *d;
};

static int cmp_pair(const void *a, const void *b)
{
	const struct bp_doc *x = ((const struct pairdoc *)a)->d, *y = ((const struct pairdoc *)b)->d;
	int c = strcmp(x->supplier, y->supplier);
	if (!c)
		c = strcmp(x->ean, y->ean);
	if (!c)
		c = (x->day > y->day) - (x->day < y->day);
	if (!c)
		c = bp_doc_cmp(x, y);
	return c;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static uint64_t isqrt128(unsigned __int128 v)
{
	uint64_t lo = 0, hi = UINT32_MAX;
	hi = hi * 16;	/* ample for per cent in hundredths */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo + 1) / 2;
		if ((unsigned __int128)mid * mid <= v)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

size_t bp_suggest(const struct bp_conf *c, const struct bp_planset *plans,
		  const struct bp_doc *const *docs, size_t ndocs, int32_t night,
		  struct bp_suggestion **out)
{
	struct pairdoc *v = xcalloc(ndocs + 1, sizeof(*v));
	struct bp_suggestion *res = NULL;
	size_t n = 0, nres = 0, ares = 0;
	int32_t from = bp_add_period(night, BP_K_MAANED, -c->sug_window);
	static const int targets[] = { 0, 7, 30, 91, 182, 365 };
	for (size_t i = 0; i < ndocs; i++) {
		const struct bp_doc *d = docs[i];
		char tmp[EAN_LEN + 1];
		const char *why;
		int planned = 0;
		if (d->credit || d->day <= from || d->day > night ||
		    se_parse(d->supplier, strlen(d->supplier), tmp, &why) ||
		    !is_digits(d->supplier, SE_LEN) ||
		    ean_parse(d->ean, strlen(d->ean), tmp, &why) || !is_digits(d->ean, EAN_LEN))
			continue;
		if (plans->idx) {
			size_t lo, hi;
			range_of(plans->idx, plans->nbetaling, d->ean, d->supplier, &lo, &hi);
			planned = hi > lo;
		}
		for (size_t j = 0; j < plans->n && !planned && !plans->idx; j++)
			planned = !plans->v[j].faktura && !strcmp(plans->v[j].cvr, d->supplier) &&
				  !strcmp(plans->v[j].ean, d->ean);
		if (!planned)
			v[n++].d = d;
	}
	qsort(v, n, sizeof(*v), cmp_pair);
	for (size_t i = 0, j; i < n; i = j) {
		money_t s = 0, mn = 0, mx = 0;
		unsigned __int128 q = 0;
		int64_t k;
		int *gaps, median, kad = 0;
		const char *account;
		for (j = i; j < n && !strcmp(v[j].d->supplier, v[i].d->supplier) &&
		     !strcmp(v[j].d->ean, v[i].d->ean); j++)
			;
		{	/* each (supplier, invoice) once */
			size_t w = i;
			for (size_t x = i; x < j; x++) {
				int dup = 0;
				for (size_t y = i; y < w && !dup; y++)
					dup = !strcmp(v[y].d->invoice, v[x].d->invoice);
				if (!dup)
					v[w++] = v[x];
			}
			k = (int64_t)(w - i);
			if (k < c->sug_min)
				continue;
			account = v[i].d->account;
			for (size_t x = i; x < w; x++) {
				money_t a = v[x].d->amount;
				s += a;
				q += (unsigned __int128)((__int128)a * a);
				if (x == i || a < mn)
					mn = a;
				if (x == i || a > mx)
					mx = a;
				if (strcmp(account, v[x].d->account))
					account = "";
			}
			if (s <= 0)
				continue;
			{
				__int128 var = (__int128)k * (__int128)q - (__int128)s * s;
				if (var < 0)
					var = 0;
				if ((__int128)10000 * var > (__int128)c->sug_cv * c->sug_cv * s * s)
					continue;
				gaps = xcalloc((size_t)k, sizeof(*gaps));
				for (int64_t x = 1; x < k; x++)
					gaps[x - 1] = (int)(day_number(v[i + x].d->day) -
							    day_number(v[i + x - 1].d->day));
				qsort(gaps, (size_t)(k - 1), sizeof(*gaps), cmp_int);
				median = gaps[(k - 2) / 2];
				free(gaps);
				for (int t = BP_K_UGE; t <= BP_K_AAR && !kad; t++)
					if (abs(median - targets[t]) <= c->sug_slack)
						kad = t;
				if (!kad)
					continue;
				res = xgrow(res, &ares, nres + 1, sizeof(*res));
				memset(&res[nres], 0, sizeof(res[nres]));
				res[nres].cvr = v[i].d->supplier;
				res[nres].ean = v[i].d->ean;
				res[nres].name = v[i + k - 1].d->name;
				res[nres].account = account;
				res[nres].n = (int)k;
				res[nres].sum = s;
				res[nres].min = mn * (100 - c->sug_margin) / 100;	/* floor: positive */
				res[nres].max = (mx * (100 + c->sug_margin) + 99) / 100;
				res[nres].kadence = (enum bp_kadence)kad;
				res[nres].median = median;
				res[nres].cv = (int64_t)isqrt128((unsigned __int128)(var * 100000000 /
										   ((__int128)s * s)));
				res[nres].first = v[i].d->day;
				res[nres].last = v[i + k - 1].d->day;
				nres++;
			}
		}
	}
	free(v);
	*out = res;
	return nres;
}
