#!/bin/sh
# Inter-municipal refund (seed 000): generated nights with every reason
# injected (tests/gen-refusion.py SEED DROPS EXPECTED, its answer keys
# written from what it injected, not by running a model): three nights of
# lists in the three school layouts, residence extracts, and charges
# received in the shipped shape and in an invented municipality's own
# layout (schemas/mkr-0751.schema).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib-recon.sh"
R=mellemkommunal-refusion
I=mellemkommunal-refusion-ind

# late NAME NIGHT: the stages a refund night needs, one by one: bin/pipeline
# refuses a night after today, and the generator's third night (a list
# that comes too late, 2027-01-15) may be one.
late() {
	for st in fetch unpack normalise match-refusion; do
		stage-$st --quiet --date "$2" --conf "$CONF" --drops "$TRASH/$1/drops" \
			--state "$TRASH/$1/state" --out "$TRASH/$1/out" || return 1
	done
}

# The shipped conf, with the invented 0751 layout read before the generic one.
mkdir -p "$TRASH/conf" && cp "$TOP"/conf/*.conf "$TRASH/conf/" &&
awk -v s="$TOP/schemas" '
	/^schemas / { print "schemas " s; next }
	/^input  refusion\/MKR_\{word\}/ { print "input  refusion/MKR_0751_{date}.csv    mkr-0751          accumulate  se=29757895 month={date}" }
	{ print }' "$TOP/conf/pipeline.conf" >"$TRASH/conf/pipeline.conf"
CONF="$TRASH/conf/pipeline.conf"
export CONF

for seed in 1 2; do
	test_expect_success "seed $seed: every night's exceptions and charges are exactly the injected ones" "
		python3 \"\$TOP/tests/gen-refusion.py\" $seed g$seed/drops g$seed/expected &&
		for n in 2025-06-30 2025-07-10; do
			run \"\$TRASH/g$seed/drops\" g$seed \$n >/dev/null 2>&1 || { echo \"night \$n failed\"; return 1; }
		done &&
		late g$seed 2027-01-15 &&
		breaks g$seed/out/2025-06-30/exceptions/$R.csv >actual && test_cmp g$seed/expected actual &&
		breaks g$seed/out/2025-07-10/exceptions/$R.csv >actual && test_cmp g$seed/expected.2 actual &&
		breaks g$seed/out/2027-01-15/exceptions/$R.csv >actual && test_cmp g$seed/expected.3 actual &&
		for n in 2025-06-30 2025-07-10 2027-01-15; do
			tail -n +2 g$seed/out/\$n/charges/charges.csv | awk -F';' -v n=\$n '{ print n \";\" \$1 \";\" \$8 \";\" \$5 \";\" \$6 }'
		done | LC_ALL=C sort >actual &&
		LC_ALL=C sort g$seed/expected.charges >expect && test_cmp expect actual
	"

	test_expect_success "seed $seed: every incoming reason, a total row's too (sum-afviger)" "
		breaks g$seed/out/2025-06-30/exceptions/$I.csv >actual &&
		test_cmp g$seed/expected.ind actual
	"
done

test_expect_success 'seed 1 injects every reason of both directions' '
	cut -d";" -f1 g1/expected.3 g1/expected g1/expected.2 | LC_ALL=C sort -u | tr "\n" " " >codes && echo >>codes &&
	echo "aftalekommune bopael-ukendt-ved-start bor-i-egen-kommune cpr-ugyldig dublet for-sent-indberettet foredrag-ikke-refusion takst-mangler uden-for-periode ukendt-i-cpr " >expect &&
	test_cmp expect codes &&
	cut -d";" -f1 g1/expected.ind | LC_ALL=C sort -u | tr "\n" " " >codes && echo >>codes &&
	echo "aftalekommune beloeb-afviger cpr-ugyldig dublet foredrag forkert-modtager ikke-bopael-ved-start sum-afviger takst-afviger takst-mangler " >expect &&
	test_cmp expect codes
'

test_done
