/* Sealing one night into the archive (format: archive/sealed.h). */
#include "sealnight.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/atomicfile.h"
#include "core/csvout.h"
#include "core/date.h"
#include "core/log.h"
#include "store/landed.h"
#include "store/ledger.h"
#include "run/nightstatus.h"
#include "ingest/csvin.h"
#include "ingest/csvtable.h"
#include "archive/sealed.h"
#include "core/banned.h"

/*
 * A member of the night's tar: a file, read when measured and again when
 * the tar is written (never held: report.html and the summaries grow with
 * the night), or bytes made here (inputs.csv, status).
 */
struct member {
	char *path;
	char *file;		/* the file its bytes are, or NULL: data */
	struct strbuf data;
	int measured;
	char sha[DIGEST_HEXSZ];
	uint64_t size, rows;
};

struct members {
	struct member *v;
	size_t n;
};

static struct member *member_new(struct members *m, const char *path, const char *file)
{
	struct member *x;
	m->v = xrealloc(m->v, (m->n + 1) * sizeof(*m->v));
	x = &m->v[m->n++];
	memset(x, 0, sizeof(*x));
	x->path = xstrdup(path);
	x->file = file ? xstrdup(file) : NULL;
	strbuf_init(&x->data);
	return x;
}

/* A member made here: its bytes go into the strbuf returned. */
static struct strbuf *member_add(struct members *m, const char *path)
{
	return &member_new(m, path, NULL)->data;
}

static void members_free(struct members *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].path);
		free(m->v[i].file);
		strbuf_release(&m->v[i].data);
	}
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

static int count_row(const struct csv_row *row, void *data)
{
	(void)row;
	++*(uint64_t *)data;
	return 0;
}

/* Data rows of a CSV member (its header not counted; as csvtable reads
 * it: 0 when it cannot be read as CSV), 0 for others. */
static uint64_t csv_rows(const struct member *x)
{
	struct csvin_opts o = { .delimiter = ';', .encoding = CSVIN_UTF8 };
	size_t len = strlen(x->path);
	uint64_t n = 0;
	FILE *f;
	int rc;
	if (len < 4 || strcmp(x->path + len - 4, ".csv") || !x->size)
		return 0;
	f = x->file ? fopen(x->file, "rb") : fmemopen(x->data.buf, x->data.len, "rb");
	if (!f)
		return 0;
	rc = csvin_read_fp(f, x->path, &o, count_row, &n, NULL);	/* named as in the tar */
	fclose(f);
	return rc || !n ? 0 : n - 1;
}

/* A member's SHA-256, size and rows, once. 0, or -1 reported. */
static int member_measure(struct member *x)
{
	if (x->measured)
		return 0;
	if (!x->file) {
		digest_buf(x->data.buf, x->data.len, x->sha);
		x->size = x->data.len;
	} else if (digest_file(x->file, x->sha, &x->size)) {
		log_error("unable to read %s: %s", x->file, strerror(errno));
		return -1;
	}
	x->rows = csv_rows(x);
	x->measured = 1;
	return 0;
}

/* A member whose bytes are the file at file, measured now. 0, or -1. */
static int member_add_file(struct members *m, const char *path, const char *file)
{
	return member_measure(member_new(m, path, file));
}

/* A small file whole (a manifest). */
static int read_whole(const char *path, struct strbuf *out)
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	size_t n;
	if (!f) {
		log_error("unable to open %s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(out, buf, n);
	n = (size_t)ferror(f);
	fclose(f);
	if (n)
		log_error("unable to read %s", path);
	return n ? -1 : 0;
}

static int has_member(const struct members *m, const char *path)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->v[i].path, path))
			return 1;
	return 0;
}

/* A member name goes into the manifest as one conffile word. */
static int name_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == '"' || *s == '#' || *s == '\\')
			return 0;
	return 1;
}

/* Every file under root/rel, recursively; root's own "status" is left
 * out (the driver rewrites it after the archive: the sealed one comes
 * from the ledger). */
