/*
 * conf/terms.conf (run/terms.h): the shipped table loads and names every
 * column, status and decision the night's files carry; file-specific
 * columns win over '*'; reasons per reconciliation, the Danish half as
 * fallback, the note kept; reason texts taken apart in the hard cases
 * (parentheses inside the Danish text, a note with ':' and '/', no English
 * half, no code); every malformed line is refused naming file:line.
 */
#include "run/terms.h"
#include "test.h"

static void refused(const char *text, int line, const char *why)
{
	char msg[1024], want[128];
	struct test_capture cap;
	const char *path = test_text_file(text);
	snprintf(want, sizeof(want), "%s:%d:", path, line);
	test_stderr_start(&cap);
	CHECK(terms_load(path) == -1, "refused: %s", why);
	unlink(path);
	test_stderr_stop(&cap, msg, sizeof(msg));
	CHECK(strstr(msg, want) != NULL, "%s: the error names %s: %s", why, want, msg);
}

static int same(const char *got, const char *want)
{
	return got && !strcmp(got, want);
}

static void reason_is(const char *recon, const char *csv, const char *want)
{
	struct strbuf b = STRBUF_INIT;
	terms_reason(recon, csv, &b);
	CHECK(!strcmp(b.buf ? b.buf : "", want), "reason %s: got '%s', want '%s'", csv,
	      strbuf_str(&b), want);
	strbuf_release(&b);
}

static void split_is(const char *s, const char *code, const char *danish, const char *note)
{
	struct reason_parts p;
	reason_split(s, &p);
	CHECK(p.code_len == strlen(code) && !strncmp(p.code ? p.code : "", code, p.code_len),
	      "%s: code '%.*s'", s, (int)p.code_len, p.code ? p.code : "");
	CHECK(p.danish_len == strlen(danish) && !strncmp(p.danish, danish, p.danish_len),
	      "%s: danish '%.*s'", s, (int)p.danish_len, p.danish);
	CHECK(p.note_len == strlen(note) && !strncmp(p.note ? p.note : "", note, p.note_len),
	      "%s: note '%.*s'", s, (int)p.note_len, p.note ? p.note : "");
}

static void test_unloaded(void)
{
	struct term_column c = terms_column("summary", "left");
	CHECK(same(c.danish, "left") && c.type == TERM_TEXT, "no table: the name, text");
	CHECK(same(terms_status("BREAK"), "BREAK"), "no table: the status code");
	reason_is("ky-eindkomst", "unexplained: forskel / difference (x)", "forskel (x)");
}

