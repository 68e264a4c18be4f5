#!/bin/sh
# Slurm, for real: a throw-away single-host cluster on loopback (munge,
# MariaDB, slurmdbd, slurmctld, two slurmd "nodes"; the recipe of
# ../shared/spec/scale-out.md, appendix A, on free ports), five generated
# municipalities submitted by ops/slurm/submit-night as one array per node,
# with retries on 69 and 75 (capped) and none on 65, the overview as a
# dependent job, and a rerun of one municipality by ops/slurm/rerun-one.
# Checks sacct and the overview, then stops every daemon it started by its
# pid. Needs root and the packages of ops/install-deps.sh; elsewhere it
# says "skipped" and why, but on CI (CI=true) it must run.
. "$(dirname "$0")/lib.sh"
unset PIPELINE_ARCHIVE_DIR
NIGHT=2021-02-05

skip() {
	if [ "${CI:-}" = true ]; then
		echo "not ok - the Slurm test cannot run on CI: $1"
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "ok - skipped: $1"
	echo "1 passed, 0 failed"
	exit 0
}
[ "$(id -u)" = 0 ] || skip "not root (slurmd, munged and MariaDB run as root here)"
for c in munged mariadb-install-db mariadbd mariadb slurmdbd slurmctld slurmd sbatch sacct \
	sinfo squeue scontrol python3 flock; do
	command -v $c >/dev/null 2>&1 ||
		PATH=$PATH:/usr/sbin:/sbin command -v $c >/dev/null 2>&1 ||
		skip "$c is not installed (ops/install-deps.sh installs it)"
done
PATH=$PATH:/usr/sbin:/sbin
H=$(hostname -s)
getent hosts "$H" >/dev/null 2>&1 || skip "the host name $H does not resolve (mariadb-install-db needs it)"

# Daemons under a short directory (socket paths are limited to 108 bytes);
# every dir above munged's socket must be o+x.
T=$(mktemp -d /tmp/recon-slurm.XXXXXX) && chmod 755 "$T"
pids=
stop_all() {
	[ -s "$TRASH/holder.pid" ] && pids="$pids $(cat "$TRASH/holder.pid")" && rm -f "$TRASH/holder.pid"
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$p" 2>/dev/null
	done
	pids=
	mkdir -p "$TRASH/daemon-logs" && cp -r "$T/log/." "$TRASH/daemon-logs/" 2>/dev/null
	rm -rf "$T"
}
trap stop_all EXIT
trap 'exit 1' INT TERM
bg() {
	"$@" >"$T/log/$(basename "$1").$$.$(date +%s%N).fg" 2>&1 &
	pids="$! $pids"
}
waitfor() {
	i=0
	until eval "$1" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt "${2:-150}" ] || { echo "timeout waiting for: $1"; return 1; }
		sleep 0.2
	done
}
ports=$(python3 -c '
import socket
ss = [socket.socket() for _ in range(6)]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))')
set -- $ports
DBPORT=$1 CTLPORT=$2 SDPORT=$3 DBDPORT=$4 N1PORT=$5 CLOSED=$6

