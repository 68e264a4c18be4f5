/*
 * Substitute CPR numbers (erstatningspersonnumre: the day raised by 60,
 * days 61-91; ../shared/spec/inputs.md): valid like any other CPR, and the
 * birth date they give is the day less 60 (issue 16: the EASY-A fixtures'
 * students have them, and rule 6 needs their age).
 */
#include <string.h>

#include "core/ident.h"
#include "test.h"

/* s parses as a CPR, kept as its 10 digits, born on want. */
static void substitute(const char *s, const char *digits, int want)
{
	char out[CPR_LEN + 1] = "";
	const char *why = "";
	int ok, birth = 0, rc = cpr_parse(s, strlen(s), 0, out, &ok, &why);
	CHECK(rc == 0 && !strcmp(out, digits), "cpr '%s' -> %d '%s' (%s)", s, rc, out, why);
	CHECK(rc == 0 && cpr_birth_date(out, &birth) == 0 && birth == want,
	      "cpr '%s' born %d, want %d", s, birth, want);
}

static void refused(const char *s)
{
	char out[CPR_LEN + 1];
	const char *why = NULL;
	int ok;
	CHECK(cpr_parse(s, strlen(s), 0, out, &ok, &why) == -1 && why,
	      "cpr '%s' accepted, should be refused", s);
}

int main(void)
{
	/* the brief's eight students (seeds-000-001-003.md 3.7) */
	substitute("650305-4011", "6503054011", 20050305);
	substitute("800507-4022", "8005074022", 20070520);
	substitute("700207-4033", "7002074033", 20070210);
	substitute("720399-1044", "7203991044", 19990312);	/* 7th digit 1: 1900s */
	substitute("690106-4055", "6901064055", 20060109);
	substitute("620306-4066", "6203064066", 20060302);
	substitute("710904-4077", "7109044077", 20040911);
	substitute("630803-4088", "6308034088", 20030803);
	substitute("6308034088", "6308034088", 20030803);	/* without the dash */
	/* the edges of the range: day 61 is the 1st, day 91 the 31st */
	substitute("610101-4001", "6101014001", 20010101);
	substitute("910101-4001", "9101014001", 20010131);
	/* 29 February: a leap year only, as for a real number */
	substitute("890208-4001", "8902084001", 20080229);
	substitute("290208-4001", "2902084001", 20080229);	/* the real number */
	refused("890209-4001");		/* 29 February 2009 */
	refused("910401-4001");		/* 31 April */
	refused("920101-4001");		/* day 92: 32 */
	refused("600101-4001");		/* day 60: 0 */
	refused("320101-4001");		/* day 32 is neither */
	refused("999999-9999");
	/* CPR_TRIM_BLANKS: a cell typed by hand (the refund's lists and
	 * extract); without it a blank is refused, as before */
	{
		char out[CPR_LEN + 1];
		const char *why = NULL;
		int ok;
		CHECK(cpr_parse("  650305-4011 ", 14, CPR_TRIM_BLANKS, out, &ok, &why) == 0 &&
		      !strcmp(out, "6503054011"), "blanks around, trimmed");
		CHECK(cpr_parse(" 6503054011", 11, CPR_TRIM_BLANKS, out, &ok, &why) == 0 &&
		      !strcmp(out, "6503054011"), "10 digits after a blank");
		CHECK(cpr_parse("  650305-4011 ", 14, 0, out, &ok, &why) == -1,
		      "blanks refused without the flag");
		CHECK(cpr_parse("650305 -4011", 12, CPR_TRIM_BLANKS, out, &ok, &why) == -1,
		      "a blank inside is refused");
		CHECK(cpr_parse("   ", 3, CPR_TRIM_BLANKS, out, &ok, &why) == -1, "only blanks");
		CHECK(cpr_parse(" 920101-4001 ", 13, CPR_TRIM_BLANKS, out, &ok, &why) == -1,
		      "day 92 trimmed is still no day");
		CHECK(cpr_parse(" 12345678 9", 11, CPR_TRIM_BLANKS | CPR_PAD_LEADING_ZERO, out, &ok,
				&why) == -1, "a blank inside a padded number");
		CHECK(cpr_parse(" 103054011 ", 11, CPR_TRIM_BLANKS | CPR_PAD_LEADING_ZERO, out, &ok,
				&why) == 0 && !strcmp(out, "0103054011"), "trimmed, then padded");
	}
	/* a substitute number is masked like any other */
	{
		char m[CPR_MASKSZ];
		CHECK(!strcmp(cpr_mask("6503054011", m), "650305-xxxx"), "mask %s", m);
	}
	return test_done();
}
