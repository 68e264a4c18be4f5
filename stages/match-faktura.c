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
 * Reads only the store and conf/ (matching.conf).
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

struct faktura {
	struct stage_ctx *ctx;
	struct match_conf mc;
	struct reconin in;
	struct kyrows src[SUM + 1];
	struct postings p;
	char *used;		/* per posting: paired with an invoice */
	size_t *byamount;	/* every posting index, by amount, then index */
	const char **pat;	/* the accounts KY names (invoices, posting basis), sorted, once */
	size_t npat;
	struct plist {		/* per pat[i]: the postings on it (on_account), ascending */
		size_t *v, n, alloc;
	} *on;
	struct kyrows unpaid;	/* approved invoices not paid on their account (copies) */
	money_t *amounts;	/* of the approved and rejected invoices, sorted */
	size_t namounts, aamounts;
	size_t apat;
	struct textpool patpool;	/* the texts of pat */
	/* the approved invoices, regrouped by SE, month and account (see add_invoice()) */
	struct segsort sort;
	uint64_t seq;
	struct strbuf raw;	/* the group's rows, as add_invoice() wrote them */
	struct strbuf gkey;	/* the group's key: SE, month, account */
	size_t *off, n, aoff;
	struct kyrow *group;
	size_t agroup;
	int32_t from, to;	/* the months matched */
	struct month_sum {	/* the GODKENDT row of the SE and month being walked */
		char se[9];
		int32_t month;
		money_t left, right, open;
		size_t invoices;
	} ms;
	struct recon_out out;
	int bad;		/* a conservation check failed */
};

/* The sort buffer: with strbuf's doubling from 64 bytes it stays an 8 MiB arena. */
enum { SORT_BYTES = (8 << 20) - 64 };

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