start_cluster() {
	mkdir -p "$T/log" "$T/munge" "$T/ctld" "$T/spool" "$T/db" && chmod 755 "$T/munge" &&
	dd if=/dev/urandom of="$T/munge/munge.key" bs=128 count=1 2>/dev/null &&
	chmod 600 "$T/munge/munge.key" &&
	bg munged --foreground --key-file="$T/munge/munge.key" --socket="$T/munge/munge.sock" \
		--pid-file="$T/munge/munged.pid" --seed-file="$T/munge/munged.seed" &&
	waitfor "test -S $T/munge/munge.sock" &&
	mariadb-install-db --no-defaults --datadir="$T/db" --user=root \
		--auth-root-authentication-method=normal >"$T/log/db-install.log" 2>&1 &&
	bg mariadbd --no-defaults --datadir="$T/db" --user=root --socket="$T/db/sock" \
		--port=$DBPORT --bind-address=127.0.0.1 --skip-name-resolve \
		--innodb-buffer-pool-size=64M --log-error="$T/log/mariadbd.err" &&
	waitfor "mariadb --no-defaults -S $T/db/sock -uroot -e 'select 1'" &&
	mariadb --no-defaults -S "$T/db/sock" -uroot -e "create user slurm@'127.0.0.1' identified by 'slurm';
		grant all on slurm_acct_db.* to slurm@'127.0.0.1';" &&
	cat >"$T/slurmdbd.conf" <<CONF &&
AuthType=auth/munge
AuthInfo=socket=$T/munge/munge.sock
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort=$DBDPORT
SlurmUser=root
PidFile=$T/slurmdbd.pid
LogFile=$T/log/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$DBPORT
StorageUser=slurm
StoragePass=slurm
StorageLoc=slurm_acct_db
CONF
	chmod 600 "$T/slurmdbd.conf" &&
	cat >"$T/slurm.conf" <<CONF &&
ClusterName=recontest
SlurmctldHost=$H(127.0.0.1)
SlurmctldPort=$CTLPORT
SlurmdPort=$SDPORT
AuthType=auth/munge
AuthInfo=socket=$T/munge/munge.sock,cred_expire=5
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$T/ctld
SlurmdSpoolDir=$T/spool/%n
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd-%n.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/linux
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=$DBDPORT
AccountingStoragePass=$T/munge/munge.sock
AccountingStoreFlags=job_comment
JobCompType=jobcomp/filetxt
JobCompLoc=$T/log/jobcomp.log
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=2,sched_interval=5
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=3600
RequeueExit=109,115
NodeName=n1 NodeHostname=$H NodeAddr=127.0.0.1 Port=$N1PORT CPUs=1 RealMemory=1000
NodeName=n2 NodeHostname=$H NodeAddr=127.0.0.1 Port=$((N1PORT + 1)) CPUs=1 RealMemory=1000
PartitionName=batch Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
	export SLURM_CONF="$T/slurm.conf" &&
	bg slurmdbd -D &&
	waitfor "grep -q 'slurmdbd version .* started' $T/log/slurmdbd.log" &&
	bg slurmctld -D &&
	bg slurmd -D -N n1 &&
	bg slurmd -D -N n2 &&
	waitfor "test \$(sinfo -h -N -t idle -o %N | sort -u | wc -l) -eq 2" 250
}

# Port N1PORT+1 must be free too (slurmd of n2); a taken one is rare: skip.
python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', $((N1PORT + 1))))" 2>/dev/null ||
	skip "port $((N1PORT + 1)) is taken; run again"
