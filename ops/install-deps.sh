#!/bin/sh
# Installs the Debian packages the build and the tests need, when missing.
# Run as root (CI and the developers' machines are); otherwise uses sudo.
set -e
PKGS="build-essential pkg-config liblmdb-dev lmdb-utils libcsv-dev libssh2-1-dev
libarchive-dev zlib1g-dev libxml2-dev libxml2-utils libssl-dev util-linux
openssh-server openssh-client time python3 procps strace valgrind"
# make fuzz builds libFuzzer targets with clang (its compiler runtime holds libFuzzer).
PKGS="$PKGS clang libclang-rt-dev"
# tests/t0600-report.sh renders the night's report in headless Chromium.
PKGS="$PKGS chromium"
missing=
for p in $PKGS; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "installing:$missing"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $missing
