/* The opkraevning checks: see rules.h. Rule numbers are the brief's 3.1. */
#include "rules.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/ident.h"
#include "core/strbuf.h"
#include "core/banned.h"

#define SKOLEHJEM "SKOLEHJEM"	/* the class of both boarding fee types */

const char *const opk_extra_columns[OPK_NEXTRA] = {
	"rate", "difference", "gebyrtype", "opkr_nr", "debitortype", "class", "other_reasons",
};

/* Reason codes in precedence order: an exception's reason is its first. */
enum reason {
	R_CPR_UGYLDIG, R_HOLD, R_UDEN_CENTRAL, R_IKKE_PLACERET, R_KREDITNOTA_MANGLER, R_SLETTET,
	R_IKKE_SLETTET_FLYTNING, R_FLYTNING, R_UDEN_SKOLEHJEM, R_FORKERT_TYPE,
	R_FORSOERGER, R_UNDER_18, R_EFTER_SLUT, R_DOBBELT, R_FORFALD_MANGLER,
	R_DEBITORTYPE_MANGLER, R_DEBITOR_MANGLER, R_N_UDEN_NUMMER, R_KONTOSTRENG,
	R_IDENT_UGYLDIG, R_L_UDEN_LAERESTED, R_EAN, R_N_UKENDT, R_INAKTIV,
	R_UDEN_GEBYR, R_AFVIGELSE, R_DIFF_MANGLER, R_DIFF_UDEN_ARV, R_DIFF_UDEN_GRUNDLAG,
	R_BOOKINGDIFF, R_D438, R_KREDITNOTA_IKKE_BOGFOERT, R_IKKE_BOGFOERT,
	R_FORSKELLIGE_FORFALD, R_GRUPPE_UDEN_DEBITORTYPE, R_UFORKLARET, R_AUT_ARV,
	NREASONS
};

static const struct {
	const char *code, *text;
	int warning;
} reasons[NREASONS] = {
	/* seed l.656-658: a CPR "evt. ... kunstigt"; the line names no one */
	[R_CPR_UGYLDIG] = { "cpr-ugyldig", "CPR-nummeret er hverken et gyldigt CPR-nummer "
			    "eller et erstatningspersonnummer / the CPR is neither a valid CPR "
			    "number nor a substitute number", 0 },
	[R_HOLD] = { "skolehjemsgebyr-paa-hold", "skolehjemsgebyr på et hold, kun tilladt "
		     "på forløbsgruppe eller bookinggruppe / boarding fee on a hold, allowed "
		     "only on a course or booking group", 0 },
	[R_UDEN_CENTRAL] = { "uden-central-gebyrtype", "lokal gebyrtype uden central "
			     "gebyrtype / local fee type not tied to a central fee type", 0 },
	[R_IKKE_PLACERET] = { "elev-ikke-placeret", "gebyrlinje for en elev der ikke er "
			      "placeret på gruppen / fee line for a student not placed on "
			      "the group", 0 },
	[R_KREDITNOTA_MANGLER] = { "kreditnota-mangler", "placeringen er slettet efter "
				   "opkrævning, kreditnota mangler / placement deleted after "
				   "charging, credit note missing", 0 },
	[R_SLETTET] = { "placering-slettet", "placeringen er slettet, men det "
			"ikke-opkrævede gebyr står stadig / placement deleted but its "
			"uncharged fee remains", 0 },
	[R_IKKE_SLETTET_FLYTNING] = { "ikke-slettet-efter-flytning", "gebyr står stadig på "
				      "forløbet eleven er flyttet fra / fee left uncharged on "
				      "the course the student moved from", 0 },
	[R_FLYTNING] = { "flytning-uden-tilsvarende-gebyr", "flyttet opkrævning uden ens "
			 "gebyr (type, beløb, Ø-kontostreng) på det nye forløb / moved charge "
			 "without an equal fee on the new course", 0 },
	[R_UDEN_SKOLEHJEM] = { "arv-uden-skolehjem", "skolehjemsgebyr til elev uden 'J' til "
			       "skolehjem / boarding fee for a student without boarding", 0 },
	[R_FORKERT_TYPE] = { "forkert-skolehjemstype", "forkert skolehjemsgebyrtype for "
			     "skolehjemsårselev (J: berettiget, N: ikke berettiget) / wrong "
			     "boarding fee type for the student's entitlement", 0 },
	[R_FORSOERGER] = { "forsoerger-opkraevet", "forsørger berettiget til skolehjem skal "
			   "ikke betale / entitled student who supports children pays no "
			   "boarding fee", 0 },
	[R_UNDER_18] = { "under-18-opkraevet", "under 18 år ved begyndelsen af "
			 "forfaldsdatoens kvartal uden uddannelsesaftale der dækker "
			 "forfaldsdatoen / under 18 at the start of the due date's quarter "
			 "without an education agreement covering the due date", 0 },
	[R_EFTER_SLUT] = { "forfald-efter-slutdato", "forfaldsdato efter elevens eller "
			   "gruppens slutdato (Aut. arv. J) / due after the student's or the "
			   "group's end date (automatic inheritance)", 0 },
	[R_DOBBELT] = { "dobbelt-gebyr", "mere end ét gebyr for samme rate og gebyrtype / "
			"more than one fee for the same rate and fee type", 0 },
	[R_FORFALD_MANGLER] = { "forfaldsdato-mangler", "gebyret har ingen forfaldsdato og "
				"kan ikke opkræves / fee without a due date cannot be charged", 0 },
	[R_DEBITORTYPE_MANGLER] = { "debitortype-mangler", "debitortype mangler / debtor "
				    "type missing", 0 },
	[R_DEBITOR_MANGLER] = { "debitor-mangler", "debitor mangler / debtor missing", 0 },
	[R_N_UDEN_NUMMER] = { "n-debitor-uden-nummer", "debitortype N uden NS-debitornummer "
			      "/ debtor type N without an NS debtor number", 0 },
	[R_KONTOSTRENG] = { "kontostreng-mangler", "Ø-kontostreng mangler / account string "
			    "missing", 0 },
	[R_IDENT_UGYLDIG] = { "debitorident-ugyldig", "debitortype P uden gyldigt "
			      "CPR-nummer som ident / debtor type P without a valid CPR "
			      "number as ident", 0 },
	[R_L_UDEN_LAERESTED] = { "l-uden-laerested", "debitortype L, men eleven har intet "
				 "lærested (brug P) / debtor type L but the student has no "
				 "workplace (use P)", 0 },
	[R_EAN] = { "ean-mangler", "debitortype E uden gyldigt EAN-nummer / debtor type E "
		    "without a valid EAN number", 0 },
	[R_N_UKENDT] = { "n-debitor-ukendt", "NS-debitornummeret findes ikke i Navision "
			 "Stat / NS debtor number unknown in Navision Stat", 0 },
	[R_INAKTIV] = { "debitor-inaktiv", "NS-debitoren er inaktiv på forfaldsdatoen / NS "
			"debtor inactive on the due date", 0 },
	[R_UDEN_GEBYR] = { "elev-uden-gebyr", "eleven mangler gruppens gebyr / student "
			   "lacks the group's fee", 0 },
	[R_AFVIGELSE] = { "gebyrafvigelse", "gebyret afviger fra gruppens (Skal arve J) / "
			  "fee deviates from the group's (inherits)", 0 },
	[R_DIFF_MANGLER] = { "difference-mangler", "differencelinje mangler eller har "
			     "forkert beløb efter ændring af gruppens gebyr / difference line "
			     "missing or wrong after the group fee changed", 0 },
	[R_DIFF_UDEN_ARV] = { "difference-uden-arv", "differencelinje hos elev med Skal "
			      "arve N / difference line for a student who does not "
			      "inherit", 0 },
	[R_DIFF_UDEN_GRUNDLAG] = { "difference-uden-grundlag", "differencelinje uden "
				   "opkrævet gebyr at regulere / difference line without a "
				   "charged fee to adjust", 0 },
	[R_BOOKINGDIFF] = { "bookingdifference-mangler", "beløb ændret efter opkrævning "
			    "uden ny bookingopkrævning for differencen / amount changed "
			    "after charging without a booking charge for the difference", 0 },
	[R_D438] = { "individuelt-i-d438", "individuelt gebyr opkrævet af D438, kun D638 må "
		     "opkræve det / individual fee charged by D438, only D638 may charge "
		     "it", 0 },
	[R_KREDITNOTA_IKKE_BOGFOERT] = { "kreditnota-ikke-bogfoert", "kreditnotaen er ikke "
					 "bogført i Navision Stat / credit note not booked "
					 "in Navision Stat", 0 },
	[R_IKKE_BOGFOERT] = { "ikke-bogfoert-i-ns", "opkrævningen er ikke bogført i "
			      "Navision Stat / charge not booked in Navision Stat", 0 },
	[R_FORSKELLIGE_FORFALD] = { "rate-forskellige-forfald", "gebyrerne i samme rate har "
				    "forskellige forfaldsdatoer / fees of one rate have "
				    "different due dates", 0 },
	[R_GRUPPE_UDEN_DEBITORTYPE] = { "gruppegebyr-uden-debitortype", "gruppens gebyr har "
					"ingen debitortype, systemet ved ikke hvem der skal "
					"betale / group fee without a debtor type", 0 },
	[R_UFORKLARET] = { "uforklaret", "forskel som ingen regel forklarer / difference no "
			   "rule explains", 0 },
	[R_AUT_ARV] = { "aut-arv-uden-skal-arve", "advarsel: Aut. arv. J med Skal arve N, "
			"anbefalet er J / warning: automatic inheritance J with inherits N", 1 },
};

