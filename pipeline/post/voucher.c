#include "post/voucher.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cprkey.h"
#include "core/csvout.h"
#include "core/date.h"
#include "core/digest.h"
#include "core/ident.h"
#include "store/store.h"
#include "ingest/csvin.h"
#include "match/accounts.h"
#include "core/banned.h"

void uuid_from(const char *text, size_t len, char out[UUID_SZ])
{
	static const char x[] = "0123456789abcdef";
	char hex[DIGEST_HEXSZ];
	int o = 0;
	digest_buf(text, len, hex);
	hex[12] = '5';		/* name-based UUID (version 5 layout) */
	hex[16] = x[8 | (strchr(x, hex[16]) - x) % 4];	/* RFC 4122 variant */
	for (int i = 0; i < 32; i++) {
		if (i == 8 || i == 12 || i == 16 || i == 20)
			out[o++] = '-';
		out[o++] = hex[i];
	}
	out[o] = '\0';
}

static const char *column(const struct voucher_input *in, const char *name)
{
	for (size_t i = 0; i < in->ncols; i++)
		if (!strcmp(in->names[i], name))
			return in->values[i];
	return NULL;
}

/* Texts go into XML and CSV: valid UTF-8, no control characters. */
static int text_ok(const char *s)
{
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	return utf8_valid(s, strlen(s));
}

/* Cuts at n bytes without splitting a UTF-8 sequence. */
static void utf8_cut(char *s, size_t n)
{
	if (strlen(s) <= n)
		return;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	s[n] = '\0';
}

static const char *placeholder(const struct voucher_input *in, const char *name,
			       char buf[MONEY_BUFSZ])
{
	if (name[0] == '@')
		return column(in, name + 1);
	if (!strcmp(name, "cpr-masked"))
		return strlen(in->cpr) == CPR_LEN ? cpr_mask(in->cpr, buf) : "";
	if (!strcmp(name, "key-masked"))
		return key_masked(in->key, buf);
	if (!strcmp(name, "amount"))
		return money_format(in->amount, buf);
	return !strcmp(name, "cpr") ? in->cpr : !strcmp(name, "key") ? in->key :
	       !strcmp(name, "month") ? in->month : !strcmp(name, "se") ? in->se :
	       !strcmp(name, "recon") ? in->recon : in->code;
}

/* Fills a template checked by the rules loader; -1 names what is missing. */
static int fill(const char *t, const struct voucher_input *in, char *out, size_t cap,
		struct strbuf *why)
{
	struct strbuf s = STRBUF_INIT;
	const char *open;
	while ((open = strchr(t, '{'))) {
		const char *close = strchr(open, '}');
		char name[80], buf[MONEY_BUFSZ];
		const char *v;
		strbuf_add(&s, t, (size_t)(open - t));
		snprintf(name, sizeof(name), "%.*s", (int)(close - open - 1), open + 1);
		if (!(v = placeholder(in, name, buf))) {
			strbuf_addf(why, "no column '%s' for the text", name + 1);
			strbuf_release(&s);
			return -1;
		}
		strbuf_addstr(&s, v);
		t = close + 1;
	}
	strbuf_addstr(&s, t);
	if (!s.len || !text_ok(s.buf)) {
		strbuf_addstr(why, "posting text is empty, has control characters or is not UTF-8");
		strbuf_release(&s);
		return -1;
	}
	utf8_cut(s.buf, cap - 1);
	xstrlcpy(out, s.buf, cap);
	strbuf_release(&s);
	return 0;
}

