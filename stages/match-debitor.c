/*
 * stage-match-debitor: KY against the debtor system and the ERP ledger
 * (guide 3.2, Figur 29-33; ../shared/spec/reconciliations.md).
 *
 * For each month of the night:
 *   KY->DEBITOR  claims ACCEPTERET in the month (BehandlingDatoTid),
 *                whatever month they were created in, paired 1:1 with
 *                the debits on the KY restance accounts by amount, day
 *                and person (where the ERP names one); rejected claims
 *                ('Detaljer - Debitor fejlede') listed with their reason.
 *   DEBITOR->KY  coverings, write-offs and reductions ('Afstemning af
 *                fordringer') paired 1:1 with the restance credits.
 * For each creation month KY reports on, SUM-REGISTRERINGER: 'Sum -
 * Debitorregistreringer' against the ACCEPTERET detail rows (Figur 32).
 * MELLEMREGNING: on the night's balance (Råbalance, Figur 33) the
 * clearing account must be minus the restance accounts; what a debtor
 * group's own clearing account holds is explained by a transfer to make.
 * Reads only the store and conf/ (accounts.conf, matching.conf). KY->DEBITOR
 * pairs 1:1, equal amounts of one SE: its claims and debits are regrouped
 * by SE and amount in the store's external sorter (store/segment.h) and
 * each amount is matched alone, in the order the whole side had (with
 * balance-rest on, a side is one group per SE). Memory is the sort buffer
 * and the largest group, not the claims and the ledger; the results are
 * the same.
 */
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

#define RECON "debitor"

enum { CLAIMS, FAILED, SUMS, EVENTS, ERP, BALANCE, NSOURCES };

static const char *const source_store[NSOURCES] = {
	"ky.debitor", "ky.debitor_failed", "ky.debitor_sum", "ky.fordring_event",
	"erp.posting", "erp.balance",
};

/* A claim's day: when it was accepted, else when it was created. */
static int32_t claim_day(const struct kyrow *q)
{
	if (q->processed && !strcmp(q->status, "ACCEPTERET"))
		return (int32_t)(q->processed / 1000000000);
	return q->day ? q->day : (int32_t)(q->created / 1000000000);
}

/* The month a claim was accepted, or 0. */
static int32_t accepted_month(const struct kyrow *q)
{
	return q->processed && !strcmp(q->status, "ACCEPTERET")
		? (int32_t)(q->processed / 100000000000LL) : 0;
}

/* A side's KY items and postings of a reported month, added up (the summary row). */
struct flow_sum {
	money_t left, right, explained;
	int items;
};

/* The KY->DEBITOR sums of an SE, a flow_sum per reported month. */
struct se_sums {
	char se[9];
	struct flow_sum *m;
};

/* A sorter row's side: a claim (KY) or a debit on a restance account (ERP). */
enum { ROW_KY, ROW_ERP };

struct debitor {
	struct stage_ctx *ctx;
	struct match_conf mc;
	struct accounts acc;
	struct reconin in;
	struct kyrows src[NSOURCES];
	struct postings p;	/* the restance credits (DEBITOR->KY), postings_sort()ed */
	int32_t from, to;	/* the months reported */
	/* the accepted claims and restance debits, by SE and amount (add_claim()) */
	struct segsort sort;
	uint64_t seq;
	struct strbuf gkey;	/* the group walked: SE \0 AMOUNT */
	struct strbuf raw;	/* its rows */
	struct grow {
		int kind;
		size_t off;
	} *rows;
	size_t nrows, arows;
	uint64_t budget;	/* the SE's step budget (groupmatch_part()) */
	struct se_sums *ses;	/* KY->DEBITOR, in SE order */
	size_t nses, ases;
	struct regsum {		/* the ACCEPTERET claims of an SE and creation month, added up */
		char se[9];
		int32_t month;
		money_t total;
	} *reg;
	size_t nreg, areg;
	struct recon_out out;
	uint64_t paired, items;	/* conservation: items = paired + exceptions */
};

