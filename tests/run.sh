#!/bin/sh
# Runs every unit test binary and every tests/tNNNN-*.sh script and ends
# with the total: "N passed, N failed". BUILD names the build directory.
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build/opt}
total_pass=0
total_fail=0
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
	out=$("$t" 2>&1)
	printf '%s\n' "$out"
	add "$out"
done
for t in tests/t[0-9]*.sh; do
	echo "*** $t"
	out=$(sh "$t" 2>&1)
	printf '%s\n' "$out"
	add "$out"
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
