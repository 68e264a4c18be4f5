/*
 * bin/pipeline: the driver. Runs the night's stages (conf 'stage' lines)
 * as bin/stage-NAME under one lock, reruns a stage and what depends on
 * it, and reports the ledger.
 *
 *   pipeline run    --date D [--conf F] [--drops DIR] [--state DIR] [--out DIR] [--wait]
 *   pipeline rerun  STAGE --date D [--dry-run] [same options]
 *   pipeline status [--date D] [--conf F] [--state DIR]
 *   pipeline check-store [--conf F] [--state DIR] [--out DIR] [--hash] [--quiet|--verbose]
 *   pipeline overview --date D [--root DIR] [--out DIR]     (overview.c)
 *   pipeline decide ID --as WORD --note TEXT --by INITIALS  (decide.c)
 *   pipeline exceptions [--open|--decided] [--recon R]      (decide.c)
 *   pipeline archive ...                                    (archive.c)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/atomicfile.h"
#include "core/date.h"
#include "core/digest.h"
#include "core/exitcode.h"
#include "core/log.h"
#include "store/ledger.h"
#include "run/conf.h"
#include "run/lock.h"
#include "run/nightstatus.h"
#include "run/paths.h"
#include "run/stage.h"
#include "post/voucherstore.h"
#include "run/outfile.h"
#include "archive/sealed.h"
#include "archive.h"
#include "decide.h"
#include "overview.h"
#include "storecheck.h"
#include "core/banned.h"

static char bindir[4096] = ".";

static int stage_prog(const struct dirent *e)
{
	return !strncmp(e->d_name, "stage-", 6);
}

/* The stages --help names: those of conf/pipeline.conf (the default conf,
 * from the working directory), else the stage programs beside bin/pipeline. */
static void usage_stages(FILE *f)
{
	struct pipeline_conf c;
	struct dirent **progs = NULL;
	int col = 2, loaded, n = 0;
	loaded = access("conf/pipeline.conf", R_OK) == 0 &&
		 pipeline_conf_load("conf/pipeline.conf", &c) == 0;
	if (!loaded)
		n = scandir(bindir, &progs, stage_prog, alphasort);
	fputs(loaded ? "Stages, in the order of conf/pipeline.conf (bin/stage-NAME --help says what\n"
	      "each does; rerun STAGE redoes it and the stages after it):\n " :
	      "Stages: the 'stage' lines of the conf; the programs here:\n ", f);
	for (int i = 0; i < (loaded ? c.nstages : n); i++) {
		const char *name = loaded ? c.stages[i].name : progs[i]->d_name + 6;
		int w = (int)strlen(name) + 1;
		if (col + w > 78) {
			fputs("\n ", f);
			col = 2;
		}
		fprintf(f, " %s", name);
		col += w;
	}
	fputc('\n', f);
	if (loaded)
		pipeline_conf_free(&c);
	for (int i = 0; i < n; i++)
		free(progs[i]);
	free(progs);
}

