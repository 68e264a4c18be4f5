/*
 * The opkraevning checks (seed 003, EASY-A "Elevbetalinger, skolehjem";
 * ../shared/spec/seeds-000-001-003.md 3): one school's charging export,
 * group fees and student facts, with Navision Stat's debtors and charge
 * documents, against the guide's rules. Pure: no store, no files; main.c
 * reads the store into a struct opk_school and writes what this adds to a
 * recon_out.
 *
 * The model, in short (the design and the rules' seed lines are in
 * README.md, "Opkrævning"):
 *   - A SLOT is (group, student, rate, class, kind): class SKOLEHJEM for
 *     the two boarding fee types (conf central-type berettiget and
 *     ikke-berettiget), else the local fee type; kind BASE, or DIFF for
 *     the difference lines (Difference J) of the rate. A slot exists for
 *     every line and for every placement x group fee with a central type
 *     and a rate from Arv_fra_rate on. A line whose CPR is no CPR (not even
 *     a substitute number) has student 0000000000 and its slot is keyed by
 *     the cell as well: nobody can be charged, so E = 0 (cpr-ugyldig).
 *   - C (left, "kan opkræves") is what the slot's lines can charge: an
 *     uncharged line's Beloeb unless a data rule (10-12) stops it, a
 *     charged line's Opkraevet_beloeb unless credited. E (right, "skal
 *     opkræves") is what the rules expect. Only slots whose date (the
 *     group rate's due date; a difference: the next rate's) lies in the
 *     window [1st of the month months-back before the night's, night +
 *     lookahead-days] count, in that date's month.
 *   - A slot with a reason or C != E gives ONE exception of C - E, its
 *     reason the first cause in precedence order, the others listed; so
 *     the exceptions of a group and due month sum exactly to its
 *     difference. Group-level findings (a fee row's own faults) are 0,00.
 *   - Status: BREAK when the difference is not 0 or the row has a break
 *     (even of 0,00); EXPLAINED when it has only warnings; else OK.
 * Allowed by the guide, never flagged: a charge after the departure date,
 * and for a booking group a due date outside the booking period.
 */
#ifndef OPKRULES_H
#define OPKRULES_H

#include <stddef.h>
#include <stdint.h>

#include "core/money.h"
#include "match/recon.h"
#include "opkconf.h"

enum opk_status { OPK_IKKE_OPKRAEVET, OPK_OPKRAEVET, OPK_KREDITERET };

/* Texts are "" when the cell was empty, never NULL; days 0 when empty. */
struct opk_line {		/* a row of EASYA_Opkraevningslinjer */
	/* cpr: 10 digits; "0000000000" when the cell is neither a CPR nor a
	 * substitute number (rule cpr-ugyldig), and then cpr_raw is the cell */
	const char *gruppe, *cpr, *cpr_raw, *gebyrtype, *central, *account, *debtortype;
	const char *ident, *ns_debtor, *opkr_nr, *unit, *job, *ean, *origin;
	int64_t rate;
	int diff, skal_arve, aut_arv;	/* J */
	enum opk_status status;
	money_t amount, charged;	/* øre; charged 0 when empty */
	int32_t due, charged_day;
};

struct opk_fee {		/* a row of EASYA_Gruppegebyrer */
	const char *gruppe, *gebyrtype, *central, *account, *debtortype, *unit;
	int64_t rate;
	money_t amount;
	int32_t due, group_end;	/* Forfaldsdato, Gruppe_slut */
};

struct opk_student {		/* a row of EASYA_Elever: one placement */
	const char *cpr, *gruppe, *laerested, *moved_from;
	int32_t birth;		/* from the CPR (a substitute number: day - 60) */
	int32_t start, end, agreement_from, agreement_to, moved_day;
	int boarding, aarselev, provider, deleted;	/* J */
	int64_t inherit_from;	/* Arv_fra_rate, 0 when empty (= 1) */
};

struct opk_debtor {		/* NS_Debitorer */
	const char *ns_debtor;
	int32_t inactive_from;
};

struct opk_charge {		/* NS_Opkraevninger: an invoice or credit note */
	const char *opkr_nr;
	int booked, credit_note;	/* J */
};

/* One school's newest export, each array in file order. */
struct opk_school {
	const char *se;
	const struct opk_line *line;
	size_t nline;
	const struct opk_fee *fee;
	size_t nfee;
	const struct opk_student *student;
	size_t nstudent;
	const struct opk_debtor *debtor;	/* with has_debtors: the file arrived */
	size_t ndebtor;
	int has_debtors;
	const struct opk_charge *charge;	/* with has_charges */
	size_t ncharge;
	int has_charges;
};

/* The exception file's columns after the standard ones (recon_out.extra). */
enum { OPK_NEXTRA = 7 };
extern const char *const opk_extra_columns[OPK_NEXTRA];

/* The window of due dates a night checks (both ends inclusive, YYYYMMDD). */
void opk_window(const struct opk_conf *c, int32_t night, int32_t *from, int32_t *to);

/*
 * Checks one school for the night and adds its summary rows (key: the
 * group, month: the due month, status set) and exceptions to out, whose
 * extra columns must be opk_extra_columns. 0; or 1 for input it cannot
 * judge, with *why set (static, no CPR): a group or fee type longer than a
 * key holds, or amounts whose sum overflows. -1 (an internal error, *why
 * static: the row and sums, no CPR) when what it added breaks the
 * invariant the written files keep: the school's exceptions under each of
 * its summary rows (se, month, key) sum exactly to the row's difference.
 * Memory: the school's own; out may stream (it is never read back).
 * Pointers into s are copied.
 */
int opk_check(const struct opk_conf *c, int32_t night, const struct opk_school *s,
	      struct recon_out *out, const char **why);

#endif
