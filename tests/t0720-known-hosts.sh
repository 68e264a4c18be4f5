#!/bin/sh
# known_hosts as OpenSSH reads it (stages/fetch/knownhosts.h), against the
# loopback sshd (tests/sshd.sh: ED25519, ECDSA and RSA host keys and a host
# certificate). Each case runs stage-fetch AND OpenSSH's own sftp client
# on the same known_hosts file: both must accept, or both refuse (a
# @cert-authority line: OpenSSH accepts the certificate, we refuse and say
# why). And the private key: refused before any connection when group or
# others may read it.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sshd.sh"
FILE=KY_A_20210205.csv

sshd_setup >"$TRASH/setup.log" 2>&1 || { cat "$TRASH/setup.log"; exit 1; }
ED=$(cut -d" " -f1,2 "$SSHD/host_key.pub")
EC=$(cut -d" " -f1,2 "$SSHD/host_key_ecdsa.pub")
RSA=$(cut -d" " -f1,2 "$SSHD/host_key_rsa.pub")
CA=$(cut -d" " -f1,2 "$SSHD/ca_key.pub")
HP="[127.0.0.1]:$PORT"

# ours NAME: stage-fetch, one source, known_hosts NAME.kh; its log NAME.log
ours() {
	KNOWN_HOSTS=$TRASH/$1.kh sftp_conf c-$1 && sed -i "/^source eindkomst/,\$d" c-$1/sources.conf &&
	stage-fetch --verbose --date 2021-02-05 --conf c-$1/pipeline.conf --state s-$1/state \
		--out s-$1/out 2>$1.log
}

# openssh NAME [certs]: OpenSSH's sftp client on NAME.kh; 0 when it accepted
# the host. It is not offered the host certificate (libssh2 never sees
# one: with it, OpenSSH checks the plain key by other rules) unless "certs".
openssh() {
	certs=-*-cert-v01@openssh.com
	[ "${2:-}" = certs ] && certs=+ssh-ed25519
	echo "ls" | sftp -b - -F /dev/null -P "$PORT" -i "$SSHD/user_key" -o IdentitiesOnly=yes \
		-o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$TRASH/$1.kh" \
		-o GlobalKnownHostsFile=/dev/null -o UpdateHostKeys=no -o CheckHostIP=no \
		-o HostKeyAlgorithms="$certs" 127.0.0.1 >$1.openssh 2>&1
}

# accepted NAME: both take the host; the file landed; the receipt has KEY's fingerprint
accepted() {
	ours $1 && openssh $1 && test -f s-$1/state/landing/2021-02-05/ky/$FILE &&
	mdb_dump -p -s receipts s-$1/state/store | grep -q "hostkey=$(ssh-keygen -lf "$2" | cut -d" " -f2)"
}

# refused NAME: both refuse; stage-fetch exits 69 and lands nothing
refused() {
	{ ours $1; test $? -eq 69; } && ! openssh $1 && ! test -e s-$1/state/landing/2021-02-05 &&
	grep -q "source ky unreachable" $1.log
}

test_expect_success 'setup: sshd with three host key types and a host certificate' '
	mkdir -p "$TRASH/remote/ky" && echo a >"$TRASH/remote/ky/$FILE" &&
	: >"$TRASH/remote/ky/$FILE.done" && sshd_start &&
	ssh-keyscan -c -p "$PORT" 127.0.0.1 2>/dev/null | grep -q "ssh-ed25519-cert-v01@openssh.com"
'

test_expect_success 'a key listed for [127.0.0.1]:PORT is accepted' '
	echo "$HP $ED" >port.kh && accepted port "$SSHD/host_key.pub"
'

