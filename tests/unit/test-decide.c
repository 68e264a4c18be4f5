/*
 * The initials of a new decision (driver/decide.h, tester finding 8): 2 to
 * 8 letters, Danish letters counted as one; digits, blanks, signs, one
 * letter, a whole name and broken UTF-8 refused.
 */
#include <stdio.h>

#include "driver/decide.h"
#include "test.h"

int main(void)
{
	static const char *const good[] = { "AB", "ab", "ÆØ", "ÅSE", "JÉRÔME", "ABCDEFGH",
					     "ÆØÅÆØÅÆØ" };
	static const char *const bad[] = { "", "A", "Æ", "1", "a1", "A1", "A B", "A.B", "A-B",
					   "A_B", "ABCDEFGHI", "ABCDEFGHIJKL", "ÆØÅÆØÅÆØÅ", "A×B",
					   "A÷B", "\xc3", "A\xc3(", "\xe2\x82\xac\xe2\x82\xac",
					   "0101901234" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(decide_initials_bad(good[i]) == NULL, "initials '%s' accepted", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(decide_initials_bad(bad[i]) != NULL, "initials #%zu refused", i);
	return test_done();
}
