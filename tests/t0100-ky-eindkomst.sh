#!/bin/sh
# ky-eindkomst end to end: the guide's worked example (Figur 12) and the
# scenarios built on it.
. "$(dirname "$0")/lib.sh"
G="$TOP/tests/golden"
D=out/2021-02-05

test_expect_success 'guide example: summary is Figur 12 to the øre' '
	night guide-eindkomst g &&
	test_cmp "$G/guide-eindkomst/summary.csv" g/$D/summary/ky-eindkomst.csv
'

test_expect_success 'guide example: Figur 12 figures, read independently of the golden file' '
	f=g/$D/summary/ky-eindkomst.csv &&
	grep -q "^ky-eindkomst;29757895;2021-02;0013;50981,61;0,00;50981,61;50981,61;0,00;EXPLAINED$" $f &&
	grep -q ";0014;1278002,64;1278002,64;0,00;0,00;0,00;OK$" $f &&
	grep -q ";0015;319999,00;308160,00;11839,00;11839,00;0,00;EXPLAINED$" $f &&
	grep -q ";0016;4079,00;0,00;4079,00;4079,00;0,00;EXPLAINED$" $f &&
	grep -q ";0037;399,00;399,00;0,00;0,00;0,00;OK$" $f &&
	grep -q ";0038;132066,05;132066,05;0,00;0,00;0,00;OK$" $f &&
	grep -q ";0046;7904,00;7334,00;570,00;570,00;0,00;EXPLAINED$" $f &&
	grep -q ";0047;6709,00;6709,00;0,00;0,00;0,00;OK$" $f &&
	grep -q ";TOTAL;1800140,30;1732670,69;67469,61;67469,61;0,00;EXPLAINED$" $f
'

test_expect_success 'guide example: no exceptions, file starts with a BOM' '
	test_cmp "$G/guide-eindkomst/exceptions.csv" g/$D/exceptions/ky-eindkomst.csv &&
	head -c 3 g/$D/summary/ky-eindkomst.csv | od -An -tx1 | grep -q "ef bb bf"
'

test_expect_success 'the same night twice gives byte-identical outputs' '
	(cd g/out && find . -type f | sort | xargs sha256sum) >first &&
	night guide-eindkomst g &&
	(cd g/out && find . -type f | sort | xargs sha256sum) >second &&
	test_cmp first second
'

test_expect_success 'a fresh state gives the same bytes too' '
	night guide-eindkomst g2 &&
	(cd g2/out && find . -type f | sort | xargs sha256sum) >third &&
	test_cmp first third
'

test_expect_success 'drill-down names exactly the persons and fields SKAT disagrees on' '
	night eindkomst-drilldown dd &&
	test_cmp "$G/eindkomst-drilldown/exceptions.csv" dd/$D/exceptions/ky-eindkomst.csv &&
	grep "cpr-difference" dd/$D/exceptions/ky-eindkomst.csv | cut -d";" -f5-7 | sort >actual &&
	printf "%s\n" "0014;0909721188;152033,69" "0014;2802757788;-500,00" \
		"0015;1511955042;-100,00" >expect &&
	test_cmp expect actual
'

test_expect_success 'Figur 17 typing errors are flagged, not hidden' '
	night eindkomst-afviste-typo ty &&
	grep "afviste-ne-fejlede" ty/$D/exceptions/ky-eindkomst.csv | cut -d";" -f5-7 >actual &&
	printf "%s\n" "0015;1710905566;1010,00" "0016;1710905566;11,00" >expect &&
	test_cmp expect actual &&
	grep -q ";0015;319999,00;308160,00;11839,00;12849,00;-1010,00;BREAK$" \
		ty/$D/summary/ky-eindkomst.csv
'

test_expect_success 'bad rows are rejected with file:line:column, the night goes on, exit 65' '
	{ night eindkomst-badrows br 2>err; test $? -eq 65; } &&
	grep -q "KY_DetaljerEindkomst_29757895_20210205.csv:7:6: INDKOMST_BELOEB: thousands dot" err &&
	grep -q "KY_DetaljerEindkomst_29757895_20210205.csv:8:3: CPR: CPR date part is not a real date" err &&
	grep -q "KY_DetaljerEindkomst_29757895_20210205.csv:9:12: DISPOSITIONSDATO_YYYYMM: month" err &&
	r=br/$D/rejected/ky-KY_DetaljerEindkomst_29757895_20210205.csv &&
	test $(tail -n +2 $r | wc -l) -eq 3 &&
	test_cmp "$G/guide-eindkomst/summary.csv" br/$D/summary/ky-eindkomst.csv
'

test_expect_success 'rows read = rows loaded + rows rejected, in the status file' '
	awk -F";" "\$1==\"normalise\" { exit !(\$4 == \$5 + \$6 && \$6 == 3) }" br/$D/status
'

test_done
