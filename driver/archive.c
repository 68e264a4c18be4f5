/*
 * The auditors' commands, bin/pipeline archive ... (format: archive/sealed.h):
 *   list    [--from D] [--to D]             nights, revision, counts, seal
 *   show    DATE                            seal records and manifest
 *   verify  [--from D] [--to D] [--anchor SEAL]
 *                                           exit 0 every link holds, 1 the
 *                                           first broken link is named
 *   extract DATE|FROM..TO [--recon R] --to DIR
 *                                           checked copies under DIR/DATE/
 *   search  (--se SE | --cpr CPR) [--from D] [--to D] [--show-cpr]
 *                                           exception rows with their night
 * Common: [--conf FILE] [--archive DIR]. A CPR is printed in full only
 * with --show-cpr and when stdout is a terminal; never logged.
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

struct aopts {
	const char *conf, *dir, *to, *recon, *se, *cpr, *anchor;
	int32_t from_day, to_day;
	int show_cpr, conf_given;
	const char *arg;		/* DATE or FROM..TO */
	struct archive_conf ac;
};

static void archive_usage(int code)
{
	fputs("usage: pipeline archive list    [--from D] [--to D]\n"
	      "       pipeline archive show    DATE\n"
	      "       pipeline archive verify  [--from D] [--to D] [--anchor SEAL]\n"
	      "       pipeline archive extract DATE|FROM..TO [--recon R] --to DIR\n"
	      "       pipeline archive search  (--se SE | --cpr CPR) [--from D] [--to D] "
	      "[--show-cpr]\n"
	      "Common options: [--conf FILE] [--archive DIR]. Dates YYYY-MM-DD.\n"
	      "Exit: 0 done / verified, 1 a broken link or damaged night (named), 64 usage,\n"
	      "      70 internal error.\n", code ? stderr : stdout);
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

static int cmd_list(struct aopts *o, const struct chain *ch)
{
	size_t *idx = xcalloc(ch->n + 1, sizeof(*idx)), n = latest_nights(ch, idx);
	int32_t cutoff = sealed_cutoff(o->ac.dir, ch, NULL);
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

static int cmd_show(struct aopts *o, const struct chain *ch)
{
	struct strbuf p = STRBUF_INIT;
	const struct seal_rec *r;
	struct manifest m;
	if (!o->arg || !(r = chain_latest(ch, o->arg))) {
		log_error("%s: no such night in the archive", o->arg ? o->arg : "DATE");
		return o->arg ? 1 : EXIT_USAGE;
	}
	for (size_t i = 0; i < ch->n; i++)
		if (!strcmp(ch->v[i].night, o->arg))
			printf("seal %lu  %s  manifest %s\n  prev %s\n  seal %s\n", ch->v[i].seq,
			       ch->v[i].base, ch->v[i].manifest, ch->v[i].prev, ch->v[i].seal);
	archive_path(o->ac.dir, r->base, ".manifest", &p);
	if (access(p.buf, F_OK) || manifest_load(p.buf, &m)) {
		fputs(retired(r, sealed_cutoff(o->ac.dir, ch, NULL)) ?
		      "files retired by retention\n" :
		      "files missing or damaged: run 'archive verify'\n", stdout);
		strbuf_release(&p);
		return EXIT_DONE;
	}
	printf("archive %s  sha256 %s  %llu bytes\nmembers (sha256, bytes, rows, path):\n",
	       m.archive, m.archive_sha, (unsigned long long)m.archive_size);
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

static int cmd_verify(struct aopts *o)
{
	struct strbuf msg = STRBUF_INIT;
	struct verify_retired ret;
	int rc = archive_verify(&o->ac, o->from_day, o->to_day, o->anchor, &msg, &ret);
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
	const char *night;
	unsigned long files;
	int bad;
};

static int wanted(const struct aopts *o, const char *path)
{
	size_t n;
	if (!o->recon)
		return 1;
	n = strlen(o->recon);
	return (!strncmp(path, "summary/", 8) && !strncmp(path + 8, o->recon, n) &&
		!strcmp(path + 8 + n, ".csv")) ||
	       (!strncmp(path, "exceptions/", 11) && !strncmp(path + 11, o->recon, n) &&
		!strcmp(path + 11 + n, ".csv"));
}

static int extract_member(const char *path, const void *data, size_t len, void *arg)
{
	struct extract *x = arg;
	const struct manifest_entry *e = manifest_member(x->m, path);
	struct strbuf out = STRBUF_INIT;
	char sha[DIGEST_HEXSZ];
	int rc;
	if (!wanted(x->o, path))
		return 0;
	digest_buf(data, len, sha);
	if (!e || strcmp(e->sha, sha) || !safe_name(path)) {
		log_error("night %s: member %s does not match the manifest; not extracted",
			  x->night, path);
		x->bad = 1;
		return 0;
	}
	strbuf_addf(&out, "%s/%s/%s", x->o->to, x->night, path);
	rc = atomic_write(out.buf, data, len, 0440);
	x->files += rc == 0;
	strbuf_release(&out);
	return rc;
}

static int extract_night(const struct aopts *o, const struct seal_rec *r, unsigned long *files)
{
	struct strbuf p = STRBUF_INIT, msg = STRBUF_INIT;
	struct manifest m;
	struct extract x = { o, &m, r->night, 0, 0 };
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
	*files += x.files;
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
		log_error("a night DATE or FROM..TO is required");
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

static int cmd_extract(struct aopts *o, const struct chain *ch)
{
	size_t *idx = xcalloc(ch->n + 1, sizeof(*idx)), n = latest_nights(ch, idx);
	unsigned long files = 0, nights = 0;
	int rc = 0;
	if (!o->to || night_arg(o)) {
		if (!o->to)
			log_error("extract needs --to DIR");
		free(idx);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++) {
		int r;
		if (!in_range(o, ch->v[idx[i]].night))
			continue;
		r = extract_night(o, &ch->v[idx[i]], &files);
		nights += r == 0;
		if (r > rc)
			rc = r;
	}
	printf("extracted %lu file(s) of %lu night(s) into %s\n", files, nights, o->to);
	free(idx);
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
	s->full_cpr = o->show_cpr && isatty(STDOUT_FILENO);
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
		rc = cmd_verify(&o);
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
