#!/bin/sh
# kill -9 at a random moment of normalise, then run again: the night's
# outputs are byte-identical to an uninterrupted run, and in between the
# status says the stage did not finish.
. "$(dirname "$0")/lib.sh"

gen() {
	python3 "$TOP/tests/bench/gen-eindkomst.py" --persons 40000 --breaks 7 --seed 11 "$1" >/dev/null
}
runit() {
	pipeline run --quiet --date 2021-02-05 --conf "$TOP/conf/pipeline.conf" \
		--drops drops --state "$1/state" --out "$1/out"
}

test_expect_success 'an uninterrupted night of 120 000 rows finds the 7 injected breaks' '
	gen drops && runit ref &&
	cut -d";" -f6 ref/out/2021-02-05/exceptions/ky-eindkomst.csv | grep -v "^$" |
		tail -n +2 | sort >found &&
	test_cmp expected-breaks.txt found
'

for delay in 0.05 0.15 0.3; do
	test_expect_success "normalise killed after ${delay}s: status says so, a rerun gives the same bytes" '
		rm -rf k && runit k &&
		{ stage-normalise --quiet --date 2021-02-05 --conf "$TOP/conf/pipeline.conf" \
			--state k/state --out k/out & } && pid=$! &&
		sleep '"$delay"' && { kill -9 $pid 2>/dev/null; wait $pid; echo $? >>exits; } &&
		{ pipeline status --date 2021-02-05 --conf "$TOP/conf/pipeline.conf" \
			--state k/state >st; rc=$?; } &&
		{ grep -q "normalise *done" st && test $rc -eq 0 ||
		  { grep -q "normalise *failed" st && test $rc -eq 2; }; } &&
		runit k && diff -r ref/out k/out
	'
done

test_expect_success 'at least one of those kills landed half-way' '
	grep -q 137 exits
'

test_done
