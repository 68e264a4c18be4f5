/* Outgoing files, written and remembered: see run/outfile.h. */
#include "run/outfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/atomicfile.h"
#include "core/digest.h"
#include "core/log.h"
#include "store/landed.h"
#include "core/banned.h"

/* relative, no empty, "." or ".." part: it stays under OUT/DATE */
static int rel_valid(const char *rel)
{
	const char *p = rel;
	if (!*rel || *rel == '/')
		return 0;
	while (*p) {
		size_t n = strcspn(p, "/");
		if (!n || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p += n;
		if (*p == '/' && !*++p)
			return 0;
	}
	return 1;
}

static void record_key(const char *night, const char *rel, struct strbuf *k)
{
	strbuf_reset(k);
	strbuf_addstr(k, night);
	strbuf_addch(k, '\0');
	strbuf_addstr(k, rel);
}

int outfile_write(struct stage_ctx *ctx, MDB_txn *txn, const char *rel, const void *data,
		  size_t len, unsigned long rows, char sha[65], enum outfile_result *res)
{
	struct strbuf path = STRBUF_INIT, k = STRBUF_INIT, v = STRBUF_INIT, old = STRBUF_INIT;
	char hex[DIGEST_HEXSZ], num[32];
	MDB_val key, val;
	enum outfile_result r = OUTFILE_NEW;
	int rc = -1, e;

	if (!rel_valid(rel)) {
		log_error("internal: outgoing file '%s' is not a path under the night's out "
			  "directory", rel);
		return -1;
	}
	digest_buf(data, len, hex);
	record_key(ctx->opts.date, rel, &k);
	key = (MDB_val){ k.len, k.buf };
	e = mdb_get(txn, ctx->store.outfiles, &key, &val);
	if (e == 0) {
		const char *was;
		strbuf_add(&old, val.mv_data, val.mv_size);
		was = props_get(&old, "sha256", &v);
		r = was && !strcmp(was, hex) ? OUTFILE_SAME : OUTFILE_CHANGED;
	} else if (e != MDB_NOTFOUND) {
		store_fail("get outfiles", e);
		goto out;
	}
	stage_out_path(ctx, rel, &path);
	if (atomic_write(path.buf, data, len, 0640))
		goto out;
	if (r == OUTFILE_CHANGED)
		log_info("%s changed on a rerun of %s: its inputs or the conf changed since",
			 rel, ctx->opts.date);
	strbuf_reset(&v);
	props_set(&v, "sha256", hex);
	snprintf(num, sizeof(num), "%zu", len);
	props_set(&v, "size", num);
	snprintf(num, sizeof(num), "%lu", rows);
	props_set(&v, "rows", num);
	props_set(&v, "stage", ctx->name);
	val = (MDB_val){ v.len, v.buf };
	if ((e = mdb_put(txn, ctx->store.outfiles, &key, &val, 0))) {
		store_fail("put outfiles", e);
		goto out;
	}
	if (sha)
		memcpy(sha, hex, DIGEST_HEXSZ);
	if (res)
		*res = r;
	rc = 0;
out:
	strbuf_release(&path);
	strbuf_release(&k);
	strbuf_release(&v);
	strbuf_release(&old);
	return rc;
}

/* Walks night's records; fn gets the key's relpath and the value's props. */
typedef int (*walk_fn)(MDB_cursor *c, const char *rel, const struct strbuf *props, void *data);

static int walk(struct store *st, MDB_txn *txn, const char *night, walk_fn fn, void *data)
{
	struct strbuf k = STRBUF_INIT, props = STRBUF_INIT, rel = STRBUF_INIT;
	size_t nl = strlen(night) + 1;
	MDB_cursor *c;
	MDB_val key, val;
	int rc = 0, e;
	if ((e = mdb_cursor_open(txn, st->outfiles, &c)))
		return store_fail("cursor outfiles", e);
	strbuf_add(&k, night, nl);	/* with its NUL */
	key = (MDB_val){ k.len, k.buf };
	for (e = mdb_cursor_get(c, &key, &val, MDB_SET_RANGE); !e && !rc;
	     e = mdb_cursor_get(c, &key, &val, MDB_NEXT)) {
		if (key.mv_size < nl || memcmp(key.mv_data, k.buf, nl))
			break;
		strbuf_reset(&rel);
		strbuf_add(&rel, (const char *)key.mv_data + nl, key.mv_size - nl);
		strbuf_reset(&props);
		strbuf_add(&props, val.mv_data, val.mv_size);
		rc = fn(c, rel.buf, &props, data);
	}
	if (e && e != MDB_NOTFOUND && !rc)
		rc = store_fail("walk outfiles", e);
	mdb_cursor_close(c);
	strbuf_release(&k);
	strbuf_release(&props);
	strbuf_release(&rel);
	return rc;
}

struct each { outfile_fn fn; void *data; const char *night; };

static int each_one(MDB_cursor *c, const char *rel, const struct strbuf *props, void *data)
{
	struct each *e = data;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, s = STRBUF_INIT, r = STRBUF_INIT;
	struct outfile_info f = { e->night, rel, NULL, NULL, 0, 0 };
	const char *size, *rows;
	int rc;
	(void)c;
	f.sha = props_get(props, "sha256", &a);
	f.stage = props_get(props, "stage", &b);
	size = props_get(props, "size", &s);
	rows = props_get(props, "rows", &r);
	f.size = size ? strtoull(size, NULL, 10) : 0;
	f.rows = rows ? strtoull(rows, NULL, 10) : 0;
	if (!f.sha)
		f.sha = "";
	if (!f.stage)
		f.stage = "";
	rc = e->fn(&f, e->data);
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&s);
	strbuf_release(&r);
	return rc;
}