static int line_amount(const struct rule_line *rl, const struct voucher_input *in,
		       money_t *out, struct strbuf *why)
{
	static const char *const names[] = { "amount", "left", "right" };
	money_t a = rl->src == AMT_LEFT ? in->left : rl->src == AMT_RIGHT ? in->right :
		    in->amount;
	if (rl->src == AMT_COLUMN) {
		const char *s = column(in, rl->amount_column), *reason;
		if (!s || !*s) {
			strbuf_addf(why, "the row has no '%s' amount", rl->amount_column);
			return -1;
		}
		if (money_parse(s, strlen(s), 0, &a, &reason)) {
			strbuf_addf(why, "column '%s': %s", rl->amount_column, reason);
			return -1;
		}
	} else if ((rl->src == AMT_LEFT && !in->has_left) ||
		   (rl->src == AMT_RIGHT && !in->has_right)) {
		strbuf_addf(why, "the row has no '%s' amount", names[rl->src]);
		return -1;
	}
	if (rl->absolute && a < 0)
		a = -a;
	*out = rl->negate ? -a : a;
	return 0;
}

static enum voucher_build_rc line_account(const struct rule_line *rl,
					  const struct voucher_input *in,
					  const struct accounts *accts, const char **out,
					  struct strbuf *why)
{
	if (rl->role) {
		const struct account_role *r = accounts_role(accts, in->se, rl->account);
		if (r && r->naccounts > 0) {
			*out = r->accounts[0];
			if (account_valid(*out))
				return VB_OK;
			strbuf_addf(why, "%s: 'role %s' gives '%s', which is not an account",
				    accts->path, rl->account, *out);
			return VB_NOROLE;
		}
		strbuf_addf(why, "%s has no 'role %s' for SE %s", accts->path, rl->account,
			    in->se);
		return VB_NOROLE;
	}
	*out = rl->from_column ? column(in, rl->account) : rl->account;
	if (*out && rl->from_column && (*out)[0] == '@') {
		/* a role named in the data (a plans file's Konto @husleje-mellemregning) */
		const struct account_role *r = accounts_role(accts, in->se, *out + 1);
		if (r && r->naccounts > 0 && account_valid(r->accounts[0])) {
			*out = r->accounts[0];
			return VB_OK;
		}
		strbuf_addf(why, "%s has no 'role %s' for SE %s (column '%s')", accts->path,
			    *out + 1, in->se, rl->account);
		return VB_NOROLE;
	}
	if (!*out)
		strbuf_addf(why, "no column '%s' for the account", rl->account);
	else if (!account_valid(*out))
		strbuf_addf(why, "'%s' in column '%s' is not an account", *out, rl->account);
	else
		return VB_OK;
	return VB_BADDATA;
}

/* The business event: what the voucher is about, not what it posts. */
static void event_of(const struct voucher_rule *rule, const struct voucher_input *in,
		     struct voucher *v)
{
	struct strbuf k = STRBUF_INIT;
	strbuf_addf(&k, "%s|%s|%s|%s|%s|%s|%s", rule->name, in->recon, in->se, in->month,
		    in->key, in->cpr, in->id);
	for (int i = 0; i < rule->nlines; i++)
		if (rule->lines[i].from_column)
			strbuf_addf(&k, "|@%s=%s", rule->lines[i].account,
				    column(in, rule->lines[i].account));
	digest_buf(k.buf, k.len, v->event);
	strbuf_release(&k);
}

enum voucher_build_rc voucher_build(const struct voucher_rule *rule,
				    const struct voucher_input *in, const struct accounts *accts,
				    const char *sender, int32_t night, struct voucher *v,
				    struct strbuf *why)
{
	money_t d, c;
	memset(v, 0, sizeof(*v));
	xstrlcpy(v->rule, rule->name, sizeof(v->rule));
	snprintf(v->reference, sizeof(v->reference), "%s:%s", rule->name, in->id);
	xstrlcpy(v->sender, sender, sizeof(v->sender));
	xstrlcpy(v->se, in->se, sizeof(v->se));
	v->night = night;
	for (int i = 0; i < rule->nlines; i++) {
		const struct rule_line *rl = &rule->lines[i];
		char text[VOUCHER_TEXT_MAX + 1];
		const char *account;
		enum voucher_build_rc rc = line_account(rl, in, accts, &account, why);
		money_t a;
		if (rc != VB_OK)
			return rc;
		if (line_amount(rl, in, &a, why) ||
		    fill(rl->text ? rl->text : rule->text, in, text, sizeof(text), why))
			return VB_BADDATA;
		voucher_add(v, account, rl->debit, a, text);
	}
	if (voucher_balance(v, &d, &c)) {
		char bd[MONEY_BUFSZ], bc[MONEY_BUFSZ];
		strbuf_addf(why, "debit %s, credit %s", money_format(d, bd), money_format(c, bc));
		return VB_UNBALANCED;
	}
	event_of(rule, in, v);
	return v->n ? VB_OK : VB_EMPTY;
}

