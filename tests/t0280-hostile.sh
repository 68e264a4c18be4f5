#!/bin/sh
# The hostile corpus (issue 11, tests/hostile/corpus.py): line ends, CSV
# structure, encodings, amounts, dates, identifiers, SKAT's own files,
# archives, file names and sizes. Each case is a night of fetch, unpack and
# normalise (and match-ky-eindkomst where a value is checked) with its
# expected exit code, message and normalise's rows read/loaded/rejected;
# rows read = loaded + rejected in every case, and no CPR number reaches
# the log unmasked.
. "$(dirname "$0")/lib.sh"

# Three confs: up to normalise ('n'), and with match-ky-eindkomst ('e') or
# match-ky-finans ('f').
for s in n e f; do
	mkdir -p "$TRASH/conf-$s" &&
	cp "$TOP"/conf/*.conf "$TRASH/conf-$s/" &&
	sed -i -e "s|^schemas .*|schemas $TOP/schemas|" -e '/^stage  vouchers/d' \
		-e '/^stage  report/d' -e '/^stage  workbook/d' -e '/^stage  archive/d' "$TRASH/conf-$s/pipeline.conf"
done
sed -i '/^stage  match/d' "$TRASH/conf-n/pipeline.conf"
sed -i '/^stage  match/{/match-ky-eindkomst/!d}' "$TRASH/conf-e/pipeline.conf"
sed -i '/^stage  match/{/match-ky-finans/!d}' "$TRASH/conf-f/pipeline.conf"

test_expect_success 'the corpus is built' '
	python3 "$TOP/tests/hostile/corpus.py" "$TOP" corpus &&
	test $(wc -l <corpus/cases) -ge 80
'

# hostile CASE STAGES EXIT READ LOADED REJECTED MESSAGE CHECK
hostile() {
	c=corpus/$1
	PIPELINE_ARCHIVE_DIR="$TRASH/$c/archive" \
	pipeline run --date 2021-02-05 --conf "$TRASH/conf-$2/pipeline.conf" --drops "$c/drops" \
		--state "$c/state" --out "$c/out" --verbose >"$c/log" 2>&1
	rc=$?
	cat "$c/log"
	[ "$rc" -eq "$3" ] || { echo "exit $rc, expected $3"; return 1; }
	line=$(grep '^normalise;' "$c/out/2021-02-05/status" | cut -d';' -f4-6)
	[ "$line" = "$4;$5;$6" ] || { echo "normalise read;loaded;rejected $line, expected $4;$5;$6"; return 1; }
	[ -z "$7" ] || grep -qF -- "$7" "$c/log" || { echo "no message '$7'"; return 1; }
	if [ -n "$8" ]; then
		grep -qF -- "${8#*~}" "$c/out/2021-02-05/${8%%~*}" || { echo "${8%%~*} lacks '${8#*~}'"; return 1; }
	fi
	# no CPR number in the log: ten digits or DDMMYY-SSSS standing alone
	! grep -E '(^|[^0-9a-f])[0-9]{6}-?[0-9]{4}([^0-9a-f]|$)' "$c/log"
}

while IFS='|' read -r name stages code read loaded rejected msg check; do
	test_expect_success "$name: exit $code, $read read = $loaded loaded + $rejected rejected${msg:+, '$msg'}" \
		'hostile "$name" "$stages" "$code" "$read" "$loaded" "$rejected" "$msg" "$check"'
done <"$TRASH/corpus/cases"

test_done
