#include "run/stage.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/atomicfile.h"
#include "core/date.h"
#include "core/digest.h"
#include "core/exitcode.h"
#include "core/log.h"
#include "core/version.h"
#include "run/lock.h"
#include "run/paths.h"
#include "core/banned.h"

/* The options every stage takes; bin/pipeline's run and rerun take them too. */
const char stage_common_options[] =
	"Options:\n"
	"  --date D        the night, YYYY-MM-DD (required)\n"
	"  --conf FILE     pipeline.conf (default conf/pipeline.conf)\n"
	"  --drops DIR     the local directory source (default: the conf's drops)\n"
	"  --state DIR     store, run ledger, lock (default: the conf's state)\n"
	"  --out DIR       the night's outputs go to OUT/DATE/ (default: the conf's out)\n"
	"  --wait          wait for another run's lock (says once for what) instead\n"
	"                  of exit 75\n"
	"  --quiet, --verbose  less or more on stderr; --help this text\n";

static void stage_usage(int code)
{
	FILE *f = code ? stderr : stdout;
	const char *about = &stage_help ? stage_help.about :
			    "Runs one stage of the nightly reconciliation for one night.\n";
	fprintf(f, "usage: %s --date YYYY-MM-DD [--conf FILE] [--drops DIR] "
		"[--state DIR] [--out DIR]\n"
		"       [--wait] [--quiet] [--verbose]\n", log_prog());
	fputs(about, f);
	fputs(stage_common_options, f);
	fputs(&stage_help ? stage_help.exits :
	      "Exit: 0 done, 64 usage, 65 bad input data, 69 source unreachable,\n"
	      "      70 internal error, 75 state directory locked by another run.\n", f);
}

int stage_parse_opts(int argc, char **argv, struct stage_opts *o, void (*usage)(int))
{
	static const struct option longopts[] = {
		{ "date", required_argument, NULL, 'd' },
		{ "conf", required_argument, NULL, 'c' },
		{ "drops", required_argument, NULL, 'D' },
		{ "state", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "wait", no_argument, NULL, 'w' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	memset(o, 0, sizeof(*o));
	o->conf = "conf/pipeline.conf";
	o->level = 1;
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': o->date = optarg; break;
		case 'c': o->conf = optarg; break;
		case 'D': o->drops = optarg; break;
		case 's': o->state = optarg; break;
		case 'o': o->out = optarg; break;
		case 'w': o->wait = 1; break;
		case 'q': o->level = 0; break;
		case 'v': o->level = 2; break;
		case 'h': usage(0); exit(EXIT_DONE);
		default:
			log_error("unknown option '%s'", argv[optind - 1]);
			usage(EXIT_USAGE);
			return EXIT_USAGE;
		}
	}
	log_set_level(o->level);
	return 0;
}

