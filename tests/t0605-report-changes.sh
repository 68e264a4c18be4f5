#!/bin/sh
# The report (issue 19): it opens with what changed since the previous
# night, orders the reconciliations by what is open, puts a reconciliation
# without data on one line, shows decided exceptions apart, prints on few
# pages, and its chart shows both series (checked on a screenshot's pixels).
. "$(dirname "$0")/lib.sh"
D=out/2021-02-05
E=exceptions/ky-eindkomst.csv
BOM=$(printf '\357\273\277')

chrome() {
	page=$1
	shift
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --host-resolver-rules="MAP * ~NOTFOUND" \
		--user-data-dir="$(mktemp -d "$TRASH/profile.XXXXXX")" "$@" "file://$page" \
		2>>"$TRASH/chromium.err"
}

# pages HTML: the page count of the page printed to PDF by Chromium (A4 landscape, report.c's @page)
pages() {
	chrome "$TRASH/$1" --no-pdf-header-footer --print-to-pdf="$TRASH/pages.pdf" >/dev/null &&
	python3 -c "import re,sys; print(len(re.findall(rb'/Type\s*/Page(?![s\w])', open(sys.argv[1], 'rb').read())))" \
		"$TRASH/pages.pdf"
}

# rows FILE ID: the rows of table ID as text, cells joined by '|'
rows() {
	sed -n "/<table id=\"$2\">/,/<\/table>/p" "$1" | grep '^<tr' | grep -v '<th>' |
		sed -e 's/<[^>]*>/|/g' -e 's/||*/|/g' -e 's/^|//' -e 's/|$//'
}

report() {
	stage-report --quiet --date "${2:-2021-02-05}" --conf "$TOP/conf/pipeline.conf" \
		--state "$1/state" --out "$1/out"
}

test_expect_success 'a first night says so, and lists no changes' '
	night eindkomst-drilldown dd &&
	grep -q "<h2>Siden sidste nat</h2>" dd/$D/report.html &&
	grep -q "Første nat: der er ingen tidligere nat med afvigelser" dd/$D/report.html &&
	! grep -q "<table id=\"changes\">" dd/$D/report.html
'

test_expect_success 'pixels: one night, the bar and the amount marker above it are both seen' '
	chrome "$TRASH/dd/$D/report.html" --window-size=1200,2600 \
		--screenshot="$TRASH/one.png" >/dev/null &&
	python3 "$TOP/tests/png-chart.py" one.png --min-bars 1 --min-line 20 >px &&
	cat px && grep -q "^bars 1 " px
'

# The night before: 0014 had another amount, 0015 was not open, 0016 was
# open and has closed since (its detail row is left out with its parent).
test_expect_success 'two nights: exactly the break that opened, the one that closed and the one that changed' '
	mkdir -p dd/out/2021-02-04/exceptions dd/out/2021-02-04/summary &&
	cp dd/$D/summary/ky-eindkomst.csv dd/out/2021-02-04/summary/ &&
	{ head -1 dd/$D/$E &&
	  grep "^c8ac2ef75f7b5be3;" dd/$D/$E | sed "s/;151533,69;/;150000,00;/" &&
	  grep "^6e16876fbc9b31c2;\|^1e59a6397cd07385;" dd/$D/$E &&
	  echo "00000000000000aa;ky-eindkomst;29757895;2021-02;0016;;42,00;unexplained: forskel;2021-02-04;0;;"
	} >dd/out/2021-02-04/$E &&
	mkdir -p dd/out/2021-02-03/exceptions dd/out/2021-02-06/exceptions &&
	cp dd/$D/$E dd/out/2021-02-06/$E &&
	report dd &&
	grep -q "<caption>Åbne afvigelser i nat mod 2021-02-04</caption>" dd/$D/report.html &&
	rows dd/$D/report.html changes >actual &&
	printf "%s\n" "ky-eindkomst|Ny|0015|–|-100,00|unexplained" \
		"ky-eindkomst|Lukket|0016|42,00|–|unexplained" \
		"ky-eindkomst|Beløb ændret|0014|150.000,00|151.533,69|unexplained" >expect &&
	test_cmp expect actual &&
	rows dd/$D/report.html changes-summary >actual &&
	echo "KY mod SKAT eIndkomst|1|100,00|1|42,00|1|1.533,69|150.042,00|151.633,69" >expect &&
	test_cmp expect actual