/* The sort buffer: with strbuf's doubling from 64 bytes it stays an 8 MiB arena. */
enum { SORT_BYTES = (8 << 20) - 64 };

static int is(const struct kyrow *q, const char *status)
{
	return !strcmp(q->status, status);
}

/* One side of a 1:1 matching: KY items and ERP postings of one SE, every month read. */
struct side {
	const char *key;
	int to_debitor;
	int32_t from, to;	/* the months reported; the others read are context */
	const struct kyrow **ky;
	size_t nky;
	const struct posting **erp;
	size_t nerp;
	const struct postings *all;	/* what erp points into, postings_sort()ed (the ids) */
	int *copy;		/* per KY item: which copy of identical rows, from 1 (ky_copy) */
};

/* The month a KY item is filed under: accepted (claims) or its report's (events). */
static int32_t ky_month(const struct side *s, const struct kyrow *q)
{
	return s->to_debitor ? accepted_month(q) : q->month;
}

static int reported(const struct side *s, int32_t month)
{
	return month >= s->from && month <= s->to;
}

/* Orders KY rows so that copies of one claim row (ident, status, day, amount) are adjacent. */
static int ky_key_cmp(const struct kyrow *x, const struct kyrow *y)
{
	int c = strcmp(x->ident, y->ident);
	if (!c)
		c = strcmp(x->status, y->status);
	if (!c)
		c = (claim_day(x) > claim_day(y)) - (claim_day(x) < claim_day(y));
	if (!c)
		c = (x->amount > y->amount) - (x->amount < y->amount);
	return c;
}

/* The side's KY item indexes by ky_key_cmp(), then index. */
static int cmp_ky_copy(const void *a, const void *b, void *data)
{
	const struct side *s = data;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = ky_key_cmp(s->ky[i], s->ky[j]);
	return c ? c : (i > j) - (i < j);
}

/*
 * Which copy of identical KY rows (a repeated claim row) the side's i-th
 * is, from 1: the items sorted once per side (a scan of the items before
 * each one was quadratic).
 */
static int ky_copy(struct side *s, size_t i)
{
	if (!s->copy) {
		size_t *by = xcalloc(s->nky + 1, sizeof(*by));
		s->copy = xcalloc(s->nky + 1, sizeof(*s->copy));
		for (size_t j = 0; j < s->nky; j++)
			by[j] = j;
		if (s->nky)
			qsort_r(by, s->nky, sizeof(*by), cmp_ky_copy, s);
		for (size_t j = 0; j < s->nky; j++)
			s->copy[by[j]] = j > 0 && !ky_key_cmp(s->ky[by[j - 1]], s->ky[by[j]])
				? s->copy[by[j - 1]] + 1 : 1;
		free(by);
	}
	return s->copy[i];
}

static void ky_unpaired(struct debitor *d, struct side *s, size_t i)
{
	const struct kyrow *q = s->ky[i];
	char day[DATE_BUFSZ];
	struct exception_row *e = recon_exception(&d->out, q->se, ky_month(s, q), s->key, q->cpr,
						  q->amount, "mangler-i-erp",
						  "KY-beløb uden postering på KY-restancekonto / KY "
						  "amount without a posting on the restance accounts");
	int copy = ky_copy(s, i);
	size_t len;
	snprintf(e->ref, sizeof(e->ref), "%s|%s|%d|%lld", q->ident, q->status, (int)claim_day(q),
		 (long long)q->amount);
	len = strlen(e->ref);
	/* a second copy gets its own id; the first keeps the id it always had */
	if (copy > 1)
		snprintf(e->ref + len, sizeof(e->ref) - len, "|%d", copy);
	recon_note(e, "%s %s af %s", q->ident, q->status, day_format(claim_day(q), day));
}

