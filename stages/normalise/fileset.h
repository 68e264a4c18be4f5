/*
 * The files one load reads: a landed file alone, or all the parts of a
 * set of files (a schema that says 'parts', whose 'input' pattern numbers
 * them with {part}: SKAT's PERSUM files split at 50.000 records, -001,
 * -002, ...). The parts of a set are one logical file: read in order of
 * their numbers, their rows kept under the last part's file id; whether
 * the set is complete is decided here (no part missing below the highest)
 * and by the trailer's count once read (normalise).
 */
#ifndef FILESET_H
#define FILESET_H

#include "run/conf.h"
#include "store/landed.h"
#include "store/store.h"

struct set_part {
	struct landed_file lf;
	char night[11];		/* the night it landed */
	int32_t part;		/* its {part} number; 0 for a file alone */
};

/*
 * The set that relpath (matched by rule, nm) is a part of: for each name
 * of the set, its newest landing on or before night (a rerun of an old
 * night reads what that night could). Sorted by part number. *key gets
 * the set's name (relpath with its number as '*'). 0, or -1 (reported).
 */
int fileset_gather(struct store *st, MDB_txn *txn, const char *night,
		   const struct input_rule *rule, const char *relpath,
		   const struct name_match *nm, struct set_part **parts, size_t *nparts,
		   struct strbuf *key);

/* The set name of a relpath with {part}: its number replaced by '*'. */
void fileset_key(const char *relpath, const struct name_match *nm, struct strbuf *key);

/*
 * Why the parts do not make a set (a number twice, a part missing below
 * the highest: "part 2 missing (parts 1, 3 present)"), into why; 0 when
 * they do.
 */
int fileset_check(const struct set_part *parts, size_t n, struct strbuf *why);

#endif
