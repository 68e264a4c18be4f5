#!/bin/sh
# betalingsplaner end to end (issue 15): the brief's worked example
# (../shared/spec/seeds-000-001-003.md 2.7) as three nights on one state,
# variants, hostile OIOUBL, and generated nights with every reason.
# The goldens were computed from the brief (tests/gen-betalingsplaner.py,
# checked against its printed numbers) and read against the stage's output.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib-recon.sh"
F="$TOP/fixtures/betalingsplaner"
G="$TOP/tests/golden/betalingsplaner"
GEN="$TOP/tests/gen-betalingsplaner.py"
S=summary/betalingsplaner.csv
E=exceptions/betalingsplaner.csv
P=postings/betalingsplaner.csv
SG=suggestions/betalingsplaner.csv
N=2025-03-31

# history NAME: the fixture's two history nights on state NAME (run once
# into hist and copied: each variant's own night is what it tests)
history() {
	if [ ! -d "$TRASH/hist" ]; then
		run "$F/2024-12-31/drops" hist 2024-12-31 &&
		run "$F/2025-02-28/drops" hist 2025-02-28 || return 1
	fi
	if [ -n "${CONF:-}" ]; then	# another conf: its own history
		run "$F/2024-12-31/drops" "$1" 2024-12-31 &&
		run "$F/2025-02-28/drops" "$1" 2025-02-28
		return
	fi
	mkdir -p "$TRASH/$1" && cp -r "$TRASH/hist/state" "$TRASH/hist/out" "$TRASH/$1/"
}

