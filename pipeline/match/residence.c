/* Residence on a date: see match/residence.h. */
#include "match/residence.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "store/landed.h"
#include "store/snapshot.h"
#include "core/banned.h"

static int cmp_row(const void *a, const void *b)
{
	const struct residence_row *x = a, *y = b;
	int c = strcmp(x->cpr, y->cpr);
	return c ? c : (x->fra > y->fra) - (x->fra < y->fra);
}

/* 3-4 digits into 4 ("101" -> "0101"); -1 otherwise. "" stays "". */
static int kommune_copy(const struct value *v, char out[KOMMUNE_LEN + 1])
{
	out[0] = '\0';
	if (!v->present || !v->len)
		return 0;
	if (v->len < 3 || v->len > KOMMUNE_LEN)
		return -1;
	for (size_t i = 0; i < v->len; i++)
		if (v->text[i] < '0' || v->text[i] > '9')
			return -1;
	memset(out, '0', KOMMUNE_LEN - v->len);
	memcpy(out + KOMMUNE_LEN - v->len, v->text, v->len);
	out[KOMMUNE_LEN] = '\0';
	return 0;
}

int residence_load(struct residence_index *ri, struct store *st, MDB_txn *txn,
		   const struct store_def *sd, const char *se, int32_t night)
{
	const struct catalog *cat = st->cat;
	int f_cpr = catalog_field(cat, "cpr"), f_kom = catalog_field(cat, "kommune");
	int f_fra = catalog_field(cat, "fra"), f_til = catalog_field(cat, "til");
	int f_bet = catalog_field(cat, "betalingskommune");
	struct snapshot s;
	struct row_iter it;
	struct strbuf props = STRBUF_INIT, rel = STRBUF_INIT;
	size_t best = (size_t)-1, alloc = 0;
	int rc = 0;

	memset(ri, 0, sizeof(*ri));
	if (f_cpr < 0 || f_kom < 0 || f_fra < 0 || f_til < 0 || f_bet < 0) {
		log_error("store %s: a residence extract needs fields cpr, kommune, fra, til and "
			  "betalingskommune (schemas/stores)", sd->name);
		return -1;
	}
	if (snapshot_load(st, txn, sd, night, 1, night / 100, &s))
		return -1;
	/* the newest extract of se over every month: the greatest file-name date */
	for (size_t i = 0; i < s.n; i++)
		if (!strcmp(s.v[i].se, se) &&
		    (best == (size_t)-1 || s.v[i].namedate >= s.v[best].namedate))
			best = i;
	if (best == (size_t)-1)
		goto out;
	memcpy(ri->fileid, s.v[best].fileid, FILEID_LEN);
	if (file_props_get(st, txn, ri->fileid, &props) == 0 &&
	    props_get(&props, "relpath", &rel))
		xstrlcpy(ri->relpath, rel.buf, sizeof(ri->relpath));
	if (row_iter_open_entry(&it, st, txn, &s, best)) {
		rc = -1;
		goto out;
	}
	while (rc == 0 && (rc = row_iter_next(&it)) == 1) {
		const struct record *r = &it.rec;
		struct residence_row *row;
		rc = 0;
		if (!r->v[f_cpr].present || r->v[f_cpr].len != CPR_LEN || !r->v[f_fra].present)
			continue;	/* the schema requires both; nothing to look up */
		ri->v = xgrow(ri->v, &alloc, ri->n + 1, sizeof(*ri->v));
		row = &ri->v[ri->n];
		memcpy(row->cpr, r->v[f_cpr].text, CPR_LEN);
		row->cpr[CPR_LEN] = '\0';
		row->fra = (int32_t)r->v[f_fra].num;
		row->til = r->v[f_til].present ? (int32_t)r->v[f_til].num : 0;
		if (kommune_copy(&r->v[f_kom], row->kommune) || !row->kommune[0] ||
		    kommune_copy(&r->v[f_bet], row->betaler)) {
			log_input(ri->relpath, it.line, 0, "a municipality code is not 3-4 digits");
			rc = -1;
		} else if (row->til && row->til <= row->fra) {
			log_input(ri->relpath, it.line, 0, "Til is not after Fra");
			rc = -1;
		} else {
			ri->n++;
		}
	}
	row_iter_close(&it);
	if (rc == 0 && ri->n)
		qsort(ri->v, ri->n, sizeof(*ri->v), cmp_row);
out:
	snapshot_free(&s);
	strbuf_release(&props);
	strbuf_release(&rel);
	return rc < 0 ? -1 : 0;
}

void residence_free(struct residence_index *ri)
{
	free(ri->v);
	ri->v = NULL;
	ri->n = 0;
}

enum residence_rc residence_at(const struct residence_index *ri, const char *cpr,
			       int32_t day, char payer[KOMMUNE_LEN + 1],
			       const struct residence_row **row, int *ncover)
{
	size_t lo = 0, hi = ri->n;
	const struct residence_row *hit = NULL;
	int n = 0, any = 0;
	payer[0] = '\0';
	if (row)
		*row = NULL;
	while (lo < hi) {	/* the first row whose cpr >= cpr */
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(ri->v[mid].cpr, cpr) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < ri->n && !strcmp(ri->v[i].cpr, cpr); i++) {
		const struct residence_row *r = &ri->v[i];
		any = 1;
		if (r->fra <= day && (!r->til || day < r->til)) {
			hit = r;
			n++;
		}
	}
	if (ncover)
		*ncover = n;
	if (!any)
		return RES_UNKNOWN_CPR;
	if (n == 0)
		return RES_NONE;
	if (n > 1)
		return RES_AMBIGUOUS;
	memcpy(payer, hit->betaler[0] ? hit->betaler : hit->kommune, KOMMUNE_LEN + 1);
	if (row)
		*row = hit;
	return RES_OK;
}
