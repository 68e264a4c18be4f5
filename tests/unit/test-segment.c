/*
 * Segments (store/segment.h): coverage values both ways and their
 * malformed kinds; the sorter with a buffer of 4 KiB so a file of rows
 * spills dozens of runs and merges them, rows of two stores interleaved
 * in random order, written with MDB_APPEND under a new segment each time:
 * every row comes back once, in key order, a second load after the first,
 * and a reset forgets what was added. segsort_each, the merge without
 * the store: spilled or not, every row once, in (store, key) order, its
 * value with it; a non-zero return stops it and is returned. The sort
 * against a plain comparison sort, on the rows that make a radix sort by
 * 8-byte prefix go wrong: long shared heads, keys that are a prefix of
 * others, equal keys (kept in the order added), stores past 255.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "store/segment.h"
#include "store/store.h"
#include "test.h"

static struct catalog cat;
static struct store st;

static int cover_roundtrip(int loading, uint64_t count, uint8_t last)
{
	uint8_t seg[SEGMENT_LEN] = { 0, 0, 0, 0, 0, 0, 1, last }, back[SEGMENT_LEN];
	char v[COVER_VALUE_MAX];
	size_t n = cover_value(loading, count, seg, v);
	int l;
	uint64_t c;
	return n <= COVER_VALUE_MAX && cover_value_parse(v, n, &l, &c, back) == 0 &&
	       l == loading && (loading || c == count) && !memcmp(seg, back, SEGMENT_LEN);
}

static int parses(const char *v)
{
	int l;
	uint64_t c;
	uint8_t seg[SEGMENT_LEN];
	return cover_value_parse(v, strlen(v), &l, &c, seg) == 0;
}

/* Row i of a load: key (store i % 2) "K" + a scrambled 9-digit number + i. */
static size_t row_key(unsigned i, uint8_t *k)
{
	unsigned x = (i * 2654435761u) % 1000000007u;
	return (size_t)snprintf((char *)k, 32, "K%09u%07u", x, i);
}

/* What segsort_each() gave: rows, order, values their keys, the last row. */
struct seen_rows {
	long n;
	int ordered, values, stop_at;
	int last_store;
	uint8_t last[32];
	size_t last_len;
};

static int each_row(int store, const uint8_t *key, size_t klen, const void *val, size_t vlen,
		    void *data)
{
	struct seen_rows *r = data;
	if (r->n) {
		/* after the last row: a later store, or a greater key of the same */
		int c = store != r->last_store ? (store > r->last_store ? 1 : -1)
			: memcmp(key, r->last, klen < r->last_len ? klen : r->last_len);
		if (c < 0 || (c == 0 && klen <= r->last_len))
			r->ordered = 0;
	}
	if (vlen != klen || memcmp(val, key, klen))
		r->values = 0;
	r->last_store = store;
	memcpy(r->last, key, klen < sizeof(r->last) ? klen : sizeof(r->last));
	r->last_len = klen;
	if (++r->n == r->stop_at)
		return 7;
	return 0;
}

/* Reads one store back: how many rows of seg, whether in order; -1 error. */
static long read_back(MDB_txn *txn, int store, const uint8_t seg[SEGMENT_LEN], int *ordered)
{
	MDB_cursor *c;
	MDB_val k, v;
	struct strbuf last = STRBUF_INIT;
	long n = 0;
	int rc;
	*ordered = 1;
	if (mdb_cursor_open(txn, st.data[store], &c))
		return -1;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (memcmp(k.mv_data, seg, SEGMENT_LEN))
			continue;
		if (last.len && memcmp(last.buf, k.mv_data, k.mv_size) >= 0)
			*ordered = 0;
		/* the value repeats the key's tail: the pair stayed together */
		if (v.mv_size != k.mv_size - SEGMENT_LEN ||
		    memcmp(v.mv_data, (char *)k.mv_data + SEGMENT_LEN, v.mv_size))
			*ordered = 0;
		strbuf_reset(&last);
		strbuf_add(&last, k.mv_data, k.mv_size);
		n++;
	}
	mdb_cursor_close(c);
	strbuf_release(&last);
	return n;
}

/* A row of the reference sort: store, key, the order it was added. */
struct ref_row {
	int store;
	uint8_t key[24];
	size_t klen;
	unsigned added;
};

static int ref_cmp(const void *x, const void *y)
{
	const struct ref_row *a = x, *b = y;
	int c;
	if (a->store != b->store)
		return a->store < b->store ? -1 : 1;
	c = memcmp(a->key, b->key, a->klen < b->klen ? a->klen : b->klen);
	if (c)
		return c;
	if (a->klen != b->klen)
		return a->klen < b->klen ? -1 : 1;
	return a->added < b->added ? -1 : a->added > b->added;
}

