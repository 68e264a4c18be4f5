/*
 * The inter-municipal refund's rules and confs (stages/match-refusion/):
 * every reason code of the brief (../shared/spec/seeds-000-001-003.md
 * 1.5) as a rule on one line, the rounding, substitute CPRs, residence on
 * a date [Fra, Til), and the file:line errors of refusion.conf and
 * kommuner.conf.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "test.h"
#include <lmdb.h>
#include <stdlib.h>

#include "stages/match-refusion/chargestore.h"
#include "stages/match-refusion/kommuner.h"
#include "stages/match-refusion/refusionconf.h"
#include "stages/match-refusion/rules.h"

static struct kommuner K;
static struct refusion_conf C;
static struct residence_index R;
static size_t Ralloc;

static void res(const char *cpr, const char *kom, int32_t fra, int32_t til, const char *bet)
{
	struct residence_row r = { .fra = fra, .til = til };
	snprintf(r.cpr, sizeof(r.cpr), "%s", cpr);
	snprintf(r.kommune, sizeof(r.kommune), "%s", kom);
	snprintf(r.betaler, sizeof(r.betaler), "%s", bet);
	extract_add(&R, &r, &Ralloc);
}

static struct out_line line(const char *cpr, int32_t start, int32_t slut, int timeaar,
			    const char *form, int64_t timer, int32_t filedate)
{
	struct out_line l = { .cpr_raw = cpr, .cpr_len = strlen(cpr), .start = start,
			      .slut = slut, .timeaar = timeaar, .form = form,
			      .form_len = strlen(form), .timer = timer, .filedate = filedate };
	return l;
}

/* Rules 1-3, then (if passed) 5-9, as the stage runs them. */
static struct out_result decide(struct out_line l)
{
	struct out_result r;
	CHECK(out_pre(&C, &l, &r) == 0, "out_pre");
	if (r.code == OUT_CHARGE)
		out_post(&C, &K, &R, &l, &r);
	else if (r.code == OUT_FOREDRAG)
		out_key_only(&K, &R, &l, &r);
	return r;
}

/* A CPR cell as the stage reads it: core/ident.h's rule, blanks trimmed. */
static int cell_cpr(const char *s, size_t len, char out[CPR_LEN + 1])
{
	int mod11;
	const char *why;
	return cpr_parse(s, len, CPR_TRIM_BLANKS, out, &mod11, &why);
}

static void test_cpr(void)
{
	char out[11];
	CHECK(cell_cpr(" 720358-1011  ", 14, out) == 0 && !strcmp(out, "7203581011"),
	      "blanks around a cell are ignored");
	CHECK(cell_cpr("720358 -1011", 12, out) == -1, "a blank inside is not");
	CHECK(cell_cpr("720358-1011", 11, out) == 0 && !strcmp(out, "7203581011"),
	      "substitute day 72 (12th)");
	CHECK(cell_cpr("6511722023", 10, out) == 0, "10 digits, substitute");
	CHECK(cell_cpr("920358-1011", 11, out) == -1, "day 92 is no substitute day");
	CHECK(cell_cpr("601385-1234", 11, out) == -1, "month 13 (the brief's Hanne)");
	CHECK(cell_cpr("320185-1234", 11, out) == -1, "day 32");
	CHECK(cell_cpr("290225-1234", 11, out) == -1, "29-02-1925 is no date");
	CHECK(cell_cpr("12345", 5, out) == -1, "too short");
	CHECK(cell_cpr("", 0, out) == -1, "empty");
	CHECK(cell_cpr("abcdef-ghij", 11, out) == -1, "letters");
	CHECK(cell_cpr("010185-4321", 11, out) == 0, "a real date");
}

static void test_value(void)
{
	CHECK(refusion_value(2400, 1098) == 26352, "24 h x 10,98 = 263,52");
	CHECK(refusion_value(1225, 1098) == 13451, "12,25 h x 10,98 = 134,505 -> 134,51 (half up)");
	CHECK(refusion_value(5, 7594) == 380, "0,05 h x 75,94 = 3,797 -> 3,80");
	CHECK(refusion_value(850, 1136) == 9656, "8,5 h x 11,36 = 96,56");
	CHECK(refusion_value(2000, 7594) == 151880, "20 h x 75,94 = 1.518,80");
	CHECK(refusion_value(INT64_MAX / 2, 1000) == -1, "overflow refused");
}

