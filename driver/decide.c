/* pipeline decide and pipeline exceptions (decide.h). */
#include "decide.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/cprkey.h"
#include "core/csvout.h"
#include "core/date.h"
#include "core/exitcode.h"
#include "core/log.h"
#include "ingest/csvin.h"
#include "ingest/csvtable.h"
#include "match/openexc.h"
#include "match/reconconf.h"
#include "store/decisions.h"
#include "store/ledger.h"
#include "store/store.h"
#include "run/conf.h"
#include "run/lock.h"
#include "core/banned.h"

struct dopts {
	const char *cmd;
	const char *id, *conf, *state, *out, *date, *as, *note, *by, *file, *recon;
	int wait, open, decided, show_cpr;
};

static void usage(const char *cmd, int code)
{
	FILE *f = code ? stderr : stdout;
	if (!strcmp(cmd, "decide"))
		fputs("usage: pipeline decide ID --as forklaret|accepteret|afskrevet|genaabnet\n"
		      "                       --note TEXT --by INITIALS [options]\n"
		      "       pipeline decide --file DECISIONS.csv [options]\n"
		      "Records a decision on an exception (a break) of the night: who, when (UTC),\n"
		      "why and the exception's amount. It applies to that night and every later\n"
		      "one (a rerun of the night shows it in the summary). forklaret, accepteret\n"
		      "and afskrevet count as explaining it; genaabnet opens it again; a decision\n"
		      "whose amount is not the night's is flagged beloeb-aendret and does not count.\n"
		      "--file: a CSV (';') with the columns id;decision;note;by (the file\n"
		      "`pipeline exceptions` prints, filled in): all rows or none.\n"
		      "Options:\n"
		      "  --date D        the night decided on (default: the latest night run)\n"
		      "  --conf FILE     pipeline.conf (default conf/pipeline.conf)\n"
		      "  --state DIR     the store (default: the conf's state)\n"
		      "  --out DIR       the nights' outputs (default: the conf's out)\n"
		      "  --wait          wait for a running night instead of exit 75\n"
		      "  --help          this text\n"
		      "Exit: 0 recorded, 64 usage, 65 the decisions file has errors (FILE:LINE:COLUMN;\n"
		      "  nothing recorded), 66 no night has run, 67 an unknown exception id\n"
		      "  (nothing recorded), 70 internal error, 75 a night is running.\n", f);
	else
		fputs("usage: pipeline exceptions [--open|--decided] [--recon R] [--date D]\n"
		      "                           [--show-cpr] [--conf FILE] [--state DIR] [--out DIR]\n"
		      "Lists the exceptions of the night (default: the latest) with the decision\n"
		      "that applies to each, as CSV (';', UTF-8 with BOM) on stdout; fill in its\n"
		      "decision;note;by columns and give it to `pipeline decide --file`. CPR\n"
		      "numbers are masked DDMMYY-xxxx unless --show-cpr. Reads only: no lock.\n"
		      "Options:\n"
		      "  --open          only the open ones, as the report counts them: no decision\n"
		      "                  (or genaabnet, beloeb-aendret), and the code neither explains\n"
		      "                  its row nor details another exception (state column)\n"
		      "  --decided       only the decided ones\n"
		      "  --recon R       only reconciliation R's\n"
		      "  --date D        the night (default: the latest night run)\n"
		      "  --show-cpr      CPR numbers in full (only on a terminal)\n"
		      "  --conf FILE     pipeline.conf (default conf/pipeline.conf)\n"
		      "  --state DIR     the store (default: the conf's state)\n"
		      "  --out DIR       the nights' outputs (default: the conf's out)\n"
		      "  --help          this text\n"
		      "Exit: 0 listed, 64 usage (also: no reconciliation R that night), 66 no night\n"
		      "  has run (or it wrote no exceptions), 70 internal error.\n", f);
}

