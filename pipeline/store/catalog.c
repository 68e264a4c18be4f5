/* The catalogue of canonical fields and stores (schemas/stores): see catalog.h. */
#include "store/catalog.h"

#include <stdlib.h>
#include <string.h>

#include "core/conffile.h"
#include "core/digest.h"
#include "core/ident.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/banned.h"

static const struct { const char *name; enum field_type t; size_t width; } types[] = {
	{ "text", FT_TEXT, 0 },		{ "money", FT_MONEY, 0 },
	{ "int", FT_INT, 0 },		{ "month", FT_MONTH, 6 },
	{ "day", FT_DAY, 8 },		{ "timestamp", FT_TIMESTAMP, 0 },
	{ "cpr", FT_CPR, CPR_LEN },	{ "se", FT_SE, SE_LEN },
	{ "feltnr", FT_FELTNR, 4 },
};

static int type_lookup(const char *name, enum field_type *t, size_t *width)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(types[i].name, name)) {
			*t = types[i].t;
			*width = types[i].width;
			return 0;
		}
	return -1;
}

static size_t type_width(enum field_type t)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].t == t)
			return types[i].width;
	return 0;
}

int catalog_field(const struct catalog *cat, const char *name)
{
	for (int i = 0; i < cat->nfields; i++)
		if (!strcmp(cat->fields[i].name, name))
			return i;
	return -1;
}

const struct store_def *catalog_store(const struct catalog *cat, const char *name)
{
	for (int i = 0; i < cat->nstores; i++)
		if (!strcmp(cat->stores[i].name, name))
			return &cat->stores[i];
	return NULL;
}

static int catalog_fields_of(const struct conf_line *l, const struct catalog *cat,
			     int *out, int max, int keyed)
{
	if (l->argc < 2)
		return conf_error(l, "'%s' needs at least one field", l->argv[0]);
	if (l->argc - 1 > max)
		return conf_error(l, "'%s' has more than %d fields", l->argv[0], max);
	for (int i = 1; i < l->argc; i++) {
		int f = catalog_field(cat, l->argv[i]);
		if (f < 0)
			return conf_error(l, "unknown field '%s' (declare it with 'field')",
					  l->argv[i]);
		if (keyed && !type_width(cat->fields[f].type))
			return conf_error(l, "field '%s' of type %s cannot be a key",
					  l->argv[i], types[cat->fields[f].type].name);
		out[i - 1] = f;
	}
	return l->argc - 1;
}

static int catalog_line(const struct conf_line *l, void *data)
{
	struct catalog *cat = data;
	const char *d = l->argv[0];
	struct store_def *st = cat->nstores ? &cat->stores[cat->nstores - 1] : NULL;

	if (!strcmp(d, "field")) {
		size_t w;
		if (l->argc != 3)
			return conf_error(l, "usage: field NAME TYPE");
		if (catalog_field(cat, l->argv[1]) >= 0)
			return conf_error(l, "field '%s' declared twice", l->argv[1]);
		if (cat->nfields == MAX_FIELDS)
			return conf_error(l, "more than %d fields", MAX_FIELDS);
		struct field_def *f = &cat->fields[cat->nfields];
		if (type_lookup(l->argv[2], &f->type, &w))
			return conf_error(l, "unknown type '%s' (text money int month "
					  "day timestamp cpr se feltnr)", l->argv[2]);
		f->name = xstrdup(l->argv[1]);
		cat->nfields++;
		return 0;
	}
	if (!strcmp(d, "store")) {
		if (l->argc != 2)
			return conf_error(l, "usage: store NAME");
		if (catalog_store(cat, l->argv[1]))
			return conf_error(l, "store '%s' declared twice", l->argv[1]);
		cat->stores = xrealloc(cat->stores, (size_t)(cat->nstores + 1) * sizeof(*st));
		st = &cat->stores[cat->nstores++];
		memset(st, 0, sizeof(*st));
		st->name = xstrdup(l->argv[1]);
		return 0;
	}
	if (!strcmp(d, "key") || !strcmp(d, "value")) {
		int keyed = d[0] == 'k', n;
		if (!st)
			return conf_error(l, "'%s' before any 'store'", d);
		n = catalog_fields_of(l, cat, keyed ? st->key : st->value,
				      keyed ? MAX_KEY : MAX_VALUE, keyed);
		if (n < 0)
			return -1;
		if (keyed) {
			st->nkey = n;
			st->key_width = 0;
			for (int i = 0; i < n; i++)
				st->key_width += type_width(cat->fields[st->key[i]].type);
		} else {
			st->nvalue = n;
		}
		return 0;
	}
	return conf_error(l, "unknown directive '%s' (field, store, key, value)", d);
}

int catalog_load(const char *path, struct catalog *cat)
{
	uint64_t size;
	memset(cat, 0, sizeof(*cat));
	if (conf_read(path, catalog_line, cat)) {
		catalog_free(cat);
		return -1;
	}
	for (int i = 0; i < cat->nstores; i++)
		if (cat->stores[i].nkey < 2 || !cat->stores[i].nvalue ||
		    cat->stores[i].key[0] != catalog_field(cat, "se") ||
		    cat->stores[i].key[1] != catalog_field(cat, "month")) {
			log_input(path, 0, 0, "store '%s' needs 'value' and a 'key' starting "
				  "with se month (the store is read per SE and month)",
				  cat->stores[i].name);
			catalog_free(cat);
			return -1;
		}
	if (digest_file(path, cat->digest, &size)) {
		catalog_free(cat);
		return -1;
	}
	return 0;
}

void catalog_free(struct catalog *cat)
{
	for (int i = 0; i < cat->nfields; i++)
		free(cat->fields[i].name);
	for (int i = 0; i < cat->nstores; i++)
		free(cat->stores[i].name);
	free(cat->stores);
	memset(cat, 0, sizeof(*cat));
}
