/*
 * The calendar helpers of core/date.h on their hard cases (issue 16; the
 * table D1-D62 of its design): quarter boundaries, 29 February, turning 18
 * on a quarter's first day and the day after, inclusive and exclusive
 * period ends, month ends, half-years; and every day 1999-2030 against a
 * calendar computed here without the helpers.
 */
#include <stdint.h>

#include "core/date.h"
#include "test.h"

#define EQ(call, want) CHECK((call) == (want), "%s = %lld, want %lld", #call, \
			     (long long)(call), (long long)(want))

static void test_quarter_start(void)
{
	EQ(day_quarter_start(20250101), 20250101);	/* D1 a quarter's first day is its start */
	EQ(day_quarter_start(20250201), 20250101);	/* D2 rate 1's due date: Q1 */
	EQ(day_quarter_start(20250331), 20250101);	/* D3 last day of Q1 */
	EQ(day_quarter_start(20250401), 20250401);	/* D4 first day of Q2 */
	EQ(day_quarter_start(20250630), 20250401);	/* D5 last day of Q2 */
	EQ(day_quarter_start(20250701), 20250701);	/* D6 */
	EQ(day_quarter_start(20251001), 20251001);	/* D7 */
	EQ(day_quarter_start(20251231), 20251001);	/* D8 last day of the year */
	EQ(day_quarter_start(20240229), 20240101);	/* D9 29 February */
}

static void test_age(void)
{
	EQ(age_on(20070401, 20250331), 17);	/* D10 the day before the 18th birthday */
	EQ(age_on(20070401, 20250401), 18);	/* D11 on it */
	EQ(age_on(20080229, 20260228), 17);	/* D12 born 29 Feb: 28 Feb of a common year */
	EQ(age_on(20080229, 20260301), 18);	/* D13 ... 1 March */
	EQ(age_on(20080229, 20280228), 19);	/* D14 28 Feb of a leap year, not yet */
	EQ(age_on(20080229, 20280229), 20);	/* D15 29 Feb of a leap year */
	EQ(age_on(20250315, 20250314), -1);	/* D16 before birth */
	EQ(age_on(20250315, 20250315), 0);	/* D17 the day of birth */
}

/* Seed 003 rule 6: the age at the start of the due date's quarter. */
static void test_age_at_quarter_start(void)
{
	EQ(age_at_quarter_start(20070401, 20250401), 18);	/* D18 18 on the quarter's first day */
	EQ(age_at_quarter_start(20070401, 20250630), 18);	/* D19 same quarter, later */
	EQ(age_at_quarter_start(20070402, 20250401), 17);	/* D20 18 the day after */
	EQ(age_at_quarter_start(20070402, 20250630), 17);	/* D21 ... all of Q2 */
	EQ(age_at_quarter_start(20070402, 20250701), 18);	/* D22 ... 18 from Q3 */
	EQ(age_at_quarter_start(20070331, 20250331), 17);	/* D23 18 on Q1's last day */
	EQ(age_at_quarter_start(20070331, 20250401), 18);	/* D24 ... Q2 charged */
	EQ(age_at_quarter_start(20070101, 20250101), 18);	/* D25 18 on 1 January */
	EQ(age_at_quarter_start(20070102, 20250215), 17);	/* D26 18 on 2 January */
	EQ(age_at_quarter_start(20070210, 20250201), 17);	/* D27 S3 Carl, rate 1 */
	EQ(age_at_quarter_start(20070210, 20250401), 18);	/* D28 S3 Carl, rate 2 */
	EQ(age_at_quarter_start(20070520, 20250401), 17);	/* D29 S2 Bea, rate 2 */
	EQ(age_at_quarter_start(20060302, 20250201), 18);	/* D30 S6 Frida */
	EQ(age_at_quarter_start(20080229, 20260201), 17);	/* D31 born 29 Feb, Q1 2026 */
	EQ(age_at_quarter_start(20080229, 20260401), 18);	/* D32 Q2 2026 */
	EQ(age_at_quarter_start(20080229, 20260228), 17);	/* D33 due 28 Feb 2026 */
	EQ(age_at_quarter_start(20080229, 20280229), 19);	/* D34 due 29 Feb 2028 */
	EQ(age_at_quarter_start(20080229, 20280401), 20);	/* D35 Q2 2028 */
}

