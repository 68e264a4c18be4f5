#include "store/landed.h"

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

static size_t landed_key(const char *night, const char *relpath, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s%c%s", night, '\0', relpath);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

int landed_put(struct store *st, MDB_txn *txn, const char *night,
	       const char *relpath, const uint8_t fileid[FILEID_LEN])
{
	char kb[640];
	MDB_val k = { landed_key(night, relpath, kb, sizeof(kb)), kb };
	MDB_val v = { FILEID_LEN, (void *)fileid };
	int rc;
	if (!k.mv_size)
		return store_fail("landed: name too long", MDB_BAD_VALSIZE);
	rc = mdb_put(txn, st->landed, &k, &v, 0);
	return rc ? store_fail("landed", rc) : 0;
}

int landed_night(struct store *st, MDB_txn *txn, const char *relpath,
		 const uint8_t id[FILEID_LEN], const char *first, char out[11])
{
	char kb[640];
	size_t rlen = strlen(relpath), nlen = strlen(first);
	MDB_val k = { landed_key(first, relpath, kb, sizeof(kb)), kb }, v;
	MDB_cursor *c;
	int rc, found = 0;
	if (!k.mv_size || nlen != 10)
		return 1;
	rc = mdb_get(txn, st->landed, &k, &v);
	if (rc == 0 && v.mv_size == FILEID_LEN && !memcmp(v.mv_data, id, FILEID_LEN)) {
		snprintf(out, 11, "%s", first);
		return 0;
	}
	if (rc && rc != MDB_NOTFOUND)
		return store_fail("landed", rc);
	if ((rc = mdb_cursor_open(txn, st->landed, &c)))
		return store_fail("landed", rc);
	k = (MDB_val){ nlen, (void *)first };
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0 && !found;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const char *key = k.mv_data;
		if (k.mv_size != 11 + rlen || key[10] != '\0' || memcmp(key + 11, relpath, rlen) ||
		    v.mv_size != FILEID_LEN || memcmp(v.mv_data, id, FILEID_LEN))
			continue;
		snprintf(out, 11, "%.10s", key);
		found = 1;
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return store_fail("landed", rc);
	return found ? 0 : 1;
}

int file_props_get(struct store *st, MDB_txn *txn, const uint8_t id[FILEID_LEN],
		   struct strbuf *out)
{
	MDB_val k = { FILEID_LEN, (void *)id }, v;
	int rc = mdb_get(txn, st->files, &k, &v);
	strbuf_reset(out);
	if (rc == MDB_NOTFOUND)
		return 1;
	if (rc)
		return store_fail("files", rc);
	strbuf_add(out, v.mv_data, v.mv_size);
	return 0;
}

int file_props_put(struct store *st, MDB_txn *txn, const uint8_t id[FILEID_LEN],
		   const struct strbuf *props)
{
	MDB_val k = { FILEID_LEN, (void *)id }, v = { props->len, props->buf };
	int rc = mdb_put(txn, st->files, &k, &v, 0);
	return rc ? store_fail("files", rc) : 0;
}

const char *props_get(const struct strbuf *props, const char *key, struct strbuf *val)
{
	MDB_val v = { props->len, props->buf };
	return prop_get(&v, key, val);
}

void props_set(struct strbuf *props, const char *key, const char *value)
{
	struct strbuf out = STRBUF_INIT;
	const char *p = strbuf_str(props), *end = p + props->len;
	size_t kl = strlen(key);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl + 1 : end;
		if (!((size_t)(e - p) > kl && !memcmp(p, key, kl) && p[kl] == '='))
			strbuf_add(&out, p, (size_t)(e - p));
		p = e;
	}
	strbuf_addf(&out, "%s=%s\n", key, value);
	strbuf_release(props);
	*props = out;
}

static int decode_landed(struct store *st, MDB_txn *txn, const MDB_val *k,
			 const MDB_val *v, size_t nl, struct landed_file *f)
{
	struct strbuf props = STRBUF_INIT, val = STRBUF_INIT;
	size_t rl = k->mv_size - nl - 1;
	int rc;
	memset(f, 0, sizeof(*f));
	if (rl >= sizeof(f->relpath) || v->mv_size != FILEID_LEN)
		return -1;
	memcpy(f->relpath, (const char *)k->mv_data + nl + 1, rl);
	memcpy(f->fileid, v->mv_data, FILEID_LEN);
	rc = file_props_get(st, txn, f->fileid, &props);
	if (rc == 0) {
		xstrlcpy(f->sha, props_get(&props, "sha", &val) ? val.buf : "", sizeof(f->sha));
		xstrlcpy(f->path, props_get(&props, "path", &val) ? val.buf : "", sizeof(f->path));
	}
	strbuf_release(&props);
	strbuf_release(&val);
	return rc ? -1 : 0;
}

int landed_each(struct store *st, MDB_txn *txn, const char *night,
		landed_fn fn, void *data)
{
	MDB_cursor *c;
	size_t nl = strlen(night);
	MDB_val k = { nl + 1, NULL }, v;
	char prefix[64];
	int rc, stop = 0, op = MDB_SET_RANGE;

	snprintf(prefix, sizeof(prefix), "%s", night);
	k.mv_data = prefix;
	if ((rc = mdb_cursor_open(txn, st->landed, &c)))
		return store_fail("landed", rc);
	while (!stop && (rc = mdb_cursor_get(c, &k, &v, (MDB_cursor_op)op)) == 0) {
		struct landed_file f;
		op = MDB_NEXT;
		if (k.mv_size <= nl + 1 || memcmp(k.mv_data, night, nl) ||
		    ((const char *)k.mv_data)[nl] != '\0')
			break;
		if (decode_landed(st, txn, &k, &v, nl, &f)) {
			stop = store_fail("landed: a record without its file", MDB_CORRUPTED);
			break;
		}
		stop = fn(&f, data);
	}
	mdb_cursor_close(c);
	if (stop)
		return stop;
	return rc && rc != MDB_NOTFOUND ? store_fail("landed", rc) : 0;
}
