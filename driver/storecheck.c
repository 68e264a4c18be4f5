#include "storecheck.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <lmdb.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/date.h"
#include "core/digest.h"
#include "core/ident.h"
#include "core/log.h"
#include "core/money.h"
#include "store/store.h"
#include "store/decisions.h"
#include "store/landed.h"
#include "store/segment.h"
#include "run/lock.h"
#include "ingest/csvtable.h"
#include "post/voucher.h"
#include "core/banned.h"

/* Problem lines printed per database; the rest are counted. */
enum { SHOW_MAX = 1000 };

/* coverage key after "store NUL": SE(8) month(6) ~date(8) fileid(8) */
enum { COVER_TAIL = SE_LEN + 6 + 8 + FILEID_LEN };

enum {
	D_FILES, D_NAMES, D_COVERAGE, D_LANDED, D_LEDGER, D_BREAKS, D_META,
	D_RECEIPTS, D_VOUCHERS, D_FILECOVER, D_OUTFILES, D_N
};
static const char *const NAMED[D_N] = {
	"files", "names", "coverage", "landed", "ledger", "breaks", "meta",
	"receipts", "vouchers", "filecover", "outfiles",
};

struct fileinfo {
	uint8_t id[FILEID_LEN];
	char *relpath, *night, *path, *status, *store, *replaces, *from, *sha;
	int64_t size;		/* -1 unknown */
	int has_records, has_rows;
	uint64_t records, rows_read, rows_loaded, rows_rejected;
	unsigned long cover_n, cover_loading;	/* its visible / "loading" entries */
	uint64_t cover_rows;	/* the sum of its visible entries' counts */
};

/* Rows of one (store, segment, SE, month), or a coverage entry of one. */
struct group {
	int store;
	uint8_t id[FILEID_LEN];	/* coverage: the file (rows do not name it) */
	uint8_t seg[SEGMENT_LEN];	/* where the rows are (store/segment.h) */
	char se[SE_LEN];
	int32_t month;
	int32_t date;		/* coverage: the file name's date */
	uint64_t n;		/* rows; coverage: the count */
	int loading, bad;	/* coverage: "loading"; a value that is neither */
};

struct seqent {
	uint64_t seq;
	char *what;		/* "NIGHT STAGE" */
};

struct event {
	char event[65], current[UUID_SZ], digest[65];
	int32_t night, seen;
	unsigned seq;
};

struct vsum {
	int32_t night;
	char id[UUID_SZ], event[65], digest[65], reverses[UUID_SZ];
};

struct shown {
	char *db;
	unsigned long n;
};

struct ck {
	const struct catalog *cat;
	const struct storecheck_opts *o;
	struct storecheck_counts *c;
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi[D_N];
	int have[D_N];
	MDB_dbi *data;
	int *have_data;
	int layout_ok, layout_seen;
	uint64_t counter;	/* meta ledger-seq */
	int has_counter;
	struct fileinfo *fv;
	size_t nf, af;
	struct group *gv, *cv;
	size_t ng, ag, nc, ac;
	struct seqent *sv;
	size_t ns, as;
	struct event *ev;
	size_t ne, ae;
	struct vsum *vv;
	size_t nv, av;
	struct shown *shown;
	size_t nshown;
	struct strbuf msg, a, b;	/* the line; two scratch buffers for its parts */
};

/* ---- output ---- */

static struct shown *shown_of(struct ck *k, const char *db)
{
	for (size_t i = 0; i < k->nshown; i++)
		if (!strcmp(k->shown[i].db, db))
			return &k->shown[i];
	k->shown = xrealloc(k->shown, (k->nshown + 1) * sizeof(*k->shown));
	k->shown[k->nshown].db = xstrdup(db);
	k->shown[k->nshown].n = 0;
	return &k->shown[k->nshown++];
}

static void vline(struct ck *k, int problem, const char *db, const char *fmt, va_list ap)
{
	struct shown *s;
	if (problem)
		k->c->problems++;
	else
		k->c->notes++;
	if (!problem && k->o->level < 1)
		return;
	s = shown_of(k, db);
	if (s->n++ >= SHOW_MAX)
		return;
	strbuf_reset(&k->msg);
	strbuf_vaddf(&k->msg, fmt, ap);
	fprintf(k->o->fp, "check-store: %s: %s%s\n", db, problem ? "" : "note: ", k->msg.buf);
}

static void problem(struct ck *k, const char *db, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void problem(struct ck *k, const char *db, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline(k, 1, db, fmt, ap);
	va_end(ap);
}

static void note(struct ck *k, const char *db, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void note(struct ck *k, const char *db, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline(k, 0, db, fmt, ap);
	va_end(ap);
}

/* "problem" with a live run: a note that says so. */
static void unless_live(struct ck *k, const char *db, const char *what, const char *dead,
			const char *live)
{
	if (k->c->live)
		note(k, db, "%s: %s", what, live);
	else
		problem(k, db, "%s: %s", what, dead);
}

/* Lines past SHOW_MAX of a database: one line saying how many. */
static void flush_shown(struct ck *k)
{
	for (size_t i = 0; i < k->nshown; i++)
		if (k->shown[i].n > SHOW_MAX)
			fprintf(k->o->fp, "check-store: %s: %lu more line(s) not shown\n",
				k->shown[i].db, k->shown[i].n - SHOW_MAX);
}

static int isdig(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int ishex(unsigned char c)
{
	return isdig(c) || (c >= 'a' && c <= 'f');
}

void storecheck_escape(const void *p, size_t n, struct strbuf *out)
{
	static const char x[] = "0123456789abcdef";
	const unsigned char *s = p;
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (isdig(c)) {
			size_t j = i, e;
			while (j < n && isdig(s[j]))
				j++;
			/* DDMMYY-SSSS... */
			if (j - i == 6 && j + 1 < n && s[j] == '-' && isdig(s[j + 1])) {
				for (e = j + 1; e < n && isdig(s[e]); e++)
					;
				if (e - (j + 1) >= 4) {
					strbuf_add(out, s + i, 6);
					strbuf_addch(out, '-');
					for (size_t m = j + 1; m < e; m++)
						strbuf_addch(out, 'x');
					i = e;
					continue;
				}
			}
			if (j - i >= CPR_LEN) {
				strbuf_add(out, s + i, 6);
				for (size_t m = i + 6; m < j; m++)
					strbuf_addch(out, 'x');
			} else {
				strbuf_add(out, s + i, j - i);
			}
			i = j;
			continue;
		}
		if (c == '\\' || c == '"') {
			strbuf_addch(out, '\\');
			strbuf_addch(out, (char)c);
		} else if (c == 0) {
			strbuf_addstr(out, "\\0");
		} else if (c >= 0x20 && c < 0x7f) {
			strbuf_addch(out, (char)c);
		} else {
			strbuf_addstr(out, "\\x");
			strbuf_addch(out, x[c >> 4]);
			strbuf_addch(out, x[c & 15]);
		}
		i++;
	}
}

/* The escaped form of n bytes, in sb (reset), returned. */
static const char *esc(struct strbuf *sb, const void *p, size_t n)
{
	strbuf_reset(sb);
	storecheck_escape(p, n, sb);
	return strbuf_str(sb);
}

static const char *esc_val(struct strbuf *sb, const MDB_val *v)
{
	return esc(sb, v->mv_data, v->mv_size);
}

/* ---- small parsers ---- */

static int all_of(const void *p, size_t n, int (*is)(unsigned char))
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		if (!is(s[i]))
			return 0;
	return 1;
}

static int blank(unsigned char c)
{
	return c == ' ';
}

/* A decimal number of at most 19 digits. */
static int decimal(const char *s, uint64_t *v)
{
	size_t n = strlen(s);
	if (!n || n > 19 || !all_of(s, n, isdig))
		return 0;
	*v = strtoull(s, NULL, 10);
	return 1;
}

static int digits_at(const uint8_t *p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (p[i] - '0');
	return v;
}

static int iso_date(const void *p, size_t n)
{
	char d[16];
	int32_t day;
	if (n != 10)
		return 0;
	memcpy(d, p, 10);
	d[10] = '\0';
	return day_parse_iso(d, &day) == 0;
}

/* 8-4-4-4-12 lowercase hex, as uuid_from() makes: safe to print as it is. */
static int uuid_shaped(const char *s, size_t n)
{
	if (n != UUID_SZ - 1)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ? s[i] != '-' : !ishex((unsigned char)s[i]))
			return 0;
	return 1;
}

static int hex64(const char *s)
{
	return strlen(s) == 64 && all_of(s, 64, ishex);
}

/* Why v is not "k=v\n" lines with no key twice, or NULL. */
static const char *kv_bad(const MDB_val *v)
{
	const char *p = v->mv_data, *end = p + v->mv_size;
	if (!v->mv_size)
		return "is empty";
	if (end[-1] != '\n')
		return "does not end with a newline";
	if (memchr(p, '\0', v->mv_size))
		return "holds a NUL byte";
	for (const char *l = p; l < end;) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));
		const char *eq = memchr(l, '=', (size_t)(nl - l));
		if (!eq || eq == l)
			return "has a line that is not key=value";
		for (const char *m = nl + 1; m < end;) {
			const char *nl2 = memchr(m, '\n', (size_t)(end - m));
			if ((size_t)(nl2 - m) > (size_t)(eq - l) && m[eq - l] == '=' &&
			    !memcmp(m, l, (size_t)(eq - l)))
				return "has a key twice";
			m = nl2 + 1;
		}
		l = nl + 1;
	}
	return NULL;
}

/* A property as an owned string, or NULL. */
static char *prop_dup(const MDB_val *v, const char *key, struct strbuf *tmp)
{
	const char *s = prop_get(v, key, tmp);
	return s ? xstrdup(s) : NULL;
}

static int prop_num(const MDB_val *v, const char *key, uint64_t *n, struct strbuf *tmp)
{
	const char *s = prop_get(v, key, tmp);
	return s && decimal(s, n);
}