'

test_expect_success 'the changes come first, before the overview and the sections' '
	grep -n "<h2>Siden sidste nat</h2>\|<table id=\"overview\">\|<section class=\"recon\"" \
		dd/$D/report.html | cut -d: -f2 | cut -c1-18 >order &&
	printf "%s\n" "<h2>Siden sidste n" "<table id=\"overvie" "<section class=\"re" >expect &&
	test_cmp expect order
'

test_expect_success 'a reconciliation on its first night with data: its breaks counted as new, not listed again' '
	mkdir -p fn/out/2021-02-04/exceptions fn/out/2021-02-04/summary && cp -r dd/state fn/ &&
	cp -r dd/$D fn/out/ &&
	printf "%srecon;se;month;key;left;right;difference;explained;unexplained;status\nky-eindkomst;;2021-02;INGEN-DATA;;;;;;MANGLER\n" "$BOM" \
		>fn/out/2021-02-04/summary/ky-eindkomst.csv &&
	printf "%sid;recon;se;month;key;cpr;amount;reason;first_seen;age_days;left;right\n" "$BOM" \
		>fn/out/2021-02-04/$E &&
	report fn &&
	rows fn/$D/report.html changes-summary >actual &&
	echo "KY mod SKAT eIndkomst| (første nat med data)|2|151.633,69|0|0,00|0|0,00|0,00|151.633,69" >expect &&
	test_cmp expect actual &&
	! grep -q "<table id=\"changes\">" fn/$D/report.html
'

test_expect_success 'no change: one line saying so' '
	mkdir -p same/out/2021-02-04 && cp -r dd/state same/ && cp -r dd/$D same/out/ &&
	cp -r dd/$D/exceptions dd/$D/summary same/out/2021-02-04/ &&
	report same &&
	grep -q "Ingen ændringer siden 2021-02-04: de samme åbne afvigelser med de samme beløb." \
		same/$D/report.html
'

test_expect_success 'pixels: several nights, the bars and the amount line on its own band above them' '
	mkdir -p dd/out/2021-02-01/exceptions && cp dd/$D/$E dd/out/2021-02-01/$E &&
	report dd &&
	test "$(grep -c "<rect class=\"bar\"" dd/$D/report.html)" = 3 &&
	chrome "$TRASH/dd/$D/report.html" --window-size=1200,3000 \
		--screenshot="$TRASH/three.png" >/dev/null &&
	python3 "$TOP/tests/png-chart.py" three.png --min-bars 3 --min-line 60 >px &&
	cat px && grep -q "^bars 3 " px
'

test_expect_success 'pixels: the check fails on a chart whose line lies on the bar tops' '
	sed "s|<circle class=\"amount\" cx=\"\([0-9]*\)\" cy=\"[0-9]*\"|<circle class=\"amount\" cx=\"\1\" cy=\"90\"|" \
		dd/$D/report.html >bad.html &&
	chrome "$TRASH/bad.html" --window-size=1200,3000 --screenshot="$TRASH/bad.png" >/dev/null &&
	! python3 "$TOP/tests/png-chart.py" bad.png --min-bars 3 >px &&
	grep -q "amount pixels lie on the bars" px
'

