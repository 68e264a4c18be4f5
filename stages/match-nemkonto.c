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
#include "core/banned.h"

#define RECON "nemkonto"
#define ROLE "hensaettelse-bankudbetaling"

enum { ERP, KY_PAY, KY_SUM, NSOURCES };

static const char *const source_store[NSOURCES] = {
	"erp.posting", "ky.udbetaling", "ky.udbetaling_sum",
};

struct nemkonto {
	struct stage_ctx *ctx;
	struct match_conf mc;
	struct accounts acc;
	struct reconin in;
	struct postings p;
	struct kyrows pay;	/* KY's payments */
	struct kyrows sum;	/* KY's 'Sum - Udbetalinger' */
	char *matched;		/* per payment: found on the account */
	const char **group;	/* per payment: the recipient it belongs to (owner()) or NULL */
	struct recon_out out;
	int32_t from;		/* the first month reported; the one before is read as context */
	uint64_t settled, transit, open, nameless, context;	/* postings, for conservation */
	int nmonths;		/* from .. the night's month */
	struct month_total {	/* the SE's TOTAL row of each month */
		money_t debit, credit, explained;
		int rows;
	} *tot;
};

static int month_index(const struct nemkonto *n, int32_t month)
{
	int i = 0;
	for (int32_t m = n->from; m < month; m = month_add(m, 1))
		i++;
	return i;
}

