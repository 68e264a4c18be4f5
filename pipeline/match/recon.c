#include "match/recon.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/atomicfile.h"
#include "core/csvout.h"
#include "core/date.h"
#include "core/digest.h"
#include "core/exitcode.h"
#include "core/log.h"
#include "store/landed.h"
#include "store/ledger.h"
#include "core/banned.h"

int recon_begin(struct recon_out *r, const struct stage_ctx *ctx,
		const char *const *stores, int nstores)
{
	struct strbuf path = STRBUF_INIT;
	int rc;
	conf_sibling(&ctx->conf, "reconciliations.conf", &path);
	rc = reconconf_load(path.buf, &r->conf);
	strbuf_release(&path);
	if (rc)
		return EXIT_USAGE;
	if (!(r->def = reconconf_find(&r->conf, r->recon))) {
		log_error("%s: no 'recon %s': declare the reports it reads", r->conf.path,
			  r->recon);
		return EXIT_USAGE;
	}
	/* the stage `pipeline decide` tells to rerun is the one that writes it */
	if (strcmp(recon_stage(r->def, &path), ctx->name)) {
		log_error("%s: recon %s is written by stage %s, not %s: say 'stage %s' in its "
			  "section", r->conf.path, r->recon, path.buf, ctx->name, ctx->name);
		strbuf_release(&path);
		return EXIT_USAGE;
	}
	strbuf_release(&path);
	return reconconf_check_stores(&r->conf, r->def, stores, nstores) ? EXIT_USAGE : 0;
}

void recon_inputs(struct recon_out *r, const char *store, const struct snapshot *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct recon_file *f;
		r->files = xgrow(r->files, &r->afiles, r->nfiles + 1, sizeof(*f));
		f = &r->files[r->nfiles++];
		f->store = store;
		memcpy(f->se, s->v[i].se, sizeof(f->se));
		f->month = s->v[i].month;
		memcpy(f->fileid, s->v[i].fileid, FILEID_LEN);
	}
}

