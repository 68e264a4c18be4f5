#!/bin/sh
# The matching defaults are bounded (conf/matching.conf, issue 12): no
# posting-level reconciliation (nemkonto, debitor, faktura) pairs a payment
# with a posting months away because the amount is equal; a covering split
# into parts settles with the one posting that booked them together; a
# payment never booked is found among many equal amounts of one recipient.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib-recon.sh"
NK="$TOP/fixtures/guide-nemkonto/drops"
DB="$TOP/fixtures/guide-debitor/drops"
FK="$TOP/fixtures/faktura-example/drops"
NA="9000000000-952599065-9900000-60-9-;Mellemregning NemKonto;DKK"

# conf DIR LINE...: the shipped conf in $TRASH/DIR with LINEs added to matching.conf
conf() {
	d=$1 && shift &&
	mkdir -p "$d" && cp "$TOP"/conf/*.conf "$d/" &&
	sed -i "s|^schemas .*|schemas $TOP/schemas|" "$d/pipeline.conf" &&
	for l in "$@"; do echo "$l" >>"$d/matching.conf" || return 1; done
}

# nemkonto NAME: the guide night (Figur 27/28) in $TRASH/NAME/drops, to change
nemkonto() {
	mkdir -p "$1" && cp -r "$NK" "$1/drops"
}

test_expect_success 'nemkonto: 1210 debit moved four months back: both items open, not settled' '
	nemkonto moved &&
	p=moved/drops/erp/ERP_PRISME_Posteringer_20211115.csv &&
	sed -i "s/;KY-000017946;12-11-2021;/;KY-000017946;12-07-2021;/" $p &&
	grep -q ";KY-000017946;12-07-2021;.*;343,00;1210" $p &&
	run "$TRASH/moved/drops" mv 2021-11-15 &&
	M=mv/out/2021-11-15 &&
	breaks $M/exceptions/nemkonto.csv | grep ";1210;" >actual &&
	printf "%s\n" "aaben-post;1210;-343,00" "aaben-post;1210;343,00" >expect &&
	test_cmp expect actual &&
	grep -q "aaben-post: .*bilag KY-000017946 af 2021-07-12, 126 dage" $M/exceptions/nemkonto.csv &&
	grep -q "^nemkonto;29757895;2021-07;1210;343,00;0,00;343,00;0,00;343,00;BREAK$" $M/summary/nemkonto.csv &&
	grep -q "^nemkonto;29757895;2021-11;1210;0,00;343,00;-343,00;0,00;-343,00;BREAK$" $M/summary/nemkonto.csv &&
	# the KY payment still finds its credit of 10-11: it was booked
	! grep -q "mangler-paa-konto" $M/exceptions/nemkonto.csv
'

test_expect_success 'nemkonto: the same night with an unbounded window settles them (what was wrong)' '
	conf unbounded "set nemkonto pair-window -1" &&
	CONF=$TRASH/unbounded/pipeline.conf run "$TRASH/moved/drops" mvu 2021-11-15 &&
	! grep -q ";1210;" mvu/out/2021-11-15/exceptions/nemkonto.csv &&
	grep -q ";2021-07;1210;343,00;0,00;343,00;343,00;0,00;EXPLAINED$" mvu/out/2021-11-15/summary/nemkonto.csv
'

test_expect_success 'nemkonto: a return settles its payment only within return-window (Figur 28)' '
	# 31-05 paid, 02-09 returned: 94 days; with return-window 0 both stay open
	conf noreturn "set nemkonto return-window 0" &&
	CONF=$TRASH/noreturn/pipeline.conf run "$NK" nr 2021-11-15 &&
	breaks nr/out/2021-11-15/exceptions/nemkonto.csv | grep ";11067;" >actual &&
	printf "%s\n" "aaben-post;11067;-10344,00" "aaben-post;11067;10344,00" \
		"retur;11067;10344,00" >expect &&
	test_cmp expect actual &&
	grep -q ";2021-05;11067;0,00;10344,00;-10344,00;0,00;-10344,00;BREAK$" nr/out/2021-11-15/summary/nemkonto.csv
'

test_expect_success 'nemkonto: a payment never booked among 12 equal payments of one recipient' '
	# 2507 is paid 1.250,00 every Monday from 02-08; each KY credit is on the
	# account that day and the NemKonto debit the next. The credit of 13-09
	# was never booked: that payment, and that debit, are the ones named.
	nemkonto many &&
	p=many/drops/erp/ERP_PRISME_Posteringer_20211115.csv &&
	k=many/drops/ky/KY_DetaljerUdbetalinger_29757895_20211115.csv &&
	for w in 0 1 2 3 4 5 6 7 8 9 10 11; do
		day=$(date -u -d "2021-08-02 + $((7 * w)) days" +%Y-%m-%d) &&
		next=$(date -u -d "$day + 1 day" +%d-%m-%Y) &&
		dmy=$(date -u -d "$day" +%d-%m-%Y) &&
		printf "a1b2c3d4-0000-4000-8000-0000000950%02d;250790-1234;%s;1.250,00;GENNEMFOERT;N;KY-0000950%02d\n" \
			$w $day $w >>$k &&
		{ test $w -eq 6 ||
		  printf "DMPMP;KY-0000950%02d;%s;%s;-1.250,00;2507\r\n" $w $dmy "$NA" >>$p; } &&
		printf "DMPMP;KY-0000960%02d;%s;%s;1.250,00;2507\r\n" $w $next "$NA" >>$p || return 1
	done &&
	run "$TRASH/many/drops" many 2021-11-15 &&
	E=many/out/2021-11-15/exceptions/nemkonto.csv &&
	breaks $E | grep ";2507;" >actual &&
	printf "%s\n" "aaben-post;2507;1250,00" "mangler-paa-konto;2507;1250,00" >expect &&
	test_cmp expect actual &&
	grep -q ";2507;2507901234;1250,00;mangler-paa-konto: .*udbetaling a1b2c3d4-0000-4000-8000-000000095006 af 2021-09-13, bilag KY-000095006" $E &&
	grep -q "aaben-post: .*bilag KY-000096006 af 2021-09-14" $E
'

# debitor NAME: the guide night (Figur 31-33) in $TRASH/NAME/drops, to change
debitor() {
	mkdir -p "$1" && cp -r "$DB" "$1/drops"
}

# claims NAME LAG: 750,00 claims for 120385-1111 accepted every other day
# from 02-08, each posted on the restance account LAG days later; the one
# accepted 10-08 never
claims() {
	debitor $1 &&
	k=$1/drops/ky/KY_DetaljerDebitor_29757895_20210831.csv &&
	p=$1/drops/erp/ERP_PRISME_Kontostreng_928148001_20210831.csv &&
	for c in 0 1 2 3 4 5 6 7 8 9; do
		day=$(date -u -d "2021-08-02 + $((2 * c)) days" +%Y-%m-%d) &&
		dmy=$(date -u -d "$day + $2 days" +%d-%m-%Y) &&
		printf "f0000000-0000-4000-8000-0000000750%02d;2021-07-01 10:00:00.0;120385-1111;x;y;2021-08-31 00:00:00.0;2021-07-01 00:00:00.0;2021-07-31 00:00:00.0;HTF_KONTANT;;z;N;%s 20:00:00.000;ACCEPTERET;750,00\n" \
			$c $day >>$k &&
		{ test $c -eq 4 ||
		  printf "proxy;AAK-0750%02d;%s 22:00:00;FAK-0750%02d;%s;;Betjening;DKK;750,00;750,00;750,00;Faktura til 0075%02d\r\n" \
			$c $dmy $c $dmy $c >>$p; } || return 1
	done &&
	run "$TRASH/$1/drops" $1 2021-08-31 &&
	E=$1/out/2021-08-31/exceptions/debitor.csv &&
	breaks $E | grep ";KY->DEBITOR;" >actual &&
	echo "mangler-i-erp;KY->DEBITOR;750,00" >expect &&
	test_cmp expect actual &&
	grep -q ";1203851111;750,00;mangler-i-erp: .*f0000000-0000-4000-8000-000000075004 ACCEPTERET af 2021-08-10" $E &&
	grep -q ";2021-08;KY->DEBITOR;8582,56;7832,56;750,00;0,00;750,00;BREAK$" $1/out/2021-08-31/summary/debitor.csv
}

test_expect_success 'debitor: a claim never posted among 10 equal claims of one person (same day)' '
	claims same 0
'

test_expect_success 'debitor: the same with each claim posted the next day' '
	claims next 1
'

test_expect_success 'debitor: a covering in two parts settles with the one posting, not an equal amount' '
	# KY reports 600 + 400 covered on 16-08, booked as one credit of 1.000 on
	# 17-08; a credit of 600,00 on 02-07 (45 days before) is not its part
	debitor parts &&
	printf "%s\n" "f0000000-0000-4000-8000-000000000007;150785-2345;DAEKNING;2021-08-16;600,00" \
		"f0000000-0000-4000-8000-000000000007;150785-2345;DAEKNING;2021-08-16;400,00" \
		>>parts/drops/ky/KY_AfstemningFordringer_29757895_20210831.csv &&
	p=parts/drops/erp/ERP_PRISME_Kontostreng_928148001_20210831.csv &&
	printf "%s\r\n" "proxy;AAK-1;17-08-2021 22:00:00;IND-1;17-08-2021;;Betjening;DKK;-1.000,00;1.000,00;-1.000,00;Indbetaling 00601276" \
		"proxy;AAK-2;02-07-2021 22:00:00;IND-2;02-07-2021;;Betjening;DKK;-600,00;600,00;-600,00;Indbetaling 00599999" >>$p &&
	run "$TRASH/parts/drops" parts 2021-08-31 &&
	breaks parts/out/2021-08-31/exceptions/debitor.csv | grep ";DEBITOR->KY;" >actual &&
	echo "ukendt-postering;DEBITOR->KY;-600,00" >expect &&
	test_cmp expect actual &&
	grep -q ";2021-08;DEBITOR->KY;1500,00;1500,00;0,00;0,00;0,00;OK$" parts/out/2021-08-31/summary/debitor.csv &&
	grep -q ";2021-07;DEBITOR->KY;0,00;600,00;-600,00;0,00;-600,00;BREAK$" parts/out/2021-08-31/summary/debitor.csv
'

# invoices NAME LAG TEXT: 1.250,00 from CVR 12345607 every other day from
# 01-11 on 5.57.73.008, each paid LAG days later by a posting whose text is
# TEXT (%s: the invoice number); 9104 of 09-11 never. A payment of 1.250,00
# on 20-09 (50 days before) is not its payment.
invoices() {
	mkdir -p $1 && cp -r "$FK" $1/drops &&
	k=$1/drops/ky/KY_GodkendteEfakturaer_29757895_20211130.csv &&
	p=$1/drops/erp/ERP_PRISME_Posteringer_20211130.csv &&
	for i in 0 1 2 3 4 5 6 7 8 9; do
		day=$(date -u -d "2021-11-01 + $((2 * i)) days" +%Y-%m-%d) &&
		paid=$(date -u -d "$day + $2 days" +%d-%m-%Y) &&
		printf "e91000%02d;910%d;12345607;120385-1111;1.250,00;GODKENDT;%s;5.57.73.008;110\n" $i $i $day >>$k &&
		{ test $i -eq 4 ||
		  printf "FAKTURA;FAK-0091000%d;%s;5.57.73.008-110;%s;DKK;1.250,00;\r\n" \
			$i $paid "$(echo "$3" | sed "s/%s/910$i/")" >>$p; } || return 1
	done &&
	printf "FAKTURA;FAK-00919999;20-09-2021;5.57.73.008-110;Faktura 8888;DKK;1.250,00;\r\n" >>$p &&
	run "$TRASH/$1/drops" $1 2021-11-30 &&
	E=$1/out/2021-11-30/exceptions/faktura.csv &&
	breaks $E | grep ";GODKENDT;" >actual &&
	printf "%s\n" "forkert-konto;GODKENDT;899,95" "forkert-omkostningssted;GODKENDT;1200,00" \
		"mangler-i-erp;GODKENDT;1250,00" "mangler-i-erp;GODKENDT;2350,00" >expect &&
	test_cmp expect actual &&
	grep -q ";GODKENDT;1203851111;1250,00;mangler-i-erp: .*faktura 9104, CVR 12345607, 2021-11-09" $E &&
	grep -q ";2021-11;GODKENDT;33449,95;28950,00;4499,95;0,00;4499,95;BREAK$" $1/out/2021-11-30/summary/faktura.csv
}

test_expect_success 'faktura: an invoice never paid among 10 equal invoices of one supplier' '
	# paid the same day, the postings naming no invoice: by amount and day
	invoices plain 0 "Faktura"
'

test_expect_success 'faktura: the same paid two days later, each posting naming its invoice' '
	# the lag equals the spacing: by day alone 9100 would look unpaid (the
	# payment of 9100 falls on the day of 9101); the number in the text decides
	invoices named 2 "Faktura %s"
'

test_done
