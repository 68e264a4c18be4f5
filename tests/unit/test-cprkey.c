/* Keys that are CPR numbers: recognised and masked; other keys untouched. */
#include <string.h>

#include "core/cprkey.h"
#include "core/strbuf.h"
#include "test.h"

/* cpr_mask_text() of text, as a string (static buffer). */
static const char *masked(const char *text)
{
	static struct strbuf out;
	strbuf_reset(&out);
	cpr_mask_text(text, strlen(text), &out);
	return strbuf_str(&out);
}

static void test_mask_text(void)
{
	CHECK(!strcmp(masked("Er_Accepteret '0101854321', neither"),
		      "Er_Accepteret '010185-xxxx', neither"), "a cell in a message");
	CHECK(!strcmp(masked("KY_Udbetaling_0101854321.csv"), "KY_Udbetaling_010185-xxxx.csv"),
	      "a file name");
	CHECK(!strcmp(masked("til 010185-4321."), "til 010185-xxxx."), "DDMMYY-SSSS");
	CHECK(!strcmp(masked("offset 37260000 of 209715200"), "offset 37260000 of 209715200"),
	      "nine digits (a byte count) are left");
	CHECK(!strcmp(masked("01018543210 3002011234"), "01018543210 3002011234"),
	      "eleven digits, and ten that are no date, are left");
	CHECK(!strcmp(masked("seal ab527189906787dd6af9a86f388175bcd6"),
		      "seal ab527189906787dd6af9a86f388175bcd6"), "a hex digest is left");
}

int main(void)
{
	char buf[CPR_MASKSZ];
	CHECK(key_is_cpr("0101011234") && key_is_cpr("3112999999"), "10 digits, real date");
	CHECK(!key_is_cpr("3002011234"), "30 February is no date");
	CHECK(!key_is_cpr("010101-1234"), "a key with a dash is not 10 digits");
	CHECK(!key_is_cpr("010101123") && !key_is_cpr("01010112345"), "9 or 11 digits");
	CHECK(!key_is_cpr("11067") && !key_is_cpr("") && !key_is_cpr("SKATTEKONTO"),
	      "ordinary keys");
	CHECK(!strcmp(key_masked("0101011234", buf), "010101-xxxx"), "a CPR key is masked");
	CHECK(!strcmp(key_masked("11067", buf), "11067"), "another key is left as it is");
	CHECK(!strcmp(key_masked("TOTAL", buf), "TOTAL"), "TOTAL");
	test_mask_text();
	return test_done();
}