/* qsort() and bsearch(), never given a NULL base (no elements yet). */
static void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

static void *find(const void *key, const void *base, size_t n, size_t size,
		  int (*cmp)(const void *, const void *))
{
	return n ? bsearch(key, base, n, size, cmp) : NULL;
}

/* ---- LMDB ---- */

static int read_fail(const char *db, int rc)
{
	log_error("store: %s: %s", db, mdb_strerror(rc));
	return -1;
}

static int keycmp(const MDB_val *a, const MDB_val *b)
{
	size_t n = a->mv_size < b->mv_size ? a->mv_size : b->mv_size;
	int c = n ? memcmp(a->mv_data, b->mv_data, n) : 0;
	return c ? c : (a->mv_size > b->mv_size) - (a->mv_size < b->mv_size);
}

/* 0 found, 1 not found, -1 error (reported). */
static int get(struct ck *k, int d, const void *key, size_t klen, MDB_val *v)
{
	MDB_val kv = { klen, (void *)key };
	int rc;
	if (!k->have[d])
		return 1;
	rc = mdb_get(k->txn, k->dbi[d], &kv, v);
	if (rc == MDB_NOTFOUND)
		return 1;
	return rc ? read_fail(NAMED[d], rc) : 0;
}

typedef void (*rec_fn)(struct ck *k, void *arg, const MDB_val *key, const MDB_val *val);

/*
 * Calls fn for every record of dbi in order, checking the order (the
 * pointers stay valid: a read-only transaction never writes). 0, or -1
 * when a read failed (reported).
 */
static int scan(struct ck *k, MDB_dbi dbi, const char *db, rec_fn fn, void *arg,
		unsigned long *count)
{
	MDB_cursor *cur;
	MDB_val key, val, prev = { 0, NULL };
	unsigned long n = 0;
	int rc = mdb_cursor_open(k->txn, dbi, &cur);
	if (rc)
		return read_fail(db, rc);
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		if (n && keycmp(&prev, &key) >= 0)
			problem(k, db, "key \"%s\" is not after the key before it "
				"(LMDB's order is broken: a damaged page)",
				esc_val(&k->a, &key));
		prev = key;
		n++;
		fn(k, arg, &key, &val);
	}
	mdb_cursor_close(cur);
	if (count)
		*count += n;
	if (k->o->level >= 2)
		fprintf(k->o->fp, "check-store: %s: %lu record(s)\n", db, n);
	return rc == MDB_NOTFOUND ? 0 : read_fail(db, rc);
}

/* ---- files ---- */

static struct fileinfo *file_of(struct ck *k, const uint8_t *id)
{
	size_t lo = 0, hi = k->nf;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = memcmp(k->fv[mid].id, id, FILEID_LEN);
		if (!c)
			return &k->fv[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* "file HEX (RELPATH)" in sb. */
/* Whether name is one of a comma-separated list of stores (an XML file's
 * schemas may fill several; stages/normalise/schemaxml.h). */
static int store_listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, name, n) && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

/* Every store of a comma-separated list is one of schemas/stores. */
static int stores_known(const struct catalog *cat, const char *list)
{
	struct strbuf one = STRBUF_INIT;
	int ok = 1;
	for (const char *p = list; ok && p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		const char *end = strchr(p, ',');
		strbuf_reset(&one);
		strbuf_add(&one, p, end ? (size_t)(end - p) : strlen(p));
		ok = catalog_store(cat, one.buf) != NULL;
	}
	strbuf_release(&one);
	return ok;
}

static const char *file_desc(struct strbuf *sb, const uint8_t *id, const struct fileinfo *f)
{
	char hex[2 * FILEID_LEN + 1];
	fileid_hex(id, hex);
	strbuf_reset(sb);
	strbuf_addf(sb, "file %s", hex);
	if (f && f->relpath) {
		strbuf_addstr(sb, " (");
		storecheck_escape(f->relpath, strlen(f->relpath), sb);
		strbuf_addch(sb, ')');
	}
	return sb->buf;
}

/* A path under STATE that stays there: relative, no "..", no empty part. */
static int safe_relpath(const char *p)
{
	if (!*p || *p == '/')
		return 0;
	for (const char *s = p; *s;) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n == 0 || (n == 2 && !memcmp(s, "..", 2)) || (n == 1 && *s == '.'))
			return 0;
		s += n + (e != NULL);
	}
	return 1;
}

static void fn_files(struct ck *k, void *arg, const MDB_val *key, const MDB_val *val)
{
	struct strbuf t = STRBUF_INIT;
	struct fileinfo f;
	const char *why, *d;
	uint8_t shaid[FILEID_LEN];
	uint64_t n;
	(void)arg;
	if (key->mv_size != FILEID_LEN) {
		problem(k, "files", "key \"%s\" is not an 8-byte file id", esc_val(&k->a, key));
		return;
	}
	memset(&f, 0, sizeof(f));
	memcpy(f.id, key->mv_data, FILEID_LEN);
	f.size = -1;
	f.relpath = prop_dup(val, "relpath", &t);
	d = file_desc(&k->b, f.id, &f);
	if ((why = kv_bad(val)))
		problem(k, "files", "%s: its record %s", d, why);
	f.sha = prop_dup(val, "sha", &t);
	f.path = prop_dup(val, "path", &t);
	f.night = prop_dup(val, "night", &t);
	f.status = prop_dup(val, "status", &t);
	f.store = prop_dup(val, "store", &t);
	f.replaces = prop_dup(val, "replaces", &t);
	f.from = prop_dup(val, "from", &t);
	if (!f.sha)
		problem(k, "files", "%s: no sha", d);
	else if (!hex64(f.sha))
		problem(k, "files", "%s: sha \"%s\" is not 64 lowercase hex digits", d,
			esc(&k->a, f.sha, strlen(f.sha)));
	else if (fileid_from_hex(f.sha, shaid) || memcmp(shaid, f.id, FILEID_LEN))
		problem(k, "files", "%s: its sha %.16s... does not begin with its file id", d,
			f.sha);
	if (!f.relpath || !*f.relpath)
		problem(k, "files", "%s: no relpath", d);
	if (!f.path || !*f.path)
		problem(k, "files", "%s: no path", d);
	else if (!safe_relpath(f.path))
		problem(k, "files", "%s: path \"%s\" is not a path under STATE", d,
			esc(&k->a, f.path, strlen(f.path)));
	if (!f.night)
		problem(k, "files", "%s: no night", d);
	else if (!iso_date(f.night, strlen(f.night)))
		problem(k, "files", "%s: night \"%s\" is not a YYYY-MM-DD date", d,
			esc(&k->a, f.night, strlen(f.night)));
	if (!prop_get(val, "size", &t))
		problem(k, "files", "%s: no size", d);
	else if (!decimal(t.buf, &n))
		problem(k, "files", "%s: size \"%s\" is not a number", d, esc(&k->a, t.buf, t.len));
	else
		f.size = (int64_t)n;
	if (f.status && strcmp(f.status, "loaded") && strcmp(f.status, "rejected") &&
	    strcmp(f.status, "replaced"))
		problem(k, "files", "%s: status \"%s\" is not loaded, rejected or replaced", d,
			esc(&k->a, f.status, strlen(f.status)));
	if (f.store && *f.store && !stores_known(k->cat, f.store))
		problem(k, "files", "%s: store \"%s\" is not a store of schemas/stores", d,
			esc(&k->a, f.store, strlen(f.store)));
	if (f.status) {
		static const char *const nums[] = { "rows_read", "rows_loaded", "rows_rejected",
						    "records" };
		uint64_t *dst[] = { &f.rows_read, &f.rows_loaded, &f.rows_rejected, &f.records };
		int ok = 1;
		for (int i = 0; i < 4; i++)
			if (!prop_num(val, nums[i], dst[i], &t)) {
				problem(k, "files", "%s: status=%s but no number %s", d,
					esc(&k->a, f.status, strlen(f.status)), nums[i]);
				ok = 0;
			}
		f.has_rows = f.has_records = ok;
		if (ok && !strcmp(f.status, "loaded") &&
		    f.rows_read != f.rows_loaded + f.rows_rejected)
			problem(k, "files", "%s: status=loaded but rows_read %" PRIu64
				" is not rows_loaded %" PRIu64 " + rows_rejected %" PRIu64, d,
				f.rows_read, f.rows_loaded, f.rows_rejected);
	}
	k->fv = xgrow(k->fv, &k->af, k->nf + 1, sizeof(*k->fv));
	k->fv[k->nf++] = f;
	strbuf_release(&t);
}

static int file_cmp(const void *a, const void *b)
{
	return memcmp(((const struct fileinfo *)a)->id, ((const struct fileinfo *)b)->id,
		      FILEID_LEN);
}

static void files_free(struct ck *k)
{
	for (size_t i = 0; i < k->nf; i++) {
		struct fileinfo *f = &k->fv[i];
		free(f->relpath);
		free(f->night);
		free(f->path);
		free(f->status);
		free(f->store);
		free(f->replaces);
		free(f->from);
		free(f->sha);
	}
	free(k->fv);
}

