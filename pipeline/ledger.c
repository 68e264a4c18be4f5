#include "ledger.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "banned.h"

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

int ledger_put(struct store *st, MDB_txn *txn, const char *night,
	       const char *stage, const struct ledger_entry *e)
{
	char kb[128];
	struct strbuf v = STRBUF_INIT;
	MDB_val k, val;
	int rc;

	k.mv_size = ledger_key(night, stage, kb, sizeof(kb));
	k.mv_data = kb;
	strbuf_addf(&v, "state=%s\nstarted=%s\nfinished=%s\nversion=%s\n"
		    "input=%s\noutput=%s\nrows_in=%" PRIu64 "\nrows_out=%" PRIu64
		    "\nrows_rejected=%" PRIu64 "\nexit=%d\nerror=%s\n",
		    e->state, e->started, e->finished, e->version, e->input,
		    e->output, e->rows_in, e->rows_out, e->rows_rejected,
		    e->exit_code, e->error);
	val.mv_size = v.len;
	val.mv_data = v.buf;
	rc = mdb_put(txn, st->ledger, &k, &val, 0);
	strbuf_release(&v);
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
	e->rows_in = num_prop(v, "rows_in", &t);
	e->rows_out = num_prop(v, "rows_out", &t);
	e->rows_rejected = num_prop(v, "rows_rejected", &t);
	e->exit_code = (int)num_prop(v, "exit", &t);
	strbuf_release(&t);
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
