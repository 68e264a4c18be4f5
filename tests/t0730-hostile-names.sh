#!/bin/sh
# No name, path or size from an input decides anything outside the landing
# area (SECURITY.md): a compromised SFTP server (tests/hostile-sftp.py
# behind the loopback sshd) lists names no file system holds ('..', '/',
# absolute paths, control characters, over NAME_MAX and PATH_MAX, a NUL
# byte) and a file longer than it says; zip and tar drops carry members
# with such names. Each is refused by name (printable), nothing is created
# outside STATE/landing and OUT, and the good file beside them lands.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sshd.sh"

H="$TOP/tests/hostile-names.py"

sshd_setup >"$TRASH/setup.log" 2>&1 || { cat "$TRASH/setup.log"; exit 1; }
mkdir -p "$TRASH/outside"

test_expect_success 'setup: a hostile SFTP server behind the loopback sshd' '
	python3 "$H" listing "$TRASH/outside" >listing.json &&
	sshd_subsystem "/usr/bin/python3 $TOP/tests/hostile-sftp.py $TRASH/listing.json $TRASH/sftp.log" &&
	mkdir t && sshd_start && sftp_conf c && sed -i "/^source eindkomst/,\$d" c/sources.conf &&
	grep -c "^source " c/sources.conf | grep -qx 1
'

test_expect_success 'over SFTP: every bad name refused by name, the good file lands, 65' '
	touch stamp && sleep 1 &&
	{ stage-fetch --verbose --date 2021-02-05 --conf c/pipeline.conf --state n/state \
		--out n/out 2>log; test $? -eq 65; } &&
	test "$(ls n/state/landing/2021-02-05/ky)" = KY_Good_20210205.csv &&
	test "$(cat n/state/landing/2021-02-05/ky/KY_Good_20210205.csv)" = good &&
	grep "a file name that cannot be a landing name" log >t/refused &&
	test "$(wc -l <t/refused)" = 12 &&
	grep -qF "source ky: '\''../../../../../outside/rel.csv'\'': a file name" t/refused &&
	grep -qF "source ky: '\''$TRASH/outside/abs.csv'\'': a file name" t/refused &&
	grep -qF "source ky: '\''ctl?.csv'\'': a file name" t/refused &&
	grep -qF "source ky: '\''nl?.csv'\'': a file name" t/refused &&
	grep -qF "source ky: '\''esc?[31m.csv'\'': a file name" t/refused &&
	grep -qF "source ky: '\''$(printf "%0300d" 0 | tr 0 L | cut -c1-200)'\'': a file name" t/refused &&
	grep -qF "source ky: '\''$(printf "%0200d" 0 | tr 0 P)'\'': a file name" t/refused &&
	grep -q "source ky: .KY_nul.csv\.\.\..: a file name with a NUL byte; not taken" log &&
	test "$(grep -c "a file name with a NUL byte" log)" = 2
'

test_expect_success 'over SFTP: no raw control character reaches the log' '
	! grep -q "$(printf "\033")" log && ! grep -q "$(printf "\001")" log &&
	test "$(grep -c "^nl" log)" = 0
'

test_expect_success 'over SFTP: only the plain names were ever opened on the server' '
	sed -n "s/^OPEN //p" sftp.log | while read -r hex; do
		printf "%s" "$hex" | xxd -r -p | sed "s|.*/||"; echo; done | sort -u >t/opened &&
	printf "%s\n" KY_Good_20210205.csv KY_Huge_20210205.csv KY_Longer_20210205.csv >t/want &&
	test_cmp t/want t/opened
'

test_expect_success 'over SFTP: a file longer than listed is read no further than a chunk, not landed' '
	grep -q "ky/KY_Longer_20210205.csv: [0-9]* bytes read, 10 listed: the file changed" log &&
	read_bytes=$(awk "\$1 == \"READ\" && \$2 == \"$(printf KY_Longer_20210205.csv | xxd -p)\" { s += \$4 } END { print s }" sftp.log) &&
	echo "requested $read_bytes bytes of the endless file" &&
	test "$read_bytes" -lt 8388608 &&
	! test -e n/state/landing/.partial/ky/KY_Longer_20210205.csv.part
'

test_expect_success 'over SFTP: a size of 2^62 listed for 6 bytes: not landed, nothing allocated for it' '
	grep -q "ky/KY_Huge_20210205.csv: 6 bytes read, 4611686018427387904 listed" log &&
	! test -e n/state/landing/2021-02-05/ky/KY_Huge_20210205.csv
'

