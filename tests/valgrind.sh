#!/bin/sh
# make check VALGRIND=1: writes a wrapper per program of bin/ into DIR that
# runs it under valgrind (memcheck, full leak check), each process logging
# to LOGDIR/PROG.PID.log, and prints the environment tests/run.sh exports:
# PATH first, PIPELINE_BINDIR (where bin/pipeline finds its stages) and a
# store map size valgrind can reserve (the default 64G it cannot).
#   tests/valgrind.sh DIR LOGDIR
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$1 logs=$2
rm -rf "$dir" && mkdir -p "$dir" "$logs"
for p in "$top"/bin/*; do
	n=$(basename "$p")
	cat >"$dir/$n" <<EOT
#!/bin/sh
exec valgrind --quiet --error-exitcode=99 --leak-check=full \\
	--show-leak-kinds=definite,indirect,possible \\
	--errors-for-leak-kinds=definite,indirect,possible \\
	--log-file="$logs/$n.%p.log" "$p" "\$@"
EOT
	chmod +x "$dir/$n"
done
