/*
 * conf/vouchers.conf: which matching results become GL posting vouchers
 * (finansbilag), on which accounts, with which text. Grammar: core/conffile.h.
 *
 *   sender  SYSTEM-ID                  who the ERP sees as the sender
 *   rule NAME RECON CODE               exceptions/RECON.csv rows whose reason
 *                                      starts with "CODE:" give a voucher
 *     from  exceptions|postings        which file of RECON: exceptions/ (the
 *                                      default: breaks) or postings/ (money
 *                                      movements a matching stage makes that
 *                                      are not breaks: a charge sent, an
 *                                      accepted charge, an invoice posted by
 *                                      its plan; post/postfile.h)
 *     key   VALUE                      only rows with this key (optional)
 *     text  TEMPLATE                   default posting text
 *     debit  ACCOUNT AMOUNT [TEMPLATE] one posting per line, in order
 *     credit ACCOUNT AMOUNT [TEMPLATE]
 *
 * ACCOUNT: a literal account (starts with a digit: 6.45.51), a ROLE of
 * conf/accounts.conf (pipeline/match/accounts.h; its first account, for the
 * row's SE), or @COLUMN: the account in that column of the row; a value
 * that starts with '@' there is a role (@husleje-mellemregning: a plans
 * file names roles, not accounts).
 * AMOUNT: [-]amount, [-]left, [-]right, [-]@COLUMN (a money column of the
 * row in Danish notation: @net, @vat of a postings file), or abs(...) of
 * one. A negative amount on a debit line is a credit of its absolute
 * value, and the other way round; a zero line is left out. The debit lines
 * must equal the credit lines for every row; a rule that does not is
 * refused by the stage.
 * TEMPLATE: text with {cpr} {cpr-masked} {key} {key-masked} {month} {amount}
 * {se} {recon} {code} {@COLUMN}; at most VOUCHER_TEXT_MAX bytes once filled.
 * {key-masked} is the key, masked DDMMYY-xxxx when it is a CPR (core/cprkey.h).
 */
#ifndef VOUCHERRULES_H
#define VOUCHERRULES_H

#include <stddef.h>

enum { VOUCHER_ACCOUNT_MAX = 40, VOUCHER_TEXT_MAX = 120, VOUCHER_MAX_LINES = 8 };

enum amount_src { AMT_AMOUNT, AMT_LEFT, AMT_RIGHT, AMT_COLUMN };

/* Which file of its recon a rule reads. */
enum rule_source { RULE_FROM_EXCEPTIONS, RULE_FROM_POSTINGS };

struct rule_line {
	int debit;		/* 1 debit line, 0 credit line */
	char *account;		/* literal account, role, or column name */
	int role;		/* account is a role of conf/accounts.conf */
	int from_column;	/* account is @COLUMN */
	enum amount_src src;
	char *amount_column;	/* AMT_COLUMN: the column's name (without '@') */
	int negate, absolute;
	char *text;		/* NULL: the rule's text */
	unsigned long lineno;
};

struct voucher_rule {
	char *name, *recon, *code;
	char *key;		/* NULL: any key */
	enum rule_source from;	/* exceptions/RECON.csv (default) or postings/RECON.csv */
	int has_from;
	char *text;
	struct rule_line lines[VOUCHER_MAX_LINES];
	int nlines;
	unsigned long lineno;
};

struct voucher_rules {
	char *path;
	char *sender;
	struct voucher_rule *rules;
	int nrules;
	char digest[65];	/* of the file's bytes */
};

/* Loads path; 0, or -1 with "path:line: reason" reported. */
int voucher_rules_load(const char *path, struct voucher_rules *vr);
void voucher_rules_free(struct voucher_rules *vr);

/* Every role a rule names is in conf/accounts.conf; 0, or -1 reported. */
struct accounts;
int voucher_rules_check_roles(const struct voucher_rules *vr, const struct accounts *a);

/* 1 when s is a well-formed account number (letters, digits, '.', '-'). */
int account_valid(const char *s);

#endif
