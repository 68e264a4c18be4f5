#!/bin/sh
# The night's workbook OUT/DATE/afstemning.xlsx (bin/stage-workbook, issue
# 19), read back with openpyxl (tests/workbook-check.py): sheet names,
# Danish headers from conf/terms.conf, cell types (text for CPR, SE, keys,
# months, ids; numbers for amounts equal to the CSV's øre / 100 exactly;
# dates as dates), number formats, frozen header row, autofilter, fitted
# widths, CPR masked unless conf/workbook.conf says 'cpr full', decided
# exceptions apart (a hand-written decisions/RECON.csv); the extra columns
# of opkraevning, both refund directions and betalingsplaner, typed; the
# same night gives the same bytes; a bad night file or conf is refused.
# The summary headers carry conf/report.conf's labels of the key and the
# two sides (as the report); the lists and rates of conf/report.conf are
# sections of their reconciliation's sheet (betalingsplaner's auto-posted
# invoices with vouchers, held, plan warnings, suggestions, the supplier
# error rate; refusion's charges sent and disputes), typed; opkraevning's
# Klasse is the Danish status word.
. "$(dirname "$0")/lib.sh"

# openpyxl: Debian's python3-openpyxl (ops/install-deps.sh); a python3 of
# another install may lack it.
PY=python3
$PY -c "import openpyxl" 2>/dev/null || PY=/usr/bin/python3
CHECK="$TOP/tests/workbook-check.py"
D=2021-02-05
X=dd/out/$D/afstemning.xlsx

# run SCENARIO-DROPS NAME DATE: a whole night into NAME (exit 66 counts as 0)
run() {
	PIPELINE_ARCHIVE_DIR="$TRASH/$2/archive" \
	partial pipeline run --quiet --date $3 --conf "${CONF:-$TOP/conf/pipeline.conf}" \
		--drops "$TOP/fixtures/$1" --state "$TRASH/$2/state" --out "$TRASH/$2/out"
}

# workbook NAME DATE [args]: the workbook stage alone on NAME's night
workbook() {
	n=$1 d=$2
	shift 2
	stage-workbook --quiet --date $d --conf "${CONF:-$TOP/conf/pipeline.conf}" \
		--state "$TRASH/$n/state" --out "$TRASH/$n/out" "$@"
}

test_expect_success 'a night writes afstemning.xlsx after the report, 0640, sealed in the archive' '
	run eindkomst-drilldown/drops dd $D &&
	test -f $X && test "$(stat -c %a $X)" = 640 &&
	pipeline status --date $D --conf "$TOP/conf/pipeline.conf" --state dd/state >st &&
	grep -q "^$D  *workbook  *done  *[^ ]*  *[1-9][0-9]*  *9 " st &&
	awk "\$2 == \"report\" {r=NR} \$2 == \"workbook\" {w=NR} \$2 == \"archive\" {a=NR}
		END {exit !(r && r < w && w < a)}" st &&
	tar tzf dd/archive/$D.tar.gz | grep -qx afstemning.xlsx &&
	tar xzf dd/archive/$D.tar.gz -O afstemning.xlsx | cmp - $X
'

test_expect_success 'sheets, Danish headers, text keys, months and CPR, exact amounts, dates, formats, frozen header, autofilter, widths, masked CPR' '
	$PY "$CHECK" night $X dd/out/$D masked ky-eindkomst
'

test_expect_success 'the same night gives the same bytes: stage rerun, another time zone, pipeline rerun, another state later' '
	cp $X first.xlsx &&
	workbook dd $D && cmp first.xlsx $X &&
	TZ=America/New_York workbook dd $D && cmp first.xlsx $X &&
	sleep 1 &&
	PIPELINE_ARCHIVE_DIR="$TRASH/dd/archive" partial pipeline rerun report --date $D \
		--conf "$TOP/conf/pipeline.conf" --state dd/state --out dd/out --quiet &&
	cmp first.xlsx $X &&
	run eindkomst-drilldown/drops dd2 $D && cmp first.xlsx dd2/out/$D/afstemning.xlsx
'

# Decisions as OUT/DATE/decisions/RECON.csv will carry them (owners' note:
# id;decision;by;at;note;decided_amount;amount;review), written by hand:
# one that stands, one flagged for review (amount changed), one reopened.
test_expect_success 'decided exceptions apart with who, when and why; a flagged or reopened one stays open' '
	e=dd/out/$D/exceptions/ky-eindkomst.csv &&
	id1=$(sed -n 3p $e | cut -d";" -f1) && id2=$(sed -n 4p $e | cut -d";" -f1) &&
	id3=$(sed -n 5p $e | cut -d";" -f1) &&
	a2=$(sed -n 4p $e | cut -d";" -f7) &&
	mkdir -p dd/out/$D/decisions &&
	{
		printf "\357\273\277id;decision;by;at;note;decided_amount;amount;review\n"
		printf "%s\n" "$id1;forklaret;ABC;2021-02-06T08:15:42Z;\"rettet i KY; 0909721188 ringet op\";152033,69;152033,69;" \
			"$id2;accepteret;DEF;2021-02-06T09:00:00Z;ok;-400,00;$a2;beloeb-aendret" \
			"$id3;genaabnet;GHI;2021-02-06T10:30:00Z;igen;-100,00;-100,00;" | sort
	} >dd/out/$D/decisions/ky-eindkomst.csv &&
	workbook dd $D &&
	$PY "$CHECK" decisions $X dd/out/$D $id1 $id2 $id3