typedef uint64_t reasons_t;	/* a set of enum reason */
#define BIT(r) ((reasons_t)1 << (r))
static const reasons_t WARNINGS = BIT(R_AUT_ARV);

/* Why a group-based slot is not to be charged (the brief's rules 4-6, 9, 15, 18). */
enum ent { ENT_NONE, ENT_MOVED, ENT_NOTPLACED, ENT_DELETED, ENT_ENDDATE, ENT_NOBOARDING,
	   ENT_PROVIDER, ENT_UNDER18 };

static const enum reason ent_reason[] = {
	[ENT_MOVED] = R_IKKE_SLETTET_FLYTNING, [ENT_NOTPLACED] = R_IKKE_PLACERET,
	[ENT_ENDDATE] = R_EFTER_SLUT, [ENT_NOBOARDING] = R_UDEN_SKOLEHJEM,
	[ENT_PROVIDER] = R_FORSOERGER, [ENT_UNDER18] = R_UNDER_18,
};

/* A slot's mode, set by its first live base line (rule 8). */
enum mode { MODE_NONE, MODE_N, MODE_J_CHARGED, MODE_J_OPEN };

/* One row of the summary under construction, and what falls in it. */
struct cell {
	int32_t month;
	const char *gruppe;
	money_t left, right;
	int breaks, warnings;
};

struct check {
	const struct opk_conf *c;
	const struct opk_school *s;
	struct recon_out *out;
	int32_t night, from, to;
	size_t *fee_by_group;	/* fee indexes by group, file order within */
	size_t *facts;		/* students by (cpr, group), file order within */
	size_t *moved;		/* students with Flyttet_fra, by (cpr, Flyttet_fra) */
	size_t nmoved;
	size_t *debtors;	/* by NS number */
	size_t *charges;	/* by Opkr_nr */
	const char **unit;	/* each line's unit: its own, its group's, FORLOEBSGRUPPE */
	struct cell *cells;
	size_t ncell, acell;
	/* this school's exceptions, for group_finding's "one finding" and
	 * the sum rule (the writer streams them: out holds none) */
	struct tally {
		int32_t month;
		const char *key, *code;	/* key: the school's text; code: static */
		int group;		/* a group finding (no CPR) */
		char ref[sizeof(((struct exception_row *)0)->ref)];
		money_t amount;
	} *tally;
	size_t ntally, atally;
	char broken[256];	/* "" or the first summary row breaking the sum rule */
	int overflow;
	const char *why;
};

/* qsort has no context: the one check running (the stage is single-threaded). */
static const struct check *sorting;

/* --- small helpers --- */

static int is_j(int flag)
{
	return flag != 0;
}

static int boarding(const struct check *x, const char *central)
{
	return !strcmp(central, x->c->berettiget) || !strcmp(central, x->c->ikke_berettiget);
}

static const char *klass(const struct check *x, const char *central, const char *gebyrtype)
{
	return boarding(x, central) ? SKOLEHJEM : gebyrtype;
}

static int line_only(const char *unit)
{
	return !strcmp(unit, "HOLD") || !strcmp(unit, "KURSIST") || !strcmp(unit, "GAEST");
}

static int in_window(const struct check *x, int32_t d)
{
	return d >= x->from && d <= x->to;
}

static int charged(const struct opk_line *l)
{
	return l->status != OPK_IKKE_OPKRAEVET;
}

static money_t add(struct check *x, money_t a, money_t b)
{
	money_t r;
	if (__builtin_add_overflow(a, b, &r)) {
		x->overflow = 1;
		return 0;
	}
	return r;
}

static money_t sub(struct check *x, money_t a, money_t b)
{
	money_t r;
	if (__builtin_sub_overflow(a, b, &r)) {
		x->overflow = 1;
		return 0;
	}
	return r;
}

void opk_window(const struct opk_conf *c, int32_t night, int32_t *from, int32_t *to)
{
	*from = month_add(night / 100, -c->months_back) * 100 + 1;
	*to = day_add_days(night, c->lookahead_days);
}

/* --- indexes --- */

static int cmp_fee_group(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(sorting->s->fee[i].gruppe, sorting->s->fee[j].gruppe);
	return c ? c : (i > j) - (i < j);
}

static int cmp_facts(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct opk_student *p = &sorting->s->student[i], *q = &sorting->s->student[j];
	int c = strcmp(p->cpr, q->cpr);
	if (!c)
		c = strcmp(p->gruppe, q->gruppe);
	return c ? c : (i > j) - (i < j);
}

