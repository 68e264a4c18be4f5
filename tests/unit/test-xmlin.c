/*
 * XML input (stages/normalise/xmlin.h, schemaxml.h): the parser's safety
 * (DTDs, entities, external entities, sizes, depth, not XML), XPath with
 * namespaces matched by URI, XML decimals, the CPR finder, and every
 * directive and column option of a format xml schema.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/strbuf.h"
#include "stages/normalise/schemaxml.h"
#include "ingest/xmlin.h"
#include "test.h"

static struct xmlin_limits lim;

/* Parses text; the result code, *line and why for the checks. */
static int parse(struct xmlin_doc *d, const char *text, unsigned long *line, struct strbuf *why)
{
	return xmlin_parse_memory(d, text, strlen(text), "t.xml", &lim, line, why);
}

static int refused_with(const char *text, unsigned long want_line, const char *want)
{
	struct xmlin_doc d;
	struct strbuf why = STRBUF_INIT;
	unsigned long line;
	int rc = parse(&d, text, &line, &why);
	int ok = rc == 1 && line == want_line && strstr(why.buf, want) != NULL;
	if (!ok)
		printf("# got rc %d line %lu: %s\n", rc, line, why.buf);
	xmlin_close(&d);
	strbuf_release(&why);
	return ok;
}

static int accepted(const char *text)
{
	struct xmlin_doc d;
	struct strbuf why = STRBUF_INIT;
	unsigned long line;
	int rc = parse(&d, text, &line, &why);
	if (rc)
		printf("# refused at line %lu: %s\n", line, why.buf);
	xmlin_close(&d);
	strbuf_release(&why);
	return rc == 0;
}

static void test_hostile(void)
{
	static const char laughs[] =
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE lolz [\n"
		" <!ENTITY lol \"lol\">\n"
		" <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
		" <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
		" <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
		" <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
		" <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
		" <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
		" <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
		" <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
		" <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
		"]>\n"
		"<lolz>&lol9;</lolz>\n";
	clock_t t0 = clock();
	CHECK(refused_with(laughs, 2, "DOCTYPE refused: DTDs and entities are not accepted"),
	      "billion laughs: refused at the DOCTYPE's line");
	CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0, "and nothing was expanded (fast)");
	CHECK(refused_with("<?xml version=\"1.0\"?>\n<!DOCTYPE r [\n<!ENTITY x SYSTEM "
			   "\"file:///etc/passwd\">\n]>\n<r>&x;</r>\n", 2, "DOCTYPE refused"),
	      "external entity (file:///etc/passwd) refused before it is read");
	CHECK(refused_with("<?xml version=\"1.0\"?>\n\n<!DOCTYPE r SYSTEM "
			   "\"http://example.invalid/r.dtd\">\n<r/>\n", 3, "DOCTYPE refused"),
	      "an external DTD (http) refused: no network");
	CHECK(refused_with("<r>&x;</r>", 1, "not well-formed XML: Entity 'x' not defined"),
	      "an undeclared entity is an error, not a lookup");
	CHECK(accepted("<r><!-- <!DOCTYPE x [ <!ENTITY y \"z\"> ]> --><![CDATA[<!DOCTYPE q>]]>"
		       "&amp;&#65;</r>"),
	      "a DOCTYPE inside a comment or CDATA is text; predefined entities work");
	CHECK(refused_with("CPR;Navn\n0101701118;Jens\n", 1, "not well-formed XML: Start tag "
			   "expected"),
	      "a CSV file is not XML");
	CHECK(refused_with("\x89PNG\r\n\x1a\n\x01\x02", 1, "not well-formed XML"),
	      "binary bytes are not XML");
	CHECK(refused_with("", 0, "no document element (the file is empty)") &&
	      refused_with(" \n", 0, "no document element"), "an empty file, a blank one");
	CHECK(refused_with("<a>\n<b>\n</a>\n", 3, "not well-formed XML: Opening and ending tag "
			   "mismatch"), "a tag mismatch names its line");
	CHECK(refused_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>\xe6\xf8</a>", 2,
			   "not well-formed XML"), "bytes that are not UTF-8");
}

