/*
 * stage match-refusion: the inter-municipal refund for evening schools
 * (seed 000; brief ../shared/spec/seeds-000-001-003.md 1.4-1.8), both
 * directions in one transaction, as they share the confs, the residence
 * extract and the memory of what was charged:
 *
 *   mellemkommunal-refusion      the charges we send: every participant
 *       line of an ended period charged to its paying municipality or one
 *       exception (rules.h); summary/, exceptions/, charges/RECON/K.csv,
 *       charges/charges.csv, postings/ (a voucher per charge)
 *   mellemkommunal-refusion-ind  the charges we receive, checked line by
 *       line; summary/, exceptions/, disputes/RECON/C.csv, postings/ (a
 *       voucher for the accepted amount). A line is decided once, on the
 *       first night that reads it; the decision is kept (chargestore.h)
 *       and later nights show it as sent, whatever a newer extract says
 *
 * Reads the stores refusion.deltager and refusion.opkraevning (every
 * visible file: their input lines accumulate) and refusion.bopael (the
 * newest extract on or before the night); conf/refusion.conf and
 * conf/kommuner.conf. Lines read = lines charged + exception lines is
 * checked before anything is written or committed.
 *
 * Exit codes: 0 done (exceptions are business); 64 a conf error or lines
 * of more than one SE; 65 an implausible amount; 70 internal; 75 lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomicfile.h"
#include "core/csvout.h"
#include "core/date.h"
#include "core/digest.h"
#include "core/exitcode.h"
#include "core/ident.h"
#include "core/log.h"
#include "core/money.h"
#include "core/strbuf.h"
#include "match/matchrun.h"
#include "match/recon.h"
#include "post/postfile.h"
#include "post/voucher.h"
#include "run/outfile.h"
#include "run/stage.h"
#include "store/snapshot.h"
#include "chargestore.h"
#include "kommuner.h"
#include "refusionconf.h"
#include "rules.h"
#include "core/banned.h"

#define RECON_OUT "mellemkommunal-refusion"
#define RECON_IN "mellemkommunal-refusion-ind"

static const char *const exc_extra[] = { "skole", "holdnr", "fil", "linje", "cpr_raw" };
static const char *const post_extra[] = { "opkraevnings_id", "periode", "linjer" };

enum { F_SKOLE, F_HOLDNR, F_START, F_SLUT, F_CPR, F_NAME, F_TIMER, F_FORM, F_OPLYST,
       F_TIMEAAR, F_KOMMUNE, F_FRA, F_TIL, F_BETALING, F_OPK, F_BET, F_PERIODE, F_TAKST,
       F_AMOUNT, F_IDENT, F_N };
static const char *const field_names[F_N] = {
	"skole", "holdnr", "kursusstart", "kursusslut", "cpr_raw", "name", "timer", "form",
	"oplyst_kommune", "timeaar", "kommune", "fra", "til", "betalingskommune",
	"opkraevende", "betalende", "periode", "takst", "amount", "ident",
};

/* Where a line came from: its file and place, for the canonical order
 * (kept small: there is one for every line of the lists). */
struct origin {
	const char *relpath;	/* landing name (the snapshot entry's, or "") */
	const char *file;	/* its base name (points into relpath) */
	int32_t namedate;
	uint32_t line;		/* for messages and references */
	uint64_t record;	/* the row's record number in its file: its identity */
};

/* A participant line of a school's list. */
struct pline {
	struct origin o;
	char *skole, *holdnr, *cpr_raw, *name, *form, *oplyst;
	int32_t start, slut;
	int timeaar;
	int64_t timer;
	struct out_kept {	/* its out_result, the note kept only when there is one */
		enum out_code code;
		char cpr[11];
		int ta;
		int32_t period;
		enum refusion_form form;
		money_t rate, value;
		char key[8];
		const char *note;	/* the lines' texts, or "" */
	} r;
	int wait;		/* its period has not ended */
	int charged;		/* charged, on this night or before */
	int is_new;		/* to be charged on this night */
	struct charged_line c;	/* charged: by which charge */
};

/* A charged line received. */
struct iline {
	struct origin o;
	char fileid[2 * FILEID_LEN + 1];	/* its file's id, hex */
	char *opk, *bet, *periode_s, *skole, *holdnr, *cpr_raw, *name, *form, *ident, *oplyst;
	int32_t start, period;
	int64_t timer;
	money_t takst, beloeb;
	char c[8];		/* the charging municipality, 4 digits (or as written) */
	int32_t decided;	/* the night it was first decided (its dispute sent) */
	int stands;		/* decided on an earlier night (or tonight's first
				   run): the stored decision is used as it is */
	int is_total;		/* the file's total row (an amount, no course start,
				   CPR or hours): rule 9 */
	struct in_result r;
};

struct sumrow {
	int32_t period;
	char key[8];
	money_t left, right, explained;
};

struct run {
	struct stage_ctx *ctx;
	MDB_txn *txn;
	MDB_dbi db;
	int f[F_N];
	struct kommuner kom;
	struct refusion_conf conf;
	struct residence_index res;
	size_t ares;
	struct snapshot snap[3];	/* deltager, opkraevning, bopael */
	size_t res_entry;		/* snap[2]'s entry read: the extract used */
	struct pline *p;
	size_t np, ap;
	struct chunk *ptext, *itext;	/* the lines' texts */
	struct iline *in;
	size_t nin, ain;
	char se[SE_LEN + 1];
	struct recon_out out, inn;
	struct sumrow *sum;
	size_t nsum, asum;
	struct postfile post_out, post_in;
	struct digest_ctx *outd;
	char **kept;		/* outgoing files written (outfile_prune) */
	size_t nkept, akept;
	uint64_t nread, ncharged, nwait, nin_read;
	unsigned long issued;
	money_t issued_amount;
	int overflow;
	int exit_code;		/* after a commit: 0, or 66 (a report missing) */
};

/* --- reading --- */

/* Text copied out of LMDB for the lines; freed whole (a malloc a field
 * would cost more than most fields hold). */
struct chunk {
	struct chunk *next;
	size_t used, size;
	char data[];
};

static char *text_copy(struct chunk **text, const char *s, size_t len)
{
	struct chunk *c = *text;
	char *t;
	if (!c || c->size - c->used < len + 1) {
		size_t size = len + 1 > 65536 ? len + 1 : 65536;
		c = xmalloc(sizeof(*c) + size);
		c->next = *text;
		c->used = 0;
		c->size = size;
		*text = c;
	}
	t = c->data + c->used;
	if (len)
		memcpy(t, s, len);
	t[len] = '\0';
	c->used += len + 1;
	return t;
}

static char *text_of(struct chunk **text, const struct record *r, int f)
{
	const struct value *v = &r->v[f];
	return text_copy(text, v->text, v->present && v->text ? v->len : 0);
}

static void text_free(struct chunk **text)
{
	while (*text) {
		struct chunk *c = *text;
		*text = c->next;
		free(c);
	}
}

static int64_t num_of(const struct record *r, int f)
{
	return r->v[f].present ? r->v[f].num : 0;
}

