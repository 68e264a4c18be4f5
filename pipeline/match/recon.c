#include "match/recon.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomicfile.h"
#include "core/csvout.h"
#include "core/date.h"
#include "core/digest.h"
#include "core/banned.h"

void recon_summary(struct recon_out *r, const char *se, int32_t month,
		   const char *key, money_t left, money_t right, money_t explained)
{
	struct summary_row *s;
	r->sum = xgrow(r->sum, &r->asum, r->nsum + 1, sizeof(*s));
	s = &r->sum[r->nsum++];
	memset(s, 0, sizeof(*s));
	xstrlcpy(s->se, se, sizeof(s->se));
	s->month = month;
	xstrlcpy(s->key, key, sizeof(s->key));
	s->left = left;
	s->right = right;
	s->explained = explained;
}

struct exception_row *recon_exception(struct recon_out *r, const char *se,
				      int32_t month, const char *key, const char *cpr,
				      money_t amount, const char *code, const char *text)
{
	struct exception_row *e;
	r->exc = xgrow(r->exc, &r->aexc, r->nexc + 1, sizeof(*e));
	e = &r->exc[r->nexc++];
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

const char *recon_row_status(const struct summary_row *s)
{
	return s->status ? s->status : recon_status(s->left, s->right, s->explained);
}

const char *recon_status(money_t left, money_t right, money_t explained)
{
	money_t diff = left - right;
	if (diff == 0 && explained == 0)
		return "OK";
	return diff - explained == 0 ? "EXPLAINED" : "BREAK";
}

static int cmp_sum(const void *a, const void *b)
{
	const struct summary_row *x = a, *y = b;
	int c = strcmp(x->se, y->se);
	if (!c)
		c = (x->month > y->month) - (x->month < y->month);
	return c ? c : strcmp(x->key, y->key);
}

static int cmp_exc(const void *a, const void *b)
{
	const struct exception_row *x = a, *y = b;
	int c = strcmp(x->se, y->se);
	if (!c)
		c = (x->month > y->month) - (x->month < y->month);
	if (!c)
		c = strcmp(x->key, y->key);
	if (!c)
		c = strcmp(x->cpr, y->cpr);
	if (!c)
		c = strcmp(x->code, y->code);
	return c ? c : strcmp(x->ref, y->ref);
}

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

static void money_field(struct strbuf *l, money_t v, int last)
{
	char b[MONEY_BUFSZ];
	csvout_str(l, money_format(v, b), last);
}

static void summary_text(const struct recon_out *r, struct strbuf *out)
{
	char m[DATE_BUFSZ];
	strbuf_addstr(out, CSV_BOM "recon;se;month;key;left;right;difference;"
		      "explained;unexplained;status\n");
	for (size_t i = 0; i < r->nsum; i++) {
		const struct summary_row *s = &r->sum[i];
		money_t diff = s->left - s->right;
		csvout_str(out, r->recon, 0);
		csvout_str(out, s->se, 0);
		csvout_str(out, month_format(s->month, m), 0);
		csvout_str(out, s->key, 0);
		money_field(out, s->left, 0);
		money_field(out, s->right, 0);
		money_field(out, diff, 0);
		money_field(out, s->explained, 0);
		money_field(out, diff - s->explained, 0);
		csvout_str(out, recon_row_status(s), 1);
	}
}

static void exceptions_text(const struct recon_out *r, int32_t night, struct strbuf *out)
{
	char m[DATE_BUFSZ], num[32];
	strbuf_addstr(out, CSV_BOM "id;recon;se;month;key;cpr;amount;reason;"
		      "first_seen;age_days;left;right");
	if (r->with_account)
		strbuf_addstr(out, ";account");
	for (int x = 0; x < r->nextra; x++)
		strbuf_addf(out, ";%s", r->extra[x]);
	strbuf_addch(out, '\n');
	for (size_t i = 0; i < r->nexc; i++) {
		const struct exception_row *e = &r->exc[i];
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
		money_field(out, e->amount, 0);
		csvout_str(out, reason.buf, 0);
		csvout_str(out, day_format(e->first_seen, m), 0);
		snprintf(num, sizeof(num), "%lld",
			 (long long)(day_number(night) - day_number(e->first_seen)));
		csvout_str(out, num, 0);
		if (e->has_sides) {
			money_field(out, e->left, 0);
			money_field(out, e->right, !r->with_account && !r->nextra);
		} else {
			csvout_str(out, "", 0);
			csvout_str(out, "", !r->with_account && !r->nextra);
		}
		if (r->with_account)
			csvout_str(out, e->account, !r->nextra);
		for (int x = 0; x < r->nextra; x++)
			csvout_str(out, e->extra[x] ? e->extra[x] : "", x == r->nextra - 1);
		strbuf_release(&reason);
	}
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

int recon_write(struct recon_out *r, struct stage_ctx *ctx, MDB_txn *txn,
		char out_digest[65])
{
	struct strbuf sum = STRBUF_INIT, exc = STRBUF_INIT;
	struct digest_ctx *d = digest_new();
	int rc = 0;

	if (r->nsum)	/* qsort's array may not be NULL, even when empty */
		qsort(r->sum, r->nsum, sizeof(*r->sum), cmp_sum);
	if (r->nexc)
		qsort(r->exc, r->nexc, sizeof(*r->exc), cmp_exc);
	r->ok = r->explained = r->breaks = 0;
	for (size_t i = 0; i < r->nsum; i++) {
		const char *s = recon_row_status(&r->sum[i]);
		r->ok += s[0] == 'O';
		r->explained += s[0] == 'E';
		r->breaks += s[0] == 'B';
	}
	for (size_t i = 0; i < r->nexc && !rc; i++) {
		exception_id(r->recon, &r->exc[i]);
		rc = first_seen(&ctx->store, txn, &r->exc[i], ctx->night);
	}
	summary_text(r, &sum);
	exceptions_text(r, ctx->night, &exc);
	if (!rc)
		rc = write_out(ctx, "summary", r->recon, &sum, d);
	if (!rc)
		rc = write_out(ctx, "exceptions", r->recon, &exc, d);
	digest_finish(d, out_digest);
	strbuf_release(&sum);
	strbuf_release(&exc);
	return rc;
}

void recon_free(struct recon_out *r)
{
	for (size_t i = 0; i < r->nexc; i++) {
		free(r->exc[i].note);
		for (int x = 0; x < RECON_MAX_EXTRA; x++)
			free(r->exc[i].extra[x]);
	}
	free(r->sum);
	free(r->exc);
	r->sum = NULL;
	r->exc = NULL;
	r->nsum = r->nexc = r->asum = r->aexc = 0;
}
