/*
 * The directories of a run, resolved once and checked (run/paths.h): modes,
 * owners, symlinks followed to what they point at, the conf and schemas
 * directories and their files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/strbuf.h"
#include "run/paths.h"
#include "test.h"

static char root[64], errs[4096];

static char *at(const char *rel)
{
	struct strbuf p = STRBUF_INIT;
	strbuf_addf(&p, "%s/%s", root, rel);
	return strbuf_detach(&p);
}

static void mkdir_mode(const char *rel, mode_t mode)
{
	char *p = at(rel);
	if (mkdir(p, 0700) || chmod(p, mode))
		abort();
	free(p);
}

/* f(...) with stderr kept in errs. */
#define CAPTURE(rc, call) do { \
	char err_[] = "/tmp/test-paths-err-XXXXXX"; \
	int fd_ = mkstemp(err_), saved_ = dup(2); \
	ssize_t n_; \
	fflush(stderr); \
	dup2(fd_, 2); \
	rc = call; \
	fflush(stderr); \
	dup2(saved_, 2); \
	close(saved_); \
	n_ = pread(fd_, errs, sizeof(errs) - 1, 0); \
	errs[n_ > 0 ? n_ : 0] = '\0'; \
	close(fd_); \
	unlink(err_); \
} while (0)

static int own(const char *rel, char **resolved)
{
	char *dir = at(rel);
	int rc;
	CAPTURE(rc, paths_own_dir("state directory", &dir, 0700));
	*resolved = dir;
	return rc;
}

static void test_own_dir(void)
{
	char *d, *want;
	struct stat st;

	CHECK(own("new/state", &d) == 0 && stat(d, &st) == 0 && S_ISDIR(st.st_mode) &&
	      (st.st_mode & 07777) == 0700, "a missing directory is created 0700");
	want = realpath(d, NULL);
	CHECK(want && !strcmp(d, want), "and resolved: %s", d);
	free(want);
	free(d);

	mkdir_mode("ok", 0750);
	CHECK(own("ok", &d) == 0 && d[0] == '/', "0750, ours: taken");
	free(d);
	mkdir_mode("gw", 0770);
	CHECK(own("gw", &d) == -1 && strstr(errs, "gw is mode 0770: group or others may write to "
					  "it; refused (chmod go-w"), "group-writable: %s", errs);
	free(d);
	mkdir_mode("ow", 0757);
	CHECK(own("ow", &d) == -1 && strstr(errs, "mode 0757"), "world-writable: %s", errs);
	free(d);
	mkdir_mode("sticky", 01777);
	CHECK(own("sticky", &d) == -1 && strstr(errs, "mode 1777"), "/tmp-like: %s", errs);
	free(d);

	{	/* a symlink: its target is what counts, and becomes the path */
		char *target = at("ok"), *link = at("link-ok");
		CHECK(symlink(target, link) == 0, "symlink");
		CHECK(own("link-ok", &d) == 0, "a symlink to our own directory: taken: %s", errs);
		want = realpath(target, NULL);
		CHECK(d && want && !strcmp(d, want), "a symlink to our own directory: resolved to "
		      "its target %s", d);
		free(want);
		free(d);
		free(target);
		free(link);
		target = at("gw");
		link = at("link-gw");
		CHECK(symlink(target, link) == 0, "symlink");
		CHECK(own("link-gw", &d) == -1 && strstr(errs, "link-gw (resolved to ") &&
		      strstr(errs, "/gw) is mode 0770"),
		      "a symlink into a directory others may write: refused, naming both: %s", errs);
		free(d);
		free(target);
		free(link);
	}
	{
		char *f = at("file");
		FILE *fp = fopen(f, "w");
		fclose(fp);
		CHECK(own("file", &d) == -1, "a file is not a directory: %s", errs);
		free(d);
		free(f);
	}
	if (geteuid() == 0) {	/* only root can give a directory away */
		char *p;
		mkdir_mode("theirs", 0750);
		p = at("theirs");
		CHECK(chown(p, 65534, 65534) == 0, "chown");
		CHECK(own("theirs", &d) == -1 && strstr(errs, "belongs to uid 65534, not to the user "
							 "running this (uid 0) or root"),
		      "another user's directory: %s", errs);
		free(d);
		free(p);
	} else {
		printf("# not root: another user's directory is not tried\n");
	}
}

static int conf(const char *rel)
{
	char *dir = at(rel);
	int rc;
	CAPTURE(rc, paths_conf_dir("configuration directory", dir));
	free(dir);
	return rc;
}

static void test_conf_dir(void)
{
	char *f;
	FILE *fp;
	mkdir_mode("conf", 0775);
	f = at("conf/vouchers.conf");
	fp = fopen(f, "w");
	fclose(fp);
	chmod(f, 0664);
	CHECK(conf("conf") == 0, "a group-writable conf (a team keeps it) is fine: %s", errs);
	chmod(f, 0666);
	CHECK(conf("conf") == -1 && strstr(errs, "file ") && strstr(errs, "conf/vouchers.conf is "
	      "mode 0666: anyone may change it; refused (chmod o-w"), "a world-writable file: %s",
	      errs);
	chmod(f, 0644);
	mkdir_mode("conf2", 0777);
	CHECK(conf("conf2") == -1 && strstr(errs, "configuration directory ") &&
	      strstr(errs, "conf2 is mode 0777"), "a world-writable directory: %s", errs);
	CHECK(conf("missing") == -1 && strstr(errs, "No such file"), "missing: %s", errs);
	free(f);
}

int main(void)
{
	char cmd[96];
	snprintf(root, sizeof(root), "/tmp/test-paths-XXXXXX");
	if (!mkdtemp(root))
		abort();
	umask(027);
	test_own_dir();
	test_conf_dir();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd))
		printf("# could not remove %s\n", root);
	return test_done();
}