static void origin_of(struct origin *o, const struct snapshot_entry *e, const struct row_iter *it)
{
	const char *slash;
	o->relpath = e->relpath ? e->relpath : "";	/* the snapshot outlives the lines */
	slash = strrchr(o->relpath, '/');
	o->file = slash ? slash + 1 : o->relpath;
	o->namedate = e->namedate;
	o->line = it->line;
	o->record = it->record;
}

/* FIL:LINJE: the line the row starts on (the record number stays internal). */
static void origin_ref(const struct origin *o, char *buf, size_t n)
{
	snprintf(buf, n, "%s:%u", o->file, (unsigned)o->line);
}

static void origin_line(const struct origin *o, char *buf, size_t n)
{
	snprintf(buf, n, "%u", (unsigned)o->line);
}

/* The canonical order: file-name date, landing name, record number (file order). */
static int cmp_origin(const struct origin *x, const struct origin *y)
{
	int c = (x->namedate > y->namedate) - (x->namedate < y->namedate);
	if (!c)
		c = strcmp(x->relpath, y->relpath);
	if (!c)
		c = (x->record > y->record) - (x->record < y->record);
	return c;
}

static int cmp_pline(const void *a, const void *b)
{
	return cmp_origin(&((const struct pline *)a)->o, &((const struct pline *)b)->o);
}

static int cmp_iline(const void *a, const void *b)
{
	return cmp_origin(&((const struct iline *)a)->o, &((const struct iline *)b)->o);
}

/* The one SE of the refund's lines: a second one is a conf error (64). */
static int one_se(struct run *R, const char *se)
{
	if (!R->se[0]) {
		memcpy(R->se, se, sizeof(R->se));
		return 0;
	}
	if (strcmp(R->se, se)) {
		log_error("refusion: lines of more than one SE (%s, %s): give every refusion "
			  "input line the same se=", strcmp(R->se, se) < 0 ? R->se : se,
			  strcmp(R->se, se) < 0 ? se : R->se);
		return EXIT_USAGE;
	}
	return 0;
}

static void take_pline(struct run *R, const struct record *r, const struct snapshot_entry *e,
		       const struct row_iter *it)
{
	struct pline *l;
	R->p = xgrow(R->p, &R->ap, R->np + 1, sizeof(*R->p));
	l = &R->p[R->np++];
	memset(l, 0, sizeof(*l));
	origin_of(&l->o, e, it);
	l->skole = text_of(&R->ptext, r, R->f[F_SKOLE]);
	l->holdnr = text_of(&R->ptext, r, R->f[F_HOLDNR]);
	l->cpr_raw = text_of(&R->ptext, r, R->f[F_CPR]);
	l->name = text_of(&R->ptext, r, R->f[F_NAME]);
	l->form = text_of(&R->ptext, r, R->f[F_FORM]);
	l->oplyst = text_of(&R->ptext, r, R->f[F_OPLYST]);
	l->start = (int32_t)num_of(r, R->f[F_START]);
	l->slut = (int32_t)num_of(r, R->f[F_SLUT]);
	l->timeaar = (int)num_of(r, R->f[F_TIMEAAR]);
	l->timer = num_of(r, R->f[F_TIMER]);
}

static void take_iline(struct run *R, const struct record *r, const struct snapshot_entry *e,
		       const struct row_iter *it)
{
	struct iline *l;
	R->in = xgrow(R->in, &R->ain, R->nin + 1, sizeof(*R->in));
	l = &R->in[R->nin++];
	memset(l, 0, sizeof(*l));
	origin_of(&l->o, e, it);
	fileid_hex(e->fileid, l->fileid);
	l->opk = text_of(&R->itext, r, R->f[F_OPK]);
	l->bet = text_of(&R->itext, r, R->f[F_BET]);
	l->periode_s = text_of(&R->itext, r, R->f[F_PERIODE]);
	l->skole = text_of(&R->itext, r, R->f[F_SKOLE]);
	l->holdnr = text_of(&R->itext, r, R->f[F_HOLDNR]);
	l->cpr_raw = text_of(&R->itext, r, R->f[F_CPR]);
	l->name = text_of(&R->itext, r, R->f[F_NAME]);
	l->form = text_of(&R->itext, r, R->f[F_FORM]);
	l->ident = text_of(&R->itext, r, R->f[F_IDENT]);
	l->oplyst = text_of(&R->itext, r, R->f[F_OPLYST]);
	l->start = (int32_t)num_of(r, R->f[F_START]);
	l->timer = num_of(r, R->f[F_TIMER]);
	l->takst = num_of(r, R->f[F_TAKST]);
	l->beloeb = num_of(r, R->f[F_AMOUNT]);
	l->is_total = !r->v[R->f[F_START]].present && !l->cpr_raw[0] &&
		      !r->v[R->f[F_TIMER]].present && r->v[R->f[F_AMOUNT]].present;
	if (period_parse(l->periode_s, strlen(l->periode_s), &l->period))
		l->period = l->start ? period_of_day(l->start) : period_of_day(e->namedate);
	if (kommune_code_parse(l->opk, strlen(l->opk), l->c))
		snprintf(l->c, sizeof(l->c), "%.7s", l->opk);
}

/* Every row of snapshot s: kind 0 participant lines, 1 charges received. */
static int read_rows(struct run *R, int s)
{
	const struct snapshot *snap = &R->snap[s];
	for (size_t i = 0; i < snap->n; i++) {
		struct row_iter it;
		int rc;
		if (row_iter_open_entry(&it, &R->ctx->store, R->txn, snap, i))
			return EXIT_INTERNAL;
		while ((rc = row_iter_next(&it)) == 1) {
			if (s == 0)
				take_pline(R, &it.rec, &snap->v[i], &it);
			else
				take_iline(R, &it.rec, &snap->v[i], &it);
		}
		row_iter_close(&it);
		if (rc < 0)
			return EXIT_INTERNAL;
		if ((rc = one_se(R, snap->v[i].se)))
			return rc;
	}
	return 0;
}

/* The residence extract: the newest visible file of the refund's SE. */
static int read_residence(struct run *R)
{
	const struct snapshot *snap = &R->snap[2];
	size_t best = snap->n;
	for (size_t i = 0; i < snap->n; i++) {
		const struct snapshot_entry *e = &snap->v[i];
		if (R->se[0] && strcmp(e->se, R->se))
			continue;
		if (best == snap->n || e->namedate > snap->v[best].namedate ||
		    (e->namedate == snap->v[best].namedate && e->month > snap->v[best].month))
			best = i;
	}
	R->res_entry = best;
	if (best < snap->n) {
		struct row_iter it;
		int rc;
		if (row_iter_open_entry(&it, &R->ctx->store, R->txn, snap, best))
			return EXIT_INTERNAL;
		while ((rc = row_iter_next(&it)) == 1) {
			const struct record *r = &it.rec;
			struct residence_row row = { .fra = (int32_t)num_of(r, R->f[F_FRA]),
						     .til = (int32_t)num_of(r, R->f[F_TIL]) };
			const struct value *c = &r->v[R->f[F_CPR]];
			const struct value *k = &r->v[R->f[F_KOMMUNE]];
			const struct value *b = &r->v[R->f[F_BETALING]];
			const char *why;
			int mod11;
			/* a row whose CPR or code cannot be read covers nobody */
			if (!c->present || cpr_parse(c->text, c->len, CPR_TRIM_BLANKS, row.cpr,
							 &mod11, &why) ||
			    !k->present || kommune_code_parse(k->text, k->len, row.kommune))
				continue;
			if (b->present && b->len && kommune_code_parse(b->text, b->len, row.betaler))
				continue;
			extract_add(&R->res, &row, &R->ares);
		}
		row_iter_close(&it);
		if (rc < 0)
			return EXIT_INTERNAL;
	}
	extract_sort(&R->res);
	return 0;
}

