#include "match/recon.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/atomicfile.h"
#include "core/csvout.h"
#include "core/date.h"
#include "core/digest.h"
#include "core/exitcode.h"
#include "core/log.h"
#include "store/landed.h"
#include "store/ledger.h"
#include "store/segment.h"
#include "core/banned.h"

/* Each sorter's buffer: with strbuf's doubling from 64 bytes it stays 4 MiB. */
enum { RECON_SORT_BYTES = (4 << 20) - 64 };

int recon_begin(struct recon_out *r, const struct stage_ctx *ctx,
		const char *const *stores, int nstores)
{
	struct strbuf path = STRBUF_INIT;
	int rc;
	conf_sibling(&ctx->conf, "reconciliations.conf", &path);
	rc = reconconf_load(path.buf, &r->conf);
	strbuf_release(&path);
	if (rc)
		return EXIT_USAGE;
	if (!(r->def = reconconf_find(&r->conf, r->recon))) {
		log_error("%s: no 'recon %s': declare the reports it reads", r->conf.path,
			  r->recon);
		return EXIT_USAGE;
	}
	/* the stage `pipeline decide` tells to rerun is the one that writes it */
	if (strcmp(recon_stage(r->def, &path), ctx->name)) {
		log_error("%s: recon %s is written by stage %s, not %s: say 'stage %s' in its "
			  "section", r->conf.path, r->recon, path.buf, ctx->name, ctx->name);
		strbuf_release(&path);
		return EXIT_USAGE;
	}
	strbuf_release(&path);
	if (reconconf_check_stores(&r->conf, r->def, stores, nstores))
		return EXIT_USAGE;
	r->tmpdir = ctx->conf.state;
	/* bounded unless the stage reads the rows (or already added some) */
	if (!r->in_memory && !r->nsum && !r->nexc && !r->sort_sum) {
		r->sort_sum = xmalloc(sizeof(*r->sort_sum));
		r->sort_exc = xmalloc(sizeof(*r->sort_exc));
		segsort_init(r->sort_sum, r->tmpdir, RECON_SORT_BYTES);
		segsort_init(r->sort_exc, r->tmpdir, RECON_SORT_BYTES);
	}
	return 0;
}

void recon_inputs(struct recon_out *r, const char *store, const struct snapshot *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct recon_file *f;
		r->files = xgrow(r->files, &r->afiles, r->nfiles + 1, sizeof(*f));
		f = &r->files[r->nfiles++];
		f->store = store;
		memcpy(f->se, s->v[i].se, sizeof(f->se));
		f->month = s->v[i].month;
		memcpy(f->fileid, s->v[i].fileid, FILEID_LEN);
	}
}

