/* Vouchers: rules loader, building and balancing, ids, reversal, the store, XML. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "match/accounts.h"
#include "post/voucherstore.h"
#include "stages/vouchers/finansbilag.h"
#include "test.h"

static char tmpdir[] = "/tmp/test-voucher-XXXXXX";

static const char *write_file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static const char *const RULES =
	"sender KY-AFSTEMNING\n"
	"rule rente skat-afregning rente\n"
	"  key SKATTEKONTO\n"
	"  text \"Renter {month} {cpr-masked}\"\n"
	"  debit  renter          -amount\n"
	"  credit afregning-skat  -amount\n"
	"rule skaev skat-afregning rente\n"
	"  text x\n"
	"  debit  renter  left\n"
	"  credit 6.45.51 right \"{@account}\"\n"
	"rule gruppe debitor overfoersel\n"
	"  text \"Gruppe {@account}\"\n"
	"  debit  @account  -amount\n"
	"  credit 928148002 -amount\n";

static const char *const names[] = { "id", "account" };
static const char *const values[] = { "5a1d0c2e9b7f3a41", "928148102" };

static struct voucher_input row(money_t amount, money_t left, money_t right)
{
	struct voucher_input in = {
		.id = "5a1d0c2e9b7f3a41", .recon = "skat-afregning", .se = "29757895",
		.month = "2021-01", .key = "SKATTEKONTO", .cpr = "", .code = "rente",
		.amount = amount, .left = left, .right = right, .has_left = 1, .has_right = 1,
		.names = names, .values = values, .ncols = 2,
	};
	return in;
}

static void load(struct voucher_rules *vr, struct accounts *a)
{
	int rc = voucher_rules_load(write_file("vouchers.conf", RULES), vr);
	CHECK(rc == 0, "rules load");
	rc = accounts_load(write_file("accounts.conf", "role renter 6.45.51\n"
				      "role afregning-skat 8.52.59.111\n"), a);
	CHECK(rc == 0 && voucher_rules_check_roles(vr, a) == 0, "roles resolve");
}

static void test_uuid(void)
{
	char u[UUID_SZ], w[UUID_SZ];
	uuid_from("x", 1, u);
	uuid_from("x", 1, w);
	CHECK(strlen(u) == 36 && u[8] == '-' && u[13] == '-' && u[18] == '-' && u[23] == '-',
	      "UUID shape: %s", u);
	CHECK(u[14] == '5' && strchr("89ab", u[19]), "version 5 layout, RFC variant: %s", u);
	CHECK(!strcmp(u, w), "the same text gives the same id");
	uuid_from("y", 1, w);
	CHECK(strcmp(u, w), "another text gives another id");
}

static void test_add_balance(void)
{
	struct voucher v = { .n = 0 };
	money_t d, c;
	voucher_add(&v, "6.45.51", 1, -12603, "t");
	CHECK(v.n == 1 && !v.p[0].debit && v.p[0].amount == 12603, "negative debit is a credit");
	voucher_add(&v, "8.52.59.111", 1, 0, "t");
	CHECK(v.n == 1, "a zero amount is left out");
	CHECK(voucher_balance(&v, &d, &c) == -1 && d == 0 && c == 12603, "one side only");
	voucher_add(&v, "8.52.59.111", 0, -12603, "t");
	CHECK(voucher_balance(&v, &d, &c) == 0 && d == 12603 && c == 12603, "balanced");
	voucher_add(&v, "1", 1, INT64_MAX, "t");
	voucher_add(&v, "1", 1, INT64_MAX, "t");
	CHECK(voucher_balance(&v, &d, &c) == -1, "an overflowing total never balances");
}

static void test_build(const struct voucher_rules *vr, const struct accounts *a)
{
	struct strbuf why = STRBUF_INIT;
	struct voucher_input in = row(-12603, -12603, 0);
	struct voucher v, w;
	int rc = voucher_build(&vr->rules[0], &in, a, vr->sender, 20210205, &v, &why);
	CHECK(rc == VB_OK && v.n == 2, "Figur 23 row builds: %d %s", rc, why.buf);
	CHECK(!strcmp(v.p[0].account, "6.45.51") && v.p[0].debit && v.p[0].amount == 12603,
	      "debit 6.45.51 126,03");
	CHECK(!strcmp(v.p[1].account, "8.52.59.111") && !v.p[1].debit && v.p[1].amount == 12603,
	      "credit the settlement account 126,03");
	CHECK(!strcmp(v.p[0].text, "Renter 2021-01 "), "text filled: '%s'", v.p[0].text);
	voucher_seal(&v, 0);
	voucher_build(&vr->rules[0], &in, a, vr->sender, 20210206, &w, &why);
	voucher_seal(&w, 0);
	CHECK(!strcmp(v.id, w.id) && !strcmp(v.p[1].id, w.p[1].id),
	      "the same event and content give the same ids on another night");
	CHECK(strcmp(v.p[0].id, v.p[1].id), "postings have their own ids");
	voucher_seal(&w, 1);
	CHECK(strcmp(v.id, w.id), "the next issue of an event gets a new id");
	in = row(-13000, -13000, 0);
	voucher_build(&vr->rules[0], &in, a, vr->sender, 20210205, &w, &why);
	voucher_seal(&w, 0);
	CHECK(strcmp(v.id, w.id) && !strcmp(v.event, w.event), "changed content, same event");
	in = row(0, 0, 0);
	CHECK(voucher_build(&vr->rules[0], &in, a, vr->sender, 20210205, &w, &why) == VB_EMPTY,
	      "a zero row posts nothing");
	strbuf_release(&why);
}

static void test_refusals(const struct voucher_rules *vr, const struct accounts *a)
{
	struct strbuf why = STRBUF_INIT;
	struct voucher_input in = row(-12603, -12603, 0);
	struct voucher v;
	int rc = voucher_build(&vr->rules[1], &in, a, vr->sender, 20210205, &v, &why);
	CHECK(rc == VB_UNBALANCED && !strcmp(why.buf, "debit 0,00, credit 126,03"),
	      "left against right does not balance: %d '%s'", rc, why.buf);
	in = row(-12603, -12603, -12603);
	strbuf_reset(&why);
	CHECK(voucher_build(&vr->rules[1], &in, a, vr->sender, 20210205, &v, &why) == VB_OK,
	      "the same rule balances when left = right: %s", why.buf);
	in.has_left = 0;
	CHECK(voucher_build(&vr->rules[1], &in, a, vr->sender, 20210205, &v, &why) == VB_BADDATA,
	      "a missing left amount is bad data");
	in = row(-447358, 0, 0);
	in.ncols = 1;
	strbuf_reset(&why);
	CHECK(voucher_build(&vr->rules[2], &in, a, vr->sender, 20210205, &v, &why) == VB_BADDATA &&
	      strstr(why.buf, "no column 'account'"), "no account column: %s", why.buf);
	in.ncols = 2;
	in.se = "12345678";
	CHECK(voucher_build(&vr->rules[0], &in, a, vr->sender, 20210205, &v, &why) == VB_OK,
	      "an SE without its own section uses the default roles");
	in.cpr = "0101801234";
	in.key = "tab\there";
	CHECK(voucher_build(&vr->rules[2], &in, a, vr->sender, 20210205, &v, &why) == VB_OK,
	      "unused fields do not matter");
	strbuf_release(&why);
}

static void test_reverse_codec(const struct voucher_rules *vr, const struct accounts *a)
{
	struct strbuf why = STRBUF_INIT, enc = STRBUF_INIT;
	struct voucher_input in = row(-447358, 0, 0);
	struct voucher v, r, d;
	money_t dt, ct;
	voucher_build(&vr->rules[2], &in, a, vr->sender, 20210205, &v, &why);
	voucher_seal(&v, 0);
	CHECK(!strcmp(v.p[0].account, "928148102") && v.p[0].debit, "group account from column");
	CHECK(!strcmp(v.p[0].text, "Gruppe 928148102"), "column placeholder: %s", v.p[0].text);
	voucher_reverse(&v, 20210206, &r);
	CHECK(strcmp(r.id, v.id) && !strcmp(r.reverses, v.id) && r.night == 20210206,
	      "reversal: own id, points at the original");
	CHECK(!r.p[0].debit && r.p[1].debit && r.p[0].amount == 447358, "sides flipped");
	CHECK(voucher_balance(&r, &dt, &ct) == 0, "a reversal balances");
	CHECK(!strcmp(r.reference, "gruppe:5a1d0c2e9b7f3a41:R"), "reference %s", r.reference);
	voucher_encode(&r, &enc);
	CHECK(voucher_decode(enc.buf, enc.len, &d) == 0 &&
	      !strcmp(d.id, r.id) && d.n == r.n && !strcmp(d.p[1].text, r.p[1].text) &&
	      d.p[1].amount == r.p[1].amount && d.p[1].debit == r.p[1].debit &&
	      !strcmp(d.reverses, r.reverses) && d.night == r.night, "encode/decode round trip");
	CHECK(voucher_decode("id=x\n", 5, &d) == -1, "a damaged record is refused");
	strbuf_release(&enc);
	strbuf_release(&why);
}

static void test_loader_errors(void)
{
	fprintf(stderr, "(the next eleven errors are expected)\n");
	static const char *const bad[] = {
		"sender s\nrule r a b\n  text x\n  debit 6.45.51 amount\n",	/* no credit */
		"sender s\nrule r a b\n  text \"{cpr-full}\"\n",		/* placeholder */
		"sender s\nrule r a b\n  text \"{key\"\n",			/* unclosed */
		"sender s\nrule r a b\n  debit 6.45.51 twice\n",		/* amount */
		"sender s\n  debit 6.45.51 amount\n",				/* outside a rule */
		"sender s\nrule r a b\n  text x\nrule r a b\n",			/* rule twice */
		"sender s\nrule r a b\n  debit 6.45.51 amount\n  credit 1 amount\n", /* no text */
		"rule r a b\n  text x\n  debit 6 amount\n  credit 1 amount\n",	/* no sender */
		"sender s\nrule R a b\n",					/* name */
		"sender s\nrule r a b\n  debit @ amount\n",			/* column */
		"sender s\nbogus\n",						/* directive */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct voucher_rules vr;
		CHECK(voucher_rules_load(write_file("bad.conf", bad[i]), &vr) == -1,
		      "bad rules file %zu refused", i);
	}
	CHECK(account_valid("6.45.51") && account_valid("952599065") &&
	      !account_valid("renter") && !account_valid("6 45") && !account_valid(""),
	      "account syntax");
}