/* FNV-1a of a row's place (se, month, key). */
static uint64_t place_hash(const char *se, int32_t month, const char *key)
{
	uint64_t h = 14695981039346656037u;
	for (const char *p = se; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211u;
	for (int i = 0; i < 4; i++)
		h = (h ^ (uint8_t)((uint32_t)month >> (8 * i))) * 1099511628211u;
	for (const char *p = key; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211u;
	return h;
}

/* The index slot of se, month and key: the row's (1 + row), or an empty one. */
static size_t *place_slot(const struct recon_out *r, const char *se, int32_t month,
			  const char *key)
{
	size_t mask = r->nsumidx - 1, i = (size_t)place_hash(se, month, key) & mask;
	for (;; i = (i + 1) & mask) {
		size_t row = r->sumidx[i];
		if (!row || (r->sum[row - 1].month == month && !strcmp(r->sum[row - 1].se, se) &&
			     !strcmp(r->sum[row - 1].key, key)))
			return &r->sumidx[i];
	}
}

/* (Re)builds the index for at least want rows, at most half full. */
static void index_rows(struct recon_out *r, size_t want)
{
	size_t n = 64;
	while (n < 2 * want)
		n *= 2;
	free(r->sumidx);
	r->sumidx = xcalloc(n, sizeof(*r->sumidx));
	r->nsumidx = n;
	for (size_t i = 0; i < r->nsum; i++) {
		size_t *slot = place_slot(r, r->sum[i].se, r->sum[i].month, r->sum[i].key);
		if (!*slot)	/* a stage's two rows of one place: the first */
			*slot = i + 1;
	}
}

void recon_summary(struct recon_out *r, const char *se, int32_t month,
		   const char *key, money_t left, money_t right, money_t explained)
{
	struct summary_row *s;
	r->sum = xgrow(r->sum, &r->asum, r->nsum + 1, sizeof(*s));
	s = &r->sum[r->nsum++];
	memset(s, 0, sizeof(*s));
	xstrlcpy(s->se, se, sizeof(s->se));
	s->month = month;
	xstrlcpy(s->key, key, sizeof(s->key));
	s->left = left;
	s->right = right;
	s->explained = explained;
	if (r->nsumidx) {	/* kept once recon_summary_ensure built it */
		size_t *slot;
		if (2 * r->nsum > r->nsumidx) {
			index_rows(r, r->nsum);
			return;
		}
		slot = place_slot(r, s->se, s->month, s->key);
		if (!*slot)
			*slot = r->nsum;
	}
}

void recon_summary_ensure(struct recon_out *r, const char *se, int32_t month,
			  const char *key)
{
	char k[sizeof(r->sum->key)], e[sizeof(r->sum->se)];
	/* the row stores se and key cut to its fields: look those up */
	xstrlcpy(k, key, sizeof(k));
	xstrlcpy(e, se, sizeof(e));
	if (!r->nsumidx)
		index_rows(r, r->nsum + 1);
	if (!*place_slot(r, e, month, k))
		recon_summary(r, se, month, key, 0, 0, 0);
}

struct exception_row *recon_exception(struct recon_out *r, const char *se,
				      int32_t month, const char *key, const char *cpr,
				      money_t amount, const char *code, const char *text)
{
	struct exception_row *e;
	r->exc = xgrow(r->exc, &r->aexc, r->nexc + 1, sizeof(*e));
	e = &r->exc[r->nexc++];
	memset(e, 0, sizeof(*e));
	xstrlcpy(e->se, se, sizeof(e->se));
	e->month = month;
	xstrlcpy(e->key, key, sizeof(e->key));
	xstrlcpy(e->cpr, cpr ? cpr : "", sizeof(e->cpr));
	e->amount = amount;
	e->code = code;
	e->text = text;
	return e;
}

void recon_note(struct exception_row *e, const char *fmt, ...)
{
	struct strbuf s = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&s, fmt, ap);
	va_end(ap);
	free(e->note);
	e->note = strbuf_detach(&s);
}

void recon_extra(struct exception_row *e, int i, const char *value)
{
	free(e->extra[i]);
	e->extra[i] = xstrdup(value);
}

/* Rows and exceptions by SE, month, key: the place a row stands. */
static int cmp_place(const char *se1, int32_t m1, const char *k1,
		     const char *se2, int32_t m2, const char *k2)
{
	int c = strcmp(se1, se2);
	if (!c)
		c = (m1 > m2) - (m1 < m2);
	return c ? c : strcmp(k1, k2);
}

static int cmp_sum(const void *a, const void *b)
{
	const struct summary_row *x = a, *y = b;
	return cmp_place(x->se, x->month, x->key, y->se, y->month, y->key);
}

static int cmp_exc(const void *a, const void *b)
{
	const struct exception_row *x = a, *y = b;
	int c = cmp_place(x->se, x->month, x->key, y->se, y->month, y->key);
	if (!c)
		c = strcmp(x->cpr, y->cpr);
	if (!c)
		c = strcmp(x->code, y->code);
	return c ? c : strcmp(x->ref, y->ref);
}

/*
 * Whether the stage read a file of a report line for se (and month, by
 * its scope); se "" (the INGEN-DATA row): for any SE and month.
 */
static int had(const struct recon_out *r, const struct recon_report *rep, const char *se,
	       int32_t month)
{
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct recon_file *f = &r->files[i];
		if (!strcmp(f->store, rep->store) && (!*se || !strcmp(f->se, se)) &&
		    (!*se || rep->scope == SCOPE_ANY || f->month == month))
			return 1;
	}
	return 0;
}

/* The required report lines for the row's key that are missing; blanks its sides. */
static void missing_reports(struct recon_out *r, struct summary_row *s)
{
	for (int k = 0; k < r->def->nreports; k++) {
		const struct recon_report *rep = &r->def->reports[k];
		if (rep->need != NEED_REQUIRED || !recon_report_applies(rep, s->key) ||
		    had(r, rep, s->se, s->month))
			continue;
		s->missing |= 1u << k;
		s->blank_left |= rep->side == SIDE_LEFT || rep->side == SIDE_BOTH;
		s->blank_right |= rep->side == SIDE_RIGHT || rep->side == SIDE_BOTH;
	}
	r->missing_any |= s->missing;
}

/* A 'total' row's rest: listed when a row it adds up has an open break. */
static int listed_below(const struct recon_out *r, size_t row)
{
	const struct summary_row *t = &r->sum[row];
	if (!recon_is_total(r->def, t->key))
		return 0;
	for (size_t e = 0; e < r->nexc; e++) {
		const struct exception_row *x = &r->exc[e];
		if (x->month == t->month && !strcmp(x->se, t->se) && strcmp(x->key, t->key) &&
		    recon_code_role(r->def, x->code, NULL) != EXC_EXPLAINS)
			return 1;
	}
	return 0;
}

/* A 'total' row's rest: covered when a row it adds up has a decided break. */
static int decided_below(const struct recon_out *r, size_t row)
{
	const struct summary_row *t = &r->sum[row];
	for (size_t e = 0; e < r->nexc; e++) {
		const struct exception_row *x = &r->exc[e];
		if (x->month == t->month && !strcmp(x->se, t->se) && strcmp(x->key, t->key) &&
		    x->decided && recon_code_role(r->def, x->code, NULL) != EXC_EXPLAINS)
			return 1;
	}
	return 0;
}

