/* A local directory source: the embedded default, and 'source NAME local'. */
#include "source_local.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/strbuf.h"
#include "core/banned.h"

static void path_of(const struct source *s, const char *dir, const char *name,
		    struct strbuf *out)
{
	strbuf_reset(out);
	strbuf_addf(out, "%s/%s", dir ? dir : s->def->dir, name);
}

static int local_list(struct source *s, struct source_listing *out)
{
	DIR *dh = opendir(s->def->dir);
	struct dirent *e;
	struct strbuf p = STRBUF_INIT;
	if (!dh) {
		log_error("source %s: unable to open %s: %s", s->def->name, s->def->dir,
			  strerror(errno));
		return SRC_FAIL;
	}
	while ((e = readdir(dh))) {
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		path_of(s, NULL, e->d_name, &p);
		if (lstat(p.buf, &st) == 0)
			listing_add(out, e->d_name, (uint64_t)st.st_size, (int64_t)st.st_mtime,
				    S_ISREG(st.st_mode));
	}
	closedir(dh);
	strbuf_release(&p);
	return SRC_OK;
}

static int local_read(struct source *s, const char *name, uint64_t offset, uint64_t want,
		      int fd, uint64_t *got)
{
	struct strbuf p = STRBUF_INIT;
	char buf[65536];
	ssize_t n;
	int in, rc = SRC_OK;

	path_of(s, NULL, name, &p);
	in = open(p.buf, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0 || lseek(in, (off_t)offset, SEEK_SET) < 0) {
		log_error("source %s: unable to read %s: %s", s->def->name, p.buf, strerror(errno));
		rc = SRC_FAIL;
	}
	while (rc == SRC_OK && *got <= want && (n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 || write_all(fd, buf, (size_t)n)) {
			log_error("source %s: unable to copy %s: %s", s->def->name, p.buf,
				  strerror(errno));
			rc = SRC_FAIL;
			break;
		}
		*got += (uint64_t)n;
	}
	if (in >= 0)
		close(in);
	strbuf_release(&p);
	return rc;
}

static int local_after(struct source *s, const char *name)
{
	struct strbuf from = STRBUF_INIT, to = STRBUF_INIT, marker = STRBUF_INIT;
	int rc = SRC_OK;

	strbuf_addf(&marker, "%s.done", name);
	for (int i = 0; i < 2 && rc == SRC_OK; i++) {
		const char *n = i ? name : marker.buf;	/* the marker goes first */
		path_of(s, NULL, n, &from);
		path_of(s, s->def->move_to, n, &to);
		/* A file of that name in the move folder is a clash, never overwritten. */
		if (s->def->after == AFTER_DELETE ? unlink(from.buf) :
		    renameat2(AT_FDCWD, from.buf, AT_FDCWD, to.buf, RENAME_NOREPLACE)) {
			int del = s->def->after == AFTER_DELETE;
			log_error("source %s: unable to %s %s%s%s: %s", s->def->name,
				  del ? "delete" : "move", from.buf, del ? "" : " to ",
				  del ? "" : to.buf, strerror(errno));
			rc = SRC_FAIL;
		}
	}
	strbuf_release(&from);
	strbuf_release(&to);
	strbuf_release(&marker);
	return rc;
}

static void local_close(struct source *s)
{
	(void)s;
}

static int local_open(struct source *s)
{
	xstrlcpy(s->hostkey, "-", sizeof(s->hostkey));
	s->list = local_list;
	s->read = local_read;
	s->after = local_after;
	s->close = local_close;
	return SRC_OK;
}

const struct source_kind source_kind_local = { "local", SOURCE_LOCAL, local_open };
