#!/bin/sh
# A whole generated municipality night (tests/bench/gen-night.py, small):
# eIndkomst, NemKonto, faktura and debitor in one drops directory, one
# shared PRISME dump, EASY-A's student fees (opkraevning), evening-school
# lists and refund charges (mellemkommunal refusion, out and in), and
# OIOUBL invoices against payment plans (betalingsplaner, after a history
# night 2021-07-31); each reconciliation reports exactly the breaks the
# generator injected, no more, no fewer; the refund charges issued and the
# invoices auto-posted are the generated ones.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lib-recon.sh"
N=2021-08-31

# found RECON DIR: the columns of DIR's exceptions the answer key lists
# (tests/bench/gen-night.py), sorted bytewise
found() {
	tail -n +2 "$2/out/$N/exceptions/$1.csv" | awk -F";" -v r="$1" '{
		split($8, w, ":")
		if (r == "ky-eindkomst") print w[1] ";" $5 ";" $6 ";" $7
		else print w[1] ";" $5 ";" $7 }' | LC_ALL=C sort
}

# The shipped conf, with the rates of 2021 and 2019 the generated refund
# lists are charged at (conf/refusion.conf has 2025 and 2026 only) and the
# generated invoices' robot EANs (scope-ean); both as the generator gives
# them in DIR/conf/ (the same for every seed).
mkdir -p "$TRASH/conf" && cp "$TOP"/conf/*.conf "$TRASH/conf/" &&
sed -i "s|^schemas .*|schemas $TOP/schemas|" "$TRASH/conf/pipeline.conf" &&
python3 "$TOP/tests/bench/gen-night.py" --rows 60 --seed 1 "$TRASH/rates" >/dev/null &&
cat "$TRASH/rates/conf/refusion-rates.conf" >>"$TRASH/conf/refusion.conf" &&
sed -i "s/^scope-ean .*//" "$TRASH/conf/betalingsplaner.conf" &&
cat "$TRASH/rates/conf/betalingsplaner-scope.conf" >>"$TRASH/conf/betalingsplaner.conf" &&
rm -rf "$TRASH/rates"
CONF="$TRASH/conf/pipeline.conf"
export CONF

for seed in 1 2; do
	test_expect_success "seed $seed: the night runs and every recon has its data" "
		python3 \"\$TOP/tests/bench/gen-night.py\" --rows 3000 --seed $seed n$seed >rows$seed &&
		PIPELINE_ARCHIVE_DIR=\"\$TRASH/n$seed/archive\" run \"\$TRASH/n$seed/history/2021-07-31/drops\" n$seed 2021-07-31 &&
		PIPELINE_ARCHIVE_DIR=\"\$TRASH/n$seed/archive\" run \"\$TRASH/n$seed/drops\" n$seed $N &&
		for r in ky-eindkomst nemkonto faktura debitor; do
			grep -q \"^\$r;29757895;2021-08;\" n$seed/out/$N/summary/\$r.csv || return 1
		done &&
		grep -q \"^opkraevning;29594104;2021-07;\" n$seed/out/$N/summary/opkraevning.csv &&
		grep -q \"^opkraevning;29594104;2021-09;\" n$seed/out/$N/summary/opkraevning.csv &&
		grep -q \"^mellemkommunal-refusion;29757895;2021-06;\" n$seed/out/$N/summary/mellemkommunal-refusion.csv &&
		grep -q \"^mellemkommunal-refusion-ind;29757895;2021-06;\" n$seed/out/$N/summary/mellemkommunal-refusion-ind.csv &&
		grep -q \"^betalingsplaner;29757895;2021-08;P-FAST-0000;\" n$seed/out/$N/summary/betalingsplaner.csv
	"
	for r in ky-eindkomst nemkonto faktura debitor opkraevning mellemkommunal-refusion \
		mellemkommunal-refusion-ind betalingsplaner; do
		test_expect_success "seed $seed: $r reports exactly the injected breaks" "
			test -s n$seed/expected/$r.txt &&
			found $r n$seed >actual &&
			test_cmp n$seed/expected/$r.txt actual
		"
	done
done

for seed in 1 2; do
	test_expect_success "seed $seed: the refund charges issued are exactly the generated ones" "
		tail -n +2 n$seed/out/$N/charges/charges.csv | awk -F';' '{ print \$1 \";\" \$8 \";\" \$5 \";\" \$6 }' |
			LC_ALL=C sort >actual &&
		test -s n$seed/expected/charges.txt &&
		test_cmp n$seed/expected/charges.txt actual
	"
	test_expect_success "seed $seed: the invoices auto-posted are exactly the generated clean ones" "
		tail -n +2 n$seed/out/$N/postings/betalingsplaner.csv | cut -d';' -f5-7 | LC_ALL=C sort >actual &&
		test -s n$seed/expected/betalingsplaner-postings.txt &&
		test_cmp n$seed/expected/betalingsplaner-postings.txt actual
	"
done

test_expect_success 'the answer key is the generator'"'"'s own: the same seed, the same bytes' '
	python3 "$TOP/tests/bench/gen-night.py" --rows 3000 --seed 1 again >/dev/null &&
	diff -r n1/drops again/drops && diff -r n1/expected again/expected &&
	diff -r n1/history again/history && diff -r n1/conf again/conf &&
	python3 "$TOP/tests/bench/gen-night.py" --rows 3000 --seed 2 other >/dev/null &&
	! diff -q n1/expected/nemkonto.txt other/expected/nemkonto.txt
'

# The streaming generator draws what the per-recon generators draw, in
# their order: its files and answer key are theirs byte for byte (3000
# rows: DDMM recipients; 20000: DDMMYY ones).
test_expect_success 'the streamed night is the per-recon generators'"'"' night, byte for byte' '
	python3 "$TOP/tests/bench/gen-night.py" --rows 3000 --seed 1 --in-memory ref1 >ref1.out &&
	diff -r n1/drops ref1/drops && diff -r n1/expected ref1/expected &&
	python3 "$TOP/tests/bench/gen-night.py" --rows 20000 --seed 3 big >big.out &&
	python3 "$TOP/tests/bench/gen-night.py" --rows 20000 --seed 3 --in-memory ref3 >ref3.out &&
	diff -r big/drops ref3/drops && diff -r big/expected ref3/expected && test_cmp ref3.out big.out
'

test_done
