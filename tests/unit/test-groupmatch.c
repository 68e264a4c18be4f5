/* The shared group matcher (pipeline/match/groupmatch.h) on the guide's Figur 27 and hard cases. */
#include <stdio.h>
#include <string.h>

#include <stdlib.h>
#include <unistd.h>

#include "match/groupmatch.h"
#include "match/matchconf.h"
#include "test.h"

static const struct gm_limits lim = GM_LIMITS_DEFAULT;

/* Signed øre (debit > 0) to side and amount, as the nemkonto stage does. */
static void load(struct gm_item *v, const long long *amt, const int *day, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		memset(&v[i], 0, sizeof(v[i]));
		v[i].side = amt[i] < 0;
		v[i].amount = amt[i] < 0 ? -amt[i] : amt[i];
		v[i].day = day[i];
	}
}

static void test_figur27_1201(void)
{
	/* Three credits on 12-11-2021 settled by one debit of 45.068,57. */
	long long a[] = { -1521813, -1463231, -1521813, 4506857 };
	int d[] = { 20211112, 20211112, 20211112, 20211112 };
	struct gm_item v[4];
	struct gm_result r;
	load(v, a, d, 4);
	CHECK(groupmatch(v, 4, &lim, &r) == 0, "1201: complete");
	CHECK(r.nsets == 1 && r.open == 0, "1201: one settlement, nothing open (%d, %d)",
	      r.nsets, r.open);
	for (int i = 0; i < 4; i++)
		CHECK(v[i].set == 1 && v[i].kind == GM_N1, "1201: item %d in the N:1 set", i);
}

static void test_figur27_3112(void)
{
	/* Two 1:1 pairs (6.590,97 and 3.265,36) and 760 + 2.723,40 = 3.483,40. */
	long long a[] = { -659097, -76000, 348340, 326536, 659097, -326536, -272340 };
	int d[] = { 20211111, 20211112, 20211112, 20211115, 20211115, 20211111, 20211112 };
	struct gm_item v[7];
	struct gm_result r;
	load(v, a, d, 7);
	groupmatch(v, 7, &lim, &r);
	CHECK(r.nsets == 3 && r.open == 0, "3112: three settlements (%d)", r.nsets);
	CHECK(v[0].kind == GM_PAIR && v[0].set == v[4].set, "3112: 6.590,97 paired");
	CHECK(v[3].kind == GM_PAIR && v[3].set == v[5].set, "3112: 3.265,36 paired");
	CHECK(v[2].kind == GM_N1 && v[1].set == v[2].set && v[6].set == v[2].set,
	      "3112: 3.483,40 = 760 + 2.723,40");
}

static void test_closest_day(void)
{
	/* Same amount every month: each debit takes the credit nearest in time. */
	long long a[] = { -754000, -754000, 754000, 754000 };
	int d[] = { 20210601, 20210701, 20210703, 20210602 };
	struct gm_item v[4];
	struct gm_result r;
	load(v, a, d, 4);
	groupmatch(v, 4, &lim, &r);
	CHECK(v[2].set == v[1].set && v[3].set == v[0].set, "pairs by nearest day");
}

static void test_window(void)
{
	/* Returned payment 94 days later (Figur 28, 11067): outside a 31-day window... */
	long long a[] = { -1034400, 1034400 };
	int d[] = { 20210531, 20210902 };
	struct gm_item v[2];
	struct gm_result r;
	struct gm_limits wide = GM_LIMITS_DEFAULT;
	load(v, a, d, 2);
	groupmatch(v, 2, &lim, &r);
	/* ... not a 1:1 pair, and the rest is bounded by the same window: both open. */
	CHECK(!v[0].set && !v[1].set && r.open == 2, "outside the window: both open (%d)", r.open);
	wide.pair_window = -1;
	groupmatch(v, 2, &wide, &r);
	CHECK(v[0].kind == GM_PAIR, "no window: a pair");
}

static void test_open_items(void)
{
	/* 100 + 50 against 120: nothing balances; all three stay open. */
	long long a[] = { 10000, 5000, -12000 };
	int d[] = { 20211101, 20211101, 20211101 };
	struct gm_item v[3];
	struct gm_result r;
	load(v, a, d, 3);
	groupmatch(v, 3, &lim, &r);
	CHECK(r.open == 3 && r.nsets == 0 && !r.gave_up, "nothing settles (%d open)", r.open);
}