static int collect(const char *root, const char *rel, struct members *m)
{
	struct strbuf dir = STRBUF_INIT, sub = STRBUF_INIT, full = STRBUF_INIT;
	DIR *d;
	struct dirent *e;
	int rc = 0;
	strbuf_addf(&dir, "%s%s%s", root, *rel ? "/" : "", rel);
	if (!(d = opendir(dir.buf))) {
		if (errno != ENOENT) {
			log_error("unable to read %s: %s", dir.buf, strerror(errno));
			rc = -1;
		}
		strbuf_release(&dir);
		return rc;
	}
	while (!rc && (e = readdir(d))) {
		struct stat sb;
		if (e->d_name[0] == '.' || strstr(e->d_name, ".tmp.") ||
		    (!*rel && !strcmp(e->d_name, "status")))
			continue;
		strbuf_reset(&sub);
		strbuf_addf(&sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		strbuf_reset(&full);
		strbuf_addf(&full, "%s/%s", dir.buf, e->d_name);
		if (!name_ok(sub.buf)) {
			log_error("%s: a file name with blanks or quotes cannot be archived", sub.buf);
			rc = -1;
		} else if (lstat(full.buf, &sb)) {
			log_error("unable to read %s: %s", full.buf, strerror(errno));
			rc = -1;
		} else if (S_ISDIR(sb.st_mode)) {
			rc = collect(root, sub.buf, m);
		} else if (S_ISREG(sb.st_mode)) {
			rc = member_add_file(m, sub.buf, full.buf);
		}
	}
	closedir(d);
	strbuf_release(&dir);
	strbuf_release(&sub);
	strbuf_release(&full);
	return rc;
}

/* An input file of the night: landed on it, or read by one of its results. */
struct input {
	char relpath[512], night[16], sha[DIGEST_HEXSZ];
	uint8_t fileid[FILEID_LEN];
	int seal;		/* its bytes go into the tar (archive.conf seal-input) */
};

struct inputs {
	struct stage_ctx *ctx;
	const struct archive_conf *ac;
	MDB_txn *txn;
	struct input *v;
	size_t n, alloc;
	const char *want_relpath, *want_sha;	/* find_landed()'s question */
	int found;
	uint8_t found_id[FILEID_LEN];		/* and its answer */
};

/* An input name goes into the manifest as one conffile word, quoted when
 * it has blanks or '#' (manifest_word); a quote or a control character
 * cannot be written there at all. */
static int input_name_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || *s == '"' || *s == 0x7f)
			return 0;
	return 1;
}

static void manifest_word(struct strbuf *out, const char *s)
{
	if (strpbrk(s, " #"))
		strbuf_addf(out, "\"%s\"", s);
	else
		strbuf_addstr(out, s);
}

static void input_add(struct inputs *in, const char *relpath, const char *night,
		      const char *sha, const uint8_t fileid[FILEID_LEN], int seal)
{
	struct input *x;
	for (size_t i = 0; i < in->n; i++)
		if (!strcmp(in->v[i].relpath, relpath) && !strcmp(in->v[i].sha, sha)) {
			in->v[i].seal |= seal;
			return;		/* one file, however many results read it */
		}
	in->v = xgrow(in->v, &in->alloc, in->n + 1, sizeof(*x));
	x = &in->v[in->n++];
	memset(x, 0, sizeof(*x));
	xstrlcpy(x->relpath, relpath, sizeof(x->relpath));
	xstrlcpy(x->night, night, sizeof(x->night));
	xstrlcpy(x->sha, sha, sizeof(x->sha));
	memcpy(x->fileid, fileid, FILEID_LEN);
	x->seal = seal;
}

static int landed_tonight(const struct landed_file *f, void *data)
{
	struct inputs *in = data;
	input_add(in, f->relpath, in->ctx->opts.date, f->sha, f->fileid, 0);
	return 0;
}

static int find_landed(const struct landed_file *f, void *data)
{
	struct inputs *in = data;
	if (in->found || strcmp(f->relpath, in->want_relpath) || strcmp(f->sha, in->want_sha))
		return 0;
	in->found = 1;
	memcpy(in->found_id, f->fileid, FILEID_LEN);
	return 0;
}

/*
 * A file the results read whose landing on that night a later run of the
 * night replaced (a rerun of an older night read a version a later night
 * landed, and that night ran again on other bytes): its bytes are kept,
 * and the archive seals what the results were made of. Found by its files
 * record (same name and SHA-256). 0 (in->found set if so) or -1.
 */
static int kept_file(struct inputs *in)
{
	struct strbuf props = STRBUF_INIT, v = STRBUF_INIT;
	uint8_t id[FILEID_LEN];
	int rc = 0;
	if (strlen(in->want_sha) == DIGEST_HEXSZ - 1 && fileid_from_hex(in->want_sha, id) == 0) {
		rc = file_props_get(&in->ctx->store, in->txn, id, &props);
		if (rc == 0 && props_get(&props, "relpath", &v) && !strcmp(v.buf, in->want_relpath) &&
		    props_get(&props, "sha", &v) && !strcmp(v.buf, in->want_sha)) {
			in->found = 1;
			memcpy(in->found_id, id, FILEID_LEN);
		}
	}
	strbuf_release(&props);
	strbuf_release(&v);
	return rc < 0 ? -1 : 0;
}

