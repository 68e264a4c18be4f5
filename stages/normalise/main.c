/*
 * stage-normalise: loads the files landed on a night into the store.
 *
 * Each landed file is matched to a schema by conf 'input' patterns, read
 * as CSV (streaming, libcsv) and every data row is either loaded (one or
 * more records) or written to OUT/DATE/rejected/DIR-NAME.csv with
 * file:line:column and the reason. Rows read = loaded + rejected, checked
 * before a file is shown. A file's earlier rows (a rerun) are removed
 * first; the version it corrects (same name, other bytes) is hidden in the
 * transaction that shows the new one, and its rows removed after.
 *
 * Memory stays bounded whatever the file size: rows are written in sorted
 * batches, each committed, under coverage entries that say "loading" and
 * so are invisible to readers (store/snapshot.h); one last transaction per file
 * writes the counts that make them visible. A file that cannot be used, or
 * a run killed half-way, leaves only hidden rows, which the next run
 * removes. The ledger entry is committed after the data it describes.
 * Exit 65 when some file could not be used at all; rejected rows alone
 * are reported, not a failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/atomicfile.h"
#include "core/csvout.h"
#include "core/exitcode.h"
#include "core/ident.h"
#include "core/log.h"
#include "store/landed.h"
#include "run/stage.h"
#include "ingest/unpack.h"
#include "schema.h"
#include "schemaxml.h"
#include "ingest/xmlin.h"
#include "core/banned.h"

/* Rows per sorted batch; rejected rows logged per file (all are in rejected/). */
enum { BATCH_MAX = 65536, MAX_COVER = 256, LOG_REJECTS = 10 };
/* Schemas one input line may name (XML: each whose root is the document's reads it). */
enum { MAX_FILE_SCHEMAS = 8 };

struct cover {
	const struct store_def *sd;	/* an XML file's schemas may fill several stores */
	char se[SE_LEN];
	int32_t month;
	uint64_t records;
	int pending;		/* its coverage entry says "loading" */
};

struct batch {
	struct strbuf arena;	/* key bytes then value bytes, per record */
	size_t *off;
	uint32_t *klen, *vlen;
	MDB_dbi *dbi;		/* the store of each record */
	size_t n;
};

struct file_load {
	const struct landed_file *lf;
	struct schema *schema;	/* the schema reading now (CSV: the only one) */
	const struct store_def *sd;	/* its store */
	MDB_dbi dbi;
	struct schema *schemas[MAX_FILE_SCHEMAS];	/* every schema the input line names */
	int nschemas;
	struct strbuf refused;	/* XML: why the file was refused, and where */
	unsigned long refused_line;
	struct strbuf first_reject;	/* XML: the first rejected row's reason, and line */
	unsigned long first_reject_line;
	struct record base;
	char base_scratch[MAX_INPUT_SETS][VALUE_SCRATCH];
	struct name_match nm;
	int header_seen, failed;
	unsigned long rows_read, rows_loaded, rows_rejected;
	uint64_t records;
	struct cover cover[MAX_COVER];
	int ncover;
	struct strbuf rejected;	/* the rejected/ file's lines */
	struct strbuf why, keybuf, valbuf;
};

struct normalise {
	struct stage_ctx *ctx;
	struct schema *schemas;
	int nschemas;
	struct batch batch;
	unsigned long rows_read, rows_loaded, rows_rejected, files_bad, files_superseded;
	struct digest_ctx *in, *out;
};

static struct schema *schema_for(struct normalise *n, const char *name)
{
	struct strbuf p = STRBUF_INIT;
	struct schema *s;
	for (int i = 0; i < n->nschemas; i++)
		if (!strcmp(n->schemas[i].name, name))
			return &n->schemas[i];
	n->schemas = xrealloc(n->schemas, (size_t)(n->nschemas + 1) * sizeof(*s));
	s = &n->schemas[n->nschemas];
	strbuf_addf(&p, "%s/%s.schema", n->ctx->conf.schemas, name);
	if (schema_load(&n->ctx->cat, p.buf, s)) {
		strbuf_release(&p);
		return NULL;
	}
	strbuf_release(&p);
	n->nschemas++;
	return s;
}

static int cmp_batch_idx(const void *a, const void *b, void *arg)
{
	const struct batch *bt = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	size_t li = bt->klen[i], lj = bt->klen[j];
	int c;
	if (bt->dbi[i] != bt->dbi[j])
		return bt->dbi[i] < bt->dbi[j] ? -1 : 1;
	c = memcmp(bt->arena.buf + bt->off[i], bt->arena.buf + bt->off[j],
		       li < lj ? li : lj);
	return c ? c : (li > lj) - (li < lj);
}

static int mark_pending(struct normalise *n, MDB_txn *txn, struct file_load *f);

/*
 * Writes the batch in key order (LMDB pages fill in sequence) in a
 * transaction of its own, so memory stays bounded whatever the file size.
 * The rows are invisible to readers until the file's coverage entries say
 * how many there are; until then they say "loading" (see load_file()).
 */
static int batch_flush(struct normalise *n, struct file_load *f)
{
	struct batch *b = &n->batch;
	size_t *idx = xmalloc(b->n * sizeof(*idx));
	MDB_txn *txn;
	int rc = store_begin(&n->ctx->store, 0, &txn);
	for (size_t i = 0; i < b->n; i++)
		idx[i] = i;
	qsort_r(idx, b->n, sizeof(*idx), cmp_batch_idx, b);
	for (size_t i = 0; i < b->n && !rc; i++) {
		size_t j = idx[i];
		MDB_val k = { b->klen[j], b->arena.buf + b->off[j] };
		MDB_val v = { b->vlen[j], b->arena.buf + b->off[j] + b->klen[j] };
		int e = mdb_put(txn, b->dbi[j], &k, &v, 0);
		if (e)
			rc = store_fail("put", e);
	}
	if (rc == 0)
		rc = mark_pending(n, txn, f) || store_commit(txn) ? -1 : 0;
	else
		mdb_txn_abort(txn);
	free(idx);
	b->n = 0;
	strbuf_reset(&b->arena);
	return rc;
}

