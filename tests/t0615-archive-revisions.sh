#!/bin/sh
# The archive as operators and auditors meet it: where it lives (the
# state's, not the checkout's), every revision of a night listed, shown and
# extracted with when and why it was sealed, short seals as anchors,
# archives sealed before "sealed"/"why" existed, and plain errors (exit 2)
# for what is not there.
. "$(dirname "$0")/lib.sh"
C="$TOP/conf/pipeline.conf"
unset PIPELINE_ARCHIVE_DIR

# run FIXTURE NAME: the night 2021-02-05 of a fixture on state NAME/state
run() {
	pipeline run --quiet --date 2021-02-05 --conf "$C" --drops "$TOP/fixtures/$1/drops" \
		--state "$2/state" --out "$2/out"
}

test_expect_success 'without a dir in archive.conf the archive is STATE/archive' '
	! grep -q "^dir" "$TOP/conf/archive.conf" &&
	run eindkomst-drilldown s &&
	test -f s/state/archive/chain && test -f s/state/archive/2021-02-05.tar.gz &&
	test "$(stat -c %a s/state/archive)" = 750 &&
	pipeline archive verify --conf "$C" --state s/state >v && grep -q "s/state/archive" v &&
	pipeline archive list --conf "$C" --state s/state | grep -q "^2021-02-05  2021-02-05 " &&
	PIPELINE_ARCHIVE_DIR="$TRASH/elsewhere" run eindkomst-drilldown e &&
	test -f elsewhere/chain && ! test -e e/state/archive
'

# Three revisions of one night on one state: the drill-down drops, then
# the guide's corrected Sumoplysninger (r2), then one more change (r3).
test_expect_success 'each revision records when and why it was sealed' '
	cp -r "$TOP/fixtures/eindkomst-drilldown/drops" d &&
	pipeline run --quiet --date 2021-02-05 --conf "$C" --drops d --state r/state --out r/out &&
	f=d/eindkomst/EIK_Sumoplysninger_29757895_202102.csv &&
	sed -i "s/308.260,00/308.360,00/" $f &&
	pipeline run --quiet --date 2021-02-05 --conf "$C" --drops d --state r/state --out r/out &&
	sed -i "s/308.360,00/308.460,00/" $f &&
	pipeline run --quiet --date 2021-02-05 --conf "$C" --drops d --state r/state --out r/out &&
	A=r/state/archive &&
	test -f $A/2021-02-05.r3.manifest &&
	grep -q "^why \"first seal of the night\"$" $A/2021-02-05.manifest &&
	grep -qx "sealed 20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z" $A/2021-02-05.r2.sealed &&
	! grep -q "^sealed" $A/2021-02-05.r2.manifest &&
	grep "^why " $A/2021-02-05.r2.manifest >why &&
	grep -q "revision 2: outputs differ from 2021-02-05 (changed: .*exceptions/ky-eindkomst.csv.*inputs.csv.*summary/ky-eindkomst.csv" why &&
	grep -q "^why \"revision 3: outputs differ from 2021-02-05.r2 (changed:" $A/2021-02-05.r3.manifest &&
	pipeline archive verify --conf "$C" --state r/state
'

test_expect_success 'list --revisions lists every revision with when and why' '
	pipeline archive list --revisions --conf "$C" --state r/state >l &&
	head -n 1 l | grep -q "^NIGHT  *SEALED AS  *SEALED  *SEAL  *WHY$" &&
	test "$(grep -c "^2021-02-05 " l)" = 3 &&
	grep -q "^2021-02-05  2021-02-05  .* first seal of the night$" l &&
	grep -q "^2021-02-05  2021-02-05.r2  .*Z  [0-9a-f]\{16\}  revision 2: outputs differ from 2021-02-05 (changed:" l &&
	grep -q "^2021-02-05  2021-02-05.r3 " l &&
	pipeline archive list --conf "$C" --state r/state >l1 &&
	test "$(grep -c "^2021-02-05 " l1)" = 1 && grep -q "^2021-02-05  2021-02-05.r3 " l1
'

test_expect_success 'show DATE.rN shows that revision; DATE its newest; every record says when and why' '
	pipeline archive show 2021-02-05.r2 --conf "$C" --state r/state >s2 &&
	grep -q "^revision 2021-02-05.r2$" s2 && grep -q "^archive 2021-02-05.r2.tar.gz " s2 &&
	test "$(grep -c "^  sealed .*Z  why " s2)" = 3 &&
	pipeline archive show 2021-02-05 --conf "$C" --state r/state >s3 &&
	grep -q "^revision 2021-02-05.r3$" s3 &&
	pipeline archive show 2021-02-05.r1 --conf "$C" --state r/state >s1 &&
	grep -q "^revision 2021-02-05$" s1
'

test_expect_success 'extract DATE.rN extracts that revision into DIR/DATE.rN, checked' '
	pipeline archive extract 2021-02-05.r2 --to x --conf "$C" --state r/state >o &&
	grep -q "^extracted [1-9][0-9]* file(s) of 1 night(s) into x$" o &&
	grep -q ";0015;.*308360,00;" x/2021-02-05.r2/summary/ky-eindkomst.csv &&
	pipeline archive extract 2021-02-05.r1 --recon ky-eindkomst --to x --conf "$C" --state r/state &&
	grep -q ";0015;.*308260,00;" x/2021-02-05.r1/summary/ky-eindkomst.csv &&
	test "$(ls x/2021-02-05.r1/*/ | grep -c csv)" = 2 &&
	pipeline archive extract 2021-02-05 --to x --conf "$C" --state r/state &&
	grep -q ";0015;.*308460,00;" x/2021-02-05/summary/ky-eindkomst.csv
