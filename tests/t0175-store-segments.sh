#!/bin/sh
# Loading a file writes its rows once, sorted, as a new segment appended
# after every row there is (pipeline/store/segment.h): a file larger than
# the sort buffer spills sorted runs and merges them, and the store and
# the outputs are the bytes of a load that fitted in memory; the spill
# file leaves no trace; a rerun reuses the segment it removed.
. "$(dirname "$0")/lib.sh"
C="$TOP/conf/pipeline.conf"

night() {	# NAME [ENV...]: the night of 12 000 generated rows into NAME
	n=$1; shift
	env "$@" pipeline run --quiet --date 2021-02-05 --conf "$C" --drops drops \
		--state "$n/state" --out "$n/out"
}
rows() {	# NAME: every row of the eIndkomst stores and the coverage, as mdb_dump shows them
	for db in eindkomst.ky_detail eindkomst.ky_sum eindkomst.skat_person coverage; do
		mdb_dump -p -s $db "$1/state/store" || return 1
	done
}

test_expect_success 'a night read with the default buffer (no spill)' '
	python3 "$TOP/tests/bench/gen-eindkomst.py" --persons 4000 --breaks 3 --seed 5 drops \
		>/dev/null &&
	night mem && rows mem >mem.rows && test -s mem.rows
'

test_expect_success 'the same night through a 4 KiB buffer: dozens of runs merged, the same store and outputs' '
	night spill PIPELINE_SORT_BUFFER=4K && rows spill >spill.rows &&
	test_cmp mem.rows spill.rows &&
	diff -r mem/out spill/out
'

test_expect_success 'a PIPELINE_SORT_BUFFER that is no size is reported, and the load goes on' '
	rm -rf bad && cp -r mem bad &&
	PIPELINE_SORT_BUFFER=lots stage-normalise --quiet --date 2021-02-05 --conf "$C" \
		--state bad/state --out bad/out 2>err &&
	grep -q "PIPELINE_SORT_BUFFER=.lots. is not a size of at least 4K" err &&
	rows bad >bad.rows && test_cmp mem.rows bad.rows
'

test_expect_success 'the spill file leaves nothing in the state directory' '
	find spill/state -maxdepth 1 -name ".sort-*" >left && test_cmp /dev/null left
'

test_expect_success 'every coverage value is COUNT SEGMENT (16 hex digits)' '
	mdb_dump -p -s coverage mem/state/store | sed -n "/^HEADER=END/,/^DATA=END/p" |
		sed -n "3~2p" | grep -v "^DATA=END" >values &&
	test -s values && ! grep -vE "^ [0-9]+ [0-9a-f]{16}$" values
'

test_expect_success 'a rerun of normalise removes each file'"'"'s segment and appends it again: the same store' '
	stage-normalise --quiet --date 2021-02-05 --conf "$C" --state mem/state --out mem/out &&
	rows mem >again.rows && test_cmp mem.rows again.rows
'

# A rerun killed at each commit (tests/crash/killpoint.so), then run again:
# a file being put back into its segment (below the top: no append) when
# the kill came goes back into it, not into a new one at the end.
KP="$TOP/${BUILD:-build/opt}/tests/killpoint.so"
# (make check SAN=1: ASan wants its runtime first; killpoint.so comes first)
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS
test_expect_success 'a rerun killed after any commit, run again, leaves the same store' '
	n=1 &&
	while :; do
		rm -rf kr && cp -r mem kr &&
		rc=$(LD_PRELOAD="$KP" KILLPOINT=after-commit:$n stage-normalise --quiet \
			--date 2021-02-05 --conf "$C" --state kr/state --out kr/out 2>/dev/null; echo $?) &&
		{ test $rc = 137 || break; } &&
		stage-normalise --quiet --date 2021-02-05 --conf "$C" --state kr/state --out kr/out &&
		rows kr >kr.rows && test_cmp mem.rows kr.rows || { echo "after commit $n"; return 1; }
		n=$((n + 1))
	done &&
	echo "$n commit points" && test $n -gt 5 && test $rc = 0
'

test_done
