#!/bin/sh
# The night's report: rendered by a real browser (headless Chromium), the
# guide's Figur 12 to the øre in Danish notation, self-contained (no
# request leaves the page), CPR masked, generic over reconciliations.
. "$(dirname "$0")/lib.sh"
G="$TOP/tests/golden"
D=out/2021-02-05

# chrome FILE ARGS...: headless Chromium, no network, a fresh profile.
chrome() {
	page=$1
	shift
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --host-resolver-rules="MAP * ~NOTFOUND" \
		--user-data-dir="$(mktemp -d "$TRASH/profile.XXXXXX")" "$@" "file://$page" \
		2>>"$TRASH/chromium.err"
}

# The summary tables' rows as text: cells joined by '|'.
summary_rows() {
	sed -n '/<table class="summary">/,/<\/table>/p' "$1" | grep '^<tr' | grep -v '<th>' |
		sed -e 's/<[^>]*>/|/g' -e 's/||*/|/g' -e 's/^|//' -e 's/|$//'
}

test_expect_success 'chromium is installed (ops/install-deps.sh)' '
	command -v chromium
'

test_expect_success 'a night writes report.html, 0640, byte-identical on rerun' '
	night guide-eindkomst g &&
	test "$(stat -c %a g/$D/report.html)" = 640 &&
	cp g/$D/report.html first.html &&
	night guide-eindkomst g &&
	cmp first.html g/$D/report.html
'

test_expect_success 'the browser renders the tables, status colours and the chart' '
	chrome "$TRASH/g/$D/report.html" --dump-dom >dom.html &&
	grep -q "<table id=\"overview\">" dom.html &&
	test "$(grep -c "<table class=\"summary\">" dom.html)" = 1 &&
	grep -q "<th>KY Sum - eIndkomst</th><th>SKAT Sumoplysninger</th>" dom.html &&
	grep -q "<th>Afviste linjer</th>" dom.html &&
	grep -q "<td class=\"st st-explained\">Forklaret</td>" dom.html &&
	grep -q "href=\"exceptions/ky-eindkomst.csv\"" dom.html &&
	grep -q "Ingen åbne afvigelser de sidste 30 nætter" dom.html &&
	! grep -q "<figure class=\"trend\">" dom.html
'

test_expect_success 'golden: the rendered table is Figur 12 in Danish notation' '
	summary_rows dom.html >actual &&
	test_cmp "$G/guide-eindkomst/report-figur12.txt" actual
'

test_expect_success 'self-contained: no script, no external URL in the page' '
	! grep -Eiq "<script|<link|@import|url\(" g/$D/report.html &&
	! grep -Eiq "(src|href)=\"?(https?:|//)" g/$D/report.html
'

test_expect_success 'no request leaves the page (net log; a page with remote assets is caught)' '
	chrome "$TRASH/g/$D/report.html" --log-net-log="$TRASH/net.json" --dump-dom >/dev/null &&
	test -s net.json &&
	! grep -q "\"initiator\":\"null\"" net.json &&
	printf "<img src=\"http://example.invalid/x.png\">" >remote.html &&
	chrome "$TRASH/remote.html" --log-net-log="$TRASH/net2.json" --dump-dom >/dev/null &&
	grep -q "\"initiator\":\"null\"" net2.json
'

test_expect_success 'a screenshot and a printed PDF are produced' '
	chrome "$TRASH/g/$D/report.html" --window-size=1200,1600 \
		--screenshot="$TRASH/report.png" >/dev/null &&
	head -c 8 report.png | od -An -c | grep -q "P   N   G" &&
	test "$(stat -c %s report.png)" -gt 20000 &&
	chrome "$TRASH/g/$D/report.html" --no-pdf-header-footer \
		--print-to-pdf="$TRASH/report.pdf" >/dev/null &&
	head -c 5 report.pdf | grep -q "%PDF" &&
	grep -q "@media print" g/$D/report.html
'

test_expect_success 'open breaks: amounts, age, CPR masked in the page' '
	night eindkomst-drilldown dd &&
	f=dd/$D/report.html &&
	grep -q "<h3>Afvigelser: 5, heraf åbne: 2</h3>" $f &&
	grep -q "<td class=\"nw\">090972-xxxx</td><td class=\"num\">152.033,69</td>" $f &&
	grep -q "<td class=\"num neg\">-500,00</td>" $f &&
	! grep -Eq "0909721188|2802757788|1511955042" $f &&
	grep -q "0909721188" dd/$D/exceptions/ky-eindkomst.csv
'

