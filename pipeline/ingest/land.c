#include "ingest/land.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomicfile.h"
#include "core/log.h"
#include "store/landed.h"
#include "core/banned.h"

int land_dir(const struct stage_ctx *ctx, const char *into, struct strbuf *out)
{
	strbuf_reset(out);
	strbuf_addf(out, "%s/landing/%s/%s", ctx->conf.state, ctx->opts.date, into);
	return mkdirs(out->buf, 0750);
}

static int regular(const char *path)
{
	struct stat s;
	return lstat(path, &s) == 0 && S_ISREG(s.st_mode);
}

static void drop_tmp(const struct land *l)
{
	if (l->tmp && unlink(l->tmp) && errno != ENOENT)
		log_error("unable to remove %s: %s", l->tmp, strerror(errno));
}

/* The earlier version under this name: landed tonight, or the current one
 * normalise knows. */
static void find_earlier(struct stage_ctx *ctx, MDB_txn *txn, const char *relpath,
			 const uint8_t id[FILEID_LEN], struct land *l)
{
	struct strbuf k = STRBUF_INIT;
	MDB_val kv, v;
	int rc;
	strbuf_addf(&k, "%s", ctx->opts.date);
	strbuf_addch(&k, '\0');
	strbuf_addstr(&k, relpath);
	kv = (MDB_val){ k.len, k.buf };
	rc = mdb_get(txn, ctx->store.landed, &kv, &v);
	if (rc) {
		kv = (MDB_val){ strlen(relpath), (void *)relpath };
		rc = mdb_get(txn, ctx->store.names, &kv, &v);
	}
	if (rc == 0 && v.mv_size == FILEID_LEN && memcmp(v.mv_data, id, FILEID_LEN))
		fileid_hex(v.mv_data, l->replaces);
	strbuf_release(&k);
}

/* Where the bytes go: NAME, or NAME@FILEID beside other bytes of that name. */
static int place(struct stage_ctx *ctx, struct land *l, const char *idhex,
		 struct strbuf *full)
{
	char sha[DIGEST_HEXSZ];
	uint64_t size;
	if (land_dir(ctx, l->into, full))
		return -1;
	strbuf_addf(full, "/%s", l->name);
	snprintf(l->path, sizeof(l->path), "landing/%s/%s/%s", ctx->opts.date, l->into, l->name);
	if (!regular(full->buf))
		return 0;
	/* The same bytes already there: a run that stopped before its commit. */
	if (digest_file(full->buf, sha, &size) == 0 && !strcmp(sha, l->sha))
		return 1;
	strbuf_addf(full, "@%s", idhex);
	snprintf(l->path, sizeof(l->path), "landing/%s/%s/%s@%s", ctx->opts.date, l->into,
		 l->name, idhex);
	return 0;
}

static int move_in(struct stage_ctx *ctx, struct land *l, const char *idhex)
{
	struct strbuf full = STRBUF_INIT;
	int rc = place(ctx, l, idhex, &full);
	if (rc == 0) {
		struct strbuf dir = STRBUF_INIT;
		land_dir(ctx, l->into, &dir);
		if (rename(l->tmp, full.buf) || fsync_dir(dir.buf)) {
			log_error("unable to land %s: %s", full.buf, strerror(errno));
			rc = -1;
		}
		strbuf_release(&dir);
	} else if (rc == 1) {
		drop_tmp(l);
		rc = 0;
	}
	strbuf_release(&full);
	return rc;
}

static int record(struct stage_ctx *ctx, MDB_txn *txn, struct land *l,
		  const uint8_t id[FILEID_LEN], const char *relpath)
{
	struct strbuf props = STRBUF_INIT;
	char num[32];
	int rc;
	props_set(&props, "sha", l->sha);
	props_set(&props, "relpath", relpath);
	props_set(&props, "path", l->path);
	props_set(&props, "night", ctx->opts.date);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)l->size);
	props_set(&props, "size", num);
	if (l->origin)
		props_set(&props, "from", l->origin);
	if (l->replaces[0])
		props_set(&props, "replaces", l->replaces);
	rc = file_props_put(&ctx->store, txn, id, &props);
	strbuf_release(&props);
	return rc ? -1 : landed_put(&ctx->store, txn, ctx->opts.date, relpath, id);
}

/*
 * The versions of this name around tonight: *cur the one tonight landed
 * (if any), *prev the one of the latest night before tonight that landed
 * the name (if any). When tonight landed nothing of the name and id is its
 * loaded version ("names"), *prev is id without a scan. 0 or -1.
 */