static int cmp_posting(const void *a, const void *b)
{
	const struct posting *x = a, *y = b;
	int c = strcmp(x->se, y->se);
	if (!c)
		c = (x->day > y->day) - (x->day < y->day);
	if (!c)
		c = strcmp(x->bilag, y->bilag);
	if (!c)
		c = strcmp(x->account, y->account);
	return c ? c : (x->amount > y->amount) - (x->amount < y->amount);
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

/* The first position in byamount of a posting of amount a. */
static size_t first_of_amount(const struct faktura *k, money_t a)
{
	size_t lo = 0, hi = k->p.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (k->p.v[k->byamount[mid]].amount < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * An unpaired posting of the invoice's amount within the window, on (or
 * off) its account: the first in posting order, found through byamount.
 */
static const struct posting *find_paid(struct faktura *k, const struct kyrow *q, int own_account)
{
	for (size_t x = first_of_amount(k, q->amount);
	     x < k->p.n && k->p.v[k->byamount[x]].amount == q->amount; x++) {
		size_t i = k->byamount[x];
		const struct posting *p = &k->p.v[i];
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

static int cmp_money(const void *a, const void *b)
{
	money_t x = *(const money_t *)a, y = *(const money_t *)b;
	return (x > y) - (x < y);
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

static void amount_add(struct faktura *k, money_t a)
{
	k->amounts = xgrow(k->amounts, &k->aamounts, k->namounts + 1, sizeof(*k->amounts));
	k->amounts[k->namounts++] = a;
}

/*
 * An approved invoice as it is read: its account and amount noted (what a
 * posting needs to be kept: keep_posting()), the row into the sorter under
 *   SE \0 MONTH ACCOUNT \0 DAY IDENT \0 SEQ
 * (MONTH and DAY 4 bytes, SEQ 8, big-endian; DAY's sign bit flipped): the
 * order of cmp_inv(), equal rows in store order. Its value: month, day,
 * created, processed, amount (host order), then SE, CPR, CVR and the texts.
 */
static int add_invoice(const struct kyrow *q, void *data)
{
	struct faktura *k = data;
	struct strbuf key = STRBUF_INIT, v = STRBUF_INIT;
	int rc;
	if (q->account[0])
		pat_add(k, q->account);
	amount_add(k, q->amount);
	segrow_put_str(&key, q->se);
	segrow_put_be(&key, (uint32_t)q->month, 4);
	segrow_put_str(&key, q->account);
	segrow_put_be(&key, (uint32_t)q->day ^ 0x80000000u, 4);
	segrow_put_str(&key, q->ident);
	segrow_put_be(&key, k->seq++, 8);
	strbuf_add(&v, &q->month, sizeof(q->month));
	strbuf_add(&v, &q->day, sizeof(q->day));
	strbuf_add(&v, &q->created, sizeof(q->created));
	strbuf_add(&v, &q->processed, sizeof(q->processed));
	strbuf_add(&v, &q->amount, sizeof(q->amount));
	segrow_put_str(&v, q->se);
	segrow_put_str(&v, q->cpr);
	segrow_put_str(&v, q->cvr);
	segrow_put_str(&v, q->ident);
	segrow_put_str(&v, q->status);
	segrow_put_str(&v, q->bilag);
	segrow_put_str(&v, q->account);
	segrow_put_str(&v, q->costcentre);
	segrow_put_str(&v, q->invoice);
	segrow_put_str(&v, q->reason);
	segrow_put_str(&v, q->text);
	segrow_put_str(&v, q->name);
	rc = segsort_add(&k->sort, 0, (const uint8_t *)key.buf, key.len, v.buf, v.len);
	strbuf_release(&key);
	strbuf_release(&v);
	return rc;
}

/* A row add_invoice() wrote: its texts point into raw. */
static void get_invoice(const char *raw, struct kyrow *q)
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

/*
 * What a posting must have to be read at all, with the approved invoices'
 * (add_invoice()): the accounts KY names (invoices, posting basis), and
 * the amounts of the approved and rejected invoices, sorted.
 */
static void index_invoices(struct faktura *k)
{
	for (size_t i = 0; i < k->src[SUM].n; i++)
		if (k->src[SUM].v[i].account[0])
			pat_add(k, k->src[SUM].v[i].account);
	for (size_t i = 0; i < k->src[AFVIST].n; i++)
		amount_add(k, k->src[AFVIST].v[i].amount);
	if (k->namounts)
		qsort(k->amounts, k->namounts, sizeof(*k->amounts), cmp_money);
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

static int found(const struct faktura *k, long x, void *data)
{
	(void)k;
	(void)x;
	(void)data;
	return 1;
}

/*
 * Whether any step can read the posting: pair_account() and per_account()
 * read only postings on an account KY names, find_paid() only postings of
 * an invoice's amount. The others are left out of memory; the kept ones
 * keep their order, so every result is the same.
 */
static int keep_posting(const struct posting *p, void *data)
{
	struct faktura *k = data;
	size_t lo = 0, hi = k->namounts;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (k->amounts[mid] < p->amount)
			lo = mid + 1;
		else
			hi = mid;
	}
	if ((lo < k->namounts && k->amounts[lo] == p->amount) || each_pat(k, p->account, found, NULL))
		postings_add(&k->p, p);
	return 0;
}

struct on_add {
	size_t i;
};

static int add_on(const struct faktura *k, long x, void *data)
{
	const struct on_add *o = data;
	struct plist *l = &k->on[x];
	if (l->n && l->v[l->n - 1] == o->i)
		return 0;	/* the same account at two places */
	l->v = xgrow(l->v, &l->alloc, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = o->i;
	return 0;
}

/*
 * The postings on each account KY names, in one pass: linear in the
 * postings, instead of a scan of all postings per account and month.
 */
static void index_accounts(struct faktura *k)
{
	k->on = xcalloc(k->npat + 1, sizeof(*k->on));
	for (size_t i = 0; i < k->p.n && k->npat; i++) {
		struct on_add o = { i };
		each_pat(k, k->p.v[i].account, add_on, &o);
	}
}

/* The postings on account (on_account()), ascending; NULL and 0 for none. */
static const size_t *postings_on(const struct faktura *k, const char *account, size_t *n)
{
	long x = account[0] ? find_pat(k, account, strlen(account)) : -1;
	*n = x < 0 ? 0 : k->on[x].n;
	return x < 0 ? NULL : k->on[x].v;
}

/* Indexes by the amount of their posting (p[idx[i]], or p[i] without idx), then index. */
struct by_amount {
	const struct posting *p;
	const size_t *idx;
};

static int cmp_by_amount(const void *a, const void *b, void *data)
{
	const struct by_amount *c = data;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	money_t ax = c->p[c->idx ? c->idx[x] : x].amount, ay = c->p[c->idx ? c->idx[y] : y].amount;
	if (ax != ay)
		return ax < ay ? -1 : 1;
	return (x > y) - (x < y);
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
 * One account's approved invoices of a month (credit notes when credit)
 * against the payable postings on it: first a posting of the amount whose
 * text names the invoice number, within pair-window; then the rest 1:1 by
 * amount and nearest day (groupmatch), so among many equal invoices of one
 * supplier the one never paid is the one named. What is not paid on the
 * account is left for unpaid(), once every account and month has taken
 * its own.
 */
static money_t pair_account(struct faktura *k, const struct kyrow *all, size_t nall, int credit,
			    money_t *right)
{
	size_t non;
	const size_t *on = postings_on(k, all[0].account, &non);
	size_t *idx = xcalloc(non + 1, sizeof(*idx)), np = 0, nq = 0, n = 0;
	size_t *amt = xcalloc(non + 1, sizeof(*amt));	/* positions into idx, by amount */
	const struct kyrow **q = xcalloc(nall + 1, sizeof(*q));
	const struct posting **paid = xcalloc(nall + 1, sizeof(*paid));
	size_t *item = xcalloc(nall + non + 1, sizeof(*item));	/* v[i]: invoice or posting */
	struct gm_item *v = xcalloc(nall + non + 1, sizeof(*v));
	int *first = NULL, *next = NULL;
	struct gm_result r;
	money_t open = 0;
	struct gm_limits lim = k->mc.lim;
	struct by_amount ba = { k->p.v, NULL };
	for (size_t i = 0; i < nall; i++)
		if ((all[i].amount < 0) == credit)
			q[nq++] = &all[i];
	for (size_t x = 0; x < non; x++)
		if (!k->used[on[x]] && payable(&k->p.v[on[x]], all[0].se, credit))
			idx[np++] = on[x];
	for (size_t j = 0; j < np; j++)
		amt[j] = j;
	ba.idx = idx;
	if (np)
		qsort_r(amt, np, sizeof(*amt), cmp_by_amount, &ba);
	/* the first posting (in idx order) of the amount that names the invoice */
	for (size_t i = 0; i < nq; i++) {
		size_t lo = 0, hi = np;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (k->p.v[idx[amt[mid]]].amount < q[i]->amount)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < np && k->p.v[idx[amt[lo]]].amount == q[i]->amount; lo++) {
			size_t j = amt[lo];
			const struct posting *p = &k->p.v[idx[j]];
			if (!k->used[idx[j]] && within(k, q[i], p) &&
			    names_invoice(p->text, q[i]->invoice)) {
				k->used[idx[j]] = 1;
				paid[i] = p;
				break;
			}
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
						   .amount = gm_amount(k->p.v[idx[j]].amount),
						   .day = k->p.v[idx[j]].day };
		}
	lim.max_group = 1;	/* an invoice and its payment: 1:1 only, whatever the conf says */
	lim.balance_rest = 0;
	groupmatch(v, n, &lim, &r);
	/* each settlement's postings, in item order: an invoice takes the last */
	first = xmalloc(((size_t)r.nsets + 1) * sizeof(*first));
	next = xmalloc((n + 1) * sizeof(*next));
	for (int x = 0; x <= r.nsets; x++)
		first[x] = -1;
	for (size_t b = n; b-- > 0;)
		if (v[b].side == 1 && v[b].set) {
			next[b] = first[v[b].set];
			first[v[b].set] = (int)b;
		}
	for (size_t a = 0; a < n; a++)
		if (v[a].side == 0 && v[a].set)
			for (int b = first[v[a].set]; b >= 0; b = next[b]) {
				paid[item[a]] = &k->p.v[item[b]];
				k->used[item[b]] = 1;
			}
	for (size_t i = 0; i < nq; i++) {
		const struct posting *p = paid[i];
		if (!p) {
			kyrows_add(&k->unpaid, q[i]);
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
	free(amt);
	free(q);
	free(paid);
	free(item);
	free(v);
	free(first);
	free(next);
	return open;
}

/* The GODKENDT row of the SE and month walked, when it had approved invoices. */
static void approved_month(struct faktura *k)
{
	struct month_sum *m = &k->ms;
	if (m->invoices) {	/* no approved invoice that month: no row of zeros */
		recon_summary(&k->out, m->se, m->month, "GODKENDT", m->left, m->right, 0);
		if (m->left - m->right != m->open) {
			log_error("internal: GODKENDT %s %d: difference is not the unpaid invoices",
				  m->se, (int)m->month);
			k->bad = 1;
		}
	}
	memset(m, 0, sizeof(*m));
}

/* One account's approved invoices of a month, whole: paired with its postings. */
static void approved(struct faktura *k)
{
	const struct kyrow *l;
	if (!k->n)
		return;
	k->group = xgrow(k->group, &k->agroup, k->n, sizeof(*k->group));
	for (size_t i = 0; i < k->n; i++)
		get_invoice(k->raw.buf + k->off[i], &k->group[i]);
	l = k->group;
	if (l[0].month >= k->from && l[0].month <= k->to) {
		for (size_t x = 0; x < k->n; x++)
			k->ms.left += l[x].amount;
		k->ms.invoices += k->n;
		k->ms.open += pair_account(k, l, k->n, 0, &k->ms.right);
		k->ms.open += pair_account(k, l, k->n, 1, &k->ms.right);
	}
	k->n = 0;
	strbuf_reset(&k->raw);
}

/* The approved invoices in cmp_inv() order: a group per SE, month and account. */
static int walk(int store, const uint8_t *key, size_t klen, const void *val, size_t vlen,
		void *data)
{
	struct faktura *k = data;
	const char *se = (const char *)key, *account = se + strlen(se) + 1 + 4;
	size_t glen = (size_t)(account - se) + strlen(account) + 1;	/* SE, month, account */
	int32_t month;
	(void)store;
	(void)klen;
	memcpy(&month, val, sizeof(month));
	if (k->n && (k->gkey.len != glen || memcmp(k->gkey.buf, key, glen)))
		approved(k);
	if (strcmp(k->ms.se, se) || k->ms.month != month) {
		approved_month(k);
		xstrlcpy(k->ms.se, se, sizeof(k->ms.se));
		k->ms.month = month;
	}
	if (!k->n) {
		strbuf_reset(&k->gkey);
		strbuf_add(&k->gkey, key, glen);
	}
	k->off = xgrow(k->off, &k->aoff, k->n + 1, sizeof(*k->off));
	k->off[k->n++] = k->raw.len;
	strbuf_add(&k->raw, val, vlen);
	return 0;
}

/*
 * Rejected or failed invoices, listed for the clerk. A rejected invoice is
 * KY's decision: its amount is explained (conf: 'explains afvist'), unless
 * it was paid anyway; one with a technical error must be handled again:
 * open. A month without such invoices has no row.
 */
static void listed(struct faktura *k, const char *se, int32_t month, int src)
{
	const struct kyrows *l = &k->src[src];
	const char *key = src == AFVIST ? "AFVIST" : "TEKNISK_FEJL";
	money_t sum = 0;
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct kyrow *q = &l->v[i];
		const struct posting *p;
		if (strcmp(q->se, se) || q->month != month)
			continue;
		sum += q->amount;
		n++;
		if (src == AFVIST)
			inv_exception(k, q, key, "afvist", "eFaktura afvist i KY / eInvoice "
				      "rejected in KY");
		else
			inv_exception(k, q, key, "teknisk-fejl", "eFaktura med teknisk fejl, "
				      "behandl den igen / eInvoice with a technical error, handle "
				      "it again");
		if (src == AFVIST && (p = find_paid(k, q, 1))) {
			char day[DATE_BUFSZ];
			recon_note(inv_exception(k, q, key, "afvist-men-betalt", "afvist eFaktura "
						 "er betalt alligevel / rejected eInvoice paid anyway"),
				   "faktura %s: bilag %s af %s", q->invoice, p->bilag,
				   day_format(p->day, day));
		}
	}
	if (n)
		recon_summary(&k->out, se, month, key, sum, 0, src == AFVIST ? sum : 0);
}

/* KY's posting basis per account against the ledger's postings on the account. */
static void per_account(struct faktura *k, const char *se, int32_t month)
{
	const struct kyrows *l = &k->src[SUM];
	for (size_t i = 0, j; i < l->n; i = j) {
		money_t left = 0, right = 0;
		for (j = i; j < l->n && !strcmp(l->v[j].se, l->v[i].se) &&
		     l->v[j].month == l->v[i].month && !strcmp(l->v[j].account, l->v[i].account); j++)
			left += l->v[j].status[0] == 'K' ? -l->v[j].amount : l->v[j].amount;
		if (strcmp(l->v[i].se, se) || l->v[i].month != month)
			continue;
		size_t non;
		const size_t *on = postings_on(k, l->v[i].account, &non);
		for (size_t x = 0; x < non; x++) {
			const struct posting *p = &k->p.v[on[x]];
			if (!strcmp(p->se, se) && p->month == month && strncmp(p->bilag, "KY-", 3))
				right += p->amount;
		}
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
	int32_t to = k->ctx->night / 100;
	int32_t from = month_add(to, -matchconf_months_back(&k->mc, k->ctx->conf.months_back));
	k->from = from;
	k->to = to;
	for (int s = AFVIST; s <= SUM; s++)
		if (k->src[s].n)
			qsort(k->src[s].v, k->src[s].n, sizeof(*k->src[s].v), cmp_inv);
	if (k->p.n)
		qsort(k->p.v, k->p.n, sizeof(*k->p.v), cmp_posting);
	k->used = xcalloc(k->p.n + 1, 1);
	k->byamount = xcalloc(k->p.n + 1, sizeof(*k->byamount));
	for (size_t i = 0; i < k->p.n; i++)
		k->byamount[i] = i;
	if (k->p.n)
		qsort_r(k->byamount, k->p.n, sizeof(*k->byamount), cmp_by_amount,
			&(struct by_amount){ k->p.v, NULL });
	index_accounts(k);
	/* every account and month takes its own payments before any is sought elsewhere */
	if (segsort_each(&k->sort, walk, k)) {
		free(se);
		return -1;
	}
	approved(k);
	approved_month(k);
	for (size_t i = 0; i < k->unpaid.n; i++)
		unpaid(k, &k->unpaid.v[i]);
	for (size_t i = 0; i < nse; i++)
		for (int32_t m = from; m <= to; m = month_add(m, 1)) {
			listed(k, se[i], m, AFVIST);
			listed(k, se[i], m, FEJL);
			per_account(k, se[i], m);
		}
	free(se);
	return 0;
}

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
	if ((rc = recon_begin(&k->out, k->ctx, source_store, NSOURCES)))
		return rc;
	if (reconin_open(&k->in, k->ctx, txn, source_store, NSOURCES,
			 month_add(to, -k->mc.lookback_months), to))
		return EXIT_INTERNAL;
	segsort_init(&k->sort, c->conf.state, SORT_BYTES);
	if (kyrows_each(&k->in, GODKENDT, add_invoice, k))
		return EXIT_INTERNAL;
	for (int s = AFVIST; s <= SUM; s++)
		if (reconin_rows(&k->in, s, &k->src[s]))
			return EXIT_INTERNAL;
	index_invoices(k);
	if (postings_each(&k->in, ERP, NULL, NULL, keep_posting, k))
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
	postings_free(&k.p);
	for (int s = GODKENDT; s <= SUM; s++)
		kyrows_free(&k.src[s]);
	free(k.used);
	kyrows_free(&k.unpaid);
	segsort_free(&k.sort);
	strbuf_release(&k.raw);
	strbuf_release(&k.gkey);
	free(k.off);
	free(k.group);
	textpool_free(&k.patpool);
	free(k.byamount);
	free(k.amounts);
	for (size_t i = 0; i < k.npat; i++)
		free(k.on[i].v);
	free(k.on);
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