test_expect_success 'over SFTP: nothing was created outside the state and out directories' '
	find "$TRASH" -newer stamp ! -type d ! -path "$TRASH/n/*" ! -path "$TRASH/sshd/*" \
		! -path "$TRASH/t/*" ! -name log ! -name sftp.log ! -name .log >t/created &&
	test_cmp /dev/null t/created &&
	test -z "$(ls -A "$TRASH/outside")" &&
	find n -name "*escape*" -o -name "*rel.csv*" -o -name "*abs.csv*" >t/found &&
	test_cmp /dev/null t/found
'

# One archive per bad member name (tests/hostile-names.py), and archives
# whose member sits under directories longer than PATH_MAX. libarchive
# reads a backslash in a zip name as a directory separator (archives made
# on Windows): "back\slash.csv" then lands as "slash.csv", inside the
# landing area like any base name; the tar keeps it and is refused.
test_expect_success 'in archives: zip and tar members with bad names are refused whole, by name' '
	mkdir -p a/ky && python3 "$H" archives a/ky "$TRASH/outside" &&
	for f in a/ky/*; do : >"$f.done"; done &&
	touch stamp && sleep 1 &&
	{ PIPELINE_ARCHIVE_DIR=$TRASH/an/archive pipeline run --verbose --date 2021-02-05 \
		--conf "$TOP/conf/pipeline.conf" --drops a --state an/state --out an/out \
		>alog 2>&1; test $? -eq 65; } &&
	grep "archive refused" alog >t/refused &&
	grep -q "ky/KY_t08_20210205.tar: archive refused: member .back.slash.csv.: an absolute path (or a backslash)" t/refused &&
	if grep -q "ky/KY_z08_20210205.zip: archive refused" t/refused; then n=25; else n=24; fi &&
	test "$(wc -l <t/refused)" = $n &&
	grep -q "ky/KY_z00_20210205.zip: archive refused: member .\.\./\.\./\.\./\.\./\.\./outside/rel.csv.: a path with .\.\.." t/refused &&
	grep -qF "ky/KY_t02_20210205.tar: archive refused: member '\''$TRASH/outside/abs.csv'\'': an absolute path" t/refused &&
	grep -q "ky/KY_z05_20210205.zip: archive refused: member .ctl?.csv.: its name cannot be a landing name" t/refused &&
	grep -q "ky/KY_t06_20210205.tar: archive refused: member .nl?.csv.: its name cannot be a landing name" t/refused &&
	grep -q "ky/KY_z10_20210205.zip: archive refused: member .LLLL*.: its name cannot be a landing name" t/refused &&
	grep -q "ky/KY_t11_20210205.tar: archive refused: member .PPPP*.: its name cannot be a landing name" t/refused &&
	grep -q "ky/KY_link_20210205.tar: archive refused: member .link.: a symbolic link" t/refused &&
	! grep -q "$(printf "\033")" alog && ! grep -q "$(printf "\001")" alog
'

test_expect_success 'in archives: a member under a path longer than PATH_MAX lands by its plain base name only' '
	if ! grep -q "ky/KY_z08_20210205.zip: archive refused" t/refused; then
		test "$(cat an/state/landing/2021-02-05/ky/slash.csv)" = bad; fi &&
	test "$(cat an/state/landing/2021-02-05/ky/KY_deep_20210205.csv)" = deep &&
	test "$(cat an/state/landing/2021-02-05/ky/KY_deepz_20210205.csv)" = deepz &&
	! test -e an/state/landing/2021-02-05/ky/d && ! test -e an/state/landing/2021-02-05/ky/e &&
	ls an/state/landing/2021-02-05/ky | grep -v "^KY_[zt][0-9][0-9]_20210205\.\(zip\|tar\)$" |
		sed "/^KY_ok_08.csv$/d; /^slash.csv$/d" >t/landed &&
	printf "%s\n" KY_deep_20210205.csv KY_deep_20210205.tar KY_deepz_20210205.csv \
		KY_deepz_20210205.zip KY_link_20210205.tar >t/want && test_cmp t/want t/landed
'

test_expect_success 'in archives: nothing was created outside the state and out directories' '
	find "$TRASH" -newer stamp ! -type d ! -path "$TRASH/an/*" ! -path "$TRASH/t/*" \
		! -name alog ! -name .log >t/created &&
	test_cmp /dev/null t/created &&
	find an -name "*rel.csv*" -o -name "*abs.csv*" -o -name "*escape*" -o -name "KY_via*" \
		-o \( -name "KY_ok_*" ! -name KY_ok_08.csv \) >t/found &&
	test_cmp /dev/null t/found
'

test_expect_success 'teardown: the server stops' '
	sshd_stop && ! listening
'

test_done
