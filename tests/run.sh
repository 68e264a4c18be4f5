#!/bin/sh
# Runs every unit test binary and every tests/tNNNN-*.sh script and ends
# with the total: "N passed, N failed". BUILD names the build directory.
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build/opt}
total_pass=0
total_fail=0
# VALGRIND=1: every program of bin/ runs under valgrind (tests/valgrind.sh);
# each process that reports an error or a leak counts as one failure.
VG=
if [ "${VALGRIND:-}" = 1 ]; then
	VGDIR=$(pwd)/build/valgrind
	tests/valgrind.sh "$VGDIR/bin" "$VGDIR/logs" || exit 1
	rm -f "$VGDIR"/logs/*.log
	PIPELINE_TEST_BIN=$VGDIR/bin PIPELINE_BINDIR=$VGDIR/bin PIPELINE_STORE_MAP_SIZE=1G
	export PIPELINE_TEST_BIN PIPELINE_BINDIR PIPELINE_STORE_MAP_SIZE
	VG="valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible"
fi
add() {
	line=$(printf '%s\n' "$1" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
	if [ -z "$line" ]; then
		total_fail=$((total_fail + 1))
		return
	fi
	total_pass=$((total_pass + ${line%% *}))
	f=${line#*, }
	total_fail=$((total_fail + ${f%% *}))
}
for t in "$BUILD"/tests/test-*; do
	case $t in *.d) continue ;; esac	# make's dependency files
	echo "*** $t"
	out=$($VG "$t" 2>&1)
	printf '%s\n' "$out"
	add "$out"
done
for t in tests/t[0-9]*.sh; do
	echo "*** $t"
	out=$(sh "$t" 2>&1)
	printf '%s\n' "$out"
	add "$out"
done
if [ -n "$VG" ]; then
	bad=0
	for l in "$VGDIR"/logs/*.log; do
		[ -s "$l" ] || continue
		echo "not ok - valgrind: $(basename "$l" .log)"
		sed 's/^/#   /' "$l" | head -n 40
		bad=$((bad + 1))
	done
	n=$(ls "$VGDIR"/logs | wc -l)
	echo "valgrind: $n process(es) run, $bad with errors or leaks"
	total_fail=$((total_fail + bad))
	total_pass=$((total_pass + 1))
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
