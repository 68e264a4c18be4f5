#!/bin/sh
# Many municipalities on one machine: each made by ops/new-municipality in
# the documented layout (ROOT/SE/pipeline.conf; its own state, out, drops
# and archive under DATA/SE/), each night one command, and `pipeline
# overview` gathering every municipality's night into one page and one CSV:
# its state, exit, failed stages, missing inputs (named), BREAK rows, open
# exceptions and rejected rows; exit 0/1/2 by the worst; reading only.
. "$(dirname "$0")/lib.sh"
unset PIPELINE_ARCHIVE_DIR
D=2021-02-05
CSVHEAD="municipality;night;state;exit;stages;failed_stages;missing;missing_inputs;breaks;exceptions;rejected;report"

# A port nothing listens on (for a source that cannot be reached: 69).
CLOSED=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# muni SE FIXTURE: a municipality and its drops (FIXTURE "-": none)
muni() {
	"$TOP/ops/new-municipality" $1 --data "$TRASH/data" --root "$TRASH/m" >/dev/null &&
	mkdir -p data/$1 &&
	if [ "$2" != - ]; then cp -r "$TOP/fixtures/$2/drops" data/$1/drops; fi
}
# night SE: its night, the one command of README ("Many municipalities")
night_of() {
	pipeline run --quiet --date $D --conf m/$1/pipeline.conf
}
# row SE: the municipality's line of the overview's CSV
row() {
	grep "^$1;" ov/overview-$D.csv
}

test_expect_success 'a municipality is its own partition: conf, state, out, archive' '
	muni 10000001 guide-eindkomst &&
	test -f m/10000001/pipeline.conf &&
	grep -q "^state  *$TRASH/data/10000001/state" m/10000001/pipeline.conf &&
	grep -q "^out  *$TRASH/data/10000001/out" m/10000001/pipeline.conf &&
	grep -q "^drops  *$TRASH/data/10000001/drops" m/10000001/pipeline.conf &&
	grep -q "^defaults  *$TOP/conf$" m/10000001/pipeline.conf &&
	! grep -q "se=29757895" m/10000001/pipeline.conf &&
	{ "$TOP/ops/new-municipality" 10000001 --data data --root m 2>err; test $? -eq 1; } &&
	grep -q "exists; left as it is" err &&
	{ "$TOP/ops/new-municipality" 1234 --root m 2>err; test $? -eq 64; } &&
	night_of 10000001 &&
	test -f data/10000001/out/$D/report.html &&
	test -f data/10000001/state/archive/$D.tar.gz &&
	test "$(stat -c %a data/10000001/state/store)" = 700 -o "$(stat -c %a data/10000001/state/store/data.mdb)" = 600
'

test_expect_success 'one municipality, night done: overview exit 0, one line, its report' '
	pipeline overview --date $D --root m --out ov >out &&
	test "$(sed -n 1p ov/overview-$D.csv)" = "$(printf "\357\273\277")$CSVHEAD" &&
	test $(wc -l <ov/overview-$D.csv) = 2 &&
	test "$(row 10000001)" = "10000001;$D;done;0;17/17;;0;;0;0;0;$TRASH/data/10000001/out/$D/report.html" &&
	grep -q "^10000001  *$D done  *0  *17/17 " out &&
	grep -q "overview of 1 municipality: ov/overview-$D.html and .csv" out &&
	test "$(stat -c %a ov/overview-$D.csv)" = 640 && test "$(stat -c %a ov/overview-$D.html)" = 640
'

# 10000002 breaks (the drill-down night), 10000003 an input that did not
# arrive (SKAT's Sumoplysninger: ky-eindkomst's rows are MANGLER, exit 66), 10000004 a bundle that cannot be used (65),
# 10000005 its source unreachable (69: fetch failed), 10000006 never run,
# 10000007 rejected rows.
test_expect_success 'seven municipalities, each night by its one command' '
	muni 10000002 eindkomst-drilldown && night_of 10000002 &&
	muni 10000003 guide-eindkomst &&
	rm data/10000003/drops/eindkomst/EIK_Sumoplysninger_29757895_202102.csv* &&
	{ night_of 10000003; test $? -eq 66; } &&
	grep -q "^ky-eindkomst;29757895;2021-02;0014;.*;MANGLER$" data/10000003/out/$D/summary/ky-eindkomst.csv &&
	muni 10000004 guide-eindkomst &&
	head -c 3000 /dev/urandom >data/10000004/drops/ky/KY_Bundle_20210205.zip &&
	: >data/10000004/drops/ky/KY_Bundle_20210205.zip.done &&
	{ night_of 10000004 2>/dev/null; test $? -eq 65; } &&
	muni 10000005 guide-eindkomst &&
	printf "retries 1\ntimeout 2\nbackoff 1\nsource ky sftp\n  host 127.0.0.1\n  port %s\n  user recon\n  key id_none\n  known-hosts kh_none\n  dir /out/ky\n  into ky\n" \
		$CLOSED >m/10000005/sources.conf &&
	{ night_of 10000005 2>/dev/null; test $? -eq 69; } &&
	muni 10000006 - &&
	muni 10000007 eindkomst-badrows && { night_of 10000007 2>/dev/null; test $? -eq 65; }