static void test_utf8_cut(const struct accounts *a)
{
	struct voucher_rules vr;
	struct strbuf why = STRBUF_INIT;
	struct voucher_input in = row(-100, 0, 0);
	struct strbuf conf = STRBUF_INIT;
	struct voucher v;
	strbuf_addstr(&conf, "sender s\nrule r skat-afregning rente\n  text \"");
	for (int i = 0; i < 119; i++)
		strbuf_addch(&conf, 'a');
	strbuf_addstr(&conf, "æ\"\n  debit 6.45.51 amount\n  credit 1 amount\n");
	CHECK(voucher_rules_load(write_file("long.conf", conf.buf), &vr) == 0, "long text loads");
	voucher_build(&vr.rules[0], &in, a, vr.sender, 20210205, &v, &why);
	CHECK(strlen(v.p[0].text) == 119, "cut before a split UTF-8 sequence: %zu",
	      strlen(v.p[0].text));
	voucher_rules_free(&vr);
	strbuf_release(&conf);
	strbuf_release(&why);
}

static int count(const struct voucher *v, void *data)
{
	(void)v;
	++*(int *)data;
	return 0;
}

static int issue(struct store *st, MDB_txn *txn, const struct voucher_rules *vr,
		 const struct accounts *a, money_t amount, int32_t night, struct voucher *v)
{
	struct strbuf why = STRBUF_INIT;
	struct voucher_input in = row(amount, amount, 0);
	enum issue_result res = (enum issue_result)-1;
	voucher_build(&vr->rules[0], &in, a, vr->sender, night, v, &why);
	if (voucher_issue(st, txn, v, night, &res))
		res = (enum issue_result)-1;
	strbuf_release(&why);
	return (int)res;
}