static void erp_unpaired(struct debitor *d, const struct side *s, size_t i)
{
	const struct posting *p = s->erp[i];
	char day[DATE_BUFSZ];
	struct exception_row *e = recon_exception(&d->out, p->se, p->month, s->key, NULL,
						  p->amount, "ukendt-postering",
						  "postering på KY-restancekonto uden KY-beløb / posting "
						  "on a restance account that KY does not know");
	postings_ref(s->all, (size_t)(p - s->all->v), e->ref, sizeof(e->ref));
	recon_note(e, "bilag %s af %s: %s", p->bilag, day_format(p->day, day), p->text);
}

/* The month of item i of the side's matching (KY items first, then postings). */
static int32_t item_month(const struct side *s, size_t i)
{
	return i < s->nky ? ky_month(s, s->ky[i]) : s->erp[i - s->nky]->month;
}

/*
 * Per settlement, whether it spans months (a claim accepted 31-07 and
 * posted 01-08): its items explain their own month's difference.
 */
static char *across_months(const struct side *s, const struct gm_item *v, int nsets)
{
	int32_t *first = xcalloc((size_t)nsets + 1, sizeof(*first));
	char *across = xcalloc((size_t)nsets + 1, 1);
	for (size_t i = 0; i < s->nky + s->nerp; i++) {
		int32_t m = item_month(s, i);
		if (!v[i].set)
			continue;
		if (!first[v[i].set])
			first[v[i].set] = m;
		else if (first[v[i].set] != m)
			across[v[i].set] = 1;
	}
	free(first);
	return across;
}

/* The number of months reported: sums[] of side_sums(). */
static size_t nmonths(int32_t from, int32_t to)
{
	size_t n = 0;
	for (int32_t m = from; m <= to; m = month_add(m, 1))
		n++;
	return n;
}

/* Adds the side's KY items and postings to sums[] (a flow_sum per reported month). */
static void side_sums(const struct side *s, const struct gm_item *v, int nsets,
		      struct flow_sum *sums)
{
	char *across = across_months(s, v, nsets);
	size_t x = 0;
	for (int32_t m = s->from; m <= s->to; m = month_add(m, 1), x++)
		for (size_t i = 0; i < s->nky + s->nerp; i++) {
			money_t a = v[i].amount;
			if (item_month(s, i) != m)
				continue;
			sums[x].items++;
			*(i < s->nky ? &sums[x].left : &sums[x].right) += a;
			if (across[v[i].set])
				sums[x].explained += i < s->nky ? a : -a;
		}
	free(across);
}

/*
 * A summary row per reported month that has KY items or postings: its KY
 * items against its postings (a month with neither has no row, not a row
 * of zeros).
 */
static void side_summaries(struct debitor *d, const char *se, const char *key, int32_t from,
			   int32_t to, const struct flow_sum *sums)
{
	size_t x = 0;
	for (int32_t m = from; m <= to; m = month_add(m, 1), x++)
		if (sums[x].items)
			recon_summary(&d->out, se, m, key, sums[x].left, sums[x].right,
				      sums[x].explained);
}

/*
 * Pairs the side's KY items with its postings over every month read, so a
 * claim accepted 31-07 and posted 01-08 pairs; what is left open is filed
 * under its own month, for the reported months. The side is all of an
 * SE's, or (budget not NULL) one amount of it (groupmatch_part()); its
 * items and postings are added to sums[].
 */
