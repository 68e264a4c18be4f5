/*
 * conf/accounts.conf: which accounts of a municipality's chart of accounts
 * play which role in the reconciliations and the vouchers (the guide's
 * Hensættelse Skat, Afregning NemKonto, KY restancekonti, 6.45.51 ...).
 *
 *   municipality SE [NAME]        starts the roles of one SE number; roles
 *                                 before any 'municipality' are the default
 *   role NAME ACCOUNT...          NAME: lower case, digits and '-'
 *
 * An account matches an ERP account string when it appears in it as whole
 * segments: "8.52.59" matches "8.52.59.001", and "952599065" matches the
 * dimension string "9000000000-952599065-9900000-60-9-" (segments end at
 * '.', '-', ' ' or the end). A municipality without a role falls back to
 * the default section.
 */
#ifndef ACCOUNTS_H
#define ACCOUNTS_H

#include <stddef.h>

enum { ROLE_MAX_ACCOUNTS = 16 };

struct account_role {
	char *name;
	int naccounts;
	char *accounts[ROLE_MAX_ACCOUNTS];
	unsigned long lineno;
};

struct account_section {
	char se[9];		/* "" for the default section */
	char *label;
	struct account_role *roles;
	int nroles;
};

struct accounts {
	char *path;
	struct account_section *sections;
	int nsections;
};

/* Loads path; errors are reported as path:line: message. 0 or -1. */
int accounts_load(const char *path, struct accounts *a);
void accounts_free(struct accounts *a);

/* The role for an SE number (or the default section); NULL if none. */
const struct account_role *accounts_role(const struct accounts *a, const char *se,
					 const char *role);
/*
 * Like accounts_role(), but a missing role is reported, naming the conf
 * file, the role and the SE: for stages that cannot run without it.
 */
const struct account_role *accounts_need(const struct accounts *a, const char *se,
					 const char *role);

/* Whether the ERP account string (len bytes) holds one of the role's accounts. */
int account_role_matches(const struct account_role *r, const char *account, size_t len);
/* Whether account holds pattern as whole segments (see above). */
int account_matches(const char *pattern, const char *account, size_t len);

#endif
