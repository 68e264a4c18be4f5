#!/bin/sh
# What the programs print and log never holds a CPR number, and what they
# leave on disk is for its owner alone, whatever the umask (SECURITY.md,
# "A local user"). A whole night of every fixture runs, each under one of
# the umasks 000, 077, 022, 002, 027 in turn; then the operator's commands
# (status, check-store, archive list/show/verify/search). Scanned:
#   - every line printed or logged (stdout and stderr of each command) and
#     every OUT/DATE/status: no CPR-shaped number (DDMMYYSSSS, DDMMYY-SSSS);
#   - every file name under the state, out and archive directories and in
#     the sealed tars;
#   - every mode: files 0640, the store and the lock 0600, the archive and
#     its tar members 0440; directories 0750 or 0700; nothing for others.
# The outputs themselves (summary/, exceptions/, rejected/, report.html)
# hold CPR numbers by design: they are 0640 and not scanned.
. "$(dirname "$0")/lib.sh"
C="$TOP/conf/pipeline.conf"
F="$TOP/fixtures"
D1=2021-02-05

# CPR-shaped: 6 digits, an optional dash, 4 digits, not inside a longer
# number or word (a SHA-256 in hex is not a CPR number).
CPR='(^|[^0-9A-Za-z])[0-9]{6}-?[0-9]{4}([^0-9A-Za-z]|$)'

# night NAME DATE DROPS UMASK: one night into $TRASH/NAME, its output in
# NAME.DATE.log; exit 0 or 65 (a fixture with rejected rows) is fine
night() {
	(umask "$4" &&
	 PIPELINE_ARCHIVE_DIR="$TRASH/$1/archive" pipeline run --date "$2" --conf "$C" \
		--drops "$3" --state "$TRASH/$1/state" --out "$TRASH/$1/out" \
		>"$TRASH/logs/$1.$2.log" 2>&1)
	rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 65 ] || { echo "$1 $2: exit $rc"; cat "$TRASH/logs/$1.$2.log"; return 1; }
}

# operator NAME DATE: the commands an operator runs on that night, logged;
# any exit but usage (64) and internal (70): a problem found is fine
operator() {
	for cmd in "status --date $2 --state $TRASH/$1/state" \
		   "check-store --verbose --state $TRASH/$1/state --out $TRASH/$1/out" \
		   "archive list" "archive show $2" "archive verify"; do
		# shellcheck disable=SC2086 # words on purpose
		PIPELINE_ARCHIVE_DIR="$TRASH/$1/archive" pipeline $cmd --conf "$C" \
			>>"$TRASH/logs/$1.$2.operator" 2>&1
		rc=$?
		[ $rc -ne 64 ] && [ $rc -ne 70 ] || { echo "pipeline $cmd: exit $rc"; return 1; }
	done
}

mkdir -p "$TRASH/logs"