static void usage(int code)
{
	FILE *f = code ? stderr : stdout;
	fputs("usage: pipeline run    --date YYYY-MM-DD [--conf FILE] [--drops DIR] "
	      "[--state DIR] [--out DIR] [--wait]\n"
	      "       pipeline rerun  STAGE --date YYYY-MM-DD [--dry-run] [same options]\n"
	      "       pipeline status [--date YYYY-MM-DD] [--conf FILE] [--state DIR]\n"
	      "       pipeline check-store [--conf FILE] [--state DIR] [--out DIR] [--hash]\n"
	      "                            [--quiet|--verbose]\n"
	      "       pipeline overview --date YYYY-MM-DD [--root DIR] [--out DIR] "
	      "(overview --help)\n"
	      "       pipeline archive list|show|verify|extract|search ... (archive --help)\n"
	      "       pipeline decide ID --as forklaret|accepteret|afskrevet|genaabnet --note TEXT\n"
	      "                       --by INITIALS [--date D] [--conf FILE] [--state DIR]\n"
	      "                       [--out DIR] [--wait]  (decide --help)\n"
	      "       pipeline decide --file DECISIONS.csv [--date D] [--conf FILE] [--state DIR]\n"
	      "                       [--out DIR] [--wait]\n"
	      "       pipeline exceptions [--open|--decided] [--recon R] [--date D] [--show-cpr]\n"
	      "                           [--conf FILE] [--state DIR] [--out DIR]  (exceptions --help)\n"
	      "Runs the nightly reconciliation of one state directory: each stage as its own\n"
	      "program, in conf order, under one lock; reruns a stage and what runs after it;\n"
	      "reports the run ledger; checks the store; gathers many municipalities' nights.\n",
	      f);
	usage_stages(f);
	fputs(stage_common_options, f);
	fputs("  --dry-run       (rerun) say what would be redone and why; change nothing\n"
	      "  --hash          (check-store) also hash every landed file\n"
	      "Exit (run, rerun): 0 done, 64 usage (also: root on a state another user owns),\n"
	      "  65 bad input data, 69 source unreachable, 70 internal error, 75 state locked\n"
	      "  by another run.\n"
	      "Exit (status): 0 all done, 1 something stale or not run, 2 something failed,\n"
	      "  3 a live run is running (nothing failed).\n"
	      "Exit (check-store): 0 no problem, 1 problems (one line each), 64 usage,\n"
	      "  70 the store could not be read.\n"
	      "Exit (decide): 0 recorded, 64 usage, 65 the decisions file has errors, 66 no\n"
	      "  night has run, 67 unknown exception id, 70 internal, 75 a night is running;\n"
	      "  nothing is recorded unless 0. (exceptions): 0, 64, 66, 70.\n",
	      f);
}

/*
 * Higher wins: what the night's exit code says when stages disagree
 * (README "Commands"): a failure of the run itself over an unreachable
 * source, over rejected input, over missing reports, over done.
 */
static int severity(int code)
{
	switch (code) {
	case EXIT_DONE: return 0;
	case EXIT_NOINPUT: return 1;
	case EXIT_BADDATA: return 2;
	case EXIT_UNREACHABLE: return 3;
	case EXIT_USAGE: return 4;
	case EXIT_LOCKED: return 5;
	default: return 6;
	}
}

/* The night goes on after these: the clerk sees what could be made. */
static int goes_on(int code)
{
	return code == EXIT_DONE || code == EXIT_BADDATA || code == EXIT_UNREACHABLE ||
	       code == EXIT_NOINPUT;
}

static void add_arg(char **argv, int *argc, const char *a)
{
	argv[(*argc)++] = (char *)a;
}

/* Runs bin/stage-NAME; its exit code. *sig: the signal that killed it, or 0. */
static int run_stage(const char *name, const struct stage_opts *o, int *sig)
{
	char prog[4200], fdbuf[16];
	char *argv[20];
	int argc = 0, status;
	pid_t pid;

	snprintf(prog, sizeof(prog), "%s/stage-%s", bindir, name);
	add_arg(argv, &argc, prog);
	add_arg(argv, &argc, "--date");
	add_arg(argv, &argc, o->date);
	add_arg(argv, &argc, "--conf");
	add_arg(argv, &argc, o->conf);
	if (o->drops)
		add_arg(argv, &argc, "--drops"), add_arg(argv, &argc, o->drops);
	if (o->state)
		add_arg(argv, &argc, "--state"), add_arg(argv, &argc, o->state);
	if (o->out)
		add_arg(argv, &argc, "--out"), add_arg(argv, &argc, o->out);
	if (o->level == 0)
		add_arg(argv, &argc, "--quiet");
	if (o->level == 2)
		add_arg(argv, &argc, "--verbose");
	argv[argc] = NULL;
	snprintf(fdbuf, sizeof(fdbuf), "%d", lock_fd());
	fflush(NULL);
	if ((pid = fork()) < 0) {
		log_error("unable to start %s: %s", prog, strerror(errno));
		return EXIT_INTERNAL;
	}
	if (pid == 0) {
		setenv("PIPELINE_LOCK_FD", fdbuf, 1);
		execv(prog, argv);
		log_error("unable to run %s: %s", prog, strerror(errno));
		_exit(EXIT_INTERNAL);
	}
	*sig = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return EXIT_INTERNAL;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	*sig = WTERMSIG(status);
	log_error("%s killed by signal %d", prog, *sig);
	return EXIT_INTERNAL;
}