test_expect_success 'decided exceptions apart: decision, who, when, note; beloeb-aendret flagged and still open' '
	mkdir -p dd/$D/decisions &&
	{ printf "%sid;decision;by;at;note;decided_amount;amount;review\n" "$BOM" &&
	  echo "51553d822f3c535c;forklaret;ABC;2021-02-05T08:15:00Z;\"Rettet i KY; ringet til 0909721188\";-100,00;-100,00;" &&
	  echo "c8ac2ef75f7b5be3;accepteret;XYZ;2021-02-04T16:00:00Z;Kendt forskel;150000,00;151533,69;beloeb-aendret"
	} >dd/$D/decisions/ky-eindkomst.csv &&
	report dd && f=dd/$D/report.html &&
	grep -q "<h3>Afvigelser: 5, heraf åbne: 1, med beslutning: 2</h3>" $f &&
	sed -n "/<table class=\"decided\">/,/<\/table>/p" $f | grep "^<tr" | grep -v "<th>" |
		sed -e "s/<[^>]*>/|/g" -e "s/||*/|/g" -e "s/^|//" -e "s/|$//" >actual &&
	printf "%s\n" "0014|151.533,69|unexplained|Accepteret|XYZ|2021-02-04T16:00:00Z|Kendt forskel|150.000,00|Beløbet er ændret siden beslutningen" \
		"0015|-100,00|unexplained|Forklaret|ABC|2021-02-05T08:15:00Z|Rettet i KY; ringet til 090972-xxxx|-100,00" >expect &&
	test_cmp expect actual &&
	grep -q "<tr class=\"review\">" $f &&
	sed -n "/<table class=\"breaks\">/,/<\/table>/p" $f >breaks &&
	test "$(grep -c "^<tr" breaks)" = 4 &&
	grep -q "Beløbet er ændret siden beslutningen" breaks &&
	! grep -q "<td class=\"num neg\">-100,00</td><td class=\"reason\">unexplained" breaks &&
	test "$(rows $f overview | grep "^KY mod SKAT eIndkomst")" = "KY mod SKAT eIndkomst|Afvigelse|3|3|3|0|1|151.533,69" &&
	! grep -q 0909721188 $f &&
	grep -q "href=\"decisions/ky-eindkomst.csv\"" $f
'

# The tester's finding 5: decided, then genaabnet (the file the matching
# stage writes then): open again, so not shown or counted as decided (as
# the workbook and `pipeline exceptions --decided` have it); it stands among
# the open breaks, flagged as reopened.
test_expect_success 'a reopened exception (genaabnet) is open: not under the decided ones, not counted' '
	cp -r dd dg &&
	{ printf "%sid;decision;by;at;note;decided_amount;amount;review\n" "$BOM" &&
	  echo "51553d822f3c535c;genaabnet;ABC;2021-02-05T09:15:00Z;igen;-100,00;-100,00;" &&
	  echo "c8ac2ef75f7b5be3;forklaret;XYZ;2021-02-05T10:00:00Z;Kendt forskel;151533,69;151533,69;"
	} >dg/$D/decisions/ky-eindkomst.csv &&
	report dg && f=dg/$D/report.html &&
	grep -q "<h3>Afvigelser: 5, heraf åbne: 1, med beslutning: 1</h3>" $f &&
	grep -q "<h3>Afvigelser med beslutning: 1</h3>" $f &&
	sed -n "/<table class=\"decided\">/,/<\/table>/p" $f | grep "^<tr" | grep -v "<th>" |
		sed -e "s/<[^>]*>/|/g" -e "s/||*/|/g" -e "s/^|//" -e "s/|$//" >actual &&
	echo "0014|151.533,69|unexplained|Forklaret|XYZ|2021-02-05T10:00:00Z|Kendt forskel|151.533,69" >expect &&
	test_cmp expect actual &&
	sed -n "/<table class=\"breaks\">/,/<\/table>/p" $f >breaks &&
	grep -q "<td class=\"num neg\">-100,00</td><td class=\"reason\">unexplained.*<span class=\"flag\">Genåbnet</span>" breaks &&
	test "$(rows $f overview | grep "^KY mod SKAT eIndkomst")" = "KY mod SKAT eIndkomst|Afvigelse|3|3|3|0|1|100,00"
'

