#!/bin/sh
# The archive: sealed nights, the seal chain, tamper detection, the
# auditors' commands on a year of nights, retention.
. "$(dirname "$0")/lib.sh"
C="$TOP/conf/pipeline.conf"
A="$TRASH/a"

# verify_fails ARCHIVE WORDS: verify exits 1 and names the broken link.
verify_fails() {
	dir=$1
	shift
	{ pipeline archive verify --conf "$C" --archive "$dir" >v.out; test $? -eq 1; } &&
	grep "FAILED" v.out && grep -q "$*" v.out
}

# A copy of the year's archive to tamper with (the originals are 0440).
tamper_copy() {
	rm -rf "$1" && cp -a y/archive "$1" && chmod -R u+w "$1"
}

test_expect_success 'a night is sealed: tar, manifest, chain; 0440 files in a 0750 dir' '
	PIPELINE_ARCHIVE_DIR="$A" pipeline run --quiet --date 2021-02-05 --conf "$C" \
		--drops "$TOP/fixtures/eindkomst-drilldown/drops" --state n/state --out n/out &&
	LC_ALL=C ls "$A" >files &&
	printf "%s\n" 2021-02-05.manifest 2021-02-05.sealed 2021-02-05.tar.gz README.txt chain >expect &&
	test_cmp expect files &&
	test "$(stat -c %a "$A")" = 750 &&
	test "$(stat -c %a "$A"/chain "$A"/2021-02-05.tar.gz "$A"/2021-02-05.manifest "$A"/2021-02-05.sealed | sort -u)" = 440 &&
	tar tzf "$A"/2021-02-05.tar.gz >members &&
	{ (cd n/out/2021-02-05 && find . -type f | sed "s|^\./||") && echo inputs.csv; } |
		LC_ALL=C sort >expect && test_cmp expect members &&
	grep -q "^vouchers/vouchers.csv$" members && grep -q "^report.html$" members
'

test_expect_success 'the manifest holds every member and the input files with SHA-256 and rows' '
	m="$A"/2021-02-05.manifest &&
	grep -q "^night 2021-02-05$" $m &&
	test "$(grep -c "^member " $m)" = "$(wc -l <members)" && test "$(grep -c "^input " $m)" = 5 &&
	mkdir x && tar xzf "$A"/2021-02-05.tar.gz -C x &&
	grep "^member .* exceptions/ky-eindkomst.csv$" $m | cut -d" " -f2 >want &&
	sha256sum <x/exceptions/ky-eindkomst.csv | cut -d" " -f1 >got && test_cmp want got &&
	grep -q "^member [0-9a-f]* [0-9]* 5 exceptions/ky-eindkomst.csv$" $m &&
	s=$(sha256sum <"$TOP/fixtures/eindkomst-drilldown/drops/ky/KY_SumEindkomst_29757895_20210205.csv" | cut -d" " -f1) &&
	grep -q "^input $s [0-9]* 25 ky/KY_SumEindkomst_29757895_20210205.csv$" $m &&
	grep -q "^match-ky-eindkomst;done;0;" x/status && grep -q "^report;done;" x/status
'

test_expect_success 'an auditor can check a night with sha256sum and tar alone (README.txt)' '
	set -- $(grep "^seal 1 " "$A"/chain) &&
	test "$(sha256sum <"$A"/2021-02-05.manifest | cut -d" " -f1)" = "$5" &&
	test "$(printf %s%s "$6" "$5" | sha256sum | cut -d" " -f1)" = "$7" &&
	test "$6" = 0000000000000000000000000000000000000000000000000000000000000000 &&
	test "$(sha256sum <"$A"/2021-02-05.tar.gz | cut -d" " -f1)" = \
		"$(grep "^archive " "$A"/2021-02-05.manifest | cut -d" " -f3)" &&
	grep -q "printf %s%s PREV MANIFEST_SHA256 | sha256sum" "$A"/README.txt
'

