/*
 * CSV input on libcsv: quoting, line ends (LF, CRLF, CR, mixed), physical
 * line numbers, rows that cannot be split (error rows: the bad row alone
 * is lost), quotes as text, encodings decided on the whole file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/strbuf.h"
#include "ingest/csvin.h"
#include "ingest/csvtable.h"
#include "test.h"

struct rows {
	struct strbuf text;	/* "line:f1|f2|...\n" per row, "line:!reason\n" per error */
	int restarts;
};

static int collect(const struct csv_row *r, void *data)
{
	struct rows *rs = data;
	strbuf_addf(&rs->text, "%lu:", r->line);
	if (r->error)
		strbuf_addf(&rs->text, "!%s[%.*s]", r->error, (int)r->rawlen, r->raw);
	for (size_t i = 0; i < r->nfields; i++)
		strbuf_addf(&rs->text, "%s%s", i ? "|" : "", r->fields[i].ptr);
	strbuf_addch(&rs->text, '\n');
	return 0;
}

static int forget(void *data)
{
	struct rows *rs = data;
	strbuf_reset(&rs->text);
	rs->restarts++;
	return 0;
}

static int read_opts(const char *bytes, size_t len, const struct csvin_opts *o,
		     struct rows *rs, enum csvin_encoding *used)
{
	const char *path = test_file(bytes, len);
	int rc;
	strbuf_reset(&rs->text);
	rs->restarts = 0;
	rc = csvin_read(path, o, collect, rs, used);
	unlink(path);
	return rc;
}

static int read_bytes(const char *bytes, size_t len, enum csvin_encoding enc,
		      struct rows *rs, enum csvin_encoding *used)
{
	struct csvin_opts o = { .delimiter = ';', .encoding = enc };
	return read_opts(bytes, len, &o, rs, used);
}

/* Error rows passed on (as normalise reads). */
static int read_rows(const char *bytes, size_t len, struct rows *rs)
{
	struct csvin_opts o = { .delimiter = ';', .encoding = CSVIN_AUTO, .error_rows = 1,
				.restart = forget };
	enum csvin_encoding used;
	return read_opts(bytes, len, &o, rs, &used);
}

#define ROWS(lit, want, what) do { \
	CHECK(read_rows(lit, sizeof(lit) - 1, &rs) == 0 && !strcmp(rs.text.buf, want), \
	      "%s: got\n%s", what, rs.text.buf); \
} while (0)

static void test_line_ends(void)
{
	struct rows rs = { STRBUF_INIT, 0 };
	ROWS("a;b\r1;2\r3;4\r", "1:a|b\n2:1|2\n3:3|4\n", "CR-only line ends (CSV Macintosh)");
	ROWS("a;b\n1;2\r\n3;4\r5;6\n", "1:a|b\n2:1|2\n3:3|4\n4:5|6\n", "mixed LF, CRLF, CR");
	ROWS("a;b\n\n1;2\n \n3;4", "1:a|b\n3:1|2\n5:3|4\n", "blank lines count, no newline at the end");
	ROWS("a;b\r1;\"x\ry\"\r2;3\r", "1:a|b\n2:1|x\ry\n4:2|3\n", "a quoted CR is a line too");
	ROWS("a;b\r\n\r\n1;2\r\n", "1:a|b\n3:1|2\n", "CRLF blank line");
	strbuf_release(&rs.text);
}

/* A CRLF whose CR ends one read block and LF starts the next is one line end. */
static void test_crlf_across_blocks(void)
{
	struct rows rs = { STRBUF_INIT, 0 };
	struct strbuf b = STRBUF_INIT;
	strbuf_addstr(&b, "a;b\r\n");
	while (b.len < 65533)
		strbuf_addstr(&b, "x");	/* a long line 2 */
	strbuf_addstr(&b, ";1\r\n2;3\r\n");
	CHECK(b.buf[65535] == '\r' && b.buf[65536] == '\n', "the CR sits at the block end");
	CHECK(read_rows(b.buf, b.len, &rs) == 0 && !strcmp(rs.text.buf + rs.text.len - 6, "3:2|3\n"),
	      "CRLF across blocks is one line end: %s", rs.text.buf + rs.text.len - 20);
	strbuf_release(&b);
	strbuf_release(&rs.text);
}

