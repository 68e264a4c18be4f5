/*
 * stage-fetch: lands the night's complete drops from every source.
 *
 * Sources are those of conf/sources.conf (sftp or local directories), or,
 * without any, each subdirectory of the 'drops' directory. A file is
 * complete when NAME.done sits beside it. Each complete file is downloaded
 * to STATE/landing/.partial/SOURCE/NAME.part (a broken download resumes
 * there on the next try or run, if the remote size and mtime did not
 * change), checked against the listed size, fsync'ed, hashed and landed by
 * ingest/land.h (new, known, corrected), with a receipt in the store (receipt.h).
 * After the source's records are committed, after-landing (leave, delete,
 * move) is applied to the remote file and its marker.
 *
 * A source that cannot be reached after the configured tries, or whose host
 * key is refused, makes the stage exit 69 after the other sources ran. A
 * marker without its file, a bad name or a file that changed while it was
 * read is reported and makes the stage exit 65 after landing the rest.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomicfile.h"
#include "core/csvout.h"
#include "core/exitcode.h"
#include "core/log.h"
#include "run/stage.h"
#include "ingest/land.h"
#include "ingest/source.h"
#include "receipt.h"
#include "sourcekinds.h"
#include "core/banned.h"

enum { F_INTERNAL = -2, MAX_BACKOFF = 300 };

struct names {
	char **v;
	size_t n;
};

struct fetch {
	struct stage_ctx *ctx;
	struct sources_conf sc;
	struct digest_ctx *in, *out;
	unsigned long seen, landed, known, corrected, rejected, unreachable;
	struct strbuf note;
	struct strbuf sources;	/* OUT/DATE/sources.csv: a line per source */
};

/* One source's night: what is settled (not redone on a retry) and what
 * after-landing applies to. */
struct source_run {
	struct fetch *f;
	struct source *s;
	MDB_txn *txn;
	struct names settled, put_away;
	unsigned long refused_names;	/* names the source kind refused (reported) */
};

static int names_has(const struct names *ns, const char *name)
{
	for (size_t i = 0; i < ns->n; i++)
		if (!strcmp(ns->v[i], name))
			return 1;
	return 0;
}

static void names_add(struct names *ns, const char *name)
{
	ns->v = xrealloc(ns->v, (ns->n + 1) * sizeof(*ns->v));
	ns->v[ns->n++] = xstrdup(name);
}

static void names_free(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	ns->v = NULL;
	ns->n = 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct source_entry *)a)->name,
		      ((const struct source_entry *)b)->name);
}

static void note(struct fetch *f, const char *fmt, const char *a, const char *b)
{
	if (f->note.len)
		strbuf_addstr(&f->note, "; ");
	strbuf_addf(&f->note, fmt, a, b);
}

/* The partial download of a file and its remote size/mtime beside it. */
static void partial_paths(struct source_run *r, const char *name, struct strbuf *part,
			  struct strbuf *info)
{
	strbuf_reset(part);
	strbuf_addf(part, "%s/landing/.partial/%s", r->f->ctx->conf.state, r->s->def->name);
	strbuf_reset(info);
	strbuf_addf(info, "%s/%s.part.info", part->buf, name);
	strbuf_addf(part, "/%s.part", name);
}

/* What the info file says of the remote file: "SIZE MTIME\n". */
static size_t partial_stamp(const struct source_entry *e, char buf[64])
{
	int n = snprintf(buf, 64, "%llu %lld\n", (unsigned long long)e->size,
			 (long long)e->mtime);
	return n > 0 && n < 64 ? (size_t)n : 0;
}