static void test_partial_and_backtrack(void)
{
	/* 10 = 5 + 5 after a dead end 5 + 2 + 1; the 2 and 1 stay open. */
	long long a[] = { 1000, -500, -200, -100, -500, 777 };
	int d[] = { 20211101, 20211101, 20211101, 20211101, 20211101, 20211101 };
	struct gm_item v[6];
	struct gm_result r;
	load(v, a, d, 6);
	groupmatch(v, 6, &lim, &r);
	CHECK(v[0].kind == GM_1N || v[0].kind == GM_N1, "10 settled by a group");
	CHECK(v[1].set == v[0].set && v[4].set == v[0].set, "by the two fives");
	CHECK(!v[2].set && !v[3].set && !v[5].set, "the 2, the 1 and 7,77 stay open");
	CHECK(r.open == 3, "three open (%d)", r.open);
}

static void test_one_to_many_other_way(void)
{
	/* One credit settled by several debits (1:N). */
	long long a[] = { 300, 700, -1000 };
	int d[] = { 20211101, 20211102, 20211103 };
	struct gm_item v[3];
	struct gm_result r;
	load(v, a, d, 3);
	groupmatch(v, 3, &lim, &r);
	CHECK(v[2].kind == GM_1N && v[0].set == v[2].set && v[1].set == v[2].set, "1:N");
}

static void test_max_group_and_zero(void)
{
	/* 7 ones against 7: too many for max_group 6 in the subset pass. */
	struct gm_item v[9];
	struct gm_result r;
	struct gm_limits l = GM_LIMITS_DEFAULT;
	memset(v, 0, sizeof(v));
	for (int i = 0; i < 7; i++)
		v[i] = (struct gm_item){ .side = 1, .amount = 100, .day = 20211101 };
	v[7] = (struct gm_item){ .side = 0, .amount = 700, .day = 20211101 };
	v[8] = (struct gm_item){ .side = 0, .amount = 0, .day = 20211101 };
	groupmatch(v, 9, &l, &r);
	CHECK(v[8].kind == GM_ZERO, "a zero amount settles alone");
	CHECK(v[7].kind == GM_NM, "7 items: beyond max_group, the balancing rest");
	l.max_group = 8;
	groupmatch(v, 9, &l, &r);
	CHECK(v[7].kind == GM_N1, "with max_group 8: N:1");
}

static void test_gives_up(void)
{
	/* 40 even amounts against an odd one: no subset exists; the search must stop. */
	struct gm_item v[41];
	struct gm_result r;
	struct gm_limits l = GM_LIMITS_DEFAULT;
	for (int i = 0; i < 40; i++)
		v[i] = (struct gm_item){ .side = 1, .amount = 300 + 2 * i, .day = 20211101 };
	v[40] = (struct gm_item){ .side = 0, .amount = 2001, .day = 20211101 };
	l.max_steps = 1000;
	CHECK(groupmatch(v, 41, &l, &r) == 1 && r.gave_up == 1, "gives up (%d)", r.gave_up);
	CHECK(r.steps > 1000 && r.steps < 2 * 1000 + 41 * 41,
	      "stops at the step limit (%llu)", (unsigned long long)r.steps);
	CHECK(r.open == 41, "everything stays open (%d)", r.open);
}

