/*
 * recon_summary_ensure (match/recon.h): a row of zeros only where no row
 * of that SE, month and key is; the same answer as a scan of every row,
 * before and after its index grows, for rows added by recon_summary
 * after the index was built, and for a place a stage gave two rows;
 * recon_code_count counts exceptions by code.
 */
#include <stdio.h>
#include <string.h>

#include "match/recon.h"
#include "test.h"

/* The old rule, a scan: is there a row of se, month and key? */
static int has_row(const struct recon_out *r, const char *se, int32_t month, const char *key)
{
	for (size_t i = 0; i < r->nsum; i++)
		if (r->sum[i].month == month && !strcmp(r->sum[i].se, se) &&
		    !strcmp(r->sum[i].key, key))
			return 1;
	return 0;
}

static size_t rows_of(const struct recon_out *r, const char *se, int32_t month, const char *key)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nsum; i++)
		n += r->sum[i].month == month && !strcmp(r->sum[i].se, se) &&
		     !strcmp(r->sum[i].key, key);
	return n;
}

int main(void)
{
	struct recon_out r;
	char key[32];
	size_t before;
	int wrong = 0;

	memset(&r, 0, sizeof(r));
	r.recon = "test";
	/* 1000 recipients of one SE and month, then two of another month */
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "%04d", i);
		recon_summary(&r, "29757895", 202108, key, i, 0, 0);
	}
	recon_summary(&r, "29757895", 202107, "0001", 1, 0, 0);
	recon_summary(&r, "29757895", 202107, "0001", 2, 0, 0);	/* twice: a stage's */
	before = r.nsum;
	recon_summary_ensure(&r, "29757895", 202108, "0500");
	recon_summary_ensure(&r, "29757895", 202107, "0001");
	CHECK(r.nsum == before, "a place that has a row gets none (%zu rows, want %zu)",
	      r.nsum, before);
	recon_summary_ensure(&r, "29757895", 202107, "0500");
	recon_summary_ensure(&r, "12345678", 202108, "0500");
	recon_summary_ensure(&r, "29757895", 202108, "KY->DEBITOR");
	CHECK(r.nsum == before + 3 && r.sum[before].left == 0 && r.sum[before].month == 202107,
	      "three new places get a row of zeros each (%zu rows)", r.nsum);
	recon_summary_ensure(&r, "12345678", 202108, "0500");
	CHECK(r.nsum == before + 3, "asked again, no second row");

	/* rows added after the index was built, past several of its growths */
	for (int i = 1000; i < 5000; i++) {
		snprintf(key, sizeof(key), "%04d", i);
		recon_summary(&r, "29757895", 202108, key, i, 0, 0);
	}
	before = r.nsum;
	for (int i = 0; i < 6000; i += 7) {
		snprintf(key, sizeof(key), "%04d", i);
		int had = has_row(&r, "29757895", 202108, key);
		size_t n0 = r.nsum;
		recon_summary_ensure(&r, "29757895", 202108, key);
		wrong += (r.nsum != n0 + !had) || rows_of(&r, "29757895", 202108, key) != 1;
	}
	CHECK(!wrong, "the index answers as a scan of every row does (%d wrong)", wrong);
	CHECK(r.nsum == before + (6000 - 5000 + 6) / 7,
	      "only the keys past 4999 were added (%zu)", r.nsum - before);
	CHECK(rows_of(&r, "29757895", 202107, "0001") == 2,
	      "a place given two rows by its stage keeps both");

	/* recon_code_count: by the code's text, whatever its address */
	{
		char code[] = "mangler-i-erp";
		recon_exception(&r, "29757895", 202108, "0001", NULL, 1, "mangler-i-erp", "t");
		recon_exception(&r, "29757895", 202108, "0002", NULL, 2, "ukendt-postering", "t");
		recon_exception(&r, "29757895", 202108, "0003", NULL, 3, code, "t");
		CHECK(recon_code_count(&r, "mangler-i-erp") == 2 &&
		      recon_code_count(&r, "ukendt-postering") == 1 &&
		      recon_code_count(&r, "afvist") == 0 && r.nexc == 3,
		      "exceptions counted by code (%llu, %llu)",
		      (unsigned long long)recon_code_count(&r, "mangler-i-erp"),
		      (unsigned long long)recon_code_count(&r, "ukendt-postering"));
	}
	recon_free(&r);
	CHECK(r.nsum == 0 && r.nsumidx == 0, "recon_free clears the index");
	CHECK(recon_code_count(&r, "mangler-i-erp") == 0, "recon_free forgets the counts");
	return test_done();
}
