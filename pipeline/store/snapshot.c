#include "store/snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "store/landed.h"
#include "store/segment.h"
#include "core/banned.h"

/* coverage key after "store NUL": SE(8) month(6) ~date(8) fileid(8) */
enum { COVER_TAIL = SE_LEN + 6 + 8 + FILEID_LEN };

static int32_t digits_at(const uint8_t *p, int n)
{
	int32_t v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (p[i] - '0');
	return v;
}

static void take(struct snapshot *s, const uint8_t *t, const uint8_t *seg, int32_t month,
		 int32_t date, int acc, int32_t since, const char *relpath)
{
	struct snapshot_entry *e;
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	e = &s->v[s->n++];
	memset(e, 0, sizeof(*e));
	memcpy(e->se, t, SE_LEN);
	e->se[SE_LEN] = '\0';
	e->month = month;
	memcpy(e->fileid, t + SE_LEN + 14, FILEID_LEN);
	memcpy(e->segment, seg, SEGMENT_LEN);
	e->namedate = date;
	e->accumulated = acc;
	e->since = since;
	e->relpath = acc ? xstrdup(relpath) : NULL;
}

/* A file's report: its landing name without the date (or month) it carries. */
static int report_of(struct store *st, MDB_txn *txn, const uint8_t *fileid, int32_t date,
		     struct strbuf *out)
{
	struct strbuf props = STRBUF_INIT, rel = STRBUF_INIT;
	char d[16];
	const char *at;
	int rc = file_props_get(st, txn, fileid, &props);
	strbuf_reset(out);
	if (rc == 0 && props_get(&props, "relpath", &rel)) {
		snprintf(d, sizeof(d), "%08d", (int)date);
		if (!(at = strstr(rel.buf, d))) {
			d[6] = '\0';	/* a {month} name: YYYYMM */
			at = strstr(rel.buf, d);
		}
		strbuf_add(out, rel.buf, at ? (size_t)(at - rel.buf) : rel.len);
		if (at)
			strbuf_addstr(out, at + strlen(d));
	}
	strbuf_release(&props);
	strbuf_release(&rel);
	return rc < 0 ? -1 : 0;
}

/* The reports taken for the current SE and month: entries first.. of the snapshot. */
struct reports {
	char **v;		/* per snapshot entry; NULL for an accumulated one */
	size_t first;
	struct strbuf name;
};

/* 1 a report not yet taken for the SE and month (recorded for entry n), 0 taken, -1 error. */
static int new_report(struct store *st, MDB_txn *txn, struct reports *r, size_t n,
		      const uint8_t *fileid, int32_t date)
{
	if (report_of(st, txn, fileid, date, &r->name))
		return -1;
	for (size_t i = r->first; i < n; i++)
		if (r->v[i] && !strcmp(r->v[i], r->name.buf))
			return 0;
	r->v = xrealloc(r->v, (n + 1) * sizeof(*r->v));
	r->v[n] = xstrdup(r->name.buf);
	return 1;
}

static void reports_free(struct reports *r, size_t n)
{
	for (size_t i = 0; r->v && i < n; i++)
		free(r->v[i]);
	free(r->v);
	strbuf_release(&r->name);
}

/* "YYYY-MM-DD" -> YYYYMMDD, 0 when it is not such a date. */
static int32_t iso_night(const char *s)
{
	int32_t d;
	return s && strlen(s) == 10 && day_parse_iso(s, &d) == 0 ? d : 0;
}

/*
 * Whether a file is an accumulating input's (by its landing name), and
 * for one the night its name first landed: the night of the first
 * version in its chain of corrections ('replaces'). 0, or -1 (reported).
 */
static int accumulated(struct store *st, MDB_txn *txn, const uint8_t *fileid,
		       int *acc, int32_t *since, struct strbuf *relpath)
{
	struct strbuf props = STRBUF_INIT, v = STRBUF_INIT;
	uint8_t id[FILEID_LEN];
	int rc;
	*acc = 0;
	*since = 0;
	strbuf_reset(relpath);
	if (!st->accumulates)
		return 0;
	if ((rc = file_props_get(st, txn, fileid, &props)) != 0)
		goto out;	/* no record: not a file an input line reads */
	if (props_get(&props, "relpath", &v))
		strbuf_addstr(relpath, v.buf);
	if (!relpath->len || !(*acc = st->accumulates(relpath->buf, st->accumulates_data)))
		goto out;
	*since = iso_night(props_get(&props, "night", &v));
	/* A chain is as long as the corrections of one name; bounded for a damaged store. */
	for (int step = 0; step < 1000; step++) {
		int32_t n;
		if (!props_get(&props, "replaces", &v) || fileid_from_hex(v.buf, id) ||
		    (rc = file_props_get(st, txn, id, &props)) != 0)
			break;
		n = iso_night(props_get(&props, "night", &v));
		if (n && n < *since)
			*since = n;
	}
out:
	strbuf_release(&props);
	strbuf_release(&v);
	return rc < 0 ? -1 : 0;
}