static void test_bad_role_account(const struct voucher_rules *vr)
{
	struct accounts a;
	struct strbuf why = STRBUF_INIT;
	struct voucher_input in = row(-12603, 0, 0);
	struct voucher v;
	int rc = accounts_load(write_file("badacc.conf", "role renter x@1\n"
					  "role afregning-skat 8.52.59.111\n"), &a);
	CHECK(rc == 0, "accounts load");
	if (rc)
		return;
	rc = voucher_build(&vr->rules[0], &in, &a, vr->sender, 20210205, &v, &why);
	CHECK(rc == VB_NOROLE && strstr(why.buf, "'role renter' gives 'x@1'"),
	      "a role's malformed account is named: %d '%s'", rc, why.buf);
	accounts_free(&a);
	strbuf_release(&why);
}

/* A NemKonto key is a full CPR in some dialects: the text gets it masked. */
static void test_key_masked(const struct accounts *a)
{
	struct voucher_rules vr;
	struct strbuf why = STRBUF_INIT;
	struct voucher_input in = row(-12603, 0, 0);
	struct voucher v;
	int rc = voucher_rules_load(write_file("km.conf", "sender s\nrule r skat-afregning rente\n"
					       "  text \"Retur {key-masked} {key}\"\n"
					       "  debit renter -amount\n"
					       "  credit afregning-skat -amount\n"), &vr);
	CHECK(rc == 0, "{key-masked} is a placeholder");
	if (rc)
		return;
	in.key = "0101011234";
	voucher_build(&vr.rules[0], &in, a, vr.sender, 20210205, &v, &why);
	CHECK(!strcmp(v.p[0].text, "Retur 010101-xxxx 0101011234"), "a CPR key masked: '%s'",
	      v.p[0].text);
	in.key = "11067";
	voucher_build(&vr.rules[0], &in, a, vr.sender, 20210205, &v, &why);
	CHECK(!strcmp(v.p[0].text, "Retur 11067 11067"), "another key as it is: '%s'",
	      v.p[0].text);
	voucher_rules_free(&vr);
	strbuf_release(&why);
}

