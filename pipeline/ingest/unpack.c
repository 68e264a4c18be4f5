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
#include <zlib.h>

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
	unsigned long ntmp;	/* temporary files made */
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

/* n more bytes expanded (of which *total is the count): within the limits? */
static int within(struct unpacking *u, const char *path, uint64_t *total, uint64_t n)
{
	*total += n;
	if (*total > u->lim->max_bytes)
		return refuse(u, path, "expands beyond unpack max-bytes");
	if (*total > RATIO_FLOOR && *total / u->lim->max_ratio > u->packed)
		return refuse(u, path, "expands beyond unpack max-ratio");
	return 0;
}

static int write_out(struct unpacking *u, int fd, const void *buf, size_t n)
{
	if (write_all(fd, buf, n)) {
		log_error("%s: unable to write a member to %s: %s", u->label, u->tmpdir,
			  strerror(errno));
		return -1;
	}
	return 0;
}

/* The member's bytes into a temporary file, within the limits. */
static int copy_member(struct unpacking *u, struct archive *a, const char *path, int fd,
		       uint64_t *size)
{
	char buf[65536];
	la_ssize_t n;
	int rc;
	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
		*size += (uint64_t)n;
		if ((rc = within(u, path, &u->total, (uint64_t)n)) ||
		    (rc = write_out(u, fd, buf, (size_t)n)))
			return rc;
	}
	/* ARCHIVE_WARN too: a zip member whose CRC-32 does not match. */
	return n < 0 ? refuse(u, path, archive_error_string(a) ? archive_error_string(a) :
			      "corrupt or truncated") : 0;
}

/*
 * Inflates the gzip file at path into fd with zlib, which checks every
 * member's CRC-32 and length. Members may follow one another (RFC 1952);
 * any other byte after the last one refuses the file. *total counts the
 * bytes against the limits. 0, 1 refused, -1.
 */
static int gunzip(struct unpacking *u, const char *path, const char *name, int fd,
		  uint64_t *total, uint64_t *size)
{
	unsigned char in[65536], out[65536];
	z_stream z;
	FILE *f = fopen(path, "rb");
	int rc = 0, zr = Z_OK, ended = 0;
	if (!f) {
		log_error("unable to open %s: %s", path, strerror(errno));
		return -1;
	}
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) != Z_OK) {	/* gzip only */
		fclose(f);
		log_error("%s: zlib: out of memory", u->label);
		return -1;
	}
	while (rc == 0) {
		if (z.avail_in == 0) {
			z.avail_in = (uInt)fread(in, 1, sizeof(in), f);
			z.next_in = in;
			if (z.avail_in == 0) {
				if (ferror(f)) {
					log_error("unable to read %s: %s", path, strerror(errno));
					rc = -1;
				} else if (!ended) {
					rc = refuse(u, name, "the gzip data ends early (truncated)");
				}
				break;
			}
		}
		if (ended) {	/* more bytes: another gzip member, or not gzip */
			if (z.avail_in < 2 && !feof(f)) {
				memmove(in, z.next_in, z.avail_in);
				z.next_in = in;
				z.avail_in += (uInt)fread(in + z.avail_in, 1, sizeof(in) - z.avail_in, f);
			}
			if (z.avail_in < 2 || z.next_in[0] != 0x1f || z.next_in[1] != 0x8b) {
				rc = refuse(u, name, "bytes after the end of the gzip data");
				break;
			}
			inflateReset(&z);
			ended = 0;
		}
		z.next_out = out;
		z.avail_out = sizeof(out);
		zr = inflate(&z, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END) {
			/* "incorrect data check" is the CRC-32, "incorrect length check" ISIZE */
			const char *why = zr == Z_MEM_ERROR ? "out of memory" : "corrupt gzip data";
			if (zr == Z_DATA_ERROR && z.msg && !strcmp(z.msg, "incorrect data check"))
				why = "its CRC-32 does not match its data (changed or damaged bytes)";
			else if (zr == Z_DATA_ERROR && z.msg && !strcmp(z.msg, "incorrect header check"))
				why = "not gzip-compressed (no gzip header)";
			else if (zr == Z_DATA_ERROR && z.msg && !strcmp(z.msg, "incorrect length check"))
				why = "its length does not match its data (damaged bytes)";
			else if (zr == Z_DATA_ERROR && z.msg)
				why = z.msg;
			rc = refuse(u, name, why);
			break;
		}
		if (sizeof(out) - z.avail_out) {
			size_t n = sizeof(out) - z.avail_out;
			*size += n;
			if ((rc = within(u, name, total, n)) || (rc = write_out(u, fd, out, n)))
				break;
		}
		ended = zr == Z_STREAM_END;
	}
	inflateEnd(&z);
	fclose(f);
	return rc;
}