static int apply_overrides(struct stage_ctx *ctx)
{
	struct pipeline_conf *c = &ctx->conf;
	if (ctx->opts.drops) {
		free(c->drops);
		c->drops = xstrdup(ctx->opts.drops);
	}
	if (ctx->opts.state) {
		free(c->state);
		c->state = xstrdup(ctx->opts.state);
	}
	if (ctx->opts.out) {
		free(c->out);
		c->out = xstrdup(ctx->opts.out);
	}
	return 0;
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* name NUL sha NUL for every regular file of dir, sorted by name. */
static int digest_dir(struct digest_ctx *d, const char *dir)
{
	struct dirent **names;
	struct strbuf p = STRBUF_INIT;
	int n = scandir(dir, &names, NULL, name_cmp), rc = 0;
	if (n < 0) {
		log_error("unable to read %s: %s", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char sha[DIGEST_HEXSZ];
		uint64_t size;
		struct stat sb;
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/%s", dir, names[i]->d_name);
		if (rc == 0 && !stat(p.buf, &sb) && S_ISREG(sb.st_mode)) {
			if (digest_file(p.buf, sha, &size)) {
				log_error("unable to read %s: %s", p.buf, strerror(errno));
				rc = -1;
			}
			digest_update(d, names[i]->d_name, strlen(names[i]->d_name) + 1);
			digest_update(d, sha, sizeof(sha));
		}
		free(names[i]);
	}
	free(names);
	strbuf_release(&p);
	return rc;
}

int stage_setup_digest(const struct pipeline_conf *c, char out[DIGEST_HEXSZ])
{
	struct digest_ctx *d = digest_new();
	int rc = digest_dir(d, c->dir) || (c->defaults && digest_dir(d, c->defaults)) ||
		 digest_dir(d, c->schemas) ? -1 : 0;
	digest_finish(d, out);
	return rc;
}

int stage_upstream_digest(struct store *st, MDB_txn *txn, const char *night,
			  const struct stage_rule *r, char out[DIGEST_HEXSZ])
{
	struct digest_ctx *d = digest_new();
	int rc = 0;
	for (int i = 0; i < r->nafter && rc >= 0; i++) {
		struct ledger_entry e;
		rc = ledger_get(st, txn, night, r->after[i], &e);
		digest_update(d, r->after[i], strlen(r->after[i]) + 1);
		if (rc == 0)
			digest_update(d, e.output, sizeof(e.output));
	}
	digest_finish(d, out);
	return rc < 0 ? -1 : 0;
}

/*
 * The ledger says "running" until the stage's own entry replaces it: a
 * stage killed half-way shows as not done, and what runs after it as stale.
 */
int stage_ledger_commit(struct stage_ctx *ctx, const struct ledger_entry *e)
{
	MDB_txn *txn;
	if (store_begin(&ctx->store, 0, &txn))
		return -1;
	if (ledger_put(&ctx->store, txn, ctx->opts.date, ctx->name, e)) {
		mdb_txn_abort(txn);
		return -1;
	}
	return store_commit(txn);
}

static int mark_running(struct stage_ctx *ctx)
{
	struct ledger_entry e;
	stage_ledger_entry(ctx, &e, "running", 0);
	xstrlcpy(e.error, "started, not finished (killed, or still running)", sizeof(e.error));
	return stage_ledger_commit(ctx, &e);
}

static int remember_inputs(struct stage_ctx *ctx, unsigned flags)
{
	const struct stage_rule *r = conf_stage(&ctx->conf, ctx->name);
	MDB_txn *txn;
	int rc;
	if (stage_setup_digest(&ctx->conf, ctx->setup))
		return -1;
	if ((flags & STAGE_NO_STORE) || !r)
		return 0;
	if (store_begin(&ctx->store, MDB_RDONLY, &txn))
		return -1;
	rc = stage_upstream_digest(&ctx->store, txn, ctx->opts.date, r, ctx->upstream);
	mdb_txn_abort(txn);
	return rc ? -1 : mark_running(ctx);
}

static int load_setup(struct stage_ctx *ctx, unsigned flags)
{
	struct strbuf p = STRBUF_INIT;
	int lk;
	if (pipeline_conf_load(ctx->opts.conf, &ctx->conf))
		return EXIT_USAGE;
	apply_overrides(ctx);
	if (paths_setup(&ctx->conf))	/* resolved once, checked: run/paths.h */
		return EXIT_USAGE;
	store_set_map_size(ctx->conf.store_map_size);
	snprintf(ctx->outdir, sizeof(ctx->outdir), "%s/%s", ctx->conf.out, ctx->opts.date);
	strbuf_addf(&p, "%s/stores", ctx->conf.schemas);
	if (catalog_load(p.buf, &ctx->cat)) {
		strbuf_release(&p);
		return EXIT_USAGE;
	}
	strbuf_release(&p);
	lk = lock_state(ctx->conf.state, ctx->opts.wait);
	if (lk)
		return lk == 1 ? EXIT_LOCKED : lk == 2 ? EXIT_USAGE : EXIT_INTERNAL;
	/* Under the lock, a temporary in the night's outputs is a killed run's. */
	if (atomic_sweep(ctx->outdir, 3) < 0)
		return EXIT_INTERNAL;
	if (!(flags & STAGE_NO_STORE) &&
	    store_open(&ctx->store, ctx->conf.state, &ctx->cat))
		return EXIT_INTERNAL;
	/* Which inputs accumulate is the conf's (store/snapshot.h). */
	ctx->store.accumulates = conf_accumulates;
	ctx->store.accumulates_data = &ctx->conf;
	return remember_inputs(ctx, flags) ? EXIT_INTERNAL : 0;
}

int stage_init(struct stage_ctx *ctx, const char *name, int argc, char **argv,
	       unsigned flags)
{
	int rc;
	memset(ctx, 0, sizeof(*ctx));
	ctx->name = name;
	ledger_now(ctx->started);
	if ((rc = stage_parse_opts(argc, argv, &ctx->opts, stage_usage)))
		return rc;
	if (optind != argc) {
		log_error("unexpected argument '%s'", argv[optind]);
		stage_usage(EXIT_USAGE);
		return EXIT_USAGE;
	}
	if (!ctx->opts.date || day_parse_iso(ctx->opts.date, &ctx->night)) {
		log_error("--date YYYY-MM-DD is required and must be a real date");
		stage_usage(EXIT_USAGE);
		return EXIT_USAGE;
	}
	/* Outputs hold CPR numbers: nothing we create is for others. */
	umask(027);
	rc = load_setup(ctx, flags);
	if (rc)
		stage_fini(ctx);
	return rc;
}

void stage_fini(struct stage_ctx *ctx)
{
	store_close(&ctx->store);
	catalog_free(&ctx->cat);
	pipeline_conf_free(&ctx->conf);
}

int stage_mark_failed(struct store *st, const char *night, const char *stage,
		      int exit_code, const char *note)
{
	struct ledger_entry e;
	MDB_txn *txn;
	int rc, marked = 0;
	if (store_begin(st, 0, &txn))
		return -1;
	rc = ledger_get(st, txn, night, stage, &e);
	if (rc == 0 && !strcmp(e.state, "running")) {
		xstrlcpy(e.state, "failed", sizeof(e.state));
		ledger_now(e.finished);
		e.exit_code = exit_code;
		xstrlcpy(e.error, note, sizeof(e.error));
		rc = ledger_put(st, txn, night, stage, &e);
		marked = 1;
	} else if (rc == 1) {
		rc = 0;
	}
	if (rc) {
		mdb_txn_abort(txn);
		return -1;
	}
	return store_commit(txn) ? -1 : marked;
}

int stage_end(struct stage_ctx *ctx, int rc)
{
	char note[64];
	if (ctx->store.env) {
		int m;
		if (rc)
			snprintf(note, sizeof(note), "exit %d before its result was "
				 "recorded (see the log)", rc);
		else
			xstrlcpy(note, "ended without recording its result", sizeof(note));
		m = stage_mark_failed(&ctx->store, ctx->opts.date, ctx->name,
				      rc ? rc : EXIT_INTERNAL, note);
		if (m && !rc) {
			log_error("%s: %s (a bug)", ctx->opts.date, note);
			rc = EXIT_INTERNAL;
		}
	}
	stage_fini(ctx);
	return rc;
}

void stage_ledger_entry(const struct stage_ctx *ctx, struct ledger_entry *e,
			const char *state, int exit_code)
{
	memset(e, 0, sizeof(*e));
	xstrlcpy(e->state, state, sizeof(e->state));
	xstrlcpy(e->started, ctx->started, sizeof(e->started));
	ledger_now(e->finished);
	xstrlcpy(e->version, PIPELINE_VERSION, sizeof(e->version));
	xstrlcpy(e->upstream, ctx->upstream, sizeof(e->upstream));
	xstrlcpy(e->setup, ctx->setup, sizeof(e->setup));
	e->exit_code = exit_code;
}

void stage_out_path(const struct stage_ctx *ctx, const char *rel, struct strbuf *out)
{
	strbuf_reset(out);
	strbuf_addf(out, "%s/%s", ctx->outdir, rel);
}