/* The landed bytes of f: there, regular, its size (and its sha). */
static void check_bytes(struct ck *k, const struct fileinfo *f, const char *d)
{
	struct strbuf p = STRBUF_INIT;
	struct stat sb;
	if (!f->path || !safe_relpath(f->path))
		return;
	strbuf_addf(&p, "%s/%s", k->o->state, f->path);
	if (stat(p.buf, &sb)) {
		if (errno == ENOENT || errno == ENOTDIR)
			problem(k, "files", "%s: its landed bytes %s are missing", d,
				esc(&k->a, p.buf, p.len));
		else
			problem(k, "files", "%s: its landed bytes %s cannot be read: %s", d,
				esc(&k->a, p.buf, p.len), strerror(errno));
	} else if (!S_ISREG(sb.st_mode)) {
		problem(k, "files", "%s: its landed bytes %s are not a regular file", d,
			esc(&k->a, p.buf, p.len));
	} else if (f->size >= 0 && (uint64_t)sb.st_size != (uint64_t)f->size) {
		problem(k, "files", "%s: its landed bytes %s are %lld bytes, the record says %"
			PRId64, d, esc(&k->a, p.buf, p.len), (long long)sb.st_size, f->size);
	} else if (k->o->hash && f->sha && hex64(f->sha)) {
		char hex[DIGEST_HEXSZ];
		uint64_t size;
		if (digest_file(p.buf, hex, &size))
			problem(k, "files", "%s: its landed bytes %s cannot be read: %s", d,
				esc(&k->a, p.buf, p.len), strerror(errno));
		else if (strcmp(hex, f->sha))
			problem(k, "files", "%s: its landed bytes %s have sha %.16s..., the "
				"record says %.16s...", d, esc(&k->a, p.buf, p.len), hex, f->sha);
	}
	strbuf_release(&p);
}

/* Checks that need every database read: coverage, names, the bytes. */
static int check_files(struct ck *k)
{
	struct strbuf d = STRBUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < k->nf && rc == 0; i++) {
		struct fileinfo *f = &k->fv[i];
		const char *status = f->status ? f->status : "";
		file_desc(&d, f->id, f);
		if (!strcmp(status, "loaded") && f->relpath) {
			MDB_val v;
			int g = get(k, D_NAMES, f->relpath, strlen(f->relpath), &v);
			if (g < 0) {
				rc = -1;
				break;
			}
			if (g == 1 && k->have[D_NAMES]) {
				problem(k, "files", "%s: status=loaded but \"names\" has no entry "
					"for its relpath", d.buf);
			} else if (g == 0 && v.mv_size == FILEID_LEN &&
				   !memcmp(v.mv_data, f->id, FILEID_LEN)) {
				if (k->layout_ok && f->has_records && !f->cover_loading &&
				    f->records != f->cover_rows)
					problem(k, "files", "%s: records=%" PRIu64 " but its coverage "
						"entries count %" PRIu64 " row(s)", d.buf,
						f->records, f->cover_rows);
			} else if (g == 0 && v.mv_size == FILEID_LEN) {
				char hex[2 * FILEID_LEN + 1];
				fileid_hex(v.mv_data, hex);
				problem(k, "files", "%s: status=loaded but file %s is its name's "
					"current version (\"names\"): it should say replaced", d.buf,
					hex);
			}
		} else if (f->cover_n) {
			problem(k, "files", "%s: %s%s, yet its rows are visible (%lu coverage "
				"entr%s)", d.buf, f->status ? "status=" : "not loaded (no status)",
				f->status ? esc(&k->a, status, strlen(status)) : "", f->cover_n,
				f->cover_n == 1 ? "y" : "ies");
		}
		if (f->replaces) {
			uint8_t rid[FILEID_LEN];
			const struct fileinfo *r;
			if (strlen(f->replaces) != 2 * FILEID_LEN ||
			    fileid_from_hex(f->replaces, rid))
				problem(k, "files", "%s: replaces \"%s\" is not a file id", d.buf,
					esc(&k->a, f->replaces, strlen(f->replaces)));
			else if (!memcmp(rid, f->id, FILEID_LEN))
				problem(k, "files", "%s: replaces itself", d.buf);
			else if (!(r = file_of(k, rid)))
				problem(k, "files", "%s: replaces file %s, which has no \"files\" "
					"record", d.buf, f->replaces);
			else if (r->relpath && f->relpath && strcmp(r->relpath, f->relpath))
				problem(k, "files", "%s: replaces %s, a file of another name",
					d.buf, file_desc(&k->b, rid, r));
		}
		if (f->from) {
			size_t j;
			for (j = 0; j < k->nf; j++)
				if (k->fv[j].relpath && !strcmp(k->fv[j].relpath, f->from))
					break;
			if (j == k->nf)
				problem(k, "files", "%s: from \"%s\": no landed file of that name",
					d.buf, esc(&k->a, f->from, strlen(f->from)));
		}
		check_bytes(k, f, d.buf);
	}
	strbuf_release(&d);
	return rc;
}

/* ---- names, landed, receipts, breaks, meta ---- */

static void fn_names(struct ck *k, void *arg, const MDB_val *key, const MDB_val *val)
{
	const struct fileinfo *f;
	const char *rel = esc_val(&k->a, key);
	(void)arg;
	if (!key->mv_size || memchr(key->mv_data, '\0', key->mv_size))
		problem(k, "names", "key \"%s\" is not a relpath", rel);
	else if (val->mv_size != FILEID_LEN)
		problem(k, "names", "\"%s\": value is not an 8-byte file id", rel);
	else if (!(f = file_of(k, val->mv_data)))
		problem(k, "names", "\"%s\": %s has no \"files\" record", rel,
			file_desc(&k->b, val->mv_data, NULL));
	else if (f->relpath && (strlen(f->relpath) != key->mv_size ||
				memcmp(f->relpath, key->mv_data, key->mv_size)))
		problem(k, "names", "\"%s\": %s is of another relpath", rel,
			file_desc(&k->b, val->mv_data, f));
}

/*
 * Whether a night after kb's landed another version of relpath rel (the
 * one thing that may replace a night's file: normalise's is_superseded).
 * A read failure counts as yes (reported by the scan that follows).
 */
static int landed_later_other(struct ck *k, const char *kb, const char *rel, size_t rl,
			      const void *id)
{
	char from[11];
	MDB_val key = { 11, from }, v;
	MDB_cursor *c;
	int rc, other = 0;
	memcpy(from, kb, 10);
	from[10] = 1;	/* after every "NIGHT\0relpath" of kb's night */
	if (mdb_cursor_open(k->txn, k->dbi[D_LANDED], &c))
		return 1;
	for (rc = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &key, &v, MDB_NEXT))
		if (key.mv_size == 11 + rl && ((const char *)key.mv_data)[10] == '\0' &&
		    !memcmp((const char *)key.mv_data + 11, rel, rl) && v.mv_size == FILEID_LEN)
			other = memcmp(v.mv_data, id, FILEID_LEN) != 0;
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? other : 1;
}

static void fn_landed(struct ck *k, void *arg, const MDB_val *key, const MDB_val *val)
{
	const char *kb = key->mv_data, *rel = kb + 11;
	size_t rl = key->mv_size > 11 ? key->mv_size - 11 : 0;
	const struct fileinfo *f;
	(void)arg;
	if (key->mv_size <= 11 || kb[10] != '\0' || !iso_date(kb, 10) ||
	    memchr(rel, '\0', rl)) {
		problem(k, "landed", "key \"%s\" is not YYYY-MM-DD NUL relpath",
			esc_val(&k->a, key));
		return;
	}
	esc(&k->a, kb, key->mv_size);
	if (val->mv_size != FILEID_LEN)
		problem(k, "landed", "\"%s\": value is not an 8-byte file id", k->a.buf);
	else if (!(f = file_of(k, val->mv_data)))
		problem(k, "landed", "\"%s\": %s has no \"files\" record", k->a.buf,
			file_desc(&k->b, val->mv_data, NULL));
	else if (f->relpath && (strlen(f->relpath) != rl || memcmp(f->relpath, rel, rl)))
		problem(k, "landed", "\"%s\": %s is of another relpath", k->a.buf,
			file_desc(&k->b, val->mv_data, f));
	else if (f->night && (strlen(f->night) != 10 || memcmp(f->night, kb, 10) > 0))
		problem(k, "landed", "\"%s\": %s landed on %s", k->a.buf,
			file_desc(&k->b, val->mv_data, f), f->night);
	else if (f->status && !strcmp(f->status, "replaced") &&
		 !landed_later_other(k, kb, rel, rl, val->mv_data))
		problem(k, "landed", "\"%s\": %s is the night's file but says replaced, "
			"and no later night landed another version of its name (its rows "
			"are not in the store)", k->a.buf, file_desc(&k->b, val->mv_data, f));
}

/* Whether night landed file id under relpath (bytes of a name landed again
 * on a later night when the name came back to them: ingest/land.h). */
static int landed_on(struct ck *k, const char *night, const char *relpath, const void *id)
{
	struct strbuf key = STRBUF_INIT;
	MDB_val v;
	int g;
	if (!relpath)
		return 0;
	strbuf_addstr(&key, night);
	strbuf_addch(&key, '\0');
	strbuf_addstr(&key, relpath);
	g = get(k, D_LANDED, key.buf, key.len, &v);
	strbuf_release(&key);
	return g == 0 && v.mv_size == FILEID_LEN && !memcmp(v.mv_data, id, FILEID_LEN);
}

static void fn_receipts(struct ck *k, void *arg, const MDB_val *key, const MDB_val *val)
{
	const char *kb = key->mv_data, *end = kb + key->mv_size;
	const char *n1 = memchr(kb, '\0', key->mv_size), *n2 = NULL, *why;
	struct strbuf t = STRBUF_INIT;
	uint8_t id[FILEID_LEN];
	const struct fileinfo *f;
	(void)arg;
	if (n1)
		n2 = memchr(n1 + 1, '\0', (size_t)(end - n1 - 1));
	if (!n1 || n1 == kb || !n2 || n2 == n1 + 1 || end - n2 - 1 != 64 ||
	    !all_of(n2 + 1, 64, ishex)) {
		problem(k, "receipts", "key \"%s\" is not source NUL remote NUL sha",
			esc_val(&k->a, key));
		return;
	}
	esc(&k->a, kb, (size_t)(n2 - kb));
	if ((why = kv_bad(val))) {
		problem(k, "receipts", "\"%s\": value %s", k->a.buf, why);
		return;
	}
	if (!prop_get(val, "source", &t) || strlen(t.buf) != (size_t)(n1 - kb) ||
	    memcmp(t.buf, kb, t.len) || !prop_get(val, "remote", &t) ||
	    t.len != (size_t)(n2 - n1 - 1) || memcmp(t.buf, n1 + 1, t.len) ||
	    !prop_get(val, "sha", &t) || t.len != 64 || memcmp(t.buf, n2 + 1, 64))
		problem(k, "receipts", "\"%s\": its source, remote or sha differ from its key",
			k->a.buf);
	fileid_from_hex(n2 + 1, id);
	if (!(f = file_of(k, id))) {
		problem(k, "receipts", "\"%s\": %s has no \"files\" record", k->a.buf,
			file_desc(&k->b, id, NULL));
	} else {
		if (!prop_get(val, "night", &t) || !f->night ||
		    (strcmp(t.buf, f->night) && !landed_on(k, t.buf, f->relpath, id)))
			problem(k, "receipts", "\"%s\": night \"%s\" is not the night of %s",
				k->a.buf, esc(&k->b, t.buf, t.len), f->night ? f->night : "?");
		if (!prop_get(val, "path", &t) || !f->path || strcmp(t.buf, f->path))
			problem(k, "receipts", "\"%s\": path is not the path of %s", k->a.buf,
				file_desc(&k->b, id, f));
	}
	strbuf_release(&t);
}