static void test_period(void)
{
	const enum period_end in = PERIOD_TO_INCLUSIVE, ex = PERIOD_TO_EXCLUSIVE;
	EQ(period_covers(20250115, 20281231, 20250201, in), 1);	/* D36 S3's agreement */
	EQ(period_covers(20250201, 20250201, 20250201, in), 1);	/* D37 one day, on the day */
	EQ(period_covers(20250202, 20281231, 20250201, in), 0);	/* D38 starts the day after */
	EQ(period_covers(20240101, 20250131, 20250201, in), 0);	/* D39 ended the day before */
	EQ(period_covers(20240101, 0, 20250201, in), 1);		/* D40 no end */
	EQ(period_covers(0, 20250201, 20250201, in), 1);		/* D41 no start */
	EQ(period_covers(20250106, 20250620, 20250620, in), 1);	/* D42 the end day, inclusive */
	EQ(period_covers(20250106, 20250620, 20250620, ex), 0);	/* D43 [Fra, Til) */
	EQ(period_covers(20250106, 20250620, 20250619, ex), 1);	/* D44 the day before Til */
	EQ(period_covers(0, 0, 20250619, ex), 1);			/* no bounds */
	EQ(period_covers(20250620, 20250106, 20250301, in), 0);	/* from > to: nothing */
}

static void test_add(void)
{
	EQ(day_add_months(20250131, 1), 20250228);	/* D45 clamped */
	EQ(day_add_months(20240131, 1), 20240229);	/* D46 leap year */
	EQ(day_add_months(20240229, 12), 20250228);	/* D47 */
	EQ(day_add_months(20240229, 48), 20280229);	/* D48 */
	EQ(day_add_months(20250331, -1), 20250228);	/* D49 */
	EQ(day_add_months(20250115, -1), 20241215);	/* D50 back across a year end */
	EQ(day_add_months(20251130, 3), 20260228);	/* D51 */
	EQ(day_add_months(20250531, 1), 20250630);	/* D52 */
	EQ(day_add_months(20250101, 0), 20250101);	/* D53 */
	EQ(day_half_year(20250101), 20251);		/* D54 */
	EQ(day_half_year(20250630), 20251);		/* D55 */
	EQ(day_half_year(20250701), 20252);		/* D56 */
	EQ(day_half_year(20241231), 20242);		/* D57 */
	EQ(day_half_year_start(20250630), 20250101);	/* D58 */
	EQ(day_half_year_start(20251231), 20250701);	/* D59 */
	EQ(day_add_days(20250315, 30), 20250414);	/* D60 the night's lookahead */
	EQ(day_add_days(20240228, 1), 20240229);	/* D61 into 29 Feb */
	EQ(day_add_days(20250228, 1), 20250301);	/* D62 common year */
	EQ(day_add_days(20250301, -1), 20250228);
	EQ(day_add_days(20241231, 1), 20250101);
}

/* Every day 1999-2030, walked by hand, against the helpers. */
static void test_calendar(void)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int bad = 0, days = 0;
	int64_t n0 = day_number(19990101);
	for (int y = 1999; y <= 2030; y++)
		for (int m = 1; m <= 12; m++) {
			int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
			int last = mdays[m - 1] + (m == 2 && leap);
			for (int d = 1; d <= last; d++, days++) {
				int32_t x = y * 10000 + m * 100 + d;
				int32_t q = y * 10000 + ((m - 1) / 3 * 3 + 1) * 100 + 1;
				bad += day_from_number(day_number(x)) != x;
				bad += day_number(x) != n0 + days;
				bad += day_quarter_start(x) != q;
				bad += day_add_days(x, 1) != (d < last ? x + 1 : m < 12 ?
							      y * 10000 + (m + 1) * 100 + 1 :
							      (y + 1) * 10000 + 101);
				bad += day_half_year(x) != y * 10 + (m <= 6 ? 1 : 2);
				bad += !day_is_valid(y, m, d) || day_is_valid(y, m, last + 1);
			}
		}
	CHECK(bad == 0 && days == 11688, "calendar 1999-2030: %d of %d days wrong", bad, days);
}

int main(void)
{
	test_quarter_start();
	test_age();
	test_age_at_quarter_start();
	test_period();
	test_add();
	test_calendar();
	return test_done();
}