static void test_shipped(void)
{
	static const char *const sum[] = { "recon", "se", "month", "key", "left", "right",
					   "difference", "explained", "unexplained", "status" };
	static const char *const exc[] = { "id", "recon", "se", "month", "key", "cpr", "amount",
					   "reason", "first_seen", "age_days", "left", "right",
					   "account", "invoice", "cvr", "ean", "plan",
					   "other_reasons", "file", "rate", "difference",
					   "gebyrtype", "opkr_nr", "debitortype", "class", "skole",
					   "holdnr", "fil", "linje", "cpr_raw" };
	static const char *const dec[] = { "id", "decision", "by", "at", "note",
					   "decided_amount", "amount", "review" };
	static const char *const st[] = { "OK", "EXPLAINED", "BREAK", "MANGLER", "INGEN-DATA" };
	static const char *const dw[] = { "forklaret", "accepteret", "afskrevet", "genaabnet" };
	CHECK(terms_load("conf/terms.conf") == 0, "the shipped table loads");
	for (size_t i = 0; i < sizeof(sum) / sizeof(sum[0]); i++)
		CHECK(strcmp(terms_column_name("summary", sum[i]), sum[i]), "summary %s", sum[i]);
	for (size_t i = 0; i < sizeof(exc) / sizeof(exc[0]); i++)
		CHECK(strcmp(terms_column_name("exceptions", exc[i]), exc[i]), "exceptions %s",
		      exc[i]);
	for (size_t i = 0; i < sizeof(dec) / sizeof(dec[0]); i++)
		CHECK(strcmp(terms_column_name("decisions", dec[i]), dec[i]), "decisions %s",
		      dec[i]);
	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++)
		CHECK(strcmp(terms_status(st[i]), st[i]), "status %s", st[i]);
	for (size_t i = 0; i < sizeof(dw) / sizeof(dw[0]); i++)
		CHECK(strcmp(terms_decision(dw[i]), dw[i]), "decision %s", dw[i]);
	CHECK(same(terms_status("BREAK"), "Afvigelse"), "BREAK is Afvigelse (the report's word)");
	CHECK(same(terms_status("SOMETHING"), "SOMETHING"), "an unlisted status: its code");
	/* The file's own entry wins over '*': difference is an amount in a
	 * summary, the difference-line flag in opkraevning's exceptions. */
	CHECK(terms_column("summary", "difference").type == TERM_AMOUNT, "summary difference");
	CHECK(terms_column("exceptions", "difference").type == TERM_TEXT, "exceptions difference");
	CHECK(terms_column("decisions", "amount").type == TERM_AMOUNT, "'*' amount for decisions");
	CHECK(terms_column("exceptions", "cpr").type == TERM_CPR, "cpr");
	CHECK(terms_column("exceptions", "first_seen").type == TERM_DATE, "first_seen");
	CHECK(terms_column("decisions", "at").type == TERM_DATETIME, "at");
	CHECK(terms_column("exceptions", "month").type == TERM_TEXT, "a month is text");
	CHECK(same(terms_column_name("exceptions", "nonesuch"), "nonesuch"), "unlisted column");
	/* Reasons: per reconciliation (the same code differs), note kept. */
	reason_is("ky-eindkomst", "unexplained: forskel mellem KY og SKAT som afviste linjer "
		  "ikke forklarer / difference KY - SKAT not explained by rejected lines",
		  "forskel mellem KY og SKAT som afviste linjer ikke forklarer");
	reason_is("debitor", "unexplained: x / y",
		  "'Mellemregning Debitor KY' er ikke minus summen af KY-restancekonti");
	reason_is("nemkonto", "retur: betaling returneret fra NemKonto, ret manuelt i KY / "
		  "payment returned by NemKonto, correct by hand (bilag OMP-000021794 af "
		  "2021-09-02, 74 dage: Retur ingen nem-konto)",
		  "betaling returneret fra NemKonto, ret manuelt i KY (bilag OMP-000021794 af "
		  "2021-09-02, 74 dage: Retur ingen nem-konto)");
	reason_is("nemkonto", "ny-kode: dansk tekst / English text (note)", "dansk tekst (note)");
	terms_unload();
	CHECK(same(terms_status("BREAK"), "BREAK"), "unloaded: codes again");
}

static void test_split(void)
{
	split_is("rente: renter på skattekontoen: bogfør på konto 'renter' (IM-konto 6.45.51) / "
		 "interest on SKAT's tax account: post it to 6.45.51", "rente",
		 "renter på skattekontoen: bogfør på konto 'renter' (IM-konto 6.45.51)", "");
	split_is("ikke-oioubl: filen er ikke OIOUBL / not OIOUBL (faktura/H2-XXE.xml:2: "
		 "DOCTYPE refused: a / b (c))", "ikke-oioubl", "filen er ikke OIOUBL",
		 "faktura/H2-XXE.xml:2: DOCTYPE refused: a / b (c)");
	split_is("kontostreng-mangler: Ø-kontostreng mangler / account string missing (rate 1, "
		 "forfald 2025-02-01)", "kontostreng-mangler", "Ø-kontostreng mangler",
		 "rate 1, forfald 2025-02-01");
	split_is("opkraevet: opkrævet", "opkraevet", "opkrævet", "");
	split_is("dublet: kun dansk (note her)", "dublet", "kun dansk", "note her");
	split_is("Fri tekst: uden kode / free text", "", "Fri tekst: uden kode", "");
	split_is("", "", "", "");
	split_is("x: a / b (unbalanced", "x", "a", "");
	split_is("x: a / b)", "x", "a", "");
	split_is("x: a / b(glued)", "x", "a", "");
}