/* Where to go on from: the partial's length if it is of this same remote file. */
static uint64_t resume_offset(const char *part, const char *info,
			      const struct source_entry *e)
{
	char buf[64], want[64];
	struct stat st;
	ssize_t n;
	int fd = open(info, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	partial_stamp(e, want);
	if (n <= 0 || (buf[n] = '\0', strcmp(buf, want)) || stat(part, &st) ||
	    (uint64_t)st.st_size > e->size)
		return 0;
	return (uint64_t)st.st_size;
}

static int start_partial(const char *part, const char *info, const struct source_entry *e,
			 uint64_t offset, int *fd)
{
	char want[64];
	size_t n = partial_stamp(e, want);
	if (!offset && atomic_write(info, want, n, 0640))
		return F_INTERNAL;
	*fd = open(part, O_WRONLY | O_CREAT | O_CLOEXEC, 0640);
	if (*fd < 0 || ftruncate(*fd, (off_t)offset) || lseek(*fd, 0, SEEK_END) < 0) {
		log_error("unable to write %s: %s", part, strerror(errno));
		if (*fd >= 0)
			close(*fd);
		return F_INTERNAL;
	}
	return SRC_OK;
}

/* Downloads (or resumes) e into its partial file; SRC_OK when it is all there. */
static int download(struct source_run *r, const struct source_entry *e,
		    const char *part, const char *info)
{
	uint64_t offset = resume_offset(part, info, e), got = 0;
	int fd, rc;
	struct strbuf dir = STRBUF_INIT;

	strbuf_addstr(&dir, part);
	*strrchr(dir.buf, '/') = '\0';
	rc = mkdirs(dir.buf, 0750) ? F_INTERNAL : start_partial(part, info, e, offset, &fd);
	strbuf_release(&dir);
	if (rc)
		return rc;
	if (offset)
		log_info("%s/%s: resuming the download at offset %llu of %llu", r->s->def->into,
			 e->name, (unsigned long long)offset, (unsigned long long)e->size);
	rc = r->s->read(r->s, e->name, offset, e->size - offset, fd, &got);
	if (fsync_close(fd)) {
		log_error("unable to write %s: %s", part, strerror(errno));
		return F_INTERNAL;
	}
	if (rc == SRC_OK && offset + got != e->size) {
		log_error("%s/%s: %llu bytes read, %llu listed: the file changed while it was "
			  "read; not taken, tried again from the start on the next run",
			  r->s->def->into, e->name, (unsigned long long)(offset + got),
			  (unsigned long long)e->size);
		unlink(part);
		unlink(info);
		rc = SRC_FAIL;
	}
	return rc;
}

/* The partial's size/mtime once it landed; already gone is fine. */
static int drop_info(const char *info)
{
	if (unlink(info) == 0 || errno == ENOENT)
		return 0;
	log_error("unable to remove %s: %s", info, strerror(errno));
	return -1;
}

static void count(struct fetch *f, const struct land *l)
{
	switch (l->outcome) {
	case LAND_KNOWN:
		log_verbose("%s/%s: landed before, on %s; not taken again", l->into, l->name,
			    l->earlier_night);
		f->known++;
		return;
	case LAND_CORRECTED:
		log_info("%s/%s: a corrected file (replaces version %s), landed as %s",
			 l->into, l->name, l->replaces, l->path);
		note(f, "corrected %s (replaces %s)", l->path, l->replaces);
		f->corrected++;
		break;
	case LAND_NEW:
		log_verbose("%s/%s: landed (%llu bytes)", l->into, l->name,
			    (unsigned long long)l->size);
		break;
	case LAND_AGAIN:
		if (l->replaces[0]) {	/* a rerun of the night that landed a correction */
			note(f, "corrected %s (replaces %s)", l->path, l->replaces);
			f->corrected++;
		}
		break;
	}
	f->landed++;
	digest_update(f->out, l->path, strlen(l->path) + 1);
	digest_update(f->out, l->sha, DIGEST_HEXSZ);
}

static int receipt_of(struct source_run *r, const struct source_entry *e,
		      const struct land *l)
{
	struct strbuf remote = STRBUF_INIT, signal = STRBUF_INIT;
	/* Bytes landed before keep their first night, whatever night lands
	 * them again (a correction back), as their files record does; the
	 * remote size and mtime are renewed so they are not downloaded again. */
	struct receipt rc = { r->s->def->name, NULL, NULL, r->s->hostkey,
			      l->earlier_night[0] ? l->earlier_night : r->f->ctx->opts.date,
			      l->path, e->size, e->mtime, "" };
	int ret;
	strbuf_addf(&remote, "%s/%s", r->s->def->dir, e->name);
	strbuf_addf(&signal, "marker %s.done", e->name);
	rc.remote = remote.buf;
	rc.signal = signal.buf;
	xstrlcpy(rc.sha, l->sha, sizeof(rc.sha));
	ret = receipt_put(&r->f->ctx->store, r->txn, &rc);
	strbuf_release(&remote);
	strbuf_release(&signal);
	return ret ? F_INTERNAL : SRC_OK;
}

/* Lands one complete file: from its receipt if the same file came before,
 * else downloaded. */
static int take_file(struct source_run *r, const struct source_entry *e)
{
	struct fetch *f = r->f;
	struct land l = { .into = r->s->def->into, .name = e->name, .size = e->size };
	struct strbuf remote = STRBUF_INIT, part = STRBUF_INIT, info = STRBUF_INIT;
	int rc;

	strbuf_addf(&remote, "%s/%s", r->s->def->dir, e->name);
	/* Reading a local file again is cheap and sees a rewrite within the same
	 * second; an SFTP file of the same size and mtime is not downloaded again. */
	rc = r->s->def->type == SOURCE_LOCAL ? 1 :
	     receipt_find(&f->ctx->store, r->txn, r->s->def->name, remote.buf, e->size,
			  e->mtime, l.sha);
	if (rc == 0)
		rc = land_file(f->ctx, r->txn, &l);
	if (rc == 1) {
		partial_paths(r, e->name, &part, &info);
		rc = download(r, e, part.buf, info.buf);
		if (rc == SRC_OK && digest_file(part.buf, l.sha, &l.size)) {
			log_error("unable to read %s: %s", part.buf, strerror(errno));
			rc = F_INTERNAL;
		}
		l.tmp = part.buf;
		if (rc == SRC_OK)
			rc = land_file(f->ctx, r->txn, &l) || drop_info(info.buf) ||
			     receipt_of(r, e, &l) ? F_INTERNAL : SRC_OK;
	} else if (rc < 0) {
		rc = F_INTERNAL;
	}
	if (rc == SRC_OK) {	/* by landing name: the same drops give the same digest */
		digest_update(f->in, l.into, strlen(l.into) + 1);
		digest_update(f->in, l.name, strlen(l.name) + 1);
		digest_update(f->in, l.sha, DIGEST_HEXSZ);
		count(f, &l);
	}
	strbuf_release(&remote);
	strbuf_release(&part);
	strbuf_release(&info);
	return rc;
}

/* Settles one listed entry; SRC_DOWN or F_INTERNAL stop the pass. */
static int take_entry(struct source_run *r, const struct source_listing *l,
		      const struct source_entry *e)
{
	struct strbuf marker = STRBUF_INIT;
	const struct source_entry *m;
	int rc = SRC_OK;

	strbuf_addf(&marker, "%s.done", e->name);
	m = listing_find(l, marker.buf);
	strbuf_release(&marker);
	if (!e->regular || !m || names_has(&r->settled, e->name)) {
		if (e->regular && !m)
			log_verbose("%s/%s: no .done marker yet, not taken", r->s->def->into,
				    e->name);
		return SRC_OK;
	}
	if (!safe_name(e->name)) {
		struct strbuf p = STRBUF_INIT;
		printable_name(e->name, &p);
		log_error("source %s: '%s': a file name that cannot be a landing name (leading "
			  "dot, '/', '..', '@' or control characters); not taken",
			  r->s->def->name, p.buf);
		strbuf_release(&p);
		r->f->rejected++;
	} else if ((rc = take_file(r, e)) == SRC_FAIL) {
		r->f->rejected++;
		rc = SRC_OK;
	} else if (rc == SRC_OK) {
		names_add(&r->put_away, e->name);
	}
	if (rc == SRC_OK) {	/* counted once settled: a broken try is redone */
		r->f->seen++;
		names_add(&r->settled, e->name);
	}
	return rc;
}

static void orphan_markers(struct source_run *r, const struct source_listing *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const char *n = l->v[i].name;
		size_t len = strlen(n);
		struct strbuf base = STRBUF_INIT;
		const struct source_entry *file;
		if (len <= 5 || strcmp(n + len - 5, ".done"))
			continue;
		strbuf_add(&base, n, len - 5);
		file = listing_find(l, base.buf);
		if (!file || !file->regular) {
			log_error("%s/%s: marker without its file", r->s->def->into,
				  safe_name(n) ? n : "(a bad name)");
			note(r->f, "marker without its file: %s/%s", r->s->def->into,
			     safe_name(n) ? n : "(a bad name)");
			r->f->rejected++;
		}
		strbuf_release(&base);
	}
}

