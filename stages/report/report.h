/*
 * The night's report, OUT/DATE/report.html: one self-contained page (inline
 * CSS and SVG, no scripts, no external request) for a finance clerk, built
 * only from the files the night wrote, so a new reconciliation appears
 * without a code change:
 *   - it opens with what arrived and what did not: the verdict on the
 *     night's inputs (its exit code), each source (OUT/DATE/sources.csv:
 *     reached or not, files), each reconciliation's reports had and the
 *     required ones missing (inputs/RECON.csv), the rejected input rows
 *     per rejected/ file with a link;
 *   - an overview: per reconciliation its worst row (OK / EXPLAINED /
 *     BREAK / MANGLER, or no data tonight), its rows by status, and its
 *     open breaks and their amount, each krone counted once (at the level
 *     of the exceptions: conf/reconciliations.conf says which explain their
 *     row and which are details of another);
 *   - per reconciliation (every OUT/DATE/summary/RECON.csv and
 *     exceptions/RECON.csv)
 *     the summary table in the guide's shape (labels from conf/report.conf),
 *     one table per SE and month, status colours; the open breaks with
 *     amount and age (CPR masked DDMMYY-xxxx; the full rows are in the
 *     exception file it links to); a chart of open breaks and their amount
 *     over the last trend-nights nights (OUT/D/exceptions/RECON.csv);
 *   - links to the night's vouchers/ and rejected/ files, when present.
 * Amounts are Danish (1.278.002,64). Every text is HTML-escaped. The bytes
 * depend only on the files read (no clock): a rerun gives the same file.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdint.h>

#include "core/digest.h"
#include "core/strbuf.h"
#include "reportconf.h"

/* At most this many open breaks per reconciliation are listed in the page. */
enum { REPORT_MAX_BREAKS = 200 };

struct report_stats {
	unsigned long recons, rows_read;
	/* what came in: sources.csv, rejected/, the summaries */
	unsigned long files, unreachable, rejected, rejected_files, missing_rows;
	int no_sources, empty, expected_missing;
	int verdict;		/* the night's exit code by README's rule: 0, 65, 66, 69 */
	/* of the night's summary and exception files, the earlier nights'
	 * exception files the trend reads, and the vouchers/ and rejected/ names */
	char input[DIGEST_HEXSZ];
};

/*
 * Renders the report of night (YYYYMMDD) from outroot (OUT) into html.
 * roles (conf/reconciliations.conf, or NULL: every exception open) says
 * what each exception code counts as; expected_missing: a matching stage
 * had no data tonight though it had before (its ledger exit 66). Sets
 * st->verdict. 0, or -1 reported (a night file that cannot be read or has
 * a malformed amount, naming file and line; stage-report exits 65).
 */
struct recon_conf;
int report_render(const char *outroot, int32_t night, const struct report_conf *rc,
		  const struct recon_conf *roles, int expected_missing,
		  struct strbuf *html, struct report_stats *st);

/* Appends s with & < > " ' escaped. */
void html_escape(struct strbuf *sb, const char *s);

#endif
