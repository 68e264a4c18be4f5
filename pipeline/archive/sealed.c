/* The archive's files: chain, manifests, tar reading (format: archive/sealed.h). */
#include "archive/sealed.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/conffile.h"
#include "core/date.h"
#include "core/log.h"
#include "core/banned.h"

const char seal_genesis[DIGEST_HEXSZ] =
	"0000000000000000000000000000000000000000000000000000000000000000";

void archive_path(const char *dir, const char *base, const char *ext, struct strbuf *out)
{
	strbuf_reset(out);
	strbuf_addf(out, "%s/%s%s", dir, base, ext);
}

void seal_compute(const char *prev, const char *manifest, char out[DIGEST_HEXSZ])
{
	struct digest_ctx *d = digest_new();
	digest_update(d, prev, 64);
	digest_update(d, manifest, 64);
	digest_finish(d, out);
}

static int is_hex64(const char *s)
{
	size_t n = strlen(s);
	return n == 64 && strspn(s, "0123456789abcdef") == 64;
}

static int copy_word(const struct conf_line *l, int i, char *dst, size_t cap)
{
	if (strlen(l->argv[i]) >= cap)
		return conf_error(l, "word %d too long", i);
	xstrlcpy(dst, l->argv[i], cap);
	return 0;
}

static int night_ok(const char *s)
{
	int32_t d;
	return strlen(s) == 10 && day_parse_iso(s, &d) == 0;
}

static int chain_line(const struct conf_line *l, void *data)
{
	struct chain *ch = data;
	struct seal_rec r;
	char *end;
	memset(&r, 0, sizeof(r));
	if (strcmp(l->argv[0], "seal") || l->argc != 7)
		return conf_error(l, "expected: seal SEQ NIGHT BASE MANIFEST PREV SEAL");
	r.seq = strtoul(l->argv[1], &end, 10);
	if (*end || !r.seq || copy_word(l, 2, r.night, sizeof(r.night)) ||
	    copy_word(l, 3, r.base, sizeof(r.base)) ||
	    copy_word(l, 4, r.manifest, sizeof(r.manifest)) ||
	    copy_word(l, 5, r.prev, sizeof(r.prev)) || copy_word(l, 6, r.seal, sizeof(r.seal)))
		return conf_error(l, "bad seal record");
	if (!night_ok(r.night) || strncmp(r.base, r.night, 10) || strchr(r.base, '/') ||
	    !is_hex64(r.manifest) || !is_hex64(r.prev) || !is_hex64(r.seal))
		return conf_error(l, "bad seal record");
	ch->v = xrealloc(ch->v, (ch->n + 1) * sizeof(*ch->v));
	ch->v[ch->n++] = r;
	return 0;
}

int chain_load(const char *dir, struct chain *ch)
{
	struct strbuf p = STRBUF_INIT;
	int rc = 0;
	ch->v = NULL;
	ch->n = 0;
	archive_path(dir, "chain", "", &p);
	if (!(access(p.buf, F_OK) && errno == ENOENT))
		rc = conf_read(p.buf, chain_line, ch);
	strbuf_release(&p);
	if (rc)
		chain_free(ch);
	return rc ? -1 : 0;
}

void chain_free(struct chain *ch)
{
	free(ch->v);
	ch->v = NULL;
	ch->n = 0;
}

const struct seal_rec *chain_latest(const struct chain *ch, const char *night)
{
	for (size_t i = ch->n; i-- > 0;)
		if (!strcmp(ch->v[i].night, night))
			return &ch->v[i];
	return NULL;
}

unsigned seal_revision(const struct seal_rec *r)
{
	const char *rev = r->base + strlen(r->night);
	return !strncmp(rev, ".r", 2) ? (unsigned)strtoul(rev + 2, NULL, 10) : 1;
}

const struct seal_rec *chain_revision(const struct chain *ch, const char *name, int *exact)
{
	size_t n = strlen(name);
	char *end;
	unsigned long want;
	*exact = 0;
	if (n == 10)
		return chain_latest(ch, name);
	if (n < 13 || strncmp(name + 10, ".r", 2))
		return NULL;
	want = strtoul(name + 12, &end, 10);
	if (*end || !want || name[12] == '0')
		return NULL;
	*exact = 1;
	for (size_t i = 0; i < ch->n; i++)
		if (!strncmp(ch->v[i].night, name, 10) && !ch->v[i].night[10] &&
		    seal_revision(&ch->v[i]) == want)
			return &ch->v[i];
	return NULL;
}

int32_t day_today(void)
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

int32_t chain_newest(const struct chain *ch)
{
	int32_t newest = 0, d;
	for (size_t i = 0; i < ch->n; i++)
		if (day_parse_iso(ch->v[i].night, &d) == 0 && d > newest)
			newest = d;
	return newest;
}

int32_t retention_cutoff(int32_t newest, int years, int32_t today)
{
	/* A record dated in the future must not retire the real nights. */
	if (newest > today)
		newest = today;
	return years && newest ? newest - years * 10000 : 0;
}