static void test_periods(void)
{
	char b[16];
	int32_t p;
	CHECK(period_of_day(20250203) == 20251 && period_of_day(20250630) == 20251 &&
	      period_of_day(20250701) == 20252, "half-years");
	CHECK(period_last_month(20251) == 202506 && period_last_month(20252) == 202512, "month");
	CHECK(period_last_day(20252) == 20251231, "last day");
	CHECK(!strcmp(period_format(20251, b), "2025-1"), "format");
	CHECK(period_parse("2025-2", 6, &p) == 0 && p == 20252, "parse");
	CHECK(period_parse("2025-3", 6, &p) == -1 && period_parse("25-1", 4, &p) == -1, "bad period");
}

static void test_residence(void)
{
	char p[5];
	int n;
	CHECK(residence_at(&R, "8304903044", 20250203, p, NULL, &n) == RES_OK &&
	      !strcmp(p, "0265"), "Carla on 2025-02-03: Roskilde");
	CHECK(residence_at(&R, "8304903044", 20250215, p, NULL, &n) == RES_OK &&
	      !strcmp(p, "0163"), "Carla on 2025-02-15: Herlev ([Fra, Til))");
	CHECK(residence_at(&R, "8808751089", 20250310, p, NULL, &n) == RES_UNKNOWN_CPR,
	      "Gorm is not in the extract");
	CHECK(residence_at(&R, "6606661234", 20250203, p, NULL, &n) == RES_AMBIGUOUS && n == 2,
	      "overlapping rows");
	CHECK(residence_at(&R, "6707671234", 20250203, p, NULL, &n) == RES_NONE && n == 0,
	      "moved in after the start");
	CHECK(residence_at(&R, "6808681234", 20250203, p, NULL, &n) == RES_OK &&
	      !strcmp(p, "0265"), "Betalingskommune pays (§ 43 stk. 3)");
}

