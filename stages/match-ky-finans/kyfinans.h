/*
 * conf/ky-finans.conf: what the ky-finans reconciliation (guide 2.1)
 * needs to know of KY's 'Sum - Finans' that the report does not say.
 *
 *   clearing-prefix PREFIX...     KY konto names starting so are clearing
 *                                 accounts (mellemregninger); the rest is
 *                                 drift (Figur 4)
 *   map KONTO DETALJERING ACCOUNT KY konto (+ detaljeringskonto, '*' for
 *                                 any) is booked on this ERP account: the
 *                                 comparison is then also made per ERP
 *                                 account (several KY konti may share one;
 *                                 two accounts where one holds the other as
 *                                 whole segments, 5.57.72 and 5.57.72.001,
 *                                 are refused)
 *
 * Errors are reported as path:line: message.
 */
#ifndef KYFINANS_H
#define KYFINANS_H

#include <stddef.h>

struct kyfinans_map {
	char *konto, *detalj;	/* detalj NULL: any */
	char *account;
};

struct kyfinans_conf {
	char **prefix;
	int nprefix;
	struct kyfinans_map *map;
	int nmap;
};

int kyfinans_load(const char *path, struct kyfinans_conf *c);
void kyfinans_free(struct kyfinans_conf *c);
/* Whether a KY konto name (len bytes) is a clearing account. */
int kyfinans_is_clearing(const struct kyfinans_conf *c, const char *konto, size_t len);
/* The ERP account a KY konto and detaljeringskonto map to, or NULL. */
const char *kyfinans_account(const struct kyfinans_conf *c, const char *konto, size_t klen,
			     const char *detalj, size_t dlen);

#endif
