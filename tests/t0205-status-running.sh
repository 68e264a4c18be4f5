#!/bin/sh
# status tells a live run (running, exit 3) from a failed or killed stage
# (failed, exit 2), in `pipeline status` and in OUT/DATE/status.
. "$(dirname "$0")/lib.sh"
C="$TOP/conf/pipeline.conf"
D=out/2021-02-05

test_expect_success 'a stage that exits 65 before its result shows failed, not running' '
	cp -r "$TOP/fixtures/guide-finans/drops" odd &&
	sed -i "0,/;false;/s//;nej;/" odd/ky/KY_DetaljerFinansFejlede_29757895_20210205.csv &&
	{ night guide-finans o --drops odd 2>err; test $? -eq 65; } &&
	grep -q "^match-ky-finans;failed;65;.*;exit 65 before its result was recorded" o/$D/status &&
	! grep -q "running" o/$D/status &&
	{ pipeline status --conf "$C" --state o/state >st; test $? -eq 2; } &&
	grep -q "^2021-02-05  match-ky-finans *failed .*exit 65" st
'

test_expect_success 'a stage run alone that exits 65 also records failed' '
	{ stage-match-ky-finans --quiet --date 2021-02-05 --conf "$C" --state o/state \
		--out o/out 2>/dev/null; test $? -eq 65; } &&
	pipeline status --conf "$C" --state o/state >st;
	grep -q "^2021-02-05  match-ky-finans *failed " st
'

test_expect_success 'a live run shows running (exit 3); killed, it shows failed (exit 2)' '
	python3 "$TOP/tests/bench/gen-eindkomst.py" --persons 60000 --breaks 3 --seed 5 big >/dev/null &&
	setsid pipeline run --quiet --date 2021-02-05 --conf "$C" --drops big \
		--state live/state --out live/out >/dev/null 2>&1 &
	pid=$! && i=0 &&
	until pipeline status --conf "$C" --state live/state 2>/dev/null |
	      grep -q "normalise *running"; do
		i=$((i + 1)); test $i -lt 2000 || break; sleep 0.005
	done &&
	kill -STOP -$pid &&
	{ pipeline status --conf "$C" --state live/state >st; rc=$?; } &&
	kill -KILL -$pid && { wait $pid; true; } &&
	test $rc -eq 3 && grep -q "^2021-02-05  normalise *running" st &&
	grep -q "^2021-02-05  match-ky-eindkomst *not run" st &&
	grep -q "a run holds the lock" st &&
	{ pipeline status --conf "$C" --state live/state >st; test $? -eq 2; } &&
	grep -q "^2021-02-05  normalise *failed .*killed, or still running" st
'

test_expect_success 'the next run after a kill is done, and status exits 0' '
	pipeline run --quiet --date 2021-02-05 --conf "$C" --drops big \
		--state live/state --out live/out &&
	pipeline status --conf "$C" --state live/state --date 2021-02-05 >st &&
	! grep -q "failed\|running" st &&
	grep -q "^normalise;done;0;" live/$D/status
'

# strace kills the stage at its first rename (after it marked itself
# running) and then itself with the same signal, as the driver sees it.
test_expect_success 'a stage killed by a signal under the driver is recorded as killed' '
	night guide-eindkomst k >/dev/null 2>&1 &&
	mkdir -p kbin && for p in "$TOP"/bin/stage-*; do ln -s "$p" kbin/; done &&
	rm kbin/stage-report &&
	printf "#!/bin/sh\nexec strace -f -o /dev/null -e trace=rename,renameat,renameat2 -e inject=rename,renameat,renameat2:signal=KILL:when=1 %s \"\$@\"\n" \
		"$TOP/bin/stage-report" >kbin/stage-report && chmod +x kbin/stage-report &&
	{ PIPELINE_BINDIR="$TRASH/kbin" PIPELINE_ARCHIVE_DIR="$TRASH/k/archive" \
	  pipeline rerun report --date 2021-02-05 \
		--conf "$C" --state k/state --out k/out 2>err; test $? -eq 70; } &&
	grep -q "killed by signal 9" err &&
	grep -q "^report;failed;70;.*;killed by signal 9$" k/$D/status &&
	grep -q "^archive;done" k/$D/status &&
	{ pipeline status --conf "$C" --state k/state >st; test $? -eq 2; } &&
	grep -q "^2021-02-05  report *failed .*killed by signal 9" st &&
	grep -q "^2021-02-05  archive *stale" st
'

test_expect_success 'status on a state where nothing ran says so, exits 1, creates nothing' '
	{ pipeline status --conf "$C" --state never/state >st; test $? -eq 1; } &&
	grep -q "no store: no night has run" st && test ! -e never
'

test_done
