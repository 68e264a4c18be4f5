#!/bin/sh
# Inputs that accumulate (pipeline.conf 'input ... accumulate'): every
# participant list of the period counts once, a supplementary list adds to
# what came before, the same bytes count once, a corrected list replaces
# its predecessor, and a rerun of an old night reads what that night read.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib-shared-parts.sh"
N1=2025-06-20
N2=2025-06-30

test_expect_success 'two nights: the second reads every list landed so far, once' '
	sp_night a $N1 "$SP/night1/drops" && sp_night a $N2 "$SP/night2/drops" 2>err &&
	sp_rows a $N2 demo.deltager >rows &&
	test_cmp "$SPG/night2/demo.deltager.rows" rows
'

test_expect_success 'a supplementary list adds to the first, it does not replace it' '
	grep -c "^aftenskoler/AFS_NORD_20250615.csv:" rows >n && test $(cat n) -eq 2 &&
	grep -c "^aftenskoler/AFS_NORD_20250625.csv:" rows >n && test $(cat n) -eq 2
'

test_expect_success 'the same bytes dropped again are landed once and count once' '
	grep -q "stage-fetch: $N2: 5 file(s) landed (1 corrected), 1 landed on an earlier night" err &&
	test $(ls a/state/landing/$N2/aftenskoler | grep -c AFS_NORD_20250615) -eq 0
'

test_expect_success 'a corrected list (same name, other bytes) replaces its predecessor' '
	grep -c "^aftenskoler/AFS_MUSIK_20250618.xml:" rows >n && test $(cat n) -eq 3 &&
	grep -q "^aftenskoler/AFS_MUSIK_20250618.xml:5.0;.*;cpr=0103851234;" rows &&
	! grep -q "cpr=0000000000" rows
'

test_expect_success 'a rerun of the first night reads what it read: not the list landed later with an older date' '
	sp_rows a $N1 demo.deltager >rows1 &&
	test_cmp "$SPG/night1-after-night2/demo.deltager.rows" rows1 &&
	! grep -q AFS_NORD_20250601 rows1 && grep -q AFS_NORD_20250601 rows
'

test_expect_success 'and so does a rerun of its normalise: the corrected version is not loaded back' '
	PIPELINE_ARCHIVE_DIR="$TRASH/a/archive" pipeline rerun normalise --date $N1 --conf "$SPC" \
		--drops "$SP/night1/drops" --state a/state --out a/out &&
	grep -q "^normalise;done;0;.*;1 file(s) superseded by a later correction$" a/out/$N1/status &&
	sp_rows a $N1 demo.deltager >rows1b && test_cmp rows1 rows1b &&
	sp_rows a $N2 demo.deltager >rows2b && test_cmp rows rows2b
'

test_expect_success 'an input without accumulate still reads the newest file: the residence extract' '
	sp_rows a $N2 demo.bopael | cut -d: -f1 | sort -u >files2 &&
	echo cpr/CPR_Bopael_20250630.csv >expect && test_cmp expect files2 &&
	sp_rows a $N1 demo.bopael | cut -d: -f1 | sort -u >files1 &&
	echo cpr/CPR_Bopael_20250615.csv >expect && test_cmp expect files1
'

test_expect_success 'the months read are a window: --from/--to as a stage reads them' '
	"$ROWS" --conf "$SPC" --state a/state --date $N2 --from 2025-04 --to 2025-06 \
		demo.deltager | cut -d";" -f1,3 >w &&
	printf "%s\n" "aftenskoler/AFS_MUSIK_20250618.xml:8.0;month=2025-04" \
		"aftenskoler/AFS_NORD_20250625.csv:2.0;month=2025-04" >expect && test_cmp expect w
'

test_expect_success 'accumulate is per input line: without it the newest file per SE and month replaces' '
	sp_conf plain && sed -i "s|deltagerliste-csv  accumulate|deltagerliste-csv|" plain/pipeline.conf &&
	"$ROWS" --conf plain/pipeline.conf --state a/state --date $N2 demo.deltager | cut -d: -f1 >p &&
	printf "%s\n" AFS_NORD_20250601.csv AFS_NORD_20250625.csv AFS_MUSIK_20250618.xml \
		AFS_MUSIK_20250618.xml AFS_NORD_20250625.csv AFS_MUSIK_20250618.xml | sed "s|^|aftenskoler/|" >expect &&
	test_cmp expect p
'

test_expect_success 'conf: accumulate twice, or a word that is neither, names the line' '
	sp_conf c && echo "input x/{date}.csv deltagerliste-csv accumulate accumulate" >>c/pipeline.conf &&
	sp_night c1 $N1 "$SP/night1/drops" "$TRASH/c/pipeline.conf" 2>err; test $? -eq 64 &&
	grep -q "pipeline.conf:[0-9]*: .accumulate. given twice" err &&
	sp_conf d && echo "input x/{date}.csv deltagerliste-csv accumulated" >>d/pipeline.conf &&
	sp_night d1 $N1 "$SP/night1/drops" "$TRASH/d/pipeline.conf" 2>err; test $? -eq 64 &&
	grep -q "pipeline.conf:[0-9]*: .accumulated. is neither accumulate nor FIELD=VALUE" err
'

test_done