/* Whether archive.conf seals the bytes of store's files (seal-input). */
static int seal_store(const struct archive_conf *ac, const char *store)
{
	for (size_t i = 0; i < ac->nseal; i++)
		if (!strcmp(ac->seal_inputs[i], store))
			return 1;
	return 0;
}

/*
 * The files the night's results read, whichever night they landed on:
 * every 'had' row of OUT/DATE/inputs/RECON.csv (match/recon.h), found
 * by landing night, name and SHA-256 in the store. 0 or -1 (reported).
 */
static int inputs_read(struct inputs *in)
{
	struct strbuf dir = STRBUF_INIT, p = STRBUF_INIT;
	struct dirent **names;
	int n, rc = 0;
	strbuf_addf(&dir, "%s/inputs", in->ctx->outdir);
	if ((n = scandir(dir.buf, &names, NULL, alphasort)) < 0) {
		strbuf_release(&dir);
		return errno == ENOENT ? 0 : (log_error("unable to read %s: %s", dir.buf,
							  strerror(errno)), -1);
	}
	for (int i = 0; i < n; i++) {
		struct csvtable t;
		size_t len = strlen(names[i]->d_name);
		if (rc || names[i]->d_name[0] == '.' || len < 5 ||
		    strcmp(names[i]->d_name + len - 4, ".csv") || strstr(names[i]->d_name, ".tmp.")) {
			free(names[i]);
			continue;
		}
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/%s", dir.buf, names[i]->d_name);
		free(names[i]);
		if ((rc = csvtable_read(p.buf, NULL, &t)))
			continue;
		for (size_t r = 0; r < t.nrows && !rc; r++) {
			const char *night = csvtable_get(&t, r, csvtable_col(&t, "night"));
			if (strcmp(csvtable_get(&t, r, csvtable_col(&t, "state")), "had"))
				continue;
			in->want_relpath = csvtable_get(&t, r, csvtable_col(&t, "file"));
			in->want_sha = csvtable_get(&t, r, csvtable_col(&t, "sha256"));
			in->found = 0;
			rc = landed_each(&in->ctx->store, in->txn, night, find_landed, in);
			if (!rc && !in->found)
				rc = kept_file(in);
			if (!rc && !in->found) {
				log_error("%s:%lu: %s landed %s (%.12s) is not in the store", p.buf,
					  t.lines[r], in->want_relpath, night, in->want_sha);
				rc = -1;
			}
			if (!rc)	/* the night it landed, not tonight */
				input_add(in, in->want_relpath, night, in->want_sha, in->found_id,
					  seal_store(in->ac, csvtable_get(&t, r,
							     csvtable_col(&t, "store"))));
		}
		csvtable_free(&t);
	}
	free(names);
	strbuf_release(&dir);
	strbuf_release(&p);
	return rc;
}

static int cmp_input(const void *a, const void *b)
{
	const struct input *x = a, *y = b;
	int c = strcmp(x->relpath, y->relpath);
	if (!c)
		c = strcmp(x->night, y->night);
	return c ? c : strcmp(x->sha, y->sha);
}

static int input_line(struct inputs *in, const struct input *f, struct strbuf *text)
{
	struct strbuf props = STRBUF_INIT, v = STRBUF_INIT;
	static const char *const keys[] = { "size", "rows_read", "schema", "status" };
	int rc;
	if (!input_name_ok(f->relpath)) {
		log_error("%s: an input file name with a quote or a control character "
			  "cannot be archived; rename the drop and rerun", in->ctx->opts.date);
		return -1;
	}
	rc = file_props_get(&in->ctx->store, in->txn, f->fileid, &props);
	if (rc < 0)
		return -1;
	csvout_str(text, f->relpath, 0);
	csvout_str(text, f->sha, 0);
	for (size_t i = 0; i < 4; i++)
		csvout_str(text, props_get(&props, keys[i], &v) ? v.buf : "", 0);
	csvout_str(text, f->night, 1);
	strbuf_release(&props);
	strbuf_release(&v);
	return 0;
}

/*
 * An input's own bytes as member landed/NIGHT/RELPATH (NIGHT the night it
 * landed: one relpath may land twice with other bytes), read from where
 * fetch kept them under STATE and checked against the SHA-256 the night's
 * results recorded: the archive holds exactly the file the decisions were
 * made against, or the night is not sealed. 0 or -1 (reported).
 */
