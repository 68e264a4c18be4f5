/* postings/RECON.csv: see post/postfile.h. */
#include "post/postfile.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csvout.h"
#include "core/date.h"
#include "core/digest.h"
#include "core/log.h"
#include "run/outfile.h"
#include "core/banned.h"

void postfile_init(struct postfile *p, const char *recon, const char *const *extra,
		   int nextra)
{
	memset(p, 0, sizeof(*p));
	p->recon = recon;
	p->extra = extra;
	p->nextra = nextra < POSTFILE_MAX_EXTRA ? nextra : POSTFILE_MAX_EXTRA;
}

struct postfile_row *postfile_add(struct postfile *p, const char *id, const char *se,
				  int32_t month, const char *key, const char *cpr,
				  money_t amount, const char *code, const char *text)
{
	struct postfile_row *r;
	p->v = xgrow(p->v, &p->alloc, p->n + 1, sizeof(*p->v));
	r = &p->v[p->n++];
	memset(r, 0, sizeof(*r));
	xstrlcpy(r->id, id, sizeof(r->id));
	xstrlcpy(r->se, se, sizeof(r->se));
	r->month = month;
	xstrlcpy(r->key, key, sizeof(r->key));
	xstrlcpy(r->cpr, cpr ? cpr : "", sizeof(r->cpr));
	r->amount = r->net = amount;
	r->code = code;
	r->text = text;
	return r;
}

void postfile_set(struct postfile_row *r, int i, const char *value)
{
	if (i < 0 || i >= POSTFILE_MAX_EXTRA)
		return;
	free(r->extra[i]);
	r->extra[i] = value ? xstrdup(value) : NULL;
}

void postfile_id(char id[17], const char *fmt, ...)
{
	struct strbuf s = STRBUF_INIT;
	char hex[DIGEST_HEXSZ];
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&s, fmt, ap);
	va_end(ap);
	digest_buf(s.buf, s.len, hex);
	memcpy(id, hex, 16);
	id[16] = '\0';
	strbuf_release(&s);
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(((const struct postfile_row *)a)->id, ((const struct postfile_row *)b)->id);
}

static int cmp_row(const void *a, const void *b)
{
	const struct postfile_row *x = a, *y = b;
	int c = strcmp(x->se, y->se);
	if (!c)
		c = (x->month > y->month) - (x->month < y->month);
	if (!c)
		c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->id, y->id);
}

int postfile_write(struct postfile *p, struct stage_ctx *ctx, MDB_txn *txn, char digest[65])
{
	struct strbuf out = STRBUF_INIT, rel = STRBUF_INIT;
	char b[MONEY_BUFSZ], night[DATE_BUFSZ], month[DATE_BUFSZ];
	int rc;
	/* by id first: two rows of one event are a stage's bug, whatever their keys */
	if (p->n)
		qsort(p->v, p->n, sizeof(*p->v), cmp_id);
	for (size_t i = 1; i < p->n; i++)
		if (!strcmp(p->v[i - 1].id, p->v[i].id)) {
			log_error("internal: two postings rows of %s share the id %s", p->recon,
				  p->v[i].id);
			return -1;
		}
	if (p->n)
		qsort(p->v, p->n, sizeof(*p->v), cmp_row);
	day_format(ctx->night, night);
	strbuf_addstr(&out, CSV_BOM "id;recon;se;month;key;cpr;amount;reason;first_seen;"
		      "age_days;left;right;account;net;vat");
	for (int k = 0; k < p->nextra; k++)
		strbuf_addf(&out, ";%s", p->extra[k]);
	strbuf_addch(&out, '\n');
	for (size_t i = 0; i < p->n; i++) {
		const struct postfile_row *r = &p->v[i];
		struct strbuf reason = STRBUF_INIT;
		strbuf_addf(&reason, "%s: %s", r->code, r->text);
		csvout_str(&out, r->id, 0);
		csvout_str(&out, p->recon, 0);
		csvout_str(&out, r->se, 0);
		csvout_str(&out, month_format(r->month, month), 0);
		csvout_str(&out, r->key, 0);
		csvout_str(&out, r->cpr, 0);
		csvout_str(&out, money_format(r->amount, b), 0);
		csvout_str(&out, reason.buf, 0);
		csvout_str(&out, night, 0);
		csvout_str(&out, "0", 0);
		csvout_str(&out, "", 0);
		csvout_str(&out, "", 0);
		csvout_str(&out, r->account, 0);
		csvout_str(&out, money_format(r->net, b), 0);
		csvout_str(&out, money_format(r->vat, b), p->nextra == 0);
		for (int k = 0; k < p->nextra; k++)
			csvout_str(&out, r->extra[k] ? r->extra[k] : "", k + 1 == p->nextra);
		strbuf_release(&reason);
	}
	strbuf_addf(&rel, "postings/%s.csv", p->recon);
	rc = outfile_write(ctx, txn, rel.buf, out.buf, out.len, p->n, digest, NULL);
	strbuf_release(&out);
	strbuf_release(&rel);
	return rc;
}

void postfile_free(struct postfile *p)
{
	for (size_t i = 0; i < p->n; i++)
		for (int k = 0; k < POSTFILE_MAX_EXTRA; k++)
			free(p->v[i].extra[k]);
	free(p->v);
	memset(p, 0, sizeof(*p));
}
