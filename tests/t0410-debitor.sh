#!/bin/sh
# debitor end to end: the guide's Figur 31-33 (3.2) on two nights, broken
# copies of it, and generated nights with injected breaks.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib-recon.sh"
G="$TOP/tests/golden/guide-debitor"
F="$TOP/fixtures/guide-debitor/drops"
S=summary/debitor.csv
E=exceptions/debitor.csv

# copy NAME: the guide's drops into $TRASH/NAME/drops, to break
copy() {
	mkdir -p "$1" && cp -r "$F" "$1/drops"
}

test_expect_success '2021-06-30: summary and exceptions as checked by hand' '
	run "$F" g 2021-06-30 &&
	test_cmp "$G/summary-2021-06-30.csv" g/out/2021-06-30/$S &&
	test_cmp "$G/exceptions-2021-06-30.csv" g/out/2021-06-30/$E
'

test_expect_success 'Figur 33: June claims = restance debits 4.473,58 = minus the clearing account' '
	grep -q "^debitor;29757895;2021-06;KY->DEBITOR;4473,58;4473,58;0,00;0,00;0,00;OK$" g/out/2021-06-30/$S &&
	grep -q ";2021-06;MELLEMREGNING;4473,58;4473,58;0,00;0,00;0,00;OK$" g/out/2021-06-30/$S
'

test_expect_success 'Figur 31: the three rejected claims, the repeated row twice, with the reason' '
	breaks g/out/2021-06-30/$E >actual &&
	printf "%s\n" "afvist;KY->DEBITOR;1459,35" "afvist;KY->DEBITOR;1459,35" \
		"afvist;KY->DEBITOR;1628,81" >expect &&
	test_cmp expect actual &&
	test $(grep -c "Services er midlertidig lukket for anvendelse" g/out/2021-06-30/$E) -eq 3 &&
	test $(tail -n +2 g/out/2021-06-30/$E | cut -d";" -f1 | sort -u | wc -l) -eq 3
'

test_expect_success '2021-08-31: the June claim accepted in August belongs to August (Figur 32)' '
	run "$F" g 2021-08-31 &&
	test_cmp "$G/summary-2021-08-31.csv" g/out/2021-08-31/$S &&
	test_cmp "$G/exceptions-2021-08-31.csv" g/out/2021-08-31/$E &&
	grep -q ";2021-08;KY->DEBITOR;1082,56;1082,56;0,00;0,00;0,00;OK$" g/out/2021-08-31/$S
'

test_expect_success 'Figur 32: 2021-06 registrations 3.562,08 = 1.082,56 + 2.479,52' '
	grep -q ";2021-06;SUM-REGISTRERINGER;3562,08;3562,08;0,00;0,00;0,00;OK$" g/out/2021-08-31/$S
'

test_expect_success 'the store keeps May claims the August report no longer carries' '
	! grep -q "1994,06" "$F/ky/KY_DetaljerDebitor_29757895_20210831.csv" &&
	grep -q ";2021-05;SUM-REGISTRERINGER;1994,06;1994,06;" g/out/2021-08-31/$S
'

test_expect_success 'a fresh state on 2021-08-31 alone gives the same bytes' '
	run "$F" f 2021-08-31 &&
	test_cmp g/out/2021-08-31/$S f/out/2021-08-31/$S &&
	test_cmp g/out/2021-08-31/$E f/out/2021-08-31/$E
'

test_expect_success 'Figur 33: both accounts exported for one month are read, one file each' '
	# 15 claims + 3 rejected + 2 sums + 2 + 2 postings + 2 balances
	awk -F";" "\$1==\"match-debitor\" { exit !(\$4 == 26) }" g/out/2021-06-30/status &&
	copy older &&
	f=older/drops/erp/ERP_PRISME_Kontostreng_928148001_20210629.csv &&
	head -1 "$F/erp/ERP_PRISME_Kontostreng_928148001_20210630.csv" >$f &&
	printf "proxy;AAK-1;29-06-2021 22:00:00;FAK-1;22-06-2021;;Betjening;DKK;9,99;9,99;9,99;x\r\n" >>$f &&
	touch $f.done &&
	run "$TRASH/older/drops" older 2021-06-30 &&
	test_cmp "$G/summary-2021-06-30.csv" older/out/2021-06-30/$S
'

