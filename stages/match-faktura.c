/*
 * stage-match-faktura: KY's eInvoice decisions against the ERP ledger
 * (guide 3.3; ../shared/spec/reconciliations.md). For each month of the
 * night and each SE:
 *   GODKENDT      approved invoices paired 1:1 with an ERP posting of the
 *                 same amount on the account KY instructed, within
 *                 pair-window: one naming the invoice number first, then
 *                 the nearest day (shared group matcher); the cost centre must be in the account
 *                 string too. An invoice paid on another account, or not
 *                 at all, is an exception.
 *   AFVIST, TEKNISK_FEJL  listed (an exception each, explained); a
 *                 rejected invoice that was paid anyway is flagged.
 *   per account   KY 'Sum af posteringsgrundlag' (D +, K -) against the
 *                 ERP postings on that account (not KY's own KY- bilag).
 * Reads only the store and conf/ (matching.conf). Every pairing is of
 * equal amounts within one SE, so the invoices and postings are regrouped
 * by SE and amount in the store's external sorter (store/segment.h) and
 * each SE and amount is matched alone, in the order the whole source had:
 * memory is the sort buffer and the largest group of equal amounts, not
 * the sources; the results are the same.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/exitcode.h"
#include "core/log.h"
#include "match/groupmatch.h"
#include "match/matchconf.h"
#include "match/reconin.h"
#include "store/segment.h"
#include "core/banned.h"

#define RECON "faktura"

enum { GODKENDT, AFVIST, FEJL, SUM, ERP, NSOURCES };

static const char *const source_store[NSOURCES] = {
	"ky.efaktura_godkendt", "ky.efaktura_afvist", "ky.efaktura_fejl", "ky.faktura_sum",
	"erp.posting",
};

/* A sorter row's kind: what it is within its SE and amount. */
enum { ROW_INVOICE, ROW_POSTING, ROW_REJECTED };

/* An SE and month: its GODKENDT, AFVIST and TEKNISK_FEJL rows, added up. */
struct month_sum {
	char se[9];
	int32_t month;
	money_t left, right, open;	/* GODKENDT: invoiced, paid, unpaid */
	size_t invoices;
	money_t afvist, fejl;
	size_t nafvist, nfejl;
};

/* The ledger side of KY's posting basis: an SE, month and account (an index into pat). */
struct account_sum {
	char se[9];
	int32_t month;
	long pat;
	money_t right;
	uint64_t last;		/* the posting added last (a posting on the account twice adds once) */
};

struct faktura {
	struct stage_ctx *ctx;
	struct match_conf mc;
	struct reconin in;
	struct kyrows sums;	/* ky.faktura_sum, in cmp_inv() order */
	const char **pat;	/* the accounts KY names (invoices, posting basis), sorted, once */
	size_t npat, apat;
	struct textpool patpool;	/* the texts of pat */
	uint8_t *amounts;	/* a bit per hashed amount of an approved or rejected invoice */
	/* every row that can pair, regrouped by SE and amount (see add_row()) */
	struct segsort sort;
	uint64_t seq;
	struct month_sum *ms;	/* sorted by SE and month */
	size_t nms, ams;
	struct account_sum *as;	/* sorted by SE, month and pat */
	size_t nas, aas;
	uint64_t nposting;	/* postings read: account_sum.last */
	/* the SE and amount being walked: its rows as the sorter gave them */
	struct strbuf pkey;	/* SE \0 AMOUNT */
	struct strbuf raw;
	struct prow {
		int kind;
		size_t off;
	} *rows;
	size_t nrows, arows;
	struct kyrow *inv, *rej;	/* approved (cmp_inv() order) and rejected invoices */
	size_t ainv, arej, ninv, nrej;
	struct posting *post;	/* the payable postings, in posting order */
	size_t apost, npost;
	char *used;		/* per post: paired with an invoice */
	size_t aused;
	long *pats;		/* the accounts of pat each post is on: post j's from pat_at[j] */
	size_t npats, apats, *pat_at, apat_at;
	size_t *unpaid;		/* inv not paid on their account */
	size_t nunpaid, aunpaid;
	int32_t from, to;	/* the months matched */
	struct recon_out out;
	int bad;		/* a conservation check failed */
};

/* The sort buffer: with strbuf's doubling from 64 bytes it stays an 8 MiB arena. */
enum { SORT_BYTES = (8 << 20) - 64 };
/* The amounts' bitmap: 2^23 bits, 1 MiB. */
enum { AMOUNT_BITS = 23 };

