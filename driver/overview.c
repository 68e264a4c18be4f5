/* pipeline overview: every municipality's night on one page (overview.h). */
#include "overview.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomicfile.h"
#include "core/csvout.h"
#include "core/date.h"
#include "core/exitcode.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "ingest/csvtable.h"
#include "run/conf.h"
#include "core/banned.h"

enum { MISSING_NAMED = 12 };	/* missing inputs named per municipality */

struct muni {
	char *name;
	const char *state;	/* done, failed, incomplete, not run, conf error */
	int exit;		/* the worst stage exit code, -1 unknown */
	unsigned stages, done;
	struct strbuf failed;	/* "fetch(69) normalise(65)" */
	unsigned long missing, breaks, exceptions, rejected;
	struct strbuf missing_inputs;
	char *report;		/* absolute path of report.html, or NULL */
};

static void overview_usage(int code)
{
	fputs("usage: pipeline overview --date YYYY-MM-DD [--root DIR] [--out DIR] [--quiet]\n"
	      "Gathers one night of every municipality into one page and one CSV:\n"
	      "OUT/overview-DATE.html and OUT/overview-DATE.csv (state of the night, failed\n"
	      "stages, missing inputs, BREAK rows, exceptions, rejected rows, a link to\n"
	      "each report.html). Reads OUT/DATE/ of each municipality's conf; no lock.\n"
	      "Options:\n"
	      "  --date D        the night, YYYY-MM-DD (required)\n"
	      "  --root DIR      one directory per municipality, each with its pipeline.conf\n"
	      "                  (default conf/municipalities)\n"
	      "  --out DIR       where the page and the CSV go (default .)\n"
	      "  --quiet         no table on stdout; --help this text\n"
	      "Exit: 0 every night done with exit 0 and nothing missing, 1 a night not run,\n"
	      "      incomplete, with missing inputs or a non-zero exit (65), 2 a night\n"
	      "      failed (or its conf is unreadable), 64 usage, 70 the page or CSV could\n"
	      "      not be written.\n",
	      code ? stderr : stdout);
}

/* Higher is worse, as bin/pipeline ranks a night's exit codes. */
static int severity(int code)
{
	switch (code) {
	case EXIT_DONE: return 0;
	case EXIT_BADDATA: return 1;
	case EXIT_UNREACHABLE: return 2;
	case EXIT_USAGE: return 3;
	case EXIT_LOCKED: return 4;
	default: return 5;
	}
}

static int read_table(const char *path, struct csvtable *t)
{
	FILE *f = fopen(path, "rb");
	int rc;
	if (!f)
		return -1;
	rc = csvtable_read(path, f, t);
	fclose(f);
	return rc;
}

/* OUT/DATE/status: the stages' states, exit codes, rejected rows. */
static void read_status(struct muni *m, const char *dir)
{
	struct strbuf p = STRBUF_INIT;
	struct csvtable t;
	int incomplete = 0, failed = 0;
	strbuf_addf(&p, "%s/status", dir);
	if (access(p.buf, F_OK) || read_table(p.buf, &t)) {
		m->state = "not run";
		strbuf_release(&p);
		return;
	}
	m->exit = 0;
	for (size_t r = 0; r < t.nrows; r++) {
		const char *st = csvtable_get(&t, r, csvtable_col(&t, "state"));
		int code = (int)strtol(csvtable_get(&t, r, csvtable_col(&t, "exit")), NULL, 10);
		m->stages++;
		m->rejected += strtoul(csvtable_get(&t, r, csvtable_col(&t, "rows_rejected")),
				       NULL, 10);
		if (severity(code) > severity(m->exit))
			m->exit = code;
		if (!strcmp(st, "done")) {
			m->done++;
		} else if (!strcmp(st, "failed")) {
			failed = 1;
			strbuf_addf(&m->failed, "%s%s(%d)", m->failed.len ? " " : "",
				    csvtable_get(&t, r, csvtable_col(&t, "stage")), code);
		} else {
			incomplete = 1;
		}
	}
	m->state = failed ? "failed" : incomplete ? "incomplete" : "done";
	csvtable_free(&t);
	strbuf_release(&p);
}

static int csv_name(const struct dirent *e)
{
	size_t n = strlen(e->d_name);
	return e->d_name[0] != '.' && n > 4 && !strcmp(e->d_name + n - 4, ".csv");
}

