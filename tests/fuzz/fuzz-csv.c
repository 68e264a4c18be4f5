/*
 * The CSV-through-schema path normalise reads every file by: csvin (line
 * ends, quotes, encodings, error rows, the restart of a late Windows-1252
 * file) and schema_read_row() (header, titles, trailer, cells, amounts).
 * The first byte picks the schema. Checked: an emitted amount is within
 * MONEY_FILE_MAX, a text within SCHEMA_TEXT_MAX, a rejected row has a
 * reason, and rows come in order of their lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/money.h"
#include "ingest/csvin.h"
#include "stages/normalise/schema.h"
#include "store/catalog.h"
#include "fuzz.h"

#ifndef FUZZ_SCHEMAS
#define FUZZ_SCHEMAS "erp-prisme-posteringer", "erp-opus-posteringer", \
	"ky-sumeindkomst", "skat-sumprenhed"
#endif

static const char *const names[] = { FUZZ_SCHEMAS };
enum { NSCHEMAS = sizeof(names) / sizeof(names[0]) };
static struct catalog cat;
static struct schema schemas[NSCHEMAS];
static struct record base;

struct run {
	struct schema_reader rd;
	struct schema *s;
	unsigned long last_line;
	struct strbuf why;
};

static int emit(const struct record *rec, unsigned sub, void *data)
{
	struct run *r = data;
	(void)sub;
	if (r->s->amount_field >= 0 && rec->v[r->s->amount_field].present) {
		money_t a = rec->v[r->s->amount_field].num;
		if (a > MONEY_FILE_MAX || a < -MONEY_FILE_MAX)
			abort();
	}
	for (int i = 0; i < cat.nfields; i++)
		if (rec->v[i].present && rec->v[i].text && rec->v[i].len > SCHEMA_TEXT_MAX)
			abort();
	return 0;
}

static int on_row(const struct csv_row *row, void *data)
{
	struct run *r = data;
	enum row_kind kind;
	unsigned col = 0;
	if (row->line < r->last_line)
		abort();
	r->last_line = row->line;
	strbuf_reset(&r->why);
	if (schema_read_row(&r->rd, row, &base, emit, r, &kind, &col, &r->why))
		abort();
	if (kind == ROW_BAD && !r->why.len)
		abort();
	return 0;
}

static int on_restart(void *data)
{
	struct run *r = data;
	struct schema *s = r->rd.s;
	memset(&r->rd, 0, sizeof(r->rd));
	r->rd.s = s;
	r->rd.file = "fuzz";
	r->last_line = 0;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int loaded;
	struct run r;
	struct csvin_opts o;
	FILE *f;
	if (!loaded) {
		log_init("fuzz");
		log_set_level(0);
		log_input_mute(1);
		if (catalog_load("schemas/stores", &cat))
			abort();
		for (int i = 0; i < NSCHEMAS; i++) {
			char path[256];
			snprintf(path, sizeof(path), "schemas/%s.schema", names[i]);
			if (schema_load(&cat, path, &schemas[i]))
				abort();
		}
		loaded = 1;
	}
	if (size == 0)
		return 0;
	memset(&r, 0, sizeof(r));
	strbuf_init(&r.why);
	r.s = &schemas[data[0] % NSCHEMAS];
	r.rd.s = r.s;
	r.rd.file = "fuzz";
	memset(&o, 0, sizeof(o));
	o.delimiter = r.s->delimiter;
	o.encoding = r.s->encoding;
	o.error_rows = 1;
	o.quotes_are_text = r.s->quotes_are_text;
	o.restart = on_restart;
	if (size == 1)
		return 0;
	f = fmemopen((void *)(data + 1), size - 1, "rb");
	if (!f)
		return 0;
	csvin_read_fp(f, "fuzz", &o, on_row, &r, NULL);
	fclose(f);
	strbuf_release(&r.why);
	return 0;
}
