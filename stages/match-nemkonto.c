/*
 * stage-match-nemkonto: the ERP account 'Hensættelse Bankudbetaling'
 * (mellemregning NemKonto) against KY's payments (guide 3.1, Figur 25-28;
 * ../shared/spec/reconciliations.md).
 *
 * Per recipient (the CPR or the part the ERP keeps) the postings must net
 * to 0. The shared group matcher pairs them (1:1, N:1 as Figur 27's
 * recipient 1201, 1:N, the balancing rest), each within its window of
 * conf/matching.conf, and a 'Retur' posting with the payment it returns
 * (up to return-window days back), so an exception names each
 * posting left open and its age; a young open item is a payment in
 * transit (explained). Returned payments and manual re-postings (OMP-)
 * are exceptions even when the group nets to 0 (Figur 28). Every KY
 * payment in 'Detaljer - Udbetalinger' must be a credit on the account,
 * and they must add up to 'Sum - Udbetalinger' (key SUM-UDBETALINGER).
 * Reads only the store and conf/ (accounts.conf, matching.conf).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/date.h"
#include "core/exitcode.h"
#include "core/ident.h"
#include "core/log.h"
#include "match/groupmatch.h"
#include "match/matchconf.h"
#include "match/reconin.h"
#include "store/segment.h"
#include "core/banned.h"

#define RECON "nemkonto"
#define ROLE "hensaettelse-bankudbetaling"

enum { ERP, KY_PAY, KY_SUM, NSOURCES };

static const char *const source_store[NSOURCES] = {
	"erp.posting", "ky.udbetaling", "ky.udbetaling_sum",
};

/*
 * A recipient's postings (and, once they are all there, the KY payments it
 * owns), as the sorted walk gives them: rows serialized in raw, decoded
 * into v when the group is whole. Memory is the largest group's, not the
 * night's.
 */
struct group {
	char se[9], recipient[16];
	struct strbuf raw;	/* postings: see put_posting() */
	size_t *off, n, aoff;	/* where each posting starts in raw */
	struct posting *v;	/* decoded, when the postings are all there */
	size_t av;
	struct strbuf praw;	/* the payments it owns: see put_payment() */
	size_t *poff, np, apoff;
};

/* A KY payment left unmatched, for its exception at the end (payment order). */
struct missing {
	char se[9], cpr[11], key[16];
	char ident[48], bilag[32];
	int32_t month, day;
	money_t amount;
	uint64_t seq;
};

/* KY's payments of an SE and month, added up for 'Sum - Udbetalinger'. */
struct paysum {
	char se[9];
	int32_t month;
	money_t total;
};

struct nemkonto {
	struct stage_ctx *ctx;
	struct match_conf mc;
	struct accounts acc;
	struct reconin in;
	struct segsort sort;	/* postings and payments, by SE and recipient (see walk()) */
	uint64_t seq;		/* rows added: keeps equal keys in store order */
	uint64_t npostings;
	struct kyrows sum;	/* KY's 'Sum - Udbetalinger' */
	struct paysum *paysum;
	size_t npaysum, apaysum;
	struct segsort misses;	/* unmatched payments, in payment order (see miss()) */
	struct group cur;	/* the recipient whose postings are coming */
	int cur_on;
	struct group **stack;	/* recipients whose payments are coming: each one's
				   recipient begins the next one's (Prisme's 0101, then
				   a full CPR 0101...); at most CPR_LEN deep */
	size_t depth, adepth;
	struct group **spare;	/* groups done with, for reuse */
	size_t nspare, aspare;
	char se_now[9];		/* the SE of the walk */
	int failed;		/* a sorter could not spill (reported) */
	struct strbuf row;	/* a payment being read */
	struct recon_out out;
	int32_t from;		/* the first month reported; the one before is read as context */
	uint64_t settled, transit, open, nameless, context;	/* postings, for conservation */
	int nmonths;		/* from .. the night's month */
	struct month_total {	/* the SE's TOTAL row of each month */
		money_t debit, credit, explained;
		int rows;
	} *tot;
};

/* The sort buffer: with strbuf's doubling from 64 bytes it stays an 8 MiB arena;
 * the unmatched payments' (few, on a good night) 1 MiB. */
enum { SORT_BYTES = (8 << 20) - 64, MISS_BYTES = (1 << 20) - 64 };

static int month_index(const struct nemkonto *n, int32_t month)
{
	int i = 0;
	for (int32_t m = n->from; m < month; m = month_add(m, 1))
		i++;
	return i;
}

/* A posting of the month before the lookback: it may settle one inside, is never reported. */
static int context(const struct nemkonto *n, const struct posting *p)
{
	return p->month < n->from;
}