struct ref_seen {
	const struct ref_row *want;
	size_t n, bad;
};

static int ref_each(int store, const uint8_t *key, size_t klen, const void *val, size_t vlen,
		    void *data)
{
	struct ref_seen *r = data;
	const struct ref_row *w = &r->want[r->n++];
	unsigned added;
	memcpy(&added, val, sizeof(added));
	if (vlen != sizeof(added) || store != w->store || klen != w->klen ||
	    memcmp(key, w->key, klen) || added != w->added)
		r->bad++;
	return 0;
}

/*
 * n rows of random stores (0, 1, 300: the first nst) and keys "HEADHEAD" + 0..15
 * random digits of alpha (3: few distinct keys; 256: any byte, more bits
 * differ than a prefix holds): sorted by the sorter (buffer run_bytes) as the
 * reference sorts them, equal keys in the order added. 1 when so.
 */
static int sorts_as_reference(const char *dir, size_t n, size_t run_bytes, int nst,
			      int alpha, unsigned seed)
{
	struct ref_row *v = calloc(n, sizeof(*v));
	struct ref_seen r = { v, 0, 0 };
	struct segsort s;
	int rc = 0;
	srand(seed);
	segsort_init(&s, dir, run_bytes);
	for (size_t i = 0; i < n && rc == 0; i++) {
		static const int stores[] = { 0, 1, 300 };
		size_t digits = (size_t)rand() % 16;
		v[i].store = stores[rand() % nst];
		memcpy(v[i].key, "HEADHEAD", 8);
		for (size_t j = 0; j < digits; j++)
			v[i].key[8 + j] = (uint8_t)(alpha < 256 ? '0' + rand() % alpha : rand() % 256);
		v[i].klen = 8 + digits;
		v[i].added = (unsigned)i;
		rc = segsort_add(&s, v[i].store, v[i].key, v[i].klen, &v[i].added,
				 sizeof(v[i].added));
	}
	qsort(v, n, sizeof(*v), ref_cmp);
	rc = rc || segsort_each(&s, ref_each, &r);
	segsort_free(&s);
	free(v);
	return rc == 0 && r.n == n && r.bad == 0;
}

static int first_called;

static int on_first(MDB_txn *txn, const uint8_t seg[SEGMENT_LEN], void *data)
{
	(void)txn;
	memcpy(data, seg, SEGMENT_LEN);
	first_called++;
	return 0;
}