static int cmp_inv(const void *a, const void *b)
{
	const struct kyrow *x = a, *y = b;
	int c = strcmp(x->se, y->se);
	if (!c)
		c = (x->month > y->month) - (x->month < y->month);
	if (!c)
		c = strcmp(x->account, y->account);
	if (!c)
		c = (x->day > y->day) - (x->day < y->day);
	return c ? c : strcmp(x->ident, y->ident);
}

/* Whether two rows share SE, month and account (0) or not: a posting basis row's place. */
static int cmp_inv_place(const struct kyrow *x, const struct kyrow *y)
{
	return strcmp(x->se, y->se) || x->month != y->month || strcmp(x->account, y->account);
}

/*
 * A posting that can pay an invoice: same SE, not one of KY's own
 * finansbilag, a debit for an invoice or a credit for a credit note.
 */
static int payable(const struct posting *p, const char *se, int credit)
{
	return !strcmp(p->se, se) && (credit ? p->amount < 0 : p->amount > 0) &&
	       strncmp(p->bilag, "KY-", 3);
}

static int on_account(const char *account, const struct posting *p)
{
	return account[0] && account_matches(account, p->account, strlen(p->account));
}

/* Whether a posting lies within pair-window days of the invoice (-1: any day). */
static int within(const struct faktura *k, const struct kyrow *q, const struct posting *p)
{
	int64_t apart = day_number(p->day) - day_number(q->day);
	return k->mc.lim.pair_window < 0 ||
	       (apart >= -k->mc.lim.pair_window && apart <= k->mc.lim.pair_window);
}

/*
 * An unpaired posting of the invoice's amount within the window, on (or
 * off) its account: the first in posting order. The SE and amount walked
 * holds every posting of the amount.
 */
static const struct posting *find_paid(struct faktura *k, const struct kyrow *q, int own_account)
{
	for (size_t i = 0; i < k->npost; i++) {
		const struct posting *p = &k->post[i];
		if (k->used[i] || !payable(p, q->se, q->amount < 0) || p->amount != q->amount ||
		    on_account(q->account, p) != own_account || !within(k, q, p))
			continue;
		k->used[i] = 1;
		return p;
	}
	return NULL;
}

static struct exception_row *inv_exception(struct faktura *k, const struct kyrow *q,
					   const char *key, const char *code, const char *text)
{
	char day[DATE_BUFSZ];
	struct exception_row *e = recon_exception(&k->out, q->se, q->month, key, q->cpr,
						  q->amount, code, text);
	snprintf(e->ref, sizeof(e->ref), "%s", q->ident);
	recon_note(e, "faktura %s, CVR %s, %s, konto %s%s%s", q->invoice,
		   q->cvr[0] ? q->cvr : "-", day_format(q->day, day),
		   q->account[0] ? q->account : "-", q->costcentre[0] ? " omk.sted " : "",
		   q->costcentre);
	return e;
}

/* An approved invoice without a posting on its account: paid elsewhere, or not at all. */
static void unpaid(struct faktura *k, const struct kyrow *q)
{
	const struct posting *p = find_paid(k, q, 0);
	struct exception_row *e;
	if (!p) {
		inv_exception(k, q, "GODKENDT", "mangler-i-erp", "godkendt eFaktura uden "
			      "postering i økonomisystemet / approved eInvoice not in the ledger");
		return;
	}
	e = inv_exception(k, q, "GODKENDT", "forkert-konto", "godkendt eFaktura bogført på en "
			  "anden konto end KY anviste / approved eInvoice posted on another "
			  "account than KY instructed");
	recon_note(e, "faktura %s: bogført på %s, bilag %s", q->invoice, p->account, p->bilag);
}

