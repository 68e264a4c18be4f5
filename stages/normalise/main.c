/*
 * stage-normalise: loads the files landed on a night into the store.
 *
 * Each landed file is matched to a schema by conf 'input' patterns, read
 * as CSV (streaming, libcsv; ingest/csvin.h) and every data row is either
 * loaded (one or more records) or written to OUT/DATE/rejected/DIR-NAME.csv
 * with file:line:column and the reason. Rows read = loaded + rejected for
 * every file, checked before a file is shown. A file that cannot be used
 * at all (its header does not fit the schema, no header, a trailer whose
 * count the rows do not match, a part of a set missing, amounts past
 * MONEY_FILE_MAX in all) is refused whole: every row of it is listed in
 * rejected/ with the reason, and the night goes on (exit 65). A file
 * whose schema says 'parts' is read with the other parts of its set as one
 * file (fileset.h). A file's earlier rows (a rerun) are removed first; the
 * version it corrects (same name, other bytes) is hidden in the
 * transaction that shows the new one, and its rows removed after.
 *
 * Memory stays bounded whatever the file size: a file's rows are sorted in
 * a bounded buffer (spilling sorted runs to a temporary file when they do
 * not fit) and, once the whole file is read and found usable, written as
 * one new segment with MDB_APPEND (store/segment.h), in large
 * transactions, under coverage entries that say "loading" and so are
 * invisible to readers (store/snapshot.h); one last transaction per file
 * writes the counts that make them visible; rejected/ is written as the
 * rows come (rejects.h). A file that cannot be used writes no row; a run
 * killed half-way leaves only hidden rows, which the next run removes. A file
 * is read a second time only when it is refused after rows were read (to
 * list them all), or when it turns out not to be UTF-8 after rows with
 * UTF-8 text were read (csvin.h). The ledger entry is committed after the
 * data it describes. Exit 65 when some file could not be used at all;
 * rejected rows alone are reported, not a failure.
 *
 * An XML file (a schema that says 'format xml'; an input line may name
 * several XML schemas, each reading the documents whose element is its
 * root) is parsed once (ingest/xmlin.h) and each row element is a row
 * read; its records may go to several stores, numbered in one count per
 * file, and its coverage is per store, SE and month. An XML file refused
 * whole has one line in rejected/, at the line where it was refused.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/atomicfile.h"
#include "core/csvout.h"
#include "core/exitcode.h"
#include "core/ident.h"
#include "core/log.h"
#include "core/money.h"
#include "store/landed.h"
#include "store/segment.h"
#include "run/stage.h"
#include "ingest/unpack.h"
#include "fileset.h"
#include "rejects.h"
#include "schema.h"
#include "schemaxml.h"
#include "ingest/xmlin.h"
#include "core/banned.h"

/* Rows deleted per transaction; rejected rows logged per file (all are in rejected/). */
enum { BATCH_MAX = 65536, LOG_REJECTS = 10 };

/* What reading a file's rows may end in, besides 0 and the fatal 2. */
enum { READ_AGAIN = 3, STOP_REFUSE = 4 };
/* Schemas one input line may name (XML: each whose root is the document's reads it). */
enum { MAX_FILE_SCHEMAS = 8 };

struct cover {
	const struct store_def *sd;	/* an XML file's schemas may fill several stores */
	char se[SE_LEN];
	int32_t month;
	uint64_t records;
};

/* The store/SE/month triples of a file, any number of them (a hash for speed). */
struct covers {
	struct cover *v;
	size_t n, cap;
	uint32_t *slot;		/* index + 1 into v, 0 empty */
	size_t nslot;
	size_t last;		/* index + 1 of the last triple counted (a file's rows
				 * come in runs of one), 0 none */
};

/* One landed file of a load: a file alone, or a part of a set. */
struct part {
	struct set_part sp;
	int force_cp1252;	/* not UTF-8 after all: read as Windows-1252 */
	int read;		/* the first pass read it to its end */
	int has_header;		/* and found its header */
	int trailer_seen, has_count;
	uint64_t count;
	unsigned long trailer_line;
	unsigned long rows_read, rows_loaded, rows_rejected;
	struct rejects rej;
	char rejhex[DIGEST_HEXSZ];	/* its rejected/ file's SHA-256, or "" */
};

struct file_load {
	struct part *parts;	/* in order; one for a file alone */
	size_t nparts;
	struct part *cur;	/* the part being read */
	const uint8_t *id;	/* rows are kept under the last part's file id */
	const struct input_rule *rule;
	struct schema *schema;	/* the schema reading now (CSV: the only one) */
	const struct store_def *sd;	/* its store */
	int store;		/* sd's index in the catalog */
	struct schema *schemas[MAX_FILE_SCHEMAS];	/* every schema the input line names */
	int nschemas;
	unsigned long refused_line;	/* XML: where the file was refused (f->refuse: why) */
	struct strbuf first_reject;	/* XML: the first rejected row's reason, and line */
	unsigned long first_reject_line;
	struct record base;
	char base_scratch[MAX_INPUT_SETS][VALUE_SCRATCH];
	struct name_match nm;
	struct schema_reader rd;
	int money[MAX_VALUE];	/* the store's money fields */
	int nmoney, f_cpr, f_se, f_month;	/* catalog fields, resolved once */
	uint8_t seg[SEGMENT_LEN];	/* the segment its rows were written to */
	uint8_t prev_seg[SEGMENT_LEN];	/* the segment an earlier load of it had */
	int has_prev;
	struct strbuf refuse;	/* why the file is refused whole, or "" */
	int refusing;		/* the pass that lists every row as rejected */
	uint64_t records;	/* the number of the last record (store_key) */
	uint64_t abs_total;	/* of its amounts, øre */
	unsigned long mod11;	/* CPR numbers failing modulus 11 (noted only) */
	unsigned long logged;	/* rejected rows logged */
	struct covers cover;
	struct strbuf why, valbuf, rowtext;
};

