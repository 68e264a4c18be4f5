#include "post/voucherstore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/banned.h"

struct event {
	char current[UUID_SZ];
	int32_t night;		/* the night its voucher in force was issued */
	int32_t seen;		/* the latest night that issued or confirmed it */
	char digest[65];
	unsigned seq;
};

static int put(MDB_txn *txn, MDB_dbi dbi, const struct strbuf *k, const struct strbuf *v)
{
	MDB_val key = { k->len, k->buf }, val = { v->len, v->buf };
	int rc = mdb_put(txn, dbi, &key, &val, 0);
	return rc ? store_fail("vouchers", rc) : 0;
}

static void night_key(int32_t night, const char *id, struct strbuf *k)
{
	strbuf_reset(k);
	strbuf_addf(k, "n/%08d/%s", (int)night, id);
}

static int put_voucher(struct store *st, MDB_txn *txn, const struct voucher *v)
{
	struct strbuf k = STRBUF_INIT, val = STRBUF_INIT;
	int rc;
	night_key(v->night, v->id, &k);
	voucher_encode(v, &val);
	rc = put(txn, st->vouchers, &k, &val);
	strbuf_release(&k);
	strbuf_release(&val);
	return rc;
}

static int put_event(struct store *st, MDB_txn *txn, const struct voucher *v, unsigned seq,
		     int32_t seen)
{
	struct strbuf k = STRBUF_INIT, val = STRBUF_INIT;
	int rc;
	strbuf_addf(&k, "e/%s", v->event);
	strbuf_addf(&val, "current=%s\nnight=%08d\ndigest=%s\nseq=%u\nseen=%08d\n", v->id,
		    (int)v->night, v->digest, seq, (int)seen);
	rc = put(txn, st->vouchers, &k, &val);
	strbuf_release(&k);
	strbuf_release(&val);
	return rc;
}

static int parse_event(const MDB_val *val, struct event *e)
{
	struct strbuf t = STRBUF_INIT;
	const char *cur = prop_get(val, "current", &t);
	int ok = cur && strlen(cur) == UUID_SZ - 1;
	if (ok)
		xstrlcpy(e->current, cur, sizeof(e->current));
	ok = ok && prop_get(val, "night", &t);
	if (ok)
		e->night = (int32_t)strtol(t.buf, NULL, 10);
	ok = ok && prop_get(val, "digest", &t) && t.len == 64;
	if (ok)
		xstrlcpy(e->digest, t.buf, sizeof(e->digest));
	ok = ok && prop_get(val, "seq", &t);
	if (ok)
		e->seq = (unsigned)strtoul(t.buf, NULL, 10);
	/* Records written before 'seen' existed: the issuing night. */
	e->seen = prop_get(val, "seen", &t) ? (int32_t)strtol(t.buf, NULL, 10) : e->night;
	strbuf_release(&t);
	return ok ? 0 : -1;
}

/* 0 found, 1 not found, -1 reported. */
static int get_event(struct store *st, MDB_txn *txn, const char *event, struct event *e)
{
	struct strbuf k = STRBUF_INIT;
	MDB_val key, val;
	int rc;
	strbuf_addf(&k, "e/%s", event);
	key.mv_size = k.len;
	key.mv_data = k.buf;
	rc = mdb_get(txn, st->vouchers, &key, &val);
	strbuf_release(&k);
	if (rc == MDB_NOTFOUND)
		return 1;
	if (rc)
		return store_fail("vouchers", rc);
	if (parse_event(&val, e)) {
		log_error("store: vouchers: event %.16s is damaged", event);
		return -1;
	}
	return 0;
}

static int get_voucher(struct store *st, MDB_txn *txn, int32_t night, const char *id,
		       struct voucher *v)
{
	struct strbuf k = STRBUF_INIT;
	MDB_val key, val;
	int rc;
	night_key(night, id, &k);
	key.mv_size = k.len;
	key.mv_data = k.buf;
	rc = mdb_get(txn, st->vouchers, &key, &val);
	strbuf_release(&k);
	if (rc)
		return store_fail("vouchers: issued voucher", rc);
	if (voucher_decode(val.mv_data, val.mv_size, v)) {
		log_error("store: vouchers: voucher %s is damaged", id);
		return -1;
	}
	return 0;
}

/* The event's voucher in force is taken back, and v issued in its place. */
static int reissue(struct store *st, MDB_txn *txn, struct voucher *v, const struct event *e)
{
	struct voucher old, rev;
	if (get_voucher(st, txn, e->night, e->current, &old))
		return -1;
	voucher_reverse(&old, v->night, &rev);
	voucher_seal(v, e->seq + 1);
	return put_voucher(st, txn, &rev) || put_voucher(st, txn, v) ||
	       put_event(st, txn, v, e->seq + 1, v->night) ? -1 : 0;
}

int voucher_issue(struct store *st, MDB_txn *txn, struct voucher *v, int32_t night,
		  enum issue_result *res)
{
	struct event e;
	int rc = get_event(st, txn, v->event, &e);
	v->night = night;
	if (rc < 0)
		return -1;
	if (rc == 1) {
		*res = ISSUE_NEW;
		voucher_seal(v, 0);
		return put_voucher(st, txn, v) || put_event(st, txn, v, 0, night) ? -1 : 0;
	}
	voucher_seal(v, e.seq);
	/* A later night issued it, or confirmed content this rerun would change. */
	if (e.night > night || (e.seen > night && strcmp(v->digest, e.digest))) {
		*res = ISSUE_LATER;
		return 0;
	}
	if (!strcmp(v->digest, e.digest)) {
		*res = ISSUE_KNOWN;
		/* This night confirmed it: a rerun of an older night must not override. */
		v->night = e.night;
		return night > e.seen ? put_event(st, txn, v, e.seq, night) : 0;
	}
	*res = ISSUE_CHANGED;
	return reissue(st, txn, v, &e);
}

int voucher_each_of_night(struct store *st, MDB_txn *txn, int32_t night,
			  voucher_fn fn, void *data)
{
	struct strbuf prefix = STRBUF_INIT;
	MDB_cursor *cur;
	MDB_val key, val;
	int rc, out = 0;
	strbuf_addf(&prefix, "n/%08d/", (int)night);
	if ((rc = mdb_cursor_open(txn, st->vouchers, &cur))) {
		strbuf_release(&prefix);
		return store_fail("vouchers", rc);
	}
	key.mv_size = prefix.len;
	key.mv_data = prefix.buf;
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
	     rc == 0 && out == 0 && key.mv_size > prefix.len &&
	     !memcmp(key.mv_data, prefix.buf, prefix.len);
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		struct voucher v;
		if (voucher_decode(val.mv_data, val.mv_size, &v)) {
			log_error("store: vouchers: a voucher of night %08d is damaged", (int)night);
			out = -1;
		} else {
			out = fn(&v, data);
		}
	}
	if (rc && rc != MDB_NOTFOUND && out == 0)
		out = store_fail("vouchers", rc);
	mdb_cursor_close(cur);
	strbuf_release(&prefix);
	return out;
}