'

test_expect_success 'cpr full in conf/workbook.conf: CPR numbers as they stand, still text' '
	mkdir -p full && cp "$TOP"/conf/*.conf full/ && ln -sfn "$TOP/schemas" schemas &&
	echo "cpr full" >full/workbook.conf &&
	CONF="$TRASH/full/pipeline.conf" workbook dd $D &&
	$PY "$CHECK" night $X dd/out/$D full ky-eindkomst
'

test_expect_success 'NemKonto: recipient 06058 and months as text, typed columns' '
	run guide-nemkonto/drops nk 2021-11-15 &&
	$PY "$CHECK" night nk/out/2021-11-15/afstemning.xlsx nk/out/2021-11-15 masked nemkonto
'

test_expect_success 'opkraevning (EASY-A): its extra columns, typed (rate a number, the difference flag text)' '
	run easy-a/drops ea 2025-03-15 &&
	$PY "$CHECK" night ea/out/2025-03-15/afstemning.xlsx ea/out/2025-03-15 masked opkraevning
'

test_expect_success 'opkraevning: Klasse in Danish (Afvigelse, Advarsel), never the CSV code' '
	$PY - ea/out/2025-03-15/afstemning.xlsx <<-\EOF
	import sys, openpyxl
	ws = openpyxl.load_workbook(sys.argv[1])["opkraevning"]
	head = [c.value for c in ws[1]]
	k = head.index("Klasse")
	vals = {ws.cell(r, k + 1).value for r in range(2, ws.max_row + 1)} - {None, "Klasse"}
	assert "Afvigelse" in vals and vals <= {"Afvigelse", "Advarsel"}, vals
	EOF
'

test_expect_success 'mellemkommunal refusion, both directions: a sheet each, line numbers numbers, CPR as written masked' '
	run refusion-herlev/drops rh 2025-09-30 &&
	$PY "$CHECK" night rh/out/2025-09-30/afstemning.xlsx rh/out/2025-09-30 masked \
		mellemkommunal-refusion mellemkommunal-refusion-ind
'

# The brief's night 2025-06-30 (t0460): 3 charges of 2.572,88 in all.
test_expect_success 'refusion: the charges sent (2.572,88) and the disputes, each with its file, as report.conf lists them' '
	run refusion-herlev/drops r6 2025-06-30 &&
	$PY "$CHECK" lists r6/out/2025-06-30/afstemning.xlsx r6/out/2025-06-30 \
		mellemkommunal-refusion "Opkrævninger sendt=3:2572,88" &&
	$PY "$CHECK" lists rh/out/2025-09-30/afstemning.xlsx rh/out/2025-09-30 \
		mellemkommunal-refusion "Opkrævninger sendt=3:2682,68" &&
	$PY "$CHECK" lists rh/out/2025-09-30/afstemning.xlsx rh/out/2025-09-30 \
		mellemkommunal-refusion-ind "Indsigelser sendt=3:" &&
	$PY "$CHECK" night rh/out/2025-09-30/afstemning.xlsx rh/out/2025-09-30 masked \
		mellemkommunal-refusion-ind
'

test_expect_success 'betalingsplaner: CVR and EAN as text with their leading zeros' '
	for n in 2024-12-31 2025-02-28 2025-03-31; do
		run betalingsplaner/$n/drops bp $n || return 1
	done &&
	$PY "$CHECK" night bp/out/2025-03-31/afstemning.xlsx bp/out/2025-03-31 masked betalingsplaner
'

# The brief's worked example: 4 invoices posted automatically, 13.222,00,
# each with its voucher; 6 held, 38.294,00; 2 plan warnings; 1 suggestion;
# the supplier error rate over 90 days, one row per supplier seen.
test_expect_success 'betalingsplaner: auto-posted with vouchers, held, plan warnings, suggestions, error rate' '
	$PY "$CHECK" lists bp/out/2025-03-31/afstemning.xlsx bp/out/2025-03-31 betalingsplaner \
		"Bogført automatisk=4:13222,00" "Holdt tilbage=6:38294,00" \
		"Advarsler om planerne=2" "Forslag til nye planer=1" \
		"Leverandørernes fejlrate, 90 dage=8" &&
	$PY - bp/out/2025-03-31/afstemning.xlsx <<-\EOF
	import sys, openpyxl
	ws = openpyxl.load_workbook(sys.argv[1])["betalingsplaner"]
	rows = [[c.value for c in r] for r in ws.iter_rows()]
	i = [r[0] for r in rows].index("Bogført automatisk (4)")
	posted = rows[i + 2:i + 6]
	assert sorted(r[2] for r in posted) == ["HL-2025-03-0101", "L-2025-0311", "SU-88812",
	                                        "V-2025-0303"], posted
	assert sum(round(r[3] * 100) for r in posted) == 1322200, posted
	assert all(len(r[4]) == 36 for r in posted) and len({r[4] for r in posted}) == 4, posted
	s = [r[0] for r in rows].index("Opsummering")
	assert rows[s + 1][2:4] == ["Plan", "Modtaget"] and rows[s + 1][4] == "Bogført automatisk", rows[s + 1]
	EOF
'

test_expect_success 'summary headers: the labels of conf/report.conf (KY Sum - eIndkomst, SKAT Sumoplysninger, Felt)' '
	$PY - $X <<-\EOF
	import sys, openpyxl
	ws = openpyxl.load_workbook(sys.argv[1])["ky-eindkomst"]
	col = [c.value for c in ws["A"]]
	r = col.index("Opsummering") + 2
	head = [c.value for c in ws[r]]
	assert head[2:5] == ["Felt", "KY Sum - eIndkomst", "SKAT Sumoplysninger"], head
	assert head[6] == "Afviste linjer", head
	EOF
'

test_expect_success 'a malformed amount in a night file: exit 65 naming file, line and column; no workbook half-written' '
	cp -r dd/out bad-out && cp -r dd/state bad-state &&
	sed -i "3s/;152033,69;/;152.033.69;/" bad-out/$D/exceptions/ky-eindkomst.csv &&
	cp bad-out/$D/afstemning.xlsx before.xlsx &&
	{ stage-workbook --quiet --date $D --conf "$TOP/conf/pipeline.conf" --state bad-state \
		--out bad-out 2>err; test $? -eq 65; } &&
	grep -q "bad-out/$D/exceptions/ky-eindkomst.csv:3:7: amount" err &&
	cmp before.xlsx bad-out/$D/afstemning.xlsx &&
	! ls bad-out/$D | grep -q tmp
'

test_expect_success 'a malformed unexplained amount in a later row of a summary (counted by its sheet'"'"'s pass): exit 65, file:line:column, no workbook half-written' '
	cp -r dd/out bad2-out && cp -r dd/state bad2-state &&
	sed -i "5s/;0,00;EXPLAINED\$/;0,0,0;EXPLAINED/" bad2-out/$D/summary/ky-eindkomst.csv &&
	grep -q ";0,0,0;EXPLAINED" bad2-out/$D/summary/ky-eindkomst.csv &&
	cp bad2-out/$D/afstemning.xlsx before2.xlsx &&
	{ stage-workbook --quiet --date $D --conf "$TOP/conf/pipeline.conf" --state bad2-state \
		--out bad2-out 2>err; test $? -eq 65; } &&
	grep -q "bad2-out/$D/summary/ky-eindkomst.csv:5:9: unexplained" err &&
	test $(wc -l <err) -eq 1 &&
	cmp before2.xlsx bad2-out/$D/afstemning.xlsx &&
	! ls bad2-out/$D | grep -q tmp
'

test_expect_success 'a bad conf/terms.conf, conf/workbook.conf or conf/report.conf: exit 64 naming file:line' '
	mkdir -p badc && cp "$TOP"/conf/*.conf badc/ &&
	echo "status OK \"igen\"" >>badc/terms.conf &&
	{ CONF="$TRASH/badc/pipeline.conf" workbook dd $D 2>err; test $? -eq 64; } &&
	grep -q "badc/terms.conf:$(wc -l <badc/terms.conf): status .OK. given twice" err &&
	cp "$TOP/conf/terms.conf" badc/ && echo "cpr sometimes" >badc/workbook.conf &&
	{ CONF="$TRASH/badc/pipeline.conf" workbook dd $D 2>err; test $? -eq 64; } &&
	grep -q "badc/workbook.conf:1: usage: cpr masked|full" err &&
	cp "$TOP/conf/workbook.conf" badc/ && echo "list x T from ../y columns a=A" >>badc/report.conf &&
	{ CONF="$TRASH/badc/pipeline.conf" workbook dd $D 2>err; test $? -eq 64; } &&
	grep -q "badc/report.conf:$(wc -l <badc/report.conf): list from" err
'

test_expect_success 'no CPR in the clear in the stage log' '
	workbook dd $D --verbose 2>log &&
	! grep -E "[0-9]{10}|[0-9]{6}-[0-9]{4}" log
'

test_done
