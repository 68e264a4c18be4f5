#include "match/reconin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "core/exitcode.h"
#include "core/log.h"
#include "store/segment.h"
#include "core/banned.h"

enum { TEXTPOOL_BLOCK = 1 << 20 };

const char *textpool_add(struct textpool *pool, const char *s, size_t n)
{
	char *t;
	if (!n)
		return "";
	if (!pool->nblock || pool->used + n + 1 > pool->size) {
		size_t size = n + 1 > TEXTPOOL_BLOCK ? n + 1 : TEXTPOOL_BLOCK;
		pool->block = xgrow(pool->block, &pool->ablock, pool->nblock + 1,
				    sizeof(*pool->block));
		pool->block[pool->nblock++] = xmalloc(size);
		pool->used = 0;
		pool->size = size;
	}
	t = pool->block[pool->nblock - 1] + pool->used;
	memcpy(t, s, n);
	t[n] = '\0';
	pool->used += n + 1;
	return t;
}

void textpool_free(struct textpool *pool)
{
	for (size_t i = 0; i < pool->nblock; i++)
		free(pool->block[i]);
	free(pool->block);
	memset(pool, 0, sizeof(*pool));
}

int reconin_field(const struct stage_ctx *ctx, const char *name, int *out)
{
	*out = catalog_field(&ctx->cat, name);
	if (*out < 0) {
		log_error("schemas/stores has no field '%s'", name);
		return -1;
	}
	return 0;
}

void reconin_text(const struct record *r, int f, char *buf, size_t size)
{
	const struct value *v = &r->v[f];
	size_t n = v->present && v->text ? v->len : 0;
	if (n >= size)
		n = size - 1;
	if (n)
		memcpy(buf, v->text, n);
	buf[n] = '\0';
}

int reconin_open(struct reconin *in, struct stage_ctx *ctx, MDB_txn *txn,
		 const char *const *stores, int n, int32_t from, int32_t to)
{
	memset(in, 0, sizeof(*in));
	in->ctx = ctx;
	in->txn = txn;
	in->stores = stores;
	for (int i = 0; i < n && i < RECONIN_MAX; i++) {
		const struct store_def *sd = catalog_store(&ctx->cat, stores[i]);
		if (!sd) {
			log_error("schemas/stores has no store '%s'", stores[i]);
			return -1;
		}
		in->n++;
		if (snapshot_load_reports(&ctx->store, txn, sd, ctx->night, from, to, &in->snap[i]))
			return -1;
	}
	return 0;
}

void reconin_free(struct reconin *in)
{
	for (int i = 0; i < in->n; i++)
		snapshot_free(&in->snap[i]);
	in->n = 0;
}