/* v (øre, >= 0) as much of u as it covers, with u's sign. */
static money_t covered(money_t v, money_t u)
{
	return u > 0 ? (v < u ? v : u) : -(v < -u ? v : -u);
}

/*
 * A standing decision counts as explained in the summary (issue 19): its
 * amount moves from unexplained to explained in its row, all of the rest
 * when no open break stays there; a 'total' row takes what moved in the
 * rows it adds up and its own decided breaks. moved[i] holds row i's
 * decided amount (øre) from apply_rule(); a night without decisions moves
 * nothing. A beloeb-aendret or genaabnet decision is not decided.
 */
static void decided_explained(struct recon_out *r, money_t *moved)
{
	for (size_t i = 0; i < r->nsum; i++) {
		struct summary_row *t = &r->sum[i];
		money_t below = 0, u = t->left - t->right - t->explained;
		if (t->missing || !recon_is_total(r->def, t->key))
			continue;
		for (size_t j = 0; j < r->nsum; j++) {
			const struct summary_row *s = &r->sum[j];
			if (j != i && s->month == t->month && !strcmp(s->se, t->se) &&
			    !recon_is_total(r->def, s->key))
				below += moved[j];
		}
		below = below < 0 ? -below : below;
		moved[i] = moved[i] || below ? covered(moved[i] + below, u) : 0;
	}
	for (size_t i = 0; i < r->nsum; i++)
		r->sum[i].explained += moved[i];
}

static const char *const status_word[] = { RECON_OK, RECON_EXPLAINED, RECON_BREAK,
					    RECON_MISSING };
enum { ST_OK, ST_EXPLAINED, ST_BREAK, ST_MISSING };

static int rank(const char *status)
{
	int k = ST_OK;
	while (k < ST_MISSING && strcmp(status_word[k], status))
		k++;
	return k;
}

/* A 'total' row is never better than the rows it adds up. */
static void total_status(struct recon_out *r)
{
	for (size_t i = 0; i < r->nsum; i++) {
		struct summary_row *t = &r->sum[i];
		int worst = rank(t->status);
		if (!recon_is_total(r->def, t->key))
			continue;
		for (size_t j = 0; j < r->nsum; j++) {
			const struct summary_row *s = &r->sum[j];
			if (j != i && s->month == t->month && !strcmp(s->se, t->se) &&
			    rank(s->status) > worst)
				worst = rank(s->status);
		}
		t->status = status_word[worst];
	}
}

/*
 * The status rule of recon.h, row by row; exceptions are sorted by place
 * too, so one walk finds each row's exceptions and any that stand under
 * no row. 0, or -1 (reported: a bug of the stage).
 */
static int apply_rule(struct recon_out *r)
{
	size_t e = 0;
	money_t *moved = xcalloc(r->nsum + 1, sizeof(*moved));
	for (size_t i = 0; i < r->nsum; i++) {
		struct summary_row *s = &r->sum[i];
		money_t unexplained = s->left - s->right - s->explained, decided_amount = 0;
		int open = 0, any = 0, decided = 0;
		for (; e < r->nexc && cmp_place(r->exc[e].se, r->exc[e].month, r->exc[e].key,
						s->se, s->month, s->key) < 0; e++) {
			const struct exception_row *x = &r->exc[e];
			log_error("internal: %s: exception %s %s %06d %s has no summary row",
				  r->recon, x->code, x->se, (int)x->month, x->key);
			free(moved);
			return -1;
		}
		for (; e < r->nexc && !cmp_place(r->exc[e].se, r->exc[e].month, r->exc[e].key,
						 s->se, s->month, s->key); e++) {
			int breaks = recon_code_role(r->def, r->exc[e].code, NULL) != EXC_EXPLAINS;
			any = 1;
			open |= breaks && !r->exc[e].decided;
			decided |= breaks && r->exc[e].decided;
			/* a detail decided with its parent is the parent's money */
			if (breaks && r->exc[e].decided == 1)
				decided_amount += r->exc[e].amount < 0 ? -r->exc[e].amount :
									  r->exc[e].amount;
		}
		missing_reports(r, s);
		if (!decided && recon_is_total(r->def, s->key))
			decided = decided_below(r, i);
		if (s->missing)
			s->status = RECON_MISSING;
		else if (open || (unexplained && !decided))
			s->status = RECON_BREAK;
		else if (s->left != s->right || s->explained || any)
			s->status = RECON_EXPLAINED;
		else
			s->status = RECON_OK;
		if (!s->missing && unexplained && !open && !decided && !listed_below(r, i)) {
			log_error("internal: %s %s %06d %s is a BREAK without an exception",
				  r->recon, s->se, (int)s->month, s->key);
			free(moved);
			return -1;
		}
		if (!s->missing && decided && !recon_is_total(r->def, s->key))
			moved[i] = open ? covered(decided_amount, unexplained) : unexplained;
		else if (!s->missing && decided_amount)
			moved[i] = decided_amount;	/* a total's own: covered there */
	}
	if (e < r->nexc) {
		log_error("internal: %s: exception %s %s %06d %s has no summary row", r->recon,
			  r->exc[e].code, r->exc[e].se, (int)r->exc[e].month, r->exc[e].key);
		free(moved);
		return -1;
	}
	decided_explained(r, moved);
	free(moved);
	total_status(r);
	for (size_t i = 0; i < r->nsum; i++) {
		int k = rank(r->sum[i].status);
		r->ok += k == ST_OK;
		r->explained += k == ST_EXPLAINED;
		r->breaks += k == ST_BREAK;
		r->missing += k == ST_MISSING;
	}
	return 0;
}