void voucher_add(struct voucher *v, const char *account, int debit, money_t amount,
		 const char *text)
{
	struct posting *p;
	if (amount == 0 || v->n == VOUCHER_MAX_LINES)
		return;
	p = &v->p[v->n++];
	memset(p, 0, sizeof(*p));
	xstrlcpy(p->account, account, sizeof(p->account));
	p->debit = amount < 0 ? !debit : debit;
	p->amount = amount < 0 ? -amount : amount;
	xstrlcpy(p->text, text, sizeof(p->text));
}

int voucher_balance(const struct voucher *v, money_t *debit, money_t *credit)
{
	int overflow = 0;
	*debit = *credit = 0;
	for (int i = 0; i < v->n; i++)
		overflow |= money_add(v->p[i].debit ? debit : credit, v->p[i].amount);
	return overflow || *debit != *credit ? -1 : 0;
}

static void seal_postings(struct voucher *v)
{
	for (int i = 0; i < v->n; i++) {
		char b[64];
		int n = snprintf(b, sizeof(b), "posting|%s|%d", v->id, i + 1);
		uuid_from(b, (size_t)n, v->p[i].id);
	}
}

void voucher_seal(struct voucher *v, unsigned seq)
{
	struct strbuf s = STRBUF_INIT;
	for (int i = 0; i < v->n; i++)
		strbuf_addf(&s, "%s|%c|%" PRId64 "|%s\n", v->p[i].account,
			    v->p[i].debit ? 'D' : 'K', v->p[i].amount, v->p[i].text);
	digest_buf(s.buf, s.len, v->digest);
	strbuf_reset(&s);
	strbuf_addf(&s, "finansbilag|%s|%s|%u", v->event, v->digest, seq);
	uuid_from(s.buf, s.len, v->id);
	seal_postings(v);
	strbuf_release(&s);
}

void voucher_reverse(const struct voucher *orig, int32_t night, struct voucher *rev)
{
	char b[64];
	int n = snprintf(b, sizeof(b), "reversal|%s", orig->id);
	*rev = *orig;
	uuid_from(b, (size_t)n, rev->id);
	xstrlcpy(rev->reverses, orig->id, sizeof(rev->reverses));
	snprintf(rev->reference, sizeof(rev->reference), "%.*s:R",
		 (int)sizeof(rev->reference) - 3, orig->reference);
	rev->night = night;
	for (int i = 0; i < rev->n; i++)
		rev->p[i].debit = !rev->p[i].debit;
	seal_postings(rev);
}

void voucher_encode(const struct voucher *v, struct strbuf *out)
{
	strbuf_reset(out);
	strbuf_addf(out, "id=%s\nreverses=%s\nrule=%s\nreference=%s\nsender=%s\nse=%s\n"
		    "night=%d\nevent=%s\ndigest=%s\nlines=%d\n", v->id, v->reverses, v->rule,
		    v->reference, v->sender, v->se, (int)v->night, v->event, v->digest, v->n);
	for (int i = 0; i < v->n; i++) {
		const struct posting *p = &v->p[i];
		strbuf_addf(out, "p%d.id=%s\np%d.account=%s\np%d.side=%c\np%d.amount=%" PRId64
			    "\np%d.text=%s\n", i, p->id, i, p->account, i, p->debit ? 'D' : 'K',
			    i, p->amount, i, p->text);
	}
}

