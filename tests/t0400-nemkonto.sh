#!/bin/sh
# nemkonto end to end: the guide's Figur 27 and 28 (3.1), a lost NemKonto
# debit, generated nights with injected breaks, and the bounded search.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib-recon.sh"
G="$TOP/tests/golden/guide-nemkonto"
D=out/2021-11-15
S=summary/nemkonto.csv
E=exceptions/nemkonto.csv
N=2021-11-15

test_expect_success 'Figur 27/28: summary and exceptions as checked by hand' '
	run "$TOP/fixtures/guide-nemkonto/drops" g $N &&
	test_cmp "$G/summary.csv" g/$D/$S &&
	test_cmp "$G/exceptions.csv" g/$D/$E
'

test_expect_success 'Figur 27: every recipient nets to 0 in November; 1201 and 3112 settled' '
	test $(grep -c ";2021-11;.*;OK$" g/$D/$S) -eq 16 &&
	test $(grep -c ";2021-11;" g/$D/$S) -eq 16 &&
	grep -q ";2021-11;SUM-UDBETALINGER;115935,01;115935,01;0,00;0,00;0,00;OK$" g/$D/$S &&
	grep -q "^nemkonto;29757895;2021-11;1201;45068,57;45068,57;0,00;0,00;0,00;OK$" g/$D/$S &&
	grep -q ";3112;13339,73;13339,73;0,00;0,00;0,00;OK$" g/$D/$S
'

test_expect_success 'TOTAL of every month adds up to the fixture postings summed independently' '
	f="$TOP/fixtures/guide-nemkonto/drops/erp" &&
	{ tail -n +2 $f/ERP_PRISME_Posteringer_20211115.csv | cut -d";" -f7;
	  tail -n +2 $f/ERP_PRISME_Kontostreng_952599065_20210902.csv | cut -d";" -f10; } |
	tr -d ".\r" | tr "," "." |
	awk "{ if (\$1 > 0) d += \$1; else c -= \$1 } END { printf \"%.2f;%.2f\n\", d, c }" |
	tr "." "," >expect &&
	grep ";TOTAL;" g/$D/$S | cut -d";" -f5,6 | tr "," "." |
	awk -F";" "{ d += \$1; c += \$2 } END { printf \"%.2f;%.2f\n\", d, c }" | tr "." "," >actual &&
	test_cmp expect actual && test "$(cat actual)" = "129979,01;129979,01"
'

test_expect_success 'Figur 28: the returned payment and the re-posting flagged though they net to 0' '
	breaks g/$D/$E >actual &&
	printf "%s\n" "ompostering;06058;-3700,00" "retur;11067;10344,00" >expect &&
	test_cmp expect actual &&
	grep -q ";2021-06;06058;3700,00;0,00;3700,00;3700,00;0,00;EXPLAINED$" g/$D/$S &&
	grep -q ";2021-07;06058;0,00;3700,00;-3700,00;-3700,00;0,00;BREAK$" g/$D/$S &&
	grep -q ";2021-09;11067;10344,00;0,00;10344,00;10344,00;0,00;BREAK$" g/$D/$S &&
	grep "^[^;]*;nemkonto;29757895;2021-09;11067;;10344,00;retur: .*OMP-000021794 af 2021-09-02, 74 dage" g/$D/$E
'