static const char *const stores[3] = {
	"refusion.deltager", "refusion.opkraevning", "refusion.bopael"
};

static int load_inputs(struct run *R)
{
	/* Courses start months before their period ends, and lists may come a
	 * year and more after (report-deadline-years): read every month of the
	 * last years. */
	int32_t to = R->ctx->night / 100;
	int32_t from = (R->ctx->night / 10000 - 4) * 100 + 1;
	int rc;
	for (int s = 0; s < 3; s++) {
		const struct store_def *sd = catalog_store(&R->ctx->cat, stores[s]);
		if (!sd) {
			log_error("schemas/stores has no store '%s'", stores[s]);
			return EXIT_INTERNAL;
		}
		if (snapshot_load(&R->ctx->store, R->txn, sd, R->ctx->night, from, to, &R->snap[s]))
			return EXIT_INTERNAL;
	}
	if ((rc = read_rows(R, 0)) || (rc = read_rows(R, 1)) || (rc = read_residence(R)))
		return rc;
	if (R->np)
		qsort(R->p, R->np, sizeof(*R->p), cmp_pline);
	if (R->nin)
		qsort(R->in, R->nin, sizeof(*R->in), cmp_iline);
	return 0;
}

/* --- a set of keys seen on this night (the first occurrence is kept) --- */

struct seen {
	char **key;
	size_t *idx;
	size_t cap, n;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The index stored for key, or -1 after storing idx for it. */
static long seen_add(struct seen *s, const char *key, size_t idx)
{
	size_t i;
	if (2 * (s->n + 1) > s->cap) {
		struct seen t = { .cap = s->cap ? 2 * s->cap : 64 };
		t.key = xcalloc(t.cap, sizeof(*t.key));
		t.idx = xcalloc(t.cap, sizeof(*t.idx));
		for (size_t j = 0; j < s->cap; j++)
			if (s->key[j]) {
				for (i = hash(s->key[j]) & (t.cap - 1); t.key[i]; i = (i + 1) & (t.cap - 1))
					;
				t.key[i] = s->key[j];
				t.idx[i] = s->idx[j];
			}
		t.n = s->n;
		free(s->key);
		free(s->idx);
		*s = t;
	}
	for (i = hash(key) & (s->cap - 1); s->key[i]; i = (i + 1) & (s->cap - 1))
		if (!strcmp(s->key[i], key))
			return (long)s->idx[i];
	s->key[i] = xstrdup(key);
	s->idx[i] = idx;
	s->n++;
	return -1;
}

static void seen_free(struct seen *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->key[i]);
	free(s->key);
	free(s->idx);
}

/* --- the summary --- */

static struct sumrow *sumrow(struct run *R, int32_t period, const char *key)
{
	for (size_t i = 0; i < R->nsum; i++)
		if (R->sum[i].period == period && !strcmp(R->sum[i].key, key))
			return &R->sum[i];
	R->sum = xgrow(R->sum, &R->asum, R->nsum + 1, sizeof(*R->sum));
	memset(&R->sum[R->nsum], 0, sizeof(*R->sum));
	R->sum[R->nsum].period = period;
	snprintf(R->sum[R->nsum].key, sizeof(R->sum[R->nsum].key), "%s", key);
	return &R->sum[R->nsum++];
}

static void add(struct run *R, money_t *acc, money_t v)
{
	if (money_add(acc, v))
		R->overflow = 1;
}

/* Summary rows and a TOTAL per period into out; then forgets them. */
static void flush_summary(struct run *R, struct recon_out *out)
{
	for (size_t i = 0; i < R->nsum; i++) {
		const struct sumrow *s = &R->sum[i];
		recon_summary(out, R->se, period_last_month(s->period), s->key, s->left, s->right,
			      s->explained);
	}
	/* a TOTAL row per period, at its first row */
	for (size_t i = 0; i < R->nsum; i++) {
		money_t l = 0, r = 0, e = 0;
		int first = 1;
		for (size_t j = 0; j < i && first; j++)
			first = R->sum[j].period != R->sum[i].period;
		if (!first)
			continue;
		for (size_t j = i; j < R->nsum; j++)
			if (R->sum[j].period == R->sum[i].period) {
				add(R, &l, R->sum[j].left);
				add(R, &r, R->sum[j].right);
				add(R, &e, R->sum[j].explained);
			}
		recon_summary(out, R->se, period_last_month(R->sum[i].period), "TOTAL", l, r, e);
	}
	R->nsum = 0;
}

/* --- outgoing --- */

/* The duplicate key (brief 1.5 rule 4): CPR, school, course, hours year. */
static const char *line_key(const struct pline *l, const char *cpr, int ta, struct strbuf *k)
{
	strbuf_reset(k);
	strbuf_addf(k, "%s|%s|%s|%d", cpr, l->skole, l->holdnr, ta);
	return k->buf;
}

/* The line's decision r into l (its note, when it has one, copied). */
static void keep(struct run *R, struct pline *l, const struct out_result *r)
{
	l->r.code = r->code;
	memcpy(l->r.cpr, r->cpr, sizeof(l->r.cpr));
	l->r.ta = r->ta;
	l->r.period = r->period;
	l->r.form = r->form;
	l->r.rate = r->rate;
	l->r.value = r->value;
	memcpy(l->r.key, r->key, sizeof(l->r.key));
	l->r.note = r->note[0] ? text_copy(&R->ptext, r->note, strlen(r->note)) : "";
}

static struct out_line out_line_of(const struct pline *l)
{
	struct out_line o = {
		.cpr_raw = l->cpr_raw, .cpr_len = strlen(l->cpr_raw), .start = l->start,
		.slut = l->slut, .timeaar = l->timeaar, .form = l->form,
		.form_len = strlen(l->form), .timer = l->timer, .filedate = l->o.namedate,
	};
	return o;
}

