#!/bin/sh
# opkraevning (seed 003) end to end: the brief's worked example to the øre
# (fixtures/easy-a, night 2025-03-15: 8 students, 2 due months, -2.277,00
# and -7.524,00, 9 exceptions), the two things the guide allows, the hard
# dates, the status rule, every one-change variant of the example against
# the reference model (tests/opkraevning-cases.py, tests/gen-opkraevning.py),
# generated nights with every rule injected, the conf, a missing export,
# the report section and the archive.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-recon.sh"
G="$TOP/tests/golden/easy-a"
N=2025-03-15
E=exceptions/opkraevning.csv
S=summary/opkraevning.csv
MODEL="python3 $TOP/tests/gen-opkraevning.py"
CASES="python3 $TOP/tests/opkraevning-cases.py"

# The variants and generated nights run only the stages this recon needs
# (fetch, unpack, normalise, match-opkraevning: under half the time of a
# whole night); the worked example runs the whole night.
mkdir -p "$TRASH/lite" && cp "$TOP"/conf/*.conf "$TRASH/lite/" &&
sed -i "s|^schemas .*|schemas $TOP/schemas|; /^stage  *\(match-[^o]\|vouchers\|report\|workbook\|archive\)/d" \
	"$TRASH/lite/pipeline.conf"
lite() {
	CONF="$TRASH/lite/pipeline.conf" run "$@"
}

# variant NAME: the worked example with one change (its drops in vNAME/,
# written with every other variant and the model's output mNAME/ by the
# first test), run into rNAME/
variant() {
	[ -d "r$1" ] || lite "v$1" "r$1" $N
}

test_expect_success 'the variants of the worked example and the model'"'"'s results are written' '
	$CASES --write-all . 2>/dev/null && test -d vbase && test -d mbase/$N
'

test_expect_success 'worked example: summary and exceptions as the golden files' '
	run "$TOP/fixtures/easy-a/drops" e $N 2>e.err &&
	test_cmp "$G/summary.csv" e/out/$N/$S &&
	test_cmp "$G/exceptions.csv" e/out/$N/$E &&
	test "$(stat -c %a e/out/$N/$S e/out/$N/$E | sort -u)" = 640
'

test_expect_success 'worked example: -2.277,00 (2025-02) and -7.524,00 (2025-04), 9 exceptions' '
	test $(tail -n +2 e/out/$N/$S | wc -l) -eq 2 &&
	grep -qx "opkraevning;29594104;2025-02;GF2-SMED-25F;9420,00;11697,00;-2277,00;0,00;-2277,00;BREAK" e/out/$N/$S &&
	grep -qx "opkraevning;29594104;2025-04;GF2-SMED-25F;7524,00;15048,00;-7524,00;0,00;-7524,00;BREAK" e/out/$N/$S &&
	test $(tail -n +2 e/out/$N/$E | wc -l) -eq 9 &&
	tail -n +2 e/out/$N/$E | awk -F";" "{ split(\$8, r, \":\"); print \$4, \$6, r[1], \$7 }" |
		sort >rows &&
	cat >want <<-\EOF &&
	2025-02 6203064066 n-debitor-uden-nummer -2079,00
	2025-02 6308034088 elev-uden-gebyr -2079,00
	2025-02 7109044077 kontostreng-mangler -2079,00
	2025-02 7203991044 forsoerger-opkraevet 1980,00
	2025-02 8005074022 under-18-opkraevet 1980,00
	2025-04 6203064066 n-debitor-uden-nummer -2475,00
	2025-04 6308034088 elev-uden-gebyr -2475,00
	2025-04 7002074033 difference-mangler -99,00
	2025-04 7109044077 kontostreng-mangler -2475,00
	EOF
	test_cmp want rows
'

# sums FILE-DIR: "month;key;sum of exception amounts" and "month;key;difference"
sums() {
	tail -n +2 "$1/$E" | awk -F";" "{ gsub(\",\", \".\", \$7); s[\$4 \";\" \$5] += \$7 }
		END { for (k in s) printf \"%s;%.2f\n\", k, s[k] }" | sort >"$1.sums" &&
	tail -n +2 "$1/$S" | awk -F";" "\$7 != \"0,00\" { gsub(\",\", \".\", \$7); printf \"%s;%s;%.2f\n\", \$3, \$4, \$7 }" |
		sort >"$1.diffs" &&
	grep -v ";0.00$" "$1.sums" >"$1.sums-nonzero"; test_cmp "$1.diffs" "$1.sums-nonzero"
}

test_expect_success 'the exceptions of each group and due month sum to its difference' '
	sums e/out/$N
'

test_expect_success 'the reference model writes the same bytes' '
	$MODEL model "$TOP/fixtures/easy-a/drops" $N m &&
	test_cmp m/$N/$S e/out/$N/$S &&
	test_cmp m/$N/$E e/out/$N/$E
'

test_expect_success 'a rerun of the night gives the same bytes, ids and first_seen' '
	cp e/out/$N/$E first && cp e/out/$N/$S firsts &&
	pipeline rerun match-opkraevning --date $N --conf "$TOP/conf/pipeline.conf" \
		--drops "$TOP/fixtures/easy-a/drops" --state e/state --out e/out &&
	test_cmp first e/out/$N/$E && test_cmp firsts e/out/$N/$S
'

test_expect_success 'the next night: the same 9 ids, first seen 2025-03-15, 1 day old' '
	mkdir -p n2/easya && for f in "$TOP"/fixtures/easy-a/drops/easya/*_20250315.csv; do
		b=$(basename "$f" _20250315.csv) &&
		cp "$f" n2/easya/${b}_20250316.csv && : >n2/easya/${b}_20250316.csv.done || return 1
	done &&
	pipeline run --date 2025-03-16 --conf "$TOP/conf/pipeline.conf" --drops n2 \
		--state e/state --out e/out &&
	cut -d";" -f1 e/out/$N/$E >ids1 && cut -d";" -f1 e/out/2025-03-16/$E >ids2 &&
	test_cmp ids1 ids2 &&
	test "$(tail -n +2 e/out/2025-03-16/$E | cut -d";" -f9,10 | sort -u)" = "2025-03-15;1" &&
	tail -n +2 e/out/2025-03-16/$S | cut -d";" -f3- >s2 && tail -n +2 e/out/$N/$S | cut -d";" -f3- >s1 &&
	test_cmp s1 s2
'

test_expect_success 'no CPR number in the log or the status note' '
	cut -d";" -f6 "$G/exceptions.csv" | tail -n +2 >cprs &&
	sed "s/^\(......\)/\1-/" cprs >>cprs &&
	! grep -F -f cprs e.err &&
	pipeline status --date $N --conf "$TOP/conf/pipeline.conf" --state e/state >st &&
	grep -q "match-opkraevning" st && ! grep -F -f cprs st
'

test_expect_success 'report: a section with the Danish labels, the rows and the breaks, CPR masked' '
	f=e/out/$N/report.html &&
	grep -q "<section class=\"recon\" id=\"recon-opkraevning\">" $f &&
	grep -q "Opkrævning af elevbetalinger (EASY-A) mod gebyrreglerne" $f &&
	grep -q "<th>Forløbsgruppe</th><th>Kan opkræves</th><th>Skal opkræves</th>" $f &&
	grep -q "9.420,00" $f && grep -q "11.697,00" $f && grep -q "2.277,00" $f &&
	grep -q "7.524,00" $f && grep -q "15.048,00" $f &&
	grep -q "620306-xxxx" $f && grep -q "under-18-opkraevet" $f &&
	! grep -F -f cprs $f
'

test_expect_success 'archive: the night is sealed with the two files and the five inputs' '
	pipeline archive verify --conf "$TOP/conf/pipeline.conf" &&
	mkdir x && tar -xzf "$PIPELINE_ARCHIVE_DIR/$N.tar.gz" -C x &&
	test_cmp e/out/$N/$S "$(find x -path "*/$S")" &&
	test_cmp e/out/$N/$E "$(find x -path "*/$E")" &&
	for r in EASYA_Opkraevningslinjer EASYA_Gruppegebyrer EASYA_Elever NS_Debitorer NS_Opkraevninger; do
		grep -q "${r}_20250315.csv" "$PIPELINE_ARCHIVE_DIR/$N.manifest" || return 1
	done &&
	pipeline archive extract $N --recon opkraevning --to xr --conf "$TOP/conf/pipeline.conf" &&
	test_cmp e/out/$N/$E "$(find xr -path "*/$E")" &&
	pipeline archive search --cpr 620306-4066 --conf "$TOP/conf/pipeline.conf" >found &&
	test $(grep -c "^$N;.*;opkraevning;29594104;.*;GF2-SMED-25F;620306-xxxx;" found) -eq 2 &&
	test $(grep -c "^2025-03-16;.*;opkraevning;29594104;.*;GF2-SMED-25F;620306-xxxx;" found) -eq 2 &&
	grep -q ";d9131a6582403fe6;opkraevning;29594104;2025-02;GF2-SMED-25F;620306-xxxx;-2079,00;n-debitor-uden-nummer" found
