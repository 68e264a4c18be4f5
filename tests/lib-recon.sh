# Helpers of the posting-level recon tests (nemkonto, debitor, faktura);
# source after lib.sh.

# run DROPS NAME DATE: a night of DROPS into $TRASH/NAME ($CONF overrides the
# conf); exit 66 counts as 0 (lib.sh partial())
run() {
	partial pipeline run --date "$3" --conf "${CONF:-$TOP/conf/pipeline.conf}" --drops "$1" \
		--state "$TRASH/$2/state" --out "$TRASH/$2/out"
}

# breaks FILE: 'reason;key;amount' of every exception in FILE, sorted bytewise
breaks() {
	tail -n +2 "$1" | awk -F";" '{ split($8, r, ":"); print r[1] ";" $5 ";" $7 }' |
		LC_ALL=C sort
}