static void out_exception(struct run *R, struct pline *l, const char *note)
{
	struct exception_row *e;
	char ref[300], ln[32];
	e = recon_exception(&R->out, R->se, period_last_month(l->r.period), l->r.key,
			    l->r.cpr[0] ? l->r.cpr : NULL, l->r.code == OUT_FOREDRAG ? 0 : l->r.value,
			    out_code_name(l->r.code), out_code_text(l->r.code));
	origin_ref(&l->o, ref, sizeof(ref));
	xstrlcpy(e->ref, ref, sizeof(e->ref));
	if (note && *note)
		recon_note(e, "%s", note);
	origin_line(&l->o, ln, sizeof(ln));
	recon_extra(e, 0, l->skole);
	recon_extra(e, 1, l->holdnr);
	recon_extra(e, 2, l->o.file);
	recon_extra(e, 3, ln);
	recon_extra(e, 4, l->r.code == OUT_CPR_UGYLDIG ? l->cpr_raw : "");
}

static int decide_out(struct run *R)
{
	struct seen seen = { 0 };
	struct strbuf kb = STRBUF_INIT;
	const char *key;
	int rc = 0;
	for (size_t i = 0; i < R->np && !rc; i++) {
		struct pline *l = &R->p[i];
		struct out_line o = out_line_of(l);
		struct out_result r;
		long first;
		memset(&r, 0, sizeof(r));
		do {	/* continue: the line decided (into l below) */
			if (out_pre(&R->conf, &o, &r)) {
				log_error("%s:%u: hours times rate overflows: the list's hours are not "
					  "plausible", l->o.relpath, (unsigned)l->o.line);
				rc = EXIT_BADDATA;
				continue;
			}
			if (period_last_day(r.period) > R->ctx->night) {
				l->wait = 1;
				R->nwait++;
				continue;
			}
			R->nread++;
			if (r.code != OUT_CHARGE) {
				if (r.code == OUT_FOREDRAG)
					out_key_only(&R->kom, &R->res, &o, &r);
				continue;
			}
			key = line_key(l, r.cpr, r.ta, &kb);
			first = seen_add(&seen, key, i);
			if (first >= 0) {
				char ref[300];
				out_key_only(&R->kom, &R->res, &o, &r);
				r.code = OUT_DUBLET;
				origin_ref(&R->p[first].o, ref, sizeof(ref));
				memcpy(r.note, "af ", 3);
				xstrlcpy(r.note + 3, ref, sizeof(r.note) - 3);
				continue;
			}
			switch (chargestore_line_get(R->txn, R->db, key, &l->c)) {
			case -1:
				rc = EXIT_INTERNAL;
				continue;
			case 1:
				if (l->c.night <= R->ctx->night) {
					/* charged: frozen as it was sent */
					l->charged = 1;
					snprintf(r.key, sizeof(r.key), "%s", l->c.kommune);
					r.period = l->c.period;
					r.value = l->c.amount;
					r.code = OUT_CHARGE;
					continue;
				}
				/* charged by a later night: decide as that night's first run did */
				out_post(&R->conf, &R->kom, &R->res, &o, &r);
				if (r.code == OUT_CHARGE) {
					l->charged = 1;
					snprintf(r.key, sizeof(r.key), "%s", l->c.kommune);
					r.value = l->c.amount;
				}
				continue;
			default:
				out_post(&R->conf, &R->kom, &R->res, &o, &r);
				if (r.code == OUT_CHARGE) {
					l->charged = l->is_new = 1;
					memcpy(l->c.kommune, r.key, 5);
					l->c.period = r.period;
					l->c.amount = r.value;
					l->c.night = R->ctx->night;
				}
			}
		} while (0);
		keep(R, l, &r);
	}
	seen_free(&seen);
	strbuf_release(&kb);
	return rc;
}

/* "24" or "12,25": hours as a charge line writes them. */
static void hours_text(int64_t h, char *buf, size_t n)
{
	char m[MONEY_BUFSZ];
	if (h % 100 == 0)
		snprintf(buf, n, "%lld", (long long)(h / 100));
	else
		snprintf(buf, n, "%s", money_format(h, m));
}

static void cpr_dash(const char *cpr, char out[12])
{
	memcpy(out, cpr, 6);
	out[6] = '-';
	memcpy(out + 7, cpr + 6, 4);
	out[11] = '\0';
}

/* The line's row in its charge file and its place there. */
static void charge_row(const struct run *R, const struct pline *l, const char *id,
		       struct strbuf *row, struct strbuf *sort)
{
	char per[16], d[DATE_BUFSZ], cpr[12], h[32], m[MONEY_BUFSZ], ln[32];
	const struct kommune *stated = l->oplyst[0] ?
		kommune_by_name(&R->kom, l->oplyst, strlen(l->oplyst)) : NULL;
	if (!stated && l->oplyst[0])
		stated = kommune_find(&R->kom, l->oplyst);
	period_format(l->r.period, per);
	cpr_dash(l->r.cpr, cpr);
	hours_text(l->timer, h, sizeof(h));
	strbuf_reset(row);
	csvout_str(row, R->conf.own, 0);
	csvout_str(row, l->r.key, 0);
	csvout_str(row, per, 0);
	csvout_str(row, refusion_school_name(&R->conf, l->skole), 0);
	csvout_str(row, l->holdnr, 0);
	csvout_str(row, day_format(l->start, d), 0);
	csvout_str(row, cpr, 0);
	csvout_str(row, l->name, 0);
	csvout_str(row, refusion_form_name(l->r.form), 0);
	csvout_str(row, h, 0);
	csvout_str(row, money_format(l->r.rate, m), 0);
	csvout_str(row, money_format(l->r.value, m), 0);
	csvout_str(row, id, 0);
	/* the stated municipality, when it is not who pays (the register wins) */
	csvout_str(row, stated && !strcmp(stated->code, l->r.key) ? "" : l->oplyst, 1);
	origin_line(&l->o, ln, sizeof(ln));
	strbuf_reset(sort);
	strbuf_addf(sort, "%s|%06u|%s|%s|%s|%s|%012llu", per, l->c.nr, l->skole, l->holdnr,
		    l->r.cpr, l->o.relpath, (unsigned long long)l->o.record);
	for (size_t i = 0; i < sort->len; i++)
		if (sort->buf[i] == '\n')
			sort->buf[i] = ' ';
}

static int cmp_new(const void *a, const void *b)
{
	const struct pline *x = *(const struct pline *const *)a, *y = *(const struct pline *const *)b;
	int c = strcmp(x->r.key, y->r.key);
	if (!c)
		c = (x->r.period > y->r.period) - (x->r.period < y->r.period);
	return c ? c : cmp_origin(&x->o, &y->o);
}