static int64_t age(const struct nemkonto *n, int32_t day)
{
	return day_number(n->ctx->night) - day_number(day);
}

/*
 * The key of a recipient: a full CPR (ØS Indsigt, Opus) goes in the cpr
 * column, which the report masks, and the key shows it masked; the part
 * of a CPR another ERP keeps (DDMM) is the key as it is.
 */
static const char *recipient_key(const char *recipient, char buf[CPR_MASKSZ], const char **cpr)
{
	char digits[CPR_LEN + 1];
	const char *why;
	int mod11;
	*cpr = NULL;
	if (strlen(recipient) != CPR_LEN ||
	    cpr_parse(recipient, CPR_LEN, 0, digits, &mod11, &why))
		return recipient;
	*cpr = recipient;
	return cpr_mask(recipient, buf);
}

/* An exception or summary key for the recipient: see recipient_key(). */
static struct exception_row *recipient_exception(struct nemkonto *n, const char *se,
						 int32_t month, const char *recipient,
						 money_t amount, const char *code,
						 const char *text)
{
	char buf[CPR_MASKSZ];
	const char *cpr, *key = recipient_key(recipient, buf, &cpr);
	return recon_exception(&n->out, se, month, key, cpr, amount, code, text);
}

static struct exception_row *posting_exception(struct nemkonto *n, const struct posting *g,
					       size_t i, const char *code, const char *text)
{
	struct exception_row *e = recipient_exception(n, g[i].se, g[i].month, g[i].recipient,
						      g[i].amount, code, text);
	char d[DATE_BUFSZ];
	struct postings view = { .v = (struct posting *)g, .n = i + 1 };
	postings_ref(&view, i, e->ref, sizeof(e->ref));
	recon_note(e, "bilag %s af %s, %lld dage: %s", g[i].bilag, day_format(g[i].day, d),
		   (long long)age(n, g[i].day), g[i].text);
	return e;
}

/* Whether the posting says it is a returned payment (Figur 28: 'Retur ingen nem-konto'). */
static int is_return(const struct posting *p)
{
	return strcasestr(p->text, "retur") != NULL;
}

/* Returned payments and manual re-postings need a clerk even when they net to 0. */
static void flag_manual(struct nemkonto *n, const struct posting *g, size_t ng)
{
	for (size_t i = 0; i < ng; i++) {
		if (context(n, &g[i]))
			continue;
		if (is_return(&g[i]))
			posting_exception(n, g, i, "retur",
					  "betaling returneret fra NemKonto, ret manuelt i KY / "
					  "payment returned by NemKonto, correct by hand");
		else if (!strncmp(g[i].bilag, "OMP-", 4))
			posting_exception(n, g, i, "ompostering",
					  "manuel ompostering på kontoen, kontrollér den / manual "
					  "re-posting on the account, check it");
	}
}

/* Open items: young ones are in transit, older ones are exceptions. */
static void open_items(struct nemkonto *n, const struct posting *g, size_t ng,
		       const struct gm_item *v)
{
	for (size_t i = 0; i < ng; i++) {
		if (v[i].set) {
			n->settled++;
			continue;
		}
		if (context(n, &g[i])) {
			n->context++;
			continue;
		}
		if (age(n, g[i].day) <= n->mc.transit_days) {
			n->transit++;
			continue;
		}
		n->open++;
		posting_exception(n, g, i, "aaben-post",
				  "posten er ikke udlignet for modtageren / the item is not settled "
				  "for the recipient");
	}
}

/* Pairs a KY payment with the credit of its Bilagsreference, if the group has it open. */
static int by_bilag(const struct kyrow *q, const struct posting *g, size_t ng, char *used)
{
	if (!q->bilag[0])
		return 0;
	for (size_t i = 0; i < ng; i++)
		if (!used[i] && g[i].amount < 0 && -g[i].amount == gm_amount(q->amount) &&
		    !strcmp(g[i].bilag, q->bilag)) {
			used[i] = 1;
			return 1;
		}
	return 0;
}

/*
 * The KY payments whose recipient this is (see walk()), each paired with
 * one credit on the account: by Bilagsreference first, then by amount and
 * the nearest day. matched[k] says whether payment k found its credit.
 */
