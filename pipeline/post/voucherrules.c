#include "post/voucherrules.h"

#include <stdlib.h>
#include <string.h>

#include "core/conffile.h"
#include "core/digest.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "match/accounts.h"
#include "core/banned.h"

struct loader {
	struct voucher_rules *vr;
	struct voucher_rule *cur;	/* the rule that sub-lines belong to */
};

static const char *const placeholders[] = {
	"cpr", "cpr-masked", "key", "key-masked", "month", "amount", "se", "recon", "code",
};

int account_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > VOUCHER_ACCOUNT_MAX || s[0] < '0' || s[0] > '9')
		return 0;
	return strspn(s, "0123456789.-abcdefghijklmnopqrstuvwxyz"
		      "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == n;
}

/* Rule, role and column names: lowercase letters, digits, '-' and '_'. */
static int name_valid(const char *s, size_t n)
{
	size_t i;
	if (n == 0 || n > 64 || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789-_", s[i]) || !s[i])
			return 0;
	return 1;
}

static int is_placeholder(const char *p, size_t n)
{
	if (n > 1 && p[0] == '@')
		return name_valid(p + 1, n - 1);
	for (size_t i = 0; i < sizeof(placeholders) / sizeof(placeholders[0]); i++)
		if (strlen(placeholders[i]) == n && !memcmp(p, placeholders[i], n))
			return 1;
	return 0;
}

/* Every {placeholder} must be one the stage fills. */
static int template_check(const struct conf_line *l, const char *t)
{
	while ((t = strchr(t, '{'))) {
		const char *end = strchr(t, '}');
		if (!end)
			return conf_error(l, "unclosed '{' in text");
		if (!is_placeholder(t + 1, (size_t)(end - t - 1)))
			return conf_error(l, "unknown placeholder '{%.*s}' (cpr, cpr-masked, "
					  "key, key-masked, month, amount, se, recon, code, @COLUMN)",
					  (int)(end - t - 1), t + 1);
		t = end + 1;
	}
	return 0;
}

static int do_rule(const struct conf_line *l, struct loader *ld)
{
	struct voucher_rules *vr = ld->vr;
	struct voucher_rule *r;
	if (l->argc != 4)
		return conf_error(l, "usage: rule NAME RECON CODE");
	for (int i = 1; i < 4; i++)
		if (!name_valid(l->argv[i], strlen(l->argv[i])))
			return conf_error(l, "'%s': lowercase letters, digits, - and _, "
					  "starting with a letter", l->argv[i]);
	for (int i = 0; i < vr->nrules; i++)
		if (!strcmp(vr->rules[i].name, l->argv[1]))
			return conf_error(l, "rule '%s' given twice", l->argv[1]);
	vr->rules = xrealloc(vr->rules, (size_t)(vr->nrules + 1) * sizeof(*r));
	r = &vr->rules[vr->nrules++];
	memset(r, 0, sizeof(*r));
	r->name = xstrdup(l->argv[1]);
	r->recon = xstrdup(l->argv[2]);
	r->code = xstrdup(l->argv[3]);
	r->lineno = l->lineno;
	ld->cur = r;
	return 0;
}

/* [-]amount, [-]left, [-]right, [-]@COLUMN, or [-]abs(one of them). */
static int parse_amount(const char *s, struct rule_line *rl)
{
	static const char *const names[] = { "amount", "left", "right" };
	size_t n;
	rl->negate = *s == '-';
	s += rl->negate;
	n = strlen(s);
	rl->absolute = n > 5 && !strncmp(s, "abs(", 4) && s[n - 1] == ')';
	if (rl->absolute) {
		s += 4;
		n -= 5;
	}
	for (int i = 0; i < 3; i++)
		if (strlen(names[i]) == n && !memcmp(s, names[i], n)) {
			rl->src = (enum amount_src)i;
			return 0;
		}
	if (n > 1 && s[0] == '@' && name_valid(s + 1, n - 1)) {
		rl->src = AMT_COLUMN;
		rl->amount_column = xstrndup(s + 1, n - 1);
		return 0;
	}
	return -1;
}

static int do_line(const struct conf_line *l, struct voucher_rule *r)
{
	struct rule_line *rl;
	const char *acc = l->argv[1];
	if (l->argc < 3 || l->argc > 4)
		return conf_error(l, "usage: %s ACCOUNT AMOUNT [TEXT]", l->argv[0]);
	if (r->nlines == VOUCHER_MAX_LINES)
		return conf_error(l, "rule '%s' has more than %d lines", r->name,
				  VOUCHER_MAX_LINES);
	rl = &r->lines[r->nlines];
	memset(rl, 0, sizeof(*rl));
	rl->debit = !strcmp(l->argv[0], "debit");
	rl->from_column = acc[0] == '@';
	rl->role = !rl->from_column && !account_valid(acc);
	if (rl->from_column ? !name_valid(acc + 1, strlen(acc + 1)) :
	    !account_valid(acc) && !name_valid(acc, strlen(acc)))
		return conf_error(l, "'%s' is not an account, a role or @COLUMN", acc);
	if (parse_amount(l->argv[2], rl))
		return conf_error(l, "amount '%s': [-]amount, [-]left, [-]right, [-]@COLUMN or "
				  "[-]abs(...) of one", l->argv[2]);
	if (l->argc == 4 && template_check(l, l->argv[3])) {
		free(rl->amount_column);
		return -1;
	}
	rl->account = xstrdup(acc + rl->from_column);
	rl->text = l->argc == 4 ? xstrdup(l->argv[3]) : NULL;
	rl->lineno = l->lineno;
	r->nlines++;
	return 0;
}

static int do_sub(const struct conf_line *l, struct loader *ld)
{
	struct voucher_rule *r = ld->cur;
	char **dst;
	if (!r)
		return conf_error(l, "'%s' outside a rule", l->argv[0]);
	if (!strcmp(l->argv[0], "debit") || !strcmp(l->argv[0], "credit"))
		return do_line(l, r);
	if (!strcmp(l->argv[0], "from")) {
		if (l->argc != 2 || (strcmp(l->argv[1], "exceptions") && strcmp(l->argv[1], "postings")))
			return conf_error(l, "usage: from exceptions|postings");
		if (r->has_from)
			return conf_error(l, "'from' given twice in rule '%s'", r->name);
		r->has_from = 1;
		r->from = strcmp(l->argv[1], "postings") ? RULE_FROM_EXCEPTIONS : RULE_FROM_POSTINGS;
		return 0;
	}
	dst = !strcmp(l->argv[0], "key") ? &r->key : &r->text;
	if (l->argc != 2)
		return conf_error(l, "usage: %s VALUE", l->argv[0]);
	if (*dst)
		return conf_error(l, "'%s' given twice in rule '%s'", l->argv[0], r->name);
	if (dst == &r->text && template_check(l, l->argv[1]))
		return -1;
	*dst = xstrdup(l->argv[1]);
	return 0;
}

static int line_fn(const struct conf_line *l, void *data)
{
	struct loader *ld = data;
	const char *d = l->argv[0];
	if (!strcmp(d, "sender")) {
		if (l->argc != 2 || strlen(l->argv[1]) > 64)
			return conf_error(l, "usage: sender SYSTEM-ID (at most 64 bytes)");
		free(ld->vr->sender);
		ld->vr->sender = xstrdup(l->argv[1]);
		return 0;
	}
	if (!strcmp(d, "rule"))
		return do_rule(l, ld);
	if (!strcmp(d, "key") || !strcmp(d, "text") || !strcmp(d, "debit") ||
	    !strcmp(d, "credit") || !strcmp(d, "from"))
		return do_sub(l, ld);
	return conf_error(l, "unknown directive '%s' (sender, rule, from, key, text, "
			  "debit, credit)", d);
}

/* Every rule needs a debit, a credit and a text for every line. */
static int finish(struct loader *ld)
{
	struct voucher_rules *vr = ld->vr;
	if (!vr->sender) {
		log_error("%s: no 'sender' line", vr->path);
		return -1;
	}
	for (int i = 0; i < vr->nrules; i++) {
		struct voucher_rule *r = &vr->rules[i];
		int debits = 0, credits = 0;
		for (int k = 0; k < r->nlines; k++) {
			const struct rule_line *rl = &r->lines[k];
			debits += rl->debit;
			credits += !rl->debit;
			if (!rl->text && !r->text) {
				log_error("%s:%lu: rule '%s' has no text for this line",
					vr->path, rl->lineno, r->name);
				return -1;
			}
		}
		if (!debits || !credits) {
			log_error("%s:%lu: rule '%s' needs a debit and a credit line",
				vr->path, r->lineno, r->name);
			return -1;
		}
	}
	return 0;
}

int voucher_rules_load(const char *path, struct voucher_rules *vr)
{
	struct loader ld = { vr, NULL };
	uint64_t size;
	int rc;
	memset(vr, 0, sizeof(*vr));
	vr->path = xstrdup(path);
	rc = conf_read(path, line_fn, &ld);
	if (rc == 0)
		rc = finish(&ld);
	if (rc == 0 && digest_file(path, vr->digest, &size)) {
		log_error("unable to read %s", path);
		rc = -1;
	}
	if (rc)
		voucher_rules_free(vr);
	return rc ? -1 : 0;
}

static int role_anywhere(const struct accounts *a, const char *role)
{
	for (int i = 0; i < a->nsections; i++)
		for (int k = 0; k < a->sections[i].nroles; k++)
			if (!strcmp(a->sections[i].roles[k].name, role))
				return 1;
	return 0;
}

int voucher_rules_check_roles(const struct voucher_rules *vr, const struct accounts *a)
{
	for (int i = 0; i < vr->nrules; i++)
		for (int k = 0; k < vr->rules[i].nlines; k++) {
			const struct rule_line *rl = &vr->rules[i].lines[k];
			if (rl->role && !role_anywhere(a, rl->account)) {
				log_error("%s:%lu: rule '%s': %s has no 'role %s'", vr->path,
					  rl->lineno, vr->rules[i].name, a->path, rl->account);
				return -1;
			}
		}
	return 0;
}

void voucher_rules_free(struct voucher_rules *vr)
{
	for (int i = 0; i < vr->nrules; i++) {
		struct voucher_rule *r = &vr->rules[i];
		for (int k = 0; k < r->nlines; k++) {
			free(r->lines[k].account);
			free(r->lines[k].amount_column);
			free(r->lines[k].text);
		}
		free(r->name);
		free(r->recon);
		free(r->code);
		free(r->key);
		free(r->text);
	}
	free(vr->rules);
	free(vr->path);
	free(vr->sender);
	memset(vr, 0, sizeof(*vr));
}
