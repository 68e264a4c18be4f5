/* What match-refusion charged: see chargestore.h. */
#include "chargestore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "core/log.h"
#include "store/store.h"
#include "core/banned.h"

#define DB "refusion"

int chargestore_open(MDB_txn *txn, MDB_dbi *dbi)
{
	int rc = mdb_dbi_open(txn, DB, MDB_CREATE, dbi);
	return rc ? store_fail(DB, rc) : 0;
}

/* "name=" in a value of "k=v\n" lines: its value (to the line's end) into out. */
static int field(const char *v, size_t n, const char *name, struct strbuf *out, int to_end)
{
	size_t k = strlen(name);
	const char *p = v, *end = v + n;
	strbuf_reset(out);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = to_end || !nl ? end : nl;
		if ((size_t)(le - p) > k && !memcmp(p, name, k) && p[k] == '=') {
			strbuf_add(out, p + k + 1, (size_t)(le - p - (ptrdiff_t)k - 1));
			return 1;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

/* A field's digits as a number (the values stored here are not negative). */
static long long num(const char *v, size_t n, const char *name)
{
	struct strbuf s = STRBUF_INIT;
	long long x = 0;
	if (field(v, n, name, &s, 0))
		for (size_t i = 0; i < s.len && s.buf[i] >= '0' && s.buf[i] <= '9'; i++)
			x = x * 10 + (s.buf[i] - '0');
	strbuf_release(&s);
	return x;
}

static void text(const char *v, size_t n, const char *name, char *out, size_t outsz)
{
	struct strbuf s = STRBUF_INIT;
	field(v, n, name, &s, 0);
	snprintf(out, outsz, "%s", s.len ? s.buf : "");
	strbuf_release(&s);
}

static void decode_line(const char *v, size_t n, struct charged_line *l)
{
	memset(l, 0, sizeof(*l));
	l->night = (int32_t)num(v, n, "night");
	text(v, n, "charge", l->charge, sizeof(l->charge));
	text(v, n, "kommune", l->kommune, sizeof(l->kommune));
	l->period = (int32_t)num(v, n, "period");
	l->nr = (unsigned)num(v, n, "nr");
	l->amount = (money_t)num(v, n, "amount");
}

/* LMDB keys are at most 511 bytes: a longer line key (a school's long
 * course id) is kept as its SHA-256, the same on every night. */
enum { LINEKEY_MAX = 400 };

static void line_key(struct strbuf *k, const char *linekey)
{
	size_t n = strlen(linekey);
	strbuf_add(k, "l", 2);	/* "l" NUL */
	if (n <= LINEKEY_MAX) {
		strbuf_add(k, linekey, n);
	} else {
		char hex[DIGEST_HEXSZ];
		digest_buf(linekey, n, hex);
		strbuf_addstr(k, "sha256:");
		strbuf_addstr(k, hex);
	}
}

int chargestore_line_get(MDB_txn *txn, MDB_dbi dbi, const char *linekey,
			 struct charged_line *out)
{
	struct strbuf k = STRBUF_INIT;
	MDB_val key, val;
	int rc;
	line_key(&k, linekey);
	key.mv_size = k.len;
	key.mv_data = k.buf;
	rc = mdb_get(txn, dbi, &key, &val);
	strbuf_release(&k);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return store_fail(DB, rc);
	decode_line(val.mv_data, val.mv_size, out);
	return 1;
}

static void charge_prefix(struct strbuf *k, const char *own, const char *kom, int32_t period)
{
	strbuf_add(k, "c", 2);
	strbuf_addf(k, "%s|%s|%04d-%d", own, kom, (int)(period / 10), (int)(period % 10));
	strbuf_addch(k, '\0');
}

int chargestore_next_nr(MDB_txn *txn, MDB_dbi dbi, const char *own, const char *k,
			int32_t period, unsigned *nr)
{
	struct strbuf p = STRBUF_INIT;
	MDB_cursor *cur;
	MDB_val key, val;
	int rc;
	unsigned best = 0;
	charge_prefix(&p, own, k, period);
	if ((rc = mdb_cursor_open(txn, dbi, &cur))) {
		strbuf_release(&p);
		return store_fail(DB, rc);
	}
	key.mv_size = p.len;
	key.mv_data = p.buf;
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		const char *kb = key.mv_data;
		unsigned x = 0;
		if (key.mv_size != p.len + 6 || memcmp(kb, p.buf, p.len))
			break;
		for (size_t i = p.len; i < key.mv_size; i++)
			x = x * 10 + (unsigned)(kb[i] - '0');
		if (x > best)
			best = x;
	}
	mdb_cursor_close(cur);
	strbuf_release(&p);
	if (rc && rc != MDB_NOTFOUND)
		return store_fail(DB, rc);
	*nr = best + 1;
	return 0;
}

static int put(MDB_txn *txn, MDB_dbi dbi, const struct strbuf *k, const struct strbuf *v)
{
	MDB_val key = { k->len, k->buf }, val = { v->len, v->buf };
	int rc = mdb_put(txn, dbi, &key, &val, MDB_NOOVERWRITE);
	if (rc == MDB_KEYEXIST) {
		log_error("internal: a line or charge of %s charged twice", DB);
		return -1;
	}
	return rc ? store_fail(DB, rc) : 0;
}

int chargestore_put_line(MDB_txn *txn, MDB_dbi dbi, const char *linekey,
			 const struct charged_line *l, const char *sort, const char *row)
{
	struct strbuf k = STRBUF_INIT, v = STRBUF_INIT;
	int rc;
	line_key(&k, linekey);
	strbuf_addf(&v, "night=%08d\ncharge=%s\nkommune=%s\nperiod=%d\nnr=%u\namount=%lld\n"
		    "sort=%s\nrow=%s", (int)l->night, l->charge, l->kommune, (int)l->period, l->nr,
		    (long long)l->amount, sort, row);
	rc = put(txn, dbi, &k, &v);
	strbuf_release(&k);
	strbuf_release(&v);
	return rc;
}

int chargestore_put_charge(MDB_txn *txn, MDB_dbi dbi, const char *own,
			   const struct charge_rec *c)
{
	struct strbuf k = STRBUF_INIT, v = STRBUF_INIT;
	int rc;
	charge_prefix(&k, own, c->kommune, c->period);
	strbuf_addf(&k, "%06u", c->nr);
	strbuf_addf(&v, "id=%s\nnight=%08d\nlines=%lu\namount=%lld\n", c->id, (int)c->night,
		    c->lines, (long long)c->amount);
	rc = put(txn, dbi, &k, &v);
	strbuf_release(&k);
	strbuf_release(&v);
	return rc;
}

static void decision_key(struct strbuf *k, const char *fileid, uint64_t record)
{
	strbuf_add(k, "i", 2);
	strbuf_addstr(k, fileid);
	strbuf_addch(k, '\0');
	strbuf_addf(k, "%llu", (unsigned long long)record);
}

/* A field's signed number (amounts may be negative), 0 when absent. */
static long long snum(const char *v, size_t n, const char *name)
{
	struct strbuf s = STRBUF_INIT;
	long long x = 0;
	if (field(v, n, name, &s, 0))
		x = strtoll(s.buf, NULL, 10);
	strbuf_release(&s);
	return x;
}

int chargestore_decision_get(MDB_txn *txn, MDB_dbi dbi, const char *fileid, uint64_t record,
			     int32_t night, struct in_decision *d)
{
	struct strbuf k = STRBUF_INIT, note = STRBUF_INIT;
	MDB_val key, val;
	int rc;
	memset(d, 0, sizeof(*d));
	d->night = night;
	decision_key(&k, fileid, record);
	key.mv_size = k.len;
	key.mv_data = k.buf;
	rc = mdb_get(txn, dbi, &key, &val);
	strbuf_release(&k);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return store_fail(DB, rc);
	{
		int32_t first = (int32_t)num(val.mv_data, val.mv_size, "night");
		if (first > night)
			return 0;	/* decided by a later night: decide it here */
		d->night = first;
	}
	text(val.mv_data, val.mv_size, "code", d->code, sizeof(d->code));
	if (!d->code[0])
		return 0;	/* the night only (an older store): decide it, as of then */
	d->accepted = (money_t)snum(val.mv_data, val.mv_size, "accepted");
	d->disputed = (money_t)snum(val.mv_data, val.mv_size, "disputed");
	/* the note is last: to the end of the value */
	field(val.mv_data, val.mv_size, "note", &note, 1);
	snprintf(d->note, sizeof(d->note), "%s", note.len ? note.buf : "");
	strbuf_release(&note);
	return 1;
}

int chargestore_decision_put(MDB_txn *txn, MDB_dbi dbi, const char *fileid, uint64_t record,
			     const struct in_decision *d)
{
	struct strbuf k = STRBUF_INIT, v = STRBUF_INIT;
	MDB_val key, val;
	int rc;
	decision_key(&k, fileid, record);
	strbuf_addf(&v, "night=%08d\ncode=%s\naccepted=%lld\ndisputed=%lld\nnote=%s",
		    (int)d->night, d->code, (long long)d->accepted, (long long)d->disputed,
		    d->note);
	key.mv_size = k.len;
	key.mv_data = k.buf;
	val.mv_size = v.len;
	val.mv_data = v.buf;
	rc = mdb_put(txn, dbi, &key, &val, 0);
	strbuf_release(&k);
	strbuf_release(&v);
	return rc ? store_fail(DB, rc) : 0;
}

/* Calls each(key, val) for every record whose key starts with the byte tag, NUL. */
static int scan(MDB_txn *txn, MDB_dbi dbi, char tag,
		int (*each)(const MDB_val *k, const MDB_val *v, void *d), void *data)
{
	MDB_cursor *cur;
	char p[2] = { tag, '\0' };
	MDB_val key = { 2, p }, val;
	int rc, r = 0;
	if ((rc = mdb_cursor_open(txn, dbi, &cur)))
		return store_fail(DB, rc);
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE); rc == 0 && !r;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		if (key.mv_size < 2 || memcmp(key.mv_data, p, 2))
			break;
		r = each(&key, &val, data);
	}
	mdb_cursor_close(cur);
	if (r)
		return r;
	return rc && rc != MDB_NOTFOUND ? store_fail(DB, rc) : 0;
}