struct setup {
	struct stage_opts o;
	struct pipeline_conf conf;
	struct catalog cat;
	struct store store;
};

static int setup_load(struct setup *s, int lock)
{
	struct strbuf p = STRBUF_INIT;
	int rc;
	if (pipeline_conf_load(s->o.conf, &s->conf))
		return EXIT_USAGE;
	store_set_map_size(s->conf.store_map_size);
	if (s->o.state) {
		free(s->conf.state);
		s->conf.state = xstrdup(s->o.state);
	}
	if (s->o.out) {
		free(s->conf.out);
		s->conf.out = xstrdup(s->o.out);
	}
	strbuf_addf(&p, "%s/stores", s->conf.schemas);
	rc = catalog_load(p.buf, &s->cat);
	strbuf_release(&p);
	if (rc)
		return EXIT_USAGE;
	if (lock && paths_setup(&s->conf))	/* before OUT/DATE/status is written */
		return EXIT_USAGE;
	if (lock && (rc = lock_state(s->conf.state, s->o.wait)))
		return rc == 1 ? EXIT_LOCKED : rc == 2 ? EXIT_USAGE : EXIT_INTERNAL;
	return 0;
}

static void setup_free(struct setup *s)
{
	store_close(&s->store);
	catalog_free(&s->cat);
	pipeline_conf_free(&s->conf);
}

static int write_status_file(struct setup *s)
{
	struct strbuf text = STRBUF_INIT, path = STRBUF_INIT;
	MDB_txn *txn;
	int rc;
	if (store_begin(&s->store, MDB_RDONLY, &txn))
		return -1;
	rc = night_status_text(&s->store, txn, &s->conf, s->o.date, NULL, &text);
	mdb_txn_abort(txn);
	if (rc == 0) {
		strbuf_addf(&path, "%s/%s/status", s->conf.out, s->o.date);
		rc = atomic_write(path.buf, text.buf, text.len, 0640);
	}
	strbuf_release(&text);
	strbuf_release(&path);
	return rc;
}

/*
 * Runs the given stages in conf order; a failure that leaves later stages
 * nothing to read stops the chain. Bad data (65), missing reports (66) and
 * an unreachable source (69) do not: the night goes on with what did
 * arrive, so the clerk sees the reconciliations that could be made (what
 * is missing shows as MANGLER), and status marks what ran after a failure
 * stale. Returns the night's exit code (severity()).
 */
static int run_stages(struct setup *s, const int *selected)
{
	int worst = EXIT_DONE, last = -1, last_rc = 0, last_sig = 0;
	for (int i = 0; i < s->conf.nstages; i++) {
		int rc, sig;
		if (!selected[i])
			continue;
		rc = run_stage(s->conf.stages[i].name, &s->o, &sig);
		last = i, last_rc = rc, last_sig = sig;
		if (severity(rc) > severity(worst))
			worst = rc;
		if (!goes_on(rc)) {
			log_error("%s: stage %s failed (exit %d); later stages not run",
				  s->o.date, s->conf.stages[i].name, rc);
			break;
		}
	}
	if (store_open(&s->store, s->conf.state, &s->cat))
		return EXIT_INTERNAL;
	/* A stage killed by a signal could not record that it failed; under
	 * our lock, its "running" entry is certainly dead. */
	if (last >= 0 && (last_sig || last_rc)) {
		char note[64];
		if (last_sig)
			snprintf(note, sizeof(note), "killed by signal %d", last_sig);
		else
			snprintf(note, sizeof(note), "exit %d before its result was recorded",
				 last_rc);
		if (stage_mark_failed(&s->store, s->o.date, s->conf.stages[last].name,
				      last_rc, note) < 0)
			return EXIT_INTERNAL;
	}
	if (write_status_file(s))
		return EXIT_INTERNAL;
	return worst;
}

