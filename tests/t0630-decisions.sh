#!/bin/sh
# Decisions on breaks that survive reruns (issue 19): pipeline decide (one,
# and a filled-in file, all or nothing), pipeline exceptions, the status
# rule with decisions, beloeb-aendret on a later night's amount, genaabnet,
# which nights a decision applies to, the archive, the lock, check-store.
. "$(dirname "$0")/lib.sh"
C="$TOP/conf/pipeline.conf"
N1=2021-11-15
N2=2021-11-16
S=summary/nemkonto.csv
E=exceptions/nemkonto.csv
DC=decisions/nemkonto.csv
H=decision-history/nemkonto.csv
# Figur 28's two breaks (tests/golden/guide-nemkonto/exceptions.csv)
R=8c14e79da80a9a31	# retur, 2021-09 11067, 10344,00
O=be87637b314edd11	# ompostering, 2021-07 06058, -3700,00

opts() {
	echo --conf "$C" --state d/state --out d/out
}
night() {
	PIPELINE_ARCHIVE_DIR="$TRASH/d/archive" partial pipeline run --quiet --date "$1" \
		--conf "$C" --drops "$2" --state d/state --out d/out
}
rerun() {
	PIPELINE_ARCHIVE_DIR="$TRASH/d/archive" partial pipeline rerun match-nemkonto --quiet \
		--date "$1" $(opts)
}
status_of() {	# status_of NIGHT MONTH KEY
	grep "^nemkonto;29757895;$2;$3;" d/out/$1/$S | cut -d";" -f10
}

test_expect_success 'a night with two breaks: exceptions lists both open, no decisions/ written' '
	night $N1 "$TOP/fixtures/guide-nemkonto/drops" &&
	test_cmp "$TOP/tests/golden/guide-nemkonto/summary.csv" d/out/$N1/$S &&
	test_cmp "$TOP/tests/golden/guide-nemkonto/exceptions.csv" d/out/$N1/$E &&
	test ! -e d/out/$N1/decisions && test ! -e d/out/$N1/decision-history &&
	cp -r d/out/$N1 first &&
	pipeline exceptions $(opts) >list &&
	head -n 1 list | grep -qx "$(printf "\357\273\277")id;recon;se;month;key;cpr;amount;reason;first_seen;age_days;state;decided;decided_by;decided_at;decided_note;decided_amount;review;decision;note;by" &&
	test $(wc -l <list) -eq 3 &&
	grep -q "^$R;nemkonto;29757895;2021-09;11067;;10344,00;retur: .*;2021-11-15;0;open;;;;;;;;;$" list &&
	grep -q "^$O;nemkonto;29757895;2021-07;06058;;-3700,00;ompostering: .*;open;;;;;;;;;$" list
'

test_expect_success 'decide one: recorded with who and the amount; the summary shows it after a rerun' '
	pipeline decide $R --as forklaret --note "rettet i KY; ny NemKonto" --by AB $(opts) >out &&
	grep -q "^decided $R nemkonto 29757895 2021-09 11067: forklaret by AB at 20[0-9-]*T[0-9:]*Z (amount 10344,00); applies from night 2021-11-15 on; its summary shows it after: pipeline rerun match-nemkonto --date 2021-11-15 --conf $C --state d/state --out d/out$" out &&
	pipeline exceptions --decided $(opts) >dec && test $(wc -l <dec) -eq 2 &&
	grep -q "^$R;.*;decided;forklaret;AB;20[^;]*Z;\"rettet i KY; ny NemKonto\";10344,00;;;;$" dec &&
	pipeline exceptions --open $(opts) >open && test $(wc -l <open) -eq 2 && grep -q "^$O;" open &&
	rerun $N1 &&
	test "$(status_of $N1 2021-09 11067)" = EXPLAINED &&
	test "$(status_of $N1 2021-09 TOTAL)" = EXPLAINED &&
	test "$(status_of $N1 2021-07 06058)" = BREAK &&
	test "$(status_of $N1 2021-07 TOTAL)" = BREAK &&
	grep -v "^nemkonto;29757895;2021-09;" d/out/$N1/$S >a && grep -v "^nemkonto;29757895;2021-09;" first/$S >b &&
	test_cmp b a &&
	test_cmp first/$E d/out/$N1/$E &&
	test $(wc -l <d/out/$N1/$DC) -eq 2 &&
	head -n 1 d/out/$N1/$DC | grep -qx "$(printf "\357\273\277")id;decision;by;at;note;decided_amount;amount;review" &&
	grep -qx "$R;forklaret;AB;20[0-9-]*T[0-9:]*Z;\"rettet i KY; ny NemKonto\";10344,00;10344,00;" d/out/$N1/$DC &&
	grep -qx "$R;1;2021-11-15;forklaret;AB;20[^;]*Z;\"rettet i KY; ny NemKonto\";10344,00" d/out/$N1/$H &&
	test "$(stat -c %a d/out/$N1/$DC)" = 640 && test "$(stat -c %a d/out/$N1/$H)" = 640
