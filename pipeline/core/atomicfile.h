/*
 * Outputs are written to a temporary name in the same directory, fsync'ed,
 * renamed over the final name, and the directory fsync'ed: a reader sees
 * the old file or the new one, never a part. Files are created with the
 * given mode (0600 or 0640: outputs hold CPR numbers).
 *
 *     struct atomic_file af;
 *     if (atomic_open(&af, path, 0640)) ...;
 *     fwrite(..., af.fp);
 *     if (atomic_commit(&af)) ...;   // or atomic_abort(&af) on error
 */
#ifndef ATOMICFILE_H
#define ATOMICFILE_H

#include <stdio.h>
#include <sys/types.h>

struct atomic_file {
	FILE *fp;
	char *path;
	char *tmp;
};

/* Returns 0, or -1 with the reason already reported. */
int atomic_open(struct atomic_file *af, const char *path, mode_t mode);
int atomic_commit(struct atomic_file *af);
void atomic_abort(struct atomic_file *af);

/* mkdir -p with mode for every directory it creates; 0 or -1 (reported). */
int mkdirs(const char *path, mode_t mode);
/* fsync a directory so a rename in it is durable. */
int fsync_dir(const char *dir);
/* Writes a whole buffer atomically. */
int atomic_write(const char *path, const void *data, size_t len, mode_t mode);

/*
 * Whether name is one of atomic_open()'s temporaries: NAME.tmp.XXXXXX.
 */
int atomic_is_tmp(const char *name);
/*
 * Removes the temporaries a killed writer left in dir (and, depth > 0,
 * in its subdirectories to that depth). Only for a directory whose
 * writers all hold a lock the caller holds (the state lock for OUT/DATE,
 * the archive lock for the archive), so every temporary in it is stale.
 * A missing dir is fine. The number removed, or -1 (reported).
 */
int atomic_sweep(const char *dir, int depth);

#endif
