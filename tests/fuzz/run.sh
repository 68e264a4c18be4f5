#!/bin/sh
# Runs each libFuzzer target (make fuzz): PREFIX-NAME for NAME in money,
# date, ident, csv, skat, unpack, FUZZ_TIME seconds each (default 60), on a
# corpus in build/fuzz/corpus/NAME seeded from fixtures/. A crash leaves
# its input in build/fuzz/crash-NAME-* and makes this exit 1.
#   tests/fuzz/run.sh build/fuzz/fuzz/fuzz
cd "$(dirname "$0")/../.." || exit 1
PREFIX=${1:-build/fuzz/fuzz/fuzz}
T=${FUZZ_TIME:-60}
C=build/fuzz/corpus
F=fixtures
rm -rf /tmp/fuzz-unpack-*
mkdir -p "$C"
# seed NAME FILE BYTE: BYTE (the target's selector, octal) then FILE
seed() {
	mkdir -p "$C/$1"
	{ printf "$3"; cat "$2"; } >"$C/$1/$(basename "$2").$3"
}
mkdir -p "$C/money" "$C/date" "$C/ident"
i=0
for v in '\0001.278.002,64' '\000-5837,42' '\0018.540,00-' '\002,64' '\002-,00' '\0001,5E+06'; do
	printf "$v" >"$C/money/s$i"; i=$((i + 1))
done
for v in 2021-02 2021.02 202102 01-2021 05-02-2021 2021-02-05 '2021-02-01 18.01.10.100'; do
	printf '%s' "$v" >"$C/date/s$i"; i=$((i + 1))
done
for v in 010185-4321 0101854321 101854321 1.20391E+09 29757895 5790000000000 \
	'KY_Udbetaling_0101854321.csv' "cell '010185-4321'"; do
	printf '%s' "$v" >"$C/ident/s$i"; i=$((i + 1))
done
seed csv "$F/faktura-example/drops/erp/ERP_PRISME_Posteringer_20211130.csv" '\000'
for f in "$F"/*/drops/erp/ERP_OPUS_Posteringer_*.csv; do seed csv "$f" '\001'; break; done
seed csv "$F/guide-eindkomst/drops/ky/KY_SumEindkomst_29757895_20210205.csv" '\002'
seed csv "$F/guide-eindkomst/drops/eindkomst/EIK_SumPrEnhed_29757895_202102.csv" '\003'
seed skat "$F/skat-afstemning/drops/eindkomst/29757895VIRSUM202102-202102" '\000'
for f in "$F"/skat-afstemning/drops/eindkomst/29757895PERSUM202102-202102-00?; do
	seed skat "$f" '\001'
done
k=$F/guide-eindkomst/drops/ky/KY_SumEindkomst_29757895_20210205.csv
gzip -9nc "$k" >"$C/k.gz" && seed unpack "$C/k.gz" '\000'
tar -cf "$C/k.tar" -C "$(dirname "$k")" "$(basename "$k")" && seed unpack "$C/k.tar" '\001'
gzip -9nc "$C/k.tar" >"$C/k.tgz" && seed unpack "$C/k.tgz" '\002'
python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED); z.write(sys.argv[2], "k.csv"); z.close()' \
	"$C/k.zip" "$k" && seed unpack "$C/k.zip" '\003'
rm -f "$C"/k.*
bad=0
for name in money date ident csv skat unpack; do
	out=$("$PREFIX-$name" -max_total_time="$T" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="build/fuzz/crash-$name-" "$C/$name" 2>&1)
	rc=$?
	runs=$(printf '%s\n' "$out" | grep -Eo 'Done [0-9]+ runs' | tail -n 1)
	echo "$name: ${runs:-no summary}, exit $rc"
	if [ $rc -ne 0 ]; then
		printf '%s\n' "$out" | grep -v '^#' | tail -n 30
		bad=1
	fi
done
rm -rf /tmp/fuzz-unpack-*
exit $bad