'

test_expect_success 'the same decisions give the same bytes: a second rerun is byte-identical' '
	cp -r d/out/$N1 r1 && rerun $N1 &&
	for f in $S $E $DC $H inputs/nemkonto.csv; do cmp r1/$f d/out/$N1/$f || return 1; done
'

test_expect_success 'decide --file: the file exceptions prints, filled in, recorded; the rest stays open' '
	pipeline exceptions --open $(opts) >fill.csv &&
	awk -F";" -v OFS=";" -v id=$O "\$1 == id { \$18 = \"accepteret\"; \$19 = \"Ompostering godkendt af økonomi\"; \$20 = \"CD\" } { print }" fill.csv >filled.csv &&
	pipeline decide --file filled.csv $(opts) >out &&
	grep -q "^decided $O nemkonto .*: accepteret by CD " out && test $(wc -l <out) -eq 1 &&
	rerun $N1 &&
	test "$(status_of $N1 2021-07 06058)" = EXPLAINED &&
	test "$(status_of $N1 2021-07 TOTAL)" = EXPLAINED &&
	test "$(status_of $N1 2021-09 11067)" = EXPLAINED &&
	cut -d";" -f1,2,3 d/out/$N1/$DC >got &&
	printf "%s\n" "$(printf "\357\273\277")id;decision;by" "$R;forklaret;AB" "$O;accepteret;CD" >want &&
	test_cmp want got &&
	grep -q "^$O;accepteret;CD;.*;Ompostering godkendt af økonomi;-3700,00;-3700,00;$" d/out/$N1/$DC &&
	pipeline exceptions --open $(opts) >open && test $(wc -l <open) -eq 1
'

test_expect_success 'a hand-written file: columns in any order, CRLF, Windows-1252' '
	printf "by;note;id;decision\r\nEF;bem\346rkning;$R;afskrevet\r\n" >hand.csv &&
	pipeline decide --file hand.csv $(opts) >out &&
	grep -q "^decided $R .*: afskrevet by EF " out &&
	pipeline exceptions --decided $(opts) >dec &&
	grep -q "^$R;.*;decided;afskrevet;EF;[^;]*;bemærkning;10344,00;;;;$" dec
'

# Initials name a clerk (tester finding 8): 2 to 8 letters (README).
test_expect_success 'decide --by: 1, a1, ABCDEFGHIJKL refused (64, nothing recorded); ØK accepted' '
	pipeline exceptions --decided $(opts) >before &&
	for by in 1 a1 ABCDEFGHIJKL A "A B"; do
		{ pipeline decide $O --as forklaret --note x --by "$by" $(opts) >out 2>err
		  test $? -eq 64; } || { echo "--by $by accepted"; return 1; }
		grep -qx "pipeline: initials are 2 to 8 letters (A-Z, or such as Æ, Ø, Å), no digits, blanks or signs" err ||
			return 1
	done &&
	pipeline exceptions --decided $(opts) >after && test_cmp before after &&
	cp -r d dk && pipeline decide $O --as forklaret --note x --by ØK \
		--conf "$C" --state dk/state --out dk/out >out &&
	grep -q ": forklaret by ØK at " out
'