static void batch_add(struct batch *b, MDB_dbi dbi, const uint8_t *k, size_t kl,
		      const struct strbuf *v)
{
	if (!b->off) {
		b->off = xmalloc(BATCH_MAX * sizeof(*b->off));
		b->klen = xmalloc(BATCH_MAX * sizeof(*b->klen));
		b->vlen = xmalloc(BATCH_MAX * sizeof(*b->vlen));
		b->dbi = xmalloc(BATCH_MAX * sizeof(*b->dbi));
	}
	b->dbi[b->n] = dbi;
	b->off[b->n] = b->arena.len;
	b->klen[b->n] = (uint32_t)kl;
	b->vlen[b->n] = (uint32_t)v->len;
	strbuf_add(&b->arena, k, kl);
	strbuf_add(&b->arena, v->buf, v->len);
	b->n++;
}

static void cover_count(struct file_load *f, const struct record *r, const struct catalog *cat)
{
	int se = catalog_field(cat, "se"), mo = catalog_field(cat, "month");
	const char *s = r->v[se].present ? r->v[se].text : "        ";
	int32_t m = r->v[mo].present ? (int32_t)r->v[mo].num : 0;
	for (int i = 0; i < f->ncover; i++)
		if (f->cover[i].month == m && !memcmp(f->cover[i].se, s, SE_LEN) &&
		    f->cover[i].sd == f->sd) {
			f->cover[i].records++;
			return;
		}
	if (f->ncover < MAX_COVER) {
		f->cover[f->ncover].sd = f->sd;
		memcpy(f->cover[f->ncover].se, s, SE_LEN);
		f->cover[f->ncover].month = m;
		f->cover[f->ncover++].records = 1;
	}
}

struct emit_ctx {
	struct normalise *n;
	struct file_load *f;
	uint32_t line;
	unsigned sub_base;	/* XML: records of earlier rows that start on this line */
	unsigned emitted;	/* records of the current row */
};

static int emit_record(const struct record *r, unsigned sub, void *data)
{
	struct emit_ctx *e = data;
	struct file_load *f = e->f;
	const struct catalog *cat = &e->n->ctx->cat;
	uint8_t key[KEY_MAX];
	size_t kl = store_key(cat, f->sd, r, f->lf->fileid, e->line,
			      (uint16_t)(e->sub_base + sub), key);

	if (f->ncover == MAX_COVER) {
		log_input(f->lf->relpath, e->line, 0, "more than %d SE/month pairs in one file",
			  MAX_COVER);
		return 2;
	}
	store_encode(cat, f->sd, r, &f->valbuf);
	batch_add(&e->n->batch, f->dbi, key, kl, &f->valbuf);
	cover_count(f, r, cat);
	f->records++;
	e->emitted++;
	if (e->n->batch.n == BATCH_MAX && batch_flush(e->n, f))
		return 2;
	return 0;
}

static void reject_row(struct file_load *f, const struct csv_row *row,
		       unsigned col, const char *why)
{
	char num[32];
	struct strbuf raw = STRBUF_INIT;
	csvout_str(&f->rejected, f->lf->relpath, 0);
	snprintf(num, sizeof(num), "%lu", row ? row->line : 0UL);
	csvout_str(&f->rejected, num, 0);
	snprintf(num, sizeof(num), "%u", col);
	csvout_str(&f->rejected, col ? num : "", 0);
	csvout_str(&f->rejected, why, 0);
	for (size_t i = 0; row && i < row->nfields; i++)
		csvout_field(&raw, row->fields[i].ptr, row->fields[i].len,
			     i + 1 == row->nfields);
	if (raw.len)
		raw.len--;	/* the row's own newline */
	csvout_field(&f->rejected, strbuf_str(&raw), raw.len, 1);
	strbuf_release(&raw);
	f->rows_rejected++;
}

static int on_row(const struct csv_row *row, void *data)
{
	struct emit_ctx *e = data;
	struct file_load *f = e->f;
	unsigned col = 0;
	int rc;

	if (!f->header_seen) {
		if (!schema_is_header(f->schema, row))
			return 0;	/* a list export's title line */
		f->header_seen = 1;
		if (schema_bind(f->schema, row, f->lf->relpath))
			f->failed = 1;
		return 0;
	}
	f->rows_read++;
	if (f->failed) {
		reject_row(f, row, 0, "file not loaded: its header lacks columns");
		return 0;
	}
	e->line = (uint32_t)row->line;
	rc = schema_row(f->schema, row, &f->base, emit_record, e, &col, &f->why);
	if (rc == -1) {
		if (f->rows_rejected < LOG_REJECTS)
			log_input(f->lf->relpath, row->line, col, "%s", f->why.buf);
		reject_row(f, row, col, f->why.buf);
		return 0;
	}
	if (rc)
		return rc;
	f->rows_loaded++;
	return 0;
}

/* coverage key: store NUL SE month ~namedate fileid (see store/store.h) */
static size_t cover_key(const char *store, const char *se, int32_t month,
			int32_t namedate, const uint8_t id[FILEID_LEN], uint8_t *out)
{
	char buf[64];
	size_t sl = strlen(store), n;
	memcpy(out, store, sl + 1);
	n = sl + 1;
	memcpy(out + n, se, SE_LEN);
	n += SE_LEN;
	snprintf(buf, sizeof(buf), "%06d%08d", (int)month, (int)(99999999 - namedate));
	memcpy(out + n, buf, 14);
	n += 14;
	memcpy(out + n, id, FILEID_LEN);
	return n + FILEID_LEN;
}

/*
 * Puts a coverage entry and its filecover index entry (fileid | coverage
 * key), so a file's entries are found without reading anyone else's.
 */
static int put_cover(struct store *st, MDB_txn *txn, const uint8_t *key, size_t klen,
		     const char *val, size_t vlen)
{
	uint8_t ib[FILEID_LEN + KEY_MAX + 64];
	MDB_val k = { klen, (void *)key }, v = { vlen, (void *)val };
	MDB_val ik = { FILEID_LEN + klen, ib }, iv = { 0, "" };
	int rc;
	memcpy(ib, key + klen - FILEID_LEN, FILEID_LEN);
	memcpy(ib + FILEID_LEN, key, klen);
	if ((rc = mdb_put(txn, st->coverage, &k, &v, 0)) ||
	    (rc = mdb_put(txn, st->filecover, &ik, &iv, 0)))
		return store_fail("coverage", rc);
	return 0;
}