/* The stage and, transitively, every stage that runs after it. */
static int select_rerun(const struct pipeline_conf *c, const char *stage, int *sel)
{
	int found = 0;
	for (int i = 0; i < c->nstages; i++) {
		sel[i] = !strcmp(c->stages[i].name, stage);
		found |= sel[i];
		for (int k = 0; k < c->stages[i].nafter && !sel[i]; k++)
			for (int j = 0; j < i; j++)
				if (sel[j] && !strcmp(c->stages[j].name, c->stages[i].after[k]))
					sel[i] = 1;
	}
	return found ? 0 : -1;
}

struct entry {
	char night[11];
	char stage[64];
	struct ledger_entry e;
};

struct entries {
	struct entry *v;
	size_t n;
};

static int collect(const char *night, const char *stage, const struct ledger_entry *e,
		   void *data)
{
	struct entries *es = data;
	es->v = xrealloc(es->v, (es->n + 1) * sizeof(*es->v));
	xstrlcpy(es->v[es->n].night, night, sizeof(es->v[es->n].night));
	xstrlcpy(es->v[es->n].stage, stage, sizeof(es->v[es->n].stage));
	es->v[es->n++].e = *e;
	return 0;
}

static const struct ledger_entry *find(const struct entries *es, const char *night,
				       const char *stage)
{
	for (size_t i = 0; i < es->n; i++)
		if (!strcmp(es->v[i].night, night) && !strcmp(es->v[i].stage, stage))
			return &es->v[i].e;
	return NULL;
}

/* Whether a live run holds the state's lock (lock_probe()), for judge(). */
static int live_run;

/*
 * done; stale (an upstream stage ran after it, or it never ran); running
 * (its entry says so and a live run holds the lock); failed (it failed,
 * or says running with no run alive: it was killed).
 */
static const char *judge(const struct pipeline_conf *c, const struct entries *es,
			 const char *night, int i)
{
	const struct stage_rule *r = &c->stages[i];
	const struct ledger_entry *e = find(es, night, r->name);
	if (!e)
		return "not run";
	if (!strcmp(e->state, "running") && live_run)
		return "running";
	if (strcmp(e->state, "done"))
		return "failed";
	for (int k = 0; k < r->nafter; k++) {
		const struct ledger_entry *u = find(es, night, r->after[k]);
		int j;
		for (j = 0; j < c->nstages && strcmp(c->stages[j].name, r->after[k]); j++)
			;
		if (!u || ledger_ran_before(e, u) ||
		    strcmp(judge(c, es, night, j), "done"))
			return "stale";
	}
	return "done";
}

/* Higher wins: failed over running over stale/not run over done. */
static int status_rank(int code)
{
	switch (code) {
	case STATUS_DONE: return 0;
	case STATUS_STALE: return 1;
	case STATUS_RUNNING: return 2;
	default: return 3;
	}
}

