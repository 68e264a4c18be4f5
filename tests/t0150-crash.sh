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

# Exact kill points (tests/crash/killpoint.so, LD_PRELOAD): kill a stage
# right before or after its N-th LMDB commit or rename().
KP="$TOP/${BUILD:-build/opt}/tests/killpoint.so"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS
S="$TOP/fixtures/crash-two-nights"
N1=2021-02-10
N2=2021-02-12

# two DIR NIGHT: a whole night of the crash scenario (1 or 2) into DIR;
# night 1 exits 65 (its one rejected row), night 2 0
two() {
	d=$(date -d "2021-02-$((8 + 2 * $2))" +%F) &&
	{ PIPELINE_ARCHIVE_DIR="$TRASH/$1/archive" pipeline run --quiet --date $d \
		--conf "$TOP/conf/pipeline.conf" --drops "$S/night$2/drops" \
		--state "$1/state" --out "$1/out" 2>/dev/null
	  test $? -eq $(($2 == 1 ? 65 : 0)); }
}

# killed DIR NIGHT STAGE POINT: the stage alone, killed at POINT; its exit
killed() {
	d=$(date -d "2021-02-$((8 + 2 * $2))" +%F)
	LD_PRELOAD="$KP" KILLPOINT=$4 PIPELINE_ARCHIVE_DIR="$TRASH/$1/archive" \
		stage-$3 --quiet --date $d --conf "$TOP/conf/pipeline.conf" \
		--drops "$S/night$2/drops" --state "$1/state" --out "$1/out" 2>/dev/null
	echo $?
}

stage2() {
	PIPELINE_ARCHIVE_DIR="$TRASH/$1/archive" stage-$2 --quiet --date $N2 \
		--conf "$TOP/conf/pipeline.conf" --drops "$S/night2/drops" \
		--state "$1/state" --out "$1/out"
}

dbs() {
	for db in skat.skattekonto coverage filecover names; do
		mdb_dump -p -s $db "$1/state/store" || return 1
	done
}

test_expect_success 'the crash scenario uninterrupted (the reference)' '
	two cref 1 && two cref 2 && dbs cref >ref.dbs &&
	grep -q "^normalise;done;0;16;16;0;" cref/out/$N2/status
'

# normalise shows a corrected file (one commit), then deletes the version it
# replaces. Killed in between, the old version's rows stayed for ever: the
# rerun found the name already pointing at the correction and never looked
# for them.
test_expect_success 'normalise killed after every commit of a correcting night: the rerun leaves the store as an uninterrupted run' '
	n=1 &&
	while :; do
		rm -rf ck && two ck 1 && stage2 ck fetch && stage2 ck unpack &&
		rc=$(killed ck 2 normalise after-commit:$n) &&
		{ test $rc = 137 || break; } &&
		two ck 2 && dbs ck >k.dbs && test_cmp ref.dbs k.dbs &&
		diff -r cref/out ck/out || { echo "after commit $n"; return 1; }
		n=$((n + 1))
	done &&
	echo "$n commit points" && test $n -gt 8 && test $rc = 0
'

# fetch writes STATE/landing/.partial/SOURCE/NAME.part.info (the remote
# size and mtime a resumed download must match) with atomic_write(): killed
# before its rename, the temporary NAME.part.info.tmp.XXXXXX stayed for ever.
test_expect_success 'fetch killed while writing a partial download'"'"'s info file: no temporary stays' '
	rm -rf f && test $(killed f 1 fetch before-rename:1) = 137 &&
	find f/state -name "*.tmp.*" >tmps && test -s tmps &&
	two f 1 && find f/state f/out -name "*.tmp.*" >tmps && test_cmp /dev/null tmps &&
	diff -r cref/out/$N1 f/out/$N1
'

test_done