'

# The overview counts only breaks: a row whose only exception is a warning
# (code 'explains' in conf/reconciliations.conf) is EXPLAINED, not BREAK.
test_expect_success 'report: warnings are not breaks (the status-explained night)' '
	run vstatus-explained rse $N &&
	f=rse/out/$N/report.html &&
	grep -q "<a href=\"#recon-opkraevning\">Opkrævning af elevbetalinger (EASY-A) mod gebyrreglerne</a></td><td class=\"st st-explained\">Forklaret</td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">0</td>" $f &&
	sed -n "/<section class=\"recon\" id=\"recon-opkraevning\">/,/<\/section>/p" $f >sec &&
	grep -q "badge st-explained" sec && ! grep -q "st-break" sec
'

# --- the two things the guide allows (seed l.615-617), and the contrast
test_expect_success 'allowed: a charge after the departure date is not flagged' '
	variant allowed-charged-after-departure &&
	f=rallowed-charged-after-departure/out/$N &&
	test_cmp "$G/exceptions.csv" $f/$E &&
	grep -q ";2025-04;GF2-SMED-25F;5049,00;12573,00;-7524,00;0,00;-7524,00;BREAK$" $f/$S
'

test_expect_success 'allowed: a booking group due date outside the booking period is not flagged' '
	variant allowed-due-outside-booking &&
	test_cmp "$G/summary.csv" rallowed-due-outside-booking/out/$N/$S &&
	test_cmp "$G/exceptions.csv" rallowed-due-outside-booking/out/$N/$E
