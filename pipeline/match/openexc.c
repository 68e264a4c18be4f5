/* Which exceptions are open (openexc.h). */
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "match/openexc.h"
#include "store/decisions.h"

const char *exc_state_word(int state)
{
	static const char *const w[] = { "open", "explained", "detail", "decided" };
	return state >= EXC_OPEN && state <= EXC_DECIDED ? w[state] : "open";
}

/* Whether row r, a detail of det, has its parent among t's rows. */
static int has_parent(const struct recon_def *def, const struct recon_detail *det,
		      const struct csvtable *t, size_t r)
{
	int cse = csvtable_col(t, "se"), cmo = csvtable_col(t, "month");
	int ckey = csvtable_col(t, "key"), creason = csvtable_col(t, "reason");
	const char *key = det->key ? det->key : csvtable_get(t, r, ckey);
	char other[64];
	for (size_t q = 0; q < t->nrows; q++) {
		csv_reason_code(csvtable_get(t, q, creason), other, sizeof(other));
		/* '*': any open break of another breakdown (reconconf.h) */
		if ((!strcmp(det->parent, "*") ? recon_code_role(def, other, NULL) == EXC_BREAK :
						 !strcmp(other, det->parent)) &&
		    !strcmp(csvtable_get(t, q, cse), csvtable_get(t, r, cse)) &&
		    !strcmp(csvtable_get(t, q, cmo), csvtable_get(t, r, cmo)) &&
		    (!strcmp(key, "*") || !strcmp(csvtable_get(t, q, ckey), key)))
			return 1;
	}
	return 0;
}

int exc_states(const struct recon_def *def, const struct csvtable *t,
	       const unsigned char *decided, const char *path, unsigned char *state,
	       unsigned long *n, money_t *amount)
{
	int creason = csvtable_col(t, "reason"), camount = csvtable_col(t, "amount");
	char code[64];
	*n = 0;
	*amount = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		const struct recon_detail *det = NULL;
		const char *s = csvtable_get(t, r, camount), *why;
		int role = EXC_BREAK, st = EXC_OPEN;
		money_t v;
		if (money_parse(s, strlen(s), 0, &v, &why)) {
			log_input(path, t->lines[r], (unsigned)camount + 1, "amount '%s': %s", s, why);
			return -1;
		}
		csv_reason_code(csvtable_get(t, r, creason), code, sizeof(code));
		if (def)
			role = recon_code_role(def, code, &det);
		if (decided && decided[r])
			st = EXC_DECIDED;
		else if (role == EXC_EXPLAINS)
			st = EXC_EXPLAINED;
		else if (role == EXC_DETAIL && has_parent(def, det, t, r))
			st = EXC_IN_PARENT;
		if (state)
			state[r] = (unsigned char)st;
		if (st == EXC_OPEN) {
			(*n)++;
			*amount += v < 0 ? -v : v;
		}
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void exc_decided_from_file(const struct csvtable *exc, const struct csvtable *dec,
			   unsigned char *decided)
{
	int cid = csvtable_col(exc, "id");
	const char **ids;
	size_t k = 0;
	memset(decided, 0, exc->nrows);
	if (!dec || !dec->nrows)
		return;
	ids = xcalloc(dec->nrows, sizeof(*ids));
	for (size_t i = 0; i < dec->nrows; i++) {
		const char *d = csvtable_get(dec, i, csvtable_col(dec, "decision"));
		if (decision_explains(d) && !*csvtable_get(dec, i, csvtable_col(dec, "review")))
			ids[k++] = csvtable_get(dec, i, csvtable_col(dec, "id"));
	}
	qsort(ids, k, sizeof(*ids), cmp_str);
	for (size_t r = 0; r < exc->nrows; r++) {
		const char *id = csvtable_get(exc, r, cid);
		decided[r] = *id && bsearch(&id, ids, k, sizeof(*ids), cmp_str) != NULL;
	}
	free(ids);
}