static void test_error_rows(void)
{
	struct rows rs = { STRBUF_INIT, 0 };
	ROWS("a;b\n1;x\"y\n2;3\n",
	     "1:a|b\n2:!a '\"' inside a field that does not start with one[1;x\"y]\n3:2|3\n",
	     "a stray quote loses its row only");
	ROWS("a;b\n1;2\n3;\"open\n4;5\n6;7\n",
	     "1:a|b\n2:1|2\n3:!a quoted field is never closed (a stray '\"'?)[3;\"open]\n4:4|5\n5:6|7\n",
	     "an unterminated quote: its line alone, the rest read again");
	ROWS("a;b\n1;\"x\ny\"z;1\n2;3\n",
	     "1:a|b\n2:!text after the closing '\"' of a quoted field (a '\"' inside it not "
	     "doubled?)[1;\"x]\n3:!a '\"' inside a field that does not start with one[y\"z;1]\n4:2|3\n",
	     "garbage after a closing quote two lines down");
	ROWS("a;b\n1;\"two\nlines\"\n2;3\n", "1:a|b\n2:1|two\nlines\n4:2|3\n",
	     "a quoted line break is no error");
	ROWS("a;b\n1;x\0y\n2;3\n", "1:a|b\n2:!a NUL byte (a binary or UTF-16 file?)[1;x]\n3:2|3\n",
	     "a NUL byte loses its row");
	ROWS("a;b\n1;\"x\n2;\0\n3;4\n",
	     "1:a|b\n2:!a quoted field is never closed (a stray '\"'?)[1;\"x]\n"
	     "3:!a NUL byte (a binary or UTF-16 file?)[2;]\n4:3|4\n",
	     "an open quote running into a NUL line: both named, each at its line");
	strbuf_release(&rs.text);
}

