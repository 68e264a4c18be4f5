#!/bin/sh
# Inter-municipal refund (seed 000, issue 14) over more than one night:
# the night's archive holds the residence extract its decisions were made
# against (conf/archive.conf seal-input refusion.bopael), with its charges
# and disputes; a received line's decision, once made and its dispute
# sent, stays as it was when a later night brings a newer extract.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib-recon.sh"
C="$TOP/conf/pipeline.conf"
F="$TOP/fixtures/refusion-herlev/drops"
I=mellemkommunal-refusion-ind

# The fixture's drops, and the extract of 2025-10-31 a later night gets:
# Lars (disputed on 2025-09-30: he lived in Frederiksberg at the course
# start) is now registered in Herlev since 2019, Niels (accepted) now in
# København since 1999. Decided again, the two would swap.
cd "$TRASH" && mkdir -p d && cp -r "$F"/* d/ &&
sed -e "s/^700695-2113;0147;2019-01-01;2025-03-01;$/700695-2113;0163;2019-01-01;;/" \
	-e "/^700695-2113;0163;2025-03-01;;$/d" \
	-e "s/^750567-1135;0163;1999-01-01;;$/750567-1135;0101;1999-01-01;;/" \
	"$F/cpr/CPR_Bopael_20250930.csv" >newer.csv

test_expect_success 'the newer extract really differs for Lars and Niels' '
	grep -q "^700695-2113;0163;2019-01-01;;" newer.csv &&
	! grep -q "^700695-2113;0147" newer.csv &&
	grep -q "^750567-1135;0101;1999-01-01;;" newer.csv
'

test_expect_success 'night 2025-09-30: the brief'"'"'s incoming example (3 lines disputed)' '
	run "$TRASH/d" h 2025-09-30 &&
	breaks h/out/2025-09-30/exceptions/$I.csv >actual &&
	printf "%s\n" "dublet;0147;219,60" "ikke-bopael-ved-start;0147;263,52" "takst-afviger;0147;5,20" >expect &&
	test_cmp expect actual &&
	test $(tail -n +2 h/out/2025-09-30/disputes/$I/0147.csv | wc -l) -eq 3
'

test_expect_success 'its archive holds the extract it used, byte for byte, as landed/NIGHT/RELPATH' '
	mkdir x && tar xzf archive/2025-09-30.tar.gz -C x &&
	cmp "$F/cpr/CPR_Bopael_20250930.csv" x/landed/2025-09-30/cpr/CPR_Bopael_20250930.csv &&
	find x/landed -type f | sed "s|^x/||" >actual &&
	echo landed/2025-09-30/cpr/CPR_Bopael_20250930.csv >expect &&
	test_cmp expect actual &&
	s=$(sha256sum <"$F/cpr/CPR_Bopael_20250930.csv" | cut -d" " -f1) &&
	grep -q "^member $s 511 15 landed/2025-09-30/cpr/CPR_Bopael_20250930.csv$" archive/2025-09-30.manifest &&
	grep -q "^input $s 511 15 cpr/CPR_Bopael_20250930.csv$" archive/2025-09-30.manifest &&
	grep -q "refusion.bopael;required;had;cpr/CPR_Bopael_20250930.csv;2025-09-30;$s$" \
		x/inputs/$I.csv &&
	test $(grep -c "refusion.bopael" x/inputs/$I.csv) -eq 1
'

test_expect_success 'its archive holds the charges and the disputes as sent' '
	for f in charges/charges.csv charges/mellemkommunal-refusion/0101.csv \
		charges/mellemkommunal-refusion/0147.csv charges/mellemkommunal-refusion/0265.csv \
		disputes/$I/0147.csv postings/$I.csv; do
		cmp h/out/2025-09-30/$f x/$f || return 1
	done &&
	(cd h/out/2025-09-30 && find charges disputes -type f | LC_ALL=C sort) >expect &&
	(cd x && find charges disputes -type f | LC_ALL=C sort) >actual &&
	test_cmp expect actual &&
	pipeline archive verify --conf "$C" >v.out && grep -q "^archive verify: ok" v.out
'

test_expect_success 'a changed extract in the archive is detected by verify' '
	cp -a archive t && chmod -R u+w t &&
	mkdir y && tar xzf t/2025-09-30.tar.gz -C y &&
	sed -i "s/^750567-1135;0163/750567-1135;0101/" y/landed/2025-09-30/cpr/CPR_Bopael_20250930.csv &&
	(cd y && tar czf ../t/2025-09-30.tar.gz $(tar tzf ../archive/2025-09-30.tar.gz)) &&
	{ pipeline archive verify --conf "$C" --archive t >v.out; test $? -eq 1; } &&
	grep -q "FAILED: night 2025-09-30: .*member landed/2025-09-30/cpr/CPR_Bopael_20250930.csv differs from the manifest" v.out
'

test_expect_success 'a wrong or doubled seal-input is a conf error naming its line: exit 64' '
	mkdir -p c1 && cp "$TOP"/conf/*.conf c1/ &&
	sed "s|^schemas .*|schemas $TOP/schemas|" "$C" >c1/pipeline.conf &&
	echo "seal-input refusion.bopel" >>c1/archive.conf &&
	{ stage-archive --date 2025-09-30 --conf c1/pipeline.conf --state h/state --out h/out 2>err; \
	  test $? -eq 64; } &&
	grep -q "archive.conf:$(wc -l <c1/archive.conf): seal-input refusion.bopel: schemas/stores has no such store" err &&
	echo "seal-input refusion.bopael" >>c1/archive.conf &&
	{ stage-archive --date 2025-09-30 --conf c1/pipeline.conf --state h/state --out h/out 2>err; \
	  test $? -eq 64; } &&
	grep -q "archive.conf:$(wc -l <c1/archive.conf): seal-input refusion.bopael given twice" err
'

test_expect_success 'a later night with a newer extract: the received lines keep their decisions' '
	cp newer.csv d/cpr/CPR_Bopael_20251031.csv && touch d/cpr/CPR_Bopael_20251031.csv.done &&
	run "$TRASH/d" h 2025-10-31 &&
	grep -q "refusion.bopael;required;had;cpr/CPR_Bopael_20251031.csv;2025-10-31;" \
		h/out/2025-10-31/inputs/$I.csv &&
	test_cmp h/out/2025-09-30/summary/$I.csv h/out/2025-10-31/summary/$I.csv &&
	breaks h/out/2025-10-31/exceptions/$I.csv >actual &&
	printf "%s\n" "dublet;0147;219,60" "ikke-bopael-ved-start;0147;263,52" "takst-afviger;0147;5,20" >expect &&
	test_cmp expect actual &&
	cut -d";" -f1,6 h/out/2025-09-30/exceptions/$I.csv >expect &&
	cut -d";" -f1,6 h/out/2025-10-31/exceptions/$I.csv >actual &&
	test_cmp expect actual &&
	grep -q "(bopæl 0147 den 2025-02-10)" h/out/2025-10-31/exceptions/$I.csv &&
	! test -e h/out/2025-10-31/disputes &&
	test $(tail -n +2 h/out/2025-10-31/postings/$I.csv | wc -l) -eq 0
'

test_expect_success 'the later night seals its own extract; the earlier night keeps its' '
	mkdir z && tar xzf archive/2025-10-31.tar.gz -C z &&
	find z/landed -type f | sed "s|^z/||" >actual &&
	echo landed/2025-10-31/cpr/CPR_Bopael_20251031.csv >expect &&
	test_cmp expect actual &&
	cmp newer.csv z/landed/2025-10-31/cpr/CPR_Bopael_20251031.csv &&
	pipeline archive verify --conf "$C" >/dev/null
'

test_expect_success 'a fresh state deciding on 2025-10-31 first decides against that extract' '
	run "$TRASH/d" f 2025-10-31 &&
	breaks f/out/2025-10-31/exceptions/$I.csv >actual &&
	printf "%s\n" "dublet;0147;219,60" "ikke-bopael-ved-start;0147;607,52" "takst-afviger;0147;5,20" >expect &&
	test_cmp expect actual
'

test_expect_success 'reruns of either night, in any order, give the same bytes' '
	for n in 2025-09-30 2025-10-31; do
		(cd h/out/$n && find summary exceptions disputes postings charges -type f 2>/dev/null |
			LC_ALL=C sort | xargs sha256sum) >before.$n || return 1
	done &&
	for n in 2025-09-30 2025-10-31 2025-09-30; do
		pipeline rerun match-refusion --date $n --conf "$C" --drops "$TRASH/d" \
			--state h/state --out h/out >/dev/null 2>&1 || return 1
	done &&
	for n in 2025-09-30 2025-10-31; do
		(cd h/out/$n && find summary exceptions disputes postings charges -type f 2>/dev/null |
			LC_ALL=C sort | xargs sha256sum) >after.$n &&
		test_cmp before.$n after.$n || return 1
	done
'

test_expect_success 'a later charge repeating lines decided before: dublet, whatever the newer extract says' '
	{ head -n 1 "$F/refusion/MKR_0147_20250915.csv" &&
	  grep -e ";700695-2113;" -e ";750567-1135;" "$F/refusion/MKR_0147_20250915.csv"; } \
		>d/refusion/MKR_0147_20251120.csv &&
	touch d/refusion/MKR_0147_20251120.csv.done &&
	run "$TRASH/d" h 2025-11-30 &&
	breaks h/out/2025-11-30/exceptions/$I.csv >actual &&
	printf "%s\n" "dublet;0147;219,60" "dublet;0147;263,52" "dublet;0147;607,52" \
		"ikke-bopael-ved-start;0147;263,52" "takst-afviger;0147;5,20" >expect &&
	test_cmp expect actual &&
	tail -n +2 h/out/2025-11-30/disputes/$I/0147.csv | cut -d";" -f7,15,16 >actual &&
	printf "%s\n" "700695-2113;263,52;dublet: linjen er opkrævet før" \
		"750567-1135;607,52;dublet: linjen er opkrævet før" >expect &&
	test_cmp expect actual &&
	grep -q ";2025-06;0147;2296,28;936,92;1359,36;1359,36;0,00;EXPLAINED$" \
		h/out/2025-11-30/summary/$I.csv
'

test_done