static int cmp_moved(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct opk_student *p = &sorting->s->student[i], *q = &sorting->s->student[j];
	int c = strcmp(p->cpr, q->cpr);
	if (!c)
		c = strcmp(p->moved_from, q->moved_from);
	return c ? c : (i > j) - (i < j);
}

static int cmp_debtor(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(sorting->s->debtor[i].ns_debtor, sorting->s->debtor[j].ns_debtor);
	return c ? c : (i > j) - (i < j);
}

static int cmp_charge(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(sorting->s->charge[i].opkr_nr, sorting->s->charge[j].opkr_nr);
	return c ? c : (i > j) - (i < j);
}

static size_t *sorted_index(size_t n, int (*cmp)(const void *, const void *))
{
	size_t *v = xmalloc((n ? n : 1) * sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = i;
	if (n)
		qsort(v, n, sizeof(*v), cmp);
	return v;
}

/* [lo, hi) of idx whose key(i) equals want (idx sorted by key). */
typedef int (*keycmp)(const struct check *x, size_t i, const void *want);

static void range(const struct check *x, const size_t *idx, size_t n, keycmp cmp,
		  const void *want, size_t *lo, size_t *hi)
{
	size_t a = 0, b = n;
	while (a < b) {
		size_t m = a + (b - a) / 2;
		if (cmp(x, idx[m], want) < 0)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	b = n;
	while (a < b) {
		size_t m = a + (b - a) / 2;
		if (cmp(x, idx[m], want) <= 0)
			a = m + 1;
		else
			b = m;
	}
	*hi = a;
}

static int key_fee_group(const struct check *x, size_t i, const void *want)
{
	return strcmp(x->s->fee[i].gruppe, want);
}

struct pair {
	const char *a, *b;
};

static int key_facts(const struct check *x, size_t i, const void *want)
{
	const struct pair *p = want;
	int c = strcmp(x->s->student[i].cpr, p->a);
	return c ? c : strcmp(x->s->student[i].gruppe, p->b);
}

static int key_moved(const struct check *x, size_t i, const void *want)
{
	const struct pair *p = want;
	int c = strcmp(x->s->student[i].cpr, p->a);
	return c ? c : strcmp(x->s->student[i].moved_from, p->b);
}

static int key_debtor(const struct check *x, size_t i, const void *want)
{
	return strcmp(x->s->debtor[i].ns_debtor, want);
}

static int key_charge(const struct check *x, size_t i, const void *want)
{
	return strcmp(x->s->charge[i].opkr_nr, want);
}

static void group_fees(const struct check *x, const char *g, size_t *lo, size_t *hi)
{
	range(x, x->fee_by_group, x->s->nfee, key_fee_group, g, lo, hi);
}

/* The student's placement on group g: the last row of the file (as a later
 * row replaces an earlier one), or NULL. */
static const struct opk_student *facts_of(const struct check *x, const char *cpr,
					  const char *g)
{
	struct pair p = { cpr, g };
	size_t lo, hi;
	range(x, x->facts, x->s->nstudent, key_facts, &p, &lo, &hi);
	return lo < hi ? &x->s->student[x->facts[hi - 1]] : NULL;
}

/* The placement of a student who moved away from group g (rule 18), or NULL. */
static const struct opk_student *moved_from(const struct check *x, const char *cpr,
					    const char *g)
{
	struct pair p = { cpr, g };
	size_t lo, hi;
	range(x, x->moved, x->nmoved, key_moved, &p, &lo, &hi);
	return lo < hi ? &x->s->student[x->moved[hi - 1]] : NULL;
}

static const struct opk_debtor *debtor_of(const struct check *x, const char *nr)
{
	size_t lo, hi;
	range(x, x->debtors, x->s->ndebtor, key_debtor, nr, &lo, &hi);
	return lo < hi ? &x->s->debtor[x->debtors[hi - 1]] : NULL;
}

/* Whether NS has a document (credit note or invoice) for a charge number,
 * and whether one such is booked. */
static void ns_doc(const struct check *x, const char *opkr, int credit, int *found,
		   int *booked)
{
	size_t lo, hi;
	*found = *booked = 0;
	range(x, x->charges, x->s->ncharge, key_charge, opkr, &lo, &hi);
	for (size_t i = lo; i < hi; i++) {
		const struct opk_charge *d = &x->s->charge[x->charges[i]];
		if (is_j(d->credit_note) != credit)
			continue;
		*found = 1;
		*booked |= is_j(d->booked);
	}
}

/* The group's unit (Enhedstype): the first fee row's that has one, or "". */
static const char *group_unit(const struct check *x, const char *g)
{
	size_t lo, hi;
	group_fees(x, g, &lo, &hi);
	for (size_t i = lo; i < hi; i++)
		if (*x->s->fee[x->fee_by_group[i]].unit)
			return x->s->fee[x->fee_by_group[i]].unit;
	return "";
}

/* The group's end date (Gruppe_slut): the first fee row's that has one, or 0. */
static int32_t group_end(const struct check *x, const char *g)
{
	size_t lo, hi;
	group_fees(x, g, &lo, &hi);
	for (size_t i = lo; i < hi; i++)
		if (x->s->fee[x->fee_by_group[i]].group_end)
			return x->s->fee[x->fee_by_group[i]].group_end;
	return 0;
}

/*
 * The group's fee of a rate and class: for a class that is a local fee
 * type, the first row of that type with a central type that is not a
 * boarding one; for SKOLEHJEM the first row of the given central type.
 */
static const struct opk_fee *fee_for(const struct check *x, const char *g, int64_t rate,
				     const char *k, const char *central)
{
	size_t lo, hi;
	group_fees(x, g, &lo, &hi);
	for (size_t i = lo; i < hi; i++) {
		const struct opk_fee *f = &x->s->fee[x->fee_by_group[i]];
		if (f->rate != rate || !*f->central)
			continue;
		if (!strcmp(k, SKOLEHJEM) ? !strcmp(f->central, central) :
		    !strcmp(f->gebyrtype, k) && !boarding(x, f->central))
			return f;
	}
	return NULL;
}

/* The due date of the next rate of the class after rate (a difference is
 * charged "sammen med rate 2", seed l.335-338), or 0. */
static int32_t next_rate_due(const struct check *x, const char *g, int64_t rate,
			     const char *k)
{
	size_t lo, hi;
	int64_t best_rate = 0;
	int32_t best = 0;
	group_fees(x, g, &lo, &hi);
	for (size_t i = lo; i < hi; i++) {
		const struct opk_fee *f = &x->s->fee[x->fee_by_group[i]];
		if (f->rate <= rate || !f->due || !*f->central ||
		    strcmp(klass(x, f->central, f->gebyrtype), k))
			continue;
		if (!best || f->rate < best_rate || (f->rate == best_rate && f->due < best)) {
			best_rate = f->rate;
			best = f->due;
		}
	}
	return best;
}

/* --- the rules on one line --- */

/* Credited: KREDITERET, or charged with a credit note in NS for its number. */
static int credited(const struct check *x, const struct opk_line *l)
{
	int found, booked;
	if (l->status == OPK_KREDITERET)
		return 1;
	if (l->status != OPK_OPKRAEVET || !*l->opkr_nr || !x->s->has_charges)
		return 0;
	ns_doc(x, l->opkr_nr, 1, &found, &booked);
	return found;
}

/* What the line is worth: the charged amount once charged, else Beloeb. */
static money_t amt(const struct opk_line *l)
{
	return charged(l) ? l->charged : l->amount;
}

/* Rules 10-12 on a line not charged yet: why a charge job would reject it. */
static reasons_t data_reasons(const struct check *x, const struct opk_line *l,
			      const struct opk_student *facts, int32_t date)
{
	reasons_t r = 0;
	const char *t = l->debtortype;
	char cpr[CPR_LEN + 1], ean[EAN_LEN + 1];
	const char *why;
	int mod11;
	if (!l->due)
		r |= BIT(R_FORFALD_MANGLER);
	if (!*t) {
		r |= BIT(R_DEBITORTYPE_MANGLER);
		if (!*l->ident && !*l->ns_debtor)
			r |= BIT(R_DEBITOR_MANGLER);
	} else if (strcmp(t, "N") && !*l->ident) {
		r |= BIT(R_DEBITOR_MANGLER);
	} else if (!strcmp(t, "N") && !*l->ns_debtor) {
		/* for N the ident is the NS number (seed l.714-717) */
		r |= BIT(R_N_UDEN_NUMMER);
	}
	if (!*l->account)
		r |= BIT(R_KONTOSTRENG);
	if (!strcmp(t, "P") && *l->ident &&
	    cpr_parse(l->ident, strlen(l->ident), 0, cpr, &mod11, &why))
		r |= BIT(R_IDENT_UGYLDIG);
	if (!strcmp(t, "L") && facts && !*facts->laerested)
		r |= BIT(R_L_UDEN_LAERESTED);
	if (!strcmp(t, "E") && ean_parse(l->ean, strlen(l->ean), ean, &why))
		r |= BIT(R_EAN);
	if (!strcmp(t, "N") && *l->ns_debtor && x->s->has_debtors) {
		const struct opk_debtor *d = debtor_of(x, l->ns_debtor);
		if (!d)
			r |= BIT(R_N_UKENDT);
		else if (d->inactive_from && d->inactive_from <= (l->due ? l->due : date))
			r |= BIT(R_INAKTIV);
	}
	return r;
}

/* C of a line: what can be charged (rules 10-12 stop an uncharged line). */
static money_t chargeable(const struct check *x, const struct opk_line *l,
			  const struct opk_student *facts, int32_t date)
{
	if (!charged(l))
		return data_reasons(x, l, facts, date) ? 0 : l->amount;
	return credited(x, l) ? 0 : l->charged;
}

/* The reasons a line has whatever is expected of it. */
static reasons_t line_reasons(const struct check *x, size_t li,
			      const struct opk_student *facts, int32_t date, int from_fee)
{
	const struct opk_line *l = &x->s->line[li];
	reasons_t r = 0;
	if (*l->cpr_raw)
		r |= BIT(R_CPR_UGYLDIG);
	if (!*l->central)
		r |= BIT(R_UDEN_CENTRAL);
	if (!strcmp(x->unit[li], "HOLD") && boarding(x, l->central))
		r |= BIT(R_HOLD);
	if (!charged(l))
		r |= data_reasons(x, l, facts, date);
	if (charged(l) && !strcmp(l->central, x->c->individuelt) &&
	    !strcmp(l->job, x->c->job_elevbetalinger))
		r |= BIT(R_D438);
	if (charged(l) && x->s->has_charges) {
		int found, booked;
		int64_t age = day_number(x->night) - day_number(l->charged_day ? l->charged_day
								 : date);
		if (credited(x, l)) {
			ns_doc(x, l->opkr_nr, 1, &found, &booked);
			if (!booked)
				r |= BIT(R_KREDITNOTA_IKKE_BOGFOERT);
		} else if (age > x->c->ns_booking_days) {
			booked = 0;
			if (*l->opkr_nr)
				ns_doc(x, l->opkr_nr, 0, &found, &booked);
			if (!booked)
				r |= BIT(R_IKKE_BOGFOERT);
		}
	}
	if (l->aut_arv && !l->skal_arve)
		r |= BIT(R_AUT_ARV);
	if (from_fee && l->due && !l->diff && l->due != date)
		r |= BIT(R_FORSKELLIGE_FORFALD);
	return r;
}

/* Rules 4-6, 9, 15, 18 for a slot of a group-based unit due d. */
static enum ent entitlement(const struct check *x, const char *g, const char *cpr,
			    const char *k, int32_t d, const char *unit,
			    const struct opk_student *f)
{
	int32_t gend = group_end(x, g);
	if (moved_from(x, cpr, g))
		return ENT_MOVED;
	if (!f)
		return ENT_NOTPLACED;
	if (f->deleted)
		return ENT_DELETED;
	/* rule 15; a booking group's booking period never counts (allowed, 16b) */
	if ((gend && d > gend) || (strcmp(unit, "BOOKINGGRUPPE") && f->end && d > f->end))
		return ENT_ENDDATE;
	if (strcmp(k, SKOLEHJEM))
		return ENT_NONE;
	if (!f->boarding)
		return ENT_NOBOARDING;
	if (f->aarselev) {	/* rules 5 and 6 exempt the entitled only */
		if (f->provider)
			return ENT_PROVIDER;
		if (age_at_quarter_start(f->birth, d) < x->c->adult_age &&
		    !(f->agreement_from && period_covers(f->agreement_from, f->agreement_to, d,
							 PERIOD_TO_INCLUSIVE)))
			return ENT_UNDER18;
	}
	return ENT_NONE;
}

/* --- output --- */

/* One exception of the school, as recon_exception() gets it (ref cut as
 * the row keeps it). */
static void tally_add(struct check *x, int32_t month, const char *key, const char *code,
		      int group, const char *ref, money_t amount)
{
	struct tally *t;
	x->tally = xgrow(x->tally, &x->atally, x->ntally + 1, sizeof(*t));
	t = &x->tally[x->ntally++];
	t->month = month;
	t->key = key;
	t->code = code;
	t->group = group;
	xstrlcpy(t->ref, ref, sizeof(t->ref));
	t->amount = amount;
}

static struct cell *cell_add(struct check *x, int32_t month, const char *g)
{
	struct cell *c;
	x->cells = xgrow(x->cells, &x->acell, x->ncell + 1, sizeof(*c));
	c = &x->cells[x->ncell++];
	memset(c, 0, sizeof(*c));
	c->month = month;
	c->gruppe = g;
	return c;
}

static void extras(struct exception_row *e, const char *rate, int diff, const char *gebyrtype,
		   const char *opkr, const char *dtype, int warning, const char *other)
{
	recon_extra(e, 0, rate);
	recon_extra(e, 1, diff ? "J" : "N");
	recon_extra(e, 2, gebyrtype);
	recon_extra(e, 3, opkr);
	recon_extra(e, 4, dtype);
	recon_extra(e, 5, warning ? "warning" : "break");
	recon_extra(e, 6, other);
}

/* Every code of r after the first, comma-separated. */
static void other_codes(reasons_t r, enum reason first, struct strbuf *out)
{
	for (int i = 0; i < NREASONS; i++)
		if ((r & BIT(i)) && i != (int)first) {
			if (out->len)
				strbuf_addch(out, ',');
			strbuf_addstr(out, reasons[i].code);
		}
}

struct slot_out {
	const char *g, *cpr, *raw, *k;
	int64_t rate;
	int diff;
	int32_t date;
	money_t C, E;
	reasons_t r;
	const size_t *lines;	/* the lines shown: the difference lines, else the base lines */
	size_t nlines;
	const struct opk_fee *gx;
};

/*
 * The CPR cell of a cpr-ugyldig line as the note shows it: CPR-shaped (10
 * digits among '-' and spaces only) masked DDMMYY-xxxx, as everywhere a
 * CPR is shown (the report prints the note), else the cell as written.
 */
static const char *raw_shown(const char *raw, char *buf, size_t size)
{
	char d[CPR_LEN];
	size_t n = 0;
	const char *p;
	for (p = raw; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n == CPR_LEN)
				return raw;
			d[n++] = *p;
		} else if (*p != '-' && *p != ' ') {
			return raw;
		}
	}
	if (n != CPR_LEN)
		return raw;
	snprintf(buf, size, "%.6s-xxxx", d);
	return buf;
}

