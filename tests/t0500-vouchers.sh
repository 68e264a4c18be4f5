#!/bin/sh
# GL posting vouchers: the guide's postings (Figur 23, 28, 33) from
# hand-made exception files, schema-valid, balanced, never issued twice.
. "$(dirname "$0")/lib.sh"
G="$TOP/tests/golden/vouchers-guide"
E="$TOP/tests/golden/vouchers-empty"
X="$TOP/fixtures/vouchers/exceptions"
XSD="$TOP/schemas/sf1590a-finansbilag.xsd"
D1=2021-02-05
D2=2021-02-06

# vouchers NAME DATE [conf]: runs the stage alone on NAME's state and out
vouchers() {
	stage-vouchers --date "$2" --conf "${3:-$TOP/conf/pipeline.conf}" \
		--state "$TRASH/$1/state" --out "$TRASH/$1/out"
}

# exceptions NAME DATE FILE...: the night's exception files, as a matcher left them
exceptions() {
	name=$1 date=$2
	shift 2
	mkdir -p "$TRASH/$name/out/$date/exceptions" &&
	cp "$@" "$TRASH/$name/out/$date/exceptions/"
}

sums() {
	(cd "$1" && find . -type f | sort | xargs sha256sum)
}

# A copy of conf/ whose vouchers.conf gets RULE appended (schemas beside it).
conf_with() {
	mkdir -p "$1" && cp "$TOP"/conf/*.conf "$1/" && ln -sfn "$TOP/schemas" "$(dirname "$1")/schemas" &&
	printf '%s\n' "$2" >>"$1/vouchers.conf"
}

test_expect_success 'a night without voucher rows writes an empty, valid result' '
	night guide-eindkomst g &&
	test_cmp "$E/vouchers.csv" g/out/$D1/vouchers/vouchers.csv &&
	test $(ls g/out/$D1/vouchers | wc -l) -eq 1 &&
	grep -q "^vouchers;done;0;0;0;0;.*;0 vouchers (0 reversals), debit total 0,00$" g/out/$D1/status
'

test_expect_success 'guide examples: vouchers are the golden files' '
	exceptions v $D1 "$X"/*.csv &&
	vouchers v $D1 &&
	(cd v/out/$D1/vouchers && ls) >actual &&
	(cd "$G" && ls) >expect &&
	test_cmp expect actual &&
	for f in "$G"/*; do test_cmp "$f" v/out/$D1/vouchers/$(basename "$f") || return 1; done
'

test_expect_success 'Figur 23: the interest 126,03 goes to 6.45.51 against Afregning SKAT' '
	c=v/out/$D1/vouchers/vouchers.csv &&
	grep ";rente-skattekonto;" $c | cut -d";" -f11-14 >actual &&
	printf "%s\n" "6.45.51;D;126,03;126,03" "8.52.59.111;K;126,03;-126,03" >expect &&
	test_cmp expect actual
'

test_expect_success 'Figur 28 and 33: the returned payment and the debtor group transfer' '
	c=v/out/$D1/vouchers/vouchers.csv &&
	grep ";nemkonto-retur;" $c | cut -d";" -f11-13 >actual &&
	printf "%s\n" "952599099;D;10344,00" "952599065;K;10344,00" >expect &&
	test_cmp expect actual &&
	grep ";debitorgruppe-overfoersel;" $c | cut -d";" -f11-13 >actual &&
	printf "%s\n" "928148102;D;4473,58" "928148002;K;4473,58" >expect &&
	test_cmp expect actual &&
	! grep -q 928148202 $c
'

test_expect_success 'every XML voucher is valid against the XSD (xmllint)' '
	n=0 &&
	for f in v/out/$D1/vouchers/*.xml; do
		xmllint --noout --schema "$XSD" "$f" || return 1
		n=$((n + 1))
	done &&
	test $n -eq 3
'

test_expect_success 'every voucher balances: debits = credits per voucher id' '
	tail -n +2 v/out/$D1/vouchers/vouchers.csv |
	awk -F";" "{ gsub(\",\", \".\", \$14); s[\$1] += \$14 } END { for (v in s) if (s[v] != 0) exit 1 }"
'

test_expect_success 'no CPR number in the voucher texts, files 0640' '
	cut -d";" -f15 v/out/$D1/vouchers/vouchers.csv >texts &&
	! grep -qE "[0-9]{10}|[0-9]{6}-[0-9]{4}" texts v/out/$D1/vouchers/*.xml &&
	grep -q "^Retur ingen NemKonto modtager 11067 2021-09$" texts &&
	test "$(stat -c %a v/out/$D1/vouchers/vouchers.csv)" = 640
'

test_expect_success 'rerunning the night gives the same ids and bytes, nothing new' '
	sums v/out >first &&
	vouchers v $D1 2>err &&
	sums v/out >second &&
	test_cmp first second &&
	grep -q "this run: 0 new, 0 changed, 3 already issued" err
'

test_expect_success 'a fresh state gives the same ids and bytes' '
	exceptions v2 $D1 "$X"/*.csv &&
	vouchers v2 $D1 &&
	sums v2/out >third &&
	test_cmp first third
'

test_expect_success 'the next night does not issue the same events again' '
	exceptions v $D2 "$X"/*.csv &&
	vouchers v $D2 &&
	test_cmp "$E/vouchers.csv" v/out/$D2/vouchers/vouchers.csv
'

test_expect_success 'a changed event gives a reversal of the old voucher and a new one' '
	mkdir -p changed && sed "s/;-126,03;rente/;-130,00;rente/" "$X/skat-afregning.csv" \
		>changed/skat-afregning.csv &&
	exceptions v $D2 changed/skat-afregning.csv &&
	vouchers v $D2 2>err &&
	grep -q "this run: 0 new, 1 changed, 2 already issued" err &&
	c=v/out/$D2/vouchers/vouchers.csv &&
	old=$(grep ";6.45.51;D;126,03;" v/out/$D1/vouchers/vouchers.csv | cut -d";" -f1) &&
	grep ";reversal;$old;" $c | cut -d";" -f11-13 >actual &&
	printf "%s\n" "6.45.51;K;126,03" "8.52.59.111;D;126,03" >expect &&
	test_cmp expect actual &&
	grep ";voucher;;" $c | cut -d";" -f11-13 >actual &&
	printf "%s\n" "6.45.51;D;130,00" "8.52.59.111;K;130,00" >expect &&
	test_cmp expect actual &&
	rev=$(grep ";reversal;" $c | head -n 1 | cut -d";" -f1) &&
	grep -q "<TilbagefoertBilagUUID>$old</TilbagefoertBilagUUID>" v/out/$D2/vouchers/$rev.xml &&
	for f in v/out/$D2/vouchers/*.xml; do xmllint --noout --schema "$XSD" "$f" || return 1; done &&
	pipeline status --date $D2 --state v/state --conf "$TOP/conf/pipeline.conf" >st;
	grep -q "vouchers .* 4 *2 *0  2 vouchers (1 reversals), debit total 256,03$" st
'

test_expect_success 'rerunning the first night leaves the later correction standing' '
	vouchers v $D1 2>err &&
	grep -q "0 new, 0 changed, 2 already issued, 1 left to a later night" err &&
	sums v/out >after &&
	grep "/$D1/" after >a1 && grep "/$D1/" first >f1 &&
	test_cmp f1 a1
'

test_expect_success 'an unbalanced rule is refused with its name (exit 64), nothing issued' '
	conf_with bad/conf "rule skaev skat-afregning rente
  text   \"skæv\"
  debit  renter          left
  credit afregning-skat  right" &&
	exceptions u $D1 "$X/skat-afregning.csv" &&
	vouchers u $D1 "$TRASH/bad/conf/pipeline.conf" 2>err; test $? -eq 64 &&
	grep -q "vouchers.conf:[0-9]*: rule .skaev. gives an unbalanced voucher for .*skat-afregning.csv:2: debit 0,00, credit 126,03" err &&
	test ! -e u/out/$D1/vouchers &&
	pipeline status --date $D1 --state u/state --conf "$TOP/conf/pipeline.conf" >st;
	! grep -q "vouchers .*done" st
'

test_expect_success 'a rule naming an unknown role or placeholder is refused at load (exit 64)' '
	conf_with role/conf "rule r skat-afregning rente
  text   x
  debit  no-such-role  amount
  credit 6.45.51       amount" &&
	vouchers u $D1 "$TRASH/role/conf/pipeline.conf" 2>err; test $? -eq 64 &&
	grep -q "vouchers.conf:[0-9]*: rule .r.: .*accounts.conf has no .role no-such-role." err &&
	conf_with ph/conf "rule r skat-afregning rente
  text   \"{cpr-full}\"" &&
	vouchers u $D1 "$TRASH/ph/conf/pipeline.conf" 2>err; test $? -eq 64 &&
	grep -q "vouchers.conf:[0-9]*: unknown placeholder .{cpr-full}." err
'

test_expect_success 'a bad exception row stops the night with file:line:column (exit 65)' '
	mkdir -p badrow && sed "s/;-126,03;rente/;-126.03;rente/" "$X/skat-afregning.csv" \
		>badrow/skat-afregning.csv &&
	exceptions b $D1 badrow/skat-afregning.csv &&
	vouchers b $D1 2>err; test $? -eq 65 &&
	grep -q "skat-afregning.csv:2:7: amount: " err &&
	test ! -e b/out/$D1/vouchers &&
	sed "s/^5a1d0c2e9b7f3a41;/5a1d0c2e9b7f3a4;/" "$X/skat-afregning.csv" >badrow/skat-afregning.csv &&
	exceptions b $D1 badrow/skat-afregning.csv &&
	vouchers b $D1 2>err; test $? -eq 65 &&
	grep -q "skat-afregning.csv:2:1: id: not 16 hex characters" err &&
	test ! -e b/out/$D1/vouchers
'

test_expect_success 'the same event twice in one night is refused (exit 65)' '
	mkdir -p twice && cp "$X/skat-afregning.csv" twice/ &&
	tail -n 1 "$X/skat-afregning.csv" >>twice/skat-afregning.csv &&
	exceptions t $D1 twice/skat-afregning.csv &&
	vouchers t $D1 2>err; test $? -eq 65 &&
	grep -q "the same business event" err &&
	test ! -e t/out/$D1/vouchers
'

test_expect_success 'pipeline status --date lists the vouchers with their totals' '
	pipeline status --date $D1 --state v/state --conf "$TOP/conf/pipeline.conf" >st;
	sed -n "/VOUCHER/,\$p" st | awk "{ print \$3, \$4, \$5 }" >actual &&
	printf "%s\n" "KIND DEBIT REFERENCE" "voucher 126,03 rente-skattekonto:5a1d0c2e9b7f3a41" \
		"voucher 10344,00 nemkonto-retur:7c3e11aa00b2c9d4" \
		"voucher 4473,58 debitorgruppe-overfoersel:3b9f6d0e1c2a4e57" >expect &&
	test_cmp expect actual
'

test_expect_success 'a row in the wrong recon file is refused (exit 65)' '
	mkdir -p wrong && sed "s/;skat-afregning;/;nemkonto;/" "$X/skat-afregning.csv" \
		>wrong/skat-afregning.csv &&
	exceptions w $D1 wrong/skat-afregning.csv &&
	vouchers w $D1 2>err; test $? -eq 65 &&
	grep -q "skat-afregning.csv:2:2: recon: not the recon the file is named after" err
'

test_expect_success 'pipeline rerun vouchers redoes the stage only, same bytes' '
	night guide-eindkomst p &&
	exceptions p $D1 "$X"/*.csv &&
	pipeline rerun vouchers --date $D1 --conf "$TOP/conf/pipeline.conf" \
		--drops "$TOP/fixtures/guide-eindkomst/drops" --state p/state --out p/out &&
	for f in "$G"/*; do test_cmp "$f" p/out/$D1/vouchers/$(basename "$f") || return 1; done &&
	grep -q "^vouchers;done;0;4;3;0;.*;3 vouchers (0 reversals), debit total 14943,61$" p/out/$D1/status
'

test_expect_success 'the guide night of skat-afregning: its real rente exception gives the Figur 23 voucher' '
	partial pipeline run --quiet --date 2021-02-10 --conf "$TOP/conf/pipeline.conf" \
		--drops "$TOP/fixtures/guide-skat-afregning/drops" --state sa/state --out sa/out &&
	grep -q ";2021-01;RENTE;;-126,03;rente:" sa/out/2021-02-10/exceptions/skat-afregning.csv &&
	(cd sa/out/2021-02-10/vouchers && ls) >actual &&
	(cd "$TOP/tests/golden/vouchers-skat-afregning" && ls) >expect && test_cmp expect actual &&
	for f in "$TOP"/tests/golden/vouchers-skat-afregning/*; do
		test_cmp "$f" sa/out/2021-02-10/vouchers/$(basename "$f") || return 1
	done &&
	grep -q ";6.45.51;D;126,03;126,03;" sa/out/2021-02-10/vouchers/vouchers.csv &&
	grep -q ";8.52.59.111;K;126,03;-126,03;" sa/out/2021-02-10/vouchers/vouchers.csv &&
	xmllint --noout --schema "$TOP/schemas/sf1590a-finansbilag.xsd" sa/out/2021-02-10/vouchers/*.xml
'

test_expect_success 'the guide night of nemkonto: its real retur exception gives the Figur 28 correction' '
	partial pipeline run --quiet --date 2021-11-15 --conf "$TOP/conf/pipeline.conf" \
		--drops "$TOP/fixtures/guide-nemkonto/drops" --state nk/state --out nk/out &&
	c=nk/out/2021-11-15/vouchers/vouchers.csv &&
	test "$(grep -c ";nemkonto-retur;" $c)" = 2 &&
	grep ";nemkonto-retur;" $c | cut -d";" -f11-13,15 >actual &&
	printf "%s\n" "952599099;D;10344,00;Retur ingen NemKonto modtager 11067 2021-09" \
		"952599065;K;10344,00;Retur ingen NemKonto modtager 11067 2021-09" >expect &&
	test_cmp expect actual &&
	! grep -q ompostering $c &&
	xmllint --noout --schema "$TOP/schemas/sf1590a-finansbilag.xsd" nk/out/2021-11-15/vouchers/*.xml
'

test_done
