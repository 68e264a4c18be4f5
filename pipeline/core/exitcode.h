/*
 * Exit codes shared by bin/pipeline and every bin/stage-* program.
 * Breaks found by a matching stage are business, not failure: still 0.
 * Documented in README.md; keep both in step.
 */
#ifndef EXITCODE_H
#define EXITCODE_H

enum exit_code {
	EXIT_DONE = 0,		/* the work is done */
	EXIT_USAGE = 64,	/* bad command line or configuration */
	EXIT_BADDATA = 65,	/* input rows rejected, or a file could not be used at all */
	EXIT_NOINPUT = 66,	/* expected reports missing: a summary row MANGLER, or no
				   input at all (an empty night; match/recon.h) */
	EXIT_UNKNOWN = 67,	/* pipeline decide: an exception id the store or the
				   night does not know */
	EXIT_UNREACHABLE = 69,	/* a source could not be reached */
	EXIT_INTERNAL = 70,	/* a bug, the store or the file system failed */
	EXIT_LOCKED = 75,	/* another run holds the state directory */
};

/* `pipeline status` answers with these, so a script can ask it. */
enum status_code {
	STATUS_DONE = 0,	/* every stage done and current */
	STATUS_STALE = 1,	/* some stage's inputs changed since it ran */
	STATUS_FAILED = 2,	/* some stage failed, or was killed */
	STATUS_RUNNING = 3,	/* a live run holds the lock; nothing failed */
};

#endif