/* The index in pat of the account text[0..len), or -1. */
static long find_pat(const struct faktura *k, const char *text, size_t len)
{
	size_t lo = 0, hi = k->npat;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(k->pat[mid], text, len);
		if (!c && k->pat[mid][len])
			c = 1;
		if (!c)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int segment_start(const char *a, size_t at)
{
	return at == 0 || a[at - 1] == '-' || a[at - 1] == ' ';
}

static int segment_stop(char c)
{
	return c == '\0' || c == '.' || c == '-' || c == ' ';
}

/* Adds account a to pat (sorted, once; its text kept in patpool). */
static void pat_add(struct faktura *k, const char *a)
{
	size_t lo = 0, hi = k->npat;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(k->pat[mid], a);
		if (!c)
			return;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	k->pat = xgrow(k->pat, &k->apat, k->npat + 1, sizeof(*k->pat));
	memmove(&k->pat[lo + 1], &k->pat[lo], (k->npat - lo) * sizeof(*k->pat));
	k->pat[lo] = textpool_add(&k->patpool, a, strlen(a));
	k->npat++;
}

/* The bit of amount a in amounts (a multiplicative hash: amounts cluster). */
static size_t amount_bit(money_t a)
{
	return (size_t)(((uint64_t)a * 0x9E3779B97F4A7C15ull) >> (64 - AMOUNT_BITS));
}

static void amount_add(struct faktura *k, money_t a)
{
	size_t b = amount_bit(a);
	k->amounts[b >> 3] |= (uint8_t)(1u << (b & 7));
}

/* Whether some invoice may have amount a (no: none has). */
static int amount_maybe(const struct faktura *k, money_t a)
{
	size_t b = amount_bit(a);
	return k->amounts[b >> 3] >> (b & 7) & 1;
}

/* The GODKENDT, AFVIST and TEKNISK_FEJL sums of se and month (added, zero, when new). */
static struct month_sum *month_sum(struct faktura *k, const char *se, int32_t month)
{
	size_t lo = 0, hi = k->nms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(k->ms[mid].se, se);
		if (!c)
			c = (k->ms[mid].month > month) - (k->ms[mid].month < month);
		if (!c)
			return &k->ms[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	k->ms = xgrow(k->ms, &k->ams, k->nms + 1, sizeof(*k->ms));
	memmove(&k->ms[lo + 1], &k->ms[lo], (k->nms - lo) * sizeof(*k->ms));
	memset(&k->ms[lo], 0, sizeof(*k->ms));
	xstrlcpy(k->ms[lo].se, se, sizeof(k->ms[lo].se));
	k->ms[lo].month = month;
	k->nms++;
	return &k->ms[lo];
}

/*
 * A row into the sorter under SE \0 AMOUNT KIND, then for an invoice
 * (approved or rejected) MONTH ACCOUNT \0 DAY IDENT \0 SEQ, the order of
 * cmp_inv(); for a posting DAY BILAG \0 ACCOUNT \0 SEQ, posting order
 * (SE, day, bilag, account, amount; equal ones as read). AMOUNT and SEQ
 * 8 bytes, MONTH and DAY 4, big-endian; the sign bits of AMOUNT and DAY
 * flipped. Every step pairs equal amounts of one SE only, so each SE and
 * amount is matched alone, in the order the whole source had.
 */
static void put_head(struct strbuf *key, const char *se, money_t amount, int kind)
{
	segrow_put_str(key, se);
	segrow_put_be(key, (uint64_t)amount ^ 0x8000000000000000ull, 8);
	segrow_put_be(key, (uint64_t)kind, 1);
}

/* An invoice's row (approved or rejected): its value is kyrow_row_put()'s (match/reconin.h). */
static int add_invoice_row(struct faktura *k, const struct kyrow *q, int kind)
{
	struct strbuf key = STRBUF_INIT, v = STRBUF_INIT;
	int rc;
	put_head(&key, q->se, q->amount, kind);
	segrow_put_be(&key, (uint32_t)q->month, 4);
	segrow_put_str(&key, q->account);
	segrow_put_be(&key, (uint32_t)q->day ^ 0x80000000u, 4);
	segrow_put_str(&key, q->ident);
	segrow_put_be(&key, k->seq++, 8);
	kyrow_row_put(&v, q);
	rc = segsort_add(&k->sort, 0, (const uint8_t *)key.buf, key.len, v.buf, v.len);
	strbuf_release(&key);
	strbuf_release(&v);
	return rc;
}

/* A posting's row: its value is posting_row_put()'s (match/reconin.h). */
static int add_posting_row(struct faktura *k, const struct posting *p)
{
	struct strbuf key = STRBUF_INIT, v = STRBUF_INIT;
	int rc;
	put_head(&key, p->se, p->amount, ROW_POSTING);
	segrow_put_be(&key, (uint32_t)p->day ^ 0x80000000u, 4);
	segrow_put_str(&key, p->bilag);
	segrow_put_str(&key, p->account);
	segrow_put_be(&key, k->seq++, 8);
	posting_row_put(&v, p);
	rc = segsort_add(&k->sort, 0, (const uint8_t *)key.buf, key.len, v.buf, v.len);
	strbuf_release(&key);
	strbuf_release(&v);
	return rc;
}

/* The months matched: an invoice of another month is read, not matched. */
static int matched_month(const struct faktura *k, int32_t month)
{
	return month >= k->from && month <= k->to;
}

/* An approved invoice as it is read: its account noted, the row sorted when matched. */
static int add_approved(const struct kyrow *q, void *data)
{
	struct faktura *k = data;
	if (q->account[0])
		pat_add(k, q->account);
	if (!matched_month(k, q->month))
		return 0;
	amount_add(k, q->amount);
	return add_invoice_row(k, q, ROW_INVOICE);
}

/* A rejected invoice: listed (and sought among the postings) in the months matched. */
static int add_rejected(const struct kyrow *q, void *data)
{
	struct faktura *k = data;
	if (!matched_month(k, q->month))
		return 0;
	amount_add(k, q->amount);
	return add_invoice_row(k, q, ROW_REJECTED);
}

/* An invoice with a technical error: listed for the clerk, handled again (open). */
static int add_failed(const struct kyrow *q, void *data)
{
	struct faktura *k = data;
	struct month_sum *m;
	if (!matched_month(k, q->month))
		return 0;
	inv_exception(k, q, "TEKNISK_FEJL", "teknisk-fejl", "eFaktura med teknisk fejl, "
		      "behandl den igen / eInvoice with a technical error, handle it again");
	m = month_sum(k, q->se, q->month);
	m->fejl += q->amount;
	m->nfejl++;
	return 0;
}

/*
 * Calls fn(k, x, data) for every account of pat the account a is on: every
 * run of whole segments of it (where account_matches() would find a
 * pattern) is looked up. Stops at fn's non-zero return and gives it.
 */
static int each_pat(const struct faktura *k, const char *a,
		    int (*fn)(const struct faktura *k, long x, void *data), void *data)
{
	size_t len = strlen(a);
	for (size_t at = 0; at < len && k->npat; at++) {
		if (!segment_start(a, at))
			continue;
		for (size_t end = at + 1; end <= len; end++) {
			long x;
			int rc;
			if (!segment_stop(a[end]) || (x = find_pat(k, a + at, end - at)) < 0)
				continue;
			if ((rc = fn(k, x, data)))
				return rc;
		}
	}
	return 0;
}

static int add_pat(const struct faktura *k, long x, void *data)
{
	struct faktura *w = data;
	(void)k;
	w->pats = xgrow(w->pats, &w->apats, w->npats + 1, sizeof(*w->pats));
	w->pats[w->npats++] = x;
	return 0;
}

/* The accounts of pat each posting walked is on (each_pat(), once a posting). */
static void index_pats(struct faktura *k)
{
	k->pat_at = xgrow(k->pat_at, &k->apat_at, k->npost + 1, sizeof(*k->pat_at));
	k->npats = 0;
	for (size_t j = 0; j < k->npost; j++) {
		k->pat_at[j] = k->npats;
		each_pat(k, k->post[j].account, add_pat, k);
	}
	k->pat_at[k->npost] = k->npats;
}

/* Whether posting j walked is on account pat[x] (index_pats()). */
static int on_pat(const struct faktura *k, long x, size_t j)
{
	for (size_t i = k->pat_at[j]; x >= 0 && i < k->pat_at[j + 1]; i++)
		if (k->pats[i] == x)
			return 1;
	return 0;
}

static int cmp_account_sum(const struct account_sum *a, const char *se, int32_t month, long pat)
{
	int c = strcmp(a->se, se);
	if (!c)
		c = (a->month > month) - (a->month < month);
	return c ? c : (a->pat > pat) - (a->pat < pat);
}

static int qcmp_account_sum(const void *a, const void *b)
{
	const struct account_sum *y = b;
	return cmp_account_sum(a, y->se, y->month, y->pat);
}

/* The ledger side of the posting basis row se, month, pat[x], or NULL. */
static struct account_sum *account_sum(const struct faktura *k, const char *se, int32_t month,
				       long x)
{
	size_t lo = 0, hi = k->nas;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_account_sum(&k->as[mid], se, month, x);
		if (!c)
			return &k->as[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * The posting basis, read whole (a row per SE, month and account) and its
 * accounts noted; then a sum per SE, month and account for the ledger's
 * postings on it (add_account()).
 */
static void index_sums(struct faktura *k)
{
	const struct kyrows *l = &k->sums;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].account[0])
			pat_add(k, l->v[i].account);
	for (size_t i = 0; i < l->n; i++) {
		struct account_sum *a;
		if (!l->v[i].account[0] || (i > 0 && !cmp_inv_place(&l->v[i - 1], &l->v[i])))
			continue;
		k->as = xgrow(k->as, &k->aas, k->nas + 1, sizeof(*k->as));
		a = &k->as[k->nas++];
		memset(a, 0, sizeof(*a));
		memcpy(a->se, l->v[i].se, sizeof(a->se));
		a->month = l->v[i].month;
		a->pat = find_pat(k, l->v[i].account, strlen(l->v[i].account));
		a->last = UINT64_MAX;
	}
	if (k->nas)
		qsort(k->as, k->nas, sizeof(*k->as), qcmp_account_sum);
}

struct add_account {
	struct faktura *k;
	const struct posting *p;
};

static int add_account(const struct faktura *k, long x, void *data)
{
	const struct add_account *a = data;
	struct account_sum *s = account_sum(k, a->p->se, a->p->month, x);
	if (s && s->last != a->k->nposting) {
		s->last = a->k->nposting;
		s->right += a->p->amount;
	}
	return 0;
}

/*
 * A posting as it is read: added to the posting basis sums of the
 * accounts it is on; sorted when it can pay an invoice (an amount some
 * invoice may have; not one of KY's own finansbilag).
 */
static int add_posting(const struct posting *p, void *data)
{
	struct faktura *k = data;
	struct add_account a = { k, p };
	if (!strncmp(p->bilag, "KY-", 3))
		return 0;
	k->nposting++;
	if (k->nas)
		each_pat(k, p->account, add_account, &a);
	if (!p->amount || !amount_maybe(k, p->amount))
		return 0;
	return add_posting_row(k, p);
}

/* Whether text names the invoice number as a word of its own ('Faktura 9104', not 91040). */
static int names_invoice(const char *text, const char *invoice)
{
	size_t len = strlen(invoice);
	if (!len)
		return 0;
	for (const char *t = text; (t = strstr(t, invoice)); t++)
		if ((t == text || !isalnum((unsigned char)t[-1])) &&
		    !isalnum((unsigned char)t[len]))
			return 1;
	return 0;
}

/*
 * One account's approved invoices of a month (credit notes when credit),
 * of the amount walked, against the payable postings on it: first a
 * posting whose text names the invoice number, within pair-window; then
 * the rest 1:1 by nearest day (groupmatch), so among many equal invoices
 * of one supplier the one never paid is the one named. What is not paid
 * on the account is left for unpaid(), once every account and month has
 * taken its own.
 */
static money_t pair_account(struct faktura *k, const struct kyrow *all, size_t nall, int credit,
			    money_t *right)
{
	long x = all[0].account[0] ? find_pat(k, all[0].account, strlen(all[0].account)) : -1;
	size_t *idx, np = 0, nq = 0, n = 0;
	const struct kyrow **q;
	const struct posting **paid;
	size_t *item;
	struct gm_item *v;
	int *first, *next;
	struct gm_result r;
	money_t open = 0;
	struct gm_limits lim = k->mc.lim;
	for (size_t i = 0; i < nall; i++)
		nq += (all[i].amount < 0) == credit;
	if (!nq)
		return 0;	/* the postings alone pair with nothing */
	idx = xcalloc(k->npost + 1, sizeof(*idx));
	q = xcalloc(nall + 1, sizeof(*q));
	paid = xcalloc(nall + 1, sizeof(*paid));
	item = xcalloc(nall + k->npost + 1, sizeof(*item));	/* v[i]: invoice or posting */
	v = xcalloc(nall + k->npost + 1, sizeof(*v));
	nq = 0;
	for (size_t i = 0; i < nall; i++)
		if ((all[i].amount < 0) == credit)
			q[nq++] = &all[i];
	for (size_t j = 0; j < k->npost; j++)
		if (!k->used[j] && payable(&k->post[j], all[0].se, credit) &&
		    on_pat(k, x, j))
			idx[np++] = j;
	/* the first posting (in posting order) that names the invoice */
	for (size_t i = 0; i < nq; i++)
		for (size_t j = 0; j < np; j++) {
			const struct posting *p = &k->post[idx[j]];
			if (!k->used[idx[j]] && p->amount == q[i]->amount && within(k, q[i], p) &&
			    names_invoice(p->text, q[i]->invoice)) {
				k->used[idx[j]] = 1;
				paid[i] = p;
				break;
			}
		}
	for (size_t i = 0; i < nq; i++)
		if (!paid[i]) {
			item[n] = i;
			v[n++] = (struct gm_item){ .side = 0, .amount = gm_amount(q[i]->amount),
						   .day = q[i]->day };
		}
	for (size_t j = 0; j < np; j++)
		if (!k->used[idx[j]]) {
			item[n] = idx[j];
			v[n++] = (struct gm_item){ .side = 1,
						   .amount = gm_amount(k->post[idx[j]].amount),
						   .day = k->post[idx[j]].day };
		}
	lim.max_group = 1;	/* an invoice and its payment: 1:1 only, whatever the conf says */
	lim.balance_rest = 0;
	groupmatch(v, n, &lim, &r);
	/* each settlement's postings, in item order: an invoice takes the last */
	first = xmalloc(((size_t)r.nsets + 1) * sizeof(*first));
	next = xmalloc((n + 1) * sizeof(*next));
	for (int s = 0; s <= r.nsets; s++)
		first[s] = -1;
	for (size_t b = n; b-- > 0;)
		if (v[b].side == 1 && v[b].set) {
			next[b] = first[v[b].set];
			first[v[b].set] = (int)b;
		}
	for (size_t a = 0; a < n; a++)
		if (v[a].side == 0 && v[a].set)
			for (int b = first[v[a].set]; b >= 0; b = next[b]) {
				paid[item[a]] = &k->post[item[b]];
				k->used[item[b]] = 1;
			}
	for (size_t i = 0; i < nq; i++) {
		const struct posting *p = paid[i];
		if (!p) {
			k->unpaid = xgrow(k->unpaid, &k->aunpaid, k->nunpaid + 1,
					  sizeof(*k->unpaid));
			k->unpaid[k->nunpaid++] = (size_t)(q[i] - k->inv);
			open += q[i]->amount;
			continue;
		}
		*right += p->amount;
		if (q[i]->costcentre[0] && !on_account(q[i]->costcentre, p))
			recon_note(inv_exception(k, q[i], "GODKENDT", "forkert-omkostningssted",
						 "betalt på kontoen, men ikke på det omkostningssted "
						 "KY anviste / paid on the account but not on the cost "
						 "centre KY instructed"),
				   "faktura %s: bogført på %s, bilag %s", q[i]->invoice, p->account,
				   p->bilag);
	}
	free(idx);
	free(q);
	free(paid);
	free(item);
	free(v);
	free(first);
	free(next);
	return open;
}

/*
 * A rejected invoice of the amount walked: KY's decision, its amount
 * explained (conf: 'explains afvist'), unless it was paid anyway.
 */
static void rejected(struct faktura *k, const struct kyrow *q)
{
	const struct posting *p;
	struct month_sum *m = month_sum(k, q->se, q->month);
	m->afvist += q->amount;
	m->nafvist++;
	inv_exception(k, q, "AFVIST", "afvist", "eFaktura afvist i KY / eInvoice rejected in KY");
	if ((p = find_paid(k, q, 1))) {
		char day[DATE_BUFSZ];
		recon_note(inv_exception(k, q, "AFVIST", "afvist-men-betalt", "afvist eFaktura "
					 "er betalt alligevel / rejected eInvoice paid anyway"),
			   "faktura %s: bilag %s af %s", q->invoice, p->bilag, day_format(p->day, day));
	}
}

/*
 * One SE and amount, whole: each account's approved invoices of a month
 * take their own payments (accounts and months in order), then an invoice
 * unpaid on its account is sought elsewhere, then the rejected ones.
 */
static void match_amount(struct faktura *k)
{
	k->ninv = k->nrej = k->npost = k->nunpaid = 0;
	for (size_t i = 0; i < k->nrows; i++) {
		const char *raw = k->raw.buf + k->rows[i].off;
		switch (k->rows[i].kind) {
		case ROW_INVOICE:
			k->inv = xgrow(k->inv, &k->ainv, k->ninv + 1, sizeof(*k->inv));
			kyrow_row_get(raw, &k->inv[k->ninv++]);
			break;
		case ROW_REJECTED:
			k->rej = xgrow(k->rej, &k->arej, k->nrej + 1, sizeof(*k->rej));
			kyrow_row_get(raw, &k->rej[k->nrej++]);
			break;
		default:
			k->post = xgrow(k->post, &k->apost, k->npost + 1, sizeof(*k->post));
			posting_row_get(raw, &k->post[k->npost++]);
			break;
		}
	}
	k->used = xgrow(k->used, &k->aused, k->npost + 1, 1);
	memset(k->used, 0, k->npost + 1);
	if (k->ninv)
		index_pats(k);
	for (size_t i = 0, j; i < k->ninv; i = j) {
		const struct kyrow *l = &k->inv[i];
		struct month_sum *m = month_sum(k, l->se, l->month);
		for (j = i; j < k->ninv && k->inv[j].month == l->month &&
		     !strcmp(k->inv[j].account, l->account); j++)
			m->left += k->inv[j].amount;
		m->invoices += j - i;
		m->open += pair_account(k, l, j - i, 0, &m->right);
		m->open += pair_account(k, l, j - i, 1, &m->right);
	}
	for (size_t i = 0; i < k->nunpaid; i++)
		unpaid(k, &k->inv[k->unpaid[i]]);
	for (size_t i = 0; i < k->nrej; i++)
		rejected(k, &k->rej[i]);
	k->nrows = 0;
	strbuf_reset(&k->raw);
}

/* The sorted rows: a group per SE and amount (SE \0 AMOUNT). */
static int walk(int store, const uint8_t *key, size_t klen, const void *val, size_t vlen,
		void *data)
{
	struct faktura *k = data;
	size_t plen = strlen((const char *)key) + 1 + 8;
	(void)store;
	(void)klen;
	if (k->nrows && (k->pkey.len != plen || memcmp(k->pkey.buf, key, plen)))
		match_amount(k);
	if (!k->nrows) {
		strbuf_reset(&k->pkey);
		strbuf_add(&k->pkey, key, plen);
	}
	k->rows = xgrow(k->rows, &k->arows, k->nrows + 1, sizeof(*k->rows));
	k->rows[k->nrows].kind = key[plen];
	k->rows[k->nrows++].off = k->raw.len;
	strbuf_add(&k->raw, val, vlen);
	return 0;
}

/* The GODKENDT, AFVIST and TEKNISK_FEJL rows of an SE and month (none without invoices). */
static void month_rows(struct faktura *k, const char *se, int32_t month)
{
	struct month_sum *m = month_sum(k, se, month);
	if (m->invoices) {
		recon_summary(&k->out, se, month, "GODKENDT", m->left, m->right, 0);
		if (m->left - m->right != m->open) {
			log_error("internal: GODKENDT %s %d: difference is not the unpaid invoices",
				  se, (int)month);
			k->bad = 1;
		}
	}
	if (m->nafvist)
		recon_summary(&k->out, se, month, "AFVIST", m->afvist, 0, m->afvist);
	if (m->nfejl)
		recon_summary(&k->out, se, month, "TEKNISK_FEJL", m->fejl, 0, 0);
}

/* KY's posting basis per account against the ledger's postings on the account. */
static void per_account(struct faktura *k, const char *se, int32_t month)
{
	const struct kyrows *l = &k->sums;
	for (size_t i = 0, j; i < l->n; i = j) {
		money_t left = 0, right = 0;
		const struct account_sum *a;
		for (j = i; j < l->n && !cmp_inv_place(&l->v[i], &l->v[j]); j++)
			left += l->v[j].status[0] == 'K' ? -l->v[j].amount : l->v[j].amount;
		if (strcmp(l->v[i].se, se) || l->v[i].month != month)
			continue;
		if (l->v[i].account[0] &&
		    (a = account_sum(k, se, month, find_pat(k, l->v[i].account,
							    strlen(l->v[i].account)))))
			right = a->right;
		recon_summary(&k->out, se, month, l->v[i].account, left, right, 0);
		if (left != right)
			recon_exception(&k->out, se, month, l->v[i].account, NULL, left - right,
					"konto-difference", "KY's posteringsgrundlag for kontoen "
					"stemmer ikke med økonomisystemet / KY's posting basis for the "
					"account differs from the ledger");
	}
}

static int match_all(struct faktura *k)
{
	const char **se;
	size_t nse = reconin_ses(&k->in, &se);
	/* every account and month takes its own payments before any is sought elsewhere */
	if (segsort_each(&k->sort, walk, k)) {
		free(se);
		return -1;
	}
	if (k->nrows)
		match_amount(k);
	for (size_t i = 0; i < nse; i++)
		for (int32_t m = k->from; m <= k->to; m = month_add(m, 1)) {
			month_rows(k, se[i], m);
			per_account(k, se[i], m);
		}
	free(se);
	return 0;
}

/*
 * Reads every source once, in store order: the approved and rejected
 * invoices and the postings into the sorter (by SE and amount), the
 * failed invoices listed at once, the posting basis kept (a row per
 * account and month) with the ledger's sums per account beside it.
 */
static int load(struct faktura *k, MDB_txn *txn)
{
	struct strbuf path = STRBUF_INIT;
	const struct stage_ctx *c = k->ctx;
	int32_t to = c->night / 100;
	int rc;
	conf_sibling(&c->conf, "matching.conf", &path);
	rc = matchconf_load(path.buf, RECON, &k->mc);
	strbuf_release(&path);
	if (rc)
		return EXIT_USAGE;
	k->to = to;
	k->from = month_add(to, -matchconf_months_back(&k->mc, c->conf.months_back));
	if ((rc = recon_begin(&k->out, k->ctx, source_store, NSOURCES)))
		return rc;
	if (reconin_open(&k->in, k->ctx, txn, source_store, NSOURCES,
			 month_add(to, -k->mc.lookback_months), to))
		return EXIT_INTERNAL;
	segsort_init(&k->sort, c->conf.state, SORT_BYTES);
	k->amounts = xcalloc((size_t)1 << (AMOUNT_BITS - 3), 1);
	if (kyrows_each(&k->in, GODKENDT, add_approved, k) ||
	    kyrows_each(&k->in, AFVIST, add_rejected, k) ||
	    kyrows_each(&k->in, FEJL, add_failed, k) || reconin_rows(&k->in, SUM, &k->sums))
		return EXIT_INTERNAL;
	if (k->sums.n)
		qsort(k->sums.v, k->sums.n, sizeof(*k->sums.v), cmp_inv);
	index_sums(k);
	if (postings_each(&k->in, ERP, NULL, NULL, add_posting, k))
		return EXIT_INTERNAL;
	return 0;
}

static int match_night(struct stage_ctx *ctx)
{
	struct faktura k = { .ctx = ctx, .out = { .recon = RECON } };
	MDB_txn *txn;
	int rc;
	if (store_begin(&ctx->store, 0, &txn))
		return EXIT_INTERNAL;
	if ((rc = load(&k, txn)) != 0 || match_all(&k) || k.bad) {
		mdb_txn_abort(txn);
		rc = rc ? rc : EXIT_INTERNAL;
	} else {
		rc = reconin_commit(&k.in, &k.out);
	}
	reconin_free(&k.in);
	kyrows_free(&k.sums);
	segsort_free(&k.sort);
	strbuf_release(&k.pkey);
	strbuf_release(&k.raw);
	free(k.rows);
	free(k.inv);
	free(k.rej);
	free(k.post);
	free(k.used);
	free(k.pats);
	free(k.pat_at);
	free(k.unpaid);
	free(k.ms);
	free(k.as);
	free(k.amounts);
	textpool_free(&k.patpool);
	free(k.pat);
	recon_free(&k.out);
	return rc;
}

/* --help (run/stage.h). */
const struct stage_help stage_help = {
	"Reconciles KY's approved, rejected and failed eInvoices against the ledger\n"
	"(guide 3.3): OUT/DATE/summary/faktura.csv and OUT/DATE/exceptions/faktura.csv.\n",
	"Exit: 0 done (breaks found are still 0), 64 usage or configuration,\n"
	"      65 input it cannot use, 70 internal error, 75 locked.\n",
};

int main(int argc, char **argv)
{
	struct stage_ctx ctx;
	int rc;
	log_init("stage-match-faktura");
	if ((rc = stage_init(&ctx, "match-faktura", argc, argv, 0)))
		return rc;
	rc = match_night(&ctx);
	return stage_end(&ctx, rc);
}