static int parse(int argc, char **argv, struct dopts *o)
{
	static const struct option longopts[] = {
		{ "conf", required_argument, NULL, 'c' }, { "state", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' }, { "date", required_argument, NULL, 'd' },
		{ "as", required_argument, NULL, 'a' }, { "note", required_argument, NULL, 'n' },
		{ "by", required_argument, NULL, 'b' }, { "file", required_argument, NULL, 'f' },
		{ "recon", required_argument, NULL, 'r' }, { "wait", no_argument, NULL, 'w' },
		{ "open", no_argument, NULL, 'O' }, { "decided", no_argument, NULL, 'D' },
		{ "show-cpr", no_argument, NULL, 'S' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int decide = !strcmp(o->cmd, "decide"), ch, li = -1;
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, &li)) != -1) {
		int mine = 1;
		switch (ch) {
		case 'c': o->conf = optarg; break;
		case 's': o->state = optarg; break;
		case 'o': o->out = optarg; break;
		case 'd': o->date = optarg; break;
		case 'a': o->as = optarg; mine = decide; break;
		case 'n': o->note = optarg; mine = decide; break;
		case 'b': o->by = optarg; mine = decide; break;
		case 'f': o->file = optarg; mine = decide; break;
		case 'w': o->wait = 1; mine = decide; break;
		case 'r': o->recon = optarg; mine = !decide; break;
		case 'O': o->open = 1; mine = !decide; break;
		case 'D': o->decided = 1; mine = !decide; break;
		case 'S': o->show_cpr = 1; mine = !decide; break;
		case 'h': usage(o->cmd, 0); return -1;
		default:
			log_error("%s: unknown option or missing value: %s", o->cmd, argv[optind - 1]);
			usage(o->cmd, EXIT_USAGE);
			return EXIT_USAGE;
		}
		if (!mine) {
			log_error("%s takes no --%s", o->cmd, longopts[li].name);
			usage(o->cmd, EXIT_USAGE);
			return EXIT_USAGE;
		}
	}
	return 0;
}

struct setup {
	struct pipeline_conf conf;
	struct catalog cat;
	struct store st;
	int loaded_conf, loaded_cat;
};

static int setup_load(const struct dopts *o, struct setup *s)
{
	struct strbuf p = STRBUF_INIT;
	int rc;
	memset(s, 0, sizeof(*s));
	if (pipeline_conf_load(o->conf ? o->conf : "conf/pipeline.conf", &s->conf))
		return EXIT_USAGE;
	s->loaded_conf = 1;
	store_set_map_size(s->conf.store_map_size);
	if (o->state) {
		free(s->conf.state);
		s->conf.state = xstrdup(o->state);
	}
	if (o->out) {
		free(s->conf.out);
		s->conf.out = xstrdup(o->out);
	}
	strbuf_addf(&p, "%s/stores", s->conf.schemas);
	rc = catalog_load(p.buf, &s->cat);
	strbuf_release(&p);
	if (rc)
		return EXIT_USAGE;
	s->loaded_cat = 1;
	return 0;
}

static void setup_free(struct setup *s)
{
	store_close(&s->st);
	if (s->loaded_cat)
		catalog_free(&s->cat);
	if (s->loaded_conf)
		pipeline_conf_free(&s->conf);
}

static int latest(const char *night, const char *stage, const struct ledger_entry *e,
		  void *data)
{
	char *best = data;
	(void)stage;
	(void)e;
	if (strcmp(night, best) > 0)
		xstrlcpy(best, night, 11);
	return 0;
}

/* The night: --date, else the latest of the ledger. 0, or an exit code (reported). */
static int pick_night(const struct dopts *o, struct setup *s, MDB_txn *txn, char night[11],
		      int32_t *n)
{
	if (o->date) {
		if (day_parse_iso(o->date, n)) {
			log_error("%s: --date '%s' is not a YYYY-MM-DD date", o->cmd, o->date);
			return EXIT_USAGE;
		}
		xstrlcpy(night, o->date, 11);
		return 0;
	}
	night[0] = '\0';
	if (ledger_each(&s->st, txn, NULL, latest, night))
		return EXIT_INTERNAL;
	if (!night[0] || day_parse_iso(night, n)) {
		log_error("%s: %s: no night has run with this state directory", o->cmd,
			  s->conf.state);
		return EXIT_NOINPUT;
	}
	return 0;
}

/* ---- the night's exceptions: OUT/D/exceptions/RECON.csv ---- */

struct nightexc {
	struct csvtable *t;	/* one per file, in file name order */
	char **recon;		/* each table's reconciliation (its file name) */
	size_t nt;
};

static int csv_name(const char *name)
{
	size_t n = strlen(name);
	return name[0] != '.' && n > 4 && !strcmp(name + n - 4, ".csv") && !strstr(name, ".tmp.");
}

