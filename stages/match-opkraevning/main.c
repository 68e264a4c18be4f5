/*
 * stage-match-opkraevning: the student-fee charges of a school's EASY-A
 * export against the guide's rules (seed 003; ../shared/spec/
 * reconciliations.md "opkraevning"; seeds-000-001-003.md 3). The checks
 * are rules.h's; this reads the store and writes the files.
 *
 * Per SE (a school's CVR), the newest file on or before the night of each
 * store (month={date} on the input lines: every export is a whole
 * snapshot, so the latest month present is the newest export):
 *   easya.line, easya.group_fee, easya.student   required: an SE with some
 *       but not all three is named in the log ("EASY-A export incomplete")
 *       and left out; the stage ends with exit 65 after the others
 *   ns.debtor, ns.charge                         optional: without one, the
 *       checks that need it are skipped and the status note says so
 * Writes summary/opkraevning.csv (key: the group, month: the due month)
 * and exceptions/opkraevning.csv (the standard columns and rate,
 * difference, gebyrtype, opkr_nr, debitortype, class, other_reasons), after
 * checking that each row's exceptions sum exactly to its difference. No
 * vouchers: Navision Stat is the state's ERP; the exception file is the
 * clerk's correction list. Reads only the store and conf/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/digest.h"
#include "core/exitcode.h"
#include "core/ident.h"
#include "core/log.h"
#include "match/reconin.h"
#include "opkconf.h"
#include "rules.h"
#include "core/banned.h"

#define RECON "opkraevning"

enum source { LINE, FEE, STUDENT, DEBTOR, CHARGE, NSOURCES };

static const char *const source_store[NSOURCES] = {
	"easya.line", "easya.group_fee", "easya.student", "ns.debtor", "ns.charge",
};

/* The files' names, as the school knows them. */
static const char *const source_report[NSOURCES] = {
	"EASYA_Opkraevningslinjer", "EASYA_Gruppegebyrer", "EASYA_Elever", "NS_Debitorer",
	"NS_Opkraevninger",
};

enum field {
	F_CPR, F_GRUPPE, F_GEBYRTYPE, F_CENTRAL, F_RATE, F_DIFFERENCE, F_AMOUNT, F_CHARGED,
	F_DUE, F_ACCOUNT, F_DEBTORTYPE, F_IDENT, F_NS_DEBTOR, F_SKAL_ARVE, F_AUT_ARV,
	F_OPKR_NR, F_STATUS, F_UNIT, F_JOB, F_CHARGED_DAY, F_EAN, F_ORIGIN, F_FROM, F_TO,
	F_BOARDING, F_AARSELEV, F_PROVIDER, F_AGREEMENT_FROM, F_AGREEMENT_TO, F_LAERESTED,
	F_INHERIT_FROM, F_DELETED, F_MOVED_FROM, F_MOVED_DAY, F_INACTIVE_FROM, F_BOOKED,
	F_CREDIT_NOTE, F_CPR_RAW, NFIELDS
};

static const char *const field_name[NFIELDS] = {
	"cpr", "gruppe", "gebyrtype", "central_type", "rate", "difference", "amount",
	"charged", "due", "account", "debtortype", "easya_ident", "ns_debtor", "skal_arve",
	"aut_arv", "opkr_nr", "status", "unit", "job", "charged_day", "ean", "origin_group",
	"period_from", "period_to", "boarding", "aarselev", "provider", "agreement_from",
	"agreement_to", "laerested", "inherit_from", "deleted", "moved_from", "moved_day",
	"inactive_from", "booked", "credit_note", "cpr_raw",
};

/* Text copied out of LMDB for one school; freed whole. */
struct chunk {
	struct chunk *next;
	size_t used, size;
	char data[];
};

struct opk {
	struct stage_ctx *ctx;
	struct opk_conf conf;
	char conf_digest[DIGEST_HEXSZ];
	struct reconin in;
	struct recon_out out;
	int f[NFIELDS];
	struct chunk *text;
	struct opk_line *line;
	struct opk_fee *fee;
	struct opk_student *student;
	struct opk_debtor *debtor;
	struct opk_charge *charge;
	size_t nline, nfee, nstudent, ndebtor, ncharge;
	size_t aline, afee, astudent, adebtor, acharge;
	const char *bad;	/* a row the stage cannot read: what is wrong */
	struct strbuf note;	/* for the ledger: what was not checked, and why */
	int incomplete;		/* an SE was left out: exit 65 */
};