static void fn_breaks(struct ck *k, void *arg, const MDB_val *key, const MDB_val *val)
{
	(void)arg;
	if (key->mv_size != 16 || !all_of(key->mv_data, 16, ishex))
		problem(k, "breaks", "key \"%s\" is not an exception id (16 hex digits)",
			esc_val(&k->a, key));
	else if (!iso_date(val->mv_data, val->mv_size))
		problem(k, "breaks", "%.16s: value \"%s\" is not a YYYY-MM-DD date",
			(const char *)key->mv_data, esc_val(&k->a, val));
}

struct decscan {
	char id[17];		/* the last key's id, "" before the first */
	uint32_t seq;		/* and its seq */
	struct decision d;
};

static void fn_decisions(struct ck *k, void *arg, const MDB_val *key, const MDB_val *val)
{
	struct decscan *ds = arg;
	const char *why;
	MDB_val v;
	if (decision_decode(key, val, &ds->d, &why)) {
		problem(k, "decisions", "\"%s\": %s", esc_val(&k->a, key), why);
		return;
	}
	if (k->have[D_BREAKS] && get(k, D_BREAKS, ds->d.id, 16, &v) == 1)
		problem(k, "decisions", "%s: not an exception id the store has seen (breaks)",
			ds->d.id);
	if (strcmp(ds->id, ds->d.id) ? ds->d.seq != 1 : ds->d.seq != ds->seq + 1)
		problem(k, "decisions", "%s: decision %u follows %u: one is missing (a "
			"decision is never deleted)", ds->d.id, (unsigned)ds->d.seq,
			strcmp(ds->id, ds->d.id) ? 0u : (unsigned)ds->seq);
	memcpy(ds->id, ds->d.id, sizeof(ds->id));
	ds->seq = ds->d.seq;
}

/* The decisions database, when the first decision made it. 0, or -1 (reported). */
static int check_decisions(struct ck *k)
{
	struct decscan ds;
	MDB_dbi dbi;
	int rc = mdb_dbi_open(k->txn, "decisions", 0, &dbi);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return read_fail("decisions", rc);
	k->c->databases++;
	memset(&ds, 0, sizeof(ds));
	decision_init(&ds.d);
	rc = scan(k, dbi, "decisions", fn_decisions, &ds, NULL);
	decision_release(&ds.d);
	return rc;
}

static void fn_meta(struct ck *k, void *arg, const MDB_val *key, const MDB_val *val)
{
	struct strbuf want = STRBUF_INIT;
	(void)arg;
	if (key->mv_size == 6 && !memcmp(key->mv_data, "layout", 6)) {
		k->layout_seen = 1;
		strbuf_addf(&want, STORE_LAYOUT ":%s", k->cat->digest);
		k->layout_ok = val->mv_size == want.len && !memcmp(val->mv_data, want.buf, want.len);
		if (!k->layout_ok)
			problem(k, "meta", "layout is \"%s\", schemas/stores makes \"%s\" (a store "
				"of another layout: rows are not decoded)", esc_val(&k->a, val),
				want.buf);
	} else if (key->mv_size == 10 && !memcmp(key->mv_data, "ledger-seq", 10)) {
		if (val->mv_size != 8) {
			problem(k, "meta", "ledger-seq is %zu bytes, not an 8-byte counter",
				val->mv_size);
		} else {
			k->has_counter = 1;
			for (int i = 0; i < 8; i++)
				k->counter = k->counter << 8 | ((const uint8_t *)val->mv_data)[i];
		}
	} else {
		problem(k, "meta", "key \"%s\" is neither layout nor ledger-seq",
			esc_val(&k->a, key));
	}
	strbuf_release(&want);
}

/* ---- rows and coverage ---- */

/* A segment number in decimal (not 16 digits, which would look like a CPR number). */
static void seg_desc(const uint8_t *seg, struct strbuf *sb)
{
	uint64_t n = 0;
	for (int i = 0; i < SEGMENT_LEN; i++)
		n = n << 8 | seg[i];
	strbuf_addf(sb, "%" PRIu64, n);
}

static size_t key_field_width(enum field_type t)
{
	switch (t) {
	case FT_SE: return SE_LEN;
	case FT_CPR: return CPR_LEN;
	case FT_MONTH: return 6;
	case FT_DAY: return 8;
	case FT_FELTNR: return 4;
	default: return 0;
	}
}

/* A row key of the right length, decoded for a reader, CPR masked. */
static const char *row_desc(struct ck *k, const struct store_def *sd, const uint8_t *kb,
			    struct strbuf *sb)
{
	size_t off = SEGMENT_LEN;
	uint64_t record = 0;
	strbuf_reset(sb);
	strbuf_addstr(sb, "segment ");
	seg_desc(kb, sb);
	(void)k;
	for (int i = 0; i < sd->nkey; i++) {
		const struct field_def *fd = &k->cat->fields[sd->key[i]];
		size_t w = key_field_width(fd->type);
		strbuf_addf(sb, " %s=", fd->name);
		if (all_of(kb + off, w, blank)) {
			strbuf_addstr(sb, "(blank)");
		} else if (fd->type == FT_CPR && all_of(kb + off, w, isdig)) {
			char c[CPR_LEN + 1], m[CPR_MASKSZ];
			memcpy(c, kb + off, CPR_LEN);
			c[CPR_LEN] = '\0';
			strbuf_addstr(sb, cpr_mask(c, m));
		} else {
			storecheck_escape(kb + off, w, sb);
		}
		off += w;
	}
	for (int i = 0; i < 6; i++)
		record = record << 8 | kb[off + i];
	strbuf_addf(sb, " record %" PRIu64, record);	/* then its line: not identity */
	return sb->buf;
}

struct rowscan {
	int store;
	const struct store_def *sd;
	int se, month;		/* catalog fields */
	struct group cur;
	int have_cur;
};

static void push_group(struct ck *k, const struct group *g)
{
	k->gv = xgrow(k->gv, &k->ag, k->ng + 1, sizeof(*k->gv));
	k->gv[k->ng++] = *g;
}

static void fn_rows(struct ck *k, void *arg, const MDB_val *key, const MDB_val *val)
{
	struct rowscan *rs = arg;
	const struct store_def *sd = rs->sd;
	const uint8_t *kb = key->mv_data;
	struct record r;
	struct group g;
	size_t off = SEGMENT_LEN;

	k->c->rows++;
	if (key->mv_size != store_key_len(sd)) {
		problem(k, sd->name, "key \"%s\" is %zu bytes, not %zu", esc_val(&k->a, key),
			key->mv_size, store_key_len(sd));
		return;
	}
	if (store_decode(k->cat, sd, key, val, &r)) {
		static const uint8_t none[1];	/* no value field (layout 5): the key alone */
		MDB_val empty = { sizeof(none), (void *)none };
		problem(k, sd->name, "row %s does not decode", row_desc(k, sd, kb, &k->a));
		if (store_decode(k->cat, sd, key, &empty, &r))
			return;
		/* a bad value, a good key: the row is there, counted in its group */
	}
	for (int i = 0; i < sd->nkey; i++) {
		const struct field_def *fd = &k->cat->fields[sd->key[i]];
		size_t w = key_field_width(fd->type);
		if ((fd->type == FT_SE || fd->type == FT_CPR) && !all_of(kb + off, w, isdig) &&
		    !all_of(kb + off, w, blank))
			problem(k, sd->name, "row %s: %s is neither %zu digits nor blank",
				row_desc(k, sd, kb, &k->a), fd->name, w);
		off += w;
	}
	memset(&g, 0, sizeof(g));
	g.store = rs->store;
	memcpy(g.seg, kb, SEGMENT_LEN);
	memset(g.se, ' ', SE_LEN);
	if (rs->se >= 0 && r.v[rs->se].present && r.v[rs->se].text)
		memcpy(g.se, r.v[rs->se].text, r.v[rs->se].len < SE_LEN ? r.v[rs->se].len : SE_LEN);
	g.month = rs->month >= 0 && r.v[rs->month].present ? (int32_t)r.v[rs->month].num : 0;
	if (rs->have_cur && rs->cur.month == g.month && !memcmp(rs->cur.seg, g.seg, SEGMENT_LEN) &&
	    !memcmp(rs->cur.se, g.se, SE_LEN)) {
		rs->cur.n++;
		return;
	}
	if (rs->have_cur)
		push_group(k, &rs->cur);
	g.n = 1;
	rs->cur = g;
	rs->have_cur = 1;
}

/* "STORE SE 29757895 month 202101 date 20210205 file HEX (RELPATH)" */
static const char *cover_desc(struct ck *k, const struct group *g, struct strbuf *sb)
{
	struct strbuf f = STRBUF_INIT;
	strbuf_reset(sb);
	strbuf_addf(sb, "%s SE ", k->cat->stores[g->store].name);
	if (all_of(g->se, SE_LEN, blank))
		strbuf_addstr(sb, "(blank)");
	else
		storecheck_escape(g->se, SE_LEN, sb);
	strbuf_addf(sb, " month %06d date %08d %s", (int)g->month, (int)g->date,
		    file_desc(&f, g->id, file_of(k, g->id)));
	strbuf_release(&f);
	return sb->buf;
}