'

test_expect_success 'nothing to show or extract is said, exit 2; a malformed name is usage (64)' '
	{ pipeline archive extract 2021-03-01 --to y --conf "$C" --state r/state 2>err; test $? -eq 2; } &&
	grep -q "2021-03-01: no such night in the archive" err && ! test -e y &&
	{ pipeline archive extract 2021-03-01..2021-03-31 --to y --conf "$C" --state r/state 2>err; test $? -eq 2; } &&
	grep -q "2021-03-01..2021-03-31: no night of that range is in the archive" err &&
	{ pipeline archive extract 2021-02-05 --recon fakturaa --to y --conf "$C" --state r/state 2>err; test $? -eq 2; } &&
	grep -q "no reconciliation .fakturaa. in 2021-02-05; the night(s) hold: betalingsplaner debitor faktura ky-eindkomst ky-finans ky-yr nemkonto opkraevning skat-afregning$" err && ! test -e y &&
	{ pipeline archive extract 2021-02-05.r9 --to y --conf "$C" --state r/state 2>err; test $? -eq 2; } &&
	grep -q "no such revision" err &&
	{ pipeline archive show 2021-02-06 --conf "$C" --state r/state 2>err; test $? -eq 2; } &&
	grep -q "no such night" err &&
	{ pipeline archive show 2021-02-05.x --conf "$C" --state r/state 2>err; test $? -eq 64; }
'

test_expect_success 'verify --anchor takes the 16-hex seal that list prints' '
	short=$(pipeline archive list --conf "$C" --state r/state | awk "/^2021-02-05 /{print \$NF}") &&
	test ${#short} = 16 &&
	pipeline archive verify --anchor $short --conf "$C" --state r/state >v && grep -q "ok" v &&
	full=$(grep "^seal 2 " r/state/archive/chain | cut -d" " -f7) &&
	pipeline archive verify --anchor $full --conf "$C" --state r/state &&
	pipeline archive verify --anchor $(echo $full | cut -c1-20) --conf "$C" --state r/state &&
	{ pipeline archive verify --anchor 0123456789abcdef --conf "$C" --state r/state >v; test $? -eq 1; } &&
	grep -q "anchor seal 0123456789abcdef... is not in the chain" v &&
	{ pipeline archive verify --anchor 0123 --conf "$C" --state r/state 2>err; test $? -eq 64; } &&
	grep -q "not a seal" err
'

test_expect_success 'verify names what differs, never "(null)"' '
	cp -a r/state/archive t && chmod -R u+w t &&
	f=t/2021-02-05.r2.tar.gz && n=$(stat -c %s $f) &&
	printf "\377" | dd of=$f bs=1 seek=$((n - 3)) conv=notrunc 2>/dev/null &&
	{ pipeline archive verify --archive t >v 2>&1; test $? -eq 1; } &&
	grep -q "2021-02-05.r2.tar.gz differs from its manifest; [a-z]" v && ! grep -q "(null)" v &&
	cp -a r/state/archive t2 && chmod -R u+w t2 &&
	f=t2/2021-02-05.tar.gz && n=$(stat -c %s $f) &&
	printf "\001" | dd of=$f bs=1 seek=$((n / 2)) conv=notrunc 2>/dev/null &&
	{ pipeline archive verify --archive t2 >v 2>&1; test $? -eq 1; } &&
	! grep -q "(null)" v && grep -q "differs from its manifest; " v
'

# An archive as sealed before it kept when (BASE.sealed) and why (the
# manifest's why line): the same files without them and the chain
# recomputed by hand.
test_expect_success 'an archive sealed before sealed/why still verifies, lists and takes revisions' '
	rm -rf old && cp -a s/state/archive old && chmod -R u+w old &&
	sed -i "/^why /d" old/2021-02-05.manifest && rm old/2021-02-05.sealed &&
	m=$(sha256sum <old/2021-02-05.manifest | cut -d" " -f1) &&
	z=0000000000000000000000000000000000000000000000000000000000000000 &&
	seal=$(printf %s%s $z $m | sha256sum | cut -d" " -f1) &&
	printf "seal 1 2021-02-05 2021-02-05 %s %s %s\n" $m $z $seal >old/chain &&
	pipeline archive verify --archive old &&
	pipeline archive list --revisions --archive old | grep -q "^2021-02-05  2021-02-05  *-  *[0-9a-f]\{16\}  (not recorded" &&
	PIPELINE_ARCHIVE_DIR="$TRASH/old" run eindkomst-drilldown s &&
	test "$(grep -c "^seal " old/chain)" = 1 &&
	PIPELINE_ARCHIVE_DIR="$TRASH/old" run guide-eindkomst g &&
	test "$(grep -c "^seal " old/chain)" = 2 && pipeline archive verify --archive old &&
	grep -q "^why \"revision 2: outputs differ from 2021-02-05 (changed:" old/2021-02-05.r2.manifest
'

test_expect_success 'search --show-cpr into a pipe says it is ignored' '
	pipeline archive search --se 29757895 --show-cpr --conf "$C" --state r/state >hits 2>err &&
	grep -q "show-cpr ignored: standard output is not a terminal" err &&
	pipeline archive search --se 29757895 --conf "$C" --state r/state >hits 2>err &&
	! grep -q "show-cpr" err
'

test_done
