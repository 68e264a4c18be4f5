/*
 * The workbook's cells from the night's CSV cells (stages/workbook/cells.h)
 * and conf/workbook.conf (wbconf.h): text keeps leading zeros and months,
 * amounts are exact øre (never through a double), dates and timestamps
 * are refused when they are no date, CPR masked in text and cpr columns
 * (also a CPR whose date part is wrong), nothing masked with 'cpr full';
 * the conf's malformed lines refused with file:line.
 */
#include "stages/workbook/cells.h"
#include "stages/workbook/wbconf.h"
#include "test.h"

static void text_is(const char *s, enum term_type t, int mask, const char *want)
{
	struct cell c;
	const char *why = NULL;
	int rc = cell_parse(s, t, mask, &c, &why);
	CHECK(rc == 0 && c.kind == CELL_TEXT && !strcmp(c.text.buf, want) &&
	      c.width == utf8_width(want), "'%s' (type %d, mask %d): text '%s', want '%s'", s,
	      (int)t, mask, c.kind == CELL_TEXT ? c.text.buf : "(not text)", want);
	cell_release(&c);
}

static void amount_is(const char *s, money_t ore)
{
	struct cell c;
	const char *why = NULL;
	int rc = cell_parse(s, TERM_AMOUNT, 1, &c, &why);
	CHECK(rc == 0 && c.kind == CELL_AMOUNT && c.ore == ore, "'%s': %lld øre, want %lld", s,
	      (long long)c.ore, (long long)ore);
	cell_release(&c);
}

static void refused(const char *s, enum term_type t)
{
	struct cell c;
	const char *why = NULL;
	CHECK(cell_parse(s, t, 1, &c, &why) == -1 && why && *why, "'%s' (type %d) refused", s,
	      (int)t);
	cell_release(&c);
}

static void test_cells(void)
{
	struct cell c;
	const char *why;
	/* Text stays as it stands: leading zeros, a month, an id. */
	text_is("0013", TERM_TEXT, 1, "0013");
	text_is("06058", TERM_TEXT, 1, "06058");
	text_is("2021-02", TERM_TEXT, 1, "2021-02");
	text_is("29757895", TERM_TEXT, 1, "29757895");
	text_is("0299000000015", TERM_TEXT, 1, "0299000000015");
	text_is("c8ac2ef75f7b5be3", TERM_TEXT, 1, "c8ac2ef75f7b5be3");
	/* CPR: masked in a cpr column and anywhere in text; full when asked. */
	text_is("0101016666", TERM_CPR, 1, "010101-xxxx");
	text_is("0909721188", TERM_CPR, 1, "090972-xxxx");
	text_is("010101-6666", TERM_CPR, 1, "010101-xxxx");
	text_is("6013851234", TERM_CPR, 1, "601385-xxxx");	/* month 13: still masked */
	text_is("0101016666", TERM_CPR, 0, "0101016666");
	text_is("UKENDT", TERM_CPR, 1, "UKENDT");
	text_is("0101016666", TERM_TEXT, 1, "010101-xxxx");	/* a key that is a CPR */
	text_is("dublet (af 0909721188 linje 2)", TERM_TEXT, 1, "dublet (af 090972-xxxx linje 2)");
	text_is("dublet (af 0909721188 linje 2)", TERM_TEXT, 0, "dublet (af 0909721188 linje 2)");
	text_is("bilag 209715200", TERM_TEXT, 1, "bilag 209715200");
	text_is("Ø-7 Æbleø", TERM_TEXT, 1, "Ø-7 Æbleø");
	CHECK(utf8_width("Ø-7 Æbleø") == 9, "width counts characters, not bytes");
	/* Amounts: Danish notation to exact øre. */
	amount_is("1278002,64", 127800264);
	amount_is("-3700,00", -370000);
	amount_is("0,00", 0);
	amount_is("263,52", 26352);
	amount_is("5,2", 520);
	amount_is("99999999999999,99", 9999999999999999LL);
	refused("1278002.64", TERM_AMOUNT);
	refused("1,2E+09", TERM_AMOUNT);
	refused("abc", TERM_AMOUNT);
	/* Counts. */
	CHECK(cell_parse("126", TERM_INTEGER, 1, &c, &why) == 0 && c.kind == CELL_INTEGER &&
	      c.integer == 126, "an age in days");
	cell_release(&c);
	refused("12a", TERM_INTEGER);
	refused("1,5", TERM_INTEGER);
	refused("-", TERM_INTEGER);
	/* Days and timestamps. */
	CHECK(cell_parse("2021-02-05", TERM_DATE, 1, &c, &why) == 0 && c.kind == CELL_DATE &&
	      c.year == 2021 && c.month == 2 && c.day == 5, "a day");
	cell_release(&c);
	refused("2021-02-30", TERM_DATE);
	refused("2021-02", TERM_DATE);
	refused("05-02-2021", TERM_DATE);
	CHECK(cell_parse("2026-11-30T09:15:42Z", TERM_DATETIME, 1, &c, &why) == 0 &&
	      c.kind == CELL_DATETIME && c.year == 2026 && c.month == 11 && c.day == 30 &&
	      c.hour == 9 && c.min == 15 && c.sec == 42, "a timestamp");
	cell_release(&c);
	refused("2026-11-30 09:15:42", TERM_DATETIME);
	refused("2026-11-30T24:00:00Z", TERM_DATETIME);
	refused("2026-11-31T09:15:42Z", TERM_DATETIME);
	refused("2026-11-30T09:15:4xZ", TERM_DATETIME);
	/* Empty is blank, whatever the type. */
	for (int t = TERM_TEXT; t <= TERM_INTEGER; t++) {
		CHECK(cell_parse("", (enum term_type)t, 1, &c, &why) == 0 && c.kind == CELL_BLANK,
		      "empty type %d is blank", t);
		cell_release(&c);
	}
}

