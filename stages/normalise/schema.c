#include "schema.h"

#include <stdlib.h>
#include <string.h>

#include "core/conffile.h"
#include "core/date.h"
#include "core/digest.h"
#include "core/ident.h"
#include "core/log.h"
#include "core/money.h"
#include "schemaxml.h"
#include "core/banned.h"

int value_parse(enum field_type t, unsigned flags, const char *s, size_t len,
		struct value *v, char *scratch, const char **why)
{
	int32_t i32;
	int ok;

	v->present = 1;
	v->text = NULL;
	v->len = 0;
	switch (t) {
	case FT_TEXT:
		if (!utf8_valid(s, len)) {
			*why = "text is not valid UTF-8";
			return -1;
		}
		v->text = s, v->len = len;
		return 0;
	case FT_MONEY:
		return money_parse(s, len, (flags & COL_TRAILING_MINUS) ?
				   MONEY_TRAILING_MINUS : 0, &v->num, why);
	case FT_INT:
	case FT_FELTNR:
		if (len == 0 || len > (t == FT_FELTNR ? 4 : 18)) {
			*why = t == FT_FELTNR ? "field number is not 1-4 digits"
					      : "number has too many digits";
			return -1;
		}
		v->num = 0;
		for (size_t i = 0; i < len; i++) {
			if (s[i] < '0' || s[i] > '9') {
				*why = "number has a character that is not a digit";
				return -1;
			}
			v->num = v->num * 10 + (s[i] - '0');
		}
		return 0;
	case FT_MONTH:
		if (flags & COL_MONTH_OF_DATE) {
			/* A posting's day, or a timestamp, keys its month. */
			int64_t ts;
			if (timestamp_parse(s, len, &ts, why))
				return -1;
			v->num = ts / 1000000000LL / 100;
			return 0;
		}
		if (month_parse(s, len, &i32, why))
			return -1;
		v->num = i32;
		return 0;
	case FT_DAY:
		if (day_parse(s, len, &i32, why))
			return -1;
		v->num = i32;
		return 0;
	case FT_TIMESTAMP:
		return timestamp_parse(s, len, &v->num, why);
	case FT_CPR:
		if (cpr_parse(s, len, (flags & COL_PAD_CPR) ? CPR_PAD_LEADING_ZERO : 0,
			      scratch, &ok, why))
			return -1;
		v->text = scratch, v->len = CPR_LEN;
		return 0;
	case FT_SE:
		if (se_parse(s, len, scratch, why))
			return -1;
		v->text = scratch, v->len = SE_LEN;
		return 0;
	}
	*why = "unknown type";
	return -1;
}

static int parse_flags(const struct conf_line *l, int from, unsigned *flags)
{
	static const struct { const char *name; unsigned flag; } names[] = {
		{ "required", COL_REQUIRED }, { "optional", COL_OPTIONAL },
		{ "pad-cpr", COL_PAD_CPR }, { "trailing-minus", COL_TRAILING_MINUS },
		{ "month-of-date", COL_MONTH_OF_DATE }, { "debit", COL_DEBIT },
		{ "credit", COL_CREDIT },
	};
	*flags = 0;
	for (int i = from; i < l->argc; i++) {
		size_t k;
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (!strcmp(names[k].name, l->argv[i]))
				break;
		if (k == sizeof(names) / sizeof(names[0]))
			return conf_error(l, "unknown flag '%s' (required, optional, "
					  "pad-cpr, trailing-minus, month-of-date, debit, credit)",
					  l->argv[i]);
		*flags |= names[k].flag;
	}
	if ((*flags & COL_REQUIRED) && (*flags & COL_OPTIONAL))
		return conf_error(l, "a column cannot be both required and optional");
	return 0;
}