static const char *copy_bytes(struct opk *o, const char *text, size_t len)
{
	struct chunk *c = o->text;
	char *s;
	if (!c || c->size - c->used < len + 1) {
		size_t size = len + 1 > 65536 ? len + 1 : 65536;
		c = xmalloc(sizeof(*c) + size);
		c->next = o->text;
		c->used = 0;
		c->size = size;
		o->text = c;
	}
	s = c->data + c->used;
	memcpy(s, text, len);
	s[len] = '\0';
	c->used += len + 1;
	return s;
}

static const char *copy_text(struct opk *o, const struct record *r, enum field f)
{
	const struct value *v = &r->v[o->f[f]];
	if (!v->present || !v->text || !v->len)
		return "";
	return copy_bytes(o, v->text, v->len);
}

/*
 * A line's CPR: the schema stores the cell as text (cpr_raw) so that a line
 * whose CPR is not even a substitute number reaches the checks (cpr-ugyldig)
 * instead of rejected/. A CPR or substitute number gives its 10 digits and
 * raw ""; anything else "0000000000" and raw the cell.
 */
static void line_cpr(struct opk *o, const struct record *r, struct opk_line *l)
{
	const char *raw = copy_text(o, r, F_CPR_RAW), *why;
	char cpr[CPR_LEN + 1];
	int mod11;
	if (*raw && !cpr_parse(raw, strlen(raw), 0, cpr, &mod11, &why)) {
		l->cpr = copy_bytes(o, cpr, CPR_LEN);
		l->cpr_raw = "";
	} else {
		l->cpr = "0000000000";
		l->cpr_raw = *raw ? raw : "(tom)";
	}
}

static void free_text(struct opk *o)
{
	while (o->text) {
		struct chunk *n = o->text->next;
		free(o->text);
		o->text = n;
	}
}

static int64_t num(const struct opk *o, const struct record *r, enum field f)
{
	const struct value *v = &r->v[o->f[f]];
	return v->present ? v->num : 0;
}

static int flag(const struct opk *o, const struct record *r, enum field f)
{
	const struct value *v = &r->v[o->f[f]];
	return v->present && v->len == 1 && v->text[0] == 'J';
}

static int on_line(struct opk *o, const struct record *r)
{
	struct opk_line *l;
	const char *st;
	o->line = xgrow(o->line, &o->aline, o->nline + 1, sizeof(*l));
	l = &o->line[o->nline++];
	l->gruppe = copy_text(o, r, F_GRUPPE);
	line_cpr(o, r, l);
	l->gebyrtype = copy_text(o, r, F_GEBYRTYPE);
	l->central = copy_text(o, r, F_CENTRAL);
	l->account = copy_text(o, r, F_ACCOUNT);
	l->debtortype = copy_text(o, r, F_DEBTORTYPE);
	l->ident = copy_text(o, r, F_IDENT);
	l->ns_debtor = copy_text(o, r, F_NS_DEBTOR);
	l->opkr_nr = copy_text(o, r, F_OPKR_NR);
	l->unit = copy_text(o, r, F_UNIT);
	l->job = copy_text(o, r, F_JOB);
	l->ean = copy_text(o, r, F_EAN);
	l->origin = copy_text(o, r, F_ORIGIN);
	l->rate = num(o, r, F_RATE);
	l->diff = flag(o, r, F_DIFFERENCE);
	l->skal_arve = flag(o, r, F_SKAL_ARVE);
	l->aut_arv = flag(o, r, F_AUT_ARV);
	l->amount = num(o, r, F_AMOUNT);
	l->charged = num(o, r, F_CHARGED);
	l->due = (int32_t)num(o, r, F_DUE);
	l->charged_day = (int32_t)num(o, r, F_CHARGED_DAY);
	st = copy_text(o, r, F_STATUS);
	if (!strcmp(st, "IKKE_OPKRAEVET"))
		l->status = OPK_IKKE_OPKRAEVET;
	else if (!strcmp(st, "OPKRAEVET"))
		l->status = OPK_OPKRAEVET;
	else if (!strcmp(st, "KREDITERET"))
		l->status = OPK_KREDITERET;
	else	/* the schema's values= keeps others out; a changed schema does not */
		o->bad = "a Status that is not IKKE_OPKRAEVET, OPKRAEVET or KREDITERET "
			 "(schemas/easya-opkraevningslinjer.schema should say values=)";
	return 0;
}