static void pair_side(struct debitor *d, struct side *s, uint64_t *budget,
		      struct flow_sum *sums)
{
	size_t n = s->nky + s->nerp;
	struct gm_item *v = xcalloc(n + 1, sizeof(*v));
	struct gm_result r;
	struct gm_limits lim = d->mc.lim;
	/* a claim and its posting: 1:1 only; a covering KY reports in parts may
	 * be booked as one posting, and the other way round (max-group) */
	if (s->to_debitor)
		lim.max_group = 1;
	for (size_t i = 0; i < s->nky; i++)
		v[i] = (struct gm_item){ .side = 0, .amount = gm_amount(s->ky[i]->amount),
					 .day = claim_day(s->ky[i]), .party = s->ky[i]->cpr };
	for (size_t i = 0; i < s->nerp; i++)
		v[s->nky + i] = (struct gm_item){ .side = 1, .amount = gm_amount(s->erp[i]->amount),
						  .day = s->erp[i]->day,
						  .party = s->erp[i]->recipient };
	if (budget)
		groupmatch_part(v, n, &lim, &r, budget);
	else
		groupmatch(v, n, &lim, &r);
	for (size_t i = 0; i < s->nky; i++) {
		if (!reported(s, ky_month(s, s->ky[i])))
			continue;
		d->items++;
		d->paired += v[i].set != 0;
		if (!v[i].set)
			ky_unpaired(d, s, i);
	}
	for (size_t i = 0; i < s->nerp; i++) {
		if (!reported(s, s->erp[i]->month))
			continue;
		d->items++;
		d->paired += v[s->nky + i].set != 0;
		if (!v[s->nky + i].set)
			erp_unpaired(d, s, i);
	}
	side_sums(s, v, r.nsets, sums);
	free(v);
}

/* DEBITOR->KY (credits, events), months from..to: the SE's side whole. */
static void flow_credits(struct debitor *d, const char *se)
{
	const struct kyrows *l = &d->src[EVENTS];
	struct side s = { .key = "DEBITOR->KY", .to_debitor = 0, .from = d->from, .to = d->to,
			  .all = &d->p };
	struct flow_sum *sums = xcalloc(nmonths(d->from, d->to) + 1, sizeof(*sums));
	s.ky = xcalloc(l->n + 1, sizeof(*s.ky));
	s.erp = xcalloc(d->p.n + 1, sizeof(*s.erp));
	for (size_t i = 0; i < l->n; i++) {
		const struct kyrow *q = &l->v[i];
		if (!strcmp(q->se, se) && ky_month(&s, q))
			s.ky[s.nky++] = q;
	}
	for (size_t i = 0; i < d->p.n; i++) {
		const struct posting *p = &d->p.v[i];
		if (!strcmp(p->se, se) && p->amount < 0)
			s.erp[s.nerp++] = p;
	}
	pair_side(d, &s, NULL, sums);
	side_summaries(d, se, s.key, d->from, d->to, sums);
	free(s.ky);
	free(s.erp);
	free(s.copy);
	free(sums);
}

/* The KY->DEBITOR sums of se, added (zero) when new. */
static struct flow_sum *se_sums(struct debitor *d, const char *se)
{
	size_t lo = 0, hi = d->nses;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(d->ses[mid].se, se);
		if (!c)
			return d->ses[mid].m;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	d->ses = xgrow(d->ses, &d->ases, d->nses + 1, sizeof(*d->ses));
	memmove(&d->ses[lo + 1], &d->ses[lo], (d->nses - lo) * sizeof(*d->ses));
	xstrlcpy(d->ses[lo].se, se, sizeof(d->ses[lo].se));
	d->ses[lo].m = xcalloc(nmonths(d->from, d->to) + 1, sizeof(*d->ses[lo].m));
	d->nses++;
	return d->ses[lo].m;
}

/*
 * Sorter rows: the key SE \0 AMOUNT SIDE, then SEQ for a claim (store
 * order), or RECIPIENT \0 DAY BILAG \0 AMOUNT ACCOUNT \0 SEQ for a debit
 * (postings_sort()'s order, equal ones as read). AMOUNT is the item's
 * (gm_amount()), 0 for every row when balance-rest is on (a rest is the
 * whole SE's); AMOUNT and SEQ 8 bytes, DAY 4, big-endian, the signed
 * ones' top bit flipped. A claim's value: month, day, created,
 * processed, amount (host order), then SE, CPR, ident, status; a
 * debit's: month, day, amount, then SE, recipient, account, bilag, text.
 */
static void put_head(const struct debitor *d, struct strbuf *key, const char *se, money_t amount,
		     int kind)
{
	segrow_put_str(key, se);
	segrow_put_be(key, d->mc.lim.balance_rest ? 0 : (uint64_t)gm_amount(amount), 8);
	segrow_put_be(key, (uint64_t)kind, 1);
}

