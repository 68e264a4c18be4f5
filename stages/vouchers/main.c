/*
 * stage-vouchers: GL posting vouchers (finansbilag) from the night's
 * matching results (../shared/spec/outputs.md, "Vouchers").
 *
 * Reads OUT/DATE/exceptions/RECON.csv of every recon a rule of
 * conf/vouchers.conf names (OUT/DATE/postings/RECON.csv for a rule that
 * says 'from postings': money movements that are not breaks, written by a
 * matching stage, post/postfile.h), gives each row every matching rule's voucher
 * (roles from conf/accounts.conf), issues it unless the store already has
 * it (post/voucherstore.h), and writes every voucher issued on the night:
 *   OUT/DATE/vouchers/ID.xml       SF1590_A-shaped, valid against
 *                                  schemas/sf1590a-finansbilag.xsd
 *   OUT/DATE/vouchers/vouchers.csv the same postings, one row each
 * Exit: 64 a rule is wrong (unbalanced, unknown role) - the message names
 * the rule and the row; 65 an exception row cannot be used. Either way
 * nothing is issued or written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomicfile.h"
#include "core/date.h"
#include "core/digest.h"
#include "core/exitcode.h"
#include "core/log.h"
#include "run/stage.h"
#include "ingest/csvin.h"
#include "match/accounts.h"
#include "post/voucherstore.h"
#include "finansbilag.h"
#include "core/banned.h"

enum col { C_ID, C_RECON, C_SE, C_MONTH, C_KEY, C_CPR, C_AMOUNT, C_REASON, C_LEFT,
	   C_RIGHT, NCOLS };
static const char *const col_names[NCOLS] = {
	"id", "recon", "se", "month", "key", "cpr", "amount", "reason", "left", "right",
};
enum { NREQUIRED = C_LEFT };	/* left and right may be missing */

struct run {
	struct stage_ctx *ctx;
	struct voucher_rules rules;
	struct accounts accts;
	struct finansbilag fb;
	MDB_txn *txn;
	const char *file;		/* the exception (or postings) file being read */
	const char *recon;		/* whose file it is */
	enum rule_source source;	/* which of the two it is */
	char **names;			/* its header */
	const char **values;		/* the current row's fields */
	size_t ncols;
	int col[NCOLS];
	char (*events)[65];		/* events issued this run, to refuse doubles */
	size_t nevents;
	uint64_t rows, fresh, changed, known, later;
	int exit;			/* set when a row or rule stops the night */
};

static void free_header(struct run *r)
{
	for (size_t i = 0; i < r->ncols; i++)
		free(r->names[i]);
	free(r->names);
	free(r->values);
	r->names = NULL;
	r->values = NULL;
	r->ncols = 0;
}

static int header(struct run *r, const struct csv_row *row)
{
	r->names = xcalloc(row->nfields, sizeof(*r->names));
	r->values = xcalloc(row->nfields, sizeof(*r->values));
	for (size_t i = 0; i < row->nfields; i++)
		r->names[r->ncols++] = xstrdup(row->fields[i].ptr);
	for (int c = 0; c < NCOLS; c++) {
		r->col[c] = -1;
		for (size_t i = 0; i < r->ncols; i++)
			if (!strcmp(r->names[i], col_names[c]))
				r->col[c] = (int)i;
		if (r->col[c] < 0 && c < NREQUIRED) {
			log_input(r->file, row->line, 0, "no column '%s' in the header",
				  col_names[c]);
			r->exit = EXIT_BADDATA;
			return 1;
		}
	}
	return 0;
}

static const char *field(const struct csv_row *row, const struct run *r, enum col c)
{
	return r->col[c] < 0 ? "" : row->fields[r->col[c]].ptr;
}

static int bad(struct run *r, const struct csv_row *row, enum col c, const char *why)
{
	log_input(r->file, row->line, c < NCOLS ? (unsigned)r->col[c] + 1 : 0, "%s%s%s",
		  c < NCOLS ? col_names[c] : "", c < NCOLS ? ": " : "", why);
	r->exit = EXIT_BADDATA;
	return 1;
}

static int parse_side(struct run *r, const struct csv_row *row, enum col c,
		      money_t *v, int *has)
{
	const char *s = field(row, r, c), *why;
	*has = *s != '\0';
	return *has && money_parse(s, strlen(s), 0, v, &why) ? bad(r, row, c, why) : 0;
}