static int on_fee(struct opk *o, const struct record *r)
{
	struct opk_fee *f;
	o->fee = xgrow(o->fee, &o->afee, o->nfee + 1, sizeof(*f));
	f = &o->fee[o->nfee++];
	f->gruppe = copy_text(o, r, F_GRUPPE);
	f->gebyrtype = copy_text(o, r, F_GEBYRTYPE);
	f->central = copy_text(o, r, F_CENTRAL);
	f->account = copy_text(o, r, F_ACCOUNT);
	f->debtortype = copy_text(o, r, F_DEBTORTYPE);
	f->unit = copy_text(o, r, F_UNIT);
	f->rate = num(o, r, F_RATE);
	f->amount = num(o, r, F_AMOUNT);
	f->due = (int32_t)num(o, r, F_DUE);
	f->group_end = (int32_t)num(o, r, F_TO);
	return 0;
}

static int on_student(struct opk *o, const struct record *r)
{
	struct opk_student *s;
	int birth = 0;
	o->student = xgrow(o->student, &o->astudent, o->nstudent + 1, sizeof(*s));
	s = &o->student[o->nstudent++];
	s->cpr = copy_text(o, r, F_CPR);
	s->gruppe = copy_text(o, r, F_GRUPPE);
	s->laerested = copy_text(o, r, F_LAERESTED);
	s->moved_from = copy_text(o, r, F_MOVED_FROM);
	if (strlen(s->cpr) != CPR_LEN || cpr_birth_date(s->cpr, &birth))
		o->bad = "a CPR whose date part is no date (normalise should have refused it)";
	s->birth = birth;
	s->start = (int32_t)num(o, r, F_FROM);
	s->end = (int32_t)num(o, r, F_TO);
	s->agreement_from = (int32_t)num(o, r, F_AGREEMENT_FROM);
	s->agreement_to = (int32_t)num(o, r, F_AGREEMENT_TO);
	s->moved_day = (int32_t)num(o, r, F_MOVED_DAY);
	s->boarding = flag(o, r, F_BOARDING);
	s->aarselev = flag(o, r, F_AARSELEV);
	s->provider = flag(o, r, F_PROVIDER);
	s->deleted = flag(o, r, F_DELETED);
	s->inherit_from = num(o, r, F_INHERIT_FROM);
	return 0;
}

static int on_debtor(struct opk *o, const struct record *r)
{
	struct opk_debtor *d;
	o->debtor = xgrow(o->debtor, &o->adebtor, o->ndebtor + 1, sizeof(*d));
	d = &o->debtor[o->ndebtor++];
	d->ns_debtor = copy_text(o, r, F_NS_DEBTOR);
	d->inactive_from = (int32_t)num(o, r, F_INACTIVE_FROM);
	return 0;
}

static int on_charge(struct opk *o, const struct record *r)
{
	struct opk_charge *c;
	o->charge = xgrow(o->charge, &o->acharge, o->ncharge + 1, sizeof(*c));
	c = &o->charge[o->ncharge++];
	c->opkr_nr = copy_text(o, r, F_OPKR_NR);
	c->booked = flag(o, r, F_BOOKED);
	c->credit_note = flag(o, r, F_CREDIT_NOTE);
	return 0;
}

typedef int (*row_fn)(struct opk *o, const struct record *r);
static const row_fn on_row[NSOURCES] = { on_line, on_fee, on_student, on_debtor, on_charge };

/* The newest month of store src that has a file for se, or 0. */
static int32_t latest(const struct opk *o, int src, const char *se)
{
	const struct snapshot *s = &o->in.snap[src];
	int32_t m = 0;
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].se, se) && s->v[i].month > m)
			m = s->v[i].month;
	return m;
}

