# Helpers of the shared parts' tests (fixtures/shared-parts: XML input,
# accumulating inputs, vouchers from postings, outgoing files, residence);
# source after lib.sh.
SP="$TOP/fixtures/shared-parts"
SPC="$SP/conf/pipeline.conf"
SPG="$TOP/tests/golden/shared-parts"
ROWS="$TOP/${BUILD:-build/opt}/tests/storerows"
[ -x "$ROWS" ] || ROWS=$(ls "$TOP"/build/*/tests/storerows | head -n 1)

# sp_night NAME DATE DROPS [CONF]: a night of the fixture into $TRASH/NAME
sp_night() {
	store_conf "$TRASH/$1/state" "${4:-$SPC}" &&
	PIPELINE_ARCHIVE_DIR="$TRASH/$1/archive" \
	pipeline run --date "$2" --conf "${4:-$SPC}" --drops "$3" \
		--state "$TRASH/$1/state" --out "$TRASH/$1/out"
}

# sp_rows NAME DATE STORE [CONF]: the rows night DATE reads of STORE (CPR shown)
sp_rows() {
	"$ROWS" --conf "${4:-$SPC}" --state "$TRASH/$1/state" --date "$2" --show-cpr "$3"
}

# sp_conf DIR LINE...: a copy of the fixture's conf dir with LINEs added to
# its pipeline.conf (schemas beside it, as in the fixture)
sp_conf() {
	dir=$1
	shift
	mkdir -p "$dir" && cp "$SP"/conf/*.conf "$dir/" &&
	sed -i "s|^schemas .*|schemas $SP/schemas|" "$dir/pipeline.conf" &&
	printf '%s\n' "$@" >>"$dir/pipeline.conf"
}

# sums DIR: every file under DIR with its SHA-256, for byte-identical checks
sums() {
	(cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum)
}
