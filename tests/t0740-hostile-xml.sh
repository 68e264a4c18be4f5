#!/bin/sh
# Every XML the product parses is read with entities, DTDs and the network
# off. Today that is the vouchers' XSD (stages/vouchers/finansbilag.c):
# each hostile file of tests/hostile-xml/ put in its place must stop
# stage-vouchers with exit 64 and FILE:LINE, quickly, without reading the
# secret beside it and without any connect() (tests/netwatch.so).
. "$(dirname "$0")/lib.sh"
H="$TOP/tests/hostile-xml"
NW="$TOP/${BUILD:-build/opt}/tests/netwatch.so"

# hostile NAME: stage-vouchers with tests/hostile-xml/NAME.xml as its XSD;
# its stderr in NAME.err, connects in NAME.net; exit code as it gave it
hostile() {
	mkdir -p "c-$1" "s-$1" && cp "$TOP"/conf/*.conf "c-$1/" && cp "$TOP"/schemas/* "s-$1/" &&
	cp "$H/secret.txt" "$H/xxe-parameter-entity.dtd" "s-$1/" &&
	sed "s/PORT/$LPORT/g" "$H/$1.xml" >"s-$1/sf1590a-finansbilag.xsd" &&
	sed -i "s|^schemas .*|schemas $TRASH/s-$1|" "c-$1/pipeline.conf" &&
	: >"$1.net" &&
	NETWATCH_LOG=$TRASH/$1.net LD_PRELOAD=$NW timeout 60 \
		stage-vouchers --date 2021-02-05 --conf "c-$1/pipeline.conf" --state "n-$1/state" \
		--out "n-$1/out" 2>"$1.err"
}

# refused NAME LINE WHAT: exit 64, FILE:LINE: WHAT, no secret, no connect
refused() {
	{ hostile "$1"; rc=$?; test $rc -eq 64 || { echo "exit $rc"; false; }; } &&
	grep -qF "stage-vouchers: $TRASH/s-$1/sf1590a-finansbilag.xsd:$2: $3" "$1.err" &&
	! grep -q "HOSTILE-XML-SECRET-CANARY" "$1.err" &&
	test_cmp /dev/null "$1.net" &&
	! test -e "n-$1/out/2021-02-05/vouchers"
}

LPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DOCTYPE="a document type declaration (<!DOCTYPE>): DTDs and entities are not allowed here; refused"

test_expect_success 'the watch works: xmllint loading the network fixture as a schema connects' '
	sed "s/PORT/$LPORT/g" "$H/xxe-network.xml" >net.xsd && echo "<r/>" >r.xml &&
	NETWATCH_LOG=$TRASH/xmllint.net LD_PRELOAD=$NW xmllint --noout --schema net.xsd r.xml \
		>/dev/null 2>&1; grep -q "xmllint: connect, address family 2" xmllint.net
'

test_expect_success 'billion laughs: refused at its DOCTYPE, in well under a minute' '
	refused billion-laughs 2 "$DOCTYPE"
'

test_expect_success 'quadratic blowup (an entity bomb): refused at its DOCTYPE' '
	refused quadratic-blowup 2 "$DOCTYPE"
'

test_expect_success 'an external entity naming a local file: refused, the file never read' '
	refused xxe-local-file 2 "$DOCTYPE"
'

test_expect_success 'an external parameter entity (a DTD beside it that names the file): refused' '
	refused xxe-parameter-entity 2 "$DOCTYPE"
'

test_expect_success 'an external DTD and entity over the network: refused, no connect()' '
	refused xxe-network 2 "$DOCTYPE"
'

test_expect_success 'xs:include of a local file: refused at its line' '
	refused xsd-include-local 3 "xs:include: the schema may not load other files; refused"
'

test_expect_success 'xs:import over the network: refused at its line, no connect()' '
	refused xsd-import-network 3 "xs:import: the schema may not load other files; refused"
'

test_expect_success 'the shipped schema still loads and the vouchers of a night validate' '
	PIPELINE_ARCHIVE_DIR="$TRASH/g/archive" pipeline run --quiet --date 2021-02-10 \
		--conf "$TOP/conf/pipeline.conf" --drops "$TOP/fixtures/guide-skat-afregning/drops" \
		--state g/state --out g/out &&
	ls g/out/2021-02-10/vouchers/*.xml >xmls && test -s xmls &&
	xargs xmllint --noout --nonet --schema "$TOP/schemas/sf1590a-finansbilag.xsd" <xmls
'

test_done