static void match_payments(struct nemkonto *n, const struct posting *g, size_t ng,
			   const struct kyrow *pay, size_t npay, char *matched)
{
	struct gm_item *v = xcalloc(npay + ng + 1, sizeof(*v));
	size_t *pi = xcalloc(npay + 1, sizeof(*pi)), np = 0, k;
	char *used = xcalloc(ng + 1, 1);
	struct gm_result r;
	struct gm_limits lim = n->mc.lim;
	for (size_t i = 0; i < npay; i++)
		if (!(matched[i] = (char)by_bilag(&pay[i], g, ng, used)))
			pi[np++] = i;
	for (k = 0; k < np; k++)
		v[k] = (struct gm_item){ .side = 0, .amount = gm_amount(pay[pi[k]].amount),
					 .day = pay[pi[k]].day };
	for (size_t i = 0; i < ng; i++)
		if (g[i].amount < 0 && !used[i])
			v[k++] = (struct gm_item){ .side = 1, .amount = -g[i].amount, .day = g[i].day };
	lim.max_group = 1;
	lim.balance_rest = 0;
	groupmatch(v, k, &lim, &r);
	for (size_t i = 0; i < np; i++)
		matched[pi[i]] = v[i].set != 0;
	free(v);
	free(pi);
	free(used);
}

/*
 * The items whose search ran out of steps stay open (aaben-post); say why
 * once, in the month of the recipient's newest posting (it has a row).
 */
static void gave_up(struct nemkonto *n, const struct posting *g, size_t ng,
		    const struct gm_result *r)
{
	struct exception_row *e = recipient_exception(n, g[0].se, g[ng - 1].month,
						      g[0].recipient, 0, "opgivet",
						      "for mange poster til at parre dem alle - "
						      "afstem de åbne poster manuelt / too many "
						      "items to pair them all - reconcile the open "
						      "items by hand");
	recon_note(e, "%zu poster, %d opgivet, %llu søgetrin", ng, r->gave_up,
		   (unsigned long long)r->steps);
}

/*
 * The recipient's summary rows, one per month it has postings in (the
 * month before the lookback is context, never reported): left the debits
 * of the month, right its credits, explained what of the month settled
 * with a posting of another month or is in transit; the rest is its open
 * items. TOTAL adds them up per month.
 */
static void month_rows(struct nemkonto *n, const struct posting *g, size_t ng,
		       const struct gm_item *v, int nsets, const char *key, int transit_ok)
{
	int32_t *first = xcalloc((size_t)nsets + 1, sizeof(*first));
	char *across = xcalloc((size_t)nsets + 1, 1);
	for (size_t i = 0; i < ng; i++)
		if (v[i].set && !first[v[i].set])
			first[v[i].set] = g[i].month;
		else if (v[i].set && first[v[i].set] != g[i].month)
			across[v[i].set] = 1;
	for (size_t i = 0, j; i < ng; i = j) {
		money_t debit = 0, credit = 0, explained = 0;
		struct month_total *t;
		for (j = i; j < ng && g[j].month == g[i].month; j++) {
			int in_transit = transit_ok && !v[j].set &&
					 age(n, g[j].day) <= n->mc.transit_days;
			*(g[j].amount < 0 ? &credit : &debit) += gm_amount(g[j].amount);
			if ((v[j].set && across[v[j].set]) || in_transit)
				explained += g[j].amount;
		}
		if (context(n, &g[i]))
			continue;
		recon_summary(&n->out, g[i].se, g[i].month, key, debit, credit, explained);
		t = &n->tot[month_index(n, g[i].month)];
		t->debit += debit;
		t->credit += credit;
		t->explained += explained;
		t->rows = 1;
	}
	free(first);
	free(across);
}

/* Postings without a recipient cannot be matched to anyone: each is bad data. */
static void nameless(struct nemkonto *n, const struct posting *g, size_t ng)
{
	struct gm_item *v = xcalloc(ng + 1, sizeof(*v));	/* all open */
	for (size_t i = 0; i < ng; i++) {
		if (context(n, &g[i])) {
			n->context++;
			continue;
		}
		posting_exception(n, g, i, "mangler-modtager",
				  "posteringen har ingen modtager (CPR) i økonomisystemets "
				  "udtræk - ret udtrækket / the posting names no recipient in "
				  "the ERP extract - fix the extract");
		n->nameless++;
	}
	for (size_t i = 0; i < ng; i++)	/* sorted by day: their months in order */
		v[i].day = g[i].day;
	month_rows(n, g, ng, v, 0, "", 0);
	free(v);
}

/*
 * A return left open after matching settles the nearest earlier open credit
 * of its amount up to return-window days before it (Figur 28: 31-05 paid,
 * 02-09 returned): the posting names what it is, so it is not a guess on
 * the amount alone, and flag_manual() still asks a clerk to correct it.
 */
