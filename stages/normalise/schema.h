/*
 * Declarative schemas (schemas/NAME.schema) over the catalogue of canonical
 * fields and stores (schemas/stores, pipeline/store/catalog.h):
 *
 *   store NAME                 the store the rows go to (first)
 *   encoding auto|utf-8|windows-1252
 *   delimiter CHAR|tab
 *   quotes text                '"' is a character, not a quote: list
 *                              exports that never quote (KMD Opus, SAP)
 *   title-lines                rows before the header are titles (a list
 *                              export): the header is the first row holding
 *                              the name of the first 'column'
 *   header-marker TEXT         the first row is the header and its first
 *                              cell is TEXT (SKAT: 0000000; the first column
 *                              numbers the lines)
 *   trailer TEXT count COLUMN  the row whose first cell is TEXT ends the
 *                              file (SKAT: 9999999); its COLUMN holds the
 *                              number of data rows, which is checked: a
 *                              short file is refused. No trailer, or a row
 *                              after it, refuses the file
 *   parts                      a file is one part of a set, numbered by
 *                              {part} in its 'input' pattern: the parts are
 *                              read as one file, only when all are there
 *                              (1..N, no gap); only the last carries the
 *                              trailer's count (earlier parts may end in a
 *                              trailer without one, or none)
 *   skip-row COLUMN VALUE      a row whose cell in COLUMN is VALUE is no data
 *   column NAME FIELD [FLAGS]  flags: required optional pad-cpr
 *                              cpr-digits trailing-minus no-leading-zero
 *                              month-of-date debit credit
 *   amount COLUMN [FIELD VALUE] [FLAG]   one record per non-empty cell
 *   amounts "PREFIX{FIELD}SUFFIX" [FLAGS]  an amount per matching column
 *
 * Every data row must have as many cells as the header (a text with an
 * unquoted ';' shifts the cells: rejected, never read askew). A header
 * naming a column the schema reads twice is refused. A text over 65.535
 * bytes is rejected (the store keeps text lengths in 16 bits).
 *
 * Lifecycle: catalog_load() once; schema_load() per schema; per input file
 * a schema_reader and schema_read_row() per row (or, by hand,
 * schema_bind() with the header row and schema_row() per data row).
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
	COL_CPR_DIGITS = 128,	/* text: a CPR in either form is kept as its 10 digits */
	COL_NO_LEADING_ZERO = 256,	/* amounts like ,64 (SKAT drops the 0) */
};

/* The longest text a row may carry in one cell (bytes): the store's limit. */
enum { SCHEMA_TEXT_MAX = 65535 };

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
	unsigned flags;
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
	struct wide_amounts *wide;
	int nwide;
	int amount_field;
	struct skip_rule *skip;
	int nskip;
	int title_lines;	/* list export: title lines before the header */
	enum schema_format format;
	struct xml_schema *xml;	/* format xml: owned, see schemaxml.h */
	int quotes_are_text;	/* 'quotes text' */
	char *header_marker;	/* 'header-marker': the header's first cell */
	char *trailer_marker;	/* 'trailer': the trailer's first cell */
	char *trailer_count;	/* its column with the count of data rows */
	int trailer_count_index;	/* in the bound header */
	int parts;		/* 'parts': one part of a set of files */
	size_t header_cells;	/* cells of the bound header */
	char digest[65];
	struct row_cache *rows;	/* schema_row()'s memory, kept for the next row (owned) */
};

int schema_load(const struct catalog *cat, const char *path, struct schema *s);
void schema_free(struct schema *s);
/*
 * The catalogue index of field name, which s's store must hold (as a key
 * or a value); else a conf error at l (file:line) and -1. Shared by the CSV
 * and the XML directives (schemaxml.c).
 */
struct conf_line;
int schema_field(const struct conf_line *l, const struct schema *s, const char *name);

/*
 * Whether a row is the header: always the first row, unless the schema
 * says 'title-lines' (a list export, KMD Opus): then the first row holding
 * the name of the schema's first column, and the rows before it are titles.
 */
int schema_is_header(const struct schema *s, const struct csv_row *row);
/*
 * Binds the header row of file; reports (FILE:LINE[:COL]) missing columns
 * and a column the schema reads named twice. 0 or -1.
 */
int schema_bind(struct schema *s, const struct csv_row *header, const char *file);

/*
 * Parses one data row. base holds values known from the file name (se,
 * month); the row's own columns win. For each record the row yields (one
 * per non-empty amount cell, or one if the schema has no amounts) calls
 * emit(rec, sub, data). A row a 'skip-row' rule names, a repeat of the
 * header in a 'title-lines' export, or a row of empty cells emits nothing
 * and returns 0. A row that cannot be split (row->error), has another
 * number of cells than the header, or has a bad cell returns -1 with
 * *col (1-based, 0 for the row) and *why set, and emits nothing. An
 * amount beyond ±MONEY_FILE_MAX is a bad cell (money.h). Otherwise the
 * first nonzero return of emit.
 */
typedef int (*record_fn)(const struct record *rec, unsigned sub, void *data);
int schema_row(const struct schema *s, const struct csv_row *row,
	       const struct record *base, record_fn emit, void *data,
	       unsigned *col, struct strbuf *why);

/* What a row of a file is (schema_read_row()). */
enum row_kind {
	ROW_TITLE,	/* a title line before a list export's header: no row */
	ROW_HEADER,	/* the header, bound */
	ROW_TRAILER,	/* the trailer row: its count is in the reader */
	ROW_DATA,	/* a data row, loaded (its records emitted; maybe none) */
	ROW_BAD,	/* a data row rejected: *col and *why */
	ROW_REFUSE,	/* the file cannot be used: *why (reported here) */
};

/*
 * Reading one file (one part of a set) through a schema: which row is
 * the header, titles, data and the trailer. Zero it, set s and file.
 */
struct schema_reader {
	struct schema *s;
	const char *file;	/* names it in messages */
	int count_titles;	/* no header in this file: every row is a row */
	int header_seen;
	int refused;		/* its header did not bind: every later row is data */
	int trailer_seen;
	unsigned long trailer_line;
	int has_count;		/* the trailer carries a count */
	uint64_t count;
	int primed;		/* the schema's row record holds base (schema.c row_parse):
				 * zero it with the rest for each read, and between
				 * reads whose base differs */
};

/*
 * Classifies a row and, for a data row when emit is not NULL, parses it
 * (schema_row()). With emit NULL only classifies: a data row is ROW_DATA.
 * *kind is set; returns 0, or the first nonzero return of emit.
 */
int schema_read_row(struct schema_reader *rd, const struct csv_row *row,
		    const struct record *base, record_fn emit, void *data,
		    enum row_kind *kind, unsigned *col, struct strbuf *why);

/*
 * Parses text as a value of a type (used for overrides and file names).
 * scratch (VALUE_SCRATCH bytes) holds the normalised text of a CPR or SE.
 */
int value_parse(enum field_type t, unsigned flags, const char *s, size_t len,
		struct value *v, char *scratch, const char **why);

#endif