/* A temporary file in tmpdir for a member (or an inner tar), its name in *tmp. */
static int make_tmp(struct unpacking *u, struct strbuf *tmp)
{
	int fd;
	strbuf_reset(tmp);
	strbuf_addf(tmp, "%s/member-%lu", u->tmpdir, u->ntmp++);
	fd = open(tmp->buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0)
		log_error("unable to create %s: %s", tmp->buf, strerror(errno));
	return fd;
}

static int take_member(struct unpacking *u, struct archive *a, const char *path,
		       const char *base)
{
	struct strbuf tmp = STRBUF_INIT;
	struct unpack_member *m;
	int fd, rc;

	if ((fd = make_tmp(u, &tmp)) < 0) {
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

static int read_all(struct unpacking *u, struct archive *a)
{
	struct archive_entry *e;
	int rc = 0, r;

	/* ARCHIVE_WARN: a name libarchive could not convert to the locale; its
	 * UTF-8 form, if any, is the name (stage-unpack runs in C.UTF-8). */
	while (rc == 0 && ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK ||
			   r == ARCHIVE_WARN)) {
		const char *path = member_path(e);
		const char *base = NULL;
		if (!path || !*path)
			rc = refuse(u, "", "a member without a name");
		else if ((rc = check_entry(u, e, path, &base)) == 0 &&
			 archive_entry_filetype(e) == AE_IFREG)
			rc = take_member(u, a, path, base);
	}
	if (rc == 0 && r != ARCHIVE_EOF)
		rc = refuse(u, NULL, archive_error_string(a) ? archive_error_string(a) :
			    "corrupt or truncated");
	return rc;
}

/* A zip or a tar at path, read by libarchive. 0, 1 refused, -1. */
static int read_archive(struct unpacking *u, const char *path, int zip)
{
	struct archive *a = archive_read_new();
	int rc;
	if (zip)
		archive_read_support_format_zip(a);
	else
		archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK)
		rc = refuse(u, NULL, archive_error_string(a) ? archive_error_string(a) :
			    "not an archive");
	else
		rc = read_all(u, a);
	archive_read_free(a);
	return rc;
}

/* The name a .gz member gets: the archive's own name without ".gz". */
static void gz_member_name(const char *name, struct strbuf *out)
{
	const char *b = strrchr(name, '/');
	b = b ? b + 1 : name;
	strbuf_reset(out);
	strbuf_add(out, b, strlen(b) - 3);
}

