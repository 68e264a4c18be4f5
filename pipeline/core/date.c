#include "core/date.h"

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

static int fail(const char **why, const char *reason)
{
	*why = reason;
	return -1;
}

/* Reads exactly n digits at s; -1 if any is not a digit. */
static int digits(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Days in month m (1-12) of year y. */
static int month_days(int y, int m)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return mdays[m - 1] + (m == 2 && leap);
}

int day_is_valid(int y, int m, int d)
{
	if (y < 1800 || y > 2199 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= month_days(y, m);
}

int month_parse(const char *s, size_t len, int32_t *out, const char **why)
{
	int y, m;
	if (len == 6) {
		y = digits(s, 4), m = digits(s + 4, 2);
	} else if (len == 7 && (s[4] == '-' || s[4] == '.')) {
		y = digits(s, 4), m = digits(s + 5, 2);
	} else if (len == 7 && s[2] == '-') {
		m = digits(s, 2), y = digits(s + 3, 4);
	} else {
		return fail(why, "month is not YYYY-MM, MM-YYYY, YYYY.MM or YYYYMM");
	}
	if (y < 0 || m < 0)
		return fail(why, "month has a character that is not a digit");
	if (!day_is_valid(y, m, 1))
		return fail(why, "month is not a real month");
	*out = y * 100 + m;
	return 0;
}

int day_parse(const char *s, size_t len, int32_t *out, const char **why)
{
	int y, m, d;
	if (len == 8) {
		y = digits(s, 4), m = digits(s + 4, 2), d = digits(s + 6, 2);
	} else if (len == 10 && s[4] == '-' && s[7] == '-') {
		y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
	} else if (len == 10 && s[2] == '-' && s[5] == '-') {
		d = digits(s, 2), m = digits(s + 3, 2), y = digits(s + 6, 4);
	} else {
		return fail(why, "date is not YYYY-MM-DD, DD-MM-YYYY or YYYYMMDD");
	}
	if (y < 0 || m < 0 || d < 0)
		return fail(why, "date has a character that is not a digit");
	if (!day_is_valid(y, m, d))
		return fail(why, "date is not a real date");
	*out = y * 10000 + m * 100 + d;
	return 0;
}

static int is_sep(char c)
{
	return c == '.' || c == ':';
}

/* hh?mm?ss[?f{1,3}] */
static int parse_time(const char *s, size_t len, int64_t *msec, const char **why)
{
	int h, mi, se, ms = 0;
	if (len < 8 || !is_sep(s[2]) || !is_sep(s[5]))
		return fail(why, "time is not hh:mm:ss");
	h = digits(s, 2), mi = digits(s + 3, 2), se = digits(s + 6, 2);
	if (len > 8) {
		size_t fl = len - 9;
		if (!is_sep(s[8]) || fl < 1 || fl > 3)
			return fail(why, "time has a malformed fraction");
		ms = digits(s + 9, fl);
		for (size_t i = fl; i < 3 && ms >= 0; i++)
			ms *= 10;
	}
	if (h < 0 || mi < 0 || se < 0 || ms < 0)
		return fail(why, "time has a character that is not a digit");
	if (h > 23 || mi > 59 || se > 60)
		return fail(why, "time is not a real time");
	*msec = ((int64_t)h * 10000 + mi * 100 + se) * 1000 + ms;
	return 0;
}

int timestamp_parse(const char *s, size_t len, int64_t *out, const char **why)
{
	const char *sp = memchr(s, ' ', len);
	int32_t day;
	int64_t t = 0;
	if (day_parse(s, sp ? (size_t)(sp - s) : len, &day, why))
		return -1;
	if (sp && parse_time(sp + 1, len - (size_t)(sp + 1 - s), &t, why))
		return -1;
	*out = (int64_t)day * 1000000000LL + t;
	return 0;
}

int day_parse_iso(const char *s, int32_t *out)
{
	const char *why;
	size_t len = strlen(s);
	if (len != 10 || s[4] != '-')
		return -1;
	return day_parse(s, len, out, &why);
}

int32_t month_add(int32_t yyyymm, int months)
{
	int idx = (yyyymm / 100) * 12 + (yyyymm % 100 - 1) + months;
	return (idx / 12) * 100 + idx % 12 + 1;
}

int64_t day_number(int32_t yyyymmdd)
{
	/* Howard Hinnant's days_from_civil. */
	int64_t y = yyyymmdd / 10000, m = yyyymmdd / 100 % 100, d = yyyymmdd % 100;
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int32_t day_from_number(int64_t z)
{
	/* Howard Hinnant's civil_from_days. */
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = yoe + era * 400 + (m <= 2);
	return (int32_t)(y * 10000 + m * 100 + d);
}

int32_t day_quarter_start(int32_t d)
{
	int32_t m = d / 100 % 100;
	return d / 10000 * 10000 + ((m - 1) / 3 * 3 + 1) * 100 + 1;
}

int age_on(int32_t birth, int32_t on)
{
	int a;
	if (on < birth)
		return -1;
	/* MMDD compared: 0228 < 0229 <= 0301 gives 29 February's rule */
	a = (int)(on / 10000 - birth / 10000);
	return on % 10000 < birth % 10000 ? a - 1 : a;
}

int age_at_quarter_start(int32_t birth, int32_t d)
{
	return age_on(birth, day_quarter_start(d));
}

int period_covers(int32_t from, int32_t to, int32_t d, enum period_end end)
{
	if (from && d < from)
		return 0;
	if (!to)
		return 1;
	return end == PERIOD_TO_INCLUSIVE ? d <= to : d < to;
}

int32_t day_add_months(int32_t d, int n)
{
	int32_t ym = month_add(d / 100, n);
	int last = month_days((int)(ym / 100), (int)(ym % 100));
	int day = (int)(d % 100);
	return ym * 100 + (day > last ? last : day);
}

int32_t day_add_days(int32_t d, int n)
{
	return day_from_number(day_number(d) + n);
}

int32_t day_half_year(int32_t d)
{
	return d / 10000 * 10 + (d / 100 % 100 <= 6 ? 1 : 2);
}

int32_t day_half_year_start(int32_t d)
{
	return d / 10000 * 10000 + (d / 100 % 100 <= 6 ? 101 : 701);
}

char *month_format(int32_t v, char buf[DATE_BUFSZ])
{
	snprintf(buf, DATE_BUFSZ, "%04d-%02d", (int)(v / 100), (int)(v % 100));
	return buf;
}

char *day_format(int32_t v, char buf[DATE_BUFSZ])
{
	snprintf(buf, DATE_BUFSZ, "%04d-%02d-%02d", (int)(v / 10000),
		 (int)(v / 100 % 100), (int)(v % 100));
	return buf;
}

char *timestamp_format(int64_t ts, char buf[DATE_BUFSZ])
{
	int32_t day = (int32_t)(ts / 1000000000LL);
	int t = (int)(ts % 1000000000LL);
	snprintf(buf, DATE_BUFSZ, "%04d-%02d-%02d %02d:%02d:%02d.%03d",
		 (int)(day / 10000) % 10000, (int)(day / 100 % 100), (int)(day % 100),
		 t / 10000000 % 100, t / 100000 % 100, t / 1000 % 100, t % 1000);
	return buf;
}
