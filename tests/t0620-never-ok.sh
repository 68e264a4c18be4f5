#!/bin/sh
# Issue 12: a night never says OK when it does not know. Missing reports
# are MANGLER (never OK, never a break of phantom amounts), an empty night
# or an unreachable source is not green and has its exit code, one status
# rule holds for every reconciliation on every fixture night, the overview
# counts each krone once, rejected rows show in it, rerun and a future date
# cannot make or seal a partial night, and the archive lists every input
# file a night's results read.
. "$(dirname "$0")/lib.sh"
C="$TOP/conf/pipeline.conf"
F="$TOP/fixtures"

# nt DROPS NAME DATE [ARGS]: a night into NAME (its own state, out, archive)
nt() {
	drops=$1 name=$2 date=$3
	shift 3
	PIPELINE_ARCHIVE_DIR="$TRASH/$name/archive" pipeline run --quiet --date "$date" \
		--conf "$C" --drops "$drops" --state "$TRASH/$name/state" \
		--out "$TRASH/$name/out" "$@"
}

# The overview's line of a reconciliation: its cells joined by '|'.
overview() {
	sed -n '/<table id="overview">/,/<\/table>/p' "$1" | grep "recon-$2\"" |
		sed -e 's/<[^>]*>/|/g' -e 's/||*/|/g' -e 's/^|//' -e 's/|$//'
}