static int schema_field(const struct conf_line *l, const struct schema *s,
			const char *name)
{
	int f = catalog_field(s->cat, name);
	if (f < 0)
		return conf_error(l, "unknown field '%s' (see schemas/stores)", name);
	for (int i = 0; i < s->store->nkey; i++)
		if (s->store->key[i] == f)
			return f;
	for (int i = 0; i < s->store->nvalue; i++)
		if (s->store->value[i] == f)
			return f;
	return conf_error(l, "store '%s' has no field '%s'", s->store->name, name);
}

/* values=A,B,...: the closed set of a flag or code column (J/N, a status). */
static int column_values(const struct conf_line *l, struct column_map *c)
{
	for (int i = 3; i < l->argc; i++) {
		const char *v = l->argv[i];
		if (strncmp(v, "values=", 7))
			continue;
		if (c->values)
			return conf_error(l, "values= given twice");
		if (!v[7] || v[7] == ',' || v[strlen(v) - 1] == ',' || strstr(v, ",,"))
			return conf_error(l, "usage: values=VALUE,VALUE...");
		c->values = xstrdup(v + 7);
	}
	return 0;
}

/* Whether a cell is one of a column's values ("J,N"). */
static int value_listed(const char *values, const char *cell, size_t len)
{
	for (const char *p = values; *p;) {
		size_t n = strcspn(p, ",");
		if (n == len && !memcmp(p, cell, len))
			return 1;
		p += n + (p[n] == ',');
	}
	return 0;
}

static int directive_column(const struct conf_line *l, struct schema *s)
{
	struct column_map *c;
	struct conf_line flagwords = *l;	/* the flags, values= taken out */
	int f;
	if (l->argc < 3)
		return conf_error(l, "usage: column NAME FIELD [FLAGS...]");
	if ((f = schema_field(l, s, l->argv[2])) < 0)
		return -1;
	flagwords.argc = 0;
	for (int i = 0; i < l->argc; i++)
		if (i < 3 || strncmp(l->argv[i], "values=", 7))
			flagwords.argv[flagwords.argc++] = l->argv[i];
	s->cols = xrealloc(s->cols, (size_t)(s->ncols + 1) * sizeof(*s->cols));
	c = &s->cols[s->ncols];
	memset(c, 0, sizeof(*c));
	if (column_values(l, c) || parse_flags(&flagwords, 3, &c->flags)) {
		free(c->values);
		return -1;
	}
	c->column = xstrdup(l->argv[1]);
	c->field = f;
	c->index = -1;
	c->lineno = l->lineno;
	s->ncols++;
	return 0;
}

static void amount_add(struct schema *s, const char *column, int set_field,
		       const char *set_text, unsigned flags)
{
	struct amount_map *a;
	s->amounts = xrealloc(s->amounts, (size_t)(s->namounts + 1) * sizeof(*a));
	a = &s->amounts[s->namounts++];
	memset(a, 0, sizeof(*a));
	a->column = xstrdup(column);
	a->set_field = set_field;
	a->set_text = set_text ? xstrdup(set_text) : NULL;
	a->flags = flags;
	a->index = -1;
}

/* Parses an override value; text types keep their own copy. */
static int amount_set(struct schema *s, struct amount_map *a, const char **why)
{
	enum field_type t = s->cat->fields[a->set_field].type;
	char scratch[VALUE_SCRATCH];
	if (value_parse(t, 0, a->set_text, strlen(a->set_text), &a->set, scratch, why))
		return -1;
	if (a->set.text) {
		/* The parsed text may point into set_text: copy before freeing. */
		char *own = xmalloc(a->set.len + 1);
		memcpy(own, a->set.text, a->set.len);
		own[a->set.len] = '\0';
		free(a->set_text);
		a->set_text = own;
		a->set.text = own;
	}
	return 0;
}

