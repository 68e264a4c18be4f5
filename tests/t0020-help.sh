#!/bin/sh
# Each program's --help is its own: a synopsis with its own name, what it
# does, its options and its exit codes, on stdout with exit 0; it is what
# README's "Each program's --help" shows (block by block, the stages'
# common options shortened by tests/help-elide.py); bin/pipeline --help
# names every stage of conf/pipeline.conf and every bin/stage-*.
. "$(dirname "$0")/lib.sh"

# Every program: "pipeline", "pipeline overview", "pipeline archive" and
# "stage-NAME" for each stage of the shipped conf, in its order.
stages=$(sed -n 's/^stage[[:space:]]\{1,\}\([^[:space:]]*\).*/\1/p' "$TOP/conf/pipeline.conf")
# help NAME: that program's --help on stdout, run where an operator runs it
# (the checkout: bin/pipeline --help lists the stages of conf/pipeline.conf)
help() {
	case $1 in
		"pipeline") (cd "$TOP" && pipeline --help) ;;
		"pipeline "*) (cd "$TOP" && pipeline ${1#pipeline } --help) ;;
		*) (cd "$TOP" && "$1" --help) ;;
	esac
}
# readme_form NAME: stdin as README shows it (a stage's common options
# shortened to one line; bin/pipeline's own text as it is)
readme_form() {
	case $1 in
		stage-*) python3 "$TOP/tests/help-elide.py" ;;
		*) cat ;;
	esac
}

test_expect_success 'the conf has stages, and each has its program' '
	test -n "$stages" && test $(echo $stages | wc -w) -ge 13 &&
	for s in $stages; do test -x "$TOP/bin/stage-$s" || return 1; done &&
	for b in "$TOP"/bin/stage-*; do
		echo " $stages " | tr "\n" " " | grep -q " ${b##*/stage-} " || { echo "$b not in the conf"; return 1; }
	done
'

test_expect_success 'every --help: stdout, exit 0, its own synopsis, options, exit codes' '
	for p in pipeline "pipeline overview" "pipeline archive" $(for s in $stages; do echo stage-$s; done); do
		help "$p" >h 2>err || { echo "$p --help: exit $?"; return 1; }
		test ! -s err || { echo "$p --help wrote on stderr"; return 1; }
		head -n 1 h | grep -q "^usage: $p" || { echo "$p: synopsis is not its own"; head -n 1 h; return 1; }
		grep -q "^Options:" h || { echo "$p: no options"; return 1; }
		grep -q "^Exit.*: 0 " h || { echo "$p: no exit codes"; return 1; }
		grep -q -- "--help" h || { echo "$p: no --help"; return 1; }
	done
'

# The text between the synopsis and the options says what the program
# does; no two programs share it (the generic text every stage printed
# before would fail here).
test_expect_success 'no two programs say the same about what they do' '
	for p in pipeline "pipeline overview" "pipeline archive" $(for s in $stages; do echo stage-$s; done); do
		help "$p" | sed -n "/^[A-Z]/,/^Options:/p" | grep -v "^Options:" | tr "\n" " "
		echo
	done >what &&
	test $(wc -l <what) -ge 16 &&
	! grep -qx " *" what &&
	test "$(sort what | uniq -d)" = ""
'

test_expect_success 'pipeline --help names every stage and rerun; each stage says its exits' '
	help pipeline >h &&
	for s in $stages; do grep -q "[ ]$s\( \|$\)" h || { echo "stage $s not named"; return 1; }; done &&
	grep -q "^  fetch unpack normalise " h &&
	pipeline --help >elsewhere &&
	grep -q "^Stages: the .stage. lines of the conf; the programs here:" elsewhere &&
	for s in $stages; do grep -q "[ ]$s\( \|$\)" elsewhere || { echo "stage $s not named without a conf"; return 1; }; done &&
	grep -q "usage: pipeline run " h && grep -q "pipeline rerun  STAGE" h &&
	grep -q "pipeline overview" h && grep -q "pipeline archive" h &&
	grep -q "^  --wait  .*says once for what" h &&
	for s in $stages; do
		stage-$s --help | grep -q "75 locked" || { echo "stage-$s: no 75"; return 1; }
	done &&
	stage-fetch --help | grep -q "69 a source could not be"
'

# README, "Each program's --help": one block per program, marked
# <!-- help: NAME --> and indented by 4; it must be what the program prints.
# block NAME FILE: that block of FILE, unindented
block() {
	awk -v m="<!-- help: $1 -->" '$0 == m { on = 1; next }
		on && /^    / { print substr($0, 5); next }
		on { exit }' "$2"
}

test_expect_success 'README shows each program'"'"'s --help as the program prints it' '
	for p in pipeline "pipeline overview" "pipeline archive" $(for s in $stages; do echo stage-$s; done); do
		block "$p" "$TOP/README.md" >readme.txt
		test -s readme.txt || { echo "README has no block for $p"; return 1; }
		help "$p" | readme_form "$p" >prints.txt
		test_cmp prints.txt readme.txt || { echo "README differs from $p --help"; return 1; }
	done
'

test_expect_success 'the README check itself fails on a changed line' '
	sed "/<!-- help: stage-normalise -->/,/^\$/ s/70 internal error, 75 locked/70 internal error/" \
		"$TOP/README.md" >R.md &&
	! cmp -s R.md "$TOP/README.md" &&
	block stage-normalise R.md >r && test -s r &&
	stage-normalise --help | python3 "$TOP/tests/help-elide.py" >p &&
	! cmp -s p r
'

test_done
