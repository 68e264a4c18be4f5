/* Keys that are CPR numbers: recognised and masked; other keys untouched. */
#include <string.h>

#include "core/cprkey.h"
#include "test.h"

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
	return test_done();
}
