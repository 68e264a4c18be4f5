/*
 * conf/refusion.conf: what the inter-municipal refund for evening schools
 * needs (seed 000; brief ../shared/spec/seeds-000-001-003.md 1.4, 1.5).
 *
 *   own-municipality CODE     who we are (a code of kommuner.conf)
 *   period half-year          H1 = Jan-Jun, H2 = Jul-Dec (the only value)
 *   rate YEAR FORM AMOUNT     kr. per deltagertime for the hours of YEAR
 *                             (Danish notation, > 0); DOF 'Øvrige satser'
 *   not-chargeable FORM       lines of FORM never give a charge (§ 43 stk. 2
 *                             names no lectures)
 *   form-alias WORD FORM      a school's word for a form (case ignored)
 *   agreement CODE...         municipalities that waive the refund both ways
 *   report-deadline-years N   a year's lines must come by 31-12 of year + N
 *                             (Aalborg's rule); 0 or absent: no deadline
 *   school CODE "NAME"        the name a charge line shows for skole=CODE
 *
 * Forms: almen, handicap, instrumental, foredrag. Errors
 * "refusion.conf:LINE: reason" (the stage exits 64).
 */
#ifndef REFUSIONCONF_H
#define REFUSIONCONF_H

#include <stdint.h>

#include "core/money.h"
#include "kommuner.h"

enum refusion_form {
	FORM_UNKNOWN = -1,
	FORM_ALMEN, FORM_HANDICAP, FORM_INSTRUMENTAL, FORM_FOREDRAG, FORM_N
};

struct refusion_rate {
	int year;
	enum refusion_form form;
	money_t ore;		/* per deltagertime, > 0 */
	unsigned long lineno;
};

struct refusion_alias {
	char *word;		/* folded to lower case */
	enum refusion_form form;
};

struct refusion_school {
	char *code, *name;
};

struct refusion_conf {
	char own[5];
	struct refusion_rate *rates;
	int nrates;
	unsigned char not_chargeable[FORM_N];
	struct refusion_alias *alias;
	int nalias;
	char (*agreement)[5];
	int nagreement;
	int deadline_years;	/* 0: no deadline */
	struct refusion_school *school;
	int nschool;
};

/* The form's name: "almen" ... */
const char *refusion_form_name(enum refusion_form f);
/* Loads path; every code must be in k. 0, or -1 reported (path:line). */
int refusion_conf_load(const char *path, const struct kommuner *k, struct refusion_conf *c);
void refusion_conf_free(struct refusion_conf *c);
/* A list's form word: folded to lower case (ASCII, æøå), alias applied. */
enum refusion_form refusion_form(const struct refusion_conf *c, const char *word, size_t len);
/* The rate of (year, form) in øre per deltagertime, or -1 when none. */
money_t refusion_rate(const struct refusion_conf *c, int year, enum refusion_form form);
int refusion_is_agreement(const struct refusion_conf *c, const char code[5]);
/* The school's name for a charge line, or code itself. */
const char *refusion_school_name(const struct refusion_conf *c, const char *code);

/*
 * value(L) in øre: (hours in hundredths × rate in øre + 50) / 100, round
 * half up to whole øre (brief 1.5 rule 10; 12,25 h × 10,98 = 134,505 ->
 * 134,51). hundredths >= 0, rate > 0; -1 on overflow.
 */
money_t refusion_value(int64_t hundredths, money_t rate_ore);

/* Half-year periods kept as YYYYH (20251 = the first half of 2025). */
int32_t period_of_day(int32_t yyyymmdd);	/* the half-year holding the day */
int32_t period_last_month(int32_t period);	/* 20251 -> 202506 */
int32_t period_last_day(int32_t period);	/* 20251 -> 20250630 */
char *period_format(int32_t period, char buf[16]);	/* "2025-1" */
/* "2025-1" -> 20251; 0, or -1 when not YYYY-1 / YYYY-2. */
int period_parse(const char *s, size_t len, int32_t *period);

#endif
