#include "receipt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "store/landed.h"
#include "store/ledger.h"
#include "core/banned.h"

static void receipt_key(const char *source, const char *remote, const char *sha,
			struct strbuf *k)
{
	strbuf_reset(k);
	strbuf_addstr(k, source);
	strbuf_addch(k, '\0');
	strbuf_addstr(k, remote);
	strbuf_addch(k, '\0');
	strbuf_addstr(k, sha);
}

int receipt_put(struct store *st, MDB_txn *txn, const struct receipt *r)
{
	struct strbuf k = STRBUF_INIT, v = STRBUF_INIT;
	char now[32];
	MDB_val kv, vv;
	int rc;

	ledger_now(now);
	receipt_key(r->source, r->remote, r->sha, &k);
	strbuf_addf(&v, "source=%s\nremote=%s\nsize=%llu\nmtime=%lld\nsignal=%s\nsha=%s\n"
		    "hostkey=%s\nnight=%s\npath=%s\nreceived=%s\n", r->source, r->remote,
		    (unsigned long long)r->size, (long long)r->mtime, r->signal, r->sha,
		    r->hostkey, r->night, r->path, now);
	kv = (MDB_val){ k.len, k.buf };
	vv = (MDB_val){ v.len, v.buf };
	rc = k.len > 511 ? MDB_BAD_VALSIZE : mdb_put(txn, st->receipts, &kv, &vv, 0);
	strbuf_release(&k);
	strbuf_release(&v);
	return rc ? store_fail("receipts", rc) : 0;
}

static int matches(const MDB_val *v, uint64_t size, int64_t mtime)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	int ok = prop_get(v, "size", &a) && prop_get(v, "mtime", &b) &&
		 strtoull(a.buf, NULL, 10) == size && strtoll(b.buf, NULL, 10) == mtime;
	strbuf_release(&a);
	strbuf_release(&b);
	return ok;
}

int receipt_find(struct store *st, MDB_txn *txn, const char *source, const char *remote,
		 uint64_t size, int64_t mtime, char sha[DIGEST_HEXSZ])
{
	struct strbuf prefix = STRBUF_INIT;
	MDB_cursor *c;
	MDB_val k, v;
	int rc, found = 1, op = MDB_SET_RANGE;

	receipt_key(source, remote, "", &prefix);
	if ((rc = mdb_cursor_open(txn, st->receipts, &c))) {
		strbuf_release(&prefix);
		return store_fail("receipts", rc);
	}
	k = (MDB_val){ prefix.len, prefix.buf };
	while (found == 1 && (rc = mdb_cursor_get(c, &k, &v, (MDB_cursor_op)op)) == 0) {
		op = MDB_NEXT;
		if (k.mv_size != prefix.len + DIGEST_HEXSZ - 1 ||
		    memcmp(k.mv_data, prefix.buf, prefix.len))
			break;
		if (matches(&v, size, mtime)) {
			memcpy(sha, (const char *)k.mv_data + prefix.len, DIGEST_HEXSZ - 1);
			sha[DIGEST_HEXSZ - 1] = '\0';
			found = 0;
		}
	}
	mdb_cursor_close(c);
	strbuf_release(&prefix);
	if (rc && rc != MDB_NOTFOUND)
		return store_fail("receipts", rc);
	return found;
}