static void returns(struct nemkonto *n, const struct posting *g, size_t ng,
		    struct gm_item *v, struct gm_result *r)
{
	int64_t w = n->mc.return_window;
	for (size_t i = 0; i < ng; i++) {
		size_t best = ng;
		if (v[i].set || g[i].amount <= 0 || !is_return(&g[i]))
			continue;
		for (size_t j = 0; j < ng; j++) {
			int64_t d = day_number(g[i].day) - day_number(g[j].day);
			if (!v[j].set && g[j].amount == -g[i].amount && d >= 0 && d <= w &&
			    (best == ng || g[j].day > g[best].day))
				best = j;
		}
		if (best == ng)
			continue;
		r->nsets++;
		v[i].set = v[best].set = r->nsets;
		v[i].kind = v[best].kind = GM_PAIR;
		r->open -= 2;
	}
}

static void match_recipient(struct nemkonto *n, const struct posting *g, size_t ng)
{
	struct gm_item *v;
	struct gm_result r;
	char buf[CPR_MASKSZ];
	const char *cpr;
	if (!g[0].recipient[0]) {
		nameless(n, g, ng);
		return;
	}
	v = xcalloc(ng, sizeof(*v));
	for (size_t i = 0; i < ng; i++)
		v[i] = (struct gm_item){ .side = g[i].amount < 0,
					 .amount = gm_amount(g[i].amount),
					 .day = g[i].day };
	if (groupmatch(v, ng, &n->mc.lim, &r) && !context(n, &g[ng - 1]))
		gave_up(n, g, ng, &r);
	returns(n, g, ng, v, &r);
	open_items(n, g, ng, v);
	flag_manual(n, g, ng);
	month_rows(n, g, ng, v, r.nsets, recipient_key(g[0].recipient, buf, &cpr), 1);
	free(v);
}

/* ---- the walk: postings and payments by SE and recipient ---- */

/*
 * Sort keys (segsort, bytewise): both kinds of row under store 0, so they
 * come in one order:
 *   posting  SE \0 RECIPIENT \0 0 DAY BILAG \0 AMOUNT ACCOUNT \0 SEQ
 *   payment  SE \0 CPR \0 1 DAY IDENT \0 SEQ
 * (DAY 4 bytes, AMOUNT and SEQ 8, big-endian with the sign bit flipped),
 * which is postings_sort()'s order and the payments' (SE, CPR, day,
 * ident), equal ones in store order (SEQ). A recipient's postings come
 * before the payments whose CPR begins with it: Prisme keeps 4 digits of
 * the CPR (Figur 27) or 5 (Figur 28's 06058), so every recipient that
 * begins a payment's CPR has come, whole, when the payment comes.
 */
static void put_raw(struct strbuf *b, const void *p, size_t len)
{
	strbuf_add(b, p, len);
}

/* A posting: its value holds what the key does not, month (host order), text, journal. */
static int add_posting(const struct posting *p, void *data)
{
	struct nemkonto *n = data;
	struct strbuf k = STRBUF_INIT, v = STRBUF_INIT;
	int rc;
	segrow_put_str(&k, p->se);
	segrow_put_str(&k, p->recipient);
	segrow_put_be(&k, 0, 1);
	segrow_put_be(&k, (uint32_t)p->day ^ 0x80000000u, 4);
	segrow_put_str(&k, p->bilag);
	segrow_put_be(&k, (uint64_t)p->amount ^ 0x8000000000000000u, 8);
	segrow_put_str(&k, p->account);
	segrow_put_be(&k, n->seq++, 8);
	put_raw(&v, &p->month, sizeof(p->month));
	segrow_put_str(&v, p->text);
	segrow_put_str(&v, p->journal);
	rc = segsort_add(&n->sort, 0, (const uint8_t *)k.buf, k.len, v.buf, v.len);
	strbuf_release(&k);
	strbuf_release(&v);
	n->npostings++;
	return rc;
}

/* A payment: its value holds what the key does not, month, amount (host order), bilag. */
static int add_payment(const struct kyrow *q, void *data)
{
	struct nemkonto *n = data;
	struct strbuf k = STRBUF_INIT, v = STRBUF_INIT;
	uint64_t seq = n->seq++;
	int rc;
	segrow_put_str(&k, q->se);
	segrow_put_str(&k, q->cpr);
	segrow_put_be(&k, 1, 1);
	segrow_put_be(&k, (uint32_t)q->day ^ 0x80000000u, 4);
	segrow_put_str(&k, q->ident);
	segrow_put_be(&k, seq, 8);
	put_raw(&v, &q->month, sizeof(q->month));
	put_raw(&v, &q->amount, sizeof(q->amount));
	segrow_put_str(&v, q->bilag);
	rc = segsort_add(&n->sort, 0, (const uint8_t *)k.buf, k.len, v.buf, v.len);
	strbuf_release(&k);
	strbuf_release(&v);
	return rc;
}

