/*
 * stage-unpack: opens the archives fetch landed tonight (.gz, .zip, .tar,
 * .tar.gz, .tgz; see ingest/unpack.h for what is refused) and lands their members
 * beside them, STATE/landing/DATE/DIR/MEMBER, recorded as landed files of
 * the night (ingest/land.h: a member seen before is not taken again; same name,
 * new bytes lands beside). normalise then reads them by the 'input'
 * patterns like any other file. Limits: 'unpack' lines of
 * conf/sources.conf. A refused or corrupt archive is reported with its
 * name, nothing of it lands, and the stage exits 65 after the others.
 */
#include <dirent.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/unpack.h"
#include "core/atomicfile.h"
#include "core/exitcode.h"
#include "core/log.h"
#include "store/landed.h"
#include "run/stage.h"
#include "ingest/land.h"
#include "core/banned.h"

struct unpack_night {
	struct stage_ctx *ctx;
	MDB_txn *txn;
	struct sources_conf sc;
	struct landed_file *v;	/* tonight's archives */
	size_t n;
	unsigned long members, refused;
	struct digest_ctx *in, *out;
};

/* Archives fetch landed; not the members of one (no nesting). */
static int collect(const struct landed_file *f, void *data)
{
	struct unpack_night *u = data;
	struct strbuf props = STRBUF_INIT, val = STRBUF_INIT;
	int rc = 0;
	if (unpack_kind(f->relpath) != UNPACK_NONE) {
		rc = file_props_get(&u->ctx->store, u->txn, f->fileid, &props) < 0 ? -1 : 0;
		if (rc == 0 && !props_get(&props, "from", &val)) {
			u->v = xrealloc(u->v, (u->n + 1) * sizeof(*u->v));
			u->v[u->n++] = *f;
		}
	}
	strbuf_release(&props);
	strbuf_release(&val);
	return rc;
}

static int land_members(struct unpack_night *u, const struct landed_file *f,
			const char *into, struct unpack_members *ms)
{
	for (size_t i = 0; i < ms->n; i++) {
		struct land l = { .into = into, .name = ms->v[i].name, .tmp = ms->v[i].tmp,
				  .origin = f->relpath };
		if (digest_file(ms->v[i].tmp, l.sha, &l.size)) {
			log_error("unable to read %s: %s", ms->v[i].tmp, strerror(errno));
			return -1;
		}
		if (land_file(u->ctx, u->txn, &l))
			return -1;
		if (l.outcome == LAND_KNOWN) {
			log_verbose("%s: member %s landed before, on %s; not taken again",
				    f->relpath, l.name, l.earlier_night);
			continue;
		}
		if (l.outcome == LAND_CORRECTED)
			log_info("%s: member %s is a corrected file (replaces version %s)",
				 f->relpath, l.name, l.replaces);
		digest_update(u->out, l.path, strlen(l.path) + 1);
		digest_update(u->out, l.sha, DIGEST_HEXSZ);
		u->members++;
	}
	return 0;
}

/* Members a run killed midway left in the temporary directory go. */
static void clear_tmpdir(const char *dir)
{
	struct strbuf p = STRBUF_INIT;
	struct dirent *e;
	DIR *dh = opendir(dir);
	while (dh && (e = readdir(dh))) {
		if (strncmp(e->d_name, "member-", 7))
			continue;
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/%s", dir, e->d_name);
		if (unlink(p.buf))
			log_error("unable to remove %s: %s", p.buf, strerror(errno));
	}
	if (dh)
		closedir(dh);
	strbuf_release(&p);
}

