/* The refund rules, one line at a time: see rules.h. */
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/ident.h"
#include "core/strbuf.h"
#include "core/banned.h"

void extract_add(struct residence_index *ri, const struct residence_row *row, size_t *alloc)
{
	ri->v = xgrow(ri->v, alloc, ri->n + 1, sizeof(*ri->v));
	ri->v[ri->n++] = *row;
}

static int cmp_extract(const void *a, const void *b)
{
	const struct residence_row *x = a, *y = b;
	int c = strcmp(x->cpr, y->cpr);
	if (c)
		return c;
	if (x->fra != y->fra)
		return x->fra < y->fra ? -1 : 1;
	return (x->til > y->til) - (x->til < y->til);
}

void extract_sort(struct residence_index *ri)
{
	if (ri->n)
		qsort(ri->v, ri->n, sizeof(*ri->v), cmp_extract);
}

static const struct {
	const char *name, *text;
	int explained;
} out_codes[OUT_N] = {
	[OUT_CHARGE] = { "opkraevet", "opkrævet / charged", 0 },
	[OUT_CPR_UGYLDIG] = { "cpr-ugyldig",
		"CPR-nummeret kan ikke læses, skolen retter listen / the CPR number cannot "
		"be read, the school corrects the list", 0 },
	[OUT_UDEN_FOR_PERIODE] = { "uden-for-periode",
		"timeåret passer ikke med holdets datoer, skolen retter listen / the year of "
		"the hours does not fit the course dates", 0 },
	[OUT_FOREDRAG] = { "foredrag-ikke-refusion",
		"foredrag giver ikke refusion (folkeoplysningsloven § 43 stk. 2) / lectures "
		"give no refund", 1 },
	[OUT_TAKST_MANGLER] = { "takst-mangler",
		"ingen takst for formen og året i refusion.conf / no rate for the form and "
		"year in refusion.conf", 0 },
	[OUT_DUBLET] = { "dublet",
		"deltageren er allerede med på holdet / the participant is already on the "
		"course", 1 },
	[OUT_UKENDT_I_CPR] = { "ukendt-i-cpr",
		"CPR-nummeret er ikke i bopælsudtrækket / the CPR number is not in the "
		"residence extract", 0 },
	[OUT_BOPAEL_UKENDT] = { "bopael-ukendt-ved-start",
		"bopælen ved kursusstart er ukendt / the residence at course start is "
		"unknown", 0 },
	[OUT_EGEN_KOMMUNE] = { "bor-i-egen-kommune",
		"deltageren boede i kommunen ved kursusstart / the participant lived here at "
		"course start", 1 },
	[OUT_AFTALEKOMMUNE] = { "aftalekommune",
		"aftale med bopælskommunen om gensidigt frafald / an agreement with the home "
		"municipality waives the refund", 1 },
	[OUT_FOR_SENT] = { "for-sent-indberettet",
		"listen kom efter fristen / the list came after the deadline", 1 },
};

static const struct {
	const char *name, *text;
} in_codes[IN_N] = {
	[IN_ACCEPT] = { "accepteret", "accepteret / accepted" },
	[IN_FORKERT_MODTAGER] = { "forkert-modtager",
		"opkrævningen er ikke til os / the charge is not addressed to us" },
	[IN_AFTALEKOMMUNE] = { "aftalekommune",
		"aftale om gensidigt frafald af refusion / an agreement waives the refund" },
	[IN_CPR_UGYLDIG] = { "cpr-ugyldig",
		"CPR-nummeret kan ikke læses / the CPR number cannot be read" },
	[IN_FOREDRAG] = { "foredrag",
		"foredrag giver ikke refusion (§ 43 stk. 2) / lectures give no refund" },
	[IN_DUBLET] = { "dublet", "linjen er opkrævet før / the line was charged before" },
	[IN_IKKE_BOPAEL] = { "ikke-bopael-ved-start",
		"deltageren boede ikke i kommunen ved kursusstart / the participant did not "
		"live here at course start" },
	[IN_TAKST_MANGLER] = { "takst-mangler",
		"ingen takst for formen og året / no rate for the form and year" },
	[IN_TAKST_AFVIGER] = { "takst-afviger",
		"taksten er højere end årets takst / the rate is above the year's rate" },
	[IN_BELOEB_AFVIGER] = { "beloeb-afviger",
		"beløbet er højere end timer gange takst / the amount is above hours times "
		"rate" },
	[IN_SUM_AFVIGER] = { "sum-afviger",
		"filens total er ikke summen af linjerne / the file's total is not the sum "
		"of its lines" },
};

const char *out_code_name(enum out_code c) { return out_codes[c].name; }
const char *out_code_text(enum out_code c) { return out_codes[c].text; }
int out_code_explained(enum out_code c) { return out_codes[c].explained; }
const char *in_code_name(enum in_code c) { return in_codes[c].name; }
const char *in_code_text(enum in_code c) { return in_codes[c].text; }

