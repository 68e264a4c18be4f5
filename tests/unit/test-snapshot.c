/*
 * What a night reads (store/snapshot.h) on a store built by hand: the
 * newest file per SE and month, every visible file of an accumulating
 * input (file-name date and first landing night on or before the night,
 * corrections visible from their name's first night), canonical order,
 * an iterator over every file of an SE and month, the reports variant,
 * a store filled by both kinds of input line, and the night a file counts
 * as landed on (landed_night).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "store/landed.h"
#include "store/segment.h"
#include "store/snapshot.h"
#include "store/store.h"
#include "test.h"

static struct catalog cat;
static struct store st;
static const struct store_def *sd;
static int f_se, f_month, f_cpr, f_amount;

/* Files whose landing name starts with "acc/" accumulate. */
static int acc_prefix(const char *relpath, void *data)
{
	(void)data;
	return !strncmp(relpath, "acc/", 4);
}

static void put(MDB_txn *txn, MDB_dbi dbi, const void *k, size_t kl, const void *v, size_t vl)
{
	MDB_val key = { kl, (void *)k }, val = { vl, (void *)v };
	if (mdb_put(txn, dbi, &key, &val, 0))
		abort();
}

/*
 * A loaded file: its record (relpath, landing night, replaces), its
 * coverage for SE 29757895 and month, and rows (cpr, amount) on lines 2...
 */
static void file(MDB_txn *txn, int id, const char *relpath, int32_t namedate,
		 const char *night, int replaces, int32_t month, int nrows, const char *cover)
{
	uint8_t fid[FILEID_LEN] = { 0 }, key[KEY_MAX + 64];
	struct strbuf props = STRBUF_INIT, val = STRBUF_INIT;
	char b[64], hex[2 * FILEID_LEN + 1], cv[COVER_VALUE_MAX];
	size_t n, vl;
	fid[7] = (uint8_t)id;
	fileid_hex(fid, hex);
	props_set(&props, "sha", hex);
	props_set(&props, "relpath", relpath);
	props_set(&props, "night", night);
	if (replaces) {
		uint8_t old[FILEID_LEN] = { 0 };
		old[7] = (uint8_t)replaces;
		fileid_hex(old, hex);
		props_set(&props, "replaces", hex);
	}
	put(txn, st.files, fid, FILEID_LEN, props.buf, props.len);
	if (!cover)
		goto out;
	n = strlen(sd->name) + 1;
	memcpy(key, sd->name, n);
	memcpy(key + n, "29757895", 8);
	snprintf(b, sizeof(b), "%06d%08d", (int)month, (int)(99999999 - namedate));
	memcpy(key + n + 8, b, 14);
	memcpy(key + n + 22, fid, FILEID_LEN);
	/* the rows' segment: the file id's bytes (any number, one per file) */
	vl = cover_value(!strcmp(cover, "loading"), strtoull(cover, NULL, 10), fid, cv);
	put(txn, st.coverage, key, n + 22 + FILEID_LEN, cv, vl);
	for (int i = 0; i < nrows; i++) {
		struct record r;
		char cpr[11];
		memset(&r, 0, sizeof(r));
		snprintf(cpr, sizeof(cpr), "01017%05d", id * 10 + i);
		r.v[f_se] = (struct value){ 1, 0, "29757895", 8 };
		r.v[f_month] = (struct value){ 1, month, NULL, 0 };
		r.v[f_cpr] = (struct value){ 1, 0, cpr, 10 };
		r.v[f_amount] = (struct value){ 1, id * 100 + i, NULL, 0 };
		n = store_key(&cat, sd, &r, fid, (uint64_t)(1 + i), (uint32_t)(2 + i), key);
		store_encode(&cat, sd, &r, &val);
		put(txn, store_dbi(&st, sd), key, n, val.buf, val.len);
	}
out:
	strbuf_release(&props);
	strbuf_release(&val);
}

