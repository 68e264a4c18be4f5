#!/bin/sh
# A drop corrected and corrected back on one night (A, B, A; A, B, A, B)
# leaves the outputs a run on the last bytes gives, byte for byte, and a
# night that seals (exit 0): a file is superseded only by another version
# a later night landed, never by a version of its own night (before, the
# chain of 'replaces' said A was replaced by B: A was not loaded again, B's
# figures stayed, and archive failed with 70 on every rerun). Over nights
# (A, then B, then A) the third night lands A again as a correction back
# (before: "landed on an earlier night", and B's figures stayed).
. "$(dirname "$0")/lib.sh"
C="$TOP/conf/pipeline.conf"
N=2021-02-05
KY=ky/KY_SumFinans_29757895_20210205.csv
B_LINE='s/60\.000\.000,00/60.001.000,00/'

# run NAME DATE [rerun fetch]: a night (or its rerun) on NAME-d
run() {
	rn=$1 rd=$2
	shift 2
	PIPELINE_ARCHIVE_DIR="$TRASH/$rn/archive" pipeline "${@:-run}" --quiet --date $rd \
		--conf "$C" --drops "$rn-d" --state "$rn/state" --out "$rn/out"
}
rerun() {
	PIPELINE_ARCHIVE_DIR="$TRASH/$1/archive" pipeline rerun fetch --quiet --date $2 \
		--conf "$C" --drops "$1-d" --state "$1/state" --out "$1/out"
}
# as NAME A|B: the drop's bytes
as() {
	cp "$TOP/fixtures/guide-finans/drops/$KY" "$1-d/$KY" &&
	if test "$2" = B; then sed -i "17$B_LINE" "$1-d/$KY"; fi
}
setup() {
	rm -rf "$1-d" && cp -r "$TOP/fixtures/guide-finans/drops" "$1-d"
}
# same_out NAME FRESH DATE: the night's outputs are the fresh run's bytes
# (the status's archive line names the seal, .rN on a rerun: left out; so
# is its fetch line with a 4th argument: a night that ends on a correction
# says so however often it ran)
same_out() {
	diff -r -x status "$2/out/$3" "$1/out/$3" &&
	grep -v -e "^archive;" ${4:+-e "^fetch;"} "$2/out/$3/status" >s.fresh &&
	grep -v -e "^archive;" ${4:+-e "^fetch;"} "$1/out/$3/status" >s.this &&
	test_cmp s.fresh s.this
}

test_expect_success 'fresh runs on A and on B' '
	setup fa && run fa $N &&
	setup fb && as fb B && run fb $N &&
	grep -q "60001000,00" fb/out/$N/summary/ky-finans.csv &&
	! grep -q "60001000,00" fa/out/$N/summary/ky-finans.csv
'

test_expect_success 'A, B, A on one night: the outputs of a fresh run on A, exit 0' '
	setup aba && run aba $N && as aba B && rerun aba $N && as aba A &&
	rerun aba $N 2>err; rc=$?; cat err; test $rc -eq 0 &&
	! grep -q "later night" err &&
	same_out aba fa $N &&
	rerun aba $N && same_out aba fa $N
'

test_expect_success 'A, B, A, B on one night: the outputs of a fresh run on B' '
	setup abab && run abab $N && as abab B && rerun abab $N && as abab A &&
	rerun abab $N && as abab B && rerun abab $N && same_out abab fb $N fetch &&
	grep -q "^fetch;done;0;.*;corrected landing/$N/$KY@" abab/out/$N/status
'

test_expect_success 'A on night 1, B on night 2, A on night 3: night 3 reads A again, and so do reruns' '
	setup fn && run fn 2021-02-05 && run fn 2021-02-06 && run fn 2021-02-07 &&
	setup n3 && run n3 2021-02-05 && as n3 B && run n3 2021-02-06 &&
	grep -q "60001000,00" n3/out/2021-02-06/summary/ky-finans.csv &&
	as n3 A && run n3 2021-02-07 2>err; rc=$?; cat err; test $rc -eq 0 &&
	grep -q "^fetch;done;0;.*;corrected landing/2021-02-05/$KY (replaces [0-9a-f]*)" \
		n3/out/2021-02-07/status &&
	for f in summary/ky-finans.csv exceptions/ky-finans.csv inputs/ky-finans.csv; do
		test_cmp fn/out/2021-02-07/$f n3/out/2021-02-07/$f || return 1
	done &&
	cp -r n3/out/2021-02-07 n3-first &&
	rerun n3 2021-02-07 && diff -r -x status n3-first n3/out/2021-02-07 &&
	as n3 B && rerun n3 2021-02-06 2>err; rc=$?; cat err; test $rc -eq 0 &&
	grep -q "^normalise;done;0;.*;1 file(s) superseded by a later correction$" \
		n3/out/2021-02-06/status &&
	test_cmp fn/out/2021-02-06/summary/ky-finans.csv n3/out/2021-02-06/summary/ky-finans.csv
'

test_done