/* The length of the file name in NAME.part or NAME.part.info, or 0. */
static size_t part_base(const char *f)
{
	static const char *const suffix[] = { ".part", ".part.info" };
	size_t n = strlen(f);
	for (int i = 0; i < 2; i++) {
		size_t k = strlen(suffix[i]);
		if (n > k && !strcmp(f + n - k, suffix[i]))
			return n - k;
	}
	return 0;
}

/* Partial downloads of files no longer on the source go. */
static void drop_stale_partials(struct source_run *r, const struct source_listing *l)
{
	struct strbuf dir = STRBUF_INIT, p = STRBUF_INIT;
	struct dirent *e;
	DIR *dh;
	strbuf_addf(&dir, "%s/landing/.partial/%s", r->f->ctx->conf.state, r->s->def->name);
	if (!(dh = opendir(dir.buf))) {
		strbuf_release(&dir);
		return;
	}
	while ((e = readdir(dh))) {
		size_t len = part_base(e->d_name);
		if (e->d_name[0] == '.' || !len)
			continue;
		strbuf_reset(&p);
		strbuf_add(&p, e->d_name, len);
		if (listing_find(l, p.buf))
			continue;
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/%s", dir.buf, e->d_name);
		if (unlink(p.buf) == 0)
			log_verbose("%s: removed, its file is no longer on source %s", p.buf,
				    r->s->def->name);
	}
	closedir(dh);
	strbuf_release(&dir);
	strbuf_release(&p);
}

