/*
 * conf/reconciliations.conf (match/reconconf.h): the shipped file loads and
 * declares every reconciliation; roles of exception codes, keys a report
 * line is for, totals; every malformed line is refused naming file:line.
 */
#include <fcntl.h>

#include "match/reconconf.h"
#include "test.h"

/* A text that must be refused, with an error naming the file and the line. */
static void refused(const char *text, int line, const char *why)
{
	struct recon_conf c;
	char msg[1024], want[128];
	struct test_capture cap;
	const char *path = test_text_file(text);
	snprintf(want, sizeof(want), "%s:%d:", path, line);
	test_stderr_start(&cap);
	CHECK(reconconf_load(path, &c) == -1, "refused: %s", why);
	unlink(path);
	test_stderr_stop(&cap, msg, sizeof(msg));
	CHECK(strstr(msg, want) != NULL, "%s: the error names %s: %s", why, want, msg);
}

static void test_shipped(void)
{
	static const char *const recons[] = { "ky-eindkomst", "skat-afregning", "ky-finans",
					      "ky-yr", "nemkonto", "debitor", "faktura" };
	struct recon_conf c;
	const struct recon_def *d;
	const struct recon_detail *det = NULL;
	CHECK(reconconf_load("conf/reconciliations.conf", &c) == 0, "the shipped conf loads");
	for (size_t i = 0; i < sizeof(recons) / sizeof(*recons); i++)
		CHECK(reconconf_find(&c, recons[i]) != NULL, "declares %s", recons[i]);
	CHECK(reconconf_find(&c, "nope") == NULL, "an unknown recon is not found");
	d = reconconf_find(&c, "ky-eindkomst");
	CHECK(d && recon_code_role(d, "cpr-difference", &det) == EXC_DETAIL && det &&
	      !strcmp(det->parent, "unexplained") && !det->key,
	      "a person's difference details its field's rest");
	CHECK(d && recon_code_role(d, "unexplained", NULL) == EXC_BREAK, "the rest is open");
	CHECK(d && recon_is_total(d, "TOTAL") && !recon_is_total(d, "0014"), "TOTAL adds up");
	d = reconconf_find(&c, "skat-afregning");
	CHECK(d && recon_code_role(d, "rente", NULL) == EXC_EXPLAINS, "rente explains its row");
	det = NULL;
	CHECK(d && recon_code_role(d, "hensaettelse-ne-ky", &det) == EXC_DETAIL && det &&
	      !strcmp(det->parent, "unexplained") && !det->key,
	      "a provision that differs from KY's sum is counted in its row's rest");
	d = reconconf_find(&c, "ky-eindkomst");
	CHECK(d && recon_code_role(d, "detaljer-ne-sum", NULL) == EXC_DETAIL &&
	      recon_code_role(d, "ukendt-status", NULL) == EXC_DETAIL &&
	      recon_code_role(d, "afviste-ne-fejlede", NULL) == EXC_BREAK,
	      "KY's details against its sum, unknown lines: in the field's rest");
	d = reconconf_find(&c, "ky-finans");
	CHECK(d && recon_code_role(d, "afventer-svar", NULL) == EXC_DETAIL &&
	      recon_code_role(d, "afviste-ne-fejlede", NULL) == EXC_DETAIL &&
	      recon_code_role(d, "sumfinans-ikke-0", NULL) == EXC_BREAK,
	      "postings not answered, rejected ones the failed report lacks: in TOTAL's rest");
	{
		struct strbuf sb = STRBUF_INIT;
		d = reconconf_find(&c, "mellemkommunal-refusion-ind");
		CHECK(d && !strcmp(recon_stage(d, &sb), "match-refusion"),
		      "'stage': refusion's recons are written by match-refusion");
		d = reconconf_find(&c, "nemkonto");
		CHECK(d && !strcmp(recon_stage(d, &sb), "match-nemkonto"),
		      "no 'stage': match-NAME");
		strbuf_release(&sb);
	}
	d = reconconf_find(&c, "faktura");
	CHECK(d && recon_code_role(d, "afvist", NULL) == EXC_EXPLAINS &&
	      recon_code_role(d, "afvist-men-betalt", NULL) == EXC_BREAK,
	      "an invoice KY rejected explains its row; paid anyway it is open");
	det = NULL;
	CHECK(d && recon_code_role(d, "konto-difference", &det) == EXC_DETAIL && det &&
	      !strcmp(det->parent, "*") && det->key && !strcmp(det->key, "*"),
	      "an account's difference is counted in the invoices' breaks");
	d = reconconf_find(&c, "nemkonto");
	for (int k = 0; d && k < d->nreports; k++) {
		const struct recon_report *r = &d->reports[k];
		if (!strcmp(r->store, "ky.udbetaling_sum")) {
			CHECK(recon_report_applies(r, "SUM-UDBETALINGER") &&
			      !recon_report_applies(r, "0106"), "keys: only those keys");
		}
		if (!strcmp(r->store, "erp.posting")) {
			CHECK(!recon_report_applies(r, "SUM-UDBETALINGER") &&
			      recon_report_applies(r, "0106") && r->scope == SCOPE_ANY &&
			      r->need == NEED_REQUIRED && r->side == SIDE_BOTH,
			      "except: every key but those; scope any, required, both sides");
		}
	}
	reconconf_free(&c);
}