/* FNV-1a of a row's place (se, month, key). */
static uint64_t place_hash(const char *se, int32_t month, const char *key)
{
	uint64_t h = 14695981039346656037u;
	for (const char *p = se; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211u;
	for (int i = 0; i < 4; i++)
		h = (h ^ (uint8_t)((uint32_t)month >> (8 * i))) * 1099511628211u;
	for (const char *p = key; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211u;
	return h;
}

/* The index slot of se, month and key: the row's (1 + row), or an empty one. */
static size_t *place_slot(const struct recon_out *r, const char *se, int32_t month,
			  const char *key)
{
	size_t mask = r->nsumidx - 1, i = (size_t)place_hash(se, month, key) & mask;
	for (;; i = (i + 1) & mask) {
		size_t row = r->sumidx[i];
		if (!row || (r->sum[row - 1].month == month && !strcmp(r->sum[row - 1].se, se) &&
			     !strcmp(r->sum[row - 1].key, key)))
			return &r->sumidx[i];
	}
}

/* (Re)builds the index for at least want rows, at most half full. */
static void index_rows(struct recon_out *r, size_t want)
{
	size_t n = 64;
	while (n < 2 * want)
		n *= 2;
	free(r->sumidx);
	r->sumidx = xcalloc(n, sizeof(*r->sumidx));
	r->nsumidx = n;
	for (size_t i = 0; i < r->nsum; i++) {
		size_t *slot = place_slot(r, r->sum[i].se, r->sum[i].month, r->sum[i].key);
		if (!*slot)	/* a stage's two rows of one place: the first */
			*slot = i + 1;
	}
}

/*
 * The sorters' rows (bounded mode). A key sorts as cmp_place() and
 * cmp_exc() do, bytewise (store/segment.h's segrow_*), and ends with the
 * order added, so equal ones keep it (as the stable qsort did):
 *   row        SE \0 MONTH KEY \0 SEQ
 *   exception  SE \0 MONTH KEY \0 CPR \0 CODE \0 REF \0 SEQ
 * (MONTH 4 bytes, SEQ 8, big-endian, the month's sign bit flipped), each
 * cut to its field's size as the in-memory rows are. A row's value is a
 * wish byte (1: recon_summary_ensure) and left, right, explained; an
 * exception's: see flush_pending().
 */
static void put_place(struct strbuf *k, const char *se, int32_t month, const char *key)
{
	char e[sizeof(((struct summary_row *)0)->se)], kk[sizeof(((struct summary_row *)0)->key)];
	xstrlcpy(e, se, sizeof(e));
	xstrlcpy(kk, key, sizeof(kk));
	segrow_put_str(k, e);
	segrow_put_be(k, (uint32_t)month ^ 0x80000000u, 4);
	segrow_put_str(k, kk);
}

static const char *get_place(const char **p, char se[9], int32_t *month)
{
	xstrlcpy(se, segrow_next_str(p), 9);
	*month = (int32_t)((uint32_t)segrow_get_be(p, 4) ^ 0x80000000u);
	return segrow_next_str(p);
}

static void sorted_row(struct recon_out *r, const char *se, int32_t month, const char *key,
		       int wish, money_t left, money_t right, money_t explained)
{
	struct strbuf k = STRBUF_INIT;
	char v[1 + 3 * sizeof(money_t)];
	put_place(&k, se, month, key);
	segrow_put_be(&k, r->seq++, 8);
	v[0] = (char)wish;
	memcpy(v + 1, &left, sizeof(left));
	memcpy(v + 1 + sizeof(left), &right, sizeof(right));
	memcpy(v + 1 + 2 * sizeof(left), &explained, sizeof(explained));
	if (segsort_add(r->sort_sum, 0, (const uint8_t *)k.buf, k.len, v, sizeof(v)))
		r->sort_failed = 1;	/* reported; recon_write() fails */
	strbuf_release(&k);
	r->nsum++;
}

void recon_summary(struct recon_out *r, const char *se, int32_t month,
		   const char *key, money_t left, money_t right, money_t explained)
{
	struct summary_row *s;
	if (r->sort_sum) {
		sorted_row(r, se, month, key, 0, left, right, explained);
		return;
	}
	r->sum = xgrow(r->sum, &r->asum, r->nsum + 1, sizeof(*s));
	s = &r->sum[r->nsum++];
	memset(s, 0, sizeof(*s));
	xstrlcpy(s->se, se, sizeof(s->se));
	s->month = month;
	xstrlcpy(s->key, key, sizeof(s->key));
	s->left = left;
	s->right = right;
	s->explained = explained;
	if (r->nsumidx) {	/* kept once recon_summary_ensure built it */
		size_t *slot;
		if (2 * r->nsum > r->nsumidx) {
			index_rows(r, r->nsum);
			return;
		}
		slot = place_slot(r, s->se, s->month, s->key);
		if (!*slot)
			*slot = r->nsum;
	}
}

void recon_summary_ensure(struct recon_out *r, const char *se, int32_t month,
			  const char *key)
{
	char k[sizeof(r->sum->key)], e[sizeof(r->sum->se)];
	if (r->sort_sum) {	/* decided in order by recon_write() */
		sorted_row(r, se, month, key, 1, 0, 0, 0);
		return;
	}
	/* the row stores se and key cut to its fields: look those up */
	xstrlcpy(k, key, sizeof(k));
	xstrlcpy(e, se, sizeof(e));
	if (!r->nsumidx)
		index_rows(r, r->nsum + 1);
	if (!*place_slot(r, e, month, k))
		recon_summary(r, se, month, key, 0, 0, 0);
}

/*
 * The pending exception, as the stage left it, into the sorter; its owned
 * texts are freed. Value: amount, left, right (host order), has_sides,
 * the static text's address, a byte of which texts follow (bit 0 the
 * note, bit 1 + x extra x), the account and those texts, each with its
 * NUL.
 */
static void flush_pending(struct recon_out *r)
{
	struct exception_row *e = &r->pending;
	struct strbuf k = STRBUF_INIT, v = STRBUF_INIT;
	uintptr_t text = (uintptr_t)e->text;
	uint16_t have = 0;
	if (!r->pending_on)
		return;
	put_place(&k, e->se, e->month, e->key);
	segrow_put_str(&k, e->cpr);
	segrow_put_str(&k, e->code);
	segrow_put_str(&k, e->ref);
	segrow_put_be(&k, r->seq++, 8);
	strbuf_add(&v, &e->amount, sizeof(e->amount));
	strbuf_add(&v, &e->left, sizeof(e->left));
	strbuf_add(&v, &e->right, sizeof(e->right));
	strbuf_addch(&v, (char)e->has_sides);
	strbuf_add(&v, &text, sizeof(text));
	have = e->note ? 1 : 0;
	for (int x = 0; x < RECON_MAX_EXTRA; x++)
		have |= e->extra[x] ? (uint16_t)(2u << x) : 0;
	strbuf_add(&v, &have, sizeof(have));
	segrow_put_str(&v, e->account);
	if (e->note)
		segrow_put_str(&v, e->note);
	for (int x = 0; x < RECON_MAX_EXTRA; x++)
		if (e->extra[x])
			segrow_put_str(&v, e->extra[x]);
	if (segsort_add(r->sort_exc, 0, (const uint8_t *)k.buf, k.len, v.buf, v.len))
		r->sort_failed = 1;	/* reported; recon_write() fails */
	strbuf_release(&k);
	strbuf_release(&v);
	free(e->note);
	for (int x = 0; x < RECON_MAX_EXTRA; x++)
		free(e->extra[x]);
	memset(e, 0, sizeof(*e));
	r->pending_on = 0;
}

/* A sorted exception back: texts point into the row (valid while it is). */
static void get_exception(const uint8_t *key, const void *val, struct exception_row *e)
{
	const char *k = (const char *)key, *v = val;
	uintptr_t text;
	uint16_t have;
	memset(e, 0, sizeof(*e));
	xstrlcpy(e->key, get_place(&k, e->se, &e->month), sizeof(e->key));
	xstrlcpy(e->cpr, segrow_next_str(&k), sizeof(e->cpr));
	e->code = segrow_next_str(&k);
	xstrlcpy(e->ref, segrow_next_str(&k), sizeof(e->ref));
	memcpy(&e->amount, v, sizeof(e->amount));
	memcpy(&e->left, v + 8, sizeof(e->left));
	memcpy(&e->right, v + 16, sizeof(e->right));
	e->has_sides = v[24];
	memcpy(&text, v + 25, sizeof(text));
	e->text = (const char *)text;
	v += 25 + sizeof(text);
	memcpy(&have, v, sizeof(have));
	v += sizeof(have);
	xstrlcpy(e->account, segrow_next_str(&v), sizeof(e->account));
	if (have & 1)
		e->note = (char *)segrow_next_str(&v);
	for (int x = 0; x < RECON_MAX_EXTRA; x++)
		if (have & (2u << x))
			e->extra[x] = (char *)segrow_next_str(&v);
}

static void count_code(struct recon_out *r, const char *code)
{
	size_t i = 0;
	while (i < r->ncodes && r->codes[i].code != code && strcmp(r->codes[i].code, code))
		i++;
	if (i == r->ncodes) {
		r->codes = xgrow(r->codes, &r->acodes, r->ncodes + 1, sizeof(*r->codes));
		r->codes[r->ncodes].code = code;
		r->codes[r->ncodes++].n = 0;
	}
	r->codes[i].n++;
}

uint64_t recon_code_count(const struct recon_out *r, const char *code)
{
	for (size_t i = 0; i < r->ncodes; i++)
		if (!strcmp(r->codes[i].code, code))
			return r->codes[i].n;
	return 0;
}

struct exception_row *recon_exception(struct recon_out *r, const char *se,
				      int32_t month, const char *key, const char *cpr,
				      money_t amount, const char *code, const char *text)
{
	struct exception_row *e;
	count_code(r, code);
	if (r->sort_exc) {
		flush_pending(r);
		e = &r->pending;
		r->pending_on = 1;
		r->nexc++;
	} else {
		r->exc = xgrow(r->exc, &r->aexc, r->nexc + 1, sizeof(*e));
		e = &r->exc[r->nexc++];
	}
	memset(e, 0, sizeof(*e));
	xstrlcpy(e->se, se, sizeof(e->se));
	e->month = month;
	xstrlcpy(e->key, key, sizeof(e->key));
	xstrlcpy(e->cpr, cpr ? cpr : "", sizeof(e->cpr));
	e->amount = amount;
	e->code = code;
	e->text = text;
	return e;
}

void recon_note(struct exception_row *e, const char *fmt, ...)
{
	struct strbuf s = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&s, fmt, ap);
	va_end(ap);
	free(e->note);
	e->note = strbuf_detach(&s);
}

void recon_extra(struct exception_row *e, int i, const char *value)
{
	free(e->extra[i]);
	e->extra[i] = xstrdup(value);
}

/* Rows and exceptions by SE, month, key: the place a row stands. */
static int cmp_place(const char *se1, int32_t m1, const char *k1,
		     const char *se2, int32_t m2, const char *k2)
{
	int c = strcmp(se1, se2);
	if (!c)
		c = (m1 > m2) - (m1 < m2);
	return c ? c : strcmp(k1, k2);
}

static int cmp_sum(const void *a, const void *b)
{
	const struct summary_row *x = a, *y = b;
	return cmp_place(x->se, x->month, x->key, y->se, y->month, y->key);
}

static int cmp_exc(const void *a, const void *b)
{
	const struct exception_row *x = a, *y = b;
	int c = cmp_place(x->se, x->month, x->key, y->se, y->month, y->key);
	if (!c)
		c = strcmp(x->cpr, y->cpr);
	if (!c)
		c = strcmp(x->code, y->code);
	return c ? c : strcmp(x->ref, y->ref);
}

/*
 * Whether the stage read a file of a report line for se (and month, by
 * its scope); se "" (the INGEN-DATA row): for any SE and month.
 */
static int had(const struct recon_out *r, const struct recon_report *rep, const char *se,
	       int32_t month)
{
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct recon_file *f = &r->files[i];
		if (!strcmp(f->store, rep->store) && (!*se || !strcmp(f->se, se)) &&
		    (!*se || rep->scope == SCOPE_ANY || f->month == month))
			return 1;
	}
	return 0;
}

/* v (øre, >= 0) as much of u as it covers, with u's sign. */
static money_t covered(money_t v, money_t u)
{
	return u > 0 ? (v < u ? v : u) : -(v < -u ? v : -u);
}