/* 0; EXIT_NOINPUT (reported) when the night wrote no exceptions/; EXIT_INTERNAL. */
static int read_night(const struct dopts *o, const struct setup *s, const char *night,
		      struct nightexc *x)
{
	struct strbuf dir = STRBUF_INIT, p = STRBUF_INIT;
	struct dirent **names;
	int n, rc = 0;
	memset(x, 0, sizeof(*x));
	strbuf_addf(&dir, "%s/%s/exceptions", s->conf.out, night);
	if ((n = scandir(dir.buf, &names, NULL, alphasort)) < 0) {
		if (errno == ENOENT)
			log_error("%s: night %s wrote no exceptions (no %s): run it first, or "
				  "give --date and --out", o->cmd, night, dir.buf);
		else
			log_error("unable to read %s: %s", dir.buf, strerror(errno));
		strbuf_release(&dir);
		return errno == ENOENT ? EXIT_NOINPUT : EXIT_INTERNAL;
	}
	x->t = xcalloc((size_t)n + 1, sizeof(*x->t));
	x->recon = xcalloc((size_t)n + 1, sizeof(*x->recon));
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		if (!rc && csv_name(name)) {
			strbuf_reset(&p);
			strbuf_addf(&p, "%s/%s", dir.buf, name);
			if (csvtable_read(p.buf, NULL, &x->t[x->nt])) {
				rc = EXIT_INTERNAL;
			} else if (csvtable_col(&x->t[x->nt], "id") < 0 ||
				   csvtable_col(&x->t[x->nt], "amount") < 0) {
				log_error("%s: no id and amount columns", p.buf);
				csvtable_free(&x->t[x->nt]);
				rc = EXIT_INTERNAL;
			} else {
				x->recon[x->nt++] = xstrndup(name, strlen(name) - 4);
			}
		}
		free(names[i]);
	}
	free(names);
	strbuf_release(&dir);
	strbuf_release(&p);
	return rc;
}

static void night_free(struct nightexc *x)
{
	for (size_t i = 0; i < x->nt; i++) {
		csvtable_free(&x->t[i]);
		free(x->recon[i]);
	}
	free(x->t);
	free(x->recon);
}

/* Where id stands among the night's exceptions: 0 (*ti, *row), or -1. */
static int night_find(const struct nightexc *x, const char *id, size_t *ti, size_t *row)
{
	for (size_t i = 0; i < x->nt; i++) {
		int c = csvtable_col(&x->t[i], "id");
		for (size_t r = 0; r < x->t[i].nrows; r++)
			if (!strcmp(csvtable_get(&x->t[i], r, c), id)) {
				*ti = i;
				*row = r;
				return 0;
			}
	}
	return -1;
}

static int cell_money(const struct csvtable *t, size_t row, money_t *v)
{
	const char *a = csvtable_get(t, row, csvtable_col(t, "amount")), *why;
	return money_parse(a, strlen(a), 0, v, &why);
}

/* ---- decide ---- */

struct request {
	struct decision d;
	const char *file;	/* NULL: the command line */
	unsigned long line;
	unsigned col_id;
	size_t ti, row;		/* where it stands in the night */
	int bad;		/* its row has a format error (reported): its id is still
				 * checked, so one pass names every error, nothing recorded */
};

const char *decide_initials_bad(const char *by)
{
	static const char why[] = "initials are 2 to 8 letters (A-Z, or such as Æ, Ø, Å), "
				  "no digits, blanks or signs";
	const unsigned char *p = (const unsigned char *)by;
	size_t n = 0;
	while (*p) {
		unsigned cp;
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) {
			cp = *p++;
		} else if (*p >= 0xc3 && *p <= 0xc9 && (p[1] & 0xc0) == 0x80) {
			cp = ((unsigned)(*p & 0x1f) << 6) | (p[1] & 0x3f);	/* U+00C0..U+027F */
			p += 2;
			if (cp > 0x24f || cp == 0xd7 || cp == 0xf7)
				return why;
		} else {
			return why;
		}
		if (++n > 8)
			return why;
	}
	return n < 2 ? why : NULL;
}