static void exception_id(const char *recon, struct exception_row *e)
{
	struct strbuf s = STRBUF_INIT;
	char hex[DIGEST_HEXSZ];
	strbuf_addf(&s, "%s|%s|%d|%s|%s|%s", recon, e->se, (int)e->month, e->key,
		    e->cpr, e->code);
	if (e->ref[0])
		strbuf_addf(&s, "|%s", e->ref);
	digest_buf(s.buf, s.len, hex);
	memcpy(e->id, hex, 16);
	e->id[16] = '\0';
	strbuf_release(&s);
}

/* The first night the break was seen: the earliest of the stored and this one. */
static int first_seen(struct store *st, MDB_txn *txn, struct exception_row *e,
		      int32_t night)
{
	MDB_val k = { 16, e->id }, v;
	char d[DATE_BUFSZ];
	int32_t stored;
	int rc = mdb_get(txn, st->breaks, &k, &v);
	if (rc && rc != MDB_NOTFOUND)
		return store_fail("breaks", rc);
	if (rc == 0 && v.mv_size == 10) {
		memcpy(d, v.mv_data, 10);
		d[10] = '\0';
		if (day_parse_iso(d, &stored) == 0 && stored <= night) {
			e->first_seen = stored;
			return 0;
		}
	}
	e->first_seen = night;
	day_format(night, d);
	v.mv_size = 10;
	v.mv_data = d;
	rc = mdb_put(txn, st->breaks, &k, &v, 0);
	return rc ? store_fail("breaks", rc) : 0;
}

static void money_field(struct strbuf *l, money_t v, int blank, int last)
{
	char b[MONEY_BUFSZ];
	csvout_str(l, blank ? "" : money_format(v, b), last);
}

static void summary_text(const struct recon_out *r, struct strbuf *out)
{
	char m[DATE_BUFSZ];
	strbuf_addstr(out, CSV_BOM "recon;se;month;key;left;right;difference;"
		      "explained;unexplained;status\n");
	for (size_t i = 0; i < r->nsum; i++) {
		const struct summary_row *s = &r->sum[i];
		money_t diff = s->left - s->right;
		int blank = s->blank_left || s->blank_right;
		int none = r->no_data;	/* the INGEN-DATA row: nothing to show */
		csvout_str(out, r->recon, 0);
		csvout_str(out, s->se, 0);
		csvout_str(out, month_format(s->month, m), 0);
		csvout_str(out, s->key, 0);
		money_field(out, s->left, s->blank_left || none, 0);
		money_field(out, s->right, s->blank_right || none, 0);
		money_field(out, diff, blank || none, 0);
		money_field(out, s->explained, none, 0);
		money_field(out, diff - s->explained, blank || none || s->missing, 0);
		csvout_str(out, s->status, 1);
	}
}

static void exceptions_text(const struct recon_out *r, int32_t night, struct strbuf *out)
{
	char m[DATE_BUFSZ], num[32];
	strbuf_addstr(out, CSV_BOM "id;recon;se;month;key;cpr;amount;reason;"
		      "first_seen;age_days;left;right");
	if (r->with_account)
		strbuf_addstr(out, ";account");
	for (int x = 0; x < r->nextra; x++)
		strbuf_addf(out, ";%s", r->extra[x]);
	strbuf_addch(out, '\n');
	for (size_t i = 0; i < r->nexc; i++) {
		const struct exception_row *e = &r->exc[i];
		struct strbuf reason = STRBUF_INIT;
		strbuf_addf(&reason, "%s: %s", e->code, e->text);
		if (e->note)
			strbuf_addf(&reason, " (%s)", e->note);
		csvout_str(out, e->id, 0);
		csvout_str(out, r->recon, 0);
		csvout_str(out, e->se, 0);
		csvout_str(out, month_format(e->month, m), 0);
		csvout_str(out, e->key, 0);
		csvout_str(out, e->cpr, 0);
		money_field(out, e->amount, 0, 0);
		csvout_str(out, reason.buf, 0);
		csvout_str(out, day_format(e->first_seen, m), 0);
		snprintf(num, sizeof(num), "%lld",
			 (long long)(day_number(night) - day_number(e->first_seen)));
		csvout_str(out, num, 0);
		money_field(out, e->left, !e->has_sides, 0);
		money_field(out, e->right, !e->has_sides, !r->with_account && !r->nextra);
		if (r->with_account)
			csvout_str(out, e->account, !r->nextra);
		for (int x = 0; x < r->nextra; x++)
			csvout_str(out, e->extra[x] ? e->extra[x] : "", x == r->nextra - 1);
		strbuf_release(&reason);
	}
}