/* Parses a coverage key; 0, or -1 with the problem reported under db. */
static int parse_cover(struct ck *k, const char *db, const MDB_val *key, struct group *g)
{
	const char *kb = key->mv_data;
	const char *nul = memchr(kb, '\0', key->mv_size);
	const struct store_def *sd;
	const uint8_t *t;
	char name[256];
	size_t nl;

	memset(g, 0, sizeof(*g));
	if (!nul || nul == kb || (size_t)(nul - kb) >= sizeof(name)) {
		problem(k, db, "key \"%s\" does not begin with a store name and NUL",
			esc_val(&k->a, key));
		return -1;
	}
	nl = (size_t)(nul - kb);
	memcpy(name, kb, nl);
	name[nl] = '\0';
	if (!(sd = catalog_store(k->cat, name))) {
		problem(k, db, "key \"%s\" names no store of schemas/stores",
			esc_val(&k->a, key));
		return -1;
	}
	if (key->mv_size != nl + 1 + COVER_TAIL) {
		problem(k, db, "key \"%s\" is not store NUL SE(8) month(6) ~date(8) "
			"fileid(8)", esc_val(&k->a, key));
		return -1;
	}
	t = (const uint8_t *)kb + nl + 1;
	if (!all_of(t, SE_LEN, isdig) && !all_of(t, SE_LEN, blank)) {
		problem(k, db, "key \"%s\": SE is neither 8 digits nor blank",
			esc_val(&k->a, key));
		return -1;
	}
	if (!all_of(t + SE_LEN, 14, isdig)) {
		problem(k, db, "key \"%s\": month or ~date is not digits",
			esc_val(&k->a, key));
		return -1;
	}
	g->store = (int)(sd - k->cat->stores);
	memcpy(g->se, t, SE_LEN);
	g->month = digits_at(t + SE_LEN, 6);
	g->date = 99999999 - digits_at(t + SE_LEN + 6, 8);
	memcpy(g->id, t + SE_LEN + 14, FILEID_LEN);
	return 0;
}

static void fn_cover(struct ck *k, void *arg, const MDB_val *key, const MDB_val *val)
{
	struct group g;
	struct fileinfo *f;
	MDB_val fc;
	uint8_t ib[FILEID_LEN + 512];
	const char *d;
	int rc;
	(void)arg;
	if (parse_cover(k, "coverage", key, &g))
		return;
	d = cover_desc(k, &g, &k->b);
	if (cover_value_parse(val->mv_data, val->mv_size, &g.loading, &g.n, g.seg)) {
		problem(k, "coverage", "%s: value \"%s\" is neither \"COUNT SEGMENT\" nor "
			"\"loading SEGMENT\"", d, esc_val(&k->a, val));
		g.bad = 1;
	}
	if (!(f = file_of(k, g.id))) {
		problem(k, "coverage", "%s: no \"files\" record", d);
	} else {
		if (g.loading)
			f->cover_loading++;
		else if (!g.bad)
			f->cover_n++, f->cover_rows += g.n;
		if (f->store && *f->store && !store_listed(f->store, k->cat->stores[g.store].name))
			problem(k, "coverage", "%s: the file's record says store \"%s\"", d,
				esc(&k->a, f->store, strlen(f->store)));
	}
	if (key->mv_size <= sizeof(ib) - FILEID_LEN) {
		memcpy(ib, g.id, FILEID_LEN);
		memcpy(ib + FILEID_LEN, key->mv_data, key->mv_size);
		rc = get(k, D_FILECOVER, ib, FILEID_LEN + key->mv_size, &fc);
		if (rc == 1 && k->have[D_FILECOVER])
			problem(k, "coverage", "%s: no filecover entry", d);
	}
	k->cv = xgrow(k->cv, &k->ac, k->nc + 1, sizeof(*k->cv));
	k->cv[k->nc++] = g;
}

static void fn_filecover(struct ck *k, void *arg, const MDB_val *key, const MDB_val *val)
{
	const uint8_t *kb = key->mv_data;
	MDB_val ck, cv;
	struct group g;
	int rc;
	(void)arg;
	if (key->mv_size <= FILEID_LEN + COVER_TAIL + 1) {
		problem(k, "filecover", "key \"%s\" is not fileid | coverage key",
			esc_val(&k->a, key));
		return;
	}
	ck.mv_size = key->mv_size - FILEID_LEN;
	ck.mv_data = (void *)(kb + FILEID_LEN);
	if (parse_cover(k, "filecover", &ck, &g))
		return;
	cover_desc(k, &g, &k->b);
	if (memcmp(kb, g.id, FILEID_LEN))
		problem(k, "filecover", "%s: indexed under %s", k->b.buf,
			file_desc(&k->a, kb, NULL));
	if (val->mv_size)
		problem(k, "filecover", "%s: value is not empty", k->b.buf);
	rc = get(k, D_COVERAGE, ck.mv_data, ck.mv_size, &cv);
	if (rc == 1 && k->have[D_COVERAGE])
		problem(k, "filecover", "%s: no such coverage entry", k->b.buf);
}

static int group_cmp(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	int c;
	if (x->store != y->store)
		return x->store < y->store ? -1 : 1;
	if ((c = memcmp(x->seg, y->seg, SEGMENT_LEN)))
		return c;
	if ((c = memcmp(x->se, y->se, SE_LEN)))
		return c;
	if (x->month != y->month)
		return x->month < y->month ? -1 : 1;
	return (x->date > y->date) - (x->date < y->date);
}

static int same_group(const struct group *x, const struct group *y)
{
	return x->store == y->store && !memcmp(x->seg, y->seg, SEGMENT_LEN) &&
	       !memcmp(x->se, y->se, SE_LEN) && x->month == y->month;
}

/* Coverage counts against the rows present, both ways. */
static void match_cover(struct ck *k)
{
	size_t i = 0, j = 0, n = 0;
	sort(k->gv, k->ng, sizeof(*k->gv), group_cmp);
	for (size_t m = 0; m < k->ng; m++) {	/* one group per (store, file, SE, month) */
		if (n && same_group(&k->gv[n - 1], &k->gv[m]))
			k->gv[n - 1].n += k->gv[m].n;
		else
			k->gv[n++] = k->gv[m];
	}
	k->ng = n;
	sort(k->cv, k->nc, sizeof(*k->cv), group_cmp);
	while (i < k->nc || j < k->ng) {
		const struct group *c = i < k->nc ? &k->cv[i] : NULL;
		const struct group *g = j < k->ng ? &k->gv[j] : NULL;
		int cmp = !c ? 1 : !g ? -1 : group_cmp(c, g);
		uint64_t rows;
		if (c && g && same_group(c, g))
			cmp = 0;
		if (cmp > 0) {
			char se[SE_LEN + 1];
			memcpy(se, g->se, SE_LEN);
			se[SE_LEN] = '\0';
			strbuf_reset(&k->a);
			strbuf_addstr(&k->a, "segment ");
			seg_desc(g->seg, &k->a);
			problem(k, k->cat->stores[g->store].name, "%" PRIu64 " row(s) of %s for "
				"SE %s month %06d have no coverage entry (orphan rows)", g->n,
				k->a.buf,
				all_of(se, SE_LEN, blank) ? "(blank)" : esc(&k->b, se, SE_LEN),
				(int)g->month);
			j++;
			continue;
		}
		rows = cmp == 0 ? g->n : 0;
		cover_desc(k, c, &k->b);
		if (i > 0 && same_group(&k->cv[i - 1], c))
			problem(k, "coverage", "%s: a second entry for this file, SE and month",
				k->b.buf);
		if (c->loading) {
			strbuf_reset(&k->a);
			strbuf_addf(&k->a, "%s", k->b.buf);
			unless_live(k, "coverage", k->a.buf, "says \"loading\" and no run holds "
				    "the lock: rows of a load that never finished, hidden from "
				    "every night", "\"loading\" (a live run holds the lock)");
		} else if (!c->bad && c->n != rows) {
			problem(k, "coverage", "%s: says %" PRIu64 " row(s), %s holds %" PRIu64,
				k->b.buf, c->n, k->cat->stores[c->store].name, rows);
		}
		i++;
		/* the rows go with the last entry of their group */
		if (cmp == 0 && !(i < k->nc && same_group(&k->cv[i], g)))
			j++;
	}
}

/* ---- ledger ---- */

