#!/bin/sh
# pipeline check-store: a clean night passes; a COPY of its store damaged in
# one way at a time shows exactly that problem, named, with exit 1.
. "$(dirname "$0")/lib.sh"
C="$TOP/conf/pipeline.conf"
D=2021-02-10
DROPS="$TOP/fixtures/guide-skat-afregning/drops"
POKE="$TOP/${BUILD:-build/opt}/tests/storepoke"
[ -x "$POKE" ] || POKE=$(ls "$TOP"/build/*/tests/storepoke | head -n 1)
KYSUM=ky/KY_SumEindkomst_29757895_20210205.csv
ID=$(sha256sum "$DROPS/$KYSUM" | cut -c1-16)
# the file id as storepoke (mdb_dump -p) writes bytes: \b7\44...
PID=$(printf '%s' "$ID" | sed 's/../\\&/g')
F="file $ID ($KYSUM)"
# the coverage entry of that file, as check-store names it
E="eindkomst.ky_sum SE 29757895 month 202102 date 20210205 $F"

# check NAME [options]: check-store on NAME/state and NAME/out
check() {
	cn=$1
	shift
	pipeline check-store --conf "$C" --state "$cn/state" --out "$cn/out" "$@"
}

# records NAME DB: "KEY<tab>VALUE" per record, as storepoke reads them
records() {
	"$POKE" "$1/state/store" list "$2"
}

# key NAME DB PATTERN, value NAME DB PATTERN: of the first record whose
# key matches PATTERN (grep -E)
key() {
	records "$1" "$2" | cut -f1 | grep -E -e "$3" | head -n 1
}
value() {
	records "$1" "$2" | grep -E -e "$3" | head -n 1 | cut -f2
}
# The ky_sum file's coverage value is "COUNT SEGMENT" (mdb_dump -p shows
# the space as \20): its count, its segment (16 hex), and the segment as
# storepoke writes bytes, the prefix of the file's row keys.
count() {
	value sa coverage "^eindkomst\.ky_sum" | sed 's/\\20.*//'
}
seg() {
	value sa coverage "^eindkomst\.ky_sum" | sed 's/.*\\20//'
}
pseg() {
	seg | sed 's/../\\&/g'
}

poke() {
	pn=$1
	shift
	"$POKE" "$pn/state/store" "$@"
}

# damaged NAME: a copy of the clean night, to damage (test_done skips it)
damaged() {
	rm -rf "$1" && cp -r sa "$1" && no_store_check "$1/state"
}

# expect NAME LINE [options]: check-store exits 1 and prints LINE exactly
expect() {
	en=$1 line=$2
	shift 2
	check "$en" "$@" >"out.$en" 2>&1
	rc=$?
	cat "out.$en"
	test $rc -eq 1 && grep -qxF -e "$line" "out.$en"
}

# expect_re NAME REGEX: the same, the line given as a regular expression
expect_re() {
	check "$1" >"out.$1" 2>&1
	rc=$?
	cat "out.$1"
	test $rc -eq 1 && grep -qxE -e "$2" "out.$1"
}

test_expect_success 'a clean night passes: exit 0 and the summary line' '
	pipeline run --quiet --date $D --conf "$C" --drops "$DROPS" --state sa/state --out sa/out &&
	check sa >out && cat out &&
	dbs=$(( $(grep -c "^store " "$TOP/schemas/stores") + 11 )) &&
	grep -qxE "check-store: sa/state: 0 problem\(s\) in $dbs databases, [1-9][0-9]* rows, [1-9][0-9]* coverage entries, 7 files, [1-9][0-9]* ledger entries, 1 vouchers" out &&
	test $(wc -l <out) -eq 1
'

test_expect_success '--quiet prints nothing for a clean store; --hash and --verbose pass too' '
	check sa --quiet >out && test ! -s out &&
	check sa --hash >out && grep -q "0 problem(s)" out &&
	check sa --verbose >out && grep -q "^check-store: files: 7 record(s)$" out
'

test_expect_success 'the check writes nothing: the store files keep their bytes' '
	sha256sum sa/state/store/data.mdb >before &&
	check sa --quiet && sha256sum sa/state/store/data.mdb >after &&
	test_cmp before after
'

test_expect_success 'no store: exit 70, "no store at DIR", and nothing is created' '
	{ pipeline check-store --conf "$C" --state none/state 2>err; test $? -eq 70; } &&
	grep -q "no store at none/state" err && test ! -e none
'

test_expect_success 'usage errors exit 64' '
	{ pipeline check-store --conf "$C" --state sa/state --date $D 2>err; test $? -eq 64; } &&
	{ pipeline check-store --conf "$C" --state sa/state --bogus 2>err; test $? -eq 64; } &&
	{ pipeline check-store --conf "$C" --state sa/state extra 2>err; test $? -eq 64; }
'