test_expect_success 'the trend chart shows the earlier nights found under OUT' '
	for d in 01 02 04; do
		mkdir -p dd/out/2021-02-$d/exceptions &&
		cp dd/$D/exceptions/ky-eindkomst.csv dd/out/2021-02-$d/exceptions/ || return 1
	done &&
	stage-report --quiet --date 2021-02-05 --conf "$TOP/conf/pipeline.conf" \
		--state dd/state --out dd/out &&
	test "$(grep -c "<rect class=\"bar\"" dd/$D/report.html)" = 4 &&
	test "$(grep -c "<circle class=\"amount\"" dd/$D/report.html)" = 4 &&
	grep -q "<title>2021-02-03: ingen kørsel</title>" dd/$D/report.html
'

test_expect_success 'the report input digest covers the trend nights and the file listings' '
	rerun_report() {
		pipeline rerun report --date 2021-02-05 --conf "$TOP/conf/pipeline.conf" \
			--drops "$TOP/fixtures/eindkomst-drilldown/drops" --state dd/state --out dd/out &&
		grep "^report;done;" dd/$D/status | cut -d";" -f7 >"$1" && test -s "$1"
	} &&
	rerun_report i1 && mv dd/out/2021-02-01/exceptions/ky-eindkomst.csv t.csv &&
	rerun_report i2 && ! cmp -s i1 i2 &&
	mkdir -p dd/$D/rejected && echo x >dd/$D/rejected/x.csv &&
	rerun_report i3 && ! cmp -s i2 i3 &&
	rm -r dd/$D/rejected && mv t.csv dd/out/2021-02-01/exceptions/ky-eindkomst.csv &&
	rerun_report i4 && test_cmp i1 i4
'

# A conf directory of our own beside the real schemas.
test_expect_success 'generic: a new reconciliation gets a section, labels are escaped' '
	mkdir -p c/conf && ln -s "$TOP/schemas" c/schemas &&
	cp "$TOP/conf/pipeline.conf" "$TOP/conf/reconciliations.conf" "$TOP/conf/terms.conf" c/conf/ &&
	cat >c/conf/report.conf <<-\EOC &&
	recon ky-eindkomst title "Løn & <skat>" key Felt
	EOC
	printf "\357\273\277recon;se;month;key;left;right;difference;explained;unexplained;status\nzz-ny;29757895;2021-02;TOTAL;10,00;4,00;6,00;0,00;6,00;BREAK\n" \
		>dd/$D/summary/zz-ny.csv &&
	stage-report --quiet --date 2021-02-05 --conf c/conf/pipeline.conf \
		--state dd/state --out dd/out &&
	f=dd/$D/report.html &&
	grep -q "Løn &amp; &lt;skat&gt;" $f && ! grep -q "<skat>" $f &&
	grep -q "<section class=\"recon\" id=\"recon-zz-ny\">" $f &&
	grep -q "<th>Nøgle</th><th>Venstre</th><th>Højre</th>" $f &&
	chrome "$TRASH/$f" --dump-dom >dom2.html &&
	test "$(grep -c "<table class=\"summary\">" dom2.html)" = 2
'

test_expect_success 'a key that is a CPR (a NemKonto recipient) is masked in the page' '
	printf "\357\273\277recon;se;month;key;left;right;difference;explained;unexplained;status\nzz-ny;29757895;2021-02;0101011234;10,00;4,00;6,00;0,00;6,00;BREAK\n" \
		>dd/$D/summary/zz-ny.csv &&
	printf "\357\273\277id;recon;se;month;key;cpr;amount;reason;first_seen;age_days;left;right\nffffffffffffffff;zz-ny;29757895;2021-02;0101011234;;6,00;test;2021-02-05;0;;\n" \
		>dd/$D/exceptions/zz-ny.csv &&
	stage-report --quiet --date 2021-02-05 --conf "$TOP/conf/pipeline.conf" \
		--state dd/state --out dd/out &&
	# the summary and the breaks (its first night: the changes count it, not list it)
	test "$(grep -c "<td[^>]*>010101-xxxx</td>" dd/$D/report.html)" = 2 &&
	! grep -q 0101011234 dd/$D/report.html
'

test_expect_success 'a malformed amount in a night file exits 65, naming file, line and column' '
	sed -i "s/;6,00;test;/;6.00x;test;/" dd/$D/exceptions/zz-ny.csv &&
	{ stage-report --quiet --date 2021-02-05 --conf "$TOP/conf/pipeline.conf" \
		--state dd/state --out dd/out 2>err; test $? -eq 65; } &&
	grep -q "exceptions/zz-ny.csv:2:7: amount .6.00x.: " err &&
	rm dd/$D/exceptions/zz-ny.csv dd/$D/summary/zz-ny.csv
'

test_expect_success 'a bad report.conf is refused with file:line' '
	echo "recon x colour red" >c/conf/report.conf &&
	{ stage-report --quiet --date 2021-02-05 --conf c/conf/pipeline.conf \
		--state dd/state --out dd/out 2>err; test $? -eq 64; } &&
	grep -q "report.conf:1: unknown label" err
'

test_done