static void fn_ledger(struct ck *k, void *arg, const MDB_val *key, const MDB_val *val)
{
	static const char *const fields[] = { "state", "started", "finished", "version",
		"input", "output", "rows_in", "rows_out", "rows_rejected", "exit", "error",
		"seq", "upstream", "setup" };
	static const char *const digests[] = { "input", "output", "upstream", "setup" };
	const char *kb = key->mv_data, *why;
	struct strbuf t = STRBUF_INIT;
	char *what;
	uint64_t n;
	(void)arg;
	if (key->mv_size <= 11 || kb[10] != '\0' || !iso_date(kb, 10) ||
	    memchr(kb + 11, '\0', key->mv_size - 11)) {
		problem(k, "ledger", "key \"%s\" is not YYYY-MM-DD NUL stage",
			esc_val(&k->a, key));
		return;
	}
	strbuf_addf(&t, "%.10s ", kb);
	storecheck_escape(kb + 11, key->mv_size - 11, &t);
	what = strbuf_detach(&t);
	if ((why = kv_bad(val)))
		problem(k, "ledger", "%s: value %s", what, why);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!prop_get(val, fields[i], &t))
			problem(k, "ledger", "%s: no %s", what, fields[i]);
	for (size_t i = 6; i < 10; i++)
		if (prop_get(val, fields[i], &t) && !decimal(t.buf, &n))
			problem(k, "ledger", "%s: %s \"%s\" is not a number", what, fields[i],
				esc(&k->a, t.buf, t.len));
	for (size_t i = 0; i < sizeof(digests) / sizeof(digests[0]); i++)
		if (prop_get(val, digests[i], &t) && t.len && !hex64(t.buf))
			problem(k, "ledger", "%s: %s is neither empty nor a SHA-256", what,
				digests[i]);
	if (prop_get(val, "state", &t)) {
		if (!strcmp(t.buf, "running"))
			unless_live(k, "ledger", what, "says running and no run holds the lock "
				    "(a killed stage that nothing marked failed)",
				    "running (a live run holds the lock)");
		else if (strcmp(t.buf, "done") && strcmp(t.buf, "failed"))
			problem(k, "ledger", "%s: state \"%s\" is not running, done or failed",
				what, esc(&k->a, t.buf, t.len));
	}
	if (prop_get(val, "seq", &t)) {
		if (!decimal(t.buf, &n) || n == 0) {
			problem(k, "ledger", "%s: seq \"%s\" is not a number from 1", what,
				esc(&k->a, t.buf, t.len));
		} else {
			k->sv = xgrow(k->sv, &k->as, k->ns + 1, sizeof(*k->sv));
			k->sv[k->ns].seq = n;
			k->sv[k->ns++].what = what;
			what = NULL;
		}
	}
	free(what);
	strbuf_release(&t);
}

static int seq_cmp(const void *a, const void *b)
{
	const struct seqent *x = a, *y = b;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return strcmp(x->what, y->what);
}

static void check_seqs(struct ck *k)
{
	uint64_t max = 0;
	sort(k->sv, k->ns, sizeof(*k->sv), seq_cmp);
	for (size_t i = 0; i < k->ns; i++) {
		if (i && k->sv[i].seq == k->sv[i - 1].seq)
			problem(k, "ledger", "%s: seq %" PRIu64 " is also the seq of %s",
				k->sv[i].what, k->sv[i].seq, k->sv[i - 1].what);
		if (k->sv[i].seq > k->counter)
			problem(k, "ledger", "%s: seq %" PRIu64 " is above the counter (meta "
				"ledger-seq %" PRIu64 ")", k->sv[i].what, k->sv[i].seq, k->counter);
		max = k->sv[i].seq;
	}
	if (k->ns && !k->has_counter)
		problem(k, "meta", "no ledger-seq, yet the ledger has %zu numbered entr%s",
			k->ns, k->ns == 1 ? "y" : "ies");
	else if (max < k->counter)
		problem(k, "ledger", "no entry has seq %" PRIu64 ", the counter (meta "
			"ledger-seq): the entry written last is gone", k->counter);
}

/* ---- vouchers ---- */

static int vsum_cmp_id(const void *a, const void *b)
{
	return strcmp(((const struct vsum *)a)->id, ((const struct vsum *)b)->id);
}

static int event_cmp(const void *a, const void *b)
{
	return strcmp(((const struct event *)a)->event, ((const struct event *)b)->event);
}

static void fn_vouchers(struct ck *k, void *arg, const MDB_val *key, const MDB_val *val)
{
	const char *kb = key->mv_data, *why;
	struct strbuf t = STRBUF_INIT, what = STRBUF_INIT;
	(void)arg;
	if (key->mv_size == 2 + 64 && !memcmp(kb, "e/", 2) && all_of(kb + 2, 64, ishex)) {
		struct event e;
		uint64_t n;
		memset(&e, 0, sizeof(e));
		memcpy(e.event, kb + 2, 64);
		strbuf_addf(&what, "event %.16s...", e.event);
		if ((why = kv_bad(val)))
			problem(k, "vouchers", "%s: value %s", what.buf, why);
		if (!prop_get(val, "current", &t) || !uuid_shaped(t.buf, t.len) ||
		    !prop_get(val, "night", &t) || t.len != 8 || !decimal(t.buf, &n) ||
		    !prop_get(val, "digest", &t) || !hex64(t.buf) ||
		    !prop_get(val, "seq", &t) || !decimal(t.buf, &n) || n > UINT32_MAX) {
			problem(k, "vouchers", "%s: does not parse (current, night, digest, seq)",
				what.buf);
		} else {
			xstrlcpy(e.current, prop_get(val, "current", &t), sizeof(e.current));
			e.night = (int32_t)strtol(prop_get(val, "night", &t), NULL, 10);
			xstrlcpy(e.digest, prop_get(val, "digest", &t), sizeof(e.digest));
			e.seq = (unsigned)strtoul(prop_get(val, "seq", &t), NULL, 10);
			e.seen = e.night;
			if (prop_get(val, "seen", &t)) {
				if (t.len != 8 || !decimal(t.buf, &n))
					problem(k, "vouchers", "%s: seen \"%s\" is not a night",
						what.buf, esc(&k->a, t.buf, t.len));
				else
					e.seen = (int32_t)n;
			}
			if (e.seen < e.night)
				problem(k, "vouchers", "%s: seen %08d is before its night %08d",
					what.buf, (int)e.seen, (int)e.night);
			k->ev = xgrow(k->ev, &k->ae, k->ne + 1, sizeof(*k->ev));
			k->ev[k->ne++] = e;
		}
	} else if (key->mv_size == 2 + 8 + 1 + UUID_SZ - 1 && !memcmp(kb, "n/", 2) &&
		   all_of(kb + 2, 8, isdig) && kb[10] == '/' && uuid_shaped(kb + 11, UUID_SZ - 1)) {
		static struct voucher v;	/* large: not on the stack */
		struct vsum s;
		money_t debit, credit;
		char cmp[UUID_SZ], b[64];
		k->c->vouchers++;
		memset(&s, 0, sizeof(s));
		s.night = digits_at((const uint8_t *)kb + 2, 8);
		memcpy(s.id, kb + 11, UUID_SZ - 1);
		strbuf_addf(&what, "voucher n/%08d/%s", (int)s.night, s.id);
		if ((why = kv_bad(val)))
			problem(k, "vouchers", "%s: value %s", what.buf, why);
		if (voucher_decode(val->mv_data, val->mv_size, &v)) {
			problem(k, "vouchers", "%s: does not decode", what.buf);
			goto out;
		}
		if (v.reverses[0] && !uuid_shaped(v.reverses, strlen(v.reverses))) {
			problem(k, "vouchers", "%s: reverses \"%s\" is not a voucher id", what.buf,
				esc(&k->a, v.reverses, strlen(v.reverses)));
			v.reverses[0] = '\0';
		}
		if (strcmp(v.id, s.id) || v.night != s.night)
			problem(k, "vouchers", "%s: its record says id %s night %08d", what.buf,
				esc(&k->a, v.id, strlen(v.id)), (int)v.night);
		for (int i = 0; i < v.n; i++) {
			snprintf(b, sizeof(b), "p%d.side", i);
			if (!prop_get(val, b, &t) || (strcmp(t.buf, "D") && strcmp(t.buf, "K")))
				problem(k, "vouchers", "%s: posting %d: side is neither D nor K",
					what.buf, i + 1);
			if (v.p[i].amount <= 0)
				problem(k, "vouchers", "%s: posting %d: amount %" PRId64
					" is not above 0", what.buf, i + 1, v.p[i].amount);
			snprintf(b, sizeof(b), "posting|%s|%d", v.id, i + 1);
			uuid_from(b, strlen(b), cmp);
			if (strcmp(cmp, v.p[i].id))
				problem(k, "vouchers", "%s: posting %d: its id is not the one its "
					"voucher id gives", what.buf, i + 1);
		}
		if (voucher_balance(&v, &debit, &credit)) {
			char bd[MONEY_BUFSZ], bc[MONEY_BUFSZ];
			problem(k, "vouchers", "%s: unbalanced: debit %s, credit %s", what.buf,
				money_format(debit, bd), money_format(credit, bc));
		}
		if (v.reverses[0]) {
			snprintf(b, sizeof(b), "reversal|%s", v.reverses);
			uuid_from(b, strlen(b), cmp);
			if (strcmp(cmp, v.id))
				problem(k, "vouchers", "%s: its id is not the one the voucher it "
					"reverses gives", what.buf);
		} else {
			static struct voucher w;
			w = v;
			voucher_seal(&w, 0);
			if (strcmp(w.digest, v.digest))
				problem(k, "vouchers", "%s: its digest is not its postings'",
					what.buf);
		}
		xstrlcpy(s.event, v.event, sizeof(s.event));
		xstrlcpy(s.digest, v.digest, sizeof(s.digest));
		xstrlcpy(s.reverses, v.reverses, sizeof(s.reverses));
		k->vv = xgrow(k->vv, &k->av, k->nv + 1, sizeof(*k->vv));
		k->vv[k->nv++] = s;
	} else {
		problem(k, "vouchers", "key \"%s\" is neither e/EVENT nor n/NIGHT/ID",
			esc_val(&k->a, key));
	}
out:
	strbuf_release(&t);
	strbuf_release(&what);
}

static const struct vsum *voucher_by_id(struct ck *k, const char *id)
{
	struct vsum key;
	memset(&key, 0, sizeof(key));
	xstrlcpy(key.id, id, sizeof(key.id));
	return find(&key, k->vv, k->nv, sizeof(*k->vv), vsum_cmp_id);
}

