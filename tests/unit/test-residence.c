/*
 * Residence on a date (match/residence.h): the paying municipality of a
 * CPR on a day over [Fra, Til) periods, seed 000 rule 2 (folkeoplysnings-
 * loven § 43): a move counts from its day, the betalingskommune wins,
 * unknown CPR, no period, overlapping periods. The store-reading half is
 * t0270-residence.
 */
#include <string.h>

#include "match/residence.h"
#include "test.h"

static struct residence_row rows[] = {	/* sorted by (cpr, fra), as residence_load() leaves them */
	{ "0101701118", "0265", "0101", 20200101, 0 },		/* § 43 stk. 3: 0101 pays */
	{ "1202993078", "0265", "", 20150501, 20250215 },	/* Carla: 0265 ... */
	{ "1202993078", "0163", "", 20250215, 0 },		/* ... then 0163 from 15 Feb */
	{ "1504901234", "0101", "", 20200101, 20250401 },	/* overlapping periods */
	{ "1504901234", "0175", "", 20250301, 0 },
	{ "2001001234", "0147", "", 20240101, 20240601 },	/* moved abroad */
};

static const char *at(const char *cpr, int32_t day, int *ncover)
{
	static char out[32];
	char payer[KOMMUNE_LEN + 1];
	struct residence_index ri = { rows, sizeof(rows) / sizeof(rows[0]), { 0 }, "" };
	const struct residence_row *row;
	static const char *const names[] = { "ok", "unknown-cpr", "none", "ambiguous" };
	enum residence_rc rc = residence_at(&ri, cpr, day, payer, &row, ncover);
	if (rc == RES_OK && (!row || strcmp(row->cpr, cpr)))
		return "row missing";
	if (rc != RES_OK && (row || payer[0]))
		return "payer or row set without a payer";
	memcpy(out, rc == RES_OK ? payer : names[rc], strlen(rc == RES_OK ? payer : names[rc]) + 1);
	return out;
}

int main(void)
{
	int n = -1;
	CHECK(!strcmp(at("1202993078", 20250203, &n), "0265") && n == 1,
	      "Carla on 2025-02-03 lives in 0265: %s", at("1202993078", 20250203, NULL));
	CHECK(!strcmp(at("1202993078", 20250214, NULL), "0265"), "the day before the move: 0265");
	CHECK(!strcmp(at("1202993078", 20250215, NULL), "0163"),
	      "Til is exclusive, Fra inclusive: on the day of the move 0163");
	CHECK(!strcmp(at("1202993078", 20991231, NULL), "0163"), "an open period lasts");
	CHECK(!strcmp(at("0101701118", 20250601, NULL), "0101"),
	      "a betalingskommune pays, not the kommune of residence");
	CHECK(!strcmp(at("1202993078", 20150430, &n), "none") && n == 0,
	      "before the first period: none");
	CHECK(!strcmp(at("2001001234", 20240601, NULL), "none"), "after the last period: none");
	CHECK(!strcmp(at("0000000000", 20250101, NULL), "unknown-cpr") &&
	      !strcmp(at("9999999999", 20250101, NULL), "unknown-cpr") &&
	      !strcmp(at("1300000000", 20250101, NULL), "unknown-cpr"),
	      "a CPR the extract lacks, before, after and between its rows");
	CHECK(!strcmp(at("1504901234", 20250315, &n), "ambiguous") && n == 2,
	      "overlapping periods on the day: ambiguous, 2 rows");
	CHECK(!strcmp(at("1504901234", 20250228, NULL), "0101") &&
	      !strcmp(at("1504901234", 20250401, NULL), "0175"), "outside the overlap: one each");
	{
		struct residence_index empty = { NULL, 0, { 0 }, "" };
		char payer[KOMMUNE_LEN + 1];
		CHECK(residence_at(&empty, "1202993078", 20250203, payer, NULL, NULL) ==
		      RES_UNKNOWN_CPR, "no extract visible: every CPR unknown");
	}
	return test_done();
}
