/* The store checker: escaping, a sound store, and one damage at a time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomicfile.h"
#include "core/digest.h"
#include "core/log.h"
#include "store/landed.h"
#include "store/ledger.h"
#include "store/segment.h"
#include "run/lock.h"
#include "post/voucherstore.h"
#include "driver/storecheck.h"
#include "test.h"

static char tmpdir[] = "/tmp/test-storecheck-XXXXXX";
static char state[96];
static char *out;	/* the last check's lines */

static const char STORES[] =
	"field se se\n"
	"field month month\n"
	"field cpr cpr\n"
	"field amount money\n"
	"store t.rows\n"
	"  key se month cpr\n"
	"  value amount\n";

static void test_escape(void)
{
	static const struct { const char *in; size_t n; const char *want; } cases[] = {
		{ "abc", 3, "abc" },
		{ "a\0b", 3, "a\\0b" },
		{ "q\"\\", 3, "q\\\"\\\\" },
		{ "\x01\xff", 2, "\\x01\\xff" },
		{ "0101011234", 10, "010101xxxx" },
		{ "010101-1234", 11, "010101-xxxx" },
		{ "x010101-12345y", 14, "x010101-xxxxxy" },
		{ "123456789", 9, "123456789" },	/* 9 digits: not CPR-shaped */
		{ "29757895202101", 14, "297578xxxxxxxx" },
		{ "2021-02-05", 10, "2021-02-05" },
		{ "ky/KY_Sum_29757895_20210205.csv", 31, "ky/KY_Sum_29757895_20210205.csv" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		storecheck_escape(cases[i].in, cases[i].n, &sb);
		CHECK(!strcmp(sb.buf, cases[i].want), "escape %zu: '%s', want '%s'", i, sb.buf,
		      cases[i].want);
		strbuf_release(&sb);
	}
}

/* Runs the check on state (with OUT tmpdir/out); its return, lines in out. */
static int check(struct storecheck_counts *c)
{
	char outdir[160];
	size_t len;
	FILE *fp;
	struct storecheck_opts o = { state, outdir, 1, 1, NULL };
	struct catalog cat;
	char path[160];
	int rc;
	snprintf(outdir, sizeof(outdir), "%s/out", tmpdir);
	snprintf(path, sizeof(path), "%s/stores", tmpdir);
	free(out);
	out = NULL;
	if (catalog_load(path, &cat) || !(fp = open_memstream(&out, &len)))
		abort();
	o.fp = fp;
	rc = storecheck_run(&cat, &o, c);
	fclose(fp);
	catalog_free(&cat);
	return rc;
}

static int has(const char *s)
{
	return out && strstr(out, s) != NULL;
}

static void test_missing(void)
{
	struct storecheck_counts c;
	char none[96];
	struct stat sb;
	snprintf(none, sizeof(none), "%s/none", tmpdir);
	snprintf(state, sizeof(state), "%s", none);
	CHECK(check(&c) == -1, "no store: -1");
	CHECK(stat(none, &sb) != 0, "no store: nothing created");
}

struct fixture {
	struct catalog cat;
	struct store st;
	uint8_t id[FILEID_LEN];
	uint8_t ckey[128];	/* the coverage key */
	size_t cklen;
};

static int put(MDB_txn *txn, MDB_dbi dbi, const void *k, size_t kl, const void *v, size_t vl)
{
	MDB_val key = { kl, (void *)k }, val = { vl, (void *)v };
	return mdb_put(txn, dbi, &key, &val, 0);
}

static int del(MDB_txn *txn, MDB_dbi dbi, const void *k, size_t kl)
{
	MDB_val key = { kl, (void *)k };
	return mdb_del(txn, dbi, &key, NULL);
}

static int count1(MDB_txn *txn, struct fixture *fx);

/* One landed file with one row, its coverage, a ledger and a voucher. */
static int build(struct fixture *fx)
{
	const struct store_def *sd;
	struct record r;
	struct strbuf props = STRBUF_INIT, val = STRBUF_INIT;
	struct ledger_entry e;
	struct voucher v;
	enum issue_result res;
	char path[200], sha[DIGEST_HEXSZ], num[32];
	uint8_t key[KEY_MAX], fc[200];
	uint64_t size;
	MDB_txn *txn;
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/stores", tmpdir);
	if (catalog_load(path, &fx->cat) || store_open(&fx->st, state, &fx->cat))
		return -1;
	snprintf(path, sizeof(path), "%s/landing", state);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/landing/x.csv", state);
	if (!(f = fopen(path, "w")) || fputs("a;b\n1;2\n", f) < 0 || fclose(f) ||
	    digest_file(path, sha, &size))
		return -1;
	fileid_from_hex(sha, fx->id);
	sd = &fx->cat.stores[0];
	memset(&r, 0, sizeof(r));
	r.v[0] = (struct value){ 1, 0, "29757895", 8 };
	r.v[1] = (struct value){ 1, 202101, NULL, 0 };
	r.v[2] = (struct value){ 1, 0, "0101011234", 10 };
	r.v[3] = (struct value){ 1, 12603, NULL, 0 };
	memcpy(fx->ckey, "t.rows\0" "29757895" "202101" "79789794", 7 + 22);
	memcpy(fx->ckey + 29, fx->id, FILEID_LEN);
	fx->cklen = 29 + FILEID_LEN;
	memcpy(fc, fx->id, FILEID_LEN);
	memcpy(fc + FILEID_LEN, fx->ckey, fx->cklen);
	props_set(&props, "sha", sha);
	props_set(&props, "relpath", "ky/x.csv");
	props_set(&props, "path", "landing/x.csv");
	props_set(&props, "night", "2021-02-05");
	snprintf(num, sizeof(num), "%llu", (unsigned long long)size);
	props_set(&props, "size", num);
	props_set(&props, "status", "loaded");
	props_set(&props, "store", "t.rows");
	props_set(&props, "rows_read", "1");
	props_set(&props, "rows_loaded", "1");
	props_set(&props, "rows_rejected", "0");
	props_set(&props, "records", "1");
	if (store_begin(&fx->st, 0, &txn))
		return -1;
	store_encode(&fx->cat, sd, &r, &val);
	rc |= put(txn, store_dbi(&fx->st, sd), key,
		  store_key(&fx->cat, sd, &r, fx->id, 1, 2, key), val.buf, val.len);
	rc |= count1(txn, fx);
	rc |= put(txn, fx->st.filecover, fc, FILEID_LEN + fx->cklen, "", 0);
	rc |= file_props_put(&fx->st, txn, fx->id, &props);
	rc |= put(txn, fx->st.names, "ky/x.csv", 8, fx->id, FILEID_LEN);
	rc |= landed_put(&fx->st, txn, "2021-02-05", "ky/x.csv", fx->id);
	memset(&e, 0, sizeof(e));
	xstrlcpy(e.state, "done", sizeof(e.state));
	rc |= ledger_put(&fx->st, txn, "2021-02-05", "fetch", &e);
	rc |= ledger_put(&fx->st, txn, "2021-02-05", "normalise", &e);
	memset(&v, 0, sizeof(v));
	xstrlcpy(v.rule, "r", sizeof(v.rule));
	xstrlcpy(v.reference, "r:1", sizeof(v.reference));
	xstrlcpy(v.sender, "S", sizeof(v.sender));
	xstrlcpy(v.se, "29757895", sizeof(v.se));
	memset(v.event, 'a', 64);
	voucher_add(&v, "1000", 1, 500, "t");
	voucher_add(&v, "2000", 0, 500, "t");
	rc |= voucher_issue(&fx->st, txn, &v, 20210205, &res);
	rc = rc ? (mdb_txn_abort(txn), -1) : store_commit(txn);
	/* its XML file, as the vouchers stage writes it */
	snprintf(path, sizeof(path), "%s/out/2021-02-05/vouchers", tmpdir);
	if (!rc && mkdirs(path, 0700) == 0) {
		snprintf(path, sizeof(path), "%s/out/2021-02-05/vouchers/%s.xml", tmpdir, v.id);
		if (!(f = fopen(path, "w")) || fclose(f))
			rc = -1;
	}
	strbuf_release(&props);
	strbuf_release(&val);
	return rc;
}

/* One write transaction's damage: fn(txn, fx); 0 or -1. */
static int damage(struct fixture *fx, int (*fn)(MDB_txn *, struct fixture *))
{
	MDB_txn *txn;
	if (store_begin(&fx->st, 0, &txn))
		return -1;
	if (fn(txn, fx)) {
		mdb_txn_abort(txn);
		return -1;
	}
	return store_commit(txn);
}

/* The fixture's coverage value; its rows' segment is its file id's bytes. */
static int cover(MDB_txn *txn, struct fixture *fx, int is_loading, uint64_t count)
{
	char v[COVER_VALUE_MAX];
	size_t n = cover_value(is_loading, count, fx->id, v);
	return put(txn, fx->st.coverage, fx->ckey, fx->cklen, v, n);
}

static int count2(MDB_txn *txn, struct fixture *fx)
{
	return cover(txn, fx, 0, 2);
}

static int count1(MDB_txn *txn, struct fixture *fx)
{
	return cover(txn, fx, 0, 1);
}

static int loading(MDB_txn *txn, struct fixture *fx)
{
	return cover(txn, fx, 1, 0);
}

static int garbage_key(MDB_txn *txn, struct fixture *fx)
{
	return put(txn, fx->st.coverage, "ows\0" "0101011234", 14, "loading", 7);
}

static int no_garbage_key(MDB_txn *txn, struct fixture *fx)
{
	return del(txn, fx->st.coverage, "ows\0" "0101011234", 14);
}

static int running(MDB_txn *txn, struct fixture *fx)
{
	struct ledger_entry e;
	memset(&e, 0, sizeof(e));
	xstrlcpy(e.state, "running", sizeof(e.state));
	return ledger_put(&fx->st, txn, "2021-02-05", "normalise", &e);
}

static void test_store(void)
{
	struct storecheck_counts c;
	struct fixture fx;
	char path[200];
	snprintf(state, sizeof(state), "%s/state", tmpdir);
	if (build(&fx)) {
		CHECK(0, "the fixture store is built");
		return;
	}
	CHECK(check(&c) == 0 && c.problems == 0, "a sound store: no problem\n%s", out);
	CHECK(c.databases == 12 && c.rows == 1 && c.coverage == 1 && c.files == 1 &&
	      c.ledger == 2 && c.vouchers == 1, "counts: %lu db %lu rows %lu cov %lu files "
	      "%lu ledger %lu vouchers", c.databases, c.rows, c.coverage, c.files, c.ledger,
	      c.vouchers);
	CHECK(has("0 problem(s) in 12 databases, 1 rows, 1 coverage entries, 1 files, "
		  "2 ledger entries, 1 vouchers\n"), "summary: %s", out);

	CHECK(damage(&fx, count2) == 0 && check(&c) == 0 && c.problems == 2 &&
	      has(": says 2 row(s), t.rows holds 1\n") &&
	      has("records=1 but its coverage entries count 2 row(s)\n"),
	      "a count off by one: 2 problems\n%s", out);
	CHECK(damage(&fx, count1) == 0 && check(&c) == 0 && c.problems == 0, "mended");

	CHECK(damage(&fx, garbage_key) == 0 && check(&c) == 0 && c.problems == 1 &&
	      has("check-store: coverage: key \"ows\\0010101xxxx\" names no store of "
		  "schemas/stores\n") && !has("0101011234"),
	      "a garbage key, its CPR masked\n%s", out);
	CHECK(damage(&fx, no_garbage_key) == 0, "mended");

	snprintf(path, sizeof(path), "%s/landing/x.csv", state);
	if (truncate(path, 1))
		abort();
	CHECK(check(&c) == 0 && c.problems == 1 && has("are 1 bytes, the record says 8\n"),
	      "landed bytes of another size\n%s", out);
	if (truncate(path, 0))
		abort();
	{
		FILE *f = fopen(path, "w");
		if (!f || fputs("a;b\n1;3\n", f) < 0 || fclose(f))
			abort();
	}
	CHECK(check(&c) == 0 && c.problems == 1 && has("have sha "),
	      "landed bytes of the size, other bytes: --hash finds it\n%s", out);
	{
		FILE *f = fopen(path, "w");
		if (!f || fputs("a;b\n1;2\n", f) < 0 || fclose(f))
			abort();
	}

	CHECK(damage(&fx, loading) == 0 && damage(&fx, running) == 0 && check(&c) == 0 &&
	      c.problems == 2 && has("says \"loading\" and no run holds the lock") &&
	      has("2021-02-05 normalise: says running and no run holds the lock"),
	      "a stale loading and a running stage, no run: problems\n%s", out);
	/* this process takes the state's lock: a live run */
	CHECK(lock_state(state, 0) == 0, "the lock is taken");
	CHECK(check(&c) == 0 && c.problems == 0 && c.notes == 3 && c.live &&
	      has("check-store: ledger: note: 2021-02-05 normalise: running (a live run "
		  "holds the lock)\n"), "with a live run: notes\n%s", out);
	store_close(&fx.st);
	catalog_free(&fx.cat);
}

int main(void)
{
	char path[200];
	FILE *f;
	log_init("test-storecheck");
	if (!mkdtemp(tmpdir))
		return 1;
	snprintf(path, sizeof(path), "%s/stores", tmpdir);
	if (!(f = fopen(path, "w")) || fputs(STORES, f) < 0 || fclose(f))
		return 1;
	test_escape();
	test_missing();
	test_store();
	free(out);
	{
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			return 1;
	}
	return test_done();
}
