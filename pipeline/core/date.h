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

enum { DATE_BUFSZ = 32 };
char *month_format(int32_t yyyymm, char buf[DATE_BUFSZ]);	/* 2021-02 */
char *day_format(int32_t yyyymmdd, char buf[DATE_BUFSZ]);	/* 2021-02-05 */
char *timestamp_format(int64_t ts, char buf[DATE_BUFSZ]);	/* 2021-02-01 18:01:28.966 */

#endif