/* The first report line of a store: its label, and required if any line is. */
static const struct recon_report *store_line(const struct recon_def *d, int k, int *required)
{
	const struct recon_report *first = NULL;
	*required = 0;
	for (int i = 0; i < d->nreports; i++)
		if (!strcmp(d->reports[i].store, d->reports[k].store)) {
			if (!first)
				first = &d->reports[i];
			*required |= d->reports[i].need == NEED_REQUIRED;
		}
	return first;
}

static int store_any(const struct recon_def *d, const char *store)
{
	for (int i = 0; i < d->nreports; i++)
		if (!strcmp(d->reports[i].store, store) && d->reports[i].scope == SCOPE_ANY)
			return 1;
	return 0;
}

struct input_line {
	char file[512], night[16], sha[DIGEST_HEXSZ];
	uint8_t fileid[FILEID_LEN];
};

static int cmp_input(const void *a, const void *b)
{
	const struct input_line *x = a, *y = b;
	int c = strcmp(x->file, y->file);
	if (!c)
		c = strcmp(x->night, y->night);
	return c ? c : strcmp(x->sha, y->sha);
}

/* The files of one store for one place of the summary, sorted and once each. */
static int place_files(struct recon_out *r, struct store *st, MDB_txn *txn, const char *store,
		       const char *se, int32_t month, struct input_line **out, size_t *n)
{
	struct strbuf props = STRBUF_INIT, v = STRBUF_INIT;
	size_t alloc = 0;
	int any = !*se || store_any(r->def, store), rc = 0;
	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < r->nfiles && !rc; i++) {
		const struct recon_file *f = &r->files[i];
		struct input_line *l;
		char night[11];
		int dup = 0;
		if (strcmp(f->store, store) || (*se && strcmp(f->se, se)) ||
		    (!any && f->month != month))
			continue;
		for (size_t j = 0; j < *n && !dup; j++)
			dup = !memcmp((*out)[j].fileid, f->fileid, FILEID_LEN);
		if (dup)
			continue;
		strbuf_reset(&props);
		if (file_props_get(st, txn, f->fileid, &props)) {
			log_error("internal: a file the stage read has no files record");
			rc = -1;
			break;
		}
		*out = xgrow(*out, &alloc, *n + 1, sizeof(**out));
		l = &(*out)[(*n)++];
		memset(l, 0, sizeof(*l));
		memcpy(l->fileid, f->fileid, FILEID_LEN);
		xstrlcpy(l->file, props_get(&props, "relpath", &v) ? v.buf : "", sizeof(l->file));
		xstrlcpy(l->night, props_get(&props, "night", &v) ? v.buf : "", sizeof(l->night));
		/* the night whose landing the archive finds it by, not always its
		 * first (store/landed.h); none (a load in progress): its first */
		if ((rc = landed_night(st, txn, l->file, f->fileid, l->night, night)) < 0)
			break;
		if (rc == 0)
			xstrlcpy(l->night, night, sizeof(l->night));
		rc = 0;
		xstrlcpy(l->sha, props_get(&props, "sha", &v) ? v.buf : "", sizeof(l->sha));
	}
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_input);
	strbuf_release(&props);
	strbuf_release(&v);
	return rc;
}

static void input_row(struct strbuf *out, const struct recon_out *r, const char *se,
		      const char *month, const struct recon_report *rep, int required,
		      const struct input_line *l)
{
	csvout_str(out, r->recon, 0);
	csvout_str(out, se, 0);
	csvout_str(out, month, 0);
	csvout_str(out, rep->label, 0);
	csvout_str(out, rep->store, 0);
	csvout_str(out, required ? "required" : "optional", 0);
	csvout_str(out, l ? "had" : "missing", 0);
	csvout_str(out, l ? l->file : "", 0);
	csvout_str(out, l ? l->night : "", 0);
	csvout_str(out, l ? l->sha : "", 1);
}