static int seal_input_bytes(struct inputs *in, const struct input *f, struct members *m)
{
	struct strbuf props = STRBUF_INIT, v = STRBUF_INIT, p = STRBUF_INIT, name = STRBUF_INIT;
	const char *sha;
	int rc = file_props_get(&in->ctx->store, in->txn, f->fileid, &props);
	if (rc == 0 && !props_get(&props, "path", &v))
		rc = 1;
	if (rc) {
		if (rc > 0)
			log_error("%s landed %s: the store does not say where its bytes are: "
				  "not sealed", f->relpath, f->night);
		goto out;
	}
	strbuf_addf(&name, "landed/%s/%s", f->night, f->relpath);
	if (!name_ok(name.buf)) {
		log_error("%s: a file name with blanks or quotes cannot be archived; rename the "
			  "drop and rerun", f->relpath);
		rc = -1;
		goto out;
	}
	if (has_member(m, name.buf)) {
		log_error("%s: OUT/%s has a file of that name: not sealed", name.buf,
			  in->ctx->opts.date);
		rc = -1;
		goto out;
	}
	strbuf_addf(&p, "%s/%s", in->ctx->conf.state, v.buf);
	if ((rc = member_add_file(m, name.buf, p.buf)))
		goto out;
	sha = m->v[m->n - 1].sha;
	if (strcmp(sha, f->sha)) {
		log_error("%s: its bytes (%.12s) are not the file the night read (%.12s): "
			  "not sealed", p.buf, sha, f->sha);
		rc = -1;
	}
out:
	strbuf_release(&props);
	strbuf_release(&v);
	strbuf_release(&p);
	strbuf_release(&name);
	return rc ? -1 : 0;
}

/*
 * inputs.csv (every input file of the night: landed on it or read by its
 * results, with the night it landed), the bytes of those archive.conf
 * seals (seal-input) and status, from the store.
 */
static int from_store(struct stage_ctx *ctx, const struct archive_conf *ac, struct members *m)
{
	struct inputs in = { .ctx = ctx, .ac = ac };
	struct strbuf *text = member_add(m, "inputs.csv");
	int rc;
	if (store_begin(&ctx->store, MDB_RDONLY, &in.txn))
		return -1;
	strbuf_addstr(text, CSV_BOM "relpath;sha256;size;rows;schema;status;night\n");
	rc = landed_each(&ctx->store, in.txn, ctx->opts.date, landed_tonight, &in);
	if (!rc)
		rc = inputs_read(&in);
	if (!rc && in.n)
		qsort(in.v, in.n, sizeof(*in.v), cmp_input);
	for (size_t i = 0; i < in.n && !rc; i++)
		rc = input_line(&in, &in.v[i], text);
	for (size_t i = 0; i < in.n && !rc; i++)
		if (in.v[i].seal)
			rc = seal_input_bytes(&in, &in.v[i], m);
	if (!rc)
		rc = night_status_text(&ctx->store, in.txn, &ctx->conf, ctx->opts.date,
				       ctx->name, member_add(m, "status"));
	mdb_txn_abort(in.txn);
	free(in.v);
	return rc ? -1 : 0;
}

static int cmp_member(const void *a, const void *b)
{
	return strcmp(((const struct member *)a)->path, ((const struct member *)b)->path);
}

/* Where the tar goes: a file, its SHA-256 and size taken on the way. */
struct tar_out {
	FILE *fp;
	struct digest_ctx *dg;
	uint64_t size;
};

static la_ssize_t to_file(struct archive *a, void *data, const void *buf, size_t n)
{
	struct tar_out *t = data;
	(void)a;
	if (fwrite(buf, 1, n, t->fp) != n) {
		archive_set_error(a, errno ? errno : EIO, "write error");
		return -1;
	}
	digest_update(t->dg, buf, n);
	t->size += n;
	return (la_ssize_t)n;
}

/* A member's bytes into the tar: its file read in chunks, or its data. */
static int tar_member_data(struct archive *a, const struct member *x)
{
	char buf[65536];
	uint64_t total = 0;
	size_t n;
	FILE *f;
	int rc = 0;
	if (!x->file)
		return archive_write_data(a, x->data.buf, x->data.len) ==
		       (la_ssize_t)x->data.len ? 0 : -1;
	if (!(f = fopen(x->file, "rb"))) {
		log_error("unable to open %s: %s", x->file, strerror(errno));
		return -1;
	}
	while (!rc && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
		total += n;
		if (total > x->size)
			break;
		if (archive_write_data(a, buf, n) != (la_ssize_t)n)
			rc = -1;
	}
	if (!rc && (ferror(f) || total != x->size)) {
		/* the manifest says what was measured: a file that changed is not sealed */
		log_error("%s changed while it was sealed", x->file);
		rc = -2;
	}
	fclose(f);
	return rc;
}