# rulecheck OUT/DATE: the one status rule (pipeline/match/recon.h) over every
# reconciliation of the night: every exception stands under a summary row of
# its recon, SE, month and key; that row is never OK, and EXPLAINED only when
# every exception under it explains it (conf 'explains'); a BREAK row has an
# exception under it unless it is a 'total' row; MANGLER rows leave
# unexplained empty. Prints the offending lines; fails on any.
rulecheck() {
	for s in "$1"/summary/*.csv; do
		r=$(basename "$s" .csv)
		awk -F";" -v recon="$r" -v conf="$TOP/conf/reconciliations.conf" -v sum="$s" '
		BEGIN {
			while ((getline l < conf) > 0) {
				n = split(l, w, /[ \t]+/); k = (w[1] == "" ? 2 : 1)
				if (w[k] == "recon") cur = w[k + 1]
				else if (cur == recon && w[k] == "explains")
					for (i = k + 1; i <= n; i++) expl[w[i]] = 1
				else if (cur == recon && w[k] == "total") total[w[k + 1]] = 1
			}
			while ((getline l < sum) > 0) {
				if (++ln == 1) continue
				split(l, c, ";"); p = c[2] ";" c[3] ";" c[4]
				st[p] = c[10]; unexpl[p] = c[9]; keyof[p] = c[4]
			}
		}
		FNR == 1 { next }
		{
			p = $3 ";" $4 ";" $5; split($8, rs, ":"); code = rs[1]
			if (!(p in st)) { print recon ": exception " code " " p " has no summary row"; bad = 1; next }
			under[p]++
			if (st[p] == "OK") { print recon ": " p " OK with " code " under it"; bad = 1 }
			if (st[p] == "EXPLAINED" && !(code in expl)) {
				print recon ": " p " EXPLAINED with open " code " under it"; bad = 1
			}
		}
		END {
			for (p in st) {
				if (st[p] == "BREAK" && !under[p] && !(keyof[p] in total)) {
					print recon ": " p " BREAK with no exception under it"; bad = 1
				}
				if (st[p] == "MANGLER" && unexpl[p] != "") { print recon ": " p " MANGLER shows an unexplained amount"; bad = 1 }
				if (st[p] !~ /^(OK|EXPLAINED|BREAK|MANGLER)$/) { print recon ": " p " status " st[p]; bad = 1 }
			}
			exit bad
		}' "$1/exceptions/$r.csv" || return 1
	done
}

test_expect_success 'drops one folder too high: exit 66, one INGEN-DATA line per reconciliation, not green' '
	{ nt "$F/guide-eindkomst" high 2021-02-05 2>err; test $? -eq 66; } &&
	o=high/out/2021-02-05 &&
	test $(ls $o/summary | wc -l) -eq 9 &&
	for f in $o/summary/*.csv; do
		test $(tail -n +2 $f | wc -l) -eq 1 &&
		grep -q "^$(basename $f .csv);;2021-02;INGEN-DATA;;;;;;MANGLER$" $f || return 1
	done &&
	! grep -q ";OK$" $o/summary/*.csv &&
	grep -q "<p id=\"verdict\" class=\"badge st-break\">Nattens input er ikke i orden:.* ingen afstemning fik data i nat (en tom nat); afslutningskode 66.</p>" $o/report.html &&
	test "$(overview $o/report.html debitor)" = "KY mod debitorsystemet|Ingen data i nat|0|0|0|0|0|0,00" &&
	grep -q "^report;done;66;" $o/status &&
	grep -q "^debitor;;2021-02;KY Detaljer - Debitor;ky.debitor;required;missing;;;$" $o/inputs/debitor.csv
'

test_expect_success 'a missing drops directory is an unreachable source: exit 69, and fetch and the report say so' '
	{ nt "$TRASH/nowhere" nd 2021-02-05 2>err; test $? -eq 69; } &&
	grep -q "unable to open drops directory .*nowhere" err &&
	grep -q "^fetch;failed;69;0;0;0;.*;source drops unreachable$" nd/out/2021-02-05/status &&
	{ stage-fetch --date 2021-02-05 --conf "$C" --drops "$TRASH/nowhere" --state nd/state \
		--out nd/out 2>err; test $? -eq 69; } &&
	grep -q "0 problem(s), 1 source(s) unreachable" err &&
	grep -q "^drops;;unreachable;0;unable to open drops directory" nd/out/2021-02-05/sources.csv &&
	grep -q "1 kilde(r) kunne ikke nås;.*afslutningskode 69" nd/out/2021-02-05/report.html &&
	grep -q "<td class=\"st st-break\">kunne ikke nås</td>" nd/out/2021-02-05/report.html
'

test_expect_success 'guide-yr night (no KY Sum, no SKAT files): ky-eindkomst and skat-afregning are MANGLER, no phantom break' '
	{ nt "$F/guide-yr/drops" yr 2021-02-05; test $? -eq 66; } &&
	o=yr/out/2021-02-05 &&
	grep -q "^ky-eindkomst;29757895;2021-02;0014;;;;0,00;;MANGLER$" $o/summary/ky-eindkomst.csv &&
	! grep -q ";\(OK\|BREAK\|EXPLAINED\)$" $o/summary/ky-eindkomst.csv $o/summary/skat-afregning.csv &&
	test $(tail -n +2 $o/exceptions/ky-eindkomst.csv | wc -l) -eq 0 &&
	test $(tail -n +2 $o/exceptions/skat-afregning.csv | wc -l) -eq 0 &&
	grep -q "^skat-afregning;29757895;2021-02;SKATTEKONTO;;;;0,00;;MANGLER$" $o/summary/skat-afregning.csv &&
	grep -q "^ky-eindkomst;29757895;2021-02;KY Sum - eIndkomst;eindkomst.ky_sum;required;missing;;;$" $o/inputs/ky-eindkomst.csv &&
	grep -q "^ky-eindkomst;29757895;2021-02;SKAT Sumoplysninger;eindkomst.skat_sum;required;missing;;;$" $o/inputs/ky-eindkomst.csv &&
	grep -q "^ky-eindkomst;29757895;2021-02;KY Detaljer - eIndkomst;eindkomst.ky_detail;required;had;ky/KY_DetaljerEindkomst_29757895_20210205.csv;2021-02-05;" $o/inputs/ky-eindkomst.csv &&
	grep -q "^ky-yr;29757895;2021-02;SUM-YR\|;OK$" $o/summary/ky-yr.csv &&
	! grep -q ";MANGLER$" $o/summary/ky-yr.csv &&
	grep -q "Mangler data: KY Sum - eIndkomst, SKAT Sumoplysninger" $o/report.html &&
	test "$(overview $o/report.html skat-afregning | cut -d"|" -f2-)" = "Mangler data|0|0|0|5|0|0,00"
'

test_expect_success 'debitor and faktura without their reports: one line each, no rows of zeros; exit 0 on a first night' '
	nt "$F/guide-eindkomst/drops" g 2021-02-05 &&
	for r in debitor faktura; do
		test $(tail -n +2 g/out/2021-02-05/summary/$r.csv | wc -l) -eq 1 &&
		grep -q "^$r;;2021-02;INGEN-DATA;;;;;;MANGLER$" g/out/2021-02-05/summary/$r.csv || return 1
	done
'

test_expect_success 'a reconciliation that had reports before and has none tonight exits 66' '
	nt "$F/guide-eindkomst/drops" gone 2021-02-05 && mkdir empty &&
	{ nt empty gone 2021-06-05 2>err; test $? -eq 66; } &&
	grep -q "^match-ky-eindkomst;done;66;0;0;0;.*;\"ingen data; mangler: eindkomst.ky_sum,eindkomst.skat_sum,eindkomst.ky_detail\"$" gone/out/2021-06-05/status &&
	grep -q "^match-debitor;done;0;" gone/out/2021-06-05/status &&
	grep -q "en afstemning der havde data før, har ingen i nat; afslutningskode 66" gone/out/2021-06-05/report.html
'

test_expect_success 'every exception stands under its summary row; a row with an open one is never OK (debitor 2021-05, skat-afregning rente)' '
	nt "$F/guide-debitor/drops" deb 2021-06-30 &&
	grep -q "^debitor;29757895;2021-05;KY->DEBITOR;0,00;0,00;0,00;0,00;0,00;BREAK$" deb/out/2021-06-30/summary/debitor.csv &&
	test $(grep -c ";2021-05;KY->DEBITOR;.*;afvist: " deb/out/2021-06-30/exceptions/debitor.csv) -eq 3 &&
	nt "$F/guide-skat-afregning/drops" sa 2021-02-10 &&
	grep -q "^skat-afregning;29757895;2021-01;RENTE;-126,03;0,00;-126,03;-126,03;0,00;EXPLAINED$" sa/out/2021-02-10/summary/skat-afregning.csv &&
	grep -q ";skat-afregning;29757895;2021-01;RENTE;;-126,03;rente: " sa/out/2021-02-10/exceptions/skat-afregning.csv
'

# Every fixture night (fixtures/README.md), the empty one and the two of
# the crash scenario: the rule holds for every reconciliation.
test_expect_success 'the one status rule holds on every fixture night' '
	for f in guide-eindkomst eindkomst-drilldown eindkomst-afviste-typo eindkomst-badrows \
		 guide-finans guide-finans-fig4 guide-yr; do
		nt "$F/$f/drops" "r-$f" 2021-02-05 2>/dev/null
		rulecheck "r-$f/out/2021-02-05" || { echo "$f"; return 1; }
	done &&
	for f in guide-skat-afregning opus-skat-afregning; do
		nt "$F/$f/drops" "r-$f" 2021-02-10 2>/dev/null
		rulecheck "r-$f/out/2021-02-10" || { echo "$f"; return 1; }
	done &&
	nt "$F/guide-nemkonto/drops" r-nk 2021-11-15 && rulecheck r-nk/out/2021-11-15 &&
	nt "$F/faktura-example/drops" r-fk 2021-11-30 && rulecheck r-fk/out/2021-11-30 &&
	rulecheck deb/out/2021-06-30 &&
	nt "$F/guide-debitor/drops" deb 2021-08-31 && rulecheck deb/out/2021-08-31 &&
	rulecheck high/out/2021-02-05 && rulecheck yr/out/2021-02-05 &&
	{ nt "$F/crash-two-nights/night1/drops" r-cr 2021-02-10 2>/dev/null; test $? -eq 65; } &&
	rulecheck r-cr/out/2021-02-10 &&
	nt "$F/crash-two-nights/night2/drops" r-cr 2021-02-12 && rulecheck r-cr/out/2021-02-12
'

test_expect_success 'the rule check can fail: an OK row with an exception, an exception with no row' '
	cp -r r-fk/out/2021-11-30 broken &&
	sed -i "s/;AFVIST;3660,00;0,00;3660,00;3660,00;0,00;BREAK$/;AFVIST;3660,00;0,00;3660,00;3660,00;0,00;OK/" broken/summary/faktura.csv &&
	! rulecheck broken >out && grep -q "AFVIST OK with afvist" out &&
	cp -r r-fk/out/2021-11-30 broken2 && sed -i "/;TEKNISK_FEJL;/d" broken2/summary/faktura.csv &&
	! rulecheck broken2 >out && grep -q "teknisk-fejl .*TEKNISK_FEJL has no summary row" out
'

test_expect_success 'the overview counts each krone once: a field and not its persons, an invoice and not its account' '
	nt "$F/eindkomst-drilldown/drops" dd 2021-02-05 &&
	test "$(overview dd/out/2021-02-05/report.html ky-eindkomst | cut -d"|" -f2-)" = "Afvigelse|3|3|3|0|2|151.633,69" &&
	test "$(overview r-fk/out/2021-11-30/report.html faktura | cut -d"|" -f2-)" = "Afvigelse|0|0|5|0|5|17.549,95" &&
	grep -q "tæller hver krone én gang" dd/out/2021-02-05/report.html
'

test_expect_success 'rejected rows show in the overview (count per file, a link) and make the night exit 65' '
	{ nt "$F/eindkomst-badrows/drops" br 2021-02-05 2>/dev/null; test $? -eq 65; } &&
	sed -n "/<table id=\"rejected\">/,/<\/table>/p" br/out/2021-02-05/report.html >rej &&
	grep -q "href=\"rejected/ky-KY_DetaljerEindkomst_29757895_20210205.csv\"" rej &&
	grep -q "</a></td><td class=\"num\">3</td></tr>" rej &&
	grep -q "3 afviste inputrække(r) i 1 fil(er);.*afslutningskode 65" br/out/2021-02-05/report.html
'

test_expect_success 'rerun of a stage for a night that never ran: refused (64), nothing written or sealed' '
	nt "$F/guide-skat-afregning/drops" nr 2021-02-10 &&
	{ PIPELINE_ARCHIVE_DIR="$TRASH/nr/archive" pipeline rerun match-skat-afregning --quiet \
		--date 2021-02-11 --conf "$C" --drops "$F/guide-skat-afregning/drops" \
		--state nr/state --out nr/out 2>err; test $? -eq 64; } &&
	grep -q "night 2021-02-11 never ran; run it whole first" err &&
	test ! -e nr/out/2021-02-11 && test ! -e nr/archive/2021-02-11.tar.gz &&
	pipeline status --conf "$C" --state nr/state >st
'

test_expect_success 'a future --date is refused before any stage runs; status stays as it was' '
	future=$(date -d "+2 days" +%F) &&
	{ nt "$F/guide-eindkomst/drops" fu "$future" 2>err; test $? -eq 64; } &&
	grep -q "$future: the night is after today .*: refused, nothing was run" err &&
	test ! -e fu/out && test ! -e fu/state/store &&
	nt "$F/guide-eindkomst/drops" fu2 2021-02-05 &&
	{ nt "$F/guide-eindkomst/drops" fu2 "$future" 2>/dev/null; test $? -eq 64; } &&
	pipeline status --conf "$C" --state fu2/state >st && ! grep -q "$future" st
'

test_expect_success 'the archived inputs.csv of a night lists the files its results read, landed on an earlier night' '
	tar -xzOf deb/archive/2021-08-31.tar.gz inputs.csv >in &&
	grep -q "^ky/KY_DetaljerDebitor_29757895_20210630.csv;9aaa92fa6d41bda3c45a5d333c8b60dd8c62461593f8eda6ddc23146de43ebcf;.*;2021-06-30$" in &&
	test $(tail -n +2 in | wc -l) -ge 10 &&
	! tail -n +2 in | grep -qv ";2021-06-30$" &&
	tar -xzf deb/archive/2021-08-31.tar.gz inputs/debitor.csv &&
	awk -F";" "NR > 1 && \$7 == \"had\" { print \$8 }" inputs/debitor.csv | sort -u >read &&
	tail -n +2 in | cut -d";" -f1 | sort >listed &&
	test -s read && ! comm -23 read listed | grep .
'

test_done