int in_code_parse(const char *name, enum in_code *c)
{
	for (int i = 0; i < IN_N; i++)
		if (!strcmp(in_codes[i].name, name)) {
			*c = (enum in_code)i;
			return 0;
		}
	return -1;
}

int in_code_counts(enum in_code c)
{
	return c == IN_ACCEPT || c == IN_IKKE_BOPAEL || c == IN_TAKST_MANGLER ||
	       c == IN_TAKST_AFVIGER || c == IN_BELOEB_AFVIGER;
}

/* A CPR cell as a school or a municipality writes it (core/ident.h's one
 * rule, substitute numbers included; blanks around ignored): 0 or -1. */
static int cell_cpr(const char *s, size_t len, char out[CPR_LEN + 1])
{
	int mod11;
	const char *why;
	return cpr_parse(s, len, CPR_TRIM_BLANKS, out, &mod11, &why);
}

static void set_key(struct out_result *r, const char *k)
{
	snprintf(r->key, sizeof(r->key), "%s", k);
}

int out_pre(const struct refusion_conf *c, const struct out_line *l, struct out_result *r)
{
	int start_year = l->start / 10000;
	int end_year = (l->slut ? l->slut : l->start) / 10000;
	memset(r, 0, sizeof(*r));
	set_key(r, "UKENDT");
	r->ta = l->timeaar ? l->timeaar : start_year;
	r->form = refusion_form(c, l->form, l->form_len);
	r->rate = r->form == FORM_UNKNOWN ? -1 : refusion_rate(c, r->ta, r->form);
	r->value = 0;
	if (r->rate > 0 && !c->not_chargeable[r->form]) {
		r->value = refusion_value(l->timer, r->rate);
		if (r->value < 0)
			return -1;
	}
	r->period = r->ta == start_year ? period_of_day(l->start) : r->ta * 10 + 1;

	if (cell_cpr(l->cpr_raw, l->cpr_len, r->cpr)) {
		r->cpr[0] = '\0';
		r->code = OUT_CPR_UGYLDIG;
		return 0;
	}
	if ((l->timeaar && (r->ta < start_year || r->ta > end_year)) ||
	    (l->slut && l->slut < l->start)) {
		char a[DATE_BUFSZ], b[DATE_BUFSZ];
		r->code = OUT_UDEN_FOR_PERIODE;
		r->period = period_of_day(l->start);
		snprintf(r->note, sizeof(r->note), "timeår %d, hold %s til %s", r->ta,
			 day_format(l->start, a), l->slut ? day_format(l->slut, b) : "?");
		return 0;
	}
	if (r->form != FORM_UNKNOWN && c->not_chargeable[r->form]) {
		r->code = OUT_FOREDRAG;
		return 0;
	}
	if (r->rate < 0) {
		char w[64];
		r->code = OUT_TAKST_MANGLER;
		if (r->form != FORM_UNKNOWN)
			snprintf(w, sizeof(w), "%s", refusion_form_name(r->form));
		else
			fold_case(l->form, l->form_len < 63 ? l->form_len : 63, w, sizeof(w));
		snprintf(r->note, sizeof(r->note), "ingen takst for %s %d", w, r->ta);
		return 0;
	}
	r->code = OUT_CHARGE;
	return 0;
}

/* The payer on the course start: 0 and r->key, or the failing rule's code. */
static enum out_code payer(const struct kommuner *k, const struct residence_index *res,
			   const struct out_line *l, struct out_result *r)
{
	char p[5], d[DATE_BUFSZ];
	int ncover = 0;
	switch (residence_at(res, r->cpr, l->start, p, NULL, &ncover)) {
	case RES_UNKNOWN_CPR:
		return OUT_UKENDT_I_CPR;
	case RES_NONE:
	case RES_AMBIGUOUS:
		snprintf(r->note, sizeof(r->note), "%d bopæle ved kursusstart %s", ncover,
			 day_format(l->start, d));
		return OUT_BOPAEL_UKENDT;
	case RES_OK:
		break;
	}
	if (!kommune_find(k, p)) {
		snprintf(r->note, sizeof(r->note), "kommunekode %s er ikke i kommuner.conf", p);
		return OUT_BOPAEL_UKENDT;
	}
	set_key(r, p);
	return OUT_CHARGE;
}

void out_key_only(const struct kommuner *k, const struct residence_index *res,
		  const struct out_line *l, struct out_result *r)
{
	if (!r->cpr[0] || payer(k, res, l, r) != OUT_CHARGE)
		set_key(r, "UKENDT");
	r->note[0] = '\0';
}

