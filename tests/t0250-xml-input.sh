#!/bin/sh
# XML input in normalise (libxml2): a school system's participant list and
# OIOUBL invoices and credit notes are schema files; every DTD, entity,
# wrong namespace, huge text node and non-XML file is refused with its file
# and line while the night goes on; an embedded PDF of 3 MB is accepted.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib-shared-parts.sh"
N1=2025-06-20
H=2025-06-22

test_expect_success 'a participant list and OIOUBL documents load; read back as written' '
	sp_night n1 $N1 "$SP/night1/drops" &&
	for s in demo.deltager demo.faktura demo.fakturalinje; do
		sp_rows n1 $N1 $s >$s.rows &&
		test_cmp "$SPG/night1/$s.rows" $s.rows || return 1
	done
'

test_expect_success 'every row element is a row read: read = loaded + rejected' '
	grep -q "^normalise;done;0;16;16;0;" n1/out/$N1/status &&
	test ! -d n1/out/$N1/rejected
'

test_expect_success 'an invoice and a credit note in one store: the credit note negated, by its own schemas' '
	grep "^faktura/CN-77.xml:2.0;" demo.faktura.rows | grep -q ";doctype=CreditNote;.*;amount=-125,00;net=-100,00;vat=-25,00;lines_net=-100,00;nlines=2$" &&
	grep -c "^faktura/CN-77.xml:17\.[01];" demo.fakturalinje.rows >n && test $(cat n) -eq 2
'

test_expect_success 'the files record which schemas and stores read them' '
	mdb_dump -p -s files n1/state/store >files.dump &&
	grep -q "schema=oioubl-invoice,oioubl-invoice-lines,oioubl-creditnote,oioubl-creditnote-lines" files.dump &&
	grep -q "store=demo.faktura,demo.fakturalinje" files.dump
'

