#!/bin/sh
# make bench [PERSONS=N]: generates a ky-eindkomst night of about 3 input
# rows per person (seeded), runs each stage alone and prints its wall time,
# rows per second and peak anonymous memory (heap; the LMDB map is
# file-backed and not counted), then checks the injected breaks are found.
set -e
cd "$(dirname "$0")/../.."
PERSONS=${PERSONS:-330000}
W=${BENCH_DIR:-var/bench}
rm -rf "$W" && mkdir -p "$W"
rows=$(python3 tests/bench/gen-eindkomst.py --persons "$PERSONS" --breaks 50 --seed 7 "$W/drops")
echo "generated: $rows, $(du -sh "$W/drops" | cut -f1)"
for st in fetch normalise match-ky-eindkomst; do
	start=$(date +%s.%N)
	tests/bench/peak.sh bin/stage-$st --quiet --date 2021-02-05 --drops "$W/drops" \
		--state "$W/state" --out "$W/out" 2>"$W/$st.peak"
	end=$(date +%s.%N)
	in=$(bin/pipeline status --date 2021-02-05 --state "$W/state" | awk -v s=$st '$2 == s {print $5}')
	awk -v s=$st -v a="$start" -v b="$end" -v n="$in" -v m="$(cat "$W/$st.peak")" \
		'BEGIN { t = b - a; printf "%-20s %8.2f s %10d rows in %12.0f rows/s   %s\n", s, t, n, n / t, m }'
done
cut -d';' -f6 "$W/out/2021-02-05/exceptions/ky-eindkomst.csv" | grep -v '^$' | tail -n +2 | sort >"$W/found"
if cmp -s "$W/found" "$W/expected-breaks.txt"; then
	echo "breaks: exactly the $(wc -l <"$W/found") injected ones found"
else
	echo "breaks: NOT the injected ones"; exit 1
fi