static void check_vouchers(struct ck *k)
{
	sort(k->vv, k->nv, sizeof(*k->vv), vsum_cmp_id);
	sort(k->ev, k->ne, sizeof(*k->ev), event_cmp);
	for (size_t i = 0; i < k->ne; i++) {
		const struct event *e = &k->ev[i];
		const struct vsum *v = voucher_by_id(k, e->current);
		char b[256], id[UUID_SZ];
		if (!v || v->night != e->night) {
			problem(k, "vouchers", "event %.16s...: its current voucher n/%08d/%s: no "
				"such voucher", e->event, (int)e->night, e->current);
			continue;
		}
		if (strcmp(v->event, e->event) || strcmp(v->digest, e->digest))
			problem(k, "vouchers", "event %.16s...: its current voucher %s is of "
				"another event or content", e->event, v->id);
		snprintf(b, sizeof(b), "finansbilag|%s|%s|%u", e->event, e->digest, e->seq);
		uuid_from(b, strlen(b), id);
		if (strcmp(id, e->current))
			problem(k, "vouchers", "event %.16s...: its current voucher %s is not the "
				"one its seq %u gives", e->event, e->current, e->seq);
	}
	for (size_t i = 0; i < k->nv; i++) {
		const struct vsum *v = &k->vv[i];
		if (i && !strcmp(v->id, k->vv[i - 1].id))
			problem(k, "vouchers", "voucher %s is on two nights, %08d and %08d", v->id,
				(int)k->vv[i - 1].night, (int)v->night);
		if (v->reverses[0]) {
			const struct vsum *o = voucher_by_id(k, v->reverses);
			if (!o)
				problem(k, "vouchers", "voucher n/%08d/%s: reverses %s: no such "
					"voucher", (int)v->night, v->id, v->reverses);
			else if (strcmp(o->event, v->event) || strcmp(o->digest, v->digest) ||
				 o->night > v->night)
				problem(k, "vouchers", "voucher n/%08d/%s: reverses n/%08d/%s of "
					"another event, content or a later night", (int)v->night,
					v->id, (int)o->night, o->id);
		} else {
			struct event key;
			memset(&key, 0, sizeof(key));
			xstrlcpy(key.event, v->event, sizeof(key.event));
			if (!find(&key, k->ev, k->ne, sizeof(*k->ev), event_cmp))
				problem(k, "vouchers", "voucher n/%08d/%s: its event %.16s... has no "
					"e/ record", (int)v->night, v->id, v->event);
		}
	}
}