static int add_claim(struct debitor *d, const struct kyrow *q)
{
	struct strbuf key = STRBUF_INIT, v = STRBUF_INIT;
	int rc;
	put_head(d, &key, q->se, q->amount, ROW_KY);
	segrow_put_be(&key, d->seq++, 8);
	kyrow_row_put(&v, q);
	rc = segsort_add(&d->sort, 0, (const uint8_t *)key.buf, key.len, v.buf, v.len);
	strbuf_release(&key);
	strbuf_release(&v);
	return rc;
}

static int add_debit(struct debitor *d, const struct posting *p)
{
	struct strbuf key = STRBUF_INIT, v = STRBUF_INIT;
	int rc;
	put_head(d, &key, p->se, p->amount, ROW_ERP);
	segrow_put_str(&key, p->recipient);
	segrow_put_be(&key, (uint32_t)p->day ^ 0x80000000u, 4);
	segrow_put_str(&key, p->bilag);
	segrow_put_be(&key, (uint64_t)p->amount ^ 0x8000000000000000ull, 8);
	segrow_put_str(&key, p->account);
	segrow_put_be(&key, d->seq++, 8);
	posting_row_put(&v, p);
	rc = segsort_add(&d->sort, 0, (const uint8_t *)key.buf, key.len, v.buf, v.len);
	strbuf_release(&key);
	strbuf_release(&v);
	return rc;
}

/* KY->DEBITOR of one SE and amount (or the SE whole): paired, its sums kept for the summary. */
static void flow_group(struct debitor *d)
{
	struct side s = { .key = "KY->DEBITOR", .to_debitor = 1, .from = d->from, .to = d->to };
	struct kyrow *ky = xcalloc(d->nrows + 1, sizeof(*ky));
	struct postings erp = { 0 };
	const char *se = d->gkey.buf;
	erp.v = xcalloc(d->nrows + 1, sizeof(*erp.v));
	s.ky = xcalloc(d->nrows + 1, sizeof(*s.ky));
	s.erp = xcalloc(d->nrows + 1, sizeof(*s.erp));
	for (size_t i = 0; i < d->nrows; i++) {
		const char *raw = d->raw.buf + d->rows[i].off;
		if (d->rows[i].kind == ROW_KY) {
			kyrow_row_get(raw, &ky[s.nky]);
			s.ky[s.nky] = &ky[s.nky];
			s.nky++;
		} else {
			posting_row_get(raw, &erp.v[erp.n]);
			s.erp[s.nerp++] = &erp.v[erp.n++];
		}
	}
	s.all = &erp;
	pair_side(d, &s, &d->budget, se_sums(d, se));
	free(s.ky);
	free(s.erp);
	free(s.copy);
	free(ky);
	free(erp.v);
	d->nrows = 0;
	strbuf_reset(&d->raw);
}

/* The sorted claims and debits: a group per SE and amount, a step budget per SE. */
static int walk(int store, const uint8_t *key, size_t klen, const void *val, size_t vlen,
		void *data)
{
	struct debitor *d = data;
	size_t glen = strlen((const char *)key) + 1 + 8;	/* SE, amount */
	(void)store;
	(void)klen;
	if (d->nrows && (d->gkey.len != glen || memcmp(d->gkey.buf, key, glen)))
		flow_group(d);
	if (!d->nrows) {
		if (!d->gkey.len || strcmp(d->gkey.buf, (const char *)key))
			d->budget = GM_CALL_ITEMS * d->mc.lim.max_steps;	/* a new SE */
		strbuf_reset(&d->gkey);
		strbuf_add(&d->gkey, key, glen);
	}
	d->rows = xgrow(d->rows, &d->arows, d->nrows + 1, sizeof(*d->rows));
	d->rows[d->nrows].kind = key[glen];
	d->rows[d->nrows++].off = d->raw.len;
	strbuf_add(&d->raw, val, vlen);
	return 0;
}

