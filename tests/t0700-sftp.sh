#!/bin/sh
# fetch over SFTP from a real OpenSSH server (tests/sshd.sh): complete drops
# only, receipts with the host key, the same drop twice, a corrected file,
# after-landing, refused host keys, a server killed in the middle of a
# large file (resumed on the next run) and bounded memory on 200 MB (under
# AddressSanitizer with a small quarantine: freed memory is not reused).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sshd.sh"
G="$TOP/tests/golden"
F="$TOP/fixtures/guide-eindkomst/drops"
R="$TRASH/remote"
KY=KY_SumEindkomst_29757895_20210205.csv

# night DATE CONFDIR NAME: a night with that conf into NAME
sftp_night() {	# exit 66 counts as 0 (lib.sh partial())
	partial pipeline run --date "$1" --conf "$2/pipeline.conf" --state "$3/state" --out "$3/out" \
		--verbose
}

receipts() {
	mdb_dump -p -s receipts "$1/state/store" | grep -c "^ [a-z]*\\\\00/"
}

sshd_setup >"$TRASH/setup.log" 2>&1 || { cat "$TRASH/setup.log"; exit 1; }

test_expect_success 'setup: sshd on a loopback port with generated keys' '
	sshd_start && sftp_conf c
'

test_expect_success 'a night over SFTP: several files and a bundle, summary is Figur 12' '
	cp "$F"/eindkomst/* "$R/eindkomst/" &&
	cp "$F"/ky/KY_Detaljer* "$R/ky/" &&
	(cd "$F/ky" && python3 -c "import zipfile
with zipfile.ZipFile(\"$R/ky/KY_bundle_20210205.zip\", \"w\") as z: z.write(\"$KY\")") &&
	: >"$R/ky/KY_bundle_20210205.zip.done" &&
	echo "not yet" >"$R/ky/KY_Later_20210205.csv" &&
	sftp_night 2021-02-05 c n 2>log &&
	test_cmp "$G/guide-eindkomst/summary.csv" n/out/2021-02-05/summary/ky-eindkomst.csv &&
	cmp "$R/ky/KY_bundle_20210205.zip" n/state/landing/2021-02-05/ky/KY_bundle_20210205.zip &&
	grep -q "^fetch;done;0;5;5;0;" n/out/2021-02-05/status
'

test_expect_success 'a file without its marker is not taken' '
	grep -q "ky/KY_Later_20210205.csv: no .done marker yet, not taken" log &&
	! test -e n/state/landing/2021-02-05/ky/KY_Later_20210205.csv
'

test_expect_success 'each landed file has a receipt with the server key fingerprint' '
	test "$(receipts n)" = 5 &&
	fp=$(ssh-keygen -lf "$SSHD/host_key.pub" | cut -d" " -f2) &&
	mdb_dump -p -s receipts n/state/store >dump &&
	test "$(grep -c "hostkey=$fp" dump)" = 5 &&
	grep "remote=$R/ky/KY_bundle_20210205.zip" dump | grep -q "signal=marker KY_bundle_20210205.zip.done" &&
	grep -q "sha=$(sha256sum <"$R/ky/KY_bundle_20210205.zip" | cut -c1-64)" dump &&
	test "$(stat -c %a n/state/landing/2021-02-05/ky/$KY)" = 640
'

test_expect_success 'the same drop the next night is not taken again; a lone marker and a bad name are reported (65)' '
	: >"$R/eindkomst/EIK_Gone_202102.csv.done" &&
	echo x >"$R/ky/..evil.csv" && : >"$R/ky/..evil.csv.done" &&
	{ sftp_night 2021-02-06 c n 2>log2; test $? -eq 65; } &&
	grep -q "eindkomst/EIK_Gone_202102.csv.done: marker without its file" log2 &&
	pipeline status --conf c/pipeline.conf --state n/state | grep -q "^2021-02-06  fetch .*marker without its file: eindkomst/EIK_Gone" &&
	grep -q "0 file(s) landed (0 corrected), 5 landed on an earlier night" log2 &&
	! test -e n/state/landing/2021-02-06 &&
	grep -q "source ky: .\.\.evil\.csv.: a file name that cannot be a landing name" log2 &&
	test "$(receipts n)" = 5 &&
	rm "$R/eindkomst/EIK_Gone_202102.csv.done" "$R"/ky/..evil*
'

test_expect_success 'a corrected file lands beside, is recorded and shown by status' '
	sed -i "s/308.160,00/308.260,00/" "$R/eindkomst/EIK_Sumoplysninger_29757895_202102.csv" &&
	touch -d "2021-02-07 06:00" "$R/eindkomst/EIK_Sumoplysninger_29757895_202102.csv" &&
	sftp_night 2021-02-07 c n 2>log3 &&
	grep -q "eindkomst/EIK_Sumoplysninger_29757895_202102.csv: a corrected file (replaces version" log3 &&
	test "$(receipts n)" = 6 &&
	pipeline status --conf c/pipeline.conf --state n/state >st &&
	grep "^2021-02-07  fetch .*corrected landing/2021-02-07/eindkomst/EIK_Sumoplysninger" st &&
	test -f n/state/landing/2021-02-05/eindkomst/EIK_Sumoplysninger_29757895_202102.csv
'

test_expect_success 'after-landing move: landed files and markers go to the done folder' '
	mkdir -p "$R/done" && sftp_conf cm move "$R/done" &&
	sftp_night 2021-02-05 cm m 2>/dev/null &&
	test "$(ls "$R/ky")" = KY_Later_20210205.csv && test -z "$(ls "$R/eindkomst")" &&
	test -f "$R/done/KY_bundle_20210205.zip" && test -f "$R/done/KY_bundle_20210205.zip.done" &&
	test "$(ls "$R/done" | wc -l)" = 10
'

test_expect_success 'after-landing delete removes them' '
	cp "$R"/done/EIK_* "$R/eindkomst/" && sftp_conf cd delete &&
	sftp_night 2021-02-05 cd d 2>/dev/null &&
	test -z "$(ls "$R/eindkomst")" && test -f d/state/landing/2021-02-05/eindkomst/EIK_SumPrEnhed_29757895_202102.csv
'

test_expect_success 'after-landing move onto a file of that name: not overwritten, noted, 65' '
	cp "$R"/done/EIK_* "$R/eindkomst/" && echo keep >"$R/done/EIK_SumPrEnhed_29757895_202102.csv" &&
	rm "$R/done/EIK_SumPrEnhed_29757895_202102.csv.done" && sftp_conf cc move "$R/done" &&
	{ stage-fetch --date 2021-02-05 --conf cc/pipeline.conf --state cc/state 2>log; test $? -eq 65; } &&
	test "$(cat "$R/done/EIK_SumPrEnhed_29757895_202102.csv")" = keep &&
	test -f "$R/eindkomst/EIK_SumPrEnhed_29757895_202102.csv" &&
	grep -q "source eindkomst: unable to move .*EIK_SumPrEnhed_29757895_202102.csv" log &&
	mdb_dump -p -s ledger cc/state/store >ledger &&
	grep -q "after-landing failed on source eindkomst for 2 file(s)" ledger &&
	mv "$R/eindkomst/EIK_SumPrEnhed_29757895_202102.csv" "$R/done/" && rm "$R"/eindkomst/*
'

test_expect_success 'a local source: after-landing move onto a file of that name is refused too' '
	mkdir -p ldrop ldone && echo new >ldrop/KY_a.csv && : >ldrop/KY_a.csv.done &&
	echo old >ldone/KY_a.csv && sftp_conf cl &&
	printf "source l local\n  dir %s\n  into ky\n  after-landing move %s\n" \
		"$TRASH/ldrop" "$TRASH/ldone" >cl/sources.conf &&
	{ stage-fetch --date 2021-02-05 --conf cl/pipeline.conf --state cl/state 2>log; test $? -eq 65; } &&
	test "$(cat ldone/KY_a.csv)" = old && test "$(cat ldrop/KY_a.csv)" = new &&
	grep -q "source l: unable to move .*ldrop/KY_a.csv to .*ldone/KY_a.csv: File exists" log &&
	test "$(cat cl/state/landing/2021-02-05/ky/KY_a.csv)" = new
'

test_expect_success 'an unknown host key is refused (69), nothing is taken' '
	cp "$R"/done/EIK_* "$R/eindkomst/" && : >empty_known_hosts &&
	KNOWN_HOSTS=$TRASH/empty_known_hosts sftp_conf cu &&
	{ sftp_night 2021-02-05 cu u 2>log; test $? -eq 69; } &&
	grep -q "source ky: host key of \\[127.0.0.1\\]:$PORT (SHA256:[^ ]*) is not in .*empty_known_hosts; refused" log &&
	grep -q "source ky unreachable" log && grep -q "source eindkomst unreachable" log &&
	grep -q "^ky;[^;]*;unreachable;0;refused (host key or login)$" u/out/2021-02-05/sources.csv &&
	grep -q "2 kilde(r) kunne ikke nås;.*afslutningskode 69" u/out/2021-02-05/report.html &&
	! test -e u/state/landing/2021-02-05 &&
	test -n "$(ls "$R/eindkomst")"
'

test_expect_success 'a changed host key is refused (69); the night goes on with what arrived' '
	ssh-keygen -q -t ed25519 -N "" -f other_key &&
	echo "[127.0.0.1]:$PORT $(cut -d" " -f1,2 other_key.pub)" >changed_known_hosts &&
	KNOWN_HOSTS=$TRASH/changed_known_hosts sftp_conf cx &&
	{ sftp_night 2021-02-05 cx x 2>log; test $? -eq 69; } &&
	grep -q "source eindkomst: host key of \\[127.0.0.1\\]:$PORT CHANGED (now SHA256:[^ ]*, .*changed_known_hosts:1 lists another)" log &&
	! test -e x/state/landing/2021-02-05 &&
	{ pipeline status --conf cx/pipeline.conf --state x/state >st; test $? -eq 2; } &&
	grep -q "^2021-02-05  fetch *failed" st &&
	grep -q "^2021-02-05  match-ky-eindkomst *stale" st &&
	test -f x/out/2021-02-05/summary/ky-eindkomst.csv && test -f x/out/2021-02-05/report.html
'

test_expect_success 'a server with ECDSA and ED25519 keys, known by ED25519 only, is accepted; known by a type it lacks: 69, the log says so' '
	grep -q "^HostKey .*ecdsa" "$SSHD/sshd_config" && test "$(wc -l <"$SSHD/known_hosts")" = 1 &&
	grep -q " ssh-ed25519 " "$SSHD/known_hosts" &&
	ssh-keygen -q -t ecdsa -b 384 -N "" -f p384_key &&
	echo "[127.0.0.1]:$PORT $(cut -d" " -f1,2 p384_key.pub)" >p384_known_hosts &&
	KNOWN_HOSTS=$TRASH/p384_known_hosts sftp_conf cp &&
	{ stage-fetch --date 2021-02-05 --conf cp/pipeline.conf --state p/state 2>log; test $? -eq 69; } &&
	grep -q "source ky: .*p384_known_hosts has only ecdsa-sha2-nistp384 for \\[127.0.0.1\\]:$PORT" log
'

test_expect_success 'a user key the server does not accept: 69, no retries' '
	ssh-keygen -q -t ed25519 -N "" -f stranger_key &&
	USER_KEY=$TRASH/stranger_key sftp_conf cs &&
	{ sftp_night 2021-02-05 cs sk 2>log; test $? -eq 69; } &&
	grep -q "source ky: public-key login refused for user $(id -un)" log &&
	! grep -q "trying again" log
'

BIG=KY_Big_20210205.csv
test_expect_success 'the server killed in the middle of a large file: 69, the part kept' '
	rm -f "$R"/eindkomst/* && head -c 200M /dev/urandom >"$R/ky/$BIG" && : >"$R/ky/$BIG.done" &&
	sha256sum <"$R/ky/$BIG" >big.sha &&
	sftp_conf ck &&
	part=k/state/landing/.partial/ky/$BIG.part &&
	{ stage-fetch --date 2021-02-05 --conf ck/pipeline.conf --state k/state 2>klog & } &&
	i=0 && while [ "$(stat -c %s $part 2>/dev/null || echo 0)" -lt 16000000 ] && [ $i -lt 3000 ]; do
		sleep 0.01; i=$((i + 1)); done &&
	sshd_stop && { wait $!; test $? -eq 69; } &&
	grep -q "source ky unreachable after the configured tries" klog &&
	grep -q "source ky: try 1 of 2 failed; trying again in 1 s" klog &&
	test "$(stat -c %s $part)" -lt 209715200 && test "$(stat -c %s $part)" -gt 0 &&
	! test -e k/state/landing/2021-02-05/ky/$BIG &&
	mdb_dump -p -s ledger k/state/store | grep -q "rows_in=0\\\\0arows_out=0\\\\0a"
'

test_expect_success 'the next run resumes where it stopped and the hash is right' '
	sshd_start && off=$(stat -c %s k/state/landing/.partial/ky/$BIG.part) &&
	stage-fetch --date 2021-02-05 --conf ck/pipeline.conf --state k/state 2>klog2 &&
	grep -q "ky/$BIG: resuming the download at offset $off of 209715200" klog2 &&
	sha256sum <k/state/landing/2021-02-05/ky/$BIG >got.sha && test_cmp big.sha got.sha &&
	! test -e k/state/landing/.partial/ky/$BIG.part &&
	mdb_dump -p -s receipts k/state/store | grep -q "sha=$(cut -c1-64 big.sha)"
'

test_expect_success 'a partial download of a file gone from the server is removed' '
	echo x >k/state/landing/.partial/ky/KY_Gone.csv.part &&
	echo x >k/state/landing/.partial/ky/KY_Gone.csv.part.info &&
	echo x >"$R/ky/KY_a.part1.csv" && echo x >k/state/landing/.partial/ky/KY_a.part1.csv.part &&
	stage-fetch --date 2021-02-05 --conf ck/pipeline.conf --state k/state &&
	! test -e k/state/landing/.partial/ky/KY_Gone.csv.part &&
	! test -e k/state/landing/.partial/ky/KY_Gone.csv.part.info &&
	test -e k/state/landing/.partial/ky/KY_a.part1.csv.part &&
	rm "$R/ky/KY_a.part1.csv"
'

test_expect_success 'a 200 MB file is fetched with bounded memory (peak RSS < 64 MB)' '
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8 \
	/usr/bin/time -v stage-fetch --date 2021-02-05 --conf ck/pipeline.conf --state b/state \
		2>blog &&
	sha256sum <b/state/landing/2021-02-05/ky/$BIG >b.sha && test_cmp big.sha b.sha &&
	rss=$(sed -n "s/.*Maximum resident set size (kbytes): //p" blog) &&
	echo "peak RSS $rss kB" && test "$rss" -lt 65536
'

# Two sources, one try each: the download's 2 s and the handshake's 2 s.
test_expect_success 'a server that hangs in the middle of a download: a try costs the timeout, not more' '
	TIMEOUT=2 sftp_conf cg && sed -i "s/^retries .*/retries 1/" cg/sources.conf &&
	part=g/state/landing/.partial/ky/$BIG.part &&
	{ stage-fetch --date 2021-02-05 --conf cg/pipeline.conf --state g/state 2>glog & } &&
	i=0 && while [ "$(stat -c %s $part 2>/dev/null || echo 0)" -lt 16000000 ] && [ $i -lt 3000 ]; do
		sleep 0.01; i=$((i + 1)); done &&
	pids=$(descendants "$(cat "$SSHD/pid")") && kill -STOP $pids && start=$(date +%s) &&
	{ wait $!; rc=$?; } && end=$(date +%s) && kill -CONT $pids &&
	echo "exit $rc after $((end - start)) s" && test $rc -eq 69 && test $((end - start)) -le 6 &&
	grep -q "source ky: download broke off in .*$BIG" glog &&
	grep -q "source eindkomst: SSH handshake with 127.0.0.1" glog
'

test_expect_success 'a server that connects but never answers: each try ends at the timeout' '
	hp=$(free_port) &&
	{ python3 -c "import socket, sys, time
s = socket.socket(); s.bind((\"127.0.0.1\", int(sys.argv[1]))); s.listen(16)
open(\"hung.ready\", \"w\").close(); time.sleep(60)" "$hp" & } &&
	hung=$! &&
	while ! test -e hung.ready; do sleep 0.05; done &&
	PORT=$hp TIMEOUT=1 sftp_conf ch &&
	start=$(date +%s) &&
	{ stage-fetch --date 2021-02-05 --conf ch/pipeline.conf --state h/state 2>hlog; rc=$?; } &&
	end=$(date +%s) && kill $hung &&
	test $rc -eq 69 && test $((end - start)) -le 10 &&
	grep -q "source ky: SSH handshake with 127.0.0.1" hlog &&
	grep -q "source ky unreachable after the configured tries" hlog
'

test_expect_success 'teardown: the server stops' '
	sshd_stop && ! listening
'

test_done
