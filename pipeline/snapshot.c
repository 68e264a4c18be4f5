#include "snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

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

int snapshot_load(struct store *st, MDB_txn *txn, const struct store_def *sd,
		  int32_t night, int32_t from, int32_t to, struct snapshot *out)
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
		if (have_last && !memcmp(last, t, sizeof(last)))
			continue;	/* an older file for an SE and month already taken */
		memcpy(last, t, sizeof(last));
		have_last = 1;
		take(out, t, month);
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return store_fail("coverage", rc);
	return 0;
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

int row_iter_open(struct row_iter *it, struct store *st, MDB_txn *txn,
		  const struct snapshot *s, const char *se, int32_t month)
{
	const uint8_t *id = snapshot_file(s, se, month);
	char m[8];
	int rc;
	memset(it, 0, sizeof(*it));
	it->cat = st->cat;
	it->sd = s->sd;
	if (!id) {
		it->done = 1;
		return 0;
	}
	memcpy(it->fileid, id, FILEID_LEN);
	memcpy(it->prefix, se, SE_LEN);
	snprintf(m, sizeof(m), "%06d", (int)month);
	memcpy(it->prefix + SE_LEN, m, 6);
	if ((rc = mdb_cursor_open(txn, store_dbi(st, s->sd), &it->cur)))
		return store_fail("open cursor", rc);
	return 0;
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
		if (memcmp(store_key_fileid(it->sd, &k), it->fileid, FILEID_LEN))
			continue;	/* another file's rows for the same SE and month */
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