static int mark_pending(struct normalise *n, MDB_txn *txn, struct file_load *f)
{
	static const char loading[] = "loading";
	for (int i = 0; i < f->ncover; i++) {
		uint8_t kb[KEY_MAX + 64];
		size_t kl;
		if (f->cover[i].pending)
			continue;
		kl = cover_key(f->cover[i].sd->name, f->cover[i].se, f->cover[i].month,
			       f->nm.date, f->lf->fileid, kb);
		if (put_cover(&n->ctx->store, txn, kb, kl, loading, sizeof(loading) - 1))
			return -1;
		f->cover[i].pending = 1;
	}
	return 0;
}

/* A coverage entry of a file: its key (a copy), and the store it names. */
struct cover_ref {
	uint8_t key[KEY_MAX + 64];
	size_t klen;
	const struct store_def *sd;
};

/*
 * A file's coverage entries, from the filecover index: copied out of the
 * map before anything is written (store/store.h: a pointer into LMDB memory is
 * dead after a write in its transaction).
 */
static int file_covers(struct store *st, MDB_txn *txn, const uint8_t id[FILEID_LEN],
		       struct cover_ref **refs, size_t *nrefs)
{
	MDB_cursor *c;
	MDB_val k = { FILEID_LEN, (void *)id }, v;
	int rc = mdb_cursor_open(txn, st->filecover, &c);
	if (rc)
		return store_fail("filecover", rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const uint8_t *kb = k.mv_data;
		struct cover_ref *r;
		if (k.mv_size < FILEID_LEN || memcmp(kb, id, FILEID_LEN))
			break;
		if (k.mv_size - FILEID_LEN > sizeof(r->key)) {
			rc = MDB_CORRUPTED;
			break;
		}
		*refs = xrealloc(*refs, (*nrefs + 1) * sizeof(**refs));
		r = &(*refs)[(*nrefs)++];
		r->klen = k.mv_size - FILEID_LEN;
		memcpy(r->key, kb + FILEID_LEN, r->klen);
		r->sd = catalog_store(st->cat, (const char *)r->key);
	}
	mdb_cursor_close(c);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : store_fail("filecover", rc);
}

/* Marks every coverage entry of a file "loading" (hidden from readers). */
static int hide_file(struct normalise *n, MDB_txn *txn, const uint8_t id[FILEID_LEN],
		     struct cover_ref **refs, size_t *nrefs)
{
	static const char loading[] = "loading";
	struct store *st = &n->ctx->store;
	if (file_covers(st, txn, id, refs, nrefs))
		return -1;
	for (size_t i = 0; i < *nrefs; i++)
		if (put_cover(st, txn, (*refs)[i].key, (*refs)[i].klen, loading,
			      sizeof(loading) - 1))
			return -1;
	return 0;
}

/*
 * Deletes one file's rows of one store (keys begin with the fileid),
 * BATCH_MAX a transaction: bounded memory for any size, and the work is
 * this file's rows only.
 */
static int unload_rows(struct store *st, const struct store_def *sd,
		       const uint8_t id[FILEID_LEN])
{
	int rc = 0, more = 1;
	while (more && rc == 0) {
		MDB_txn *txn;
		MDB_cursor *c;
		MDB_val k = { FILEID_LEN, (void *)id }, v;
		size_t n = 0;
		if (store_begin(st, 0, &txn))
			return -1;
		if ((rc = mdb_cursor_open(txn, store_dbi(st, sd), &c))) {
			mdb_txn_abort(txn);
			return store_fail("unload", rc);
		}
		more = 0;
		/* After mdb_cursor_del, MDB_NEXT returns the row after the deleted
		 * one (lmdb.h); k is read afresh, never reused across the del. */
		for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
		     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			if (k.mv_size < FILEID_LEN || memcmp(k.mv_data, id, FILEID_LEN))
				break;
			if (n == BATCH_MAX) {
				more = 1;
				break;
			}
			if ((rc = mdb_cursor_del(c, 0)))
				break;
			n++;
		}
		mdb_cursor_close(c);
		if (rc && rc != MDB_NOTFOUND) {
			mdb_txn_abort(txn);
			return store_fail("unload", rc);
		}
		rc = store_commit(txn);
	}
	return rc;
}

/*
 * Removes every row and coverage entry of a file (a rerun, a correction,
 * a file found unusable half-way): hide its coverage, delete its rows in
 * batches, then drop the coverage and its index. A crash in between
 * leaves entries that say "loading", which the next run finds and
 * finishes.
 */
static int unload_file(struct normalise *n, const uint8_t id[FILEID_LEN])
{
	struct store *st = &n->ctx->store;
	struct cover_ref *refs = NULL;
	size_t nrefs = 0;
	MDB_txn *txn;
	int rc = store_begin(st, 0, &txn);
	if (rc == 0) {
		rc = hide_file(n, txn, id, &refs, &nrefs);
		rc = rc ? (mdb_txn_abort(txn), -1) : store_commit(txn);
	}
	for (size_t i = 0; i < nrefs && rc == 0; i++) {
		int seen = 0;
		for (size_t j = 0; j < i; j++)
			seen |= refs[j].sd == refs[i].sd;
		if (refs[i].sd && !seen)
			rc = unload_rows(st, refs[i].sd, id);
	}
	if (rc == 0 && nrefs && (rc = store_begin(st, 0, &txn)) == 0) {
		for (size_t i = 0; i < nrefs && rc == 0; i++) {
			uint8_t ib[FILEID_LEN + sizeof(refs[i].key)];
			MDB_val k = { refs[i].klen, refs[i].key };
			MDB_val ik = { FILEID_LEN + refs[i].klen, ib };
			int e;
			memcpy(ib, id, FILEID_LEN);
			memcpy(ib + FILEID_LEN, refs[i].key, refs[i].klen);
			if (((e = mdb_del(txn, st->coverage, &k, NULL)) && e != MDB_NOTFOUND) ||
			    ((e = mdb_del(txn, st->filecover, &ik, NULL)) && e != MDB_NOTFOUND))
				rc = store_fail("coverage", e);
		}
		rc = rc ? (mdb_txn_abort(txn), -1) : store_commit(txn);
	}
	free(refs);
	return rc;
}

static int write_cover(struct normalise *n, MDB_txn *txn, struct file_load *f)
{
	char num[32];
	for (int i = 0; i < f->ncover; i++) {
		uint8_t kb[KEY_MAX + 64];
		size_t kl = cover_key(f->cover[i].sd->name, f->cover[i].se, f->cover[i].month,
				      f->nm.date, f->lf->fileid, kb);
		int nl = snprintf(num, sizeof(num), "%llu",
				  (unsigned long long)f->cover[i].records);
		if (put_cover(&n->ctx->store, txn, kb, kl, num, (size_t)nl))
			return -1;
	}
	return 0;
}