static void test_gives_up_alone(void)
{
	/* The hopeless 2001 beside a 1:1 pair: only it gives up, the pair settles... */
	struct gm_item v[46];
	struct gm_result r;
	struct gm_limits l = GM_LIMITS_DEFAULT;
	for (int i = 0; i < 40; i++)
		v[i] = (struct gm_item){ .side = 1, .amount = 300 + 2 * i, .day = 20211101 };
	v[40] = (struct gm_item){ .side = 0, .amount = 2001, .day = 20211101 };
	v[41] = (struct gm_item){ .side = 0, .amount = 777, .day = 20211102 };
	v[42] = (struct gm_item){ .side = 1, .amount = 777, .day = 20211102 };
	v[43] = (struct gm_item){ .side = 0, .amount = 13560, .day = 20211101 };
	/* 1500 + 501 the same day: no 1:1 partner of the 2001, the rest balances */
	v[44] = (struct gm_item){ .side = 1, .amount = 1500, .day = 20211101 };
	v[45] = (struct gm_item){ .side = 1, .amount = 501, .day = 20211101 };
	l.max_steps = 300;
	l.group_window = 0;
	l.pair_window = 1;
	CHECK(groupmatch(v, 43, &l, &r) == 1 && r.gave_up == 1 && !v[40].set,
	      "one item gives up (%d)", r.gave_up);
	CHECK(v[41].kind == GM_PAIR && v[41].set == v[42].set, "the pair still settles");
	/* ... and what balances as a whole still settles as the rest. */
	CHECK(groupmatch(v, 46, &l, &r) == 0 && r.open == 0 && v[40].kind == GM_NM,
	      "the rest still balances (%d open)", r.open);
	/* ... but not when one of it lies outside the window (2 days, not 1) */
	v[45].day = 20211103;
	CHECK(groupmatch(v, 46, &l, &r) == 1 && r.open == 44 && !v[45].set,
	      "a rest wider than pair_window stays open (%d open)", r.open);
}

static void test_rest_bounded(void)
{
	/* 1210 (Figur 27) with its debit moved to 12-07: the equal credit of 10-11
	 * is four months away, neither a pair nor a balancing rest; both open. */
	long long a[] = { 34300, -34300 };
	int d[] = { 20210712, 20211110 };
	struct gm_item v[2];
	struct gm_result r;
	load(v, a, d, 2);
	groupmatch(v, 2, &lim, &r);
	CHECK(r.open == 2 && r.nsets == 0, "months apart: both open (%d open)", r.open);
	/* within the window the same two are a pair */
	v[0].day = 20211108;
	groupmatch(v, 2, &lim, &r);
	CHECK(r.open == 0 && v[0].kind == GM_PAIR, "days apart: a pair");
	/* the rest passes the window check on its own span: 3 items, 31 days */
	{
		long long b[] = { 10000, 5000, -15000 };
		int e[] = { 20211001, 20211101, 20211015 };
		struct gm_item w[3];
		struct gm_limits one = GM_LIMITS_DEFAULT;
		one.max_group = 1;
		load(w, b, e, 3);
		groupmatch(w, 3, &one, &r);
		CHECK(r.open == 0 && w[0].kind == GM_NM, "a rest spanning 31 days settles");
		w[1].day = 20211102;
		groupmatch(w, 3, &one, &r);
		CHECK(r.open == 3, "a rest spanning 32 days stays open (%d open)", r.open);
	}
}

static void test_covering_in_parts(void)
{
	/* A covering KY reports in two parts (600 + 400, 10-08) booked as one
	 * posting of 1.000 (11-08); the same person has an unrelated 600 and
	 * 400 booked months away. The parts settle with the one posting. */
	struct gm_item v[5] = {
		{ .side = 0, .amount = 60000, .day = 20210810, .party = "0203901234" },
		{ .side = 0, .amount = 40000, .day = 20210810, .party = "0203901234" },
		{ .side = 1, .amount = 100000, .day = 20210811, .party = "0203" },
		{ .side = 1, .amount = 60000, .day = 20211210, .party = "0203" },
		{ .side = 1, .amount = 40000, .day = 20210402, .party = "0203" },
	};
	struct gm_result r;
	struct gm_limits deb = { 5, 5, 6, 200000, 0 };	/* conf/matching.conf's debitor */
	const struct gm_limits *each[] = { &deb, &lim };
	for (int k = 0; k < 2; k++) {
		groupmatch(v, 5, each[k], &r);
		CHECK(v[2].kind == GM_1N && v[0].set == v[2].set && v[1].set == v[2].set,
		      "limits %d: 600 + 400 settle the posting of 1.000 (1:N)", k);
		CHECK(!v[3].set && !v[4].set && r.open == 2,
		      "limits %d: the equal amounts months away stay open (%d open)", k, r.open);
	}
	/* with no window at all the parts would pair with the equal amounts */
	deb.pair_window = -1;
	groupmatch(v, 5, &deb, &r);
	CHECK(v[0].set == v[3].set && v[1].set == v[4].set && !v[2].set,
	      "unbounded: paired by amount alone, the posting of 1.000 open");
}

