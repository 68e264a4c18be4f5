/*
 * What every stage program shares: its command line, configuration, the
 * lock on the state directory and the store. A stage's main() is
 *
 *     struct stage_ctx ctx;
 *     int rc = stage_init(&ctx, "normalise", argc, argv, 0);
 *     if (rc) return rc;            // usage, lock or setup: already reported
 *     rc = normalise_night(&ctx);   // the one function that does the work
 *     stage_fini(&ctx);
 *     return rc;
 *
 * Command line of every stage (bin/stage-NAME, and bin/pipeline passes it):
 *   --date YYYY-MM-DD  [--conf FILE] [--drops DIR] [--state DIR] [--out DIR]
 *   [--wait] [--quiet] [--verbose] [--help]
 * (--help: struct stage_help below.)
 */
#ifndef STAGE_H
#define STAGE_H

#include "store/catalog.h"
#include "store/ledger.h"
#include "store/store.h"
#include "run/conf.h"

struct stage_opts {
	const char *date;	/* YYYY-MM-DD */
	const char *conf;
	const char *drops, *state, *out;
	int wait;
	int level;
};

struct stage_ctx {
	const char *name;
	struct stage_opts opts;
	int32_t night;		/* YYYYMMDD */
	struct pipeline_conf conf;
	struct catalog cat;
	struct store store;
	char started[32];
	char outdir[4096];	/* <out>/<date> */
	char upstream[65];	/* what the stage reads, as the ledger had it at start */
	char setup[65];
};

enum stage_flags {
	STAGE_NO_STORE = 1,	/* the stage does not open the store */
};

/* Parses options, loads conf/schemas, locks, opens the store. 0 or an exit code. */
int stage_init(struct stage_ctx *ctx, const char *name, int argc, char **argv,
	       unsigned flags);
void stage_fini(struct stage_ctx *ctx);
/*
 * Ends a stage that stage_init() started: when the stage's ledger entry
 * still says "running" (it stopped before recording its result, e.g.
 * exit 65 on a file it could not use), records "failed" with the exit
 * code, so neither `pipeline status` nor OUT/DATE/status says running
 * for a stage that is gone. Then stage_fini(). Returns rc.
 */
int stage_end(struct stage_ctx *ctx, int rc);
/*
 * Records "failed" for stage on night when its entry says "running" (a
 * stage that ended without its result: killed, or exited early); note
 * says how it ended. For the holder of the state lock only. 1 marked,
 * 0 nothing to mark, -1 error (reported).
 */
int stage_mark_failed(struct store *st, const char *night, const char *stage,
		      int exit_code, const char *note);

/*
 * A stage's own --help text. Each stage program defines one, beside its
 * main():
 *
 *     const struct stage_help stage_help = {
 *             "What the stage does, what it reads and writes.\n",
 *             "Exit: 0 done, 64 ..., 70 internal error, 75 locked.\n",
 *     };
 *
 * --help prints the synopsis, `about`, the common options and `exits`;
 * README's "Each program's --help" holds each program's text, and
 * tests/t0020-help.sh compares them. A program without one (weak symbol)
 * prints the common text only.
 */
struct stage_help {
	const char *about;	/* lines ending in \n */
	const char *exits;	/* "Exit: ..." lines */
};
extern const struct stage_help stage_help __attribute__((weak));

/* The lines of --help that list the common options. */
extern const char stage_common_options[];

/* Parses the common options (also used by bin/pipeline); 0, or EXIT_USAGE. */
int stage_parse_opts(int argc, char **argv, struct stage_opts *o,
		     void (*usage)(int));

/* Fills the common parts of a ledger entry for this stage run. */
void stage_ledger_entry(const struct stage_ctx *ctx, struct ledger_entry *e,
			const char *state, int exit_code);
/* Puts the entry in a transaction of its own (for stages whose data is
 * already committed). 0, or -1 reported. */
int stage_ledger_commit(struct stage_ctx *ctx, const struct ledger_entry *e);
/*
 * What a rerun compares with the ledger to say why a stage's inputs
 * changed: the digest of every file in the conf and schemas directories,
 * and the digest of the outputs of the stages it runs after (their ledger
 * entries for the night, in conf order). 0, or -1 reported.
 */
int stage_setup_digest(const struct pipeline_conf *c, char out[65]);
int stage_upstream_digest(struct store *st, MDB_txn *txn, const char *night,
			  const struct stage_rule *r, char out[65]);

/* Path under <out>/<date>/. */
void stage_out_path(const struct stage_ctx *ctx, const char *rel, struct strbuf *out);

#endif