test_expect_success 'a malformed decisions file: every error as file:line:column, nothing recorded (65)' '
	pipeline exceptions --decided $(opts) >before &&
	printf "id;decision;note;by\n%s;genaabnet;ok;AB\n%s;forklart;ok;AB\n%s;forklaret;;AB\nxyz;forklaret;n;AB\n%s;forklaret;n;A B\n" \
		$R $O $O $O >bad.csv &&
	{ pipeline decide --file bad.csv $(opts) >out 2>err; test $? -eq 65; } && cat err &&
	grep -qx "pipeline: bad.csv:3:2: decision .forklart. is not one of forklaret, accepteret, afskrevet, genaabnet" err &&
	grep -qx "pipeline: bad.csv:4:3: the note is empty: say why" err &&
	grep -qx "pipeline: bad.csv:5:1: .xyz. is not an exception id (16 lowercase hex digits, the id column of exceptions/)" err &&
	grep -qx "pipeline: bad.csv:6:4: initials are 2 to 8 letters (A-Z, or such as Æ, Ø, Å), no digits, blanks or signs" err &&
	grep -qx "pipeline: decide: nothing recorded" err && test ! -s out &&
	pipeline exceptions --decided $(opts) >after && test_cmp before after &&
	printf "id;decision;note\n%s;forklaret;x\n" $R >nocol.csv &&
	{ pipeline decide --file nocol.csv $(opts) 2>err; test $? -eq 65; } &&
	grep -qx "pipeline: nocol.csv:1:1: no column .by. in the header (a decisions file has id;decision;note;by)" err &&
	printf "id;decision;note;by\n%s;forklaret;x;AB\n%s;accepteret;y;AB\n" $R $R >twice.csv &&
	{ pipeline decide --file twice.csv $(opts) 2>err; test $? -eq 65; } &&
	grep -qx "pipeline: twice.csv:3:1: $R is decided on line 2 too: one decision per exception in a file" err &&
	printf "id;decision;note;by\n%s;;a note;AB\n" $R >nodecision.csv &&
	{ pipeline decide --file nodecision.csv $(opts) 2>err; test $? -eq 65; } &&
	grep -qx "pipeline: nodecision.csv:2:2: a note or initials but no decision (forklaret, accepteret, afskrevet, genaabnet)" err &&
	pipeline exceptions --decided $(opts) >after && test_cmp before after
'

test_expect_success 'an unknown id: named, exit 67, nothing recorded (alone and in a file)' '
	pipeline exceptions --decided $(opts) >before &&
	{ pipeline decide 0123456789abcdef --as forklaret --note x --by AB $(opts) 2>err; test $? -eq 67; } &&
	grep -qx "pipeline: decide: unknown exception id 0123456789abcdef: no night of this store has shown it" err &&
	printf "id;decision;note;by\n%s;genaabnet;ok;AB\n0123456789abcdef;forklaret;x;AB\n" $R >unknown.csv &&
	{ pipeline decide --file unknown.csv $(opts) 2>err; test $? -eq 67; } &&
	grep -qx "pipeline: unknown.csv:3:1: unknown exception id 0123456789abcdef: no night of this store has shown it" err &&
	{ pipeline decide $R --as forklaret --note x --by AB --date 2021-11-14 $(opts) 2>err; test $? -eq 66; } &&
	grep -q "night 2021-11-14 wrote no exceptions" err &&
	pipeline exceptions --decided $(opts) >after && test_cmp before after
'

# The tester's file: an unknown id was named only when every other line was
# fine, and a missing file had no FILE: prefix.
test_expect_success 'decide --file: every row'"'"'s error in one pass, unknown ids with format errors (65)' '
	pipeline exceptions --decided $(opts) >before &&
	printf "id;decision;note;by\n0123456789abcdef;forklaret;x;AB\n%s;forklart;ok;AB\nfedcba9876543210;forklaret;;AB\n" \
		$O >mixed.csv &&
	{ pipeline decide --file mixed.csv $(opts) >out 2>err; test $? -eq 65; } && cat err &&
	grep -qx "pipeline: mixed.csv:2:1: unknown exception id 0123456789abcdef: no night of this store has shown it" err &&
	grep -qx "pipeline: mixed.csv:3:2: decision .forklart. is not one of forklaret, accepteret, afskrevet, genaabnet" err &&
	grep -qx "pipeline: mixed.csv:4:3: the note is empty: say why" err &&
	grep -qx "pipeline: mixed.csv:4:1: unknown exception id fedcba9876543210: no night of this store has shown it" err &&
	test "$(grep -c "^pipeline: mixed.csv:" err)" = 4 &&
	{ pipeline decide --file nosuch.csv $(opts) >out 2>err; test $? -eq 65; } &&
	grep -qx "pipeline: nosuch.csv: No such file or directory (the decisions file given with --file)" err &&
	pipeline exceptions --decided $(opts) >after && test_cmp before after
'

