#include "core/atomicfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/strbuf.h"
#include "core/banned.h"

static char *dir_of(const char *path)
{
	char *d = xstrdup(path);
	char *slash = strrchr(d, '/');
	if (!slash) {
		free(d);
		return xstrdup(".");
	}
	if (slash == d)
		slash[1] = '\0';
	else
		*slash = '\0';
	return d;
}

int mkdirs(const char *path, mode_t mode)
{
	char *p = xstrdup(path);
	int rc = 0;
	for (char *s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, mode) && errno != EEXIST) {
			log_error("unable to create directory %s: %s", p, strerror(errno));
			rc = -1;
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return rc;
}

int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int atomic_open(struct atomic_file *af, const char *path, mode_t mode)
{
	struct strbuf tmp = STRBUF_INIT;
	char *dir = dir_of(path);
	int fd;

	af->fp = NULL;
	af->path = NULL;
	af->tmp = NULL;
	if (mkdirs(dir, 0750)) {
		free(dir);
		return -1;
	}
	free(dir);
	strbuf_addf(&tmp, "%s.tmp.XXXXXX", path);
	fd = mkostemp(tmp.buf, O_CLOEXEC);
	if (fd < 0 || fchmod(fd, mode)) {
		log_error("unable to create %s: %s", tmp.buf, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp.buf);
		}
		strbuf_release(&tmp);
		return -1;
	}
	af->fp = fdopen(fd, "w");
	if (!af->fp) {
		close(fd);
		unlink(tmp.buf);
		strbuf_release(&tmp);
		return -1;
	}
	af->tmp = strbuf_detach(&tmp);
	af->path = xstrdup(path);
	return 0;
}

static void atomic_free(struct atomic_file *af)
{
	free(af->path);
	free(af->tmp);
	af->path = af->tmp = NULL;
	af->fp = NULL;
}

void atomic_abort(struct atomic_file *af)
{
	if (af->fp)
		fclose(af->fp);
	if (af->tmp)
		unlink(af->tmp);
	atomic_free(af);
}

int atomic_commit(struct atomic_file *af)
{
	char *dir;
	int err = 0;

	if (fflush(af->fp) || fsync(fileno(af->fp)) || ferror(af->fp))
		err = errno ? errno : EIO;
	if (fclose(af->fp) && !err)
		err = errno;
	af->fp = NULL;
	if (!err && rename(af->tmp, af->path))
		err = errno;
	if (err) {
		log_error("unable to write %s: %s", af->path, strerror(err));
		atomic_abort(af);
		return -1;
	}
	dir = dir_of(af->path);
	if (fsync_dir(dir))
		err = errno;
	free(dir);
	if (err) {
		log_error("unable to sync directory of %s: %s", af->path, strerror(err));
		atomic_free(af);
		return -1;
	}
	atomic_free(af);
	return 0;
}

int atomic_write(const char *path, const void *data, size_t len, mode_t mode)
{
	struct atomic_file af;
	if (atomic_open(&af, path, mode))
		return -1;
	if (len && fwrite(data, 1, len, af.fp) != len) {
		log_error("unable to write %s: %s", af.tmp, strerror(errno));
		atomic_abort(&af);
		return -1;
	}
	return atomic_commit(&af);
}

int atomic_is_tmp(const char *name)
{
	size_t n = strlen(name);
	return n > 11 && !memcmp(name + n - 11, ".tmp.", 5);
}

int atomic_sweep(const char *dir, int depth)
{
	struct strbuf p = STRBUF_INIT;
	struct dirent *e;
	DIR *dh = opendir(dir);
	int removed = 0;
	if (!dh) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		log_error("unable to read %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(dh))) {
		struct stat sb;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/%s", dir, e->d_name);
		if (lstat(p.buf, &sb))
			continue;
		if (S_ISDIR(sb.st_mode) && depth > 0) {
			int r = atomic_sweep(p.buf, depth - 1);
			if (r < 0) {
				removed = -1;
				break;
			}
			removed += r;
		} else if (S_ISREG(sb.st_mode) && atomic_is_tmp(e->d_name)) {
			if (unlink(p.buf) && errno != ENOENT) {
				log_error("unable to remove %s: %s", p.buf, strerror(errno));
				removed = -1;
				break;
			}
			removed++;
		}
	}
	closedir(dh);
	strbuf_release(&p);
	return removed;
}