struct each_charge {
	int32_t night;
	charge_fn fn;
	charged_fn lfn;
	void *data;
};

static int one_charge(const MDB_val *k, const MDB_val *v, void *d)
{
	struct each_charge *e = d;
	struct charge_rec c;
	const char *kb = k->mv_data;
	const char *vb = v->mv_data;
	char head[64];
	size_t n = k->mv_size - 2;
	memset(&c, 0, sizeof(c));
	if ((int32_t)num(vb, v->mv_size, "night") != e->night)
		return 0;
	/* OWN|K|YYYY-H NUL NNNNNN */
	if (n >= sizeof(head) || n < 6 + 1 + 16)
		return 0;
	memcpy(head, kb + 2, n);
	head[n] = '\0';
	memcpy(c.kommune, head + 5, 4);
	c.period = (int32_t)((head[10] - '0') * 10000 + (head[11] - '0') * 1000 +
			     (head[12] - '0') * 100 + (head[13] - '0') * 10 + (head[15] - '0'));
	for (size_t i = n - 6; i < n; i++)
		c.nr = c.nr * 10 + (unsigned)(head[i] - '0');
	text(vb, v->mv_size, "id", c.id, sizeof(c.id));
	c.night = e->night;
	c.lines = (unsigned long)num(vb, v->mv_size, "lines");
	c.amount = (money_t)num(vb, v->mv_size, "amount");
	return e->fn(&c, e->data);
}

int chargestore_each_charge(MDB_txn *txn, MDB_dbi dbi, int32_t night, charge_fn fn, void *data)
{
	struct each_charge e = { .night = night, .fn = fn, .data = data };
	return scan(txn, dbi, 'c', one_charge, &e);
}

static int one_line(const MDB_val *k, const MDB_val *v, void *d)
{
	struct each_charge *e = d;
	struct charged_line l;
	struct strbuf sort = STRBUF_INIT, row = STRBUF_INIT;
	int rc;
	(void)k;
	decode_line(v->mv_data, v->mv_size, &l);
	if (l.night != e->night)
		return 0;
	field(v->mv_data, v->mv_size, "sort", &sort, 0);
	field(v->mv_data, v->mv_size, "row", &row, 1);
	rc = e->lfn(&l, sort.len ? sort.buf : "", row.len ? row.buf : "", e->data);
	strbuf_release(&sort);
	strbuf_release(&row);
	return rc;
}

int chargestore_each_line(MDB_txn *txn, MDB_dbi dbi, int32_t night, charged_fn fn, void *data)
{
	struct each_charge e = { .night = night, .lfn = fn, .data = data };
	return scan(txn, dbi, 'l', one_line, &e);
}