static int unpack_one(struct unpack_night *u, const struct landed_file *f)
{
	struct stage_ctx *ctx = u->ctx;
	struct strbuf path = STRBUF_INIT, tmpdir = STRBUF_INIT, into = STRBUF_INIT;
	struct unpack_members ms = { NULL, 0 };
	const char *slash = strchr(f->relpath, '/');
	int rc;

	digest_update(u->in, f->relpath, strlen(f->relpath) + 1);
	digest_update(u->in, f->sha, DIGEST_HEXSZ);
	strbuf_add(&into, f->relpath, slash ? (size_t)(slash - f->relpath) : 0);
	strbuf_addf(&path, "%s/%s", ctx->conf.state, f->path);
	rc = land_dir(ctx, into.buf, &tmpdir);
	strbuf_addstr(&tmpdir, "/.unpack");
	if (rc == 0 && (rc = mkdirs(tmpdir.buf, 0750)) == 0)
		clear_tmpdir(tmpdir.buf);
	if (rc == 0)
		rc = unpack_archive(path.buf, f->relpath, unpack_kind(f->relpath),
				    &u->sc.limits, tmpdir.buf, &ms);
	if (rc == 1)
		u->refused++;
	else if (rc == 0)
		rc = land_members(u, f, into.buf, &ms);
	if (rc == 0)
		log_verbose("%s: %zu member(s)", f->relpath, ms.n);
	unpack_members_free(&ms);
	rmdir(tmpdir.buf);
	strbuf_release(&path);
	strbuf_release(&tmpdir);
	strbuf_release(&into);
	return rc < 0 ? -1 : 0;
}

static int finish(struct unpack_night *u)
{
	struct stage_ctx *ctx = u->ctx;
	struct ledger_entry e;
	int rc = u->refused ? EXIT_BADDATA : EXIT_DONE;
	stage_ledger_entry(ctx, &e, "done", rc);
	digest_finish(u->in, e.input);
	digest_finish(u->out, e.output);
	u->in = u->out = NULL;
	e.rows_in = u->n;
	e.rows_out = u->members;
	e.rows_rejected = u->refused;
	if (u->refused)
		snprintf(e.error, sizeof(e.error), "%lu archive(s) refused", u->refused);
	if (ledger_put(&ctx->store, u->txn, ctx->opts.date, ctx->name, &e))
		return EXIT_INTERNAL;	/* the caller aborts u->txn */
	if (store_commit(u->txn))
		rc = EXIT_INTERNAL;
	u->txn = NULL;
	log_info("%s: %zu archive(s), %lu member(s) landed, %lu archive(s) refused",
		 ctx->opts.date, u->n, u->members, u->refused);
	return rc;
}

static int unpack_night(struct stage_ctx *ctx)
{
	struct unpack_night u = { .ctx = ctx };
	struct strbuf path = STRBUF_INIT;
	int rc = EXIT_INTERNAL;

	/* libarchive converts member names to the locale's charset: in the C
	 * locale a zip or pax name with æ, ø or å is lost. */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		log_error("no C.UTF-8 locale: archive members named outside ASCII are refused");
	conf_sibling(&ctx->conf, "sources.conf", &path);
	if (sources_load(path.buf, &u.sc)) {
		strbuf_release(&path);
		sources_free(&u.sc);
		return EXIT_USAGE;
	}
	strbuf_release(&path);
	if (store_begin(&ctx->store, 0, &u.txn) ||
	    landed_each(&ctx->store, u.txn, ctx->opts.date, collect, &u))
		goto out;
	u.in = digest_new();
	u.out = digest_new();
	for (size_t i = 0; i < u.n; i++)
		if (unpack_one(&u, &u.v[i]))
			goto out;
	rc = finish(&u);
out:
	if (u.txn)
		mdb_txn_abort(u.txn);
	if (u.in) {
		char junk[DIGEST_HEXSZ];
		digest_finish(u.in, junk);
		digest_finish(u.out, junk);
	}
	free(u.v);
	sources_free(&u.sc);
	return rc;
}

/* --help (run/stage.h). */
const struct stage_help stage_help = {
	"Opens the night's landed bundles (.gz, .zip, .tar, .tar.gz/.tgz) and lands\n"
	"their members beside them; refuses a whole bundle that is unsafe or too big\n"
	"(limits: 'unpack' in conf/sources.conf).\n",
	"Exit: 0 done, 64 usage or configuration, 65 a bundle refused (named; the\n"
	"      rest was unpacked), 70 internal error, 75 locked.\n",
};

int main(int argc, char **argv)
{
	struct stage_ctx ctx;
	int rc;
	log_init("stage-unpack");
	if ((rc = stage_init(&ctx, "unpack", argc, argv, 0)))
		return rc;
	rc = unpack_night(&ctx);
	return stage_end(&ctx, rc);
}