/* inputs/RECON.csv: per SE and month of the summary, each store had or missing. */
static int inputs_text(struct recon_out *r, struct store *st, MDB_txn *txn,
		       struct strbuf *out)
{
	char m[DATE_BUFSZ];
	strbuf_addstr(out, CSV_BOM "recon;se;month;report;store;need;state;file;night;sha256\n");
	for (size_t i = 0; i < r->nsum; i++) {
		const struct summary_row *s = &r->sum[i];
		if (i && r->sum[i - 1].month == s->month && !strcmp(r->sum[i - 1].se, s->se))
			continue;
		month_format(s->month, m);
		for (int k = 0; k < r->def->nreports; k++) {
			const struct recon_report *rep;
			struct input_line *l;
			size_t n;
			int required;
			if (store_line(r->def, k, &required) != &r->def->reports[k])
				continue;	/* a store's later line: listed with its first */
			rep = &r->def->reports[k];
			if (place_files(r, st, txn, rep->store, s->se, s->month, &l, &n))
				return -1;
			if (!n)
				input_row(out, r, s->se, m, rep, required, NULL);
			for (size_t j = 0; j < n; j++)
				input_row(out, r, s->se, m, rep, required, &l[j]);
			free(l);
		}
	}
	return 0;
}

static int write_out(struct stage_ctx *ctx, const char *dir, const char *recon,
		     const struct strbuf *text, struct digest_ctx *d)
{
	struct strbuf rel = STRBUF_INIT, path = STRBUF_INIT;
	int rc;
	strbuf_addf(&rel, "%s/%s.csv", dir, recon);
	stage_out_path(ctx, rel.buf, &path);
	rc = atomic_write(path.buf, text->buf, text->len, 0640);
	digest_update(d, text->buf, text->len);
	strbuf_release(&rel);
	strbuf_release(&path);
	return rc;
}

struct earlier {
	const char *stage, *night;
	int found;
};

static int earlier_data(const char *night, const char *stage, const struct ledger_entry *e,
			void *data)
{
	struct earlier *q = data;
	if (!strcmp(stage, q->stage) && strcmp(night, q->night) < 0 &&
	    !strcmp(e->state, "done") && e->rows_out > 0)
		q->found = 1;
	return 0;
}

/* Whether the stage wrote comparisons on an earlier night: its reports are expected. */
static int expected(struct stage_ctx *ctx, MDB_txn *txn)
{
	struct earlier q = { ctx->name, ctx->opts.date, 0 };
	if (ledger_each(&ctx->store, txn, NULL, earlier_data, &q) < 0)
		return -1;
	return q.found;
}

/* The INGEN-DATA row: every required report line counts as missing. */
static void no_data_row(struct recon_out *r, int32_t night)
{
	struct summary_row *s;
	recon_summary(r, "", night / 100, RECON_NO_DATA, 0, 0, 0);
	s = &r->sum[0];
	s->status = RECON_MISSING;
	s->blank_left = s->blank_right = 1;
	for (int k = 0; k < r->def->nreports; k++)
		if (r->def->reports[k].need == NEED_REQUIRED && !had(r, &r->def->reports[k], "", 0))
			s->missing |= 1u << k;
	r->missing_any = s->missing;
	r->no_data = 1;
}

/*
 * The decision that applies tonight to each exception (store/decisions.h):
 * e->decision, and e->decided when it explains on tonight's amount.
 */
static int load_decisions(struct recon_out *r, MDB_txn *txn, int32_t night)
{
	struct exception_row **decided = NULL;
	size_t ndecided = 0, adecided = 0;
	struct decision dc;
	MDB_dbi dbi;
	int rc = decisions_open(txn, 0, &dbi);
	if (rc)
		return rc < 0 ? -1 : 0;	/* no decisions database: no decision yet */
	decision_init(&dc);
	for (size_t i = 0; i < r->nexc; i++) {
		struct exception_row *e = &r->exc[i];
		rc = decisions_effective(txn, dbi, e->id, night, &dc);
		if (rc < 0)
			break;
		if (rc)
			continue;
		rc = 0;
		e->decision = xmalloc(sizeof(*e->decision));
		*e->decision = dc;	/* its note's buffer moves with it */
		decision_init(&dc);
		e->decided = decision_explains(e->decision->decision) &&
			     e->decision->amount == e->amount;
		if (e->decided) {
			decided = xgrow(decided, &adecided, ndecided + 1, sizeof(*decided));
			decided[ndecided++] = e;
		}
	}
	decision_release(&dc);
	/* A detail (conf 'detail') is decided with the break it details. The
	 * decided are few (a clerk's work): each detail against them. */
	for (size_t i = 0; i < r->nexc && ndecided && rc >= 0; i++) {
		struct exception_row *e = &r->exc[i];
		const struct recon_detail *det;
		if (e->decided || recon_code_role(r->def, e->code, &det) != EXC_DETAIL || !det)
			continue;
		for (size_t j = 0; j < ndecided && !e->decided; j++) {
			const struct exception_row *p = decided[j];
			if (p->month == e->month && !strcmp(p->se, e->se) &&
			    !strcmp(p->key, det->key ? det->key : e->key) &&
			    (!strcmp(det->parent, "*") ? recon_code_role(r->def, p->code, NULL) ==
			     EXC_BREAK : !strcmp(p->code, det->parent)))
				e->decided = 2;
		}
	}
	free(decided);
	return rc < 0 ? -1 : 0;
}