/* A .gz: its one member, inflated by zlib. 0, 1 refused, -1. */
static int read_gz(struct unpacking *u, const char *path, const char *name)
{
	struct strbuf base = STRBUF_INIT, tmp = STRBUF_INIT;
	struct unpack_member *m;
	int fd, rc = 0;
	gz_member_name(name, &base);
	if (++u->entries > u->lim->max_entries)
		rc = refuse(u, NULL, "more members than unpack max-entries");
	else if (!safe_name(base.buf))
		rc = refuse(u, base.buf, "its name cannot be a landing name");
	for (size_t i = 0; rc == 0 && i < u->out->n; i++)
		if (!strcmp(u->out->v[i].name, base.buf))
			rc = refuse(u, base.buf, "a second member of that name");
	if (rc == 0 && (fd = make_tmp(u, &tmp)) < 0)
		rc = -1;
	if (rc == 0) {
		u->out->v = xrealloc(u->out->v, (u->out->n + 1) * sizeof(*u->out->v));
		m = &u->out->v[u->out->n++];
		*m = (struct unpack_member){ strbuf_detach(&base), strbuf_detach(&tmp), 0 };
		rc = gunzip(u, path, name, fd, &u->total, &m->size);
		if (fsync_close(fd) && !rc) {
			log_error("unable to write %s: %s", m->tmp, strerror(errno));
			rc = -1;
		}
	}
	strbuf_release(&base);
	strbuf_release(&tmp);
	return rc;
}

/* A .tar.gz: inflated by zlib into a temporary tar, then read. */
static int read_tgz(struct unpacking *u, const char *path, const char *name)
{
	struct strbuf tmp = STRBUF_INIT;
	uint64_t inner = 0, size = 0;
	int fd = make_tmp(u, &tmp), rc;
	if (fd < 0) {
		strbuf_release(&tmp);
		return -1;
	}
	/* The tar itself counts against the limits (a bomb is stopped while
	 * inflating), but not into the total: its members are counted. */
	rc = gunzip(u, path, name, fd, &inner, &size);
	if (fsync_close(fd) && !rc) {
		log_error("unable to write %s: %s", tmp.buf, strerror(errno));
		rc = -1;
	}
	if (rc == 0)
		rc = read_archive(u, tmp.buf, 0);
	if (unlink(tmp.buf) && errno != ENOENT)
		log_error("unable to remove %s: %s", tmp.buf, strerror(errno));
	strbuf_release(&tmp);
	return rc;
}

/*
 * Opens the archive at path (named name) into u->out, then, in turn, each
 * member that is itself an archive, one level deeper. 0, 1 refused, -1.
 */
static int open_into(struct unpacking *u, const char *path, const char *name,
		     enum unpack_kind kind, int depth)
{
	size_t from = u->out->n;
	int rc;
	if (depth > UNPACK_MAX_DEPTH) {
		struct strbuf why = STRBUF_INIT;
		strbuf_addf(&why, "an archive inside archives deeper than %d levels: not "
			    "opened", UNPACK_MAX_DEPTH);
		rc = refuse(u, name, why.buf);
		strbuf_release(&why);
		return rc;
	}
	rc = kind == UNPACK_GZ ? read_gz(u, path, name) :
	     kind == UNPACK_TGZ ? read_tgz(u, path, name) :
	     read_archive(u, path, kind == UNPACK_ZIP);
	for (size_t i = from; rc == 0 && i < u->out->n; ) {
		struct unpack_member m = u->out->v[i];
		enum unpack_kind k = unpack_kind(m.name);
		if (k == UNPACK_NONE) {
			i++;
			continue;
		}
		/* The inner archive gives way to its members. */
		memmove(&u->out->v[i], &u->out->v[i + 1], (u->out->n - i - 1) * sizeof(m));
		u->out->n--;
		u->total -= m.size;
		log_verbose("%s: member %s is an archive: opened", u->label, m.name);
		rc = open_into(u, m.tmp, m.name, k, depth + 1);
		if (unlink(m.tmp) && errno != ENOENT)
			log_error("unable to remove %s: %s", m.tmp, strerror(errno));
		free(m.name);
		free(m.tmp);
	}
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
	struct unpacking u = { label, tmpdir, lim, 0, 0, 0, out, STRBUF_INIT, 0 };
	struct stat st;
	int rc;

	out->v = NULL;
	out->n = 0;
	if (stat(path, &st) == 0)
		u.packed = (uint64_t)st.st_size;
	rc = open_into(&u, path, label, kind, 1);
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