/* A slot in the window counts in its month; with a reason or C != E it is
 * one exception of C - E. */
static void emit(struct check *x, const struct slot_out *o)
{
	struct cell *cell;
	struct exception_row *e;
	struct strbuf note = STRBUF_INIT, other = STRBUF_INIT;
	char day[DATE_BUFSZ], ratebuf[24], ref[96], shown[CPR_MASKSZ];
	const struct opk_line *first = o->nlines ? &x->s->line[o->lines[0]] : NULL;
	const char *opkr = "";
	reasons_t r = o->r;
	money_t amount;
	enum reason code = R_UFORKLARET;
	if (!in_window(x, o->date))
		return;
	cell = cell_add(x, o->date / 100, o->g);
	cell->left = o->C;
	cell->right = o->E;
	amount = sub(x, o->C, o->E);
	if (!r && !amount)
		return;
	/* a difference no break names is 'uforklaret': the sum stays exact */
	if (amount && !(r & ~WARNINGS))
		r |= BIT(R_UFORKLARET);
	for (int i = 0; i < NREASONS; i++)
		if (r & BIT(i)) {
			code = (enum reason)i;
			break;
		}
	for (size_t i = 0; i < o->nlines; i++)
		if (*x->s->line[o->lines[i]].opkr_nr) {
			opkr = x->s->line[o->lines[i]].opkr_nr;
			break;
		}
	snprintf(ratebuf, sizeof(ratebuf), "%lld", (long long)o->rate);
	strbuf_addf(&note, "rate %s%s, forfald %s", ratebuf, o->diff ? ", difference" : "",
		    day_format(o->date, day));
	if (*opkr)
		strbuf_addf(&note, ", opkr.nr. %s", opkr);
	if (*o->raw)	/* how the clerk finds the line; never logged */
		strbuf_addf(&note, ", CPR i filen: %s", raw_shown(o->raw, shown, sizeof(shown)));
	snprintf(ref, sizeof(ref), "%s/%s%s%s%s", ratebuf, o->k, o->diff ? "/D" : "",
		 *o->raw ? "/" : "", o->raw);
	tally_add(x, o->date / 100, o->g, reasons[code].code, 0, ref, amount);
	e = recon_exception(x->out, x->s->se, o->date / 100, o->g, o->cpr, amount,
			    reasons[code].code, reasons[code].text);
	e->left = o->C;
	e->right = o->E;
	e->has_sides = 1;
	xstrlcpy(e->ref, ref, sizeof(e->ref));
	recon_note(e, "%s", note.buf);
	other_codes(r, code, &other);
	extras(e, ratebuf, o->diff, first ? first->gebyrtype : o->gx ? o->gx->gebyrtype : "",
	       opkr, first ? first->debtortype : o->gx ? o->gx->debtortype : "",
	       reasons[code].warning, strbuf_str(&other));
	cell->breaks += !reasons[code].warning;
	cell->warnings += reasons[code].warning;
	strbuf_release(&note);
	strbuf_release(&other);
}

