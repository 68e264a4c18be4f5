#include "run/nightstatus.h"

#include <stdio.h>
#include <string.h>

#include "core/csvout.h"
#include "store/ledger.h"
#include "core/banned.h"

static void status_line(struct strbuf *t, const char *stage, const struct ledger_entry *e)
{
	char num[32];
	csvout_str(t, stage, 0);
	csvout_str(t, e->state, 0);
	snprintf(num, sizeof(num), "%d", e->exit_code);
	csvout_str(t, num, 0);
#define NUM(v) snprintf(num, sizeof(num), "%llu", (unsigned long long)(v)), csvout_str(t, num, 0)
	NUM(e->rows_in);
	NUM(e->rows_out);
	NUM(e->rows_rejected);
#undef NUM
	csvout_str(t, e->input, 0);
	csvout_str(t, e->output, 0);
	csvout_str(t, e->error, 1);
}

int night_status_text(struct store *st, MDB_txn *txn, const struct pipeline_conf *c,
		      const char *night, const char *upto, struct strbuf *out)
{
	strbuf_addstr(out, "stage;state;exit;rows_in;rows_out;rows_rejected;"
		      "input;output;note\n");
	for (int i = 0; i < c->nstages; i++) {
		struct ledger_entry e;
		int rc;
		if (upto && !strcmp(c->stages[i].name, upto))
			break;
		rc = ledger_get(st, txn, night, c->stages[i].name, &e);
		if (rc < 0)
			return -1;
		if (rc == 1) {
			memset(&e, 0, sizeof(e));
			xstrlcpy(e.state, "not run", sizeof(e.state));
		}
		status_line(out, c->stages[i].name, &e);
	}
	return 0;
}
