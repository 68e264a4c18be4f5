/*
 * One run at a time per state directory: an exclusive flock on STATE/lock.
 * bin/pipeline takes it and passes the descriptor to the stages it runs
 * (PIPELINE_LOCK_FD), so a stage run alone takes it itself and a stage run
 * by the driver does not deadlock on its parent.
 */
#ifndef LOCK_H
#define LOCK_H

/*
 * 0 held, 1 held by another run (reported; with wait, it waits, saying
 * once on stderr for which lock and whose pid), 2 refused: root on a state
 * (or the directory it would be made in) that another user owns (reported,
 * naming the owner and runuser/sudo -u; a usage error, 64), -1 error.
 */
int lock_state(const char *statedir, int wait);
/* The descriptor to hand to children, or -1. */
int lock_fd(void);
/*
 * Whether a run holds statedir's lock now, without creating anything:
 * 1 held (a live run), 0 free or never created, -1 cannot tell.
 * `pipeline status` tells "running" from "failed" with it.
 */
int lock_probe(const char *statedir);

#endif
