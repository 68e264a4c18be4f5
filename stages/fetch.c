/*
 * stage-fetch: lands the night's complete drops.
 *
 * Source: the local directory of conf 'drops' (SFTP sources: issue 3).
 * A file is complete when NAME.done sits beside it. Each complete file is
 * copied to STATE/landing/DATE/DIR/NAME (atomically, 0640) and recorded
 * with its SHA-256. A file already landed on an earlier night (same hash)
 * is not taken again; a corrected file (same name, new hash) is landed
 * beside the earlier one as NAME@FILEID. A marker without its file is
 * reported and makes the stage exit 65 after landing the rest.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "exitcode.h"
#include "landed.h"
#include "log.h"
#include "stage.h"
#include "banned.h"

struct drop {
	char *relpath;		/* DIR/NAME */
	char *src;		/* full path in drops */
};

struct drops {
	struct drop *v;
	size_t n;
	unsigned long orphan_markers;
};

static int cmp_drop(const void *a, const void *b)
{
	return strcmp(((const struct drop *)a)->relpath, ((const struct drop *)b)->relpath);
}

static int exists(const char *path)
{
	struct stat s;
	return stat(path, &s) == 0 && S_ISREG(s.st_mode);
}

static void add_drop(struct drops *d, const char *dir, const char *sub, const char *name)
{
	struct strbuf rel = STRBUF_INIT, src = STRBUF_INIT;
	strbuf_addf(&rel, "%s/%s", sub, name);
	strbuf_addf(&src, "%s/%s", dir, name);
	d->v = xrealloc(d->v, (d->n + 1) * sizeof(*d->v));
	d->v[d->n].relpath = strbuf_detach(&rel);
	d->v[d->n].src = strbuf_detach(&src);
	d->n++;
}

/* One source directory (ky/, eindkomst/ ...): complete files and orphan markers. */
static int scan_subdir(const char *root, const char *sub, struct drops *d)
{
	struct strbuf dir = STRBUF_INIT, p = STRBUF_INIT;
	DIR *dh;
	struct dirent *e;

	strbuf_addf(&dir, "%s/%s", root, sub);
	if (!(dh = opendir(dir.buf))) {
		log_error("unable to open %s: %s", dir.buf, strerror(errno));
		strbuf_release(&dir);
		return -1;
	}
	while ((e = readdir(dh))) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.')
			continue;
		strbuf_reset(&p);
		if (len > 5 && !strcmp(e->d_name + len - 5, ".done")) {
			strbuf_addf(&p, "%s/%.*s", dir.buf, (int)(len - 5), e->d_name);
			if (!exists(p.buf)) {
				log_error("%s/%s: marker without its file", sub, e->d_name);
				d->orphan_markers++;
			}
			continue;
		}
		strbuf_addf(&p, "%s/%s.done", dir.buf, e->d_name);
		if (exists(p.buf)) {
			strbuf_reset(&p);
			strbuf_addf(&p, "%s/%s", dir.buf, e->d_name);
			if (exists(p.buf))
				add_drop(d, dir.buf, sub, e->d_name);
		} else {
			log_verbose("%s/%s: no .done marker yet, not taken", sub, e->d_name);
		}
	}
	closedir(dh);
	strbuf_release(&dir);
	strbuf_release(&p);
	return 0;
}

static int scan_drops(const char *root, struct drops *d)
{
	DIR *dh = opendir(root);
	struct dirent *e;
	int rc = 0;
	if (!dh) {
		log_error("unable to open drops directory %s: %s", root, strerror(errno));
		return -1;
	}
	while (rc == 0 && (e = readdir(dh))) {
		struct strbuf p = STRBUF_INIT;
		struct stat s;
		strbuf_addf(&p, "%s/%s", root, e->d_name);
		if (e->d_name[0] != '.' && stat(p.buf, &s) == 0 && S_ISDIR(s.st_mode))
			rc = scan_subdir(root, e->d_name, d);
		strbuf_release(&p);
	}
	closedir(dh);
	if (d->n)
		qsort(d->v, d->n, sizeof(*d->v), cmp_drop);
	return rc;
}

static void drops_free(struct drops *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].relpath);
		free(d->v[i].src);
	}
	free(d->v);
}

static int copy_file(const char *src, const char *dst)
{
	struct atomic_file af;
	char buf[65536];
	ssize_t n;
	int fd = open(src, O_RDONLY | O_CLOEXEC), rc = 0;
	if (fd < 0) {
		log_error("unable to open %s: %s", src, strerror(errno));
		return -1;
	}
	if (atomic_open(&af, dst, 0640)) {
		close(fd);
		return -1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, af.fp) != (size_t)n) {
			rc = -1;
			break;
		}
	if (n < 0 || rc) {
		log_error("unable to copy %s: %s", src, strerror(errno));
		close(fd);
		atomic_abort(&af);
		return -1;
	}
	close(fd);
	return atomic_commit(&af);
}

struct fetch {
	struct stage_ctx *ctx;
	MDB_txn *txn;
	unsigned long landed, known;
	struct digest_ctx *in, *out;
};