/* Every row of store src's files for se and month, in store order. 0 or -1. */
static int read_source(struct opk *o, int src, const char *se, int32_t month)
{
	const struct snapshot *s = &o->in.snap[src];
	for (size_t i = 0; i < s->n; i++) {
		struct row_iter it;
		int rc;
		if (s->v[i].month != month || strcmp(s->v[i].se, se))
			continue;
		if (row_iter_open_entry(&it, &o->ctx->store, o->in.txn, s, i))
			return -1;
		while ((rc = row_iter_next(&it)) == 1) {
			o->in.records++;
			on_row[src](o, &it.rec);
		}
		row_iter_close(&it);
		if (rc)
			return -1;
	}
	return 0;
}

static void add_note(struct opk *o, const char *fmt, const char *se, const char *what)
{
	strbuf_addstr(&o->note, "; ");
	strbuf_addf(&o->note, fmt, se, what);
}

/* One school: read, check, add to out. 0, or -1 on a store error. */
static int school(struct opk *o, const char *se)
{
	int32_t month[NSOURCES];
	struct opk_school s = { .se = se };
	const char *why = NULL;
	int have = 0, rc = 0;
	for (int i = 0; i < NSOURCES; i++)
		month[i] = latest(o, i, se);
	have = !!month[LINE] + !!month[FEE] + !!month[STUDENT];
	if (have == 0)
		return 0;	/* only Navision files: nothing to check them against */
	if (have < 3) {
		for (int i = LINE; i <= STUDENT; i++)
			if (!month[i]) {
				log_error("%s: EASY-A export incomplete: no %s", se,
					  source_report[i]);
				add_note(o, "%s: %s mangler, ikke kontrolleret", se,
					 source_report[i]);
			}
		o->incomplete = 1;
		return 0;
	}
	o->nline = o->nfee = o->nstudent = o->ndebtor = o->ncharge = 0;
	o->bad = NULL;
	for (int i = 0; i < NSOURCES && !rc; i++)
		if (month[i])
			rc = read_source(o, i, se, month[i]);
	if (rc) {
		free_text(o);
		return -1;
	}
	if (!month[DEBTOR]) {
		log_info("%s: no NS_Debitorer: N debtors not checked against Navision Stat", se);
		add_note(o, "%s: %s mangler: N-debitorer ikke kontrolleret", se, "NS_Debitorer");
	}
	if (!month[CHARGE]) {
		log_info("%s: no NS_Opkraevninger: booking in Navision Stat not checked", se);
		add_note(o, "%s: %s mangler: bogføring ikke kontrolleret", se,
			 "NS_Opkraevninger");
	}
	s.line = o->line, s.nline = o->nline;
	s.fee = o->fee, s.nfee = o->nfee;
	s.student = o->student, s.nstudent = o->nstudent;
	s.debtor = o->debtor, s.ndebtor = o->ndebtor, s.has_debtors = !!month[DEBTOR];
	s.charge = o->charge, s.ncharge = o->ncharge, s.has_charges = !!month[CHARGE];
	if (!o->bad && (rc = opk_check(&o->conf, o->ctx->night, &s, &o->out, &why)) < 0) {
		/* as matchrun: nothing is written that breaks the sum rule */
		log_error("internal: %s: %s", RECON, why);
		free_text(o);
		return -1;
	}
	if (o->bad || rc) {
		log_error("%s: left out: the export has %s", se, o->bad ? o->bad : why);
		add_note(o, "%s: %s", se, "ikke kontrolleret (se loggen)");
		o->incomplete = 1;
	}
	free_text(o);
	return 0;
}

/* What the stage read: the files of every store and SE, and both conf files. */
static void input_digest(const struct opk *o, char out[DIGEST_HEXSZ])
{
	char in[DIGEST_HEXSZ];
	struct digest_ctx *d = digest_new();
	reconin_digest(&o->in, in);
	digest_update(d, in, DIGEST_HEXSZ - 1);
	digest_update(d, o->conf_digest, DIGEST_HEXSZ - 1);
	digest_finish(d, out);
}