/* The corrected version's record says so: its rows are gone, by design. */
static int mark_replaced(struct store *st, MDB_txn *txn, const uint8_t old[FILEID_LEN],
			 const uint8_t by[FILEID_LEN])
{
	struct strbuf props = STRBUF_INIT;
	char hex[2 * FILEID_LEN + 1];
	int rc = file_props_get(st, txn, old, &props);
	if (rc == 0) {
		fileid_hex(by, hex);
		props_set(&props, "status", "replaced");
		props_set(&props, "replaced_by", hex);
		rc = file_props_put(st, txn, old, &props);
	}
	strbuf_release(&props);
	return rc < 0 ? -1 : 0;
}

/*
 * The version this file corrects (same landing name, other bytes) is
 * hidden in the transaction that shows this one; its rows go after commit.
 * *old is set when there is such a version.
 */
static int replace_earlier(struct normalise *n, MDB_txn *txn, struct file_load *f,
			   uint8_t old[FILEID_LEN], int *has_old)
{
	struct store *st = &n->ctx->store;
	MDB_val k = { strlen(f->lf->relpath), (void *)f->lf->relpath }, v;
	MDB_val nv = { FILEID_LEN, (void *)f->lf->fileid };
	int rc = mdb_get(txn, st->names, &k, &v);
	*has_old = 0;
	if (rc == 0 && v.mv_size == FILEID_LEN && memcmp(v.mv_data, f->lf->fileid, FILEID_LEN)) {
		struct cover_ref *refs = NULL;
		size_t nrefs = 0;
		char hex[2 * FILEID_LEN + 1];
		memcpy(old, v.mv_data, FILEID_LEN);
		*has_old = 1;
		fileid_hex(old, hex);
		log_info("%s: corrected file replaces version %s", f->lf->relpath, hex);
		rc = hide_file(n, txn, old, &refs, &nrefs);
		free(refs);
		if (rc || mark_replaced(st, txn, old, f->lf->fileid))
			return -1;
	} else if (rc && rc != MDB_NOTFOUND) {
		return store_fail("names", rc);
	}
	rc = mdb_put(txn, st->names, &k, &nv, 0);
	return rc ? store_fail("names", rc) : 0;
}

static void rejected_path(struct normalise *n, const char *relpath, struct strbuf *p)
{
	struct strbuf rel = STRBUF_INIT;
	strbuf_addstr(&rel, "rejected/");
	for (const char *s = relpath; *s; s++)
		strbuf_addch(&rel, *s == '/' ? '-' : *s);
	if (rel.len < 4 || strcmp(rel.buf + rel.len - 4, ".csv"))
		strbuf_addstr(&rel, ".csv");
	stage_out_path(n->ctx, rel.buf, p);
	strbuf_release(&rel);
}

/* rejected/DIR-NAME.csv when the file had rejected rows; none otherwise. */
static int write_rejected(struct normalise *n, struct file_load *f)
{
	struct strbuf path = STRBUF_INIT, all = STRBUF_INIT;
	char hex[DIGEST_HEXSZ];
	int rc = 0;
	rejected_path(n, f->lf->relpath, &path);
	if (f->rejected.len) {
		strbuf_addstr(&all, CSV_BOM "file;line;column;reason;row\n");
		strbuf_add(&all, f->rejected.buf, f->rejected.len);
		rc = atomic_write(path.buf, all.buf, all.len, 0640);
		digest_buf(all.buf, all.len, hex);
		digest_update(n->out, hex, sizeof(hex));
	} else if (unlink(path.buf) && errno != ENOENT) {
		log_error("unable to remove %s: %s", path.buf, strerror(errno));
		rc = -1;
	}
	strbuf_release(&path);
	strbuf_release(&all);
	return rc;
}

/* ---- XML files: the reader dispatch's other half (schemaxml.h, xmlin.h) ---- */

/*
 * The schemas an input line names: one, or (XML files) several, comma-
 * separated, each reading the documents whose element is its root. Two of
 * them that read the same document element into one store would give the
 * same row keys: refused.
 */
static int input_schemas(struct normalise *n, const struct input_rule *rule,
			 struct file_load *f)
{
	const char *conf = n->ctx->conf.path, *p = rule->schema;
	int idx[MAX_FILE_SCHEMAS];
	f->nschemas = 0;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char *name = xstrndup(p, len);
		struct schema *s;
		if (!len || f->nschemas == MAX_FILE_SCHEMAS) {
			log_input(conf, rule->lineno, 0, "'%s': one to %d schemas, comma-separated",
				  rule->schema, MAX_FILE_SCHEMAS);
			free(name);
			return -1;
		}
		s = schema_for(n, name);
		free(name);
		if (!s)
			return -1;
		idx[f->nschemas++] = (int)(s - n->schemas);	/* schema_for() may move the array */
		p = comma ? comma + 1 : p + len;
	}
	for (int i = 0; i < f->nschemas; i++)
		f->schemas[i] = &n->schemas[idx[i]];
	for (int i = 0; f->nschemas > 1 && i < f->nschemas; i++) {
		const struct schema *a = f->schemas[i];
		if (a->format != SCHEMA_XML) {
			log_input(conf, rule->lineno, 0, "schema %s is CSV: only XML schemas "
				  "share an input line", a->name);
			return -1;
		}
		for (int k = 0; k < i; k++) {
			const struct schema *b = f->schemas[k];
			if (a->store != b->store)
				continue;
			for (int r = 0; r < a->xml->nroots; r++)
				for (int q = 0; q < b->xml->nroots; q++)
					if (!strcmp(a->xml->roots[r].uri, b->xml->roots[q].uri) &&
					    !strcmp(a->xml->roots[r].local, b->xml->roots[q].local)) {
						log_input(conf, rule->lineno, 0, "schemas %s and %s both "
							  "read %s into store %s", b->name, a->name,
							  a->xml->roots[r].name, a->store->name);
						return -1;
					}
		}
	}
	return 0;
}