/* Checks one request's words; 0, or 1 reported (at file:line:col when from a file). */
static int check_words(const char *file, unsigned long line, const unsigned col[4],
		       const char *id, const char *word, const char *note, const char *by)
{
	const char *why;
	int bad = 0;
#define BAD(k, ...) do { \
		if (file) log_input(file, line, col[k], __VA_ARGS__); \
		else log_error(__VA_ARGS__); \
		bad = 1; \
	} while (0)
	if (!decision_id_ok(id))
		BAD(0, "'%s' is not an exception id (16 lowercase hex digits, the id column "
		    "of exceptions/)", id);
	if (!decision_word_ok(word))
		BAD(1, "decision '%s' is not one of " DECISION_WORDS, word);
	if ((why = decision_note_bad(note)))
		BAD(2, "%s", why);
	if ((why = decide_initials_bad(by)))
		BAD(3, "%s", why);
#undef BAD
	return bad;
}

static void request_fill(struct request *q, const char *id, const char *word, const char *note,
			 const char *by, int32_t night, const char *at)
{
	decision_init(&q->d);
	xstrlcpy(q->d.id, id, sizeof(q->d.id));
	xstrlcpy(q->d.decision, word, sizeof(q->d.decision));
	xstrlcpy(q->d.by, by, sizeof(q->d.by));
	xstrlcpy(q->d.at, at, sizeof(q->d.at));
	strbuf_addstr(&q->d.note, note);
	q->d.night = night;
}

static int file_row(const struct csv_row *row, void *data)
{
	struct csvtable *t = data;
	size_t n = t->header ? t->ncols : row->nfields;
	char **v = xcalloc(n ? n : 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = xstrdup(i < row->nfields ? row->fields[i].ptr : "");
	if (!t->header) {
		t->ncols = n;
		t->header = v;
		return 0;
	}
	t->rows = xrealloc(t->rows, (t->nrows + 1) * sizeof(*t->rows));
	t->lines = xrealloc(t->lines, (t->nrows + 1) * sizeof(*t->lines));
	t->rows[t->nrows] = v;
	t->lines[t->nrows++] = row->line;
	return 0;
}

static int file_restart(void *data)
{
	csvtable_free(data);
	return 0;
}

/*
 * A clerk's file: UTF-8, or Windows-1252 as Excel saves it (csvin's
 * CSVIN_AUTO); a row that cannot be split is reported FILE:LINE.
 */
static int read_clerk_file(const char *path, struct csvtable *t)
{
	struct csvin_opts co = { .delimiter = ';', .encoding = CSVIN_AUTO,
				 .restart = file_restart };
	FILE *f;
	int rc;
	memset(t, 0, sizeof(*t));
	/* opened here so a missing file is named FILE: as every other error */
	if (!(f = fopen(path, "rb"))) {
		log_error("%s: %s (the decisions file given with --file)", path, strerror(errno));
		return -1;
	}
	rc = csvin_read_fp(f, path, &co, file_row, t, NULL);
	fclose(f);
	if (rc) {
		csvtable_free(t);
		return -1;
	}
	return 0;
}

/* The rows of a decisions file as requests. 0, or EXIT_BADDATA (each error
 * reported; *out still holds the rows whose id is well-formed, bad set on
 * those with an error, so resolve() names unknown ids in the same pass). */
static int read_file(const char *path, int32_t night, const char *at, struct request **out,
		     size_t *n)
{
	static const char *const cols[4] = { "id", "decision", "note", "by" };
	struct csvtable t;
	int c[4], bad = 0;
	unsigned col[4];
	size_t alloc = 0;
	*out = NULL;
	*n = 0;
	if (read_clerk_file(path, &t))
		return EXIT_BADDATA;
	for (int k = 0; k < 4; k++) {
		c[k] = csvtable_col(&t, cols[k]);
		col[k] = (unsigned)c[k] + 1;
		if (c[k] < 0) {
			log_input(path, 1, 1, "no column '%s' in the "
				  "header (a decisions file has id;decision;note;by)", cols[k]);
			bad = 1;
		}
	}
	for (size_t r = 0; r < t.nrows && !(bad && c[0] < 0); r++) {
		const char *id = csvtable_get(&t, r, c[0]), *word = csvtable_get(&t, r, c[1]);
		const char *note = csvtable_get(&t, r, c[2]), *by = csvtable_get(&t, r, c[3]);
		struct request *q;
		int row_bad = 0;
		if (c[1] < 0 || c[2] < 0 || c[3] < 0)
			break;
		if (!*word && !*note && !*by)
			continue;	/* left alone by the clerk */
		if (!*word) {
			log_input(path, t.lines[r], col[1], "a note or initials but no decision "
				  "(" DECISION_WORDS ")");
			row_bad = 1;
		} else if (check_words(path, t.lines[r], col, id, word, note, by)) {
			row_bad = 1;
		}
		bad |= row_bad;
		if (row_bad && !decision_id_ok(id))
			continue;	/* nothing more to check on it */
		for (size_t j = 0; j < *n; j++)
			if (!strcmp((*out)[j].d.id, id)) {
				log_input(path, t.lines[r], col[0], "%s is decided on line %lu too: "
					  "one decision per exception in a file", id, (*out)[j].line);
				bad = 1;
			}
		*out = xgrow(*out, &alloc, *n + 1, sizeof(**out));
		q = &(*out)[(*n)++];
		memset(q, 0, sizeof(*q));
		request_fill(q, id, word, note, by, night, at);
		q->file = path;
		q->line = t.lines[r];
		q->col_id = col[0];
		q->bad = row_bad;
	}
	csvtable_free(&t);
	return bad ? EXIT_BADDATA : 0;
}

/*
 * Each request's id known to the store and among the night's exceptions;
 * its amount. 0, or EXIT_UNKNOWN (each reported), EXIT_INTERNAL.
 */
static int resolve(struct setup *s, MDB_txn *txn, const struct nightexc *x, const char *night,
		   struct request *q, size_t n)
{
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		MDB_val k = { 16, q[i].d.id }, v;
		int rc = mdb_get(txn, s->st.breaks, &k, &v);
		struct strbuf m = STRBUF_INIT;
		if (rc && rc != MDB_NOTFOUND)
			return store_fail("breaks", rc), EXIT_INTERNAL;
		if (rc == MDB_NOTFOUND)
			strbuf_addf(&m, "unknown exception id %s: no night of this store has shown it",
				    q[i].d.id);
		else if (night_find(x, q[i].d.id, &q[i].ti, &q[i].row))
			strbuf_addf(&m, "exception %s is not among night %s's exceptions (it "
				    "closed, or another night: --date)", q[i].d.id, night);
		else if (cell_money(&x->t[q[i].ti], q[i].row, &q[i].d.amount))
			return log_error("%s: %s: its amount is not an amount", x->recon[q[i].ti],
					 q[i].d.id), EXIT_INTERNAL;
		if (!m.len)
			continue;
		bad = 1;
		if (q[i].file)
			log_input(q[i].file, q[i].line, q[i].col_id, "%s", m.buf);
		else
			log_error("decide: %s", m.buf);
		strbuf_release(&m);
	}
	return bad ? EXIT_UNKNOWN : 0;
}

