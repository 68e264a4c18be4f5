#include "run/paths.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomicfile.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/banned.h"

/* "DIR" or "DIR (resolved to REAL)" for messages. */
static void named(const char *dir, const char *real, struct strbuf *out)
{
	strbuf_reset(out);
	strbuf_addstr(out, dir);
	if (real && strcmp(dir, real))
		strbuf_addf(out, " (resolved to %s)", real);
}

int paths_own_dir(const char *what, char **dir, mode_t mode)
{
	struct strbuf n = STRBUF_INIT;
	struct stat st;
	char *real = NULL;
	int rc = -1;

	if (mkdirs(*dir, mode))
		return -1;
	if (!(real = realpath(*dir, NULL)) || stat(real, &st)) {
		log_error("%s %s: %s", what, *dir, strerror(errno));
		goto out;
	}
	named(*dir, real, &n);
	if (!S_ISDIR(st.st_mode))
		log_error("%s %s is not a directory; refused", what, n.buf);
	else if (st.st_uid != geteuid() && st.st_uid != 0)
		log_error("%s %s belongs to uid %u, not to the user running this (uid %u) or "
			  "root; refused: its owner could swap what we write there", what, n.buf,
			  (unsigned)st.st_uid, (unsigned)geteuid());
	else if (st.st_mode & 022)
		log_error("%s %s is mode %04o: group or others may write to it; refused "
			  "(chmod go-w %s)", what, n.buf, (unsigned)(st.st_mode & 07777), real);
	else
		rc = 0;
	if (rc == 0) {
		free(*dir);
		*dir = real;
		real = NULL;
	}
out:
	free(real);
	strbuf_release(&n);
	return rc;
}

static int world_writable(const char *what, const char *path, const struct stat *st)
{
	if (!(st->st_mode & 002))
		return 0;
	log_error("%s %s is mode %04o: anyone may change it; refused (chmod o-w %s)", what,
		  path, (unsigned)(st->st_mode & 07777), path);
	return 1;
}

int paths_conf_dir(const char *what, const char *dir)
{
	struct strbuf p = STRBUF_INIT;
	struct stat st;
	struct dirent *e;
	DIR *dh;
	int rc = 0;

	if (stat(dir, &st) || !(dh = opendir(dir))) {
		log_error("%s %s: %s", what, dir, strerror(errno));
		return -1;
	}
	if (world_writable(what, dir, &st))
		rc = -1;
	while (rc == 0 && (e = readdir(dh))) {
		if (e->d_name[0] == '.')
			continue;
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/%s", dir, e->d_name);
		if (stat(p.buf, &st) == 0 && S_ISREG(st.st_mode) &&
		    world_writable("file", p.buf, &st))
			rc = -1;
	}
	closedir(dh);
	strbuf_release(&p);
	return rc;
}

int paths_setup(struct pipeline_conf *c)
{
	if (paths_conf_dir("configuration directory", c->dir) ||
	    paths_conf_dir("schemas directory", c->schemas) ||
	    paths_own_dir("state directory", &c->state, 0700) ||
	    paths_own_dir("out directory", &c->out, 0750))
		return -1;
	return 0;
}
