#!/bin/sh
# Inter-municipal refund for evening schools (seed 000, issue 14), end to
# end on bin/pipeline: the brief's worked examples
# (../shared/spec/seeds-000-001-003.md 1.7 and 1.8) on
# fixtures/refusion-herlev, to the øre, against tests/golden/refusion-herlev;
# the supplementary charge; reruns; the safety of the outputs.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib-recon.sh"
G="$TOP/tests/golden/refusion-herlev"
F="$TOP/fixtures/refusion-herlev/drops"
R=mellemkommunal-refusion
I=mellemkommunal-refusion-ind
FILES="summary/$R.csv summary/$I.csv exceptions/$R.csv exceptions/$I.csv charges disputes postings vouchers"

# same NAME NIGHT: the night's refusion files equal the golden ones, and
# no charge or dispute file is there that the golden night does not have
same() {
	for f in $(cd "$G/$2" && find . -type f | sort); do
		test_cmp "$G/$2/$f" "$1/out/$2/$f" || return 1
	done
	for d in charges disputes; do
		test -d "$1/out/$2/$d" || continue
		for f in $(cd "$1/out/$2" && find $d -type f); do
			test -f "$G/$2/$f" || { echo "unexpected $f"; return 1; }
		done
	done
}

test_expect_success '1.7: night 2025-06-30 as the brief: 12 lines, 3 charges of 2.572,88, 7 exceptions, the summary' '
	run "$F" h 2025-06-30 &&
	same h 2025-06-30 &&
	grep -q ";2025-06;TOTAL;5453,20;2572,88;2880,32;1185,84;1694,48;BREAK$" h/out/2025-06-30/summary/$R.csv &&
	test $(tail -n +2 h/out/2025-06-30/exceptions/$R.csv | wc -l) -eq 7 &&
	tail -n +2 h/out/2025-06-30/charges/charges.csv | cut -d";" -f1,5,6 >actual &&
	printf "%s\n" "0101;3;1914,08" "0147;1;329,40" "0265;1;329,40" >expect &&
	test_cmp expect actual &&
	breaks h/out/2025-06-30/exceptions/$R.csv >actual &&
	printf "%s\n" "aftalekommune;0159;329,40" "bor-i-egen-kommune;0163;263,52" \
		"cpr-ugyldig;UKENDT;1518,80" "dublet;0101;263,52" "dublet;0147;329,40" \
		"foredrag-ikke-refusion;0101;0,00" "ukendt-i-cpr;UKENDT;175,68" >expect &&
	test_cmp expect actual
'

test_expect_success '1.7: the stated municipality never decides: Carla (stated Herlev) is charged to Roskilde' '
	grep -q "^0163;0265;2025-1;Aftenskolen Øst;Ø-7;2025-02-03;830490-3044;Carla Eksempel;almen;30;10,98;329,40;c2d79ace-5bf6-591f-8b29-e90ba054fb2c;Herlev$" \
		h/out/2025-06-30/charges/$R/0265.csv
'

