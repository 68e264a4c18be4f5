/*
 * bin/pipeline overview: one night of every municipality on one page.
 *
 *   pipeline overview --date D [--root DIR] [--out DIR] [--quiet]
 *
 * ROOT (default conf/municipalities) holds one directory per municipality
 * (its name, usually the SE number), each with its own pipeline.conf
 * (README, "Many municipalities"). For each, the overview reads what the
 * night left in OUT/DATE/, whatever engine ran it (systemd, Slurm,
 * Kubernetes, by hand):
 *   - status: the stages' states and exit codes (run/nightstatus.h); the
 *     night is "done", "failed" (a stage failed), "incomplete" (a stage
 *     stale, running or not run) or "not run" (no OUT/DATE/status);
 *   - summary/NAME.csv, generically by column name: rows by their `status`;
 *     a status other than OK, EXPLAINED and BREAK (e.g. MANGLER) is a
 *     missing input and is named (recon, SE, month, key, status);
 *   - exceptions/NAME.csv: the open exception rows (counted, not summed: the
 *     same krone can stand on a field row and on its persons' rows);
 *   - the rows rejected (status) and the link to report.html.
 * It writes OUT/overview-DATE.html (one self-contained page: inline CSS,
 * no script, no network; no CPR number: only counts and names) and
 * OUT/overview-DATE.csv (UTF-8 with BOM, ';'):
 *   municipality;night;state;exit;stages;failed_stages;missing;
 *   missing_inputs;breaks;exceptions;rejected;report
 * and prints one line per municipality. It reads only: no lock, no store.
 *
 * Exit: 0 every municipality's night done with exit 0, nothing missing; 1 a
 * night not run, incomplete, with missing inputs or done with a non-zero
 * exit (65: an input file could not be used); 2 a night failed (or its
 * conf cannot be read); 64 usage; 70 the files could not be written.
 */
#ifndef OVERVIEW_H
#define OVERVIEW_H

/* argv[0] is "overview". The exit code. */
int cmd_overview(int argc, char **argv);

#endif