/*
 * A row as the walk keeps it (keep_row()): u16 key length (host order),
 * the key, the value. The texts point into it.
 */
static void get_posting(const char *raw, struct posting *q)
{
	uint16_t klen;
	const char *k = raw + sizeof(klen), *v;
	memcpy(&klen, raw, sizeof(klen));
	v = k + klen;
	memset(q, 0, sizeof(*q));
	xstrlcpy(q->se, segrow_next_str(&k), sizeof(q->se));
	xstrlcpy(q->recipient, segrow_next_str(&k), sizeof(q->recipient));
	k++;	/* 0: a posting */
	q->day = (int32_t)(uint32_t)(segrow_get_be(&k, 4) ^ 0x80000000u);
	q->bilag = segrow_next_str(&k);
	q->amount = (money_t)(segrow_get_be(&k, 8) ^ 0x8000000000000000u);
	q->account = segrow_next_str(&k);
	memcpy(&q->month, v, sizeof(q->month));
	v += sizeof(q->month);
	q->text = segrow_next_str(&v);
	q->journal = segrow_next_str(&v);
}

static void get_payment(const char *raw, struct kyrow *q, uint64_t *seq)
{
	uint16_t klen;
	const char *k = raw + sizeof(klen), *v;
	memcpy(&klen, raw, sizeof(klen));
	v = k + klen;
	memset(q, 0, sizeof(*q));
	xstrlcpy(q->se, segrow_next_str(&k), sizeof(q->se));
	xstrlcpy(q->cpr, segrow_next_str(&k), sizeof(q->cpr));
	k++;	/* 1: a payment */
	q->day = (int32_t)(uint32_t)(segrow_get_be(&k, 4) ^ 0x80000000u);
	q->ident = segrow_next_str(&k);
	*seq = segrow_get_be(&k, 8);
	memcpy(&q->month, v, sizeof(q->month));
	memcpy(&q->amount, v + 4, sizeof(q->amount));
	v += 12;
	q->bilag = segrow_next_str(&v);
	q->status = q->account = q->costcentre = q->invoice = "";
	q->reason = q->text = q->name = "";
}

/* Appends a row of the walk to b, as get_posting() and get_payment() read it. */
static void keep_row(struct strbuf *b, const uint8_t *key, size_t klen, const void *val,
		     size_t vlen)
{
	uint16_t l = (uint16_t)klen;
	strbuf_add(b, &l, sizeof(l));
	strbuf_add(b, key, klen);
	strbuf_add(b, val, vlen);
}

static void group_clear(struct group *g)
{
	strbuf_reset(&g->raw);
	strbuf_reset(&g->praw);
	g->n = g->np = 0;
}

static void group_free(struct group *g)
{
	strbuf_release(&g->raw);
	strbuf_release(&g->praw);
	free(g->off);
	free(g->v);
	free(g->poff);
}

static void paysum_add(struct nemkonto *n, const struct kyrow *q)
{
	struct paysum *t = n->npaysum ? &n->paysum[n->npaysum - 1] : NULL;
	if (!t || t->month != q->month || strcmp(t->se, q->se)) {
		t = NULL;
		for (size_t i = 0; i < n->npaysum && !t; i++)
			if (n->paysum[i].month == q->month && !strcmp(n->paysum[i].se, q->se))
				t = &n->paysum[i];
	}
	if (!t) {
		n->paysum = xgrow(n->paysum, &n->apaysum, n->npaysum + 1, sizeof(*n->paysum));
		t = &n->paysum[n->npaysum++];
		memset(t, 0, sizeof(*t));
		memcpy(t->se, q->se, sizeof(t->se));
		t->month = q->month;
	}
	t->total += q->amount;
}

/*
 * An unmatched payment of a reported month, for missing_payments(): to a
 * sorter of its own (bounded memory, however many are missing), keyed
 *   SE \0 CPR \0 DAY IDENT \0 SEQ
 * (payment order, DAY and SEQ as in add_payment()); the value holds its
 * summary key, bilag, month and amount. Texts are cut to struct missing's
 * fields first, as the exceptions show them.
 */
