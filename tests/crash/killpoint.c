/*
 * killpoint.so: an LD_PRELOAD shim that kills its process with SIGKILL at
 * an exact point, for crash tests that must hit one moment every time.
 *
 *   KILLPOINT=after-commit:N    after the N-th mdb_txn_commit() of the process
 *   KILLPOINT=before-commit:N   instead of the N-th commit (it never happens)
 *   KILLPOINT=after-rename:N    after the N-th rename()
 *   KILLPOINT=before-rename:N   instead of the N-th rename()
 *
 * Run one stage program under it (each program counts from 1):
 *   LD_PRELOAD=.../killpoint.so KILLPOINT=after-commit:3 bin/stage-normalise ...
 * or a whole night with KILLPOINT_PROG=stage-normalise: only the program of
 * that name acts (bin/pipeline passes its environment to every stage).
 * It dies of SIGKILL like kill -9. KILLPOINT_COUNT=FILE appends "PROG
 * commit N" / "PROG rename N" lines as they happen (how many points a run
 * has).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct MDB_txn MDB_txn;

static int counts[2];

static int mine(void)
{
	const char *prog = getenv("KILLPOINT_PROG");
	return !prog || !strcmp(prog, program_invocation_short_name);
}

static void note(const char *what, int n)
{
	const char *path = getenv("KILLPOINT_COUNT");
	FILE *f;
	if (path && mine() && (f = fopen(path, "a"))) {
		fprintf(f, "%s %s %d\n", program_invocation_short_name, what, n);
		fclose(f);
	}
}

/* Whether KILLPOINT names this call: 1 before it, 2 after it, 0 not. */
static int wanted(const char *what, int n)
{
	const char *kp = getenv("KILLPOINT");
	char want[64];
	if (!kp || !mine())
		return 0;
	snprintf(want, sizeof(want), "before-%s:%d", what, n);
	if (!strcmp(kp, want))
		return 1;
	snprintf(want, sizeof(want), "after-%s:%d", what, n);
	return !strcmp(kp, want) ? 2 : 0;
}

static void die(void)
{
	kill(getpid(), SIGKILL);
	_exit(137);
}

int mdb_txn_commit(MDB_txn *txn)
{
	static int (*real)(MDB_txn *);
	int n = ++counts[0], w = wanted("commit", n), rc;
	if (!real)
		real = (int (*)(MDB_txn *))dlsym(RTLD_NEXT, "mdb_txn_commit");
	if (w == 1)
		die();
	rc = real(txn);
	note("commit", n);
	if (w == 2)
		die();
	return rc;
}

int rename(const char *from, const char *to)
{
	static int (*real)(const char *, const char *);
	int n = ++counts[1], w = wanted("rename", n), rc;
	if (!real)
		real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
	if (w == 1)
		die();
	rc = real(from, to);
	note("rename", n);
	if (w == 2)
		die();
	return rc;
}