/* Plain entries of an SE and month first (as found), then accumulated ones
 * by file-name date and landing name. */
struct order {
	const struct snapshot_entry *e;
	size_t i;
};

static int cmp_order(const void *a, const void *b)
{
	const struct order *x = a, *y = b;
	const struct snapshot_entry *p = x->e, *q = y->e;
	int c = strcmp(p->se, q->se);
	if (!c)
		c = (p->month > q->month) - (p->month < q->month);
	if (!c)
		c = p->accumulated - q->accumulated;
	if (!c && p->accumulated) {
		c = (p->namedate > q->namedate) - (p->namedate < q->namedate);
		if (!c)
			c = strcmp(p->relpath, q->relpath);
	}
	return c ? c : (x->i > y->i) - (x->i < y->i);
}

static void canonical(struct snapshot *s)
{
	struct order *o;
	struct snapshot_entry *v;
	if (s->n < 2)
		return;
	o = xmalloc(s->n * sizeof(*o));
	for (size_t i = 0; i < s->n; i++)
		o[i] = (struct order){ &s->v[i], i };
	qsort(o, s->n, sizeof(*o), cmp_order);
	v = xmalloc(s->n * sizeof(*v));
	for (size_t i = 0; i < s->n; i++)
		v[i] = *o[i].e;
	free(s->v);
	s->v = v;
	free(o);
}

/*
 * Per SE and month: the newest plain file (or, r not NULL, of each
 * report), and every visible accumulated one.
 */
static int load(struct store *st, MDB_txn *txn, const struct store_def *sd,
		int32_t night, int32_t from, int32_t to, struct reports *r, struct snapshot *out)
{
	size_t pl = strlen(sd->name) + 1;
	MDB_cursor *c;
	MDB_val k = { pl, (void *)sd->name }, v;
	struct strbuf relpath = STRBUF_INIT;
	uint8_t group[SE_LEN + 6];
	int have_group = 0, plain_taken = 0, rc;

	memset(out, 0, sizeof(*out));
	out->sd = sd;
	if ((rc = mdb_cursor_open(txn, st->coverage, &c)))
		return store_fail("coverage", rc);
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	for (; rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		uint8_t t[COVER_TAIL];
		int32_t month, date, since;
		int acc, loading;
		uint64_t count;
		uint8_t seg[SEGMENT_LEN];
		if (k.mv_size != pl + COVER_TAIL || memcmp(k.mv_data, sd->name, pl))
			break;
		/* A copy: the props lookups below read other pages. */
		memcpy(t, (const uint8_t *)k.mv_data + pl, COVER_TAIL);
		month = digits_at(t + SE_LEN, 6);
		date = 99999999 - digits_at(t + SE_LEN + 6, 8);
		if (month < from || month > to || date > night)
			continue;
		if (cover_value_parse(v.mv_data, v.mv_size, &loading, &count, seg)) {
			rc = store_fail("coverage: a value neither a count nor loading",
					MDB_CORRUPTED);
			break;
		}
		if (loading)
			continue;	/* rows not all written yet */
		if (!have_group || memcmp(group, t, sizeof(group))) {
			memcpy(group, t, sizeof(group));
			have_group = 1;
			plain_taken = 0;
			if (r)
				r->first = out->n;
		}
		if ((rc = accumulated(st, txn, t + SE_LEN + 14, &acc, &since, &relpath)) < 0)
			break;
		if (acc) {
			if (since > night)
				continue;	/* landed after the night: a rerun reads what it read */
			if (r) {
				r->v = xrealloc(r->v, (out->n + 1) * sizeof(*r->v));
				r->v[out->n] = NULL;
			}
			take(out, t, seg, month, date, 1, since, relpath.buf);
			continue;
		}
		if (plain_taken && !r)
			continue;	/* an older file for an SE and month already taken */
		if (r && (rc = new_report(st, txn, r, out->n, t + SE_LEN + 14, date)) <= 0) {
			if (rc < 0)
				break;
			continue;	/* an older file of a report already taken */
		}
		plain_taken = 1;
		take(out, t, seg, month, date, 0, 0, NULL);
	}
	mdb_cursor_close(c);
	strbuf_release(&relpath);
	if (rc == -1)
		return -1;
	if (rc && rc != MDB_NOTFOUND)
		return store_fail("coverage", rc);
	canonical(out);
	return 0;
}

