/*
 * storerows: prints the rows a night reads of one store, as a matching
 * stage sees them (store/snapshot.h): per SE and month the chosen file,
 * or every visible file of an accumulating input, each file's rows in
 * key order. A test tool, not run as a test.
 *
 *   storerows --conf FILE --state DIR --date YYYY-MM-DD [--from YYYY-MM]
 *             [--to YYYY-MM] [--reports] [--show-cpr] STORE
 *
 * One line per row: FILE:LINE.SUB;field=value;... (every field of the
 * store, in its order; money 1234,56, days YYYY-MM-DD, a CPR masked
 * DDMMYY-xxxx unless --show-cpr). Months default to all.
 *
 *   storerows ... --residence SE CPR=YYYY-MM-DD... STORE
 *
 * instead asks match/residence.h who pays for each CPR on its day, with
 * the extract the night uses: "extract RELPATH ROWS", then per query
 * "CPR DAY PAYER|unknown-cpr|none|ambiguous(N)".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/ident.h"
#include "core/log.h"
#include "core/money.h"
#include "run/conf.h"
#include "store/catalog.h"
#include "store/landed.h"
#include "store/snapshot.h"
#include "store/store.h"
#include "match/residence.h"
#include "core/banned.h"

static void usage(void)
{
	fprintf(stderr, "usage: storerows --conf FILE --state DIR --date YYYY-MM-DD "
		"[--from YYYY-MM] [--to YYYY-MM] [--reports] [--show-cpr] "
		"[--residence SE CPR=YYYY-MM-DD...] STORE\n");
	exit(64);
}

static void value(const struct catalog *cat, int f, const struct value *v, int show_cpr,
		  struct strbuf *out)
{
	char b[64];
	if (!v->present)
		return;
	switch (cat->fields[f].type) {
	case FT_MONEY:
		strbuf_addstr(out, money_format(v->num, b));
		break;
	case FT_DAY:
		strbuf_addstr(out, day_format((int32_t)v->num, b));
		break;
	case FT_MONTH:
		strbuf_addstr(out, month_format((int32_t)v->num, b));
		break;
	case FT_TIMESTAMP:
		strbuf_addstr(out, timestamp_format(v->num, b));
		break;
	case FT_INT:
	case FT_FELTNR:
		strbuf_addf(out, "%lld", (long long)v->num);
		break;
	case FT_CPR:
		if (!show_cpr && v->len == CPR_LEN) {
			char m[CPR_MASKSZ];
			char c[CPR_LEN + 1];
			memcpy(c, v->text, CPR_LEN);
			c[CPR_LEN] = '\0';
			strbuf_addstr(out, cpr_mask(c, m));
			break;
		}
		/* fall through */
	default:
		strbuf_add(out, v->text, v->len);
	}
}

static void field(const struct catalog *cat, int f, const struct record *r, int show_cpr,
		  struct strbuf *out)
{
	strbuf_addf(out, ";%s=", cat->fields[f].name);
	value(cat, f, &r->v[f], show_cpr, out);
}

