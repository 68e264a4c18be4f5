/*
 * conf/ky-yr.conf: what the ky-yr reconciliation (guide 2.2.2) needs to
 * know beyond the reports.
 *
 *   andel-atp-op YDELSESKODE...   the YR ydelseskoder under which KY
 *                                 reports the municipality's own share of
 *                                 ATP and OP (100 % refusion): compared
 *                                 with the ERP role kommunal-andel-atp-op
 *                                 (8.51.52) on the key ANDEL-ATP-OP
 *
 * Errors are reported as path:line: message.
 */
#ifndef KYYR_H
#define KYYR_H

#include <stddef.h>

struct kyyr_conf {
	char **andel;
	int nandel;
};

int kyyr_load(const char *path, struct kyyr_conf *c);
void kyyr_free(struct kyyr_conf *c);
/* Whether a ydelseskode (len bytes) is one of the municipality's share. */
int kyyr_is_andel(const struct kyyr_conf *c, const char *code, size_t len);

#endif