/* Fixed metadata and order, gzip without a timestamp: reproducible bytes. */
static int build_tar(const struct members *m, int32_t night, struct tar_out *out)
{
	struct archive *a = archive_write_new();
	time_t mtime = (time_t)(day_number(night) * 86400);
	int rc = 0;
	if (archive_write_set_format_ustar(a) || archive_write_add_filter_gzip(a) ||
	    archive_write_set_filter_option(a, "gzip", "timestamp", NULL) ||
	    archive_write_set_bytes_in_last_block(a, 1) ||
	    archive_write_open(a, out, NULL, to_file, NULL)) {
		log_error("archive: %s", archive_error_string(a));
		archive_write_free(a);
		return -1;
	}
	for (size_t i = 0; i < m->n && !rc; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, m->v[i].path);
		archive_entry_set_size(e, (la_int64_t)m->v[i].size);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0440);
		archive_entry_set_mtime(e, mtime, 0);
		archive_entry_set_uid(e, 0);
		archive_entry_set_gid(e, 0);
		if (archive_write_header(a, e) != ARCHIVE_OK ||
		    (rc = tar_member_data(a, &m->v[i])) == -1) {
			log_error("archive: %s: %s", m->v[i].path, archive_error_string(a));
			rc = -1;
		}
		archive_entry_free(e);
	}
	if (archive_write_close(a) != ARCHIVE_OK && !rc) {
		log_error("archive: %s", archive_error_string(a));
		rc = -1;
	}
	archive_write_free(a);
	return rc ? -1 : 0;
}

/* why goes after retention-years; NULL leaves it out (the body a revision
 * is compared by). When it was sealed is not in the manifest: BASE.sealed. */
static void manifest_text(const struct members *m, const char *night, const char *base,
			  const char *tar_sha, uint64_t tar_size, int years, const char *why,
			  struct strbuf *out)
{
	const struct member *in = NULL;
	strbuf_addf(out, "# Archive manifest (format: pipeline/archive/sealed.h)\nnight %s\n"
		    "retention-years %d\n", night, years);
	if (why)
		strbuf_addf(out, "why \"%s\"\n", why);
	strbuf_addf(out, "archive %s.tar.gz %s %llu\n", base, tar_sha,
		    (unsigned long long)tar_size);
	for (size_t i = 0; i < m->n; i++) {
		strbuf_addf(out, "member %s %llu %llu %s\n", m->v[i].sha,
			    (unsigned long long)m->v[i].size, (unsigned long long)m->v[i].rows,
			    m->v[i].path);
		if (!strcmp(m->v[i].path, "inputs.csv") && !m->v[i].file)
			in = &m->v[i];
	}
	if (in) {
		FILE *f = fmemopen(in->data.buf, in->data.len, "rb");
		struct csvtable t;
		if (f && csvtable_read("inputs.csv", f, &t) == 0) {
			for (size_t r = 0; r < t.nrows; r++) {
				strbuf_addf(out, "input %s %s %s ", csvtable_get(&t, r, 1),
					    csvtable_get(&t, r, 2), *csvtable_get(&t, r, 3) ?
					    csvtable_get(&t, r, 3) : "0");
				manifest_word(out, csvtable_get(&t, r, 0));
				strbuf_addch(out, '\n');
			}
			csvtable_free(&t);
		}
		if (f)
			fclose(f);
	}
}

static int chain_save(const char *dir, const struct chain *ch)
{
	struct strbuf t = STRBUF_INIT, p = STRBUF_INIT;
	int rc;
	strbuf_addstr(&t, "# Seal records, oldest first (format: pipeline/archive/sealed.h)\n");
	for (size_t i = 0; i < ch->n; i++) {
		const struct seal_rec *r = &ch->v[i];
		strbuf_addf(&t, "seal %lu %s %s %s %s %s\n", r->seq, r->night, r->base,
			    r->manifest, r->prev, r->seal);
	}
	archive_path(dir, "chain", "", &p);
	rc = atomic_write(p.buf, t.buf, t.len, 0440);
	strbuf_release(&t);
	strbuf_release(&p);
	return rc;
}

/* The file base of night's next revision: the night, then NIGHT.rN. */
static void revision_base(const struct chain *ch, const char *night, char base[32])
{
	unsigned revs = 0;
	for (size_t i = 0; i < ch->n; i++)
		revs += !strcmp(ch->v[i].night, night);
	if (revs)
		snprintf(base, 32, "%s.r%u", night, revs + 1);
	else
		xstrlcpy(base, night, 32);
}

