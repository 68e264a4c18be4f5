#include "match/groupmatch.h"

#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/strbuf.h"
#include "core/banned.h"

struct search {
	struct gm_item *v;
	size_t n;
	const struct gm_limits *lim;
	struct gm_result *res;
	int64_t *dn;		/* day_number of each item's day */
	size_t *byday;		/* every item, by day then index: the window scans */
	char *gave;		/* per item: its search ran out of steps */
	uint64_t left;		/* steps left for the current item */
	uint64_t total;		/* steps left for the call */
	size_t *cand;		/* candidate indexes of the many side */
	money_t *rest;		/* rest[i]: sum of cand[i..] */
	size_t ncand;
	size_t pick[GM_MAX_GROUP];
	int npick;
};

static int64_t apart(const struct search *s, size_t i, size_t j)
{
	int64_t d = s->dn[i] - s->dn[j];
	return d < 0 ? -d : d;
}

/* One step of the current item's search: 0 while its budget lasts, else -1. */
static int step(struct search *s, size_t item)
{
	s->res->steps++;
	if (s->left == 0 || s->total == 0) {
		s->gave[item] = 1;
		return -1;
	}
	s->left--;
	s->total--;
	return 0;
}

/* Whether two items may settle together: one party begins with the other. */
static int fits(const struct gm_item *a, const struct gm_item *b)
{
	size_t la, lb;
	if (!a->party || !b->party || !*a->party || !*b->party)
		return 1;
	la = strlen(a->party);
	lb = strlen(b->party);
	return !strncmp(a->party, b->party, la < lb ? la : lb);
}

static void settle(struct gm_item *it, struct gm_result *res, int kind)
{
	it->set = res->nsets;
	it->kind = kind;
}

static void zero_pass(struct gm_item *v, size_t n, struct gm_result *res)
{
	for (size_t i = 0; i < n; i++)
		if (!v[i].set && v[i].amount == 0) {
			res->nsets++;
			settle(&v[i], res, GM_ZERO);
		}
}

/* Items by amount, then day, then input order (qsort is not stable). */
static int cmp_amount(const void *a, const void *b, void *data)
{
	const struct search *s = data;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	money_t ax = s->v[x].amount, ay = s->v[y].amount;
	if (ax != ay)
		return ax < ay ? -1 : 1;
	if (s->dn[x] != s->dn[y])
		return s->dn[x] < s->dn[y] ? -1 : 1;
	return (x > y) - (x < y);
}

static int cmp_day(const void *a, const void *b, void *data)
{
	const struct search *s = data;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	if (s->dn[x] != s->dn[y])
		return s->dn[x] < s->dn[y] ? -1 : 1;
	return (x > y) - (x < y);
}

