#!/bin/sh
# systemd: the template units are valid (systemd-analyze verify, with empty
# output: it exits 0 even on unknown keys), sandboxed with state, out and
# archive under their writable paths, retry 69/75 but never 64/65/70,
# alert on failure; ops/recon-catchup runs every missed night in order,
# bounded, and retries a night whose fetch failed.
. "$(dirname "$0")/lib.sh"
unset PIPELINE_ARCHIVE_DIR
U="$TOP/ops/systemd"

if ! command -v systemd-analyze >/dev/null 2>&1; then
	if [ "${CI:-}" = true ]; then
		echo "not ok - systemd-analyze is missing (ops/install-deps.sh installs systemd)"
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "ok - skipped: systemd-analyze is not installed (ops/install-deps.sh installs it)"
	echo "1 passed, 0 failed"
	exit 0
fi

# The units with /opt/reconciliation pointing at a copy of ops/ here, so
# verify finds the commands they run (it checks they are executable).
test_expect_success 'systemd-analyze verify prints nothing for every unit' '
	mkdir -p opt/reconciliation/ops units &&
	cp "$TOP"/ops/recon-catchup "$TOP"/ops/recon-alert opt/reconciliation/ops/ &&
	for f in "$U"/*; do
		sed "s|/opt/reconciliation|$TRASH/opt/reconciliation|g" "$f" >units/$(basename "$f") || return 1
	done &&
	ls units >list && grep -q "^recon-night@.service$" list && grep -q "^recon-night@.timer$" list &&
	(cd units && systemd-analyze verify --man=no ./*.service ./*.timer) >out 2>&1 &&
	test_cmp /dev/null out
'

test_expect_success 'the check itself fails on a misspelt key (exit 0, but output)' '
	printf "[Service]\nType=oneshoot\nExecStart=/bin/true\n" >units/bad.service &&
	(cd units && systemd-analyze verify --man=no ./bad.service) >out 2>&1 &&
	grep -q "oneshoot" out && rm units/bad.service
'

test_expect_success 'recon-night@ is sandboxed; state, out and archive are under its writable path' '
	s="$U/recon-night@.service" &&
	grep -qx "ProtectSystem=strict" $s && grep -qx "ProtectHome=yes" $s &&
	grep -qx "NoNewPrivileges=yes" $s && grep -qx "PrivateTmp=yes" $s &&
	grep -qx "ReadWritePaths=/var/lib/reconciliation/%i" $s &&
	grep -qx "StateDirectory=reconciliation/%i" $s &&
	grep -q "^ExecStart=/opt/reconciliation/ops/recon-catchup .*--conf /opt/reconciliation/conf/municipalities/%i/pipeline.conf$" $s &&
	"$TOP/ops/new-municipality" 29757895 --data /var/lib/reconciliation --root mconf >/dev/null &&
	c=mconf/29757895/pipeline.conf &&
	grep -q "^state  *\/var\/lib\/reconciliation\/29757895\/state" $c &&
	grep -q "^out  *\/var\/lib\/reconciliation\/29757895\/out$" $c &&
	grep -q "^drops  *\/var\/lib\/reconciliation\/29757895\/drops$" $c &&
	! grep -q "^dir" "$TOP/conf/archive.conf"
'

test_expect_success 'retries 69 and 75 (not 64, 65, 70), capped; alerts on failure' '
	s="$U/recon-night@.service" &&
	grep -qx "Restart=on-failure" $s && grep -qx "RestartPreventExitStatus=64 65 70" $s &&
	grep -qx "StartLimitBurst=3" $s && grep -qx "OnFailure=recon-failure@%n.service" $s &&
	grep -q "^ExecStart=/opt/reconciliation/ops/recon-alert %i$" "$U/recon-failure@.service" &&
	grep -qx "Persistent=true" "$U/recon-night@.timer"
'

# A municipality in this trash: conf from ops/new-municipality, the guide's drops.
test_expect_success 'catch-up runs every missed night, oldest first' '
	"$TOP/ops/new-municipality" 29757895 --data data --root m \
		--drops "$TOP/fixtures/guide-eindkomst/drops" >/dev/null &&
	C=m/29757895/pipeline.conf &&
	pipeline run --quiet --date 2021-02-05 --conf $C &&
	"$TOP/ops/recon-catchup" --conf $C --until 2021-02-08 2>err &&
	grep -q "night(s) to run, in order: 2021-02-06 2021-02-07 2021-02-08$" err &&
	A=data/29757895/state/archive &&
	awk "/^seal /{print \$3}" $A/chain >order &&
	printf "2021-02-05\n2021-02-06\n2021-02-07\n2021-02-08\n" >expect && test_cmp expect order &&
	"$TOP/ops/recon-catchup" --conf $C --until 2021-02-08 2>err &&
	grep -q "nothing to run" err
'

test_expect_success 'catch-up is bounded (--days) and starts a new state at the last night' '
	"$TOP/ops/recon-catchup" --conf m/29757895/pipeline.conf --until 2021-02-20 --days 3 --dry-run 2>err &&
	grep -q "in order: 2021-02-18 2021-02-19 2021-02-20$" err &&
	"$TOP/ops/new-municipality" 11111111 --data data --root m \
		--drops "$TOP/fixtures/guide-eindkomst/drops" >/dev/null &&
	"$TOP/ops/recon-catchup" --conf m/11111111/pipeline.conf --until 2021-02-20 --dry-run 2>err &&
	grep -q "in order: 2021-02-20$" err && ! test -e data/11111111 &&
	{ "$TOP/ops/recon-catchup" --conf m/11111111/pipeline.conf --days x 2>/dev/null; test $? -eq 64; }
'

test_expect_success 'a night whose fetch failed (69) is run again; it stops there and says so' '
	C=m/29757895/pipeline.conf &&
	{ pipeline run --quiet --date 2021-02-09 --conf $C --drops nowhere 2>/dev/null; test $? -eq 69; } &&
	pipeline status --conf $C --date 2021-02-09 | grep -q "fetch *failed" &&
	"$TOP/ops/recon-catchup" --conf $C --until 2021-02-09 --dry-run 2>err &&
	grep -q "in order: 2021-02-09$" err &&
	sed -i "s|^drops .*|drops $TRASH/nowhere|" $C &&
	{ "$TOP/ops/recon-catchup" --conf $C --until 2021-02-10 2>err; test $? -eq 69; } &&
	grep -q "2021-02-09 exited 69; later nights not run" err &&
	! pipeline status --conf $C --date 2021-02-10 | grep -q "archive *done"
'

test_done
