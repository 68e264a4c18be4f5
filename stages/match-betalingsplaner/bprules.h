/*
 * The rules of match-betalingsplaner: OIOUBL invoices held against the
 * payment and invoice plans the central finance office keeps, and the
 * robot checks of doctors' certificates and rent (seed 001 cases 5, 6, 13;
 * ../shared/spec/seeds-000-001-003.md 2.5, the rule numbers below are
 * the brief's). Pure: no store, no files. main.c reads the store into
 * these shapes, feeds the documents in processing order and writes what
 * comes out.
 *
 * Amounts are int64 øre, days YYYYMMDD, months YYYYMM. Strings are owned
 * by whoever filled the struct (main.c, or a unit test), unless said.
 */
#ifndef BPRULES_H
#define BPRULES_H

#include <stddef.h>
#include <stdint.h>

#include "core/ident.h"
#include "core/money.h"
#include "core/strbuf.h"

/* Reason codes, in the brief's rule order (the first failing is the reason). */
enum bp_code {
	BP_IKKE_OIOUBL,
	BP_DUBLET, BP_EAN_UGYLDIG, BP_CVR_MANGLER, BP_CVR_UGYLDIG, BP_SUM_AFVIGER,
	BP_KREDITNOTA, BP_FLERE_PLANER, BP_PLAN_UDLOEBET, BP_CVR_IKKE_GODKENDT,
	BP_INGEN_PLAN, BP_CPR_MANGLER, BP_BELOEB, BP_INGEN_BESTILLING,
	BP_BESTILLING_FAKTURERET, BP_ATTESTTYPE, BP_TAKST, BP_KADENCE_TIDLIG,
	BP_MAANEDSAFVIGELSE, BP_TRAEK,
	BP_KADENCE_MANGLER, BP_PLAN_UDLOEBER, BP_PLAN_FEJL, BP_PLAN_MATCH,
	BP_NCODES
};
/* "dublet-fakturanr" */
const char *bp_code_name(enum bp_code c);
/* "Danish / English" (seeds-000-001-003.md 2.5; DESIGN 4.6) */
const char *bp_code_text(enum bp_code c);

enum bp_kadence { BP_K_NONE, BP_K_UGE, BP_K_MAANED, BP_K_KVARTAL, BP_K_HALVAAR, BP_K_AAR };

/*
 * d plus k periods of kadence: UGE 7k days; MAANED, KVARTAL, HALVAAR, AAR
 * 1, 3, 6, 12 months times k, clamped to the month's end (2025-01-31 + 1
 * month = 2025-02-28; brief rule 12). k may be negative.
 */
int32_t bp_add_period(int32_t day, enum bp_kadence kad, int k);
/* day plus n days (n may be negative). */
int32_t bp_add_days(int32_t day, int n);

/*
 * CPR numbers in free text (brief 2.2: a CPR on an invoice is free text):
 * the first DDMMYYSSSS or DDMMYY-SSSS not inside a longer run of digits
 * that core/ident.h's cpr_parse() takes (a real date, or a substitute
 * number: day 61-91 is day + 60, cpr.dk). 1 found (out, 10 digits), 0
 * none; *invalid_seen is set when a CPR-shaped number failed the date check
 * ("kun ugyldige CPR-lignende tal").
 */
int bp_cpr_find(const char *s, int *invalid_seen, char out[CPR_LEN + 1]);

/*
 * The certificate types (Attestnøglen) an invoice names, in order without
 * repeats: upper-cased, Æ read as AE, blanks and '.' removed, every LAE
 * and three digits: "LÆ 125 Statusattest" names LAE125. Appends to out
 * (up to max types of 7 bytes), returns how many there are now.
 */
int bp_attest_types(const char *s, char (*out)[8], int n, int max);

/* A plan of the plans file (brief 2.4), checked. */
struct bp_plan {
	char *id;		/* Plan_id */
	int faktura;		/* Type FAKTURA (an invoice plan), else BETALING */
	char *category;		/* FAST, LAEGEERKLAERING, HUSLEJE, ... */
	char *cvr;		/* 8 digits, or "*" */
	char *ean;
	int prefix_invoice;	/* Praefiks_felt faktura: the invoice number, else the order ref */
	char *prefix;
	int has_min, has_max;
	money_t min, max;
	enum bp_kadence kadence;
	int tolerance;		/* days */
	int has_dev;
	int dev;		/* Max_afvigelse_pct in hundredths of a per cent: 5 is 500 */
	int require_cpr;
	char *account;		/* Konto as written: 3.22.01.003 or @role */
	char *costcentre;
	int32_t start, end;
	char *error;		/* NULL, or why the plan cannot be used (plan-fejl) */
	unsigned long line;	/* in its file */
};