static int cmp_exc_id(const void *a, const void *b)
{
	const struct exception_row *const *x = a, *const *y = b;
	return strcmp((*x)->id, (*y)->id);
}

struct history {
	struct strbuf *out;
	int32_t night;
	size_t n;
};

static int history_row(const struct decision *dc, void *data)
{
	struct history *h = data;
	char b[DATE_BUFSZ], num[16];
	if (dc->night > h->night)
		return 0;	/* taken on a later night: not this night's */
	snprintf(num, sizeof(num), "%u", (unsigned)dc->seq);
	csvout_str(h->out, dc->id, 0);
	csvout_str(h->out, num, 0);
	csvout_str(h->out, day_format(dc->night, b), 0);
	csvout_str(h->out, dc->decision, 0);
	csvout_str(h->out, dc->by, 0);
	csvout_str(h->out, dc->at, 0);
	csvout_str(h->out, strbuf_str(&dc->note), 0);
	money_field(h->out, dc->amount, 0, 1);
	h->n++;
	return 0;
}

/* Removes a file an earlier run of the night wrote (its decisions are gone). */
static int remove_stale(struct stage_ctx *ctx, const char *dir, const char *recon)
{
	struct strbuf rel = STRBUF_INIT, path = STRBUF_INIT;
	int rc = 0;
	strbuf_addf(&rel, "%s/%s.csv", dir, recon);
	stage_out_path(ctx, rel.buf, &path);
	if (unlink(path.buf) && errno != ENOENT) {
		log_error("unable to remove %s: %s", path.buf, strerror(errno));
		rc = -1;
	}
	strbuf_release(&rel);
	strbuf_release(&path);
	return rc;
}

/*
 * decisions/RECON.csv and decision-history/RECON.csv (recon.h), when the
 * night has a decided exception; digested into d only then, so a night
 * without decisions keeps its output digest.
 */
static int write_decisions(struct recon_out *r, struct stage_ctx *ctx, MDB_txn *txn,
			   struct digest_ctx *d)
{
	struct strbuf dec = STRBUF_INIT, hist = STRBUF_INIT;
	struct exception_row **v = xcalloc(r->nexc + 1, sizeof(*v));
	struct history h = { &hist, ctx->night, 0 };
	size_t n = 0;
	MDB_dbi dbi;
	int rc = 0;
	for (size_t i = 0; i < r->nexc; i++)
		if (r->exc[i].decision)
			v[n++] = &r->exc[i];
	if (!n) {
		free(v);
		return remove_stale(ctx, "decisions", r->recon) ||
		       remove_stale(ctx, "decision-history", r->recon) ? -1 : 0;
	}
	qsort(v, n, sizeof(*v), cmp_exc_id);
	strbuf_addstr(&dec, CSV_BOM "id;decision;by;at;note;decided_amount;amount;review\n");
	strbuf_addstr(&hist, CSV_BOM "id;seq;night;decision;by;at;note;decided_amount\n");
	rc = decisions_open(txn, 0, &dbi) ? -1 : 0;
	for (size_t i = 0; i < n && !rc; i++) {
		const struct exception_row *e = v[i];
		const struct decision *dc = e->decision;
		if (i && !strcmp(v[i - 1]->id, e->id))
			continue;	/* one break listed twice: its decision once */
		csvout_str(&dec, e->id, 0);
		csvout_str(&dec, dc->decision, 0);
		csvout_str(&dec, dc->by, 0);
		csvout_str(&dec, dc->at, 0);
		csvout_str(&dec, strbuf_str(&dc->note), 0);
		money_field(&dec, dc->amount, 0, 0);
		money_field(&dec, e->amount, 0, 0);
		csvout_str(&dec, dc->amount != e->amount ? "beloeb-aendret" : "", 1);
		rc = decisions_each(txn, dbi, e->id, history_row, &h);
	}
	if (!rc)
		rc = write_out(ctx, "decisions", r->recon, &dec, d);
	if (!rc)
		rc = write_out(ctx, "decision-history", r->recon, &hist, d);
	free(v);
	strbuf_release(&dec);
	strbuf_release(&hist);
	return rc;
}

