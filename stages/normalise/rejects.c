#include "rejects.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/csvout.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/banned.h"

void rejects_path(const char *outdir, const char *relpath, struct strbuf *p)
{
	strbuf_reset(p);
	strbuf_addf(p, "%s/rejected/", outdir);
	for (const char *s = relpath; *s; s++)
		strbuf_addch(p, *s == '/' ? '-' : *s);
	if (p->len < 4 || strcmp(p->buf + p->len - 4, ".csv"))
		strbuf_addstr(p, ".csv");
}

void rejects_init(struct rejects *r, const char *path, const char *relpath)
{
	memset(r, 0, sizeof(*r));
	r->path = xstrdup(path);
	r->relpath = xstrdup(relpath);
}

static int put(struct rejects *r, const struct strbuf *sb)
{
	digest_update(r->d, sb->buf, sb->len);
	return fwrite(sb->buf, 1, sb->len, r->af.fp) == sb->len ? 0 : -1;
}

int rejects_add(struct rejects *r, unsigned long line, unsigned col, const char *why,
		const char *row, size_t rowlen)
{
	char num[32];
	snprintf(num, sizeof(num), "%u", col);
	return rejects_add_text(r, line, col ? num : "", why, row, rowlen);
}

int rejects_add_text(struct rejects *r, unsigned long line, const char *column,
		     const char *why, const char *row, size_t rowlen)
{
	struct strbuf sb = STRBUF_INIT;
	char num[32];
	int rc;
	if (!r->open) {
		if (atomic_open(&r->af, r->path, 0640))
			return -1;
		r->open = 1;
		r->d = digest_new();
		strbuf_addstr(&sb, CSV_BOM "file;line;column;reason;row\n");
	}
	csvout_str(&sb, r->relpath, 0);
	snprintf(num, sizeof(num), "%lu", line);
	csvout_str(&sb, num, 0);
	csvout_str(&sb, column, 0);
	csvout_str(&sb, why, 0);
	csvout_field(&sb, row, rowlen, 1);
	rc = put(r, &sb);
	strbuf_release(&sb);
	if (rc) {
		log_error("unable to write %s: %s", r->path, strerror(errno));
		return -1;
	}
	r->n++;
	return 0;
}

void rejects_discard(struct rejects *r)
{
	if (r->open) {
		char junk[DIGEST_HEXSZ];
		atomic_abort(&r->af);
		digest_finish(r->d, junk);
		r->d = NULL;
		r->open = 0;
	}
	r->n = 0;
}

int rejects_finish(struct rejects *r, char hex[DIGEST_HEXSZ])
{
	hex[0] = '\0';
	r->n = 0;
	if (!r->open) {
		if (unlink(r->path) && errno != ENOENT) {
			log_error("unable to remove %s: %s", r->path, strerror(errno));
			return -1;
		}
		return 0;
	}
	r->open = 0;
	digest_finish(r->d, hex);
	r->d = NULL;
	if (atomic_commit(&r->af)) {
		hex[0] = '\0';
		return -1;
	}
	return 0;
}

void rejects_free(struct rejects *r)
{
	rejects_discard(r);
	free(r->path);
	free(r->relpath);
	memset(r, 0, sizeof(*r));
}
