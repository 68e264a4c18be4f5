/*
 * Which of a night's exceptions are open: the one definition the report,
 * the workbook, `pipeline exceptions` and the demo's overview share
 * (issue 19). Given a reconciliation's conf roles (reconconf.h), its
 * exceptions/RECON.csv and which of them a standing decision explains:
 *
 *   decided    a decision explains it (forklaret, accepteret, afskrevet
 *              on the amount decided; genaabnet and beloeb-aendret do not)
 *   explains   its code explains the row it stands under ('explains')
 *   detail     a drill-down counted in its parent: an exception of the
 *              parent code, same SE and month, under the detail's key or
 *              the one conf names ('detail'); a detail with no such
 *              parent is open
 *   open       every other exception: one open break
 *
 * The open amount adds the open rows' absolute amounts (øre): a krone is
 * counted once, in the parent where a detail breaks it down.
 */
#ifndef OPENEXC_H
#define OPENEXC_H

#include <stddef.h>
#include "core/money.h"
#include "ingest/csvtable.h"
#include "match/reconconf.h"

enum exc_state { EXC_OPEN, EXC_EXPLAINED, EXC_IN_PARENT, EXC_DECIDED };

/* The state's word in the machine CSV (open, explained, detail, decided). */
const char *exc_state_word(int state);

/*
 * t: the exceptions (columns se, month, key, reason "code: ...", amount);
 * def: the recon's section, or NULL (every code a break); decided: one
 * byte per row, 1 where a standing decision explains it, or NULL (none).
 * state (or NULL) gets an enum exc_state per row; *n and *amount the open
 * rows and their absolute amounts. 0, or -1 when an amount is not one
 * (reported as path:line:column).
 */
int exc_states(const struct recon_def *def, const struct csvtable *t,
	       const unsigned char *decided, const char *path, unsigned char *state,
	       unsigned long *n, money_t *amount);

/*
 * decided[r] for each row of exc: 1 where the night's decisions file
 * (decisions/RECON.csv: id, decision, review) has a decision on its id
 * that stands: forklaret, accepteret or afskrevet with review empty (a
 * beloeb-aendret review keeps it open, flagged; genaabnet opens it
 * again). dec NULL: none. decided holds exc->nrows bytes.
 */
void exc_decided_from_file(const struct csvtable *exc, const struct csvtable *dec,
			   unsigned char *decided);

#endif