/* The cells of a plans file row, as text ("" when empty). */
struct bp_plan_cells {
	const char *id, *type, *category, *cvr, *ean, *prefix_field, *prefix;
	const char *min, *max, *kadence, *tolerance, *dev, *require_cpr;
	const char *account, *costcentre, *start, *end;
};

/*
 * Checks one row into *p (strings copied). role_exists(name, data) says
 * whether an @role of Konto is in accounts.conf. Sets p->error (owned)
 * on the first check that fails (DESIGN 2.2); a plan with an error is
 * never used, and is a plan-fejl exception. Duplicates are the caller's.
 */
void bp_plan_check(const struct bp_plan_cells *c, int (*role_exists)(const char *, void *),
		   void *data, struct bp_plan *p);
void bp_plan_free(struct bp_plan *p);

struct bp_planset {
	struct bp_plan *v;
	size_t n, alloc;
	/* bp_planset_index(): BETALING plans by EAN, then FAKTURA plans by CVR */
	const struct bp_plan **idx;
	size_t nbetaling, nidx;
};
/*
 * Indexes s for plan selection (NULL index: every plan is tried, as for a
 * few plans). Call once its plans are all there; bp_planset_free() frees it.
 */
void bp_planset_index(struct bp_planset *s);
/* Marks the second and later rows of one Plan_id as plan-fejl. */
void bp_planset_dups(struct bp_planset *s);
void bp_planset_free(struct bp_planset *s);

/* An order of a doctor's certificate (Netforvaltning Sundhed; brief 2.4). */
struct bp_order {
	char *id, *cpr, *attest, *cvr, *status;
	int32_t day;
};
struct bp_orders {
	struct bp_order *v;
	size_t n, alloc;
};
void bp_orders_free(struct bp_orders *o);

/* A rent deduction in KMD Aktiv (rule 14): CPR, month, landlord, øre. */
struct bp_traek {
	char cpr[CPR_LEN + 1];
	int32_t month;
	char *cvr;
	money_t amount;
};
struct bp_traeks {
	struct bp_traek *v;
	size_t n, alloc;
};
void bp_traeks_free(struct bp_traeks *t);

/* A tariff row of conf/laege-takster.conf: TYPE FROM MIN MAX. */
struct bp_takst {
	char type[8];
	int32_t from;
	money_t min, max;
};

/* conf/betalingsplaner.conf and the two tables it names (bpconf.h loads them). */
enum bp_place { BP_LINE_NOTE, BP_LINE_ITEM_NAME, BP_LINE_ITEM_DESC, BP_HEADER_NOTE,
		BP_ORDER_REF, BP_NPLACES };
struct bp_conf {
	char (*scope)[EAN_LEN + 1];
	int nscope;
	int places[BP_NPLACES];	/* cpr-places in order */
	int nplaces;
	struct bp_takst *takst;
	int ntakst;
	char (*udlejere)[SE_LEN + 1];
	int nudlejere;
	int warn_days;		/* 30 */
	int basis_net;		/* amount-basis net: rules 9, 11, 13 on amount - vat */
	money_t sum_tolerance;	/* 1 øre */
	int post_credit;	/* credit-notes post */
	int history_months;	/* 36 */
	int stop_periods;	/* kadence-stop-perioder, 3 */
	int sug_min, sug_cv, sug_window, sug_slack, sug_margin;	/* 6 10 12 5 10 */
};
void bp_conf_defaults(struct bp_conf *c);
void bp_conf_free(struct bp_conf *c);

