/*
 * The rules of the inter-municipal refund for evening schools (seed 000;
 * brief ../shared/spec/seeds-000-001-003.md 1.5), one line at a time,
 * pure: no store, no files, no logging. match-refusion's main.c reads the
 * lines, keeps what crosses lines (duplicates, lines charged on earlier
 * nights) and writes the results.
 *
 * Outgoing (the charges we send), for a participant line L, in order; the
 * first rule L fails is its only reason:
 *   1 cpr-ugyldig              the CPR cell is not DDMMYY-SSSS / 10 digits
 *                              with a real date (a substitute day 61-91 is)
 *   2 uden-for-periode         the hours year is not a year of the course
 *   3 foredrag-ikke-refusion   the form is not chargeable (§ 43 stk. 2)
 *     takst-mangler            no rate for (hours year, form)
 *   4 dublet                   an earlier line has (cpr, skole, holdnr, hours
 *                              year): the caller's (out_post() is not called)
 *   5 ukendt-i-cpr             the extract has no row for the CPR
 *   6 bopael-ukendt-ved-start  not exactly one row covers the course start,
 *                              or its paying municipality is not in kommuner.conf
 *   7 bor-i-egen-kommune       the payer is the own municipality
 *   8 aftalekommune            the payer waives refunds both ways
 *   9 for-sent-indberettet     the list's file-name date is after 31-12 of
 *                              hours year + report-deadline-years (Aalborg's
 *                              rule; the name's date, not the landing night,
 *                              so a rerun decides as the first run did)
 *  10 charged to the payer: round half up(timer × rate) in øre.
 *
 * Incoming (a charge from municipality C), for a charged line I:
 *   1 forkert-modtager         Betalende_kommune is not us
 *   2 aftalekommune            C waives refunds both ways
 *   3 cpr-ugyldig              as outgoing rule 1
 *   4 foredrag                 the form is not chargeable
 *   5 dublet                   (cpr, skole, holdnr, periode) charged before by
 *                              C: the caller's
 *   6 ikke-bopael-ved-start    the one row covering Kursusstart is not ours
 *                              (Kommunekode or Betalingskommune)
 *   6b takst-mangler           no rate for (year of Periode, form)
 *   7 takst-afviger            Takst above the year's rate: accept
 *                              min(Beloeb, Timer × rate)
 *   8 beloeb-afviger           Beloeb above Timer × Takst: accept that
 *   9 sum-afviger              a file's total row is not the sum of its lines
 *                              (a row with an amount but no course start, CPR
 *                              or hours is a total: schemas/mkr-0751.schema)
 * A rate or an amount below ours is accepted as charged.
 */
#ifndef RULES_H
#define RULES_H

#include <stddef.h>
#include <stdint.h>

#include "core/money.h"
#include "kommuner.h"
#include "refusionconf.h"
#include "match/residence.h"

enum out_code {
	OUT_CHARGE,
	OUT_CPR_UGYLDIG, OUT_UDEN_FOR_PERIODE, OUT_FOREDRAG, OUT_TAKST_MANGLER,
	OUT_DUBLET, OUT_UKENDT_I_CPR, OUT_BOPAEL_UKENDT, OUT_EGEN_KOMMUNE,
	OUT_AFTALEKOMMUNE, OUT_FOR_SENT,
	OUT_N
};

enum in_code {
	IN_ACCEPT,
	IN_FORKERT_MODTAGER, IN_AFTALEKOMMUNE, IN_CPR_UGYLDIG, IN_FOREDRAG, IN_DUBLET,
	IN_IKKE_BOPAEL, IN_TAKST_MANGLER, IN_TAKST_AFVIGER, IN_BELOEB_AFVIGER,
	IN_SUM_AFVIGER,
	IN_N
};

/*
 * The residence extract as this stage reads it (match/residence.h's index,
 * filled here because the extract's CPR cells are read as written, with
 * substitute numbers): extract_add() a row (copied), then extract_sort()
 * once before residence_at(). Free with residence_free().
 */