static int miss(struct nemkonto *n, const struct kyrow *q, uint64_t seq, const char *owner)
{
	struct missing m;
	struct strbuf k = STRBUF_INIT, v = STRBUF_INIT;
	char buf[CPR_MASKSZ];
	const char *cpr;
	int rc;
	if (q->month < n->from)
		return 0;
	memset(&m, 0, sizeof(m));
	xstrlcpy(m.se, q->se, sizeof(m.se));
	xstrlcpy(m.cpr, q->cpr, sizeof(m.cpr));
	/* the recipient's key when it has postings, else the DDMM Figur 27 shows */
	snprintf(m.key, sizeof(m.key), "%.*s", owner ? 15 : 4,
		 owner ? recipient_key(owner, buf, &cpr) : q->cpr);
	xstrlcpy(m.ident, q->ident, sizeof(m.ident));
	xstrlcpy(m.bilag, q->bilag, sizeof(m.bilag));
	segrow_put_str(&k, m.se);
	segrow_put_str(&k, m.cpr);
	segrow_put_be(&k, (uint32_t)q->day ^ 0x80000000u, 4);
	segrow_put_str(&k, m.ident);
	segrow_put_be(&k, seq, 8);
	segrow_put_str(&v, m.key);
	segrow_put_str(&v, m.bilag);
	put_raw(&v, &q->month, sizeof(q->month));
	put_raw(&v, &q->amount, sizeof(q->amount));
	rc = segsort_add(&n->misses, 0, (const uint8_t *)k.buf, k.len, v.buf, v.len);
	strbuf_release(&k);
	strbuf_release(&v);
	return rc;
}

/* A recipient on the stack is done: its payments against its credits. */
static void finish_payments(struct nemkonto *n, struct group *g)
{
	struct kyrow *pay = xcalloc(g->np + 1, sizeof(*pay));
	uint64_t *seq = xcalloc(g->np + 1, sizeof(*seq));
	char *matched = xcalloc(g->np + 1, 1);
	for (size_t i = 0; i < g->np; i++)
		get_payment(g->praw.buf + g->poff[i], &pay[i], &seq[i]);
	if (g->np)
		match_payments(n, g->v, g->n, pay, g->np, matched);
	for (size_t i = 0; i < g->np; i++)
		if (!matched[i] && miss(n, &pay[i], seq[i], g->recipient))
			n->failed = 1;
	free(pay);
	free(seq);
	free(matched);
	group_clear(g);
	n->spare = xgrow(n->spare, &n->aspare, n->nspare + 1, sizeof(*n->spare));
	n->spare[n->nspare++] = g;
}

/* Whether recipient r begins s. */
static int begins(const char *r, const char *s)
{
	return !strncmp(r, s, strlen(r));
}

/* Ends the recipients on the stack that do not begin x (NULL: all). */
static void pop(struct nemkonto *n, const char *x)
{
	while (n->depth && (!x || !begins(n->stack[n->depth - 1]->recipient, x)))
		finish_payments(n, n->stack[--n->depth]);
}

/* The postings of the current recipient are all there: match them, then wait for its payments. */
static void finish_postings(struct nemkonto *n)
{
	struct group *g = &n->cur, *kept;
	n->cur_on = 0;
	g->v = xgrow(g->v, &g->av, g->n + 1, sizeof(*g->v));
	for (size_t i = 0; i < g->n; i++)
		get_posting(g->raw.buf + g->off[i], &g->v[i]);
	match_recipient(n, g->v, g->n);
	if (!g->recipient[0]) {	/* nobody's: no payment is its */
		group_clear(g);
		return;
	}
	pop(n, g->recipient);
	kept = n->nspare ? n->spare[--n->nspare] : xcalloc(1, sizeof(*kept));
	{	/* the stack keeps this group; cur takes the spare's buffers */
		struct group t = *kept;
		*kept = *g;
		*g = t;
	}
	n->stack = xgrow(n->stack, &n->adepth, n->depth + 1, sizeof(*n->stack));
	n->stack[n->depth++] = kept;
}

/* The TOTAL rows of the SE whose recipients are all done. */
static void finish_se(struct nemkonto *n)
{
	for (int k = 0; k < n->nmonths; k++) {
		const struct month_total *t = &n->tot[k];
		if (t->rows)
			recon_summary(&n->out, n->se_now, month_add(n->from, k), "TOTAL", t->debit,
				      t->credit, t->explained);
	}
	memset(n->tot, 0, (size_t)n->nmonths * sizeof(*n->tot));
}

