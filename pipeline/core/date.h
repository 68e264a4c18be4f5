/*
 * Months, days and timestamps in the notations the guide prints, each
 * parsed strictly into an integer that sorts in time order:
 *   month      YYYYMM            from 2021-02, 02-2021, 2021.02, 202102
 *   day        YYYYMMDD          from 2021-01-29, 29-01-2021, 20210129
 *   timestamp  YYYYMMDDhhmmssmmm from a day, a space, and hh?mm?ss[?fff]
 *              where ? is '.' or ':' (KY prints both), e.g.
 *              2021-02-01 18.01.28.966, 2021-01-29 00:00:00.0
 * Each returns 0, or -1 with *why set to a static reason.
 */
#ifndef DATE_H
#define DATE_H

#include <stddef.h>
#include <stdint.h>

int month_parse(const char *s, size_t len, int32_t *yyyymm, const char **why);
int day_parse(const char *s, size_t len, int32_t *yyyymmdd, const char **why);
int timestamp_parse(const char *s, size_t len, int64_t *ts, const char **why);

int day_is_valid(int y, int m, int d);
/* YYYY-MM-DD as given on the command line; strict. */
int day_parse_iso(const char *s, int32_t *yyyymmdd);
/* Adds months to a YYYYMM (negative to go back). */
int32_t month_add(int32_t yyyymm, int months);
/* Days from 1970-01-01 (for ages of breaks). */
int64_t day_number(int32_t yyyymmdd);
/* The day (YYYYMMDD) of a day number: day_from_number(day_number(d)) == d. */
int32_t day_from_number(int64_t days);

/*
 * Calendar arithmetic on days (YYYYMMDD), for rules that speak of quarters,
 * ages, periods and half-years (seeds-000-001-003.md 4.8: seed 003's
 * boarding-fee rules, seed 001's cadences). Each takes valid days
 * (day_is_valid, or a value from day_parse / day_from_number); 0 means "no
 * date" only where a contract says so. The calendar is date.h's:
 * proleptic Gregorian, 1800..2199.
 */

/*
 * The first day of the calendar quarter holding d: 1 January, 1 April,
 * 1 July or 1 October of d's year (a quarter's first day is its own start).
 * Seed 003 rule 6: "under 18 år ved kvartalsbegyndelsen i det kvartal, hvor
 * forfaldsdatoen falder".
 */
int32_t day_quarter_start(int32_t d);
/*
 * Whole years of age on day 'on' of a person born on 'birth': -1 when on is
 * before birth, 0 on the day of birth. The age rises ON the birthday (one
 * "fylder 18" that day). Born 29 February: in a common year the age rises
 * on 1 March (28 February is still the old age). No Danish rule for
 * 29 February was found; it never decides rule 6, whose day is a quarter's
 * first.
 */
int age_on(int32_t birth, int32_t on);
/* age_on(birth, day_quarter_start(d)): seed 003 rule 6's age for a due date d. */
int age_at_quarter_start(int32_t birth, int32_t d);

/* How a period's end is read; its start is always inclusive. */
enum period_end {
	PERIOD_TO_INCLUSIVE,	/* [from, to]: EASY-A periods (an education agreement
				 * "dækker" a due date on its first or last day) */
	PERIOD_TO_EXCLUSIVE,	/* [from, to): a CPR residence row, whose Til is the
				 * first day at the next address */
};
/*
 * Whether the period from..to covers day d. from 0: no start bound; to 0:
 * no end (open-ended); both 0: every day. from > to covers nothing.
 * Whether a period exists at all is the caller's business.
 */
int period_covers(int32_t from, int32_t to, int32_t d, enum period_end end);
/* d plus n months (n < 0 goes back), a day past the target month's end
 * clamped to its last day: 2025-01-31 + 1 = 2025-02-28. */
int32_t day_add_months(int32_t d, int n);
/* d plus n days (n < 0 goes back). */
int32_t day_add_days(int32_t d, int n);
/* The half-year of d as YYYYH (H 1: January-June, 2: July-December), and
 * its first day (1 January or 1 July). */
int32_t day_half_year(int32_t d);
int32_t day_half_year_start(int32_t d);

enum { DATE_BUFSZ = 32 };
char *month_format(int32_t yyyymm, char buf[DATE_BUFSZ]);	/* 2021-02 */
char *day_format(int32_t yyyymmdd, char buf[DATE_BUFSZ]);	/* 2021-02-05 */
char *timestamp_format(int64_t ts, char buf[DATE_BUFSZ]);	/* 2021-02-01 18:01:28.966 */

#endif
