#include "ingest/unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/strbuf.h"
#include "ingest/source.h"
#include "core/banned.h"

enum { RATIO_FLOOR = 1 << 20 };

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n > k && !strcasecmp(s + n - k, suffix);
}

enum unpack_kind unpack_kind(const char *name)
{
	if (ends_with(name, ".tar.gz") || ends_with(name, ".tgz"))
		return UNPACK_TGZ;
	if (ends_with(name, ".gz"))
		return UNPACK_GZ;
	if (ends_with(name, ".tar"))
		return UNPACK_TAR;
	if (ends_with(name, ".zip"))
		return UNPACK_ZIP;
	return UNPACK_NONE;
}

struct unpacking {
	const char *label, *tmpdir;
	const struct unpack_limits *lim;
	uint64_t packed, total, entries;
	struct unpack_members *out;
	struct strbuf why;	/* the reason for a refusal */
};

static int refuse(struct unpacking *u, const char *member, const char *reason)
{
	struct strbuf p = STRBUF_INIT;
	printable_name(member ? member : "", &p);
	strbuf_reset(&u->why);
	if (member)
		strbuf_addf(&u->why, "member '%s': %s", strbuf_str(&p), reason);
	else
		strbuf_addstr(&u->why, reason);
	strbuf_release(&p);
	return 1;
}

static struct archive *open_kind(enum unpack_kind kind)
{
	struct archive *a = archive_read_new();
	if (kind == UNPACK_GZ || kind == UNPACK_TGZ)
		archive_read_support_filter_gzip(a);
	if (kind == UNPACK_GZ)
		archive_read_support_format_raw(a);
	else if (kind == UNPACK_ZIP)
		archive_read_support_format_zip(a);
	else
		archive_read_support_format_tar(a);
	return a;
}

/* The checks on an entry's header; the base name in *base. */
static int check_entry(struct unpacking *u, struct archive_entry *e, const char *path,
		       const char **base)
{
	const char *slash = strrchr(path, '/');
	mode_t type = archive_entry_filetype(e);
	if (path[0] == '/' || strchr(path, '\\'))
		return refuse(u, path, "an absolute path (or a backslash)");
	if (!strcmp(path, "..") || !strncmp(path, "../", 3) || strstr(path, "/../") ||
	    ends_with(path, "/.."))
		return refuse(u, path, "a path with '..'");
	if (archive_entry_hardlink(e))
		return refuse(u, path, "a hard link");
	if (type == AE_IFLNK)
		return refuse(u, path, "a symbolic link");
	if (type != AE_IFREG && type != AE_IFDIR)
		return refuse(u, path, "a device or other special file");
	if (++u->entries > u->lim->max_entries)
		return refuse(u, NULL, "more members than unpack max-entries");
	*base = slash ? slash + 1 : path;
	if (type == AE_IFDIR)
		return 0;
	if (!safe_name(*base))
		return refuse(u, path, "its name cannot be a landing name");
	for (size_t i = 0; i < u->out->n; i++)
		if (!strcmp(u->out->v[i].name, *base))
			return refuse(u, path, "a second member of that name");
	return 0;
}

/* The member's bytes into a temporary file, within the limits. */
static int copy_member(struct unpacking *u, struct archive *a, const char *path, int fd,
		       uint64_t *size)
{
	char buf[65536];
	la_ssize_t n;
	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
		*size += (uint64_t)n;
		u->total += (uint64_t)n;
		if (u->total > u->lim->max_bytes)
			return refuse(u, path, "expands beyond unpack max-bytes");
		if (u->total > RATIO_FLOOR && u->total / u->lim->max_ratio > u->packed)
			return refuse(u, path, "expands beyond unpack max-ratio");
		if (write_all(fd, buf, (size_t)n)) {
			log_error("%s: unable to write a member to %s: %s", u->label, u->tmpdir,
				  strerror(errno));
			return -1;
		}
	}
	return n < 0 ? refuse(u, path, archive_error_string(a) ? archive_error_string(a) :
			      "corrupt or truncated") : 0;
}

