/*
 * conf/kommuner.conf: the 98 Danish municipalities, for charging and
 * checking inter-municipal refunds (seed 000; brief
 * ../shared/spec/seeds-000-001-003.md 1.2, "Municipality codes").
 *
 *   kommune CODE NAME cvr CVR [ean EAN] [kontakt "TEXT"]
 *
 * CODE 3 or 4 digits, kept as 4 (DAWA and CPR write 0101, many lists
 * 101); CVR 8 digits with modulus 11; EAN 13 digits with the GS1 check
 * digit. Errors "kommuner.conf:LINE: reason" (the stage exits 64): a bad
 * code, a code twice, a bad CVR or EAN, an unknown word. Not 98 codes is a
 * warning only: a municipal merger must not stop the night.
 */
#ifndef KOMMUNER_H
#define KOMMUNER_H

#include <stddef.h>

struct kommune {
	char code[5];		/* "0101" */
	char *name;		/* "København" */
	char cvr[9];
	char ean[14];		/* "" when not given */
	char *kontakt;		/* "" when not given */
	unsigned long lineno;
};

struct kommuner {
	char *path;
	struct kommune *v;	/* sorted by code */
	int n;
};

/* Loads path. 0, or -1 with the reason reported as path:line. */
int kommuner_load(const char *path, struct kommuner *k);
void kommuner_free(struct kommuner *k);
/* By code ("101" or "0101"); NULL when not a municipality of the file. */
const struct kommune *kommune_find(const struct kommuner *k, const char *code);
/*
 * By a name as a school writes it: NAME, "NAME Kommune" or "NAMEs Kommune",
 * compared without case (ASCII and æøå). NULL when none.
 */
const struct kommune *kommune_by_name(const struct kommuner *k, const char *name, size_t len);
/* "101" / "0101" -> "0101"; 0, or -1 when s[0..len) is not 3 or 4 digits. */
int kommune_code_parse(const char *s, size_t len, char out[5]);
/*
 * Folds s[0..len) for comparing without case: ASCII letters and Æ, Ø, Å
 * (UTF-8) to lower case; the result in out (NUL-terminated, at most
 * outsz - 1 bytes; longer input is cut).
 */
void fold_case(const char *s, size_t len, char *out, size_t outsz);

#endif