# OpenSSH, finding no [host]:port line, tries the plain host ("checking
# without port identifier"): it takes this one; we do not (knownhosts.h).
test_expect_success 'a key listed for 127.0.0.1 (port 22) is NOT accepted on another port' '
	echo "127.0.0.1 $ED" >plain.kh && { ours plain; test $? -eq 69; } &&
	! test -e s-plain/state/landing/2021-02-05 && openssh plain &&
	grep -q "source ky: host key of \\[127.0.0.1\\]:$PORT (SHA256:[^ ]*) is listed in .*plain.kh:1 for 127.0.0.1, the host on port 22, only; refused (OpenSSH would take it): if this is the same server, add a line for \\[127.0.0.1\\]:$PORT" plain.log
'

test_expect_success '[host]:port listing another key while the plain host lists this one: refused (libssh2 would take it)' '
	printf "%s\n" "$HP $(cut -d" " -f1,2 "$SSHD/ca_key.pub")" "127.0.0.1 $ED" >both.kh &&
	refused both && grep -q "CHANGED (now SHA256:[^ ]*, .*both.kh:1 lists another)" both.log
'

test_expect_success 'hashed names (ssh-keygen -H): the right port accepted, port 22 not' '
	cp port.kh hport.kh && ssh-keygen -q -H -f hport.kh 2>/dev/null && grep -q "^|1|" hport.kh &&
	! grep -q 127.0.0.1 hport.kh && accepted hport "$SSHD/host_key.pub" &&
	cp plain.kh hplain.kh && ssh-keygen -q -H -f hplain.kh 2>/dev/null &&
	{ ours hplain; test $? -eq 69; } && grep -q "is listed in .*hplain.kh:1 for 127.0.0.1, the host on port 22, only" hplain.log
'

test_expect_success '@revoked refuses the key even when a plain line lists it too (either order)' '
	printf "%s\n" "$HP $ED" "@revoked * $ED" >rev1.kh && refused rev1 &&
	grep -q "host key of \\[127.0.0.1\\]:$PORT (SHA256:[^ ]*) is REVOKED in .*rev1.kh:2; refused" rev1.log &&
	printf "%s\n" "@revoked $HP $ED" "$HP $ED" >rev2.kh && refused rev2 &&
	grep -q "is REVOKED in .*rev2.kh:1; refused" rev2.log
'

test_expect_success 'a revoked ED25519 key and a listed ECDSA one: the ECDSA key is used' '
	printf "%s\n" "@revoked * $ED" "$HP $EC" >revec.kh && accepted revec "$SSHD/host_key_ecdsa.pub"
'

test_expect_success '@cert-authority: OpenSSH takes the host certificate; we refuse, saying why' '
	echo "@cert-authority $HP $CA" >ca.kh &&
	{ ours ca; test $? -eq 69; } && openssh ca certs && ! openssh ca && ! test -e s-ca/state/landing/2021-02-05 &&
	grep -q "source ky: host key of \\[127.0.0.1\\]:$PORT (SHA256:[^ ]*) is not in .*ca.kh; refused: .*ca.kh:1 is a @cert-authority line, and host certificates are not supported: list the server.s own key" ca.log
'

test_expect_success 'a @cert-authority line beside the listed key changes nothing' '
	printf "%s\n" "@cert-authority $HP $CA" "$HP $ED" >caed.kh && accepted caed "$SSHD/host_key.pub"
'

test_expect_success 'several key types per host: ECDSA alone, ED25519 alone, and all three' '
	echo "$HP $EC" >ec.kh && accepted ec "$SSHD/host_key_ecdsa.pub" &&
	printf "%s\n" "$HP $RSA" "$HP $EC" "$HP $ED" >all.kh && accepted all "$SSHD/host_key_ecdsa.pub"
'

# libssh2 1.10 verifies RSA host keys with ssh-rsa (SHA-1) only, which
# OpenSSH 8.8+ servers no longer offer: OpenSSH's client (rsa-sha2-512)
# takes the host, we cannot, and say so.
test_expect_success 'an RSA key alone: refused with the reason when libssh2 cannot check it' '
	echo "$HP $RSA" >rsa.kh && openssh rsa && {
		ours rsa && test -f s-rsa/state/landing/2021-02-05/ky/$FILE ||
		grep -q "rsa.kh has only rsa-sha2-512,rsa-sha2-256,ssh-rsa for \\[127.0.0.1\\]:$PORT; .*(this libssh2 checks an RSA host key with ssh-rsa, SHA-1, only: list the server.s ED25519 or ECDSA key)" rsa.log; }