/* Issues the night's new lines: a charge per (payer, period), recorded. */
static int issue(struct run *R)
{
	struct pline **v = NULL;
	size_t n = 0;
	struct strbuf row = STRBUF_INIT, sort = STRBUF_INIT, t = STRBUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < R->np; i++)
		if (R->p[i].is_new) {
			v = xrealloc(v, (n + 1) * sizeof(*v));
			v[n++] = &R->p[i];
		}
	if (n)
		qsort(v, n, sizeof(*v), cmp_new);
	for (size_t i = 0; i < n && !rc;) {
		struct charge_rec c = { .night = R->ctx->night, .period = v[i]->r.period };
		char per[16];
		size_t j;
		memcpy(c.kommune, v[i]->r.key, 5);
		if (chargestore_next_nr(R->txn, R->db, R->conf.own, c.kommune, c.period, &c.nr)) {
			rc = EXIT_INTERNAL;
			break;
		}
		strbuf_reset(&t);
		strbuf_addf(&t, "%s|%s|%s|%s|%u", RECON_OUT, R->conf.own, c.kommune,
			    period_format(c.period, per), c.nr);
		uuid_from(t.buf, t.len, c.id);
		for (j = i; j < n && !strcmp(v[j]->r.key, c.kommune) && v[j]->r.period == c.period;
		     j++) {
			struct pline *l = v[j];
			l->c.nr = c.nr;
			memcpy(l->c.charge, c.id, UUID_SZ);
			charge_row(R, l, c.id, &row, &sort);
			if (chargestore_put_line(R->txn, R->db, line_key(l, l->r.cpr, l->r.ta, &t),
						 &l->c, sort.buf,
						 row.buf)) {
				rc = EXIT_INTERNAL;
				break;
			}
			c.lines++;
			add(R, &c.amount, l->r.value);
		}
		if (!rc && chargestore_put_charge(R->txn, R->db, R->conf.own, &c))
			rc = EXIT_INTERNAL;
		i = j;
	}
	free(v);
	strbuf_release(&row);
	strbuf_release(&sort);
	strbuf_release(&t);
	return rc;
}

static int summarise_out(struct run *R)
{
	for (size_t i = 0; i < R->np; i++) {
		struct pline *l = &R->p[i];
		struct sumrow *s;
		if (l->wait)
			continue;
		s = sumrow(R, l->r.period, l->r.key);
		add(R, &s->left, l->r.value);
		if (l->charged) {
			R->ncharged++;
			add(R, &s->right, l->r.value);
			continue;
		}
		if (out_code_explained(l->r.code))
			add(R, &s->explained, l->r.value);
		out_exception(R, l, l->r.note);
	}
	flush_summary(R, &R->out);
	if (R->nread != R->ncharged + R->out.nexc) {
		log_error("internal: %s: %llu lines read but %llu charged and %zu exceptions",
			  RECON_OUT, (unsigned long long)R->nread, (unsigned long long)R->ncharged,
			  R->out.nexc);
		return EXIT_INTERNAL;
	}
	return 0;
}

/* The night's charges, from the store (the same bytes on a rerun). */
struct night_charges {
	struct run *R;
	struct charge_rec *c;
	size_t n, a;
	struct crow { char kommune[5]; char *sort, *row; } *rows;
	size_t nrows, arows;
};

static int got_charge(const struct charge_rec *c, void *data)
{
	struct night_charges *nc = data;
	nc->c = xgrow(nc->c, &nc->a, nc->n + 1, sizeof(*nc->c));
	nc->c[nc->n++] = *c;
	return 0;
}

static int got_line(const struct charged_line *l, const char *sort, const char *row, void *data)
{
	struct night_charges *nc = data;
	nc->rows = xgrow(nc->rows, &nc->arows, nc->nrows + 1, sizeof(*nc->rows));
	memcpy(nc->rows[nc->nrows].kommune, l->kommune, 5);
	nc->rows[nc->nrows].sort = xstrdup(sort);
	nc->rows[nc->nrows++].row = xstrdup(row);
	return 0;
}

static int cmp_crow(const void *a, const void *b)
{
	const struct crow *x = a, *y = b;
	int c = strcmp(x->kommune, y->kommune);
	return c ? c : strcmp(x->sort, y->sort);
}

/* An outgoing file (run/outfile.h): atomic, 0640, remembered in the store. */
static int write_file(struct run *R, const char *rel, const struct strbuf *text,
		      unsigned long rows)
{
	char sha[65];
	if (outfile_write(R->ctx, R->txn, rel, text->buf, text->len, rows, sha, NULL))
		return EXIT_INTERNAL;
	digest_update(R->outd, rel, strlen(rel) + 1);
	digest_update(R->outd, sha, 64);
	R->kept = xgrow(R->kept, &R->akept, R->nkept + 1, sizeof(*R->kept));
	R->kept[R->nkept++] = xstrdup(rel);
	return 0;
}

static int write_charges(struct run *R)
{
	struct night_charges nc = { .R = R };
	struct strbuf f = STRBUF_INIT, rel = STRBUF_INIT;
	int rc = 0;
	char m[MONEY_BUFSZ], per[16], num[32];
	if (chargestore_each_charge(R->txn, R->db, R->ctx->night, got_charge, &nc) ||
	    chargestore_each_line(R->txn, R->db, R->ctx->night, got_line, &nc)) {
		rc = EXIT_INTERNAL;
		goto out;
	}
	if (nc.nrows)
		qsort(nc.rows, nc.nrows, sizeof(*nc.rows), cmp_crow);
	for (size_t i = 0; i < nc.nrows && !rc;) {
		size_t j;
		strbuf_reset(&f);
		strbuf_addstr(&f, CSV_BOM "Opkraevende_kommune;Betalende_kommune;Periode;Skole;"
			      "Holdnr;Kursusstart;CPR;Navn;Form;Timer;Takst;Beloeb;"
			      "Opkraevnings_id;Oplyst_kommune\n");
		for (j = i; j < nc.nrows && !strcmp(nc.rows[j].kommune, nc.rows[i].kommune); j++)
			strbuf_addstr(&f, nc.rows[j].row);
		strbuf_reset(&rel);
		strbuf_addf(&rel, "charges/%s/%s.csv", RECON_OUT, nc.rows[i].kommune);
		rc = write_file(R, rel.buf, &f, (unsigned long)(j - i));
		i = j;
	}
	/* the index: charges are in (kommune, period, nr) order by their keys */
	strbuf_reset(&f);
	strbuf_addstr(&f, CSV_BOM "kommune;navn;cvr;ean;linjer;beloeb;opkraevnings_id;periode;nr\n");
	for (size_t i = 0; i < nc.n; i++) {
		const struct charge_rec *c = &nc.c[i];
		const struct kommune *k = kommune_find(&R->kom, c->kommune);
		struct postfile_row *p;
		char id[17];
		csvout_str(&f, c->kommune, 0);
		csvout_str(&f, k ? k->name : "", 0);
		csvout_str(&f, k ? k->cvr : "", 0);
		csvout_str(&f, k ? k->ean : "", 0);
		snprintf(num, sizeof(num), "%lu", c->lines);
		csvout_str(&f, num, 0);
		csvout_str(&f, money_format(c->amount, m), 0);
		csvout_str(&f, c->id, 0);
		csvout_str(&f, period_format(c->period, per), 0);
		snprintf(num, sizeof(num), "%u", c->nr);
		csvout_str(&f, num, 1);
		R->issued++;
		add(R, &R->issued_amount, c->amount);
		/* its voucher: conf/vouchers.conf 'from postings' */
		postfile_id(id, "postings|%s|%s|%06d|%s|%s", RECON_OUT, R->se,
			    (int)period_last_month(c->period), c->kommune, c->id);
		p = postfile_add(&R->post_out, id, R->se, period_last_month(c->period), c->kommune,
				 NULL, c->amount, "opkraevning", "opkrævning sendt / charge sent");
		postfile_set(p, 0, c->id);
		postfile_set(p, 1, per);
		snprintf(num, sizeof(num), "%lu", c->lines);
		postfile_set(p, 2, num);
	}
	if (!rc)
		rc = write_file(R, "charges/charges.csv", &f, (unsigned long)nc.n);
out:
	for (size_t i = 0; i < nc.nrows; i++) {
		free(nc.rows[i].sort);
		free(nc.rows[i].row);
	}
	free(nc.rows);
	free(nc.c);
	strbuf_release(&f);
	strbuf_release(&rel);
	return rc;
}