'

test_expect_success 'the overview: every municipality, its state, missing inputs named, breaks, exceptions, rejected' '
	{ pipeline overview --date $D --root m --out ov >out; test $? -eq 2; } &&
	cat ov/overview-$D.csv &&
	test $(wc -l <ov/overview-$D.csv) = 8 &&
	test "$(cut -d";" -f1 ov/overview-$D.csv | sed 1d | tr "\n" " ")" = "10000001 10000002 10000003 10000004 10000005 10000006 10000007 " &&
	test "$(row 10000002)" = "10000002;$D;done;0;17/17;;0;;3;5;0;$TRASH/data/10000002/out/$D/report.html" &&
	row 10000003 | grep -q "^10000003;$D;done;66;17/17;;9;ky-eindkomst 29757895 2021-02 0013: MANGLER, .*, ky-eindkomst 29757895 2021-02 TOTAL: MANGLER;0;0;0;$TRASH/data/10000003/out/$D/report.html" &&
	row 10000004 | grep -q "^10000004;$D;done;65;17/17;;0;;0;0;" &&
	row 10000005 | grep -q "^10000005;$D;failed;69;16/17;fetch(69);" &&
	test "$(row 10000006)" = "10000006;$D;not run;;0/0;;0;;0;0;0;" &&
	row 10000007 | grep -q "^10000007;$D;done;65;17/17;;0;;[0-9]*;[0-9]*;[1-9][0-9]*;" &&
	test "$(grep -c "^1000000[1-7] " out)" = 7 &&
	h=ov/overview-$D.html &&
	test "$(grep -o "<tr><td>1000000[1-7]</td>" $h | wc -l)" = 7 &&
	grep -q "<td>10000005</td><td class=\"st st-failed\">failed</td>" $h &&
	grep -q "MANGLER" $h &&
	! grep -q "<script\|http://\|https://" $h
'

test_expect_success 'no CPR number on the page or in the CSV; the same night gives the same bytes' '
	grep -qE "(^|;)[0-3][0-9][01][0-9][0-9]{2}-?[0-9]{4}(;|$)" data/10000002/out/$D/exceptions/ky-eindkomst.csv &&
	! sed "s/$D//g; s/1000000[1-7]//g" ov/overview-$D.csv | grep -qE "[0-9]{6}-?[0-9]{4}" &&
	! sed "s/$D//g; s/1000000[1-7]//g" ov/overview-$D.html | grep -qE "[0-9]{6}-?[0-9]{4}" &&
	cp ov/overview-$D.csv a.csv && cp ov/overview-$D.html a.html &&
	{ pipeline overview --date $D --root m --out ov --quiet >q; test $? -eq 2; } &&
	! test -s q && cmp a.csv ov/overview-$D.csv && cmp a.html ov/overview-$D.html
'

test_expect_success 'exit 1 when the worst is a missing input or a night not run; reads only' '
	mkdir ok1 && cp -r m/10000001 m/10000003 ok1/ &&
	{ pipeline overview --date $D --root ok1 --out o1 --quiet; test $? -eq 1; } &&
	mkdir ok2 && cp -r m/10000001 m/10000006 ok2/ &&
	{ pipeline overview --date $D --root ok2 --out o2 --quiet; test $? -eq 1; } &&
	! test -e data/10000006/state && ! test -e data/10000006/out &&
	mkdir ok0 && cp -r m/10000001 m/10000002 ok0/ &&
	pipeline overview --date $D --root ok0 --out o0 --quiet &&
	{ pipeline overview --root ok0 2>err; test $? -eq 64; } &&
	{ pipeline overview --date $D --root nowhere --out o3 2>err; test $? -eq 64; } && grep -q "nowhere: No such file or directory" err && ! test -e o3
'

test_done
