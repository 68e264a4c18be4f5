/*
 * A GL posting voucher (finansbilag): the postings one voucher rule makes
 * of one exception row, balanced (debits = credits), with ids that depend
 * only on the business event, the content and how many vouchers the event
 * had before, never on time or order:
 *   event    SHA-256 of rule|recon|se|month|key|cpr|exception id|@COLUMN=...
 *   digest   SHA-256 of what is posted (accounts, sides, amounts, texts)
 *   id       UUID-shaped, from event, digest and the event's issue number
 *   reversal UUID-shaped, from the id of the voucher it reverses
 *   posting  UUID-shaped, from the voucher id and the line number
 */
#ifndef VOUCHER_H
#define VOUCHER_H

#include <stddef.h>
#include <stdint.h>

#include "core/money.h"
#include "core/strbuf.h"
#include "post/voucherrules.h"

enum { UUID_SZ = 37, VOUCHER_REF_MAX = 96 };

struct posting {
	char id[UUID_SZ];
	char account[VOUCHER_ACCOUNT_MAX + 1];
	int debit;		/* 1 debit (D), 0 credit (K) */
	money_t amount;		/* > 0 */
	char text[VOUCHER_TEXT_MAX + 1];
};

struct voucher {
	char id[UUID_SZ];
	char reverses[UUID_SZ];	/* a reversal: the voucher it takes back; else "" */
	char rule[65];
	char reference[VOUCHER_REF_MAX];	/* bilag reference: RULE:EXCEPTION-ID[:R] */
	char sender[65];
	char se[9];
	int32_t night;		/* voucher and posting date, YYYYMMDD */
	char event[65];		/* hex SHA-256 of the business key */
	char digest[65];	/* hex SHA-256 of the postings */
	struct posting p[VOUCHER_MAX_LINES];
	int n;
};

/* One exception row, as the stage read it; columns by header name. */
struct voucher_input {
	const char *id, *recon, *se, *month, *key, *cpr, *code;
	money_t amount, left, right;
	int has_left, has_right;
	const char *const *names, *const *values;	/* every column */
	size_t ncols;
};

enum voucher_build_rc {
	VB_OK,
	VB_EMPTY,	/* every amount is zero: nothing to post */
	VB_BADDATA,	/* the row lacks what the rule needs */
	VB_NOROLE,	/* conf/accounts.conf has no such role for the row's SE */
	VB_UNBALANCED,	/* the rule's debits differ from its credits */
};

/*
 * Makes rule's voucher for in (not yet sealed); roles are resolved in
 * accts for the row's SE. Anything but VB_OK/VB_EMPTY: why says what.
 */
struct accounts;
enum voucher_build_rc voucher_build(const struct voucher_rule *rule,
				    const struct voucher_input *in, const struct accounts *accts,
				    const char *sender, int32_t night, struct voucher *v,
				    struct strbuf *why);
/* Adds a posting; a negative amount goes to the other side; 0 is left out. */
void voucher_add(struct voucher *v, const char *account, int debit, money_t amount,
		 const char *text);
/* 0 when debits equal credits (given as totals), -1 otherwise. */
int voucher_balance(const struct voucher *v, money_t *debit, money_t *credit);
/* Sets digest, id (from event, digest, seq) and posting ids. */
void voucher_seal(struct voucher *v, unsigned seq);
/* The voucher that takes orig back on night: sides flipped. */
void voucher_reverse(const struct voucher *orig, int32_t night, struct voucher *rev);

/* UUID-shaped (8-4-4-4-12, version 5 style bits) from a SHA-256 of text. */
void uuid_from(const char *text, size_t len, char out[UUID_SZ]);

/* The store's form of a voucher: "k=v" lines, one "posting=" line each. */
void voucher_encode(const struct voucher *v, struct strbuf *out);
int voucher_decode(const char *buf, size_t len, struct voucher *v);

/* The vouchers.csv header and a voucher's rows (amounts like -126,03). */
extern const char voucher_csv_header[];
void voucher_csv(const struct voucher *v, struct strbuf *out);

#endif