static void test_missing_month(void)
{
	/* 11 monthly 7.540,00 debits and credits, May's credit missing: May's debit stays open. */
	struct gm_item v[22];
	struct gm_result r;
	struct gm_limits l = GM_LIMITS_DEFAULT;
	size_t n = 0, may = 0;
	l.pair_window = -1;
	for (int m = 1; m <= 11; m++) {
		if (m == 5)
			may = n;
		v[n++] = (struct gm_item){ .side = 0, .amount = 754000, .day = 20210002 + 100 * m };
		if (m != 5)
			v[n++] = (struct gm_item){ .side = 1, .amount = 754000,
						   .day = 20210003 + 100 * m };
	}
	groupmatch(v, n, &l, &r);
	CHECK(r.open == 1 && !v[may].set, "the May debit is the one open (%d open)", r.open);
}

static void test_group_parties(void)
{
	/* 100,00 for 0203... settled by 60,00 of 0203 and 40,00 of 1507: not one person. */
	struct gm_item v[3] = {
		{ .side = 0, .amount = 10000, .day = 20210623 },
		{ .side = 1, .amount = 6000, .day = 20210623, .party = "0203" },
		{ .side = 1, .amount = 4000, .day = 20210623, .party = "1507" },
	};
	struct gm_result r;
	struct gm_limits l = GM_LIMITS_DEFAULT;
	l.balance_rest = 0;
	groupmatch(v, 3, &l, &r);
	CHECK(r.open == 3, "two persons do not settle one item (%d open)", r.open);
	v[2].party = "0203901234";
	groupmatch(v, 3, &l, &r);
	CHECK(r.open == 0 && v[0].kind == GM_N1, "one person's do");
}

static void test_one_crowd(void)
{
	/* 100.000 items of one amount and no party, unmatched half: bounded and quick. */
	enum { N = 50000 };
	static struct gm_item v[2 * N];
	struct gm_result r;
	for (int i = 0; i < N; i++) {
		v[i] = (struct gm_item){ .side = 0, .amount = 754000, .day = 20210101 + i % 28 };
		v[N + i] = (struct gm_item){ .side = 1, .amount = 754000 - 100 * (i % 2),
					     .day = 20210101 + i % 28 };
	}
	groupmatch(v, 2 * N, &lim, &r);
	CHECK(r.steps <= (GM_CALL_ITEMS + 1) * lim.max_steps, "bounded (%llu steps)",
	      (unsigned long long)r.steps);
	CHECK(r.nsets == N / 2 && r.open == N, "the equal half pairs (%d sets, %d open)",
	      r.nsets, r.open);
}

static void test_no_balance_rest(void)
{
	/* Claims 100 + 50 and one posting of 150: each claim needs its own posting. */
	long long a[] = { 10000, 5000, -15000 };
	int d[] = { 20210623, 20210623, 20210623 };
	struct gm_item v[3];
	struct gm_result r;
	struct gm_limits l = GM_LIMITS_DEFAULT;
	l.max_group = 1;
	l.balance_rest = 0;
	load(v, a, d, 3);
	groupmatch(v, 3, &l, &r);
	CHECK(r.open == 3, "1:1 only: all open (%d)", r.open);
	l.balance_rest = 1;
	groupmatch(v, 3, &l, &r);
	CHECK(r.open == 0 && v[0].kind == GM_NM, "with the rest pass: N:M");
}


static void test_matchconf(void)
{
	struct match_conf m;
	const char *p = test_text_file("# tuning\nset nemkonto pair-window -1\n"
				  "set nemkonto lookback-months 12\nset debitor max-group 1\n"
				  "set debitor balance-rest 0\n");
	CHECK(p && matchconf_load(p, "nemkonto", &m) == 0, "loads");
	CHECK(m.lim.pair_window == -1 && m.lookback_months == 12, "nemkonto's settings");
	CHECK(m.lim.max_group == 6 && m.lim.balance_rest == 1 && m.return_window == 0,
	      "others keep defaults");
	CHECK(matchconf_load(p, "debitor", &m) == 0 && m.lim.max_group == 1 &&
	      m.lim.balance_rest == 0 && m.lookback_months == 1, "debitor's settings");
	unlink(p);
	p = test_text_file("set nemkonto max-group 17\n");
	CHECK(matchconf_load(p, "nemkonto", &m) == -1, "max-group above 16 refused");
	unlink(p);
	p = test_text_file("set faktura pair-windo 3\n");
	CHECK(matchconf_load(p, "nemkonto", &m) == -1, "an unknown setting of another recon refused");
	unlink(p);
	p = test_text_file("set nemkonot transit-days 3\n");
	CHECK(matchconf_load(p, "nemkonto", &m) == -1, "an unknown reconciliation refused");
	unlink(p);
	p = test_text_file("set nemkonto transit-days 3x\n");
	CHECK(matchconf_load(p, "nemkonto", &m) == -1, "not an integer refused");
	unlink(p);
	p = test_text_file("set nemkonto transit-days\n");
	CHECK(matchconf_load(p, "nemkonto", &m) == -1, "missing value refused");
	unlink(p);
}