test_expect_success 'a lost NemKonto debit: the three KY credits of 1201 open, named, with age' '
	# on 2021-11-16 they are 4 days old: past the 3 days in transit
	mkdir -p lost/erp lost/ky &&
	cp "$TOP"/fixtures/guide-nemkonto/drops/ky/* lost/ky/ &&
	cp "$TOP"/fixtures/guide-nemkonto/drops/erp/* lost/erp/ &&
	grep -v "45.068,57" "$TOP"/fixtures/guide-nemkonto/drops/erp/ERP_PRISME_Posteringer_20211115.csv \
		>lost/erp/ERP_PRISME_Posteringer_20211115.csv &&
	run "$TRASH/lost" l 2021-11-16 &&
	L=l/out/2021-11-16 &&
	grep ";1201;0,00;45068,57;-45068,57;0,00;-45068,57;BREAK$" $L/$S &&
	grep "aaben-post" $L/$E | cut -d";" -f5,7 | sort >actual &&
	printf "%s\n" "1201;-14632,31" "1201;-15218,13" "1201;-15218,13" >expect &&
	test_cmp expect actual &&
	for b in KY-000017955 KY-000017960 KY-000017961; do
		grep -q "aaben-post: .*bilag $b af 2021-11-12, 4 dage" $L/$E || return 1
	done &&
	test $(cut -d";" -f1 $L/$E | sort -u | wc -l) -eq 6
'

for seed in 1 2 3; do
	test_expect_success "generated night, seed $seed: exactly the injected breaks" "
		python3 \"\$TOP/tests/gen-nemkonto.py\" $seed gen$seed/drops gen$seed/expected &&
		run \"\$TRASH/gen$seed/drops\" gen$seed $N &&
		breaks gen$seed/$D/$E >actual &&
		test_cmp gen$seed/expected actual &&
		test \$(grep -c \";EXPLAINED\$\" gen$seed/$D/$S) -eq 1
	"
done

test_expect_success 'a night of 20.000 recipients (65.000 postings): exactly the injected breaks' '
	python3 "$TOP/tests/gen-nemkonto.py" 9 big/drops big/expected 20000 &&
	run "$TRASH/big/drops" big $N &&
	breaks big/$D/$E >actual &&
	test_cmp big/expected actual
'

test_expect_success 'the next night: same ids, first_seen kept, age counted' '
	run "$TRASH/gen1/drops" gen1 2021-11-16 &&
	cut -d";" -f1 gen1/$D/$E >before &&
	cut -d";" -f1 gen1/out/2021-11-16/$E >after &&
	test_cmp before after &&
	tail -n +2 gen1/out/2021-11-16/$E | cut -d";" -f9,10 | sort -u >actual &&
	echo "2021-11-15;1" >expect &&
	test_cmp expect actual
'

# fixture FROM TO DIR: the guide night with recipient 0110 (8.277,77 out and
# back) written as TO, its credit left out
recipient_0110() {
	mkdir -p "$2/erp" "$2/ky" &&
	cp "$TOP"/fixtures/guide-nemkonto/drops/ky/* "$2/ky/" &&
	cp "$TOP"/fixtures/guide-nemkonto/drops/erp/* "$2/erp/" &&
	grep -v ";-8.277,77;0110" "$TOP"/fixtures/guide-nemkonto/drops/erp/ERP_PRISME_Posteringer_20211115.csv |
		sed "s/;8.277,77;0110\r*$/;8.277,77;$1\r/" >"$2/erp/ERP_PRISME_Posteringer_20211115.csv"
}

test_expect_success 'a full CPR as recipient: in the cpr column, masked in the key' '
	recipient_0110 0110851013 cpr &&
	run "$TRASH/cpr" c 2021-11-20 &&
	C=c/out/2021-11-20 &&
	grep ";aaben-post:" $C/$E | cut -d";" -f5,6,7 >actual &&
	echo "011085-xxxx;0110851013;8277,77" >expect &&
	test_cmp expect actual &&
	grep -q ";011085-xxxx;8277,77;0,00;8277,77;" $C/$S &&
	! cut -d";" -f5 $C/$E $C/$S | grep -q 0110851013
'

test_expect_success 'a posting without recipient is bad data, not a cross-person group' '
	recipient_0110 "" nameless &&
	sed -i "s/;-911,11;0106/;-911,11;/" nameless/erp/ERP_PRISME_Posteringer_20211115.csv &&
	run "$TRASH/nameless" nl 2021-11-20 &&
	NL=nl/out/2021-11-20 &&
	breaks $NL/$E | grep -v "ompostering\|retur" >actual &&
	printf "%s\n" "aaben-post;0106;911,11" "mangler-modtager;;-911,11" \
		"mangler-modtager;;8277,77" "mangler-paa-konto;0106;911,11" \
		"mangler-paa-konto;0110;8277,77" >expect &&
	test_cmp expect actual
'

test_expect_success 'a KY payment pairs with the credit of its Bilagsreference first' '
	# a second 8.277,77 to 0110 the same day, its bilag not on the account:
	# it, not the one whose bilag KY-000017974 is there, is missing
	mkdir -p bilag/erp bilag/ky &&
	cp "$TOP"/fixtures/guide-nemkonto/drops/ky/* bilag/ky/ &&
	cp "$TOP"/fixtures/guide-nemkonto/drops/erp/* bilag/erp/ &&
	printf "%s\r\n" "a1b2c3d4-0000-4000-8000-000000000000;011085-1013;2021-11-15;8.277,77;GENNEMFOERT;N;KY-000099998" \
		>>bilag/ky/KY_DetaljerUdbetalinger_29757895_20211115.csv &&
	run "$TRASH/bilag" b $N &&
	grep "mangler-paa-konto" b/$D/$E | cut -d";" -f5,7 >actual &&
	echo "0110;8277,77" >expect &&
	test_cmp expect actual &&
	grep -q "mangler-paa-konto: .*udbetaling a1b2c3d4-0000-4000-8000-000000000000 .*bilag KY-000099998" b/$D/$E
'

test_expect_success 'recipients 0605 and 06058 side by side: each payment under its longest' '
	mkdir -p mixed/erp mixed/ky &&
	cp "$TOP"/fixtures/guide-nemkonto/drops/ky/* mixed/ky/ &&
	cp "$TOP"/fixtures/guide-nemkonto/drops/erp/* mixed/erp/ &&
	a="9000000000-952599065-9900000-60-9-;Mellemregning NemKonto;DKK" &&
	printf "%s\r\n" "DMPMP;KY-000088801;10-11-2021;$a;500,00;06058" \
		"DMPMP;KY-000088801;10-11-2021;$a;-500,00;06058" \
		"DMPMP;KY-000088802;10-11-2021;$a;500,00;0605" \
		"DMPMP;KY-000088802;10-11-2021;$a;-500,00;0605" \
		>>mixed/erp/ERP_PRISME_Posteringer_20211115.csv &&
	printf "%s\r\n" "a1b2c3d4-0000-4000-8000-000000008801;060585-1234;2021-11-10;500,00;GENNEMFOERT;N;KY-000088801" \
		"a1b2c3d4-0000-4000-8000-000000008802;060590-9999;2021-11-10;500,00;GENNEMFOERT;N;KY-000088802" \
		>>mixed/ky/KY_DetaljerUdbetalinger_29757895_20211115.csv &&
	run "$TRASH/mixed" mx $N &&
	! grep -q "mangler-paa-konto" mx/$D/$E &&
	grep -q ";0605;500,00;500,00;0,00;0,00;0,00;OK$" mx/$D/$S
'

test_expect_success 'the month before the lookback is read as context, never reported' '
	# lookback 12 on 2021-11-15: 2020-11 is reported, 2020-10 only read
	mkdir -p ctx/erp ctx/ky &&
	cp "$TOP"/fixtures/guide-nemkonto/drops/ky/* ctx/ky/ &&
	cp "$TOP"/fixtures/guide-nemkonto/drops/erp/* ctx/erp/ &&
	a="9000000000-952599065-9900000-60-9-;Mellemregning NemKonto;DKK" &&
	printf "%s\r\n" "DMPMP;KY-000090001;02-11-2020;$a;500,00;0909" \
		"DMPMP;KY-000090002;30-10-2020;$a;-500,00;0909" \
		"DMPMP;KY-000090003;15-10-2020;$a;77,00;0909" \
		"DMPMP;KY-000090004;14-10-2020;$a;66,00;0808" >>ctx/erp/ERP_PRISME_Posteringer_20211115.csv &&
	run "$TRASH/ctx" ctx $N &&
	! grep -q ";0909;\|;0808;" ctx/$D/$E &&
	# its debit settles the credit of the context month: explained by another month
	grep -q ";2020-11;0909;500,00;0,00;500,00;500,00;0,00;EXPLAINED$" ctx/$D/$S &&
	! grep -q ";2020-10;" ctx/$D/$S &&
	! grep -q ";0808;" ctx/$D/$S &&
	grep -v ";0909;\|;TOTAL;" ctx/$D/$S >actual &&
	grep -v ";TOTAL;" "$G/summary.csv" >expect &&
	test_cmp expect actual
'

test_expect_success 'the stage alone for a date gives the same bytes' '
	sha256sum g/$D/$S g/$D/$E >first &&
	stage-match-nemkonto --date 2021-11-15 --conf "$TOP/conf/pipeline.conf" \
		--drops "$TOP/fixtures/guide-nemkonto/drops" --state g/state --out g/out &&
	sha256sum g/$D/$S g/$D/$E >second &&
	test_cmp first second
'

test_expect_success 'a search over its step limit gives up on its items only, and says so' '
	# 1201 (Figur 27, N:1) with an unrelated old credit of 100,00: over the
	# limit its N:1 is not found and the rest does not balance
	mkdir -p steps/erp steps/ky conf &&
	cp "$TOP"/fixtures/guide-nemkonto/drops/ky/* steps/ky/ &&
	cp "$TOP"/fixtures/guide-nemkonto/drops/erp/* steps/erp/ &&
	printf "DMPMP;KY-000099999;01-11-2021;9000000000-952599065-9900000-60-9-;Mellemregning NemKonto;DKK;-100,00;1201\r\n" \
		>>steps/erp/ERP_PRISME_Posteringer_20211115.csv &&
	run "$TRASH/steps" s1 2021-11-16 &&
	breaks s1/out/2021-11-16/$E | grep ";1201;" >actual &&
	echo "aaben-post;1201;-100,00" >expect &&
	test_cmp expect actual &&
	cp "$TOP"/conf/*.conf conf/ &&
	sed -i "s|^schemas .*|schemas $TOP/schemas|" conf/pipeline.conf &&
	echo "set nemkonto max-steps 1" >>conf/matching.conf &&
	CONF=$TRASH/conf/pipeline.conf run "$TRASH/steps" s2 2021-11-16 &&
	grep -q ";1201;;0,00;opgivet: .*5 poster, 4 opgivet, [0-9]* søgetrin" s2/out/2021-11-16/$E &&
	test $(grep -c ";1201;;.*;aaben-post" s2/out/2021-11-16/$E) -eq 5 &&
	grep -v ";1201;" s1/out/2021-11-16/$E | cut -d";" -f1 >expect &&
	grep -v ";1201;" s2/out/2021-11-16/$E | cut -d";" -f1 >actual &&
	test_cmp expect actual
'

test_expect_success 'a bad matching.conf is a configuration error (64) naming file:line' '
	echo "set nemkonto max-group 99" >>conf/matching.conf &&
	CONF=$TRASH/conf/pipeline.conf run "$TRASH/gen1/drops" bad $N 2>err;
	test $? -eq 64 &&
	grep -q "matching.conf:[0-9]*: max-group: .99. is not an integer from 1 to 16" err
'

test_expect_success 'an SE without the account role is a configuration error (64)' '
	mkdir conf2 && cp "$TOP"/conf/*.conf conf2/ &&
	sed -i "s|^schemas .*|schemas $TOP/schemas|" conf2/pipeline.conf &&
	sed -i "/^role hensaettelse-bankudbetaling/d" conf2/accounts.conf &&
	stage-match-nemkonto --date $N --conf "$TRASH/conf2/pipeline.conf" --state g/state \
		--out g/out 2>err;
	test $? -eq 64 &&
	grep -q "accounts.conf: no .role hensaettelse-bankudbetaling. for municipality 29757895" err
'

test_done