'

test_expect_success 'a changed key of a listed type is refused, naming the line' '
	ssh-keygen -q -t ecdsa -N "" -f other_ec && echo "$HP $(cut -d" " -f1,2 other_ec.pub)" >chg.kh &&
	refused chg &&
	grep -q "host key of \\[127.0.0.1\\]:$PORT CHANGED (now SHA256:[^ ]*, .*chg.kh:1 lists another)" chg.log
'

test_expect_success 'comments, blank lines, CRLF and a comment after the key' '
	printf "# the operators'"'"' known hosts\r\n\r\n   \r\n\t# indented\r\n%s the-sftp-server\r\n" "$HP $ED" >cmt.kh &&
	accepted cmt "$SSHD/host_key.pub"
'

test_expect_success 'a wildcard pattern is accepted; a negated one that matches refuses' '
	echo "[127.0.0.*]:$PORT,other.example.dk $ED" >wild.kh && accepted wild "$SSHD/host_key.pub" &&
	echo "[127.0.0.*]:$PORT,!$HP $ED" >neg.kh && refused neg &&
	grep -q "host key of \\[127.0.0.1\\]:$PORT (SHA256:[^ ]*) is not in .*neg.kh; refused" neg.log
'

test_expect_success 'a line for the host that cannot be read: refused with file:line, before connecting' '
	printf "%s\n" "# x" "@revoked $HP ssh-ed25519 AAAA!!!!" "$HP $ED" >bad.kh &&
	{ ours bad; test $? -eq 69; } &&
	grep -q "stage-fetch: .*bad.kh:2: the ssh-ed25519 key for \\[127.0.0.1\\]:$PORT is not base64" bad.log &&
	! grep -q "SSH handshake\|host key of" bad.log && ! test -e s-bad/state/landing/2021-02-05
'

test_expect_success 'a known_hosts others may write is refused (they could add a key)' '
	echo "$HP $ED" >gw.kh && chmod 664 gw.kh && { ours gw; test $? -eq 69; } &&
	grep -q "known_hosts .*gw.kh is mode 0664: writable by group or others, who could add a key; refused (chmod go-w .*gw.kh)" gw.log
'

test_expect_success 'the private key: 0644 and 0640 refused before connecting, naming file and mode' '
	cp "$SSHD/user_key" key && chmod 644 key && USER_KEY=$TRASH/key sftp_conf ck &&
	sed -i "/^source eindkomst/,\$d" ck/sources.conf &&
	{ stage-fetch --date 2021-02-05 --conf ck/pipeline.conf --state k/state 2>k.log; test $? -eq 69; } &&
	grep -q "source ky: private key $TRASH/key is mode 0644: group or others may read it; refused (chmod 600 $TRASH/key)" k.log &&
	! grep -q "SSH handshake\|host key\|login" k.log &&
	chmod 640 key && { stage-fetch --date 2021-02-05 --conf ck/pipeline.conf --state k/state 2>k.log; test $? -eq 69; } &&
	grep -q "private key $TRASH/key is mode 0640" k.log && ! test -e k/state/landing/2021-02-05
'

test_expect_success 'the private key: 0600 and 0400 are accepted' '
	chmod 600 key && stage-fetch --date 2021-02-05 --conf ck/pipeline.conf --state k6/state 2>k.log &&
	chmod 400 key && stage-fetch --date 2021-02-05 --conf ck/pipeline.conf --state k4/state 2>k.log &&
	test -f k4/state/landing/2021-02-05/ky/$FILE
'

test_expect_success 'teardown: the server stops' '
	sshd_stop && ! listening
'

test_done
