#!/bin/sh
# ky-yr end to end: 'Sum - Ydelsesrefusion' against the guide example's
# eIndkomst lines (Figur 12-17 with YR codes, Figur 5's ATP/OP share), and
# generated nights with known injected breaks.
. "$(dirname "$0")/lib.sh"
G="$TOP/tests/golden/guide-yr"
D=out/2021-02-05

test_expect_success 'guide example: summary and exceptions as the golden files' '
	night guide-yr g &&
	test_cmp "$G/summary.csv" g/$D/summary/ky-yr.csv &&
	test_cmp "$G/exceptions.csv" g/$D/exceptions/ky-yr.csv
'

test_expect_success 'field 0014 confirmed, 0013 rejected, the ATP/OP share on its own key' '
	f=g/$D/summary/ky-yr.csv &&
	grep -q "^ky-yr;29757895;2021-02;27f273b9-6e16-4c20-9769-53fd8dc9c8e;1278002,64;1278002,64;0,00;0,00;0,00;OK$" $f &&
	grep -q ";8b0d5e6a-31c4-4f2e-9a77-2d6c1e9f4b03;50981,61;0,00;50981,61;50981,61;0,00;EXPLAINED$" $f &&
	grep -q ";ANDEL-ATP-OP;9741,00;9741,00;0,00;0,00;0,00;OK$" $f
'

test_expect_success 'a YR sum that eIndkomst does not carry is a BREAK' '
	cp -r "$TOP/fixtures/guide-yr/drops" bad &&
	sed -i "s/;1.283.840,06;/;1.283.940,06;/" bad/ky/KY_SumYdelsesrefusion_29757895_20210205.csv &&
	grep -q "1.283.940,06" bad/ky/KY_SumYdelsesrefusion_29757895_20210205.csv &&
	partial pipeline run --date 2021-02-05 --conf "$TOP/conf/pipeline.conf" --drops bad \
		--state bad-state --out bad-out &&
	grep -q ";27f273b9-6e16-4c20-9769-53fd8dc9c8e;1278102,64;1278002,64;100,00;0,00;100,00;BREAK$" \
		bad-out/2021-02-05/summary/ky-yr.csv &&
	grep -q ";27f273b9-6e16-4c20-9769-53fd8dc9c8e;;100,00;unexplained:" \
		bad-out/2021-02-05/exceptions/ky-yr.csv
'

test_expect_success 'the refund booked on 8.51.52 (guide 2.2.2) leaves the share OK' '
	cp -r "$TOP/fixtures/guide-yr/drops" refund &&
	echo "bmn;REF-1;03-02-2021;8.51.52.190;Refusion andel ATP og OP;DKK;-9.741,00;" \
		>>refund/erp/ERP_PRISME_Posteringer_20210205.csv &&
	partial pipeline run --date 2021-02-05 --conf "$TOP/conf/pipeline.conf" --drops refund \
		--state refund-state --out refund-out &&
	grep -q ";ANDEL-ATP-OP;9741,00;9741,00;0,00;0,00;0,00;OK$" \
		refund-out/2021-02-05/summary/ky-yr.csv
'

test_expect_success 'the share account role: needed with andel codes (64), not without' '
	mkdir conf2 && cp "$TOP"/conf/*.conf conf2/ &&
	sed -i "s|^schemas .*|schemas $TOP/schemas|" conf2/pipeline.conf &&
	sed -i "/^role kommunal-andel-atp-op/d" conf2/accounts.conf &&
	night guide-yr r &&
	stage-match-ky-yr --date 2021-02-05 --conf "$TRASH/conf2/pipeline.conf" \
		--state r/state --out r/out 2>err;
	test $? -eq 64 &&
	grep -q "accounts.conf: no .role kommunal-andel-atp-op. for municipality 29757895" err &&
	sed -i "/^andel-atp-op/d" conf2/ky-yr.conf &&
	stage-match-ky-yr --date 2021-02-05 --conf "$TRASH/conf2/pipeline.conf" \
		--state r/state --out r/out &&
	! grep -q "ANDEL-ATP-OP" r/out/2021-02-05/summary/ky-yr.csv &&
	grep -q ";27f273b9-6e16-4c20-9769-53fd8dc9c8e;1278002,64;1278002,64;0,00;0,00;0,00;OK$" \
		r/out/2021-02-05/summary/ky-yr.csv
'

test_expect_success 'a YR ydelseskode longer than a summary key is bad data (65)' '
	cp -r "$TOP/fixtures/guide-yr/drops" long &&
	k=$(printf "%064d" 7) &&
	sed -i "s/27f273b9-6e16-4c20-9769-53fd8dc9c8e/$k/" long/ky/*.csv &&
	grep -q "$k" long/ky/KY_SumYdelsesrefusion_29757895_20210205.csv &&
	partial pipeline run --date 2021-02-05 --conf "$TOP/conf/pipeline.conf" --drops long \
		--state long-state --out long-out 2>err;
	test $? -eq 65 &&
	grep -q "29757895 202102: a YR ydelseskode in ky.sum_yr is longer than 63 characters" err
'

test_expect_success 'a difference beyond 64 bits is bad data (65), not an internal error' '
	cp -r "$TOP/fixtures/guide-yr/drops" huge &&
	sed -i "s/;9.741,00;0,00$/;90.000.000.000.000.000,00;0,00/" \
		huge/ky/KY_SumYdelsesrefusion_29757895_20210205.csv &&
	sed -i "s/;4.472,00;$/;-90.000.000.000.000.000,00;/" \
		huge/erp/ERP_PRISME_Posteringer_20210205.csv &&
	grep -q "^KY;.*;-90.000.000.000.000.000,00;$" huge/erp/ERP_PRISME_Posteringer_20210205.csv &&
	partial pipeline run --date 2021-02-05 --conf "$TOP/conf/pipeline.conf" --drops huge \
		--state huge-state --out huge-out 2>err;
	test $? -eq 65 &&
	grep -q "stage-match-ky-yr: 29757895 202102: a sum of amounts overflows 64 bits" err
'

for seed in 1 2 3 4 5 6; do
	test_expect_success "generated night (seed $seed): exactly the injected breaks" \
		"generated ky-yr $seed ky-yr 2021-02-05"
done

test_done