'

test_expect_success 'contrast: the same dates on a course group are flagged (rule 15)' '
	variant contrast-due-after-end-forloeb &&
	f=rcontrast-due-after-end-forloeb/out/$N &&
	test $(tail -n +2 $f/$E | wc -l) -eq 10 &&
	grep -q ";2025-04;GF2-SMED-25F;6503054011;2475,00;forfald-efter-slutdato:" $f/$E &&
	grep -q ";2025-04;GF2-SMED-25F;7524,00;12573,00;-5049,00;0,00;-5049,00;BREAK$" $f/$S
'

# --- rule 6 at the quarter's edge
test_expect_success 'rule 6: 18 on the quarter'"'"'s first day pays that quarter' '
	variant under18-turns-18-on-quarter-start &&
	f=runder18-turns-18-on-quarter-start/out/$N &&
	grep -q ";2025-02;GF2-SMED-25F;6104074022;1980,00;under-18-opkraevet:" $f/$E &&
	grep -q ";2025-04;GF2-SMED-25F;6104074022;-2475,00;elev-uden-gebyr:" $f/$E &&
	grep -q ";2025-04;GF2-SMED-25F;7524,00;17523,00;-9999,00;0,00;-9999,00;BREAK$" $f/$S
'

test_expect_success 'rule 6: 18 the day after the quarter'"'"'s first day pays nothing that quarter' '
	variant under18-turns-18-day-after &&
	f=runder18-turns-18-day-after/out/$N &&
	grep -q ";2025-02;GF2-SMED-25F;6204074022;1980,00;under-18-opkraevet:" $f/$E &&
	! grep -q ";2025-04;GF2-SMED-25F;6204074022;" $f/$E &&
	tail -n +2 $f/$S | cut -d";" -f3- >s && tail -n +2 "$G/summary.csv" | cut -d";" -f3- >g &&
	test_cmp g s
'

test_expect_success 'rule 6: an agreement of one day on the due date covers it' '
	variant agreement-one-day-on-due &&
	test_cmp "$G/exceptions.csv" ragreement-one-day-on-due/out/$N/$E
'