static void test_out_rules(void)
{
	struct out_result r;
	/* The brief's worked example, 1.7 */
	r = decide(line("720358-1011", 20250203, 20250414, 0, "Almen", 2400, 20250620));
	CHECK(r.code == OUT_CHARGE && !strcmp(r.key, "0101") && r.value == 26352 &&
	      r.period == 20251, "Anna: charged to 0101, 263,52");
	r = decide(line("690266-4056", 20250203, 20250414, 0, "Almen", 2400, 20250620));
	CHECK(r.code == OUT_EGEN_KOMMUNE && !strcmp(r.key, "0163") && r.value == 26352,
	      "Dorte: bor-i-egen-kommune");
	r = decide(line("750592-2090", 20250305, 20250409, 0, "Foredrag", 600, 20250620));
	CHECK(r.code == OUT_FOREDRAG && !strcmp(r.key, "0101") && r.value == 0,
	      "Ib: foredrag-ikke-refusion under 0101, 0,00");
	r = decide(line("8304903044", 20250203, 20250428, 0, "alm", 3000, 20250615));
	CHECK(r.code == OUT_CHARGE && !strcmp(r.key, "0265") && r.value == 32940,
	      "Carla: charged to 0265 by residence at the start");
	r = decide(line("7707812067", 20250203, 20250428, 0, "alm", 3000, 20250615));
	CHECK(r.code == OUT_AFTALEKOMMUNE && !strcmp(r.key, "0159"), "Erik: aftalekommune");
	r = decide(line("8808751089", 20250310, 20250512, 0, "alm", 1600, 20250625));
	CHECK(r.code == OUT_UKENDT_I_CPR && !strcmp(r.key, "UKENDT") && r.value == 17568,
	      "Gorm: ukendt-i-cpr 175,68");
	r = decide(line("6013851234", 20250210, 20250519, 0, "handicap", 2000, 20250618));
	CHECK(r.code == OUT_CPR_UGYLDIG && !strcmp(r.key, "UKENDT") && r.value == 151880 &&
	      r.cpr[0] == '\0', "Hanne: cpr-ugyldig 1.518,80");
	/* the other rules */
	r = decide(line("6112993078", 20251006, 20260301, 2024, "almen", 1000, 20251231));
	CHECK(r.code == OUT_UDEN_FOR_PERIODE && !strcmp(r.key, "UKENDT") && r.period == 20252,
	      "hours year before the course: uden-for-periode");
	r = decide(line("6112993078", 20250210, 20250201, 0, "almen", 1000, 20250618));
	CHECK(r.code == OUT_UDEN_FOR_PERIODE, "end before start: uden-for-periode");
	r = decide(line("6112993078", 20251006, 20260301, 2026, "almen", 850, 20260615));
	CHECK(r.code == OUT_CHARGE && r.period == 20261 && r.value == 9656,
	      "the later year of a split team: H1 of the hours year at its rate");
	r = decide(line("6112993078", 20250210, 20250519, 0, "Instrumental", 1000, 20250618));
	CHECK(r.code == OUT_TAKST_MANGLER && r.value == 0 && !strcmp(r.key, "UKENDT") &&
	      !strcmp(r.note, "ingen takst for instrumental 2025"), "no instrumental rate");
	r = decide(line("6112993078", 20250210, 20250519, 0, "Yoga", 1000, 20250618));
	CHECK(r.code == OUT_TAKST_MANGLER && !strcmp(r.note, "ingen takst for yoga 2025"),
	      "an unknown form: takst-mangler");
	r = decide(line("6112993078", 20230210, 20230519, 0, "almen", 1000, 20250618));
	CHECK(r.code == OUT_TAKST_MANGLER, "no 2023 rate");
	r = decide(line("6606661234", 20250203, 0, 0, "ALMEN", 1000, 20250618));
	CHECK(r.code == OUT_BOPAEL_UKENDT && !strcmp(r.note, "2 bopæle ved kursusstart 2025-02-03"),
	      "overlapping rows: bopael-ukendt-ved-start");
	r = decide(line("6707671234", 20250203, 0, 0, "almen", 1000, 20250618));
	CHECK(r.code == OUT_BOPAEL_UKENDT && !strcmp(r.note, "0 bopæle ved kursusstart 2025-02-03"),
	      "no row at the start");
	r = decide(line("6909691234", 20250203, 0, 0, "almen", 1000, 20250618));
	CHECK(r.code == OUT_BOPAEL_UKENDT &&
	      !strcmp(r.note, "kommunekode 0411 er ikke i kommuner.conf"), "Christiansø");
	r = decide(line("6808681234", 20250203, 0, 0, "hc", 1000, 20250618));
	CHECK(r.code == OUT_CHARGE && !strcmp(r.key, "0265") && r.value == 75940,
	      "betalingskommune pays; hc is handicap");
	r = decide(line("720358-1011", 20250203, 20250414, 0, "almen", 1000, 20270115));
	CHECK(r.code == OUT_FOR_SENT && !strcmp(r.key, "0101") && !strcmp(r.note, "frist 2026-12-31"),
	      "a 2025 list on 2027-01-15: for-sent-indberettet");
	r = decide(line("720358-1011", 20250203, 20250414, 0, "almen", 1000, 20261231));
	CHECK(r.code == OUT_CHARGE, "on the deadline itself: charged");
	r = decide(line("720358-1011", 20250203, 20250414, 0, "almen", 1225, 20250620));
	CHECK(r.value == 13451, "12,25 h rounds half up");
	CHECK(out_code_explained(OUT_DUBLET) && out_code_explained(OUT_AFTALEKOMMUNE) &&
	      out_code_explained(OUT_EGEN_KOMMUNE) && out_code_explained(OUT_FOREDRAG) &&
	      !out_code_explained(OUT_CPR_UGYLDIG) && !out_code_explained(OUT_UKENDT_I_CPR) &&
	      !out_code_explained(OUT_BOPAEL_UKENDT) && !out_code_explained(OUT_TAKST_MANGLER),
	      "explained codes as brief 1.6");
}

static struct in_result in_decide(const char *opk, const char *bet, const char *cpr,
				  const char *form, int64_t timer, money_t takst, money_t beloeb,
				  int32_t start)
{
	struct in_line l = { .opkraevende = opk, .opk_len = strlen(opk), .betalende = bet,
			     .bet_len = strlen(bet), .periode = 20251, .cpr_raw = cpr,
			     .cpr_len = strlen(cpr), .form = form, .form_len = strlen(form),
			     .timer = timer, .takst = takst, .beloeb = beloeb, .start = start };
	struct in_result r;
	in_pre(&C, &l, &r);
	if (r.code == IN_ACCEPT)
		CHECK(in_post(&C, &R, &l, &r) == 0, "in_post");
	return r;
}