/* --- incoming --- */

static struct in_line in_line_of(const struct iline *l)
{
	struct in_line o = {
		.opkraevende = l->opk, .opk_len = strlen(l->opk), .betalende = l->bet,
		.bet_len = strlen(l->bet), .periode = l->period, .cpr_raw = l->cpr_raw,
		.cpr_len = strlen(l->cpr_raw), .form = l->form, .form_len = strlen(l->form),
		.timer = l->timer, .takst = l->takst, .beloeb = l->beloeb, .start = l->start,
	};
	return o;
}

/* The duplicate key of a received line (brief 1.5 incoming rule 5). */
static const char *in_key(const struct iline *l, struct strbuf *k)
{
	strbuf_reset(k);
	strbuf_addf(k, "%s|%s|%s|%s|%d", l->c, l->r.cpr, l->skole, l->holdnr, (int)l->period);
	return k->buf;
}

/*
 * A received line decided on an earlier night stands as it was sent (its
 * dispute file went once): a later night's newer extract or conf does not
 * decide it again. 1 it stands (l->r from the store), 0 to decide now, or
 * an exit code.
 */
static int stored_decision(struct run *R, struct iline *l)
{
	struct in_decision d;
	enum in_code code;
	int rc = chargestore_decision_get(R->txn, R->db, l->fileid, l->o.record,
					  R->ctx->night, &d);
	if (rc < 0)
		return EXIT_INTERNAL;
	l->decided = d.night;
	if (rc == 0)
		return 0;
	if (in_code_parse(d.code, &code)) {
		log_error("internal: %s holds an unknown decision '%s' for %s:%u", "refusion",
			  d.code, l->o.relpath, (unsigned)l->o.line);
		return EXIT_INTERNAL;
	}
	if (!l->is_total) {	/* the normalised CPR of the exception and the key */
		struct in_line o = in_line_of(l);
		in_pre(&R->conf, &o, &l->r);
	}
	l->r.code = code;
	l->r.accepted = d.accepted;
	l->r.disputed = d.disputed;
	xstrlcpy(l->r.note, d.note, sizeof(l->r.note));
	l->stands = 1;
	return 0;
}

static int decide_in(struct run *R)
{
	struct seen seen = { 0 };
	struct strbuf key = STRBUF_INIT;
	int rc = 0;
	/* the decisions that stand first: a line that was accepted makes any
	 * later copy a dublet, whichever order the files sort in */
	for (size_t i = 0; i < R->nin && !rc; i++) {
		struct iline *l = &R->in[i];
		R->nin_read++;
		rc = stored_decision(R, l);
		if (!rc && l->stands && !l->is_total && in_code_counts(l->r.code))
			seen_add(&seen, in_key(l, &key), i);
	}
	for (size_t i = 0; i < R->nin && !rc; i++) {
		struct iline *l = &R->in[i];
		struct in_line o = in_line_of(l);
		if (l->is_total || l->stands)
			continue;	/* rule 9, below */
		in_pre(&R->conf, &o, &l->r);
		if (l->r.code != IN_ACCEPT)
			continue;
		if (seen_add(&seen, in_key(l, &key), i) >= 0) {
			l->r.code = IN_DUBLET;
			l->r.accepted = 0;
			l->r.disputed = l->beloeb;
			continue;
		}
		if (in_post(&R->conf, &R->res, &o, &l->r)) {
			log_error("%s:%u: hours times rate overflows: the charge's hours are not "
				  "plausible", l->o.relpath, (unsigned)l->o.line);
			rc = EXIT_BADDATA;
		}
	}
	seen_free(&seen);
	strbuf_release(&key);
	if (rc)
		return rc;
	/* rule 9: a file's total row against the sum of its lines */
	for (size_t i = 0; i < R->nin; i++) {
		struct iline *t = &R->in[i];
		money_t sum = 0;
		int32_t period = 0;
		if (!t->is_total)
			continue;
		for (size_t j = 0; j < R->nin; j++)
			if (!R->in[j].is_total && !strcmp(R->in[j].fileid, t->fileid)) {
				add(R, &sum, R->in[j].beloeb);
				if (!period)
					period = R->in[j].period;
			}
		if (period)
			t->period = period;
		if (t->stands)
			continue;
		if (in_sum_check(t->beloeb, sum, &t->r)) {
			R->overflow = 1;
			continue;
		}
		t->r.accepted = 0;
	}
	/* what was decided now stands from now on */
	for (size_t i = 0; i < R->nin; i++) {
		struct iline *l = &R->in[i];
		struct in_decision d = { .night = l->decided, .accepted = l->r.accepted,
					 .disputed = l->r.disputed };
		if (l->stands)
			continue;
		xstrlcpy(d.code, in_code_name(l->r.code), sizeof(d.code));
		xstrlcpy(d.note, l->r.note, sizeof(d.note));
		if (chargestore_decision_put(R->txn, R->db, l->fileid, l->o.record, &d))
			return EXIT_INTERNAL;
	}
	return 0;
}

/* "dublet: linjen er opkrævet før (note)": the Danish half of a text. */
static void danish_reason(const char *code, const char *text, const char *note, struct strbuf *out)
{
	const char *slash = strstr(text, " / ");
	strbuf_reset(out);
	strbuf_addf(out, "%s: ", code);
	strbuf_add(out, text, slash ? (size_t)(slash - text) : strlen(text));
	if (note && *note)
		strbuf_addf(out, " (%s)", note);
}

struct ipost {
	char c[8];
	const char *ident;
	int32_t period;
	money_t accepted;
	unsigned long lines;
};

