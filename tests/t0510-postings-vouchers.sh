#!/bin/sh
# Vouchers from a postings file: a matching stage's money movements that
# are not breaks (an invoice posted by its payment plan, a charge sent to
# another municipality) become balanced SF1590_A vouchers through
# conf/vouchers.conf rules that say 'from postings', never twice.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib-shared-parts.sh"
P="$TOP/fixtures/shared-parts/postings"
XSD="$TOP/schemas/sf1590a-finansbilag.xsd"
D1=2025-03-31
D2=2025-04-01

# A copy of conf/ with the postings rules. conf/ ships betalingsplaner's
# rule plan-bogfoering and the roles it and the plans file name
# (koebsmoms 8.32.21.001, kreditor-mellemregning 8.52.61.001,
# husleje-mellemregning 8.52.59.201); the refusion rule is added here.
mkdir -p "$TRASH/conf" && cp "$TOP"/conf/*.conf "$TRASH/conf/" &&
# (without the shipped refusion rules: this test brings its own)
awk '/^rule /{ skip = ($2 ~ /^refusion-/) } /^$/{ skip = 0 } !skip' "$TOP/conf/vouchers.conf" \
	>"$TRASH/conf/vouchers.conf" &&
ln -sfn "$TOP/schemas" "$TRASH/schemas" &&
cat >>"$TRASH/conf/vouchers.conf" <<-\RULES
	rule refusion-opkraevning  mellemkommunal-refusion  opkraevning
	  from    postings
	  text    "Mellemkommunal refusion {@periode} kommune {key} {@opkraevnings_id}"
	  debit   8.52.59.301  amount
	  credit  7.55.01.001  amount
RULES
C="$TRASH/conf/pipeline.conf"

# vouchers NAME DATE: the stage alone on NAME's state and out
vouchers() {
	stage-vouchers --date "$2" --conf "$C" --state "$TRASH/$1/state" --out "$TRASH/$1/out"
}

# postings NAME DATE FILE...: the night's postings files, as a matcher left them
postings() {
	name=$1 date=$2
	shift 2
	mkdir -p "$TRASH/$name/out/$date/postings" &&
	cp "$@" "$TRASH/$name/out/$date/postings/"
}

sums() {
	(cd "$1" && find . -type f | sort | xargs sha256sum)
}

test_expect_success 'postings give balanced vouchers: net and VAT on their accounts' '
	postings v $D1 "$P/betalingsplaner.csv" "$P/mellemkommunal-refusion.csv" &&
	vouchers v $D1 2>err &&
	c=v/out/$D1/vouchers/vouchers.csv &&
	grep ";plan-bogfoering:2524b8b09bb17632;" $c | cut -d";" -f11-13,15 >actual &&
	printf "%s\n" "3.22.01.003;D;3400,00;Faktura V-2025-0303 CVR 12345674 P-VAND" \
		"8.32.21.001;D;850,00;Faktura V-2025-0303 CVR 12345674 P-VAND" \
		"8.52.61.001;K;4250,00;Faktura V-2025-0303 CVR 12345674 P-VAND" >expect &&
	test_cmp expect actual &&
	grep -q "this run: 3 new, 0 changed, 0 already issued" err
'

test_expect_success 'a role named in the account column resolves; a zero VAT line is left out' '
	grep ";plan-bogfoering:42c8aa3600000001;" v/out/$D1/vouchers/vouchers.csv |
		cut -d";" -f11-13 >actual &&
	printf "%s\n" "8.52.59.201;D;6200,00" "8.52.61.001;K;6200,00" >expect &&
	test_cmp expect actual
'

test_expect_success 'a charge sent: its own columns fill the text' '
	grep ";refusion-opkraevning:6c252dc6dbd60a93;" v/out/$D1/vouchers/vouchers.csv |
		cut -d";" -f11-13,15 >actual &&
	printf "%s\n" "8.52.59.301;D;329,40;Mellemkommunal refusion 2025-03 kommune 0147 MKR-0147-2025-03" \
		"7.55.01.001;K;329,40;Mellemkommunal refusion 2025-03 kommune 0147 MKR-0147-2025-03" >expect &&
	test_cmp expect actual
'

test_expect_success 'every voucher is valid against the XSD and balances' '
	n=0 &&
	for f in v/out/$D1/vouchers/*.xml; do
		xmllint --noout --schema "$XSD" "$f" || return 1
		n=$((n + 1))
	done &&
	test $n -eq 3 &&
	tail -n +2 v/out/$D1/vouchers/vouchers.csv |
	awk -F";" "{ gsub(\",\", \".\", \$14); s[\$1] += \$14 } END { for (v in s) if (s[v] != 0) exit 1 }"
'

test_expect_success 'a postings rule reads postings only: an exception row with its code gives nothing' '
	postings x $D1 "$P/betalingsplaner.csv" &&
	mkdir -p x/out/$D1/exceptions &&
	cp "$P/exceptions-betalingsplaner.csv" x/out/$D1/exceptions/betalingsplaner.csv &&
	vouchers x $D1 &&
	! grep -q 9f00aa11bb22cc33 x/out/$D1/vouchers/vouchers.csv &&
	test $(cut -d";" -f1 x/out/$D1/vouchers/vouchers.csv | sort -u | wc -l) -eq 3
'

test_expect_success 'rerunning the night gives the same bytes; the next night posts nothing again' '
	sums v/out >first &&
	vouchers v $D1 2>err &&
	sums v/out >second &&
	test_cmp first second &&
	grep -q "this run: 0 new, 0 changed, 3 already issued" err &&
	postings v $D2 "$P/betalingsplaner.csv" "$P/mellemkommunal-refusion.csv" &&
	vouchers v $D2 &&
	test $(wc -l <v/out/$D2/vouchers/vouchers.csv) -eq 1
'

test_expect_success 'a night without a postings file posts nothing and succeeds' '
	vouchers e $D1 &&
	test $(wc -l <e/out/$D1/vouchers/vouchers.csv) -eq 1
'

test_expect_success 'a bad money column stops the night with file:line (exit 65)' '
	mkdir -p bad && sed "s/;3400,00;850,00;/;3400.00;850,00;/" "$P/betalingsplaner.csv" \
		>bad/betalingsplaner.csv &&
	postings b $D1 bad/betalingsplaner.csv &&
	vouchers b $D1 2>err; test $? -eq 65 &&
	grep -q "betalingsplaner.csv:2.*column .net." err &&
	test ! -e b/out/$D1/vouchers
'

test_expect_success 'a bad from line names vouchers.conf and its line (exit 64)' '
	mkdir -p badconf && cp conf/*.conf badconf/ &&
	printf "%s\n" "rule r betalingsplaner plan-match" "  from breaks" >>badconf/vouchers.conf &&
	stage-vouchers --date $D1 --conf "$TRASH/badconf/pipeline.conf" --state "$TRASH/u/state" \
		--out "$TRASH/u/out" 2>err; test $? -eq 64 &&
	grep -q "vouchers.conf:[0-9]*: usage: from exceptions|postings" err
'

test_expect_success 'the archive seals the postings with the night' '
	mkdir -p n/out/2025-06-20/postings &&
	cp "$P/mellemkommunal-refusion.csv" n/out/2025-06-20/postings/ &&
	sp_night n 2025-06-20 "$SP/night1/drops" &&
	tar tzf n/archive/2025-06-20.tar.gz >members &&
	grep -qx "postings/mellemkommunal-refusion.csv" members &&
	mkdir xa && tar xzf n/archive/2025-06-20.tar.gz -C xa postings/mellemkommunal-refusion.csv &&
	cmp xa/postings/mellemkommunal-refusion.csv "$P/mellemkommunal-refusion.csv" &&
	grep -q "^member [0-9a-f]* [0-9]* 1 postings/mellemkommunal-refusion.csv$" n/archive/2025-06-20.manifest
'

test_done
