#!/bin/sh
# peak.sh CMD...: runs CMD; prints to stderr
#   peak RssAnon N KB; peak RSS N KB; wrote N bytes; cpu N.NN s
# RssAnon is the heap, not the file-backed LMDB map (sampled from /proc
# every 20 ms); peak RSS (the map's pages counted) and the CPU time (user
# + system: what the wall time is when the machine is not shared) are
# GNU time's exact figures for CMD and its children; bytes written are
# write_bytes less cancelled_write_bytes of /proc/PID/io: what reaches
# the disk (a temporary file truncated or unlinked before writeback, as
# normalise's sort runs and libxlsxwriter's sheets, is counted when
# written and cancelled when dropped); a reaped child's I/O adds to its
# parent's, so this shell's own count after the wait is CMD's, and the
# sampling's nothing. Exit: CMD's.
t=$(mktemp)
# net: bytes this shell and its reaped children sent to the disk
net() { awk '/^write_bytes/ { w = $2 } /^cancelled_write_bytes/ { c = $2 } END { print w - c }' /proc/$$/io; }
w0=$(net)
/usr/bin/time -f '%U %S %M' -o "$t" "$@" & tpid=$!
pid= peak=0
while kill -0 $tpid 2>/dev/null; do
	# (the list has no newline: read says EOF but sets pid)
	[ -n "$pid" ] || read -r pid _ </proc/$tpid/task/$tpid/children 2>/dev/null
	if [ -n "$pid" ]; then
		while read -r k v _; do
			[ "$k" = RssAnon: ] && [ "$v" -gt "$peak" ] && peak=$v
		done </proc/$pid/status 2>/dev/null
	fi
	sleep 0.02
done
wait $tpid; rc=$?
w1=$(net)
set -- $(tail -n 1 "$t")
rm -f "$t"
echo "peak RssAnon ${peak} KB; peak RSS ${3:-0} KB; wrote $((w1 - w0)) bytes; cpu $(awk -v u="${1:-0}" -v s="${2:-0}" 'BEGIN { printf "%.2f", u + s }') s" >&2
exit $rc