static void test_store(const struct voucher_rules *vr, const struct accounts *a)
{
	struct catalog cat;
	struct store st;
	struct strbuf dir = STRBUF_INIT;
	struct voucher v1, v2;
	MDB_txn *txn;
	int n = 0;
	strbuf_addf(&dir, "%s/state", tmpdir);
	if (catalog_load("schemas/stores", &cat) || store_open(&st, dir.buf, &cat) ||
	    store_begin(&st, 0, &txn)) {
		CHECK(0, "store opens");
		return;
	}
	CHECK(issue(&st, txn, vr, a, -12603, 20210205, &v1) == ISSUE_NEW, "first issue");
	CHECK(issue(&st, txn, vr, a, -12603, 20210205, &v2) == ISSUE_KNOWN &&
	      !strcmp(v1.id, v2.id), "the same event again: known, same id");
	CHECK(issue(&st, txn, vr, a, -12603, 20210206, &v2) == ISSUE_KNOWN,
	      "the next night does not issue it again");
	CHECK(voucher_each_of_night(&st, txn, 20210206, count, &n) == 0 && n == 0,
	      "nothing for the next night");
	CHECK(issue(&st, txn, vr, a, -13000, 20210205, &v2) == ISSUE_LATER,
	      "the first night rerun with changed content: the next night confirmed it");
	CHECK(voucher_each_of_night(&st, txn, 20210205, count, &n) == 0 && n == 1,
	      "no back-dated reversal on the first night: %d", n);
	n = 0;
	CHECK(issue(&st, txn, vr, a, -13000, 20210206, &v2) == ISSUE_CHANGED &&
	      strcmp(v1.id, v2.id), "changed content: reissued");
	CHECK(voucher_each_of_night(&st, txn, 20210206, count, &n) == 0 && n == 2,
	      "reversal and new voucher on the night: %d", n);
	CHECK(issue(&st, txn, vr, a, -12603, 20210206, &v2) == ISSUE_CHANGED &&
	      strcmp(v1.id, v2.id), "changed back: a third voucher with a new id");
	CHECK(issue(&st, txn, vr, a, -12603, 20210205, &v2) == ISSUE_LATER,
	      "an older night does not override a later one");
	n = 0;
	CHECK(voucher_each_of_night(&st, txn, 20210205, count, &n) == 0 && n == 1,
	      "the first night still has its one voucher: %d", n);
	mdb_txn_abort(txn);
	store_close(&st);
	catalog_free(&cat);
	strbuf_release(&dir);
}