static int store_exists(const char *state)
{
	struct strbuf p = STRBUF_INIT;
	struct stat sb;
	int rc;
	strbuf_addf(&p, "%s/store/data.mdb", state);
	rc = stat(p.buf, &sb) == 0;
	strbuf_release(&p);
	return rc;
}

/* The stage that writes recon's exceptions, for the hint: its 'stage' in
 * reconciliations.conf (default match-RECON) when pipeline.conf runs it. */
static const char *stage_of(const struct pipeline_conf *c, const struct recon_conf *roles,
			    const char *recon, struct strbuf *sb)
{
	const struct recon_def *d = reconconf_find(roles, recon);
	strbuf_reset(sb);
	if (d)
		recon_stage(d, sb);
	else
		strbuf_addf(sb, "match-%s", recon);
	for (int i = 0; i < c->nstages; i++)
		if (!strcmp(c->stages[i].name, sb->buf))
			return sb->buf;
	return NULL;
}

/* " NAME VALUE" for an option the user gave, quoted for a shell when needed,
 * so the rerun the hint names works as printed. */
static void hint_option(struct strbuf *h, const char *name, const char *v)
{
	if (!v)
		return;
	strbuf_addf(h, " %s ", name);
	if (*v && strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789_./-+,:@=") == strlen(v)) {
		strbuf_addstr(h, v);
		return;
	}
	strbuf_addch(h, '\'');
	for (; *v; v++)
		if (*v == '\'')
			strbuf_addstr(h, "'\\''");
		else
			strbuf_addch(h, *v);
	strbuf_addch(h, '\'');
}