static int cmp_payment(const void *a, const void *b)
{
	const struct kyrow *x = a, *y = b;
	int c = strcmp(x->se, y->se);
	if (!c)
		c = strcmp(x->cpr, y->cpr);
	if (!c)
		c = (x->day > y->day) - (x->day < y->day);
	return c ? c : strcmp(x->ident, y->ident);
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
	postings_ref(&n->p, (size_t)(g - n->p.v) + i, e->ref, sizeof(e->ref));
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
 * The KY payments whose recipient this is (see owner()), each paired with
 * one credit on the account: by Bilagsreference first, then by amount and
 * the nearest day.
 */
static void match_payments(struct nemkonto *n, const struct posting *g, size_t ng)
{
	struct gm_item *v;
	size_t *pi, np = 0, k, end;
	char *used = xcalloc(ng + 1, 1);
	struct gm_result r;
	struct gm_limits lim = n->mc.lim;
	struct kyrow key = { .ident = "" };
	size_t lo = 0, hi = n->pay.n, rl = strlen(g[0].recipient);
	memcpy(key.se, g[0].se, sizeof(key.se));
	xstrlcpy(key.cpr, g[0].recipient, sizeof(key.cpr));
	while (lo < hi) {	/* the first payment at or after the recipient's prefix */
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_payment(&n->pay.v[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* the payments whose CPR begins with the recipient: the arrays are
	 * their size, not all payments' (that was quadratic in recipients) */
	for (end = lo; end < n->pay.n && !strcmp(n->pay.v[end].se, key.se) &&
	     !strncmp(n->pay.v[end].cpr, key.cpr, rl); end++)
		;
	v = xcalloc(end - lo + ng + 1, sizeof(*v));
	pi = xcalloc(end - lo + 1, sizeof(*pi));
	for (size_t i = lo; i < end; i++)
		if (n->group[i] == g[0].recipient &&
		    !(n->matched[i] = (char)by_bilag(&n->pay.v[i], g, ng, used)))
			pi[np++] = i;
	for (k = 0; k < np; k++)
		v[k] = (struct gm_item){ .side = 0, .amount = gm_amount(n->pay.v[pi[k]].amount),
					 .day = n->pay.v[pi[k]].day };
	for (size_t i = 0; i < ng; i++)
		if (g[i].amount < 0 && !used[i])
			v[k++] = (struct gm_item){ .side = 1, .amount = -g[i].amount, .day = g[i].day };
	lim.max_group = 1;
	lim.balance_rest = 0;
	groupmatch(v, k, &lim, &r);
	for (size_t i = 0; i < np; i++)
		n->matched[pi[i]] = v[i].set != 0;
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
	match_payments(n, g, ng);
	free(v);
}

/* The first posting at or after (se, recipient) in the sorted postings. */
static size_t first_posting(const struct nemkonto *n, const char *se, const char *recipient)
{
	size_t lo = 0, hi = n->p.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(n->p.v[mid].se, se);
		if (!c)
			c = strcmp(n->p.v[mid].recipient, recipient);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The recipient a KY payment belongs to: the longest one of its SE on the
 * account that begins its CPR (Prisme keeps 4 digits, Figur 27, or 5,
 * Figur 28's 06058), as its group's first posting holds it; NULL if none.
 */
static const char *owner(const struct nemkonto *n, const struct kyrow *q)
{
	char prefix[sizeof(q->cpr)];
	for (size_t len = strlen(q->cpr); len > 0; len--) {
		size_t i;
		snprintf(prefix, sizeof(prefix), "%.*s", (int)len, q->cpr);
		i = first_posting(n, q->se, prefix);
		if (i < n->p.n && !strcmp(n->p.v[i].se, q->se) &&
		    !strcmp(n->p.v[i].recipient, prefix))
			return n->p.v[i].recipient;
	}
	return NULL;
}

static void missing_payments(struct nemkonto *n)
{
	for (size_t i = 0; i < n->pay.n; i++) {
		const struct kyrow *q = &n->pay.v[i];
		struct exception_row *e;
		char key[16], buf[CPR_MASKSZ], d[DATE_BUFSZ];
		const char *cpr;
		if (n->matched[i] || q->month < n->from)
			continue;
		/* the recipient's key when it has postings, else the DDMM Figur 27 shows */
		snprintf(key, sizeof(key), "%.*s", n->group[i] ? 15 : 4,
			 n->group[i] ? recipient_key(n->group[i], buf, &cpr) : q->cpr);
		recon_summary_ensure(&n->out, q->se, q->month, key);
		e = recon_exception(&n->out, q->se, q->month, key, q->cpr, gm_amount(q->amount),
				    "mangler-paa-konto", "KY-udbetaling uden postering på "
				    "'Hensættelse Bankudbetaling' / KY payment not on the account");
		xstrlcpy(e->ref, q->ident, sizeof(e->ref));
		recon_note(e, "udbetaling %s af %s, bilag %s", q->ident, day_format(q->day, d),
			   q->bilag[0] ? q->bilag : "-");
	}
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
		for (size_t k = 0; k < n->pay.n; k++)
			if (!strcmp(n->pay.v[k].se, s->v[i].se) && n->pay.v[k].month == s->v[i].month)
				right += n->pay.v[k].amount;
		recon_summary(&n->out, s->v[i].se, s->v[i].month, "SUM-UDBETALINGER", left, right, 0);
		if (left != right)
			recon_exception(&n->out, s->v[i].se, s->v[i].month, "SUM-UDBETALINGER", NULL,
					left - right, "sum-ne-detaljer", "'Sum - Udbetalinger' "
					"stemmer ikke med 'Detaljer - Udbetalinger' / the sum report "
					"differs from the payments in the detail report");
	}
}

static void match_all(struct nemkonto *n)
{
	const char *se = NULL;
	postings_sort(&n->p);
	if (n->pay.n)
		qsort(n->pay.v, n->pay.n, sizeof(*n->pay.v), cmp_payment);
	n->matched = xcalloc(n->pay.n + 1, 1);
	n->group = xcalloc(n->pay.n + 1, sizeof(*n->group));
	for (size_t i = 0; i < n->pay.n; i++)
		n->group[i] = owner(n, &n->pay.v[i]);
	n->nmonths = month_index(n, n->ctx->night / 100) + 1;
	n->tot = xcalloc((size_t)n->nmonths, sizeof(*n->tot));
	for (size_t i = 0, j; i < n->p.n; i = j) {
		for (j = i + 1; j < n->p.n && !strcmp(n->p.v[j].se, n->p.v[i].se) &&
		     !strcmp(n->p.v[j].recipient, n->p.v[i].recipient); j++)
			;
		match_recipient(n, &n->p.v[i], j - i);
		if (j < n->p.n && !strcmp(n->p.v[j].se, n->p.v[i].se))
			continue;
		se = n->p.v[i].se;
		for (int k = 0; k < n->nmonths; k++) {
			const struct month_total *t = &n->tot[k];
			if (t->rows)
				recon_summary(&n->out, se, month_add(n->from, k), "TOTAL", t->debit,
					      t->credit, t->explained);
		}
		memset(n->tot, 0, (size_t)n->nmonths * sizeof(*n->tot));
	}
	missing_payments(n);
	payment_sums(n);
}

/* Every posting is settled, in transit, an open-item exception, without recipient or context. */
static int conserved(const struct nemkonto *n)
{
	if (n->settled + n->transit + n->open + n->nameless + n->context != n->p.n) {
		log_error("internal: %zu postings but %llu settled + %llu in transit + %llu open "
			  "+ %llu without recipient + %llu context", n->p.n,
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
	    (rc = postings_load(&n->in, ERP, &n->acc, ROLE, &n->p)) < 0 ||
	    reconin_rows(&n->in, KY_PAY, &n->pay) || reconin_rows(&n->in, KY_SUM, &n->sum))
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
	if ((rc = load(&n, txn)) != 0 || (match_all(&n), !conserved(&n))) {
		mdb_txn_abort(txn);
		rc = rc ? rc : EXIT_INTERNAL;
	} else {
		rc = reconin_commit(&n.in, &n.out);
	}
	reconin_free(&n.in);
	postings_free(&n.p);
	accounts_free(&n.acc);
	recon_free(&n.out);
	kyrows_free(&n.pay);
	kyrows_free(&n.sum);
	free(n.matched);
	free(n.group);
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