static int print_night(const struct setup *s, const struct entries *es, const char *night)
{
	int worst = STATUS_DONE;
	for (int i = 0; i < s->conf.nstages; i++) {
		const char *st = judge(&s->conf, es, night, i);
		const struct ledger_entry *e = find(es, night, s->conf.stages[i].name);
		int code = !strcmp(st, "done") ? STATUS_DONE : !strcmp(st, "failed") ?
			   STATUS_FAILED : !strcmp(st, "running") ? STATUS_RUNNING :
			   STATUS_STALE;
		if (status_rank(code) > status_rank(worst))
			worst = code;
		printf("%-10s  %-22s %-8s %-20s %9llu %9llu %9llu  %s\n", night,
		       s->conf.stages[i].name, st, e ? e->finished : "-",
		       e ? (unsigned long long)e->rows_in : 0ULL,
		       e ? (unsigned long long)e->rows_out : 0ULL,
		       e ? (unsigned long long)e->rows_rejected : 0ULL, e ? e->error : "");
	}
	return worst;
}

static int print_voucher(const struct voucher *v, void *data)
{
	char total[MONEY_BUFSZ];
	money_t debit, credit;
	voucher_balance(v, &debit, &credit);
	printf("%-10s  %-36s %-8s %12s  %s\n", (const char *)data, v->id,
	       v->reverses[0] ? "reversal" : "voucher", money_format(debit, total), v->reference);
	return 0;
}

/* The vouchers issued on the night, with their debit totals. */
static int print_vouchers(struct setup *s)
{
	MDB_txn *txn;
	int32_t night;
	int rc;
	if (day_parse_iso(s->o.date, &night) || store_begin(&s->store, MDB_RDONLY, &txn))
		return -1;
	printf("\n%-10s  %-36s %-8s %12s  %s\n", "DATE", "VOUCHER", "KIND", "DEBIT", "REFERENCE");
	rc = voucher_each_of_night(&s->store, txn, night, print_voucher, (void *)s->o.date);
	mdb_txn_abort(txn);
	return rc;
}

static int print_outfile(const struct outfile_info *f, void *data)
{
	int *n = data;
	if (!(*n)++)
		printf("\n%-10s  %-48s %9s %9s  %s\n", "DATE", "OUTGOING", "BYTES", "ROWS", "STAGE");
	printf("%-10s  %-48s %9llu %9llu  %s\n", f->night, f->rel, f->size, f->rows, f->stage);
	return 0;
}

/* The outgoing files of the night (run/outfile.h), when it sent any. */
static int print_outfiles(struct setup *s)
{
	MDB_txn *txn;
	int n = 0, rc;
	if (store_begin(&s->store, MDB_RDONLY, &txn))
		return -1;
	rc = outfile_each(&s->store, txn, s->o.date, print_outfile, &n);
	mdb_txn_abort(txn);
	return rc;
}

static int cmd_status(struct setup *s)
{
	struct entries es = { NULL, 0 };
	MDB_txn *txn;
	int worst = STATUS_DONE;
	int rc;
	live_run = lock_probe(s->conf.state) == 1;
	/* Read-only: status never waits for a live run's writer, never creates. */
	rc = store_open_readonly(&s->store, s->conf.state, &s->cat);
	if (rc == 1) {
		printf("%s: no store: no night has run with this state directory\n",
		       s->conf.state);
		return STATUS_STALE;
	}
	if (rc || store_begin(&s->store, MDB_RDONLY, &txn))
		return EXIT_INTERNAL;
	if (ledger_each(&s->store, txn, s->o.date, collect, &es)) {
		mdb_txn_abort(txn);
		return EXIT_INTERNAL;
	}
	mdb_txn_abort(txn);
	printf("%-10s  %-22s %-8s %-20s %9s %9s %9s  %s\n", "DATE", "STAGE", "STATE",
	       "FINISHED", "ROWS_IN", "ROWS_OUT", "REJECTED", "NOTE");
	if (s->o.date && !es.n)
		worst = print_night(s, &es, s->o.date);
	for (size_t i = 0; i < es.n; i++) {
		int w;
		if (i && !strcmp(es.v[i].night, es.v[i - 1].night))
			continue;
		w = print_night(s, &es, es.v[i].night);
		if (status_rank(w) > status_rank(worst))
			worst = w;
	}
	free(es.v);
	if (s->o.date && (print_vouchers(s) || print_outfiles(s)))
		return EXIT_INTERNAL;
	/* A live run: what it has not reached yet is not a failure to page for. */
	if (live_run) {
		printf("\na run holds the lock of %s now: stages it has not reached show "
		       "as they were\n", s->conf.state);
		if (worst != STATUS_FAILED)
			worst = STATUS_RUNNING;
	}
	return worst;
}

