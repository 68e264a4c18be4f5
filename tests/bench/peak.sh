#!/bin/sh
# peak.sh CMD...: runs CMD; prints its peak anonymous RSS to stderr (heap,
# not the file-backed LMDB map). Samples /proc every 20 ms.
"$@" & pid=$!
peak=0
while kill -0 $pid 2>/dev/null; do
	a=$(awk '/RssAnon/ {print $2}' /proc/$pid/status 2>/dev/null)
	[ -n "$a" ] && [ "$a" -gt "$peak" ] && peak=$a
	sleep 0.02
done
wait $pid; rc=$?
echo "peak RssAnon ${peak} KB" >&2
exit $rc