/* Every summary/ or exceptions/ CSV of the night, in name order. */
static void each_csv(struct muni *m, const char *dir, const char *sub,
		     void (*fn)(struct muni *, const struct csvtable *))
{
	struct strbuf p = STRBUF_INIT;
	struct dirent **names;
	int n;
	strbuf_addf(&p, "%s/%s", dir, sub);
	n = scandir(p.buf, &names, csv_name, alphasort);
	for (int i = 0; i < n; i++) {
		struct csvtable t;
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/%s/%s", dir, sub, names[i]->d_name);
		if (read_table(p.buf, &t) == 0) {
			fn(m, &t);
			csvtable_free(&t);
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	strbuf_release(&p);
}

/* A row whose status is none of the three that mean "the data was there"
 * is a missing input (MANGLER, or any status a later reconciliation adds):
 * counted, and the first few named. A reconciliation's one INGEN-DATA row
 * is not: a municipality that does not use it has none on every night,
 * and when its reports were expected the night's exit (66) says so. */
static void summary_rows(struct muni *m, const struct csvtable *t)
{
	int cst = csvtable_col(t, "status"), ckey = csvtable_col(t, "key");
	for (size_t r = 0; cst >= 0 && r < t->nrows; r++) {
		const char *st = csvtable_get(t, r, cst);
		if (ckey >= 0 && !strcmp(csvtable_get(t, r, ckey), "INGEN-DATA"))
			continue;
		if (!strcmp(st, "BREAK")) {
			m->breaks++;
		} else if (strcmp(st, "OK") && strcmp(st, "EXPLAINED")) {
			if (m->missing++ < MISSING_NAMED)
				strbuf_addf(&m->missing_inputs, "%s%s %s %s %s: %s",
					    m->missing_inputs.len ? ", " : "",
					    csvtable_get(t, r, csvtable_col(t, "recon")),
					    csvtable_get(t, r, csvtable_col(t, "se")),
					    csvtable_get(t, r, csvtable_col(t, "month")),
					    csvtable_get(t, r, csvtable_col(t, "key")), st);
			else if (m->missing == MISSING_NAMED + 1)
				strbuf_addstr(&m->missing_inputs, ", ...");
		}
	}
}

static void exception_rows(struct muni *m, const struct csvtable *t)
{
	m->exceptions += t->nrows;
}

static void gather(struct muni *m, const char *root, const char *date)
{
	struct strbuf p = STRBUF_INIT, dir = STRBUF_INIT;
	struct pipeline_conf c;
	char real[PATH_MAX];
	m->exit = -1;
	strbuf_addf(&p, "%s/%s/pipeline.conf", root, m->name);
	if (pipeline_conf_load(p.buf, &c)) {
		m->state = "conf error";
		m->exit = EXIT_USAGE;
		strbuf_release(&p);
		return;
	}
	strbuf_addf(&dir, "%s/%s", c.out, date);
	read_status(m, dir.buf);
	each_csv(m, dir.buf, "summary", summary_rows);
	each_csv(m, dir.buf, "exceptions", exception_rows);
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/report.html", dir.buf);
	if (realpath(p.buf, real))
		m->report = xstrdup(real);
	pipeline_conf_free(&c);
	strbuf_release(&p);
	strbuf_release(&dir);
}

static int muni_dir(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

/* The municipalities: ROOT's subdirectories with a pipeline.conf, by name. */
static int find_munis(const char *root, struct muni **out, size_t *n)
{
	struct dirent **names;
	struct strbuf p = STRBUF_INIT;
	int k = scandir(root, &names, muni_dir, alphasort);
	if (k < 0) {
		log_error("%s: %s (--root names the directory of the municipalities' conf "
			  "directories)", root, strerror(errno));
		return -1;
	}
	*out = xcalloc((size_t)k + 1, sizeof(**out));
	*n = 0;
	for (int i = 0; i < k; i++) {
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/%s/pipeline.conf", root, names[i]->d_name);
		if (!access(p.buf, F_OK)) {
			struct muni *m = &(*out)[(*n)++];
			m->name = xstrdup(names[i]->d_name);
			strbuf_init(&m->failed);
			strbuf_init(&m->missing_inputs);
		}
		free(names[i]);
	}
	free(names);
	strbuf_release(&p);
	return 0;
}

static void csv_num(struct strbuf *l, unsigned long v, int last)
{
	char b[32];
	snprintf(b, sizeof(b), "%lu", v);
	csvout_str(l, b, last);
}

static void write_csv(const struct muni *v, size_t n, const char *date, struct strbuf *out)
{
	strbuf_addstr(out, CSV_BOM "municipality;night;state;exit;stages;failed_stages;missing;"
		      "missing_inputs;breaks;exceptions;rejected;report\n");
	for (size_t i = 0; i < n; i++) {
		char b[32];
		csvout_str(out, v[i].name, 0);
		csvout_str(out, date, 0);
		csvout_str(out, v[i].state, 0);
		if (v[i].exit < 0)
			xstrlcpy(b, "", sizeof(b));
		else
			snprintf(b, sizeof(b), "%d", v[i].exit);
		csvout_str(out, b, 0);
		snprintf(b, sizeof(b), "%u/%u", v[i].done, v[i].stages);
		csvout_str(out, b, 0);
		csvout_str(out, v[i].failed.len ? v[i].failed.buf : "", 0);
		csv_num(out, v[i].missing, 0);
		csvout_str(out, v[i].missing_inputs.len ? v[i].missing_inputs.buf : "", 0);
		csv_num(out, v[i].breaks, 0);
		csv_num(out, v[i].exceptions, 0);
		csv_num(out, v[i].rejected, 0);
		csvout_str(out, v[i].report ? v[i].report : "", 1);
	}
}

static void esc(struct strbuf *h, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': strbuf_addstr(h, "&amp;"); break;
		case '<': strbuf_addstr(h, "&lt;"); break;
		case '>': strbuf_addstr(h, "&gt;"); break;
		case '"': strbuf_addstr(h, "&quot;"); break;
		default: strbuf_addch(h, *s);
		}
	}
}

static const char css[] =
	"body{font:15px/1.45 system-ui,'Segoe UI',Arial,sans-serif;color:#1b1b1b;"
	"margin:0 auto;max-width:1200px;padding:1.2em}h1{font-size:1.5em;margin:.2em 0}"
	"table{border-collapse:collapse;margin:.6em 0 1em;font-variant-numeric:tabular-nums}"
	"th,td{border:1px solid #bbb;padding:.25em .6em;vertical-align:top}"
	"th{background:#eef1f4;text-align:left}td.num{text-align:right;white-space:nowrap}"
	".st-done{background:#e3f4e1}.st-failed,.st-conf{background:#fbe0e0}"
	".st-incomplete,.st-missing{background:#fff4d6}.st-not{background:#eee}"
	"td.st{font-weight:600;white-space:nowrap}.note{color:#444;font-size:.92em}"
	"@page{size:A4 landscape;margin:12mm}"
	"@media print{body{max-width:none;padding:0;font-size:9pt}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}tr{break-inside:avoid}}";

static const char *state_class(const struct muni *m)
{
	if (!strcmp(m->state, "done"))
		return m->missing || m->exit ? "st-missing" : "st-done";
	if (!strcmp(m->state, "not run"))
		return "st-not";
	if (!strcmp(m->state, "conf error"))
		return "st-conf";
	return !strcmp(m->state, "failed") ? "st-failed" : "st-incomplete";
}

static void write_html(const struct muni *v, size_t n, const char *date, struct strbuf *h)
{
	size_t done = 0, failed = 0, other = 0;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v[i].state, "done") && !v[i].missing && !v[i].exit)
			done++;
		else if (!strcmp(v[i].state, "failed") || !strcmp(v[i].state, "conf error"))
			failed++;
		else
			other++;
	}
	strbuf_addf(h, "<!DOCTYPE html>\n<html lang=\"da\">\n<head>\n<meta charset=\"utf-8\">\n"
		    "<title>Oversigt %s</title>\n<style>%s</style>\n</head>\n<body>\n"
		    "<h1>Nattens afstemning %s: alle kommuner</h1>\n", date, css, date);
	strbuf_addf(h, "<p>%zu kommune(r): %zu færdige uden fejl og mangler, %zu fejlede, %zu "
		    "ikke færdige, med manglende data eller med exit-kode over 0.</p>\n", n, done,
		    failed, other);
	strbuf_addstr(h, "<p class=\"note\">Status: done = alle trin kørt; failed = et trin "
		      "fejlede (exit-kode i parentes); done med exit 65: alle trin kørt, men en "
		      "inputfil kunne ikke bruges (se afviste rækker og loggen); incomplete = et trin forældet, i gang eller "
		      "ikke kørt; not run = natten er ikke kørt. Mangler data: rækker i summary/ "
		      "hvis status ikke er OK, EXPLAINED eller BREAK. Undtagelser tælles, ikke "
		      "summeres: samme krone kan stå på en felt- og en personrække. Ingen "
		      "CPR-numre her.</p>\n");
	strbuf_addstr(h, "<table>\n<tr><th>Kommune</th><th>Status</th><th>Exit</th>"
		      "<th>Trin færdige</th><th>Fejlede trin</th><th>Mangler data</th>"
		      "<th>BREAK</th><th>Undtagelser</th><th>Afviste rækker</th>"
		      "<th>Rapport</th></tr>\n");
	for (size_t i = 0; i < n; i++) {
		const struct muni *m = &v[i];
		strbuf_addstr(h, "<tr><td>");
		esc(h, m->name);
		strbuf_addf(h, "</td><td class=\"st %s\">", state_class(m));
		esc(h, m->state);
		strbuf_addstr(h, "</td><td class=\"num\">");
		if (m->exit >= 0)
			strbuf_addf(h, "%d", m->exit);
		strbuf_addf(h, "</td><td class=\"num\">%u/%u</td><td>", m->done, m->stages);
		esc(h, m->failed.len ? m->failed.buf : "");
		strbuf_addf(h, "</td><td%s>", m->missing ? " class=\"st-missing\"" : "");
		if (m->missing) {
			strbuf_addf(h, "%lu: ", m->missing);
			esc(h, m->missing_inputs.buf);
		}
		strbuf_addf(h, "</td><td class=\"num\">%lu</td><td class=\"num\">%lu</td>"
			    "<td class=\"num\">%lu</td><td>", m->breaks, m->exceptions, m->rejected);
		if (m->report) {
			strbuf_addstr(h, "<a href=\"file://");
			esc(h, m->report);
			strbuf_addstr(h, "\">report.html</a>");
		}
		strbuf_addstr(h, "</td></tr>\n");
	}
	strbuf_addstr(h, "</table>\n</body>\n</html>\n");
}