static const char *const status_word[] = { RECON_OK, RECON_EXPLAINED, RECON_BREAK,
					    RECON_MISSING };
enum { ST_OK, ST_EXPLAINED, ST_BREAK, ST_MISSING };

static void exception_id(const char *recon, struct exception_row *e)
{
	struct strbuf s = STRBUF_INIT;
	char hex[DIGEST_HEXSZ];
	strbuf_addf(&s, "%s|%s|%d|%s|%s|%s", recon, e->se, (int)e->month, e->key,
		    e->cpr, e->code);
	if (e->ref[0])
		strbuf_addf(&s, "|%s", e->ref);
	digest_buf(s.buf, s.len, hex);
	memcpy(e->id, hex, 16);
	e->id[16] = '\0';
	strbuf_release(&s);
}

/* The first night the break was seen: the earliest of the stored and this one. */
static int first_seen(struct store *st, MDB_txn *txn, struct exception_row *e,
		      int32_t night)
{
	MDB_val k = { 16, e->id }, v;
	char d[DATE_BUFSZ];
	int32_t stored;
	int rc = mdb_get(txn, st->breaks, &k, &v);
	if (rc && rc != MDB_NOTFOUND)
		return store_fail("breaks", rc);
	if (rc == 0 && v.mv_size == 10) {
		memcpy(d, v.mv_data, 10);
		d[10] = '\0';
		if (day_parse_iso(d, &stored) == 0 && stored <= night) {
			e->first_seen = stored;
			return 0;
		}
	}
	e->first_seen = night;
	day_format(night, d);
	v.mv_size = 10;
	v.mv_data = d;
	rc = mdb_put(txn, st->breaks, &k, &v, 0);
	return rc ? store_fail("breaks", rc) : 0;
}

static void money_field(struct strbuf *l, money_t v, int blank, int last)
{
	char b[MONEY_BUFSZ];
	csvout_str(l, blank ? "" : money_format(v, b), last);
}

/* The first report line of a store: its label, and required if any line is. */
static const struct recon_report *store_line(const struct recon_def *d, int k, int *required)
{
	const struct recon_report *first = NULL;
	*required = 0;
	for (int i = 0; i < d->nreports; i++)
		if (!strcmp(d->reports[i].store, d->reports[k].store)) {
			if (!first)
				first = &d->reports[i];
			*required |= d->reports[i].need == NEED_REQUIRED;
		}
	return first;
}

static int store_any(const struct recon_def *d, const char *store)
{
	for (int i = 0; i < d->nreports; i++)
		if (!strcmp(d->reports[i].store, store) && d->reports[i].scope == SCOPE_ANY)
			return 1;
	return 0;
}

struct input_line {
	char file[512], night[16], sha[DIGEST_HEXSZ];
	uint8_t fileid[FILEID_LEN];
};

static int cmp_input(const void *a, const void *b)
{
	const struct input_line *x = a, *y = b;
	int c = strcmp(x->file, y->file);
	if (!c)
		c = strcmp(x->night, y->night);
	return c ? c : strcmp(x->sha, y->sha);
}

/* The files of one store for one place of the summary, sorted and once each. */
static int place_files(struct recon_out *r, struct store *st, MDB_txn *txn, const char *store,
		       const char *se, int32_t month, struct input_line **out, size_t *n)
{
	struct strbuf props = STRBUF_INIT, v = STRBUF_INIT;
	size_t alloc = 0;
	int any = !*se || store_any(r->def, store), rc = 0;
	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < r->nfiles && !rc; i++) {
		const struct recon_file *f = &r->files[i];
		struct input_line *l;
		char night[11];
		int dup = 0;
		if (strcmp(f->store, store) || (*se && strcmp(f->se, se)) ||
		    (!any && f->month != month))
			continue;
		for (size_t j = 0; j < *n && !dup; j++)
			dup = !memcmp((*out)[j].fileid, f->fileid, FILEID_LEN);
		if (dup)
			continue;
		strbuf_reset(&props);
		if (file_props_get(st, txn, f->fileid, &props)) {
			log_error("internal: a file the stage read has no files record");
			rc = -1;
			break;
		}
		*out = xgrow(*out, &alloc, *n + 1, sizeof(**out));
		l = &(*out)[(*n)++];
		memset(l, 0, sizeof(*l));
		memcpy(l->fileid, f->fileid, FILEID_LEN);
		xstrlcpy(l->file, props_get(&props, "relpath", &v) ? v.buf : "", sizeof(l->file));
		xstrlcpy(l->night, props_get(&props, "night", &v) ? v.buf : "", sizeof(l->night));
		/* the night whose landing the archive finds it by, not always its
		 * first (store/landed.h); none (a load in progress): its first */
		if ((rc = landed_night(st, txn, l->file, f->fileid, l->night, night)) < 0)
			break;
		if (rc == 0)
			xstrlcpy(l->night, night, sizeof(l->night));
		rc = 0;
		xstrlcpy(l->sha, props_get(&props, "sha", &v) ? v.buf : "", sizeof(l->sha));
	}
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_input);
	strbuf_release(&props);
	strbuf_release(&v);
	return rc;
}

static void input_row(struct strbuf *out, const struct recon_out *r, const char *se,
		      const char *month, const struct recon_report *rep, int required,
		      const struct input_line *l)
{
	csvout_str(out, r->recon, 0);
	csvout_str(out, se, 0);
	csvout_str(out, month, 0);
	csvout_str(out, rep->label, 0);
	csvout_str(out, rep->store, 0);
	csvout_str(out, required ? "required" : "optional", 0);
	csvout_str(out, l ? "had" : "missing", 0);
	csvout_str(out, l ? l->file : "", 0);
	csvout_str(out, l ? l->night : "", 0);
	csvout_str(out, l ? l->sha : "", 1);
}

static int write_out(struct stage_ctx *ctx, const char *dir, const char *recon,
		     const struct strbuf *text, struct digest_ctx *d)
{
	struct strbuf rel = STRBUF_INIT, path = STRBUF_INIT;
	int rc;
	strbuf_addf(&rel, "%s/%s.csv", dir, recon);
	stage_out_path(ctx, rel.buf, &path);
	rc = atomic_write(path.buf, text->buf, text->len, 0640);
	digest_update(d, text->buf, text->len);
	strbuf_release(&rel);
	strbuf_release(&path);
	return rc;
}

struct earlier {
	const char *stage, *night;
	int found;
};

static int earlier_data(const char *night, const char *stage, const struct ledger_entry *e,
			void *data)
{
	struct earlier *q = data;
	if (!strcmp(stage, q->stage) && strcmp(night, q->night) < 0 &&
	    !strcmp(e->state, "done") && e->rows_out > 0)
		q->found = 1;
	return 0;
}

/* Whether the stage wrote comparisons on an earlier night: its reports are expected. */
static int expected(struct stage_ctx *ctx, MDB_txn *txn)
{
	struct earlier q = { ctx->name, ctx->opts.date, 0 };
	if (ledger_each(&ctx->store, txn, NULL, earlier_data, &q) < 0)
		return -1;
	return q.found;
}

struct history {
	struct strbuf *out;
	int32_t night;
	size_t n;
};

static int history_row(const struct decision *dc, void *data)
{
	struct history *h = data;
	char b[DATE_BUFSZ], num[16];
	if (dc->night > h->night)
		return 0;	/* taken on a later night: not this night's */
	snprintf(num, sizeof(num), "%u", (unsigned)dc->seq);
	csvout_str(h->out, dc->id, 0);
	csvout_str(h->out, num, 0);
	csvout_str(h->out, day_format(dc->night, b), 0);
	csvout_str(h->out, dc->decision, 0);
	csvout_str(h->out, dc->by, 0);
	csvout_str(h->out, dc->at, 0);
	csvout_str(h->out, strbuf_str(&dc->note), 0);
	money_field(h->out, dc->amount, 0, 1);
	h->n++;
	return 0;
}

