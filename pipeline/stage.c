#include "stage.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "date.h"
#include "exitcode.h"
#include "lock.h"
#include "log.h"
#include "version.h"
#include "banned.h"

static void stage_usage(int code)
{
	FILE *f = code ? stderr : stdout;
	fprintf(f, "usage: %s --date YYYY-MM-DD [--conf FILE] [--drops DIR] "
		"[--state DIR] [--out DIR]\n"
		"       [--wait] [--quiet] [--verbose]\n", log_prog());
	fputs("Runs one stage of the nightly reconciliation for one night.\n"
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

static int load_setup(struct stage_ctx *ctx, unsigned flags)
{
	struct strbuf p = STRBUF_INIT;
	int lk;
	if (pipeline_conf_load(ctx->opts.conf, &ctx->conf))
		return EXIT_USAGE;
	apply_overrides(ctx);
	snprintf(ctx->outdir, sizeof(ctx->outdir), "%s/%s", ctx->conf.out, ctx->opts.date);
	strbuf_addf(&p, "%s/stores", ctx->conf.schemas);
	if (catalog_load(p.buf, &ctx->cat)) {
		strbuf_release(&p);
		return EXIT_USAGE;
	}
	strbuf_release(&p);
	lk = lock_state(ctx->conf.state, ctx->opts.wait);
	if (lk)
		return lk == 1 ? EXIT_LOCKED : EXIT_INTERNAL;
	if (!(flags & STAGE_NO_STORE) &&
	    store_open(&ctx->store, ctx->conf.state, &ctx->cat))
		return EXIT_INTERNAL;
	return 0;
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

void stage_ledger_entry(const struct stage_ctx *ctx, struct ledger_entry *e,
			const char *state, int exit_code)
{
	memset(e, 0, sizeof(*e));
	xstrlcpy(e->state, state, sizeof(e->state));
	xstrlcpy(e->started, ctx->started, sizeof(e->started));
	ledger_now(e->finished);
	xstrlcpy(e->version, PIPELINE_VERSION, sizeof(e->version));
	e->exit_code = exit_code;
}

void stage_out_path(const struct stage_ctx *ctx, const char *rel, struct strbuf *out)
{
	strbuf_reset(out);
	strbuf_addf(out, "%s/%s", ctx->outdir, rel);
}

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
