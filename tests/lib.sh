# A tiny test library in the spirit of git's t/test-lib.sh.
#   test_expect_success 'what it proves' 'commands'
#   test_cmp expect actual
# Each script ends with test_done, which prints "N passed, N failed".
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
# make check VALGRIND=1: tests/run.sh puts wrappers first (tests/valgrind.sh).
PATH="${PIPELINE_TEST_BIN:-$TOP/bin}:$PATH"
TRASH="$TOP/tests/trash/$(basename "$0" .sh)"
rm -rf "$TRASH" && mkdir -p "$TRASH"
passed=0
failed=0
# The archive (conf/archive.conf) of every test lives in its trash.
PIPELINE_ARCHIVE_DIR="$TRASH/archive"
export PIPELINE_ARCHIVE_DIR

test_expect_success() {
	if (cd "$TRASH" && eval "$2") >"$TRASH/.log" 2>&1; then
		passed=$((passed + 1))
		echo "ok - $1"
	else
		failed=$((failed + 1))
		echo "not ok - $1"
		sed 's/^/#   /' "$TRASH/.log"
	fi
}

test_cmp() {
	diff -u "$1" "$2"
}

# partial CMD...: runs CMD; its exit 66 (reports missing) counts as 0. A
# fixture carries the reports of the reconciliations it is about: the
# others' missing reports make the night exit 66 (README "Commands"), which
# is not what those tests check (tests/t0620-never-ok.sh checks the codes).
partial() {
	"$@"
	rc=$?
	[ $rc -eq 66 ] && return 0
	return $rc
}

# night SCENARIO NAME [args]: runs a whole night of a fixture into $TRASH/NAME
# (exit 66 counts as 0: partial())
night() {
	scenario=$1 name=$2
	shift 2
	PIPELINE_ARCHIVE_DIR="$TRASH/$name/archive" \
	partial pipeline run --date 2021-02-05 --conf "$TOP/conf/pipeline.conf" \
		--drops "$TOP/fixtures/$scenario/drops" --state "$TRASH/$name/state" \
		--out "$TRASH/$name/out" "$@"
}

# check_stores: every store a test left under $TRASH (STATE/store/data.mdb)
# must pass `pipeline check-store`, one test per store (with the conf
# store_conf gave it, else conf/pipeline.conf). The out directory
# is NAME/out beside NAME/state (or NAME-out beside NAME-state) when there
# is one. A test that damages a store ON PURPOSE says so with
# no_store_check STATE; a store that shows a known bug of the code lists the
# exact problem lines it shows with known_store_problems STATE LINE... (the
# test then fails when they change, e.g. once the bug is fixed).
check_stores() {
	find "$TRASH" -path "*/store/data.mdb" | sort >"$TRASH/.stores"
	while read -r data; do
		state=${data%/store/data.mdb}
		name=${state#"$TRASH"/}
		dir=$(dirname "$state") base=$(basename "$state")
		[ -e "$state/.no-check" ] && continue
		out=
		if [ "$base" = state ] && [ -d "$dir/out" ]; then
			out=$dir/out
		elif [ "${base%-state}" != "$base" ] && [ -d "$dir/${base%-state}-out" ]; then
			out=$dir/${base%-state}-out
		fi
		conf=$TOP/conf/pipeline.conf
		[ -e "$state/.conf" ] && conf=$(cat "$state/.conf")
		pipeline check-store --quiet --conf "$conf" --state "$state" \
			${out:+--out "$out"} >"$TRASH/.check" 2>&1
		rc=$?
		if [ -e "$state/.known-problems" ]; then
			if [ $rc -eq 1 ] && diff -u "$state/.known-problems" "$TRASH/.check" >"$TRASH/.diff"; then
				passed=$((passed + 1))
				echo "ok - store $name shows exactly its known problems (known breakage)"
			else
				failed=$((failed + 1))
				echo "not ok - store $name shows exactly its known problems (exit $rc)"
				sed 's/^/#   /' "$TRASH/.diff" "$TRASH/.check"
			fi
		elif [ $rc -eq 0 ]; then
			passed=$((passed + 1))
			echo "ok - store $name passes check-store"
		else
			failed=$((failed + 1))
			echo "not ok - store $name passes check-store (exit $rc)"
			sed 's/^/#   /' "$TRASH/.check"
		fi
	done <"$TRASH/.stores"
}

# store_conf STATE CONF: check-store reads this store with CONF, a
# fixture's own pipeline.conf (and schemas/stores), not conf/pipeline.conf.
store_conf() {
	mkdir -p "$1" && printf '%s\n' "$2" >"$1/.conf"
}

# no_store_check STATE: the test damages this store on purpose.
no_store_check() {
	: >"$1/.no-check"
}

# known_store_problems STATE LINE...: check-store --quiet must print exactly
# these lines (a known bug of the code, reported; not a damaged store).
known_store_problems() {
	state=$1
	shift
	printf '%s\n' "$@" >"$state/.known-problems"
}

test_done() {
	check_stores
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

# breaks EXCEPTIONS.csv: month;key;code;amount of every row, sorted (what a
# generated scenario's expect file lists)
breaks() {
	tail -n +2 "$1" | awk -F";" '{ split($8, c, ":"); print $4 ";" $5 ";" c[1] ";" $7 }' | sort
}

# generated GENERATOR SEED RECON DATE: runs tests/gen-GENERATOR.py's night
# for SEED and compares the stage's breaks with the generator's expect file.
# The generator writes only what RECON reads: the night exits 0 or 66 (other
# reconciliations' reports missing), RECON's stage is done (0, or 66 where
# the generator leaves out a month's report on purpose).
generated() {
	python3 "$TOP/tests/gen-$1.py" "$2" "gen$2" "expect$2" &&
	{ pipeline run --date "$4" --conf "$TOP/conf/pipeline.conf" --drops "gen$2" \
		--state "n$2/state" --out "n$2/out"
	  rc=$?; test $rc -eq 0 || test $rc -eq 66; } &&
	grep -q "^match-$3;done;\(0\|66\);" "n$2/out/$4/status" &&
	breaks "n$2/out/$4/exceptions/$3.csv" >"actual$2" &&
	test_cmp "expect$2" "actual$2"
}