/* Removes a file an earlier run of the night wrote (its decisions are gone). */
static int remove_stale(struct stage_ctx *ctx, const char *dir, const char *recon)
{
	struct strbuf rel = STRBUF_INIT, path = STRBUF_INIT;
	int rc = 0;
	strbuf_addf(&rel, "%s/%s.csv", dir, recon);
	stage_out_path(ctx, rel.buf, &path);
	if (unlink(path.buf) && errno != ENOENT) {
		log_error("unable to remove %s: %s", path.buf, strerror(errno));
		rc = -1;
	}
	strbuf_release(&rel);
	strbuf_release(&path);
	return rc;
}

/* ---- recon_write: the rows in bounded memory ---- */

/*
 * A spool: records written once in order, then read back from the start
 * (as often as needed). In memory up to limit bytes, then in an unlinked
 * file in dir (0600) through stdio's buffer.
 */
struct spool {
	const char *dir;
	size_t limit;
	struct strbuf mem;
	FILE *fp;		/* once spilled */
	size_t rd;		/* reading mem: the next record's offset */
	struct strbuf rec;	/* the record read last */
	int failed;
};

static FILE *spool_file(const char *dir)
{
	struct strbuf p = STRBUF_INIT;
	FILE *fp;
	int fd = -1;
#ifdef O_TMPFILE
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
	if (fd < 0) {	/* no O_TMPFILE here: a name, unlinked at once */
		strbuf_addf(&p, "%s/.recon-XXXXXX", dir);
		fd = mkstemp(p.buf);
		if (fd >= 0)
			unlink(p.buf);
	}
	fp = fd < 0 ? NULL : fdopen(fd, "w+");
	if (!fp) {
		log_error("unable to create a spool file in %s: %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	strbuf_release(&p);
	return fp;
}

static void spool_put(struct spool *sp, const void *data, size_t len)
{
	uint32_t l = (uint32_t)len;
	if (sp->failed)
		return;
	if (!sp->fp && sp->mem.len && sp->mem.len + sizeof(l) + len > sp->limit) {
		if (!(sp->fp = spool_file(sp->dir)) ||
		    fwrite(sp->mem.buf, 1, sp->mem.len, sp->fp) != sp->mem.len) {
			sp->failed = 1;
			return;
		}
		strbuf_release(&sp->mem);
	}
	if (sp->fp) {
		if (fwrite(&l, sizeof(l), 1, sp->fp) != 1 ||
		    (len && fwrite(data, 1, len, sp->fp) != len))
			sp->failed = 1;
		return;
	}
	strbuf_add(&sp->mem, &l, sizeof(l));
	strbuf_add(&sp->mem, data, len);
}

/* To the first record. 0, or -1 reported. */
static int spool_rewind(struct spool *sp)
{
	sp->rd = 0;
	if (!sp->failed && sp->fp && (fflush(sp->fp) || fseeko(sp->fp, 0, SEEK_SET)))
		sp->failed = 1;
	if (sp->failed)
		log_error("unable to write a spool file in %s: %s", sp->dir,
			  errno ? strerror(errno) : "short write");
	return sp->failed ? -1 : 0;
}

/* The next record into sp->rec: 1, 0 at the end, -1 reported. */
static int spool_next(struct spool *sp)
{
	uint32_t l;
	strbuf_reset(&sp->rec);
	if (!sp->fp) {
		if (sp->rd >= sp->mem.len)
			return 0;
		memcpy(&l, sp->mem.buf + sp->rd, sizeof(l));
		strbuf_add(&sp->rec, sp->mem.buf + sp->rd + sizeof(l), l);
		sp->rd += sizeof(l) + l;
		return 1;
	}
	if (fread(&l, sizeof(l), 1, sp->fp) != 1) {
		if (ferror(sp->fp)) {
			log_error("unable to read a spool file in %s: %s", sp->dir, strerror(errno));
			return -1;
		}
		return 0;
	}
	strbuf_grow(&sp->rec, l + 1);
	if (l && fread(sp->rec.buf, 1, l, sp->fp) != l) {
		log_error("unable to read a spool file in %s: short read", sp->dir);
		return -1;
	}
	sp->rec.len = l;
	sp->rec.buf[l] = '\0';
	return 1;
}

static void spool_free(struct spool *sp)
{
	if (sp->fp)
		fclose(sp->fp);
	strbuf_release(&sp->mem);
	strbuf_release(&sp->rec);
	memset(sp, 0, sizeof(*sp));
}

/* An SE and month of the exceptions: its breaks, and those decided (for a 'total' row). */
struct exc_group {
	char se[9];
	int32_t month;
	uint64_t listed, decided;
};

/* An SE and month of the rows, after the status rule: for its 'total' rows. */
struct row_group {
	char se[9];
	int32_t month;
	int worst;		/* the worst status of its rows (rank()) */
	money_t below;		/* what moved to explained in its rows that are no total */
};

/* An exception with a decision for the night (store/decisions.h): few, a clerk's work. */
struct decided_exc {
	char id[17];
	money_t amount;
	struct decision d;
	int decided;		/* 1: it explains on tonight's amount */
	char se[9], key[64];
	int32_t month;
	char *code;
};

struct writer {
	struct recon_out *r;
	struct stage_ctx *ctx;
	MDB_txn *txn;
	struct strbuf line;
	/* the exceptions' pass */
	MDB_dbi dbi;
	int has_dbi;
	struct decision dc;
	struct atomic_file exc;
	int exc_open;
	struct spool xs;	/* per exception: MONTH AMOUNT DECIDED SE \0 KEY \0 CODE \0 */
	struct exc_group *eg;
	size_t neg, aeg;
	struct decided_exc *dec;
	size_t ndec, adec, nparents;
	/* the rows' pass */
	struct spool rs;	/* per row: see row_in() */
	struct row_group *rg;
	size_t nrg, arg;
	char last_se[9], last_key[64];
	int32_t last_month;
	int have_last;
	uint64_t place_listed, place_decided;	/* the place's breaks, decided breaks */
	size_t ge;		/* the exception group at or after the rows' */
	uint32_t had;		/* bit k: the group's SE and month had report line k */
	int xs_on;		/* xs.rec holds an exception not yet taken */
	const char *x_se, *x_key, *x_code;
	int32_t x_month;
	money_t x_amount;
	int x_decided;
	uint64_t written;	/* rows */
};

static void exception_line(const struct recon_out *r, const struct exception_row *e,
			   int32_t night, struct strbuf *out)
{
	char m[DATE_BUFSZ], num[32];
	struct strbuf reason = STRBUF_INIT;
	strbuf_addf(&reason, "%s: %s", e->code, e->text);
	if (e->note)
		strbuf_addf(&reason, " (%s)", e->note);
	csvout_str(out, e->id, 0);
	csvout_str(out, r->recon, 0);
	csvout_str(out, e->se, 0);
	csvout_str(out, month_format(e->month, m), 0);
	csvout_str(out, e->key, 0);
	csvout_str(out, e->cpr, 0);
	money_field(out, e->amount, 0, 0);
	csvout_str(out, reason.buf, 0);
	csvout_str(out, day_format(e->first_seen, m), 0);
	snprintf(num, sizeof(num), "%lld",
		 (long long)(day_number(night) - day_number(e->first_seen)));
	csvout_str(out, num, 0);
	money_field(out, e->left, !e->has_sides, 0);
	money_field(out, e->right, !e->has_sides, !r->with_account && !r->nextra);
	if (r->with_account)
		csvout_str(out, e->account, !r->nextra);
	for (int x = 0; x < r->nextra; x++)
		csvout_str(out, e->extra[x] ? e->extra[x] : "", x == r->nextra - 1);
	strbuf_release(&reason);
}

/* OUT/DATE/DIR/RECON.csv, open under its temporary name. */
static int open_out(struct writer *w, const char *dir, struct atomic_file *af)
{
	struct strbuf rel = STRBUF_INIT, path = STRBUF_INIT;
	int rc;
	strbuf_addf(&rel, "%s/%s.csv", dir, w->r->recon);
	stage_out_path(w->ctx, rel.buf, &path);
	rc = atomic_open(af, path.buf, 0640);
	strbuf_release(&rel);
	strbuf_release(&path);
	return rc;
}

/*
 * One exception, in order (cmp_exc): its id, the decision that applies
 * tonight, its first-seen night, its line; what the rows need of it to xs.
 */
static int exc_in(struct writer *w, struct exception_row *e)
{
	struct recon_out *r = w->r;
	int32_t night = w->ctx->night;
	int decided = 0, rc;
	struct exc_group *g;
	exception_id(r->recon, e);
	if (w->has_dbi) {
		if ((rc = decisions_effective(w->txn, w->dbi, e->id, night, &w->dc)) < 0)
			return -1;
		if (rc == 0) {
			struct decided_exc *x;
			w->dec = xgrow(w->dec, &w->adec, w->ndec + 1, sizeof(*w->dec));
			x = &w->dec[w->ndec++];
			memset(x, 0, sizeof(*x));
			memcpy(x->id, e->id, sizeof(x->id));
			x->amount = e->amount;
			x->d = w->dc;	/* its note's buffer moves with it */
			decision_init(&w->dc);
			decided = x->decided = decision_explains(x->d.decision) &&
					       x->d.amount == e->amount;
			memcpy(x->se, e->se, sizeof(x->se));
			memcpy(x->key, e->key, sizeof(x->key));
			x->month = e->month;
			x->code = xstrdup(e->code);
			w->nparents += (size_t)decided;
		}
	}
	if (first_seen(&w->ctx->store, w->txn, e, night))
		return -1;
	strbuf_reset(&w->line);
	exception_line(r, e, night, &w->line);
	fwrite(w->line.buf, 1, w->line.len, w->exc.fp);
	g = w->neg ? &w->eg[w->neg - 1] : NULL;
	if (!g || g->month != e->month || strcmp(g->se, e->se)) {
		w->eg = xgrow(w->eg, &w->aeg, w->neg + 1, sizeof(*w->eg));
		g = &w->eg[w->neg++];
		memset(g, 0, sizeof(*g));
		memcpy(g->se, e->se, sizeof(g->se));
		g->month = e->month;
	}
	if (recon_code_role(r->def, e->code, NULL) != EXC_EXPLAINS) {
		g->listed++;
		g->decided += (uint64_t)decided;
	}
	strbuf_reset(&w->line);
	strbuf_add(&w->line, &e->month, sizeof(e->month));
	strbuf_add(&w->line, &e->amount, sizeof(e->amount));
	strbuf_addch(&w->line, (char)decided);
	segrow_put_str(&w->line, e->se);
	segrow_put_str(&w->line, e->key);
	segrow_put_str(&w->line, e->code);
	spool_put(&w->xs, w->line.buf, w->line.len);
	return 0;
}

static int exc_sorted(int store, const uint8_t *key, size_t klen, const void *val, size_t vlen,
		      void *data)
{
	struct exception_row e;
	(void)store;
	(void)klen;
	(void)vlen;
	get_exception(key, val, &e);
	return exc_in(data, &e) ? -1 : 0;
}

/*
 * A detail (conf 'detail') is decided with the break it details: a
 * decided exception of the parent code, same SE and month, under the
 * detail's key or the one conf names.
 */
static int detail_decided(const struct writer *w, const char *se, int32_t month,
			  const char *key, const char *code)
{
	const struct recon_detail *det;
	if (!w->nparents || recon_code_role(w->r->def, code, &det) != EXC_DETAIL || !det)
		return 0;
	for (size_t j = 0; j < w->ndec; j++) {
		const struct decided_exc *p = &w->dec[j];
		if (p->decided && p->month == month && !strcmp(p->se, se) &&
		    !strcmp(p->key, det->key ? det->key : key) &&
		    (!strcmp(det->parent, "*") ? recon_code_role(w->r->def, p->code, NULL) ==
		     EXC_BREAK : !strcmp(p->code, det->parent)))
			return 1;
	}
	return 0;
}

/* The next exception of xs into w->x_*: 1, 0 none left, -1 reported. */
static int xs_read(struct writer *w)
{
	const char *p;
	int rc = spool_next(&w->xs);
	w->xs_on = rc > 0;
	if (rc <= 0)
		return rc;
	p = w->xs.rec.buf;
	memcpy(&w->x_month, p, sizeof(w->x_month));
	memcpy(&w->x_amount, p + 4, sizeof(w->x_amount));
	w->x_decided = p[12];
	p += 13;
	w->x_se = segrow_next_str(&p);
	w->x_key = segrow_next_str(&p);
	w->x_code = segrow_next_str(&p);
	if (!w->x_decided && detail_decided(w, w->x_se, w->x_month, w->x_key, w->x_code))
		w->x_decided = 2;
	return 1;
}

/* The details decided with their parent, counted in their SE and month (a second read). */
static int count_details(struct writer *w)
{
	size_t g = 0;
	int rc;
	if (!w->nparents)
		return 0;
	if (spool_rewind(&w->xs))
		return -1;
	while ((rc = xs_read(w)) > 0) {
		if (w->x_decided != 2)
			continue;
		while (g < w->neg && (w->eg[g].month != w->x_month || strcmp(w->eg[g].se, w->x_se)))
			g++;
		if (g < w->neg)
			w->eg[g].decided++;
	}
	return rc;
}

static int cmp_group(const char *se1, int32_t m1, const char *se2, int32_t m2)
{
	int c = strcmp(se1, se2);
	return c ? c : (m1 > m2) - (m1 < m2);
}

/* A new SE and month of the rows: its group, the exceptions' and what it had. */
static void row_group(struct writer *w, const struct summary_row *s)
{
	struct recon_out *r = w->r;
	struct row_group *g;
	w->rg = xgrow(w->rg, &w->arg, w->nrg + 1, sizeof(*w->rg));
	g = &w->rg[w->nrg++];
	memset(g, 0, sizeof(*g));
	memcpy(g->se, s->se, sizeof(g->se));
	g->month = s->month;
	while (w->ge < w->neg && cmp_group(w->eg[w->ge].se, w->eg[w->ge].month, s->se, s->month) < 0)
		w->ge++;
	w->had = 0;
	for (int k = 0; k < r->def->nreports; k++)
		if (r->def->reports[k].need == NEED_REQUIRED && had(r, &r->def->reports[k], s->se,
								     s->month))
			w->had |= 1u << k;
}

/*
 * One row, in order (cmp_sum), with the exceptions of its place: the
 * status rule of recon.h but for what a 'total' row takes from its SE
 * and month (row_out()); to rs. A wish (recon_summary_ensure) is a row of
 * zeros when it comes first at its place, else nothing. 0, or -1
 * (reported: a bug of the stage).
 */
static int row_in(struct writer *w, struct summary_row *s, int wish)
{
	struct recon_out *r = w->r;
	int same = w->have_last && !cmp_place(s->se, s->month, s->key, w->last_se,
					      w->last_month, w->last_key);
	money_t unexplained = s->left - s->right - s->explained, decided_amount = 0, moved = 0;
	int open = 0, any = 0, decided = 0, total, k, rc;
	const struct exc_group *eg;
	struct row_group *g;
	uint8_t flags[4];
	if (wish && same)
		return 0;
	if (!w->nrg || cmp_group(s->se, s->month, w->rg[w->nrg - 1].se,
				 w->rg[w->nrg - 1].month))
		row_group(w, s);
	g = &w->rg[w->nrg - 1];
	eg = w->ge < w->neg && !cmp_group(w->eg[w->ge].se, w->eg[w->ge].month, s->se, s->month) ?
		&w->eg[w->ge] : NULL;
	if (!same) {
		memcpy(w->last_se, s->se, sizeof(w->last_se));
		memcpy(w->last_key, s->key, sizeof(w->last_key));
		w->last_month = s->month;
		w->have_last = 1;
		w->place_listed = w->place_decided = 0;
		if (w->xs_on && cmp_place(w->x_se, w->x_month, w->x_key, s->se, s->month,
					  s->key) < 0) {
			log_error("internal: %s: exception %s %s %06d %s has no summary row",
				  r->recon, w->x_code, w->x_se, (int)w->x_month, w->x_key);
			return -1;
		}
		while (w->xs_on && !cmp_place(w->x_se, w->x_month, w->x_key, s->se, s->month,
					      s->key)) {
			int breaks = recon_code_role(r->def, w->x_code, NULL) != EXC_EXPLAINS;
			any = 1;
			open |= breaks && !w->x_decided;
			decided |= breaks && w->x_decided;
			w->place_listed += (uint64_t)breaks;
			w->place_decided += (uint64_t)(breaks && w->x_decided);
			/* a detail decided with its parent is the parent's money */
			if (breaks && w->x_decided == 1)
				decided_amount += w->x_amount < 0 ? -w->x_amount : w->x_amount;
			if ((rc = xs_read(w)) < 0)
				return -1;
		}
	}
	for (k = 0; k < r->def->nreports; k++) {
		const struct recon_report *rep = &r->def->reports[k];
		if (rep->need != NEED_REQUIRED || (w->had & (1u << k)) ||
		    !recon_report_applies(rep, s->key))
			continue;
		s->missing |= 1u << k;
		s->blank_left |= rep->side == SIDE_LEFT || rep->side == SIDE_BOTH;
		s->blank_right |= rep->side == SIDE_RIGHT || rep->side == SIDE_BOTH;
	}
	r->missing_any |= s->missing;
	total = recon_is_total(r->def, s->key);
	/* a 'total' row's rest: covered by a decided break, listed by an open
	 * one, in a row it adds up (its SE and month but not its place) */
	if (!decided && total)
		decided = eg && eg->decided > w->place_decided;
	if (s->missing)
		k = ST_MISSING;
	else if (open || (unexplained && !decided))
		k = ST_BREAK;
	else if (s->left != s->right || s->explained || any)
		k = ST_EXPLAINED;
	else
		k = ST_OK;
	if (!s->missing && unexplained && !open && !decided &&
	    !(total && eg && eg->listed > w->place_listed)) {
		log_error("internal: %s %s %06d %s is a BREAK without an exception",
			  r->recon, s->se, (int)s->month, s->key);
		return -1;
	}
	if (!s->missing && decided && !total)
		moved = open ? covered(decided_amount, unexplained) : unexplained;
	else if (!s->missing && decided_amount)
		moved = decided_amount;	/* a total's own: covered there */
	if (k > g->worst)
		g->worst = k;
	if (!total)
		g->below += moved;
	strbuf_reset(&w->line);
	strbuf_add(&w->line, &s->month, sizeof(s->month));
	strbuf_add(&w->line, &s->left, sizeof(s->left));
	strbuf_add(&w->line, &s->right, sizeof(s->right));
	strbuf_add(&w->line, &s->explained, sizeof(s->explained));
	strbuf_add(&w->line, &moved, sizeof(moved));
	strbuf_add(&w->line, &s->missing, sizeof(s->missing));
	flags[0] = (uint8_t)k;
	flags[1] = (uint8_t)s->blank_left;
	flags[2] = (uint8_t)s->blank_right;
	flags[3] = (uint8_t)total;
	strbuf_add(&w->line, flags, sizeof(flags));
	segrow_put_str(&w->line, s->se);
	segrow_put_str(&w->line, s->key);
	spool_put(&w->rs, w->line.buf, w->line.len);
	w->written++;
	return 0;
}

static int row_sorted(int store, const uint8_t *key, size_t klen, const void *val, size_t vlen,
		      void *data)
{
	struct summary_row s;
	const char *k = (const char *)key, *v = val;
	(void)store;
	(void)klen;
	(void)vlen;
	memset(&s, 0, sizeof(s));
	xstrlcpy(s.key, get_place(&k, s.se, &s.month), sizeof(s.key));
	memcpy(&s.left, v + 1, sizeof(s.left));
	memcpy(&s.right, v + 1 + sizeof(money_t), sizeof(s.right));
	memcpy(&s.explained, v + 1 + 2 * sizeof(money_t), sizeof(s.explained));
	return row_in(data, &s, v[0]) ? -1 : 0;
}

static void summary_line(const struct recon_out *r, const struct summary_row *s,
			 struct strbuf *out)
{
	char m[DATE_BUFSZ];
	money_t diff = s->left - s->right;
	int blank = s->blank_left || s->blank_right;
	int none = r->no_data;	/* the INGEN-DATA row: nothing to show */
	csvout_str(out, r->recon, 0);
	csvout_str(out, s->se, 0);
	csvout_str(out, month_format(s->month, m), 0);
	csvout_str(out, s->key, 0);
	money_field(out, s->left, s->blank_left || none, 0);
	money_field(out, s->right, s->blank_right || none, 0);
	money_field(out, diff, blank || none, 0);
	money_field(out, s->explained, none, 0);
	money_field(out, diff - s->explained, blank || none || s->missing, 0);
	csvout_str(out, s->status, 1);
}

/* The lines of inputs/RECON.csv for an SE and month of the summary. */
static int inputs_lines(struct recon_out *r, struct store *st, MDB_txn *txn, const char *se,
			int32_t month, struct strbuf *out)
{
	char m[DATE_BUFSZ];
	month_format(month, m);
	for (int k = 0; k < r->def->nreports; k++) {
		const struct recon_report *rep;
		struct input_line *l;
		size_t n;
		int required;
		if (store_line(r->def, k, &required) != &r->def->reports[k])
			continue;	/* a store's later line: listed with its first */
		rep = &r->def->reports[k];
		if (place_files(r, st, txn, rep->store, se, month, &l, &n))
			return -1;
		if (!n)
			input_row(out, r, se, m, rep, required, NULL);
		for (size_t j = 0; j < n; j++)
			input_row(out, r, se, m, rep, required, &l[j]);
		free(l);
	}
	return 0;
}

/* One line of the summary (and the inputs of a new SE and month), digested into d. */
static int row_out(struct writer *w, struct summary_row *s, FILE *fp, struct digest_ctx *d,
		   struct strbuf *in)
{
	struct recon_out *r = w->r;
	strbuf_reset(&w->line);
	summary_line(r, s, &w->line);
	fwrite(w->line.buf, 1, w->line.len, fp);
	digest_update(d, w->line.buf, w->line.len);
	if (!w->have_last || cmp_group(s->se, s->month, w->last_se, w->last_month)) {
		memcpy(w->last_se, s->se, sizeof(w->last_se));
		w->last_month = s->month;
		w->have_last = 1;
		return inputs_lines(r, &w->ctx->store, w->txn, s->se, s->month, in);
	}
	return 0;
}

/*
 * The rows of rs to the summary: a 'total' row takes what moved in the
 * rows it adds up (issue 19) and is never better than the worst of them.
 */
static int rows_out(struct writer *w, FILE *fp, struct digest_ctx *d, struct strbuf *in)
{
	struct recon_out *r = w->r;
	size_t g = 0;
	int rc;
	if (spool_rewind(&w->rs))
		return -1;
	w->have_last = 0;
	while ((rc = spool_next(&w->rs)) > 0) {
		const char *p = w->rs.rec.buf;
		struct summary_row s;
		money_t moved;
		int k, total;
		memset(&s, 0, sizeof(s));
		memcpy(&s.month, p, 4);
		memcpy(&s.left, p + 4, 8);
		memcpy(&s.right, p + 12, 8);
		memcpy(&s.explained, p + 20, 8);
		memcpy(&moved, p + 28, 8);
		memcpy(&s.missing, p + 36, 4);
		k = (uint8_t)p[40];
		s.blank_left = p[41];
		s.blank_right = p[42];
		total = p[43];
		p += 44;
		xstrlcpy(s.se, segrow_next_str(&p), sizeof(s.se));
		xstrlcpy(s.key, segrow_next_str(&p), sizeof(s.key));
		while (g < w->nrg && cmp_group(w->rg[g].se, w->rg[g].month, s.se, s.month))
			g++;
		if (g == w->nrg) {
			log_error("internal: %s: the rows of %s %06d moved", r->recon, s.se,
				  (int)s.month);
			return -1;
		}
		if (total && !s.missing) {
			money_t below = w->rg[g].below < 0 ? -w->rg[g].below : w->rg[g].below;
			money_t u = s.left - s.right - s.explained;
			moved = moved || below ? covered(moved + below, u) : 0;
		}
		s.explained += moved;
		if (total && w->rg[g].worst > k)
			k = w->rg[g].worst;
		s.status = status_word[k];
		r->ok += k == ST_OK;
		r->explained += k == ST_EXPLAINED;
		r->breaks += k == ST_BREAK;
		r->missing += k == ST_MISSING;
		if (row_out(w, &s, fp, d, in))
			return -1;
	}
	return rc;
}

/* The INGEN-DATA row: every required report line counts as missing. */
static int no_data_out(struct writer *w, FILE *fp, struct digest_ctx *d, struct strbuf *in)
{
	struct recon_out *r = w->r;
	struct summary_row s;
	memset(&s, 0, sizeof(s));
	s.month = w->ctx->night / 100;
	xstrlcpy(s.key, RECON_NO_DATA, sizeof(s.key));
	s.status = RECON_MISSING;
	s.blank_left = s.blank_right = 1;
	for (int k = 0; k < r->def->nreports; k++)
		if (r->def->reports[k].need == NEED_REQUIRED && !had(r, &r->def->reports[k], "", 0))
			s.missing |= 1u << k;
	r->missing_any = s.missing;
	r->no_data = 1;
	w->written = 1;
	return row_out(w, &s, fp, d, in);
}

static int cmp_decided(const void *a, const void *b)
{
	const struct decided_exc *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : (x < y ? -1 : x > y);
}

/*
 * decisions/RECON.csv and decision-history/RECON.csv (recon.h), when the
 * night has a decided exception; digested into d only then, so a night
 * without decisions keeps its output digest.
 */
static int write_decisions(struct writer *w, struct digest_ctx *d)
{
	struct recon_out *r = w->r;
	struct stage_ctx *ctx = w->ctx;
	struct strbuf dec = STRBUF_INIT, hist = STRBUF_INIT;
	struct history h = { &hist, ctx->night, 0 };
	MDB_dbi dbi;
	int rc = 0;
	if (!w->ndec)
		return remove_stale(ctx, "decisions", r->recon) ||
		       remove_stale(ctx, "decision-history", r->recon) ? -1 : 0;
	/* by id, each id's in the order of the exceptions (a stable sort) */
	qsort(w->dec, w->ndec, sizeof(*w->dec), cmp_decided);
	strbuf_addstr(&dec, CSV_BOM "id;decision;by;at;note;decided_amount;amount;review\n");
	strbuf_addstr(&hist, CSV_BOM "id;seq;night;decision;by;at;note;decided_amount\n");
	rc = decisions_open(w->txn, 0, &dbi) ? -1 : 0;
	for (size_t i = 0; i < w->ndec && !rc; i++) {
		const struct decided_exc *e = &w->dec[i];
		const struct decision *dc = &e->d;
		if (i && !strcmp(w->dec[i - 1].id, e->id))
			continue;	/* one break listed twice: its decision once */
		csvout_str(&dec, e->id, 0);
		csvout_str(&dec, dc->decision, 0);
		csvout_str(&dec, dc->by, 0);
		csvout_str(&dec, dc->at, 0);
		csvout_str(&dec, strbuf_str(&dc->note), 0);
		money_field(&dec, dc->amount, 0, 0);
		money_field(&dec, e->amount, 0, 0);
		csvout_str(&dec, dc->amount != e->amount ? "beloeb-aendret" : "", 1);
		rc = decisions_each(w->txn, dbi, e->id, history_row, &h);
	}
	if (!rc)
		rc = write_out(ctx, "decisions", r->recon, &dec, d);
	if (!rc)
		rc = write_out(ctx, "decision-history", r->recon, &hist, d);
	strbuf_release(&dec);
	strbuf_release(&hist);
	return rc;
}

/* Digests the file fp holds so far (from its start) into d. 0, or -1 reported. */
static int digest_written(FILE *fp, const char *path, struct digest_ctx *d)
{
	char buf[65536];
	off_t off = 0;
	ssize_t n;
	if (fflush(fp)) {
		log_error("unable to write %s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = pread(fileno(fp), buf, sizeof(buf), off)) > 0) {
		digest_update(d, buf, (size_t)n);
		off += n;
	}
	if (n < 0)
		log_error("unable to read %s again: %s", path, strerror(errno));
	return n < 0 ? -1 : 0;
}

static int exceptions_header(struct writer *w)
{
	struct recon_out *r = w->r;
	struct strbuf *out = &w->line;
	strbuf_reset(out);
	strbuf_addstr(out, CSV_BOM "id;recon;se;month;key;cpr;amount;reason;"
		      "first_seen;age_days;left;right");
	if (r->with_account)
		strbuf_addstr(out, ";account");
	for (int x = 0; x < r->nextra; x++)
		strbuf_addf(out, ";%s", r->extra[x]);
	strbuf_addch(out, '\n');
	fwrite(out->buf, 1, out->len, w->exc.fp);
	return 0;
}

/* The exceptions in order, through exc_in(); then the details decided with their parents. */
static int exceptions_pass(struct writer *w)
{
	struct recon_out *r = w->r;
	int rc = decisions_open(w->txn, 0, &w->dbi);
	if (rc < 0)
		return -1;
	w->has_dbi = rc == 0;	/* no decisions database: no decision yet */
	rc = 0;
	if (r->sort_exc) {
		flush_pending(r);
		if (r->sort_failed)
			return -1;
		if (segsort_each(r->sort_exc, exc_sorted, w))
			return -1;
	} else {
		if (r->nexc)
			qsort(r->exc, r->nexc, sizeof(*r->exc), cmp_exc);
		for (size_t i = 0; i < r->nexc && !rc; i++)
			rc = exc_in(w, &r->exc[i]);
		if (rc)
			return -1;
	}
	return count_details(w);
}

/* The rows in order, through row_in(), against the exceptions of xs. */
static int rows_pass(struct writer *w)
{
	struct recon_out *r = w->r;
	int rc = 0;
	if (spool_rewind(&w->xs) || xs_read(w) < 0)
		return -1;
	w->have_last = 0;
	if (r->sort_sum) {
		if (r->sort_failed || segsort_each(r->sort_sum, row_sorted, w))
			return -1;
	} else {
		if (r->nsum)	/* qsort's array may not be NULL, even when empty */
			qsort(r->sum, r->nsum, sizeof(*r->sum), cmp_sum);
		free(r->sumidx);	/* the rows moved: the index is no more */
		r->sumidx = NULL;
		r->nsumidx = 0;
		for (size_t i = 0; i < r->nsum && !rc; i++) {
			struct summary_row s = r->sum[i];
			rc = row_in(w, &s, 0);
		}
		if (rc)
			return -1;
	}
	if (w->xs_on) {
		log_error("internal: %s: exception %s %s %06d %s has no summary row", r->recon,
			  w->x_code, w->x_se, (int)w->x_month, w->x_key);
		return -1;
	}
	return 0;
}

static void writer_free(struct writer *w)
{
	if (w->exc_open)
		atomic_abort(&w->exc);
	spool_free(&w->xs);
	spool_free(&w->rs);
	for (size_t i = 0; i < w->ndec; i++) {
		decision_release(&w->dec[i].d);
		free(w->dec[i].code);
	}
	free(w->dec);
	free(w->eg);
	free(w->rg);
	decision_release(&w->dc);
	strbuf_release(&w->line);
}

int recon_write(struct recon_out *r, struct stage_ctx *ctx, MDB_txn *txn,
		char out_digest[65])
{
	struct writer w;
	struct atomic_file sum;
	struct strbuf in = STRBUF_INIT;
	struct digest_ctx *d = digest_new();
	size_t limit = r->sort_sum ? r->sort_sum->run_bytes : RECON_SORT_BYTES;
	int rc = 0, exp = 0, sum_open = 0, no_data;

	memset(&w, 0, sizeof(w));
	w.r = r;
	w.ctx = ctx;
	w.txn = txn;
	decision_init(&w.dc);
	w.xs.dir = w.rs.dir = r->tmpdir ? r->tmpdir : ctx->conf.state;
	w.xs.limit = w.rs.limit = limit;
	if (!r->def) {
		log_error("internal: %s: recon_write() before recon_begin()", r->recon);
		rc = -1;
	}
	r->ok = r->explained = r->breaks = r->missing = 0;
	r->missing_any = 0;
	flush_pending(r);
	no_data = !r->nsum && !r->nexc;
	if (!rc && !(rc = open_out(&w, "exceptions", &w.exc))) {
		w.exc_open = 1;
		rc = exceptions_header(&w);
	}
	if (!rc)
		rc = exceptions_pass(&w);
	if (!rc && !no_data)
		rc = rows_pass(&w);
	if (!rc && no_data && (exp = expected(ctx, txn)) < 0)
		rc = -1;
	if (!rc && !(rc = open_out(&w, "summary", &sum))) {
		static const char head[] = CSV_BOM "recon;se;month;key;left;right;difference;"
					   "explained;unexplained;status\n";
		sum_open = 1;
		fputs(head, sum.fp);
		digest_update(d, head, strlen(head));
		strbuf_addstr(&in, CSV_BOM "recon;se;month;report;store;need;state;file;night;"
			      "sha256\n");
		w.have_last = 0;
		rc = no_data ? no_data_out(&w, sum.fp, d, &in) : rows_out(&w, sum.fp, d, &in);
	}
	r->exit_code = r->missing || exp > 0 ? EXIT_NOINPUT : EXIT_DONE;
	if (!rc) {
		sum_open = 0;
		rc = atomic_commit(&sum);
	}
	if (!rc)
		rc = digest_written(w.exc.fp, w.exc.path, d);
	if (!rc) {
		w.exc_open = 0;
		rc = atomic_commit(&w.exc);
	}
	if (!rc) {
		struct stage_ctx *c = ctx;
		struct strbuf rel = STRBUF_INIT, path = STRBUF_INIT;
		strbuf_addf(&rel, "inputs/%s.csv", r->recon);
		stage_out_path(c, rel.buf, &path);
		rc = atomic_write(path.buf, in.buf, in.len, 0640);
		digest_update(d, in.buf, in.len);
		strbuf_release(&rel);
		strbuf_release(&path);
	}
	if (!rc)
		rc = write_decisions(&w, d);
	if (sum_open)
		atomic_abort(&sum);
	if (!rc)
		r->nsum = (size_t)w.written;
	digest_finish(d, out_digest);
	writer_free(&w);
	strbuf_release(&in);
	return rc;
}

void recon_ledger(const struct recon_out *r, struct ledger_entry *e)
{
	struct strbuf s = STRBUF_INIT;
	const char *sep = "; mangler: ";
	if (r->no_data)
		strbuf_addstr(&s, "ingen data");
	else
		strbuf_addf(&s, "%llu OK, %llu EXPLAINED, %llu BREAK, %llu MANGLER, %zu exceptions",
			    (unsigned long long)r->ok, (unsigned long long)r->explained,
			    (unsigned long long)r->breaks, (unsigned long long)r->missing, r->nexc);
	for (int k = 0; r->def && k < r->def->nreports; k++) {
		int seen = 0;
		if (!(r->missing_any & (1u << k)))
			continue;
		for (int j = 0; j < k && !seen; j++)
			seen = (r->missing_any & (1u << j)) &&
			       !strcmp(r->def->reports[j].store, r->def->reports[k].store);
		if (seen)
			continue;
		strbuf_addf(&s, "%s%s", sep, r->def->reports[k].store);
		sep = ",";
	}
	xstrlcpy(e->error, s.buf, sizeof(e->error));
	e->rows_out = r->no_data ? 0 : r->nsum;
	e->exit_code = r->exit_code;
	strbuf_release(&s);
}

void recon_free(struct recon_out *r)
{
	for (size_t i = 0; i < r->nexc && r->exc; i++) {
		free(r->exc[i].note);
		for (int x = 0; x < RECON_MAX_EXTRA; x++)
			free(r->exc[i].extra[x]);
		if (r->exc[i].decision)
			decision_release(r->exc[i].decision);
		free(r->exc[i].decision);
	}
	free(r->pending.note);
	for (int x = 0; x < RECON_MAX_EXTRA; x++)
		free(r->pending.extra[x]);
	if (r->sort_sum) {
		segsort_free(r->sort_sum);
		segsort_free(r->sort_exc);
	}
	free(r->sort_sum);
	free(r->sort_exc);
	free(r->codes);
	r->codes = NULL;
	r->ncodes = r->acodes = 0;
	free(r->sum);
	free(r->sumidx);
	free(r->exc);
	free(r->files);
	reconconf_free(&r->conf);
	r->sum = NULL;
	r->exc = NULL;
	r->files = NULL;
	r->def = NULL;
	r->sumidx = NULL;
	r->sort_sum = r->sort_exc = NULL;
	memset(&r->pending, 0, sizeof(r->pending));
	r->pending_on = 0;
	r->nsum = r->nexc = r->asum = r->aexc = r->nfiles = r->afiles = r->nsumidx = 0;
}