/* One pass over the source's directory. */
static int take_listing(struct source_run *r)
{
	struct source_listing l = { NULL, 0, 0 };
	int rc = r->s->list(r->s, &l);
	r->refused_names = l.refused;	/* the last pass's: a retry lists them again */
	if (rc == SRC_OK && l.n)
		qsort(l.v, l.n, sizeof(*l.v), cmp_entry);
	for (size_t i = 0; rc == SRC_OK && i < l.n; i++) {
		size_t len = strlen(l.v[i].name);
		if (len <= 5 || strcmp(l.v[i].name + len - 5, ".done"))
			rc = take_entry(r, &l, &l.v[i]);
	}
	if (rc == SRC_OK) {
		orphan_markers(r, &l);
		drop_stale_partials(r, &l);
	}
	listing_free(&l);
	return rc;
}

/* A file left on the source is landed all the same; the next run tries again. */
static void put_away(struct source_run *r)
{
	const char *done = r->s->def->after == AFTER_DELETE ? "deleted" : "moved";
	unsigned long failed = 0;
	char num[32];
	for (size_t i = 0; r->s->def->after != AFTER_LEAVE && i < r->put_away.n; i++)
		if (r->s->after(r->s, r->put_away.v[i]) == SRC_OK)
			log_verbose("%s/%s: %s on the source", r->s->def->into, r->put_away.v[i],
				    done);
		else
			failed++;
	if (!failed)
		return;
	snprintf(num, sizeof(num), "%lu", failed);
	note(r->f, "after-landing failed on source %s for %s file(s)", r->s->def->name, num);
	r->f->rejected += failed;
}

/* Tries, with a growing pause, until the listing is done or the tries are up. */
static int try_source(struct source_run *r, const struct source_def *d)
{
	const struct sources_conf *sc = &r->f->sc;
	struct source s;
	int rc;
	r->s = &s;
	for (int tries = 1;; tries++) {
		int pause = sc->backoff << (tries - 1 < 8 ? tries - 1 : 8);
		if ((rc = source_open(&s, d, sc->timeout)) == SRC_OK) {
			rc = take_listing(r);
			if (rc == SRC_OK && store_commit(r->txn) == 0) {
				r->txn = NULL;
				put_away(r);
			} else if (rc == SRC_OK) {
				r->txn = NULL;
				rc = F_INTERNAL;
			}
			s.close(&s);
		}
		if (rc != SRC_DOWN || tries >= sc->retries)
			return rc;
		pause = pause > MAX_BACKOFF ? MAX_BACKOFF : pause;
		log_info("source %s: try %d of %d failed; trying again in %d s", d->name, tries,
			 sc->retries, pause);
		sleep((unsigned)pause);
	}
}