static void test_sizes(void)
{
	size_t big = 10000001, ok = 3 * 1024 * 1024;
	char *doc = malloc(big + 64);
	struct xmlin_limits small;
	struct xmlin_doc d;
	struct strbuf why = STRBUF_INIT;
	unsigned long line;
	int n;

	n = snprintf(doc, 64, "<a>\n<b>");
	memset(doc + n, 'A', big);
	memcpy(doc + n + big, "</b></a>", sizeof("</b></a>"));
	CHECK(refused_with(doc, 2, "huge text node"), "a text node over 10.000.000 bytes");
	memset(doc + n, 'A', ok);
	memcpy(doc + n + ok, "</b></a>", sizeof("</b></a>"));
	CHECK(accepted(doc), "a 3 MB text node (an embedded PDF) is accepted");
	n = snprintf(doc, 64, "<a>\n<b x=\"");
	memset(doc + n, 'A', big);
	memcpy(doc + n + big, "\"/></a>", sizeof("\"/></a>"));
	CHECK(refused_with(doc, 2, "attribute value or name too long"), "an attribute over 10 MB");
	free(doc);

	{
		struct strbuf deep = STRBUF_INIT;
		for (int i = 0; i < 64; i++)
			strbuf_addstr(&deep, i ? "\n<e>" : "<e>");
		for (int i = 0; i < 64; i++)
			strbuf_addstr(&deep, "</e>");
		CHECK(accepted(deep.buf), "64 levels deep is accepted");
		strbuf_reset(&deep);
		for (int i = 0; i < 65; i++)
			strbuf_addstr(&deep, i ? "\n<e>" : "<e>");
		for (int i = 0; i < 65; i++)
			strbuf_addstr(&deep, "</e>");
		doc = strbuf_detach(&deep);
	}
	CHECK(refused_with(doc, 65, "deeper than xml-max-depth (64 elements)"),
	      "65 levels deep: refused at the first too deep element");
	free(doc);

	small = lim;
	small.max_bytes = 10;
	CHECK(xmlin_parse_memory(&d, "<a>0123456789</a>", 17, "t.xml", &small, &line, &why) == 1 &&
	      line == 0 && strstr(why.buf, "larger than xml-max-bytes"),
	      "a file over xml-max-bytes is refused before it is parsed");
	strbuf_release(&why);
}