/* The row as a voucher input; code points into buf. 0, or 1 reported. */
static int parse_row(struct run *r, const struct csv_row *row, struct voucher_input *in,
		     char code[65])
{
	const char *reason = field(row, r, C_REASON), *colon = strchr(reason, ':'), *why;
	int32_t month;
	memset(in, 0, sizeof(*in));
	if (row->nfields != r->ncols)
		return bad(r, row, NCOLS, "not as many fields as the header");
	in->id = field(row, r, C_ID);
	in->recon = field(row, r, C_RECON);
	if (strcmp(in->recon, r->recon))
		return bad(r, row, C_RECON, "not the recon the file is named after");
	in->se = field(row, r, C_SE);
	in->month = field(row, r, C_MONTH);
	in->key = field(row, r, C_KEY);
	in->cpr = field(row, r, C_CPR);
	if (!colon || colon == reason || (size_t)(colon - reason) >= 65)
		return bad(r, row, C_REASON, "no 'CODE:' at the start");
	snprintf(code, 65, "%.*s", (int)(colon - reason), reason);
	in->code = code;
	if (strlen(in->id) != 16 || strspn(in->id, "0123456789abcdef") != 16)
		return bad(r, row, C_ID, "not 16 hex characters");
	if (strlen(in->se) != 8 || strspn(in->se, "0123456789") != 8)
		return bad(r, row, C_SE, "not 8 digits");
	if (month_parse(in->month, strlen(in->month), &month, &why))
		return bad(r, row, C_MONTH, why);
	if (money_parse(field(row, r, C_AMOUNT), strlen(field(row, r, C_AMOUNT)), 0,
			&in->amount, &why))
		return bad(r, row, C_AMOUNT, why);
	if (parse_side(r, row, C_LEFT, &in->left, &in->has_left) ||
	    parse_side(r, row, C_RIGHT, &in->right, &in->has_right))
		return 1;
	for (size_t i = 0; i < r->ncols; i++)
		r->values[i] = row->fields[i].ptr;
	in->names = (const char *const *)r->names;
	in->values = r->values;
	in->ncols = r->ncols;
	return 0;
}

static int rule_matches(const struct voucher_rule *rule, const struct voucher_input *in)
{
	return !strcmp(rule->recon, in->recon) && !strcmp(rule->code, in->code) &&
	       (!rule->key || !strcmp(rule->key, in->key));
}

static int issue(struct run *r, struct voucher *v)
{
	enum issue_result res;
	r->events = xrealloc(r->events, (r->nevents + 1) * sizeof(*r->events));
	memcpy(r->events[r->nevents++], v->event, 65);
	if (voucher_issue(&r->ctx->store, r->txn, v, r->ctx->night, &res)) {
		r->exit = EXIT_INTERNAL;
		return 1;
	}
	r->fresh += res == ISSUE_NEW;
	r->changed += res == ISSUE_CHANGED;
	r->known += res == ISSUE_KNOWN;
	r->later += res == ISSUE_LATER;
	return 0;
}

/* Builds and issues one rule's voucher for a row. 0, or 1 with r->exit set. */
static int apply(struct run *r, const struct voucher_rule *rule,
		 const struct voucher_input *in, const struct csv_row *row)
{
	struct strbuf why = STRBUF_INIT;
	struct voucher v;
	int rc = 0;
	switch (voucher_build(rule, in, &r->accts, r->rules.sender, r->ctx->night, &v, &why)) {
	case VB_OK:
		rc = issue(r, &v);
		break;
	case VB_EMPTY:
		break;
	case VB_BADDATA:
		log_input(r->file, row->line, 0, "rule '%s': %s", rule->name, why.buf);
		r->exit = EXIT_BADDATA;
		rc = 1;
		break;
	case VB_NOROLE:
		log_error("%s:%lu: rule '%s' for %s:%lu: %s", r->rules.path, rule->lineno,
			  rule->name, r->file, row->line, why.buf);
		r->exit = EXIT_USAGE;
		rc = 1;
		break;
	case VB_UNBALANCED:
		log_error("%s:%lu: rule '%s' gives an unbalanced voucher for %s:%lu: %s",
			  r->rules.path, rule->lineno, rule->name, r->file, row->line, why.buf);
		r->exit = EXIT_USAGE;
		rc = 1;
		break;
	}
	strbuf_release(&why);
	return rc;
}

static int row_fn(const struct csv_row *row, void *data)
{
	struct run *r = data;
	struct voucher_input in;
	char code[65];
	if (!r->names)
		return header(r, row);
	if (parse_row(r, row, &in, code))
		return 1;
	r->rows++;
	for (int i = 0; i < r->rules.nrules; i++)
		if (r->rules.rules[i].from == r->source && rule_matches(&r->rules.rules[i], &in) &&
		    apply(r, &r->rules.rules[i], &in, row))
			return 1;
	return 0;
}

