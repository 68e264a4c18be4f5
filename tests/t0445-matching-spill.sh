#!/bin/sh
# The matchers regroup rows in bounded memory (issue 17): match-nemkonto
# walks postings and payments by SE and recipient, match-faktura its
# invoices and postings by SE and amount, match-debitor the accepted
# claims and restance debits by SE and amount, through the store's sorter,
# which spills sorted runs to a temporary file once its buffer is full.
# With a 4 KiB buffer (PIPELINE_SORT_BUFFER) every night below spills many
# runs, and each output must be the same bytes as with the default buffer:
# the guide's Figur 27/28 (recipients that begin each other's CPR: Prisme's
# 0101, 06058), the faktura example and a generated night. The recon
# writer (match/recon.h) sorts every matcher's summary rows and exceptions
# through the same sorter and spools them to STATE: with the small buffer
# each recon's files, decisions among them, are the same bytes too.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib-recon.sh"

# again RECON DROPS NAME DATE: match-RECON alone, again, with a 4 KiB sort
# buffer (exit 0, or 66 when a row is MANGLER); its outputs first kept in
# NAME/before
again() {
	mkdir -p "$3/before" &&
	for f in summary exceptions inputs; do
		cp "$3/out/$4/$f/$1.csv" "$3/before/$f-$1.csv" || return 1
	done &&
	{
		PIPELINE_SORT_BUFFER=4K "$TOP/bin/stage-match-$1" --quiet --date "$4" \
			--conf "$TOP/conf/pipeline.conf" --drops "$2" --state "$TRASH/$3/state" \
			--out "$TRASH/$3/out"
		rc=$? && test $rc = 0 || test $rc = 66
	} &&
	for f in summary exceptions inputs; do
		test_cmp "$3/before/$f-$1.csv" "$3/out/$4/$f/$1.csv" || return 1
	done
}

test_expect_success 'Figur 27/28 through a spilling sort: the golden files, byte for byte' '
	run "$TOP/fixtures/guide-nemkonto/drops" g 2021-11-15 &&
	again nemkonto "$TOP/fixtures/guide-nemkonto/drops" g 2021-11-15 &&
	test_cmp "$TOP/tests/golden/guide-nemkonto/summary.csv" g/out/2021-11-15/summary/nemkonto.csv &&
	test_cmp "$TOP/tests/golden/guide-nemkonto/exceptions.csv" g/out/2021-11-15/exceptions/nemkonto.csv
'

test_expect_success 'the faktura example through a spilling sort: the golden files' '
	run "$TOP/fixtures/faktura-example/drops" x 2021-11-30 &&
	again faktura "$TOP/fixtures/faktura-example/drops" x 2021-11-30 &&
	test_cmp "$TOP/tests/golden/faktura-example/summary.csv" x/out/2021-11-30/summary/faktura.csv &&
	test_cmp "$TOP/tests/golden/faktura-example/exceptions.csv" x/out/2021-11-30/exceptions/faktura.csv
'

test_expect_success 'the debitor guide nights through a spilling sort: the golden files' '
	for n in 2021-06-30 2021-08-31; do
		run "$TOP/fixtures/guide-debitor/drops" d$n $n &&
		again debitor "$TOP/fixtures/guide-debitor/drops" d$n $n &&
		test_cmp "$TOP/tests/golden/guide-debitor/summary-$n.csv" \
			d$n/out/$n/summary/debitor.csv &&
		test_cmp "$TOP/tests/golden/guide-debitor/exceptions-$n.csv" \
			d$n/out/$n/exceptions/debitor.csv || return 1
	done
'

test_expect_success 'a generated night through a spilling sort: the same bytes' '
	python3 "$TOP/tests/bench/gen-night.py" --rows 20000 --seed 5 n >/dev/null &&
	run "$TRASH/n/drops" n 2021-08-31 &&
	test $(wc -l <n/out/2021-08-31/summary/nemkonto.csv) -gt 1000 &&
	test $(grep -c ";GODKENDT;" n/out/2021-08-31/summary/faktura.csv) -ge 1 &&
	test $(wc -l <n/out/2021-08-31/exceptions/faktura.csv) -gt 1 &&
	again nemkonto "$TRASH/n/drops" n 2021-08-31 &&
	test $(grep -c ";KY->DEBITOR;" n/out/2021-08-31/summary/debitor.csv) -ge 1 &&
	again faktura "$TRASH/n/drops" n 2021-08-31 &&
	again debitor "$TRASH/n/drops" n 2021-08-31
'

test_expect_success 'every matcher of the generated night through a spilling writer: the same bytes' '
	test $(wc -l <n/out/2021-08-31/exceptions/ky-eindkomst.csv) -gt 2 &&
	for r in ky-eindkomst skat-afregning ky-finans ky-yr debitor; do
		rm -rf n/before && again $r "$TRASH/n/drops" n 2021-08-31 || return 1
	done
'

test_expect_success 'a decided break through a spilling writer: summary, decisions and history the same' '
	R=8c14e79da80a9a31 &&
	pipeline decide $R --as forklaret --note "rettet i KY" --by AB --conf "$TOP/conf/pipeline.conf" \
		--state g/state --out g/out >/dev/null &&
	"$TOP/bin/stage-match-nemkonto" --quiet --date 2021-11-15 --conf "$TOP/conf/pipeline.conf" \
		--drops "$TOP/fixtures/guide-nemkonto/drops" --state "$TRASH/g/state" --out "$TRASH/g/out" &&
	grep -q "^nemkonto;29757895;2021-09;11067;.*;EXPLAINED$" g/out/2021-11-15/summary/nemkonto.csv &&
	rm -rf g/before && mkdir -p g/before &&
	cp g/out/2021-11-15/decisions/nemkonto.csv g/before/decisions.csv &&
	cp g/out/2021-11-15/decision-history/nemkonto.csv g/before/history.csv &&
	again nemkonto "$TOP/fixtures/guide-nemkonto/drops" g 2021-11-15 &&
	test_cmp g/before/decisions.csv g/out/2021-11-15/decisions/nemkonto.csv &&
	test_cmp g/before/history.csv g/out/2021-11-15/decision-history/nemkonto.csv
'

test_done
