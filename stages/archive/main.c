/*
 * bin/stage-archive: seals the night's outputs into the archive
 * (pipeline/archive/sealed.h, conf/archive.conf) and applies retention. Logs the
 * night's seal: kept in the scheduler's log, it anchors the chain. A night
 * after today, or one no stage ran for, is refused (64).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/exitcode.h"
#include "core/log.h"
#include "run/paths.h"
#include "run/stage.h"
#include "archive/archiveconf.h"
#include "sealnight.h"
#include "core/banned.h"

static int record(struct stage_ctx *ctx, const struct seal_result *res)
{
	struct ledger_entry e;
	stage_ledger_entry(ctx, &e, "done", EXIT_DONE);
	xstrlcpy(e.output, res->seal, sizeof(e.output));
	e.rows_in = res->members;
	e.rows_out = res->members;
	/* The same words whether sealed now or before: status stays byte-identical. */
	snprintf(e.error, sizeof(e.error), "sealed as %s", res->base);
	return stage_ledger_commit(ctx, &e);
}

static int archive_night(struct stage_ctx *ctx)
{
	struct archive_conf ac;
	struct seal_result res;
	int rc;
	if (archive_conf_load(&ctx->conf, &ac))
		return EXIT_USAGE;
	/* One that is not there yet is created ours, 0750, by archive_seal(). */
	if (access(ac.dir, F_OK) == 0 && paths_own_dir("archive directory", &ac.dir, 0750)) {
		archive_conf_free(&ac);
		return EXIT_USAGE;
	}
	/* a seal-input naming no store would seal nothing, silently */
	for (size_t i = 0; i < ac.nseal; i++)
		if (!catalog_store(&ctx->cat, ac.seal_inputs[i])) {
			log_error("%s:%lu: seal-input %s: schemas/stores has no such store",
				  ac.seal_path, ac.seal_lines[i], ac.seal_inputs[i]);
			archive_conf_free(&ac);
			return EXIT_USAGE;
		}
	rc = archive_seal(ctx, &ac, &res);
	rc = rc == 1 ? EXIT_USAGE : rc || record(ctx, &res) ? EXIT_INTERNAL : EXIT_DONE;
	if (rc == EXIT_DONE)
		log_info("%s: %s %s, %zu member(s), seal %s%s", ctx->opts.date,
			 res.sealed ? "sealed as" : "already sealed as", res.base, res.members,
			 res.seal, res.retired ? "; retention retired old nights" : "");
	archive_conf_free(&ac);
	return rc;
}

/* --help (run/stage.h). */
const struct stage_help stage_help = {
	"Seals the night's outputs into the archive (STATE/archive, or archive.conf's\n"
	"dir, or PIPELINE_ARCHIVE_DIR): DATE.tar.gz, DATE.manifest and a seal record\n"
	"in 'chain' (DATE.rN when the outputs changed), then applies retention. Logs\n"
	"the seal: keep it, it anchors the chain ('pipeline archive verify --anchor').\n",
	"Exit: 0 done, 64 usage or configuration, or a night after today or one no\n"
	"      stage ran for (not sealed), 70 internal error, 75 locked.\n",
};

int main(int argc, char **argv)
{
	struct stage_ctx ctx;
	int rc;
	log_init("stage-archive");
	if ((rc = stage_init(&ctx, "archive", argc, argv, 0)))
		return rc;
	rc = archive_night(&ctx);
	return stage_end(&ctx, rc);
}
