# A real OpenSSH server for the SFTP tests, sourced after lib.sh:
#   sshd_setup          host keys (ED25519, ECDSA, RSA) and a host certificate
#                       of the ED25519 key signed by $SSHD/ca_key (for
#                       @cert-authority), user key, authorized_keys,
#                       sshd_config, known_hosts with the ED25519 key only (as
#                       an operator may have it), a free loopback port in $PORT
#   sshd_subsystem CMD  serve SFTP by CMD instead of internal-sftp (before
#                       sshd_start; e.g. tests/hostile-sftp.py)
#   sshd_start          starts /usr/sbin/sshd -D on 127.0.0.1:$PORT
#   sshd_stop           kills it and every session it forked
#   sftp_conf DIR ...   a conf dir copy whose sources.conf points at it
# The server serves $TRASH/remote through internal-sftp; it is always
# stopped when the test script exits. Call sshd_setup at the top level
# (tests run in subshells: $PORT must be set before them).
SSHD=$TRASH/sshd
# Files the tests write (known_hosts ...) must not be group-writable, which
# fetch refuses, whatever umask the test runs under.
umask 022

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Is something listening on 127.0.0.1:$PORT?
listening() {
	python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' \
		"$PORT" 2>/dev/null
}

sshd_setup() {
	mkdir -p "$SSHD" "$TRASH/remote" && chmod 700 "$SSHD" &&
	ssh-keygen -q -t ed25519 -N "" -C test-host -f "$SSHD/host_key" &&
	ssh-keygen -q -t ecdsa -N "" -C test-host -f "$SSHD/host_key_ecdsa" &&
	ssh-keygen -q -t rsa -b 2048 -N "" -C test-host -f "$SSHD/host_key_rsa" &&
	ssh-keygen -q -t ed25519 -N "" -C test-ca -f "$SSHD/ca_key" &&
	ssh-keygen -q -s "$SSHD/ca_key" -I test-host -h -n 127.0.0.1 "$SSHD/host_key.pub" &&
	ssh-keygen -q -t ed25519 -N "" -C test-user -f "$SSHD/user_key" &&
	cp "$SSHD/user_key.pub" "$SSHD/authorized_keys" &&
	PORT=$(free_port) &&
	cat >"$SSHD/sshd_config" <<-CONF &&
	ListenAddress 127.0.0.1
	Port $PORT
	HostKey $SSHD/host_key_ecdsa
	HostKey $SSHD/host_key
	HostKey $SSHD/host_key_rsa
	HostCertificate $SSHD/host_key-cert.pub
	PidFile $SSHD/sshd.pid
	AuthorizedKeysFile $SSHD/authorized_keys
	AuthenticationMethods publickey
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	PermitRootLogin prohibit-password
	AllowUsers $(id -un)
	UsePAM no
	StrictModes no
	LogLevel ERROR
	Subsystem sftp internal-sftp
	CONF
	echo "[127.0.0.1]:$PORT $(cut -d" " -f1,2 "$SSHD/host_key.pub")" >"$SSHD/known_hosts"
}

sshd_subsystem() {
	sed -i "s|^Subsystem sftp .*|Subsystem sftp $1|" "$SSHD/sshd_config"
}

sshd_start() {
	mkdir -p /run/sshd &&
	/usr/sbin/sshd -D -e -f "$SSHD/sshd_config" 2>>"$SSHD/log" &
	echo $! >"$SSHD/pid"
	for i in $(seq 50); do
		listening && return 0
		sleep 0.1
	done
	echo "sshd did not start:" && cat "$SSHD/log" && return 1
}

# The server's process and all it forked, children first.
descendants() {
	for c in $(ps -o pid= --ppid "$1"); do
		descendants "$c"
	done
	echo "$1"
}

sshd_stop() {
	[ -s "$SSHD/pid" ] || return 0
	pids=$(descendants "$(cat "$SSHD/pid")")
	kill -9 $pids 2>/dev/null
	: >"$SSHD/pid"
	sleep 0.2
}

# sftp_conf DIR [after-landing ...]: conf/ copied to DIR with sources ky and
# eindkomst on the test server (remote $TRASH/remote/ky, .../eindkomst), or
# those SFTP_SOURCES names (ops/demo.sh --sftp: every folder of the drops).
sftp_conf() {
	dir=$1
	shift
	mkdir -p "$dir" &&
	sed -e "s|^schemas .*|schemas $TOP/schemas|" -e "/^drops /d" \
		"$TOP/conf/pipeline.conf" >"$dir/pipeline.conf" &&
	for f in "$TOP"/conf/*.conf; do
		case $f in */pipeline.conf|*/sources.conf) ;; *) cp "$f" "$dir/" ;; esac
	done &&
	{
		echo "retries 2"
		echo "backoff 1"
		echo "timeout ${TIMEOUT:-10}"
		for s in ${SFTP_SOURCES:-ky eindkomst}; do
			mkdir -p "$TRASH/remote/$s"
			echo "source $s sftp"
			echo "  host 127.0.0.1"
			echo "  port $PORT"
			echo "  user $(id -un)"
			echo "  key ${USER_KEY:-$SSHD/user_key}"
			echo "  known-hosts ${KNOWN_HOSTS:-$SSHD/known_hosts}"
			echo "  dir $TRASH/remote/$s"
			echo "  into $s"
			if [ $# -gt 0 ]; then echo "  after-landing $*"; fi
		done
	} >"$dir/sources.conf"
}

trap sshd_stop EXIT
