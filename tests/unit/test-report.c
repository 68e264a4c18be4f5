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
#include "stages/report/reportconf.h"
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
	test_csvtable();
	test_days();
	return test_done();
}
