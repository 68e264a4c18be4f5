/*
 * Declarative schemas (schemas/NAME.schema) over the catalogue of canonical
 * fields and stores (schemas/stores, pipeline/store/catalog.h). See
 * schemas/stores for the grammar.
 *
 * Lifecycle: catalog_load() once; schema_load() per schema; per input file
 * schema_bind() with its header row, then schema_row() per data row.
 * Everything is owned by the catalog / schema and freed by *_free().
 */
#ifndef SCHEMA_H
#define SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"
#include "store/catalog.h"
#include "ingest/csvin.h"

enum col_flags {
	COL_REQUIRED = 1,	/* column present and cell not empty */
	COL_OPTIONAL = 2,	/* column may be missing from the file */
	COL_PAD_CPR = 4,	/* a 9-digit CPR lost its leading 0 */
	COL_TRAILING_MINUS = 8,	/* amounts like 8.540,00- */
	COL_MONTH_OF_DATE = 16,	/* a month field read from a day or timestamp */
	COL_DEBIT = 32,		/* an amount column that cannot be negative */
	COL_CREDIT = 64,	/* an amount column that cannot be positive */
};

struct column_map {
	char *column;
	int field;
	unsigned flags;
	int index;		/* position in the bound header, -1 if absent */
	unsigned long lineno;	/* in the schema file, for messages */
	char *values;		/* NULL, or "J,N": a non-empty cell must be one of them */
};

struct amount_map {
	char *column;
	int set_field;		/* -1, or a field this amount overrides */
	struct value set;
	char *set_text;		/* owned storage of set.text */
	unsigned flags;
	int index;
};

struct wide_amounts {
	char *prefix, *suffix;	/* "Feltnr " "" around {field} */
	int field;
};

/* skip-row COLUMN VALUE: a row whose cell in COLUMN is VALUE is no data. */
struct skip_rule {
	char *column, *value;
	int index;		/* in the bound header, -1 if absent */
};

enum { MAX_SKIP_RULES = 8 };

/* 'format': CSV (the default) or XML (schemaxml.h: the XML part). */
enum schema_format { SCHEMA_CSV, SCHEMA_XML };
struct xml_schema;

struct schema {
	char *name;
	char *path;
	const struct catalog *cat;
	const struct store_def *store;
	enum csvin_encoding encoding;
	char delimiter;
	struct column_map *cols;
	int ncols;
	struct amount_map *amounts;	/* declared ones, then bound wide ones */
	int namounts, ndeclared;
	struct wide_amounts wide[4];
	int nwide;
	int amount_field;
	struct skip_rule skip[MAX_SKIP_RULES];
	int nskip;
	int title_lines;	/* list export: title lines before the header */
	enum schema_format format;
	struct xml_schema *xml;	/* format xml: owned, see schemaxml.h */
	char digest[65];
};

int schema_load(const struct catalog *cat, const char *path, struct schema *s);
void schema_free(struct schema *s);

/*
 * Whether a row is the header: always the first row, unless the schema
 * says 'title-lines' (a list export, KMD Opus): then the first row holding
 * the name of the schema's first column, and the rows before it are titles.
 */
int schema_is_header(const struct schema *s, const struct csv_row *row);
/* Binds the header row of file; reports missing columns. 0 or -1. */
int schema_bind(struct schema *s, const struct csv_row *header, const char *file);

/*
 * Parses one data row. base holds values known from the file name (se,
 * month); the row's own columns win. For each record the row yields (one
 * per non-empty amount cell, or one if the schema has no amounts) calls
 * emit(rec, sub, data). A row a 'skip-row' rule names, or a repeat of the
 * header in a 'title-lines' export, emits nothing and returns 0. On a bad cell returns -1 with *col (1-based) and
 * *why set, and emits nothing.
 */
typedef int (*record_fn)(const struct record *rec, unsigned sub, void *data);
int schema_row(const struct schema *s, const struct csv_row *row,
	       const struct record *base, record_fn emit, void *data,
	       unsigned *col, struct strbuf *why);

/*
 * Parses text as a value of a type (used for overrides and file names).
 * scratch (VALUE_SCRATCH bytes) holds the normalised text of a CPR or SE.
 */
int value_parse(enum field_type t, unsigned flags, const char *s, size_t len,
		struct value *v, char *scratch, const char **why);

#endif