static int vsum_cmp_night(const void *a, const void *b)
{
	const struct vsum *x = a, *y = b;
	if (x->night != y->night)
		return x->night < y->night ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* A voucher of the night with this id, in vv sorted by night and id. */
static int voucher_of_night(struct ck *k, int32_t night, const char *id)
{
	struct vsum key;
	memset(&key, 0, sizeof(key));
	key.night = night;
	xstrlcpy(key.id, id, sizeof(key.id));
	return find(&key, k->vv, k->nv, sizeof(*k->vv), vsum_cmp_night) != NULL;
}

/* Every ID.xml in OUT/DATE/vouchers/ is a voucher of that night. */
static void unknown_xml(struct ck *k, const char *date, int32_t night)
{
	struct strbuf p = STRBUF_INIT;
	struct dirent *de;
	DIR *dir;
	strbuf_addf(&p, "%s/%s/vouchers", k->o->out, date);
	if (!(dir = opendir(p.buf))) {
		strbuf_release(&p);
		return;
	}
	while ((de = readdir(dir))) {
		size_t n = strlen(de->d_name);
		char id[UUID_SZ];
		if (n < 4 || strcmp(de->d_name + n - 4, ".xml"))
			continue;
		xstrlcpy(id, de->d_name, n - 4 + 1 < sizeof(id) ? n - 4 + 1 : sizeof(id));
		if (n - 4 != UUID_SZ - 1 || !voucher_of_night(k, night, id)) {
			strbuf_reset(&k->b);
			strbuf_addf(&k->b, "%s/", p.buf);
			storecheck_escape(de->d_name, n, &k->b);
			unless_live(k, "vouchers", k->b.buf, "no such voucher of that night in "
				    "the store", "no such voucher of that night in the store yet "
				    "(a live run may be writing it)");
		}
	}
	closedir(dir);
	strbuf_release(&p);
}

static void check_out(struct ck *k)
{
	struct strbuf p = STRBUF_INIT;
	struct dirent *de;
	struct stat sb;
	DIR *dir;
	sort(k->vv, k->nv, sizeof(*k->vv), vsum_cmp_night);
	for (size_t i = 0; i < k->nv;) {
		int32_t night = k->vv[i].night;
		char date[DATE_BUFSZ];
		size_t j;
		for (j = i; j < k->nv && k->vv[j].night == night; j++)
			;
		day_format(night, date);
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/%s", k->o->out, date);
		if (stat(p.buf, &sb) && errno == ENOENT) {
			note(k, "vouchers", "night %s: %s is missing (outputs moved away?): its %zu "
			     "voucher file(s) not checked", date, p.buf, j - i);
			i = j;
			continue;
		}
		for (; i < j; i++) {
			strbuf_reset(&p);
			strbuf_addf(&p, "%s/%s/vouchers/%s.xml", k->o->out, date, k->vv[i].id);
			if (stat(p.buf, &sb) || !S_ISREG(sb.st_mode))
				problem(k, "vouchers", "voucher n/%08d/%s: %s is missing",
					(int)night, k->vv[i].id, p.buf);
		}
	}
	if (!(dir = opendir(k->o->out))) {
		if (errno == ENOENT)
			note(k, "vouchers", "%s is missing: no voucher file checked", k->o->out);
		else
			problem(k, "vouchers", "cannot read %s: %s", k->o->out, strerror(errno));
	} else {
		while ((de = readdir(dir))) {
			int32_t night;
			if (day_parse_iso(de->d_name, &night))
				continue;
			unknown_xml(k, de->d_name, night);
		}
		closedir(dir);
	}
	strbuf_release(&p);
}

/*
 * One night's OUT/DATE/inputs/RECON.csv (match/recon.h): each 'had' row names
 * a file by name, landing night and SHA-256. The store must have those
 * bytes under that name, or the archive cannot seal them and the night
 * exits 70 on every run (a problem); that night's landed entry of the name
 * is normally those bytes, else a later run of that night landed others
 * and the outputs are older than the store (a note).
 */
static void inputs_of_night(struct ck *k, const char *date)
{
	struct strbuf dir = STRBUF_INIT, p = STRBUF_INIT;
	struct dirent **names;
	int n;
	strbuf_addf(&dir, "%s/%s/inputs", k->o->out, date);
	if ((n = scandir(dir.buf, &names, NULL, alphasort)) < 0) {
		strbuf_release(&dir);
		return;
	}
	for (int i = 0; i < n; i++) {
		/* d is dead once names[i] is freed: decide on it first */
		const char *d = names[i]->d_name;
		int skip = d[0] == '.' || strlen(d) < 5;
		struct csvtable t;
		int cs, cf, cn, ch;
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/%s", dir.buf, d);
		free(names[i]);
		if (skip || strcmp(p.buf + p.len - 4, ".csv") || strstr(p.buf + dir.len, ".tmp."))
			continue;
		if (csvtable_read(p.buf, NULL, &t)) {
			problem(k, "inputs", "%s: cannot be read", p.buf);
			continue;
		}
		cs = csvtable_col(&t, "state");
		cf = csvtable_col(&t, "file");
		cn = csvtable_col(&t, "night");
		ch = csvtable_col(&t, "sha256");
		for (size_t r = 0; r < t.nrows; r++) {
			const char *file = csvtable_get(&t, r, cf), *night = csvtable_get(&t, r, cn);
			const char *sha = csvtable_get(&t, r, ch);
			uint8_t id[FILEID_LEN];
			if (strcmp(csvtable_get(&t, r, cs), "had"))
				continue;
			const struct fileinfo *fi = NULL;
			int ok = strlen(sha) == 64 && all_of(sha, 64, ishex) &&
				 fileid_from_hex(sha, id) == 0;
			if (ok && landed_on(k, night, file, id))
				continue;
			if (ok)
				fi = file_of(k, id);
			strbuf_reset(&k->b);
			strbuf_addf(&k->b, "%s:%lu: %s landed %s (%.12s)", p.buf, t.lines[r],
				    file, night, sha);
			if (fi && fi->relpath && !strcmp(fi->relpath, file))
				note(k, "inputs", "%s: a later run of %s landed other bytes of the "
				     "name (the bytes are kept and sealed; run %s again to read "
				     "what it now holds)", k->b.buf, night, date);
			else
				unless_live(k, "inputs", k->b.buf, "not in the store (no files "
					    "record of these bytes under this name: the archive of "
					    "the night exits 70)", "not in the store yet (a live run "
					    "may be landing it)");
		}
		csvtable_free(&t);
	}
	free(names);
	strbuf_release(&dir);
	strbuf_release(&p);
}

/* Every night directory of OUT: its inputs rows against "landed". */
static void check_inputs(struct ck *k)
{
	struct dirent **names;
	int n = scandir(k->o->out, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		int32_t night;
		if (!day_parse_iso(names[i]->d_name, &night) && strlen(names[i]->d_name) == 10)
			inputs_of_night(k, names[i]->d_name);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

/*
 * "outfiles" (run/outfile.h): "YYYY-MM-DD" NUL RELPATH -> sha256, size,
 * rows, stage; with --out, the file there has those bytes.
 */
static void fn_outfiles(struct ck *k, void *arg, const MDB_val *key, const MDB_val *val)
{
	struct strbuf props = STRBUF_INIT, a = STRBUF_INIT, b = STRBUF_INIT, p = STRBUF_INIT;
	struct strbuf relb = STRBUF_INIT;
	const char *kb = key->mv_data, *rel = NULL, *sha, *stage;
	const char *nul = memchr(kb, '\0', key->mv_size);
	int32_t night;
	char date[11], hex[DIGEST_HEXSZ];	/* "YYYY-MM-DD" */
	uint64_t size;
	(void)arg;
	if (nul && (size_t)(nul - kb) == 10 && (size_t)(nul - kb) + 1 < key->mv_size &&
	    !memchr(nul + 1, '\0', key->mv_size - (size_t)(nul - kb) - 1)) {
		memcpy(date, kb, 10);
		date[10] = '\0';
		/* a copy with its NUL: the key in the map has none (strstr read past
		 * the map's end when the key ended a page at the file's end) */
		strbuf_add(&relb, nul + 1, key->mv_size - 11);
		rel = relb.buf;
	}
	if (!rel || day_parse_iso(date, &night) || rel[0] == '/' || strstr(rel, "..")) {
		problem(k, "outfiles", "key \"%s\" is not night | relpath", esc_val(&k->a, key));
		goto out;
	}
	strbuf_add(&props, val->mv_data, val->mv_size);
	sha = props_get(&props, "sha256", &a);
	stage = props_get(&props, "stage", &b);
	if (!sha || strlen(sha) != DIGEST_HEXSZ - 1 || strspn(sha, "0123456789abcdef") !=
	    DIGEST_HEXSZ - 1 || !stage || !*stage || !props_get(&props, "size", &p) ||
	    !props_get(&props, "rows", &p)) {
		problem(k, "outfiles", "%s %.*s: value has no sha256, size, rows and stage", date,
			(int)(key->mv_size - 11), rel);
		goto out;
	}
	if (k->o->out) {
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/%s/%.*s", k->o->out, date, (int)(key->mv_size - 11), rel);
		if (digest_file(p.buf, hex, &size))
			note(k, "outfiles", "%s: missing (outputs moved away?)", p.buf);
		else if (strcmp(hex, sha))
			problem(k, "outfiles", "%s: its bytes are not the ones the store remembers",
				p.buf);
	}
out:
	strbuf_release(&props);
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&p);
	strbuf_release(&relb);
}

/* ---- the databases ---- */

static int open_dbs(struct ck *k)
{
	MDB_dbi main;
	MDB_cursor *cur;
	MDB_val key, val;
	int rc;
	for (int d = 0; d < D_N; d++) {
		rc = mdb_dbi_open(k->txn, NAMED[d], 0, &k->dbi[d]);
		if (rc == MDB_NOTFOUND)
			problem(k, NAMED[d], "the database is missing");
		else if (rc)
			return read_fail(NAMED[d], rc);
		k->have[d] = rc == 0;
		k->c->databases += rc == 0;
	}
	k->data = xcalloc((size_t)k->cat->nstores + 1, sizeof(*k->data));
	k->have_data = xcalloc((size_t)k->cat->nstores + 1, sizeof(*k->have_data));
	for (int i = 0; i < k->cat->nstores; i++) {
		rc = mdb_dbi_open(k->txn, k->cat->stores[i].name, 0, &k->data[i]);
		if (rc == MDB_NOTFOUND)
			problem(k, k->cat->stores[i].name, "the database is missing");
		else if (rc)
			return read_fail(k->cat->stores[i].name, rc);
		k->have_data[i] = rc == 0;
		k->c->databases += rc == 0;
	}
	/* The main database lists every named one. */
	if ((rc = mdb_dbi_open(k->txn, NULL, 0, &main)) ||
	    (rc = mdb_cursor_open(k->txn, main, &cur)))
		return read_fail("(main)", rc);
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		char name[256];
		int known = 0;
		if (key.mv_size < sizeof(name) && !memchr(key.mv_data, '\0', key.mv_size)) {
			memcpy(name, key.mv_data, key.mv_size);
			name[key.mv_size] = '\0';
			for (int d = 0; d < D_N; d++)
				known |= !strcmp(NAMED[d], name);
			known |= catalog_store(k->cat, name) != NULL;
			/* match-refusion's memory of what it charged (its chargestore.h) */
			known |= !strcmp(name, "refusion");
			/* the clerk's decisions, made by the first (store/decisions.h) */
			known |= !strcmp(name, "decisions");
		}
		if (!known)
			problem(k, esc_val(&k->a, &key), "a database that neither store.h nor "
				"schemas/stores names");
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : read_fail("(main)", rc);
}

static int check_all(struct ck *k)
{
	struct storecheck_counts *c = k->c;
	if (open_dbs(k))
		return -1;
	if (k->have[D_META] && scan(k, k->dbi[D_META], "meta", fn_meta, NULL, NULL))
		return -1;
	if (k->have[D_META] && !k->layout_seen)
		problem(k, "meta", "no layout entry");
	if (k->have[D_FILES] && scan(k, k->dbi[D_FILES], "files", fn_files, NULL, &c->files))
		return -1;
	sort(k->fv, k->nf, sizeof(*k->fv), file_cmp);	/* in key order, unless a page broke it */
	if ((k->have[D_NAMES] && scan(k, k->dbi[D_NAMES], "names", fn_names, NULL, NULL)) ||
	    (k->have[D_LANDED] && scan(k, k->dbi[D_LANDED], "landed", fn_landed, NULL, NULL)) ||
	    (k->have[D_RECEIPTS] &&
	     scan(k, k->dbi[D_RECEIPTS], "receipts", fn_receipts, NULL, NULL)) ||
	    (k->have[D_BREAKS] && scan(k, k->dbi[D_BREAKS], "breaks", fn_breaks, NULL, NULL)) ||
	    check_decisions(k))
		return -1;
	if (!k->layout_ok) {
		note(k, "meta", "rows and coverage not checked: the store's layout is not "
		     "schemas/stores'");
	} else {
		for (int i = 0; i < k->cat->nstores; i++) {
			struct rowscan rs;
			if (!k->have_data[i])
				continue;
			memset(&rs, 0, sizeof(rs));
			rs.store = i;
			rs.sd = &k->cat->stores[i];
			rs.se = catalog_field(k->cat, "se");
			rs.month = catalog_field(k->cat, "month");
			if (scan(k, k->data[i], rs.sd->name, fn_rows, &rs, NULL))
				return -1;
			if (rs.have_cur)
				push_group(k, &rs.cur);
		}
		if ((k->have[D_COVERAGE] &&
		     scan(k, k->dbi[D_COVERAGE], "coverage", fn_cover, NULL, &c->coverage)) ||
		    (k->have[D_FILECOVER] &&
		     scan(k, k->dbi[D_FILECOVER], "filecover", fn_filecover, NULL, NULL)))
			return -1;
		if (k->have[D_COVERAGE])
			match_cover(k);
	}
	if (check_files(k))
		return -1;
	if (k->have[D_LEDGER]) {
		if (scan(k, k->dbi[D_LEDGER], "ledger", fn_ledger, NULL, &c->ledger))
			return -1;
		check_seqs(k);
	}
	if (k->have[D_OUTFILES] &&
	    scan(k, k->dbi[D_OUTFILES], "outfiles", fn_outfiles, NULL, NULL))
		return -1;
	if (k->have[D_LANDED] && k->o->out)
		check_inputs(k);
	if (k->have[D_VOUCHERS]) {
		if (scan(k, k->dbi[D_VOUCHERS], "vouchers", fn_vouchers, NULL, NULL))
			return -1;
		check_vouchers(k);
		if (k->o->out)
			check_out(k);
	}
	return 0;
}

static int open_store(struct ck *k)
{
	struct strbuf dir = STRBUF_INIT, data = STRBUF_INIT;
	struct stat sb;
	int rc, flags = MDB_RDONLY;
	strbuf_addf(&dir, "%s/store", k->o->state);
	strbuf_addf(&data, "%s/data.mdb", dir.buf);
	if (stat(data.buf, &sb) || !S_ISREG(sb.st_mode)) {
		log_error("no store at %s", k->o->state);
		rc = -1;
		goto out;
	}
	for (;;) {
		if ((rc = mdb_env_create(&k->env)) ||
		    (rc = mdb_env_set_maxdbs(k->env, (MDB_dbi)(k->cat->nstores + 16))) ||
		    (rc = mdb_env_open(k->env, dir.buf, (unsigned)flags, 0600))) {
			if (k->env)
				mdb_env_close(k->env);
			k->env = NULL;
			/* A copy we may not write: read it without the lock file. */
			if (rc == EACCES && !(flags & MDB_NOLOCK) && !k->c->live) {
				flags |= MDB_NOLOCK;
				continue;
			}
			log_error("store: unable to open %s: %s", dir.buf, mdb_strerror(rc));
			rc = -1;
			goto out;
		}
		break;
	}
	if ((rc = mdb_txn_begin(k->env, NULL, MDB_RDONLY, &k->txn))) {
		log_error("store: unable to read %s: %s", dir.buf, mdb_strerror(rc));
		rc = -1;
	}
out:
	strbuf_release(&dir);
	strbuf_release(&data);
	return rc;
}

int storecheck_run(const struct catalog *cat, const struct storecheck_opts *o,
		   struct storecheck_counts *c)
{
	struct ck k;
	int rc, live;
	memset(&k, 0, sizeof(k));
	memset(c, 0, sizeof(*c));
	k.cat = cat;
	k.o = o;
	k.c = c;
	live = lock_probe(o->state);
	c->live = live == 1;
	if (open_store(&k)) {
		rc = -1;
		goto out;
	}
	if (live < 0)
		note(&k, o->state, "cannot tell whether a run holds the lock: taken as none");
	if (c->live)
		note(&k, o->state, "a live run holds the lock: \"loading\" and \"running\" "
		     "entries are notes, not problems");
	rc = check_all(&k);
	flush_shown(&k);
	if (rc == 0 && o->level >= 1)
		fprintf(o->fp, "check-store: %s: %lu problem(s) in %lu databases, %lu rows, %lu "
			"coverage entries, %lu files, %lu ledger entries, %lu vouchers\n",
			o->state, c->problems, c->databases, c->rows, c->coverage, c->files,
			c->ledger, c->vouchers);
out:
	if (k.txn)
		mdb_txn_abort(k.txn);
	if (k.env)
		mdb_env_close(k.env);
	files_free(&k);
	free(k.gv);
	free(k.cv);
	for (size_t i = 0; i < k.ns; i++)
		free(k.sv[i].what);
	free(k.sv);
	free(k.ev);
	free(k.vv);
	free(k.data);
	free(k.have_data);
	for (size_t i = 0; i < k.nshown; i++)
		free(k.shown[i].db);
	free(k.shown);
	strbuf_release(&k.msg);
	strbuf_release(&k.a);
	strbuf_release(&k.b);
	return rc;
}