static int decide(const struct dopts *o, struct setup *s)
{
	struct request *q = NULL;
	struct nightexc x = { NULL, NULL, 0 };
	struct strbuf sb = STRBUF_INIT, hint = STRBUF_INIT;
	struct recon_conf roles;
	char night[11], at[32];
	int32_t nightn;
	size_t n = 0;
	MDB_txn *txn = NULL;
	MDB_dbi dbi;
	int rc, lk;

	/* which stage writes each reconciliation, for the hint */
	conf_sibling(&s->conf, "reconciliations.conf", &sb);
	rc = reconconf_load(sb.buf, &roles);
	if (rc)
		return EXIT_USAGE;
	hint_option(&hint, "--conf", o->conf);
	hint_option(&hint, "--state", o->state);
	hint_option(&hint, "--out", o->out);
	if (!store_exists(s->conf.state)) {
		log_error("decide: %s: no night has run with this state directory: nothing to "
			  "decide on", s->conf.state);
		rc = EXIT_NOINPUT;
		goto out;
	}
	lk = lock_state(s->conf.state, o->wait);
	if (lk) {
		if (lk == 1)
			log_error("decide: a night is running on %s: nothing recorded; decide "
				  "again when it has finished (or give --wait)", s->conf.state);
		rc = lk == 1 ? EXIT_LOCKED : lk == 2 ? EXIT_USAGE : EXIT_INTERNAL;
		goto out;
	}
	if (store_open(&s->st, s->conf.state, &s->cat) || store_begin(&s->st, 0, &txn)) {
		rc = EXIT_INTERNAL;
		goto out;
	}
	ledger_now(at);
	if ((rc = pick_night(o, s, txn, night, &nightn)))
		goto out;
	if ((rc = read_night(o, s, night, &x)))
		goto out;
	if (o->file) {
		rc = read_file(o->file, nightn, at, &q, &n);
	} else {
		static const unsigned col[4] = { 0, 0, 0, 0 };
		q = xcalloc(1, sizeof(*q));
		if (check_words(NULL, 0, col, o->id, o->as, o->note, o->by))
			rc = EXIT_USAGE;
		request_fill(q, o->id, o->as, o->note, o->by, nightn, at);
		n = 1;
	}
	if (!rc && !n)
		printf("decide: %s: no decision filled in (the decision column is empty): "
		       "nothing to record\n", o->file);
	/* every row's error in one pass: unknown ids too when a row has a format
	 * error; 65 wins over 67 (README "Commands") */
	if (!rc || (rc == EXIT_BADDATA && o->file)) {
		int r2 = resolve(s, txn, &x, night, q, n);
		if (!rc || r2 == EXIT_INTERNAL)
			rc = r2;
	}
	if (!rc && decisions_open(txn, 1, &dbi))
		rc = EXIT_INTERNAL;
	for (size_t i = 0; i < n && !rc; i++)
		if (decisions_put(txn, dbi, &q[i].d))
			rc = EXIT_INTERNAL;
	if (!rc) {
		rc = store_commit(txn) ? EXIT_INTERNAL : 0;
		txn = NULL;
	}
	if (rc && (o->file || rc != EXIT_USAGE))
		log_error("decide: nothing recorded");
	for (size_t i = 0; i < n && !rc; i++) {
		const struct csvtable *t = &x.t[q[i].ti];
		const char *stage = stage_of(&s->conf, &roles, x.recon[q[i].ti], &sb);
		struct strbuf line = STRBUF_INIT;
		char amt[MONEY_BUFSZ];
		const char *cpr = csvtable_get(t, q[i].row, csvtable_col(t, "cpr"));
		strbuf_addf(&line, "%s %s %s %s %s%s%s: %s by %s at %s (amount %s); applies "
			    "from night %s on", q[i].d.id, x.recon[q[i].ti],
			    csvtable_get(t, q[i].row, csvtable_col(t, "se")),
			    csvtable_get(t, q[i].row, csvtable_col(t, "month")),
			    csvtable_get(t, q[i].row, csvtable_col(t, "key")), *cpr ? " " : "", cpr,
			    q[i].d.decision, q[i].d.by, q[i].d.at, money_format(q[i].d.amount, amt),
			    night);
		printf("decided ");
		{
			struct strbuf m = STRBUF_INIT;
			cpr_mask_text(line.buf, line.len, &m);
			fputs(m.buf, stdout);
			strbuf_release(&m);
		}
		if (stage)
			printf("; its summary shows it after: pipeline rerun %s --date %s%s\n", stage,
			       night, strbuf_str(&hint));
		else
			printf("; its summary shows it when the night's matching runs again\n");
		strbuf_release(&line);
	}
out:
	if (txn)
		mdb_txn_abort(txn);
	for (size_t i = 0; i < n; i++)
		decision_release(&q[i].d);
	free(q);
	night_free(&x);
	strbuf_release(&sb);
	strbuf_release(&hint);
	reconconf_free(&roles);
	return rc;
}

