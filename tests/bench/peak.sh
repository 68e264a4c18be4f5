#!/bin/sh
# peak.sh CMD...: runs CMD; prints to stderr its peak anonymous RSS
# (RssAnon: heap, not the file-backed LMDB map), its peak RSS (VmHWM, the
# map's pages counted) and the bytes it caused to be written to disk
# (write_bytes of /proc/PID/io; a reaped child's I/O adds to its parent's,
# so this shell's own count after the wait is CMD's and its children's):
#   peak RssAnon N KB; peak RSS N KB; wrote N bytes
# Samples /proc every 20 ms.
w0=$(awk '/^write_bytes/ {print $2}' /proc/$$/io)
"$@" & pid=$!
peak=0 hwm=0
while kill -0 $pid 2>/dev/null; do
	s=$(awk '/^RssAnon/ {a = $2} /^VmHWM/ {h = $2} END {print a + 0, h + 0}' /proc/$pid/status 2>/dev/null)
	a=${s% *} h=${s#* }
	[ -n "$a" ] && [ "$a" -gt "$peak" ] && peak=$a
	[ -n "$h" ] && [ "$h" -gt "$hwm" ] && hwm=$h
	sleep 0.02
done
wait $pid; rc=$?
w1=$(awk '/^write_bytes/ {print $2}' /proc/$$/io)
echo "peak RssAnon ${peak} KB; peak RSS ${hwm} KB; wrote $((w1 - w0)) bytes" >&2
exit $rc