/* An XML file's record: every schema and store it names, why it was refused. */
static void xml_props(const struct file_load *f, struct strbuf *props)
{
	struct strbuf names = STRBUF_INIT, stores = STRBUF_INIT;
	char num[32];
	for (int i = 0; i < f->nschemas; i++) {
		int seen = 0;
		strbuf_addf(&names, "%s%s", i ? "," : "", f->schemas[i]->name);
		for (int k = 0; k < i; k++)
			seen |= f->schemas[k]->store == f->schemas[i]->store;
		if (!seen)
			strbuf_addf(&stores, "%s%s", stores.len ? "," : "", f->schemas[i]->store->name);
	}
	props_set(props, "schema", names.buf);
	props_set(props, "store", stores.buf);
	snprintf(num, sizeof(num), "%lu", f->refused_line);
	props_set(props, "refused_line", f->refused.len ? num : "");
	props_set(props, "refused_why", strbuf_str(&f->refused));
	snprintf(num, sizeof(num), "%lu", f->first_reject_line);
	props_set(props, "rejected_line", f->first_reject.len ? num : "");
	props_set(props, "rejected_why", strbuf_str(&f->first_reject));
	strbuf_release(&names);
	strbuf_release(&stores);
}

/* A rejected XML row: rejected/ gets the column's XPath and the row's node path. */
static void reject_xml(struct file_load *f, unsigned long line, const char *column,
		       const char *why, const char *row)
{
	char num[32];
	csvout_str(&f->rejected, f->lf->relpath, 0);
	snprintf(num, sizeof(num), "%lu", line);
	csvout_str(&f->rejected, num, 0);
	csvout_str(&f->rejected, column ? column : "", 0);
	csvout_str(&f->rejected, why, 0);
	csvout_str(&f->rejected, row ? row : "", 1);
	f->rows_rejected++;
	if (!f->first_reject.len) {
		strbuf_addstr(&f->first_reject, why);
		f->first_reject_line = line;
	}
}

/* The whole file is refused: nothing of it is loaded; the night goes on. */
static int refuse_xml(struct file_load *f, unsigned long line, const char *why)
{
	struct strbuf r = STRBUF_INIT;
	log_input(f->lf->relpath, line, 0, "%s; not loaded", why);
	strbuf_reset(&f->rejected);
	strbuf_addf(&r, "file not loaded: %s", why);
	reject_xml(f, line, NULL, r.buf, NULL);
	f->rows_read = f->rows_loaded = f->rows_rejected = 0;
	strbuf_reset(&f->first_reject);
	f->first_reject_line = 0;
	strbuf_reset(&f->refused);
	strbuf_addstr(&f->refused, why);
	f->refused_line = line;
	strbuf_release(&r);
	return 1;
}

/* One schema's rows of a parsed document into the batch. 0, or -1 fatal. */
static int xml_rows(struct normalise *n, struct file_load *f, struct xmlin_doc *d,
		    const struct xml_row *rows, size_t nrows, size_t max_value)
{
	struct emit_ctx e = { n, f, 0, 0, 0 };
	struct strbuf npath = STRBUF_INIT;
	unsigned per_row = f->schema->xml->namounts ? (unsigned)f->schema->xml->namounts : 1;
	unsigned long last = 0;
	unsigned next = 0;
	int rc = 0;
	for (size_t i = 0; i < nrows && rc == 0; i++) {
		const char *column = NULL;
		f->rows_read++;
		e.line = (uint32_t)rows[i].line;
		e.sub_base = i && rows[i].line == last ? next : 0;
		e.emitted = 0;
		/* Row keys are (line, sub): a minified file puts every row on line 1. */
		if (e.sub_base + per_row > 65536) {
			strbuf_reset(&f->why);
			strbuf_addf(&f->why, "more than 65535 records start on line %lu",
				    rows[i].line);
			rc = -1;
		} else {
			rc = schema_xml_row(f->schema, d, &rows[i], max_value, &f->base, emit_record,
					    &e, &column, &f->why);
		}
		if (rc == -1) {
			if (f->rows_rejected < LOG_REJECTS)
				log_input(f->lf->relpath, rows[i].line, 0, "%s", f->why.buf);
			xmlin_node_path(rows[i].node, &npath);
			reject_xml(f, rows[i].line, column, f->why.buf, npath.buf);
			rc = 0;
		} else if (rc) {
			rc = -1;
		} else {
			f->rows_loaded++;
		}
		last = rows[i].line;
		next = e.sub_base + e.emitted;
	}
	strbuf_release(&npath);
	return rc;
}

/*
 * Reads an XML file (format xml): parsed once under the limits of
 * pipeline.conf, then every schema of the input line whose root is the
 * document element reads its rows. Each row node is one row read: loaded
 * or in rejected/ with its line, the column's XPath and the row's node
 * path. 0 loaded, 1 the file is refused (nothing of it stays), -1 fatal.
 */
static int read_xml(struct normalise *n, struct file_load *f, const char *path)
{
	const struct pipeline_conf *c = &n->ctx->conf;
	struct xmlin_limits lim;
	struct xmlin_doc d;
	struct xml_row *rows[MAX_FILE_SCHEMAS] = { NULL };
	size_t nrows[MAX_FILE_SCHEMAS] = { 0 };
	int reads[MAX_FILE_SCHEMAS] = { 0 };
	struct strbuf why = STRBUF_INIT;
	unsigned long line = 0;
	int rc, taken = 0;

	xmlin_limits_default(&lim);
	if (c->xml_max_bytes)
		lim.max_bytes = c->xml_max_bytes;
	if (c->xml_max_depth)
		lim.max_depth = c->xml_max_depth;
	if (c->xml_max_value)
		lim.max_value = c->xml_max_value;
	rc = xmlin_parse_file(&d, path, f->lf->relpath, &lim, &line, &why);
	if (rc) {
		rc = refuse_xml(f, line, rc < 0 ? "the file cannot be read" : why.buf);
		goto out;
	}
	/* Every schema's rows and 'require's first: a refusal loads nothing. */
	for (int i = 0; i < f->nschemas && rc == 0; i++) {
		if (!(reads[i] = schema_xml_takes(f->schemas[i], &d)))
			continue;
		taken++;
		rc = schema_xml_rows(f->schemas[i], &d, &rows[i], &nrows[i], &line, &why);
		if (rc)
			rc = refuse_xml(f, rc == 1 ? line : xmlin_root_line(&d), why.buf);
	}
	if (rc == 0 && !taken) {
		struct strbuf roots = STRBUF_INIT;
		for (int i = 0; i < f->nschemas; i++)
			schema_xml_roots(f->schemas[i], &roots);
		strbuf_reset(&why);
		strbuf_addf(&why, "document element is not %s", roots.buf);
		strbuf_release(&roots);
		rc = refuse_xml(f, xmlin_root_line(&d), why.buf);
	}
	for (int i = 0; i < f->nschemas && rc == 0; i++) {
		if (!reads[i])
			continue;
		f->schema = f->schemas[i];
		f->sd = f->schema->store;
		f->dbi = store_dbi(&n->ctx->store, f->sd);
		rc = xml_rows(n, f, &d, rows[i], nrows[i], lim.max_value);
	}
	if (rc == 0 && n->batch.n)
		rc = batch_flush(n, f) ? -1 : 0;
out:
	for (int i = 0; i < f->nschemas; i++)
		free(rows[i]);
	xmlin_close(&d);
	strbuf_release(&why);
	return rc;
}