/* A finding on a group's fee row or rate (0,00, no student). */
static void group_finding(struct check *x, const char *g, int32_t due, enum reason code,
			  const struct opk_fee *f, int64_t rate)
{
	struct exception_row *e;
	struct cell *cell;
	char day[DATE_BUFSZ], ratebuf[24], ref[96];
	snprintf(ratebuf, sizeof(ratebuf), "%lld", (long long)rate);
	if (f)
		snprintf(ref, sizeof(ref), "%s/%s", ratebuf, f->gebyrtype);
	else
		xstrlcpy(ref, ratebuf, sizeof(ref));
	/* two equal fee rows are one finding (an id is unique in a night);
	 * a school's exceptions have its SE, and its group findings come
	 * before its other exceptions */
	for (size_t i = 0; i < x->ntally; i++) {
		const struct tally *o = &x->tally[i];
		if (o->group && o->month == due / 100 && o->code == reasons[code].code &&
		    !strcmp(o->ref, ref) && !strcmp(o->key, g))
			return;
	}
	tally_add(x, due / 100, g, reasons[code].code, 1, ref, 0);
	e = recon_exception(x->out, x->s->se, due / 100, g, NULL, 0, reasons[code].code,
			    reasons[code].text);
	xstrlcpy(e->ref, ref, sizeof(e->ref));
	if (f)
		recon_note(e, "rate %s, gebyrtype %s, forfald %s", ratebuf, f->gebyrtype,
			   day_format(due, day));
	else
		recon_note(e, "rate %s, forfald %s", ratebuf, day_format(due, day));
	extras(e, ratebuf, 0, f ? f->gebyrtype : "", "", f ? f->debtortype : "", 0, "");
	cell = cell_add(x, due / 100, g);
	cell->breaks = 1;
}

/* --- the checks --- */