void extract_add(struct residence_index *ri, const struct residence_row *row, size_t *alloc);
void extract_sort(struct residence_index *ri);

/* The code ("dublet"), and its text "Danish / English" (static). */
const char *out_code_name(enum out_code c);
const char *out_code_text(enum out_code c);
/* Whether an exception of c needs no payment (brief 1.6 'explained'). */
int out_code_explained(enum out_code c);
const char *in_code_name(enum in_code c);
const char *in_code_text(enum in_code c);
/* The code named name (in_code_name()'s word) into *c: 0, or -1 unknown. */
int in_code_parse(const char *name, enum in_code *c);
/* Whether a line decided c passed incoming rules 1-4 and is no duplicate:
 * its (cpr, skole, holdnr, periode) makes a later copy a dublet. */
int in_code_counts(enum in_code c);


/* A participant line as read (values point into the caller's record). */
struct out_line {
	const char *cpr_raw;
	size_t cpr_len;
	int32_t start, slut;	/* YYYYMMDD; slut 0 when not given */
	int timeaar;		/* 0 when not given */
	const char *form;
	size_t form_len;
	int64_t timer;		/* hours in hundredths */
	int32_t filedate;	/* the list's file-name date, YYYYMMDD */
};

/* What the rules decided. */
struct out_result {
	enum out_code code;
	char cpr[11];		/* "" for cpr-ugyldig */
	int ta;			/* the hours year */
	int32_t period;		/* YYYYH */
	enum refusion_form form;
	money_t rate;		/* øre, -1 when none */
	money_t value;		/* øre: the line's value, 0 without a rate */
	char key[8];		/* the payer, or "UKENDT" */
	char note[96];		/* "" or the exception's note (never a CPR) */
};

/*
 * Rules 1-3 and the line's value, hours year and period (the half-year of
 * the course start when the hours year is the start year, else the first
 * half of the hours year: the later part of a team split over two years).
 * r->code is OUT_CHARGE when L passed them. -1 when the value overflows
 * (an implausible input), else 0.
 */
int out_pre(const struct refusion_conf *c, const struct out_line *l, struct out_result *r);
/*
 * For a line out_pre() passed: its payer on the course start (r->key:
 * the payer, or UKENDT), for rules 3 (foredrag keeps its key) and 5-9.
 */
void out_post(const struct refusion_conf *c, const struct kommuner *k,
	      const struct residence_index *res, const struct out_line *l, struct out_result *r);
/* foredrag-ikke-refusion's key: the payer by residence, else UKENDT. */
void out_key_only(const struct kommuner *k, const struct residence_index *res,
		  const struct out_line *l, struct out_result *r);

/* A charged line received (values point into the caller's record). */
struct in_line {
	const char *opkraevende, *betalende;	/* as written, 3 or 4 digits */
	size_t opk_len, bet_len;
	int32_t periode;	/* YYYYH, 0 when unreadable */
	const char *cpr_raw;
	size_t cpr_len;
	const char *form;
	size_t form_len;
	int64_t timer;		/* hundredths */
	money_t takst, beloeb;	/* øre */
	int32_t start;		/* Kursusstart, YYYYMMDD */
};

struct in_result {
	enum in_code code;
	char cpr[11];		/* "" when unreadable */
	money_t accepted, disputed;	/* øre; accepted + disputed = Beloeb */
	char note[96];
};

/* Rules 1-4. r->code IN_ACCEPT when I passed them. */
void in_pre(const struct refusion_conf *c, const struct in_line *l, struct in_result *r);
/* Rules 6-8 for a line in_pre() passed and that is no duplicate. -1 on overflow. */
int in_post(const struct refusion_conf *c, const struct residence_index *res,
	    const struct in_line *l, struct in_result *r);
/*
 * Rule 9 for a file's total row: total against the sum of the file's
 * lines (øre). IN_ACCEPT when equal, else IN_SUM_AFVIGER disputing total
 * - sum (negative when the lines demand more than the total). -1 on
 * overflow.
 */
int in_sum_check(money_t total, money_t sum, struct in_result *r);

#endif