static void test_xpath(void)
{
	static const char text[] =
		"<?xml version=\"1.0\"?>\n"
		"<Invoice xmlns=\"urn:i\" xmlns:c=\"urn:c\">\n"
		"  <c:ID> INV-1 </c:ID>\n"
		"  <c:Line n=\"1\"><c:A>1.00</c:A></c:Line><c:Line n=\"2\"><c:A>2.00</c:A></c:Line>\n"
		"</Invoice>\n";
	struct xmlin_ns ns[] = { { "inv", "urn:i" }, { "x", "urn:c" } };
	struct xmlin_doc d;
	struct xmlin_path p;
	struct xmlin_result r;
	struct strbuf why = STRBUF_INIT, t = STRBUF_INIT;
	unsigned long line;

	CHECK(parse(&d, text, &line, &why) == 0, "the document parses");
	CHECK(xmlin_root_is(&d, "urn:i", "Invoice") && !xmlin_root_is(&d, "", "Invoice") &&
	      !xmlin_root_is(&d, "urn:other", "Invoice"), "the root is matched by namespace URI");
	CHECK(xmlin_root_line(&d) == 2, "the root's line");
	xmlin_use_namespaces(&d, ns, 2);
	CHECK(xmlin_compile(&p, "/inv:Invoice/x:Line", ns, 2, &why) == 0, "compiles");
	CHECK(xmlin_eval(&d, NULL, &p, &r, &why) == 0 && r.n == 2, "two lines, by our prefixes");
	CHECK(xmlin_node_line(xmlin_result_node(&r, 1)) == 4, "a node's line");
	xmlin_node_path(xmlin_result_node(&r, 1), &t);
	CHECK(t.len > 0, "a node has a path (%s)", t.buf);
	xmlin_result_free(&r);
	xmlin_path_free(&p);
	CHECK(xmlin_compile(&p, "x:ID", ns, 2, &why) == 0 &&
	      xmlin_eval(&d, xmlDocGetRootElement(d.doc), &p, &r, &why) == 0 &&
	      xmlin_result_text(&r, 0, 100, &t) == 0 && !strcmp(t.buf, "INV-1"),
	      "a child's text, trimmed");
	CHECK(xmlin_result_text(&r, 0, 4, &t) == -1, "longer than max: -1");
	xmlin_result_free(&r);
	xmlin_path_free(&p);
	CHECK(xmlin_compile(&p, "count(x:Line)", ns, 2, &why) == 0 &&
	      xmlin_eval(&d, xmlDocGetRootElement(d.doc), &p, &r, &why) == -1 &&
	      strstr(why.buf, "gives a number"), "a number is refused (%s)", why.buf);
	xmlin_path_free(&p);
	CHECK(xmlin_compile(&p, "local-name(/*)", ns, 2, &why) == 0 &&
	      xmlin_eval(&d, NULL, &p, &r, &why) == 0 && xmlin_result_text(&r, 0, 100, &t) == 0 &&
	      !strcmp(t.buf, "Invoice"), "a string function gives text");
	xmlin_result_free(&r);
	xmlin_path_free(&p);
	CHECK(xmlin_compile(&p, "x:Line[", ns, 2, &why) == -1 && strstr(why.buf, "not an XPath"),
	      "a broken XPath is refused (%s)", why.buf);
	CHECK(xmlin_compile(&p, "cac:Line", ns, 2, &why) == -1 && strstr(why.buf, "cac:Line"),
	      "an unbound prefix is refused at compile time (%s)", why.buf);
	xmlin_close(&d);
	strbuf_release(&why);
	strbuf_release(&t);
}

static int dec(const char *s, money_t want)
{
	money_t v = 0;
	const char *why;
	return xml_decimal_parse(s, strlen(s), &v, &why) == 0 && v == want;
}

static int nodec(const char *s)
{
	money_t v;
	const char *why;
	return xml_decimal_parse(s, strlen(s), &v, &why) == -1;
}

static void test_decimal(void)
{
	CHECK(dec("4250.00", 425000) && dec("-0.01", -1) && dec("397", 39700) && dec("+5", 500),
	      "xs:decimal: 4250.00, -0.01, 397, +5");
	CHECK(dec("397.000", 39700) && dec(".5", 50) && dec("5.", 500) && dec("0", 0) &&
	      dec("12.5", 1250), "397.000, .5, 5., 0, 12.5");
	CHECK(nodec("0.125") && nodec("1,5") && nodec("") && nodec("-") && nodec("1e3") &&
	      nodec(" 1") && nodec("1.2.3") && nodec("."), "refused: 0.125 (never rounded), "
	      "1,5, empty, -, 1e3, a blank, 1.2.3, a lone point");
	CHECK(dec("92233720368547758.07", INT64_MAX) && nodec("92233720368547758.08") &&
	      nodec("99999999999999999999"), "the int64 edge, and overflow refused");
}

static void test_cpr_find(void)
{
	char out[CPR_LEN + 1];
	CHECK(cpr_find("Husleje juni, lejer 010185-1234", 31, 0, out) &&
	      !strcmp(out, "0101851234"), "DDMMYY-SSSS inside a text");
	CHECK(cpr_find("x0101851234y", 12, 0, out) && !strcmp(out, "0101851234"), "10 digits");
	CHECK(!cpr_find("10101851234", 11, 0, out), "not inside a longer run of digits");
	CHECK(cpr_find("320185-1234 og 020285-1234", 26, 0, out) && !strcmp(out, "0202851234"),
	      "a date that is not real is skipped for the next");
	CHECK(!cpr_find("ordre 5500123", 13, 0, out), "no CPR");
}

