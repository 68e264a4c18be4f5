#!/bin/sh
# The directories a night writes and the configuration it obeys are
# resolved once at start and checked (pipeline/run/paths.h, SECURITY.md
# "A local user"): a state, out or archive directory another user could
# write to is refused before anything is written (exit 64), and so is a
# conf or schemas directory, or a file in it, anyone could change. A
# symlink is followed and its target is what is checked.
. "$(dirname "$0")/lib.sh"
D=2021-02-05
DROPS="$TOP/fixtures/guide-eindkomst/drops"

# run NAME [args]: a night with state NAME/state, out NAME/out; stderr in NAME.err
run() {
	n=$1
	shift
	PIPELINE_ARCHIVE_DIR="${ARCHIVE:-$TRASH/$n/archive}" pipeline run --quiet --date $D \
		--conf "${CONF:-$TOP/conf/pipeline.conf}" --drops "$DROPS" \
		--state "$TRASH/$n/state" --out "$TRASH/$n/out" "$@" 2>"$TRASH/$n.err"
}

test_expect_success 'a group-writable state directory: exit 64, named, nothing written' '
	mkdir -p gw/state && chmod 770 gw/state &&
	{ run gw; test $? -eq 64; } &&
	grep -q "state directory $TRASH/gw/state is mode 0770: group or others may write to it; refused (chmod go-w" gw.err &&
	test ! -e gw/out && test -z "$(ls gw/state)"
'

test_expect_success 'a world-writable out directory (a /tmp): exit 64' '
	mkdir -p ww/out && chmod 1777 ww/out &&
	{ run ww; test $? -eq 64; } &&
	grep -q "out directory $TRASH/ww/out is mode 1777" ww.err &&
	test -z "$(ls ww/out)"
'

test_expect_success 'a state symlinked to our own directory: followed, the night runs' '
	mkdir -p real/state ln && ln -s "$TRASH/real/state" ln/state &&
	run ln && test -s real/state/store/data.mdb &&
	test -s ln/out/$D/summary/ky-eindkomst.csv
'

test_expect_success 'a state symlinked into a directory others may write: refused, naming both' '
	mkdir -p open/state lo && chmod 777 open/state && ln -s "$TRASH/open/state" lo/state &&
	{ run lo; test $? -eq 64; } &&
	grep -q "state directory $TRASH/lo/state (resolved to $TRASH/open/state) is mode 0777" lo.err &&
	test -z "$(ls open/state)"
'

test_expect_success 'a world-writable file in the conf directory: exit 64, the file named' '
	cp -r "$TOP/conf" cw && cp -r "$TOP/schemas" cw-schemas &&
	sed -i "s|^schemas .*|schemas $TRASH/cw-schemas|" cw/pipeline.conf &&
	grep -q "^schemas $TRASH/cw-schemas" cw/pipeline.conf &&
	CONF=$TRASH/cw/pipeline.conf run cwok &&
	chmod 666 cw/vouchers.conf &&
	{ CONF=$TRASH/cw/pipeline.conf run cwbad; test $? -eq 64; } &&
	grep -q "file $TRASH/cw/vouchers.conf is mode 0666: anyone may change it; refused" cwbad.err &&
	chmod 644 cw/vouchers.conf && chmod 777 cw-schemas &&
	{ CONF=$TRASH/cw/pipeline.conf run cwbad2; test $? -eq 64; } &&
	grep -q "schemas directory $TRASH/cw-schemas is mode 0777" cwbad2.err
'

test_expect_success 'a stage run alone checks the same (stage-normalise)' '
	mkdir -p st/state && chmod 707 st/state &&
	{ stage-normalise --date $D --conf "$TOP/conf/pipeline.conf" --state st/state \
		--out st/out 2>st.err; test $? -eq 64; } &&
	grep -q "state directory st/state (resolved to $TRASH/st/state) is mode 0707" st.err
'

test_expect_success 'a group-writable archive directory: stage-archive exits 64, nothing sealed' '
	mkdir -p ga/archive && chmod 775 ga/archive &&
	{ ARCHIVE=$TRASH/ga/archive run ga; test $? -eq 64; } &&
	grep -q "archive directory $TRASH/ga/archive is mode 0775" ga.err &&
	test -z "$(ls ga/archive)" && test -s ga/out/$D/summary/ky-eindkomst.csv
'

test_done