static int overview_exit(const struct muni *v, size_t n)
{
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v[i].state, "failed") || !strcmp(v[i].state, "conf error"))
			return 2;
		if (strcmp(v[i].state, "done") || v[i].missing || v[i].exit)
			rc = 1;
	}
	return rc;
}

int cmd_overview(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "date", required_argument, NULL, 'd' }, { "root", required_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'o' }, { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *date = NULL, *root = "conf/municipalities", *outdir = ".";
	struct strbuf csv = STRBUF_INIT, html = STRBUF_INIT, p = STRBUF_INIT;
	struct muni *v = NULL;
	size_t n = 0;
	int32_t day;
	int ch, quiet = 0, rc;
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': date = optarg; break;
		case 'r': root = optarg; break;
		case 'o': outdir = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': overview_usage(0); return EXIT_DONE;
		default:
			log_error("unknown option '%s'", argv[optind - 1]);
			overview_usage(EXIT_USAGE);
			return EXIT_USAGE;
		}
	}
	if (optind != argc || !date || day_parse_iso(date, &day)) {
		log_error(optind != argc ? "unexpected argument" :
			  "--date YYYY-MM-DD is required and must be a real date");
		overview_usage(EXIT_USAGE);
		return EXIT_USAGE;
	}
	if (find_munis(root, &v, &n))
		return EXIT_USAGE;
	if (!n) {
		log_error("%s: no municipality (a directory with a pipeline.conf) there", root);
		free(v);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++)
		gather(&v[i], root, date);
	write_csv(v, n, date, &csv);
	write_html(v, n, date, &html);
	umask(027);
	strbuf_addf(&p, "%s/overview-%s.csv", outdir, date);
	rc = mkdirs(outdir, 0750) || atomic_write(p.buf, csv.buf, csv.len, 0640);
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/overview-%s.html", outdir, date);
	rc = rc || atomic_write(p.buf, html.buf, html.len, 0640);
	if (!quiet && !rc) {
		printf("%-12s %-10s %-11s %4s %7s %7s %6s %10s %8s  %s\n", "MUNICIPALITY", "NIGHT",
		       "STATE", "EXIT", "STAGES", "MISSING", "BREAKS", "EXCEPTIONS", "REJECTED",
		       "FAILED");
		for (size_t i = 0; i < n; i++) {
			char ex[16] = "-", st[24];
			if (v[i].exit >= 0)
				snprintf(ex, sizeof(ex), "%d", v[i].exit);
			snprintf(st, sizeof(st), "%u/%u", v[i].done, v[i].stages);
			printf("%-12s %-10s %-11s %4s %7s %7lu %6lu %10lu %8lu  %s\n", v[i].name,
			       date, v[i].state, ex, st, v[i].missing, v[i].breaks,
			       v[i].exceptions, v[i].rejected, v[i].failed.len ? v[i].failed.buf : "");
		}
		printf("overview of %zu municipalit%s: %s/overview-%s.html and .csv\n", n,
		       n == 1 ? "y" : "ies", outdir, date);
	}
	if (!rc)
		rc = overview_exit(v, n);
	else
		rc = EXIT_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].report);
		strbuf_release(&v[i].failed);
		strbuf_release(&v[i].missing_inputs);
	}
	free(v);
	strbuf_release(&csv);
	strbuf_release(&html);
	strbuf_release(&p);
	return rc;
}