test_expect_success '1.7: lines read = lines charged + exception lines; a voucher per charge (debit 2.572,88)' '
	grep -q "^match-refusion;done;0;12;.*;3 charges (2572,88) issued, 7 exceptions," h/out/2025-06-30/status &&
	grep -q "3 vouchers (0 reversals), debit total 2572,88" h/out/2025-06-30/status &&
	for x in h/out/2025-06-30/vouchers/*.xml; do
		xmllint --noout --nonet --schema "$TOP/schemas/sf1590a-finansbilag.xsd" "$x" 2>/dev/null || return 1
	done
'

test_expect_success '1.7: the list of 2025-07-10 gives one supplementary charge of 109,80 and reissues nothing' '
	run "$F" h 2025-07-10 &&
	same h 2025-07-10 &&
	tail -n +2 h/out/2025-07-10/charges/charges.csv | cut -d";" -f1,5,6,9 >actual &&
	echo "0101;1;109,80;2" >expect &&
	test_cmp expect actual &&
	tail -n +2 h/out/2025-07-10/exceptions/$R.csv | cut -d";" -f9,10 | sort -u >actual &&
	echo "2025-06-30;10" >expect &&
	test_cmp expect actual
'

test_expect_success '1.8: night 2025-09-30: 1.425,24 charged, 936,92 accepted, 488,32 disputed' '
	run "$F" h 2025-09-30 &&
	same h 2025-09-30 &&
	grep -q ";2025-06;0147;1425,24;936,92;488,32;488,32;0,00;EXPLAINED$" h/out/2025-09-30/summary/$I.csv &&
	breaks h/out/2025-09-30/exceptions/$I.csv >actual &&
	printf "%s\n" "dublet;0147;219,60" "ikke-bopael-ved-start;0147;263,52" "takst-afviger;0147;5,20" >expect &&
	test_cmp expect actual &&
	test $(tail -n +2 h/out/2025-09-30/disputes/$I/0147.csv | wc -l) -eq 3 &&
	grep -q "1 vouchers (0 reversals), debit total 936,92" h/out/2025-09-30/status
'

test_expect_success 'outgoing files are remembered: pipeline status lists them with their rows' '
	pipeline status --date 2025-06-30 --conf "$TOP/conf/pipeline.conf" --state h/state >st 2>&1 &&
	grep -q "^2025-06-30  charges/mellemkommunal-refusion/0101.csv  *[0-9]*  *3  match-refusion$" st &&
	grep -q "^2025-06-30  charges/charges.csv  *[0-9]*  *3  match-refusion$" st &&
	grep -q "^2025-06-30  postings/mellemkommunal-refusion.csv  *[0-9]*  *3  match-refusion$" st &&
	pipeline status --date 2025-09-30 --conf "$TOP/conf/pipeline.conf" --state h/state >st 2>&1 &&
	grep -q "^2025-09-30  disputes/mellemkommunal-refusion-ind/0147.csv  *[0-9]*  *3  match-refusion$" st
'

test_expect_success 'report.html has a section for each direction and links the outgoing files; CPRs masked' '
	r=h/out/2025-09-30/report.html &&
	grep -q "Mellemkommunal refusion, opkrævninger (aftenskoler)" $r &&
	grep -q "Mellemkommunal refusion, modtagne opkrævninger" $r &&
	grep -q "href=\"disputes/mellemkommunal-refusion-ind/0147.csv\"" $r &&
	grep -q "href=\"charges/charges.csv\"" h/out/2025-06-30/report.html &&
	! grep -q "7006952113\|700695-2113\|7203581011" $r h/out/2025-06-30/report.html
'

test_expect_success 'the archive seals the charges, disputes and postings with the night' '
	pipeline archive show 2025-09-30 --conf "$TOP/conf/pipeline.conf" >man 2>&1 &&
	grep -q "disputes/mellemkommunal-refusion-ind/0147.csv" man &&
	grep -q "postings/mellemkommunal-refusion-ind.csv" man &&
	pipeline archive show 2025-06-30 --conf "$TOP/conf/pipeline.conf" >man 2>&1 &&
	grep -q "charges/mellemkommunal-refusion/0101.csv" man &&
	pipeline archive verify --conf "$TOP/conf/pipeline.conf" >/dev/null 2>&1
'

test_expect_success 'a rerun of every night, in any order, gives the same bytes and posts nothing' '
	for n in 2025-06-30 2025-07-10 2025-09-30; do
		(cd h/out/$n && find $FILES -type f 2>/dev/null | sort | xargs sha256sum) >before.$n || return 1
	done &&
	for n in 2025-09-30 2025-06-30 2025-07-10; do
		pipeline rerun match-refusion --date $n --conf "$TOP/conf/pipeline.conf" --drops "$F" \
			--state h/state --out h/out >/dev/null 2>&1 || return 1
	done &&
	for n in 2025-06-30 2025-07-10 2025-09-30; do
		(cd h/out/$n && find $FILES -type f 2>/dev/null | sort | xargs sha256sum) >after.$n &&
		test_cmp before.$n after.$n || return 1
	done &&
	for n in 2025-06-30 2025-07-10 2025-09-30; do same h $n || return 1; done
'

test_expect_success 'charges, disputes and postings are 0640 in 0750 directories; no CPR in a log' '
	find h/out -path "*/charges/*" -type f -o -path "*/disputes/*" -type f -o -path "*/postings/*" -type f | xargs stat -c %a | sort -u >modes &&
	echo 640 >expect && test_cmp expect modes &&
	find h/out -path "*/charges*" -type d -o -path "*/disputes*" -type d | xargs stat -c %a | sort -u >modes &&
	echo 750 >expect && test_cmp expect modes &&
	run "$F" v 2025-06-30 --verbose 2>log &&
	run "$F" v 2025-07-10 --verbose 2>>log &&
	run "$F" v 2025-09-30 --verbose 2>>log &&
	for c in 7203581011 720358-1011 6902664056 690266-4056 7505922090 6511722023 651172-2023 \
		8304903044 7707812067 8808751089 880875-1089 6112993078 611299-3078 6013851234 \
		6101701118 6304771153 630477-1153 640588-1102 700695-2113 821180-1124 750567-1135; do
		! grep -q "$c" log v/out/*/status || { echo "$c in a log"; return 1; }
	done
'

test_expect_success 'an old night rerun after a later night charged its exception line: same bytes' '
	mkdir -p late && cp -r "$F"/* late/ &&
	echo "880875-1089;0851;2019-01-01;;" >>late/cpr/CPR_Bopael_20250710.csv &&
	run "$TRASH/late" l 2025-06-30 && cp -r l/out/2025-06-30 first &&
	run "$TRASH/late" l 2025-07-10 &&
	tail -n +2 l/out/2025-07-10/charges/charges.csv | cut -d";" -f1-6,8,9 >actual &&
	printf "%s\n" "0101;København;64942212;;1;109,80;2025-1;2" "0851;Aalborg;29189420;;1;175,68;2025-1;1" >expect &&
	test_cmp expect actual &&
	test $(tail -n +2 l/out/2025-07-10/exceptions/$R.csv | wc -l) -eq 6 &&
	pipeline rerun match-refusion --date 2025-06-30 --conf "$TOP/conf/pipeline.conf" \
		--drops "$TRASH/late" --state l/state --out l/out >/dev/null 2>&1 &&
	for d in summary exceptions charges postings; do
		diff -r first/$d l/out/2025-06-30/$d || return 1
	done
'

test_expect_success 'the charged lines are remembered: 6 lines, 4 charges in the store after 2025-07-10' '
	mdb_dump -p -s refusion h/state/store >dump 2>/dev/null &&
	test $(grep -c "^ l\\\\00" dump) -eq 6 && test $(grep -c "^ c\\\\00" dump) -eq 4
'

test_expect_success 'our charge is read by a municipality running this pipeline with the shipped schema' '
	mkdir -p kbh/conf kbh/drops/refusion kbh/drops/cpr &&
	cp "$TOP"/conf/*.conf kbh/conf/ &&
	sed -i "s/^own-municipality 0163 .*/own-municipality 0101/" kbh/conf/refusion.conf &&
	sed "s|^schemas .*|schemas $TOP/schemas|" "$TOP/conf/pipeline.conf" >kbh/conf/pipeline.conf &&
	cp h/out/2025-06-30/charges/$R/0101.csv kbh/drops/refusion/MKR_0163_20250715.csv &&
	cp "$F/cpr/CPR_Bopael_20250630.csv" kbh/drops/cpr/ &&
	touch kbh/drops/refusion/MKR_0163_20250715.csv.done kbh/drops/cpr/CPR_Bopael_20250630.csv.done &&
	CONF="$TRASH/kbh/conf/pipeline.conf" run "$TRASH/kbh/drops" k 2025-07-31 >/dev/null 2>&1 &&
	tail -n +2 k/out/2025-07-31/summary/$I.csv >actual &&
	printf "%s\n" "$I;29757895;2025-06;0163;1914,08;1914,08;0,00;0,00;0,00;OK" \
		"$I;29757895;2025-06;TOTAL;1914,08;1914,08;0,00;0,00;0,00;OK" >expect &&
	test_cmp expect actual &&
	grep -q ";1914,08;accepteret: .*;567dac45-8e2e-53e8-8652-d0f40e5d9f20;2025-1;3$" k/out/2025-07-31/postings/$I.csv
'

test_expect_success 'lines of more than one SE: exit 64, named' '
	mkdir -p se && cp "$TOP"/conf/*.conf se/ &&
	sed "s/skole=OEST/skole=OEST se=11259979/; s/aftenskole-oest   accumulate  se=29757895/aftenskole-oest   accumulate/; s|^schemas .*|schemas $TOP/schemas|" \
		"$TOP/conf/pipeline.conf" >se/pipeline.conf &&
	CONF="$TRASH/se/pipeline.conf" run "$F" s 2025-06-30 2>err; test $? -eq 64 &&
	grep -q "refusion: lines of more than one SE (11259979, 29757895): give every refusion input line the same se=" err
'

test_expect_success 'conf errors name the file and line: exit 64' '
	mkdir -p bad && cp "$TOP"/conf/*.conf bad/ &&
	sed "s|^schemas .*|schemas $TOP/schemas|" "$TOP/conf/pipeline.conf" >bad/pipeline.conf &&
	echo "rate 2025 almen 10,98" >>bad/refusion.conf &&
	CONF="$TRASH/bad/pipeline.conf" run "$F" b 2025-06-30 2>err; test $? -eq 64 &&
	grep -q "refusion.conf:[0-9]*: rate 2025 almen given twice" err
'

test_done