static void test_parties(void)
{
	/* Two claims of 100,00 (CPR) and two postings naming the DDMM they belong to. */
	struct gm_item v[5] = {
		{ .side = 0, .amount = 10000, .day = 20210623, .party = "1507852345" },
		{ .side = 0, .amount = 10000, .day = 20210623, .party = "0203901234" },
		{ .side = 1, .amount = 10000, .day = 20210623, .party = "0203" },
		{ .side = 1, .amount = 10000, .day = 20210623, .party = "1507" },
		{ .side = 1, .amount = 10000, .day = 20210623, .party = "" },
	};
	struct gm_result r;
	struct gm_limits l = GM_LIMITS_DEFAULT;
	groupmatch(v, 5, &l, &r);
	CHECK(v[0].set == v[3].set && v[1].set == v[2].set, "each claim with its own DDMM");
	CHECK(!v[4].set && r.open == 1, "the third posting stays open");
	v[3].party = "3112";
	l.max_group = 1;
	groupmatch(v, 4, &l, &r);
	CHECK(!v[0].set && !v[3].set && r.open == 2, "another person's posting does not fit");
	CHECK(r.nsets == 1, "only 0203 pairs (%d)", r.nsets);
	/* 50,00 for 0203... against 25,00 (anyone) + 25,00 for 9999: no rest settlement. */
	v[0] = (struct gm_item){ .side = 0, .amount = 5000, .day = 20210623, .party = "0203901234" };
	v[3] = (struct gm_item){ .side = 1, .amount = 2500, .day = 20210623 };
	v[4] = (struct gm_item){ .side = 1, .amount = 2500, .day = 20210623, .party = "9999" };
	groupmatch(v, 5, &l, &r);
	CHECK(!v[0].set && !v[3].set && !v[4].set, "the rest holds another person: open");
	v[4].party = "0203";
	groupmatch(v, 5, &l, &r);
	CHECK(v[0].kind == GM_NM && v[4].set == v[0].set, "the same person's rest settles");
}

static void test_many_pairs(void)
{
	/* 20.000 items, amounts repeating every 100: every one paired, by nearest day. */
	enum { N = 10000 };
	static struct gm_item v[2 * N];
	struct gm_result r;
	int ok = 1;
	for (int i = 0; i < N; i++) {
		int32_t day = 20210101 + (i % 28);
		v[i] = (struct gm_item){ .side = 0, .amount = 100 + i % 100, .day = day };
		v[N + i] = (struct gm_item){ .side = 1, .amount = 100 + i % 100, .day = day };
	}
	groupmatch(v, 2 * N, &lim, &r);
	for (int i = 0; i < N; i++)
		ok &= v[i].kind == GM_PAIR && v[i].set == v[N + i].set;
	CHECK(r.open == 0 && r.nsets == N, "all paired (%d open, %d sets)", r.open, r.nsets);
	CHECK(ok, "each with its own day's twin");
}

static void test_empty(void)
{
	struct gm_result r;
	CHECK(groupmatch(NULL, 0, &lim, &r) == 0 && r.nsets == 0 && r.open == 0, "empty");
	CHECK(!strcmp(gm_kind_name(GM_N1), "N:1") && !strcmp(gm_kind_name(99), "open"),
	      "kind names");
}

/* Item i's partner in a 1:1 matching (the other item of its set), or -1 when open. */
static int partner(const struct gm_item *v, int n, int i)
{
	for (int j = 0; v[i].set && j < n; j++)
		if (j != i && v[j].set == v[i].set)
			return j;
	return -1;
}

