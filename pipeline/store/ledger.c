#include "store/ledger.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/cprkey.h"
#include "core/banned.h"

void ledger_now(char buf[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static size_t ledger_key(const char *night, const char *stage, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s%c%s", night, '\0', stage);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

/* The next number of the ledger's counter, written back in txn. */
static int next_seq(struct store *st, MDB_txn *txn, uint64_t *seq)
{
	static const char name[] = "ledger-seq";
	MDB_val k = { sizeof(name) - 1, (void *)name }, v;
	uint8_t be[8];
	int rc = mdb_get(txn, st->meta, &k, &v);
	*seq = 0;
	if (rc == 0 && v.mv_size == 8)
		for (int i = 0; i < 8; i++)
			*seq = *seq << 8 | ((const uint8_t *)v.mv_data)[i];
	else if (rc && rc != MDB_NOTFOUND)
		return store_fail("ledger counter", rc);
	++*seq;
	for (int i = 0; i < 8; i++)
		be[i] = (uint8_t)(*seq >> (56 - 8 * i));
	v.mv_size = sizeof(be);
	v.mv_data = be;
	rc = mdb_put(txn, st->meta, &k, &v, 0);
	return rc ? store_fail("ledger counter", rc) : 0;
}

int ledger_put(struct store *st, MDB_txn *txn, const char *night,
	       const char *stage, const struct ledger_entry *e)
{
	char kb[128];
	struct strbuf v = STRBUF_INIT, note = STRBUF_INIT;
	MDB_val k, val;
	uint64_t seq;
	int rc;

	if (next_seq(st, txn, &seq))
		return -1;
	/* A note may name a file: no CPR number in it (status shows it). */
	cpr_mask_text(e->error, strlen(e->error), &note);
	k.mv_size = ledger_key(night, stage, kb, sizeof(kb));
	k.mv_data = kb;
	strbuf_addf(&v, "state=%s\nstarted=%s\nfinished=%s\nversion=%s\n"
		    "input=%s\noutput=%s\nrows_in=%" PRIu64 "\nrows_out=%" PRIu64
		    "\nrows_rejected=%" PRIu64 "\nexit=%d\nerror=%s\nseq=%" PRIu64
		    "\nupstream=%s\nsetup=%s\n",
		    e->state, e->started, e->finished, e->version, e->input,
		    e->output, e->rows_in, e->rows_out, e->rows_rejected,
		    e->exit_code, strbuf_str(&note), seq, e->upstream, e->setup);
	val.mv_size = v.len;
	val.mv_data = v.buf;
	rc = mdb_put(txn, st->ledger, &k, &val, 0);
	strbuf_release(&v);
	strbuf_release(&note);
	return rc ? store_fail("ledger", rc) : 0;
}

static void copy_prop(const MDB_val *v, const char *key, char *dst, size_t cap,
		      struct strbuf *tmp)
{
	const char *s = prop_get(v, key, tmp);
	xstrlcpy(dst, s ? s : "", cap);
}

static uint64_t num_prop(const MDB_val *v, const char *key, struct strbuf *tmp)
{
	const char *s = prop_get(v, key, tmp);
	return s ? strtoull(s, NULL, 10) : 0;
}

static void ledger_decode(const MDB_val *v, struct ledger_entry *e)
{
	struct strbuf t = STRBUF_INIT;
	memset(e, 0, sizeof(*e));
	copy_prop(v, "state", e->state, sizeof(e->state), &t);
	copy_prop(v, "started", e->started, sizeof(e->started), &t);
	copy_prop(v, "finished", e->finished, sizeof(e->finished), &t);
	copy_prop(v, "version", e->version, sizeof(e->version), &t);
	copy_prop(v, "input", e->input, sizeof(e->input), &t);
	copy_prop(v, "output", e->output, sizeof(e->output), &t);
	copy_prop(v, "error", e->error, sizeof(e->error), &t);
	copy_prop(v, "upstream", e->upstream, sizeof(e->upstream), &t);
	copy_prop(v, "setup", e->setup, sizeof(e->setup), &t);
	e->rows_in = num_prop(v, "rows_in", &t);
	e->rows_out = num_prop(v, "rows_out", &t);
	e->rows_rejected = num_prop(v, "rows_rejected", &t);
	e->exit_code = (int)num_prop(v, "exit", &t);
	e->seq = num_prop(v, "seq", &t);
	strbuf_release(&t);
}

int ledger_ran_before(const struct ledger_entry *e, const struct ledger_entry *upstream)
{
	if (e->seq && upstream->seq)
		return upstream->seq > e->seq;
	return strcmp(upstream->finished, e->started) > 0;	/* older entries */
}

int ledger_get(struct store *st, MDB_txn *txn, const char *night,
	       const char *stage, struct ledger_entry *e)
{
	char kb[128];
	MDB_val k, v;
	int rc;
	k.mv_size = ledger_key(night, stage, kb, sizeof(kb));
	k.mv_data = kb;
	rc = mdb_get(txn, st->ledger, &k, &v);
	if (rc == MDB_NOTFOUND)
		return 1;
	if (rc)
		return store_fail("ledger", rc);
	ledger_decode(&v, e);
	return 0;
}

int ledger_each(struct store *st, MDB_txn *txn, const char *night,
		ledger_fn fn, void *data)
{
	MDB_cursor *c;
	MDB_val k = { 0, NULL }, v;
	size_t nl = night ? strlen(night) : 0;
	int rc = mdb_cursor_open(txn, st->ledger, &c), op = MDB_FIRST;

	if (rc)
		return store_fail("ledger", rc);
	if (night) {
		k.mv_size = nl;
		k.mv_data = (void *)night;
		op = MDB_SET_RANGE;
	}
	int stop = 0;
	while (!stop && (rc = mdb_cursor_get(c, &k, &v, (MDB_cursor_op)op)) == 0) {
		char kb[128];
		struct ledger_entry e;
		op = MDB_NEXT;
		if (night && (k.mv_size <= nl || memcmp(k.mv_data, night, nl)))
			break;
		if (k.mv_size >= sizeof(kb))
			continue;
		memcpy(kb, k.mv_data, k.mv_size);
		kb[k.mv_size] = '\0';
		ledger_decode(&v, &e);
		stop = fn(kb, kb + strlen(kb) + 1, &e, data);
	}
	mdb_cursor_close(c);
	if (stop)
		return stop;
	return rc && rc != MDB_NOTFOUND ? store_fail("ledger", rc) : 0;
}