/* Reads exceptions/RECON.csv (or postings/) if the night has one; its digest goes into d. */
static int read_recon(struct run *r, const char *recon, enum rule_source source,
		      struct digest_ctx *d)
{
	struct csvin_opts o = { ';', CSVIN_UTF8 };
	struct strbuf rel = STRBUF_INIT, path = STRBUF_INIT;
	char hex[DIGEST_HEXSZ];
	uint64_t size;
	int rc = 0;
	strbuf_addf(&rel, "%s/%s.csv", source == RULE_FROM_POSTINGS ? "postings" : "exceptions",
		    recon);
	stage_out_path(r->ctx, rel.buf, &path);
	digest_update(d, rel.buf, rel.len + 1);
	if (digest_file(path.buf, hex, &size)) {
		if (errno != ENOENT) {
			log_error("unable to read %s: %s", path.buf, strerror(errno));
			r->exit = EXIT_INTERNAL;
			rc = -1;
		}
		goto out;
	}
	digest_update(d, hex, sizeof(hex));
	r->file = path.buf;
	r->recon = recon;
	r->source = source;
	rc = csvin_read(path.buf, &o, row_fn, r, NULL);
	if (rc && !r->exit)
		r->exit = EXIT_BADDATA;
	free_header(r);
out:
	strbuf_release(&rel);
	strbuf_release(&path);
	return rc ? -1 : 0;
}

static int cmp_event(const void *a, const void *b)
{
	return memcmp(a, b, 65);
}

/* A row given twice would post twice in one night: refuse the night. */
static int no_double_events(struct run *r)
{
	if (r->nevents > 1)
		qsort(r->events, r->nevents, sizeof(*r->events), cmp_event);
	for (size_t i = 1; i < r->nevents; i++)
		if (!memcmp(r->events[i - 1], r->events[i], 65)) {
			log_error("two exception rows are the same business event (%.16s): "
				  "nothing issued", r->events[i]);
			r->exit = EXIT_BADDATA;
			return -1;
		}
	return 0;
}

/* Every (recon, file) the rules name, once, in rule order; what was read into input. */
static int read_exceptions(struct run *r, char input[DIGEST_HEXSZ])
{
	struct digest_ctx *d = digest_new();
	char hex[DIGEST_HEXSZ];
	uint64_t size;
	int rc = 0;
	digest_update(d, r->ctx->conf.digest, sizeof(r->ctx->conf.digest));
	digest_update(d, r->rules.digest, sizeof(r->rules.digest));
	if (digest_file(r->accts.path, hex, &size) == 0)	/* loaded: it is there */
		digest_update(d, hex, sizeof(hex));
	for (int i = 0; i < r->rules.nrules && !rc; i++) {
		const struct voucher_rule *ri = &r->rules.rules[i];
		int seen = 0;
		for (int k = 0; k < i; k++)
			seen |= !strcmp(r->rules.rules[k].recon, ri->recon) &&
				r->rules.rules[k].from == ri->from;
		if (!seen)
			rc = read_recon(r, ri->recon, ri->from, d);
	}
	digest_finish(d, input);
	return rc ? -1 : no_double_events(r);
}

struct night_out {
	struct run *r;
	struct strbuf csv;
	struct voucher_xml { char id[UUID_SZ]; struct strbuf xml; } *xml;
	size_t n, reversals;
	money_t debit;
	int bad;
};

static int render_one(const struct voucher *v, void *data)
{
	struct night_out *no = data;
	struct voucher_xml *x;
	money_t d, c;
	no->xml = xrealloc(no->xml, (no->n + 1) * sizeof(*no->xml));
	x = &no->xml[no->n++];
	memcpy(x->id, v->id, UUID_SZ);
	strbuf_init(&x->xml);
	if (finansbilag_render(&no->r->fb, v, &x->xml))
		return no->bad = -1;
	voucher_balance(v, &d, &c);
	if (money_add(&no->debit, d)) {
		log_error("internal: the night's debit total overflows");
		return no->bad = -1;
	}
	no->reversals += v->reverses[0] != '\0';
	voucher_csv(v, &no->csv);
	return 0;
}

/* Every voucher of the night is rendered and valid before any is written. */
static int write_night(struct night_out *no, char output[DIGEST_HEXSZ])
{
	struct stage_ctx *ctx = no->r->ctx;
	struct digest_ctx *d = digest_new();
	struct strbuf path = STRBUF_INIT, rel = STRBUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < no->n && !rc; i++) {
		strbuf_reset(&rel);
		strbuf_addf(&rel, "vouchers/%s.xml", no->xml[i].id);
		stage_out_path(ctx, rel.buf, &path);
		rc = atomic_write(path.buf, no->xml[i].xml.buf, no->xml[i].xml.len, 0640);
		digest_update(d, no->xml[i].xml.buf, no->xml[i].xml.len);
	}
	stage_out_path(ctx, "vouchers/vouchers.csv", &path);
	if (!rc)
		rc = atomic_write(path.buf, no->csv.buf, no->csv.len, 0640);
	digest_update(d, no->csv.buf, no->csv.len);
	digest_finish(d, output);
	strbuf_release(&path);
	strbuf_release(&rel);
	return rc;
}