static void test_in_rules(void)
{
	struct in_result r;
	/* The brief's incoming example, 1.8 */
	r = in_decide("0147", "0163", "640588-1102", "almen", 2000, 1098, 21960, 20250210);
	CHECK(r.code == IN_ACCEPT && r.accepted == 21960 && r.disputed == 0, "Karen accepted");
	r = in_decide("0147", "0163", "700695-2113", "almen", 2400, 1098, 26352, 20250210);
	CHECK(r.code == IN_IKKE_BOPAEL && r.accepted == 0 && r.disputed == 26352,
	      "Lars lived in 0147 on 2025-02-10");
	r = in_decide("0147", "0163", "821180-1124", "almen", 1000, 1150, 11500, 20250303);
	CHECK(r.code == IN_TAKST_AFVIGER && r.accepted == 10980 && r.disputed == 520,
	      "Mette: 11,50 > 10,98: accept 109,80, dispute 5,20");
	r = in_decide("0147", "0163", "750567-1135", "handicap", 800, 7594, 60752, 20250217);
	CHECK(r.code == IN_ACCEPT && r.accepted == 60752, "Niels accepted");
	/* the other rules */
	r = in_decide("0147", "0265", "640588-1102", "almen", 1000, 1098, 10980, 20250210);
	CHECK(r.code == IN_FORKERT_MODTAGER && r.disputed == 10980, "to 0265: forkert-modtager");
	r = in_decide("159", "163", "640588-1102", "almen", 1000, 1098, 10980, 20250210);
	CHECK(r.code == IN_AFTALEKOMMUNE && r.disputed == 10980,
	      "from Gladsaxe (3-digit codes): aftalekommune");
	r = in_decide("0147", "0163", "601385-1234", "almen", 1000, 1098, 10980, 20250210);
	CHECK(r.code == IN_CPR_UGYLDIG, "a bad CPR: cpr-ugyldig");
	r = in_decide("0147", "0163", "640588-1102", "foredrag", 600, 1000, 6000, 20250210);
	CHECK(r.code == IN_FOREDRAG && r.disputed == 6000, "a lecture: foredrag");
	r = in_decide("0147", "0163", "640588-1102", "instrumental", 1000, 1098, 10980, 20250210);
	CHECK(r.code == IN_TAKST_MANGLER && r.disputed == 10980, "no rate: takst-mangler");
	r = in_decide("0147", "0163", "640588-1102", "almen", 1000, 1098, 12000, 20250210);
	CHECK(r.code == IN_BELOEB_AFVIGER && r.accepted == 10980 && r.disputed == 1020,
	      "120,00 for 10 h at 10,98: beloeb-afviger 10,20");
	r = in_decide("0147", "0163", "640588-1102", "almen", 1000, 900, 9000, 20250210);
	CHECK(r.code == IN_ACCEPT && r.accepted == 9000, "a lower rate is accepted as charged");
	r = in_decide("0147", "0163", "8808751089", "almen", 1000, 1098, 10980, 20250210);
	CHECK(r.code == IN_IKKE_BOPAEL, "not in our extract: ikke-bopael-ved-start");
	CHECK(in_sum_check(100000, 39965, &r) == 0 && r.code == IN_SUM_AFVIGER &&
	      r.disputed == 60035 && !strcmp(r.note, "linjerne giver 399,65"),
	      "a total of 1.000,00 over lines of 399,65: sum-afviger 600,35");
	CHECK(in_sum_check(39965, 39965, &r) == 0 && r.code == IN_ACCEPT && r.disputed == 0,
	      "a total that is the sum");
	CHECK(in_sum_check(30000, 39965, &r) == 0 && r.code == IN_SUM_AFVIGER &&
	      r.disputed == -9965, "a total below the lines: negative");
}

static int load_conf_text(const char *kommuner_text, const char *refusion_text)
{
	struct kommuner k;
	struct refusion_conf c;
	char kp[64], rp[64];
	int rc;
	snprintf(kp, sizeof(kp), "%s", test_text_file(kommuner_text));
	snprintf(rp, sizeof(rp), "%s", test_text_file(refusion_text));
	rc = kommuner_load(kp, &k);
	if (!rc) {
		rc = refusion_conf_load(rp, &k, &c);
		if (!rc)
			refusion_conf_free(&c);
		kommuner_free(&k);
	}
	unlink(kp);
	unlink(rp);
	return rc;
}

