/* archive verify: every link of the chain and every file (format: archive/sealed.h). */
#include "sealverify.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/date.h"
#include "archive/sealed.h"
#include "core/banned.h"

/* Sets the message of the first broken link (later ones are not kept). */
static int broken(struct strbuf *msg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int broken(struct strbuf *msg, const char *fmt, ...)
{
	va_list ap;
	if (msg->len)
		return 1;
	va_start(ap, fmt);
	strbuf_vaddf(msg, fmt, ap);
	va_end(ap);
	return 1;
}

static int verify_links(const struct chain *ch, const char *anchor, struct strbuf *msg)
{
	int found = !anchor;
	for (size_t i = 0; i < ch->n; i++) {
		const struct seal_rec *r = &ch->v[i];
		char want[DIGEST_HEXSZ];
		const char *prev = i ? ch->v[i - 1].seal : seal_genesis;
		if (r->seq != i + 1)
			return broken(msg, "chain: record %zu has sequence number %lu (a night "
				      "removed or inserted)", i + 1, r->seq);
		if (strcmp(r->prev, prev))
			return broken(msg, "chain: seal %lu (night %s) does not link to seal %zu "
				      "(a night removed, inserted or edited)", r->seq, r->night, i);
		seal_compute(r->prev, r->manifest, want);
		if (strcmp(r->seal, want))
			return broken(msg, "chain: seal %lu (night %s) is not the hash of its "
				      "link and manifest", r->seq, r->night);
		found |= anchor && !strcmp(r->seal, anchor);
	}
	if (!found)
		return broken(msg, "chain: the anchor seal %.16s... is not in the chain "
			      "(history rewritten or cut)", anchor);
	return 0;
}

struct tar_check {
	const struct manifest *m;
	const char *name;
	size_t seen;
	struct strbuf *msg;
};

static int check_member(const char *path, const void *data, size_t len, void *arg)
{
	struct tar_check *tc = arg;
	const struct manifest_entry *e = manifest_member(tc->m, path);
	char sha[DIGEST_HEXSZ];
	if (!e)
		return broken(tc->msg, "%s: member %s is not in the manifest", tc->name, path);
	digest_buf(data, len, sha);
	if (strcmp(sha, e->sha) || len != e->size)
		return broken(tc->msg, "%s: member %s differs from the manifest", tc->name, path);
	tc->seen++;
	return 0;
}

/* Names the member that changed when the tar still reads, else says why
 * not: never an empty reason. */
static int tar_damaged(const char *tar, const struct seal_rec *r, const struct manifest *m,
		       struct strbuf *msg)
{
	struct strbuf why = STRBUF_INIT;
	struct tar_check tc = { m, m->archive, 0, &why };
	int rc = tar_each(tar, check_member, &tc);
	if (!why.len && rc)
		strbuf_addstr(&why, "it no longer reads as a tar.gz");
	else if (!why.len && tc.seen != m->nmembers)
		strbuf_addf(&why, "it holds %zu of the manifest's %zu members", tc.seen,
			    m->nmembers);
	else if (!why.len)
		strbuf_addstr(&why, "its SHA-256 or size is not the manifest's, though every "
			      "member still reads as sealed");
	broken(msg, "night %s: %s.tar.gz differs from its manifest; %s", r->night, r->base,
	       why.buf);
	strbuf_release(&why);
	return 1;
}

/* The manifest against the seal, the tar against the manifest, members
 * against their hashes. */
int archive_verify_night(const char *dir, const struct seal_rec *r, struct strbuf *msg)
{
	struct strbuf p = STRBUF_INIT, t = STRBUF_INIT;
	struct manifest m;
	char sha[DIGEST_HEXSZ];
	uint64_t size;
	int rc = 0;
	archive_path(dir, r->base, ".manifest", &p);
	archive_path(dir, r->base, ".tar.gz", &t);
	if (digest_file(p.buf, sha, &size))
		rc = broken(msg, "night %s: %s.manifest is missing", r->night, r->base);
	else if (strcmp(sha, r->manifest))
		rc = broken(msg, "night %s: %s.manifest differs from seal %lu", r->night,
			    r->base, r->seq);
	else if (manifest_load(p.buf, &m))
		rc = broken(msg, "night %s: %s.manifest cannot be read", r->night, r->base);
	if (rc) {
		strbuf_release(&p);
		strbuf_release(&t);
		return rc;
	}
	if (strcmp(m.night, r->night) || strcmp(m.archive, t.buf + strlen(dir) + 1))
		rc = broken(msg, "night %s: manifest names another night or file", r->night);
	else if (digest_file(t.buf, sha, &size))
		rc = broken(msg, "night %s: %s.tar.gz is missing", r->night, r->base);
	else if (strcmp(sha, m.archive_sha) || size != m.archive_size)
		rc = tar_damaged(t.buf, r, &m, msg);
	if (!rc) {
		struct tar_check tc = { &m, m.archive, 0, msg };
		if (tar_each(t.buf, check_member, &tc) || tc.seen != m.nmembers)
			rc = broken(msg, "night %s: %s.tar.gz members differ from the manifest",
				    r->night, r->base);
	}
	manifest_free(&m);
	strbuf_release(&p);
	strbuf_release(&t);
	return rc;
}

static int has_base(const struct chain *ch, const char *name, size_t baselen)
{
	for (size_t i = 0; i < ch->n; i++)
		if (strlen(ch->v[i].base) == baselen && !strncmp(ch->v[i].base, name, baselen))
			return 1;
	return 0;
}

/* Every tar and manifest in the directory belongs to a seal record. */
static int verify_no_strays(const char *dir, const struct chain *ch, struct strbuf *msg)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;
	if (!d)
		return broken(msg, "%s: %s", dir, strerror(errno));
	while (!rc && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		size_t base = n > 7 && !strcmp(e->d_name + n - 7, ".tar.gz") ? n - 7 :
			      n > 9 && !strcmp(e->d_name + n - 9, ".manifest") ? n - 9 : 0;
		if (base && !has_base(ch, e->d_name, base))
			rc = broken(msg, "%s has no seal record (an inserted night)", e->d_name);
	}
	closedir(d);
	return rc;
}

