/*
 * The auditors' commands, bin/pipeline archive ... (format: archive/sealed.h):
 *   list    [--from D] [--to D] [--revisions]
 *                                           nights (or every revision, with
 *                                           when and why it was sealed)
 *   show    DATE|DATE.rN                    seal records and manifest
 *   verify  [--from D] [--to D] [--anchor SEAL]
 *                                           exit 0 every link holds, 1 the
 *                                           first broken link is named; SEAL
 *                                           may be its first 16 hex or more
 *   extract DATE|DATE.rN|FROM..TO [--recon R] --to DIR
 *                                           checked copies under DIR/BASE/
 *   search  (--se SE | --cpr CPR) [--from D] [--to D] [--show-cpr]
 *                                           exception rows with their night
 * Common: [--conf FILE] [--state DIR] [--archive DIR]. A CPR is printed in
 * full only with --show-cpr and when stdout is a terminal; never logged.
 * Exit: 0, 1 verify failed or a damaged night skipped, 2 no such night,
 * revision or reconciliation in the archive, 64 usage, 70 internal.
 */
#include "archive.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomicfile.h"
#include "core/cprkey.h"
#include "core/csvout.h"
#include "core/date.h"
#include "core/exitcode.h"
#include "core/ident.h"
#include "core/log.h"
#include "ingest/csvtable.h"
#include "archive/archiveconf.h"
#include "archive/sealed.h"
#include "sealverify.h"
#include "core/banned.h"

/* Nothing of what was asked is in the archive (a night, a revision, a
 * reconciliation): not a damaged archive (1), not a usage error (64). */
enum { EXIT_NOT_FOUND = 2 };

struct aopts {
	const char *conf, *dir, *to, *recon, *se, *cpr, *anchor, *state;
	int32_t from_day, to_day;
	int show_cpr, conf_given, revisions;
	const char *arg;		/* DATE or FROM..TO */
	struct archive_conf ac;
};

static void archive_usage(int code)
{
	fputs("usage: pipeline archive list    [--from D] [--to D] [--revisions]\n"
	      "       pipeline archive show    DATE|DATE.rN\n"
	      "       pipeline archive verify  [--from D] [--to D] [--anchor SEAL]\n"
	      "       pipeline archive extract DATE|DATE.rN|FROM..TO [--recon R] --to DIR\n"
	      "       pipeline archive search  (--se SE | --cpr CPR) [--from D] [--to D] "
	      "[--show-cpr]\n"
	      "The sealed archive of the nights, for auditors. Where it is: --archive DIR,\n"
	      "else PIPELINE_ARCHIVE_DIR, else archive.conf's dir, else STATE/archive of\n"
	      "--state DIR or the conf's state.\n"
	      "Options:\n"
	      "  --conf FILE     pipeline.conf (default conf/pipeline.conf)\n"
	      "  --state DIR     the state whose archive it is (STATE/archive)\n"
	      "  --archive DIR   the archive directory itself (a copy needs no conf)\n"
	      "  --from D, --to D  nights from, to (YYYY-MM-DD; extract: --to DIR)\n"
	      "  --revisions     list every revision (DATE.r2 ...) with when and why\n"
	      "                  it was sealed, not only each night's newest\n"
	      "  --anchor SEAL   a seal kept elsewhere (64 hex, or its first 16 or more)\n"
	      "                  that the chain must still hold\n"
	      "  --recon R       extract only R's summary, exceptions and decisions\n"
	      "  --se SE, --cpr CPR  search exception rows by SE or CPR number\n"
	      "  --show-cpr      print CPR numbers in full (only on a terminal)\n"
	      "  --help          this text\n"
	      "Exit: 0 done / verified, 1 a broken link or damaged night (named),\n"
	      "      2 no such night, revision or reconciliation in the archive,\n"
	      "      64 usage, 70 internal error.\n", code ? stderr : stdout);
}

static int parse_day(const char *s, int32_t *d)
{
	if (day_parse_iso(s, d)) {
		log_error("'%s' is not a date YYYY-MM-DD", s);
		return -1;
	}
	return 0;
}