static const struct seal_rec *chain_append(struct chain *ch, const char *night,
					   const char *base, const char *mani)
{
	struct seal_rec *r;
	ch->v = xrealloc(ch->v, (ch->n + 1) * sizeof(*ch->v));
	r = &ch->v[ch->n];
	memset(r, 0, sizeof(*r));
	r->seq = ch->n + 1;
	xstrlcpy(r->night, night, sizeof(r->night));
	xstrlcpy(r->base, base, sizeof(r->base));
	xstrlcpy(r->manifest, mani, sizeof(r->manifest));
	xstrlcpy(r->prev, ch->n ? ch->v[ch->n - 1].seal : seal_genesis, sizeof(r->prev));
	seal_compute(r->prev, r->manifest, r->seal);
	ch->n++;
	return r;
}

/* Removes the files of nights before the cutoff; their records stay. The
 * manifest goes first: a night without one is retired to verify, so a crash
 * between the two leaves no false alarm (the tar goes next time). */
static int retire(const char *dir, const struct chain *ch, int years, unsigned long *count)
{
	int32_t cutoff = retention_cutoff(chain_newest(ch), years, day_today()), d;
	struct strbuf p = STRBUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < ch->n && cutoff; i++) {
		int removed = 0;
		if (day_parse_iso(ch->v[i].night, &d) || d >= cutoff)
			continue;
		for (int k = 0; k < 2; k++) {
			archive_path(dir, ch->v[i].base, k ? ".tar.gz" : ".manifest", &p);
			if (unlink(p.buf) == 0)
				removed = 1;
			else if (errno != ENOENT)
				rc = -1, log_error("unable to remove %s: %s", p.buf, strerror(errno));
		}
		*count += removed;
	}
	if (*count)
		fsync_dir(dir);
	strbuf_release(&p);
	return rc;
}

/* The tar, the manifest and BASE.sealed (when), before the chain names them. */
static int write_sealed(const char *dir, const struct seal_rec *r, struct atomic_file *tar,
			const struct strbuf *mani, const char *when)
{
	struct strbuf p = STRBUF_INIT, w = STRBUF_INIT;
	int rc;
	rc = atomic_commit(tar);
	archive_path(dir, r->base, ".manifest", &p);
	if (!rc)
		rc = atomic_write(p.buf, mani->buf, mani->len, 0440);
	archive_path(dir, r->base, ".sealed", &p);
	strbuf_addf(&w, "sealed %s\n", when);
	if (!rc)
		rc = atomic_write(p.buf, w.buf, w.len, 0440);
	strbuf_release(&p);
	strbuf_release(&w);
	return rc;
}

/* Now in UTC, or SOURCE_DATE_EPOCH (reproducible builds' convention) when
 * set: tests and the crash harness compare whole archives. */