int outfile_each(struct store *st, MDB_txn *txn, const char *night, outfile_fn fn,
		 void *data)
{
	struct each e = { fn, data, night };
	return walk(st, txn, night, each_one, &e);
}

struct prune {
	struct stage_ctx *ctx;
	const char *dir;
	const char *const *kept;
	size_t nkept;
	char **gone;		/* relpaths to remove, after the walk */
	size_t ngone, alloc;
};

static int prune_one(MDB_cursor *c, const char *rel, const struct strbuf *props, void *data)
{
	struct prune *p = data;
	struct strbuf v = STRBUF_INIT;
	size_t dl = strlen(p->dir);
	const char *stage = props_get(props, "stage", &v);
	int mine = !strncmp(rel, p->dir, dl) && rel[dl] == '/' && stage &&
		   !strcmp(stage, p->ctx->name);
	(void)c;
	for (size_t i = 0; mine && i < p->nkept; i++)
		mine = strcmp(p->kept[i], rel) != 0;
	if (mine) {
		p->gone = xgrow(p->gone, &p->alloc, p->ngone + 1, sizeof(*p->gone));
		p->gone[p->ngone++] = xstrdup(rel);
	}
	strbuf_release(&v);
	return 0;
}

int outfile_prune(struct stage_ctx *ctx, MDB_txn *txn, const char *dir,
		  const char *const *kept, size_t nkept)
{
	struct prune p = { ctx, dir, kept, nkept, NULL, 0, 0 };
	struct strbuf path = STRBUF_INIT, k = STRBUF_INIT;
	int rc = walk(&ctx->store, txn, ctx->opts.date, prune_one, &p);
	for (size_t i = 0; i < p.ngone && !rc; i++) {
		MDB_val key;
		int e;
		stage_out_path(ctx, p.gone[i], &path);
		if (unlink(path.buf) && errno != ENOENT) {
			log_error("unable to remove %s: %s", path.buf, strerror(errno));
			rc = -1;
			break;
		}
		log_info("%s: removed, this run of %s no longer sends it", p.gone[i],
			 ctx->opts.date);
		record_key(ctx->opts.date, p.gone[i], &k);
		key = (MDB_val){ k.len, k.buf };
		if ((e = mdb_del(txn, ctx->store.outfiles, &key, NULL)))
			rc = store_fail("del outfiles", e);
	}
	for (size_t i = 0; i < p.ngone; i++)
		free(p.gone[i]);
	free(p.gone);
	strbuf_release(&path);
	strbuf_release(&k);
	return rc;
}
