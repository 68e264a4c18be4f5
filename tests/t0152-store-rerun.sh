#!/bin/sh
# The store tells the truth across nights and reruns (issue: the store never
# corrupts itself): a corrected drop on a later night, then reruns, give what
# a fresh state gives, the vouchers change exactly once, and a rerun of a
# night gives the bytes of its first run (the archive is not sealed again).
. "$(dirname "$0")/lib.sh"
C="$TOP/conf/pipeline.conf"
two_nights() {	# NAME: night 1 on the guide's drops, night 2 with the correction
	cp -r "$TOP/fixtures/guide-skat-afregning/drops" "$1-d1" &&
	cp -r "$1-d1" "$1-d2" &&
	cp "$TOP/fixtures/skattekonto-rettet/drops/eindkomst/"* "$1-d2/eindkomst/" &&
	PIPELINE_ARCHIVE_DIR="$TRASH/$1/archive" pipeline run --quiet --date 2021-02-10 \
		--conf "$C" --drops "$1-d1" --state "$1/state" --out "$1/out" &&
	PIPELINE_ARCHIVE_DIR="$TRASH/$1/archive" pipeline run --quiet --date 2021-02-12 \
		--conf "$C" --drops "$1-d2" --state "$1/state" --out "$1/out"
}
rerun() {	# NAME ARGS...: the second night again
	n=$1; shift
	PIPELINE_ARCHIVE_DIR="$TRASH/$n/archive" pipeline "$@" --quiet --date 2021-02-12 \
		--conf "$C" --drops "$n-d2" --state "$n/state" --out "$n/out"
}
coverage_keys() {	# STATE: the coverage keys, one a line
	mdb_dump -p -s coverage "$1/store" | sed -n "/^HEADER=END/,/^DATA=END/p" |
		sed -n "2~2p" | grep -v "^DATA=END"
}

test_expect_success 'two nights with a corrected drop give what a fresh state gives' '
	two_nights tn &&
	PIPELINE_ARCHIVE_DIR="$TRASH/fresh/archive" pipeline run --quiet --date 2021-02-12 \
		--conf "$C" --drops tn-d2 --state fresh/state --out fresh/out &&
	test_cmp fresh/out/2021-02-12/summary/skat-afregning.csv \
		tn/out/2021-02-12/summary/skat-afregning.csv &&
	grep -q "^skat-afregning;29757895;2021-02;SKATTEKONTO;-130,00;0,00;-130,00;-130,00;0,00;EXPLAINED$" \
		tn/out/2021-02-12/summary/skat-afregning.csv &&
	! grep -q ";2021-01;SKATTEKONTO;" tn/out/2021-02-12/summary/skat-afregning.csv
'

test_expect_success 'the corrected interest reverses the 126,03 voucher and issues 130,00' '
	v=tn/out/2021-02-12/vouchers/vouchers.csv &&
	cut -d";" -f3,11-13 $v | tail -n +2 | sort >actual &&
	cat >expect <<-\EOT &&
	reversal;6.45.51;K;126,03
	reversal;8.52.59.111;D;126,03
	voucher;6.45.51;D;130,00
	voucher;8.52.59.111;K;130,00
	EOT
	test_cmp expect actual &&
	test "$(ls tn/out/2021-02-12/vouchers/*.xml | wc -l)" -eq 2
'

test_expect_success 'the old version of the corrected file leaves no rows and no coverage' '
	coverage_keys tn/state >keys &&
	test "$(grep -c "^ skat.skattekonto" keys)" -eq 2 &&
	coverage_keys fresh/state | sort >fk && sort keys >tk && test_cmp fk tk &&
	test "$(mdb_stat -s skat.skattekonto tn/state/store | sed -n "s/ *Entries: //p")" = \
	     "$(mdb_stat -s skat.skattekonto fresh/state/store | sed -n "s/ *Entries: //p")"
'

test_expect_success 'every coverage key names a store, after each rerun' '
	for i in 1 2; do
		rerun tn run && coverage_keys tn/state >keys &&
		! grep -v "^ \(eindkomst\.\|erp\.\|skat\.\|ky\.\)" keys || return 1
	done
'

test_expect_success 'a rerun of the night gives the bytes of its first run; not sealed again' '
	(cd tn && find out archive -type f | sort | xargs sha256sum) >before &&
	rerun tn run &&
	rerun tn rerun normalise &&
	rerun tn rerun match-skat-afregning &&
	(cd tn && find out archive -type f | sort | xargs sha256sum) >after &&
	test_cmp before after &&
	! ls tn/archive | grep -q "\.r2" &&
	grep -q "^fetch;done;0;7;1;0;.*;corrected landing/2021-02-12/eindkomst/EIK_Skattekonto_29757895_202102.csv (replaces 373828d1881d7368)$" \
		tn/out/2021-02-12/status