/* Rejected rows' indexes by ident and CPR, then index. */
static int cmp_failed(const void *a, const void *b, void *data)
{
	const struct kyrow *v = data;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(v[i].ident, v[j].ident);
	if (!c)
		c = strcmp(v[i].cpr, v[j].cpr);
	return c ? c : (i > j) - (i < j);
}

/*
 * Per rejected row, which copy of the same claim (ident and CPR) it is,
 * from 1, counted over every rejected row read (sorted once).
 */
static int *failed_copies(const struct kyrows *l)
{
	size_t *by = xcalloc(l->n + 1, sizeof(*by));
	int *copy = xcalloc(l->n + 1, sizeof(*copy));
	for (size_t j = 0; j < l->n; j++)
		by[j] = j;
	if (l->n)
		qsort_r(by, l->n, sizeof(*by), cmp_failed, l->v);
	for (size_t j = 0; j < l->n; j++)
		copy[by[j]] = j > 0 && !strcmp(l->v[by[j - 1]].ident, l->v[by[j]].ident) &&
			      !strcmp(l->v[by[j - 1]].cpr, l->v[by[j]].cpr)
			? copy[by[j - 1]] + 1 : 1;
	free(by);
	return copy;
}

/* Figur 31: every rejected claim of the month, with the debtor system's reason. */
static void rejected(struct debitor *d, const char *se, int32_t month, const int *copies)
{
	const struct kyrows *l = &d->src[FAILED];
	for (size_t i = 0; i < l->n; i++) {
		const struct kyrow *q = &l->v[i];
		struct exception_row *e;
		int copy = copies[i];
		if (strcmp(q->se, se) || q->month != month)
			continue;
		recon_summary_ensure(&d->out, se, month, "KY->DEBITOR");
		e = recon_exception(&d->out, se, month, "KY->DEBITOR", q->cpr, q->amount, "afvist",
				    "fordringen er afvist af debitorsystemet og ikke sendt / the "
				    "claim was rejected by the debtor system and not sent");
		snprintf(e->ref, sizeof(e->ref), "%s|%d", q->ident, copy);
		recon_note(e, "%s: %s%s%s", q->ident, q->reason[0] ? q->reason : q->status,
			   q->text[0] ? " - " : "", q->text);
	}
}

/* Figur 32: 'Sum - Debitorregistreringer' against the accepted detail rows, per creation month. */
static void registrations(struct debitor *d, const char *se)
{
	const struct kyrows *sums = &d->src[SUMS];
	for (size_t i = 0; i < sums->n; i++) {
		money_t left = 0, right = 0;
		int32_t m = sums->v[i].month;
		if (strcmp(sums->v[i].se, se) || (i > 0 && sums->v[i - 1].month == m &&
						  !strcmp(sums->v[i - 1].se, se)))
			continue;	/* one row per SE and creation month */
		for (size_t j = i; j < sums->n && sums->v[j].month == m &&
		     !strcmp(sums->v[j].se, se); j++)
			if (is(&sums->v[j], "ACCEPTERET"))
				left += sums->v[j].amount;
		for (size_t j = 0; j < d->nreg; j++)
			if (!strcmp(d->reg[j].se, se) && d->reg[j].month == m)
				right += d->reg[j].total;
		recon_summary(&d->out, se, m, "SUM-REGISTRERINGER", left, right, 0);
		if (left != right)
			recon_exception(&d->out, se, m, "SUM-REGISTRERINGER", NULL, left - right,
					"sum-ne-detaljer", "'Sum - Debitorregistreringer' stemmer "
					"ikke med de accepterede fordringer i 'Detaljer - Debitor' / "
					"the sum report differs from the accepted detail rows");
	}
}

static int balance_role(const struct debitor *d, const struct kyrow *b, const char *role)
{
	const struct account_role *r = accounts_role(&d->acc, b->se, role);
	return r && account_role_matches(r, b->account, strlen(b->account));
}