/* Why a stage's inputs are not what its last run read, from the ledger. */
static void print_changes(struct setup *s, MDB_txn *txn, const struct stage_rule *r,
			  const struct ledger_entry *e, const char *setup)
{
	char up[DIGEST_HEXSZ];
	int changed = 0;
	if (strcmp(setup, e->setup)) {
		printf("  configuration changed: conf/ or schemas/ differ from the last run\n");
		changed = 1;
	}
	if (r->nafter && !stage_upstream_digest(&s->store, txn, s->o.date, r, up) &&
	    strcmp(up, e->upstream)) {
		printf("  inputs changed: the output of");
		for (int k = 0; k < r->nafter; k++)
			printf(" %s", r->after[k]);
		printf(" is not what it read (%.12s, now %.12s)\n", e->upstream, up);
		changed = 1;
	}
	if (!r->nafter)
		printf("  reads the sources: their digest is compared when it runs\n");
	else if (!changed)
		printf("  inputs unchanged since the last run\n");
}

static int cmd_dry_run(struct setup *s, const int *sel, const char *stage)
{
	struct entries es = { NULL, 0 };
	char setup[DIGEST_HEXSZ];
	MDB_txn *txn;
	int rc;
	live_run = lock_probe(s->conf.state) == 1;
	if (stage_setup_digest(&s->conf, setup))
		return EXIT_INTERNAL;
	rc = store_open_readonly(&s->store, s->conf.state, &s->cat);
	if (rc == 1) {
		for (int i = 0; i < s->conf.nstages; i++)
			if (sel[i])
				printf("would redo %s for %s: %s; never run\n", s->conf.stages[i].name,
				       s->o.date, !strcmp(s->conf.stages[i].name, stage) ?
				       "asked for" : "runs after a redone stage");
		return EXIT_DONE;
	}
	if (rc || store_begin(&s->store, MDB_RDONLY, &txn))
		return EXIT_INTERNAL;
	ledger_each(&s->store, txn, s->o.date, collect, &es);
	for (int i = 0; i < s->conf.nstages; i++) {
		const struct stage_rule *r = &s->conf.stages[i];
		const struct ledger_entry *e = find(&es, s->o.date, r->name);
		if (!sel[i])
			continue;
		printf("would redo %s for %s: %s", r->name, s->o.date,
		       !strcmp(r->name, stage) ? "asked for" : "runs after a redone stage");
		if (!e) {
			printf("; never run\n");
			continue;
		}
		printf("; last run %s, %s, input %.12s, output %.12s\n", e->finished,
		       judge(&s->conf, &es, s->o.date, i), e->input, e->output);
		print_changes(s, txn, r, e, setup);
	}
	mdb_txn_abort(txn);
	free(es.v);
	return EXIT_DONE;
}

/*
 * Checks the store read-only (storecheck.h). The vouchers' XML files are
 * checked in --out, else in the conf's out when the state is the conf's
 * too (an out directory of another state would not match).
 */
static int cmd_check_store(struct setup *s, int hash)
{
	struct storecheck_opts o = { s->conf.state, NULL, hash || s->o.level >= 2,
				     s->o.level, stdout };
	struct storecheck_counts c;
	if (s->o.date || s->o.drops || s->o.wait) {
		log_error("check-store takes no --date, --drops or --wait");
		usage(EXIT_USAGE);
		return EXIT_USAGE;
	}
	o.out = s->o.out ? s->o.out : s->o.state ? NULL : s->conf.out;
	if (!o.out && s->o.level >= 1)
		printf("check-store: %s: note: vouchers' XML files not checked (no --out for "
		       "this --state)\n", s->conf.state);
	fflush(stdout);
	if (storecheck_run(&s->cat, &o, &c))
		return EXIT_INTERNAL;
	fflush(stdout);
	return c.problems ? 1 : EXIT_DONE;
}