/* A column's width counts an amount as money_format_grouped() shows it,
 * without formatting it: every digit count, both signs, the extremes. */
static void test_amount_width(void)
{
	static const money_t v[] = { 0, 1, 99, 100, 999, 99999, 100000, 99999999, 100000000,
				     127800264, 99999999999, 100000000000, INT64_MAX };
	char b[MONEY_BUFSZ];
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		for (int sign = 1; sign >= -1; sign -= 2) {
			money_t x = v[i] * sign;
			size_t want = strlen(money_format_grouped(x, b));
			CHECK(amount_width(x) == want, "%lld øre: width %zu, want %zu ('%s')",
			      (long long)x, amount_width(x), want, b);
		}
	CHECK(amount_width(INT64_MIN) == strlen(money_format_grouped(INT64_MIN, b)),
	      "INT64_MIN: width %zu, want '%s'", amount_width(INT64_MIN), b);
}

static void conf_refused(const char *text, int line, const char *what)
{
	struct wb_conf c;
	char msg[1024], want[128];
	struct test_capture cap;
	const char *path = test_text_file(text);
	snprintf(want, sizeof(want), "%s:%d:", path, line);
	test_stderr_start(&cap);
	CHECK(wb_conf_load(path, &c) == -1, "refused: %s", what);
	unlink(path);
	test_stderr_stop(&cap, msg, sizeof(msg));
	CHECK(strstr(msg, want) != NULL, "%s: the error names %s: %s", what, want, msg);
}

static void test_conf(void)
{
	struct wb_conf c;
	const char *p;
	CHECK(wb_conf_load("conf/workbook.conf", &c) == 0 && c.mask_cpr == 1,
	      "the shipped conf masks CPR");
	CHECK(wb_conf_load("/nonexistent/workbook.conf", &c) == 0 && c.mask_cpr == 1,
	      "no conf: masked");
	p = test_text_file("# full numbers for the clerk's own copy\ncpr full\n");
	CHECK(wb_conf_load(p, &c) == 0 && c.mask_cpr == 0, "cpr full");
	unlink(p);
	conf_refused("cpr open\n", 1, "an unknown word");
	conf_refused("cpr\n", 1, "cpr without a word");
	conf_refused("cpr masked\ncpr full\n", 2, "cpr twice");
	conf_refused("\n# x\nsheets all\n", 3, "an unknown directive");
}

int main(void)
{
	test_cells();
	test_amount_width();
	test_conf();
	return test_done();
}