static void night_out_free(struct night_out *no)
{
	for (size_t i = 0; i < no->n; i++)
		strbuf_release(&no->xml[i].xml);
	free(no->xml);
	strbuf_release(&no->csv);
}

static int load(struct run *r)
{
	struct strbuf p = STRBUF_INIT;
	int rc = 0;
	conf_sibling(&r->ctx->conf, "vouchers.conf", &p);
	if (voucher_rules_load(p.buf, &r->rules))
		rc = EXIT_USAGE;
	conf_sibling(&r->ctx->conf, "accounts.conf", &p);
	if (!rc && (accounts_load(p.buf, &r->accts) ||
		    voucher_rules_check_roles(&r->rules, &r->accts)))
		rc = EXIT_USAGE;
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/sf1590a-finansbilag.xsd", r->ctx->conf.schemas);
	if (!rc && finansbilag_open(&r->fb, p.buf))
		rc = EXIT_USAGE;
	strbuf_release(&p);
	return rc;
}

static int finish(struct run *r, struct night_out *no, const char *input)
{
	struct ledger_entry e;
	char total[MONEY_BUFSZ];
	stage_ledger_entry(r->ctx, &e, "done", EXIT_DONE);
	xstrlcpy(e.input, input, sizeof(e.input));
	if (write_night(no, e.output))
		return EXIT_INTERNAL;
	e.rows_in = r->rows;
	e.rows_out = no->n;
	/* The note goes into the status file: the night's totals, not this run's. */
	snprintf(e.error, sizeof(e.error), "%zu vouchers (%zu reversals), debit total %s",
		 no->n, no->reversals, money_format(no->debit, total));
	if (ledger_put(&r->ctx->store, r->txn, r->ctx->opts.date, r->ctx->name, &e))
		return EXIT_INTERNAL;
	log_info("%s: %s; this run: %llu new, %llu changed, %llu already issued, "
		 "%llu left to a later night", r->ctx->opts.date, e.error,
		 (unsigned long long)r->fresh, (unsigned long long)r->changed,
		 (unsigned long long)r->known, (unsigned long long)r->later);
	return EXIT_DONE;
}

static int vouchers_night(struct stage_ctx *ctx)
{
	struct run r = { .ctx = ctx };
	struct night_out no = { .r = &r };
	char input[DIGEST_HEXSZ];
	int rc = load(&r);
	if (rc)
		goto out;
	strbuf_addstr(&no.csv, voucher_csv_header);
	rc = EXIT_INTERNAL;
	if (store_begin(&ctx->store, 0, &r.txn))
		goto out;
	if (read_exceptions(&r, input) ||
	    voucher_each_of_night(&ctx->store, r.txn, ctx->night, render_one, &no) || no.bad) {
		rc = r.exit ? r.exit : EXIT_INTERNAL;
		mdb_txn_abort(r.txn);
		goto out;
	}
	rc = finish(&r, &no, input);
	if (rc) {
		mdb_txn_abort(r.txn);
	} else if (store_commit(r.txn)) {
		rc = EXIT_INTERNAL;
	}
out:
	night_out_free(&no);
	finansbilag_close(&r.fb);
	accounts_free(&r.accts);
	voucher_rules_free(&r.rules);
	free(r.events);
	return rc;
}

/* --help (run/stage.h). */
const struct stage_help stage_help = {
	"Turns the night's exception rows into balanced GL posting vouchers\n"
	"(finansbilag) by conf/vouchers.conf, each business event once:\n"
	"OUT/DATE/vouchers/ID.xml and OUT/DATE/vouchers/vouchers.csv.\n",
	"Exit: 0 done, 64 usage or configuration (a rule gives an unbalanced voucher,\n"
	"      a role is missing), 65 an exception row it cannot use (nothing issued),\n"
	"      70 internal error, 75 locked.\n",
};

int main(int argc, char **argv)
{
	struct stage_ctx ctx;
	int rc;
	log_init("stage-vouchers");
	if ((rc = stage_init(&ctx, "vouchers", argc, argv, 0)))
		return rc;
	rc = vouchers_night(&ctx);
	return stage_end(&ctx, rc);
}