static int manifest_present(const char *dir, const struct seal_rec *r)
{
	struct strbuf p = STRBUF_INIT;
	int any;
	archive_path(dir, r->base, ".manifest", &p);
	any = access(p.buf, F_OK) == 0;
	strbuf_release(&p);
	return any;
}

/* The record whose manifest gives the retention: the anchored one, else
 * the newest night's (its latest revision). */
static const struct seal_rec *retention_rec(const struct chain *ch, const char *anchor)
{
	const struct seal_rec *r = NULL;
	for (size_t i = 0; i < ch->n; i++)
		if (anchor ? !strcmp(ch->v[i].seal, anchor) :
		    !r || strcmp(ch->v[i].night, r->night) >= 0)
			r = &ch->v[i];
	return r;
}

int32_t sealed_cutoff(const char *dir, const struct chain *ch, const char *anchor)
{
	const struct seal_rec *r = retention_rec(ch, anchor);
	struct strbuf p = STRBUF_INIT;
	struct manifest m;
	char sha[DIGEST_HEXSZ];
	uint64_t size;
	int32_t night, cutoff = 0;
	if (!r || day_parse_iso(r->night, &night))
		return 0;
	archive_path(dir, r->base, ".manifest", &p);
	if (digest_file(p.buf, sha, &size) == 0 && !strcmp(sha, r->manifest) &&
	    manifest_load(p.buf, &m) == 0) {
		cutoff = retention_cutoff(night, m.retention_years, day_today());
		manifest_free(&m);
	}
	strbuf_release(&p);
	return cutoff;
}

/* A record dated after today can only be forged (sealing refuses such a
 * night): it would make every real night look retired. */
static int verify_dates(const struct chain *ch, struct strbuf *msg)
{
	int32_t today = day_today(), d;
	for (size_t i = 0; i < ch->n; i++)
		if (day_parse_iso(ch->v[i].night, &d) || d > today)
			return broken(msg, "chain: seal %lu is for night %s, after today",
				      ch->v[i].seq, ch->v[i].night);
	return 0;
}

static void note_retired(struct verify_retired *ret, const char *night)
{
	if (!ret->n++ || strcmp(night, ret->first) < 0)
		xstrlcpy(ret->first, night, sizeof(ret->first));
	if (strcmp(night, ret->last) > 0)
		xstrlcpy(ret->last, night, sizeof(ret->last));
}

int archive_verify(const struct archive_conf *ac, int32_t from, int32_t to,
		   const char *anchor, struct strbuf *msg, struct verify_retired *ret)
{
	struct chain ch;
	int32_t cutoff, d;
	int rc;
	memset(ret, 0, sizeof(*ret));
	if (chain_load(ac->dir, &ch))
		return broken(msg, "%s/chain cannot be read", ac->dir);
	if (!ch.n && access(ac->dir, F_OK))
		rc = broken(msg, "%s: no archive there", ac->dir);
	else
		rc = verify_links(&ch, anchor, msg);
	if (!rc)
		rc = verify_dates(&ch, msg);
	if (!rc)
		rc = verify_no_strays(ac->dir, &ch, msg);
	cutoff = sealed_cutoff(ac->dir, &ch, anchor);
	for (size_t i = 0; i < ch.n && !rc; i++) {
		const struct seal_rec *r = &ch.v[i];
		if (day_parse_iso(r->night, &d) || d < from || d > to)
			continue;
		if (d < cutoff && !manifest_present(ac->dir, r)) {
			if (chain_latest(&ch, r->night) == r)	/* the record still links */
				note_retired(ret, r->night);
			continue;
		}
		rc = archive_verify_night(ac->dir, r, msg);
	}
	chain_free(&ch);
	return rc ? 1 : 0;
}
