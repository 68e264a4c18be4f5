/* Segments: a file's rows sorted in bounded memory, appended once (segment.h). */
#include "store/segment.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/conffile.h"
#include "core/log.h"
#include "core/banned.h"

/* HDR: a row's head in the buffer; RUN_HDR: in a run of the spill file,
 * the same and a u16, the bytes its key shares with the row before it
 * (a sorted run's keys share their SE, month and more: issue 17, fewer
 * bytes written). */
enum { HDR = 8, RUN_HDR = 10, READ_BUF = 65536 };

int segment_next(struct store *st, MDB_txn *txn, uint8_t seg[SEGMENT_LEN])
{
	uint64_t top = 0;
	for (int i = 0; i < st->cat->nstores; i++) {
		MDB_cursor *c;
		MDB_val k, v;
		uint64_t n = 0;
		int rc = mdb_cursor_open(txn, st->data[i], &c);
		if (rc)
			return store_fail("segment", rc);
		rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
		if (rc == 0 && k.mv_size >= SEGMENT_LEN)
			for (int j = 0; j < SEGMENT_LEN; j++)
				n = n << 8 | ((const uint8_t *)k.mv_data)[j];
		mdb_cursor_close(c);
		if (rc && rc != MDB_NOTFOUND)
			return store_fail("segment", rc);
		if (n > top)
			top = n;
	}
	top++;
	for (int i = SEGMENT_LEN - 1; i >= 0; i--, top >>= 8)
		seg[i] = (uint8_t)top;
	return 0;
}

/* 1 when no row of any store has segment seg, 0 when one has, -1 error. */
static int segment_free(struct store *st, MDB_txn *txn, const uint8_t seg[SEGMENT_LEN])
{
	for (int i = 0; i < st->cat->nstores; i++) {
		MDB_cursor *c;
		MDB_val k = { SEGMENT_LEN, (void *)seg }, v;
		int rc = mdb_cursor_open(txn, st->data[i], &c), used;
		if (rc)
			return store_fail("segment", rc);
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
		used = rc == 0 && k.mv_size >= SEGMENT_LEN && !memcmp(k.mv_data, seg, SEGMENT_LEN);
		mdb_cursor_close(c);
		if (rc && rc != MDB_NOTFOUND)
			return store_fail("segment", rc);
		if (used)
			return 0;
	}
	return 1;
}