static int walk(int store, const uint8_t *key, size_t klen, const void *val, size_t vlen,
		void *data)
{
	struct nemkonto *n = data;
	const char *p = (const char *)key, *se = segrow_next_str(&p), *x = segrow_next_str(&p);
	int payment = *p == 1;
	(void)store;
	if (n->cur_on && (payment || strcmp(se, n->cur.se) || strcmp(x, n->cur.recipient)))
		finish_postings(n);
	if (strcmp(se, n->se_now)) {
		pop(n, NULL);
		finish_se(n);
		xstrlcpy(n->se_now, se, sizeof(n->se_now));
	}
	pop(n, x);
	if (!payment) {
		struct group *g = &n->cur;
		if (!n->cur_on) {
			n->cur_on = 1;
			xstrlcpy(g->se, se, sizeof(g->se));
			xstrlcpy(g->recipient, x, sizeof(g->recipient));
		}
		g->off = xgrow(g->off, &g->aoff, g->n + 1, sizeof(*g->off));
		g->off[g->n++] = g->raw.len;
		keep_row(&g->raw, key, klen, val, vlen);
	} else {
		struct kyrow q;
		uint64_t seq;
		strbuf_reset(&n->row);
		keep_row(&n->row, key, klen, val, vlen);
		get_payment(n->row.buf, &q, &seq);
		paysum_add(n, &q);
		if (n->depth) {	/* the longest recipient that begins its CPR owns it */
			struct group *g = n->stack[n->depth - 1];
			g->poff = xgrow(g->poff, &g->apoff, g->np + 1, sizeof(*g->poff));
			g->poff[g->np++] = g->praw.len;
			keep_row(&g->praw, key, klen, val, vlen);
		} else {
			if (miss(n, &q, seq, NULL))
				return -1;
		}
	}
	return 0;
}

/* A payment no credit on the account took, in payment order (see miss()). */
static int missing_payment(int store, const uint8_t *key, size_t klen, const void *val,
			   size_t vlen, void *data)
{
	struct nemkonto *n = data;
	const char *k = (const char *)key, *v = val;
	struct missing q;
	struct exception_row *e;
	char d[DATE_BUFSZ];
	(void)store;
	(void)klen;
	(void)vlen;
	memset(&q, 0, sizeof(q));
	xstrlcpy(q.se, segrow_next_str(&k), sizeof(q.se));
	xstrlcpy(q.cpr, segrow_next_str(&k), sizeof(q.cpr));
	q.day = (int32_t)(uint32_t)(segrow_get_be(&k, 4) ^ 0x80000000u);
	xstrlcpy(q.ident, segrow_next_str(&k), sizeof(q.ident));
	xstrlcpy(q.key, segrow_next_str(&v), sizeof(q.key));
	xstrlcpy(q.bilag, segrow_next_str(&v), sizeof(q.bilag));
	memcpy(&q.month, v, sizeof(q.month));
	memcpy(&q.amount, v + sizeof(q.month), sizeof(q.amount));
	recon_summary_ensure(&n->out, q.se, q.month, q.key);
	e = recon_exception(&n->out, q.se, q.month, q.key, q.cpr, gm_amount(q.amount),
			    "mangler-paa-konto", "KY-udbetaling uden postering på "
			    "'Hensættelse Bankudbetaling' / KY payment not on the account");
	xstrlcpy(e->ref, q.ident, sizeof(e->ref));
	recon_note(e, "udbetaling %s af %s, bilag %s", q.ident, day_format(q.day, d),
		   q.bilag[0] ? q.bilag : "-");
	return 0;
}

/* 'Sum - Udbetalinger' against the detail rows, per SE and month it covers. */
static void payment_sums(struct nemkonto *n)
{
	const struct kyrows *s = &n->sum;
	for (size_t i = 0, j; i < s->n; i = j) {
		money_t left = 0, right = 0;
		for (j = i; j < s->n && !strcmp(s->v[j].se, s->v[i].se) &&
		     s->v[j].month == s->v[i].month; j++)
			left += s->v[j].amount;
		if (s->v[i].month < n->from)
			continue;
		for (size_t k = 0; k < n->npaysum; k++)
			if (!strcmp(n->paysum[k].se, s->v[i].se) && n->paysum[k].month == s->v[i].month)
				right += n->paysum[k].total;
		recon_summary(&n->out, s->v[i].se, s->v[i].month, "SUM-UDBETALINGER", left, right, 0);
		if (left != right)
			recon_exception(&n->out, s->v[i].se, s->v[i].month, "SUM-UDBETALINGER", NULL,
					left - right, "sum-ne-detaljer", "'Sum - Udbetalinger' "
					"stemmer ikke med 'Detaljer - Udbetalinger' / the sum report "
					"differs from the payments in the detail report");
	}
}

/*
 * One pass over the postings and payments in key order (see add_posting()):
 * each recipient matched when its postings are all there, its payments when
 * the walk is past every CPR it begins; the SE's TOTAL when the walk leaves it.
 */