static void test_long_rows(void)
{
	struct rows rs = { STRBUF_INIT, 0 };
	struct strbuf b = STRBUF_INIT;
	strbuf_addstr(&b, "a;b\n1;");
	for (size_t i = 0; i < CSVIN_MAX_ROW + 10; i++)
		strbuf_addch(&b, 'x');
	strbuf_addstr(&b, "\n2;3\n");
	CHECK(read_rows(b.buf, b.len, &rs) == 0 && strstr(rs.text.buf, "2:!a line longer than 1 MiB") &&
	      !strcmp(rs.text.buf + rs.text.len - 6, "3:2|3\n"), "a line over 1 MiB is an error row");
	strbuf_reset(&b);
	strbuf_addstr(&b, "a;b\n1;\"");
	for (size_t i = 0; i < CSVIN_MAX_ROW / 100 + 10; i++)
		strbuf_addstr(&b, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
	CHECK(read_rows(b.buf, b.len, &rs) == 0 && strstr(rs.text.buf, "2:!the row is longer than 1 MiB") &&
	      strstr(rs.text.buf, "\n3:xxxx"), "an open quote stops at 1 MiB and the lines after come back");
	strbuf_release(&b);
	strbuf_release(&rs.text);
}

static void test_quotes_text(void)
{
	struct rows rs = { STRBUF_INIT, 0 };
	struct csvin_opts o = { .delimiter = '\t', .encoding = CSVIN_CP1252, .error_rows = 1,
				.quotes_are_text = 1 };
	static const char opus[] = "a\tb\n1\tAfregning OP-bidrag 4. kvt \"rettet\"\n\"2\t\"x\n";
	CHECK(read_opts(opus, sizeof(opus) - 1, &o, &rs, NULL) == 0 &&
	      !strcmp(rs.text.buf, "1:a|b\n2:1|Afregning OP-bidrag 4. kvt \"rettet\"\n3:\"2|\"x\n"),
	      "quotes as text: %s", rs.text.buf);
	strbuf_release(&rs.text);
}

static void test_encodings(void)
{
	struct rows rs = { STRBUF_INIT, 0 };
	enum csvin_encoding used;
	struct strbuf b = STRBUF_INIT;
	struct csvin_opts o = { .delimiter = ';', .encoding = CSVIN_AUTO, .error_rows = 1,
				.restart = forget };

	/* Windows-1252 whose first non-ASCII byte is far past 64 KiB. */
	strbuf_addstr(&b, "navn;x\n");
	while (b.len < 73893)
		strbuf_addstr(&b, "Soren;1\n");
	strbuf_addstr(&b, "S\xF8ren;2\n");
	CHECK(read_opts(b.buf, b.len, &o, &rs, &used) == 0 && used == CSVIN_CP1252 &&
	      rs.restarts == 0 && strstr(rs.text.buf, ":S\xC3\xB8ren|2\n"),
	      "Windows-1252 decided at byte 73893, nothing read twice (restarts %d)", rs.restarts);

	/* UTF-8 text first, a Windows-1252 byte later: read again as Windows-1252. */
	strbuf_reset(&b);
	strbuf_addstr(&b, "navn;x\nS\xC3\xB8ren;1\nK\xE6r;2\n");
	CHECK(read_opts(b.buf, b.len, &o, &rs, &used) == 0 && used == CSVIN_CP1252 &&
	      rs.restarts == 1 &&
	      !strcmp(rs.text.buf, "1:navn|x\n2:S\xC3\x83\xC2\xB8ren|1\n3:K\xC3\xA6r|2\n"),
	      "not UTF-8 everywhere: all of it Windows-1252 (%d restarts) %s", rs.restarts,
	      rs.text.buf);
	CHECK(read_bytes(b.buf, b.len, CSVIN_AUTO, &rs, &used) == -1,
	      "without a restart the mixed file is an error");
	CHECK(read_bytes(b.buf, b.len, CSVIN_UTF8, &rs, &used) == 0 && used == CSVIN_UTF8,
	      "a schema that says utf-8 reads bytes as they are");
	CHECK(read_bytes("\xFF\xFE" "a\0;\0", 6, CSVIN_AUTO, &rs, &used) == -1 &&
	      read_bytes("\xFE\xFF" "\0a", 4, CSVIN_AUTO, &rs, &used) == -1, "UTF-16 is refused");
	CHECK(read_bytes("\xEF\xBB\xBF" "a;b\n\xF8;1\n", 11, CSVIN_AUTO, &rs, &used) == 0 &&
	      used == CSVIN_UTF8 && !strcmp(rs.text.buf, "1:a|b\n2:\xF8|1\n"),
	      "a byte-order mark decides UTF-8 (bad bytes reach the schema): %s", rs.text.buf);
	strbuf_release(&b);
	strbuf_release(&rs.text);
}

int main(void)
{
	struct rows rs = { STRBUF_INIT, 0 };
	enum csvin_encoding used;
	static const char quoted[] = "a;b\n1;\"CPR ukendt; kontakt SKAT\"\n2;\"say \"\"hi\"\"\"\n";
	static const char multi[] = "a;b\r\n1;\"two\r\nlines\"\r\n3;x\r\n";
	static const char bom[] = "\xEF\xBB\xBF" "Bel\xC3\xB8" "b;x\n1;2\n";
	static const char cp1252[] = "INDT\xC6GTSART;navn\n0041;S\xF8ren \xC5" "gaard\n";
	static const char bad[] = "a;b\n1;2\n3;\"open\n4;5\n";
	static const char stray[] = "a;b\n1;x\"y\n";

	log_init("test-csv");
	CHECK(read_bytes(quoted, sizeof(quoted) - 1, CSVIN_AUTO, &rs, &used) == 0 &&
	      !strcmp(rs.text.buf, "1:a|b\n2:1|CPR ukendt; kontakt SKAT\n3:2|say \"hi\"\n"),
	      "quoted ';' and doubled quotes: %s", rs.text.buf);
	CHECK(read_bytes(multi, sizeof(multi) - 1, CSVIN_AUTO, &rs, &used) == 0 &&
	      !strcmp(rs.text.buf, "1:a|b\n2:1|two\r\nlines\n4:3|x\n"),
	      "CRLF and a quoted line break keep line numbers: %s", rs.text.buf);
	CHECK(read_bytes(bom, sizeof(bom) - 1, CSVIN_AUTO, &rs, &used) == 0 &&
	      used == CSVIN_UTF8 && !strcmp(rs.text.buf, "1:Bel\xC3\xB8" "b|x\n2:1|2\n"),
	      "BOM dropped, UTF-8: %s", rs.text.buf);
	CHECK(read_bytes(cp1252, sizeof(cp1252) - 1, CSVIN_AUTO, &rs, &used) == 0 &&
	      used == CSVIN_CP1252 &&
	      !strcmp(rs.text.buf, "1:INDT\xC3\x86GTSART|navn\n2:0041|S\xC3\xB8ren \xC3\x85gaard\n"),
	      "Windows-1252 detected and æøå converted: %s", rs.text.buf);
	CHECK(read_bytes(cp1252, sizeof(cp1252) - 1, CSVIN_CP1252, &rs, &used) == 0 &&
	      used == CSVIN_CP1252, "Windows-1252 forced by the schema");
	fprintf(stderr, "(expected errors follow)\n");
	CHECK(read_bytes(bad, sizeof(bad) - 1, CSVIN_AUTO, &rs, &used) == -1,
	      "unterminated quote is a syntax error without error rows");
	CHECK(read_bytes(stray, sizeof(stray) - 1, CSVIN_AUTO, &rs, &used) == -1,
	      "a quote inside an unquoted field is a syntax error without error rows");
	CHECK(read_bytes("", 0, CSVIN_AUTO, &rs, &used) == 0 && rs.text.len == 0,
	      "empty file: no rows");
	CHECK(utf8_valid("\xC3\xB8", 2) && !utf8_valid("\xF8", 1) &&
	      !utf8_valid("\xC0\xAF", 2) && !utf8_valid("\xED\xA0\x80", 3),
	      "UTF-8 validation (overlong, surrogate)");
	test_line_ends();
	test_crlf_across_blocks();
	test_error_rows();
	test_long_rows();
	test_quotes_text();
	test_encodings();
	strbuf_release(&rs.text);
	/* a reason cell's code (ingest/csvtable.h): up to ':', cut to fit */
	{
		char code[8];
		csv_reason_code("afvist: fordringen er afvist / rejected", code, sizeof(code));
		CHECK(!strcmp(code, "afvist"), "reason code '%s', want afvist", code);
		csv_reason_code("unexplained", code, sizeof(code));
		CHECK(!strcmp(code, "unexpla"), "no ':' and too long: cut to '%s'", code);
		csv_reason_code("", code, sizeof(code));
		CHECK(!code[0], "an empty reason is an empty code");
	}
	return test_done();
}
