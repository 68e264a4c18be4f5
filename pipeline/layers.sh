#!/bin/sh
# The include rule of ARCHITECTURE.md, run by make before anything compiles:
#   pipeline/G/*   includes "G/x.h" of its own group or of a group below
#                  it in pipeline/LAYERS, and nothing of stages/ or driver/;
#   stages/NAME.c, stages/NAME/*, driver/*
#                  include any group ("G/x.h") and, in a folder, the
#                  folder's own headers by their bare name ("x.h"); never
#                  another program's files.
# Every broken include is printed as FILE:LINE: what and which rule; the
# exit status is 1 when there is one (2 when the check cannot run).
#   pipeline/layers.sh [TOP]      TOP: the source tree (default: this one's)
top=${1:-"$(dirname "$0")/.."}
cd "$top" || exit 2
[ -r pipeline/LAYERS ] || { echo "layers.sh: no pipeline/LAYERS under $top" >&2; exit 2; }
layers=$(sed -e 's/#.*//' pipeline/LAYERS | awk 'NF { printf "%s%s", sep, $1; sep = " " }')
files=$(find pipeline stages driver -name '*.[ch]' 2>/dev/null | LC_ALL=C sort)
[ -n "$files" ] || exit 0
# shellcheck disable=SC2086  # file names are plain (no blanks) in this tree
awk -v layers="$layers" '
function fail(msg) {
	printf "%s:%d: %s\n", FILENAME, FNR, msg
	bad++
}
function exists(path,    line, r) {
	r = (getline line < path)
	close(path)
	return r >= 0
}
BEGIN {
	n = split(layers, order, " ")
	for (i = 1; i <= n; i++) {
		rank[order[i]] = i
		below[order[i]] = s		# "core/ store/": the groups under it
		s = s (s == "" ? "" : " ") order[i] "/"
	}
}
FNR == 1 {
	# What the file is: a group of the library, a stage, or the driver.
	kind = ""; group = ""; dir = FILENAME; sub(/\/[^\/]*$/, "", dir)
	np = split(FILENAME, p, "/")
	if (p[1] == "pipeline") {
		if (np != 3) {
			fail("a library file lives in a group folder: pipeline/GROUP/ (pipeline/LAYERS)")
			kind = "skip"
		} else if (!(p[2] in rank)) {
			fail("pipeline/" p[2] "/ is not a group of pipeline/LAYERS")
			kind = "skip"
		} else {
			kind = "lib"; group = p[2]
		}
	} else if (p[1] == "stages") {
		kind = (np == 2) ? "stagefile" : "stagedir"
		if (np > 3) {
			fail("a stage is stages/NAME.c or stages/NAME/FILE, one level")
			kind = "skip"
		}
	} else {
		kind = "driver"
	}
}
kind != "skip" && /^[ \t]*#[ \t]*include[ \t]*"/ {
	inc = $0
	sub(/^[ \t]*#[ \t]*include[ \t]*"/, "", inc)
	sub(/".*/, "", inc)
	ni = split(inc, q, "/")
	if (ni == 1) {
		# A bare name: a header of the same folder, for a program only.
		if (kind == "lib")
			fail("include \"" inc "\": name the group (#include \"GROUP/" inc "\"), also within " group "/")
		else if (kind == "stagefile")
			fail("include \"" inc "\": a one-file stage has no headers of its own; include the library by group (\"GROUP/" inc "\")")
		else if (!exists(dir "/" inc))
			fail("include \"" inc "\": not a header of " dir "/; the library is included by group (\"GROUP/" inc "\")")
		next
	}
	if (ni == 2 && (q[1] in rank)) {
		if (!exists("pipeline/" inc))
			fail("include \"" inc "\": no such file pipeline/" inc)
		else if (kind == "lib" && rank[q[1]] > rank[group])
			fail("include \"" inc "\": upward include: " group "/ may include only " group "/" \
			     (below[group] == "" ? "" : " and " below[group]) " (pipeline/LAYERS, bottom to top: " layers ")")
		next
	}
	if (q[1] == "stages" || q[1] == "driver") {
		if (kind == "lib")
			fail("include \"" inc "\": the library never includes a program (stages/, driver/)")
		else
			fail("include \"" inc "\": a program includes no other program'"'"'s files; what two programs share belongs in pipeline/")
		next
	}
	fail("include \"" inc "\": not a group of pipeline/LAYERS (" layers ") nor a header of this folder")
}
END { exit bad ? 1 : 0 }
' $files