/* ---- exceptions ---- */

/* A cell masked (CPR-shaped runs DDMMYY-xxxx) unless full (--show-cpr on a terminal). */
static void cell(struct strbuf *out, int full, const char *v, int last)
{
	struct strbuf m = STRBUF_INIT;
	if (full) {
		csvout_str(out, v, last);
		return;
	}
	cpr_mask_text(v, strlen(v), &m);
	csvout_str(out, strbuf_str(&m), last);
	strbuf_release(&m);
}

static int list(const struct dopts *o, struct setup *s)
{
	static const char *const from[] = { "id", "recon", "se", "month", "key", "cpr", "amount",
					    "reason", "first_seen", "age_days" };
	struct nightexc x = { NULL, NULL, 0 };
	struct strbuf out = STRBUF_INIT, cpath = STRBUF_INIT;
	struct recon_conf roles;
	struct decision d;
	char night[11];
	int32_t nightn;
	MDB_txn *txn = NULL;
	MDB_dbi dbi;
	int rc, have_db = 0, seen = 0, full;

	decision_init(&d);
	/* which codes explain their row or are a detail of another: match/openexc.h */
	conf_sibling(&s->conf, "reconciliations.conf", &cpath);
	rc = reconconf_load(cpath.buf, &roles);
	strbuf_release(&cpath);
	if (rc)
		return EXIT_USAGE;
	/* as archive search: CPR numbers in full only onto a terminal */
	full = cpr_show_full(o->show_cpr);
	rc = store_open_readonly(&s->st, s->conf.state, &s->cat);
	if (rc == 1) {
		log_error("exceptions: %s: no night has run with this state directory",
			  s->conf.state);
		reconconf_free(&roles);
		return EXIT_NOINPUT;
	}
	if (rc || store_begin(&s->st, MDB_RDONLY, &txn)) {
		reconconf_free(&roles);
		return EXIT_INTERNAL;
	}
	if ((rc = pick_night(o, s, txn, night, &nightn)) || (rc = read_night(o, s, night, &x)))
		goto out;
	if ((rc = decisions_open(txn, 0, &dbi)) < 0) {
		rc = EXIT_INTERNAL;
		goto out;
	}
	have_db = rc == 0;
	rc = 0;
	strbuf_addstr(&out, CSV_BOM "id;recon;se;month;key;cpr;amount;reason;first_seen;"
		      "age_days;state;decided;decided_by;decided_at;decided_note;decided_amount;"
		      "review;decision;note;by\n");
	for (size_t i = 0; i < x.nt && !rc; i++) {
		const struct csvtable *t = &x.t[i];
		unsigned char *decided, *state;
		unsigned long nopen;
		money_t open_amount;
		if (o->recon && strcmp(o->recon, x.recon[i]))
			continue;
		seen = 1;
		decided = xcalloc(t->nrows + 1, 1);
		state = xcalloc(t->nrows + 1, 1);
		/* first the decisions that stand (the amount still the one decided) */
		for (size_t r = 0; r < t->nrows && !rc; r++) {
			const char *id = csvtable_get(t, r, csvtable_col(t, "id"));
			money_t amount;
			int f;
			if (cell_money(t, r, &amount)) {
				log_error("exceptions: %s: %s: its amount is not an amount", x.recon[i], id);
				rc = EXIT_INTERNAL;
				break;
			}
			if (!have_db)
				continue;
			if ((f = decisions_effective(txn, dbi, id, nightn, &d)) < 0) {
				rc = EXIT_INTERNAL;
				break;
			}
			decided[r] = f == 0 && decision_explains(d.decision) && d.amount == amount;
		}
		/* then the one rule of what is open, as the report counts it */
		if (!rc && exc_states(reconconf_find(&roles, x.recon[i]), t, decided, x.recon[i],
				      state, &nopen, &open_amount))
			rc = EXIT_INTERNAL;
		for (size_t r = 0; r < t->nrows && !rc; r++) {
			const char *id = csvtable_get(t, r, csvtable_col(t, "id"));
			money_t amount;
			int found = 0, changed = 0;
			char a[MONEY_BUFSZ];
			(void)cell_money(t, r, &amount);
			if (have_db) {
				int f = decisions_effective(txn, dbi, id, nightn, &d);
				if (f < 0) {
					rc = EXIT_INTERNAL;
					break;
				}
				found = f == 0;
			}
			changed = found && d.amount != amount;
			if ((o->open && state[r] != EXC_OPEN) || (o->decided && state[r] != EXC_DECIDED))
				continue;
			for (size_t k = 0; k < sizeof(from) / sizeof(*from); k++)
				cell(&out, full, csvtable_get(t, r, csvtable_col(t, from[k])), 0);
			csvout_str(&out, exc_state_word(state[r]), 0);
			csvout_str(&out, found ? d.decision : "", 0);
			csvout_str(&out, found ? d.by : "", 0);
			csvout_str(&out, found ? d.at : "", 0);
			cell(&out, full, found ? strbuf_str(&d.note) : "", 0);
			csvout_str(&out, found ? money_format(d.amount, a) : "", 0);
			csvout_str(&out, changed ? "beloeb-aendret" : "", 0);
			csvout_str(&out, "", 0);
			csvout_str(&out, "", 0);
			csvout_str(&out, "", 1);
		}
		free(decided);
		free(state);
	}
	if (!rc && o->recon && !seen) {
		log_error("exceptions: night %s has no reconciliation '%s' (no %s/%s/exceptions/%s.csv)",
			  night, o->recon, s->conf.out, night, o->recon);
		rc = EXIT_USAGE;
	}
	if (!rc && (fwrite(out.buf, 1, out.len, stdout) != out.len || fflush(stdout))) {
		log_error("exceptions: unable to write: %s", strerror(errno));
		rc = EXIT_INTERNAL;
	}
out:
	if (txn)
		mdb_txn_abort(txn);
	decision_release(&d);
	night_free(&x);
	strbuf_release(&out);
	reconconf_free(&roles);
	return rc;
}