static int write_in(struct run *R)
{
	struct strbuf f = STRBUF_INIT, rel = STRBUF_INIT, why = STRBUF_INIT;
	struct ipost *ps = NULL;
	size_t nps = 0, aps = 0;
	const char **cdone = NULL;	/* the charging municipalities written */
	size_t ndone = 0, adone = 0;
	char m[MONEY_BUFSZ], d[DATE_BUFSZ], h[32], ln[32], per[16], ref[300], num[32];
	int rc = 0;
	for (size_t i = 0; i < R->nin; i++) {
		struct iline *l = &R->in[i];
		struct sumrow *s = sumrow(R, l->period, l->c);
		/* a total row adds what it demands beyond its lines: left is then
		 * the total the municipality charges */
		add(R, &s->left, l->is_total ? l->r.disputed : l->beloeb);
		add(R, &s->right, l->r.accepted);
		add(R, &s->explained, l->r.disputed);
		if (l->r.code != IN_ACCEPT) {
			struct exception_row *e = recon_exception(
				&R->inn, R->se, period_last_month(l->period), l->c,
				l->r.cpr[0] ? l->r.cpr : NULL, l->r.disputed,
				in_code_name(l->r.code), in_code_text(l->r.code));
			origin_ref(&l->o, ref, sizeof(ref));
			xstrlcpy(e->ref, ref, sizeof(e->ref));
			if (l->r.note[0])
				recon_note(e, "%s", l->r.note);
			origin_line(&l->o, ln, sizeof(ln));
			recon_extra(e, 0, l->is_total ? "" : l->skole);
			recon_extra(e, 1, l->is_total ? "" : l->holdnr);
			recon_extra(e, 2, l->o.file);
			recon_extra(e, 3, ln);
			recon_extra(e, 4, l->r.code == IN_CPR_UGYLDIG ? l->cpr_raw : "");
		}
	}
	flush_summary(R, &R->inn);

	/* Disputes and postings: the lines of files that came on this night. */
	for (size_t i = 0; i < R->nin; i++) {
		struct iline *l = &R->in[i];
		size_t k;
		if (l->decided != R->ctx->night || l->is_total)
			continue;
		for (k = 0; k < nps; k++)
			if (!strcmp(ps[k].c, l->c) && !strcmp(ps[k].ident, l->ident) &&
			    ps[k].period == l->period)
				break;
		if (k == nps) {
			ps = xgrow(ps, &aps, nps + 1, sizeof(*ps));
			memset(&ps[nps], 0, sizeof(*ps));
			memcpy(ps[nps].c, l->c, sizeof(ps[nps].c));
			ps[nps].ident = l->ident;
			ps[nps++].period = l->period;
		}
		add(R, &ps[k].accepted, l->r.accepted);
		ps[k].lines++;
	}
	for (size_t i = 0; i < R->nin && !rc; i++) {
		const char *c = R->in[i].c;
		int done = 0;
		unsigned long any = 0;
		for (size_t j = 0; j < ndone && !done; j++)	/* at most the 98 */
			done = !strcmp(cdone[j], c);
		if (done)
			continue;	/* C's file is written */
		cdone = xgrow(cdone, &adone, ndone + 1, sizeof(*cdone));
		cdone[ndone++] = c;
		strbuf_reset(&f);
		strbuf_addstr(&f, CSV_BOM "Opkraevende_kommune;Betalende_kommune;Periode;Skole;"
			      "Holdnr;Kursusstart;CPR;Navn;Form;Timer;Takst;Beloeb;"
			      "Opkraevnings_id;Accepteret;Bestridt;Aarsag;Fil;Linje\n");
		/* C's lines in canonical order: (file, line) */
		for (size_t j = i; j < R->nin; j++) {
			struct iline *l = &R->in[j];
			if (strcmp(l->c, c) || l->decided != R->ctx->night || l->r.code == IN_ACCEPT)
				continue;
			any++;
			if (l->is_total) {	/* only C, the total, the difference */
				csvout_str(&f, l->opk, 0);
				for (int x = 0; x < 10; x++)
					csvout_str(&f, "", 0);
				csvout_str(&f, money_format(l->beloeb, m), 0);
				csvout_str(&f, "", 0);
				csvout_str(&f, "", 0);
			} else {
				hours_text(l->timer, h, sizeof(h));
				csvout_str(&f, l->opk, 0);
				csvout_str(&f, l->bet, 0);
				csvout_str(&f, l->periode_s, 0);
				csvout_str(&f, l->skole, 0);
				csvout_str(&f, l->holdnr, 0);
				csvout_str(&f, l->start ? day_format(l->start, d) : "", 0);
				csvout_str(&f, l->cpr_raw, 0);
				csvout_str(&f, l->name, 0);
				csvout_str(&f, l->form, 0);
				csvout_str(&f, h, 0);
				csvout_str(&f, money_format(l->takst, m), 0);
				csvout_str(&f, money_format(l->beloeb, m), 0);
				csvout_str(&f, l->ident, 0);
				csvout_str(&f, money_format(l->r.accepted, m), 0);
			}
			csvout_str(&f, money_format(l->r.disputed, m), 0);
			danish_reason(in_code_name(l->r.code), in_code_text(l->r.code), l->r.note, &why);
			csvout_str(&f, why.buf, 0);
			csvout_str(&f, l->o.file, 0);
			origin_line(&l->o, ln, sizeof(ln));
			csvout_str(&f, ln, 1);
		}
		if (any) {
			strbuf_reset(&rel);
			strbuf_addf(&rel, "disputes/%s/%s.csv", RECON_IN, c);
			rc = write_file(R, rel.buf, &f, any);
		}
	}
	for (size_t k = 0; k < nps; k++) {
		struct postfile_row *p;
		char id[17];
		if (!ps[k].accepted)
			continue;
		period_format(ps[k].period, per);
		postfile_id(id, "postings|%s|%s|%06d|%s|%s|%08d", RECON_IN, R->se,
			    (int)period_last_month(ps[k].period), ps[k].c, ps[k].ident,
			    (int)R->ctx->night);
		p = postfile_add(&R->post_in, id, R->se, period_last_month(ps[k].period), ps[k].c,
				 NULL, ps[k].accepted, "accepteret",
				 "accepteret del af modtaget opkrævning / accepted part of a "
				 "charge received");
		postfile_set(p, 0, ps[k].ident);
		postfile_set(p, 1, per);
		snprintf(num, sizeof(num), "%lu", ps[k].lines);
		postfile_set(p, 2, num);
	}
	free(ps);
	free(cdone);
	strbuf_release(&f);
	strbuf_release(&rel);
	strbuf_release(&why);
	return rc;
}

/* --- the night --- */

static int load_confs(struct run *R)
{
	struct strbuf p = STRBUF_INIT;
	int rc = 0;
	conf_sibling(&R->ctx->conf, "kommuner.conf", &p);
	if (kommuner_load(p.buf, &R->kom))
		rc = EXIT_USAGE;
	strbuf_reset(&p);
	conf_sibling(&R->ctx->conf, "refusion.conf", &p);
	if (!rc && refusion_conf_load(p.buf, &R->kom, &R->conf)) {
		kommuner_free(&R->kom);
		rc = EXIT_USAGE;
	}
	strbuf_release(&p);
	for (int i = 0; i < F_N && !rc; i++)
		if ((R->f[i] = match_field(R->ctx, field_names[i])) < 0)
			rc = EXIT_INTERNAL;
	return rc;
}

