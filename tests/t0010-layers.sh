#!/bin/sh
# The include rule of ARCHITECTURE.md: pipeline/layers.sh (run by make
# before it compiles anything) fails on an include that breaks it, naming
# FILE:LINE and the rule: an upward include between the groups of
# pipeline/LAYERS, a library include without its group, the library
# including a program, a program including another program's files.
. "$(dirname "$0")/lib.sh"

# tree NAME: a copy of the sources to break
tree() {
	mkdir -p "$1" && cp -r "$TOP/Makefile" "$TOP/pipeline" "$TOP/stages" "$TOP/driver" "$TOP/ops" "$1/"
}
# insert FILE N TEXT: TEXT becomes line N of FILE
insert() {
	sed -i "$2i\\
$3" "$1"
}
# fails TREE: the checker fails (exit 1) on TREE; its output in out
fails() {
	sh "$1/pipeline/layers.sh" "$1" >out 2>&1
	test $? -eq 1
}

test_expect_success 'the tree keeps the rule' '
	sh "$TOP/pipeline/layers.sh" "$TOP" >out 2>&1 &&
	test ! -s out
'

test_expect_success 'an upward include fails, naming file:line and the rule' '
	tree up &&
	insert up/pipeline/core/strbuf.c 3 "#include \"archive/sealed.h\"" &&
	fails up &&
	grep -q "^pipeline/core/strbuf.c:3: include \"archive/sealed.h\": upward include: core/ may include only core/ (pipeline/LAYERS" out &&
	test $(wc -l <out) -eq 1
'

test_expect_success 'an upward include from the middle names the groups below' '
	tree mid &&
	insert mid/pipeline/store/ledger.h 2 "#include \"run/stage.h\"" &&
	fails mid &&
	grep -q "^pipeline/store/ledger.h:2: include \"run/stage.h\": upward include: store/ may include only store/ and core/ " out
'

test_expect_success 'a library include must name its group, also within the group' '
	tree bare &&
	insert bare/pipeline/match/recon.c 3 "#include \"money.h\"" &&
	insert bare/pipeline/core/log.c 3 "#include \"strbuf.h\"" &&
	fails bare &&
	grep -q "^pipeline/match/recon.c:3: include \"money.h\": name the group" out &&
	grep -q "^pipeline/core/log.c:3: include \"strbuf.h\": name the group" out
'

test_expect_success 'the library never includes a program' '
	tree prog &&
	insert prog/pipeline/post/voucher.c 3 "#include \"stages/vouchers/finansbilag.h\"" &&
	fails prog &&
	grep -q "^pipeline/post/voucher.c:3: include \"stages/vouchers/finansbilag.h\": the library never includes a program" out
'

test_expect_success 'a stage includes no other program'"'"'s files' '
	tree other &&
	insert other/stages/report/main.c 3 "#include \"sealnight.h\"" &&
	insert other/driver/pipeline.c 3 "#include \"stages/report/report.h\"" &&
	fails other &&
	grep -q "^stages/report/main.c:3: include \"sealnight.h\": not a header of stages/report/" out &&
	grep -q "^driver/pipeline.c:3: include \"stages/report/report.h\": a program includes no other program" out
'

test_expect_success 'a folder of pipeline/ that is not in LAYERS fails' '
	tree new &&
	mkdir new/pipeline/extra && printf "#include \"core/log.h\"\n" >new/pipeline/extra/x.c &&
	fails new &&
	grep -q "^pipeline/extra/x.c:1: pipeline/extra/ is not a group of pipeline/LAYERS" out
'

test_expect_success 'make fails on an upward include before compiling anything' '
	tree mk &&
	insert mk/pipeline/ingest/csvin.c 3 "#include \"match/recon.h\"" &&
	{ env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C mk >out 2>&1; test $? -ne 0; } &&
	grep -q "^pipeline/ingest/csvin.c:3: include \"match/recon.h\": upward include" out &&
	test -z "$(find mk -name "*.o")" && test ! -e mk/bin
'

test_done
