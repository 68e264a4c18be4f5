#!/bin/sh
# The demo: one municipality's night in which every reconciliation has the
# inputs of its worked example (fixtures/demo/, README.md there), run into
# a fresh directory; then a short overview and where the report is.
#
# usage: ops/demo.sh [--sftp] [DIR]     (`make demo`, `make demo-sftp`; DIR default var/demo)
#
# The nights of fixtures/demo/ run in date order on one state (the payment
# plans' cadence needs two earlier nights of invoices); the last is the demo
# night. --sftp: every night is fetched over SFTP from a loopback OpenSSH
# server this script starts and stops (tests/sshd.sh, as the tests do),
# instead of from the local drops directory.
#
# Writes DIR/state (store, ledger, landed files, the sealed archive
# DIR/state/archive) and DIR/out/NIGHT/ (summary/, exceptions/, vouchers/,
# report.html ...). Prints, per reconciliation, its status (the worst of its
# summary rows: MANGLER, BREAK, EXPLAINED, OK), the rows of each status, the
# open exceptions and their amount as the report counts them (`pipeline
# exceptions --open`, pipeline/match/openexc.h) and the exceptions; then the
# vouchers, the seal and the report's path.
# Exit: 0, or the night's exit code when it is not 0, 65 or 66 (README
# "Commands"), or 1 when the loopback server cannot be set up.
set -u
cd "$(dirname "$0")/.." || exit 70
TOP=$(pwd)
sftp=
if [ "${1:-}" = --sftp ]; then
	sftp=1
	shift
fi
ROOT=${1:-var/demo}
FIX=fixtures/demo
nights=$(cd "$FIX" && ls -d 20[0-9][0-9]-[0-1][0-9]-[0-3][0-9] | sort)
last=$(printf '%s\n' $nights | tail -n 1)
rm -rf "$ROOT"
mkdir -p "$ROOT"
ROOT=$(cd "$ROOT" && pwd)
# The archive is the demo's own (conf/archive.conf names none: STATE/archive).
unset PIPELINE_ARCHIVE_DIR
CONF="$TOP/conf/pipeline.conf"
# make check VALGRIND=1 puts its wrappers there (tests/run.sh)
BIN=${PIPELINE_TEST_BIN:-$TOP/bin}

if [ -n "$sftp" ]; then
	# tests/sshd.sh: a server on a free loopback port with keys of its
	# own, serving $TRASH/remote; stopped when this script exits.
	TRASH="$ROOT/sftp"
	mkdir -p "$TRASH"
	. "$TOP/tests/sshd.sh"
	sources=$(cd "$FIX" && ls -d 20*/drops/* | sed 's|.*/||' | sort -u | tr '\n' ' ')
	if ! { sshd_setup && sshd_start && SFTP_SOURCES=$sources sftp_conf "$ROOT/conf"; } \
		>"$TRASH/setup.log" 2>&1; then
		cat "$TRASH/setup.log" >&2
		echo "demo: the loopback SFTP server could not be set up (it needs /usr/sbin/sshd and root for /run/sshd)" >&2
		exit 1
	fi
	CONF="$ROOT/conf/pipeline.conf"
	echo "demo: fetching over SFTP from 127.0.0.1:$PORT (sources: $sources)"
fi

rc=0
for n in $nights; do
	if [ -n "$sftp" ]; then
		# the night's drops appear on the server (what landed before
		# stays there, as on a real server: fetch does not take it twice)
		for d in "$FIX/$n/drops"/*; do
			cp -p "$d"/* "$TRASH/remote/${d##*/}/"
		done
		"$BIN/pipeline" run --date "$n" --conf "$CONF" --state "$ROOT/state" \
			--out "$ROOT/out" --quiet
	else
		"$BIN/pipeline" run --date "$n" --conf "$CONF" --drops "$FIX/$n/drops" \
			--state "$ROOT/state" --out "$ROOT/out" --quiet
	fi
	rc=$?
	case $rc in
	0 | 65 | 66) ;;
	*)
		echo "demo: night $n failed (exit $rc); see: bin/pipeline status --date $n --state $ROOT/state" >&2
		exit $rc
		;;
	esac
done
if [ -n "$sftp" ]; then
	sshd_stop
	echo "demo: the SFTP server is stopped"
fi

OUT="$ROOT/out/$last"
echo
echo "Demo night $last (fixtures/demo): exit $rc"
printf '%-28s %-9s %4s %4s %9s %5s %7s  %-22s %s\n' reconciliation status rows OK EXPLAINED BREAK MANGLER \
	"open (amount)" exceptions
for f in "$OUT"/summary/*.csv; do
	r=$(basename "$f" .csv)
	x=0
	[ -f "$OUT/exceptions/$r.csv" ] && x=$(($(wc -l <"$OUT/exceptions/$r.csv") - 1))
	# the open exceptions by the one rule the report and the workbook use
	# (pipeline/match/openexc.h): their count and absolute amounts
	open=$("$BIN/pipeline" exceptions --open --recon "$r" --date "$last" --conf "$CONF" \
		--state "$ROOT/state" --out "$ROOT/out" 2>/dev/null |
		awk -F';' 'function ore(s) { gsub(/\./, "", s); sub(/,/, "", s); s += 0; return s < 0 ? -s : s }
		FNR > 1 { n++; a += ore($7) } END { printf "%d %d", n, a }')
	# øre as integers: "-2.277,00" and "-2277,00" alike
	awk -F';' -v r="$r" -v x="$x" -v open="${open:-0 0}" '
	function ore(s) { gsub(/\./, "", s); sub(/,/, "", s); return s + 0 }
	function kr(v,   s, k, out) {
		s = v < 0 ? "-" : ""; v = v < 0 ? -v : v
		k = int(v / 100); out = sprintf(",%02d", v % 100)
		while (k >= 1000) { out = sprintf(".%03d", k % 1000) out; k = int(k / 1000) }
		return s k out
	}
	FNR == 1 { next }
	{ n++; c[$10]++ }
	END {
		split(open, o, " ")
		st = c["MANGLER"] ? "MANGLER" : c["BREAK"] ? "BREAK" : c["EXPLAINED"] ? "EXPLAINED" : "OK"
		printf "%-28s %-9s %4d %4d %9d %5d %7d  %-22s %d\n", r, st, n, c["OK"], c["EXPLAINED"],
			c["BREAK"], c["MANGLER"], (o[1] + 0) " (" kr(o[2] + 0) ")", x
	}' "$f"
done
nrec=$(ls "$OUT"/summary/*.csv | wc -l)
nmiss=$(grep -l ';MANGLER$' "$OUT"/summary/*.csv | wc -l)
echo "$nrec reconciliations, $((nrec - nmiss)) with every report they need"
[ -n "$sftp" ] && echo "fetched over SFTP: $(grep -h '^fetch;' "$OUT/status" | cut -d';' -f5) files tonight ($OUT/sources.csv)"
grep -h '^vouchers;' "$OUT/status" | cut -d';' -f9 | sed 's/^/vouchers: /'
grep -h '^archive;' "$OUT/status" | cut -d';' -f9 | sed 's/^/archive:  /'
[ -f "$OUT/afstemning.xlsx" ] && echo "workbook: $OUT/afstemning.xlsx"
echo "report:   $OUT/report.html"
exit 0