static void test_conf_errors(void)
{
	const char *kom = "kommune 0101 København cvr 64942212\n"
			  "kommune 163 Herlev cvr 63640719\n";
	CHECK(load_conf_text(kom, "own-municipality 0163\nrate 2025 almen 10,98\n") == 0,
	      "a good conf");
	CHECK(load_conf_text(kom, "own-municipality 0163\nrate 2025 almen 10,98\n"
			     "rate 2025 almen 10,98\n") == -1, "rate given twice");
	CHECK(load_conf_text(kom, "own-municipality 0163\nagreement 0999\n") == -1,
	      "agreement with an unknown code");
	CHECK(load_conf_text(kom, "rate 2025 almen 10,98\n") == -1, "no own-municipality");
	CHECK(load_conf_text(kom, "own-municipality 0163\nrate 2025 yoga 10,00\n") == -1,
	      "an unknown form");
	CHECK(load_conf_text(kom, "own-municipality 0163\nrate 2025 almen 0,00\n") == -1,
	      "a zero rate");
	CHECK(load_conf_text(kom, "own-municipality 0163\nagreement 0163\n") == -1,
	      "agreement with ourselves");
	CHECK(load_conf_text(kom, "own-municipality 0163\nreport-deadline-years 11\n") == -1,
	      "deadline out of range");
	CHECK(load_conf_text("kommune 0101 København cvr 64942213\n", "own-municipality 0101\n") ==
	      -1, "cvr fails modulus 11");
	CHECK(load_conf_text("kommune 0101 København cvr 64942212 ean 0200000010103\n",
			     "own-municipality 0101\n") == -1, "ean with a bad check digit");
	CHECK(load_conf_text("kommune 0101 København cvr 64942212 ean 0200000010102\n",
			     "own-municipality 0101\n") == 0, "a good ean");
	CHECK(load_conf_text("kommune 0101 København cvr 64942212\nkommune 101 Kbh cvr 64942212\n",
			     "own-municipality 0101\n") == -1, "a code twice (3 and 4 digits)");
}

static void test_names(void)
{
	const struct kommune *m;
	m = kommune_by_name(&K, "Frederiksberg", 13);
	CHECK(m && !strcmp(m->code, "0147"), "Frederiksberg");
	m = kommune_by_name(&K, "frederiksberg kommune", 21);
	CHECK(m && !strcmp(m->code, "0147"), "frederiksberg kommune");
	m = kommune_by_name(&K, "Københavns Kommune", strlen("Københavns Kommune"));
	CHECK(m && !strcmp(m->code, "0101"), "Københavns Kommune");
	m = kommune_by_name(&K, "HERLEV", 6);
	CHECK(m && !strcmp(m->code, "0163"), "HERLEV");
	CHECK(!kommune_by_name(&K, "Atlantis", 8), "no such municipality");
	CHECK(kommune_find(&K, "101") && !kommune_find(&K, "0411"), "3-digit code; no Christiansø");
}

struct seen_charges {
	int n;
	unsigned nr[4];
	char kom[4][5];
};

static int got_charge(const struct charge_rec *c, void *data)
{
	struct seen_charges *s = data;
	if (s->n < 4) {
		s->nr[s->n] = c->nr;
		memcpy(s->kom[s->n], c->kommune, 5);
	}
	s->n++;
	return c->period == 20251 && c->lines == 1 ? 0 : 1;
}

static int got_line(const struct charged_line *l, const char *sort, const char *row, void *data)
{
	int *n = data;
	(*n)++;
	return strcmp(sort, "2025-1|000001|NORD") || strcmp(row, "0163;0101;2025-1;...\n") ||
	       l->amount != 26352 || strcmp(l->kommune, "0101");
}