/* ---- schemas ---- */

static const char stores[] =
	"field se se\nfield month month\nfield cpr cpr\nfield amount money\n"
	"field text text\nfield day day\nfield kind text\nfield n int\nfield net money\n"
	"store t.doc\n  key se month\n  value cpr text day kind n amount net\n";

static struct catalog cat;

static int load_schema(struct schema *s, const char *text)
{
	const char *p = test_text_file(text);
	int rc = schema_load(&cat, p, s);
	remove(p);
	return rc;
}

struct got {
	struct strbuf out;
	int n;
};

/* Records as text: "cpr=..;text=..;day=..;kind=..;n=..;amount=..;net=..|" */
static int collect(const struct record *r, unsigned sub, void *data)
{
	struct got *g = data;
	static const char *const names[] = { "cpr", "text", "day", "kind", "n", "amount", "net",
					     "month" };
	strbuf_addf(&g->out, "%u:", sub);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int f = catalog_field(&cat, names[i]);
		const struct value *v = &r->v[f];
		strbuf_addf(&g->out, "%s=", names[i]);
		if (v->present && v->text)
			strbuf_add(&g->out, v->text, v->len);
		else if (v->present)
			strbuf_addf(&g->out, "%lld", (long long)v->num);
		strbuf_addch(&g->out, i + 1 < sizeof(names) / sizeof(names[0]) ? ';' : '|');
	}
	g->n++;
	return 0;
}

/*
 * Reads doc with schema text: 0 and g filled; 1 refused (why); -1 a row
 * rejected (why: the reason).
 */
static int run(const char *schema, const char *doc, struct got *g, struct strbuf *why)
{
	struct schema s;
	struct xmlin_doc d;
	struct xml_row *rows;
	size_t nrows;
	unsigned long line;
	struct record base;
	int rc;
	memset(&base, 0, sizeof(base));
	base.v[catalog_field(&cat, "se")] = (struct value){ 1, 0, "29757895", 8 };
	strbuf_reset(&g->out);
	g->n = 0;
	if (load_schema(&s, schema)) {
		printf("# the schema does not load\n");
		strbuf_reset(why);
		strbuf_addstr(why, "schema does not load");
		return -2;
	}
	if (parse(&d, doc, &line, why) || !schema_xml_takes(&s, &d)) {
		if (why->len)
			printf("# %s\n", why->buf);
		schema_free(&s);
		xmlin_close(&d);
		return 1;
	}
	rc = schema_xml_rows(&s, &d, &rows, &nrows, &line, why);
	for (size_t i = 0; rc == 0 && i < nrows; i++) {
		const char *col;
		rc = schema_xml_row(&s, &d, &rows[i], 4096, &base, collect, g, &col, why);
	}
	free(rows);
	xmlin_close(&d);
	schema_free(&s);
	if (rc && getenv("TEST_DEBUG"))
		printf("# rc %d: %s\n", rc, why->buf);
	return rc;
}

#define HEAD "store t.doc\nformat xml\nnamespace i urn:i\nnamespace c urn:c\nroot i:Doc\n" \
	     "row /i:Doc\ncolumn c:Month month required\n"
#define DOC(body) "<Doc xmlns=\"urn:i\" xmlns:c=\"urn:c\"><c:Month>2025-06</c:Month>" body "</Doc>"