test_expect_success 'a garbage coverage key like the one a reused MDB_val left' '
	damaged g &&
	k=$(key sa coverage "^eindkomst\.skat_person") && test -n "$k" &&
	poke g put coverage "$(printf "%s" "$k" | cut -c5-)" loading &&
	expect_re g "check-store: coverage: key \"komst\.skat_person\\\\0.*\" names no store of schemas/stores"
'

test_expect_success 'a coverage count off by one' '
	damaged c &&
	k=$(key sa coverage "^eindkomst\.ky_sum") && n=$(count) && test -n "$n" &&
	poke c put coverage "$k" "$((n + 1)) $(seg)" &&
	expect c "check-store: coverage: $E: says $((n + 1)) row(s), eindkomst.ky_sum holds $n" &&
	grep -qxF "check-store: files: $F: records=$n but its coverage entries count $((n + 1)) row(s)" out.c
'

test_expect_success 'an orphan row (no coverage entry for its SE and month)' '
	damaged o &&
	poke o put eindkomst.ky_sum "$(pseg)29757895202001\\00\\00\\00\\00\\00\\01\\00\\00\\00\\02" "\\00" &&
	expect o "check-store: eindkomst.ky_sum: 1 row(s) of segment $((0x$(seg))) for SE 29757895 month 202001 have no coverage entry (orphan rows)"
'

test_expect_success 'rows of a coverage entry gone are orphans' '
	damaged o2 &&
	k=$(key sa coverage "^eindkomst\.ky_sum") && n=$(count) &&
	poke o2 del coverage "$k" && poke o2 del filecover "$PID$k" &&
	expect o2 "check-store: eindkomst.ky_sum: $n row(s) of segment $((0x$(seg))) for SE 29757895 month 202102 have no coverage entry (orphan rows)"
'

test_expect_success 'a missing filecover entry, and one that indexes nothing' '
	damaged f &&
	k=$(key sa coverage "^eindkomst\.ky_sum") &&
	poke f del filecover "$PID$k" &&
	expect f "check-store: coverage: $E: no filecover entry" &&
	damaged f2 &&
	poke f2 put filecover "${PID}eindkomst.ky_sum\\002975789520210179789794$PID" "" &&
	expect f2 "check-store: filecover: eindkomst.ky_sum SE 29757895 month 202101 date 20210205 $F: no such coverage entry"
'

test_expect_success 'a night'"'"'s landed file that says replaced, no later night having corrected it' '
	damaged rp &&
	r=$(records sa files | grep -F "relpath=$KYSUM\\0a") && test -n "$r" &&
	poke rp put files "$(printf "%s" "$r" | cut -f1)" \
		"$(printf "%s" "$r" | cut -f2 | sed "s/status=loaded/status=replaced/")" &&
	expect rp "check-store: landed: \"$D\\0$KYSUM\": $F is the night'"'"'s file but says replaced, and no later night landed another version of its name (its rows are not in the store)"
'

test_expect_success 'a stale "loading" entry; with a live run holding the lock, a note' '
	damaged l &&
	k=$(key sa coverage "^eindkomst\.ky_sum") &&
	poke l put coverage "$k" "loading $(seg)" &&
	expect l "check-store: coverage: $E: says \"loading\" and no run holds the lock: rows of a load that never finished, hidden from every night" &&
	{ flock l/state/lock sleep 3 & } && sleep 0.5 &&
	check l >out && cat out &&
	grep -qxF "check-store: coverage: note: $E: \"loading\" (a live run holds the lock)" out &&
	grep -q "a live run holds the lock: \"loading\" and \"running\" entries are notes" out &&
	wait
'

test_expect_success 'a "running" ledger entry and no run: a killed stage nothing marked failed' '
	damaged r &&
	v=$(value sa ledger "^$D\\\\00report	") &&
	poke r put ledger "$D\\00report" "$(printf "%s" "$v" | sed "s/state=done/state=running/")" &&
	expect r "check-store: ledger: $D report: says running and no run holds the lock (a killed stage that nothing marked failed)"
'

test_expect_success 'two ledger entries of one seq; a counter ahead of every entry' '
	damaged q &&
	v=$(value sa ledger "^$D\\\\00report	") &&
	s=$(value sa ledger "^$D\\\\00archive	" | sed "s/.*seq=\([0-9]*\).*/\1/") &&
	poke q put ledger "$D\\00report" "$(printf "%s" "$v" | sed "s/seq=[0-9]*/seq=$s/")" &&
	expect q "check-store: ledger: $D report: seq $s is also the seq of $D archive" &&
	damaged q2 && n=$((s + 1)) &&
	poke q2 put meta ledger-seq "$(printf "\\\\00\\\\00\\\\00\\\\00\\\\00\\\\00\\\\%02x\\\\%02x" $((n >> 8)) $((n & 255)))" &&
	expect q2 "check-store: ledger: no entry has seq $n, the counter (meta ledger-seq): the entry written last is gone"
'

