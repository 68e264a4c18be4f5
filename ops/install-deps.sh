#!/bin/sh
# Installs the Debian packages the build and the tests need, when missing.
# Run as root (CI and the developers' machines are); otherwise uses sudo.
# --missing: only print the missing packages (ops/check-deps.sh check).
set -e
PKGS="build-essential pkg-config liblmdb-dev lmdb-utils libcsv-dev libssh2-1-dev
libarchive-dev zlib1g-dev libxml2-dev libxml2-utils libssl-dev util-linux
openssh-server openssh-client time python3 procps strace valgrind"
# make fuzz builds libFuzzer targets with clang (its compiler runtime holds libFuzzer).
PKGS="$PKGS clang libclang-rt-dev"
# make bench: the sqlite3 shell is its baseline (tests/bench/sqlite-baseline.sh).
PKGS="$PKGS sqlite3"
# tests/t0600-report.sh renders the night's report in headless Chromium.
PKGS="$PKGS chromium"
# tests/t0800-systemd.sh: systemd-analyze verify of ops/systemd/ (the
# package is there on Debian; not always in a container image).
PKGS="$PKGS systemd"
# tests/t0820-k8s.sh parses ops/k8s/ with PyYAML (Debian's python3).
PKGS="$PKGS python3-yaml"
# bin/stage-workbook writes OUT/DATE/afstemning.xlsx with libxlsxwriter;
# tests/t0640-workbook.sh reads it back with openpyxl (Debian's python3).
PKGS="$PKGS libxlsxwriter-dev python3-openpyxl"
# tests/t0810-slurm.sh: a throw-away Slurm cluster (../shared/spec/scale-out.md).
# Without recommends: the meta package's 40 plugin -dev packages are not needed.
SLURM_PKGS="slurmctld slurmd slurm-client munge slurmdbd mariadb-server"
missing=
for p in $PKGS; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
slurm_missing=
for p in $SLURM_PKGS; do
	dpkg -s "$p" >/dev/null 2>&1 || slurm_missing="$slurm_missing $p"
done
if [ "${1:-}" = --missing ]; then
	[ -z "$missing$slurm_missing" ] || echo $missing $slurm_missing
	exit 0
fi
[ -z "$missing$slurm_missing" ] && exit 0
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "installing:$missing$slurm_missing"
$SUDO apt-get update -q
[ -z "$missing" ] || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $missing
# The daemons are started by the test alone, on their own ports and
# sockets; a host where the packages start them (no policy-rc.d) keeps them.
[ -z "$slurm_missing" ] ||
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $slurm_missing