test_expect_success 'the same night again changes nothing; a fresh run gives the same bytes' '
	sha256sum "$A"/* >before &&
	PIPELINE_ARCHIVE_DIR="$A" pipeline run --quiet --date 2021-02-05 --conf "$C" \
		--drops "$TOP/fixtures/eindkomst-drilldown/drops" --state n/state --out n/out &&
	sha256sum "$A"/* >after && test_cmp before after &&
	PIPELINE_ARCHIVE_DIR="$TRASH/a2" pipeline run --quiet --date 2021-02-05 --conf "$C" \
		--drops "$TOP/fixtures/eindkomst-drilldown/drops" --state n2/state --out n2/out &&
	cmp "$A"/2021-02-05.tar.gz a2/2021-02-05.tar.gz && cmp "$A"/chain a2/chain &&
	cmp "$A"/2021-02-05.manifest a2/2021-02-05.manifest &&
	! grep -q "^sealed" "$A"/2021-02-05.manifest &&
	grep -q "^sealed 20[0-9-]*T[0-9:]*Z$" "$A"/2021-02-05.sealed &&
	test "$(stat -c %a "$A"/2021-02-05.sealed)" = 440 &&
	SOURCE_DATE_EPOCH=1612569600 PIPELINE_ARCHIVE_DIR="$TRASH/a5" pipeline run --quiet \
		--date 2021-02-05 --conf "$C" --drops "$TOP/fixtures/eindkomst-drilldown/drops" \
		--state n5/state --out n5/out &&
	test "$(cat a5/2021-02-05.sealed)" = "sealed 2021-02-06T00:00:00Z" && cmp a5/chain a2/chain &&
	cmp n5/out/2021-02-05/status n2/out/2021-02-05/status
'

test_expect_success 'changed outputs of a sealed night become revision r2, chained' '
	PIPELINE_ARCHIVE_DIR="$A" pipeline run --quiet --date 2021-02-05 --conf "$C" \
		--drops "$TOP/fixtures/guide-eindkomst/drops" --state n3/state --out n3/out &&
	test -f "$A"/2021-02-05.r2.tar.gz && test "$(grep -c "^seal " "$A"/chain)" = 2 &&
	pipeline archive verify --conf "$C" --archive "$A" &&
	pipeline archive list --conf "$C" --archive "$A" | grep -q "^2021-02-05  2021-02-05.r2 "
'

# A year of nights: the drill-down night's outputs copied to every day of
# 2021, reported (a stage ran: the night can be sealed) and sealed by
# stage-archive; 2021-07-15 has one more break,
# 2021-07-16 a NemKonto break whose key (the recipient) is the same CPR.
test_expect_success 'a year of nights is sealed (365 seals)' '
	t=n/out/2021-02-05 && i=0 &&
	while [ $i -lt 365 ]; do
		d=$(date -u -d "2021-01-01 +$i day" +%F) &&
		mkdir -p y/out/$d && cp -r $t/summary $t/exceptions y/out/$d/ &&
		if [ $d = 2021-07-15 ]; then
			echo "ffffffffffffffff;ky-eindkomst;29757895;2021-07;0014;0101011234;1,00;cpr-difference: test;2021-07-15;0;1,00;0,00" \
				>>y/out/$d/exceptions/ky-eindkomst.csv
		fi &&
		if [ $d = 2021-07-16 ]; then
			printf "\357\273\277id;recon;se;month;key;cpr;amount;reason;first_seen;age_days;left;right\neeeeeeeeeeeeeeee;nemkonto;29757895;2021-07;0101011234;;2,00;retur: test;2021-07-16;0;;\n" \
				>y/out/$d/exceptions/nemkonto.csv
		fi &&
		stage-report --quiet --date $d --conf "$C" --state y/state --out y/out &&
		PIPELINE_ARCHIVE_DIR="$TRASH/y/archive" stage-archive --quiet --date $d \
			--conf "$C" --state y/state --out y/out || return 1
		i=$((i + 1))
	done &&
	test "$(grep -c "^seal " y/archive/chain)" = 365 &&
	pipeline archive verify --conf "$C" --archive y/archive >v.out && cat v.out &&
	pipeline archive list --conf "$C" --archive y/archive >list &&
	test "$(grep -c "^2021-" list)" = 365 && grep -q "^2021-07-15 .* 6 " list
'

test_expect_success 'verify --from/--to checks only that range' '
	pipeline archive verify --conf "$C" --archive y/archive --from 2021-03-01 --to 2021-03-31
'

test_expect_success 'search by CPR over the year: the rows with it as CPR or key, CPR masked' '
	pipeline archive search --conf "$C" --archive y/archive --cpr 010101-1234 \
		>hits 2>err &&
	test "$(wc -l <hits)" = 3 &&
	grep -q "^2021-07-15;ffffffffffffffff;ky-eindkomst;29757895;2021-07;0014;010101-xxxx;1,00;" hits &&
	grep -q "^2021-07-16;eeeeeeeeeeeeeeee;nemkonto;29757895;2021-07;010101-xxxx;;2,00;" hits &&
	! grep -q "0101011234" hits err
'

test_expect_success 'search --show-cpr shows the CPR only on a terminal' '
	pipeline archive search --conf "$C" --archive y/archive --cpr 0101011234 --show-cpr \
		>hits 2>err && grep -q "010101-xxxx" hits && ! grep -q 0101011234 hits err &&
	script -qec "pipeline archive search --conf $C --archive y/archive --cpr 0101011234 --show-cpr" \
		/dev/null >tty.out &&
	grep -q ";0101011234;" tty.out && grep -q "^2021-07-16;.*;0101011234;;2,00;" tty.out
'

test_expect_success 'search by SE in a date range' '
	pipeline archive search --conf "$C" --archive y/archive --se 29757895 \
		--from 2021-03-01 --to 2021-03-31 >hits &&
	test "$(grep -c "^2021-03-" hits)" = 155 && ! grep -v "^2021-03-\|^night;" hits
'

test_expect_success 'extract a range of one reconciliation, checked and read-only' '
	pipeline archive extract 2021-03-01..2021-03-31 --recon ky-eindkomst --to ex \
		--conf "$C" --archive y/archive &&
	test "$(find ex -type f | wc -l)" = 62 &&
	cmp ex/2021-03-07/exceptions/ky-eindkomst.csv y/out/2021-03-07/exceptions/ky-eindkomst.csv &&
	test "$(stat -c %a ex/2021-03-07/summary/ky-eindkomst.csv)" = 440 &&
	pipeline archive extract 2021-07-15 --to ex2 --conf "$C" --archive y/archive &&
	test -f ex2/2021-07-15/report.html && test -f ex2/2021-07-15/inputs.csv
'

test_expect_success 'show prints the seal and the manifest of a night' '
	pipeline archive show 2021-07-15 --conf "$C" --archive y/archive >show &&
	grep -q "^seal 196  2021-07-15" show && grep -q "exceptions/ky-eindkomst.csv" show
'

test_expect_success 'tamper: a flipped byte in a night is detected and named' '
	tamper_copy t1 &&
	f=t1/2021-06-10.tar.gz && n=$(stat -c %s $f) &&
	printf "\001" | dd of=$f bs=1 seek=$((n / 2)) conv=notrunc 2>/dev/null &&
	verify_fails t1 "night 2021-06-10: 2021-06-10.tar.gz differs from its manifest"
'

test_expect_success 'tamper: an edited manifest is detected' '
	tamper_copy t2 &&
	sed -i "s/ 5 exceptions/ 4 exceptions/" t2/2021-04-01.manifest &&
	verify_fails t2 "night 2021-04-01: 2021-04-01.manifest differs from seal 91"
'

test_expect_success 'tamper: a removed night (files and record) is detected' '
	tamper_copy t3 &&
	rm t3/2021-05-05.tar.gz t3/2021-05-05.manifest &&
	grep -v " 2021-05-05 " y/archive/chain >t3/chain &&
	verify_fails t3 "chain: record 125 has sequence number 126"
'

test_expect_success 'tamper: a night whose files were removed is detected' '
	tamper_copy t4 &&
	rm t4/2021-08-08.tar.gz &&
	verify_fails t4 "night 2021-08-08: 2021-08-08.tar.gz is missing"
'

test_expect_success 'tamper: an inserted night is detected (with or without a record)' '
	tamper_copy t5 &&
	cp t5/2021-02-02.tar.gz t5/2022-01-01.tar.gz &&
	verify_fails t5 "2022-01-01.tar.gz has no seal record" &&
	tamper_copy t6 &&
	awk "{ print } / 2021-02-02 2021-02-02 / { l = \$0; sub(/2021-02-02 2021-02-02/, \"2021-02-02 2021-02-02.r2\", l); print l }" \
		y/archive/chain >t6/chain &&
	cp t6/2021-02-02.tar.gz t6/2021-02-02.r2.tar.gz &&
	cp t6/2021-02-02.manifest t6/2021-02-02.r2.manifest &&
	verify_fails t6 "chain: record 34 has sequence number 33"
'

test_expect_success 'tamper: a rewritten chain is caught by the anchor kept elsewhere' '
	tamper_copy t7 &&
	head=$(tail -n 1 y/archive/chain | cut -d" " -f7) &&
	rm t7/2021-12-31.tar.gz t7/2021-12-31.manifest &&
	grep -v " 2021-12-31 " y/archive/chain >t7/chain &&
	pipeline archive verify --conf "$C" --archive t7 &&
	{ pipeline archive verify --conf "$C" --archive t7 --anchor "$head" >v.out; test $? -eq 1; } &&
	grep -q "FAILED: chain: the anchor seal ${head%"${head#????????????????}"}... is not in the chain" v.out &&
	pipeline archive verify --conf "$C" --archive y/archive --anchor "$head"
'

test_expect_success 'retention: old nights lose their files; the chain verifies, without a conf too' '
	mkdir -p c/conf && ln -s "$TOP/schemas" c/schemas && cp "$C" c/conf/ &&
	printf "dir ../archive\nretention-years 1\n" >c/conf/archive.conf &&
	cp -a y/archive c/archive && chmod -R u+w c/archive &&
	mkdir -p y/out/2022-06-30 && cp -r n/out/2021-02-05/summary y/out/2022-06-30/ &&
	stage-report --quiet --date 2022-06-30 --conf "$C" --state y/state --out y/out &&
	env -u PIPELINE_ARCHIVE_DIR stage-archive --quiet --date 2022-06-30 \
		--conf c/conf/pipeline.conf --state y/state --out y/out &&
	test "$(grep -c "^seal " c/archive/chain)" = 366 &&
	test ! -e c/archive/2021-06-29.tar.gz && test -e c/archive/2021-06-30.tar.gz &&
	env -u PIPELINE_ARCHIVE_DIR pipeline archive verify --conf c/conf/pipeline.conf &&
	env -u PIPELINE_ARCHIVE_DIR pipeline archive list --conf c/conf/pipeline.conf >list &&
	grep -q "^2021-01-01 .* retired " list &&
	env -u PIPELINE_ARCHIVE_DIR pipeline archive verify --conf c/conf/pipeline.conf >v.out &&
	grep -q "ok, .*; 180 night(s) retired by retention, 2021-01-01 to 2021-06-29$" v.out &&
	mkdir elsewhere && (cd elsewhere && pipeline archive verify --archive ../c/archive) &&
	(cd elsewhere && env -u PIPELINE_ARCHIVE_DIR pipeline archive verify --archive ../y/archive) &&
	rm c/archive/2021-07-01.manifest &&
	{ env -u PIPELINE_ARCHIVE_DIR pipeline archive verify --conf c/conf/pipeline.conf; \
	  test $? -eq 1; } &&
	env -u PIPELINE_ARCHIVE_DIR pipeline archive list --conf c/conf/pipeline.conf >list &&
	grep -q "^2021-07-01 .* damaged " list &&
	env -u PIPELINE_ARCHIVE_DIR pipeline archive show 2021-07-01 --conf c/conf/pipeline.conf |
		grep -q "files missing or damaged"
'

test_expect_success 'retention: a tar left by a crash after its manifest went is not tampering' '
	cp y/archive/2021-07-01.manifest c/archive/ &&
	cp y/archive/2021-06-01.tar.gz c/archive/ &&
	env -u PIPELINE_ARCHIVE_DIR pipeline archive verify --conf c/conf/pipeline.conf >v.out &&
	grep -q "ok, .*; 180 night(s) retired" v.out
'

# forge NIGHT YEARS DIR: a seal record for NIGHT, linked and hashed right,
# whose manifest says retention-years YEARS (a copy of 2021-02-02's).
forge() {
	sed -e "s/^night .*/night $1/" -e "s/^retention-years .*/retention-years $2/" \
		-e "s/^archive 2021-02-02.tar.gz/archive $1.tar.gz/" $3/2021-02-02.manifest >$3/$1.manifest &&
	cp $3/2021-02-02.tar.gz $3/$1.tar.gz &&
	m=$(sha256sum <$3/$1.manifest | cut -d" " -f1) &&
	prev=$(tail -n 1 $3/chain | cut -d" " -f7) &&
	n=$(($(grep -c "^seal " $3/chain) + 1)) &&
	echo "seal $n $1 $1 $m $prev $(printf %s%s $prev $m | sha256sum | cut -d" " -f1)" >>$3/chain
}