static void test_options(void)
{
	struct got g = { STRBUF_INIT, 0 };
	struct strbuf why = STRBUF_INIT;

	CHECK(run(HEAD "column c:Note text optional join \" | \"\n"
		  "column c:A amount decimal-point sum\ncolumn c:Line n count\n"
		  "set kind DOC\n",
		  DOC("<c:Note>a</c:Note><c:Note> </c:Note><c:Note>b</c:Note>"
		      "<c:A>1.10</c:A><c:A>-0.05</c:A><c:Line/><c:Line/><c:Line/>"), &g, &why) == 0 &&
	      strstr(g.out.buf, "text=a | b;") && strstr(g.out.buf, "amount=105;") &&
	      strstr(g.out.buf, "n=3;") && strstr(g.out.buf, "kind=DOC;"),
	      "join skips blanks, sum is exact, count, set (%s)", g.out.buf);
	CHECK(run(HEAD "column c:A amount decimal-point sum\n", DOC(""), &g, &why) == 0 &&
	      strstr(g.out.buf, "amount=0;"), "sum of no node is 0,00");
	CHECK(run(HEAD "column c:A amount decimal-point unique\n",
		  DOC("<c:A>1.00</c:A><c:A>2.00</c:A>"), &g, &why) == -1 &&
	      !strcmp(why.buf, "c:A: more than one value"), "unique refuses two values (%s)", why.buf);
	CHECK(run(HEAD "column c:A amount decimal-point unique\n",
		  DOC("<c:A>1.00</c:A><c:A> </c:A>"), &g, &why) == 0, "a blank second node is none");
	CHECK(run(HEAD "column c:A amount decimal-point negate required\n",
		  DOC("<c:A>-320.00</c:A>"), &g, &why) == 0 && strstr(g.out.buf, "amount=32000;"),
	      "negate: a credit note's own negative line becomes positive");
	CHECK(run(HEAD "column c:A amount required\n", DOC("<c:A>1.234,56</c:A>"), &g, &why) == 0 &&
	      strstr(g.out.buf, "amount=123456;"), "without decimal-point: Danish notation");
	CHECK(run(HEAD "column c:A amount decimal-point required\n", DOC("<c:A>0.125</c:A>"),
		  &g, &why) == -1 && !strcmp(why.buf, "c:A: more than 2 decimals"),
	      "0.125 refused, never rounded (%s)", why.buf);
	CHECK(run(HEAD "column c:A amount decimal-point required\n", DOC(""), &g, &why) == -1 &&
	      !strcmp(why.buf, "c:A: missing"), "required and absent (%s)", why.buf);
	CHECK(run(HEAD "column c:X text optional strip-prefix DK else c:Y else \"c:Z[@s='1']\"\n",
		  DOC("<c:Y> </c:Y><c:Z s=\"2\">no</c:Z><c:Z s=\"1\">DK 12345674</c:Z>"), &g,
		  &why) == 0 && strstr(g.out.buf, "text=12345674;"),
	      "else paths in turn (a blank node is none), a predicate, strip-prefix (%s)",
	      g.out.buf);
	CHECK(run(HEAD "column c:O text optional empty-if NA N/A\n", DOC("<c:O>n/a</c:O>"), &g,
		  &why) == 0 && strstr(g.out.buf, "text=;"), "empty-if ignores case");
	CHECK(run(HEAD "column c:D day required\ncolumn c:D month month-of-date\n",
		  DOC("<c:D>2025-03-11+01:00</c:D>"), &g, &why) == 0 &&
	      strstr(g.out.buf, "day=20250311;") && strstr(g.out.buf, "month=202503|"),
	      "xs:date with a zone; month-of-date (%s)", g.out.buf);
	CHECK(run(HEAD "column c:D day required\n", DOC("<c:D>2025-03-11T23:59:59Z</c:D>"), &g,
		  &why) == 0 && strstr(g.out.buf, "day=20250311;"), "xs:dateTime for a day");
	CHECK(run(HEAD "column c:N cpr first-match-cpr invalid-as-zero else c:M\n",
		  DOC("<c:N>ingen</c:N><c:M>ordre 17, lejer 010185-1234</c:M>"), &g, &why) == 0 &&
	      strstr(g.out.buf, "cpr=0101851234;"), "first-match-cpr through else (%s)", g.out.buf);
	CHECK(run(HEAD "column c:N cpr first-match-cpr invalid-as-zero\n", DOC(""), &g, &why) == 0 &&
	      strstr(g.out.buf, "cpr=0000000000;"), "invalid-as-zero: no CPR is 0000000000");
	CHECK(run(HEAD "column @cpr cpr required\n", DOC(""), &g, &why) == -1 &&
	      !strcmp(why.buf, "@cpr: missing"), "a required attribute missing refuses the row");
	CHECK(run("store t.doc\nformat xml\nroot Doc\nrow /Doc\n", "<Doc/>", &g, &why) == -1 &&
	      !strcmp(why.buf, "no value for key field 'month'"), "a key field without a value");
	CHECK(run(HEAD "column c:N cpr invalid-as-zero\n", DOC("<c:N>320185-1234</c:N>"), &g,
		  &why) == 0 && strstr(g.out.buf, "cpr=0000000000;"), "an invalid CPR as zero");
	CHECK(run(HEAD "column c:N cpr required\n", DOC("<c:N>320185-1234</c:N>"), &g, &why) == -1,
	      "an invalid CPR refuses the row without invalid-as-zero (%s)", why.buf);
	CHECK(run(HEAD "column . n line-number\n", "<Doc xmlns=\"urn:i\" xmlns:c=\"urn:c\">\n\n"
		  "<c:Month>2025-06</c:Month></Doc>", &g, &why) == 0 && strstr(g.out.buf, "n=1;"),
	      "line-number of the row itself");
	{
		char *doc = malloc(6000), *p;
		snprintf(doc, 6000, "%s", "<Doc xmlns=\"urn:i\" xmlns:c=\"urn:c\"><c:Month>2025-06</c:Month><c:T>");
		p = doc + strlen(doc);
		memset(p, 'x', 4097);
		memcpy(p + 4097, "</c:T></Doc>", sizeof("</c:T></Doc>"));
		CHECK(run(HEAD "column c:T text\n", doc, &g, &why) == -1 &&
		      !strcmp(why.buf, "c:T: value longer than 4096 bytes"),
		      "a value over 4096 bytes refuses the row (%s)", why.buf);
		free(doc);
	}
	CHECK(run(HEAD "amount c:A kind A decimal-point\namount c:B kind B decimal-point\n"
		  "amount c:C kind C decimal-point\n",
		  DOC("<c:A>1.00</c:A><c:C>3.00</c:C>"), &g, &why) == 0 && g.n == 2 &&
	      strstr(g.out.buf, "0:cpr=") && strstr(g.out.buf, "kind=A;n=;amount=100") &&
	      strstr(g.out.buf, "1:cpr=") && strstr(g.out.buf, "kind=C;n=;amount=300"),
	      "amount: one record per amount with a value, its FIELD VALUE (%s)", g.out.buf);
	CHECK(run("store t.doc\nformat xml\nroot Hold\nrow /Hold/Deltager\n"
		  "column ../@start day required\ncolumn ../@start month month-of-date\n"
		  "column @cpr cpr required\n",
		  "<Hold start=\"2025-02-10\">\n<Deltager cpr=\"0101701118\"/><Deltager "
		  "cpr=\"010170-1118\"/>\n<Deltager cpr=\"0202701118\"/></Hold>", &g, &why) == 0 &&
	      g.n == 3 && strstr(g.out.buf, "day=20250210"),
	      "rows of a list without namespace, the parent's attributes (%s)", g.out.buf);

	/* require: the file is refused; the value is quoted, CPR-shaped masked */
	CHECK(run(HEAD "require c:Cust starts-with OIOUBL-2.\n",
		  DOC("<c:Cust>urn:cen.eu:en16931:2017 0101851234</c:Cust>"), &g, &why) == 1 &&
	      !strcmp(why.buf, "c:Cust 'urn:cen.eu:en16931:2017 010185-xxxx' does not start "
		      "with 'OIOUBL-2.'"), "require starts-with (%s)", why.buf);
	CHECK(run(HEAD "require c:Cur equals DKK\n", DOC("<c:Cur>EUR</c:Cur>"), &g, &why) == 1 &&
	      !strcmp(why.buf, "c:Cur 'EUR' is not 'DKK'"), "require equals (%s)", why.buf);
	CHECK(run(HEAD "require c:Cur equals DKK\n", DOC(""), &g, &why) == 1 &&
	      !strcmp(why.buf, "c:Cur (none) is not 'DKK'"), "require of a missing node");
	CHECK(run(HEAD, "<Doc xmlns=\"urn:other\"/>", &g, &why) == 1,
	      "another namespace: the root does not match");
	strbuf_release(&g.out);
	strbuf_release(&why);
}