/* Figur 33: clearing account = minus the restance accounts, on the night's balance. */
static void clearing(struct debitor *d, const char *se, int32_t month)
{
	const struct kyrows *l = &d->src[BALANCE];
	money_t restance = 0, common = 0, groups = 0;
	int seen = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct kyrow *b = &l->v[i];
		struct exception_row *e;
		if (strcmp(b->se, se) || b->month != month)
			continue;
		seen = 1;
		if (balance_role(d, b, "ky-restance"))
			restance += b->amount;
		else if (balance_role(d, b, "mellemregning-debitor-ky"))
			common += b->amount;
		else if (balance_role(d, b, "debitorgruppe-mellemregning") && b->amount) {
			groups += b->amount;
			e = recon_exception(&d->out, se, month, "MELLEMREGNING", NULL, b->amount,
					    "debitorgruppe-overfoersel", "overfør debitorgruppens "
					    "mellemregning til 'Mellemregning Debitor KY' / transfer "
					    "the debtor group's clearing balance to the common account");
			xstrlcpy(e->ref, b->account, sizeof(e->ref));
			xstrlcpy(e->account, b->account, sizeof(e->account));
			recon_note(e, "%s %s", b->account, b->name);
		}
	}
	if (!seen)
		return;
	recon_summary(&d->out, se, month, "MELLEMREGNING", restance, -common, -groups);
	if (restance + common + groups)
		recon_exception(&d->out, se, month, "MELLEMREGNING", NULL, restance + common + groups,
				"unexplained", "'Mellemregning Debitor KY' er ikke minus summen af "
				"KY-restancekonti / the clearing account is not minus the restance "
				"accounts");
}

static int match_all(struct debitor *d)
{
	const char **se;
	size_t nse = reconin_ses(&d->in, &se);
	int32_t to = d->to, from = d->from;
	int *copies;
	if (segsort_each(&d->sort, walk, d)) {
		free(se);
		return -1;
	}
	if (d->nrows)
		flow_group(d);
	copies = failed_copies(&d->src[FAILED]);
	for (size_t i = 0; i < nse; i++) {
		side_summaries(d, se[i], "KY->DEBITOR", from, to, se_sums(d, se[i]));
		flow_credits(d, se[i]);
		for (int32_t m = from; m <= to; m = month_add(m, 1))
			rejected(d, se[i], m, copies);
		registrations(d, se[i]);
		clearing(d, se[i], to);
	}
	free(copies);
	free(se);
	return 0;
}

/*
 * A claim as it is read: its ACCEPTERET amount added up for
 * SUM-REGISTRERINGER; kept only when flow() pairs it (accepted: a claim
 * waiting for release is in no matching), and with the texts ky_unpaired()
 * names. Kept claims keep their order, so every result is the same.
 */
static int claim_row(const struct kyrow *q, void *data)
{
	struct debitor *d = data;
	if (is(q, "ACCEPTERET")) {
		struct regsum *t = d->nreg ? &d->reg[d->nreg - 1] : NULL;
		if (!t || t->month != q->month || strcmp(t->se, q->se)) {
			t = NULL;
			for (size_t i = 0; i < d->nreg && !t; i++)
				if (d->reg[i].month == q->month && !strcmp(d->reg[i].se, q->se))
					t = &d->reg[i];
		}
		if (!t) {
			d->reg = xgrow(d->reg, &d->areg, d->nreg + 1, sizeof(*d->reg));
			t = &d->reg[d->nreg++];
			memset(t, 0, sizeof(*t));
			memcpy(t->se, q->se, sizeof(t->se));
			t->month = q->month;
		}
		t->total += q->amount;
	}
	if (!accepted_month(q))
		return 0;
	return add_claim(d, q);
}

/* A posting on a restance account: a debit sorted (KY->DEBITOR), a credit kept (DEBITOR->KY). */
static int restance_row(const struct posting *p, void *data)
{
	struct debitor *d = data;
	if (p->amount > 0)
		return add_debit(d, p);
	if (p->amount < 0)
		postings_add(&d->p, p);
	return 0;
}