T0=$(date +%s)
if ! start_cluster >"$TRASH/start.log" 2>&1; then
	echo "not ok - a single-host Slurm cluster starts (munge, MariaDB, slurmdbd, slurmctld, 2 slurmd)"
	sed 's/^/#   /' "$TRASH/start.log"
	for f in "$T"/log/*; do echo "# $f:"; tail -n 5 "$f" | sed 's/^/#   /'; done
	echo "0 passed, 1 failed"
	exit 1
fi
echo "ok - a single-host Slurm cluster starts in $(( $(date +%s) - T0 )) s (munge, MariaDB, slurmdbd, slurmctld, 2 slurmd)"
passed=1

# Five municipalities (the labels stand for SE numbers; the fixtures carry
# the guide's SE): 10000001 the guide's night (0), 10000002 the drill-down
# (0), 10000003 a corrupt zip among its drops (65: never retried),
# 10000004 an SFTP source on a closed port (69: tried 3 times), 10000005
# its state locked by another run at first (75, then 0 on the retry).
make_munis() {
	for se in 10000001 10000002 10000003 10000004 10000005; do
		"$TOP/ops/new-municipality" $se --data "$TRASH/data" --root "$TRASH/m" >/dev/null || return 1
	done &&
	for se in 10000001 10000002 10000003 10000004 10000005; do mkdir -p data/$se; done &&
	cp -r "$TOP/fixtures/guide-eindkomst/drops" data/10000001/drops &&
	cp -r "$TOP/fixtures/eindkomst-drilldown/drops" data/10000002/drops &&
	cp -r "$TOP/fixtures/guide-eindkomst/drops" data/10000003/drops &&
	head -c 3000 /dev/urandom >data/10000003/drops/ky/KY_Bundle_20210205.zip &&
	: >data/10000003/drops/ky/KY_Bundle_20210205.zip.done &&
	cp -r "$TOP/fixtures/guide-eindkomst/drops" data/10000004/drops &&
	printf "retries 1\ntimeout 2\nbackoff 1\nsource ky sftp\n  host 127.0.0.1\n  port %s\n  user recon\n  key id_none\n  known-hosts kh_none\n  dir /out/ky\n  into ky\n" \
		$CLOSED >m/10000004/sources.conf &&
	cp -r "$TOP/fixtures/guide-eindkomst/drops" data/10000005/drops &&
	for se in 10000001 10000003 10000005; do echo n1 >m/$se/slurm-node; done &&
	for se in 10000002 10000004; do echo n2 >m/$se/slurm-node; done &&
	mkdir -p data/10000005/state && : >data/10000005/state/lock
}

# Holds 10000005's lock until its first try has exited 75 (bounded: 120 s).
hold_lock() {
	(
		flock -x 9 || exit 1
		i=0
		while ! grep -q ";75;0;" logs/10000005/$NIGHT.exit 2>/dev/null && [ $i -lt 600 ]; do
			sleep 0.2
			i=$((i + 1))
		done
	) 9>data/10000005/state/lock &
	echo $! >"$TRASH/holder.pid"
}

# wait_jobs: until squeue is empty (bounded: 4 minutes).
wait_jobs() {
	i=0
	while [ -n "$(squeue -h 2>/dev/null)" ]; do
		i=$((i + 1))
		[ $i -lt 240 ] || { echo "jobs still queued after 4 minutes:"; squeue; return 1; }
		sleep 1
	done
}

# final SE: the last sacct record of the SE's task: "STATE EXIT" (sacct
# keeps one record per try; the comment names the SE and the try).
sacct_rows() {
	sacct -j "$1" --duplicates -X -n -P -o JobID,Comment,State,ExitCode,NodeList
}

test_expect_success 'five municipalities run as one array per node; the overview after them' '
	make_munis && hold_lock && sleep 0.3 &&
	T1=$(date +%s) &&
	"$TOP/ops/slurm/submit-night" --date $NIGHT --root m --logs logs --max-tries 3 --parallel 2 >jobs &&
	grep -q "^arrays: [0-9]* [0-9]*$" jobs && grep -q "^overview: [0-9]*$" jobs &&
	wait_jobs && echo "the night took $(( $(date +%s) - T1 )) s" &&
	test -s logs/10000001/$NIGHT.log && test -s logs/10000004/$NIGHT.exit
'
A=$(sed -n "s/^arrays: //p" "$TRASH/jobs" 2>/dev/null | tr " " ,)
G=$(sed -n "s/^overview: //p" "$TRASH/jobs" 2>/dev/null)

# The accounting database takes a moment to hold every record.
test_expect_success 'sacct: 0, 0, 65 once, 69 after 3 tries, 75 then 0; nodes as pinned' '
	waitfor "test \$(sacct_rows $A | grep -c se=) -ge 8" 100 &&
	sacct_rows $A >rows && cat rows &&
	grep "se=10000001 " rows >r1 && test $(wc -l <r1) = 1 && grep -q "|COMPLETED|0:0|n1$" r1 &&
	grep "se=10000002 " rows >r2 && test $(wc -l <r2) = 1 && grep -q "|COMPLETED|0:0|n2$" r2 &&
	grep "se=10000003 " rows >r3 && test $(wc -l <r3) = 1 && grep -q "|FAILED|65:0|n1$" r3 &&
	grep "se=10000004 " rows >r4 && test $(wc -l <r4) = 3 &&
	test $(grep -c "|REQUEUED|109:0|n2$" r4) = 2 && grep -q "try=2|FAILED|69:0|n2$" r4 &&
	grep "se=10000005 " rows >r5 && test $(wc -l <r5) = 2 &&
	grep -q "try=0|REQUEUED|115:0|n1$" r5 && grep -q "try=1|COMPLETED|0:0|n1$" r5 &&
	grep -q "^10000004;$NIGHT;69;2;" logs/10000004/$NIGHT.exit &&
	grep -q "^10000005;$NIGHT;0;1;" logs/10000005/$NIGHT.exit
'

test_expect_success 'the overview ran after every task and says what happened (exit 2: a night failed)' '
	scontrol show job "$G" | grep -Eq "JobName=recon-overview( |$)" &&
	sacct -j $G -X -n -P -o JobName,State,ExitCode,Start >g && cat g &&
	grep -q "^[^|]*|FAILED|2:0|" g &&
	start=$(cut -d"|" -f4 g) &&
	for e in $(sacct -j $A --duplicates -X -n -P -o End); do
		expr "$e" \<= "$start" >/dev/null || return 1
	done &&
	o=logs/overview/overview-$NIGHT.csv &&
	grep -q "^.*municipality;night;state;exit;" $o &&
	grep -q "^10000001;$NIGHT;done;0;17/17;" $o &&
	grep -q "^10000002;$NIGHT;done;0;17/17;;0;;3;5;" $o &&
	grep -q "^10000003;$NIGHT;done;65;17/17;;0;;0;0;1;" $o &&
	grep -q "^10000004;$NIGHT;failed;69;16/17;fetch(69);" $o &&
	grep -q "^10000005;$NIGHT;done;0;17/17;" $o &&
	grep -q "<td>10000004</td><td class=\"st st-failed\">failed</td>" logs/overview/overview-$NIGHT.html
'

# The job's name is read from slurmctld, not sacct: slurmdbd records an
# array job it first hears of from a step as "allocation" (seen in CI).
test_expect_success 'rerun of one municipality for one date when its source is back' '
	rm m/10000004/sources.conf &&
	R=$("$TOP/ops/slurm/rerun-one" 10000004 --date $NIGHT --root m --logs logs) &&
	R2=$("$TOP/ops/slurm/rerun-one" 10000004 --date $NIGHT --root m --logs logs --stage report) &&
	wait_jobs &&
	for j in $R $R2; do
		scontrol show job "$j" | grep -Eq "JobName=recon-10000004( |$)" || return 1
	done &&
	waitfor "test \$(sacct -j $R,$R2 -X -n -P -o State | grep -c COMPLETED) -eq 2" 100 &&
	sacct -j $R,$R2 -X -n -P -o JobName,Comment,State,ExitCode,NodeList,Start,End >rr && cat rr &&
	test $(grep -c "|se=10000004 night=$NIGHT try=0|COMPLETED|0:0|n2|" rr) = 2 &&
	s2=$(sed -n 2p rr | cut -d"|" -f6) && e1=$(sed -n 1p rr | cut -d"|" -f7) &&
	expr "$e1" \<= "$s2" >/dev/null &&
	{ pipeline overview --date $NIGHT --root m --out ov --quiet; test $? -eq 1; } &&
	grep -q "^10000004;$NIGHT;done;0;17/17;" ov/overview-$NIGHT.csv
'

started="$pids $(cat "$TRASH/holder.pid" 2>/dev/null)"
stop_all
test_expect_success 'every daemon this test started is stopped, by its pid' '
	test -n "$started" && for p in $started; do ! kill -0 $p 2>/dev/null || return 1; done &&
	! test -e "$T"
'
echo "the whole Slurm test took $(( $(date +%s) - T0 )) s"
test_done