static int schema_error(const char *text)
{
	struct schema s;
	int rc = load_schema(&s, text);
	if (rc == 0)
		schema_free(&s);
	return rc == -1;
}

static void test_schema_errors(void)
{
	fprintf(stderr, "(expected errors follow)\n");
	CHECK(schema_error("store t.doc\nformat xml\nrow /a\n"), "no root");
	CHECK(schema_error("store t.doc\nformat xml\nroot a\n"), "no row");
	CHECK(schema_error("store t.doc\nformat xml\nroot i:a\nrow /a\n"), "root prefix not bound");
	CHECK(schema_error("store t.doc\nformat xml\nroot a\nrow /a\nrow /b\n"), "row twice");
	CHECK(schema_error("store t.doc\nformat xml\nroot a\nrow /a[\n"), "a broken XPath");
	CHECK(schema_error("store t.doc\nformat xml\nroot a\nrow /a\ncolumn c:x text\n"),
	      "an unbound prefix in a column");
	CHECK(schema_error("store t.doc\nformat xml\nroot a\nrow /a\ndelimiter ;\n"),
	      "a CSV directive in an XML schema");
	CHECK(schema_error("store t.doc\nroot a\n"), "an XML directive in a CSV schema");
	CHECK(schema_error("store t.doc\ncolumn A text\nformat xml\n"), "format after a column");
	CHECK(schema_error("store t.doc\nformat json\n"), "an unknown format");
	CHECK(schema_error("store t.doc\nformat xml\nroot a\nrow /a\ncolumn x text sum\n"),
	      "sum on a text field");
	CHECK(schema_error("store t.doc\nformat xml\nroot a\nrow /a\ncolumn x amount count\n"),
	      "count on a money field");
	CHECK(schema_error("store t.doc\nformat xml\nroot a\nrow /a\ncolumn x cpr decimal-point\n"),
	      "decimal-point on a cpr field");
	CHECK(schema_error("store t.doc\nformat xml\nroot a\nrow /a\ncolumn x amount sum unique\n"),
	      "sum with unique");
	CHECK(schema_error("store t.doc\nformat xml\nroot a\nrow /a\ncolumn x text frob\n"),
	      "an unknown option");
	CHECK(schema_error("store t.doc\nformat xml\nroot a\nrow /a\ncolumn x text else\n"),
	      "else without a path");
	CHECK(schema_error("store t.doc\nformat xml\nroot a\nrow /a\ncolumn x nosuch\n"),
	      "an unknown field");
	CHECK(!schema_error("store t.doc\nformat xml\nnamespace i urn:i\nroot i:a b\nrow /i:a|/b\n"
			    "column x text optional empty-if NA N/A unique\n"),
	      "a valid schema loads (two roots, empty-if words then an option)");
}

int main(void)
{
	const char *p = test_text_file(stores);
	xmlin_limits_default(&lim);
	if (catalog_load(p, &cat))
		return 1;
	remove(p);
	test_hostile();
	test_sizes();
	test_xpath();
	test_decimal();
	test_cpr_find();
	test_options();
	test_schema_errors();
	catalog_free(&cat);
	return test_done();
}