test_expect_success 'usage: a wrong word, no note, --file with --as: exit 64' '
	{ pipeline decide $R --as forklart --note x --by AB $(opts) 2>err; test $? -eq 64; } &&
	grep -q "decision .forklart. is not one of" err &&
	{ pipeline decide $R --as forklaret --by AB $(opts) 2>err; test $? -eq 64; } &&
	{ pipeline decide --file x.csv --as forklaret $(opts) 2>err; test $? -eq 64; } &&
	{ pipeline exceptions --open --decided $(opts) 2>err; test $? -eq 64; } &&
	{ pipeline exceptions --as forklaret $(opts) 2>err; test $? -eq 64; } &&
	grep -q "exceptions takes no --as" err &&
	{ pipeline exceptions --conf "$C" --state none/state --out none/out 2>err; test $? -eq 66; } &&
	test ! -e none
'

test_expect_success 'a running night blocks decide with a clear message (75), nothing recorded' '
	pipeline exceptions --decided $(opts) >before &&
	{ flock d/state/lock pipeline decide $O --as genaabnet --note x --by AB $(opts) 2>err; test $? -eq 75; } &&
	grep -q "decide: a night is running on d/state: nothing recorded; decide again when it has finished (or give --wait)" err &&
	pipeline exceptions --decided $(opts) >after && test_cmp before after
'

test_expect_success 'a later night keeps the decisions (same ids, same amounts)' '
	night $N2 "$TOP/fixtures/guide-nemkonto/drops" &&
	test "$(status_of $N2 2021-09 11067)" = EXPLAINED &&
	test "$(status_of $N2 2021-07 06058)" = EXPLAINED &&
	grep -q "^$R;afskrevet;EF;.*;10344,00;10344,00;$" d/out/$N2/$DC &&
	grep -q "^$O;accepteret;CD;.*;-3700,00;-3700,00;$" d/out/$N2/$DC &&
	cut -d";" -f1-4 d/out/$N2/$H >got &&
	printf "%s\n" "$(printf "\357\273\277")id;seq;night;decision" "$R;1;2021-11-15;forklaret" \
		"$R;2;2021-11-15;afskrevet" "$O;1;2021-11-15;accepteret" >want &&
	test_cmp want got
'

test_expect_success 'genaabnet on the later night: open again there; the earlier night keeps its bytes' '
	rerun $N1 && cp -r d/out/$N1 before1 &&
	pipeline decide $O --as genaabnet --note "ompostering tilbageført" --by CD $(opts) >out &&
	grep -q "applies from night 2021-11-16 on" out &&
	rerun $N2 &&
	test "$(status_of $N2 2021-07 06058)" = BREAK &&
	grep -q "^$O;genaabnet;CD;.*;ompostering tilbageført;-3700,00;-3700,00;$" d/out/$N2/$DC &&
	grep -q "^$O;2;2021-11-16;genaabnet;CD;" d/out/$N2/$H &&
	rerun $N1 &&
	for f in $S $E $DC $H; do cmp before1/$f d/out/$N1/$f || return 1; done &&
	! grep -q genaabnet d/out/$N1/$H &&
	pipeline exceptions --date $N1 --decided $(opts) >dec1 && test $(wc -l <dec1) -eq 3
'

test_expect_success 'the archive seals the decisions and their history with the night' '
	pipeline archive show $N1 --conf "$C" --archive d/archive >show &&
	grep -q "decisions/nemkonto.csv" show && grep -q "decision-history/nemkonto.csv" show &&
	pipeline archive extract $N2 --recon nemkonto --to ex --conf "$C" --archive d/archive &&
	cmp ex/$N2/$DC d/out/$N2/$DC && cmp ex/$N2/$H d/out/$N2/$H &&
	test -f ex/$N2/$S && test -f ex/$N2/$E
'

# ky-eindkomst (a sum-level id: recon, SE, month, key, CPR, code; no amount)
U=c8ac2ef75f7b5be3	# unexplained, 2021-02 0014, 151533,69 (golden eindkomst-drilldown)
ec() {
	echo --conf "$C" --state c/state --out c/out
}
eknight() {
	PIPELINE_ARCHIVE_DIR="$TRASH/c/archive" partial pipeline run --quiet --date "$1" --conf "$C" \
		--drops "$2" --state c/state --out c/out
}
ekstatus() {	# ekstatus NIGHT KEY
	grep "^ky-eindkomst;29757895;2021-02;$2;" c/out/$1/summary/ky-eindkomst.csv | cut -d";" -f10
}