/* The first position in ix[0..m) not before (a, day); a < 0 compares days only. */
static size_t lower_bound(const struct search *s, const size_t *ix, size_t m, money_t a,
			  int64_t day)
{
	size_t lo = 0, hi = m;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct gm_item *it = &s->v[ix[mid]];
		if ((a >= 0 && it->amount < a) ||
		    ((a < 0 || it->amount == a) && s->dn[ix[mid]] < day))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* An index of open side-1 items in one direction, with skip links over settled ones. */
struct run {
	size_t *ix;
	size_t *next;		/* next[k]: a position after k worth looking at */
	size_t m;
};

/* The first open position at or after k (path halving keeps the links short). */
static size_t open_at(const struct search *s, struct run *r, size_t k)
{
	while (k < r->m && s->v[r->ix[k]].set) {
		size_t nk = r->next[k];
		if (nk < r->m && s->v[r->ix[nk]].set)
			r->next[k] = r->next[nk];
		k = nk;
	}
	return k;
}

/* From position k on, the first open side-1 item of v[i]'s amount within window that fits. */
static size_t nearest(struct search *s, struct run *r, size_t i, size_t k, int64_t window)
{
	for (;; k++) {
		size_t j;
		k = open_at(s, r, k);
		if (k >= r->m)
			return s->n;
		j = r->ix[k];
		if (s->v[j].amount != s->v[i].amount || apart(s, i, j) > window)
			return s->n;
		if (fits(&s->v[i], &s->v[j]))
			return j;
		if (step(s, i))
			return s->n;
	}
}

/* Each open side-0 item takes the nearest open side-1 item of its amount within window. */
static void pair_step(struct search *s, struct run *up, struct run *down, int64_t window)
{
	struct gm_item *v = s->v;
	for (size_t i = 0; i < s->n; i++) {
		size_t pos, after, before, best;
		if (v[i].set || v[i].side != 0 || s->gave[i])
			continue;
		s->left = s->lim->max_steps;
		pos = lower_bound(s, up->ix, up->m, v[i].amount, s->dn[i]);
		after = nearest(s, up, i, pos, window);
		before = nearest(s, down, i, up->m - pos, window);
		best = after == s->n || (before != s->n && apart(s, i, before) <= apart(s, i, after))
			? before : after;
		if (best == s->n)
			continue;
		s->res->nsets++;
		settle(&v[i], s->res, GM_PAIR);
		settle(&v[best], s->res, GM_PAIR);
	}
}

static void run_init(struct run *r, size_t m)
{
	r->m = m;
	r->next = xmalloc((m + 1) * sizeof(*r->next));
	for (size_t k = 0; k < m; k++)
		r->next[k] = k + 1;
}

/*
 * 1:1 pairs, the nearest first over the whole set: the window widens
 * 0, 1, 3, 7... days up to pair_window, so a missing counterpart leaves
 * its own item open instead of shifting every later pair by one.
 */
static void pair_pass(struct search *s)
{
	struct run up = { 0 }, down = { 0 };
	size_t m = 0;
	int64_t span = s->n ? s->dn[s->byday[s->n - 1]] - s->dn[s->byday[0]] : 0;
	int64_t pw = s->lim->pair_window;
	up.ix = xmalloc((s->n + 1) * sizeof(*up.ix));
	down.ix = xmalloc((s->n + 1) * sizeof(*down.ix));
	for (size_t j = 0; j < s->n; j++)
		if (!s->v[j].set && s->v[j].side == 1)
			up.ix[m++] = j;
	if (m)
		qsort_r(up.ix, m, sizeof(*up.ix), cmp_amount, s);
	for (size_t k = 0; k < m; k++)
		down.ix[k] = up.ix[m - 1 - k];
	run_init(&up, m);
	run_init(&down, m);
	for (int64_t w = 0;; w = 2 * w + 1) {
		int last = (pw >= 0 && w >= pw) || w >= span;
		pair_step(s, &up, &down, last ? (pw >= 0 ? pw : span) : w);
		if (last)
			break;
	}
	free(up.ix);
	free(up.next);
	free(down.ix);
	free(down.next);
}

/* Whether v[j] fits the k items picked before it (one person's group). */
static int fits_picked(const struct search *s, int k, size_t j)
{
	while (k-- > 0)
		if (!fits(&s->v[s->pick[k]], &s->v[j]))
			return 0;
	return 1;
}

/* Depth-first: picks cand[from..] summing to need, k picked so far. 1 found, -1 gave up. */
static int subset(struct search *s, size_t a, size_t from, int k, money_t need)
{
	if (need == 0 && k >= 2)
		s->npick = k;
	if (need == 0)
		return k >= 2;
	if (k == s->lim->max_group)
		return 0;
	for (size_t i = from; i < s->ncand; i++) {
		int rc;
		if (step(s, a))
			return -1;
		if (s->rest[i] < need)
			return 0;	/* even all the rest cannot reach it */
		if (s->v[s->cand[i]].amount > need || !fits_picked(s, k, s->cand[i]))
			continue;
		s->pick[k] = s->cand[i];
		rc = subset(s, a, i + 1, k + 1, need - s->v[s->cand[i]].amount);
		if (rc)
			return rc;
	}
	return 0;
}

/* Collects the open, positive other-side items within the window of v[a]; -1 gave up. */
static int candidates(struct search *s, size_t a)
{
	int w = s->lim->group_window;
	size_t k = w < 0 ? 0 : lower_bound(s, s->byday, s->n, -1, s->dn[a] - w);
	s->ncand = 0;
	for (; k < s->n && (w < 0 || s->dn[s->byday[k]] <= s->dn[a] + w); k++) {
		size_t j = s->byday[k];
		if (step(s, a))
			return -1;
		if (!s->v[j].set && s->v[j].side != s->v[a].side && s->v[j].amount > 0 &&
		    fits(&s->v[a], &s->v[j]))
			s->cand[s->ncand++] = j;
	}
	for (size_t i = s->ncand; i-- > 0;)
		s->rest[i] = s->v[s->cand[i]].amount + (i + 1 < s->ncand ? s->rest[i + 1] : 0);
	return 0;
}

/* One item of side 'one' settled by several of the other; an item out of steps stays open. */
static void group_pass(struct search *s, int one)
{
	for (size_t a = 0; a < s->n; a++) {
		if (s->v[a].set || s->v[a].side != one || s->v[a].amount <= 0 || s->gave[a])
			continue;
		s->left = s->lim->max_steps;
		if (candidates(s, a) || subset(s, a, 0, 0, s->v[a].amount) <= 0)
			continue;
		s->res->nsets++;
		settle(&s->v[a], s->res, one == 0 ? GM_N1 : GM_1N);
		for (int k = 0; k < s->npick; k++)
			settle(&s->v[s->pick[k]], s->res, one == 0 ? GM_N1 : GM_1N);
	}
}

/*
 * Whether every two open items fit each other: the parties given must all
 * begin the longest one (fits() is "one begins with the other").
 */
static int open_fit(const struct gm_item *v, size_t n)
{
	const char *longest = "";
	for (size_t i = 0; i < n; i++)
		if (!v[i].set && v[i].party && strlen(v[i].party) > strlen(longest))
			longest = v[i].party;
	for (size_t i = 0; i < n; i++)
		if (!v[i].set && v[i].party &&
		    strncmp(v[i].party, longest, strlen(v[i].party)))
			return 0;
	return 1;
}

/*
 * What is left, if it balances as a whole, its parties fit and its days lie
 * within pair_window of each other, is one settlement: the same bound as a
 * pair, so two equal amounts months apart never settle as a "rest".
 */
static void rest_pass(const struct search *s)
{
	struct gm_item *v = s->v;
	struct gm_result *res = s->res;
	size_t n = s->n;
	money_t bal = 0;
	size_t open = 0;
	int64_t first = 0, last = 0;
	for (size_t i = 0; i < n; i++)
		if (!v[i].set) {
			bal += v[i].side ? -v[i].amount : v[i].amount;
			if (!open++ || s->dn[i] < first)
				first = s->dn[i];
			if (open == 1 || s->dn[i] > last)
				last = s->dn[i];
		}
	if (open < 2 || bal != 0 || !open_fit(v, n) ||
	    (s->lim->pair_window >= 0 && last - first > s->lim->pair_window))
		return;
	res->nsets++;
	for (size_t i = 0; i < n; i++)
		if (!v[i].set)
			settle(&v[i], res, GM_NM);
}

int groupmatch_part(struct gm_item *v, size_t n, const struct gm_limits *lim,
		    struct gm_result *res, uint64_t *budget)
{
	struct gm_limits l = *lim;
	struct search s = { .v = v, .n = n, .lim = &l, .res = res };
	*res = (struct gm_result){ 0 };
	if (l.max_group > GM_MAX_GROUP)
		l.max_group = GM_MAX_GROUP;
	s.dn = xmalloc((n + 1) * sizeof(*s.dn));
	s.byday = xmalloc((n + 1) * sizeof(*s.byday));
	s.gave = xcalloc(n + 1, 1);
	s.total = *budget;
	for (size_t i = 0; i < n; i++) {
		v[i].set = v[i].kind = 0;
		s.dn[i] = day_number(v[i].day);
		s.byday[i] = i;
	}
	if (n)
		qsort_r(s.byday, n, sizeof(*s.byday), cmp_day, &s);
	zero_pass(v, n, res);
	pair_pass(&s);
	s.cand = xmalloc((n + 1) * sizeof(*s.cand));
	s.rest = xmalloc((n + 1) * sizeof(*s.rest));
	if (l.max_group >= 2) {
		group_pass(&s, 0);
		group_pass(&s, 1);
	}
	if (l.balance_rest)
		rest_pass(&s);
	for (size_t i = 0; i < n; i++) {
		res->open += !v[i].set;
		res->gave_up += s.gave[i] && !v[i].set;
	}
	free(s.dn);
	free(s.byday);
	free(s.gave);
	free(s.cand);
	free(s.rest);
	*budget = s.total;
	return res->gave_up > 0;
}

int groupmatch(struct gm_item *v, size_t n, const struct gm_limits *lim,
	       struct gm_result *res)
{
	uint64_t budget = GM_CALL_ITEMS * lim->max_steps;
	return groupmatch_part(v, n, lim, res, &budget);
}

const char *gm_kind_name(int kind)
{
	static const char *const names[] = { "open", "0", "1:1", "N:1", "1:N", "N:M" };
	return kind >= GM_OPEN && kind <= GM_NM ? names[kind] : "open";
}
