#!/bin/sh
# Residence on a date (match/residence.h) over the CPR extract in the
# store: the newest extract visible on the night, [Fra, Til) periods, the
# betalingskommune, unknown CPRs and overlapping periods; a rerun of an
# old night uses the extract that night used.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib-shared-parts.sh"
N1=2025-06-20
N2=2025-06-30

# who NAME DATE CPR=DAY...: who pays, as night DATE of NAME's store sees it
who() {
	name=$1 date=$2
	shift 2
	"$ROWS" --conf "$SPC" --state "$TRASH/$name/state" --date "$date" \
		--residence 29757895 "$@" demo.bopael
}

test_expect_success 'two nights, each with its residence extract' '
	sp_night a $N1 "$SP/night1/drops" && sp_night a $N2 "$SP/night2/drops"
'

test_expect_success 'a move counts from its day; a betalingskommune pays' '
	who a $N1 1202993078=2025-02-14 1202993078=2025-02-15 0101701118=2025-06-01 \
		1203581011=2025-06-01 >actual &&
	printf "%s\n" "extract cpr/CPR_Bopael_20250615.csv 5" "1202993078 2025-02-14 0101" \
		"1202993078 2025-02-15 0147" "0101701118 2025-06-01 0101" \
		"1203581011 2025-06-01 0101" >expect &&
	test_cmp expect actual
'

test_expect_success 'unknown CPR, a day before any period, overlapping periods' '
	who a $N2 0103851234=2025-03-01 1202993078=2015-04-30 1504901234=2025-03-15 \
		1504901234=2025-04-01 0000000000=2025-03-01 >actual &&
	printf "%s\n" "extract cpr/CPR_Bopael_20250630.csv 8" "0103851234 2025-03-01 0101" \
		"1202993078 2015-04-30 none" "1504901234 2025-03-15 ambiguous(2)" \
		"1504901234 2025-04-01 0175" "0000000000 2025-03-01 unknown-cpr" >expect &&
	test_cmp expect actual
'

test_expect_success 'the first night, read again after the second, uses its own extract' '
	who a $N1 0103851234=2025-03-01 >actual &&
	printf "%s\n" "extract cpr/CPR_Bopael_20250615.csv 5" "0103851234 2025-03-01 unknown-cpr" >expect &&
	test_cmp expect actual
'

test_expect_success 'a night before any extract: none visible, every CPR unknown' '
	who a 2025-06-01 1202993078=2025-02-15 >actual &&
	printf "%s\n" "extract  0" "1202993078 2025-02-15 unknown-cpr" >expect &&
	test_cmp expect actual
'

test_expect_success 'a bad municipality code is refused with file and line, no CPR in the message' '
	mkdir -p bad/cpr &&
	sed "s/^0502664056;0163;/0502664056;16x;/" "$SP/night1/drops/cpr/CPR_Bopael_20250615.csv" \
		>bad/cpr/CPR_Bopael_20250615.csv && touch bad/cpr/CPR_Bopael_20250615.csv.done &&
	sp_night b $N1 "$TRASH/bad" &&
	who b $N1 1203581011=2025-06-01 >out 2>err; test $? -eq 70 &&
	grep -q "cpr/CPR_Bopael_20250615.csv:3: a municipality code is not 3-4 digits" err &&
	! grep -qE "[0-9]{6}-?[0-9]{4}" err
'

test_done
