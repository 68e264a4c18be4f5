#include "groupmatch.h"

#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "strbuf.h"
#include "banned.h"

struct search {
	struct gm_item *v;
	size_t n;
	const struct gm_limits *lim;
	struct gm_result *res;
	int64_t *dn;		/* day_number of each item's day */
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

static int within(const struct search *s, size_t i, size_t j, int window)
{
	return window < 0 || apart(s, i, j) <= window;
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

/* Side-1 items by amount, then input order (qsort is not stable). */
static int cmp_amount(const void *a, const void *b, void *items)
{
	const struct gm_item *v = items;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	money_t ax = v[x].amount, ay = v[y].amount;
	if (ax != ay)
		return ax < ay ? -1 : 1;
	return (x > y) - (x < y);
}

/* The first position in ix[0..m) whose amount is not below a. */
static size_t lower_bound(const struct gm_item *v, const size_t *ix, size_t m, money_t a)
{
	size_t lo = 0, hi = m;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[ix[mid]].amount < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Each open side-0 item takes the open side-1 item of equal amount closest in days. */
static void pair_pass(struct search *s)
{
	struct gm_item *v = s->v;
	size_t *ix = xmalloc((s->n + 1) * sizeof(*ix)), m = 0;
	for (size_t j = 0; j < s->n; j++)
		if (!v[j].set && v[j].side == 1)
			ix[m++] = j;
	if (m)
		qsort_r(ix, m, sizeof(*ix), cmp_amount, v);
	for (size_t i = 0; i < s->n; i++) {
		size_t best = s->n;
		if (v[i].set || v[i].side != 0)
			continue;
		for (size_t k = lower_bound(v, ix, m, v[i].amount);
		     k < m && v[ix[k]].amount == v[i].amount; k++) {
			size_t j = ix[k];
			if (v[j].set || !within(s, i, j, s->lim->pair_window) || !fits(&v[i], &v[j]))
				continue;
			if (best == s->n || apart(s, i, j) < apart(s, i, best))
				best = j;
		}
		if (best == s->n)
			continue;
		s->res->nsets++;
		settle(&v[i], s->res, GM_PAIR);
		settle(&v[best], s->res, GM_PAIR);
	}
	free(ix);
}

/* Depth-first: picks cand[from..] summing to need, k picked so far. 1 found, -1 gave up. */
static int subset(struct search *s, size_t from, int k, money_t need)
{
	if (need == 0 && k >= 2)
		s->npick = k;
	if (need == 0)
		return k >= 2;
	if (k == s->lim->max_group)
		return 0;
	for (size_t i = from; i < s->ncand; i++) {
		int rc;
		if (++s->res->steps > s->lim->max_steps)
			return -1;
		if (s->rest[i] < need)
			return 0;	/* even all the rest cannot reach it */
		if (s->v[s->cand[i]].amount > need)
			continue;
		s->pick[k] = s->cand[i];
		rc = subset(s, i + 1, k + 1, need - s->v[s->cand[i]].amount);
		if (rc)
			return rc;
	}
	return 0;
}

/* Collects the open, positive other-side items within the window of v[a]. */
static void candidates(struct search *s, size_t n, size_t a)
{
	s->ncand = 0;
	for (size_t j = 0; j < n; j++)
		if (!s->v[j].set && s->v[j].side != s->v[a].side && s->v[j].amount > 0 &&
		    within(s, a, j, s->lim->group_window) && fits(&s->v[a], &s->v[j]))
			s->cand[s->ncand++] = j;
	for (size_t i = s->ncand; i-- > 0;)
		s->rest[i] = s->v[s->cand[i]].amount + (i + 1 < s->ncand ? s->rest[i + 1] : 0);
}

/* One item of side 'one' settled by several of the other. 0, or -1 gave up. */
static int group_pass(struct search *s, size_t n, int one)
{
	for (size_t a = 0; a < n; a++) {
		int rc;
		if (s->v[a].set || s->v[a].side != one || s->v[a].amount <= 0)
			continue;
		candidates(s, n, a);
		rc = subset(s, 0, 0, s->v[a].amount);
		if (rc < 0)
			return -1;
		if (!rc)
			continue;
		s->res->nsets++;
		settle(&s->v[a], s->res, one == 0 ? GM_N1 : GM_1N);
		for (int k = 0; k < s->npick; k++)
			settle(&s->v[s->pick[k]], s->res, one == 0 ? GM_N1 : GM_1N);
	}
	return 0;
}

/* Whether every two open items fit each other. */
static int open_fit(const struct gm_item *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n && !v[i].set; j++)
			if (!v[j].set && !fits(&v[i], &v[j]))
				return 0;
	return 1;
}

/* What is left, if it balances as a whole and its parties fit, is one settlement. */
static void rest_pass(struct gm_item *v, size_t n, struct gm_result *res)
{
	money_t bal = 0;
	size_t open = 0;
	for (size_t i = 0; i < n; i++)
		if (!v[i].set) {
			bal += v[i].side ? -v[i].amount : v[i].amount;
			open++;
		}
	if (open < 2 || bal != 0 || !open_fit(v, n))
		return;
	res->nsets++;
	for (size_t i = 0; i < n; i++)
		if (!v[i].set)
			settle(&v[i], res, GM_NM);
}

int groupmatch(struct gm_item *v, size_t n, const struct gm_limits *lim,
	       struct gm_result *res)
{
	struct gm_limits l = *lim;
	struct search s = { .v = v, .n = n, .lim = &l, .res = res };
	*res = (struct gm_result){ 0 };
	if (l.max_group > GM_MAX_GROUP)
		l.max_group = GM_MAX_GROUP;
	s.dn = xmalloc((n + 1) * sizeof(*s.dn));
	for (size_t i = 0; i < n; i++) {
		v[i].set = v[i].kind = 0;
		s.dn[i] = day_number(v[i].day);
	}
	zero_pass(v, n, res);
	pair_pass(&s);
	s.cand = xmalloc((n + 1) * sizeof(*s.cand));
	s.rest = xmalloc((n + 1) * sizeof(*s.rest));
	if (l.max_group >= 2 && (group_pass(&s, n, 0) || group_pass(&s, n, 1)))
		res->gave_up = 1;
	else if (l.balance_rest)
		rest_pass(v, n, res);
	free(s.dn);
	free(s.cand);
	free(s.rest);
	for (size_t i = 0; i < n; i++)
		res->open += !v[i].set;
	return res->gave_up;
}

const char *gm_kind_name(int kind)
{
	static const char *const names[] = { "open", "0", "1:1", "N:1", "1:N", "N:M" };
	return kind >= GM_OPEN && kind <= GM_NM ? names[kind] : "open";
}