/*
 * The info file beside a partial download is written by atomic_write(): a
 * run killed while writing it leaves NAME.part.info.tmp.XXXXXX. Under the
 * state lock every such temporary is a killed run's.
 */
static int sweep_partials(struct fetch *f, const struct source_def *d)
{
	struct strbuf dir = STRBUF_INIT;
	int rc;
	strbuf_addf(&dir, "%s/landing/.partial/%s", f->ctx->conf.state, d->name);
	rc = atomic_sweep(dir.buf, 0);
	if (rc > 0)
		log_verbose("%s: %d temporary file(s) of a killed run removed", dir.buf, rc);
	strbuf_release(&dir);
	return rc < 0 ? -1 : 0;
}

/* A line of OUT/DATE/sources.csv: source;into;state;files;note. */
static void source_line(struct fetch *f, const char *name, const char *into, int reached,
			unsigned long files, const char *why)
{
	char num[32];
	if (!f->sources.len)
		strbuf_addstr(&f->sources, CSV_BOM "source;into;state;files;note\n");
	snprintf(num, sizeof(num), "%lu", files);
	csvout_str(&f->sources, name, 0);
	csvout_str(&f->sources, into, 0);
	csvout_str(&f->sources, reached ? "reached" : "unreachable", 0);
	csvout_str(&f->sources, num, 0);
	csvout_str(&f->sources, why, 1);
}

static int fetch_source(struct fetch *f, const struct source_def *d)
{
	struct source_run r = { .f = f };
	unsigned long before = f->seen;
	int rc;
	if (sweep_partials(f, d) || store_begin(&f->ctx->store, 0, &r.txn))
		return F_INTERNAL;
	rc = try_source(&r, d);
	f->rejected += r.refused_names;
	if (r.txn && store_commit(r.txn))	/* what landed before the source went away */
		rc = F_INTERNAL;
	if (rc == SRC_DOWN || rc == SRC_FAIL) {
		log_error("source %s unreachable%s; the files it landed are kept, the next "
			  "run goes on from there", d->name,
			  rc == SRC_DOWN ? " after the configured tries" : "");
		note(f, "source %s unreachable%s", d->name, "");
		f->unreachable++;
	}
	if (rc != F_INTERNAL)
		source_line(f, d->name, d->into, rc != SRC_DOWN && rc != SRC_FAIL,
			    f->seen - before, rc == SRC_DOWN ? "after the configured tries" :
			    rc == SRC_FAIL ? "refused (host key or login)" : "");
	names_free(&r.settled);
	names_free(&r.put_away);
	return rc == F_INTERNAL ? -1 : 0;
}

/* Without configured sources: each subdirectory of 'drops'. */
static int default_sources(struct fetch *f)
{
	const char *root = f->ctx->conf.drops;
	struct dirent **list;
	int n;
	if (!root) {
		log_error("no sources: give --drops, 'drops' in %s, or a source in %s",
			  f->ctx->conf.path, f->sc.path);
		return EXIT_USAGE;
	}
	if ((n = scandir(root, &list, NULL, alphasort)) < 0) {
		struct strbuf why = STRBUF_INIT;
		strbuf_addf(&why, "unable to open drops directory %s: %s", root, strerror(errno));
		log_error("%s", why.buf);
		/* the drops directory is the one source: it is unreachable */
		note(f, "source drops unreachable%s", "", "");
		source_line(f, "drops", "", 0, 0, why.buf);
		f->unreachable++;
		strbuf_release(&why);
		return EXIT_UNREACHABLE;
	}
	for (int i = 0; i < n; i++) {
		struct strbuf dir = STRBUF_INIT, name = STRBUF_INIT;
		struct stat st;
		strbuf_addf(&dir, "%s/%s", root, list[i]->d_name);
		strbuf_addf(&name, "drops-%s", list[i]->d_name);
		if (safe_name(list[i]->d_name) && stat(dir.buf, &st) == 0 && S_ISDIR(st.st_mode))
			sources_add_local(&f->sc, name.buf, dir.buf, list[i]->d_name);
		strbuf_release(&dir);
		strbuf_release(&name);
		free(list[i]);
	}
	free(list);
	return EXIT_DONE;
}