size_t cover_value(int loading, uint64_t count, const uint8_t seg[SEGMENT_LEN], char *out)
{
	static const char x[] = "0123456789abcdef";
	char digits[24];
	size_t n = 0, d = 0;
	if (loading) {
		memcpy(out, "loading", 7);
		n = 7;
	} else {
		do
			digits[d++] = (char)('0' + count % 10);
		while ((count /= 10));
		while (d)
			out[n++] = digits[--d];
	}
	out[n++] = ' ';
	for (int i = 0; i < SEGMENT_LEN; i++) {
		out[n++] = x[seg[i] >> 4];
		out[n++] = x[seg[i] & 15];
	}
	return n;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int cover_value_parse(const void *val, size_t len, int *loading, uint64_t *count,
		      uint8_t seg[SEGMENT_LEN])
{
	const char *p = val;
	size_t head;
	*loading = 0;
	*count = 0;
	if (len < 2 + 2 * SEGMENT_LEN || p[len - 2 * SEGMENT_LEN - 1] != ' ')
		return -1;
	head = len - 2 * SEGMENT_LEN - 1;
	for (int i = 0; i < SEGMENT_LEN; i++) {
		int hi = hexval(p[head + 1 + 2 * i]), lo = hexval(p[head + 2 + 2 * i]);
		if (hi < 0 || lo < 0)
			return -1;
		seg[i] = (uint8_t)(hi << 4 | lo);
	}
	if (head == 7 && !memcmp(p, "loading", 7)) {
		*loading = 1;
		return 0;
	}
	if (!head || head > 20 || (head > 1 && p[0] == '0'))
		return -1;
	for (size_t i = 0; i < head; i++) {
		uint64_t d = (uint64_t)(p[i] - '0');
		if (p[i] < '0' || p[i] > '9' || *count > (UINT64_MAX - d) / 10)
			return -1;
		*count = *count * 10 + d;
	}
	return 0;
}

/* ---- the sorter ---- */

void segsort_init(struct segsort *s, const char *tmpdir, size_t run_bytes)
{
	const char *env = getenv("PIPELINE_SORT_BUFFER");
	size_t b;
	memset(s, 0, sizeof(*s));
	s->tmpdir = tmpdir;
	s->fd = -1;
	s->run_bytes = run_bytes;
	if (env && *env && conf_parse_size(env, &b) == 0 && b >= 4096)
		s->run_bytes = b;
	else if (env && *env)
		log_error("PIPELINE_SORT_BUFFER='%s' is not a size of at least 4K (e.g. 64M); "
			  "sorting in %zu bytes", env, run_bytes);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static unsigned rd16(const uint8_t *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

/* Rows compare by store, then key (bytewise, shorter first). */
static int cmp_row(const uint8_t *a, const uint8_t *b)
{
	unsigned sa = rd16(a), sb = rd16(b), la = rd16(a + 2), lb = rd16(b + 2);
	int c;
	if (sa != sb)
		return sa < sb ? -1 : 1;
	c = memcmp(a + HDR, b + HDR, la < lb ? la : lb);
	return c ? c : (la > lb) - (la < lb);
}

static int cmp_idx(const void *x, const void *y, void *arg)
{
	const struct segsort_ent *a = x, *b = y;
	const uint8_t *base = arg;
	if (a->prefix != b->prefix)
		return a->prefix < b->prefix ? -1 : 1;
	return cmp_row(base + a->off, base + b->off);
}

/*
 * Byte i of a row's sort key: its store (2 bytes, big-endian), then its
 * key; 0 past the end (a shorter key sorts first: cmp_row decides ties).
 */
static unsigned key_byte(const uint8_t *row, size_t i)
{
	if (i < 2)
		return i ? row[0] : row[1];
	return i - 2 < rd16(row + 2) ? row[HDR + i - 2] : 0;
}

enum { PREFIX_BYTES = 16 };

/* The PREFIX_BYTES of a row's sort key past the bytes all rows share. */
static void prefix_bytes(const struct segsort *s, const uint8_t *row,
			 uint8_t out[PREFIX_BYTES])
{
	if (s->common >= 2 && s->common + PREFIX_BYTES <= 2 + (size_t)rd16(row + 2)) {
		memcpy(out, row + HDR + s->common - 2, PREFIX_BYTES);
		return;
	}
	for (size_t j = 0; j < PREFIX_BYTES; j++)
		out[j] = (uint8_t)key_byte(row, s->common + j);
}

/*
 * Each row's prefix: the first 64 bits that differ between rows of the 16
 * bytes of its sort key past the bytes all rows of the buffer share (a
 * file's rows have one SE and month, often one store), packed in their
 * order to the low end of an integer. Prefixes order as the keys do, as
 * far as they go (the bits left out are equal in all rows); the sort
 * compares whole rows only when they are equal (a key of digits varies
 * in 4 bits of 8: 16 bytes of CPR, field number and record fit). Returns
 * the bits used.
 */
static int set_prefixes(struct segsort *s)
{
	const uint8_t *base = (const uint8_t *)s->arena.buf;
	uint8_t first[PREFIX_BYTES], cur[PREFIX_BYTES], vary[PREFIX_BYTES] = { 0 };
	uint64_t (*tab)[256];
	int used[PREFIX_BYTES], nused = 0, total = 0, pos;
	prefix_bytes(s, base + s->idx[0].off, first);
	for (size_t i = 1; i < s->n; i++) {
		prefix_bytes(s, base + s->idx[i].off, cur);
		for (int j = 0; j < PREFIX_BYTES; j++)
			vary[j] |= cur[j] ^ first[j];
	}
	for (int j = 0; j < PREFIX_BYTES; j++)
		total += __builtin_popcount(vary[j]);
	pos = total < 64 ? total : 64;
	total = pos;
	tab = xcalloc(PREFIX_BYTES, sizeof(*tab));
	for (int j = 0; j < PREFIX_BYTES && pos > 0; j++) {
		int at[8], nat = 0;	/* where byte j's varying bits go, high first */
		for (int bit = 7; bit >= 0; bit--)
			if (vary[j] >> bit & 1)
				at[nat++] = pos > 0 ? --pos : -1;
		if (!nat)
			continue;
		used[nused++] = j;
		for (unsigned v = 0; v < 256; v++) {
			uint64_t out = 0;
			for (int bit = 7, k = 0; bit >= 0; bit--)
				if (vary[j] >> bit & 1) {
					if (at[k] >= 0 && (v >> bit & 1))
						out |= (uint64_t)1 << at[k];
					k++;
				}
			tab[j][v] = out;
		}
	}
	for (size_t i = 0; i < s->n; i++) {
		uint64_t q = 0;
		prefix_bytes(s, base + s->idx[i].off, cur);
		for (int u = 0; u < nused; u++)
			q |= tab[used[u]][cur[used[u]]];
		s->idx[i].prefix = q;
	}
	free(tab);
	return total;
}

/* Shortens s->common to what the new row shares with the buffer's first. */
static void share(struct segsort *s, const uint8_t *row)
{
	const uint8_t *first = (const uint8_t *)s->arena.buf;
	size_t i = 0, len = 2 + rd16(row + 2), flen = 2 + rd16(first + 2);
	if (len < s->common)
		s->common = len;
	if (flen < s->common)
		s->common = flen;
	if (rd16(row) != rd16(first)) {
		s->common = rd16(row) >> 8 != rd16(first) >> 8 ? 0 : s->common < 1 ? s->common : 1;
		return;
	}
	if (s->common <= 2)
		return;
	i = 2;
	while (i < s->common && row[HDR + i - 2] == first[HDR + i - 2])
		i++;
	s->common = i;
}

static size_t row_size(const uint8_t *p)
{
	return HDR + rd16(p + 2) + rd32(p + 4);
}

enum { DIGIT_BITS = 8, DIGITS = 1 << DIGIT_BITS };

/*
 * Sorts the rows by prefix with a least-significant-digit-first
 * radix sort (stable; 8 bits a pass: 11 bits saved a pass or two but
 * their counts cost 2 MB more of peak memory at 10^6 rows), then each run of rows with one
 * prefix by the whole row: a comparator call per row pair was the sort's
 * cost (issue 17). The order is a stable sort's by cmp_idx.
 */
static void sort_buffer(struct segsort *s)
{
	struct segsort_ent *a = s->idx, *b, *t;
	size_t (*count)[DIGITS], n = s->n;
	int bits, passes;
	if (n < 2)	/* an empty sorter has no idx yet */
		return;
	bits = set_prefixes(s);
	passes = (bits + DIGIT_BITS - 1) / DIGIT_BITS;
	count = xcalloc((size_t)passes + 1, sizeof(*count));
	for (size_t i = 0; i < n; i++)
		for (int d = 0; d < passes; d++)
			count[d][a[i].prefix >> (DIGIT_BITS * d) & (DIGITS - 1)]++;
	b = xmalloc(n * sizeof(*b));
	for (int d = 0; d < passes; d++) {
		size_t sum = 0;
		for (int v = 0; v < DIGITS; v++) {
			size_t c = count[d][v];
			count[d][v] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			b[count[d][a[i].prefix >> (DIGIT_BITS * d) & (DIGITS - 1)]++] = a[i];
		t = a, a = b, b = t;
	}
	if (a != s->idx) {
		memcpy(s->idx, a, n * sizeof(*a));
		b = a;
	}
	free(b);
	free(count);
	/* Rows of one prefix, in the order added: insertion sort, stable. */
	a = s->idx;
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && a[j].prefix == a[i].prefix; j++)
			;
		if (j - i > 16) {
			qsort_r(a + i, j - i, sizeof(*a), cmp_idx, s->arena.buf);
			continue;
		}
		for (size_t k = i + 1; k < j; k++) {
			struct segsort_ent e = a[k];
			size_t m = k;
			while (m > i && cmp_idx(&a[m - 1], &e, s->arena.buf) > 0) {
				a[m] = a[m - 1];
				m--;
			}
			a[m] = e;
		}
	}
}

static int open_spill(struct segsort *s)
{
	struct strbuf p = STRBUF_INIT;
#ifdef O_TMPFILE
	s->fd = open(s->tmpdir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
	if (s->fd < 0) {	/* no O_TMPFILE here: a name, unlinked at once */
		strbuf_addf(&p, "%s/.sort-XXXXXX", s->tmpdir);
		s->fd = mkstemp(p.buf);
		if (s->fd >= 0)
			unlink(p.buf);
	}
	if (s->fd < 0)
		log_error("unable to create a sort file in %s: %s", s->tmpdir, strerror(errno));
	strbuf_release(&p);
	return s->fd < 0 ? -1 : 0;
}

static int write_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const char *p = buf;
	while (len) {
		ssize_t w = pwrite(fd, p, len, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

/* The buffer, sorted, becomes a run of the spill file. */
static int spill(struct segsort *s)
{
	struct strbuf out = STRBUF_INIT;
	struct segsort_run r = { s->spilled, 0 };
	int rc = 0;
	if (!s->n)
		return 0;
	if (s->fd < 0 && open_spill(s))
		return -1;
	sort_buffer(s);
	for (size_t i = 0, prev = 0; i < s->n && rc == 0; i++) {
		const uint8_t *row = (const uint8_t *)s->arena.buf + s->idx[i].off;
		const uint8_t *before = (const uint8_t *)s->arena.buf + prev;
		size_t klen = rd16(row + 2), shared = 0, most = i ? rd16(before + 2) : 0;
		uint8_t sh[2];
		if (most > klen)
			most = klen;
		while (shared < most && row[HDR + shared] == before[HDR + shared])
			shared++;
		sh[0] = (uint8_t)shared;
		sh[1] = (uint8_t)(shared >> 8);
		strbuf_add(&out, row, HDR);
		strbuf_add(&out, sh, 2);
		strbuf_add(&out, row + HDR + shared, row_size(row) - HDR - shared);
		prev = s->idx[i].off;
		if (out.len >= READ_BUF || i + 1 == s->n) {
			rc = write_all(s->fd, out.buf, out.len, s->spilled + r.len);
			r.len += out.len;
			strbuf_reset(&out);
		}
	}
	strbuf_release(&out);
	if (rc) {
		log_error("unable to write the sort file in %s: %s", s->tmpdir, strerror(errno));
		return -1;
	}
	s->spilled += r.len;
	s->runs = xgrow(s->runs, &s->aruns, s->nruns + 1, sizeof(*s->runs));
	s->runs[s->nruns++] = r;
	s->n = 0;
	strbuf_reset(&s->arena);
	return 0;
}

int segsort_add(struct segsort *s, int store, const uint8_t *key, size_t klen,
		const void *val, size_t vlen)
{
	uint8_t h[HDR] = { (uint8_t)store, (uint8_t)(store >> 8), (uint8_t)klen,
			   (uint8_t)(klen >> 8), (uint8_t)vlen, (uint8_t)(vlen >> 8),
			   (uint8_t)(vlen >> 16), (uint8_t)(vlen >> 24) };
	if (s->n && s->arena.len + HDR + klen + vlen > s->run_bytes && spill(s))
		return -1;
	s->idx = xgrow(s->idx, &s->cap, s->n + 1, sizeof(*s->idx));
	s->idx[s->n].off = s->arena.len;
	/* one grow, three copies: this is normalise's per-row path */
	strbuf_grow(&s->arena, HDR + klen + vlen);
	memcpy(s->arena.buf + s->arena.len, h, HDR);
	memcpy(s->arena.buf + s->arena.len + HDR, key, klen);
	memcpy(s->arena.buf + s->arena.len + HDR + klen, val, vlen);
	s->arena.len += HDR + klen + vlen;
	s->arena.buf[s->arena.len] = '\0';
	if (!s->n++)
		s->common = (size_t)-1;
	share(s, (const uint8_t *)s->arena.buf + s->idx[s->n - 1].off);
	s->rows++;
	return 0;
}

void segsort_reset(struct segsort *s)
{
	s->n = 0;
	s->nruns = 0;
	s->spilled = 0;
	s->rows = 0;
	strbuf_reset(&s->arena);
	if (s->fd >= 0 && ftruncate(s->fd, 0))
		log_verbose("sort file: %s", strerror(errno));
}

void segsort_free(struct segsort *s)
{
	if (s->fd >= 0)
		close(s->fd);
	strbuf_release(&s->arena);
	strbuf_release(&s->key);
	free(s->idx);
	free(s->runs);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

/* ---- the merge ---- */

/* A run being read: its next row in cur. */
struct reader {
	uint64_t off, end;	/* what is left of the run in the file */
	char *buf;
	size_t pos, len;
	struct strbuf cur;
};

static int fill(int fd, struct reader *r, void *dst, size_t want)
{
	char *d = dst;
	while (want) {
		size_t n;
		if (r->pos == r->len) {
			size_t ask = r->end - r->off < READ_BUF ? (size_t)(r->end - r->off) : READ_BUF;
			ssize_t got;
			if (!ask)
				return -1;
			got = pread(fd, r->buf, ask, (off_t)r->off);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0)
				return -1;
			r->off += (uint64_t)got;
			r->pos = 0;
			r->len = (size_t)got;
		}
		n = r->len - r->pos < want ? r->len - r->pos : want;
		memcpy(d, r->buf + r->pos, n);
		r->pos += n;
		d += n;
		want -= n;
	}
	return 0;
}

/*
 * The run's next row into r->cur: 1 read, 0 the run is done, -1 error.
 * The bytes its key shares with the row before are that row's, still in
 * r->cur.
 */
static int next_row(int fd, struct reader *r)
{
	uint8_t h[RUN_HDR];
	size_t body, shared;
	if (r->pos == r->len && r->off == r->end)
		return 0;
	if (fill(fd, r, h, RUN_HDR))
		return -1;
	body = rd16(h + 2) + (size_t)rd32(h + 4);
	shared = rd16(h + HDR);
	if (shared > rd16(h + 2) || (shared && (r->cur.len < HDR || shared > rd16(
			(const uint8_t *)r->cur.buf + 2)))) {
		errno = EINVAL;	/* not a run this sorter wrote */
		return -1;
	}
	if (HDR + body > r->cur.len)	/* room for it, the shared bytes kept */
		strbuf_grow(&r->cur, HDR + body - r->cur.len);
	memcpy(r->cur.buf, h, HDR);
	if (fill(fd, r, r->cur.buf + HDR + shared, body - shared))
		return -1;
	r->cur.len = HDR + body;
	r->cur.buf[r->cur.len] = '\0';
	return 1;
}

/* A min-heap of run indexes by their current row. */
struct heap {
	struct reader *rd;
	size_t *v, n;
};

static int heap_less(const struct heap *h, size_t a, size_t b)
{
	int c = cmp_row((const uint8_t *)h->rd[h->v[a]].cur.buf,
			(const uint8_t *)h->rd[h->v[b]].cur.buf);
	return c ? c < 0 : h->v[a] < h->v[b];
}

static void heap_down(struct heap *h, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i, t;
		if (l < h->n && heap_less(h, l, m))
			m = l;
		if (l + 1 < h->n && heap_less(h, l + 1, m))
			m = l + 1;
		if (m == i)
			return;
		t = h->v[i], h->v[i] = h->v[m], h->v[m] = t;
		i = m;
	}
}

struct writer {
	struct segsort *s;
	struct store *st;
	MDB_txn *txn;
	uint8_t seg[SEGMENT_LEN];
	unsigned put_flags;	/* MDB_APPEND, unless a reused segment below the top */
	size_t in_txn;		/* bytes put in this transaction */
};

static int put_row(struct writer *w, const uint8_t *row)
{
	unsigned store = rd16(row), klen = rd16(row + 2);
	uint32_t vlen = rd32(row + 4);
	struct strbuf *k = &w->s->key;
	MDB_val key, val = { vlen, (void *)(row + HDR + klen) };
	int rc;
	if (store >= (unsigned)w->st->cat->nstores)
		return store_fail("sort: a row of no store", MDB_CORRUPTED);
	strbuf_reset(k);
	strbuf_add(k, w->seg, SEGMENT_LEN);
	strbuf_add(k, row + HDR, klen);
	key.mv_size = k->len;
	key.mv_data = k->buf;
	if (w->in_txn >= SEGSORT_TXN_BYTES) {
		if (store_commit(w->txn)) {
			w->txn = NULL;
			return -1;
		}
		w->txn = NULL;
		if (store_begin(w->st, 0, &w->txn))
			return -1;
		w->in_txn = 0;
	}
	rc = mdb_put(w->txn, w->st->data[store], &key, &val, w->put_flags);
	if (rc == MDB_KEYEXIST)
		return store_fail("append: a row sorts before the last one (a segment "
				  "not the newest?)", rc);
	if (rc)
		return store_fail("put", rc);
	w->in_txn += k->len + vlen + 16;
	return 0;
}

/* The row bytes (HDR, key, value) to a merge's consumer. */
typedef int (*row_fn)(const uint8_t *row, void *data);

/* Every run, merged, in order; or the buffer alone when nothing spilled. */
static int merge_rows(struct segsort *s, row_fn fn, void *data)
{
	struct heap h = { NULL, NULL, 0 };
	int rc = 0;
	if (!s->nruns) {
		sort_buffer(s);
		for (size_t i = 0; i < s->n && rc == 0; i++)
			rc = fn((const uint8_t *)s->arena.buf + s->idx[i].off, data);
		return rc;
	}
	if (spill(s))
		return -1;
	/* The buffer's memory goes back before the merge's pages come. */
	strbuf_release(&s->arena);
	free(s->idx);
	s->idx = NULL;
	s->cap = 0;
	h.rd = xcalloc(s->nruns, sizeof(*h.rd));
	h.v = xmalloc(s->nruns * sizeof(*h.v));
	for (size_t i = 0; i < s->nruns && rc == 0; i++) {
		struct reader *r = &h.rd[i];
		r->off = s->runs[i].off;
		r->end = s->runs[i].off + s->runs[i].len;
		r->buf = xmalloc(READ_BUF);
		strbuf_init(&r->cur);
		rc = next_row(s->fd, r);
		if (rc == 1)
			h.v[h.n++] = i;
		if (rc < 0)
			log_error("unable to read the sort file in %s: %s", s->tmpdir,
				  strerror(errno));
		rc = rc < 0 ? -1 : 0;
	}
	for (size_t i = h.n / 2; i-- > 0;)
		heap_down(&h, i);
	while (rc == 0 && h.n) {
		struct reader *r = &h.rd[h.v[0]];
		int more;
		if ((rc = fn((const uint8_t *)r->cur.buf, data)))
			break;
		if ((more = next_row(s->fd, r)) < 0) {
			log_error("unable to read the sort file in %s: %s", s->tmpdir,
				  strerror(errno));
			rc = -1;
			break;
		}
		if (!more)
			h.v[0] = h.v[--h.n];
		heap_down(&h, 0);
	}
	for (size_t i = 0; i < s->nruns; i++) {
		free(h.rd[i].buf);
		strbuf_release(&h.rd[i].cur);
	}
	free(h.rd);
	free(h.v);
	return rc;
}

static int put_fn(const uint8_t *row, void *data)
{
	return put_row(data, row);
}

struct each {
	segsort_row_fn fn;
	void *data;
};

static int each_fn(const uint8_t *row, void *data)
{
	const struct each *e = data;
	unsigned klen = rd16(row + 2);
	return e->fn((int)rd16(row), row + HDR, klen, row + HDR + klen, rd32(row + 4), e->data);
}

int segsort_each(struct segsort *s, segsort_row_fn fn, void *data)
{
	struct each e = { fn, data };
	int rc = merge_rows(s, each_fn, &e);
	segsort_reset(s);
	return rc;
}

int segsort_write(struct segsort *s, struct store *st, segsort_first_fn first,
		  void *data, const uint8_t *reuse, uint8_t seg[SEGMENT_LEN])
{
	struct writer w = { s, st, NULL, { 0 }, MDB_APPEND, 0 };
	int rc;
	memset(seg, 0, SEGMENT_LEN);
	if (!s->rows)
		return 0;
	if (store_begin(st, 0, &w.txn))
		return -1;
	rc = segment_next(st, w.txn, w.seg);
	if (rc == 0 && reuse && (rc = segment_free(st, w.txn, reuse)) == 1) {
		/* Its own number again: appended when nothing is above it, else put
		 * in key order into the range its old rows left empty. */
		if (memcmp(reuse, w.seg, SEGMENT_LEN) < 0)
			w.put_flags = 0;
		memcpy(w.seg, reuse, SEGMENT_LEN);
		rc = 0;
	}
	if (rc == 0 && first && first(w.txn, w.seg, data))
		rc = -1;
	if (rc == 0)
		rc = merge_rows(s, put_fn, &w);
	if (rc == 0 && w.txn) {
		rc = store_commit(w.txn);
		w.txn = NULL;
	}
	if (w.txn)
		mdb_txn_abort(w.txn);
	if (rc == 0)
		memcpy(seg, w.seg, SEGMENT_LEN);
	segsort_reset(s);
	return rc;
}

/* ---- sorter rows of the matchers ---- */

void segrow_put_str(struct strbuf *b, const char *s)
{
	strbuf_add(b, s, strlen(s) + 1);
}

void segrow_put_be(struct strbuf *b, uint64_t v, int bytes)
{
	uint8_t x[8];
	for (int i = bytes - 1; i >= 0; i--, v >>= 8)
		x[i] = (uint8_t)v;
	strbuf_add(b, x, (size_t)bytes);
}

const char *segrow_next_str(const char **p)
{
	const char *s = *p;
	*p += strlen(s) + 1;
	return s;
}

uint64_t segrow_get_be(const char **p, int bytes)
{
	const uint8_t *x = (const uint8_t *)*p;
	uint64_t v = 0;
	for (int i = 0; i < bytes; i++)
		v = v << 8 | x[i];
	*p += bytes;
	return v;
}
