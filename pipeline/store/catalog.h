/*
 * The catalogue of canonical fields and stores (schemas/stores, whose
 * comments give the grammar): the field types, each store's key and value
 * fields, and a record, the values of one row of a store. It is what the
 * store needs of the schemas; reading a kind of file into records by its
 * schemas/NAME.schema is normalise's (stages/normalise/schema.h).
 */
#ifndef CATALOG_H
#define CATALOG_H

#include <stddef.h>
#include <stdint.h>

enum field_type {
	FT_TEXT, FT_MONEY, FT_INT, FT_MONTH, FT_DAY, FT_TIMESTAMP,
	FT_CPR, FT_SE, FT_FELTNR,
};

enum { MAX_FIELDS = 128, MAX_KEY = 4, MAX_VALUE = 32, VALUE_SCRATCH = 16 };

struct field_def {
	char *name;
	enum field_type type;
};

struct store_def {
	char *name;
	int nkey, nvalue;
	int key[MAX_KEY];	/* indexes into catalog fields */
	int value[MAX_VALUE];
	size_t key_width;	/* bytes of the key fields */
};

struct catalog {
	struct field_def fields[MAX_FIELDS];
	int nfields;
	struct store_def *stores;
	int nstores;
	char digest[65];	/* of the file: the store layout's version */
};

int catalog_load(const char *path, struct catalog *cat);
void catalog_free(struct catalog *cat);
const struct store_def *catalog_store(const struct catalog *cat, const char *name);
/* Index of a field, or -1. */
int catalog_field(const struct catalog *cat, const char *name);

/* A value of one canonical field. Text points into the row or the schema. */
struct value {
	int present;
	int64_t num;		/* money in øre, dates as YYYYMM[DD], feltnr */
	const char *text;	/* text, cpr (10 digits), se (8 digits) */
	size_t len;
};

struct record {
	struct value v[MAX_FIELDS];
};

#endif
