#!/bin/sh
# make bench-refusion [LINES=N]: the refund for evening schools at size:
# tests/gen-refusion.py (seed 7) writes N list lines of the first night
# (every reason injected) and two later nights; each night's stages run
# alone, and match-refusion's wall time and peak heap are printed; then
# the exceptions and charges are checked against the answer keys.
set -e
cd "$(dirname "$0")/../.."
LINES=${LINES:-50000}
W=${BENCH_DIR:-var/bench-refusion}
rm -rf "$W" && mkdir -p "$W/conf"
python3 tests/gen-refusion.py 7 "$W/drops" "$W/expected" "$LINES"
echo "generated: $LINES lines on the first night, $(du -sh "$W/drops" | cut -f1)"
cp conf/*.conf "$W/conf/"
awk -v s="$PWD/schemas" '
	/^schemas / { print "schemas " s; next }
	/^input  refusion\/MKR_\{word\}/ { print "input  refusion/MKR_0751_{date}.csv    mkr-0751          accumulate  se=29757895 month={date}" }
	{ print }' conf/pipeline.conf >"$W/conf/pipeline.conf"
for n in 2025-06-30 2025-07-10 2027-01-15; do
	for st in fetch normalise; do
		bin/stage-$st --quiet --date $n --conf "$W/conf/pipeline.conf" --drops "$W/drops" \
			--state "$W/state" --out "$W/out"
	done
	start=$(date +%s.%N)
	tests/bench/peak.sh bin/stage-match-refusion --quiet --date $n --conf "$W/conf/pipeline.conf" \
		--drops "$W/drops" --state "$W/state" --out "$W/out" 2>"$W/peak"
	end=$(date +%s.%N)
	in=$(grep '^match-refusion;' "$W/out/$n/status" 2>/dev/null | cut -d';' -f4)
	[ -n "$in" ] || in=$(bin/pipeline status --date $n --conf "$W/conf/pipeline.conf" --state "$W/state" | awk '$2 == "match-refusion" {print $5}')
	awk -v s="match-refusion $n" -v a="$start" -v b="$end" -v n="$in" -v m="$(cat "$W/peak")" \
		'BEGIN { t = b - a; printf "%-26s %8.2f s %10d lines %12.0f lines/s   %s\n", s, t, n, n / t, m }'
done
. tests/lib-recon.sh 2>/dev/null || true
ok=1
for x in "2025-06-30:" "2025-07-10:.2" "2027-01-15:.3"; do
	n=${x%%:*} suf=${x#*:}
	tail -n +2 "$W/out/$n/exceptions/mellemkommunal-refusion.csv" |
		awk -F";" '{ split($8, r, ":"); print r[1] ";" $5 ";" $7 }' | LC_ALL=C sort >"$W/found"
	cmp -s "$W/found" "$W/expected$suf" || { echo "$n: NOT the injected exceptions"; ok=0; }
done
[ $ok = 1 ] && echo "exceptions: exactly the injected ones on the three nights"
[ $ok = 1 ]