# --- the status rule: never OK with an exception under the row
test_expect_success 'status: no exception OK, a warning EXPLAINED, a 0,00 break BREAK' '
	variant status-ok && variant status-explained && variant status-zero-break &&
	grep -q ";2025-02;GF2-SMED-25F;3480,00;3480,00;0,00;0,00;0,00;OK$" rstatus-ok/out/$N/$S &&
	test $(tail -n +2 rstatus-ok/out/$N/$E | wc -l) -eq 0 &&
	grep -q ";2025-02;GF2-SMED-25F;3480,00;3480,00;0,00;0,00;0,00;EXPLAINED$" rstatus-explained/out/$N/$S &&
	grep -q ";0,00;aut-arv-uden-skal-arve:.*;warning;$" rstatus-explained/out/$N/$E &&
	grep -q ";2025-02;GF2-SMED-25F;3480,00;3480,00;0,00;0,00;0,00;BREAK$" rstatus-zero-break/out/$N/$S &&
	grep -q ";6503054011;0,00;ikke-bogfoert-i-ns:.*;break;$" rstatus-zero-break/out/$N/$E
'

# tests/golden/easy-a/variants.txt is the reviewed table of TESTS.md's
# section 3: per variant, the exception rows that differ from the worked
# example and the summary rows that change. The model must still give it;
# the stage must give the model's bytes (below), so it gives these values.
test_expect_success 'the reference model gives every variant its reviewed result' '
	$CASES >variants.txt 2>/dev/null && test_cmp "$G/variants.txt" variants.txt
'

# --- every one-change variant of the worked example: the stage and the
# reference model on the same drops, byte for byte, and the sum rule
for c in $($CASES --list); do
	test_expect_success "variant $c: as the reference model, exceptions sum to the difference" "
		variant $c &&
		test_cmp m$c/$N/$S r$c/out/$N/$S &&
		test_cmp m$c/$N/$E r$c/out/$N/$E &&
		sums r$c/out/$N
	"
done

test_expect_success 'rejected rows: a flag outside J/N and a student CPR that is not even a substitute' '
	grep -q "^easya/EASYA_Opkraevningslinjer_20250315.csv;2;17;Skal_arve: value is not one of J,N;" \
		rrejected-line/out/$N/rejected/easya-EASYA_Opkraevningslinjer_20250315.csv &&
	grep -q "^easya/EASYA_Elever_20250315.csv;9;1;CPR: " \
		rrejected-student/out/$N/rejected/easya-EASYA_Elever_20250315.csv
'