/* Rules 1, 3, 17 on the group fee rows due in the window. */
static void group_findings(struct check *x)
{
	const struct opk_school *s = x->s;
	for (size_t i = 0; i < s->nfee; i++) {
		const struct opk_fee *f = &s->fee[x->fee_by_group[i]];
		const char *unit = *f->unit ? f->unit : "FORLOEBSGRUPPE";
		if (!f->due || !in_window(x, f->due))
			continue;
		if (!*f->central)
			group_finding(x, f->gruppe, f->due, R_UDEN_CENTRAL, f, f->rate);
		if (!strcmp(unit, "HOLD") && boarding(x, f->central))
			group_finding(x, f->gruppe, f->due, R_HOLD, f, f->rate);
		if (!*f->debtortype)
			group_finding(x, f->gruppe, f->due, R_GRUPPE_UDEN_DEBITORTYPE, f, f->rate);
	}
	/* rule 17: a rate is "en samling af gebyrer som har samme forfaldsdato" */
	for (size_t i = 0; i < s->nfee; i++) {
		const struct opk_fee *f = &s->fee[x->fee_by_group[i]];
		int32_t earliest = 0, other = 0;
		int first = 1;
		size_t lo, hi;
		if (!f->due)
			continue;
		/* the group's fee rows: a range of fee_by_group (i is in it) */
		group_fees(x, f->gruppe, &lo, &hi);
		for (size_t j = lo; j < hi; j++) {
			const struct opk_fee *h = &s->fee[x->fee_by_group[j]];
			if (!h->due || h->rate != f->rate)
				continue;
			if (j < i)
				first = 0;	/* the rate was judged at its first row */
			if (!earliest || h->due < earliest)
				earliest = h->due;
			if (h->due != f->due)
				other = h->due;
		}
		if (first && other && in_window(x, earliest))
			group_finding(x, f->gruppe, earliest, R_FORSKELLIGE_FORFALD, NULL, f->rate);
	}
}

/* Base lines in judging order: charged first, then by Opkr_nr, then file order. */
static int before(const struct check *x, size_t a, size_t b)
{
	const struct opk_line *p = &x->s->line[a], *q = &x->s->line[b];
	int c;
	if (charged(p) != charged(q))
		return charged(p);
	c = strcmp(p->opkr_nr, q->opkr_nr);
	return c ? c < 0 : a < b;
}

