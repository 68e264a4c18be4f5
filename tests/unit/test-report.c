/* The report's parts: HTML escaping, report.conf, csvtable, day numbers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/date.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "ingest/csvtable.h"
#include "stages/report/report.h"
#include "ingest/reportconf.h"
#include "test.h"


static void test_escape(void)
{
	struct strbuf sb = STRBUF_INIT;
	html_escape(&sb, "Løn & <skat> \"x\" 'y'");
	CHECK(!strcmp(sb.buf, "Løn &amp; &lt;skat&gt; &quot;x&quot; &#39;y&#39;"), "%s", sb.buf);
	strbuf_reset(&sb);
	html_escape(&sb, "");
	CHECK(sb.len == 0, "empty stays empty");
	strbuf_release(&sb);
}

static int conf_text(const char *text, struct report_conf *rc)
{
	const char *p = test_text_file(text);
	int r = report_conf_load(p, rc);
	unlink(p);
	return r;
}

static void test_conf(void)
{
	struct report_conf rc;
	const struct recon_labels *l;
	CHECK(conf_text("trend-nights 7\nrecon a title \"A b\" key Felt left L\n", &rc) == 0,
	      "good conf");
	l = report_labels(&rc, "a");
	CHECK(rc.trend_nights == 7 && !strcmp(l->title, "A b") && !strcmp(l->key, "Felt") &&
	      !strcmp(l->left, "L") && !strcmp(l->right, "Højre"), "labels and defaults");
	l = report_labels(&rc, "other");
	CHECK(!strcmp(l->key, "Nøgle") && !strcmp(l->title, ""), "a recon not listed: defaults");
	report_conf_free(&rc);
	CHECK(report_conf_load("/nonexistent/report.conf", &rc) == 0 && rc.trend_nights == 30,
	      "a missing file gives the defaults");
	report_conf_free(&rc);
	fprintf(stderr, "(expected errors follow)\n");
	CHECK(conf_text("recon a colour red\n", &rc) == -1, "unknown label");
	CHECK(conf_text("recon a title\n", &rc) == -1, "a label without its value");
	CHECK(conf_text("recon a\nrecon a\n", &rc) == -1, "a recon twice");
	CHECK(conf_text("trend-nights 0\n", &rc) == -1, "trend-nights 0");
	CHECK(conf_text("trend-nights 400\n", &rc) == -1, "trend-nights too many");
	CHECK(conf_text("trend-nights 3x\n", &rc) == -1, "trend-nights not a number");
	CHECK(conf_text("colour red\n", &rc) == -1, "unknown directive");
}

/* list and rate (reportconf.h): the lines conf/report.conf ships and the hard cases. */
static void test_lists(void)
{
	struct report_conf rc;
	const struct report_list *l;
	CHECK(conf_text("list bp \"Held\" from exceptions/bp.csv where file!= where reason^=kadence "
			"where key=P-EL columns key=Plan sum:amount=Beløb kr:x=X @code=Kode "
			"@voucher=Bilag @file=Fil \"link:charges/r/{kommune}.csv=Fil 2\"\n"
			"list r \"D\" from disputes/r-ind/ columns a=A\n"
			"rate bp \"Rate\" by \"cvr=Leverandør (CVR)\" days 90 good postings/bp.csv "
			"bad exceptions/bp.csv where file!=\n", &rc) == 0, "good lists");
	CHECK(rc.nlists == 2 && rc.nrates == 1, "%d lists, %d rates", rc.nlists, rc.nrates);
	l = &rc.lists[0];
	CHECK(!strcmp(l->recon, "bp") && !strcmp(l->title, "Held") &&
	      !strcmp(l->from, "exceptions/bp.csv"), "names");
	CHECK(l->nwhere == 3 && l->where[0].op == LIST_NE && !strcmp(l->where[0].col, "file") &&
	      !*l->where[0].value && l->where[1].op == LIST_PREFIX &&
	      !strcmp(l->where[1].value, "kadence") && l->where[2].op == LIST_EQ &&
	      !strcmp(l->where[2].value, "P-EL"), "conditions");
	CHECK(l->ncols == 7 && l->cols[1].money == 2 && l->cols[2].money == 1 &&
	      l->cols[0].money == 0 && !strcmp(l->cols[1].label, "Beløb") &&
	      !strcmp(l->cols[6].col, "link:charges/r/{kommune}.csv") &&
	      !strcmp(l->cols[6].label, "Fil 2"), "columns");
	CHECK(!strcmp(rc.lists[1].from, "disputes/r-ind/"), "a directory");
	CHECK(!strcmp(rc.rates[0].by, "cvr") && !strcmp(rc.rates[0].by_label, "Leverandør (CVR)") &&
	      rc.rates[0].days == 90 && rc.rates[0].nwhere == 1, "rate");
	report_conf_free(&rc);
	CHECK(conf_text("list a T from x.csv columns a=A\n", &rc) == 0 && rc.nlists == 1, "minimal");
	report_conf_free(&rc);
	fprintf(stderr, "(expected errors follow)\n");
	CHECK(conf_text("list a T from ../x.csv columns a=A\n", &rc) == -1, "a path out of the night");
	CHECK(conf_text("list a T from /etc/x.csv columns a=A\n", &rc) == -1, "an absolute path");
	CHECK(conf_text("list a T from x//y.csv columns a=A\n", &rc) == -1, "an empty part");
	CHECK(conf_text("list a T from x.csv columns\n", &rc) == -1, "no column");
	CHECK(conf_text("list a T in x.csv columns a=A\n", &rc) == -1, "from missing");
	CHECK(conf_text("list a T from x.csv wher a=b columns a=A\n", &rc) == -1, "a misspelt where");
	CHECK(conf_text("list a T from x.csv where =b columns a=A\n", &rc) == -1, "a condition without a column");
	CHECK(conf_text("list a T from x.csv columns a\n", &rc) == -1, "a column without a label");
	CHECK(conf_text("list a T from x.csv columns a=\n", &rc) == -1, "an empty label");
	CHECK(conf_text("list a T from x.csv columns @sum=A\n", &rc) == -1, "an unknown @");
	CHECK(conf_text("list a T from x.csv columns kr:link:y.csv=A\n", &rc) == -1, "an amount link");
	CHECK(conf_text("list a T from x.csv columns link:../y.csv=A\n", &rc) == -1, "a link out");
	CHECK(conf_text("rate a T by c days 0 good x.csv bad y.csv\n", &rc) == -1, "rate days 0");
	CHECK(conf_text("rate a T by c days 9 good x/ bad y.csv\n", &rc) == -1, "rate of a directory");
	CHECK(conf_text("rate a T by c days 9 bad x.csv good y.csv\n", &rc) == -1, "rate words out of order");
	CHECK(conf_text("rate a T by c days 9 good x.csv bad y.csv where\n", &rc) == -1, "where without a condition");
}

