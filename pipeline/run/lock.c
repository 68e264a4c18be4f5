#include "run/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/atomicfile.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/banned.h"

static int held = -1;

int lock_fd(void)
{
	return held;
}

/* A lock passed down by bin/pipeline: the same file, already locked. */
static int inherited(const char *path)
{
	const char *env = getenv("PIPELINE_LOCK_FD");
	struct stat a, b;
	char *end;
	long fd;
	if (!env || !*env)
		return 0;
	fd = strtol(env, &end, 10);
	if (*end || fd < 0 || fstat((int)fd, &a) || stat(path, &b))
		return 0;
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		return 0;
	held = (int)fd;
	return 1;
}

/*
 * Root writing into a service user's state leaves files (store pages,
 * landed files, outputs 0640 root:root) that the service cannot open: its
 * next run exits 70. So root may not take the lock of a state owned by
 * another user, nor create one inside a directory another user owns (the
 * nearest existing one up the path). 0 fine, 1 refused (reported).
 */
static int root_on_foreign_state(const char *statedir)
{
	struct strbuf p = STRBUF_INIT;
	struct stat sb;
	int rc = 0;
	if (geteuid() != 0)
		return 0;
	strbuf_addstr(&p, statedir);
	while (stat(p.buf, &sb)) {
		char *slash = strrchr(p.buf, '/');
		if (errno != ENOENT || !slash || slash == p.buf) {
			strbuf_release(&p);
			return 0;
		}
		*slash = '\0';
	}
	if (sb.st_uid != 0) {
		struct passwd *pw = getpwuid(sb.st_uid);
		char uid[32];
		snprintf(uid, sizeof(uid), "%lu", (unsigned long)sb.st_uid);
		log_error("%s belongs to user %s, and this runs as root: files root creates "
			  "there cannot be opened by that user (its next run would exit 70). "
			  "Run it as the owner: runuser -u %s -- COMMAND (or sudo -u %s COMMAND)",
			  p.buf, pw ? pw->pw_name : uid, pw ? pw->pw_name : uid,
			  pw ? pw->pw_name : uid);
		rc = 1;
	}
	strbuf_release(&p);
	return rc;
}

/* Who holds the lock of path (/proc/locks), for the message of --wait. */
static long lock_holder(const char *path)
{
	char line[256], want[64];
	struct stat sb;
	long pid = 0;
	FILE *f;
	if (stat(path, &sb) || !(f = fopen("/proc/locks", "re")))
		return 0;
	snprintf(want, sizeof(want), "%02x:%02x:%llu", major(sb.st_dev), minor(sb.st_dev),
		 (unsigned long long)sb.st_ino);
	while (!pid && fgets(line, sizeof(line), f)) {
		char type[16], id[64], arrow[8];
		long p;
		if (sscanf(line, "%*s %7s", arrow) == 1 && !strcmp(arrow, "->"))
			continue;	/* a waiter, not the holder */
		if (sscanf(line, "%*s %15s %*s %*s %ld %63s", type, &p, id) == 3 &&
		    !strcmp(type, "FLOCK") && !strcmp(id, want))
			pid = p;
	}
	fclose(f);
	return pid;
}

int lock_state(const char *statedir, int wait)
{
	struct strbuf path = STRBUF_INIT;
	int fd, rc = -1;

	if (root_on_foreign_state(statedir))
		return 2;
	if (mkdirs(statedir, 0700))
		return -1;
	strbuf_addf(&path, "%s/lock", statedir);
	if (inherited(path.buf)) {
		strbuf_release(&path);
		return 0;
	}
	fd = open(path.buf, O_RDWR | O_CREAT, 0600);
	if (fd < 0) {
		log_error("unable to open %s: %s", path.buf, strerror(errno));
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) && errno == EWOULDBLOCK && wait) {
		/* Said once, so a run that seems to hang says why. */
		long pid = lock_holder(path.buf);
		char who[48] = "";
		if (pid)
			snprintf(who, sizeof(who), " (pid %ld)", pid);
		log_info("waiting for the lock of %s: another run%s holds it; this run "
			 "starts when that one ends", statedir, who);
		while (flock(fd, LOCK_EX) && errno == EINTR)
			;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno == EWOULDBLOCK) {
			log_error("%s is locked by another run; try again when it has "
				  "finished (or use --wait)", statedir);
			rc = 1;
		} else {
			log_error("unable to lock %s: %s", path.buf, strerror(errno));
		}
		close(fd);
		goto out;
	}
	held = fd;
	rc = 0;
out:
	strbuf_release(&path);
	return rc;
}

/*
 * Read from /proc/locks rather than by trying the lock: even a shared
 * probe would make a run that starts at that instant find the state
 * locked (exit 75).
 */
int lock_probe(const char *statedir)
{
	struct strbuf path = STRBUF_INIT;
	char line[256], want[64];
	struct stat sb;
	FILE *f;
	int rc = 0;
	strbuf_addf(&path, "%s/lock", statedir);
	if (stat(path.buf, &sb)) {
		rc = errno == ENOENT || errno == ENOTDIR ? 0 : -1;
		strbuf_release(&path);
		return rc;
	}
	strbuf_release(&path);
	snprintf(want, sizeof(want), "%02x:%02x:%llu", major(sb.st_dev), minor(sb.st_dev),
		 (unsigned long long)sb.st_ino);
	if (!(f = fopen("/proc/locks", "re")))
		return -1;
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		char type[16], id[64];
		/* "1: FLOCK ADVISORY WRITE 4242 08:01:123 0 EOF"; "1: -> ..." waits */
		if (sscanf(line, "%*s %15s %*s %*s %*s %63s", type, id) == 2 &&
		    !strcmp(type, "FLOCK") && !strcmp(id, want))
			rc = 1;
	}
	fclose(f);
	return rc;
}