int main(int argc, char **argv)
{
	const char *conf = NULL, *state = NULL, *date = NULL, *store = NULL, *why;
	const char *residence = NULL, *queries[64];
	int nq = 0;
	int32_t night, from = 0, to = 999912;
	int reports = 0, show_cpr = 0, rc = 0;
	struct pipeline_conf c;
	struct catalog cat;
	struct store st;
	struct snapshot s;
	struct strbuf p = STRBUF_INIT, line = STRBUF_INIT, props = STRBUF_INIT, rel = STRBUF_INIT;
	const struct store_def *sd;
	MDB_txn *txn;

	log_init("storerows");
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--conf") && i + 1 < argc)
			conf = argv[++i];
		else if (!strcmp(argv[i], "--state") && i + 1 < argc)
			state = argv[++i];
		else if (!strcmp(argv[i], "--date") && i + 1 < argc)
			date = argv[++i];
		else if (!strcmp(argv[i], "--from") && i + 1 < argc)
			rc |= month_parse(argv[i + 1], strlen(argv[i + 1]), &from, &why), i++;
		else if (!strcmp(argv[i], "--to") && i + 1 < argc)
			rc |= month_parse(argv[i + 1], strlen(argv[i + 1]), &to, &why), i++;
		else if (!strcmp(argv[i], "--reports"))
			reports = 1;
		else if (!strcmp(argv[i], "--show-cpr"))
			show_cpr = 1;
		else if (!strcmp(argv[i], "--residence") && i + 1 < argc)
			residence = argv[++i];
		else if (residence && strchr(argv[i], '=') && nq < 64)
			queries[nq++] = argv[i];
		else if (argv[i][0] != '-' && !store)
			store = argv[i];
		else
			usage();
	}
	if (rc || !conf || !state || !date || !store || day_parse_iso(date, &night))
		usage();
	if (pipeline_conf_load(conf, &c))
		return 64;
	strbuf_addf(&p, "%s/stores", c.schemas);
	if (catalog_load(p.buf, &cat))
		return 64;
	if (!(sd = catalog_store(&cat, store))) {
		log_error("no store '%s' in %s", store, p.buf);
		return 64;
	}
	if (store_open_readonly(&st, state, &cat))
		return 70;
	st.accumulates = conf_accumulates;
	st.accumulates_data = &c;
	if (store_begin(&st, MDB_RDONLY, &txn))
		return 70;
	if (residence) {
		struct residence_index ri;
		rc = residence_load(&ri, &st, txn, sd, residence, night);
		if (rc == 0)
			printf("extract %s %zu\n", ri.relpath, ri.n);
		for (int q = 0; rc == 0 && q < nq; q++) {
			const char *eq = strchr(queries[q], '=');
			char cpr[CPR_LEN + 1], payer[KOMMUNE_LEN + 1];
			int32_t day;
			int n;
			enum residence_rc r;
			if (eq - queries[q] != CPR_LEN || day_parse_iso(eq + 1, &day))
				usage();
			memcpy(cpr, queries[q], CPR_LEN);
			cpr[CPR_LEN] = '\0';
			r = residence_at(&ri, cpr, day, payer, NULL, &n);
			if (r == RES_OK)
				printf("%s %s %s\n", cpr, eq + 1, payer);
			else if (r == RES_AMBIGUOUS)
				printf("%s %s ambiguous(%d)\n", cpr, eq + 1, n);
			else
				printf("%s %s %s\n", cpr, eq + 1, r == RES_NONE ? "none" : "unknown-cpr");
		}
		residence_free(&ri);
		mdb_txn_abort(txn);
		store_close(&st);
		catalog_free(&cat);
		pipeline_conf_free(&c);
		strbuf_release(&p);
		return rc ? 70 : 0;
	}
	rc = reports ? snapshot_load_reports(&st, txn, sd, night, from, to, &s)
		     : snapshot_load(&st, txn, sd, night, from, to, &s);
	for (size_t e = 0; rc == 0 && e < s.n; e++) {
		struct row_iter it;
		int r;
		strbuf_reset(&rel);
		if (file_props_get(&st, txn, s.v[e].fileid, &props) == 0)
			props_get(&props, "relpath", &rel);
		if (row_iter_open_entry(&it, &st, txn, &s, e)) {
			rc = -1;
			break;
		}
		while ((r = row_iter_next(&it)) == 1) {
			strbuf_reset(&line);
			strbuf_addf(&line, "%s:%u.%u", rel.buf, (unsigned)it.line, (unsigned)it.sub);
			for (int k = 0; k < sd->nkey; k++)
				field(&cat, sd->key[k], &it.rec, show_cpr, &line);
			for (int k = 0; k < sd->nvalue; k++)
				field(&cat, sd->value[k], &it.rec, show_cpr, &line);
			puts(line.buf);
		}
		row_iter_close(&it);
		if (r < 0)
			rc = -1;
	}
	snapshot_free(&s);
	mdb_txn_abort(txn);
	store_close(&st);
	catalog_free(&cat);
	pipeline_conf_free(&c);
	strbuf_release(&p);
	strbuf_release(&line);
	strbuf_release(&props);
	strbuf_release(&rel);
	return rc ? 70 : 0;
}