/* Writes the files and the ledger entry in the data's transaction and commits. */
static int commit(struct opk *o, int exit_code)
{
	struct stage_ctx *ctx = o->ctx;
	struct ledger_entry e;
	stage_ledger_entry(ctx, &e, "done", exit_code);
	input_digest(o, e.input);
	for (int i = 0; i < o->in.n; i++)
		recon_inputs(&o->out, o->in.stores[i], &o->in.snap[i]);
	if (recon_write(&o->out, ctx, o->in.txn, e.output))
		goto abort;
	e.rows_in = o->in.records;
	recon_ledger(&o->out, &e);
	{
		size_t used = strlen(e.error);
		xstrlcpy(e.error + used, strbuf_str(&o->note), sizeof(e.error) - used);
	}
	/* an incomplete export (65) before a missing report (66): README's order */
	if (exit_code == EXIT_DONE)
		exit_code = o->out.exit_code;
	e.exit_code = exit_code;
	if (ledger_put(&ctx->store, o->in.txn, ctx->opts.date, ctx->name, &e))
		goto abort;
	if (store_commit(o->in.txn))
		return EXIT_INTERNAL;
	log_info("%s: %s", ctx->opts.date, e.error);
	return exit_code;
abort:
	mdb_txn_abort(o->in.txn);
	return EXIT_INTERNAL;
}

static int run(struct opk *o)
{
	struct stage_ctx *ctx = o->ctx;
	int32_t to = ctx->night / 100;
	MDB_txn *txn;
	const char **ses = NULL;
	size_t nses;
	int rc = 0;
	if (store_begin(&ctx->store, 0, &txn))
		return EXIT_INTERNAL;
	/* the newest export on or before the night, at most months-back old */
	if (reconin_open(&o->in, ctx, txn, source_store, NSOURCES,
			 month_add(to, -ctx->conf.months_back), to)) {
		mdb_txn_abort(txn);
		return EXIT_INTERNAL;
	}
	nses = reconin_ses(&o->in, &ses);
	for (size_t i = 0; i < nses && !rc; i++)
		rc = school(o, ses[i]);
	free(ses);
	if (rc) {
		mdb_txn_abort(txn);
		return EXIT_INTERNAL;
	}
	return commit(o, o->incomplete ? EXIT_BADDATA : EXIT_DONE);
}

static int opkraevning_night(struct stage_ctx *ctx)
{
	struct opk o = { .ctx = ctx, .note = STRBUF_INIT };
	struct strbuf path = STRBUF_INIT;
	uint64_t size;
	int rc;
	o.out.recon = RECON;
	o.out.extra = opk_extra_columns;
	o.out.nextra = OPK_NEXTRA;
	for (int i = 0; i < NFIELDS; i++)
		if (reconin_field(ctx, field_name[i], &o.f[i]))
			return EXIT_USAGE;
	conf_sibling(&ctx->conf, "opkraevning.conf", &path);
	rc = opk_conf_load(path.buf, &o.conf) ? EXIT_USAGE : 0;
	if (!rc && digest_file(path.buf, o.conf_digest, &size))
		rc = EXIT_USAGE;
	strbuf_release(&path);
	if (!rc)
		rc = recon_begin(&o.out, ctx, source_store, NSOURCES);
	if (!rc)
		rc = run(&o);
	reconin_free(&o.in);
	recon_free(&o.out);
	free_text(&o);
	free(o.line);
	free(o.fee);
	free(o.student);
	free(o.debtor);
	free(o.charge);
	strbuf_release(&o.note);
	return rc;
}

/* --help (run/stage.h). */
const struct stage_help stage_help = {
	"Checks a school's EASY-A student-fee charges against the guide's fee rules\n"
	"(seed 003): OUT/DATE/summary/opkraevning.csv and OUT/DATE/exceptions/opkraevning.csv.\n",
	"Exit: 0 done (breaks found are still 0), 64 usage or configuration\n"
	"      (conf/opkraevning.conf), 65 an SE's EASY-A export incomplete (the\n"
	"      others are checked), 70 internal error, 75 locked.\n",
};

int main(int argc, char **argv)
{
	struct stage_ctx ctx;
	int rc;
	log_init("stage-match-opkraevning");
	if ((rc = stage_init(&ctx, "match-opkraevning", argc, argv, 0)))
		return rc;
	rc = opkraevning_night(&ctx);
	return stage_end(&ctx, rc);
}
