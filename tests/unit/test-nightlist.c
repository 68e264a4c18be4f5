/* ingest/nightlist.h: a list's rows, conditions, cells and sums, its
 * vouchers; a rate's window, each id once, the most bad first, the share
 * rounded half up. The report and the workbook both show these. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/strbuf.h"
#include "ingest/nightlist.h"
#include "ingest/reportconf.h"
#include "test.h"

static char root[] = "/tmp/test-nightlist.XXXXXX";

static void put(const char *rel, const char *text)
{
	struct strbuf p = STRBUF_INIT;
	FILE *f;
	char *slash;
	strbuf_addf(&p, "%s/%s", root, rel);
	for (slash = strchr(p.buf + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(p.buf, 0700);
		*slash = '/';
	}
	f = fopen(p.buf, "w");
	fputs(text, f);
	fclose(f);
	strbuf_release(&p);
}

static int load(const char *text, struct report_conf *rc)
{
	const char *p = test_text_file(text);
	int r = report_conf_load(p, rc);
	unlink(p);
	return r;
}

/* The rows as one text: cells joined by '|', rows by '\n'. */
static int collect(void *arg, const struct list_cell *cells, int n)
{
	struct strbuf *out = arg;
	for (int c = 0; c < n; c++) {
		if (c)
			strbuf_addch(out, '|');
		if (cells[c].kind == LCELL_MONEY)
			strbuf_addf(out, "%lld", (long long)cells[c].ore);
		else if (cells[c].kind == LCELL_LINK)
			strbuf_addf(out, "<%s>", cells[c].text);
		else if (cells[c].kind == LCELL_TEXT)
			strbuf_addstr(out, cells[c].text);
	}
	strbuf_addch(out, '\n');
	return 0;
}

static void test_list(void)
{
	struct report_conf rc;
	struct nightlist_ctx nc = { 0 };
	struct strbuf out = STRBUF_INIT, dir = STRBUF_INIT;
	money_t sums[4] = { 0 };
	size_t rows = 0;
	strbuf_addf(&dir, "%s/2025-03-31", root);
	put("2025-03-31/postings/p.csv", "id;key;amount;reason;cpr\n"
	    "a1;P-EL;100,50;plan-match: x / y;0101016666\n"
	    "a2;P-VAND;;plan-match: x / y;\n"
	    "a3;P-EL;-0,50;held: z;\n");
	put("2025-03-31/vouchers/vouchers.csv", "voucher_id;reference;kind\n"
	    "V-REV;plan-bogfoering:a1;reversal\n"
	    "V-1;plan-bogfoering:a1;voucher\n"
	    "V-2;other:xa2;voucher\n");
	CHECK(load("list r T from postings/p.csv where reason^=plan columns key=Plan "
		   "sum:amount=Beløb @voucher=Bilag @code=Kode cpr=CPR @file=Fil\n", &rc) == 0,
	      "conf");
	nc.outroot = root;
	nc.nightdir = dir.buf;
	CHECK(nightlist_eval(&nc, &rc.lists[0], collect, &out, sums, &rows) == 0, "eval");
	/* a2's voucher reference does not end in ":a2"; a1's reversal is skipped;
	 * the CPR comes as it stands (the caller masks) */
	CHECK(!strcmp(out.buf, "P-EL|10050|V-1|plan-match|0101016666|<postings/p.csv>\n"
		      "P-VAND|||plan-match||<postings/p.csv>\n"), "%s", out.buf);
	CHECK(rows == 2 && sums[1] == 10050, "rows %zu sum %lld", rows, (long long)sums[1]);
	/* no callback: only counted and summed */
	rows = 0;
	memset(sums, 0, sizeof(sums));
	CHECK(nightlist_eval(&nc, &rc.lists[0], NULL, NULL, sums, &rows) == 0 && rows == 2 &&
	      sums[1] == 10050, "count only");
	report_conf_free(&rc);
	/* an amount that is none: -1 (reported file:line:column) */
	put("2025-03-31/postings/bad.csv", "id;amount\nb1;1.2.3\n");
	CHECK(load("list r T from postings/bad.csv columns sum:amount=B\n", &rc) == 0, "conf");
	rows = 0;
	CHECK(nightlist_eval(&nc, &rc.lists[0], collect, &out, sums, &rows) == -1, "bad amount");
	report_conf_free(&rc);
	/* a missing file lists nothing */
	CHECK(load("list r T from postings/none.csv columns id=Id\n", &rc) == 0, "conf");
	rows = 0;
	CHECK(nightlist_eval(&nc, &rc.lists[0], collect, &out, sums, &rows) == 0 && !rows,
	      "missing file");
	report_conf_free(&rc);
	nightlist_ctx_release(&nc);
	strbuf_release(&out);
	strbuf_release(&dir);
}

static void test_rate(void)
{
	struct report_conf rc;
	struct nightlist_ctx nc = { 0 };
	struct rate_count *c;
	size_t n;
	/* A: g1 (listed on two nights: once), g2, b1 -> 1 of 3 = 33,3 %;
	 * B: g3, b2 (b3 before the window, b4 not bad: no file) -> 1 of 2 = 50,0 %;
	 * C: g4, b5, b6 -> 2 of 3 = 66,7 % (half up), the most bad first */
	put("2025-03-31/good.csv", "id;cvr;first_seen\ng1;A;2025-03-31\ng2;A;2025-03-30\n"
	    "g3;B;2025-03-31\ng4;C;2025-03-25\n");
	put("2025-03-30/good.csv", "id;cvr;first_seen\ng1;A;2025-03-31\n");
	put("2025-03-31/bad.csv", "id;cvr;first_seen;file\nb1;A;2025-03-31;x\nb2;B;2025-03-31;x\n"
	    "b3;B;2024-01-01;x\nb4;B;2025-03-31;\nb5;C;2025-03-31;x\nb6;C;2025-03-31;y\n");
	CHECK(load("rate r T by cvr=CVR days 10 good good.csv bad bad.csv where file!=\n", &rc) == 0,
	      "conf");
	nc.outroot = root;
	CHECK(nightrate_eval(&nc, &rc.rates[0], 20250331, &c, &n) == 0, "rate");
	CHECK(n == 3, "%zu values", n);
	if (n == 3) {
		CHECK(!strcmp(c[0].by, "C") && c[0].n == 3 && c[0].bad == 2 && c[0].permille == 667,
		      "C %s %lu %lu %lu", c[0].by, c[0].n, c[0].bad, c[0].permille);
		CHECK(!strcmp(c[1].by, "A") && c[1].n == 3 && c[1].bad == 1 && c[1].permille == 333,
		      "A %s %lu %lu %lu", c[1].by, c[1].n, c[1].bad, c[1].permille);
		CHECK(!strcmp(c[2].by, "B") && c[2].n == 2 && c[2].bad == 1 && c[2].permille == 500,
		      "B %s %lu %lu %lu", c[2].by, c[2].n, c[2].bad, c[2].permille);
	}
	rate_counts_free(c, n);
	report_conf_free(&rc);
	nightlist_ctx_release(&nc);
}

int main(void)
{
	struct strbuf cmd = STRBUF_INIT;
	if (!mkdtemp(root))
		return 1;
	test_list();
	test_rate();
	strbuf_addf(&cmd, "rm -rf '%s'", root);
	if (system(cmd.buf))
		return 1;
	strbuf_release(&cmd);
	return test_done();
}