/* The memory of what was charged (chargestore.h) on a store of its own. */
static void test_chargestore(void)
{
	char dir[] = "/tmp/test-refusion-XXXXXX";
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	struct charged_line l = { .night = 20250630, .charge = "567dac45-8e2e-53e8-8652-d0f40e5d9f20",
				  .kommune = "0101", .period = 20251, .nr = 1, .amount = 26352 };
	struct charged_line got;
	struct charge_rec c = { .kommune = "0101", .period = 20251, .nr = 1, .night = 20250630,
				.lines = 1, .amount = 26352, .id = "567dac45-8e2e-53e8-8652-d0f40e5d9f20" };
	struct seen_charges sc = { 0 };
	unsigned nr = 0;
	int n = 0;
	if (!mkdtemp(dir) || mdb_env_create(&env) || mdb_env_set_maxdbs(env, 4) ||
	    mdb_env_open(env, dir, 0, 0600) || mdb_txn_begin(env, NULL, 0, &txn)) {
		CHECK(0, "an LMDB environment for the test");
		return;
	}
	CHECK(chargestore_open(txn, &dbi) == 0, "open");
	CHECK(chargestore_line_get(txn, dbi, "7203581011|NORD|N-101|2025", &got) == 0,
	      "a line never charged");
	CHECK(chargestore_next_nr(txn, dbi, "0163", "0101", 20251, &nr) == 0 && nr == 1,
	      "the first charge of a period is number 1");
	CHECK(chargestore_put_line(txn, dbi, "7203581011|NORD|N-101|2025", &l, "2025-1|000001|NORD",
				   "0163;0101;2025-1;...\n") == 0, "a line charged");
	CHECK(chargestore_put_charge(txn, dbi, "0163", &c) == 0, "a charge");
	CHECK(chargestore_line_get(txn, dbi, "7203581011|NORD|N-101|2025", &got) == 1 &&
	      got.night == 20250630 && got.amount == 26352 && got.nr == 1 && got.period == 20251 &&
	      !strcmp(got.kommune, "0101") && !strcmp(got.charge, l.charge), "read back as written");
	CHECK(chargestore_put_line(txn, dbi, "7203581011|NORD|N-101|2025", &l, "", "") == -1,
	      "a line is never charged twice");
	{	/* a course id longer than an LMDB key */
		char big[1200];
		struct charged_line old = l;
		old.night = 20250101;	/* not the night listed below */
		memset(big, 'H', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		memcpy(big, "7203581011|NORD|", 16);
		CHECK(chargestore_line_get(txn, dbi, big, &got) == 0 &&
		      chargestore_put_line(txn, dbi, big, &old, "s", "r") == 0 &&
		      chargestore_line_get(txn, dbi, big, &got) == 1 && got.amount == 26352,
		      "a 1.200-byte line key is kept as its hash");
		n = 0;
	}
	CHECK(chargestore_next_nr(txn, dbi, "0163", "0101", 20251, &nr) == 0 && nr == 2,
	      "a supplementary charge is number 2");
	CHECK(chargestore_next_nr(txn, dbi, "0163", "0147", 20251, &nr) == 0 && nr == 1 &&
	      chargestore_next_nr(txn, dbi, "0163", "0101", 20252, &nr) == 0 && nr == 1,
	      "numbers are per municipality and period");
	c.nr = 2;
	c.night = 20250710;
	CHECK(chargestore_put_charge(txn, dbi, "0163", &c) == 0, "a second charge, a later night");
	CHECK(chargestore_each_charge(txn, dbi, 20250630, got_charge, &sc) == 0 && sc.n == 1 &&
	      sc.nr[0] == 1 && !strcmp(sc.kom[0], "0101"), "a night's charges only");
	CHECK(chargestore_each_line(txn, dbi, 20250630, got_line, &n) == 0 && n == 1,
	      "a night's lines with their place and row");
	n = 0;
	CHECK(chargestore_each_line(txn, dbi, 20250710, got_line, &n) == 0 && n == 0,
	      "no line of another night");
	{	/* decisions on received lines stand once made */
		struct in_decision d, want = { .night = 20250930, .code = "ikke-bopael-ved-start",
					       .accepted = 0, .disputed = 26352,
					       .note = "bopæl 0147 den 2025-02-10; x=y" };
		enum in_code code;
		MDB_val k = { 0 }, v = { 0 };
		CHECK(chargestore_decision_get(txn, dbi, "ab12", 3, 20250930, &d) == 0 &&
		      d.night == 20250930 && !d.code[0], "a received line to decide now");
		CHECK(chargestore_decision_put(txn, dbi, "ab12", 3, &want) == 0, "its decision kept");
		CHECK(chargestore_decision_get(txn, dbi, "ab12", 3, 20251031, &d) == 1 &&
		      d.night == 20250930 && !strcmp(d.code, "ikke-bopael-ved-start") &&
		      d.accepted == 0 && d.disputed == 26352 &&
		      !strcmp(d.note, "bopæl 0147 den 2025-02-10; x=y"),
		      "it stands on a later night, note and amounts as sent");
		CHECK(chargestore_decision_get(txn, dbi, "ab12", 3, 20250930, &d) == 1 &&
		      d.night == 20250930, "and on a rerun of its own night");
		CHECK(chargestore_decision_get(txn, dbi, "ab12", 3, 20250915, &d) == 0 &&
		      d.night == 20250915, "a rerun of an earlier night decides it there");
		CHECK(chargestore_decision_get(txn, dbi, "ab12", 4, 20251031, &d) == 0 &&
		      d.night == 20251031, "another record of the same file is its own line");
		want.night = 20251031;
		want.disputed = -500;
		xstrlcpy(want.code, "sum-afviger", sizeof(want.code));
		want.note[0] = '\0';
		CHECK(chargestore_decision_put(txn, dbi, "ab12", 5, &want) == 0 &&
		      chargestore_decision_get(txn, dbi, "ab12", 5, 20251031, &d) == 1 &&
		      d.disputed == -500 && !d.note[0] && !strcmp(d.code, "sum-afviger"),
		      "a negative difference (a total below its lines) and no note");
		k.mv_data = "i\0ab12\0" "6";
		k.mv_size = 8;
		v.mv_data = "night=20250930\n";
		v.mv_size = 15;
		CHECK(mdb_put(txn, dbi, &k, &v, 0) == 0 &&
		      chargestore_decision_get(txn, dbi, "ab12", 6, 20251031, &d) == 0 &&
		      d.night == 20250930, "an older store's night only: decided, as of that night");
		CHECK(in_code_parse("takst-afviger", &code) == 0 && code == IN_TAKST_AFVIGER &&
		      in_code_parse("accepteret", &code) == 0 && code == IN_ACCEPT &&
		      in_code_parse("takst", &code) == -1, "decision words read back");
		CHECK(in_code_counts(IN_ACCEPT) && in_code_counts(IN_TAKST_AFVIGER) &&
		      in_code_counts(IN_IKKE_BOPAEL) && !in_code_counts(IN_DUBLET) &&
		      !in_code_counts(IN_CPR_UGYLDIG) && !in_code_counts(IN_FORKERT_MODTAGER),
		      "which decisions make a later copy a dublet");
	}
	mdb_txn_abort(txn);
	mdb_env_close(env);
	{
		char p[64];
		snprintf(p, sizeof(p), "%s/data.mdb", dir);
		unlink(p);
		snprintf(p, sizeof(p), "%s/lock.mdb", dir);
		unlink(p);
		rmdir(dir);
	}
}

int main(void)
{
	if (kommuner_load("conf/kommuner.conf", &K) || refusion_conf_load("conf/refusion.conf", &K, &C)) {
		printf("not ok - the shipped confs do not load\n");
		return 1;
	}
	CHECK(K.n == 98, "98 municipalities");
	/* the brief's extract (1.4, 1.8) and a few of our own */
	res("7203581011", "0101", 20100601, 0, "");
	res("6511722023", "0147", 19980101, 0, "");
	res("8304903044", "0265", 20180801, 20250215, "");
	res("8304903044", "0163", 20250215, 0, "");
	res("6902664056", "0163", 19900501, 0, "");
	res("7707812067", "0159", 20120301, 0, "");
	res("6112993078", "0101", 20190901, 0, "");
	res("7505922090", "0101", 20160101, 0, "");
	res("6101701118", "0101", 20010101, 0, "");
	res("6405881102", "0163", 20150101, 0, "");
	res("7006952113", "0147", 20000101, 20250301, "");
	res("7006952113", "0163", 20250301, 0, "");
	res("8211801124", "0163", 20010101, 0, "");
	res("7505671135", "0163", 19990101, 0, "");
	res("6606661234", "0101", 20100101, 0, "");
	res("6606661234", "0147", 20200101, 0, "");
	res("6707671234", "0101", 20250301, 0, "");
	res("6808681234", "0163", 20100101, 0, "0265");
	res("6909691234", "0411", 20100101, 0, "");
	extract_sort(&R);

	test_cpr();
	test_value();
	test_periods();
	test_residence();
	test_out_rules();
	test_in_rules();
	test_conf_errors();
	test_names();
	test_chargestore();
	residence_free(&R);
	refusion_conf_free(&C);
	kommuner_free(&K);
	return test_done();
}
