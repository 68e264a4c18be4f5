/*
 * The directories a run reads and writes, resolved once at start and
 * checked (SECURITY.md, "Paths"):
 *
 *   state, out, the archive: created when missing, then resolved with
 *     realpath() and refused (exit 64) unless the directory is owned by the
 *     user running us (or root) and neither group nor others may write to
 *     it: whoever may write there can swap a file or plant a symlink that
 *     our writes would follow, or read what we write through one. A symlink
 *     is followed and its target checked: pointing state at /srv/recon is
 *     fine, at a directory someone else controls is not. The resolved path
 *     replaces the configured one, so every later open goes where was
 *     checked (a state directory swapped during a night is caught by the
 *     lock: run/lock.h compares the lock file's inode).
 *   conf and schemas: refused when others (the world) may write the
 *     directory or a file in it: whoever can rewrite vouchers.conf posts
 *     money. Group-writable is allowed (a finance team may keep the rules).
 *   drops: not checked; what is in it is input, and treated as hostile.
 */
#ifndef PATHS_H
#define PATHS_H

#include <sys/types.h>

#include "run/conf.h"

/*
 * *dir (what: "state directory" ...): created with mode when missing,
 * resolved, checked as above; on success *dir is the resolved path (the
 * old string freed). 0, or -1 reported with the path, what it resolved to
 * and why.
 */
int paths_own_dir(const char *what, char **dir, mode_t mode);

/* A directory whose files configure us, and those files: 0, or -1 reported. */
int paths_conf_dir(const char *what, const char *dir);

/* state (0700), out (0750), the conf directory and schemas of c: 0 or -1. */
int paths_setup(struct pipeline_conf *c);

#endif
