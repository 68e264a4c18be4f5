#!/bin/sh
# Checks, before anything compiles, that what the build needs is here, and
# names the Debian package of anything that is not.
#
# usage: ops/check-deps.sh [--install] build|demo|demo-sftp|check [PKG-CONFIG-MODULE...]
#
#   build      the compiler, make, ar, pkg-config, libcsv's header and each
#              pkg-config module named (the Makefile passes its PKGS)
#   demo       the same (the demo night needs only the build)
#   demo-sftp  and the OpenSSH server and client (a loopback SFTP source)
#   check      and the packages the tests use (ops/install-deps.sh --missing)
#
# Only pkg-config, `command -v` and one preprocessor run: no apt, no dpkg
# unless the mode is `check` (and dpkg is there: Debian's packages). When something is missing:
#   --install, and root or sudo is there: runs ops/install-deps.sh (the
#       script `make deps` runs and CI runs), then checks again;
#   otherwise: prints each missing module or tool, its Debian package, and
#       the command that installs it, and exits 72.
# For `check`, a missing test package that cannot be installed is a warning
# (the tests that need it say skipped or fail on their own); the build's are
# errors. Exit codes: 0 all there, 72 something missing (not installed),
# 64 usage, or install-deps.sh's own code when it fails.
set -u
cd "$(dirname "$0")/.." || exit 70
install=
if [ "${1:-}" = --install ]; then
	install=1
	shift
fi
mode=${1:-}
case $mode in
build | demo | demo-sftp | check) shift ;;
*)
	echo "usage: ops/check-deps.sh [--install] build|demo|demo-sftp|check [MODULE...]" >&2
	exit 64
	;;
esac
modules=$*
[ -n "$modules" ] || modules="lmdb libarchive libssh2 libxml-2.0 zlib libcrypto"
CC=${CC:-cc}
SUDO="sudo "
[ "$(id -u)" -eq 0 ] && SUDO=

# The Debian package that holds a pkg-config module.
module_package() {
	case $1 in
	lmdb) echo liblmdb-dev ;;
	libarchive) echo libarchive-dev ;;
	libssh2) echo libssh2-1-dev ;;
	libxml-2.0) echo libxml2-dev ;;
	zlib) echo zlib1g-dev ;;
	libcrypto | libssl | openssl) echo libssl-dev ;;
	xlsxwriter) echo libxlsxwriter-dev ;;
	*) echo "" ;;
	esac
}

# What is missing: lines "what<TAB>package".
missing() {
	if ! command -v pkg-config >/dev/null 2>&1; then
		printf 'tool pkg-config\tpkg-config\n'
	elif ! pkg-config --exists $modules 2>/dev/null; then	# one call when all are there
		for m in $modules; do
			pkg-config --exists "$m" 2>/dev/null ||
				printf 'pkg-config module %s\t%s\n' "$m" "$(module_package "$m")"
		done
	fi
	case ${CC%% *} in
	*clang*) ccpkg=clang ;;	# make fuzz
	*) ccpkg=build-essential ;;
	esac
	command -v "${CC%% *}" >/dev/null 2>&1 || printf 'compiler %s\t%s\n' "$CC" "$ccpkg"
	command -v make >/dev/null 2>&1 || printf 'tool make\tmake\n'
	command -v ar >/dev/null 2>&1 || printf 'tool ar\tbinutils\n'
	# libcsv ships no pkg-config file: its header says whether it is there.
	if [ ! -e /usr/include/csv.h ] && command -v "${CC%% *}" >/dev/null 2>&1 &&
		! printf '#include <csv.h>\n' | $CC -E -x c - >/dev/null 2>&1; then
		printf 'header csv.h (libcsv)\tlibcsv-dev\n'
	fi
	if [ "$mode" = demo-sftp ]; then
		[ -x /usr/sbin/sshd ] || command -v sshd >/dev/null 2>&1 ||
			printf 'tool sshd\topenssh-server\n'
		command -v ssh-keygen >/dev/null 2>&1 || printf 'tool ssh-keygen\topenssh-client\n'
	fi
}

can_install() {
	[ "$(id -u)" -eq 0 ] && return 0
	command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null
}

report() {	# $1: the missing lines; $2: error or warning
	printf '%s\n' "$1" | while IFS='	' read -r what pkg; do
		[ -n "$what" ] || continue
		if [ -n "$pkg" ]; then
			echo "$2: missing $what (Debian package $pkg)" >&2
		else
			case $what in
			"pkg-config module "*) term="${what#pkg-config module }.pc" ;;
			*) term=${what##* } ;;
			esac
			echo "$2: missing $what (its Debian package: apt-file search $term)" >&2
		fi
	done
	pkgs=$(printf '%s\n' "$1" | cut -f2 | sort -u | tr '\n' ' ' | sed 's/ *$//; s/^ *//')
	[ -z "$pkgs" ] || echo "$2: install it with: $SUDO""apt-get install $pkgs   (or: make deps, which installs everything the tests use too)" >&2
}

test_missing=
# The test packages are Debian's: without dpkg only the build is checked.
command -v dpkg >/dev/null 2>&1 || nodpkg=1
[ "$mode" = check ] && [ -z "${nodpkg:-}" ] && test_missing=$(sh ops/install-deps.sh --missing 2>/dev/null)
build_missing=$(missing)
[ -z "$build_missing$test_missing" ] && exit 0

if [ -n "$install" ] && can_install; then
	echo "check-deps: missing: $(printf '%s\n' "$build_missing" | cut -f2 | tr '\n' ' ')$test_missing; running ops/install-deps.sh" >&2
	sh ops/install-deps.sh || exit $?
	build_missing=$(missing)
	test_missing=
	[ "$mode" = check ] && [ -z "${nodpkg:-}" ] && test_missing=$(sh ops/install-deps.sh --missing 2>/dev/null)
	[ -z "$build_missing" ] && [ -z "$test_missing" ] && exit 0
fi
if [ -n "$test_missing" ]; then
	for p in $test_missing; do
		printf 'warning: missing Debian package %s (the tests that use it skip or fail)\n' "$p" >&2
	done
	echo "warning: install them with: $SUDO""apt-get install$(printf ' %s' $test_missing)   (or: make deps)" >&2
fi
[ -z "$build_missing" ] && exit 0
report "$build_missing" error
exit 72