test_expect_success 'a voucher event whose current voucher is nowhere' '
	damaged e &&
	k=$(key sa vouchers "^e/") && v=$(value sa vouchers "^e/") &&
	poke e put vouchers "$k" "$(printf "%s" "$v" | sed "s/current=[-0-9a-f]*/current=deadbeef-dead-4eef-8ead-deadbeefdead/")" &&
	expect e "check-store: vouchers: event $(printf "%s" "$k" | cut -c3-18)...: its current voucher n/20210210/deadbeef-dead-4eef-8ead-deadbeefdead: no such voucher"
'

test_expect_success 'an unbalanced voucher' '
	damaged u &&
	k=$(key sa vouchers "^n/") && v=$(value sa vouchers "^n/") &&
	poke u put vouchers "$k" "$(printf "%s" "$v" | sed "s/p0\.amount=/p0.amount=1/")" &&
	expect u "check-store: vouchers: voucher $k: unbalanced: debit 1126,03, credit 126,03"
'

test_expect_success 'a files record whose landed bytes are gone; changed bytes with --hash' '
	damaged b &&
	rm b/state/landing/$D/$KYSUM &&
	expect b "check-store: files: $F: its landed bytes b/state/landing/$D/$KYSUM are missing" &&
	damaged h &&
	printf X | dd of=h/state/landing/$D/$KYSUM bs=1 seek=3 conv=notrunc 2>/dev/null &&
	check h --quiet &&
	expect h "check-store: files: $F: its landed bytes h/state/landing/$D/$KYSUM have sha $(sha256sum h/state/landing/$D/$KYSUM | cut -c1-16)..., the record says $ID..." --hash
'

test_expect_success 'a voucher without its XML file in OUT, and an XML file the store does not know' '
	damaged x &&
	id=$(key sa vouchers "^n/" | cut -d/ -f3) && test -n "$id" &&
	rm x/out/$D/vouchers/$id.xml &&
	expect x "check-store: vouchers: voucher n/20210210/$id: x/out/$D/vouchers/$id.xml is missing" &&
	damaged x2 &&
	cp x2/out/$D/vouchers/$id.xml x2/out/$D/vouchers/feedface-feed-4ace-8eed-facefeedface.xml &&
	expect x2 "check-store: vouchers: x2/out/$D/vouchers/feedface-feed-4ace-8eed-facefeedface.xml: no such voucher of that night in the store"
'

test_expect_success 'a night whose outputs were moved away is a note, not a problem' '
	damaged m && mv m/out/$D m/moved &&
	check m >out && cat out &&
	grep -qxF "check-store: vouchers: note: night $D: m/out/$D is missing (outputs moved away?): its 1 voucher file(s) not checked" out
'

test_expect_success 'a row that does not decode is named with its CPR masked' '
	damaged p &&
	k=$(key sa eindkomst.ky_detail .) && test -n "$k" &&
	poke p put eindkomst.ky_detail "$k" "\\ff" &&
	expect_re p "check-store: eindkomst.ky_detail: row segment [0-9]+ se=29757895 month=202102 cpr=[0-9]{6}-xxxx record [0-9]+ does not decode" &&
	grep -q ": 1 problem(s) in " out.p &&
	! grep -E "[0-9]{10}" out.p
'

test_expect_success 'a coverage value of layout 3 (a count without its segment) is a problem' '
	damaged v &&
	k=$(key sa coverage "^eindkomst\.ky_sum") && n=$(count) &&
	poke v put coverage "$k" "$n" &&
	expect v "check-store: coverage: $E: value \"$n\" is neither \"COUNT SEGMENT\" nor \"loading SEGMENT\""
'

test_expect_success 'a store of another layout says so and does not decode its rows' '
	damaged y &&
	poke y put meta layout "2:0000" &&
	expect_re y "check-store: meta: layout is \"2:0000\", schemas/stores makes \"[0-9]+:[0-9a-f]{64}\" \(a store of another layout: rows are not decoded\)"
'

test_expect_success 'decisions: a value that does not decode, an id the store never showed, a gap' '
	damaged dz &&
	id=$(tail -q -n +2 dz/out/$D/exceptions/*.csv | head -n 1 | cut -d";" -f1) && test -n "$id" &&
	pipeline decide $id --as forklaret --note ok --by AB --conf "$C" --state dz/state --out dz/out >/dev/null &&
	check dz --quiet && rm -rf dz2 && cp -r dz dz2 &&
	good="night=$D\0adecision=accepteret\0aby=AB\0aat=2021-02-11T08:00:00Z\0aamount=1\0anote=x" &&
	poke dz put decisions "$id/00000002" "night=$D\0adecision=glemt\0aby=AB\0aat=2021-02-11T08:00:00Z\0aamount=1\0anote=x" &&
	expect dz "check-store: decisions: \"$id/00000002\": decision is not one of forklaret, accepteret, afskrevet, genaabnet" &&
	poke dz2 put decisions "0000000000000000/00000001" "$good" &&
	poke dz2 put decisions "$id/00000003" "$good" &&
	expect dz2 "check-store: decisions: 0000000000000000: not an exception id the store has seen (breaks)" &&
	expect dz2 "check-store: decisions: $id: decision 3 follows 1: one is missing (a decision is never deleted)"
'

test_done