static void seal_time(char out[24])
{
	const char *env = getenv("SOURCE_DATE_EPOCH");
	time_t t = env && *env ? (time_t)strtoll(env, NULL, 10) : time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Up to 8 names of a list in why, then how many more. */
static void why_list(struct strbuf *why, size_t start, const char *label,
		     const char *const *v, size_t n)
{
	if (!n)
		return;
	strbuf_addf(why, "%s%s:", why->len > start ? "; " : "", label);
	for (size_t i = 0; i < n && i < 8; i++)
		strbuf_addf(why, " %s", v[i]);
	if (n > 8)
		strbuf_addf(why, " and %zu more", n - 8);
}

/*
 * Why a revision was sealed: what differs from the revision before it
 * (prev), read from its manifest. Quotes cannot occur (names with them
 * are refused before), so the text is one conffile word.
 */
static void revision_why(const char *dir, const struct seal_rec *prev, const struct members *m,
			 int years, struct strbuf *why)
{
	struct strbuf p = STRBUF_INIT;
	struct manifest old;
	const char **changed = xcalloc(m->n + 1, sizeof(char *)),
		   **added = xcalloc(m->n + 1, sizeof(char *)), **removed = NULL;
	size_t nc = 0, na = 0, nr = 0;
	archive_path(dir, prev->base, ".manifest", &p);
	if (access(p.buf, F_OK) || manifest_load(p.buf, &old)) {
		strbuf_addf(why, "outputs differ from %s (its manifest is not there to compare)",
			    prev->base);
		goto out;
	}
	for (size_t i = 0; i < m->n; i++) {
		const struct manifest_entry *e = manifest_member(&old, m->v[i].path);
		if (!e)
			added[na++] = m->v[i].path;
		else if (strcmp(e->sha, m->v[i].sha))
			changed[nc++] = m->v[i].path;
	}
	removed = xcalloc(old.nmembers + 1, sizeof(char *));
	for (size_t i = 0; i < old.nmembers; i++)
		if (!has_member(m, old.members[i].path))
			removed[nr++] = old.members[i].path;
	strbuf_addf(why, "revision %u: outputs differ from %s", seal_revision(prev) + 1,
		    prev->base);
	strbuf_addstr(why, " (");
	{
		size_t start = why->len;
		why_list(why, start, "changed", changed, nc);
		why_list(why, start, "added", added, na);
		why_list(why, start, "removed", removed, nr);
		if (why->len == start && old.retention_years != years)
			strbuf_addf(why, "retention-years %d, was %d", years, old.retention_years);
		else if (why->len == start)
			strbuf_addstr(why, "the input files");
	}
	strbuf_addch(why, ')');
	manifest_free(&old);
out:
	free(changed);
	free(added);
	free(removed);
	strbuf_release(&p);
}

/* Whether the body (no why line) is the last revision's: its manifest
 * without that line, or, for one sealed before they existed
 * (or retired), the manifest digest the chain holds. */
static int same_as_last(const char *dir, const struct seal_rec *last, const struct strbuf *body)
{
	struct strbuf p = STRBUF_INIT, old = STRBUF_INIT, kept = STRBUF_INIT;
	char sha[DIGEST_HEXSZ];
	int same;
	digest_buf(body->buf, body->len, sha);
	if (!strcmp(sha, last->manifest))
		return 1;
	archive_path(dir, last->base, ".manifest", &p);
	same = access(p.buf, F_OK) == 0 && read_whole(p.buf, &old) == 0;
	for (char *l = old.buf; same && l && *l;) {
		char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) + 1 : strlen(l);
		if (strncmp(l, "why ", 4))
			strbuf_add(&kept, l, n);
		l += n;
	}
	same = same && kept.len == body->len && !memcmp(kept.buf, body->buf, body->len);
	strbuf_release(&p);
	strbuf_release(&old);
	strbuf_release(&kept);
	return same;
}

static int seal_members(struct stage_ctx *ctx, const struct archive_conf *ac,
			struct members *m, struct seal_result *res)
{
	struct strbuf mani = STRBUF_INIT, why = STRBUF_INIT, p = STRBUF_INIT;
	struct atomic_file tar = { NULL, NULL, NULL };
	struct tar_out out = { NULL, NULL, 0 };
	struct chain ch;
	const struct seal_rec *last;
	char msha[DIGEST_HEXSZ], tsha[DIGEST_HEXSZ], base[32], when[24];
	int rc = 0;
	for (size_t i = 0; i < m->n && !rc; i++)
		rc = member_measure(&m->v[i]);
	if (rc || chain_load(ac->dir, &ch))
		return -1;
	last = chain_latest(&ch, ctx->opts.date);
	revision_base(&ch, ctx->opts.date, base);
	/* The tar is written as it is built, to its temporary beside the
	 * others (atomic_sweep() removes it if we are killed); committed only
	 * if the night is sealed again. */
	archive_path(ac->dir, base, ".tar.gz", &p);
	rc = atomic_open(&tar, p.buf, 0440);
	if (!rc) {
		out.fp = tar.fp;
		out.dg = digest_new();
		rc = build_tar(m, ctx->night, &out);
		digest_finish(out.dg, tsha);
	}
	if (!rc && last)
		manifest_text(m, ctx->opts.date, last->base, tsha, out.size, ac->retention_years,
			      NULL, &mani);
	if (!rc && last && same_as_last(ac->dir, last, &mani)) {
		atomic_abort(&tar);
		xstrlcpy(res->base, last->base, sizeof(res->base));
		xstrlcpy(res->seal, last->seal, sizeof(res->seal));
	} else if (!rc) {
		seal_time(when);
		if (last)
			revision_why(ac->dir, last, m, ac->retention_years, &why);
		else
			strbuf_addstr(&why, "first seal of the night");
		strbuf_reset(&mani);
		manifest_text(m, ctx->opts.date, base, tsha, out.size, ac->retention_years,
			      why.buf, &mani);
		digest_buf(mani.buf, mani.len, msha);
		const struct seal_rec *r = chain_append(&ch, ctx->opts.date, base, msha);
		rc = write_sealed(ac->dir, r, &tar, &mani, when) || chain_save(ac->dir, &ch);
		res->sealed = 1;
		xstrlcpy(res->base, r->base, sizeof(res->base));
		xstrlcpy(res->seal, r->seal, sizeof(res->seal));
	} else if (tar.fp) {
		atomic_abort(&tar);
	}
	if (!rc)
		rc = retire(ac->dir, &ch, ac->retention_years, &res->retired);
	chain_free(&ch);
	strbuf_release(&mani);
	strbuf_release(&why);
	strbuf_release(&p);
	return rc ? -1 : 0;
}

