/*
 * Which exceptions are open (match/openexc.h), the one rule the report,
 * the workbook, `pipeline exceptions` and the demo's overview share: a
 * code that explains its row, a detail with and without its parent
 * (named, '*', under the conf's key), a standing decision and the ones
 * that do not stand (beloeb-aendret, genaabnet); the open amount counted
 * once, numerically; a bad amount refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "match/openexc.h"
#include "test.h"

static const char conf[] =
	"recon r\n"
	"  report erp.posting \"ERP\" required both month\n"
	"  explains rente\n"
	"  detail konto-difference of systemfejl key TOTAL\n"
	"  detail cpr-difference of * key *\n";

static const char exc[] =
	"id;se;month;key;amount;reason\n"
	"0000000000000001;1;2025-06;TOTAL;100,00;systemfejl: x\n"
	"0000000000000002;1;2025-06;0013;-100,00;konto-difference: x\n"
	"0000000000000003;1;2025-05;0013;50,00;konto-difference: no parent this month\n"
	"0000000000000004;1;2025-06;X;30,00;rente: explains its row\n"
	"0000000000000005;1;2025-06;Y;-20,00;dublet: decided\n"
	"0000000000000006;1;2025-06;Z;7,00;cpr-difference: any open break\n"
	"0000000000000007;2;2025-06;Z;-8,00;cpr-difference: none in SE 2\n";

/* decisions/RECON.csv: one that stands, one flagged, one reopened */
static const char dec[] =
	"id;decision;by;at;note;decided_amount;amount;review\n"
	"0000000000000001;accepteret;AB;t;n;90,00;100,00;beloeb-aendret\n"
	"0000000000000003;genaabnet;AB;t;n;50,00;50,00;\n"
	"0000000000000005;forklaret;AB;t;n;-20,00;-20,00;\n";

int main(void)
{
	struct recon_conf c;
	struct csvtable t, d;
	const char *p;
	unsigned char decided[8], state[8];
	unsigned long n;
	money_t amount;
	char bad[] = "id;se;month;key;amount;reason\n1;1;2025-06;K;1,0x;dublet: x\n";

	p = test_text_file(conf);
	CHECK(reconconf_load(p, &c) == 0, "the conf loads");
	unlink(p);
	p = test_text_file(exc);
	CHECK(csvtable_read(p, NULL, &t) == 0, "the exceptions read");
	unlink(p);
	p = test_text_file(dec);
	CHECK(csvtable_read(p, NULL, &d) == 0, "the decisions read");
	unlink(p);

	exc_decided_from_file(&t, &d, decided);
	CHECK(!decided[0] && !decided[2] && decided[4] && !decided[1],
	      "only forklaret with review empty stands (beloeb-aendret, genaabnet do not)");
	CHECK(exc_states(reconconf_find(&c, "r"), &t, decided, "exc.csv", state, &n, &amount) == 0,
	      "states");
	CHECK(state[0] == EXC_OPEN, "systemfejl with a flagged decision: open (%d)", state[0]);
	CHECK(state[1] == EXC_IN_PARENT, "konto-difference under TOTAL's systemfejl: detail (%d)",
	      state[1]);
	CHECK(state[2] == EXC_OPEN, "a detail with no parent that month, reopened: open (%d)",
	      state[2]);
	CHECK(state[3] == EXC_EXPLAINED, "rente explains its row (%d)", state[3]);
	CHECK(state[4] == EXC_DECIDED, "dublet decided (%d)", state[4]);
	CHECK(state[5] == EXC_IN_PARENT, "'*': any open break of the SE and month (%d)", state[5]);
	CHECK(state[6] == EXC_OPEN, "'*' with no break in its SE: open (%d)", state[6]);
	CHECK(n == 3 && amount == 10000 + 5000 + 800, "3 open, 158,00 numerically (%lu, %lld)", n,
	      (long long)amount);
	CHECK(exc_states(NULL, &t, NULL, "exc.csv", NULL, &n, &amount) == 0 && n == 7 &&
	      amount == 10000 + 10000 + 5000 + 3000 + 2000 + 700 + 800,
	      "no conf section, no decisions: every exception open");
	CHECK(!strcmp(exc_state_word(EXC_IN_PARENT), "detail") &&
	      !strcmp(exc_state_word(EXC_DECIDED), "decided"), "the state words");
	csvtable_free(&t);

	p = test_text_file(bad);
	CHECK(csvtable_read(p, NULL, &t) == 0, "the bad file reads");
	unlink(p);
	printf("# expected: an amount error at bad.csv:2:5\n");
	CHECK(exc_states(NULL, &t, NULL, "bad.csv", state, &n, &amount) == -1, "a bad amount refused");
	csvtable_free(&t);
	csvtable_free(&d);
	reconconf_free(&c);
	return test_done();
}