static void test_xml(const struct voucher_rules *vr, const struct accounts *a)
{
	struct finansbilag fb;
	struct strbuf why = STRBUF_INIT, xml = STRBUF_INIT;
	struct voucher_input in = row(-12603, 0, 0);
	struct voucher v, r;
	if (finansbilag_open(&fb, "schemas/sf1590a-finansbilag.xsd")) {
		CHECK(0, "the XSD loads");
		return;
	}
	voucher_build(&vr->rules[0], &in, a, vr->sender, 20210205, &v, &why);
	voucher_seal(&v, 0);
	CHECK(finansbilag_render(&fb, &v, &xml) == 0, "Figur 23 voucher is valid");
	CHECK(strstr(xml.buf, "<Beloeb>126.03</Beloeb>") &&
	      strstr(xml.buf, "<DebetKreditIndikator>K</DebetKreditIndikator>") &&
	      strstr(xml.buf, "<Kontonummer>6.45.51</Kontonummer>") &&
	      strstr(xml.buf, "<BilagType>Ompostering</BilagType>") &&
	      !strstr(xml.buf, "Tilbagefoert"), "XML content");
	voucher_reverse(&v, 20210206, &r);
	CHECK(finansbilag_render(&fb, &r, &xml) == 0 && strstr(xml.buf, "<TilbagefoertBilagUUID>"),
	      "a reversal is valid and says what it reverses");
	fprintf(stderr, "(the next three errors are expected)\n");
	v.p[1].amount = 1;
	CHECK(finansbilag_render(&fb, &v, &xml) == -1 && xml.len == 0, "unbalanced: not written");
	v.p[1].amount = 12603;
	v.p[1].text[0] = '\0';
	CHECK(finansbilag_render(&fb, &v, &xml) == -1, "an empty text fails the schema");
	xstrlcpy(v.p[1].text, "t", sizeof(v.p[1].text));
	xstrlcpy(v.p[1].account, "x1", sizeof(v.p[1].account));
	CHECK(finansbilag_render(&fb, &v, &xml) == -1, "a bad account fails the schema");
	finansbilag_close(&fb);
	strbuf_release(&xml);
	strbuf_release(&why);
}

/*
 * Vouchers from a postings file (post/postfile.h): 'from postings', an
 * amount from a money column (@net, @vat), an account column whose value
 * is a role (@husleje-mellemregning), a zero VAT line left out. The
 * example is shared/spec seeds 001 R3.3: invoice V-2025-0303, 3400,00 net
 * and 850,00 VAT on the plan's account against the creditor account.
 */