# over NAME DIR...: history, then 2025-03-31 with each DIR's drops laid
# over the night's (DIR relative to the fixture, or absolute)
over() {
	name=$1; shift
	mkdir -p "$name/drops" && cp -r "$F/$N/drops/." "$name/drops/" || return 1
	for d in "$@"; do
		case $d in /*) ;; *) d="$F/$d" ;; esac
		cp -r "$d/drops/." "$name/drops/" 2>/dev/null || cp -r "$d/." "$name/drops/" || return 1
	done
	history "$name" && run "$TRASH/$name/drops" "$name" $N
}

# conf_with DIR SED-SCRIPT [FILE]: conf/ copied to DIR, FILE (default
# betalingsplaner.conf) edited; use as CONF=$TRASH/DIR/pipeline.conf
conf_with() {
	mkdir -p "$1" && cp "$TOP"/conf/*.conf "$1/" &&
	sed -i "s|^schemas .*|schemas $TOP/schemas|" "$1/pipeline.conf" &&
	sed -i "$2" "$1/${3:-betalingsplaner.conf}"
}

same_as() {	# same_as GOLDEN-DIR OUT-DIR FILE...
	g=$1 o=$2; shift 2
	for f in "$@"; do test_cmp "$g/$f.csv" "$o/$f/betalingsplaner.csv" || return 1; done
}

test_expect_success 'T01 worked example: summary, exceptions, postings, suggestions' '
	history x && run "$F/$N/drops" x $N &&
	same_as "$G/$N" x/out/$N summary exceptions postings suggestions
'

test_expect_success 'T02 to the øre: 51.516,00 received, 13.222,00 posted, 38.294,00 held' '
	grep -q ";2025-03;TOTAL;51516,00;13222,00;38294,00;0,00;38294,00;BREAK$" x/out/$N/$S &&
	grep -q ";2025-03;P-SKOLE-ORD;2375,00;2375,00;0,00;0,00;0,00;OK$" x/out/$N/$S &&
	grep -q ";2025-03;P-HUSLEJE-56789014;13600,00;6200,00;7400,00;0,00;7400,00;BREAK$" x/out/$N/$S
'

test_expect_success 'T03 a row with an exception under it is never OK (P-EL)' '
	grep -q ";2025-03;P-EL;0,00;0,00;0,00;0,00;0,00;BREAK$" x/out/$N/$S &&
	tail -n +2 x/out/$N/$E | cut -d";" -f5 | sort -u >keys &&
	tail -n +2 x/out/$N/$S | awk -F";" "\$10 == \"OK\" { print \$4 }" >ok &&
	! grep -qxFf keys ok
'

test_expect_success 'T04 exactly the 6 invoice and 2 plan exceptions' '
	breaks x/out/$N/$E >actual &&
	printf "%s\n" "beloeb-uden-for-interval;P-VARME;18900,00" "cpr-mangler;P-LAEGE;1544,00" \
		"cvr-ikke-godkendt;UNMATCHED;5000,00" "kadence-for-tidlig;P-VAND;4250,00" \
		"kadence-mangler;P-EL;2100,00" "maanedsafvigelse;P-HUSLEJE-56789014;7400,00" \
		"plan-udloeber;P-VARME;0,00" "takst-afviger;P-LAEGE;1200,00" >expect &&
	test_cmp expect actual &&
	grep -q "cpr-mangler: .*;P-LAEGE;ingen-bestilling;faktura/2025-117.xml:2$" x/out/$N/$E &&
	grep -q ": forrige 6500,00, +13,85 % > 5 %)" x/out/$N/$E
'

test_expect_success 'T05 eleven invoices, one out of scope' '
	grep -q "^match-betalingsplaner;done;0;11;4;0;.*11 invoices (1 out of scope), 4 auto-posted 13222,00, 6 held 38294,00, 2 plan exceptions, 0 files refused" x/out/$N/status &&
	! grep -q "KV-2503" x/out/$N/$S x/out/$N/$E x/out/$N/$P
'

test_expect_success 'T07 four balanced vouchers, debit total 13.222,00' '
	test_cmp "$G/$N/vouchers/vouchers.csv" x/out/$N/vouchers/vouchers.csv &&
	for f in "$G/$N"/vouchers/*.xml; do
		test_cmp "$f" x/out/$N/vouchers/$(basename "$f") &&
		xmllint --noout --schema "$TOP/schemas/sf1590a-finansbilag.xsd" "$f" 2>/dev/null || return 1
	done &&
	grep -q "4 vouchers (0 reversals), debit total 13222,00" x/out/$N/status
'

test_expect_success 'T08 the history nights' '
	for n in 2024-12-31 2025-02-28; do
		same_as "$G/$n" x/out/$n summary exceptions postings suggestions &&
		test_cmp "$G/$n/vouchers/vouchers.csv" x/out/$n/vouchers/vouchers.csv || return 1
	done
'

test_expect_success 'T10 the same night again: same bytes, no voucher twice' '
	sha256sum x/out/$N/$S x/out/$N/$E x/out/$N/$P x/out/$N/$SG x/out/$N/vouchers/* >first &&
	mdb_dump -s vouchers x/state/store >v1 &&
	run "$F/$N/drops" x $N &&
	sha256sum x/out/$N/$S x/out/$N/$E x/out/$N/$P x/out/$N/$SG x/out/$N/vouchers/* >second &&
	mdb_dump -s vouchers x/state/store >v2 &&
	test_cmp first second && test_cmp v1 v2
'

test_expect_success 'T11 rerun of an old night after later ones: same bytes' '
	pipeline rerun match-betalingsplaner --date 2025-02-28 --conf "$TOP/conf/pipeline.conf" \
		--drops "$F/2025-02-28/drops" --state x/state --out x/out 2>err &&
	same_as "$G/2025-02-28" x/out/2025-02-28 summary exceptions postings suggestions &&
	grep -q "match-betalingsplaner" err && ! grep -q "stage-match-faktura" err
'

test_expect_success 'T13 without history the answer changes' '
	mkdir -p nh && cp -r "$F/$N/drops" nh/ &&
	cp "$F"/2024-12-31/drops/faktura/BETALINGSPLANER_20241201.csv* nh/drops/faktura/ &&
	run "$TRASH/nh/drops" nh $N &&
	same_as "$G/variants/T-NO-HISTORY" nh/out/$N summary exceptions postings
'

test_expect_success 'T14 the next month: only what is still missing' '
	mkdir -p empty && run "$TRASH/empty" x 2025-04-01 &&
	same_as "$G/variants/T-NEXT-MONTH" x/out/2025-04-01 summary exceptions postings
'

test_expect_success 'T15 late invoices of every stream on 2025-04-09' '
	run "$TRASH/empty" x 2025-04-09 &&
	same_as "$G/variants/T-MISSING-0409" x/out/2025-04-09 summary exceptions
'

for v in T-DUBLET T-PLANS-NEWER T-TRAEK T-PLAN-FEJL; do
	test_expect_success "T16/T17/T20/T44 variant $v" "
		over $v variants/$v &&
		same_as \"\$G/variants/$v\" $v/out/\$N summary exceptions postings
	"
done

test_expect_success 'T19 an approved landlord from conf through a * rent plan' '
	conf_with cstar "" godkendte-udlejere.conf &&
	echo "udlejer  90123459  \"Udlejer Hansen ApS\"" >>cstar/godkendte-udlejere.conf &&
	CONF=$TRASH/cstar/pipeline.conf over star variants/T-HUSLEJE-STAR &&
	same_as "$G/variants/T-HUSLEJE-STAR" star/out/$N summary exceptions postings
'

for h in H5a-missing-order-reference H5b-order-reference-NA H6-creditnote-allowance-vat \
	H7-ubl-taxexclusive H9-real-rounding-creditnote; do
	test_expect_success "T22-T27 OIOUBL case $h" "
		over $h hostile/$h &&
		same_as \"\$G/hostile/$h\" $h/out/\$N summary exceptions postings
	"
done

test_expect_success 'T25 a credit note posted with its signs reversed' '
	conf_with cpost "s/^credit-notes .*/credit-notes  post/" &&
	CONF=$TRASH/cpost/pipeline.conf over h6p hostile/H6-creditnote-allowance-vat &&
	same_as "$G/hostile/H6-creditnote-allowance-vat/credit-notes-post" h6p/out/$N summary exceptions postings &&
	test_cmp "$G/hostile/H6-creditnote-allowance-vat/credit-notes-post/vouchers/vouchers.csv" \
		h6p/out/$N/vouchers/vouchers.csv
'

test_expect_success 'T27 no rounding tolerance: the real credit note is sum-afviger' '
	conf_with ctol "s/^sum-tolerance .*/sum-tolerance  0,00/" &&
	CONF=$TRASH/ctol/pipeline.conf over h9t hostile/H9-real-rounding-creditnote &&
	test_cmp "$G/hostile/H9-real-rounding-creditnote/sum-tolerance-0/exceptions.csv" h9t/out/$N/$E
'

test_expect_success 'T29 a 3 MB PDF attachment is read' '
	python3 "$GEN" big attachment attsrc &&
	over att "$TRASH/attsrc" &&
	grep -q ";2025-03;P-SKOLE-ORD;3375,00;3375,00;0,00;0,00;0,00;OK$" att/out/$N/$S
'

# T30-T36: refused with file and line, exit 65, the night goes on
for h in H1-entity-bomb H2-external-entity H3-wrong-namespace H3b-wrong-child-namespace \
	H4-huge-text H8-peppol-bis; do
	test_expect_success "T30-T36 hostile $h refused, the night goes on" "
		{ over $h hostile/$h 2>err; test \$? -eq 65; } &&
		same_as \"\$G/hostile/$h\" $h/out/\$N summary exceptions postings &&
		test_cmp \"\$G/\$N/vouchers/vouchers.csv\" $h/out/\$N/vouchers/vouchers.csv &&
		grep -q \"faktura/.*\\.xml:[0-9]*:\" err
	"
done

test_expect_success 'T35 a text node over libxml2s limit' '
	python3 "$GEN" big huge-text hugesrc &&
	{ over huge "$TRASH/hugesrc" 2>err; test $? -eq 65; } &&
	grep -q "^[0-9a-f]*;betalingsplaner;29757895;2025-03;UNMATCHED;;0,00;ikke-oioubl: .*(faktura/SU-88815.xml:[0-9]*: huge text node (more than 10000000 bytes));" huge/out/$N/$E
'

for seed in 1 2; do
	test_expect_success "T38 generated night, seed $seed: exactly the injected exceptions" "
		python3 \"\$GEN\" gen $seed gen$seed/nights gen$seed/expected 40 &&
		conf_with cg$seed \"s/^scope-ean .*//\" &&
		cat gen$seed/nights/scope-ean >>cg$seed/betalingsplaner.conf &&
		CONF=\$TRASH/cg$seed/pipeline.conf run \"\$TRASH/gen$seed/nights/2025-02-28/drops\" g$seed 2025-02-28 &&
		{ CONF=\$TRASH/cg$seed/pipeline.conf run \"\$TRASH/gen$seed/nights/2025-03-31/drops\" g$seed 2025-03-31; test \$? -eq 65; } &&
		breaks g$seed/out/2025-03-31/\$E >actual &&
		test_cmp gen$seed/expected actual &&
		tail -n +2 g$seed/out/2025-03-31/\$P | cut -d';' -f5-7 | LC_ALL=C sort >pactual &&
		test_cmp gen$seed/expected.postings pactual
	"
done

test_expect_success 'T45 no CPR in the logs' '
	pipeline run --date $N --conf "${CONF:-$TOP/conf/pipeline.conf}" --drops "$F/$N/drops" \
		--state x/state --out x/out --verbose 2>log &&
	for c in 6811701201 681170-1201 7412662302 741266-2302 6903841301 690384-1301 \
		7711852504 771185-2504 6310722405 631072-2405; do
		! grep -q "$c" log || return 1
	done
'

test_expect_success 'T43 a bad betalingsplaner.conf line: file:line, exit 64' '
	conf_with cbad "s/^warn-plan-days .*/warn-plan-days soon/" &&
	{ CONF=$TRASH/cbad/pipeline.conf run "$F/2024-12-31/drops" cb 2024-12-31 2>err; test $? -eq 64; } &&
	grep -q "betalingsplaner.conf:[0-9]*: .soon. is not a number" err
'

test_expect_success 'invoices without a plans file: every row MANGLER, exit 66' '
	mkdir -p np/drops/faktura && cp "$F/$N/drops/faktura/V-2025-0303.xml"* np/drops/faktura/ &&
	{ pipeline run --date $N --conf "$TOP/conf/pipeline.conf" --drops "$TRASH/np/drops" \
		--state np/state --out np/out 2>err; test $? -eq 66; } &&
	grep -q ";2025-03;UNMATCHED;0,00;0,00;0,00;0,00;;MANGLER$" np/out/$N/$S &&
	grep -q ";Betalingsplaner;faktura.plan;required;missing;" np/out/$N/inputs/betalingsplaner.csv
'

test_done