static int versions(struct stage_ctx *ctx, MDB_txn *txn, const char *relpath,
		    const uint8_t id[FILEID_LEN], uint8_t cur[FILEID_LEN], int *has_cur,
		    uint8_t prev[FILEID_LEN], int *has_prev)
{
	const char *night = ctx->opts.date;
	size_t nlen = strlen(night), rlen = strlen(relpath);
	MDB_val k, v;
	MDB_cursor *c;
	struct strbuf tk = STRBUF_INIT;
	int rc;
	*has_cur = *has_prev = 0;
	strbuf_addf(&tk, "%s", night);
	strbuf_addch(&tk, '\0');
	strbuf_addstr(&tk, relpath);
	k = (MDB_val){ tk.len, tk.buf };
	rc = mdb_get(txn, ctx->store.landed, &k, &v);
	if (rc == 0 && v.mv_size == FILEID_LEN) {
		memcpy(cur, v.mv_data, FILEID_LEN);
		*has_cur = 1;
	}
	strbuf_release(&tk);
	if (rc && rc != MDB_NOTFOUND)
		return -1;
	/* Nothing of the name tonight and these bytes the loaded version: known,
	 * without a scan (a source that keeps its files costs nothing more). */
	k = (MDB_val){ rlen, (void *)relpath };
	rc = mdb_get(txn, ctx->store.names, &k, &v);
	if (rc && rc != MDB_NOTFOUND)
		return -1;
	if (!*has_cur && rc == 0 && v.mv_size == FILEID_LEN && !memcmp(v.mv_data, id, FILEID_LEN)) {
		memcpy(prev, id, FILEID_LEN);
		*has_prev = 1;
		return 0;
	}
	if (mdb_cursor_open(txn, ctx->store.landed, &c))
		return -1;
	k = (MDB_val){ nlen, (void *)night };
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	rc = rc == 0 ? mdb_cursor_get(c, &k, &v, MDB_PREV) :
	     rc == MDB_NOTFOUND ? mdb_cursor_get(c, &k, &v, MDB_LAST) : rc;
	for (; rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_PREV)) {
		const char *key = k.mv_data;
		if (k.mv_size != nlen + 1 + rlen || key[nlen] != '\0' ||
		    memcmp(key + nlen + 1, relpath, rlen) || v.mv_size != FILEID_LEN)
			continue;
		memcpy(prev, v.mv_data, FILEID_LEN);
		*has_prev = 1;
		break;
	}
	mdb_cursor_close(c);
	return rc && rc != MDB_NOTFOUND ? -1 : 0;
}

/*
 * Bytes of this very name that landed first on another night: the version
 * a night reads is the newest landing of the name on or before it, so they
 * land tonight again when tonight's drop held other bytes of the name
 * before (A on 10, B on 11, A on 11 again) or the latest earlier night
 * landed other bytes (A on 10, B on 11, A on 12: a correction back).
 * Known (not landed again) only when tonight landed nothing of the name
 * and the version before tonight is these bytes (or there is none: a
 * rerun of a night before their first). l->replaces: the version before
 * tonight, when it is other bytes, so every run of the night says the
 * same. 1 land tonight, 0 known, -1 error.
 */
static int restored(struct stage_ctx *ctx, MDB_txn *txn, const char *relpath,
		    const uint8_t id[FILEID_LEN], struct land *l, int *again)
{
	uint8_t cur[FILEID_LEN], prev[FILEID_LEN];
	int has_cur, has_prev;
	if (versions(ctx, txn, relpath, id, cur, &has_cur, prev, &has_prev))
		return -1;
	*again = has_cur && !memcmp(cur, id, FILEID_LEN);
	if (has_prev && memcmp(prev, id, FILEID_LEN))
		fileid_hex(prev, l->replaces);
	if (has_cur && !*again) {
		char hex[2 * FILEID_LEN + 1];
		fileid_hex(cur, hex);
		log_info("%s: back to bytes landed before (version %.*s), over version %s "
			 "landed tonight", relpath, 2 * FILEID_LEN, l->sha, hex);
	}
	return has_cur || l->replaces[0];
}

int land_file(struct stage_ctx *ctx, MDB_txn *txn, struct land *l)
{
	struct strbuf props = STRBUF_INIT, val = STRBUF_INIT, relpath = STRBUF_INIT;
	char idhex[2 * FILEID_LEN + 1];
	uint8_t id[FILEID_LEN];
	int rc;

	strbuf_addf(&relpath, "%s/%s", l->into, l->name);
	fileid_from_hex(l->sha, id);
	fileid_hex(id, idhex);
	l->replaces[0] = l->earlier_night[0] = '\0';
	rc = file_props_get(&ctx->store, txn, id, &props);
	if (rc == 0) {
		int again;
		xstrlcpy(l->earlier_night, props_get(&props, "night", &val) ? val.buf : "",
			 sizeof(l->earlier_night));
		again = !strcmp(l->earlier_night, ctx->opts.date);
		/* The same bytes under another name are the file landed before, not
		 * a second file: one files record cannot serve two names. */
		if (again && (!props_get(&props, "relpath", &val) || strcmp(val.buf, relpath.buf)))
			again = 0;
		l->outcome = again ? LAND_AGAIN : LAND_KNOWN;
		/* Earlier bytes of this very name back after a correction: tonight
		 * lands them again (the record keeps its first night). */
		if (!again && props_get(&props, "relpath", &val) && !strcmp(val.buf, relpath.buf)) {
			int same = 0, back = restored(ctx, txn, relpath.buf, id, l, &same);
			if (back < 0) {
				log_error("%s: unable to read the store", relpath.buf);
				rc = -1;
				goto out;
			}
			if (back)
				l->outcome = same || !l->replaces[0] ? LAND_AGAIN : LAND_CORRECTED;
		}
		xstrlcpy(l->path, props_get(&props, "path", &val) ? val.buf : "", sizeof(l->path));
		/* A rerun of the night that landed a correction says so again:
		 * the night's status must not depend on how often it ran. */
		if (again && props_get(&props, "replaces", &val) && val.len == 2 * FILEID_LEN)
			xstrlcpy(l->replaces, val.buf, sizeof(l->replaces));
		drop_tmp(l);
		rc = l->outcome == LAND_AGAIN || l->outcome == LAND_CORRECTED ?
		     landed_put(&ctx->store, txn, ctx->opts.date, relpath.buf, id) : 0;
	} else if (rc == 1 && l->tmp) {
		find_earlier(ctx, txn, relpath.buf, id, l);
		l->outcome = l->replaces[0] ? LAND_CORRECTED : LAND_NEW;
		rc = move_in(ctx, l, idhex) ? -1 : record(ctx, txn, l, id, relpath.buf);
	}
out:
	strbuf_release(&props);
	strbuf_release(&val);
	strbuf_release(&relpath);
	return rc;
}