/*
 * The stages sit beside bin/pipeline; PIPELINE_BINDIR names another
 * directory (make check VALGRIND=1 runs them through wrappers there).
 */
static void find_bindir(void)
{
	const char *env = getenv("PIPELINE_BINDIR");
	ssize_t n;
	char *slash;
	if (env && *env) {
		xstrlcpy(bindir, env, sizeof(bindir));
		return;
	}
	n = readlink("/proc/self/exe", bindir, sizeof(bindir) - 1);
	if (n <= 0) {
		xstrlcpy(bindir, ".", sizeof(bindir));
		return;
	}
	bindir[n] = '\0';
	if ((slash = strrchr(bindir, '/')))
		*slash = '\0';
}

/* Takes --dry-run out of argv (only rerun knows it). */
static int take_flag(int *argc, char **argv, const char *flag)
{
	int found = 0, j = 0;
	for (int i = 0; i < *argc; i++) {
		if (!strcmp(argv[i], flag))
			found = 1;
		else
			argv[j++] = argv[i];
	}
	*argc = j;
	argv[j] = NULL;
	return found;
}

/* Whether the ledger has an entry of stage for the night. */
static int ran(const struct entries *es, const char *night, const char *stage)
{
	return find(es, night, stage) != NULL;
}

/*
 * A rerun redoes a stage of a night that ran: every stage it reads
 * (its 'after' stages, and theirs, that are not redone) must have run
 * for the night. Otherwise it would read nothing and the archive would
 * seal a partial night: refused (64), naming the first such stage. 0 or
 * EXIT_USAGE (reported), EXIT_INTERNAL.
 */
static int rerun_refused(struct setup *s, const int *sel, const char *stage)
{
	struct entries es = { NULL, 0 };
	struct store st = { 0 };
	int *need = xcalloc((size_t)s->conf.nstages, sizeof(*need));
	int rc = store_open_readonly(&st, s->conf.state, &s->cat), grew = 1, missing = -1;
	MDB_txn *txn;
	if (rc == 0 && !store_begin(&st, MDB_RDONLY, &txn)) {
		rc = ledger_each(&st, txn, s->o.date, collect, &es) ? -1 : 0;
		mdb_txn_abort(txn);
	} else if (rc == 0) {
		rc = -1;
	}
	store_close(&st);
	if (rc < 0) {
		free(need);
		return EXIT_INTERNAL;
	}
	for (int i = 0; i < s->conf.nstages; i++)
		need[i] = sel[i];
	while (grew) {		/* what the redone stages read, transitively */
		grew = 0;
		for (int i = 0; i < s->conf.nstages; i++)
			for (int k = 0; need[i] && k < s->conf.stages[i].nafter; k++)
				for (int j = 0; j < s->conf.nstages; j++)
					if (!need[j] && !strcmp(s->conf.stages[j].name,
								s->conf.stages[i].after[k]))
						need[j] = grew = 1;
	}
	for (int i = 0; i < s->conf.nstages && missing < 0; i++)
		if (need[i] && !sel[i] && !ran(&es, s->o.date, s->conf.stages[i].name))
			missing = i;
	if (!es.n)
		log_error("rerun %s: night %s never ran; run it whole first: pipeline run "
			  "--date %s", stage, s->o.date, s->o.date);
	else if (missing >= 0)
		log_error("rerun %s: night %s never ran %s, which it reads; run the night "
			  "whole first (pipeline run --date %s) or rerun %s", stage, s->o.date,
			  s->conf.stages[missing].name, s->o.date, s->conf.stages[missing].name);
	rc = !es.n || missing >= 0 ? EXIT_USAGE : 0;
	free(es.v);
	free(need);
	return rc;
}