/* "id@month,id@month..." of a snapshot's entries, in order. */
static const char *entries(const struct snapshot *s)
{
	static char out[256];
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < s->n && n < sizeof(out) - 16; i++)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%d@%d", i ? "," : "",
				      s->v[i].fileid[7], (int)(s->v[i].month % 100));
	return out;
}

static const char *load(MDB_txn *txn, int32_t night, int reports)
{
	struct snapshot s;
	static char out[256];
	if ((reports ? snapshot_load_reports : snapshot_load)(&st, txn, sd, night, 0, 999912, &s))
		return "error";
	snprintf(out, sizeof(out), "%s", entries(&s));
	snapshot_free(&s);
	return out;
}

int main(void)
{
	char dir[] = "/tmp/test-snapshot-XXXXXX";
	const char *p = test_text_file("field se se\nfield month month\nfield cpr cpr\n"
				       "field amount money\nstore t.rows\n  key se month cpr\n"
				       "  value amount\n");
	struct snapshot s;
	struct row_iter it;
	MDB_txn *txn;
	char got[256];
	size_t first, n = 0;

	if (catalog_load(p, &cat) || !mkdtemp(dir) || store_open(&st, dir, &cat))
		return 1;
	remove(p);
	sd = catalog_store(&cat, "t.rows");
	f_se = catalog_field(&cat, "se");
	f_month = catalog_field(&cat, "month");
	f_cpr = catalog_field(&cat, "cpr");
	f_amount = catalog_field(&cat, "amount");
	if (store_begin(&st, 0, &txn))
		return 1;
	/* plain files: two versions of a KY report, the newest by name counts */
	file(txn, 1, "ky/R_20250601.csv", 20250601, "2025-06-01", 0, 202506, 2, "2");
	file(txn, 2, "ky/R_20250610.csv", 20250610, "2025-06-10", 0, 202506, 1, "1");
	file(txn, 3, "ky/S_20250605.csv", 20250605, "2025-06-05", 0, 202506, 1, "1");
	/* accumulating files of months 05 and 06 */
	file(txn, 10, "acc/L_20250603.csv", 20250603, "2025-06-03", 0, 202506, 2, "2");
	file(txn, 11, "acc/K_20250603.csv", 20250603, "2025-06-04", 0, 202506, 1, "1");
	file(txn, 12, "acc/L_20250520.csv", 20250520, "2025-06-03", 0, 202505, 1, "1");
	/* back-dated: named 06-01, landed on 06-20 */
	file(txn, 13, "acc/L_20250601.csv", 20250601, "2025-06-20", 0, 202506, 1, "1");
	/* a correction landed 06-25 of a name first landed 06-02 (version 14, replaced) */
	file(txn, 14, "acc/M_20250602.csv", 20250602, "2025-06-02", 0, 202506, 0, NULL);
	file(txn, 15, "acc/M_20250602.csv", 20250602, "2025-06-25", 14, 202506, 1, "1");
	/* being loaded: hidden */
	file(txn, 16, "acc/N_20250604.csv", 20250604, "2025-06-04", 0, 202506, 1, "loading");
	/* named after the night */
	file(txn, 17, "acc/L_20250612.csv", 20250612, "2025-06-12", 0, 202506, 1, "1");
	if (store_commit(txn) || store_begin(&st, MDB_RDONLY, &txn))
		return 1;

	CHECK(!strcmp(load(txn, 20250611, 0), "12@5,2@6"),
	      "without store->accumulates: the newest file per SE and month (%s)", load(txn, 20250611, 0));
	st.accumulates = acc_prefix;
	snprintf(got, sizeof(got), "%s", load(txn, 20250611, 0));
	CHECK(!strcmp(got, "12@5,2@6,15@6,11@6,10@6"),
	      "night 06-11: the newest plain file, then every visible accumulated one by "
	      "name date and name; not the back-dated one landed 06-20, not 06-12's, not "
	      "one being loaded; the correction counts from its name's first night (%s)", got);
	snprintf(got, sizeof(got), "%s", load(txn, 20250602, 0));
	CHECK(!strcmp(got, "1@6,15@6"),
	      "night 06-02: what was landed by then only, the correction of a name "
	      "landed that night included (%s)", got);
	snprintf(got, sizeof(got), "%s", load(txn, 20250630, 0));
	CHECK(!strcmp(got, "12@5,2@6,13@6,15@6,11@6,10@6,17@6"),
	      "night 06-30: the back-dated file counts now, in name-date order (%s)", got);
	snprintf(got, sizeof(got), "%s", load(txn, 20250611, 1));
	CHECK(!strcmp(got, "12@5,2@6,3@6,15@6,11@6,10@6"),
	      "reports: the newest of each report, then the accumulated ones (%s)", got);

	CHECK(snapshot_load(&st, txn, sd, 20250611, 202506, 202506, &s) == 0 &&
	      snapshot_entries(&s, "29757895", 202506, &first) == 4 && first == 0 &&
	      s.v[2].accumulated && s.v[2].since == 20250604 && s.v[2].namedate == 20250603 &&
	      !strcmp(s.v[2].relpath, "acc/K_20250603.csv") && !s.v[0].accumulated &&
	      !s.v[0].relpath && s.v[1].since == 20250602 && s.v[1].namedate == 20250602,
	      "the window, and each entry's name date, first night and name");
	CHECK(row_iter_open(&it, &st, txn, &s, "29757895", 202506) == 0, "iterator opens");
	got[0] = '\0';
	while (row_iter_next(&it) == 1) {
		size_t l = strlen(got);
		snprintf(got + l, sizeof(got) - l, "%s%lld:%u#%llu", l ? "," : "",
			 (long long)it.rec.v[f_amount].num, (unsigned)it.line,
			 (unsigned long long)it.record);
		n++;
	}
	row_iter_close(&it);
	CHECK(!strcmp(got, "200:2#1,1500:2#1,1100:2#1,1000:2#1,1001:3#2"),
	      "row_iter_open reads every file of the SE and month, each row's line (%s)", got);
	CHECK(snapshot_file(&s, "29757895", 202506)[7] == 2 &&
	      !snapshot_file(&s, "29757895", 202505), "snapshot_file: the first chosen file");
	CHECK(row_iter_open(&it, &st, txn, &s, "12345674", 202506) == 0 &&
	      row_iter_next(&it) == 0, "no file: an empty iteration");
	row_iter_close(&it);
	snapshot_free(&s);
	mdb_txn_abort(txn);

	/* landed_night: A (20) first landed 02-10, B (21) over it that night,
	 * A back on 02-11 and again on 02-12; a longer name sharing the prefix
	 * landed A on 02-10 */
	{
		uint8_t a[FILEID_LEN] = { 0 }, b[FILEID_LEN] = { 0 }, c[FILEID_LEN] = { 0 };
		char night[11] = "";
		a[7] = 20, b[7] = 21, c[7] = 22;
		if (store_begin(&st, 0, &txn) ||
		    landed_put(&st, txn, "2021-02-10", "erp/P.csv", b) ||
		    landed_put(&st, txn, "2021-02-10", "erp/P.csvx", a) ||
		    landed_put(&st, txn, "2021-02-11", "erp/P.csv", a) ||
		    landed_put(&st, txn, "2021-02-12", "erp/P.csv", a) || store_commit(txn) ||
		    store_begin(&st, MDB_RDONLY, &txn))
			return 1;
		CHECK(landed_night(&st, txn, "erp/P.csv", b, "2021-02-10", night) == 0 &&
		      !strcmp(night, "2021-02-10"), "its first night when that night's entry is it");
		CHECK(landed_night(&st, txn, "erp/P.csv", a, "2021-02-10", night) == 0 &&
		      !strcmp(night, "2021-02-11"), "replaced on its first night: the first night "
		      "after that landed it (%s), not another name's entry", night);
		CHECK(landed_night(&st, txn, "erp/P.csv", c, "2021-02-10", night) == 1,
		      "bytes no night landed under the name: 1");
		mdb_txn_abort(txn);
	}
	store_close(&st);
	catalog_free(&cat);
	{
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd))
			printf("# could not remove %s\n", dir);
	}
	return test_done();
}