static void test_refused(void)
{
	refused("status OK \"OK\"\nstatus OK \"Igen\"\n", 2, "a status given twice");
	refused("column * id \"Id\" text\ncolumn * id \"Id2\" text\n", 2, "a column twice");
	refused("column summary id \"Id\" money\n", 1, "an unknown type");
	refused("column sums id \"Id\" text\n", 1, "an unknown file kind");
	refused("column summary id \"Id\"\n", 1, "a column without its type");
	refused("# c\n\nstatus OK\n", 3, "a status without its word");
	refused("status OK \"\"\n", 1, "an empty word");
	refused("reason unexplained \"x\"\n", 1, "a reason without its reconciliation");
	refused("reason * a \"x\"\nreason * a \"y\"\n", 2, "a reason twice");
	refused("colour OK \"x\"\n", 1, "an unknown directive");
	/* A refused table leaves the one loaded before. */
	CHECK(terms_load("conf/terms.conf") == 0, "loads again");
	refused("status OK \"x\"\nbad\n", 2, "a bad line after a good one");
	CHECK(same(terms_status("OK"), "OK – stemmer"), "the table loaded before stays");
	{
		const char *p = test_text_file("column * id \"Id\" text\n"
					       "column exceptions id \"Undtagelses-id\" text\n"
					       "reason * a \"for alle\"\nreason faktura a \"faktura\"\n");
		CHECK(terms_load(p) == 0, "the same name for another file kind is fine");
		CHECK(same(terms_column_name("exceptions", "id"), "Undtagelses-id"), "own entry");
		CHECK(same(terms_column_name("summary", "id"), "Id"), "'*' entry");
		reason_is("faktura", "a: x / y", "faktura");
		reason_is("debitor", "a: x / y", "for alle");
		unlink(p);
	}
	terms_unload();
}

/*
 * Lookups by binary search over the loaded table: every kind, file and
 * code found whatever the order of the lines, neighbours in the sort not
 * taken for each other, the same code under another kind not mixed up,
 * the first and last of the order found, a code longer than the reason's
 * small buffer.
 */
static void test_lookup(void)
{
	char longcode[200], csv[260];
	struct strbuf t = STRBUF_INIT;
	memset(longcode, 'k', sizeof(longcode) - 1);
	longcode[sizeof(longcode) - 1] = '\0';
	strbuf_addstr(&t, "label zz \"sidst\"\n"
		      "column summary zeta \"Z\" text\n"
		      "status OK \"ok-ord\"\n"
		      "column exceptions alpha \"Ae\" amount\n"
		      "column * alpha \"A*\" date\n"
		      "column summary alpha \"As\" integer\n"
		      "label OK \"ok-etiket\"\n"
		      "reason nemkonto code1 \"nem\"\n"
		      "reason * code1 \"alle\"\n"
		      "reason * code10 \"ti\"\n"
		      "decision a \"først\"\n");
	strbuf_addf(&t, "reason * %s \"lang\"\n", longcode);
	const char *p = test_text_file(t.buf);
	CHECK(terms_load(p) == 0, "the lookup table loads");
	CHECK(same(terms_column_name("summary", "alpha"), "As") &&
	      terms_column("summary", "alpha").type == TERM_INTEGER, "summary alpha");
	CHECK(same(terms_column_name("exceptions", "alpha"), "Ae") &&
	      terms_column("exceptions", "alpha").type == TERM_AMOUNT, "exceptions alpha");
	CHECK(same(terms_column_name("decisions", "alpha"), "A*") &&
	      terms_column("decisions", "alpha").type == TERM_DATE, "'*' alpha");
	CHECK(same(terms_column_name("summary", "zeta"), "Z"), "zeta");
	CHECK(same(terms_column_name("exceptions", "zeta"), "zeta"), "zeta has no '*' entry");
	CHECK(same(terms_column_name("summary", "alph"), "alph"), "a prefix is no match");
	CHECK(same(terms_status("OK"), "ok-ord"), "status OK");
	CHECK(same(terms_label("OK"), "ok-etiket"), "label OK, not the status");
	CHECK(same(terms_label("zz"), "sidst"), "the last of the order");
	CHECK(same(terms_decision("a"), "først"), "the first of the order");
	CHECK(same(terms_review("a"), "a"), "another kind: the code");
	reason_is("nemkonto", "code1: x / y", "nem");
	reason_is("faktura", "code1: x / y", "alle");
	reason_is("nemkonto", "code10: x / y", "ti");
	reason_is("nemkonto", "code: x / y", "x");
	snprintf(csv, sizeof(csv), "%s: x / y", longcode);
	reason_is("faktura", csv, "lang");
	unlink(p);
	strbuf_release(&t);
	terms_unload();
}

int main(void)
{
	test_unloaded();
	test_shipped();
	test_split();
	test_refused();
	test_lookup();
	return test_done();
}
