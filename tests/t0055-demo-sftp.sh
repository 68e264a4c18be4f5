#!/bin/sh
# make demo-sftp (ops/demo.sh --sftp): the demo night fetched over SFTP from
# a loopback OpenSSH server the script starts and stops itself
# (tests/sshd.sh): the same figures as from the local drops
# (tests/golden/demo/), every file with a receipt of the server's host key,
# and no server left running.
. "$(dirname "$0")/lib.sh"
G="$TOP/tests/golden/demo"
N=2025-06-30
O=sftp/out/$N

test_expect_success 'the demo over SFTP runs its nights, exit 0, and says where it fetched from' '
	"$TOP/ops/demo.sh" --sftp "$TRASH/sftp" >overview 2>err &&
	cat overview err &&
	grep -Eq "^demo: fetching over SFTP from 127\.0\.0\.1:[0-9]+ \(sources: aftenskoler cpr easya eindkomst erp faktura ky refusion \)$" overview &&
	grep -q "^Demo night $N (fixtures/demo): exit 0$" overview &&
	grep -q "^fetched over SFTP: 44 files tonight" overview
'

test_expect_success 'every source was an SFTP source and was reached' '
	tail -n +2 $O/sources.csv | cut -d";" -f1,3 >have &&
	printf "%s;reached\n" aftenskoler cpr easya eindkomst erp faktura ky refusion >want &&
	test_cmp want have &&
	grep -q "^source ky sftp$" sftp/conf/sources.conf
'

test_expect_success 'the same figures as the local demo night: every summary its golden' '
	for f in "$G"/summary/*.csv; do
		test_cmp "$f" $O/summary/${f##*/} || return 1
	done &&
	grep -q "^vouchers;done;0;.*;10 vouchers (0 reversals), debit total 27201,83$" $O/status &&
	grep -q "^archive;done;0;.*;sealed as $N$" $O/status
'

test_expect_success 'each file landed on the three nights has a receipt with the server host key' '
	fp=$(ssh-keygen -lf sftp/sftp/sshd/host_key.pub | cut -d" " -f2) &&
	mdb_dump -p -s receipts sftp/state/store >dump &&
	total=$(find "$TOP"/fixtures/demo/20*/drops -type f ! -name "*.done" | wc -l) &&
	test "$(grep -c "hostkey=$fp" dump)" = "$total"
'

test_expect_success 'the server is stopped when the demo ends' '
	port=$(sed -n "s/^demo: fetching over SFTP from 127\.0\.0\.1:\([0-9]*\) .*/\1/p" overview) &&
	! python3 -c "import socket, sys; socket.create_connection((\"127.0.0.1\", int(sys.argv[1])), 1)" "$port" &&
	pid=$(cat sftp/sftp/sshd/pid 2>/dev/null) ; test -z "$pid" || ! kill -0 "$pid" 2>/dev/null
'

test_done