/* An OIOUBL document, as normalise stored it (credit notes negated). */
enum { BP_HAS_TAX_EXCL = 1, BP_HAS_ALLOWANCE = 2, BP_HAS_CHARGE = 4 };
struct bp_doc {
	int32_t received;	/* the night its file landed */
	char *relpath;
	unsigned long line;	/* of the document element */
	int credit;		/* a CreditNote */
	char *invoice, *supplier, *ean, *name, *order_ref, *billing_ref, *account;
	char *line_notes, *item_names, *item_descs, *notes;	/* joined texts ("" none) */
	int32_t day, period_start;	/* IssueDate; InvoicePeriod/StartDate or 0 */
	money_t amount, net, vat, tax_excl, tax_incl, allowance, charge, prepaid, rounding,
		tax_rounding, ac_allowance, ac_charge, lines_net;
	unsigned has;
	long nlines;
};
void bp_doc_free(struct bp_doc *d);
/* Processing order (DESIGN 3.2): received, IssueDate, supplier, invoice, relpath, line. */
int bp_doc_cmp(const struct bp_doc *a, const struct bp_doc *b);

/*
 * Rule 5 (sum-afviger), equations in order; 0 they hold, 1 one fails with
 * the failing one written to note ("linjer 10,00 ≠ LineExtensionAmount 12,00").
 */
int bp_sum_check(const struct bp_doc *d, money_t tolerance, struct strbuf *note);

/* What came of one document. */
struct bp_outcome {
	int in_scope;
	const struct bp_plan *plan;	/* the plan that took it, or NULL */
	const char *key;		/* plan id, or "UNMATCHED" (in scope only) */
	char cpr[CPR_LEN + 1];		/* "" none */
	enum bp_code codes[BP_NCODES];
	int ncodes;			/* 0: auto-posted */
	struct strbuf detail;		/* the first code's detail (DESIGN 4.7), "" none */
	struct strbuf plans;		/* the plan column: the id, or ids joined by '|' */
	money_t basis;			/* amount or amount - vat */
};
void bp_outcome_free(struct bp_outcome *o);

/* The history of a replay: seen invoice numbers, streams, orders consumed, rent posted. */
struct bp_state;
struct bp_state *bp_state_new(size_t ndocs);
void bp_state_free(struct bp_state *s);

/*
 * Evaluates d (received after every document given before) against plans,
 * orders and traek as of d's received night (traek NULL: no Aktiv file)
 * and updates the history (DESIGN 4.8). d must stay alive as long as s.
 */
void bp_evaluate(struct bp_state *s, const struct bp_conf *c, const struct bp_planset *plans,
		 const struct bp_orders *orders, const struct bp_traeks *traek,
		 const struct bp_doc *d, struct bp_outcome *o);

/* A night-level exception (rules 16, 17): per plan, or per tenant. */
struct bp_planexc {
	enum bp_code code;		/* BP_KADENCE_MANGLER or BP_PLAN_UDLOEBER */
	const struct bp_plan *plan;
	const struct bp_doc *last;	/* kadence-mangler: the stream's anchor */
	char cpr[CPR_LEN + 1];
	money_t amount;
	int32_t due;			/* kadence-mangler: expected by */
	int days;			/* plan-udloeber: days left */
};
/*
 * Rules 16 and 17 on night for the plans as of the night, after every
 * document up to it was evaluated. Appends to *v (n, alloc); sorted by
 * plan id, then CPR.
 */
void bp_night(const struct bp_state *s, const struct bp_conf *c, const struct bp_planset *plans,
	      int32_t night, struct bp_planexc **v, size_t *n, size_t *alloc);

/* A plan suggestion (rule 18). */
struct bp_suggestion {
	const char *cvr, *ean, *name, *account;	/* pointers into documents */
	int n;
	money_t min, max, sum;
	enum bp_kadence kadence;
	int median;		/* days */
	int64_t cv;		/* hundredths of a per cent */
	int32_t first, last;
};
/*
 * Rule 18 over docs (any order): invoices with IssueDate in
 * (night - window months, night], valid CVR and EAN, whose (CVR, EAN) is
 * not a BETALING plan of plans. Sorted by CVR, EAN. Returns how many (*out: free()).
 */
size_t bp_suggest(const struct bp_conf *c, const struct bp_planset *plans,
		  const struct bp_doc *const *docs, size_t ndocs, int32_t night,
		  struct bp_suggestion **out);

/* "MAANED" */
const char *bp_kadence_name(enum bp_kadence k);
/* Whether the document's CVR is in the approved-landlord table. */
int bp_udlejer(const struct bp_conf *c, const char *cvr);
/* Whether an EAN is a robot EAN (scope-ean). */
int bp_in_scope(const struct bp_conf *c, const char *ean);

#endif