static int record_file(struct normalise *n, MDB_txn *txn, struct file_load *f,
		       const char *status)
{
	struct strbuf props = STRBUF_INIT;
	char num[32];
	int rc = file_props_get(&n->ctx->store, txn, f->lf->fileid, &props);
	if (rc < 0)
		return -1;
	props_set(&props, "status", status);
	props_set(&props, "schema", f->schema ? f->schema->name : "");
	props_set(&props, "store", f->sd ? f->sd->name : "");
	if (f->schema && f->schema->format == SCHEMA_XML)
		xml_props(f, &props);
#define NUM(k, v) snprintf(num, sizeof(num), "%llu", (unsigned long long)(v)), props_set(&props, k, num)
	NUM("rows_read", f->rows_read);
	NUM("rows_loaded", f->rows_loaded);
	NUM("rows_rejected", f->rows_rejected);
	NUM("records", f->records);
#undef NUM
	rc = file_props_put(&n->ctx->store, txn, f->lf->fileid, &props);
	strbuf_release(&props);
	return rc;
}

/* Reads one file into the store, hidden; 0 loaded, 1 file unusable, -1 fatal. */
static int read_file(struct normalise *n, struct file_load *f, const char *path)
{
	struct emit_ctx e = { n, f, 0, 0, 0 };
	struct csvin_opts o = { f->schema->delimiter, f->schema->encoding };
	int rc;
	if (f->schema->format == SCHEMA_XML)
		return read_xml(n, f, path);
	rc = csvin_read(path, &o, on_row, &e, NULL);
	if (rc == 0 && !f->header_seen) {
		log_input(f->lf->relpath, 0, 0, "file is empty (no header row)");
		return 1;
	}
	if (rc == 0 && n->batch.n)
		rc = batch_flush(n, f) ? 2 : 0;
	if (rc == -1) {		/* unreadable or a CSV syntax error: nothing of it stays */
		strbuf_reset(&f->rejected);
		reject_row(f, NULL, 0, "file not loaded: CSV syntax error (see the log)");
		f->rows_rejected = f->rows_read;
		f->rows_loaded = 0;
		return 1;
	}
	if (rc)
		return -1;
	return f->failed;
}

/*
 * Shows a loaded file in one transaction: its coverage counts replace
 * "loading", the version it corrects is hidden, its record written. The
 * corrected version's rows are deleted after the commit.
 */
static int publish_file(struct normalise *n, struct file_load *f)
{
	uint8_t old[FILEID_LEN];
	int has_old;
	MDB_txn *txn;
	if (store_begin(&n->ctx->store, 0, &txn))
		return -1;
	if (replace_earlier(n, txn, f, old, &has_old) || write_cover(n, txn, f) ||
	    record_file(n, txn, f, "loaded")) {
		mdb_txn_abort(txn);
		return -1;
	}
	if (store_commit(txn))
		return -1;
	return has_old ? unload_file(n, old) : 0;
}

/*
 * A FIELD={date} word takes the file name's date: a balance export
 * (PRISME Råbalance) says only in its name which day it shows.
 */
static const char *input_value(const struct input_set *set, const struct file_load *f,
			       enum field_type t, char scratch[VALUE_SCRATCH])
{
	if (strcmp(set->value, "{date}"))
		return set->value;
	if (!f->nm.date || (t != FT_DAY && t != FT_MONTH))
		return NULL;
	snprintf(scratch, VALUE_SCRATCH, "%0*d", t == FT_DAY ? 8 : 6,
		 (int)(t == FT_DAY ? f->nm.date : f->nm.date / 100));
	return scratch;
}

/* The FIELD=VALUE words of the file's input line go into every row. */
static int set_input_values(const struct stage_ctx *ctx, const struct input_rule *rule,
			    struct file_load *f)
{
	for (int i = 0; i < rule->nsets; i++) {
		const struct input_set *set = &rule->sets[i];
		int fi = catalog_field(&ctx->cat, set->field);
		char from_name[VALUE_SCRATCH];
		const char *value, *why;
		if (fi < 0) {
			log_input(ctx->conf.path, rule->lineno, 0,
				  "'%s' is not a field of schemas/stores", set->field);
			return -1;
		}
		if (!(value = input_value(set, f, ctx->cat.fields[fi].type, from_name))) {
			log_input(ctx->conf.path, rule->lineno, 0, "%s={date}: needs {date} in "
				  "the pattern and a day or month field", set->field);
			return -1;
		}
		if (value_parse(ctx->cat.fields[fi].type, 0, value, strlen(value),
				&f->base.v[fi], f->base_scratch[i], &why)) {
			log_input(ctx->conf.path, rule->lineno, 0, "%s=%s: %s",
				  set->field, set->value, why);
			return -1;
		}
	}
	return 0;
}

/*
 * Whether a later correction replaced this file (a rerun of an old night
 * after a later night landed a corrected version): the current version of
 * its name has it in its chain of 'replaces'. Such a file is not loaded
 * again: loading it would hide the correction that later nights read.
 * 1 superseded (its rows are gone; its record says replaced), 0 not, -1.
 */
