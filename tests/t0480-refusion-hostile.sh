#!/bin/sh
# Inter-municipal refund (seed 000): hostile participant lists
# (tests/hostile-refusion/README.md): an unknown layout, an unknown school,
# bad CPR numbers, an XML bomb, external entities, a huge value, deep
# nesting. A list is refused or its bad rows are named; nothing leaks, and
# a bad CPR is an exception with its file and line, never a lost row.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib-recon.sh"
H="$TOP/tests/hostile-refusion"
R=mellemkommunal-refusion
N=2025-06-30

# rows NAME: reason;key;amount;fil;linje;cpr_raw of the night's exceptions
rows() {
	tail -n +2 "$1/out/$N/exceptions/$R.csv" |
		awk -F";" '{ split($8, r, ":"); print r[1] ";" $5 ";" $7 ";" $15 ";" $16 ";" $17 }' |
		LC_ALL=C sort
}

test_expect_success 'bad CPR numbers: seven cpr-ugyldig with file, line and the cell; the good line charged' '
	run "$H/bad-cpr/drops" bad $N 2>log &&
	rows bad >actual && test_cmp "$H/bad-cpr/expected/breaks" actual &&
	tail -n +2 bad/out/$N/charges/charges.csv | cut -d";" -f1,5,6 >actual &&
	echo "0101;1;109,80" >expect && test_cmp expect actual &&
	! test -e bad/out/$N/rejected &&
	grep -q "^match-refusion;done;0;8;" bad/out/$N/status &&
	for c in 320185-1234 601385-1234 abcdef 290225-1234 920358-1011 720358-1011 7203581011; do
		! grep -q "$c" log bad/out/$N/status || return 1
	done
'

test_expect_success 'an unknown layout: the file is refused, named, nothing charged' '
	run "$H/unknown-layout/drops" lay $N 2>log; test $? -eq 65 &&
	grep -q "stage-normalise: aftenskoler/AFS_NORD_20250621.csv:1: missing column .Holdnr. (schema aftenskole-nord)" log &&
	grep -q "^match-refusion;done;0;0;" lay/out/$N/status &&
	! test -e lay/out/$N/charges
'

test_expect_success 'an unknown school (no input line): not loaded, named' '
	run "$H/unknown-school/drops" sch $N 2>log; test $? -eq 65 &&
	grep -q "aftenskoler/AFS_VEST_20250621.csv: no .input. in .*conf/pipeline.conf names this file; not loaded" log
'

for c in bomb xxe xxe-dtd; do
	test_expect_success "$c: the XML list is refused at its DOCTYPE (line 2), nothing expanded or fetched" "
		run \"\$H/$c/drops\" $c \$N 2>log; test \$? -eq 65 &&
		grep -q 'stage-normalise: aftenskoler/AFS_MUSIK_20250619.xml:2: DOCTYPE refused: DTDs and entities are not accepted' log &&
		grep -q '^aftenskoler/AFS_MUSIK_20250619.xml;2;;file not loaded' $c/out/\$N/rejected/aftenskoler-AFS_MUSIK_20250619.xml.csv &&
		! grep -rq 'root:\\|lollollol' $c/out log &&
		! test -e $c/out/\$N/charges
	"
done

test_expect_success 'a 1 MiB value: that row is rejected, the other row of the list is charged' '
	mkdir -p big/aftenskoler big/cpr && cp "$H/bad-cpr/drops/cpr/"* big/cpr/ &&
	python3 - big/aftenskoler/AFS_MUSIK_20250619.xml <<-PY &&
	import sys
	head = "<Deltagerliste>\n  <Hold nr=\"M-9\" navn=\"Musik\" start=\"2025-02-10\" slut=\"2025-05-19\" form=\"almen\">\n"
	open(sys.argv[1], "w").write(head + "    <Deltager cpr=\"6112993078\" navn=\"" + "N" * 1048576 +
	    "\" timer=\"20\"/>\n    <Deltager cpr=\"6101701118\" navn=\"Jens\" timer=\"12\"/>\n  </Hold>\n</Deltagerliste>\n")
	open(sys.argv[1] + ".done", "w").close()
	PY
	run "$TRASH/big" big $N 2>log; test $? -eq 65 &&
	grep -q "^aftenskoler/AFS_MUSIK_20250619.xml;3;@navn;" big/out/$N/rejected/aftenskoler-AFS_MUSIK_20250619.xml.csv &&
	tail -n +2 big/out/$N/charges/charges.csv | cut -d";" -f1,5,6 >actual &&
	echo "0101;1;131,76" >expect && test_cmp expect actual
'

test_expect_success '100 nested elements: the list is refused, named' '
	mkdir -p deep/aftenskoler deep/cpr && cp "$H/bad-cpr/drops/cpr/"* deep/cpr/ &&
	python3 - deep/aftenskoler/AFS_MUSIK_20250619.xml <<-PY &&
	import sys
	head = "<Deltagerliste>\n  <Hold nr=\"M-9\" navn=\"Musik\" start=\"2025-02-10\" slut=\"2025-05-19\" form=\"almen\">\n"
	open(sys.argv[1], "w").write(head + "    <Deltager cpr=\"6112993078\" navn=\"F\" timer=\"20\">" + "<a>" * 100 +
	    "</a>" * 100 + "</Deltager>\n  </Hold>\n</Deltagerliste>\n")
	open(sys.argv[1] + ".done", "w").close()
	PY
	run "$TRASH/deep" deep $N 2>log; test $? -eq 65 &&
	grep -q "stage-normalise: aftenskoler/AFS_MUSIK_20250619.xml:[0-9]*: .*deep" log &&
	! test -e deep/out/$N/charges
'

test_done