test_expect_success 'tamper: a forged record after today fails verify' '
	tamper_copy t8 && forge 2102-01-05 1 t8 &&
	verify_fails t8 "chain: seal 366 is for night 2102-01-05, after today"
'

test_expect_success 'tamper: a forged record of today cannot retire nights against the anchor' '
	tamper_copy t9 && head=$(tail -n 1 t9/chain | cut -d" " -f7) &&
	forge "$(date +%F)" 1 t9 && rm t9/2021-03-03.tar.gz t9/2021-03-03.manifest &&
	pipeline archive verify --conf "$C" --archive t9 >v.out &&
	grep -q "1 night(s) retired by retention, 2021-03-03 to 2021-03-03$" v.out &&
	{ pipeline archive verify --conf "$C" --archive t9 --anchor "$head" >v.out; test $? -eq 1; } &&
	grep -q "FAILED: night 2021-03-03: 2021-03-03.manifest is missing" v.out
'

test_expect_success 'a night after today, or one no stage ran for, is not sealed (64)' '
	tamper_copy t10 && sha256sum t10/* >before &&
	{ PIPELINE_ARCHIVE_DIR="$TRASH/t10" stage-archive --date 2102-01-05 --conf "$C" \
		--state y/state --out y/out 2>err; test $? -eq 64; } &&
	grep -q "2102-01-05: the night is after today" err &&
	{ PIPELINE_ARCHIVE_DIR="$TRASH/t10" stage-archive --date 2020-06-30 --conf "$C" \
		--state y/state --out y/out 2>err; test $? -eq 64; } &&
	grep -q "2020-06-30: no stage has run for this night" err &&
	sha256sum t10/* >after && test_cmp before after
'

test_expect_success 'an input file name with blanks or # is quoted in the manifest; verify reads it' '
	cp -r "$TOP/fixtures/eindkomst-drilldown/drops" d2 && chmod -R u+w d2 &&
	head -n -1 d2/ky/KY_SumEindkomst_29757895_20210205.csv >"d2/ky/odd #name file.csv" &&
	touch "d2/ky/odd #name file.csv.done" &&
	PIPELINE_ARCHIVE_DIR="$TRASH/a3" pipeline run --quiet --date 2021-02-05 --conf "$C" \
		--drops d2 --state n4/state --out n4/out 2>err;
	grep -q "^input [0-9a-f]* [0-9]* [0-9]* \"ky/odd #name file.csv\"$" a3/2021-02-05.manifest &&
	pipeline archive verify --conf "$C" --archive a3 &&
	pipeline archive show 2021-02-05 --conf "$C" --archive a3 | grep -q " ky/odd #name file.csv$"
'

# The same bytes under a second name on one night are the file landed
# before, not a second file: one "files" record cannot serve two names (it
# did, and normalise's verdict on the second name overwrote the first's).
test_expect_success 'the same bytes under a second name are not landed again' '
	cp -r "$TOP/fixtures/eindkomst-drilldown/drops" d5 && chmod -R u+w d5 &&
	cp d5/ky/KY_SumEindkomst_29757895_20210205.csv "d5/ky/odd #name file.csv" &&
	touch "d5/ky/odd #name file.csv.done" &&
	PIPELINE_ARCHIVE_DIR="$TRASH/a5" pipeline run --date 2021-02-05 --conf "$C" \
		--drops d5 --state n5/state --out n5/out 2>err &&
	grep -q "1 landed on an earlier night" err &&
	! grep -q "odd #name" a5/2021-02-05.manifest &&
	pipeline check-store --conf "$C" --state n5/state --out n5/out
'

test_expect_success 'runs with different state but one archive do not reuse a sequence number' '
	for k in 1 2 3 4 5 6 7 8; do
		stage-report --quiet --date 2021-03-0$k --conf "$C" --state s$k --out y/out || return 1
	done &&
	pids= && for k in 1 2 3 4 5 6 7 8; do
		PIPELINE_ARCHIVE_DIR="$TRASH/a4" stage-archive --quiet --date 2021-03-0$k \
			--conf "$C" --state s$k --out y/out &
		pids="$pids $!"
	done &&
	for p in $pids; do wait $p || return 1; done &&
	test "$(grep -c "^seal " a4/chain)" = 8 &&
	pipeline archive verify --conf "$C" --archive a4
'

test_done