static int get(const MDB_val *val, const char *key, char *dst, size_t cap,
	       struct strbuf *tmp)
{
	const char *s = prop_get(val, key, tmp);
	if (!s || strlen(s) >= cap)
		return -1;
	xstrlcpy(dst, s, cap);
	return 0;
}

static int get_num(const MDB_val *val, const char *key, int64_t *out, struct strbuf *tmp)
{
	char b[32], *end;
	if (get(val, key, b, sizeof(b), tmp))
		return -1;
	*out = strtoll(b, &end, 10);
	return *end || end == b ? -1 : 0;
}

static int decode_posting(const MDB_val *val, int i, struct posting *p, struct strbuf *tmp)
{
	char k[32], side[4];
	int64_t amount;
#define KEY(name) (snprintf(k, sizeof(k), "p%d." name, i), k)
	if (get(val, KEY("id"), p->id, sizeof(p->id), tmp) ||
	    get(val, KEY("account"), p->account, sizeof(p->account), tmp) ||
	    get(val, KEY("side"), side, sizeof(side), tmp) ||
	    get_num(val, KEY("amount"), &amount, tmp) ||
	    get(val, KEY("text"), p->text, sizeof(p->text), tmp))
		return -1;
#undef KEY
	p->debit = side[0] == 'D';
	p->amount = amount;
	return 0;
}

int voucher_decode(const char *buf, size_t len, struct voucher *v)
{
	MDB_val val = { len, (void *)buf };
	struct strbuf tmp = STRBUF_INIT;
	int64_t night, n;
	int rc = -1;
	memset(v, 0, sizeof(*v));
	if (get(&val, "id", v->id, sizeof(v->id), &tmp) ||
	    get(&val, "reverses", v->reverses, sizeof(v->reverses), &tmp) ||
	    get(&val, "rule", v->rule, sizeof(v->rule), &tmp) ||
	    get(&val, "reference", v->reference, sizeof(v->reference), &tmp) ||
	    get(&val, "sender", v->sender, sizeof(v->sender), &tmp) ||
	    get(&val, "se", v->se, sizeof(v->se), &tmp) ||
	    get_num(&val, "night", &night, &tmp) ||
	    get(&val, "event", v->event, sizeof(v->event), &tmp) ||
	    get(&val, "digest", v->digest, sizeof(v->digest), &tmp) ||
	    get_num(&val, "lines", &n, &tmp) || n < 0 || n > VOUCHER_MAX_LINES)
		goto out;
	v->night = (int32_t)night;
	for (v->n = 0; v->n < (int)n; v->n++)
		if (decode_posting(&val, v->n, &v->p[v->n], &tmp))
			goto out;
	rc = 0;
out:
	strbuf_release(&tmp);
	return rc;
}

const char voucher_csv_header[] = CSV_BOM "voucher_id;reference;kind;reverses;rule;date;se;"
	"sender;line;posting_id;account;side;amount;signed_amount;text\n";

void voucher_csv(const struct voucher *v, struct strbuf *out)
{
	char date[DATE_BUFSZ], num[16], a[MONEY_BUFSZ];
	day_format(v->night, date);
	for (int i = 0; i < v->n; i++) {
		const struct posting *p = &v->p[i];
		csvout_str(out, v->id, 0);
		csvout_str(out, v->reference, 0);
		csvout_str(out, v->reverses[0] ? "reversal" : "voucher", 0);
		csvout_str(out, v->reverses, 0);
		csvout_str(out, v->rule, 0);
		csvout_str(out, date, 0);
		csvout_str(out, v->se, 0);
		csvout_str(out, v->sender, 0);
		snprintf(num, sizeof(num), "%d", i + 1);
		csvout_str(out, num, 0);
		csvout_str(out, p->id, 0);
		csvout_str(out, p->account, 0);
		csvout_str(out, p->debit ? "D" : "K", 0);
		csvout_str(out, money_format(p->amount, a), 0);
		csvout_str(out, money_format(p->debit ? p->amount : -p->amount, a), 0);
		csvout_str(out, p->text, 1);
	}
}