/*
 * The ledger entry, then OUT/DATE/sources.csv (what each source offered
 * tonight, and which could not be reached: the report opens with it).
 */
static int finish(struct fetch *f, int rc)
{
	struct stage_ctx *ctx = f->ctx;
	struct strbuf path = STRBUF_INIT;
	struct ledger_entry e;
	MDB_txn *txn;
	stage_ledger_entry(ctx, &e, rc == EXIT_UNREACHABLE ? "failed" : "done", rc);
	digest_finish(f->in, e.input);
	digest_finish(f->out, e.output);
	f->in = f->out = NULL;
	e.rows_in = f->seen;
	e.rows_out = f->landed;
	e.rows_rejected = f->rejected;
	xstrlcpy(e.error, f->note.buf ? f->note.buf : "", sizeof(e.error));
	if (store_begin(&ctx->store, 0, &txn))
		return EXIT_INTERNAL;
	if (ledger_put(&ctx->store, txn, ctx->opts.date, ctx->name, &e)) {
		mdb_txn_abort(txn);
		return EXIT_INTERNAL;
	}
	if (store_commit(txn))
		return EXIT_INTERNAL;
	stage_out_path(ctx, "sources.csv", &path);
	if (!f->sources.len)	/* no source at all: the header alone */
		strbuf_addstr(&f->sources, CSV_BOM "source;into;state;files;note\n");
	if (atomic_write(path.buf, f->sources.buf, f->sources.len, 0640)) {
		strbuf_release(&path);
		return EXIT_INTERNAL;
	}
	strbuf_release(&path);
	log_info("%s: %lu file(s) landed (%lu corrected), %lu landed on an earlier night, "
		 "%lu problem(s), %lu source(s) unreachable", ctx->opts.date, f->landed,
		 f->corrected, f->known, f->rejected, f->unreachable);
	return rc;
}

static int fetch_night(struct stage_ctx *ctx)
{
	struct fetch f = { .ctx = ctx };
	struct strbuf path = STRBUF_INIT;
	int rc;

	conf_sibling(&ctx->conf, "sources.conf", &path);
	rc = sources_load(path.buf, &f.sc) ? EXIT_USAGE : EXIT_DONE;
	strbuf_release(&path);
	if (rc == EXIT_DONE && !f.sc.n)
		rc = default_sources(&f);
	f.in = digest_new();
	f.out = digest_new();
	for (int i = 0; rc == EXIT_DONE && i < f.sc.n; i++)
		if (fetch_source(&f, &f.sc.v[i]))
			rc = EXIT_INTERNAL;
	if (rc == EXIT_DONE)
		rc = f.unreachable ? EXIT_UNREACHABLE : f.rejected ? EXIT_BADDATA : EXIT_DONE;
	if (rc == EXIT_DONE || rc == EXIT_BADDATA || rc == EXIT_UNREACHABLE)
		rc = finish(&f, rc);
	if (f.in) {
		char junk[DIGEST_HEXSZ];
		digest_finish(f.in, junk);
		digest_finish(f.out, junk);
	}
	sources_free(&f.sc);
	strbuf_release(&f.note);
	strbuf_release(&f.sources);
	return rc;
}

/* --help (run/stage.h). */
const struct stage_help stage_help = {
	"Lands the night's files under STATE/landing/DATE/: from the drops directory\n"
	"(a file counts when NAME.done sits beside it) or the SFTP sources of\n"
	"conf/sources.conf; each file once by SHA-256, a corrected file beside the\n"
	"earlier one, with a receipt in the store.\n",
	"Exit: 0 done, 64 usage or configuration, 65 a marker without its file or a\n"
	"      failed after-landing move (the rest landed), 69 a source could not be\n"
	"      reached (the others were fetched), 70 internal error, 75 locked.\n",
};

int main(int argc, char **argv)
{
	struct stage_ctx ctx;
	int rc;
	log_init("stage-fetch");
	if ((rc = stage_init(&ctx, "fetch", argc, argv, 0)))
		return rc;
	rc = fetch_night(&ctx);
	return stage_end(&ctx, rc);
}