test_expect_success 'a restance posting lost: the claim is named, with its CPR' '
	copy lost &&
	grep -av "FAK-00570125" "$F/erp/ERP_PRISME_Kontostreng_928148001_20210630.csv" \
		>lost/drops/erp/ERP_PRISME_Kontostreng_928148001_20210630.csv &&
	run "$TRASH/lost/drops" lost 2021-06-30 &&
	grep -q ";2021-06;KY->DEBITOR;4473,58;1994,06;2479,52;0,00;2479,52;BREAK$" lost/out/2021-06-30/$S &&
	grep "mangler-i-erp" lost/out/2021-06-30/$E | cut -d";" -f5-7 >actual &&
	echo "KY->DEBITOR;1507852345;2479,52" >expect &&
	test_cmp expect actual
'

test_expect_success 'a repeated claim row without postings: two breaks, two ids' '
	copy twice &&
	k=twice/drops/ky/KY_DetaljerDebitor_29757895_20210630.csv &&
	grep -a "^f0000000-0000-4000-8000-000000000014;" "$F/ky/${k##*/}" >>$k &&
	grep -av "FAK-00570125" "$F/erp/ERP_PRISME_Kontostreng_928148001_20210630.csv" \
		>twice/drops/erp/ERP_PRISME_Kontostreng_928148001_20210630.csv &&
	run "$TRASH/twice/drops" twice 2021-06-30 &&
	test $(grep -c "mangler-i-erp: .*000000000014" twice/out/2021-06-30/$E) -eq 2 &&
	test $(grep "mangler-i-erp" twice/out/2021-06-30/$E | cut -d";" -f1 | sort -u | wc -l) -eq 2
'

test_expect_success 'a claim accepted 31-07 and posted 01-08 pairs across the month end' '
	copy monthend &&
	sed -i "s/;2021-08-24 20:01:18.918;ACCEPTERET;1082,56/;2021-07-31 20:01:18.918;ACCEPTERET;1082,56/" \
		monthend/drops/ky/KY_DetaljerDebitor_29757895_20210831.csv &&
	sed -i "s/;24-08-2021 22:01:21;FAK-00583321;24-08-2021;/;01-08-2021 22:01:21;FAK-00583321;01-08-2021;/" \
		monthend/drops/erp/ERP_PRISME_Kontostreng_928148001_20210831.csv &&
	grep -aq ";01-08-2021;" monthend/drops/erp/ERP_PRISME_Kontostreng_928148001_20210831.csv &&
	run "$TRASH/monthend/drops" monthend 2021-08-31 &&
	M=monthend/out/2021-08-31 &&
	! grep -q "mangler-i-erp\|ukendt-postering" $M/$E &&
	grep -q ";2021-07;KY->DEBITOR;1082,56;0,00;1082,56;1082,56;0,00;EXPLAINED$" $M/$S &&
	grep -q ";2021-08;KY->DEBITOR;0,00;1082,56;-1082,56;-1082,56;0,00;EXPLAINED$" $M/$S
'

test_expect_success 'the clearing account off: the invariant break is reported' '
	copy off &&
	sed -i "s/;-4.473,58\r\$/;-4.373,58\r/" off/drops/erp/ERP_PRISME_Raabalance_20210630.csv &&
	run "$TRASH/off/drops" off 2021-06-30 &&
	grep -q ";2021-06;MELLEMREGNING;4473,58;4373,58;100,00;0,00;100,00;BREAK$" off/out/2021-06-30/$S &&
	grep -q ";MELLEMREGNING;;100,00;unexplained: " off/out/2021-06-30/$E
'

for seed in 1 2 3; do
	test_expect_success "generated night, seed $seed: exactly the injected breaks" "
		python3 \"\$TOP/tests/gen-debitor.py\" $seed gen$seed/drops gen$seed/expected &&
		run \"\$TRASH/gen$seed/drops\" gen$seed 2021-08-31 &&
		breaks gen$seed/out/2021-08-31/$E >actual &&
		test_cmp gen$seed/expected actual
	"
done

test_expect_success 'the debtor group transfer carries its account in the last column' '
	head -1 gen1/out/2021-08-31/$E | grep -q ";left;right;account\$" &&
	grep "debitorgruppe-overfoersel" gen1/out/2021-08-31/$E | grep -q ";928148012\$"
'

test_done