/* For an auditor without this program: how to check the archive by hand. */
static const char readme[] =
	"This directory is a sealed archive of the nightly reconciliation.\n"
	"Every night: NIGHT.tar.gz (its outputs), NIGHT.manifest (SHA-256 of the\n"
	"tar and of every member, and why it was sealed), NIGHT.sealed (when; not\n"
	"covered by the seal) and one line in 'chain':\n"
	"  seal SEQ NIGHT BASE MANIFEST_SHA256 PREV SEAL\n"
	"Check a night with standard tools:\n"
	"  sha256sum BASE.manifest                  = MANIFEST_SHA256 of its seal line\n"
	"  printf %s%s PREV MANIFEST_SHA256 | sha256sum   = SEAL\n"
	"  PREV = SEAL of the line before (64 zeros for the first), SEQ = 1, 2, 3 ...\n"
	"  sha256sum BASE.tar.gz                    = the manifest's 'archive' line\n"
	"  tar xzf BASE.tar.gz; sha256sum MEMBER    = the manifest's 'member' lines\n"
	"Nights older than the retention period have no tar and manifest; their\n"
	"seal lines stay, so the chain still checks. Or run:\n"
	"  bin/pipeline archive verify --archive THIS_DIRECTORY\n";

static int write_readme(const char *dir)
{
	struct strbuf p = STRBUF_INIT;
	int rc = 0;
	archive_path(dir, "README", ".txt", &p);
	if (access(p.buf, F_OK))
		rc = atomic_write(p.buf, readme, sizeof(readme) - 1, 0440);
	strbuf_release(&p);
	return rc;
}

static int other_stage(const char *night, const char *stage, const struct ledger_entry *e,
		       void *data)
{
	(void)night;
	(void)e;
	return strcmp(stage, data) != 0;
}

/* A mistyped night must not seal an empty night nor, through retention,
 * retire the real ones: 0, 1 refused (reported), -1. A rerun of one stage
 * of a night that never ran is refused before it runs (driver). */
static int night_refused(struct stage_ctx *ctx)
{
	MDB_txn *txn;
	char d[DATE_BUFSZ];
	int rc;
	if (ctx->night > day_today()) {
		log_error("%s: the night is after today (%s): not sealed", ctx->opts.date,
			  day_format(day_today(), d));
		return 1;
	}
	if (store_begin(&ctx->store, MDB_RDONLY, &txn))
		return -1;
	rc = ledger_each(&ctx->store, txn, ctx->opts.date, other_stage, (void *)ctx->name);
	mdb_txn_abort(txn);
	if (rc == 0)
		log_error("%s: no stage has run for this night: not sealed", ctx->opts.date);
	return rc < 0 ? -1 : !rc;
}

/* Two runs with different state directories may share the archive: the
 * directory's flock keeps their chain updates apart. The fd, or -1. */
static int lock_archive(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || flock(fd, LOCK_EX)) {
		log_error("unable to lock %s: %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int archive_seal(struct stage_ctx *ctx, const struct archive_conf *ac,
		 struct seal_result *res)
{
	struct members m = { NULL, 0 };
	int rc, fd = -1;
	memset(res, 0, sizeof(*res));
	if ((rc = night_refused(ctx)))
		return rc;
	rc = mkdirs(ac->dir, 0750);
	if (!rc && (fd = lock_archive(ac->dir)) < 0)
		rc = -1;
	/* Under the archive's lock, a temporary in it is a killed run's. */
	if (!rc && atomic_sweep(ac->dir, 0) < 0)
		rc = -1;
	if (!rc)
		rc = write_readme(ac->dir);
	if (!rc)
		rc = collect(ctx->outdir, "", &m);
	if (!rc)
		rc = from_store(ctx, ac, &m);
	if (!rc) {
		qsort(m.v, m.n, sizeof(*m.v), cmp_member);
		res->members = m.n;
		rc = seal_members(ctx, ac, &m, res);
	}
	if (fd >= 0)
		close(fd);
	members_free(&m);
	return rc ? -1 : 0;
}
