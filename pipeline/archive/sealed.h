/*
 * The tamper-evident archive of sealed nights (../shared/spec/outputs.md,
 * Archive). An auditor must be able to rely on these files years later, so
 * everything is plain, documented text beside standard tar.gz files.
 *
 * In the archive directory (conf/archive.conf; 0750, every file 0440):
 *   BASE.tar.gz    the night's outputs: summary/, exceptions/, vouchers/,
 *                  rejected/, report.html, status (the ledger of the stages
 *                  before the archive) and inputs.csv (the night's landed
 *                  input files: relpath;sha256;size;rows;schema;status),
 *                  and landed/NIGHT/RELPATH: the bytes of the input files
 *                  of archive.conf's seal-input stores (the CPR residence
 *                  extract the refund decided against; NIGHT the night it
 *                  landed), checked against their SHA-256 when sealed; a
 *                  member like any other. Sorted members, mtime = the
 *                  night 00:00 UTC, uid/gid 0, mode 0440, gzip without a
 *                  timestamp: the same night gives the same bytes.
 *   BASE.manifest  conffile grammar:
 *                    night YYYY-MM-DD
 *                    retention-years N              (archive.conf when sealed)
 *                    why "TEXT"                     why: "first seal of the
 *                                 night", or for a revision what differs
 *                                 from the one before (members changed,
 *                                 added, removed; new input files)
 *                    archive BASE.tar.gz SHA256 SIZE
 *                    member SHA256 SIZE ROWS PATH    (every tar member)
 *                    input SHA256 SIZE ROWS RELPATH  (the input files;
 *                                 "quoted" when it has a blank or #)
 *   BASE.sealed    when it was sealed, one line:
 *                    sealed YYYY-MM-DDTHH:MM:SSZ    (UTC; SOURCE_DATE_EPOCH
 *                                 when set, for tests and the crash harness)
 *                  A record beside the manifest, not in it: the seal covers
 *                  what was sealed, not when, so the same night sealed
 *                  again (a fresh state, a rerun after a crash) gets the
 *                  same seal and the same OUT/DATE/status. Optional.
 *   chain          one seal record per sealing, in order:
 *                    seal SEQ NIGHT BASE MANIFEST_SHA256 PREV SEAL
 *                  SEAL = SHA-256 of the 128 hex characters PREV followed
 *                  by MANIFEST_SHA256; PREV of the first is 64 zeros.
 * BASE is the night (2021-02-05); a night sealed again with different
 * outputs (a rerun after a corrected drop) gets a new record and BASE
 * 2021-02-05.r2, the earlier revision stays. Sealing the same outputs again
 * changes nothing (the manifest without its why line is the same).
 * Archives sealed before the why line and BASE.sealed existed have
 * neither and verify as they always did: both are optional.
 *
 * What verify detects: a changed byte in a tar (its SHA-256 is in the
 * manifest) or in a manifest (its SHA-256 is in the seal record); a removed
 * or inserted night (every record links to the one before, every tar and
 * manifest must have a record, every record its files); an edited chain
 * (links). Rewriting the whole chain from a point on is only detected
 * against a seal kept elsewhere: stage-archive logs every night's seal in
 * the scheduler's log, and 'archive verify --anchor SEAL' checks the chain
 * still holds it.
 *
 * Retention: nights older than retention-years before the newest sealed
 * night, and never later than retention-years before today, lose their
 * manifest and then their tar; their seal records stay, so the links
 * still verify. verify takes the retention from the newest night's
 * manifest, or with --anchor from the anchored night's (sealed, so it
 * cannot be changed unseen, and no conf is needed), and accepts older
 * nights without a manifest. A night after today is never sealed, and a
 * seal record dated after today fails verify.
 */
#ifndef SEALED_H
#define SEALED_H

#include <stddef.h>
#include <stdint.h>

#include "core/digest.h"
#include "core/strbuf.h"

struct seal_rec {
	unsigned long seq;
	char night[11];
	char base[32];
	char manifest[DIGEST_HEXSZ];
	char prev[DIGEST_HEXSZ];
	char seal[DIGEST_HEXSZ];
};

struct chain {
	struct seal_rec *v;
	size_t n;
};

/* DIR/chain; a missing file is an empty chain. 0, or -1 reported. */
int chain_load(const char *dir, struct chain *ch);
void chain_free(struct chain *ch);
/* PREV of the first record: 64 zeros. */
extern const char seal_genesis[DIGEST_HEXSZ];
void seal_compute(const char *prev, const char *manifest, char out[DIGEST_HEXSZ]);
/* The newest record of night, or NULL. */
const struct seal_rec *chain_latest(const struct chain *ch, const char *night);
/* Today (YYYYMMDD) by the local clock. */
int32_t day_today(void);
/* The newest night of the chain, or 0. */
int32_t chain_newest(const struct chain *ch);
/* YYYYMMDD before which files may be retired: years before newest, capped
 * at years before today; 0 (keep all) for 0 years or no newest. */
int32_t retention_cutoff(int32_t newest, int years, int32_t today);

struct manifest_entry {
	char sha[DIGEST_HEXSZ];
	uint64_t size, rows;
	char *path;
};

struct manifest {
	char night[11];
	char archive[64], archive_sha[DIGEST_HEXSZ];
	uint64_t archive_size;
	int retention_years;
	char *why;		/* NULL in manifests older than the line */
	struct manifest_entry *members, *inputs;
	size_t nmembers, ninputs;
};

int manifest_load(const char *path, struct manifest *m);
void manifest_free(struct manifest *m);
const struct manifest_entry *manifest_member(const struct manifest *m, const char *path);

/* Calls fn with every member of a tar.gz, whole in memory, in tar order. */
typedef int (*member_fn)(const char *path, const void *data, size_t len, void *arg);
int tar_each(const char *tarpath, member_fn fn, void *arg);

/*
 * A revision of a night by name: "2021-02-05" (its newest revision), or
 * "2021-02-05.r2" / "2021-02-05.r1" (that revision; r1 is the night's
 * first seal, BASE "2021-02-05"). The record, or NULL when the chain has
 * none; *exact says whether a revision was named.
 */
const struct seal_rec *chain_revision(const struct chain *ch, const char *name, int *exact);
/* The revision number of a record: 1 for BASE == NIGHT, N for NIGHT.rN. */
unsigned seal_revision(const struct seal_rec *r);

/*
 * When revision BASE was sealed, from DIR/BASE.sealed, into when
 * ("YYYY-MM-DDTHH:MM:SSZ"). 0, or -1 when the file is not there or is not
 * that one line (said by the caller: an older archive has none).
 */
int sealed_when(const char *dir, const char *base, char when[24]);

/* "DIR/BASE.ext" into out. */
void archive_path(const char *dir, const char *base, const char *ext, struct strbuf *out);

#endif