static int cmp_se(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t reconin_ses(const struct reconin *in, const char ***out)
{
	const char **v = NULL;
	size_t n = 0, k = 0, alloc = 0;
	for (int s = 0; s < in->n; s++)
		for (size_t i = 0; i < in->snap[s].n; i++) {
			v = xgrow(v, &alloc, n + 1, sizeof(*v));
			v[n++] = in->snap[s].v[i].se;
		}
	if (n)
		qsort(v, n, sizeof(*v), cmp_se);
	for (size_t i = 0; i < n; i++)
		if (!k || strcmp(v[k - 1], v[i]))
			v[k++] = v[i];
	*out = v;
	return k;
}

int reconin_each(struct reconin *in, int i, reconin_fn fn, void *data)
{
	const struct snapshot *s = &in->snap[i];
	for (size_t e = 0; e < s->n; e++) {
		struct row_iter it;
		int rc;
		if (row_iter_open_entry(&it, &in->ctx->store, in->txn, s, e))
			return -1;
		while ((rc = row_iter_next(&it)) == 1) {
			in->records++;
			if ((rc = fn(&it.rec, data)))
				break;
		}
		row_iter_close(&it);
		if (rc)
			return rc;
	}
	return 0;
}

void reconin_digest(const struct reconin *in, char out[65])
{
	struct digest_ctx *d = digest_new();
	digest_update(d, in->ctx->conf.digest, sizeof(in->ctx->conf.digest));
	for (int s = 0; s < in->n; s++)
		for (size_t i = 0; i < in->snap[s].n; i++) {
			const struct snapshot_entry *e = &in->snap[s].v[i];
			char b[64];
			int n = snprintf(b, sizeof(b), "%d;%s;%06d;", s, e->se, (int)e->month);
			digest_update(d, b, (size_t)n);
			digest_update(d, e->fileid, FILEID_LEN);
		}
	digest_finish(d, out);
}

struct pload {
	const struct accounts *acc;
	const char *role;
	posting_fn fn;
	void *data;
	int f_se, f_month, f_day, f_amount, f_account, f_bilag, f_text, f_recipient, f_journal;
	char missing[9];	/* the last SE reported without the role */
	int nmissing;
	/* the row's texts, cut as the fixed fields of before cut them */
	char account[64], bilag[32], text[80], journal[32];
};

static int posting_row(const struct record *r, void *data)
{
	struct pload *p = data;
	const struct account_role *role;
	struct posting q;
	const struct value *acc = &r->v[p->f_account];
	memset(&q, 0, sizeof(q));
	reconin_text(r, p->f_se, q.se, sizeof(q.se));
	role = p->role ? accounts_role(p->acc, q.se, p->role) : NULL;
	if (p->role && !role) {
		if (strcmp(p->missing, q.se)) {
			accounts_need(p->acc, q.se, p->role);
			p->nmissing++;
		}
		xstrlcpy(p->missing, q.se, sizeof(p->missing));
		return 0;
	}
	if (role && (!acc->present || !account_role_matches(role, acc->text, acc->len)))
		return 0;
	q.month = (int32_t)r->v[p->f_month].num;
	q.day = (int32_t)r->v[p->f_day].num;
	q.amount = r->v[p->f_amount].present ? r->v[p->f_amount].num : 0;
	reconin_text(r, p->f_account, p->account, sizeof(p->account));
	reconin_text(r, p->f_bilag, p->bilag, sizeof(p->bilag));
	reconin_text(r, p->f_text, p->text, sizeof(p->text));
	reconin_text(r, p->f_recipient, q.recipient, sizeof(q.recipient));
	reconin_text(r, p->f_journal, p->journal, sizeof(p->journal));
	q.account = p->account;
	q.bilag = p->bilag;
	q.text = p->text;
	q.journal = p->journal;
	return p->fn(&q, p->data);
}

int postings_each(struct reconin *in, int i, const struct accounts *acc,
		  const char *role, posting_fn fn, void *data)
{
	struct pload p = { .acc = acc, .role = role, .fn = fn, .data = data };
	const struct stage_ctx *c = in->ctx;
	int rc;
	if (reconin_field(c, "se", &p.f_se) || reconin_field(c, "month", &p.f_month) ||
	    reconin_field(c, "day", &p.f_day) || reconin_field(c, "amount", &p.f_amount) ||
	    reconin_field(c, "account", &p.f_account) || reconin_field(c, "bilag", &p.f_bilag) ||
	    reconin_field(c, "text", &p.f_text) || reconin_field(c, "recipient", &p.f_recipient) ||
	    reconin_field(c, "journal", &p.f_journal))
		return -1;
	if ((rc = reconin_each(in, i, posting_row, &p)))
		return rc < 0 ? -1 : rc;
	return p.nmissing ? 1 : 0;
}

/* A copy of s in pool; the previous row's when it is the same (an account repeats). */
static const char *pool_same(struct textpool *pool, const char *s, const char **last)
{
	if (*last && !strcmp(*last, s))
		return *last;
	return *last = textpool_add(pool, s, strlen(s));
}

void postings_add(struct postings *out, const struct posting *p)
{
	struct posting *q;
	out->v = xgrow(out->v, &out->alloc, out->n + 1, sizeof(*q));
	q = &out->v[out->n++];
	*q = *p;
	q->account = pool_same(&out->text, p->account, &out->last[0]);
	q->bilag = pool_same(&out->text, p->bilag, &out->last[1]);
	q->text = pool_same(&out->text, p->text, &out->last[2]);
	q->journal = pool_same(&out->text, p->journal, &out->last[3]);
}

static int posting_append(const struct posting *p, void *data)
{
	postings_add(data, p);
	return 0;
}

int postings_load(struct reconin *in, int i, const struct accounts *acc,
		  const char *role, struct postings *out)
{
	return postings_each(in, i, acc, role, posting_append, out);
}

void postings_free(struct postings *p)
{
	free(p->v);
	p->v = NULL;
	p->n = p->alloc = 0;
	textpool_free(&p->text);
	memset(p->last, 0, sizeof(p->last));
}

void kyrows_free(struct kyrows *k)
{
	free(k->v);
	k->v = NULL;
	k->n = k->alloc = 0;
	textpool_free(&k->text);
	memset(k->last, 0, sizeof(k->last));
}

int reconin_commit(struct reconin *in, struct recon_out *out)
{
	struct stage_ctx *ctx = in->ctx;
	struct ledger_entry e;
	stage_ledger_entry(ctx, &e, "done", EXIT_DONE);
	reconin_digest(in, e.input);
	for (int i = 0; i < in->n; i++)
		recon_inputs(out, in->stores[i], &in->snap[i]);
	if (recon_write(out, ctx, in->txn, e.output))
		goto abort;
	e.rows_in = in->records;
	recon_ledger(out, &e);
	if (ledger_put(&ctx->store, in->txn, ctx->opts.date, ctx->name, &e))
		goto abort;
	if (store_commit(in->txn))
		return EXIT_INTERNAL;
	log_info("%s: %s", ctx->opts.date, e.error);
	return out->exit_code;
abort:
	mdb_txn_abort(in->txn);
	return EXIT_INTERNAL;
}

enum { K_SE, K_CPR, K_IDENT, K_STATUS, K_BILAG, K_ACCOUNT, K_COSTCENTRE, K_INVOICE, K_CVR,
       K_REASON, K_TEXT, K_NAME, K_MONTH, K_DAY, K_CREATED, K_PROCESSED, K_AMOUNT, NK };

static const char *const kyrow_fields[NK] = {
	"se", "cpr", "ident", "status", "bilag", "account", "costcentre", "invoice", "cvr",
	"reason", "text", "name", "month", "day", "created", "processed", "amount",
};

struct kload {
	int f[NK];
	kyrow_fn fn;
	void *data;
	/* the row's texts, cut as the fixed fields of before cut them */
	char ident[48], status[24], bilag[32], account[64], costcentre[32], invoice[32];
	char reason[96], text[96], name[96];
};

static int64_t num(const struct record *r, int f)
{
	return r->v[f].present ? r->v[f].num : 0;
}

static int kyrow_row(const struct record *r, void *data)
{
	struct kload *k = data;
	struct kyrow q;
	reconin_text(r, k->f[K_SE], q.se, sizeof(q.se));
	reconin_text(r, k->f[K_CPR], q.cpr, sizeof(q.cpr));
	reconin_text(r, k->f[K_IDENT], k->ident, sizeof(k->ident));
	reconin_text(r, k->f[K_STATUS], k->status, sizeof(k->status));
	reconin_text(r, k->f[K_BILAG], k->bilag, sizeof(k->bilag));
	reconin_text(r, k->f[K_ACCOUNT], k->account, sizeof(k->account));
	reconin_text(r, k->f[K_COSTCENTRE], k->costcentre, sizeof(k->costcentre));
	reconin_text(r, k->f[K_INVOICE], k->invoice, sizeof(k->invoice));
	reconin_text(r, k->f[K_CVR], q.cvr, sizeof(q.cvr));
	reconin_text(r, k->f[K_REASON], k->reason, sizeof(k->reason));
	reconin_text(r, k->f[K_TEXT], k->text, sizeof(k->text));
	reconin_text(r, k->f[K_NAME], k->name, sizeof(k->name));
	q.ident = k->ident;
	q.status = k->status;
	q.bilag = k->bilag;
	q.account = k->account;
	q.costcentre = k->costcentre;
	q.invoice = k->invoice;
	q.reason = k->reason;
	q.text = k->text;
	q.name = k->name;
	q.month = (int32_t)num(r, k->f[K_MONTH]);
	q.day = (int32_t)num(r, k->f[K_DAY]);
	q.created = num(r, k->f[K_CREATED]);
	q.processed = num(r, k->f[K_PROCESSED]);
	q.amount = num(r, k->f[K_AMOUNT]);
	return k->fn(&q, k->data);
}

int kyrows_each(struct reconin *in, int i, kyrow_fn fn, void *data)
{
	struct kload k = { .fn = fn, .data = data };
	int rc;
	for (int f = 0; f < NK; f++)
		if (reconin_field(in->ctx, kyrow_fields[f], &k.f[f]))
			return -1;
	rc = reconin_each(in, i, kyrow_row, &k);
	return rc < 0 ? -1 : rc;
}

void kyrows_add(struct kyrows *out, const struct kyrow *r)
{
	struct textpool *t = &out->text;
	const char **last = out->last;
	struct kyrow *q;
	out->v = xgrow(out->v, &out->alloc, out->n + 1, sizeof(*q));
	q = &out->v[out->n++];
	*q = *r;
	q->ident = pool_same(t, r->ident, &last[0]);
	q->status = pool_same(t, r->status, &last[1]);
	q->bilag = pool_same(t, r->bilag, &last[2]);
	q->account = pool_same(t, r->account, &last[3]);
	q->costcentre = pool_same(t, r->costcentre, &last[4]);
	q->invoice = pool_same(t, r->invoice, &last[5]);
	q->reason = pool_same(t, r->reason, &last[6]);
	q->text = pool_same(t, r->text, &last[7]);
	q->name = pool_same(t, r->name, &last[8]);
}

static int kyrow_append(const struct kyrow *r, void *data)
{
	kyrows_add(data, r);
	return 0;
}

int reconin_rows(struct reconin *in, int i, struct kyrows *out)
{
	return kyrows_each(in, i, kyrow_append, out) ? -1 : 0;
}

/* Identical for the exception id: the same SE, bilag, day, amount and recipient. */
static int same_posting(const struct posting *a, const struct posting *b)
{
	return !strcmp(a->se, b->se) && !strcmp(a->bilag, b->bilag) && a->day == b->day &&
	       a->amount == b->amount && !strcmp(a->recipient, b->recipient);
}

static int cmp_posting(const void *a, const void *b)
{
	const struct posting *x = a, *y = b;
	int c = strcmp(x->se, y->se);
	if (!c)
		c = strcmp(x->recipient, y->recipient);
	if (!c)
		c = (x->day > y->day) - (x->day < y->day);
	if (!c)
		c = strcmp(x->bilag, y->bilag);
	if (!c)
		c = (x->amount > y->amount) - (x->amount < y->amount);
	return c ? c : strcmp(x->account, y->account);
}

void postings_sort(struct postings *p)
{
	if (p->n)
		qsort(p->v, p->n, sizeof(*p->v), cmp_posting);
}

void postings_ref(const struct postings *p, size_t i, char *ref, size_t size)
{
	const struct posting *a = &p->v[i];
	int copy = 1;
	for (size_t j = i; j > 0 && same_posting(&p->v[j - 1], a); j--)
		copy++;
	snprintf(ref, size, "%s|%d|%lld|%d", a->bilag, (int)a->day, (long long)a->amount, copy);
}

void posting_row_put(struct strbuf *v, const struct posting *p)
{
	strbuf_add(v, &p->month, sizeof(p->month));
	strbuf_add(v, &p->day, sizeof(p->day));
	strbuf_add(v, &p->amount, sizeof(p->amount));
	segrow_put_str(v, p->se);
	segrow_put_str(v, p->recipient);
	segrow_put_str(v, p->account);
	segrow_put_str(v, p->bilag);
	segrow_put_str(v, p->text);
}

void posting_row_get(const char *raw, struct posting *p)
{
	memset(p, 0, sizeof(*p));
	memcpy(&p->month, raw, sizeof(p->month));
	memcpy(&p->day, raw + 4, sizeof(p->day));
	memcpy(&p->amount, raw + 8, sizeof(p->amount));
	raw += 16;
	xstrlcpy(p->se, segrow_next_str(&raw), sizeof(p->se));
	xstrlcpy(p->recipient, segrow_next_str(&raw), sizeof(p->recipient));
	p->account = segrow_next_str(&raw);
	p->bilag = segrow_next_str(&raw);
	p->text = segrow_next_str(&raw);
	p->journal = "";
}

void kyrow_row_put(struct strbuf *v, const struct kyrow *q)
{
	strbuf_add(v, &q->month, sizeof(q->month));
	strbuf_add(v, &q->day, sizeof(q->day));
	strbuf_add(v, &q->created, sizeof(q->created));
	strbuf_add(v, &q->processed, sizeof(q->processed));
	strbuf_add(v, &q->amount, sizeof(q->amount));
	segrow_put_str(v, q->se);
	segrow_put_str(v, q->cpr);
	segrow_put_str(v, q->cvr);
	segrow_put_str(v, q->ident);
	segrow_put_str(v, q->status);
	segrow_put_str(v, q->bilag);
	segrow_put_str(v, q->account);
	segrow_put_str(v, q->costcentre);
	segrow_put_str(v, q->invoice);
	segrow_put_str(v, q->reason);
	segrow_put_str(v, q->text);
	segrow_put_str(v, q->name);
}

void kyrow_row_get(const char *raw, struct kyrow *q)
{
	memset(q, 0, sizeof(*q));
	memcpy(&q->month, raw, sizeof(q->month));
	memcpy(&q->day, raw + 4, sizeof(q->day));
	memcpy(&q->created, raw + 8, sizeof(q->created));
	memcpy(&q->processed, raw + 16, sizeof(q->processed));
	memcpy(&q->amount, raw + 24, sizeof(q->amount));
	raw += 32;
	xstrlcpy(q->se, segrow_next_str(&raw), sizeof(q->se));
	xstrlcpy(q->cpr, segrow_next_str(&raw), sizeof(q->cpr));
	xstrlcpy(q->cvr, segrow_next_str(&raw), sizeof(q->cvr));
	q->ident = segrow_next_str(&raw);
	q->status = segrow_next_str(&raw);
	q->bilag = segrow_next_str(&raw);
	q->account = segrow_next_str(&raw);
	q->costcentre = segrow_next_str(&raw);
	q->invoice = segrow_next_str(&raw);
	q->reason = segrow_next_str(&raw);
	q->text = segrow_next_str(&raw);
	q->name = segrow_next_str(&raw);
}
