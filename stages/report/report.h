/*
 * The night's report, OUT/DATE/report.html: one self-contained page (inline
 * CSS and SVG, no scripts, no external request) for a finance clerk, built
 * only from the files the night (and earlier nights under OUT) wrote, so a
 * new reconciliation appears without a code change. In order:
 *   - the verdict on the night's inputs (its exit code), one line;
 *   - what changed since the previous night (the latest earlier OUT/D with
 *     exceptions/ files): per reconciliation with data tonight, the open
 *     breaks that are new, closed, or changed amount, joined on the
 *     exception id (match/recon.h: stable across nights); a first night
 *     says so;
 *   - an overview: per reconciliation its worst row (OK / EXPLAINED /
 *     BREAK / MANGLER, or no data tonight), its rows by status, and its
 *     open breaks and their amount, each krone counted once (at the level
 *     of the exceptions: conf/reconciliations.conf says which explain their
 *     row and which are details of another; a decision that explains one,
 *     OUT/DATE/decisions/RECON.csv, takes it out). Ordered: open breaks (or
 *     rows missing data) by open amount, largest first; explained; OK; no
 *     data tonight last, where its overview line is all it gets;
 *   - per reconciliation with data, in that order: the summary table in the
 *     guide's shape (labels from conf/report.conf), one per SE and month,
 *     status colours; the exceptions with amount and age (open ones tinted,
 *     CPR masked DDMMYY-xxxx; the full rows are in the exception file it
 *     links to); the decided ones apart (decision, by, at, note; review
 *     beloeb-aendret flagged); the lists and rates of conf/report.conf; a
 *     chart of the open breaks' amount (line, markers, its own band and
 *     axis) and count (bars, below) over the last trend-nights nights;
 *   - what came in: each source (OUT/DATE/sources.csv), each
 *     reconciliation's reports had and the required ones missing
 *     (inputs/RECON.csv), the rejected input rows per rejected/ file (before
 *     the sections when the inputs are not in order, else after them);
 *   - the night's other files, one line per directory.
 * Amounts are Danish (1.278.002,64). Every text is HTML-escaped, anything
 * CPR-shaped in it masked. Column labels and status words go through
 * report.c's term() and status_text(). The bytes depend only on the files
 * read (no clock): a rerun gives the same file. Prints on few A4 landscape
 * pages (@media print: compact, no forced page breaks).
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "core/digest.h"
#include "core/strbuf.h"
#include "ingest/reportconf.h"

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
 * Where the page goes: written to fp as it is rendered (a night's summary
 * has a row per key, so the page is never held whole), each byte also
 * into dg (the ledger's digest of the page). Write errors stay in fp's
 * error flag (atomic_commit() sees them).
 */
struct report_out {
	FILE *fp;
	struct digest_ctx *dg;
};

/*
 * Renders the report of night (YYYYMMDD) from outroot (OUT) into out.
 * roles (conf/reconciliations.conf, or NULL: every exception open) says
 * what each exception code counts as; expected_missing: a matching stage
 * had no data tonight though it had before (its ledger exit 66). Sets
 * st->verdict. 0, or -1 reported (a night file that cannot be read or has
 * a malformed amount, naming file and line; stage-report exits 65).
 */
struct recon_conf;
int report_render(const char *outroot, int32_t night, const struct report_conf *rc,
		  const struct recon_conf *roles, int expected_missing,
		  struct report_out *out, struct report_stats *st);

/* Appends s with & < > " ' escaped. */
void html_escape(struct strbuf *sb, const char *s);

#endif