test_expect_success 'a bad amount (2.475,0O) is rejected with file:line:column and counts as missing' '
	grep -q "^easya/EASYA_Opkraevningslinjer_20250315.csv;10;10;Beloeb: " \
		rrejected-amount/out/$N/rejected/easya-EASYA_Opkraevningslinjer_20250315.csv &&
	test $(cat rrejected-amount/out/$N/rejected/*.csv | grep -c "^easya/") -eq 1 &&
	f=rrejected-amount/out/$N &&
	grep -q ";2025-04;GF2-SMED-25F;6901064055;-2475,00;elev-uden-gebyr:" $f/$E &&
	grep -qx "opkraevning;29594104;2025-04;GF2-SMED-25F;5049,00;15048,00;-9999,00;0,00;-9999,00;BREAK" $f/$S
'

# A line whose CPR is not even a substitute number reaches the stage (the
# schema reads it as text) and is one exception of its amount; the same
# cell is in the line's exception note, never in the log.
test_expect_success 'cpr-ugyldig: a line whose CPR is no CPR is one exception of its amount, not a rejected row' '
	run vcpr-ugyldig rcpr $N 2>cpr.err &&
	f=rcpr/out/$N &&
	! grep -q "^easya/" $f/rejected/*.csv &&
	grep ";cpr-ugyldig:" $f/$E >rows && test $(wc -l <rows) -eq 1 &&
	grep -q ";2025-04;GF2-SMED-25F;0000000000;2475,00;cpr-ugyldig: .*(rate 2, forfald 2025-04-01, CPR i filen: 991399-xxxx);2025-03-15;0;2475,00;0,00;2;N;SKHBER-LOK;;P;break;$" rows &&
	grep -qx "opkraevning;29594104;2025-04;GF2-SMED-25F;9999,00;15048,00;-5049,00;0,00;-5049,00;BREAK" $f/$S &&
	tail -n +2 $f/$E | grep -v ";cpr-ugyldig:" >others && tail -n +2 "$G/exceptions.csv" >g &&
	test_cmp g others &&
	! grep -e 991399 -e 9913999999 cpr.err &&
	pipeline status --date $N --conf "$TOP/conf/pipeline.conf" --state rcpr/state >st &&
	! grep -e 991399 st &&
	grep -q "991399-xxxx" $f/report.html && ! grep -e 991399-9999 -e 9913999999 $f/report.html
'

test_expect_success 'cpr-ugyldig: two different bad CPRs on one rate are two exceptions, each its own id' '
	cp -r vcpr-ugyldig v2bad &&
	l=v2bad/easya/EASYA_Opkraevningslinjer_20250315.csv &&
	grep "991399-9999" $l | sed "s/991399-9999/001399-1234/g" >>$l &&
	lite v2bad r2bad $N &&
	grep ";cpr-ugyldig:" r2bad/out/$N/$E >rows2 && test $(wc -l <rows2) -eq 2 &&
	grep -q "CPR i filen: 001399-xxxx)" rows2 && grep -q "CPR i filen: 991399-xxxx)" rows2 && ! grep -e 991399-9999 -e 9913999999 -e 001399-1234 -e 0013991234 rows2 &&
	test $(cut -d";" -f1 rows2 | sort -u | wc -l) -eq 2 &&
	grep -q ";2025-04;GF2-SMED-25F;12474,00;15048,00;-2574,00;0,00;-2574,00;BREAK$" r2bad/out/$N/$S ||
	{ cat rows2 r2bad/out/$N/$S; false; }
'

test_expect_success 'without the NS files their checks are skipped and the status note says so' '
	grep -q "NS_Opkraevninger mangler: bogføring ikke kontrolleret" \
		rno-ns-opkraevninger-file/out/$N/status &&
	grep -q "NS_Debitorer mangler: N-debitorer ikke kontrolleret" rno-ns-debitorer-file/out/$N/status
'

# --- generated nights: every rule injected, exactly the injected breaks
for seed in 1 2 3; do
	test_expect_success "generated night (seed $seed): exactly the injected breaks" "
		python3 \"\$TOP/tests/gen-opkraevning.py\" $seed gen$seed expect$seed &&
		lite gen$seed n$seed $N &&
		breaks n$seed/out/$N/$E >actual$seed &&
		test_cmp expect$seed actual$seed &&
		sums n$seed/out/$N
	"
done

test_expect_success 'generated night, seed 1: every reason code the rules have' '
	cut -d";" -f1 expect1 | sort -u >codes &&
	test $(wc -l <codes) -eq 35 &&
	! grep -q uforklaret codes && ! grep -q cpr-ugyldig codes
'

test_expect_success 'generated night with --invalid-cpr: 40 breaks, one cpr-ugyldig of the rate 3 fee' '
	python3 "$TOP/tests/gen-opkraevning.py" 14 gcpr expect-cpr 2 1 --invalid-cpr &&
	test $(wc -l <expect-cpr) -eq 40 &&
	test $(grep -c "^cpr-ugyldig;" expect-cpr) -eq 1 &&
	lite gcpr ncpr $N 2>ncpr.err &&
	breaks ncpr/out/$N/$E >actual-cpr && test_cmp expect-cpr actual-cpr &&
	sums ncpr/out/$N &&
	$MODEL model gcpr $N mcpr && test_cmp mcpr/$N/$E ncpr/out/$N/$E &&
	test_cmp mcpr/$N/$S ncpr/out/$N/$S &&
	! grep -e 991399 ncpr.err
'

test_expect_success 'generated night of 12 groups: the breaks, and the bytes of the model' '
	python3 "$TOP/tests/gen-opkraevning.py" 9 mid expect-mid 12 20 &&
	lite mid nmid $N &&
	breaks nmid/out/$N/$E >actual-mid && test_cmp expect-mid actual-mid &&
	$MODEL model mid $N mmid && test_cmp mmid/$N/$E nmid/out/$N/$E &&
	test_cmp mmid/$N/$S nmid/out/$N/$S
'

# --- configuration and a missing export
conf_dir() {
	mkdir -p "$1" && cp "$TOP"/conf/*.conf "$1/" &&
	sed -i "s|^schemas .*|schemas $TOP/schemas|" "$1/pipeline.conf"
}

test_expect_success 'conf: an unknown directive or a bad number is named with file:line (64)' '
	conf_dir c1 && echo "lookahead 30" >>c1/opkraevning.conf &&
	n=$(wc -l <c1/opkraevning.conf) &&
	{ stage-match-opkraevning --date $N --conf c1/pipeline.conf --state e/state \
		--out c1out 2>err; test $? -eq 64; } &&
	grep -q "opkraevning.conf:$n: unknown directive .lookahead." err &&
	conf_dir c2 && sed -i "s/^adult-age .*/adult-age 3651/" c2/opkraevning.conf &&
	a=$(grep -n "^adult-age" c2/opkraevning.conf | cut -d: -f1) &&
	{ stage-match-opkraevning --date $N --conf c2/pipeline.conf --state e/state \
		--out c2out 2>err; test $? -eq 64; } &&
	grep -q "opkraevning.conf:$a: adult-age: .3651. is not a number from 0 to 3650" err &&
	conf_dir c3 && echo "months-back 2" >>c3/opkraevning.conf &&
	{ stage-match-opkraevning --date $N --conf c3/pipeline.conf --state e/state \
		--out c3out 2>err; test $? -eq 64; } &&
	grep -q "months-back given twice" err
'

# conf_run NAME LINE: the worked example with LINE in place of its directive
conf_run() {
	conf_dir "$1" && sed -i "s/^${2%% *} .*/$2/" "$1/opkraevning.conf" &&
	grep -q "^$2" "$1/opkraevning.conf" &&
	CONF="$TRASH/$1/pipeline.conf" run "$TOP/fixtures/easy-a/drops" "$1n" $N
}

test_expect_success 'conf: lookahead-days 0 checks due dates up to the night only' '
	conf_run la "lookahead-days 0" &&
	tail -n +2 lan/out/$N/$S | cut -d";" -f3 >months && test "$(cat months)" = 2025-02 &&
	grep ";2025-02;" "$G/exceptions.csv" >g && tail -n +2 lan/out/$N/$E >xl && test_cmp g xl
'

test_expect_success 'conf: months-back 0 starts the window at the night'"'"'s month' '
	conf_run mb "months-back 0" &&
	test "$(tail -n +2 mbn/out/$N/$S | cut -d";" -f3)" = 2025-04 &&
	grep ";2025-04;" "$G/exceptions.csv" >g && tail -n +2 mbn/out/$N/$E >xm && test_cmp g xm
'

test_expect_success 'conf: adult-age 19 makes S5 (18) under age, and S6 too (0,00 with its debtor)' '
	conf_run aa "adult-age 19" &&
	f=aan/out/$N &&
	grep -q ";2025-02;GF2-SMED-25F;6901064055;1500,00;under-18-opkraevet:" $f/$E &&
	grep -q ";2025-02;GF2-SMED-25F;6203064066;0,00;under-18-opkraevet:.*;n-debitor-uden-nummer$" $f/$E &&
	grep -q ";2025-02;GF2-SMED-25F;9420,00;8118,00;1302,00;0,00;1302,00;BREAK$" $f/$S &&
	grep -q ";2025-04;GF2-SMED-25F;7524,00;15048,00;-7524,00;0,00;-7524,00;BREAK$" $f/$S
'

test_expect_success 'an older export is read: the newest on or before the night' '
	mkdir -p old/easya && for f in "$TOP"/fixtures/easy-a/drops/easya/*_20250315.csv; do
		b=$(basename "$f" _20250315.csv) &&
		cp "$f" old/easya/${b}_20250314.csv && : >old/easya/${b}_20250314.csv.done || return 1
	done &&
	run old o $N && test_cmp "$G/summary.csv" o/out/$N/$S && test_cmp "$G/exceptions.csv" o/out/$N/$E
'

test_expect_success 'an export without EASYA_Elever: exit 65, named, the school left out, the night goes on' '
	cp -r "$TOP/fixtures/easy-a/drops" noel && rm noel/easya/EASYA_Elever_20250315.csv* &&
	{ run noel noeln $N 2>err; test $? -eq 65; } &&
	grep -q "stage-match-opkraevning: 29594104: EASY-A export incomplete: no EASYA_Elever" err &&
	tail -n +2 noeln/out/$N/$S >rows &&
	echo "opkraevning;;2025-03;INGEN-DATA;;;;;;MANGLER" >want && test_cmp want rows &&
	grep -q "^match-opkraevning;done;65;.*mangler: easya.student; 29594104: EASYA_Elever mangler" noeln/out/$N/status &&
	test -s noeln/out/$N/report.html
'

test_done