static int match_all(struct nemkonto *n)
{
	int rc;
	n->nmonths = month_index(n, n->ctx->night / 100) + 1;
	n->tot = xcalloc((size_t)n->nmonths, sizeof(*n->tot));
	if ((rc = segsort_each(&n->sort, walk, n)))
		return -1;
	if (n->cur_on)
		finish_postings(n);
	pop(n, NULL);
	finish_se(n);
	if (n->failed || segsort_each(&n->misses, missing_payment, n))
		return -1;
	payment_sums(n);
	return 0;
}

/* Every posting is settled, in transit, an open-item exception, without recipient or context. */
static int conserved(const struct nemkonto *n)
{
	if (n->settled + n->transit + n->open + n->nameless + n->context != n->npostings) {
		log_error("internal: %llu postings but %llu settled + %llu in transit + %llu open "
			  "+ %llu without recipient + %llu context", (unsigned long long)n->npostings,
			  (unsigned long long)n->settled, (unsigned long long)n->transit,
			  (unsigned long long)n->open, (unsigned long long)n->nameless,
			  (unsigned long long)n->context);
		return 0;
	}
	return 1;
}

static int load(struct nemkonto *n, MDB_txn *txn)
{
	struct strbuf path = STRBUF_INIT;
	const struct stage_ctx *c = n->ctx;
	int32_t to = c->night / 100;
	int rc;
	/* first: match_night() frees them whatever load() returns */
	segsort_init(&n->sort, c->conf.state, SORT_BYTES);
	segsort_init(&n->misses, c->conf.state, MISS_BYTES);
	conf_sibling(&c->conf, "matching.conf", &path);
	rc = matchconf_load(path.buf, RECON, &n->mc);
	conf_sibling(&c->conf, "accounts.conf", &path);
	if (!rc)
		rc = accounts_load(path.buf, &n->acc);
	strbuf_release(&path);
	if (rc)
		return EXIT_USAGE;
	n->from = month_add(to, -n->mc.lookback_months);
	if ((rc = recon_begin(&n->out, n->ctx, source_store, NSOURCES)))
		return rc;
	if (reconin_open(&n->in, n->ctx, txn, source_store, NSOURCES, month_add(n->from, -1), to) ||
	    (rc = postings_each(&n->in, ERP, &n->acc, ROLE, add_posting, n)) < 0 ||
	    kyrows_each(&n->in, KY_PAY, add_payment, n) || reconin_rows(&n->in, KY_SUM, &n->sum))
		return EXIT_INTERNAL;
	return rc ? EXIT_USAGE : 0;
}

static int match_night(struct stage_ctx *ctx)
{
	struct nemkonto n = { .ctx = ctx, .out = { .recon = RECON } };
	MDB_txn *txn;
	int rc = EXIT_INTERNAL;
	if (store_begin(&ctx->store, 0, &txn))
		return EXIT_INTERNAL;
	if ((rc = load(&n, txn)) != 0 || match_all(&n) || !conserved(&n)) {
		mdb_txn_abort(txn);
		rc = rc ? rc : EXIT_INTERNAL;
	} else {
		rc = reconin_commit(&n.in, &n.out);
	}
	reconin_free(&n.in);
	segsort_free(&n.sort);
	segsort_free(&n.misses);
	strbuf_release(&n.row);
	accounts_free(&n.acc);
	recon_free(&n.out);
	kyrows_free(&n.sum);
	group_free(&n.cur);
	for (size_t i = 0; i < n.depth; i++) {
		group_free(n.stack[i]);
		free(n.stack[i]);
	}
	for (size_t i = 0; i < n.nspare; i++) {
		group_free(n.spare[i]);
		free(n.spare[i]);
	}
	free(n.stack);
	free(n.spare);
	free(n.paysum);
	free(n.tot);
	return rc;
}

/* --help (run/stage.h). */
const struct stage_help stage_help = {
	"Reconciles the NemKonto clearing account 'Hensaettelse Bankudbetaling' per\n"
	"recipient against KY's payments (guide 3.1): OUT/DATE/summary/nemkonto.csv\n"
	"and OUT/DATE/exceptions/nemkonto.csv.\n",
	"Exit: 0 done (breaks found are still 0), 64 usage or configuration (no\n"
	"      role for an SE in conf/accounts.conf), 65 input it cannot use,\n"
	"      70 internal error, 75 locked.\n",
};

int main(int argc, char **argv)
{
	struct stage_ctx ctx;
	int rc;
	log_init("stage-match-nemkonto");
	if ((rc = stage_init(&ctx, "match-nemkonto", argc, argv, 0)))
		return rc;
	rc = match_night(&ctx);
	return stage_end(&ctx, rc);
}