static int superseded(struct normalise *n, struct file_load *f)
{
	struct store *st = &n->ctx->store;
	struct strbuf props = STRBUF_INIT, val = STRBUF_INIT;
	uint8_t cur[FILEID_LEN], top[FILEID_LEN];
	char hex[2 * FILEID_LEN + 1], curhex[2 * FILEID_LEN + 1];
	MDB_txn *txn;
	MDB_val k = { strlen(f->lf->relpath), (void *)f->lf->relpath }, v;
	int rc, found = 0;
	if (store_begin(st, 0, &txn))
		return -1;
	rc = mdb_get(txn, st->names, &k, &v);
	if (rc == MDB_NOTFOUND || (rc == 0 && (v.mv_size != FILEID_LEN ||
					       !memcmp(v.mv_data, f->lf->fileid, FILEID_LEN)))) {
		mdb_txn_abort(txn);
		return 0;
	}
	if (rc) {
		mdb_txn_abort(txn);
		return store_fail("names", rc);
	}
	memcpy(cur, v.mv_data, FILEID_LEN);
	memcpy(top, cur, FILEID_LEN);
	fileid_hex(cur, curhex);
	fileid_hex(f->lf->fileid, hex);
	/* Walk back from the current version; a chain is as long as the
	 * corrections of one name, bounded so a damaged store cannot loop. */
	for (int step = 0; step < 1000 && !found; step++) {
		uint8_t prev[FILEID_LEN];
		if ((rc = file_props_get(st, txn, cur, &props)) < 0)
			break;
		if (rc == 1 || !props_get(&props, "replaces", &val) ||
		    fileid_from_hex(val.buf, prev))
			break;
		found = !memcmp(prev, f->lf->fileid, FILEID_LEN);
		memcpy(cur, prev, FILEID_LEN);
	}
	strbuf_release(&props);
	strbuf_release(&val);
	if (rc < 0 || (found && mark_replaced(st, txn, f->lf->fileid, top))) {
		mdb_txn_abort(txn);
		return -1;
	}
	if (!found) {
		mdb_txn_abort(txn);
		return 0;
	}
	if (store_commit(txn))
		return -1;
	log_info("%s: version %s was corrected on a later night (now %s); not loaded again",
		 f->lf->relpath, hex, curhex);
	return unload_file(n, f->lf->fileid) ? -1 : 1;
}

static int load_file(struct normalise *n, struct file_load *f)
{
	const struct stage_ctx *ctx = n->ctx;
	const struct input_rule *rule = conf_match_input(&ctx->conf, f->lf->relpath, &f->nm);
	struct strbuf path = STRBUF_INIT;
	int rc;

	if (!rule) {
		log_error("%s: no 'input' in %s names this file; not loaded",
			  f->lf->relpath, ctx->conf.path);
		goto unusable;
	}
	if (input_schemas(n, rule, f))
		goto unusable;
	f->schema = f->schemas[0];
	f->sd = f->schema->store;
	f->dbi = store_dbi(&n->ctx->store, f->sd);
	if (f->nm.se[0]) {
		int se = catalog_field(&ctx->cat, "se");
		f->base.v[se] = (struct value){ 1, 0, f->nm.se, SE_LEN };
	}
	if (f->nm.month && strstr(rule->pattern, "{month}"))
		f->base.v[catalog_field(&ctx->cat, "month")] = (struct value){ 1, f->nm.month, NULL, 0 };
	if (set_input_values(ctx, rule, f))
		goto unusable;
	for (int i = 0; i < f->nschemas; i++)
		digest_update(n->in, f->schemas[i]->digest, sizeof(f->schemas[i]->digest));
	if ((rc = superseded(n, f)) != 0)
		return rc < 0 ? -1 : 2;
	strbuf_addf(&path, "%s/%s", ctx->conf.state, f->lf->path);
	/* What an earlier run (or one killed half-way) left of this file goes. */
	rc = unload_file(n, f->lf->fileid) ? -1 : read_file(n, f, path.buf);
	if (rc == 0 && f->rows_read != f->rows_loaded + f->rows_rejected) {
		log_error("%s: %lu rows read but %lu loaded + %lu rejected; not loaded",
			  f->lf->relpath, f->rows_read, f->rows_loaded, f->rows_rejected);
		rc = -1;
	}
	if (rc == 0)
		rc = publish_file(n, f);
	else if (rc == 1 && unload_file(n, f->lf->fileid))
		rc = -1;	/* an unusable file leaves the store as it was */
	n->batch.n = 0;
	strbuf_reset(&n->batch.arena);
	strbuf_release(&path);
	return rc;
unusable:
	/* A file an earlier run loaded (the conf changed since) is not read any
	 * more: its rows go, so the store never shows rows of a rejected file. */
	return unload_file(n, f->lf->fileid) ? -1 : 1;
}

/* The file's record, in a transaction of its own (files not loaded). */
static int record_unusable(struct normalise *n, struct file_load *f)
{
	MDB_txn *txn;
	if (store_begin(&n->ctx->store, 0, &txn))
		return -1;
	if (record_file(n, txn, f, "rejected")) {
		mdb_txn_abort(txn);
		return -1;
	}
	return store_commit(txn);
}

static int on_landed(const struct landed_file *lf, void *data)
{
	struct normalise *n = data;
	struct file_load f;
	char num[64];
	int rc;

	if (unpack_kind(lf->relpath) != UNPACK_NONE) {
		log_verbose("%s: an archive; stage unpack landed what it holds", lf->relpath);
		return 0;
	}
	memset(&f, 0, sizeof(f));
	f.lf = lf;
	digest_update(n->in, lf->relpath, strlen(lf->relpath) + 1);
	digest_update(n->in, lf->sha, sizeof(lf->sha));
	rc = load_file(n, &f);
	if (rc == 1 && record_unusable(n, &f))
		rc = -1;
	if (rc >= 0 && write_rejected(n, &f))
		rc = -1;
	if (rc >= 0) {
		n->rows_read += f.rows_read;
		n->rows_loaded += f.rows_loaded;
		n->rows_rejected += f.rows_rejected;
		n->files_bad += rc == 1;
		n->files_superseded += rc == 2;
		snprintf(num, sizeof(num), "%lu;%lu;%lu;%d", f.rows_read, f.rows_loaded,
			 f.rows_rejected, rc);
		digest_update(n->out, lf->relpath, strlen(lf->relpath) + 1);
		digest_update(n->out, num, strlen(num));
		log_verbose("%s: %lu rows read, %lu loaded, %lu rejected", lf->relpath,
			    f.rows_read, f.rows_loaded, f.rows_rejected);
	}
	strbuf_release(&f.rejected);
	strbuf_release(&f.refused);
	strbuf_release(&f.first_reject);
	strbuf_release(&f.why);
	strbuf_release(&f.keybuf);
	strbuf_release(&f.valbuf);
	return rc < 0 ? -1 : 0;
}