int main(void)
{
	char dir[] = "/tmp/test-segment-XXXXXX";
	const char *p = test_text_file("field se se\nfield month month\nfield amount money\n"
				       "store a\n  key se month\n  value amount\n"
				       "store b\n  key se month\n  value amount\n");
	struct segsort s;
	uint8_t seg1[SEGMENT_LEN], seg2[SEGMENT_LEN], seen[SEGMENT_LEN], k[32];
	MDB_txn *txn;
	unsigned rows = 5000;
	long na, nb;
	int oa, ob, rc = 0;

	CHECK(cover_roundtrip(0, 0, 1) && cover_roundtrip(0, 1234567, 2) &&
	      cover_roundtrip(0, UINT64_MAX, 255) && cover_roundtrip(1, 0, 3),
	      "coverage values read back as written (count, loading, the segment)");
	CHECK(parses("12 00000000000000ff") && parses("loading 0000000000000001"),
	      "the two forms parse");
	CHECK(!parses("12") && !parses("loading") && !parses("") &&
	      !parses("012 00000000000000ff") && !parses("1x 00000000000000ff") &&
	      !parses("12 00000000000000FF") && !parses("12 00000000000000f") &&
	      !parses("loadin 0000000000000001") && !parses("12_00000000000000ff") &&
	      !parses(" 00000000000000ff") && !parses("123456789012345678901 00000000000000ff"),
	      "a count without its segment, a bare loading (layout 3), leading zeros, "
	      "upper case, short hex, no count: refused");

	if (catalog_load(p, &cat) || !mkdtemp(dir) || store_open(&st, dir, &cat))
		return 1;
	remove(p);

	CHECK(sorts_as_reference(dir, 20000, 64 << 20, 3, 3, 1) &&
	      sorts_as_reference(dir, 20000, 64 << 20, 1, 3, 5) &&
	      sorts_as_reference(dir, 20000, 64 << 20, 1, 256, 7) &&
	      sorts_as_reference(dir, 20000, 64 << 20, 3, 10, 8) &&
	      sorts_as_reference(dir, 3, 64 << 20, 3, 3, 2) &&
	      sorts_as_reference(dir, 1, 64 << 20, 1, 3, 3),
	      "in memory: rows in (store, key) order, a key before the longer keys it "
	      "begins, equal keys in the order added");
	CHECK(sorts_as_reference(dir, 20000, 4096, 3, 3, 4) &&
	      sorts_as_reference(dir, 20000, 4096, 1, 256, 6),
	      "spilled: the same order, equal keys still in the order added");

	segsort_init(&s, dir, 4096);
	for (unsigned i = 0; i < 300; i++) {
		size_t kl = row_key(i, k);
		rc |= segsort_add(&s, (int)(i % 2), k, kl, k, kl);
	}
	segsort_reset(&s);
	for (unsigned i = 0; i < rows && rc == 0; i++) {
		size_t kl = row_key(i, k);
		rc = segsort_add(&s, (int)(i % 2), k, kl, k, kl);
	}
	CHECK(rc == 0 && s.nruns > 10, "5000 rows in a 4 KiB buffer spill runs (%zu)", s.nruns);
	CHECK(segsort_write(&s, &st, on_first, seen, NULL, seg1) == 0 && first_called == 1 &&
	      !memcmp(seen, seg1, SEGMENT_LEN) && seg1[SEGMENT_LEN - 1] == 1,
	      "written as segment 1, announced to the first transaction's callback");
	/* a second load, in memory (no spill), then appended after the first */
	for (unsigned i = 0; i < 20; i++) {
		size_t kl = row_key(rows - i, k);
		rc |= segsort_add(&s, 0, k, kl, k, kl);
	}
	CHECK(rc == 0 && s.nruns == 0 && segsort_write(&s, &st, NULL, NULL, NULL, seg2) == 0 &&
	      seg2[SEGMENT_LEN - 1] == 2, "a second file: segment 2, appended after segment 1");
	CHECK(segsort_write(&s, &st, on_first, seen, NULL, seg2) == 0 && first_called == 1 &&
	      !seg2[SEGMENT_LEN - 1], "no rows: nothing written, no segment taken");
	if (store_begin(&st, MDB_RDONLY, &txn))
		return 1;
	na = read_back(txn, 0, seg1, &oa);
	nb = read_back(txn, 1, seg1, &ob);
	CHECK(na == rows / 2 && nb == rows / 2 && oa && ob,
	      "every row of the merged runs is there once, in key order, in its store "
	      "(%ld + %ld)", na, nb);
	seg2[SEGMENT_LEN - 1] = 2;
	na = read_back(txn, 0, seg2, &oa);
	CHECK(na == 20 && oa, "the second file's rows (%ld)", na);
	mdb_txn_abort(txn);

	for (int spill = 0; spill < 2; spill++) {
		struct seen_rows r = { 0, 1, 1, 0, 0, { 0 }, 0 };
		unsigned n = spill ? rows : 20;
		for (unsigned i = 0; i < n && rc == 0; i++) {
			size_t kl = row_key(i, k);
			rc = segsort_add(&s, (int)(i % 2), k, kl, k, kl);
		}
		CHECK(rc == 0 && (spill ? s.nruns > 10 : s.nruns == 0) &&
		      segsort_each(&s, each_row, &r) == 0 && r.n == (long)n && r.ordered &&
		      r.values && s.rows == 0,
		      "segsort_each %s: %ld rows once, in (store, key) order, with their values, "
		      "then forgotten", spill ? "spilled" : "in memory", r.n);
	}
	{
		struct seen_rows r = { 0, 1, 1, 100, 0, { 0 }, 0 };
		for (unsigned i = 0; i < rows && rc == 0; i++) {
			size_t kl = row_key(i, k);
			rc = segsort_add(&s, 0, k, kl, k, kl);
		}
		CHECK(rc == 0 && segsort_each(&s, each_row, &r) == 7 && r.n == 100,
		      "segsort_each stops at the callback's non-zero return and gives it");
	}
	segsort_free(&s);
	store_close(&st);
	catalog_free(&cat);
	{
		char path[128];
		snprintf(path, sizeof(path), "%s/store/data.mdb", dir);
		remove(path);
		snprintf(path, sizeof(path), "%s/store/lock.mdb", dir);
		remove(path);
		snprintf(path, sizeof(path), "%s/store", dir);
		remove(path);
		remove(dir);
	}
	return test_done();
}