static int entry_line(const struct conf_line *l, struct manifest_entry **v, size_t *n,
		      int rows)
{
	struct manifest_entry e;
	char *end1, *end2 = (char *)"";
	int pi = rows ? 4 : 3;
	if (l->argc != pi + 1)
		return conf_error(l, "expected: %s SHA256 SIZE%s PATH", l->argv[0],
				  rows ? " ROWS" : "");
	memset(&e, 0, sizeof(e));
	e.size = strtoull(l->argv[2], &end1, 10);
	if (rows)
		e.rows = strtoull(l->argv[3], &end2, 10);
	if (*end1 || *end2 || copy_word(l, 1, e.sha, sizeof(e.sha)) || !is_hex64(e.sha))
		return conf_error(l, "bad %s line", l->argv[0]);
	e.path = xstrdup(l->argv[pi]);
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = e;
	return 0;
}

static int manifest_line(const struct conf_line *l, void *data)
{
	struct manifest *m = data;
	const char *d = l->argv[0];
	if (!strcmp(d, "night") && l->argc == 2 && night_ok(l->argv[1]))
		return copy_word(l, 1, m->night, sizeof(m->night));
	if (!strcmp(d, "archive") && l->argc == 4) {
		char *end;
		m->archive_size = strtoull(l->argv[3], &end, 10);
		if (*end || copy_word(l, 1, m->archive, sizeof(m->archive)) ||
		    copy_word(l, 2, m->archive_sha, sizeof(m->archive_sha)) ||
		    !is_hex64(m->archive_sha))
			return conf_error(l, "bad archive line");
		return 0;
	}
	if (!strcmp(d, "retention-years") && l->argc == 2) {
		char *end;
		long v = strtol(l->argv[1], &end, 10);
		if (*end || v < 0 || v > 100)
			return conf_error(l, "bad retention-years");
		m->retention_years = (int)v;
		return 0;
	}
	if (!strcmp(d, "why") && l->argc == 2) {
		free(m->why);
		m->why = xstrdup(l->argv[1]);
		return 0;
	}
	if (!strcmp(d, "member"))
		return entry_line(l, &m->members, &m->nmembers, 1);
	if (!strcmp(d, "input"))
		return entry_line(l, &m->inputs, &m->ninputs, 1);
	return conf_error(l, "unknown or malformed '%s'", d);
}

int manifest_load(const char *path, struct manifest *m)
{
	memset(m, 0, sizeof(*m));
	if (conf_read(path, manifest_line, m)) {
		manifest_free(m);
		return -1;
	}
	if (!m->night[0] || !m->archive[0]) {
		log_error("%s: no night or archive line", path);
		manifest_free(m);
		return -1;
	}
	return 0;
}

void manifest_free(struct manifest *m)
{
	for (size_t i = 0; i < m->nmembers; i++)
		free(m->members[i].path);
	for (size_t i = 0; i < m->ninputs; i++)
		free(m->inputs[i].path);
	free(m->members);
	free(m->inputs);
	free(m->why);
	memset(m, 0, sizeof(*m));
}

const struct manifest_entry *manifest_member(const struct manifest *m, const char *path)
{
	for (size_t i = 0; i < m->nmembers; i++)
		if (!strcmp(m->members[i].path, path))
			return &m->members[i];
	return NULL;
}

static int read_member(struct archive *a, struct strbuf *data)
{
	char buf[65536];
	la_ssize_t n;
	strbuf_reset(data);
	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0)
		strbuf_add(data, buf, (size_t)n);
	return n < 0 ? -1 : 0;
}

int tar_each(const char *tarpath, member_fn fn, void *arg)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct strbuf data = STRBUF_INIT;
	int rc = 0, r;
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, tarpath, 65536) != ARCHIVE_OK) {
		log_error("%s: %s", tarpath, archive_error_string(a));
		archive_read_free(a);
		return -1;
	}
	while (!rc && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		if (read_member(a, &data)) {
			log_error("%s: %s: %s", tarpath, archive_entry_pathname(e),
				  archive_error_string(a));
			rc = -1;
			break;
		}
		rc = fn(archive_entry_pathname(e), data.buf, data.len, arg);
	}
	if (!rc && r != ARCHIVE_EOF) {
		log_error("%s: %s", tarpath, archive_error_string(a));
		rc = -1;
	}
	archive_read_free(a);
	strbuf_release(&data);
	return rc;
}

int sealed_when(const char *dir, const char *base, char when[24])
{
	struct strbuf p = STRBUF_INIT;
	char line[64];
	FILE *f;
	int rc = -1;
	archive_path(dir, base, ".sealed", &p);
	f = fopen(p.buf, "r");
	/* "sealed 2021-02-06T00:00:00Z\n": 7 + 20 + 1 bytes, nothing after */
	if (f && fgets(line, sizeof(line), f) && strlen(line) == 28 &&
	    !strncmp(line, "sealed ", 7) && line[26] == 'Z' && line[27] == '\n' &&
	    fgetc(f) == EOF) {
		memcpy(when, line + 7, 20);
		when[20] = 0;
		rc = 0;
	}
	if (f)
		fclose(f);
	strbuf_release(&p);
	return rc;
}