static void test_postings(void)
{
	static const char *const pn[] = { "id", "account", "net", "vat", "invoice" };
	const char *pv[] = { "2524b8b09bb17632", "3.22.01.003", "3400,00", "850,00", "V-2025-0303" };
	struct voucher_input in = {
		.id = "2524b8b09bb17632", .recon = "betalingsplaner", .se = "29757895",
		.month = "2025-03", .key = "P-VAND", .cpr = "", .code = "plan-match",
		.amount = 425000, .names = pn, .values = pv, .ncols = 5,
	};
	struct voucher_rules vr;
	struct accounts a;
	struct strbuf why = STRBUF_INIT;
	struct voucher v;
	int rc = voucher_rules_load(write_file("postings.conf",
		"sender KY-AFSTEMNING\n"
		"rule plan-bogfoering betalingsplaner plan-match\n"
		"  from postings\n"
		"  text \"Faktura {@invoice} {key}\"\n"
		"  debit  @account  @net\n"
		"  debit  koebsmoms @vat\n"
		"  credit kreditor  amount\n"
		"rule brud betalingsplaner plan-match\n"
		"  text x\n"
		"  debit  koebsmoms amount\n"
		"  credit kreditor  amount\n"), &vr);
	CHECK(rc == 0, "a rule with 'from postings' and @COLUMN amounts loads");
	rc = accounts_load(write_file("accounts-p.conf", "role koebsmoms 8.32.21.001\n"
				      "role kreditor 8.52.61.001\n"
				      "role husleje-mellemregning 8.52.59.201\n"), &a);
	CHECK(rc == 0 && voucher_rules_check_roles(&vr, &a) == 0, "postings roles resolve");
	CHECK(vr.rules[0].from == RULE_FROM_POSTINGS && vr.rules[1].from == RULE_FROM_EXCEPTIONS,
	      "'from postings' is kept; the default reads exceptions");
	rc = voucher_build(&vr.rules[0], &in, &a, vr.sender, 20250331, &v, &why);
	CHECK(rc == VB_OK && v.n == 3, "the invoice builds three lines: %d %s", rc, why.buf);
	CHECK(!strcmp(v.p[0].account, "3.22.01.003") && v.p[0].debit && v.p[0].amount == 340000,
	      "debit the plan's account the net 3400,00");
	CHECK(!strcmp(v.p[1].account, "8.32.21.001") && v.p[1].debit && v.p[1].amount == 85000,
	      "debit koebsmoms the VAT 850,00");
	CHECK(!strcmp(v.p[2].account, "8.52.61.001") && !v.p[2].debit && v.p[2].amount == 425000,
	      "credit the creditor account 4250,00");
	CHECK(!strcmp(v.p[0].text, "Faktura V-2025-0303 P-VAND"), "text: '%s'", v.p[0].text);

	pv[1] = "@husleje-mellemregning";
	pv[2] = "6200,00";
	pv[3] = "0,00";
	in.amount = 620000;
	rc = voucher_build(&vr.rules[0], &in, &a, vr.sender, 20250331, &v, &why);
	CHECK(rc == VB_OK && v.n == 2 && !strcmp(v.p[0].account, "8.52.59.201") &&
	      v.p[0].amount == 620000, "a role in the account column resolves; VAT 0 is left out");
	pv[1] = "@ingen-rolle";
	strbuf_reset(&why);
	CHECK(voucher_build(&vr.rules[0], &in, &a, vr.sender, 20250331, &v, &why) == VB_NOROLE &&
	      strstr(why.buf, "ingen-rolle"), "an unknown role in the data is named: %s", why.buf);
	pv[1] = "3.22.01.003";
	pv[2] = "62OO,00";
	strbuf_reset(&why);
	CHECK(voucher_build(&vr.rules[0], &in, &a, vr.sender, 20250331, &v, &why) == VB_BADDATA &&
	      strstr(why.buf, "column 'net'"), "a bad money column is refused: %s", why.buf);
	pv[2] = "";
	strbuf_reset(&why);
	CHECK(voucher_build(&vr.rules[0], &in, &a, vr.sender, 20250331, &v, &why) == VB_BADDATA &&
	      strstr(why.buf, "no 'net' amount"), "an empty money column is refused: %s", why.buf);
	in.ncols = 2;
	pv[2] = "6200,00";
	strbuf_reset(&why);
	CHECK(voucher_build(&vr.rules[0], &in, &a, vr.sender, 20250331, &v, &why) == VB_BADDATA,
	      "a missing money column is refused: %s", why.buf);

	fprintf(stderr, "(the next four errors are expected)\n");
	{
		static const char *const bad[] = {
			"sender s\nrule r a b\n  from breaks\n",
			"sender s\nrule r a b\n  from postings\n  from postings\n",
			"sender s\nfrom postings\n",
			"sender s\nrule r a b\n  debit 6.45.51 @\n",
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			struct voucher_rules b;
			CHECK(voucher_rules_load(write_file("bad-from.conf", bad[i]), &b) == -1,
			      "bad postings rule %zu refused", i);
		}
	}
	voucher_rules_free(&vr);
	accounts_free(&a);
	strbuf_release(&why);
}


int main(void)
{
	struct voucher_rules vr;
	struct accounts a;
	log_init("test-voucher");
	if (!mkdtemp(tmpdir))
		return 1;
	load(&vr, &a);
	test_uuid();
	test_add_balance();
	test_build(&vr, &a);
	test_refusals(&vr, &a);
	test_reverse_codec(&vr, &a);
	test_loader_errors();
	test_utf8_cut(&a);
	test_key_masked(&a);
	test_bad_role_account(&vr);
	test_store(&vr, &a);
	test_xml(&vr, &a);
	test_postings();
	voucher_rules_free(&vr);
	accounts_free(&a);
	{
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			return 1;
	}
	return test_done();
}
