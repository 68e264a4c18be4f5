#!/bin/sh
# What an operator relies on: status, rerun, the lock, permissions, logs.
. "$(dirname "$0")/lib.sh"
D=out/2021-02-05

test_expect_success 'status says done (exit 0) after a night' '
	night guide-eindkomst n &&
	pipeline status --conf "$TOP/conf/pipeline.conf" --state n/state >st &&
	grep -q "^2021-02-05  match-ky-eindkomst *done" st
'

test_expect_success 'a stage run alone makes the later ones stale (exit 1)' '
	stage-normalise --quiet --date 2021-02-05 --conf "$TOP/conf/pipeline.conf" \
		--state n/state --out n/out &&
	{ pipeline status --conf "$TOP/conf/pipeline.conf" --state n/state >st; test $? -eq 1; } &&
	grep -q "match-ky-eindkomst *stale" st
'

test_expect_success 'rerun --dry-run lists the stage and what depends on it' '
	pipeline rerun normalise --dry-run --date 2021-02-05 --conf "$TOP/conf/pipeline.conf" \
		--state n/state >dry &&
	grep -q "^would redo normalise for 2021-02-05: asked for" dry &&
	grep -q "^would redo match-ky-eindkomst for 2021-02-05: runs after" dry &&
	! grep -q "would redo fetch" dry
'

test_expect_success 'rerun --dry-run says whether the inputs changed, and which' '
	night guide-eindkomst dr &&
	pipeline rerun match-ky-eindkomst --dry-run --date 2021-02-05 \
		--conf "$TOP/conf/pipeline.conf" --state dr/state >dry &&
	grep -q "^  inputs unchanged since the last run" dry &&
	stage-fetch --quiet --date 2021-02-05 --conf "$TOP/conf/pipeline.conf" \
		--drops "$TOP/fixtures/eindkomst-drilldown/drops" --state dr/state --out dr/out &&
	stage-normalise --quiet --date 2021-02-05 --conf "$TOP/conf/pipeline.conf" \
		--state dr/state --out dr/out &&
	pipeline rerun match-ky-eindkomst --dry-run --date 2021-02-05 \
		--conf "$TOP/conf/pipeline.conf" --state dr/state >dry &&
	grep -q "^  inputs changed: the output of normalise is not what it read" dry &&
	! grep -q "configuration changed" dry &&
	cp -r "$TOP/conf" dr-conf && echo "# an operator edit" >>dr-conf/accounts.conf &&
	sed -i "s|^schemas .*|schemas $TOP/schemas|" dr-conf/pipeline.conf &&
	pipeline rerun match-ky-eindkomst --dry-run --date 2021-02-05 \
		--conf dr-conf/pipeline.conf --state dr/state >dry &&
	grep -q "^  configuration changed" dry
'

test_expect_success 'rerun redoes only that stage and the later ones; status done again' '
	pipeline status --conf "$TOP/conf/pipeline.conf" --state n/state | grep "fetch" >before &&
	(cd n/out && sha256sum 2021-02-05/summary/* 2021-02-05/exceptions/*) >sum1 &&
	pipeline rerun normalise --quiet --date 2021-02-05 --conf "$TOP/conf/pipeline.conf" \
		--drops "$TOP/fixtures/guide-eindkomst/drops" --state n/state --out n/out &&
	pipeline status --conf "$TOP/conf/pipeline.conf" --state n/state >st &&
	grep "fetch" st >after && test_cmp before after &&
	(cd n/out && sha256sum 2021-02-05/summary/* 2021-02-05/exceptions/*) >sum2 &&
	test_cmp sum1 sum2
'

test_expect_success 'a second run while the state is locked refuses with exit 75' '
	mkdir -p lk/state && : >lk/state/lock &&
	flock lk/state/lock sleep 3 & sleep 0.5 &&
	{ night guide-eindkomst lk 2>err; test $? -eq 75; } &&
	grep -q "locked by another run" err && wait
'

test_expect_success '--wait waits for the lock and then runs' '
	flock lk/state/lock sleep 1 & sleep 0.3 &&
	night guide-eindkomst lk --wait && wait &&
	test -s lk/$D/summary/ky-eindkomst.csv
'

test_expect_success 'outputs and state are not readable by others' '
	test "$(stat -c %a n/$D/summary/ky-eindkomst.csv)" = 640 &&
	test "$(stat -c %a n/state/store/data.mdb)" = 600 &&
	test "$(stat -c %a n/$D)" = 750
'

test_expect_success 'no CPR number in the log, even verbose and with rejected rows' '
	{ night eindkomst-badrows v --verbose 2>log; test $? -eq 65; } &&
	! grep -E "[0-3][0-9][01][0-9][0-9]{2}-?[0-9]{4}" log
'

test_expect_success 'unknown options and missing dates are usage errors (64)' '
	{ pipeline run --bogus 2>/dev/null; test $? -eq 64; } &&
	{ pipeline run 2>/dev/null; test $? -eq 64; } &&
	{ stage-normalise --date 2021-02-30 2>/dev/null; test $? -eq 64; } &&
	pipeline --help | grep -q "usage: pipeline run"
'

test_expect_success 'a corrected file replaces the earlier one; the change is recorded' '
	cp -r "$TOP/fixtures/guide-eindkomst/drops" cd-drops &&
	pipeline run --quiet --date 2021-02-05 --conf "$TOP/conf/pipeline.conf" --drops cd-drops \
		--state cd/state --out cd/out &&
	f=cd-drops/eindkomst/EIK_Sumoplysninger_29757895_202102.csv &&
	sed -i "s/308.160,00/308.260,00/" $f &&
	pipeline run --date 2021-02-05 --conf "$TOP/conf/pipeline.conf" --drops cd-drops \
		--state cd/state --out cd/out 2>log &&
	grep -q "corrected file replaces version" log &&
	ls cd/state/landing/2021-02-05/eindkomst | grep -q "@" &&
	grep -q ";0015;319999,00;308260,00;" cd/out/2021-02-05/summary/ky-eindkomst.csv
'

test_expect_success 'a marker without its file is reported (exit 65), the rest goes on' '
	cp -r "$TOP/fixtures/guide-eindkomst/drops" om-drops && : >om-drops/ky/KY_Gone_1.csv.done &&
	{ pipeline run --date 2021-02-05 --conf "$TOP/conf/pipeline.conf" --drops om-drops \
		--state om/state --out om/out 2>err; test $? -eq 65; } &&
	grep -q "marker without its file" err &&
	test -s om/out/2021-02-05/summary/ky-eindkomst.csv
'

test_done
