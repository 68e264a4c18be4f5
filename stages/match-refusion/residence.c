/* Residence on a date: see residence.h. */
#include "residence.h"

#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/banned.h"

void residence_add(struct residence *r, const struct residence_row *row)
{
	r->v = xgrow(r->v, &r->alloc, r->n + 1, sizeof(*r->v));
	r->v[r->n++] = *row;
	r->sorted = 0;
}

static int cmp_row(const void *a, const void *b)
{
	const struct residence_row *x = a, *y = b;
	int c = strcmp(x->cpr, y->cpr);
	if (c)
		return c;
	if (x->fra != y->fra)
		return x->fra < y->fra ? -1 : 1;
	return (x->til > y->til) - (x->til < y->til);
}

void residence_sort(struct residence *r)
{
	if (r->n)
		qsort(r->v, r->n, sizeof(*r->v), cmp_row);
	r->sorted = 1;
}

enum residence_rc residence_at(const struct residence *r, const char *cpr, int32_t day,
			       char payer[5], const struct residence_row **row, int *ncover)
{
	size_t lo = 0, hi = r->n;
	int cover = 0, any = 0;
	const struct residence_row *hit = NULL;
	/* the first row of cpr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(r->v[mid].cpr, cpr) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < r->n && !strcmp(r->v[i].cpr, cpr); i++) {
		const struct residence_row *x = &r->v[i];
		any = 1;
		if (x->fra <= day && (x->til == 0 || day < x->til)) {
			cover++;
			hit = x;
		}
	}
	if (ncover)
		*ncover = cover;
	if (!any)
		return RES_UNKNOWN_CPR;
	if (cover != 1)
		return cover ? RES_AMBIGUOUS : RES_NONE;
	memcpy(payer, hit->betaling[0] ? hit->betaling : hit->kommune, 5);
	if (row)
		*row = hit;
	return RES_OK;
}

void residence_free(struct residence *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}
