#!/bin/sh
# stage unpack: bundles (.zip .tar .tgz .gz) land their members beside the
# drop and the night reads them; hostile archives are refused with their
# name and the rest of the night goes on. Archives are made here (python3).
. "$(dirname "$0")/lib.sh"
G="$TOP/tests/golden"
D=out/2021-02-05
F="$TOP/fixtures/guide-eindkomst/drops"

# drop DIR NAME: marks DIR/NAME complete
drop() {
	: >"$1/$2.done"
}

# run NAME DROPS [CONFDIR]: a night into NAME
run() {	# exit 66 counts as 0 (lib.sh partial())
	partial pipeline run --date 2021-02-05 --conf "${3:-$TOP/conf}/pipeline.conf" --drops "$2" \
		--state "$1/state" --out "$1/out"
}

# guide_drops DIR: the guide's eindkomst files plain, ready for a ky bundle
guide_drops() {
	mkdir -p "$1/ky" "$1/eindkomst" &&
	cp "$F"/eindkomst/* "$1/eindkomst/"
}

# limits DIR 'unpack ...': a conf dir copy with other unpack limits
limits() {
	mkdir -p "$1" && cp "$TOP"/conf/*.conf "$1/" &&
	sed -i "s|^schemas .*|schemas $TOP/schemas|" "$1/pipeline.conf" &&
	echo "$2" >>"$1/sources.conf"
}

py() {
	code=$1
	shift
	python3 -c "import sys, tarfile, zipfile, gzip, io, os
$code" "$@"
}

test_expect_success 'a zip bundle of KY reports: summary is Figur 12' '
	guide_drops z &&
	(cd "$F/ky" && py "
with zipfile.ZipFile(\"$TRASH/z/ky/KY_bundle_20210205.zip\", \"w\", zipfile.ZIP_DEFLATED) as z:
    for n in sorted(os.listdir(\".\")):
        if not n.endswith(\".done\"): z.write(n, \"reports/\" + n)
") && drop z/ky KY_bundle_20210205.zip &&
	run zr z 2>err &&
	test_cmp "$G/guide-eindkomst/summary.csv" zr/$D/summary/ky-eindkomst.csv &&
	test -f zr/state/landing/2021-02-05/ky/KY_SumEindkomst_29757895_20210205.csv &&
	test "$(stat -c %a zr/state/landing/2021-02-05/ky/KY_SumEindkomst_29757895_20210205.csv)" = 640 &&
	! test -e zr/state/landing/2021-02-05/ky/reports &&
	grep -q "^unpack;done;0;1;3;0;" zr/$D/status
'

test_expect_success 'tgz, tar and plain .gz drops land the same files' '
	mkdir -p t/ky t/eindkomst &&
	(cd "$F/ky" && tar czf "$TRASH/t/ky/KY_x_20210205.tgz" KY_SumEindkomst_29757895_20210205.csv KY_DetaljerEindkomst_29757895_20210205.csv &&
	 tar cf "$TRASH/t/ky/KY_y_20210205.tar" KY_DetaljerEindkomstFejlede_29757895_20210205.csv) &&
	for f in "$F"/eindkomst/*.csv; do gzip -c "$f" >t/eindkomst/$(basename "$f").gz; done &&
	for f in t/*/*; do drop "$(dirname "$f")" "$(basename "$f")"; done &&
	run tr t &&
	test_cmp "$G/guide-eindkomst/summary.csv" tr/$D/summary/ky-eindkomst.csv &&
	cmp "$F/eindkomst/EIK_SumPrEnhed_29757895_202102.csv" \
		tr/state/landing/2021-02-05/eindkomst/EIK_SumPrEnhed_29757895_202102.csv
'

test_expect_success 'a rerun of unpack lands nothing twice, outputs byte-identical' '
	(cd tr/out && sha256sum 2021-02-05/summary/* 2021-02-05/exceptions/*) >sum1 &&
	ls tr/state/landing/2021-02-05/ky >ls1 &&
	mkdir tr/state/landing/2021-02-05/ky/.unpack && echo left >tr/state/landing/2021-02-05/ky/.unpack/member-7 &&
	pipeline rerun unpack --quiet --date 2021-02-05 --conf "$TOP/conf/pipeline.conf" \
		--drops t --state tr/state --out tr/out &&
	ls tr/state/landing/2021-02-05/ky >ls2 && test_cmp ls1 ls2 &&
	! test -e tr/state/landing/2021-02-05/ky/.unpack &&
	(cd tr/out && sha256sum 2021-02-05/summary/* 2021-02-05/exceptions/*) >sum2 &&
	test_cmp sum1 sum2
'

test_expect_success 'member names with æ, ø and å (zip and pax tar) land under their names' '
	mkdir -p u/ky && py "
z = zipfile.ZipFile(\"u/ky/KY_løn_20210205.zip\", \"w\"); z.writestr(\"Lønudbetaling_æøå.csv\", \"a;b\\n\"); z.close()
t = tarfile.open(\"u/ky/KY_løn_20210205.tar\", \"w\", format=tarfile.PAX_FORMAT)
i = tarfile.TarInfo(\"mappe/Lønudbetaling_ÆØÅ.csv\"); i.size = 4; t.addfile(i, io.BytesIO(b\"c;d\\n\")); t.close()" &&
	drop u/ky KY_løn_20210205.zip && drop u/ky KY_løn_20210205.tar &&
	stage-fetch --date 2021-02-05 --conf "$TOP/conf/pipeline.conf" --drops u --state ur/state &&
	stage-unpack --date 2021-02-05 --conf "$TOP/conf/pipeline.conf" --drops u --state ur/state &&
	printf "a;b\n" >expect && test_cmp expect "ur/state/landing/2021-02-05/ky/Lønudbetaling_æøå.csv" &&
	printf "c;d\n" >expect && test_cmp expect "ur/state/landing/2021-02-05/ky/Lønudbetaling_ÆØÅ.csv"
'

# hostile NAME PYTHON: a night whose ky drop also holds the archive the
# python code writes to sys.argv[1]; it must be refused (exit 65), named,
# nothing of it landed, nothing written outside the landing area, and the
# rest of the night done.
hostile() {
	rm -rf "h-$1" "hr-$1" && guide_drops "h-$1" && cp "$F"/ky/* "h-$1/ky/" &&
	py "$2" "$TRASH/h-$1/ky/$1" && drop "h-$1/ky" "$1" &&
	{ run "hr-$1" "h-$1" $3 2>"err-$1"; test $? -eq 65; } &&
	grep -q "ky/$1: archive refused: .*$4" "err-$1" &&
	test_cmp "$G/guide-eindkomst/summary.csv" "hr-$1/$D/summary/ky-eindkomst.csv" &&
	ls "hr-$1/state/landing/2021-02-05/ky" >"ls-$1" &&
	test "$(grep -v "^KY_" "ls-$1")" = "$1" && test "$(wc -l <"ls-$1")" = 4 &&
	! test -e "$TRASH/evil.csv" && ! test -e /tmp/evil-t0310.csv &&
	grep -q "^unpack;done;65;1;0;1;.*;1 archive(s) refused$" "hr-$1/$D/status"
}

test_expect_success 'a member with an absolute path is refused' '
	hostile abs.tar "
t = tarfile.open(sys.argv[1], \"w\"); i = tarfile.TarInfo(\"/tmp/evil-t0310.csv\"); i.size = 3
t.addfile(i, io.BytesIO(b\"a;b\")); t.close()" "" "absolute path"
'

test_expect_success 'a member with .. is refused' '
	hostile dotdot.zip "
z = zipfile.ZipFile(sys.argv[1], \"w\"); z.writestr(\"a/../../../../evil.csv\", \"x\"); z.close()" "" "'"'"'\.\.'"'"'"
'

test_expect_success 'a symlink member is refused' '
	hostile link.tgz "
t = tarfile.open(sys.argv[1], \"w:gz\"); i = tarfile.TarInfo(\"KY_link.csv\"); i.type = tarfile.SYMTYPE
i.linkname = \"/etc/passwd\"; t.addfile(i); t.close()" "" "symbolic link"
'

test_expect_success 'a hard link member is refused' '
	hostile hard.tar "
t = tarfile.open(sys.argv[1], \"w\"); i = tarfile.TarInfo(\"a.csv\"); i.size = 1; t.addfile(i, io.BytesIO(b\"x\"))
h = tarfile.TarInfo(\"b.csv\"); h.type = tarfile.LNKTYPE; h.linkname = \"a.csv\"; t.addfile(h); t.close()" "" "hard link"
'

test_expect_success 'a device file member is refused' '
	hostile dev.tar "
t = tarfile.open(sys.argv[1], \"w\"); i = tarfile.TarInfo(\"null.csv\"); i.type = tarfile.CHRTYPE
i.devmajor = 1; i.devminor = 3; t.addfile(i); t.close()" "" "device"
'

test_expect_success 'more members than max-entries is refused' '
	limits lim "unpack max-entries 5" &&
	hostile many.zip "
z = zipfile.ZipFile(sys.argv[1], \"w\")
for n in range(6): z.writestr(\"m%d.csv\" % n, \"x\")
z.close()" "$TRASH/lim" "max-entries"
'

test_expect_success 'a zip bomb (expansion ratio) is refused' '
	hostile bomb.zip "
z = zipfile.ZipFile(sys.argv[1], \"w\", zipfile.ZIP_DEFLATED); z.writestr(\"zeros.csv\", bytes(64 << 20)); z.close()" \
	"" "max-ratio" &&
	test "$(stat -c %s h-bomb.zip/ky/bomb.zip)" -lt 200000
'

test_expect_success 'expansion beyond max-bytes is refused' '
	limits lb "unpack max-bytes 1000" &&
	hostile big.gz "
g = gzip.open(sys.argv[1], \"wb\"); g.write(os.urandom(5000)); g.close()" "$TRASH/lb" "max-bytes"
'

test_expect_success 'a truncated archive is refused with its name' '
	hostile cut.tgz "
b = io.BytesIO(); t = tarfile.open(fileobj=b, mode=\"w:gz\"); i = tarfile.TarInfo(\"x.csv\"); d = os.urandom(200000)
i.size = len(d); t.addfile(i, io.BytesIO(d)); t.close(); open(sys.argv[1], \"wb\").write(b.getvalue()[:50000])" "" ""
'

test_expect_success 'a corrupt .gz is refused with its name' '
	hostile bad.csv.gz "open(sys.argv[1], \"wb\").write(b\"\\x1f\\x8b\\x08\\x00garbage, not deflate at all\" * 20)" "" ""
'

test_expect_success 'a .gz that is not gzip-compressed is refused' '
	hostile plain.csv.gz "open(sys.argv[1], \"w\").write(\"a;b\\n1;2\\n\")" "" "not gzip-compressed"
'

test_expect_success 'a bad limit in sources.conf is a usage error naming the line' '
	limits bad "unpack max-ratio x" &&
	{ run badr t "$TRASH/bad" 2>err; test $? -eq 64; } &&
	grep -q "sources.conf:[0-9]*: unpack: .x. is not a number" err
'

test_done
