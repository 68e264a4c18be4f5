/* CSV input on libcsv: quoting, encodings, line numbers, syntax errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/strbuf.h"
#include "ingest/csvin.h"
#include "test.h"

struct rows {
	struct strbuf text;	/* "line:f1|f2|...\n" per row */
};

static int collect(const struct csv_row *r, void *data)
{
	struct rows *rs = data;
	strbuf_addf(&rs->text, "%lu:", r->line);
	for (size_t i = 0; i < r->nfields; i++)
		strbuf_addf(&rs->text, "%s%s", i ? "|" : "", r->fields[i].ptr);
	strbuf_addch(&rs->text, '\n');
	return 0;
}

static int read_bytes(const char *bytes, size_t len, enum csvin_encoding enc,
		      struct rows *rs, enum csvin_encoding *used)
{
	const char *path = test_file(bytes, len);
	struct csvin_opts o = { ';', enc };
	int rc;
	strbuf_reset(&rs->text);
	rc = csvin_read(path, &o, collect, rs, used);
	unlink(path);
	return rc;
}

int main(void)
{
	struct rows rs = { STRBUF_INIT };
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
	CHECK(read_bytes(bad, sizeof(bad) - 1, CSVIN_AUTO, &rs, &used) == -1,
	      "unterminated quote is a syntax error");
	CHECK(read_bytes(stray, sizeof(stray) - 1, CSVIN_AUTO, &rs, &used) == -1,
	      "a quote inside an unquoted field is a syntax error");
	CHECK(read_bytes("", 0, CSVIN_AUTO, &rs, &used) == 0 && rs.text.len == 0,
	      "empty file: no rows");
	CHECK(utf8_valid("\xC3\xB8", 2) && !utf8_valid("\xF8", 1) &&
	      !utf8_valid("\xC0\xAF", 2) && !utf8_valid("\xED\xA0\x80", 3),
	      "UTF-8 validation (overlong, surrogate)");
	strbuf_release(&rs.text);
	return test_done();
}