/* Lands one drop unless its bytes were landed before. */
static int land_one(struct fetch *f, const struct drop *d)
{
	struct stage_ctx *ctx = f->ctx;
	char sha[DIGEST_HEXSZ], idhex[2 * FILEID_LEN + 1], num[32];
	uint8_t id[FILEID_LEN];
	uint64_t size;
	struct strbuf props = STRBUF_INIT, val = STRBUF_INIT, path = STRBUF_INIT, full = STRBUF_INIT;
	int rc;

	if (digest_file(d->src, sha, &size)) {
		log_error("unable to read %s: %s", d->src, strerror(errno));
		return -1;
	}
	digest_update(f->in, d->relpath, strlen(d->relpath) + 1);
	digest_update(f->in, sha, sizeof(sha));
	fileid_from_hex(sha, id);
	fileid_hex(id, idhex);
	rc = file_props_get(&ctx->store, f->txn, id, &props);
	if (rc < 0)
		goto out;
	if (rc == 0 && strcmp(props_get(&props, "night", &val) ? val.buf : "", ctx->opts.date)) {
		log_verbose("%s: landed before, on %s; not taken again", d->relpath, val.buf);
		f->known++;
		rc = 0;
		goto out;
	}
	strbuf_addf(&path, "landing/%s/%s", ctx->opts.date, d->relpath);
	strbuf_addf(&full, "%s/%s", ctx->conf.state, path.buf);
	if (rc == 1 && exists(full.buf)) {	/* a corrected file: beside, never over */
		strbuf_addf(&path, "@%s", idhex);
		strbuf_addf(&full, "@%s", idhex);
	}
	if (rc == 1 && copy_file(d->src, full.buf)) {
		rc = -1;
		goto out;
	}
	if (rc == 1) {
		strbuf_reset(&props);
		props_set(&props, "sha", sha);
		props_set(&props, "relpath", d->relpath);
		props_set(&props, "path", path.buf);
		props_set(&props, "night", ctx->opts.date);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)size);
		props_set(&props, "size", num);
		if (file_props_put(&ctx->store, f->txn, id, &props)) {
			rc = -1;
			goto out;
		}
		log_verbose("%s: landed (%s bytes)", d->relpath, num);
	}
	rc = landed_put(&ctx->store, f->txn, ctx->opts.date, d->relpath, id);
	digest_update(f->out, d->relpath, strlen(d->relpath) + 1);
	digest_update(f->out, sha, sizeof(sha));
	f->landed++;
out:
	strbuf_release(&props);
	strbuf_release(&val);
	strbuf_release(&path);
	strbuf_release(&full);
	return rc;
}

static int fetch_night(struct stage_ctx *ctx)
{
	struct drops d = { 0 };
	struct fetch f = { .ctx = ctx };
	struct ledger_entry e;
	int rc = EXIT_INTERNAL;

	if (!ctx->conf.drops) {
		log_error("no drops directory: give --drops or 'drops' in %s", ctx->conf.path);
		return EXIT_USAGE;
	}
	if (scan_drops(ctx->conf.drops, &d)) {
		drops_free(&d);
		return EXIT_UNREACHABLE;
	}
	if (store_begin(&ctx->store, 0, &f.txn))
		goto out;
	f.in = digest_new();
	f.out = digest_new();
	for (size_t i = 0; i < d.n; i++)
		if (land_one(&f, &d.v[i]))
			goto abort;
	rc = d.orphan_markers ? EXIT_BADDATA : EXIT_DONE;
	stage_ledger_entry(ctx, &e, "done", rc);
	digest_finish(f.in, e.input);
	digest_finish(f.out, e.output);
	f.in = f.out = NULL;
	e.rows_in = d.n;
	e.rows_out = f.landed;
	e.rows_rejected = d.orphan_markers;
	if (d.orphan_markers)
		snprintf(e.error, sizeof(e.error), "%lu marker(s) without their file",
			 d.orphan_markers);
	if (ledger_put(&ctx->store, f.txn, ctx->opts.date, ctx->name, &e) ||
	    store_commit(f.txn)) {
		rc = EXIT_INTERNAL;
		goto out;
	}
	log_info("%s: %lu file(s) landed, %lu landed on an earlier night, %lu orphan marker(s)",
		 ctx->opts.date, f.landed, f.known, d.orphan_markers);
	goto out;
abort:
	mdb_txn_abort(f.txn);
	rc = EXIT_INTERNAL;
out:
	if (f.in) {
		char junk[DIGEST_HEXSZ];
		digest_finish(f.in, junk);
		digest_finish(f.out, junk);
	}
	drops_free(&d);
	return rc;
}

int main(int argc, char **argv)
{
	struct stage_ctx ctx;
	int rc;
	log_init("stage-fetch");
	if ((rc = stage_init(&ctx, "fetch", argc, argv, 0)))
		return rc;
	rc = fetch_night(&ctx);
	stage_fini(&ctx);
	return rc;
}