static int finish(struct run *R)
{
	struct ledger_entry e;
	char d1[65], d2[65], d3[65], d4[65];
	char m[MONEY_BUFSZ];
	stage_ledger_entry(R->ctx, &e, "done", EXIT_DONE);
	match_input_digest(R->ctx, R->snap, 3, e.input);
	if (!R->np && !R->nin && !R->issued) {
		/* no list and no charge received: the municipality does not use
		 * the refund (yet); its nights get no refusion files */
		snprintf(e.error, sizeof(e.error), "no evening school lists and no charges received");
		digest_finish(R->outd, e.output);
		R->outd = NULL;
		if (ledger_put(&R->ctx->store, R->txn, R->ctx->opts.date, R->ctx->name, &e))
			return EXIT_INTERNAL;
		log_info("%s: %s", R->ctx->opts.date, e.error);
		return 0;
	}
	/* the extract the decisions were made against, not every older one
	 * still visible: inputs/ names it, and the archive seals its bytes
	 * (conf/archive.conf seal-input refusion.bopael) */
	struct snapshot used = { .sd = R->snap[2].sd, .v = R->snap[2].v + R->res_entry,
				 .n = R->res_entry < R->snap[2].n };
	for (int i = 0; i < 3; i++) {
		recon_inputs(&R->out, stores[i], i == 2 ? &used : &R->snap[i]);
		recon_inputs(&R->inn, stores[i], i == 2 ? &used : &R->snap[i]);
	}
	/* each direction writes its files when it has lines: a municipality
	 * that received no charge has nothing to check (not a missing report) */
	memset(d1, '0', 64), memset(d2, '0', 64), memset(d3, '0', 64), memset(d4, '0', 64);
	if (R->np && (recon_write(&R->out, R->ctx, R->txn, d1) ||
		      postfile_write(&R->post_out, R->ctx, R->txn, d3)))
		return EXIT_INTERNAL;
	if (R->nin && (recon_write(&R->inn, R->ctx, R->txn, d2) ||
		       postfile_write(&R->post_in, R->ctx, R->txn, d4)))
		return EXIT_INTERNAL;
	/* a rerun after a conf change may send fewer files: the others go */
	if (outfile_prune(R->ctx, R->txn, "charges", (const char *const *)R->kept, R->nkept) ||
	    outfile_prune(R->ctx, R->txn, "disputes", (const char *const *)R->kept, R->nkept))
		return EXIT_INTERNAL;
	/* 66 when a row is MANGLER: a report it needs is missing (recon.h) */
	R->exit_code = R->np ? R->out.exit_code : 0;
	if (R->nin && R->inn.exit_code > R->exit_code)
		R->exit_code = R->inn.exit_code;
	e.exit_code = R->exit_code;
	digest_update(R->outd, d1, 64);
	digest_update(R->outd, d2, 64);
	digest_update(R->outd, d3, 64);
	digest_update(R->outd, d4, 64);
	digest_finish(R->outd, e.output);
	R->outd = NULL;
	e.rows_in = R->nread + R->nin_read;
	e.rows_out = R->out.nsum + R->inn.nsum;
	snprintf(e.error, sizeof(e.error),
		 "%lu charges (%s) issued, %zu exceptions, %llu lines wait for their period end, "
		 "%llu lines received, %zu disputed", R->issued, money_format(R->issued_amount, m),
		 R->out.nexc, (unsigned long long)R->nwait, (unsigned long long)R->nin_read,
		 R->inn.nexc);
	if (ledger_put(&R->ctx->store, R->txn, R->ctx->opts.date, R->ctx->name, &e))
		return EXIT_INTERNAL;
	log_info("%s: %s", R->ctx->opts.date, e.error);
	return 0;
}

static int night(struct run *R)
{
	int rc;
	if ((rc = load_confs(R)))
		return rc;
	/* conf/reconciliations.conf: what each direction reads and needs */
	if ((rc = recon_begin(&R->out, R->ctx, stores, 3)) ||
	    (rc = recon_begin(&R->inn, R->ctx, stores, 3)))
		return rc;
	if (store_begin(&R->ctx->store, 0, &R->txn))
		return EXIT_INTERNAL;
	if (chargestore_open(R->txn, &R->db))
		return EXIT_INTERNAL;
	if ((rc = load_inputs(R)))
		return rc;
	if (!R->se[0])	/* nothing to read: empty files under the first SE of the conf */
		snprintf(R->se, sizeof(R->se), "%s", "");
	if ((rc = decide_out(R)) || (rc = issue(R)) || (rc = summarise_out(R)))
		return rc;
	/* the outgoing lines are in the store and the writer now: from here
	 * on only their count is used (np) */
	free(R->p);
	R->p = NULL;
	R->ap = 0;
	text_free(&R->ptext);
	if ((rc = decide_in(R)))
		return rc;
	if ((R->np && (rc = write_charges(R))) || (R->nin && (rc = write_in(R))))
		return rc;
	if (R->overflow) {
		log_error("a sum of amounts overflows 64 bits: the input's amounts are not "
			  "plausible");
		return EXIT_BADDATA;
	}
	return finish(R);
}

static void run_free(struct run *R)
{
	text_free(&R->ptext);
	text_free(&R->itext);
	free(R->p);
	free(R->in);
	free(R->sum);
	for (int s = 0; s < 3; s++)
		snapshot_free(&R->snap[s]);
	residence_free(&R->res);
	recon_free(&R->out);
	recon_free(&R->inn);
	postfile_free(&R->post_out);
	postfile_free(&R->post_in);
	for (size_t i = 0; i < R->nkept; i++)
		free(R->kept[i]);
	free(R->kept);
	if (R->outd) {
		char x[65];
		digest_finish(R->outd, x);
	}
	refusion_conf_free(&R->conf);
	kommuner_free(&R->kom);
}

const struct stage_help stage_help = {
	"Charges the paying municipalities for evening-school participants from other\n"
	"municipalities and checks the charges received (seed 000; conf/refusion.conf,\n"
	"conf/kommuner.conf): OUT/DATE/summary/, exceptions/ and postings/ of\n"
	"mellemkommunal-refusion and mellemkommunal-refusion-ind, charges/ and disputes/.\n",
	"Exit: 0 done (exceptions are still 0), 64 usage or configuration (refusion.conf,\n"
	"      kommuner.conf, lines of two SEs), 65 implausible hours or amounts,\n"
	"      66 a report it needs is missing, 70 internal error, 75 locked.\n",
};

int main(int argc, char **argv)
{
	struct stage_ctx ctx;
	struct run R;
	int rc;
	log_init("stage-match-refusion");
	if ((rc = stage_init(&ctx, "match-refusion", argc, argv, 0)))
		return rc;
	memset(&R, 0, sizeof(R));
	R.ctx = &ctx;
	R.out.recon = RECON_OUT;
	R.out.extra = exc_extra;
	R.out.nextra = 5;
	R.inn.recon = RECON_IN;
	R.inn.extra = exc_extra;
	R.inn.nextra = 5;
	postfile_init(&R.post_out, RECON_OUT, post_extra, 3);
	postfile_init(&R.post_in, RECON_IN, post_extra, 3);
	R.outd = digest_new();
	rc = night(&R);
	if (R.txn) {
		if (rc)
			mdb_txn_abort(R.txn);
		else if (store_commit(R.txn))
			rc = EXIT_INTERNAL;
	}
	run_free(&R);
	if (!rc)
		rc = R.exit_code;
	return stage_end(&ctx, rc);
}