int recon_write(struct recon_out *r, struct stage_ctx *ctx, MDB_txn *txn,
		char out_digest[65])
{
	struct strbuf sum = STRBUF_INIT, exc = STRBUF_INIT, in = STRBUF_INIT;
	struct digest_ctx *d = digest_new();
	int rc = 0, exp = 0;

	if (!r->def) {
		log_error("internal: %s: recon_write() before recon_begin()", r->recon);
		rc = -1;
	}
	if (!rc && r->nsum)	/* qsort's array may not be NULL, even when empty */
		qsort(r->sum, r->nsum, sizeof(*r->sum), cmp_sum);
	free(r->sumidx);	/* the rows moved: the index is no more */
	r->sumidx = NULL;
	r->nsumidx = 0;
	if (!rc && r->nexc)
		qsort(r->exc, r->nexc, sizeof(*r->exc), cmp_exc);
	r->ok = r->explained = r->breaks = r->missing = 0;
	r->missing_any = 0;
	for (size_t i = 0; i < r->nexc && !rc; i++)
		exception_id(r->recon, &r->exc[i]);
	if (!rc)
		rc = load_decisions(r, txn, ctx->night);
	if (!rc && !r->nsum && !r->nexc)
		no_data_row(r, ctx->night);
	else if (!rc)
		rc = apply_rule(r);
	for (size_t i = 0; i < r->nexc && !rc; i++)
		rc = first_seen(&ctx->store, txn, &r->exc[i], ctx->night);
	if (!rc && r->no_data && (exp = expected(ctx, txn)) < 0)
		rc = -1;
	r->exit_code = r->missing || exp > 0 ? EXIT_NOINPUT : EXIT_DONE;
	if (!rc) {
		summary_text(r, &sum);
		exceptions_text(r, ctx->night, &exc);
		rc = inputs_text(r, &ctx->store, txn, &in);
	}
	if (!rc)
		rc = write_out(ctx, "summary", r->recon, &sum, d);
	if (!rc)
		rc = write_out(ctx, "exceptions", r->recon, &exc, d);
	if (!rc)
		rc = write_out(ctx, "inputs", r->recon, &in, d);
	if (!rc)
		rc = write_decisions(r, ctx, txn, d);
	digest_finish(d, out_digest);
	strbuf_release(&sum);
	strbuf_release(&exc);
	strbuf_release(&in);
	return rc;
}

void recon_ledger(const struct recon_out *r, struct ledger_entry *e)
{
	struct strbuf s = STRBUF_INIT;
	const char *sep = "; mangler: ";
	if (r->no_data)
		strbuf_addstr(&s, "ingen data");
	else
		strbuf_addf(&s, "%llu OK, %llu EXPLAINED, %llu BREAK, %llu MANGLER, %zu exceptions",
			    (unsigned long long)r->ok, (unsigned long long)r->explained,
			    (unsigned long long)r->breaks, (unsigned long long)r->missing, r->nexc);
	for (int k = 0; r->def && k < r->def->nreports; k++) {
		int seen = 0;
		if (!(r->missing_any & (1u << k)))
			continue;
		for (int j = 0; j < k && !seen; j++)
			seen = (r->missing_any & (1u << j)) &&
			       !strcmp(r->def->reports[j].store, r->def->reports[k].store);
		if (seen)
			continue;
		strbuf_addf(&s, "%s%s", sep, r->def->reports[k].store);
		sep = ",";
	}
	xstrlcpy(e->error, s.buf, sizeof(e->error));
	e->rows_out = r->no_data ? 0 : r->nsum;
	e->exit_code = r->exit_code;
	strbuf_release(&s);
}

void recon_free(struct recon_out *r)
{
	for (size_t i = 0; i < r->nexc; i++) {
		free(r->exc[i].note);
		for (int x = 0; x < RECON_MAX_EXTRA; x++)
			free(r->exc[i].extra[x]);
		if (r->exc[i].decision)
			decision_release(r->exc[i].decision);
		free(r->exc[i].decision);
	}
	free(r->sum);
	free(r->sumidx);
	free(r->exc);
	free(r->files);
	reconconf_free(&r->conf);
	r->sum = NULL;
	r->exc = NULL;
	r->files = NULL;
	r->def = NULL;
	r->sumidx = NULL;
	r->nsum = r->nexc = r->asum = r->aexc = r->nfiles = r->afiles = r->nsumidx = 0;
}
