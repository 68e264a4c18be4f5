#!/bin/sh
# The three ERP dialects map onto the same canonical posting: the guide's
# skat-afregning night with its ledger as a KMD Opus list export (title
# lines, one block per account, 'I alt' lines, tab, Windows-1252, trailing
# minus) gives the same results as with the PRISME dump. ØS Indsigt is the
# ledger of the ky-finans example (t0310).
. "$(dirname "$0")/lib.sh"
G="$TOP/tests/golden/guide-skat-afregning"
D=out/2021-02-10

test_expect_success 'Opus list export: the same summary and exceptions as PRISME' '
	partial pipeline run --date 2021-02-10 --conf "$TOP/conf/pipeline.conf" \
		--drops "$TOP/fixtures/opus-skat-afregning/drops" --state o/state --out o/out &&
	test_cmp "$G/summary.csv" o/$D/summary/skat-afregning.csv &&
	test_cmp "$G/exceptions.csv" o/$D/exceptions/skat-afregning.csv
'

test_expect_success 'Opus: a bad amount is rejected with its line and column (exit 65)' '
	cp -r "$TOP/fixtures/opus-skat-afregning/drops" bad &&
	f=bad/erp/ERP_OPUS_Posteringer_20210205.csv &&
	sed -i "s/\t7.334,00\t/\t7.334,00--\t/" $f &&
	grep -q "7.334,00--" $f &&
	{ pipeline run --date 2021-02-10 --conf "$TOP/conf/pipeline.conf" --drops bad \
		--state b/state --out b/out 2>err; test $? -eq 65; } &&
	grep -q "ERP_OPUS_Posteringer_20210205.csv:[0-9]*:5: " err &&
	grep -q ";ATP;7904,00;0,00;7904,00;570,00;7334,00;BREAK$" b/$D/summary/skat-afregning.csv
'

test_expect_success 'Opus: titles, totals and repeated headers are not postings, nothing rejected' '
	awk -F";" "\$1==\"normalise\" { exit !(\$6 == 0) }" o/$D/status &&
	test ! -e o/$D/rejected &&
	awk -F";" "\$1==\"normalise\" { exit !(\$6 == 1) }" b/$D/status
'

test_done
