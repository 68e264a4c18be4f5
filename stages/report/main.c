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
#include "report.h"
#include "core/banned.h"

static int record(struct stage_ctx *ctx, const struct strbuf *html,
		  const struct report_stats *st)
{
	struct ledger_entry e;
	stage_ledger_entry(ctx, &e, "done", EXIT_DONE);
	xstrlcpy(e.input, st->input, sizeof(e.input));
	digest_buf(html->buf, html->len, e.output);
	e.rows_in = st->rows_read;
	e.rows_out = st->recons;
	return stage_ledger_commit(ctx, &e);
}

static int report_night(struct stage_ctx *ctx)
{
	struct report_conf rc;
	struct report_stats st;
	struct strbuf p = STRBUF_INIT, html = STRBUF_INIT;
	int rc_ = EXIT_DONE;
	conf_sibling(&ctx->conf, "report.conf", &p);
	if (report_conf_load(p.buf, &rc)) {
		strbuf_release(&p);
		return EXIT_USAGE;
	}
	if (report_render(ctx->conf.out, ctx->night, &rc, &html, &st))
		rc_ = EXIT_BADDATA;	/* a night file that cannot be used: reported */
	stage_out_path(ctx, "report.html", &p);
	if (rc_ == EXIT_DONE && (atomic_write(p.buf, html.buf, html.len, 0640) ||
				 record(ctx, &html, &st)))
		rc_ = EXIT_INTERNAL;
	if (rc_ == EXIT_DONE)
		log_info("%s: report.html, %lu reconciliation(s), %lu rows read", ctx->opts.date,
			 st.recons, st.rows_read);
	report_conf_free(&rc);
	strbuf_release(&p);
	strbuf_release(&html);
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