static int directive_amount(const struct conf_line *l, struct schema *s)
{
	int f = -1;
	unsigned flags = 0;
	const char *why;
	if (l->argc < 2 || l->argc > 5)
		return conf_error(l, "usage: amount COLUMN [FIELD VALUE] [trailing-minus]");
	if (l->argc == 3 && parse_flags(l, 2, &flags))	/* amount COLUMN FLAG */
		return -1;
	if (l->argc >= 4 && (f = schema_field(l, s, l->argv[2])) < 0)
		return -1;
	if (l->argc == 5 && parse_flags(l, 4, &flags))
		return -1;
	amount_add(s, l->argv[1], f, l->argc >= 4 ? l->argv[3] : NULL, flags);
	if (f >= 0 && amount_set(s, &s->amounts[s->namounts - 1], &why))
		return conf_error(l, "value '%s' for %s: %s", l->argv[3], l->argv[2], why);
	return 0;
}

static int directive_amounts(const struct conf_line *l, struct schema *s)
{
	const char *open, *close;
	struct wide_amounts *w;
	struct strbuf name = STRBUF_INIT;
	int f;
	if (l->argc != 2)
		return conf_error(l, "usage: amounts \"PREFIX{FIELD}SUFFIX\"");
	open = strchr(l->argv[1], '{');
	close = open ? strchr(open, '}') : NULL;
	if (!close || close == open + 1)
		return conf_error(l, "amounts pattern needs {FIELD}");
	if (s->nwide == 4)
		return conf_error(l, "more than 4 'amounts' patterns");
	strbuf_add(&name, open + 1, (size_t)(close - open - 1));
	f = schema_field(l, s, name.buf);
	strbuf_release(&name);
	if (f < 0)
		return -1;
	w = &s->wide[s->nwide++];
	w->prefix = xmalloc((size_t)(open - l->argv[1]) + 1);
	memcpy(w->prefix, l->argv[1], (size_t)(open - l->argv[1]));
	w->prefix[open - l->argv[1]] = '\0';
	w->suffix = xstrdup(close + 1);
	w->field = f;
	return 0;
}

static int directive_skip(const struct conf_line *l, struct schema *s)
{
	struct skip_rule *k;
	if (l->argc != 3)
		return conf_error(l, "usage: skip-row COLUMN VALUE");
	if (s->nskip == MAX_SKIP_RULES)
		return conf_error(l, "more than %d 'skip-row' rules", MAX_SKIP_RULES);
	k = &s->skip[s->nskip++];
	k->column = xstrdup(l->argv[1]);
	k->value = xstrdup(l->argv[2]);
	k->index = -1;
	return 0;
}