static int command(int argc, char **argv, int is_decide)
{
	struct dopts o;
	struct setup s;
	int rc;
	memset(&o, 0, sizeof(o));
	memset(&s, 0, sizeof(s));
	o.cmd = argv[0];
	if ((rc = parse(argc, argv, &o)))
		return rc < 0 ? EXIT_DONE : rc;
	if (is_decide && !o.file && optind < argc)
		o.id = argv[optind++];
	if (optind < argc) {
		log_error("%s: unexpected argument '%s'", o.cmd, argv[optind]);
		usage(o.cmd, EXIT_USAGE);
		return EXIT_USAGE;
	}
	if (is_decide && o.file && (o.as || o.note || o.by)) {
		log_error("decide: --file takes the decisions from the file: no --as, --note or --by");
		return EXIT_USAGE;
	}
	if (is_decide && !o.file && (!o.id || !o.as || !o.note || !o.by)) {
		log_error("decide: needs an exception ID, --as WORD, --note TEXT and --by INITIALS "
			  "(or --file)");
		usage(o.cmd, EXIT_USAGE);
		return EXIT_USAGE;
	}
	if (!is_decide && o.open && o.decided) {
		log_error("exceptions: --open or --decided, not both");
		return EXIT_USAGE;
	}
	if (!(rc = setup_load(&o, &s)))
		rc = is_decide ? decide(&o, &s) : list(&o, &s);
	setup_free(&s);
	return rc;
}

int cmd_decide(int argc, char **argv)
{
	return command(argc, argv, 1);
}

int cmd_exceptions(int argc, char **argv)
{
	return command(argc, argv, 0);
}