'

test_expect_success 'a rerun of the old night after a later correction keeps the correction' '
	two_nights old &&
	results() { (cd old/out/2021-02-12 && find summary exceptions vouchers -type f |
		     sort | xargs sha256sum); } &&
	results >before &&
	PIPELINE_ARCHIVE_DIR="$TRASH/old/archive" pipeline rerun normalise --date 2021-02-10 \
		--conf "$C" --drops old-d1 --state old/state --out old/out 2>err &&
	grep -q "EIK_Skattekonto_29757895_202102.csv: version 373828d1881d7368 was corrected on 2021-02-12, a later night (now [0-9a-f]\{16\}); not loaded again$" err &&
	grep -q "^normalise;done;0;.*;1 file(s) superseded by a later correction$" \
		old/out/2021-02-10/status &&
	grep -q ";2021-02;SKATTEKONTO;-130,00;" old/out/2021-02-10/summary/skat-afregning.csv &&
	cut -d";" -f3,11-13 old/out/2021-02-10/vouchers/vouchers.csv | grep -qx "voucher;6.45.51;D;126,03" &&
	rerun old rerun match-skat-afregning &&
	results >after && test_cmp before after
'

test_expect_success 'two runs of one night leave one coverage entry per file, SE and month' '
	night guide-skat-afregning once && coverage_keys once/state | sort >k1 &&
	night guide-skat-afregning once && coverage_keys once/state | sort >k2 &&
	test_cmp k1 k2 && test "$(sort -u k2 | wc -l)" -eq "$(wc -l <k2)"
'

test_expect_success 'a file that no input line reads any more loses its rows on the rerun' '
	night guide-skat-afregning gone >/dev/null 2>&1 &&
	coverage_keys gone/state | grep -q "^ skat.skattekonto" &&
	cp -r "$TOP/conf" gc && sed -i "s|^schemas .*|schemas $TOP/schemas|; /EIK_Skattekonto/d" \
		gc/pipeline.conf &&
	stage-normalise --quiet --date 2021-02-05 --conf gc/pipeline.conf --state gone/state \
		--out gone/out 2>err;
	grep -q "EIK_Skattekonto_29757895_202102.csv: no .input. in .* names this file" err &&
	! coverage_keys gone/state | grep -q "^ skat.skattekonto" &&
	test "$(mdb_stat -s skat.skattekonto gone/state/store | sed -n "s/ *Entries: //p")" = 0 &&
	pipeline check-store --quiet --conf gc/pipeline.conf --state gone/state
'

test_expect_success 'a stale temporary from a killed run is removed by the next run' '
	: >tn/out/2021-02-12/summary/skat-afregning.csv.tmp.Ab3dE9 &&
	: >tn/out/2021-02-12/report.html.tmp.x1Y2z3 &&
	: >tn/archive/2021-02-12.manifest.tmp.QwErTy &&
	rerun tn run &&
	test -z "$(find tn -name "*.tmp.??????")"
'

test_expect_success 'the map size is a setting: env, conf, and a bad value is refused' '
	PIPELINE_STORE_MAP_SIZE=256M PIPELINE_ARCHIVE_DIR="$TRASH/ms/archive" pipeline run --quiet \
		--date 2021-02-10 --conf "$C" --drops tn-d1 --state ms/state --out ms/out &&
	test "$(mdb_stat -e ms/state/store | sed -n "s/ *Map size: //p")" = 268435456 &&
	{ PIPELINE_STORE_MAP_SIZE=lots pipeline status --conf "$C" --state ms/state 2>err;
	  test $? -eq 70; } &&
	grep -q "PIPELINE_STORE_MAP_SIZE=.lots. is not a size" err &&
	cp -r "$TOP/conf" msc && sed -i "s|^schemas .*|schemas $TOP/schemas|" msc/pipeline.conf &&
	echo "store-map-size 512M" >>msc/pipeline.conf &&
	PIPELINE_ARCHIVE_DIR="$TRASH/ms2/archive" env -u PIPELINE_STORE_MAP_SIZE pipeline run --quiet \
		--date 2021-02-10 --conf msc/pipeline.conf --drops tn-d1 --state ms2/state --out ms2/out &&
	test "$(mdb_stat -e ms2/state/store | sed -n "s/ *Map size: //p")" = 536870912 &&
	echo "store-map-size 12Q" >>msc/pipeline.conf &&
	{ env -u PIPELINE_STORE_MAP_SIZE pipeline status --conf msc/pipeline.conf \
		--state ms2/state 2>err; test $? -eq 64; } &&
	grep -q "pipeline.conf:[0-9]*: usage: store-map-size SIZE" err
'

test_done