test_expect_success 'CPR numbers in exceptions are masked unless --show-cpr on a terminal (as archive search)' '
	eknight 2021-02-05 "$TOP/fixtures/eindkomst-drilldown/drops" &&
	grep -q ";0909721188;" c/out/2021-02-05/exceptions/ky-eindkomst.csv &&
	pipeline exceptions --recon ky-eindkomst $(ec) >masked &&
	grep -q ";090972-xxxx;" masked && ! grep -q "0909721188" masked &&
	pipeline exceptions --recon nemkonto $(ec) >none && test $(wc -l <none) -eq 1 &&
	{ pipeline exceptions --recon nemkonot $(ec) >none 2>err; test $? -eq 64; } &&
	grep -q "exceptions: night 2021-02-05 has no reconciliation .nemkonot. (no c/out/2021-02-05/exceptions/nemkonot.csv)" err &&
	pipeline exceptions --recon ky-eindkomst --show-cpr $(ec) >piped 2>err &&
	grep -qx "pipeline: --show-cpr ignored: standard output is not a terminal, so CPR numbers stay masked (DDMMYY-xxxx)" err &&
	cmp masked piped &&
	script -qec "pipeline exceptions --recon ky-eindkomst --show-cpr $(ec)" /dev/null >full &&
	grep -q ";0909721188;" full &&
	id=$(grep ";0909721188;" full | head -n 1 | cut -d";" -f1) &&
	pipeline decide $id --as forklaret --note "person 0909721188 rettet" --by AB $(ec) >out 2>err &&
	! grep -q 0909721188 out err && grep -q "090972-xxxx" out &&
	pipeline exceptions --decided $(ec) >dec &&
	grep -q "person 090972-xxxx rettet" dec
'

test_expect_success 'a field rest decided: its row EXPLAINED with the persons it details; TOTAL stays BREAK' '
	test "$(ekstatus 2021-02-05 0014)" = BREAK &&
	pipeline decide $U --as accepteret --note "SKAT retter i marts" --by AB $(ec) &&
	PIPELINE_ARCHIVE_DIR="$TRASH/c/archive" partial pipeline rerun match-ky-eindkomst --quiet \
		--date 2021-02-05 $(ec) &&
	test "$(ekstatus 2021-02-05 0014)" = EXPLAINED &&
	test "$(ekstatus 2021-02-05 0015)" = BREAK &&
	test "$(ekstatus 2021-02-05 TOTAL)" = BREAK &&
	grep -q "^$U;accepteret;AB;.*;151533,69;151533,69;$" c/out/2021-02-05/decisions/ky-eindkomst.csv
'

test_expect_success 'a later night with a changed amount: flagged beloeb-aendret, does not count' '
	mkdir -p c2/ky c2/eindkomst &&
	cp "$TOP"/fixtures/eindkomst-drilldown/drops/ky/* c2/ky/ &&
	cp "$TOP"/fixtures/eindkomst-drilldown/drops/eindkomst/* c2/eindkomst/ &&
	sed "s/^2021-02;29757895;39.584,09;/2021-02;29757895;39.684,09;/" \
		"$TOP"/fixtures/eindkomst-drilldown/drops/ky/KY_SumEindkomst_29757895_20210205.csv \
		>c2/ky/KY_SumEindkomst_29757895_20210206.csv &&
	: >c2/ky/KY_SumEindkomst_29757895_20210206.csv.done &&
	eknight 2021-02-06 "$TRASH/c2" &&
	grep -q "^$U;ky-eindkomst;29757895;2021-02;0014;;151633,69;" c/out/2021-02-06/exceptions/ky-eindkomst.csv &&
	test "$(ekstatus 2021-02-06 0014)" = BREAK &&
	grep -q "^$U;accepteret;AB;.*;151533,69;151633,69;beloeb-aendret$" c/out/2021-02-06/decisions/ky-eindkomst.csv &&
	pipeline exceptions --open $(ec) >open &&
	grep -q "^$U;.*;151633,69;.*;open;accepteret;AB;.*;151533,69;beloeb-aendret;;;$" open &&
	test "$(ekstatus 2021-02-05 0014)" = EXPLAINED
'

test_expect_success 'README shows decide and exceptions --help as they print it' '
	for p in decide exceptions; do
		awk -v m="<!-- help: pipeline $p -->" "\$0 == m { on = 1; next }
			on && /^    / { print substr(\$0, 5); next } on { exit }" "$TOP/README.md" >readme.txt &&
		pipeline $p --help >h && test_cmp h readme.txt || return 1
	done
'

test_done