test_expect_success 'every fixture: a whole night under umask 000, 077, 022, 002, 027 in turn' '
	night eindkomst $D1 "$F/guide-eindkomst/drops" 000 &&
	night drilldown $D1 "$F/eindkomst-drilldown/drops" 077 &&
	night typo $D1 "$F/eindkomst-afviste-typo/drops" 022 &&
	night badrows $D1 "$F/eindkomst-badrows/drops" 002 &&
	night finans $D1 "$F/guide-finans/drops" 027 &&
	night fig4 $D1 "$F/guide-finans-fig4/drops" 000 &&
	night yr $D1 "$F/guide-yr/drops" 077 &&
	night skat 2021-02-10 "$F/guide-skat-afregning/drops" 022 &&
	mkdir rettet && cp -r "$F/guide-skat-afregning/drops/." rettet/ &&
	cp "$F/skattekonto-rettet/drops/eindkomst/"* rettet/eindkomst/ &&
	night skat 2021-02-12 "$TRASH/rettet" 002 &&
	night opus 2021-02-10 "$F/opus-skat-afregning/drops" 027 &&
	night nemkonto 2021-11-15 "$F/guide-nemkonto/drops" 000 &&
	night debitor 2021-06-30 "$F/guide-debitor/drops" 077 &&
	night debitor 2021-08-31 "$F/guide-debitor/drops" 022 &&
	night faktura 2021-11-30 "$F/faktura-example/drops" 002 &&
	night crash 2021-02-10 "$F/crash-two-nights/night1/drops" 027 &&
	night crash 2021-02-12 "$F/crash-two-nights/night2/drops" 000 &&
	(umask 027 && mkdir -p vouchers/out/$D1/exceptions &&
	 cp "$F/vouchers/exceptions/"* vouchers/out/$D1/exceptions/) &&
	chmod 640 vouchers/out/$D1/exceptions/* &&
	(umask 077 && stage-vouchers --date $D1 --conf "$C" --state vouchers/state \
		--out vouchers/out >logs/vouchers.$D1.log 2>&1) &&
	grep -q "stage-vouchers: $D1: [1-9][0-9]* vouchers" logs/vouchers.$D1.log
'

test_expect_success 'the operator commands on every night' '
	for l in logs/*.log; do
		n=${l#logs/} && n=${n%.log} &&
		{ [ ${n%%.*} = vouchers ] || operator ${n%%.*} ${n#*.}; } || return 1
	done
'

# The pattern must see what it is looking for: the outputs hold the CPR
# numbers of the exceptions (0909721188), in both shapes; a hash does not.
test_expect_success 'the scan finds a CPR number where there is one (the outputs)' '
	grep -Eq "$CPR" drilldown/out/$D1/exceptions/ky-eindkomst.csv &&
	echo "cpr 090972-1188." | grep -Eq "$CPR" &&
	! echo "sha256 ab0909721188cd 12345678901" | grep -Eq "$CPR"
'

test_expect_success 'archive search --cpr prints the CPR masked (not a terminal)' '
	PIPELINE_ARCHIVE_DIR="$TRASH/drilldown/archive" pipeline archive search \
		--cpr 0909721188 --show-cpr --conf "$C" >logs/drilldown.search 2>&1 &&
	grep -q ";090972-xxxx;152033,69;" logs/drilldown.search
'

test_expect_success 'the badrows night names its bad CPR by file, line and column, not by value' '
	grep -q "KY_DetaljerEindkomst_29757895_20210205.csv:8:3: CPR" logs/badrows.$D1.log &&
	! grep -q 320121 logs/badrows.$D1.log
'

test_expect_success 'no CPR number in anything printed or logged, nor in a status file' '
	ls logs | wc -l >n && test $(cat n) -ge 30 &&
	! grep -EHn "$CPR" logs/* */out/*/status
'

test_expect_success 'no CPR number in a file name on disk or in a sealed tar' '
	find */state */out */archive >names &&
	for t in */archive/*.tar.gz; do tar tzf "$t" || return 1; done >>names &&
	test $(wc -l <names) -gt 500 &&
	! grep -En "$CPR" names
'

# modes KIND: "MODE PATH" of every KIND (f, d) under the state, out and archive
modes() {
	find */state */out */archive -type "$1" -exec stat -c "%a %n" {} +
}

test_expect_success 'files: the store and the lock 0600, the archive 0440, the rest 0640' '
	modes f >files && test $(wc -l <files) -gt 300 &&
	awk "{ want = \$2 ~ /\\/archive\\// ? 440 : \$2 ~ /\\/store\\/|\\/state\\/lock\$/ ? 600 : 640
	       if (\$1 != want) { print \"want \" want \": \" \$0; bad = 1 } }
	     END { exit bad }" files
'

test_expect_success 'directories: 0700 or 0750, whatever the umask' '
	modes d >dirs &&
	! grep -Ev "^(700|750) " dirs
'

test_expect_success 'tar members: 0440' '
	for t in */archive/*.tar.gz; do tar tzvf "$t" || return 1; done >members &&
	test -s members && ! grep -v "^-r--r----- " members
'

test_done