void out_post(const struct refusion_conf *c, const struct kommuner *k,
	      const struct residence_index *res, const struct out_line *l, struct out_result *r)
{
	enum out_code code = payer(k, res, l, r);
	if (code != OUT_CHARGE) {
		r->code = code;
		set_key(r, "UKENDT");
		return;
	}
	if (!strcmp(r->key, c->own)) {
		r->code = OUT_EGEN_KOMMUNE;
		return;
	}
	if (refusion_is_agreement(c, r->key)) {
		r->code = OUT_AFTALEKOMMUNE;
		return;
	}
	if (c->deadline_years > 0 &&
	    l->filedate > (int32_t)(r->ta + c->deadline_years) * 10000 + 1231) {
		r->code = OUT_FOR_SENT;
		snprintf(r->note, sizeof(r->note), "frist %d-12-31", r->ta + c->deadline_years);
		return;
	}
	r->code = OUT_CHARGE;
}

void in_pre(const struct refusion_conf *c, const struct in_line *l, struct in_result *r)
{
	char bet[5], opk[5];
	enum refusion_form f;
	memset(r, 0, sizeof(*r));
	r->accepted = 0;
	r->disputed = l->beloeb;
	if (kommune_code_parse(l->betalende, l->bet_len, bet) || strcmp(bet, c->own)) {
		r->code = IN_FORKERT_MODTAGER;
		return;
	}
	if (!kommune_code_parse(l->opkraevende, l->opk_len, opk) &&
	    refusion_is_agreement(c, opk)) {
		r->code = IN_AFTALEKOMMUNE;
		return;
	}
	if (cell_cpr(l->cpr_raw, l->cpr_len, r->cpr)) {
		r->cpr[0] = '\0';
		r->code = IN_CPR_UGYLDIG;
		return;
	}
	f = refusion_form(c, l->form, l->form_len);
	if (f != FORM_UNKNOWN && c->not_chargeable[f]) {
		r->code = IN_FOREDRAG;
		return;
	}
	r->code = IN_ACCEPT;
	r->accepted = l->beloeb;
	r->disputed = 0;
}

int in_post(const struct refusion_conf *c, const struct residence_index *res,
	    const struct in_line *l, struct in_result *r)
{
	const struct residence_row *row = NULL;
	char p[5];
	enum refusion_form f = refusion_form(c, l->form, l->form_len);
	money_t rate, at_ours, at_theirs;

	char d[DATE_BUFSZ];
	int ncover = 0;
	enum residence_rc rc;

	r->accepted = 0;
	r->disputed = l->beloeb;
	rc = residence_at(res, r->cpr, l->start, p, &row, &ncover);
	day_format(l->start, d);
	if (rc != RES_OK || (strcmp(row->kommune, c->own) && strcmp(row->betaler, c->own))) {
		r->code = IN_IKKE_BOPAEL;
		if (rc == RES_UNKNOWN_CPR)
			snprintf(r->note, sizeof(r->note), "ikke i bopælsudtrækket");
		else if (rc != RES_OK)
			snprintf(r->note, sizeof(r->note), "%d bopæle den %s", ncover, d);
		else
			snprintf(r->note, sizeof(r->note), "bopæl %s den %s", row->kommune, d);
		return 0;
	}
	rate = f == FORM_UNKNOWN ? -1 : refusion_rate(c, l->periode / 10, f);
	if (rate < 0) {
		r->code = IN_TAKST_MANGLER;
		snprintf(r->note, sizeof(r->note), "ingen takst for %s %d",
			 f == FORM_UNKNOWN ? "formen" : refusion_form_name(f),
			 (int)(l->periode / 10));
		return 0;
	}
	r->code = IN_ACCEPT;
	r->accepted = l->beloeb;
	r->disputed = 0;
	if (l->beloeb <= 0)
		return 0;	/* a credit: accepted as charged */
	at_ours = refusion_value(l->timer, rate);
	at_theirs = refusion_value(l->timer, l->takst < 0 ? 0 : l->takst);
	if (at_ours < 0 || at_theirs < 0)
		return -1;
	if (l->takst > rate) {
		char a[MONEY_BUFSZ], b[MONEY_BUFSZ];
		r->code = IN_TAKST_AFVIGER;
		r->accepted = l->beloeb < at_ours ? l->beloeb : at_ours;
		snprintf(r->note, sizeof(r->note), "takst %s, årets takst %s",
			 money_format(l->takst, a), money_format(rate, b));
	} else if (l->beloeb > at_theirs) {
		char a[MONEY_BUFSZ];
		r->code = IN_BELOEB_AFVIGER;
		r->accepted = at_theirs;
		snprintf(r->note, sizeof(r->note), "timer gange takst er %s",
			 money_format(at_theirs, a));
	}
	r->disputed = l->beloeb - r->accepted;
	return 0;
}

int in_sum_check(money_t total, money_t sum, struct in_result *r)
{
	money_t d;
	char a[MONEY_BUFSZ];
	memset(r, 0, sizeof(*r));
	if (__builtin_sub_overflow(total, sum, &d))
		return -1;
	r->code = d ? IN_SUM_AFVIGER : IN_ACCEPT;
	r->disputed = d;
	if (d)
		snprintf(r->note, sizeof(r->note), "linjerne giver %s", money_format(sum, a));
	return 0;
}
