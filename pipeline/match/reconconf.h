/*
 * conf/reconciliations.conf: which reports each reconciliation reads and
 * needs, and what its exception codes are to the status of a summary row
 * (../shared/spec/reconciliations.md). A new reconciliation is a section
 * here, no C for what it needs. Grammar (core/conffile.h):
 *
 *   recon NAME
 *     report STORE LABEL NEED SIDE SCOPE [keys KEY...] [except KEY...]
 *     explains CODE...
 *     detail CODE of PARENT [key KEY]
 *     total KEY
 *     stage NAME
 *
 * report   a store of schemas/stores the stage reads, with the name a
 *          clerk knows ("SKAT Sumoplysninger"). NEED: required (a summary
 *          row whose report is missing is MANGLER, never OK or BREAK) or
 *          optional (recorded in inputs/RECON.csv, no effect on a status).
 *          SIDE: which amounts of the row it gives: left, right, both (a
 *          missing one leaves them empty), explained or check (amounts
 *          kept; the row is still MANGLER when it is required). SCOPE:
 *          month (a file for the row's SE and month) or any (a file for
 *          the SE in any month the stage reads: a ledger history or a
 *          report of every claim, with no rows in a quiet month). keys
 *          names the summary keys the line is for, except the keys it is
 *          not for; neither: every key. A store may have several lines
 *          for different keys; every store the stage reads has one.
 * explains an exception of CODE explains the difference of the row it
 *          stands under (its voucher or the listing is the explanation):
 *          the row is EXPLAINED, not BREAK, and the overview does not
 *          count it as open.
 * detail   an exception of CODE is a drill-down of an exception of PARENT
 *          of the same SE and month, under key KEY (default: its own
 *          key): the row stays BREAK, and the overview counts the krone
 *          in the parent only, or in the detail where no such parent is.
 *          PARENT and KEY may be '*': any open break of the SE and month,
 *          under any key (the detail is another breakdown of the same
 *          money, e.g. per account beside per invoice).
 * total    the row of KEY adds up the other rows of its SE and month: an
 *          unexplained rest of it is listed by the exceptions under them.
 * stage    the stage (conf/pipeline.conf) that writes the reconciliation,
 *          when it is not match-NAME (one stage may write two): the one
 *          `pipeline decide` tells to rerun; recon_begin() refuses another.
 * Every other exception code is an open break (match/recon.h has the rule).
 * Errors name file:line.
 */
#ifndef RECONCONF_H
#define RECONCONF_H

#include "core/strbuf.h"

enum recon_need { NEED_REQUIRED, NEED_OPTIONAL };
enum { RECON_MAX_REPORTS = 32 };	/* report lines per recon */
enum recon_side { SIDE_LEFT, SIDE_RIGHT, SIDE_BOTH, SIDE_EXPLAINED, SIDE_CHECK };
enum recon_scope { SCOPE_MONTH, SCOPE_ANY };

struct recon_report {
	char *store, *label;
	int need, side, scope;
	char **keys;		/* NULL: every key */
	int nkeys;
	int except;		/* keys are the ones it is not for */
	unsigned long lineno;
};

struct recon_detail {
	char *code, *parent, *key;	/* key NULL: the detail's own key */
};

struct recon_def {
	char *name;
	struct recon_report *reports;
	int nreports;
	char **explains;
	int nexplains;
	struct recon_detail *details;
	int ndetails;
	char **totals;		/* keys whose row adds up the others */
	int ntotals;
	char *stage;		/* 'stage NAME', or NULL: match-NAME */
	unsigned long lineno;
};

struct recon_conf {
	char *path;
	struct recon_def *v;
	int n;
};

/* Reads and checks the whole file. 0, or -1 (reported with file:line). */
int reconconf_load(const char *path, struct recon_conf *c);
void reconconf_free(struct recon_conf *c);
/* The section of recon, or NULL. */
const struct recon_def *reconconf_find(const struct recon_conf *c, const char *recon);
/*
 * Checks that the stores a stage reads are exactly the ones the section
 * declares. 0, or -1 reported ("conf/reconciliations.conf: recon X ...").
 */
int reconconf_check_stores(const struct recon_conf *c, const struct recon_def *d,
			   const char *const *stores, int n);
/* The stage that writes d's files ('stage', else "match-" d->name), in sb. */
const char *recon_stage(const struct recon_def *d, struct strbuf *sb);
/* Whether key's row adds up the other rows of its SE and month ('total'). */
int recon_is_total(const struct recon_def *d, const char *key);
/* Whether a report line is for summary key. */
int recon_report_applies(const struct recon_report *r, const char *key);

enum exc_role { EXC_BREAK, EXC_EXPLAINS, EXC_DETAIL };
/* What code is to a row's status and the overview; *det the detail line. */
int recon_code_role(const struct recon_def *d, const char *code,
		    const struct recon_detail **det);
/* "MANGLER" and friends: the status words of a summary row. */
#define RECON_OK "OK"
#define RECON_EXPLAINED "EXPLAINED"
#define RECON_BREAK "BREAK"
#define RECON_MISSING "MANGLER"
/* The key of the one row of a reconciliation with no input at all. */
#define RECON_NO_DATA "INGEN-DATA"

#endif
