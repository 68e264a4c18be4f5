#include "store/snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/landed.h"
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

static void take(struct snapshot *s, const uint8_t *t, int32_t month)
{
	struct snapshot_entry *e;
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	e = &s->v[s->n++];
	memcpy(e->se, t, SE_LEN);
	e->se[SE_LEN] = '\0';
	e->month = month;
	memcpy(e->fileid, t + SE_LEN + 14, FILEID_LEN);
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
	char **v;		/* per snapshot entry */
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
		if (!strcmp(r->v[i], r->name.buf))
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

/* The newest file per SE and month, or (r not NULL) per SE, month and report. */
static int load(struct store *st, MDB_txn *txn, const struct store_def *sd,
		int32_t night, int32_t from, int32_t to, struct reports *r, struct snapshot *out)
{
	size_t pl = strlen(sd->name) + 1;
	MDB_cursor *c;
	MDB_val k = { pl, (void *)sd->name }, v;
	uint8_t last[SE_LEN + 6];
	int have_last = 0, rc;

	memset(out, 0, sizeof(*out));
	out->sd = sd;
	if ((rc = mdb_cursor_open(txn, st->coverage, &c)))
		return store_fail("coverage", rc);
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	for (; rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const uint8_t *t = (const uint8_t *)k.mv_data + pl;
		int32_t month, date;
		if (k.mv_size != pl + COVER_TAIL || memcmp(k.mv_data, sd->name, pl))
			break;
		month = digits_at(t + SE_LEN, 6);
		date = 99999999 - digits_at(t + SE_LEN + 6, 8);
		if (month < from || month > to || date > night)
			continue;
		if (v.mv_size && ((const char *)v.mv_data)[0] == 'l')
			continue;	/* "loading": rows not all written yet */
		if (have_last && !memcmp(last, t, sizeof(last)) && !r)
			continue;	/* an older file for an SE and month already taken */
		if (r && (!have_last || memcmp(last, t, sizeof(last))))
			r->first = out->n;
		if (r && (rc = new_report(st, txn, r, out->n, t + SE_LEN + 14, date)) <= 0) {
			if (rc < 0)
				break;
			continue;	/* an older file of a report already taken */
		}
		memcpy(last, t, sizeof(last));
		have_last = 1;
		take(out, t, month);
	}
	mdb_cursor_close(c);
	if (rc == -1)
		return -1;
	if (rc && rc != MDB_NOTFOUND)
		return store_fail("coverage", rc);
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
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

const uint8_t *snapshot_file(const struct snapshot *s, const char *se, int32_t month)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].month == month && !memcmp(s->v[i].se, se, SE_LEN))
			return s->v[i].fileid;
	return NULL;
}

static int iter_open(struct row_iter *it, struct store *st, MDB_txn *txn,
		     const struct snapshot *s, const char *se, int32_t month,
		     const uint8_t *id)
{
	char m[8];
	int rc;
	memset(it, 0, sizeof(*it));
	it->cat = st->cat;
	it->sd = s->sd;
	if (!id) {
		it->done = 1;
		return 0;
	}
	memcpy(it->prefix, id, FILEID_LEN);
	memcpy(it->prefix + FILEID_LEN, se, SE_LEN);
	snprintf(m, sizeof(m), "%06d", (int)month);
	memcpy(it->prefix + FILEID_LEN + SE_LEN, m, 6);
	if ((rc = mdb_cursor_open(txn, store_dbi(st, s->sd), &it->cur)))
		return store_fail("open cursor", rc);
	return 0;
}

int row_iter_open(struct row_iter *it, struct store *st, MDB_txn *txn,
		  const struct snapshot *s, const char *se, int32_t month)
{
	return iter_open(it, st, txn, s, se, month, snapshot_file(s, se, month));
}

int row_iter_open_entry(struct row_iter *it, struct store *st, MDB_txn *txn,
			const struct snapshot *s, size_t i)
{
	return iter_open(it, st, txn, s, s->v[i].se, s->v[i].month, s->v[i].fileid);
}

int row_iter_next(struct row_iter *it)
{
	MDB_val k = { sizeof(it->prefix), it->prefix }, v;
	while (!it->done) {
		int rc = mdb_cursor_get(it->cur, &k, &v, it->started ? MDB_NEXT : MDB_SET_RANGE);
		it->started = 1;
		if (rc == MDB_NOTFOUND || (rc == 0 && (k.mv_size < sizeof(it->prefix) ||
					   memcmp(k.mv_data, it->prefix, sizeof(it->prefix))))) {
			it->done = 1;
			break;
		}
		if (rc)
			return store_fail("read", rc);
		if (store_decode(it->cat, it->sd, &k, &v, &it->rec))
			return store_fail("decode", MDB_CORRUPTED);
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