static void normalise_free(struct normalise *n)
{
	for (int i = 0; i < n->nschemas; i++)
		schema_free(&n->schemas[i]);
	free(n->schemas);
	free(n->batch.off);
	free(n->batch.klen);
	free(n->batch.vlen);
	free(n->batch.dbi);
	strbuf_release(&n->batch.arena);
}

struct landed_list {
	struct landed_file *v;
	size_t n;
};

static int collect_landed(const struct landed_file *lf, void *data)
{
	struct landed_list *l = data;
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = *lf;
	return 0;
}

/* The night's landed files, read before any write transaction. */
static int night_files(struct stage_ctx *ctx, struct landed_list *l)
{
	MDB_txn *txn;
	int rc;
	if (store_begin(&ctx->store, MDB_RDONLY, &txn))
		return -1;
	rc = landed_each(&ctx->store, txn, ctx->opts.date, collect_landed, l);
	mdb_txn_abort(txn);
	return rc ? -1 : 0;
}

/*
 * Only a run of this stage, under the state lock, writes coverage entries,
 * and a run that finishes leaves none saying "loading". So every file with
 * such an entry now is a killed run's: a file it was loading, or the
 * version a correction replaced, whose rows it was deleting after the
 * correction was shown (publish_file). Their rows all go: the files of the
 * night are loaded again from the start, and a replaced version is no
 * longer named by anything, so nothing else would ever remove it.
 */
static int sweep_killed_loads(struct normalise *n)
{
	static const char loading[] = "loading";
	struct store *st = &n->ctx->store;
	uint8_t (*ids)[FILEID_LEN] = NULL;
	size_t nids = 0;
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	int rc;
	if (store_begin(st, MDB_RDONLY, &txn))
		return -1;
	if ((rc = mdb_cursor_open(txn, st->coverage, &c))) {
		mdb_txn_abort(txn);
		return store_fail("coverage", rc);
	}
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const uint8_t *id = (const uint8_t *)k.mv_data + k.mv_size - FILEID_LEN;
		int seen = 0;
		if (k.mv_size < FILEID_LEN || v.mv_size != sizeof(loading) - 1 ||
		    memcmp(v.mv_data, loading, v.mv_size))
			continue;
		for (size_t i = 0; i < nids && !seen; i++)
			seen = !memcmp(ids[i], id, FILEID_LEN);
		if (!seen) {
			ids = xrealloc(ids, (nids + 1) * sizeof(*ids));
			memcpy(ids[nids++], id, FILEID_LEN);
		}
	}
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	if (rc != MDB_NOTFOUND) {
		free(ids);
		return store_fail("coverage", rc);
	}
	rc = 0;
	for (size_t i = 0; i < nids && rc == 0; i++) {
		char hex[2 * FILEID_LEN + 1];
		fileid_hex(ids[i], hex);
		log_verbose("file version %s: removing the hidden rows a killed run left", hex);
		rc = unload_file(n, ids[i]);
	}
	free(ids);
	return rc;
}

/* The ledger entry, after the data it describes is committed. */
static int night_ledger(struct stage_ctx *ctx, struct normalise *n, int rc)
{
	struct ledger_entry e;
	stage_ledger_entry(ctx, &e, "done", rc);
	digest_finish(n->in, e.input);
	digest_finish(n->out, e.output);
	n->in = n->out = NULL;
	e.rows_in = n->rows_read;
	e.rows_out = n->rows_loaded;
	e.rows_rejected = n->rows_rejected;
	if (n->files_bad && n->files_superseded)
		snprintf(e.error, sizeof(e.error), "%lu file(s) could not be loaded; %lu "
			 "superseded by a later correction", n->files_bad, n->files_superseded);
	else if (n->files_bad)
		snprintf(e.error, sizeof(e.error), "%lu file(s) could not be loaded", n->files_bad);
	else if (n->files_superseded)
		snprintf(e.error, sizeof(e.error), "%lu file(s) superseded by a later correction",
			 n->files_superseded);
	return stage_ledger_commit(ctx, &e);
}

static int normalise_night(struct stage_ctx *ctx)
{
	struct normalise n = { .ctx = ctx };
	struct landed_list files = { NULL, 0 };
	int rc = night_files(ctx, &files) || sweep_killed_loads(&n) ? -1 : 0;

	n.in = digest_new();
	n.out = digest_new();
	digest_update(n.in, ctx->conf.digest, sizeof(ctx->conf.digest));
	digest_update(n.in, ctx->cat.digest, sizeof(ctx->cat.digest));
	for (size_t i = 0; i < files.n && rc == 0; i++)
		rc = on_landed(&files.v[i], &n);
	if (rc == 0)
		rc = night_ledger(ctx, &n, n.files_bad ? EXIT_BADDATA : EXIT_DONE);
	if (n.in) {
		char junk[DIGEST_HEXSZ];
		digest_finish(n.in, junk);
		digest_finish(n.out, junk);
	}
	free(files.v);
	normalise_free(&n);
	if (rc)
		return EXIT_INTERNAL;
	log_info("%s: %lu rows read, %lu loaded, %lu rejected; %lu file(s) not loaded",
		 ctx->opts.date, n.rows_read, n.rows_loaded, n.rows_rejected, n.files_bad);
	return n.files_bad ? EXIT_BADDATA : EXIT_DONE;
}

/* --help (run/stage.h). */
const struct stage_help stage_help = {
	"Reads each landed file of the night by its schema (conf 'input' lines,\n"
	"schemas/NAME.schema) into the store; every row is loaded or written to\n"
	"OUT/DATE/rejected/ with file, line, column and reason.\n",
	"Exit: 0 done (rejected rows are still 0), 64 usage, configuration or schema,\n"
	"      65 a file could not be used at all (the others were loaded),\n"
	"      70 internal error, 75 locked.\n",
};

int main(int argc, char **argv)
{
	struct stage_ctx ctx;
	int rc;
	log_init("stage-normalise");
	if ((rc = stage_init(&ctx, "normalise", argc, argv, 0)))
		return rc;
	rc = normalise_night(&ctx);
	return stage_end(&ctx, rc);
}