static void test_csvtable(void)
{
	struct csvtable t;
	const char *p = test_text_file("\xEF\xBB\xBF" "a;b;c\n1;\"x;y\";3\n4\n\"multi\nline\";5;6\n");
	CHECK(csvtable_read(p, NULL, &t) == 0, "read");
	CHECK(t.ncols == 3 && t.nrows == 3, "%zu cols %zu rows", t.ncols, t.nrows);
	CHECK(!strcmp(csvtable_get(&t, 0, csvtable_col(&t, "b")), "x;y"), "quoted ;");
	CHECK(!strcmp(csvtable_get(&t, 1, 2), ""), "a short row is padded");
	CHECK(!strcmp(csvtable_get(&t, 2, 0), "multi\nline"), "a quoted newline");
	CHECK(t.lines[0] == 2 && t.lines[1] == 3, "line numbers");
	CHECK(csvtable_col(&t, "a") == 0 && csvtable_col(&t, "zz") == -1, "columns by name");
	CHECK(!strcmp(csvtable_get(&t, 0, -1), ""), "a missing column reads empty");
	csvtable_free(&t);
	unlink(p);
}

static void test_days(void)
{
	static const int32_t days[] = { 19700101, 20000229, 20210205, 20211231, 21000301,
					19000101, 20240229 };
	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++)
		CHECK(day_from_number(day_number(days[i])) == days[i], "%d", (int)days[i]);
	CHECK(day_from_number(day_number(20210301) - 1) == 20210228, "the day before 1 March");
	CHECK(day_from_number(day_number(20240301) - 1) == 20240229, "a leap year");
	CHECK(day_from_number(0) == 19700101, "day 0");
}

int main(void)
{
	log_init("test-report");
	test_escape();
	test_conf();
	test_lists();
	test_csvtable();
	test_days();
	return test_done();
}