int snapshot_load(struct store *st, MDB_txn *txn, const struct store_def *sd,
		  int32_t night, int32_t from, int32_t to, struct snapshot *out)
{
	return load(st, txn, sd, night, from, to, NULL, out);
}

int snapshot_load_reports(struct store *st, MDB_txn *txn, const struct store_def *sd,
			  int32_t night, int32_t from, int32_t to, struct snapshot *out)
{
	struct reports r = { .name = STRBUF_INIT };
	int rc = load(st, txn, sd, night, from, to, &r, out);
	reports_free(&r, out->n);
	return rc;
}

void snapshot_free(struct snapshot *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].relpath);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

size_t snapshot_entries(const struct snapshot *s, const char *se, int32_t month,
			size_t *first)
{
	size_t n = 0;
	*first = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].month == month && !memcmp(s->v[i].se, se, SE_LEN)) {
			if (!n)
				*first = i;
			n++;
		}
	return n;
}

const uint8_t *snapshot_file(const struct snapshot *s, const char *se, int32_t month)
{
	size_t first;
	return snapshot_entries(s, se, month, &first) ? s->v[first].fileid : NULL;
}

/* Points the iterator at entry i's rows. */
static void iter_entry(struct row_iter *it, size_t i)
{
	const struct snapshot_entry *e = &it->snap->v[i];
	char m[8];
	memcpy(it->prefix, e->segment, SEGMENT_LEN);
	memcpy(it->prefix + SEGMENT_LEN, e->se, SE_LEN);
	snprintf(m, sizeof(m), "%06d", (int)e->month);
	memcpy(it->prefix + SEGMENT_LEN + SE_LEN, m, 6);
	it->entry = i;
	it->started = 0;
}

static int iter_open(struct row_iter *it, struct store *st, MDB_txn *txn,
		     const struct snapshot *s, size_t first, size_t n)
{
	int rc;
	memset(it, 0, sizeof(*it));
	it->cat = st->cat;
	it->sd = s->sd;
	it->snap = s;
	if (!n) {
		it->done = 1;
		return 0;
	}
	it->next = first + 1;
	it->end = first + n;
	iter_entry(it, first);
	if ((rc = mdb_cursor_open(txn, store_dbi(st, s->sd), &it->cur)))
		return store_fail("open cursor", rc);
	return 0;
}

int row_iter_open(struct row_iter *it, struct store *st, MDB_txn *txn,
		  const struct snapshot *s, const char *se, int32_t month)
{
	size_t first, n = snapshot_entries(s, se, month, &first);
	return iter_open(it, st, txn, s, first, n);
}

int row_iter_open_entry(struct row_iter *it, struct store *st, MDB_txn *txn,
			const struct snapshot *s, size_t i)
{
	return iter_open(it, st, txn, s, i, 1);
}

int row_iter_next(struct row_iter *it)
{
	while (!it->done) {
		MDB_val k = { sizeof(it->prefix), it->prefix }, v;
		int rc = mdb_cursor_get(it->cur, &k, &v, it->started ? MDB_NEXT : MDB_SET_RANGE);
		it->started = 1;
		if (rc == MDB_NOTFOUND || (rc == 0 && (k.mv_size < sizeof(it->prefix) ||
					   memcmp(k.mv_data, it->prefix, sizeof(it->prefix))))) {
			if (it->next < it->end)
				iter_entry(it, it->next++);	/* the SE and month's next file */
			else
				it->done = 1;
			continue;
		}
		if (rc)
			return store_fail("read", rc);
		/* it->rec was cleared by iter_open and holds it->sd's rows only */
		if (store_decode_row(it->cat, it->sd, &k, &v, &it->rec) || k.mv_size < 10)
			return store_fail("decode", MDB_CORRUPTED);
		{	/* the key ends with record (6, big-endian) and line (4) */
			const uint8_t *e = (const uint8_t *)k.mv_data + k.mv_size - 10;
			it->record = 0;
			for (int i = 0; i < 6; i++)
				it->record = it->record << 8 | e[i];
			it->line = (uint32_t)e[6] << 24 | (uint32_t)e[7] << 16 |
				   (uint32_t)e[8] << 8 | e[9];
		}
		return 1;
	}
	return 0;
}

void row_iter_close(struct row_iter *it)
{
	if (it->cur)
		mdb_cursor_close(it->cur);
	it->cur = NULL;
}