static int take_member(struct unpacking *u, struct archive *a, const char *path,
		       const char *base)
{
	struct strbuf tmp = STRBUF_INIT;
	struct unpack_member *m;
	int fd, rc;

	strbuf_addf(&tmp, "%s/member-%zu", u->tmpdir, u->out->n);
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0) {
		log_error("unable to create %s: %s", tmp.buf, strerror(errno));
		strbuf_release(&tmp);
		return -1;
	}
	u->out->v = xrealloc(u->out->v, (u->out->n + 1) * sizeof(*u->out->v));
	m = &u->out->v[u->out->n++];
	*m = (struct unpack_member){ xstrdup(base), strbuf_detach(&tmp), 0 };
	rc = copy_member(u, a, path, fd, &m->size);
	if (fsync_close(fd) && !rc) {
		log_error("unable to write %s: %s", m->tmp, strerror(errno));
		rc = -1;
	}
	return rc;
}

static const char *member_path(struct archive_entry *e)
{
	const char *utf8 = archive_entry_pathname_utf8(e);
	return utf8 ? utf8 : archive_entry_pathname(e);
}

static int read_all(struct unpacking *u, struct archive *a, enum unpack_kind kind)
{
	struct archive_entry *e;
	struct strbuf gzname = STRBUF_INIT;
	int rc = 0, r;

	if (kind == UNPACK_GZ) {	/* a raw .gz member has no name of its own */
		const char *b = strrchr(u->label, '/');
		b = b ? b + 1 : u->label;
		strbuf_add(&gzname, b, strlen(b) - 3);
	}
	/* ARCHIVE_WARN: a name libarchive could not convert to the locale; its
	 * UTF-8 form, if any, is the name (stage-unpack runs in C.UTF-8). */
	while (rc == 0 && ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK ||
			   r == ARCHIVE_WARN)) {
		const char *path = kind == UNPACK_GZ ? gzname.buf : member_path(e);
		const char *base = NULL;
		/* The raw format would pass plain bytes through as if unpacked. */
		if ((kind == UNPACK_GZ || kind == UNPACK_TGZ) &&
		    archive_filter_code(a, 0) != ARCHIVE_FILTER_GZIP)
			rc = refuse(u, NULL, "not gzip-compressed");
		else if (!path || !*path)
			rc = refuse(u, "", "a member without a name");
		else if ((rc = check_entry(u, e, path, &base)) == 0 &&
			 archive_entry_filetype(e) == AE_IFREG)
			rc = take_member(u, a, path, base);
	}
	if (rc == 0 && r != ARCHIVE_EOF)
		rc = refuse(u, NULL, archive_error_string(a) ? archive_error_string(a) :
			    "corrupt or truncated");
	strbuf_release(&gzname);
	return rc;
}

static int cmp_member(const void *a, const void *b)
{
	return strcmp(((const struct unpack_member *)a)->name,
		      ((const struct unpack_member *)b)->name);
}

int unpack_archive(const char *path, const char *label, enum unpack_kind kind,
		   const struct unpack_limits *lim, const char *tmpdir,
		   struct unpack_members *out)
{
	struct unpacking u = { label, tmpdir, lim, 0, 0, 0, out, STRBUF_INIT };
	struct archive *a = open_kind(kind);
	struct stat st;
	int rc;

	out->v = NULL;
	out->n = 0;
	if (stat(path, &st) == 0)
		u.packed = (uint64_t)st.st_size;
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK)
		rc = refuse(&u, NULL, archive_error_string(a) ? archive_error_string(a) :
			    "not an archive");
	else
		rc = read_all(&u, a, kind);
	archive_read_free(a);
	if (rc == 1)
		log_error("%s: archive refused: %s; nothing of it is taken", label, u.why.buf);
	if (rc)
		unpack_members_free(out);
	else if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_member);
	strbuf_release(&u.why);
	return rc;
}

void unpack_members_free(struct unpack_members *out)
{
	for (size_t i = 0; i < out->n; i++) {
		if (unlink(out->v[i].tmp) && errno != ENOENT)
			log_error("unable to remove %s: %s", out->v[i].tmp, strerror(errno));
		free(out->v[i].name);
		free(out->v[i].tmp);
	}
	free(out->v);
	out->v = NULL;
	out->n = 0;
}
