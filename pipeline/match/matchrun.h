/*
 * The frame of a matching stage (stages/match-*): one read-write
 * transaction, the night's snapshot of each source store, every SE and
 * month any source holds, a callback per group, then the summary and
 * exception files, the ledger entry and the commit. A stage only writes
 * its per-group comparison.
 *
 *     static const char *const stores[] = { "eindkomst.ky_sum", ... };
 *     return match_run(ctx, "skat-afregning", stores, 2, per_group, &mine);
 *
 * The statuses, the files and the stage's exit code follow the one rule
 * of match/recon.h (conf/reconciliations.conf declares what the stage
 * reads and needs; every store it reads must be there).
 */
#ifndef MATCHRUN_H
#define MATCHRUN_H

#include "store/snapshot.h"
#include "match/recon.h"

enum { MATCH_MAX_SOURCES = 8 };

struct match_run {
	struct stage_ctx *ctx;
	MDB_txn *txn;
	int nsources;
	struct snapshot snap[MATCH_MAX_SOURCES];
	struct recon_out out;
	uint64_t records;	/* rows read, for the ledger */
	int overflow;		/* a sum overflowed: the input's amounts are implausible */
};

/* One SE and month of a night. */
struct match_group {
	char se[SE_LEN + 1];
	int32_t month;
};

/* Every SE and month the snapshots hold, once, sorted; free() it. */
struct match_group *match_groups(const struct snapshot *snap, int nsnap, size_t *ng);
/* The digest of what a stage read: conf and the chosen file of each source. */
void match_input_digest(const struct stage_ctx *ctx, const struct snapshot *snap, int nsnap,
			char out[65]);
/* Loads the night's snapshot of each store; 0 or -1 (reported). */
int match_load_snapshots(struct stage_ctx *ctx, MDB_txn *txn, const char *const *stores,
			 int n, struct snapshot *snap);

/*
 * A group's callback returns 0, or the stage's exit code with the reason
 * reported (EXIT_USAGE for configuration, EXIT_BADDATA for input); any
 * other non-zero value is EXIT_INTERNAL.
 */
typedef int (*match_group_fn)(struct match_run *m, const char *se, int32_t month,
			      void *data);
/* Runs the night; returns the stage's exit code (reported): 0, 66 when
 * reports are missing (match/recon.h), 64, 65 or 70. */
int match_run(struct stage_ctx *ctx, const char *recon, const char *const *stores,
	      int nstores, match_group_fn fn, void *data);

/* Calls fn for each row of source src for se and month; 0 or -1. */
typedef int (*match_row_fn)(struct match_run *m, const struct record *r, void *data);
int match_rows(struct match_run *m, int src, const char *se, int32_t month,
	       match_row_fn fn, void *data);
/* Whether the night has a file of source src for se and month. */
int match_has(const struct match_run *m, int src, const char *se, int32_t month);

/* Index of a canonical field, or -1 reported ("schemas/stores has no ..."). */
int match_field(const struct stage_ctx *ctx, const char *name);
/* *acc += v; an overflow marks the run failed (bad data, 65). */
void match_add(struct match_run *m, money_t *acc, money_t v);
/* a - b; an overflow marks the run failed as match_add does, and gives 0. */
money_t match_sub(struct match_run *m, money_t a, money_t b);
/* Whether text field f of r equals s. */
int match_text_is(const struct record *r, int f, const char *s);
/* Whether text field f of r starts with prefix. */
int match_text_starts(const struct record *r, int f, const char *prefix);

#endif