static int schema_line(const struct conf_line *l, void *data)
{
	struct schema *s = data;
	const char *d = l->argv[0];

	if (!strcmp(d, "store")) {
		if (l->argc != 2)
			return conf_error(l, "usage: store NAME");
		if (s->store)
			return conf_error(l, "'store' given twice");
		s->store = catalog_store(s->cat, l->argv[1]);
		if (!s->store)
			return conf_error(l, "unknown store '%s' (see schemas/stores)",
					  l->argv[1]);
		return 0;
	}
	if (!s->store)
		return conf_error(l, "'%s' before 'store'", d);
	{	/* 'format', and every directive of a format xml schema (schemaxml.h) */
		int rc = schema_xml_line(l, s);
		if (rc != 1)
			return rc;
	}
	if (!strcmp(d, "encoding")) {
		if (l->argc != 2)
			return conf_error(l, "usage: encoding auto|utf-8|windows-1252");
		if (!strcmp(l->argv[1], "auto"))
			s->encoding = CSVIN_AUTO;
		else if (!strcmp(l->argv[1], "utf-8"))
			s->encoding = CSVIN_UTF8;
		else if (!strcmp(l->argv[1], "windows-1252"))
			s->encoding = CSVIN_CP1252;
		else
			return conf_error(l, "unknown encoding '%s' (auto, utf-8, "
					  "windows-1252)", l->argv[1]);
		return 0;
	}
	if (!strcmp(d, "delimiter")) {
		const char *v = l->argv[1];
		if (l->argc != 2 || (strlen(v) != 1 && strcmp(v, "tab")))
			return conf_error(l, "usage: delimiter CHAR|tab");
		s->delimiter = strcmp(v, "tab") ? v[0] : '\t';
		return 0;
	}
	if (!strcmp(d, "skip-row"))
		return directive_skip(l, s);
	if (!strcmp(d, "title-lines")) {
		if (l->argc != 1)
			return conf_error(l, "usage: title-lines");
		s->title_lines = 1;
		return 0;
	}
	if (!strcmp(d, "column"))
		return directive_column(l, s);
	if (!strcmp(d, "amount"))
		return directive_amount(l, s);
	if (!strcmp(d, "amounts"))
		return directive_amounts(l, s);
	return conf_error(l, "unknown directive '%s' (store, encoding, delimiter, "
			  "title-lines, skip-row, column, amount, amounts)", d);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

int schema_load(const struct catalog *cat, const char *path, struct schema *s)
{
	uint64_t size;
	const char *b = base_name(path);
	const char *dot = strrchr(b, '.');

	memset(s, 0, sizeof(*s));
	s->cat = cat;
	s->delimiter = ';';
	s->path = xstrdup(path);
	s->name = xstrdup(b);
	if (dot)
		s->name[dot - b] = '\0';
	s->amount_field = catalog_field(cat, "amount");
	if (conf_read(path, schema_line, s))
		goto fail;
	if (!s->store) {
		log_input(path, 0, 0, "no 'store' directive");
		goto fail;
	}
	if (s->format == SCHEMA_XML && schema_xml_finish(s))
		goto fail;
	if ((s->namounts || s->nwide) && s->amount_field < 0) {
		log_input(path, 0, 0, "'amount' needs a field named amount in the store");
		goto fail;
	}
	s->ndeclared = s->namounts;
	if (digest_file(path, s->digest, &size))
		goto fail;
	return 0;
fail:
	schema_free(s);
	return -1;
}

void schema_free(struct schema *s)
{
	schema_xml_free(s);
	for (int i = 0; i < s->ncols; i++) {
		free(s->cols[i].column);
		free(s->cols[i].values);
	}
	for (int i = 0; i < s->namounts; i++) {
		free(s->amounts[i].column);
		free(s->amounts[i].set_text);
	}
	for (int i = 0; i < s->nwide; i++) {
		free(s->wide[i].prefix);
		free(s->wide[i].suffix);
	}
	for (int i = 0; i < s->nskip; i++) {
		free(s->skip[i].column);
		free(s->skip[i].value);
	}
	free(s->cols);
	free(s->amounts);
	free(s->name);
	free(s->path);
	memset(s, 0, sizeof(*s));
}

/* Whether cell i of row, without surrounding spaces, is name. */
static int cell_is(const struct csv_row *row, int i, const char *name)
{
	const char *p;
	size_t len, n = strlen(name);
	if (i < 0 || (size_t)i >= row->nfields)
		return 0;
	p = row->fields[i].ptr;
	len = row->fields[i].len;
	while (len && *p == ' ')
		p++, len--;
	while (len && p[len - 1] == ' ')
		len--;
	return len == n && !memcmp(p, name, n);
}

static int header_index(const struct csv_row *h, const char *name)
{
	for (size_t i = 0; i < h->nfields; i++)
		if (cell_is(h, (int)i, name))
			return (int)i;
	return -1;
}

/* Adds an amount for each header cell PREFIX<value>SUFFIX of a wide pattern. */
static int bind_wide(struct schema *s, const struct wide_amounts *w,
		     const struct csv_row *h, const char *file)
{
	size_t pl = strlen(w->prefix), sl = strlen(w->suffix);
	for (size_t i = 0; i < h->nfields; i++) {
		const char *p = h->fields[i].ptr, *why;
		size_t len = h->fields[i].len;
		struct strbuf v = STRBUF_INIT;
		if (len <= pl + sl || memcmp(p, w->prefix, pl) ||
		    memcmp(p + len - sl, w->suffix, sl))
			continue;
		strbuf_add(&v, p + pl, len - pl - sl);
		amount_add(s, p, w->field, v.buf, 0);
		strbuf_release(&v);
		s->amounts[s->namounts - 1].index = (int)i;
		if (amount_set(s, &s->amounts[s->namounts - 1], &why)) {
			log_input(file, h->line, (unsigned)i + 1,
				  "column '%s' does not name a %s: %s", p,
				  s->cat->fields[w->field].name, why);
			return -1;
		}
	}
	return 0;
}

int schema_bind(struct schema *s, const struct csv_row *h, const char *file)
{
	int rc = 0;
	while (s->namounts > s->ndeclared) {
		struct amount_map *a = &s->amounts[--s->namounts];
		free(a->column);
		free(a->set_text);
	}
	for (int i = 0; i < s->ncols; i++) {
		struct column_map *c = &s->cols[i];
		c->index = header_index(h, c->column);
		if (c->index < 0 && !(c->flags & COL_OPTIONAL)) {
			log_input(file, h->line, 0, "missing column '%s' (schema %s)",
				  c->column, s->name);
			rc = -1;
		}
	}
	for (int i = 0; i < s->ndeclared; i++) {
		struct amount_map *a = &s->amounts[i];
		a->index = header_index(h, a->column);
		if (a->index < 0) {
			log_input(file, h->line, 0, "missing column '%s' (schema %s)",
				  a->column, s->name);
			rc = -1;
		}
	}
	for (int i = 0; i < s->nskip; i++) {
		s->skip[i].index = header_index(h, s->skip[i].column);
		if (s->skip[i].index < 0) {
			log_input(file, h->line, 0, "missing column '%s' of a skip-row rule (schema %s)",
				  s->skip[i].column, s->name);
			rc = -1;
		}
	}
	for (int i = 0; i < s->nwide && rc == 0; i++)
		rc = bind_wide(s, &s->wide[i], h, file);
	return rc;
}

int schema_is_header(const struct schema *s, const struct csv_row *row)
{
	if (!s->title_lines || s->ncols == 0)
		return 1;
	return header_index(row, s->cols[0].column) >= 0;
}

/* A 'skip-row' row, or a list export's header repeated above a block. */
static int row_skipped(const struct schema *s, const struct csv_row *row)
{
	for (int i = 0; i < s->nskip; i++)
		if (cell_is(row, s->skip[i].index, s->skip[i].value))
			return 1;
	return s->title_lines && s->ncols &&
	       cell_is(row, s->cols[0].index, s->cols[0].column);
}

struct row_state {
	struct record rec;
	char scratch[MAX_FIELDS][VALUE_SCRATCH];
	money_t amount[256];
	unsigned char has_amount[256];
};

static int row_fail(unsigned *col, struct strbuf *why, unsigned c,
		    const char *column, const char *reason)
{
	*col = c;
	strbuf_reset(why);
	if (column)
		strbuf_addf(why, "%s: %s", column, reason);
	else
		strbuf_addstr(why, reason);
	return -1;
}

static int row_columns(const struct schema *s, const struct csv_row *row,
		       struct row_state *st, unsigned *col, struct strbuf *why)
{
	for (int i = 0; i < s->ncols; i++) {
		const struct column_map *c = &s->cols[i];
		const struct csv_field *cell;
		const char *reason;
		enum field_type t = s->cat->fields[c->field].type;
		if (c->index < 0)
			continue;
		cell = &row->fields[c->index];
		if (cell->len == 0) {
			if (c->flags & COL_REQUIRED)
				return row_fail(col, why, (unsigned)c->index + 1,
						c->column, "required value is empty");
			continue;
		}
		if (c->values && !value_listed(c->values, cell->ptr, cell->len)) {
			struct strbuf m = STRBUF_INIT;
			strbuf_addf(&m, "value is not one of %s", c->values);
			row_fail(col, why, (unsigned)c->index + 1, c->column, m.buf);
			strbuf_release(&m);
			return -1;
		}
		if (value_parse(t, c->flags, cell->ptr, cell->len, &st->rec.v[c->field],
				st->scratch[c->field], &reason))
			return row_fail(col, why, (unsigned)c->index + 1, c->column, reason);
	}
	return 0;
}

static int row_amounts(const struct schema *s, const struct csv_row *row,
		       struct row_state *st, unsigned *col, struct strbuf *why)
{
	if (s->namounts > 256)
		return row_fail(col, why, 0, NULL, "more than 256 amount columns");
	for (int i = 0; i < s->namounts; i++) {
		const struct amount_map *a = &s->amounts[i];
		const struct csv_field *cell = &row->fields[a->index];
		const char *reason;
		st->has_amount[i] = cell->len > 0;
		if (cell->len && money_parse(cell->ptr, cell->len,
					     (a->flags & COL_TRAILING_MINUS) ?
					     MONEY_TRAILING_MINUS : 0,
					     &st->amount[i], &reason))
			return row_fail(col, why, (unsigned)a->index + 1, a->column, reason);
		/* A debit column holding a credit is an export error, not a guess. */
		if (cell->len && (((a->flags & COL_DEBIT) && st->amount[i] < 0) ||
				  ((a->flags & COL_CREDIT) && st->amount[i] > 0)))
			return row_fail(col, why, (unsigned)a->index + 1, a->column,
					(a->flags & COL_DEBIT) ? "a debit amount cannot be negative"
					: "a credit amount cannot be positive");
	}
	return 0;
}

static int row_keys_present(const struct schema *s, const struct record *r,
			    unsigned *col, struct strbuf *why)
{
	for (int i = 0; i < s->store->nkey; i++)
		if (!r->v[s->store->key[i]].present) {
			struct strbuf m = STRBUF_INIT;
			strbuf_addf(&m, "no value for key field '%s'",
				    s->cat->fields[s->store->key[i]].name);
			row_fail(col, why, 0, NULL, m.buf);
			strbuf_release(&m);
			return -1;
		}
	return 0;
}

int schema_row(const struct schema *s, const struct csv_row *row,
	       const struct record *base, record_fn emit, void *data,
	       unsigned *col, struct strbuf *why)
{
	struct row_state *st;
	size_t want = 0;
	int rc = 0;
	unsigned sub = 0;

	if (row_skipped(s, row))
		return 0;
	st = xmalloc(sizeof(*st));
	for (int i = 0; i < s->ncols; i++)
		if (s->cols[i].index >= 0 && (size_t)s->cols[i].index >= want)
			want = (size_t)s->cols[i].index + 1;
	for (int i = 0; i < s->namounts; i++)
		if ((size_t)s->amounts[i].index >= want)
			want = (size_t)s->amounts[i].index + 1;
	st->rec = *base;
	if (row->nfields < want) {
		struct strbuf m = STRBUF_INIT;
		strbuf_addf(&m, "row has %zu columns, the schema needs %zu",
			    row->nfields, want);
		rc = row_fail(col, why, 0, NULL, m.buf);
		strbuf_release(&m);
	}
	if (!rc)
		rc = row_columns(s, row, st, col, why);
	if (!rc)
		rc = row_amounts(s, row, st, col, why);
	if (!rc)
		rc = row_keys_present(s, &st->rec, col, why);
	for (int i = 0; !rc && i < s->namounts; i++) {
		struct record r;
		if (!st->has_amount[i])
			continue;
		r = st->rec;
		r.v[s->amount_field] = (struct value){ 1, st->amount[i], NULL, 0 };
		if (s->amounts[i].set_field >= 0)
			r.v[s->amounts[i].set_field] = s->amounts[i].set;
		rc = emit(&r, sub++, data);
	}
	if (!rc && s->namounts == 0 && s->nwide == 0)
		rc = emit(&st->rec, 0, data);
	free(st);
	return rc;
}
