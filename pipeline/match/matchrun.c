/* The frame of a matching stage: see match/matchrun.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/matchrun.h"
#include "core/date.h"
#include "core/digest.h"
#include "core/exitcode.h"
#include "core/log.h"
#include "core/banned.h"

int match_field(const struct stage_ctx *ctx, const char *name)
{
	int f = catalog_field(&ctx->cat, name);
	if (f < 0)
		log_error("schemas/stores has no field '%s'", name);
	return f;
}

void match_add(struct match_run *m, money_t *acc, money_t v)
{
	if (money_add(acc, v))
		m->overflow = 1;
}

money_t match_sub(struct match_run *m, money_t a, money_t b)
{
	money_t r;
	if (__builtin_sub_overflow(a, b, &r)) {
		m->overflow = 1;
		return 0;
	}
	return r;
}

int match_text_is(const struct record *r, int f, const char *s)
{
	const struct value *v = &r->v[f];
	return v->present && v->len == strlen(s) && !memcmp(v->text, s, v->len);
}

int match_text_starts(const struct record *r, int f, const char *prefix)
{
	const struct value *v = &r->v[f];
	size_t n = strlen(prefix);
	return v->present && v->len >= n && !memcmp(v->text, prefix, n);
}

int match_has(const struct match_run *m, int src, const char *se, int32_t month)
{
	return snapshot_file(&m->snap[src], se, month) != NULL;
}

int match_rows(struct match_run *m, int src, const char *se, int32_t month,
	       match_row_fn fn, void *data)
{
	struct row_iter it;
	int rc;
	if (row_iter_open(&it, &m->ctx->store, m->txn, &m->snap[src], se, month))
		return -1;
	while ((rc = row_iter_next(&it)) == 1) {
		m->records++;
		if (fn(m, &it.rec, data)) {
			rc = -1;
			break;
		}
	}
	row_iter_close(&it);
	return rc;
}

int match_load_snapshots(struct stage_ctx *ctx, MDB_txn *txn, const char *const *stores,
			 int n, struct snapshot *snap)
{
	int32_t to = ctx->night / 100;
	int32_t from = month_add(to, -ctx->conf.months_back);
	for (int s = 0; s < n; s++) {
		const struct store_def *sd = catalog_store(&ctx->cat, stores[s]);
		if (!sd) {
			log_error("schemas/stores has no store '%s'", stores[s]);
			return -1;
		}
		if (snapshot_load(&ctx->store, txn, sd, ctx->night, from, to, &snap[s]))
			return -1;
	}
	return 0;
}

static int cmp_group(const void *a, const void *b)
{
	const struct match_group *x = a, *y = b;
	int c = strcmp(x->se, y->se);
	return c ? c : (x->month > y->month) - (x->month < y->month);
}

struct match_group *match_groups(const struct snapshot *snap, int nsnap, size_t *n)
{
	struct match_group *g = NULL;
	size_t k = 0;
	for (int s = 0; s < nsnap; s++)
		for (size_t i = 0; i < snap[s].n; i++) {
			g = xrealloc(g, (k + 1) * sizeof(*g));
			memcpy(g[k].se, snap[s].v[i].se, SE_LEN + 1);
			g[k++].month = snap[s].v[i].month;
		}
	if (k)
		qsort(g, k, sizeof(*g), cmp_group);
	*n = 0;
	for (size_t i = 0; i < k; i++)
		if (*n == 0 || cmp_group(&g[*n - 1], &g[i]))
			g[(*n)++] = g[i];
	return g;
}

void match_input_digest(const struct stage_ctx *ctx, const struct snapshot *snap, int nsnap,
			char out[DIGEST_HEXSZ])
{
	struct digest_ctx *d = digest_new();
	digest_update(d, ctx->conf.digest, sizeof(ctx->conf.digest));
	for (int s = 0; s < nsnap; s++)
		for (size_t i = 0; i < snap[s].n; i++) {
			const struct snapshot_entry *e = &snap[s].v[i];
			char b[64];
			int n = snprintf(b, sizeof(b), "%d;%s;%06d;", s, e->se, (int)e->month);
			digest_update(d, b, (size_t)n);
			digest_update(d, e->fileid, FILEID_LEN);
		}
	digest_finish(d, out);
}

/* A callback's status as an exit code: see match_group_fn. */
static int group_status(int rc)
{
	return rc == 0 || rc == EXIT_USAGE || rc == EXIT_BADDATA ? rc : EXIT_INTERNAL;
}

/* Runs every group; 0 or an exit code (reported). */
static int run_groups(struct match_run *m, const char *const *stores,
		      match_group_fn fn, void *data, size_t *ng)
{
	struct match_group *g;
	int rc = 0;
	if (match_load_snapshots(m->ctx, m->txn, stores, m->nsources, m->snap))
		return EXIT_INTERNAL;
	for (int s = 0; s < m->nsources; s++)
		recon_inputs(&m->out, stores[s], &m->snap[s]);
	g = match_groups(m->snap, m->nsources, ng);
	for (size_t i = 0; i < *ng && !rc; i++) {
		rc = group_status(fn(m, g[i].se, g[i].month, data));
		if (!rc && m->overflow) {
			log_error("%s %06d: a sum of amounts overflows 64 bits: the input's "
				  "amounts are not plausible", g[i].se, (int)g[i].month);
			rc = EXIT_BADDATA;
		}
	}
	free(g);
	return rc;
}

static int finish(struct match_run *m, size_t ng)
{
	struct ledger_entry e;
	stage_ledger_entry(m->ctx, &e, "done", EXIT_DONE);
	match_input_digest(m->ctx, m->snap, m->nsources, e.input);
	if (recon_write(&m->out, m->ctx, m->txn, e.output))
		return -1;
	e.rows_in = m->records;
	recon_ledger(&m->out, &e);
	if (ledger_put(&m->ctx->store, m->txn, m->ctx->opts.date, m->ctx->name, &e))
		return -1;
	log_info("%s: %zu SE/month(s), %s", m->ctx->opts.date, ng, e.error);
	return 0;
}

int match_run(struct stage_ctx *ctx, const char *recon, const char *const *stores,
	      int nstores, match_group_fn fn, void *data)
{
	struct match_run m = { .ctx = ctx, .nsources = nstores, .out = { .recon = recon } };
	size_t ng = 0;
	int rc = EXIT_INTERNAL;
	if (nstores > MATCH_MAX_SOURCES) {
		log_error("internal: %s reads more than %d stores", recon, MATCH_MAX_SOURCES);
		return EXIT_INTERNAL;
	}
	if ((rc = recon_begin(&m.out, ctx, stores, nstores)))
		goto out;
	rc = EXIT_INTERNAL;
	if (store_begin(&ctx->store, 0, &m.txn))
		goto out;
	rc = run_groups(&m, stores, fn, data, &ng);
	if (!rc && finish(&m, ng))
		rc = EXIT_INTERNAL;
	if (!rc)
		rc = m.out.exit_code;
	if (rc && rc != EXIT_NOINPUT)
		mdb_txn_abort(m.txn);
	else if (store_commit(m.txn))
		rc = EXIT_INTERNAL;
out:
	for (int s = 0; s < nstores; s++)
		snapshot_free(&m.snap[s]);
	recon_free(&m.out);
	return rc;
}