test_expect_success 'a decision that explains is not a new break in the changes' '
	rows dd/$D/report.html changes >actual &&
	printf "%s\n" "ky-eindkomst|Lukket|0016|42,00|–|unexplained" \
		"ky-eindkomst|Beløb ændret|0014|150.000,00|151.533,69|unexplained" >expect &&
	test_cmp expect actual
'

test_expect_success 'the same night again: the same bytes' '
	cp dd/$D/report.html r1.html && report dd && cmp r1.html dd/$D/report.html
'

# A night of our own: recons with breaks of different sizes, explained, OK
# and without data, beside the drill-down's ky-eindkomst (151.533,69 open).
sumrow() { echo "$1;29757895;2021-02;$2;10,00;4,00;6,00;$3;$4;$5"; }
test_expect_success 'order: open breaks by amount, then explained, then OK; without data one line, no section' '
	mkdir -p ord/out && cp -r dd/state ord/ && cp -r dd/$D ord/out/ && rm -r ord/$D/decisions &&
	H="${BOM}recon;se;month;key;left;right;difference;explained;unexplained;status" &&
	X="${BOM}id;recon;se;month;key;cpr;amount;reason;first_seen;age_days;left;right" &&
	{ echo "$H"; sumrow zz-big A 0,00 6,00 BREAK; } >ord/$D/summary/zz-big.csv &&
	{ echo "$X"; echo "00000000000000b1;zz-big;29757895;2021-02;A;;200000,00;x: y;2021-02-05;0;;"; } >ord/$D/exceptions/zz-big.csv &&
	{ echo "$H"; sumrow aa-small A 0,00 6,00 BREAK; } >ord/$D/summary/aa-small.csv &&
	{ echo "$X"; echo "00000000000000b2;aa-small;29757895;2021-02;A;;5,00;x: y;2021-02-05;0;;"; } >ord/$D/exceptions/aa-small.csv &&
	{ echo "$H"; sumrow zz-expl A 6,00 0,00 EXPLAINED; } >ord/$D/summary/zz-expl.csv &&
	{ echo "$H"; echo "aa-ok;29757895;2021-02;A;4,00;4,00;0,00;0,00;0,00;OK"; } >ord/$D/summary/aa-ok.csv &&
	{ echo "$H"; echo "aa-none;;2021-02;INGEN-DATA;;;;;;MANGLER"; } >ord/$D/summary/aa-none.csv &&
	report ord && f=ord/$D/report.html &&
	grep -o "<section class=\"recon\" id=\"recon-[^\"]*\"" $f | cut -d- -f2- | tr -d "\"" >actual &&
	printf "%s\n" zz-big ky-eindkomst aa-small zz-expl aa-ok >expect &&
	test_cmp expect actual &&
	rows $f overview | cut -d"|" -f1,2 >ov &&
	head -5 ov | cut -d"|" -f1 >actual &&
	printf "%s\n" zz-big "KY mod SKAT eIndkomst" aa-small zz-expl aa-ok >expect &&
	test_cmp expect actual &&
	grep -q "^aa-none|Ingen data i nat$" ov && test "$(tail -n +6 ov | grep -vc "|Ingen data i nat$")" = 0 &&
	! grep -q "<section class=\"recon\" id=\"recon-aa-none\"" $f &&
	grep -q "<tr id=\"recon-aa-none\" class=\"nodata\">" $f
'

test_expect_success 'few pages: the demo night on at most 2, the drill-down with changes and decisions on at most 3' '
	night guide-eindkomst g &&
	p=$(pages g/$D/report.html) && echo "guide-eindkomst: $p" && test "$p" -le 2 &&
	p=$(pages dd/$D/report.html) && echo "eindkomst-drilldown: $p" && test "$p" -le 3 &&
	p=$(pages ord/$D/report.html) && echo "five recons with data: $p" && test "$p" -le 3
'

test_expect_success 'print CSS: no page break forced per section, compact tables' '
	! grep -q "break-before:page" g/$D/report.html &&
	grep -q "@media print{body{max-width:none;padding:0;font-size:8pt" g/$D/report.html
'

test_done