struct normalise {
	struct stage_ctx *ctx;
	struct schema *schemas;
	int nschemas;
	struct segsort sort;	/* the rows of the file being read */
	unsigned long rows_read, rows_loaded, rows_rejected, files_bad, files_superseded;
	struct digest_ctx *in, *out;
	char **sets;		/* the sets of files loaded this run (fileset_key) */
	size_t nsets;
	/* The loads a killed run left, removed by sweep_killed_loads(): a file
	 * loaded again goes back into the segment it was being written to. */
	struct swept { uint8_t id[FILEID_LEN], seg[SEGMENT_LEN]; } *swept;
	size_t nswept;
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

static uint32_t cover_hash(const struct store_def *sd, const char *se, int32_t month)
{
	uint32_t h = 2166136261u;
	for (const char *s = sd->name; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	for (int i = 0; i < SE_LEN; i++)
		h = (h ^ (unsigned char)se[i]) * 16777619u;
	return (h ^ (uint32_t)month) * 16777619u;
}

static void covers_rehash(struct covers *c)
{
	c->nslot = c->nslot ? 2 * c->nslot : 64;
	free(c->slot);
	c->slot = xcalloc(c->nslot, sizeof(*c->slot));
	for (size_t i = 0; i < c->n; i++) {
		size_t h = cover_hash(c->v[i].sd, c->v[i].se, c->v[i].month) & (c->nslot - 1);
		while (c->slot[h])
			h = (h + 1) & (c->nslot - 1);
		c->slot[h] = (uint32_t)(i + 1);
	}
}

/* Counts a record under its store, SE and month (a new triple: a new entry). */
static void cover_count(struct covers *c, const struct store_def *sd, const char *se,
			int32_t month)
{
	size_t h;
	if (c->last) {
		struct cover *e = &c->v[c->last - 1];
		if (e->month == month && e->sd == sd && !memcmp(e->se, se, SE_LEN)) {
			e->records++;
			return;
		}
	}
	if (2 * (c->n + 1) > c->nslot)
		covers_rehash(c);
	h = cover_hash(sd, se, month) & (c->nslot - 1);
	while (c->slot[h]) {
		struct cover *e = &c->v[c->slot[h] - 1];
		if (e->month == month && e->sd == sd && !memcmp(e->se, se, SE_LEN)) {
			e->records++;
			c->last = c->slot[h];
			return;
		}
		h = (h + 1) & (c->nslot - 1);
	}
	c->v = xgrow(c->v, &c->cap, c->n + 1, sizeof(*c->v));
	memset(&c->v[c->n], 0, sizeof(c->v[0]));
	c->v[c->n].sd = sd;
	memcpy(c->v[c->n].se, se, SE_LEN);
	c->v[c->n].month = month;
	c->v[c->n].records = 1;
	c->slot[h] = (uint32_t)++c->n;
	c->last = c->n;
}

static void covers_reset(struct covers *c)
{
	c->n = 0;
	c->last = 0;
	if (c->slot)
		memset(c->slot, 0, c->nslot * sizeof(*c->slot));
}

static void covers_free(struct covers *c)
{
	free(c->v);
	free(c->slot);
	memset(c, 0, sizeof(*c));
}

/*
 * The file is refused whole, for why (the first reason found wins):
 * logged once, named by the part being read, and every row of it goes
 * to rejected/ with the reason (refuse_pass()).
 */
static void refuse_file(struct file_load *f, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void refuse_file(struct file_load *f, unsigned long line, const char *fmt, ...)
{
	va_list ap;
	if (f->refuse.len)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&f->refuse, fmt, ap);
	va_end(ap);
	f->refused_line = line;
	if (f->schema && f->schema->format == SCHEMA_XML)
		log_input(f->parts[0].sp.lf.relpath, line, 0, "%s; not loaded", f->refuse.buf);
	else
		log_input(f->cur ? f->cur->sp.lf.relpath : f->parts[0].sp.lf.relpath, line, 0,
			  "file not loaded: %s; every row of it is in rejected/", f->refuse.buf);
}

struct emit_ctx {
	struct normalise *n;
	struct file_load *f;
	unsigned long line;	/* of the row being read */
};

/* The amounts a file adds up to stay within MONEY_FILE_MAX (money.h). */
static int amounts_fit(struct file_load *f, const struct record *r, unsigned long line)
{
	for (int i = 0; i < f->nmoney; i++) {
		const struct value *v = &r->v[f->money[i]];
		if (!v->present)
			continue;
		f->abs_total += v->num < 0 ? (uint64_t)0 - (uint64_t)v->num : (uint64_t)v->num;
		if (f->abs_total > (uint64_t)MONEY_FILE_MAX) {
			refuse_file(f, line, "its amounts add up to more than "
				    "100.000.000.000.000,00 (no real file does; a sum of them "
				    "could overflow)");
			return -1;
		}
	}
	return 0;
}

static int emit_record(const struct record *r, unsigned sub, void *data)
{
	struct emit_ctx *e = data;
	struct file_load *f = e->f;
	const struct catalog *cat = &e->n->ctx->cat;
	const struct value *cpr = f->f_cpr >= 0 ? &r->v[f->f_cpr] : NULL;
	const struct value *se = &r->v[f->f_se], *mo = &r->v[f->f_month];
	uint8_t key[KEY_MAX];
	size_t kl;
	(void)sub;

	if (amounts_fit(f, r, e->line))
		return STOP_REFUSE;
	if (f->records == STORE_RECORD_MAX) {
		refuse_file(f, 0, "more than %llu records", (unsigned long long)STORE_RECORD_MAX);
		return STOP_REFUSE;
	}
	kl = store_key_tail(cat, f->sd, r, ++f->records,
			    e->line > UINT32_MAX ? UINT32_MAX : (uint32_t)e->line, key);
	if (cpr && cpr->present && cpr->len == CPR_LEN && !cpr_mod11_ok(cpr->text))
		f->mod11++;
	store_encode(cat, f->sd, r, &f->valbuf);
	if (segsort_add(&e->n->sort, f->store, key, kl, f->valbuf.buf, f->valbuf.len))
		return 2;
	cover_count(&f->cover, f->sd, se->present ? se->text : "        ",
		    mo->present ? (int32_t)mo->num : 0);
	return 0;
}

/* A row into rejected/: an error row as read, else its cells as CSV. */
static int reject_row(struct file_load *f, const struct csv_row *row, unsigned col,
		      const char *why)
{
	struct part *p = f->cur;
	struct strbuf *raw = &f->rowtext;
	strbuf_reset(raw);
	if (row->error || !row->nfields) {
		strbuf_add(raw, row->raw ? row->raw : "", row->raw ? row->rawlen : 0);
	} else {
		for (size_t i = 0; i < row->nfields; i++)
			csvout_field(raw, row->fields[i].ptr, row->fields[i].len,
				     i + 1 == row->nfields);
		if (raw->len)
			raw->len--;	/* the row's own newline */
	}
	p->rows_read++;
	p->rows_rejected++;
	return rejects_add(&p->rej, row->line, col, why, raw->buf ? raw->buf : "", raw->len)
		? 2 : 0;
}

/* Forget the rows read so far: the file is read again (csvin.h). */
static int on_restart(void *data)
{
	struct emit_ctx *e = data;
	e->f->cur->force_cp1252 = 1;
	return READ_AGAIN;
}

static int on_row(const struct csv_row *row, void *data)
{
	struct emit_ctx *e = data;
	struct file_load *f = e->f;
	struct part *p = f->cur;
	enum row_kind kind;
	unsigned col = 0;
	int rc;

	if (f->refusing) {
		schema_read_row(&f->rd, row, NULL, NULL, NULL, &kind, &col, &f->why);
		if (kind == ROW_TITLE || kind == ROW_HEADER || kind == ROW_TRAILER)
			return 0;
		strbuf_reset(&f->why);
		strbuf_addf(&f->why, "file not loaded: %s", f->refuse.buf);
		return reject_row(f, row, 0, f->why.buf);
	}
	e->line = row->line;
	rc = schema_read_row(&f->rd, row, &f->base, emit_record, e, &kind, &col, &f->why);
	if (rc)
		return rc;
	switch (kind) {
	case ROW_TITLE:
	case ROW_HEADER:
		return 0;
	case ROW_TRAILER:
		p->trailer_seen = 1;
		p->trailer_line = row->line;
		p->has_count = f->rd.has_count;
		p->count = f->rd.count;
		return 0;
	case ROW_REFUSE:
		refuse_file(f, row->line, "%s", f->why.buf);
		return STOP_REFUSE;
	case ROW_DATA:
		p->rows_read++;
		p->rows_loaded++;
		return 0;
	case ROW_BAD:
		if (f->logged++ < LOG_REJECTS)
			log_input(p->sp.lf.relpath, row->line, col, "%s", f->why.buf);
		return reject_row(f, row, col, f->why.buf);
	}
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

/* The file's coverage entries, all "loading" in seg, before its rows go in. */
struct pending {
	struct normalise *n;
	struct file_load *f;
};

static int mark_pending(MDB_txn *txn, const uint8_t seg[SEGMENT_LEN], void *data)
{
	struct pending *pd = data;
	struct file_load *f = pd->f;
	char val[COVER_VALUE_MAX];
	size_t vl = cover_value(1, 0, seg, val);
	for (size_t i = 0; i < f->cover.n; i++) {
		struct cover *c = &f->cover.v[i];
		uint8_t kb[KEY_MAX + 64];
		size_t kl = cover_key(c->sd->name, c->se, c->month, f->nm.date, f->id, kb);
		if (put_cover(&pd->n->ctx->store, txn, kb, kl, val, vl))
			return -1;
	}
	return 0;
}

/* Writes the file's rows, read and sorted, as a new segment (hidden). */
static int write_rows(struct normalise *n, struct file_load *f)
{
	struct pending pd = { n, f };
	return segsort_write(&n->sort, &n->ctx->store, mark_pending, &pd,
			     f->has_prev ? f->prev_seg : NULL, f->seg);
}

/* A coverage entry of a file: its key (a copy), and the store it names. */
struct cover_ref {
	uint8_t key[KEY_MAX + 64];
	size_t klen;
	const struct store_def *sd;
	uint8_t seg[SEGMENT_LEN];	/* where its rows are */
	int has_seg;		/* its value names one */
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
	size_t first = *nrefs;
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
		r->has_seg = 0;
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return store_fail("filecover", rc);
	/* Each entry's segment, from its value (after the cursor: no write between). */
	for (size_t i = first; i < *nrefs; i++) {
		struct cover_ref *r = &(*refs)[i];
		MDB_val ck = { r->klen, r->key };
		int loading;
		uint64_t count;
		rc = mdb_get(txn, st->coverage, &ck, &v);
		if (rc == MDB_NOTFOUND)
			continue;
		if (rc)
			return store_fail("coverage", rc);
		r->has_seg = !cover_value_parse(v.mv_data, v.mv_size, &loading, &count, r->seg);
	}
	return 0;
}

/* Marks every coverage entry of a file "loading" (hidden from readers). */
static int hide_file(struct normalise *n, MDB_txn *txn, const uint8_t id[FILEID_LEN],
		     struct cover_ref **refs, size_t *nrefs)
{
	struct store *st = &n->ctx->store;
	char val[COVER_VALUE_MAX];
	if (file_covers(st, txn, id, refs, nrefs))
		return -1;
	for (size_t i = 0; i < *nrefs; i++) {
		const struct cover_ref *r = &(*refs)[i];
		static const uint8_t none[SEGMENT_LEN];
		size_t vl = cover_value(1, 0, r->has_seg ? r->seg : none, val);
		if (put_cover(st, txn, r->key, r->klen, val, vl))
			return -1;
	}
	return 0;
}

/*
 * Deletes one segment's rows of one store (keys begin with the segment),
 * BATCH_MAX a transaction: bounded memory for any size, and the work is
 * this file's rows only.
 */
static int unload_rows(struct store *st, const struct store_def *sd,
		       const uint8_t id[SEGMENT_LEN])
{
	int rc = 0, more = 1;
	while (more && rc == 0) {
		MDB_txn *txn;
		MDB_cursor *c;
		MDB_val k = { SEGMENT_LEN, (void *)id }, v;
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
			if (k.mv_size < SEGMENT_LEN || memcmp(k.mv_data, id, SEGMENT_LEN))
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
			seen |= refs[j].sd == refs[i].sd && refs[j].has_seg &&
				!memcmp(refs[j].seg, refs[i].seg, SEGMENT_LEN);
		if (refs[i].sd && refs[i].has_seg && !seen)
			rc = unload_rows(st, refs[i].sd, refs[i].seg);
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

/*
 * The segment an earlier load of the file wrote (f->has_prev), if any:
 * its record's 'segment' (kept when its rows go), else its coverage's,
 * else the one a killed run was writing it to.
 */
static int file_segment(struct normalise *n, struct file_load *f)
{
	struct store *st = &n->ctx->store;
	struct cover_ref *refs = NULL;
	struct strbuf props = STRBUF_INIT, v = STRBUF_INIT;
	size_t nrefs = 0;
	MDB_txn *txn;
	int rc;
	f->has_prev = 0;
	if (store_begin(st, MDB_RDONLY, &txn))
		return -1;
	rc = file_props_get(st, txn, f->id, &props) < 0 ? -1 : 0;
	if (rc == 0 && props_get(&props, "segment", &v) && v.len == 2 * SEGMENT_LEN &&
	    fileid_from_hex(v.buf, f->prev_seg) == 0)
		f->has_prev = 1;
	strbuf_release(&props);
	strbuf_release(&v);
	if (rc == 0)
		rc = file_covers(st, txn, f->id, &refs, &nrefs);
	mdb_txn_abort(txn);
	for (size_t i = 0; rc == 0 && i < nrefs && !f->has_prev; i++)
		if (refs[i].has_seg) {
			memcpy(f->prev_seg, refs[i].seg, SEGMENT_LEN);
			f->has_prev = 1;
		}
	for (size_t i = 0; rc == 0 && i < n->nswept && !f->has_prev; i++)
		if (!memcmp(n->swept[i].id, f->id, FILEID_LEN)) {
			memcpy(f->prev_seg, n->swept[i].seg, SEGMENT_LEN);
			f->has_prev = 1;
		}
	free(refs);
	return rc;
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
static int replace_earlier(struct normalise *n, MDB_txn *txn, const struct landed_file *lf,
			   uint8_t old[FILEID_LEN], int *has_old)
{
	struct store *st = &n->ctx->store;
	MDB_val k = { strlen(lf->relpath), (void *)lf->relpath }, v;
	MDB_val nv = { FILEID_LEN, (void *)lf->fileid };
	int rc = mdb_get(txn, st->names, &k, &v);
	*has_old = 0;
	if (rc == 0 && v.mv_size == FILEID_LEN && memcmp(v.mv_data, lf->fileid, FILEID_LEN)) {
		struct cover_ref *refs = NULL;
		size_t nrefs = 0;
		char hex[2 * FILEID_LEN + 1];
		memcpy(old, v.mv_data, FILEID_LEN);
		*has_old = 1;
		fileid_hex(old, hex);
		log_info("%s: corrected file replaces version %s", lf->relpath, hex);
		rc = hide_file(n, txn, old, &refs, &nrefs);
		free(refs);
		if (rc || mark_replaced(st, txn, old, lf->fileid))
			return -1;
	} else if (rc && rc != MDB_NOTFOUND) {
		return store_fail("names", rc);
	}
	rc = mdb_put(txn, st->names, &k, &nv, 0);
	return rc ? store_fail("names", rc) : 0;
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

static int write_cover(struct normalise *n, MDB_txn *txn, struct file_load *f)
{
	char val[COVER_VALUE_MAX];
	for (size_t i = 0; i < f->cover.n; i++) {
		const struct cover *c = &f->cover.v[i];
		uint8_t kb[KEY_MAX + 64];
		size_t kl = cover_key(c->sd->name, c->se, c->month, f->nm.date, f->id, kb);
		size_t vl = cover_value(0, c->records, f->seg, val);
		if (put_cover(&n->ctx->store, txn, kb, kl, val, vl))
			return -1;
	}
	return 0;
}

static void xml_props(const struct file_load *f, struct strbuf *props);

/*
 * A part's record: what normalise learnt of it. The records of a set are
 * all kept under its last part (records=N there, 0 in the others; each
 * names the set's file id and its part number).
 */
static int record_part(struct normalise *n, MDB_txn *txn, struct file_load *f,
		       const struct part *p, const char *status)
{
	struct strbuf props = STRBUF_INIT;
	char num[32], hex[2 * FILEID_LEN + 1];
	int last = p == &f->parts[f->nparts - 1];
	int rc = file_props_get(&n->ctx->store, txn, p->sp.lf.fileid, &props);
	if (rc < 0)
		return -1;
	props_set(&props, "status", status);
	props_set(&props, "schema", f->schema ? f->schema->name : "");
	props_set(&props, "store", f->sd ? f->sd->name : "");
	if (f->schema && f->schema->format == SCHEMA_XML)
		xml_props(f, &props);
#define NUM(k, v) snprintf(num, sizeof(num), "%llu", (unsigned long long)(v)), props_set(&props, k, num)
	NUM("rows_read", p->rows_read);
	NUM("rows_loaded", p->rows_loaded);
	NUM("rows_rejected", p->rows_rejected);
	NUM("records", last && !strcmp(status, "loaded") ? f->records : 0);
	if (p->sp.part) {
		NUM("part", p->sp.part);
		fileid_hex(f->id, hex);
		props_set(&props, "set", hex);
	}
	if (last && f->mod11)
		NUM("cpr_mod11_failures", f->mod11);
#undef NUM
	if (last && !strcmp(status, "loaded") && f->records) {
		fileid_hex(f->seg, hex);	/* 8 bytes, as a file id */
		props_set(&props, "segment", hex);
	}
	rc = file_props_put(&n->ctx->store, txn, p->sp.lf.fileid, &props);
	strbuf_release(&props);
	return rc;
}

/* Everything read so far is forgotten: hidden rows, counts, rejected rows. */
static int forget_read(struct normalise *n, struct file_load *f)
{
	segsort_reset(&n->sort);
	covers_reset(&f->cover);
	f->records = f->abs_total = 0;
	f->mod11 = 0;
	f->logged = 0;
	for (size_t i = 0; i < f->nparts; i++) {
		struct part *p = &f->parts[i];
		p->rows_read = p->rows_loaded = p->rows_rejected = 0;
		p->trailer_seen = p->has_count = 0;
		p->count = 0;
		rejects_discard(&p->rej);
	}
	return unload_file(n, f->id);
}

/*
 * Reads every part once: loading (the first pass), or, refusing, listing
 * every row as rejected. 0, READ_AGAIN (a part was not UTF-8 after all),
 * STOP_REFUSE (f->refuse says why), or -1.
 */
static int read_parts(struct normalise *n, struct file_load *f)
{
	struct emit_ctx e = { n, f, 0 };
	struct strbuf path = STRBUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < f->nparts && rc == 0; i++) {
		struct part *p = &f->parts[i];
		struct csvin_opts o = { f->schema->delimiter, f->schema->encoding, 1,
					f->schema->quotes_are_text, on_restart };
		if (p->force_cp1252)
			o.encoding = CSVIN_CP1252;
		f->cur = p;
		memset(&f->rd, 0, sizeof(f->rd));
		f->rd.s = f->schema;
		f->rd.file = p->sp.lf.relpath;
		f->rd.count_titles = f->refusing && p->read && !p->has_header;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", n->ctx->conf.state, p->sp.lf.path);
		rc = csvin_read(path.buf, &o, on_row, &e, NULL);
		if (rc == -1) {		/* unreadable, or UTF-16: reported */
			refuse_file(f, 0, "it cannot be read as text (see the log)");
			rc = f->refusing ? 0 : STOP_REFUSE;
		}
		if (rc == 0 && !f->refusing) {
			p->read = 1;
			p->has_header = f->rd.header_seen;
			if (!f->rd.header_seen) {
				if (f->schema->title_lines && f->schema->ncols)
					refuse_file(f, 0, "no header row (a row naming column '%s')",
						    f->schema->cols[0].column);
				else
					refuse_file(f, 0, "the file is empty (no header row)");
				rc = STOP_REFUSE;
			}
		}
		if (rc == 0 && rejects_finish(&p->rej, p->rejhex))
			rc = -1;
	}
	strbuf_release(&path);
	return rc == 2 ? -1 : rc;
}

/* After the rows: the trailer's count against them (schemas' 'trailer'). */
static void check_trailer(struct file_load *f)
{
	const struct schema *s = f->schema;
	struct part *last = &f->parts[f->nparts - 1];
	unsigned long total = 0;
	if (!s->trailer_marker)
		return;
	f->cur = last;
	for (size_t i = 0; i < f->nparts; i++) {
		total += f->parts[i].rows_read;
		if (i + 1 < f->nparts && f->parts[i].has_count) {
			f->cur = &f->parts[i];
			refuse_file(f, f->parts[i].trailer_line, "part %d carries the total count "
				    "of a set, but part %d follows", (int)f->parts[i].sp.part,
				    (int)f->parts[i + 1].sp.part);
			return;
		}
	}
	if (!last->trailer_seen)
		refuse_file(f, 0, "no trailer row %s: the file is cut short%s", s->trailer_marker,
			    f->nparts > 1 || s->parts ? ", or its last part is missing" : "");
	else if (!last->has_count)
		refuse_file(f, last->trailer_line, "the trailer row %s carries no count in %s%s",
			    s->trailer_marker, s->trailer_count,
			    s->parts ? ": the last part of the set is missing" : "");
	else if (last->count != total)
		refuse_file(f, last->trailer_line, "the trailer says %llu line(s), the file%s "
			    "%lu: cut short?", (unsigned long long)last->count,
			    f->nparts > 1 ? "s of the set hold" : " holds", total);
}

/*
 * Reads the file (its parts) into the store, hidden: 0 loaded, 1 refused
 * (every row in rejected/), -1 fatal.
 */
static int read_file(struct normalise *n, struct file_load *f)
{
	int rc, muted;
	for (int again = 0; ; again++) {
		rc = f->refuse.len ? STOP_REFUSE : read_parts(n, f);
		if (rc == 0) {
			check_trailer(f);
			if (f->refuse.len)
				rc = STOP_REFUSE;
		}
		if (rc != READ_AGAIN || again == 2 * (int)f->nparts + 1)
			break;
		if (forget_read(n, f))	/* Windows-1252 after all: from the start */
			return -1;
	}
	if (rc == READ_AGAIN)
		rc = -1;
	if (rc != STOP_REFUSE)
		return rc;
	/* Refused: nothing of it stays, and every row of it is counted. */
	if (forget_read(n, f))
		return -1;
	f->refusing = 1;
	muted = log_input_mute(1);	/* the first pass reported the file's problems */
	for (int again = 0; (rc = read_parts(n, f)) == READ_AGAIN && again < 2 * (int)f->nparts;
	     again++)
		forget_read(n, f);
	log_input_mute(muted);
	return rc ? -1 : 1;
}

/*
 * Shows a loaded file in one transaction: its coverage counts replace
 * "loading", the versions it corrects (of each part) are hidden, the
 * records written. The corrected versions' rows are deleted after the
 * commit.
 */
static int publish_file(struct normalise *n, struct file_load *f)
{
	uint8_t (*old)[FILEID_LEN] = xcalloc(f->nparts, FILEID_LEN);
	int *has_old = xcalloc(f->nparts, sizeof(*has_old));
	MDB_txn *txn;
	int rc = store_begin(&n->ctx->store, 0, &txn);
	for (size_t i = 0; i < f->nparts && rc == 0; i++)
		rc = replace_earlier(n, txn, &f->parts[i].sp.lf, old[i], &has_old[i]);
	if (rc == 0)
		rc = write_cover(n, txn, f);
	for (size_t i = 0; i < f->nparts && rc == 0; i++)
		rc = record_part(n, txn, f, &f->parts[i], "loaded");
	if (rc)
		mdb_txn_abort(txn);
	else
		rc = store_commit(txn);
	for (size_t i = 0; i < f->nparts && rc == 0; i++)
		if (has_old[i])
			rc = unload_file(n, old[i]);
	free(old);
	free(has_old);
	return rc;
}

/*
 * Whether a later night landed another version of this file's name (a
 * rerun of an old night after a later night landed a correction): the
 * landed entry of that name on the latest night after this one, if it is
 * other bytes. Only the nights decide, not the chain of 'replaces': a name
 * corrected and corrected back (A, B, A on one night or over several) has
 * the last bytes its latest night landed as its version, and a version of
 * this night or an earlier one never supersedes this night's file. The
 * scan runs only when the name's current version is not this file.
 * 1 superseded (*top: that version, later: its night), 0 not, -1.
 */
static int is_superseded(struct normalise *n, MDB_txn *txn, const struct landed_file *lf,
			 uint8_t top[FILEID_LEN], char later[11])
{
	struct store *st = &n->ctx->store;
	const char *night = n->ctx->opts.date;
	size_t nlen = strlen(night), rlen = strlen(lf->relpath);
	char from[16];
	MDB_val k = { rlen, (void *)lf->relpath }, v;
	MDB_cursor *c;
	int rc = mdb_get(txn, st->names, &k, &v), found = 0;
	if (rc == MDB_NOTFOUND || (rc == 0 && (v.mv_size != FILEID_LEN ||
					       !memcmp(v.mv_data, lf->fileid, FILEID_LEN))))
		return 0;
	if (rc)
		return store_fail("names", rc);
	if ((rc = mdb_cursor_open(txn, st->landed, &c)))
		return store_fail("landed", rc);
	/* "NIGHT\1" sorts after every "NIGHT\0relpath" key of this night. */
	snprintf(from, sizeof(from), "%s%c", night, 1);
	k = (MDB_val){ nlen + 1, from };
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const char *key = k.mv_data;
		if (k.mv_size != nlen + 1 + rlen || key[nlen] != '\0' ||
		    memcmp(key + nlen + 1, lf->relpath, rlen) || v.mv_size != FILEID_LEN)
			continue;
		found = memcmp(v.mv_data, lf->fileid, FILEID_LEN) != 0;
		memcpy(top, v.mv_data, FILEID_LEN);
		snprintf(later, 11, "%.*s", (int)nlen, key);
	}
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND)
		return store_fail("landed", rc);
	return found;
}

/*
 * A file (a set) a later night corrected is not loaded again: loading it
 * would hide the correction that later nights read. A file alone is
 * marked replaced and its rows go; a set stays as the later night left
 * it. 1 superseded, 0 not, -1.
 */
static int superseded(struct normalise *n, struct file_load *f)
{
	struct store *st = &n->ctx->store;
	uint8_t top[FILEID_LEN];
	char hex[2 * FILEID_LEN + 1], curhex[2 * FILEID_LEN + 1], later[11] = "";
	MDB_txn *txn;
	int rc = 0;
	size_t i;
	if (store_begin(st, 0, &txn))
		return -1;
	for (i = 0; i < f->nparts && rc == 0; i++)
		rc = is_superseded(n, txn, &f->parts[i].sp.lf, top, later);
	if (rc <= 0) {
		mdb_txn_abort(txn);
		return rc;
	}
	i--;
	fileid_hex(top, curhex);
	fileid_hex(f->parts[i].sp.lf.fileid, hex);
	if (f->nparts > 1 || f->parts[0].sp.part) {
		mdb_txn_abort(txn);
		log_info("%s: version %s was corrected on %s, a later night (now %s); its set "
			 "is not loaded again", f->parts[i].sp.lf.relpath, hex, later, curhex);
		return 1;
	}
	if (mark_replaced(st, txn, f->parts[0].sp.lf.fileid, top)) {
		mdb_txn_abort(txn);
		return -1;
	}
	if (store_commit(txn))
		return -1;
	log_info("%s: version %s was corrected on %s, a later night (now %s); not loaded "
		 "again", f->parts[0].sp.lf.relpath, hex, later, curhex);
	return unload_file(n, f->parts[0].sp.lf.fileid) ? -1 : 1;
}

/* The store's money fields, and its cpr field (for the modulus 11 note). */
static void store_fields(const struct catalog *cat, struct file_load *f)
{
	f->nmoney = 0;
	for (int i = 0; i < f->sd->nvalue; i++)
		if (cat->fields[f->sd->value[i]].type == FT_MONEY)
			f->money[f->nmoney++] = f->sd->value[i];
	f->f_cpr = catalog_field(cat, "cpr");
	f->f_se = catalog_field(cat, "se");
	f->f_month = catalog_field(cat, "month");
	f->store = (int)(f->sd - cat->stores);
}

/* ---- XML files: the reader dispatch's other half (schemaxml.h, xmlin.h) ---- */

/*
 * The schemas an input line names: one, or (XML files) several, comma-
 * separated, each reading the documents whose element is its root. Two of
 * them that read the same document element into one store would read the
 * same rows twice: refused.
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
	if (!f->nschemas) {
		log_input(conf, rule->lineno, 0, "no schema");
		return -1;
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
	props_set(props, "refused_line", f->refuse.len ? num : "");
	props_set(props, "refused_why", strbuf_str(&f->refuse));
	snprintf(num, sizeof(num), "%lu", f->first_reject_line);
	props_set(props, "rejected_line", f->first_reject.len ? num : "");
	props_set(props, "rejected_why", strbuf_str(&f->first_reject));
	strbuf_release(&names);
	strbuf_release(&stores);
}

/* A rejected XML row: rejected/ gets the column's XPath and the row's node path. */
static int reject_xml(struct file_load *f, unsigned long line, const char *column,
		      const char *why, const char *row)
{
	struct part *p = &f->parts[0];
	p->rows_read++;
	p->rows_rejected++;
	if (!f->first_reject.len) {
		strbuf_addstr(&f->first_reject, why);
		f->first_reject_line = line;
	}
	return rejects_add_text(&p->rej, line, column ? column : "", why, row ? row : "",
				row ? strlen(row) : 0) ? -1 : 0;
}

/*
 * The whole file is refused (as a CSV file that cannot be used): nothing
 * of it is loaded, the night goes on. An XML file may not even parse, so
 * it has no rows to list: rejected/ gets one line, where and why, and no
 * row of it counts as read. Returns 1, or -1 fatal.
 */
static int refuse_xml(struct normalise *n, struct file_load *f, unsigned long line,
		      const char *why)
{
	struct part *p = &f->parts[0];
	struct strbuf r = STRBUF_INIT;
	int rc;
	refuse_file(f, line, "%s", why);	/* logs; the first reason wins */
	segsort_reset(&n->sort);
	rejects_discard(&p->rej);
	strbuf_addf(&r, "file not loaded: %s", f->refuse.buf);
	rc = rejects_add_text(&p->rej, f->refused_line, "", r.buf, "", 0);
	p->rows_read = p->rows_loaded = p->rows_rejected = 0;
	strbuf_reset(&f->first_reject);
	f->first_reject_line = 0;
	strbuf_release(&r);
	return rc ? -1 : 1;
}

/* One schema's rows of a parsed document into the batch. 0, STOP_REFUSE, or -1. */
static int xml_rows(struct normalise *n, struct file_load *f, struct xmlin_doc *d,
		    const struct xml_row *rows, size_t nrows, size_t max_value)
{
	struct emit_ctx e = { n, f, 0 };
	struct strbuf npath = STRBUF_INIT;
	struct part *p = &f->parts[0];
	int rc = 0;
	for (size_t i = 0; i < nrows && rc == 0; i++) {
		const char *column = NULL;
		e.line = rows[i].line;
		rc = schema_xml_row(f->schema, d, &rows[i], max_value, &f->base, emit_record,
				    &e, &column, &f->why);
		if (rc == -1) {
			if (f->logged++ < LOG_REJECTS)
				log_input(p->sp.lf.relpath, rows[i].line, 0, "%s", f->why.buf);
			xmlin_node_path(rows[i].node, &npath);
			rc = reject_xml(f, rows[i].line, column, f->why.buf, npath.buf);
		} else if (rc == 0) {
			p->rows_read++;
			p->rows_loaded++;
		} else if (rc != STOP_REFUSE) {
			rc = -1;
		}
	}
	strbuf_release(&npath);
	return rc;
}

/*
 * Reads an XML file (format xml): parsed once under the limits of
 * pipeline.conf, then every schema of the input line whose root is the
 * document element reads its rows, each into its own store. Each row
 * element is one row read: loaded, or in rejected/ with its line, the
 * column's XPath and the row's node path. 0 loaded (hidden, as a CSV
 * file), 1 the file is refused (refuse_xml()), -1 fatal.
 */
static int read_xml(struct normalise *n, struct file_load *f)
{
	const struct pipeline_conf *c = &n->ctx->conf;
	struct xmlin_limits lim;
	struct xmlin_doc d;
	struct xml_row *rows[MAX_FILE_SCHEMAS] = { NULL };
	size_t nrows[MAX_FILE_SCHEMAS] = { 0 };
	int reads[MAX_FILE_SCHEMAS] = { 0 };
	struct strbuf why = STRBUF_INIT, path = STRBUF_INIT;
	unsigned long line = 0;
	int rc, taken = 0;

	f->cur = &f->parts[0];
	strbuf_addf(&path, "%s/%s", c->state, f->parts[0].sp.lf.path);
	xmlin_limits_default(&lim);
	if (c->xml_max_bytes)
		lim.max_bytes = c->xml_max_bytes;
	if (c->xml_max_depth)
		lim.max_depth = c->xml_max_depth;
	if (c->xml_max_value)
		lim.max_value = c->xml_max_value;
	rc = xmlin_parse_file(&d, path.buf, f->parts[0].sp.lf.relpath, &lim, &line, &why);
	if (rc) {
		rc = refuse_xml(n, f, line, rc < 0 ? "the file cannot be read" : why.buf);
		goto out;
	}
	/* Every schema's rows and 'require's first: a refusal loads nothing. */
	for (int i = 0; i < f->nschemas && rc == 0; i++) {
		if (!(reads[i] = schema_xml_takes(f->schemas[i], &d)))
			continue;
		taken++;
		rc = schema_xml_rows(f->schemas[i], &d, &rows[i], &nrows[i], &line, &why);
		if (rc)
			rc = refuse_xml(n, f, rc == 1 ? line : xmlin_root_line(&d), why.buf);
	}
	if (rc == 0 && !taken) {
		struct strbuf roots = STRBUF_INIT;
		for (int i = 0; i < f->nschemas; i++)
			schema_xml_roots(f->schemas[i], &roots);
		strbuf_reset(&why);
		strbuf_addf(&why, "document element is not %s", roots.buf);
		strbuf_release(&roots);
		rc = refuse_xml(n, f, xmlin_root_line(&d), why.buf);
	}
	for (int i = 0; i < f->nschemas && rc == 0; i++) {
		if (!reads[i])
			continue;
		f->schema = f->schemas[i];
		f->sd = f->schema->store;
		store_fields(&n->ctx->cat, f);
		rc = xml_rows(n, f, &d, rows[i], nrows[i], lim.max_value);
	}
	if (rc == STOP_REFUSE)	/* f->refuse says why (emit_record) */
		rc = refuse_xml(n, f, f->refused_line, f->refuse.buf);
out:
	for (int i = 0; i < f->nschemas; i++)
		free(rows[i]);
	xmlin_close(&d);
	strbuf_release(&why);
	strbuf_release(&path);
	return rc;
}

/* 0 loaded, 1 the file could not be used, 2 superseded, -1 fatal. */
static int load_file(struct normalise *n, struct file_load *f)
{
	const struct stage_ctx *ctx = n->ctx;
	int rc;

	if (input_schemas(n, f->rule, f))
		goto unusable;
	f->schema = f->schemas[0];
	if (!f->schema->parts != !f->nm.part) {
		log_input(ctx->conf.path, f->rule->lineno, 0, f->nm.part ? "the pattern has "
			  "{part}, but schema %s does not say 'parts'" : "schema %s says 'parts', "
			  "but the pattern has no {part}", f->schema->name);
		goto unusable;
	}
	f->sd = f->schema->store;
	store_fields(&ctx->cat, f);
	if (f->nm.se[0]) {
		int se = catalog_field(&ctx->cat, "se");
		f->base.v[se] = (struct value){ 1, 0, f->nm.se, SE_LEN };
	}
	if (f->nm.month && strstr(f->rule->pattern, "{month}"))
		f->base.v[catalog_field(&ctx->cat, "month")] = (struct value){ 1, f->nm.month, NULL, 0 };
	if (set_input_values(ctx, f->rule, f))
		goto unusable;
	for (int i = 0; i < f->nschemas; i++)
		digest_update(n->in, f->schemas[i]->digest, sizeof(f->schemas[i]->digest));
	if ((rc = superseded(n, f)) != 0)
		return rc < 0 ? -1 : 2;
	if (f->nm.part) {
		struct set_part *sp = xcalloc(f->nparts, sizeof(*sp));
		for (size_t i = 0; i < f->nparts; i++)
			sp[i] = f->parts[i].sp;
		f->cur = &f->parts[f->nparts - 1];
		if (fileset_check(sp, f->nparts, &f->why))
			refuse_file(f, 0, "%s", f->why.buf);
		free(sp);
	}
	/* What an earlier run (or one killed half-way) left of this file goes;
	 * its rows come back in the segment they had (store/segment.h). */
	if (file_segment(n, f) || unload_file(n, f->id))
		return -1;
	rc = f->schema->format == SCHEMA_XML ? read_xml(n, f) : read_file(n, f);
	for (size_t i = 0; rc == 0 && i < f->nparts; i++) {
		const struct part *p = &f->parts[i];
		if (p->rows_read != p->rows_loaded + p->rows_rejected) {
			log_error("%s: %lu rows read but %lu loaded + %lu rejected; not loaded",
				  p->sp.lf.relpath, p->rows_read, p->rows_loaded, p->rows_rejected);
			rc = -1;
		}
	}
	if (rc == 0 && f->mod11)
		log_info("%s: %lu CPR number(s) fail modulus 11 (allowed: numbers without it "
			 "are issued since 2007)", f->parts[f->nparts - 1].sp.lf.relpath, f->mod11);
	if (rc == 0)
		rc = write_rows(n, f) ? -1 : publish_file(n, f);
	else if (rc == 1 && unload_file(n, f->id))
		rc = -1;	/* an unusable file leaves the store as it was */
	segsort_reset(&n->sort);
	return rc;
unusable:
	/* A file an earlier run loaded (the conf changed since) is not read any
	 * more: its rows go, so the store never shows rows of a rejected file. */
	return unload_file(n, f->id) ? -1 : 1;
}

/* The parts' records, in a transaction of their own (files not loaded). */
static int record_unusable(struct normalise *n, struct file_load *f)
{
	MDB_txn *txn;
	int rc = 0;
	if (store_begin(&n->ctx->store, 0, &txn))
		return -1;
	for (size_t i = 0; i < f->nparts && rc == 0; i++)
		rc = record_part(n, txn, f, &f->parts[i], "rejected");
	if (rc) {
		mdb_txn_abort(txn);
		return -1;
	}
	return store_commit(txn);
}

/* Whether this run loaded the set already (from another of its parts). */
static int set_seen(struct normalise *n, const char *key)
{
	for (size_t i = 0; i < n->nsets; i++)
		if (!strcmp(n->sets[i], key))
			return 1;
	n->sets = xrealloc(n->sets, (n->nsets + 1) * sizeof(*n->sets));
	n->sets[n->nsets++] = xstrdup(key);
	return 0;
}

/* The parts of the load: the file alone, or its set. 0, 1 seen already, -1. */
static int gather(struct normalise *n, struct file_load *f, const struct landed_file *lf)
{
	struct set_part *sp = NULL;
	size_t nsp = 0;
	struct strbuf key = STRBUF_INIT;
	MDB_txn *txn;
	int rc = 0;
	if (f->rule && f->nm.part) {
		fileset_key(lf->relpath, &f->nm, &key);
		if (set_seen(n, key.buf)) {
			strbuf_release(&key);
			return 1;
		}
		if (store_begin(&n->ctx->store, MDB_RDONLY, &txn))
			rc = -1;
		else {
			rc = fileset_gather(&n->ctx->store, txn, n->ctx->opts.date, f->rule,
					    lf->relpath, &f->nm, &sp, &nsp, &key);
			mdb_txn_abort(txn);
		}
	}
	if (rc == 0 && !nsp) {
		sp = xcalloc(1, sizeof(*sp));
		sp[0].lf = *lf;
		sp[0].part = f->nm.part;
		nsp = 1;
	}
	f->parts = xcalloc(nsp, sizeof(*f->parts));
	f->nparts = nsp;
	for (size_t i = 0; i < nsp; i++) {
		struct strbuf p = STRBUF_INIT;
		f->parts[i].sp = sp[i];
		rejects_path(n->ctx->outdir, sp[i].lf.relpath, &p);
		rejects_init(&f->parts[i].rej, p.buf, sp[i].lf.relpath);
		strbuf_release(&p);
	}
	f->id = f->parts[nsp - 1].sp.lf.fileid;
	free(sp);
	strbuf_release(&key);
	return rc;
}

static void file_load_free(struct file_load *f)
{
	for (size_t i = 0; i < f->nparts; i++)
		rejects_free(&f->parts[i].rej);
	free(f->parts);
	covers_free(&f->cover);
	strbuf_release(&f->refuse);
	strbuf_release(&f->first_reject);
	strbuf_release(&f->why);
	strbuf_release(&f->valbuf);
	strbuf_release(&f->rowtext);
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
	f.rule = conf_match_input(&n->ctx->conf, lf->relpath, &f.nm);
	if ((rc = gather(n, &f, lf)) != 0) {
		file_load_free(&f);
		return rc < 0 ? -1 : 0;
	}
	for (size_t i = 0; i < f.nparts; i++) {
		digest_update(n->in, f.parts[i].sp.lf.relpath, strlen(f.parts[i].sp.lf.relpath) + 1);
		digest_update(n->in, f.parts[i].sp.lf.sha, sizeof(f.parts[i].sp.lf.sha));
	}
	if (!f.rule) {
		log_error("%s: no 'input' in %s names this file; not loaded",
			  lf->relpath, n->ctx->conf.path);
		rc = unload_file(n, f.id) ? -1 : 1;
	} else {
		rc = load_file(n, &f);
	}
	if (rc == 1 && record_unusable(n, &f))
		rc = -1;
	for (size_t i = 0; rc >= 0 && i < f.nparts; i++) {
		struct part *p = &f.parts[i];
		if (!p->rejhex[0] && rejects_finish(&p->rej, p->rejhex))
			rc = -1;
	}
	for (size_t i = 0; rc >= 0 && i < f.nparts; i++) {
		struct part *p = &f.parts[i];
		n->rows_read += p->rows_read;
		n->rows_loaded += p->rows_loaded;
		n->rows_rejected += p->rows_rejected;
		n->files_bad += rc == 1;
		n->files_superseded += rc == 2;
		if (p->rejhex[0])
			digest_update(n->out, p->rejhex, sizeof(p->rejhex));
		snprintf(num, sizeof(num), "%lu;%lu;%lu;%d", p->rows_read, p->rows_loaded,
			 p->rows_rejected, rc);
		digest_update(n->out, p->sp.lf.relpath, strlen(p->sp.lf.relpath) + 1);
		digest_update(n->out, num, strlen(num));
		log_verbose("%s: %lu rows read, %lu loaded, %lu rejected", p->sp.lf.relpath,
			    p->rows_read, p->rows_loaded, p->rows_rejected);
	}
	file_load_free(&f);
	return rc < 0 ? -1 : 0;
}

static void normalise_free(struct normalise *n)
{
	for (int i = 0; i < n->nschemas; i++)
		schema_free(&n->schemas[i]);
	free(n->schemas);
	for (size_t i = 0; i < n->nsets; i++)
		free(n->sets[i]);
	free(n->sets);
	free(n->swept);
	segsort_free(&n->sort);
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
		uint8_t seg[SEGMENT_LEN];
		uint64_t count;
		int seen = 0, loading;
		if (k.mv_size < FILEID_LEN ||
		    cover_value_parse(v.mv_data, v.mv_size, &loading, &count, seg) || !loading)
			continue;
		for (size_t i = 0; i < nids && !seen; i++)
			seen = !memcmp(ids[i], id, FILEID_LEN);
		if (!seen) {
			ids = xrealloc(ids, (nids + 1) * sizeof(*ids));
			memcpy(ids[nids++], id, FILEID_LEN);
			n->swept = xrealloc(n->swept, (n->nswept + 1) * sizeof(*n->swept));
			memcpy(n->swept[n->nswept].id, id, FILEID_LEN);
			memcpy(n->swept[n->nswept++].seg, seg, SEGMENT_LEN);
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

	segsort_init(&n.sort, ctx->conf.state, SEGSORT_RUN_BYTES);
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