# The hostile night: the fixture's hostile drops plus two made here, a
# 10.000.001-byte text node and an invoice carrying a 3 MB PDF.
hostile_drops() {
	cp -r "$SP/hostile/drops" "$1" &&
	python3 - "$1/faktura" "$SP/night1/drops/faktura/INV-1001.xml" <<-\EOF
	import sys
	out, src = sys.argv[1], sys.argv[2]
	inv = open(src).read()
	pdf = "JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K"
	for name, body in (("H8-PDF", "JVBERi0xLjQK" * (3 * 1024 * 1024 // 12)), ("H4-HUGE", "A" * 10000001)):
	    open("%s/%s.xml" % (out, name), "w").write(inv.replace(pdf, body).replace("INV-1001", name))
	    open("%s/%s.xml.done" % (out, name), "w").close()
	EOF
}

test_expect_success 'hostile XML: every file refused with file and line, the night goes on (exit 65)' '
	hostile_drops hd &&
	test_must_fail() { "$@"; test $? -eq 65; } &&
	test_must_fail sp_night h $H hd 2>err &&
	grep -q "^normalise;done;65;8;6;2;.*;7 file(s) could not be loaded$" h/out/$H/status &&
	grep -q "^report;done;" h/out/$H/status && grep -q "^archive;done;" h/out/$H/status &&
	(cd h/out/$H/rejected && ls) >actual &&
	(cd "$SPG/hostile/rejected" && ls) >expect && test_cmp expect actual &&
	for f in "$SPG"/hostile/rejected/*; do test_cmp "$f" h/out/$H/rejected/$(basename "$f") || return 1; done
'

test_expect_success 'the log names file and line of each refusal' '
	grep "stage-normalise: aftenskoler/AFS_MUSIK_20250619.xml:2: DOCTYPE refused: DTDs and entities are not accepted; not loaded" err &&
	grep "stage-normalise: aftenskoler/AFS_MUSIK_20250620.xml:2: DOCTYPE refused" err &&
	grep "stage-normalise: faktura/H3-NS.xml:2: document element is not inv:Invoice or cn:CreditNote; not loaded" err &&
	grep "stage-normalise: faktura/H4-HUGE.xml:14: huge text node (more than 10000000 bytes); not loaded" err &&
	grep "stage-normalise: faktura/H5-NOTXML.xml:1: not well-formed XML: Start tag expected" err &&
	grep "stage-normalise: faktura/H6-PEPPOL.xml:2: cbc:CustomizationID .urn:cen.eu" err &&
	grep "stage-normalise: aftenskoler/AFS_MUSIK_20250621.xml:5: @timer: not an XML decimal" err
'

test_expect_success 'no entity was expanded and /etc/passwd was never read' '
	! grep -rq "lollollol" h/out h/state &&
	! grep -rqs "root:x:0" h/out h/state h/archive
'

test_expect_success 'a refused file leaves no row; its record says why and where' '
	sp_rows h $H demo.faktura >rows &&
	cut -d";" -f1 rows >files && printf "%s\n" faktura/H7-BADLINE.xml:2.0 faktura/H8-PDF.xml:2.0 >expect &&
	test_cmp expect files &&
	mdb_dump -p -s files h/state/store >files.dump &&
	grep -q "refused_line=2\\\\0arefused_why=DOCTYPE refused: DTDs and entities are not accepted" files.dump &&
	grep -q "rejected_line=40\\\\0arejected_why=cbc:ID: missing" files.dump
'

test_expect_success 'a 3 MB embedded PDF is accepted, a rejected line leaves its document' '
	sp_rows h $H demo.fakturalinje >lines &&
	grep -c "^faktura/H8-PDF.xml:" lines >n && test $(cat n) -eq 2 &&
	grep -c "^faktura/H7-BADLINE.xml:" lines >n && test $(cat n) -eq 1
'

test_expect_success 'a rerun of normalise gives the same bytes and rows' '
	sums h/out/$H >before &&
	sp_rows h $H demo.faktura >rows1 &&
	PIPELINE_ARCHIVE_DIR="$TRASH/h/archive" pipeline rerun normalise --date $H --conf "$SPC" \
		--drops hd --state h/state --out h/out; test $? -eq 65 &&
	sums h/out/$H >after && test_cmp before after &&
	sp_rows h $H demo.faktura >rows2 && test_cmp rows1 rows2
'

test_expect_success 'xml-max-bytes and xml-max-depth come from pipeline.conf' '
	sp_conf lim "xml-max-bytes 2K" "xml-max-depth 2" &&
	sp_night l $N1 "$SP/night1/drops" "$TRASH/lim/pipeline.conf"; test $? -eq 65 &&
	grep -q "^faktura/INV-1001.xml;0;;file not loaded: file larger than xml-max-bytes (2048 bytes);" \
		l/out/$N1/rejected/faktura-INV-1001.xml.csv &&
	grep -q "^aftenskoler/AFS_MUSIK_20250618.xml;4;;file not loaded: deeper than xml-max-depth (2 elements);" \
		l/out/$N1/rejected/aftenskoler-AFS_MUSIK_20250618.xml.csv
'

test_expect_success 'conf errors name pipeline.conf and its line' '
	sp_conf bad "xml-max-depth 1" &&
	sp_night b $N1 "$SP/night1/drops" "$TRASH/bad/pipeline.conf" 2>err; test $? -eq 64 &&
	grep -q "pipeline.conf:[0-9]*: usage: xml-max-depth N (2 to 256)" err &&
	sp_conf mix &&
	sed -i "s|deltagerliste-xml  accumulate|deltagerliste-xml,deltagerliste-csv  accumulate|" mix/pipeline.conf &&
	sp_night m $N1 "$SP/night1/drops" "$TRASH/mix/pipeline.conf" 2>err; test $? -eq 65 &&
	grep -q "pipeline.conf:[0-9]*: schema deltagerliste-csv is CSV: only XML schemas share an input line" err
'

test_done