static void sort_base(const struct check *x, size_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && before(x, v[j], v[j - 1]); j--) {
			size_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

/* A charge moved in from another group with no equal fee here (rule 18). */
static int moved_in_unmatched(const struct check *x, const struct opk_line *l, const char *g)
{
	size_t lo, hi;
	group_fees(x, g, &lo, &hi);
	for (size_t i = lo; i < hi; i++) {
		const struct opk_fee *f = &x->s->fee[x->fee_by_group[i]];
		if (!strcmp(f->gebyrtype, l->gebyrtype) && f->amount == l->charged &&
		    !strcmp(f->account, l->account))
			return 0;
	}
	return 1;
}

/*
 * One slot: the lines lines[0..n) of student cpr on group g, rate and
 * class k (base and difference lines; n may be 0: a fee only expected).
 */
static void do_slot(struct check *x, const char *g, const char *cpr, const char *raw,
		    int64_t rate, const char *k, const size_t *lines, size_t n)
{
	const struct opk_school *s = x->s;
	size_t *B = xmalloc((n ? n : 1) * sizeof(*B)), *D = xmalloc((n ? n : 1) * sizeof(*D));
	size_t nb = 0, nd = 0, nlive = 0;
	const struct opk_student *facts = facts_of(x, cpr, g);
	const struct opk_fee *gx = NULL, *gx0 = NULL;
	const struct opk_line *l0 = NULL;
	const char *unit, *T = NULL;
	int lonly, from_fee = 0;
	int32_t bdate = 0, ddate = 0;
	enum ent ent = ENT_NONE;
	enum mode mode = MODE_NONE;
	int64_t arv = facts && facts->inherit_from ? facts->inherit_from : 1;
	money_t C = 0, E = 0, exp_d = 0;
	reasons_t r = 0;
	struct slot_out o;

	for (size_t i = 0; i < n; i++) {
		if (s->line[lines[i]].diff)
			D[nd++] = lines[i];
		else
			B[nb++] = lines[i];
	}
	sort_base(x, B, nb);
	unit = nb ? x->unit[B[0]] : nd ? x->unit[D[0]] : *group_unit(x, g) ?
	       group_unit(x, g) : "FORLOEBSGRUPPE";
	lonly = line_only(unit);
	if (facts && !strcmp(k, SKOLEHJEM))	/* rule 7: the type the student must have */
		T = facts->aarselev ? x->c->berettiget : x->c->ikke_berettiget;
	if (!lonly) {
		gx = fee_for(x, g, rate, k, T ? T : nb ? s->line[B[0]].central : x->c->berettiget);
		gx0 = gx ? gx : nb ? fee_for(x, g, rate, k, s->line[B[0]].central) : NULL;
	}
	/* the slot's date: the group rate's, else a line's, the placement's, the night */
	if (gx0 && gx0->due) {
		bdate = gx0->due;
		from_fee = 1;
	} else {
		for (size_t i = 0; i < n && !bdate; i++)	/* lines[] is in file order */
			if (!s->line[lines[i]].diff && s->line[lines[i]].due)
				bdate = s->line[lines[i]].due;
		if (!bdate)
			bdate = facts && facts->start ? facts->start : x->night;
	}
	if (!lonly)
		ent = entitlement(x, g, cpr, k, bdate, unit, facts);

	/* BASE: each line's expected amount and reason, the first that applies */
	{
		size_t *live = xmalloc((nb ? nb : 1) * sizeof(*live));
		for (size_t i = 0; i < nb; i++) {
			const struct opk_line *l = &s->line[B[i]];
			money_t c = chargeable(x, l, facts, bdate), e = 0;
			int why = -1;
			C = add(x, C, c);
			r |= line_reasons(x, B[i], facts, bdate, from_fee);
			if (*l->cpr_raw) {
				e = 0;	/* names no one: nobody is to be charged */
			} else if (!*l->central) {
				e = c;	/* cannot be judged: amount-neutral, flagged */
			} else if (lonly) {
				if ((!strcmp(unit, "HOLD") && boarding(x, l->central)) ||
				    credited(x, l))
					e = 0;
				else if (charged(l)) {
					e = amt(l);
					live[nlive++] = B[i];
				} else {
					e = c;
				}
			} else if (credited(x, l)) {
				e = 0;
			} else if (ent == ENT_MOVED) {
				const struct opk_student *mv = moved_from(x, cpr, g);
				if (!charged(l) || (l->charged_day && mv->moved_day &&
						    l->charged_day > mv->moved_day))
					why = R_IKKE_SLETTET_FLYTNING;
				else
					e = c;	/* charged before the move: it stands */
			} else if (ent == ENT_NOTPLACED) {
				why = R_IKKE_PLACERET;
			} else if (ent == ENT_DELETED) {
				why = charged(l) ? R_KREDITNOTA_MANGLER : R_SLETTET;
			} else {
				int moved_in = charged(l) && *l->origin && strcmp(l->origin, g);
				if (moved_in && moved_in_unmatched(x, l, g))
					why = R_FLYTNING;
				else if (ent == ENT_ENDDATE) {
					if (l->aut_arv)
						why = R_EFTER_SLUT;
					else
						e = amt(l);	/* a manual fee is kept */
				} else if (ent == ENT_NOBOARDING) {
					why = R_UDEN_SKOLEHJEM;
				} else if (!strcmp(k, SKOLEHJEM) && T && strcmp(l->central, T)) {
					why = R_FORKERT_TYPE;
				} else if (ent == ENT_PROVIDER || ent == ENT_UNDER18) {
					why = ent_reason[ent];
				} else if (rate < arv && !moved_in) {
					if (!l->skal_arve)
						e = amt(l);
					else
						why = R_AFVIGELSE;
				} else {
					live[nlive++] = B[i];
				}
			}
			if (why >= 0)
				r |= BIT(why);
			E = add(x, E, e);
		}
		if (!lonly) {
			/* rule 8: the first live line sets the mode, further ones are too many */
			for (size_t i = 0; i < nlive; i++) {
				const struct opk_line *l = &s->line[live[i]];
				if (i > 0) {
					r |= BIT(R_DOBBELT);
					continue;
				}
				l0 = l;
				if (!l->skal_arve) {
					E = add(x, E, amt(l));
					mode = MODE_N;
				} else if (charged(l)) {
					E = add(x, E, l->charged);
					mode = MODE_J_CHARGED;
				} else {
					E = add(x, E, gx ? gx->amount : l->amount);
					mode = MODE_J_OPEN;
					if (gx && l->amount != gx->amount)
						r |= BIT(R_AFVIGELSE);
				}
			}
			if (!nlive && ent == ENT_NONE && rate >= arv && gx) {
				E = add(x, E, gx->amount);
				r |= BIT(R_UDEN_GEBYR);
			}
		} else {
			l0 = nlive ? &s->line[live[0]] : NULL;
		}
		free(live);
	}
	if (nb || C || E) {
		o = (struct slot_out){ g, cpr, raw, k, rate, 0, bdate, C, E, r, B, nb, gx };
		emit(x, &o);
	}

	/* DIFF: the difference lines of the rate (rule 8; rule 14 for bookings) */
	if (lonly) {
		if (l0 && strcmp(unit, "HOLD"))
			exp_d = sub(x, l0->amount, l0->charged);
	} else if (l0 && mode == MODE_J_CHARGED && gx) {
		exp_d = sub(x, gx->amount, l0->charged);
	}
	if (nd || exp_d) {
		for (size_t i = 0; i < nd && !ddate; i++)
			ddate = s->line[D[i]].due;
		if (!ddate && !lonly)
			ddate = next_rate_due(x, g, rate, k);
		if (!ddate)
			ddate = bdate;
		C = 0;
		r = 0;
		for (size_t i = 0; i < nd; i++) {
			C = add(x, C, chargeable(x, &s->line[D[i]], facts, ddate));
			r |= line_reasons(x, D[i], facts, ddate, 0);
		}
		if (!strcmp(unit, "HOLD")) {
			E = C;
		} else if (lonly) {
			E = exp_d;
			if (C != E)
				r |= BIT(R_BOOKINGDIFF);
		} else if (*raw) {
			E = 0;
		} else if (nd && mode != MODE_J_CHARGED) {
			/* a difference is owed only for a fee charged and still owed */
			E = 0;
			if (ent == ENT_DELETED) {
				int open = 0;
				for (size_t i = 0; i < nd; i++)
					open |= s->line[D[i]].status == OPK_OPKRAEVET &&
						!credited(x, &s->line[D[i]]);
				r |= BIT(open ? R_KREDITNOTA_MANGLER : R_SLETTET);
			} else if (ent != ENT_NONE) {
				r |= BIT(ent_reason[ent]);
			} else if (mode == MODE_N) {
				r |= BIT(R_DIFF_UDEN_ARV);
			} else {
				r |= BIT(R_DIFF_UDEN_GRUNDLAG);
			}
		} else {
			E = exp_d;
			if (C != E)
				r |= BIT(R_DIFF_MANGLER);
		}
		o = (struct slot_out){ g, cpr, raw, k, rate, 1, ddate, C, E, r, nd ? D : B,
				       nd ? nd : nb, gx };
		emit(x, &o);
	}
	free(B);
	free(D);
}

/* A line or an expected fee of a slot. */
struct member {
	const char *g, *cpr, *raw, *k;	/* raw: a line's CPR cell that is no CPR, else "" */
	int64_t rate;
	size_t line;		/* SIZE_MAX: a fee only expected */
};

static int cmp_member(const void *a, const void *b)
{
	const struct member *p = a, *q = b;
	int c = strcmp(p->g, q->g);
	if (!c)
		c = strcmp(p->cpr, q->cpr);
	if (!c)
		c = strcmp(p->raw, q->raw);
	if (!c)
		c = (p->rate > q->rate) - (p->rate < q->rate);
	if (!c)
		c = strcmp(p->k, q->k);
	return c ? c : (p->line > q->line) - (p->line < q->line);
}

static int cmp_line_group(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(sorting->s->line[i].gruppe, sorting->s->line[j].gruppe);
	return c ? c : (i > j) - (i < j);
}

static int cmp_student_group(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(sorting->s->student[i].gruppe, sorting->s->student[j].gruppe);
	return c ? c : (i > j) - (i < j);
}

/*
 * The slots one course group at a time, groups in byte order: the same
 * slots in the same order as sorting every member of the school at once,
 * with the members of the largest group held, not the school's.
 */
static void slots(struct check *x)
{
	const struct opk_school *s = x->s;
	struct member *m = NULL;
	size_t n, alloc = 0, *lines = NULL, alines = 0;
	size_t *L = sorted_index(s->nline, cmp_line_group);
	size_t *S = sorted_index(s->nstudent, cmp_student_group);
	size_t li = 0, si = 0;
	while (li < s->nline || si < s->nstudent) {
		const char *g;
		if (si == s->nstudent || (li < s->nline &&
					  strcmp(s->line[L[li]].gruppe, s->student[S[si]].gruppe) <= 0))
			g = s->line[L[li]].gruppe;
		else
			g = s->student[S[si]].gruppe;
		n = 0;
		for (; li < s->nline && !strcmp(s->line[L[li]].gruppe, g); li++) {
			const struct opk_line *l = &s->line[L[li]];
			m = xgrow(m, &alloc, n + 1, sizeof(*m));
			m[n++] = (struct member){ l->gruppe, l->cpr, l->cpr_raw,
						  klass(x, l->central, l->gebyrtype),
						  l->rate, L[li] };
		}
		/* every placement expects its group's fees from Arv_fra_rate on (rule 8) */
		for (; si < s->nstudent && !strcmp(s->student[S[si]].gruppe, g); si++) {
			const struct opk_student *st = &s->student[S[si]];
			int64_t arv = st->inherit_from ? st->inherit_from : 1;
			size_t lo, hi;
			if (line_only(group_unit(x, st->gruppe)))
				continue;
			group_fees(x, st->gruppe, &lo, &hi);
			for (size_t j = lo; j < hi; j++) {
				const struct opk_fee *f = &s->fee[x->fee_by_group[j]];
				if (!*f->central || f->rate < arv)
					continue;
				m = xgrow(m, &alloc, n + 1, sizeof(*m));
				m[n++] = (struct member){ st->gruppe, st->cpr, "",
							  klass(x, f->central, f->gebyrtype),
							  f->rate, SIZE_MAX };
			}
		}
		if (n)
			qsort(m, n, sizeof(*m), cmp_member);
		lines = xgrow(lines, &alines, n ? n : 1, sizeof(*lines));
		for (size_t i = 0; i < n;) {
			size_t j = i, nl = 0;
			for (; j < n && !strcmp(m[j].cpr, m[i].cpr) && !strcmp(m[j].raw, m[i].raw) &&
			       m[j].rate == m[i].rate && !strcmp(m[j].k, m[i].k); j++)
				if (m[j].line != SIZE_MAX)
					lines[nl++] = m[j].line;
			do_slot(x, m[i].g, m[i].cpr, m[i].raw, m[i].rate, m[i].k, lines, nl);
			i = j;
		}
	}
	free(L);
	free(S);
	free(lines);
	free(m);
}

static int cmp_cell(const void *a, const void *b)
{
	const struct cell *p = a, *q = b;
	int c = (p->month > q->month) - (p->month < q->month);
	return c ? c : strcmp(p->gruppe, q->gruppe);
}

static int cmp_tally(const void *a, const void *b)
{
	const struct tally *p = &sorting->tally[*(const size_t *)a];
	const struct tally *q = &sorting->tally[*(const size_t *)b];
	int c = (p->month > q->month) - (p->month < q->month);
	return c ? c : strcmp(p->key, q->key);
}

/*
 * The invariant the written files keep: the school's exceptions under the
 * summary row t (its SE, month, group) sum exactly to its difference. The
 * first row that breaks it goes to x->broken. order: the tally by
 * (month, key).
 */
static void conserved(struct check *x, const struct cell *t, const size_t *order)
{
	size_t a = 0, b = x->ntally, n = 0;
	money_t sum = 0, diff;
	int over = 0;
	if (x->broken[0])
		return;
	while (a < b) {
		size_t m = a + (b - a) / 2;
		const struct tally *e = &x->tally[order[m]];
		int c = (t->month > e->month) - (t->month < e->month);
		if ((c ? c : strcmp(t->gruppe, e->key)) > 0)
			a = m + 1;
		else
			b = m;
	}
	for (; a < x->ntally; a++, n++) {
		const struct tally *e = &x->tally[order[a]];
		if (e->month != t->month || strcmp(e->key, t->gruppe))
			break;
		if (__builtin_add_overflow(sum, e->amount, &sum))
			over = 1;
	}
	if (over || __builtin_sub_overflow(t->left, t->right, &diff) || sum != diff) {
		char m[DATE_BUFSZ], a1[MONEY_BUFSZ], a2[MONEY_BUFSZ];
		snprintf(x->broken, sizeof(x->broken), "%s %s %s: %zu exception(s) sum to %s, "
			 "the difference is %s", x->s->se, month_format(t->month, m), t->gruppe,
			 n, money_format(sum, a1), money_format(t->left - t->right, a2));
	}
}

/* The summary rows: one per group and due month that has a slot or a finding. */
static void summary(struct check *x)
{
	size_t *order = sorted_index(x->ntally, cmp_tally);
	if (x->ncell)
		qsort(x->cells, x->ncell, sizeof(*x->cells), cmp_cell);
	for (size_t i = 0; i < x->ncell;) {
		struct cell t = x->cells[i];
		size_t j = i + 1;
		for (; j < x->ncell && !cmp_cell(&x->cells[j], &t); j++) {
			t.left = add(x, t.left, x->cells[j].left);
			t.right = add(x, t.right, x->cells[j].right);
			t.breaks += x->cells[j].breaks;
			t.warnings += x->cells[j].warnings;
		}
		/* its status is match/recon.h's one rule: a break under it (even
		 * of 0,00) makes it BREAK, a warning alone (conf/reconciliations.conf
		 * 'explains') EXPLAINED */
		recon_summary(x->out, x->s->se, t.month, t.gruppe, t.left, t.right, 0);
		conserved(x, &t, order);
		i = j;
	}
	free(order);
}

/* Keys and refs have fixed room (match/recon.h): longer is refused, not cut. */
static const char *too_long(const struct opk_school *s)
{
	for (size_t i = 0; i < s->nline; i++)
		if (strlen(s->line[i].gruppe) > 63 || strlen(s->line[i].gebyrtype) > 63)
			return "a Forloebsgruppe or Gebyrtype of EASYA_Opkraevningslinjer is "
			       "longer than 63 bytes, the most a key holds";
	for (size_t i = 0; i < s->nfee; i++)
		if (strlen(s->fee[i].gruppe) > 63 || strlen(s->fee[i].gebyrtype) > 63)
			return "a Forloebsgruppe or Gebyrtype of EASYA_Gruppegebyrer is longer "
			       "than 63 bytes, the most a key holds";
	for (size_t i = 0; i < s->nstudent; i++)
		if (strlen(s->student[i].gruppe) > 63)
			return "a Forloebsgruppe of EASYA_Elever is longer than 63 bytes, the "
			       "most a key holds";
	return NULL;
}

int opk_check(const struct opk_conf *c, int32_t night, const struct opk_school *s,
	      struct recon_out *out, const char **why)
{
	struct check x = { .c = c, .s = s, .out = out, .night = night };
	const char *g;
	if ((*why = too_long(s)))
		return 1;
	opk_window(c, night, &x.from, &x.to);
	sorting = &x;
	x.fee_by_group = sorted_index(s->nfee, cmp_fee_group);
	x.facts = sorted_index(s->nstudent, cmp_facts);
	x.moved = xmalloc((s->nstudent ? s->nstudent : 1) * sizeof(*x.moved));
	for (size_t i = 0; i < s->nstudent; i++)
		if (*s->student[i].moved_from && strcmp(s->student[i].moved_from,
							s->student[i].gruppe))
			x.moved[x.nmoved++] = i;
	if (x.nmoved)
		qsort(x.moved, x.nmoved, sizeof(*x.moved), cmp_moved);
	x.debtors = sorted_index(s->ndebtor, cmp_debtor);
	x.charges = sorted_index(s->ncharge, cmp_charge);
	x.unit = xmalloc((s->nline ? s->nline : 1) * sizeof(*x.unit));
	for (size_t i = 0; i < s->nline; i++)
		x.unit[i] = *s->line[i].unit ? s->line[i].unit :
			    *(g = group_unit(&x, s->line[i].gruppe)) ? g : "FORLOEBSGRUPPE";
	group_findings(&x);
	slots(&x);
	summary(&x);
	sorting = NULL;
	free(x.fee_by_group);
	free(x.facts);
	free(x.moved);
	free(x.debtors);
	free(x.charges);
	free(x.unit);
	free(x.cells);
	free(x.tally);
	if (x.broken[0]) {
		static char broken[sizeof(x.broken)];
		xstrlcpy(broken, x.broken, sizeof(broken));
		*why = broken;
		return -1;
	}
	if (x.overflow) {
		*why = "a sum of amounts overflows 64 bits: the export's amounts are not "
		       "plausible";
		return 1;
	}
	return 0;
}
