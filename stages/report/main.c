/*
 * bin/stage-report: writes OUT/DATE/report.html from the night's summary
 * and exception files (stages/report/report.h), labels from conf/report.conf.
 */
#include <stdio.h>
#include <string.h>

#include "core/atomicfile.h"
#include "core/digest.h"
#include "core/exitcode.h"
#include "core/log.h"
#include "run/stage.h"
#include "match/reconconf.h"
#include "run/terms.h"
#include "report.h"
#include "core/banned.h"

static int record(struct stage_ctx *ctx, const char *sha, const struct report_stats *st)
{
	struct ledger_entry e;
	stage_ledger_entry(ctx, &e, "done", st->verdict);
	xstrlcpy(e.input, st->input, sizeof(e.input));
	xstrlcpy(e.output, sha, sizeof(e.output));
	e.rows_in = st->rows_read;
	e.rows_out = st->recons;
	if (st->verdict)
		snprintf(e.error, sizeof(e.error), "inputs not in order (exit %d): %lu source(s) "
			 "unreachable, %lu rejected row(s), %lu row(s) missing data%s", st->verdict,
			 st->unreachable, st->rejected, st->missing_rows,
			 st->empty ? ", empty night" : "");
	return stage_ledger_commit(ctx, &e);
}

struct expect {
	const char *night;
	int missing;
};

/* A matching stage of the night that exited 66: its reports are expected, none came. */
static int match_missing(const char *night, const char *stage, const struct ledger_entry *e,
			 void *data)
{
	struct expect *x = data;
	if (!strcmp(night, x->night) && !strncmp(stage, "match-", 6) &&
	    !strcmp(e->state, "done") && e->exit_code == EXIT_NOINPUT &&
	    !strncmp(e->error, "ingen data", 10))
		x->missing = 1;
	return 0;
}

static int expected_missing(struct stage_ctx *ctx, int *missing)
{
	struct expect x = { ctx->opts.date, 0 };
	MDB_txn *txn;
	int rc;
	if (store_begin(&ctx->store, MDB_RDONLY, &txn))
		return -1;
	rc = ledger_each(&ctx->store, txn, ctx->opts.date, match_missing, &x);
	mdb_txn_abort(txn);
	*missing = x.missing;
	return rc < 0 ? -1 : 0;
}

/*
 * Exit: the night's verdict on its inputs (report.h): 0, 65 rejected
 * rows, 66 missing reports or an empty night, 69 an unreachable source;
 * the page is written either way. 64 a bad conf, 65 a night file it
 * cannot read, 70 internal.
 */
static int report_night(struct stage_ctx *ctx)
{
	struct report_conf rc;
	struct recon_conf roles;
	struct report_stats st;
	struct strbuf p = STRBUF_INIT;
	struct atomic_file af;
	struct report_out out;
	char sha[DIGEST_HEXSZ];
	int rc_ = EXIT_DONE, missing = 0;
	conf_sibling(&ctx->conf, "report.conf", &p);
	if (report_conf_load(p.buf, &rc)) {
		strbuf_release(&p);
		return EXIT_USAGE;
	}
	conf_sibling(&ctx->conf, "terms.conf", &p);
	if (terms_load(p.buf)) {
		report_conf_free(&rc);
		strbuf_release(&p);
		return EXIT_USAGE;
	}
	conf_sibling(&ctx->conf, "reconciliations.conf", &p);
	if (reconconf_load(p.buf, &roles)) {
		report_conf_free(&rc);
		strbuf_release(&p);
		return EXIT_USAGE;
	}
	stage_out_path(ctx, "report.html", &p);
	if (expected_missing(ctx, &missing) || atomic_open(&af, p.buf, 0640)) {
		rc_ = EXIT_INTERNAL;
	} else {
		/* written as it is rendered: the page grows with the summaries */
		out.fp = af.fp;
		out.dg = digest_new();
		if (report_render(ctx->conf.out, ctx->night, &rc, &roles, missing, &out, &st))
			rc_ = EXIT_BADDATA;	/* a night file that cannot be used: reported */
		digest_finish(out.dg, sha);
		if (rc_ != EXIT_DONE)
			atomic_abort(&af);
		else if (atomic_commit(&af) || record(ctx, sha, &st))
			rc_ = EXIT_INTERNAL;
	}
	if (rc_ == EXIT_DONE) {
		log_info("%s: report.html, %lu reconciliation(s), %lu rows read", ctx->opts.date,
			 st.recons, st.rows_read);
		if (st.verdict)
			log_info("%s: the night's inputs are not in order (exit %d): %lu source(s) "
				 "unreachable, %lu rejected row(s), %lu row(s) missing data%s",
				 ctx->opts.date, st.verdict, st.unreachable, st.rejected,
				 st.missing_rows, st.empty ? ", no reconciliation had data" : "");
		rc_ = st.verdict;
	}
	report_conf_free(&rc);
	reconconf_free(&roles);
	terms_unload();
	strbuf_release(&p);
	return rc_;
}

/* --help (run/stage.h). */
const struct stage_help stage_help = {
	"Writes OUT/DATE/report.html, the night's report for the finance clerk: one\n"
	"self-contained page from every summary/ and exceptions/ file\n"
	"(conf/report.conf).\n",
	"Exit: 0 done, 64 usage or configuration, 70 internal error, 75 locked.\n",
};

int main(int argc, char **argv)
{
	struct stage_ctx ctx;
	int rc;
	log_init("stage-report");
	if ((rc = stage_init(&ctx, "report", argc, argv, 0)))
		return rc;
	rc = report_night(&ctx);
	return stage_end(&ctx, rc);
}