static int parse_opts(int argc, char **argv, struct aopts *o)
{
	static const struct option longopts[] = {
		{ "conf", required_argument, NULL, 'c' }, { "archive", required_argument, NULL, 'a' },
		{ "from", required_argument, NULL, 'f' }, { "to", required_argument, NULL, 't' },
		{ "recon", required_argument, NULL, 'r' }, { "se", required_argument, NULL, 's' },
		{ "cpr", required_argument, NULL, 'p' }, { "anchor", required_argument, NULL, 'A' },
		{ "show-cpr", no_argument, NULL, 'S' }, { "help", no_argument, NULL, 'h' },
		{ "state", required_argument, NULL, 'T' },
		{ "revisions", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	const char *from = NULL;
	int ch;
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o->conf = optarg, o->conf_given = 1; break;
		case 'a': o->dir = optarg; break;
		case 'f': from = optarg; break;
		case 't': o->to = optarg; break;
		case 'r': o->recon = optarg; break;
		case 's': o->se = optarg; break;
		case 'p': o->cpr = optarg; break;
		case 'A': o->anchor = optarg; break;
		case 'S': o->show_cpr = 1; break;
		case 'T': o->state = optarg; break;
		case 'R': o->revisions = 1; break;
		case 'h': archive_usage(0); exit(EXIT_DONE);
		default:
			log_error("unknown option '%s'", argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc)
		o->arg = argv[optind++];
	if (optind < argc) {
		log_error("unexpected argument '%s'", argv[optind]);
		return -1;
	}
	o->from_day = 0;
	o->to_day = 99991231;
	return from && parse_day(from, &o->from_day) ? -1 : 0;
}

/* --to is a date except for extract, where it names the directory. */
static int date_range(struct aopts *o, int to_is_date)
{
	return to_is_date && o->to ? parse_day(o->to, &o->to_day) : 0;
}

static int load_archive_conf(struct aopts *o)
{
	struct pipeline_conf c;
	int rc;
	/* An auditor with a copy of the archive has no conf: --archive is enough. */
	if (o->dir && !o->conf_given && access(o->conf, F_OK)) {
		o->ac.dir = xstrdup(o->dir);
		return 0;
	}
	if (pipeline_conf_load(o->conf, &c))
		return -1;
	if (o->state) {
		free(c.state);
		c.state = xstrdup(o->state);
	}
	rc = archive_conf_load(&c, &o->ac);
	pipeline_conf_free(&c);
	if (!rc && o->dir) {
		free(o->ac.dir);
		o->ac.dir = xstrdup(o->dir);
	}
	return rc;
}

static int in_range(const struct aopts *o, const char *night)
{
	int32_t d;
	return day_parse_iso(night, &d) == 0 && d >= o->from_day && d <= o->to_day;
}

/* The newest record of each night, in night order: idx into ch->v. */
static size_t latest_nights(const struct chain *ch, size_t *idx)
{
	size_t n = 0;
	for (size_t i = 0; i < ch->n; i++) {
		if (chain_latest(ch, ch->v[i].night) != &ch->v[i])
			continue;
		size_t k = n++;
		while (k > 0 && strcmp(ch->v[idx[k - 1]].night, ch->v[i].night) > 0) {
			idx[k] = idx[k - 1];
			k--;
		}
		idx[k] = i;
	}
	return n;
}

/* Whether a night without a readable manifest was retired by retention
 * (before the sealed cutoff) rather than damaged. */
static int retired(const struct seal_rec *r, int32_t cutoff)
{
	int32_t d;
	return day_parse_iso(r->night, &d) == 0 && d < cutoff;
}

static void list_night(const struct aopts *o, const struct seal_rec *r, int32_t cutoff)
{
	struct strbuf p = STRBUF_INIT;
	struct manifest m;
	unsigned long long exc = 0;
	archive_path(o->ac.dir, r->base, ".manifest", &p);
	if (access(p.buf, F_OK) || manifest_load(p.buf, &m)) {
		printf("%-10s  %-16s %8s %10s %7s  %.16s\n", r->night, r->base, "-",
		       retired(r, cutoff) ? "retired" : "damaged", "-", r->seal);
		strbuf_release(&p);
		return;
	}
	for (size_t i = 0; i < m.nmembers; i++)
		if (!strncmp(m.members[i].path, "exceptions/", 11))
			exc += m.members[i].rows;
	printf("%-10s  %-16s %8zu %10llu %7zu  %.16s\n", r->night, r->base, m.nmembers, exc,
	       m.ninputs, r->seal);
	manifest_free(&m);
	strbuf_release(&p);
}

/* When (BASE.sealed) and why (its manifest) a revision was sealed; "-"
 * and a note for one sealed before they were kept, or not there. */
static void sealed_why(const struct aopts *o, const struct seal_rec *r, int32_t cutoff,
		       char when[24], struct strbuf *why)
{
	struct strbuf p = STRBUF_INIT;
	struct manifest m;
	strbuf_reset(why);
	if (sealed_when(o->ac.dir, r->base, when))
		xstrlcpy(when, "-", 24);
	archive_path(o->ac.dir, r->base, ".manifest", &p);
	if (access(p.buf, F_OK) || manifest_load(p.buf, &m)) {
		strbuf_addstr(why, retired(r, cutoff) ? "(files retired by retention)" :
			      "(files missing or damaged: run 'archive verify')");
	} else {
		strbuf_addstr(why, m.why ? m.why : "(not recorded: sealed before the "
			      "archive kept why)");
		manifest_free(&m);
	}
	strbuf_release(&p);
}

static int by_night_seq(const void *a, const void *b)
{
	const struct seal_rec *x = *(const struct seal_rec *const *)a,
			      *y = *(const struct seal_rec *const *)b;
	int c = strcmp(x->night, y->night);
	return c ? c : x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Every revision, by night and then in the order sealed. */
static int list_revisions(struct aopts *o, const struct chain *ch, int32_t cutoff)
{
	const struct seal_rec **v = xcalloc(ch->n + 1, sizeof(*v));
	struct strbuf why = STRBUF_INIT;
	char when[24];
	size_t n = 0;
	for (size_t i = 0; i < ch->n; i++)
		if (in_range(o, ch->v[i].night))
			v[n++] = &ch->v[i];
	qsort(v, n, sizeof(*v), by_night_seq);
	printf("%-10s  %-16s %-20s  %-16s  %s\n", "NIGHT", "SEALED AS", "SEALED", "SEAL", "WHY");
	for (size_t i = 0; i < n; i++) {
		sealed_why(o, v[i], cutoff, when, &why);
		printf("%-10s  %-16s %-20s  %.16s  %s\n", v[i]->night, v[i]->base, when, v[i]->seal,
		       why.buf);
	}
	strbuf_release(&why);
	free(v);
	return EXIT_DONE;
}

static int cmd_list(struct aopts *o, const struct chain *ch)
{
	size_t *idx, n;
	int32_t cutoff = sealed_cutoff(o->ac.dir, ch, NULL);
	if (o->revisions)
		return list_revisions(o, ch, cutoff);
	idx = xcalloc(ch->n + 1, sizeof(*idx));
	n = latest_nights(ch, idx);
	printf("%-10s  %-16s %8s %10s %7s  %s\n", "NIGHT", "SEALED AS", "MEMBERS",
	       "EXCEPTIONS", "INPUTS", "SEAL");
	for (size_t i = 0; i < n; i++)
		if (in_range(o, ch->v[idx[i]].night))
			list_night(o, &ch->v[idx[i]], cutoff);
	if (ch->n)
		printf("head seal %s (%zu seal record(s))\n", ch->v[ch->n - 1].seal, ch->n);
	free(idx);
	return EXIT_DONE;
}

/* DATE (its newest revision) or DATE.rN: the record, or NULL reported
 * (*usage: the name is not a night or revision at all). */
static const struct seal_rec *named_revision(const struct chain *ch, const char *name,
					     int *usage)
{
	const struct seal_rec *r;
	char night[11];
	int exact;
	int32_t d;
	xstrlcpy(night, name, sizeof(night));
	*usage = strlen(name) < 10 || day_parse_iso(night, &d) ||
		 (name[10] && strncmp(name + 10, ".r", 2));
	if (*usage) {
		log_error("'%s' is not a night YYYY-MM-DD or a revision YYYY-MM-DD.rN", name);
		return NULL;
	}
	if (!(r = chain_revision(ch, name, &exact))) {
		if (!chain_latest(ch, night))
			log_error("%s: no such night in the archive", night);
		else
			log_error("%s: no such revision in the archive ('archive list "
				  "--revisions' lists them)", name);
	}
	return r;
}

static int cmd_show(struct aopts *o, const struct chain *ch)
{
	struct strbuf p = STRBUF_INIT, why = STRBUF_INIT;
	const struct seal_rec *r;
	struct manifest m;
	int32_t cutoff = sealed_cutoff(o->ac.dir, ch, NULL);
	char when[24];
	int usage;
	if (!o->arg) {
		log_error("show needs a night DATE or a revision DATE.rN");
		return EXIT_USAGE;
	}
	if (!(r = named_revision(ch, o->arg, &usage)))
		return usage ? EXIT_USAGE : EXIT_NOT_FOUND;
	for (size_t i = 0; i < ch->n; i++)
		if (!strcmp(ch->v[i].night, r->night)) {
			sealed_why(o, &ch->v[i], cutoff, when, &why);
			printf("seal %lu  %s  manifest %s\n  prev %s\n  seal %s\n  sealed %s  why %s\n",
			       ch->v[i].seq, ch->v[i].base, ch->v[i].manifest, ch->v[i].prev,
			       ch->v[i].seal, when, why.buf);
		}
	strbuf_release(&why);
	if (sealed_when(o->ac.dir, r->base, when))
		xstrlcpy(when, "-", 24);
	archive_path(o->ac.dir, r->base, ".manifest", &p);
	if (access(p.buf, F_OK) || manifest_load(p.buf, &m)) {
		fputs(retired(r, cutoff) ? "files retired by retention\n" :
		      "files missing or damaged: run 'archive verify'\n", stdout);
		strbuf_release(&p);
		return EXIT_DONE;
	}
	printf("revision %s\narchive %s  sha256 %s  %llu bytes\nmembers (sha256, bytes, rows, path):\n",
	       r->base, m.archive, m.archive_sha, (unsigned long long)m.archive_size);
	for (size_t i = 0; i < m.nmembers; i++)
		printf("  %s %8llu %6llu  %s\n", m.members[i].sha,
		       (unsigned long long)m.members[i].size,
		       (unsigned long long)m.members[i].rows, m.members[i].path);
	printf("input files (sha256, bytes, rows, path):\n");
	for (size_t i = 0; i < m.ninputs; i++)
		printf("  %s %8llu %6llu  %s\n", m.inputs[i].sha,
		       (unsigned long long)m.inputs[i].size,
		       (unsigned long long)m.inputs[i].rows, m.inputs[i].path);
	manifest_free(&m);
	strbuf_release(&p);
	return EXIT_DONE;
}

/*
 * The seal an --anchor names: the full seal, or the one record whose seal
 * starts with the given 16 hex or more (what 'list' prints). Unknown
 * prefixes stay as given: verify then says the chain does not hold them.
 * NULL reported when it is not hex or is ambiguous.
 */
static const char *resolve_anchor(const char *anchor, const struct chain *ch)
{
	size_t n = strlen(anchor);
	const char *hit = NULL;
	if (n < 16 || n > 64 || strspn(anchor, "0123456789abcdef") != n) {
		log_error("--anchor: '%.64s' is not a seal (64 hex digits, or its first 16 "
			  "or more, lower case)", anchor);
		return NULL;
	}
	for (size_t i = 0; i < ch->n; i++)
		if (!strncmp(ch->v[i].seal, anchor, n)) {
			if (hit && strcmp(hit, ch->v[i].seal)) {
				log_error("--anchor %s matches more than one seal: give more digits",
					  anchor);
				return NULL;
			}
			hit = ch->v[i].seal;
		}
	return hit ? hit : anchor;
}

static int cmd_verify(struct aopts *o, const struct chain *ch)
{
	struct strbuf msg = STRBUF_INIT;
	struct verify_retired ret;
	const char *anchor = o->anchor ? resolve_anchor(o->anchor, ch) : NULL;
	int rc;
	if (o->anchor && !anchor)
		return EXIT_USAGE;
	rc = archive_verify(&o->ac, o->from_day, o->to_day, anchor, &msg, &ret);
	if (rc)
		printf("archive verify: FAILED: %s\n", msg.buf);
	else if (ret.n)
		printf("archive verify: ok, every seal links and every file matches (%s); "
		       "%lu night(s) retired by retention, %s to %s\n", o->ac.dir, ret.n,
		       ret.first, ret.last);
	else
		printf("archive verify: ok, every seal links and every file matches (%s)\n",
		       o->ac.dir);
	strbuf_release(&msg);
	return rc;
}

/* A member name that stays inside the target directory. */
static int safe_name(const char *p)
{
	if (!*p || *p == '/')
		return 0;
	for (const char *s = p; *s; s = strchr(s, '/') ? strchr(s, '/') + 1 : s + strlen(s))
		if (!strncmp(s, "../", 3) || !strcmp(s, "..") || *s == '/')
			return 0;
	return 1;
}

struct extract {
	const struct aopts *o;
	const struct manifest *m;
	const char *name;		/* the directory under --to: NIGHT or NIGHT.rN */
	unsigned long files, wanted;
	int bad;
	struct strbuf *recons;		/* the reconciliations seen, " a b c " */
};

/* summary/R.csv or exceptions/R.csv (and R's decisions/, decision-history/,
 * match/recon.h): R's name and length, else NULL. */
static const char *recon_of(const char *path, size_t *n)
{
	const char *r = !strncmp(path, "summary/", 8) ? path + 8 :
			!strncmp(path, "exceptions/", 11) ? path + 11 :
			!strncmp(path, "decisions/", 10) ? path + 10 :
			!strncmp(path, "decision-history/", 17) ? path + 17 : NULL;
	size_t len = r ? strlen(r) : 0;
	if (!r || len < 5 || strchr(r, '/') || strcmp(r + len - 4, ".csv"))
		return NULL;
	*n = len - 4;
	return r;
}

static int wanted(struct extract *x, const char *path)
{
	size_t n;
	const char *r = recon_of(path, &n);
	if (r) {
		struct strbuf w = STRBUF_INIT;
		strbuf_addf(&w, " %.*s ", (int)n, r);
		if (!x->recons->len)
			strbuf_addch(x->recons, ' ');
		if (!strstr(x->recons->buf, w.buf))
			strbuf_addf(x->recons, "%.*s ", (int)n, r);
		strbuf_release(&w);
	}
	if (!x->o->recon)
		return 1;
	return r && strlen(x->o->recon) == n && !strncmp(r, x->o->recon, n);
}

static int extract_member(const char *path, const void *data, size_t len, void *arg)
{
	struct extract *x = arg;
	const struct manifest_entry *e = manifest_member(x->m, path);
	struct strbuf out = STRBUF_INIT;
	char sha[DIGEST_HEXSZ];
	int rc;
	if (!wanted(x, path))
		return 0;
	x->wanted++;
	digest_buf(data, len, sha);
	if (!e || strcmp(e->sha, sha) || !safe_name(path)) {
		log_error("night %s: member %s does not match the manifest; not extracted",
			  x->name, path);
		x->bad = 1;
		return 0;
	}
	strbuf_addf(&out, "%s/%s/%s", x->o->to, x->name, path);
	rc = atomic_write(out.buf, data, len, 0440);
	x->files += rc == 0;
	strbuf_release(&out);
	return rc;
}

/* One revision into --to/NAME/: 0, 1 damaged (reported), 70. */
static int extract_night(const struct aopts *o, const struct seal_rec *r, const char *name,
			 struct extract *total)
{
	struct strbuf p = STRBUF_INIT, msg = STRBUF_INIT;
	struct manifest m;
	struct extract x = { o, &m, name, 0, 0, 0, total->recons };
	int rc = archive_verify_night(o->ac.dir, r, &msg);
	if (rc) {
		log_error("not extracted: %s", msg.buf);
		strbuf_release(&msg);
		return 1;
	}
	archive_path(o->ac.dir, r->base, ".manifest", &p);
	rc = manifest_load(p.buf, &m);
	archive_path(o->ac.dir, r->base, ".tar.gz", &p);
	if (!rc) {
		rc = tar_each(p.buf, extract_member, &x) ? EXIT_INTERNAL : x.bad;
		manifest_free(&m);
	}
	total->files += x.files;
	total->wanted += x.wanted;
	strbuf_release(&p);
	strbuf_release(&msg);
	return rc;
}

/* DATE or FROM..TO into the range. */
static int night_arg(struct aopts *o)
{
	const char *dots = o->arg ? strstr(o->arg, "..") : NULL;
	char from[16];
	if (!o->arg) {
		log_error("a night DATE, a revision DATE.rN or FROM..TO is required");
		return -1;
	}
	if (!dots)
		return parse_day(o->arg, &o->from_day) || parse_day(o->arg, &o->to_day) ? -1 : 0;
	if ((size_t)(dots - o->arg) >= sizeof(from)) {
		log_error("'%s' is not FROM..TO", o->arg);
		return -1;
	}
	memcpy(from, o->arg, (size_t)(dots - o->arg));
	from[dots - o->arg] = '\0';
	return parse_day(from, &o->from_day) || parse_day(dots + 2, &o->to_day) ? -1 : 0;
}

/*
 * Extracts the newest revision of each night of DATE or FROM..TO, or the
 * one revision DATE.rN. Nothing there to extract is exit 2, said plainly:
 * a night or range the archive does not hold, or a --recon none of its
 * nights has (the message lists those they have).
 */
static int cmd_extract(struct aopts *o, const struct chain *ch)
{
	size_t *idx = NULL, n = 0;
	struct strbuf recons = STRBUF_INIT;
	struct extract total = { o, NULL, NULL, 0, 0, 0, &recons };
	unsigned long nights = 0, tried = 0;
	const struct seal_rec *one = NULL;
	int rc = 0, usage;
	if (!o->to) {
		log_error("extract needs --to DIR");
		return EXIT_USAGE;
	}
	if (o->arg && strlen(o->arg) > 10 && !strncmp(o->arg + 10, ".r", 2)) {
		if (!(one = named_revision(ch, o->arg, &usage)))
			return usage ? EXIT_USAGE : EXIT_NOT_FOUND;
	} else if (night_arg(o)) {
		return EXIT_USAGE;
	}
	if (one) {
		tried = 1;
		rc = extract_night(o, one, o->arg, &total);
		nights += rc == 0;
	} else {
		idx = xcalloc(ch->n + 1, sizeof(*idx));
		n = latest_nights(ch, idx);
	}
	for (size_t i = 0; i < n; i++) {
		int r;
		if (!in_range(o, ch->v[idx[i]].night))
			continue;
		tried++;
		r = extract_night(o, &ch->v[idx[i]], ch->v[idx[i]].night, &total);
		nights += r == 0;
		if (r > rc)
			rc = r;
	}
	free(idx);
	if (!tried) {
		if (strstr(o->arg, ".."))
			log_error("%s: no night of that range is in the archive", o->arg);
		else
			log_error("%s: no such night in the archive", o->arg);
		strbuf_release(&recons);
		return EXIT_NOT_FOUND;
	}
	if (o->recon && !total.wanted && !rc) {
		if (recons.len)
			recons.buf[--recons.len] = '\0';	/* the last blank */
		log_error("no reconciliation '%s' in %s; the night(s) hold:%s", o->recon, o->arg,
			  recons.len ? recons.buf : " none");
		strbuf_release(&recons);
		return EXIT_NOT_FOUND;
	}
	strbuf_release(&recons);
	printf("extracted %lu file(s) of %lu night(s) into %s\n", total.files, nights, o->to);
	return rc;
}

struct search {
	const struct aopts *o;
	const char *night;
	char cpr[CPR_LEN + 1];
	int full_cpr;
	unsigned long hits;
};

static void search_table(struct search *s, const struct csvtable *t)
{
	static const char *const cols[] = { "id", "recon", "se", "month", "key", "cpr", "amount",
					    "reason", "first_seen", "age_days" };
	int cse = csvtable_col(t, "se"), ccpr = csvtable_col(t, "cpr");
	int ckey = csvtable_col(t, "key");
	struct strbuf line = STRBUF_INIT;
	for (size_t r = 0; r < t->nrows; r++) {
		char mask[CPR_MASKSZ];
		if (s->o->se ? strcmp(csvtable_get(t, r, cse), s->o->se) :
		    (strcmp(csvtable_get(t, r, ccpr), s->cpr) &&
		     strcmp(csvtable_get(t, r, ckey), s->cpr)))
			continue;
		strbuf_reset(&line);
		csvout_str(&line, s->night, 0);
		for (size_t k = 0; k < 10; k++) {
			const char *v = csvtable_get(t, r, csvtable_col(t, cols[k]));
			if (k == 5 && *v && !s->full_cpr)
				v = cpr_mask(v, mask);
			else if (k == 4 && !s->full_cpr)
				v = key_masked(v, mask);
			csvout_str(&line, v, k == 9);
		}
		fputs(line.buf, stdout);
		s->hits++;
	}
	strbuf_release(&line);
}

static int search_member(const char *path, const void *data, size_t len, void *arg)
{
	struct search *s = arg;
	struct csvtable t;
	FILE *f;
	if (strncmp(path, "exceptions/", 11) || !len)
		return 0;
	if (!(f = fmemopen((void *)data, len, "rb")))
		return -1;
	if (csvtable_read(path, f, &t) == 0) {
		search_table(s, &t);
		csvtable_free(&t);
	}
	fclose(f);
	return 0;
}

static int search_key(struct aopts *o, struct search *s)
{
	const char *why;
	char se[SE_LEN + 1];
	int mod11;
	if (!o->se == !o->cpr) {
		log_error("search needs one of --se SE or --cpr CPR");
		return -1;
	}
	if (o->se && se_parse(o->se, strlen(o->se), se, &why)) {
		log_error("--se: %s", why);
		return -1;
	}
	/* The CPR itself is never echoed, not even in an error. */
	if (o->cpr && cpr_parse(o->cpr, strlen(o->cpr), 0, s->cpr, &mod11, &why)) {
		log_error("--cpr: not a CPR number (%s)", why);
		return -1;
	}
	s->full_cpr = cpr_show_full(o->show_cpr);
	return 0;
}

static int cmd_search(struct aopts *o, const struct chain *ch)
{
	size_t *idx, n;
	struct search s = { o, NULL, "", 0, 0 };
	struct strbuf p = STRBUF_INIT, msg = STRBUF_INIT;
	int rc = 0;
	if (search_key(o, &s))
		return EXIT_USAGE;
	idx = xcalloc(ch->n + 1, sizeof(*idx));
	n = latest_nights(ch, idx);
	printf("night;id;recon;se;month;key;cpr;amount;reason;first_seen;age_days\n");
	for (size_t i = 0; i < n; i++) {
		const struct seal_rec *r = &ch->v[idx[i]];
		if (!in_range(o, r->night))
			continue;
		archive_path(o->ac.dir, r->base, ".tar.gz", &p);
		if (access(p.buf, F_OK))
			continue;	/* retired */
		strbuf_reset(&msg);
		if (archive_verify_night(o->ac.dir, r, &msg)) {
			log_error("skipped: %s", msg.buf);
			rc = 1;
			continue;
		}
		s.night = r->night;
		if (tar_each(p.buf, search_member, &s))
			rc = EXIT_INTERNAL;
	}
	fflush(stdout);
	log_info("%lu matching row(s)", s.hits);
	free(idx);
	strbuf_release(&p);
	strbuf_release(&msg);
	return rc;
}

int cmd_archive(int argc, char **argv)
{
	struct aopts o;
	struct chain ch;
	const char *sub = argc > 0 ? argv[0] : NULL;
	int rc;
	memset(&o, 0, sizeof(o));
	o.conf = "conf/pipeline.conf";
	if (!sub || !strcmp(sub, "--help") || !strcmp(sub, "-h")) {
		archive_usage(sub ? 0 : EXIT_USAGE);
		return sub ? EXIT_DONE : EXIT_USAGE;
	}
	if (parse_opts(argc, argv, &o) ||
	    date_range(&o, strcmp(sub, "extract") != 0) || load_archive_conf(&o)) {
		archive_usage(EXIT_USAGE);
		return EXIT_USAGE;
	}
	if (chain_load(o.ac.dir, &ch)) {
		archive_conf_free(&o.ac);
		return !strcmp(sub, "verify") ? 1 : EXIT_INTERNAL;
	}
	if (!strcmp(sub, "list"))
		rc = cmd_list(&o, &ch);
	else if (!strcmp(sub, "show"))
		rc = cmd_show(&o, &ch);
	else if (!strcmp(sub, "verify"))
		rc = cmd_verify(&o, &ch);
	else if (!strcmp(sub, "extract"))
		rc = cmd_extract(&o, &ch);
	else if (!strcmp(sub, "search"))
		rc = cmd_search(&o, &ch);
	else {
		log_error("unknown archive command '%s'", sub);
		archive_usage(EXIT_USAGE);
		rc = EXIT_USAGE;
	}
	chain_free(&ch);
	archive_conf_free(&o.ac);
	return rc;
}