static void test_parts(void)
{
	/* 1:1 without a rest: matched one amount at a time (the debitor and
	 * faktura stages' groups), every item has the partner the whole gave */
	enum { N = 400 };
	static const long long amounts[] = { 0, 100, 2500, 2600, 9900, 12345, 777 };
	static const char *const parties[] = { "", "0101", "010190-1234", "0202", "020290-1111" };
	struct gm_item whole[N], part[N];
	int at[N], np, same = 1, paired = 0;
	struct gm_limits l = { 5, 5, 1, 200000, 0 };
	struct gm_result r;
	uint64_t budget = GM_CALL_ITEMS * l.max_steps, spent = 0;
	unsigned x = 12345;
	for (int i = 0; i < N; i++) {
		memset(&whole[i], 0, sizeof(whole[i]));
		x = x * 1103515245u + 12345u;
		whole[i].side = (x >> 16) & 1;
		whole[i].amount = amounts[(x >> 8) % 7];
		x = x * 1103515245u + 12345u;
		whole[i].day = 20210701 + (int)((x >> 16) % 28);
		whole[i].party = parties[(x >> 8) % 5];
	}
	memcpy(part, whole, sizeof(whole));
	groupmatch(whole, N, &l, &r);
	for (size_t a = 0; a < sizeof(amounts) / sizeof(*amounts); a++) {
		struct gm_item g[N];
		np = 0;
		for (int i = 0; i < N; i++)
			if (part[i].amount == amounts[a]) {
				at[np] = i;
				g[np++] = part[i];
			}
		groupmatch_part(g, (size_t)np, &l, &r, &budget);
		spent += r.steps;
		for (int k = 0; k < np; k++) {
			int p = partner(g, np, k);
			part[at[k]].set = g[k].set ? 1 : 0;
			part[at[k]].kind = p < 0 ? -1 : at[p];	/* the partner's index */
		}
	}
	for (int i = 0; i < N; i++) {
		int w = partner(whole, N, i);
		paired += w >= 0;
		if ((whole[i].set != 0) != (part[i].set != 0) ||
		    (whole[i].kind == GM_PAIR && w != part[i].kind))
			same = 0;
	}
	CHECK(same, "parts: every item settled with the partner the whole gave it");
	CHECK(paired > N / 4, "parts: many pairs to compare (%d)", paired);
	CHECK(spent > 0 && budget == GM_CALL_ITEMS * l.max_steps - spent,
	      "parts: the shared budget is less the steps taken (%llu)", (unsigned long long)spent);
}

static void test_parts_budget(void)
{
	/* an item behind 3 unfitting ones: paired on a budget, given up on a spent one */
	struct gm_item v[5];
	struct gm_limits l = { 5, 5, 1, 200000, 0 };
	struct gm_result r;
	uint64_t budget = 0;
	const char *party[5] = { "0101", "0202", "0202", "0202", "0101" };
	for (int spent = 0; spent < 2; spent++) {
		for (int i = 0; i < 5; i++)
			v[i] = (struct gm_item){ .side = i > 0, .amount = 500, .day = 20210701,
						 .party = party[i] };
		budget = spent ? 0 : 100;
		groupmatch_part(v, 5, &l, &r, &budget);
		if (!spent)
			CHECK(v[0].set && v[0].set == v[4].set && budget == 100 - r.steps,
			      "budget: paired past the unfitting ones (%llu steps)",
			      (unsigned long long)r.steps);
		else
			CHECK(!v[0].set && r.gave_up == 1 && budget == 0,
			      "budget: spent by the parts before, the search gives up");
	}
}

int main(void)
{
	test_figur27_1201();
	test_figur27_3112();
	test_closest_day();
	test_window();
	test_open_items();
	test_partial_and_backtrack();
	test_one_to_many_other_way();
	test_max_group_and_zero();
	test_gives_up();
	test_gives_up_alone();
	test_rest_bounded();
	test_covering_in_parts();
	test_missing_month();
	test_group_parties();
	test_one_crowd();
	test_no_balance_rest();
	test_matchconf();
	test_parties();
	test_many_pairs();
	test_empty();
	test_parts();
	test_parts_budget();
	return test_done();
}
