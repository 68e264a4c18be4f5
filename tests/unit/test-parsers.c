/* Money, dates, CPR, SE/CVR and EAN: the hard cases of the issue and the spec. */
#include <stdint.h>
#include <string.h>

#include "core/date.h"
#include "core/ident.h"
#include "core/money.h"
#include "test.h"

static void money_ok(const char *s, unsigned flags, money_t want)
{
	money_t v = -1;
	const char *why = "";
	int rc = money_parse(s, strlen(s), flags, &v, &why);
	CHECK(rc == 0 && v == want, "money '%s': rc %d value %lld want %lld (%s)", s, rc,
	      (long long)v, (long long)want, why);
}

static void money_bad(const char *s, unsigned flags)
{
	money_t v;
	const char *why = NULL;
	CHECK(money_parse(s, strlen(s), flags, &v, &why) == -1 && why,
	      "money '%s' accepted, should be rejected", s);
}

static void test_money(void)
{
	char b[MONEY_BUFSZ];
	money_ok("1.278.002,64", 0, 127800264);
	money_ok("-5.837,42", 0, -583742);
	money_ok("17223,26", 0, 1722326);
	money_ok("0", 0, 0);
	money_ok("399,00", 0, 39900);
	money_ok("21898,4", 0, 2189840);	/* Figur 15 prints one decimal */
	money_ok(" 7349 ", 0, 734900);
	money_ok("8.540,00-", MONEY_TRAILING_MINUS, -854000);
	money_bad("1,2,3", 0);
	money_bad("12.34", 0);
	money_bad("1.2345", 0);
	money_bad("1234.567", 0);
	money_bad(".5", 0);
	money_bad("1,234", 0);
	money_bad("1,", 0);
	money_bad("", 0);
	money_bad("-", 0);
	money_bad("12a", 0);
	money_bad("+5", 0);
	money_bad("8.540,00-", 0);
	money_bad("99999999999999999999", 0);
	money_bad("1e5", 0);
	CHECK(!strcmp(money_format(-583742, b), "-5837,42"), "format %s", b);
	CHECK(!strcmp(money_format(0, b), "0,00"), "format %s", b);
	CHECK(!strcmp(money_format(5, b), "0,05"), "format %s", b);
	CHECK(!strcmp(money_format(-5, b), "-0,05"), "format %s", b);
	CHECK(!strcmp(money_format_grouped(127800264, b), "1.278.002,64"), "grouped %s", b);
	CHECK(!strcmp(money_format_grouped(-100000, b), "-1.000,00"), "grouped %s", b);
	CHECK(!strcmp(money_format(INT64_MIN, b), "-92233720368547758,08"), "min %s", b);
	/* grouped at every length, against the printf-made text it replaced */
	CHECK(!strcmp(money_format_grouped(0, b), "0,00"), "grouped %s", b);
	CHECK(!strcmp(money_format_grouped(-7, b), "-0,07"), "grouped %s", b);
	CHECK(!strcmp(money_format_grouped(99999, b), "999,99"), "grouped %s", b);
	CHECK(!strcmp(money_format_grouped(100000, b), "1.000,00"), "grouped %s", b);
	CHECK(!strcmp(money_format_grouped(-12345678901, b), "-123.456.789,01"), "grouped %s", b);
	CHECK(!strcmp(money_format_grouped(INT64_MIN, b), "-92.233.720.368.547.758,08"),
	      "grouped min %s", b);
	CHECK(!strcmp(money_format(INT64_MAX, b), "92233720368547758,07"), "max %s", b);
	money_t acc = INT64_MAX;
	CHECK(money_add(&acc, 1) == -1 && acc == INT64_MAX, "overflow detected");
}

