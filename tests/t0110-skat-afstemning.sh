#!/bin/sh
# SKAT's own afstemning files (<SE>VIRSUM..., <SE>PERSUM...-001..003: no
# extension, Windows-1252, line numbers, a trailer with the count, 9-digit
# CPR numbers, ',00') reconcile exactly like the guide's Sumoplysninger and
# SumPrEnhed files of the same night (fixtures/skat-afstemning holds the
# guide's numbers in SKAT's format).
. "$(dirname "$0")/lib.sh"
D=2021-02-05

test_expect_success 'both nights run' '
	night guide-eindkomst g &&
	night skat-afstemning s
'

test_expect_success 'the same summary and exceptions, to the øre' '
	test_cmp g/out/$D/summary/ky-eindkomst.csv s/out/$D/summary/ky-eindkomst.csv &&
	test_cmp g/out/$D/exceptions/ky-eindkomst.csv s/out/$D/exceptions/ky-eindkomst.csv &&
	grep -q ";0014;1278002,64;1278002,64;0,00;0,00;0,00;OK$" s/out/$D/summary/ky-eindkomst.csv
'

test_expect_success 'the three PERSUM parts are one file: 10 persons, no rejected rows' '
	grep "^normalise;done;0;" s/out/$D/status &&
	test "$(grep "^normalise;" s/out/$D/status | cut -d";" -f4-6)" = \
	     "$(grep "^normalise;" g/out/$D/status | cut -d";" -f4-6)" &&
	! ls s/out/$D/rejected/* 2>/dev/null
'

test_done
