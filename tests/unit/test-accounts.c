/* Account roles (conf/accounts.conf) and the month-of-date column flag. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/accounts.h"
#include "stages/normalise/schema.h"
#include "test.h"

static void test_matches(void)
{
	const char *dim = "9000000000-952599065-9900000-60-9-";
	CHECK(account_matches("8.52.59", "8.52.59.001", 11), "prefix at a dot");
	CHECK(account_matches("8.52.59.001", "8.52.59.001", 11), "whole account");
	CHECK(!account_matches("8.52.5", "8.52.59.001", 11), "not inside a segment");
	CHECK(!account_matches("8.52.59.0011", "8.52.59.001", 11), "longer pattern");
	CHECK(account_matches("952599065", dim, strlen(dim)), "a segment of a dimension string");
	CHECK(!account_matches("52599065", dim, strlen(dim)), "not the tail of a segment");
	CHECK(!account_matches("9525990", dim, strlen(dim)), "not the head of a segment");
	CHECK(!account_matches("", "8.52.59", 7), "empty pattern matches nothing");
}


static void test_load(void)
{
	struct accounts a;
	const char *p = test_text_file("role renter 6.45.51\n"
				   "municipality 29757895 \"Guide kommune\"\n"
				   "role renter 6.45.52 6.45.53\n");
	const struct account_role *r;
	CHECK(accounts_load(p, &a) == 0, "valid accounts.conf loads");
	r = accounts_role(&a, "29757895", "renter");
	CHECK(r && r->naccounts == 2 && account_role_matches(r, "6.45.53", 7),
	      "a municipality's own role wins");
	r = accounts_role(&a, "12345674", "renter");
	CHECK(r && account_role_matches(r, "6.45.51.000", 11), "others use the default");
	CHECK(!accounts_role(&a, "29757895", "bank"), "a missing role is NULL");
	accounts_free(&a);
	remove(p);

	fprintf(stderr, "(expected errors follow)\n");
	p = test_text_file("role Renter 6.45.51\n");
	CHECK(accounts_load(p, &a) == -1, "upper-case role name refused");
	remove(p);
	p = test_text_file("role renter\n");
	CHECK(accounts_load(p, &a) == -1, "role without account refused");
	remove(p);
	p = test_text_file("municipality 29757896\n");
	CHECK(accounts_load(p, &a) == -1, "SE failing modulus 11 refused");
	remove(p);
	p = test_text_file("role bank 1\nrole bank 2\n");
	CHECK(accounts_load(p, &a) == -1, "a role given twice refused");
	remove(p);
}

static void test_month_of_date(void)
{
	struct value v;
	char scratch[VALUE_SCRATCH];
	const char *why;
	CHECK(value_parse(FT_MONTH, COL_MONTH_OF_DATE, "15-11-2021", 10, &v, scratch, &why) == 0 &&
	      v.num == 202111, "a day gives its month");
	CHECK(value_parse(FT_MONTH, COL_MONTH_OF_DATE, "2021-06-25 20:01:14.417", 23, &v,
			  scratch, &why) == 0 && v.num == 202106, "a timestamp gives its month");
	CHECK(value_parse(FT_MONTH, COL_MONTH_OF_DATE, "31-11-2021", 10, &v, scratch, &why) == -1,
	      "a day that does not exist is refused");
	CHECK(value_parse(FT_MONTH, COL_MONTH_OF_DATE, "2021-11", 7, &v, scratch, &why) == -1,
	      "a bare month is not a date");
	CHECK(value_parse(FT_MONTH, 0, "15-11-2021", 10, &v, scratch, &why) == -1,
	      "without the flag a day is not a month");
}

int main(void)
{
	test_matches();
	test_load();
	test_month_of_date();
	return test_done();
}
