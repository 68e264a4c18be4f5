/*
 * conf/matching.conf: the tuning of the posting-level reconciliations
 * (nemkonto, debitor, faktura): date windows, group sizes, how far back
 * they read. Grammar (core/conffile.h):
 *
 *   set RECON SETTING VALUE      RECON nemkonto, debitor or faktura; VALUE
 *                                an integer, -1 for "no limit"
 *                                where the setting says so
 *
 * Settings: pair-window (days, -1 no limit), group-window (days),
 * max-group (1..16), max-steps (search steps per item, match/groupmatch.h),
 * lookback-months (months before the night's that are read, 0..120),
 * transit-days (an open item this young is in transit, not a break),
 * balance-rest (0 or 1: whether what is left may settle as a whole, its
 * days within pair-window of each other), return-window (days: how long
 * after a payment a posting that says it is its return, 'Retur ...',
 * may settle it; nemkonto, Figur 28; 0 none).
 * A setting not given keeps its default (matchconf_defaults()).
 */
#ifndef MATCHCONF_H
#define MATCHCONF_H

#include "match/groupmatch.h"

struct match_conf {
	struct gm_limits lim;
	int lookback_months;
	int transit_days;
	int return_window;	/* days; 0: a return settles only within pair-window */
};

void matchconf_defaults(struct match_conf *m);
/* Reads every line of path (all are checked) and applies recon's. 0 or -1 (reported). */
int matchconf_load(const char *path, const char *recon, struct match_conf *m);

/*
 * How many months before the night's a recon reports on: pipeline.conf's
 * months-back, but never more than it reads (a month never read would
 * show 0 = 0 as OK).
 */
int matchconf_months_back(const struct match_conf *m, int months_back);

#endif