static void test_dates(void)
{
	int32_t v;
	int64_t ts;
	const char *why;
	char b[DATE_BUFSZ];
	CHECK(month_parse("2021-02", 7, &v, &why) == 0 && v == 202102, "2021-02");
	CHECK(month_parse("02-2021", 7, &v, &why) == 0 && v == 202102, "02-2021");
	CHECK(month_parse("2021.02", 7, &v, &why) == 0 && v == 202102, "2021.02");
	CHECK(month_parse("202102", 6, &v, &why) == 0 && v == 202102, "202102");
	CHECK(month_parse("2021-13", 7, &v, &why) == -1, "month 13 rejected");
	CHECK(month_parse("21-02", 5, &v, &why) == -1, "short month rejected");
	CHECK(day_parse("2021-01-29", 10, &v, &why) == 0 && v == 20210129, "iso day");
	CHECK(day_parse("15-11-2021", 10, &v, &why) == 0 && v == 20211115, "dmy day");
	CHECK(day_parse("2021-02-29", 10, &v, &why) == -1, "not a leap year");
	CHECK(day_parse("2020-02-29", 10, &v, &why) == 0, "leap year");
	CHECK(timestamp_parse("2021-02-01 18.01.28.966", 23, &ts, &why) == 0 &&
	      ts == 20210201180128966LL, "KY timestamp %lld", (long long)ts);
	CHECK(timestamp_parse("2021-01-29 00:00:00.0", 21, &ts, &why) == 0 &&
	      ts == 20210129000000000LL, "timestamp .0");
	CHECK(timestamp_parse("2021-01-29 00:00:00", 19, &ts, &why) == 0, "no fraction");
	CHECK(timestamp_parse("2021-02-01 18.01.215", 20, &ts, &why) == -1,
	      "Figur 16's broken timestamp rejected");
	CHECK(!strcmp(timestamp_format(20210201180128966LL, b), "2021-02-01 18:01:28.966"),
	      "format %s", b);
	CHECK(month_add(202101, -1) == 202012 && month_add(202112, 1) == 202201, "month_add");
	CHECK(day_number(20210205) - day_number(20201231) == 36, "day_number");
}

static void cpr_ok(const char *s, unsigned flags, const char *want, int mod11)
{
	char out[CPR_LEN + 1] = "";
	int ok = -1;
	const char *why = "";
	int rc = cpr_parse(s, strlen(s), flags, out, &ok, &why);
	CHECK(rc == 0 && !strcmp(out, want) && ok == mod11, "cpr '%s' -> %d '%s' mod11 %d (%s)",
	      s, rc, out, ok, why);
}

static void test_ident(void)
{
	char out[16], m[CPR_MASKSZ];
	int ok, birth;
	const char *why;
	cpr_ok("070761-4285", 0, "0707614285", 1);
	cpr_ok("0707614285", 0, "0707614285", 1);
	cpr_ok("010101-1235", 0, "0101011235", 0);	/* valid date, fails mod 11 */
	cpr_ok("707614285", CPR_PAD_LEADING_ZERO, "0707614285", 1);
	CHECK(cpr_parse("707614285", 9, 0, out, &ok, &why) == -1, "9 digits without pad");
	CHECK(cpr_parse("320121-1234", 11, 0, out, &ok, &why) == -1, "day 32");
	CHECK(cpr_parse("290221-1234", 11, 0, out, &ok, &why) == -1, "29 Feb 1921");
	CHECK(cpr_parse("290200-4234", 11, 0, out, &ok, &why) == 0, "29 Feb 2000 (digit 4)");
	CHECK(cpr_parse("07076-14285", 11, 0, out, &ok, &why) == -1, "dash in the wrong place");
	CHECK(cpr_parse("0707614285x", 11, 0, out, &ok, &why) == -1, "letter");
	CHECK(cpr_birth_date("0101585000", &birth) == 0 && birth == 18580101, "1858 (digit 5)");
	CHECK(cpr_birth_date("0101365000", &birth) == 0 && birth == 20360101, "2036 (digit 5)");
	CHECK(cpr_birth_date("0101374000", &birth) == 0 && birth == 19370101, "1937 (digit 4)");
	CHECK(!strcmp(cpr_mask("0707614285", m), "070761-xxxx"), "mask %s", m);
	CHECK(se_parse("29757895", 8, out, &why) == 0, "SE of the guide");
	CHECK(se_parse("29757894", 8, out, &why) == -1, "SE mod 11");
	CHECK(se_parse("2975789", 7, out, &why) == -1, "SE 7 digits");
	CHECK(ean_parse("5798000416604", 13, out, &why) == 0, "EAN check digit: %s", why);
	CHECK(ean_parse("5798000416605", 13, out, &why) == -1, "EAN wrong check digit");
	CHECK(ean_parse("579800041660", 12, out, &why) == -1, "EAN 12 digits");
}

int main(void)
{
	test_money();
	test_dates();
	test_ident();
	return test_done();
}