static int load(struct debitor *d, MDB_txn *txn)
{
	struct strbuf path = STRBUF_INIT;
	const struct stage_ctx *c = d->ctx;
	int32_t to = c->night / 100;
	int rc;
	conf_sibling(&c->conf, "matching.conf", &path);
	rc = matchconf_load(path.buf, RECON, &d->mc);
	conf_sibling(&c->conf, "accounts.conf", &path);
	if (!rc)
		rc = accounts_load(path.buf, &d->acc);
	strbuf_release(&path);
	if (rc)
		return EXIT_USAGE;
	d->to = to;
	d->from = month_add(to, -matchconf_months_back(&d->mc, c->conf.months_back));
	if ((rc = recon_begin(&d->out, d->ctx, source_store, NSOURCES)))
		return rc;
	segsort_init(&d->sort, c->conf.state, SORT_BYTES);
	if (reconin_open(&d->in, d->ctx, txn, source_store, NSOURCES,
			 month_add(to, -d->mc.lookback_months), to) ||
	    (rc = postings_each(&d->in, ERP, &d->acc, "ky-restance", restance_row, d)) < 0)
		return EXIT_INTERNAL;
	postings_sort(&d->p);
	if (kyrows_each(&d->in, CLAIMS, claim_row, d))
		return EXIT_INTERNAL;
	for (int s = 0; s < NSOURCES; s++)
		if (s != ERP && s != CLAIMS && reconin_rows(&d->in, s, &d->src[s]))
			return EXIT_INTERNAL;
	return rc ? EXIT_USAGE : 0;
}

/* Every KY item and posting of the night's months is paired or an exception. */
static int conserved(const struct debitor *d)
{
	uint64_t excepted = recon_code_count(&d->out, "mangler-i-erp") +
			    recon_code_count(&d->out, "ukendt-postering");
	if (d->paired + excepted != d->items) {
		log_error("internal: %llu items, %llu paired, %llu exceptions",
			  (unsigned long long)d->items, (unsigned long long)d->paired,
			  (unsigned long long)excepted);
		return 0;
	}
	return 1;
}

static int match_night(struct stage_ctx *ctx)
{
	struct debitor d = { .ctx = ctx, .out = { .recon = RECON, .with_account = 1 } };
	MDB_txn *txn;
	int rc;
	if (store_begin(&ctx->store, 0, &txn))
		return EXIT_INTERNAL;
	if ((rc = load(&d, txn)) != 0 || match_all(&d) || !conserved(&d)) {
		mdb_txn_abort(txn);
		rc = rc ? rc : EXIT_INTERNAL;
	} else {
		rc = reconin_commit(&d.in, &d.out);
	}
	reconin_free(&d.in);
	postings_free(&d.p);
	for (int s = 0; s < NSOURCES; s++)
		kyrows_free(&d.src[s]);
	accounts_free(&d.acc);
	recon_free(&d.out);
	free(d.reg);
	segsort_free(&d.sort);
	strbuf_release(&d.gkey);
	strbuf_release(&d.raw);
	free(d.rows);
	for (size_t i = 0; i < d.nses; i++)
		free(d.ses[i].m);
	free(d.ses);
	return rc;
}

/* --help (run/stage.h). */
const struct stage_help stage_help = {
	"Reconciles KY's claims against the debtor system and the restance accounts\n"
	"(guide 3.2): OUT/DATE/summary/debitor.csv and OUT/DATE/exceptions/debitor.csv.\n",
	"Exit: 0 done (breaks found are still 0), 64 usage or configuration (no\n"
	"      role for an SE in conf/accounts.conf), 65 input it cannot use,\n"
	"      70 internal error, 75 locked.\n",
};

int main(int argc, char **argv)
{
	struct stage_ctx ctx;
	int rc;
	log_init("stage-match-debitor");
	if ((rc = stage_init(&ctx, "match-debitor", argc, argv, 0)))
		return rc;
	rc = match_night(&ctx);
	return stage_end(&ctx, rc);
}
