#!/bin/sh
# The matchers regroup rows in bounded memory (issue 17): match-nemkonto
# walks postings and payments by SE and recipient through the store's
# sorter, which spills sorted runs to a temporary file once its buffer
# is full. With a 4 KiB buffer (PIPELINE_SORT_BUFFER) every night below
# spills many runs, and each output must be the same bytes as with the
# default buffer: the guide's Figur 27/28 (recipients that begin each
# other's CPR: Prisme's 0101, 06058) and a generated night.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib-recon.sh"

# again DROPS NAME DATE: match-nemkonto alone, again, with a 4 KiB sort buffer;
# its outputs first kept in NAME/before
again() {
	mkdir -p "$2/before" &&
	for f in summary exceptions inputs; do
		cp "$2/out/$3/$f/nemkonto.csv" "$2/before/$f.csv" || return 1
	done &&
	PIPELINE_SORT_BUFFER=4K "$TOP/bin/stage-match-nemkonto" --quiet --date "$3" \
		--conf "$TOP/conf/pipeline.conf" --drops "$1" --state "$TRASH/$2/state" \
		--out "$TRASH/$2/out" &&
	for f in summary exceptions inputs; do
		test_cmp "$2/before/$f.csv" "$2/out/$3/$f/nemkonto.csv" || return 1
	done
}

test_expect_success 'Figur 27/28 through a spilling sort: the golden files, byte for byte' '
	run "$TOP/fixtures/guide-nemkonto/drops" g 2021-11-15 &&
	again "$TOP/fixtures/guide-nemkonto/drops" g 2021-11-15 &&
	test_cmp "$TOP/tests/golden/guide-nemkonto/summary.csv" g/out/2021-11-15/summary/nemkonto.csv &&
	test_cmp "$TOP/tests/golden/guide-nemkonto/exceptions.csv" g/out/2021-11-15/exceptions/nemkonto.csv
'

test_expect_success 'a generated night through a spilling sort: the same bytes' '
	python3 "$TOP/tests/bench/gen-night.py" --rows 20000 --seed 5 n >/dev/null &&
	run "$TRASH/n/drops" n 2021-08-31 &&
	test $(wc -l <n/out/2021-08-31/summary/nemkonto.csv) -gt 1000 &&
	again "$TRASH/n/drops" n 2021-08-31 &&
	found=$(breaks n/out/2021-08-31/exceptions/nemkonto.csv | cut -d";" -f1 | sort -u | tr "\n" " ") &&
	test -n "$found"
'

test_done