static int cmd_run(struct setup *s, const char *stage, int dry_run)
{
	int32_t night;
	char today[DATE_BUFSZ];
	int *sel, rc;
	if (!s->o.date || day_parse_iso(s->o.date, &night)) {
		log_error("--date YYYY-MM-DD is required and must be a real date");
		usage(EXIT_USAGE);
		return EXIT_USAGE;
	}
	/* A mistyped night must not run at all: no stage, no ledger entry, no lock. */
	if (night > day_today()) {
		log_error("%s: the night is after today (%s): refused, nothing was run",
			  s->o.date, day_format(day_today(), today));
		return EXIT_USAGE;
	}
	if ((rc = setup_load(s, !dry_run)))
		return rc;
	sel = xcalloc((size_t)s->conf.nstages, sizeof(*sel));
	if (stage && select_rerun(&s->conf, stage, sel)) {
		log_error("unknown stage '%s' (see 'stage' lines in %s)", stage, s->conf.path);
		free(sel);
		return EXIT_USAGE;
	}
	for (int i = 0; !stage && i < s->conf.nstages; i++)
		sel[i] = 1;
	if (stage && (rc = rerun_refused(s, sel, stage))) {
		free(sel);
		return rc;
	}
	umask(027);
	rc = dry_run ? cmd_dry_run(s, sel, stage) : run_stages(s, sel);
	if (!dry_run)
		log_info("%s: night %s, exit %d", s->o.date, rc ? "finished with problems" : "done", rc);
	free(sel);
	return rc;
}

int main(int argc, char **argv)
{
	struct setup s;
	const char *cmd = argc > 1 ? argv[1] : NULL, *stage = NULL;
	int rc, dry_run, hash;

	log_init("pipeline");
	find_bindir();
	memset(&s, 0, sizeof(s));
	if (!cmd || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(cmd ? EXIT_DONE : EXIT_USAGE);
		return cmd ? EXIT_DONE : EXIT_USAGE;
	}
	argc--, argv++;
	if (!strcmp(cmd, "archive"))
		return cmd_archive(argc - 1, argv + 1);
	if (!strcmp(cmd, "overview"))
		return cmd_overview(argc, argv);
	if (!strcmp(cmd, "decide"))
		return cmd_decide(argc, argv);
	if (!strcmp(cmd, "exceptions"))
		return cmd_exceptions(argc, argv);
	dry_run = take_flag(&argc, argv, "--dry-run");
	hash = !strcmp(cmd, "check-store") && take_flag(&argc, argv, "--hash");
	if (!strcmp(cmd, "rerun")) {
		if (argc < 2 || argv[1][0] == '-') {
			log_error("rerun needs a STAGE");
			usage(EXIT_USAGE);
			return EXIT_USAGE;
		}
		stage = argv[1];
		argc--, argv++;
	}
	if ((dry_run && !stage) ||
	    (strcmp(cmd, "run") && strcmp(cmd, "rerun") && strcmp(cmd, "status") &&
	     strcmp(cmd, "check-store"))) {
		log_error("unknown command '%s'%s", cmd, dry_run ? " with --dry-run" : "");
		usage(EXIT_USAGE);
		return EXIT_USAGE;
	}
	if ((rc = stage_parse_opts(argc, argv, &s.o, usage)))
		return rc;
	if (optind != argc) {
		log_error("unexpected argument '%s'", argv[optind]);
		usage(EXIT_USAGE);
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "status"))
		rc = (rc = setup_load(&s, 0)) ? rc : cmd_status(&s);
	else if (!strcmp(cmd, "check-store"))
		rc = (rc = setup_load(&s, 0)) ? rc : cmd_check_store(&s, hash);
	else
		rc = cmd_run(&s, stage, dry_run);
	setup_free(&s);
	return rc;
}