static void test_stores(void)
{
	static const char *const right[] = { "a.x", "b.y" };
	static const char *const extra[] = { "a.x", "b.y", "c.z" };
	static const char *const fewer[] = { "a.x" };
	struct recon_conf c;
	const char *path = test_text_file("recon r\n"
					  "  report a.x \"A\" required left month\n"
					  "  report b.y \"B\" optional check month keys K\n");
	int rc = reconconf_load(path, &c);
	CHECK(rc == 0, "a small conf loads");
	if (!rc) {
		const struct recon_def *d = reconconf_find(&c, "r");
		int saved = dup(2), null = open("/dev/null", O_WRONLY);
		CHECK(reconconf_check_stores(&c, d, right, 2) == 0, "the stores the stage reads");
		fflush(stderr);
		dup2(null, 2);
		CHECK(reconconf_check_stores(&c, d, extra, 3) == -1,
		      "a store the stage reads that the conf does not declare");
		CHECK(reconconf_check_stores(&c, d, fewer, 1) == -1,
		      "a declared store the stage does not read");
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
		close(null);
		reconconf_free(&c);
	}
	unlink(path);
}

int main(void)
{
	test_shipped();
	test_stores();
	refused("report a.x \"A\" required left month\n", 1, "a report before any recon");
	refused("recon r\n  report a.x \"A\" required left month\nrecon r\n"
		"  report a.x \"A\" required left month\n", 3, "a recon given twice");
	refused("recon r\n  report a.x \"A\" needed left month\n", 2, "need neither word");
	refused("recon r\n  report a.x \"A\" required up month\n", 2, "an unknown side");
	refused("recon r\n  report a.x \"A\" required left week\n", 2, "an unknown scope");
	refused("recon r\n  report a.x \"A\" required left month keys\n", 2, "keys naming none");
	refused("recon r\n  report a.x \"A\" required left month\n  bogus x\n", 3,
		"an unknown directive");
	refused("recon r\n  report a.x \"A\" required left month\n  detail a of a\n", 3,
		"a detail of itself");
	refused("recon r\n  report a.x \"A\" required left month\n  explains a\n"
		"  detail b of a\n", 4, "a detail of an explaining code");
	refused("recon r\n  report a.x \"A\" required left month\n  explains a\n"
		"  detail a of b\n", 4, "a code given two roles");
	refused("recon r\n  report a.x \"A\" required left month\n  total T\n  total T\n", 4,
		"a total given twice");
	refused("recon r\n  explains a\n", 1, "a recon without a report");
	refused("recon r\n  report a.x \"A\" required left month\n  stage s\n  stage t\n", 4,
		"a stage given twice");
	refused("recon r\n  report a.x \"A\" required left month\n  stage\n", 3,
		"a stage naming none");
	return test_done();
}
