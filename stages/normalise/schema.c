#include "schema.h"

#include <stdarg.h>
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

/* An amount cell: the column's notation, within MONEY_FILE_MAX. */
static int amount_parse(const char *s, size_t len, unsigned flags, money_t *out,
			const char **why)
{
	unsigned mf = ((flags & COL_TRAILING_MINUS) ? MONEY_TRAILING_MINUS : 0) |
		      ((flags & COL_NO_LEADING_ZERO) ? MONEY_NO_LEADING_ZERO : 0);
	if (money_parse(s, len, mf, out, why))
		return -1;
	if (*out > MONEY_FILE_MAX || *out < -MONEY_FILE_MAX) {
		*why = "amount beyond 100.000.000.000.000,00 (larger than any real amount)";
		return -1;
	}
	return 0;
}

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
		if (len > SCHEMA_TEXT_MAX) {
			*why = "text longer than 65.535 bytes";
			return -1;
		}
		if (!utf8_valid(s, len)) {
			*why = "text is not valid UTF-8";
			return -1;
		}
		v->text = s, v->len = len;
		/* A CPR in either form is one person (DDMMYY-SSSS = DDMMYYSSSS). */
		if ((flags & COL_CPR_DIGITS) && (len == CPR_LEN || len == CPR_LEN + 1) &&
		    cpr_parse(s, len, 0, scratch, &ok, why) == 0)
			v->text = scratch, v->len = CPR_LEN;
		return 0;
	case FT_MONEY:
		return amount_parse(s, len, flags, &v->num, why);
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
		{ "credit", COL_CREDIT }, { "cpr-digits", COL_CPR_DIGITS },
		{ "no-leading-zero", COL_NO_LEADING_ZERO },
	};
	*flags = 0;
	for (int i = from; i < l->argc; i++) {
		size_t k;
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (!strcmp(names[k].name, l->argv[i]))
				break;
		if (k == sizeof(names) / sizeof(names[0]))
			return conf_error(l, "unknown flag '%s' (required, optional, "
					  "pad-cpr, cpr-digits, trailing-minus, no-leading-zero, "
					  "month-of-date, debit, credit)", l->argv[i]);
		*flags |= names[k].flag;
	}
	if ((*flags & COL_REQUIRED) && (*flags & COL_OPTIONAL))
		return conf_error(l, "a column cannot be both required and optional");
	return 0;
}

int schema_field(const struct conf_line *l, const struct schema *s, const char *name)
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
	unsigned flags = 0;
	if (l->argc < 2)
		return conf_error(l, "usage: amounts \"PREFIX{FIELD}SUFFIX\" [FLAGS]");
	if (parse_flags(l, 2, &flags))
		return -1;
	open = strchr(l->argv[1], '{');
	close = open ? strchr(open, '}') : NULL;
	if (!close || close == open + 1)
		return conf_error(l, "amounts pattern needs {FIELD}");
	strbuf_add(&name, open + 1, (size_t)(close - open - 1));
	f = schema_field(l, s, name.buf);
	strbuf_release(&name);
	if (f < 0)
		return -1;
	s->wide = xrealloc(s->wide, (size_t)(s->nwide + 1) * sizeof(*s->wide));
	w = &s->wide[s->nwide++];
	w->flags = flags;
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
	s->skip = xrealloc(s->skip, (size_t)(s->nskip + 1) * sizeof(*s->skip));
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
	if (!strcmp(d, "quotes")) {
		if (l->argc != 2 || strcmp(l->argv[1], "text"))
			return conf_error(l, "usage: quotes text");
		s->quotes_are_text = 1;
		return 0;
	}
	if (!strcmp(d, "header-marker")) {
		if (l->argc != 2 || !*l->argv[1])
			return conf_error(l, "usage: header-marker TEXT");
		if (s->header_marker)
			return conf_error(l, "'header-marker' given twice");
		s->header_marker = xstrdup(l->argv[1]);
		return 0;
	}
	if (!strcmp(d, "trailer")) {
		if (l->argc != 4 || !*l->argv[1] || strcmp(l->argv[2], "count"))
			return conf_error(l, "usage: trailer TEXT count COLUMN");
		if (s->trailer_marker)
			return conf_error(l, "'trailer' given twice");
		s->trailer_marker = xstrdup(l->argv[1]);
		s->trailer_count = xstrdup(l->argv[3]);
		return 0;
	}
	if (!strcmp(d, "parts")) {
		if (l->argc != 1)
			return conf_error(l, "usage: parts");
		s->parts = 1;
		return 0;
	}
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
	return conf_error(l, "unknown directive '%s' (store, encoding, delimiter, quotes, "
			  "title-lines, header-marker, trailer, parts, skip-row, column, "
			  "amount, amounts)", d);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static struct row_cache *row_cache_new(void);
static void row_cache_free(struct row_cache *c);

int schema_load(const struct catalog *cat, const char *path, struct schema *s)
{
	uint64_t size;
	const char *b = base_name(path);
	const char *dot = strrchr(b, '.');

	memset(s, 0, sizeof(*s));
	s->rows = row_cache_new();
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
	if (s->parts && !s->trailer_marker) {
		log_input(path, 0, 0, "'parts' needs a 'trailer' with the count (how else is "
			  "the last part known?)");
		goto fail;
	}
	if (s->title_lines && s->header_marker) {
		log_input(path, 0, 0, "'title-lines' and 'header-marker' exclude each other");
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
	row_cache_free(s->rows);
	s->rows = NULL;
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
	free(s->skip);
	free(s->wide);
	free(s->header_marker);
	free(s->trailer_marker);
	free(s->trailer_count);
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

/*
 * The header cell of a column the schema reads: missing (-1, reported
 * unless optional) or named twice (-2, reported: which would be read?).
 */
static int bind_column(const struct schema *s, const struct csv_row *h, const char *file,
		       const char *name, const char *what, int optional)
{
	int i = header_index(h, name);
	if (i < 0) {
		if (!optional)
			log_input(file, h->line, 0, "missing column '%s'%s (schema %s)", name,
				  what, s->name);
		return -1;
	}
	for (size_t k = (size_t)i + 1; k < h->nfields; k++)
		if (cell_is(h, (int)k, name)) {
			log_input(file, h->line, (unsigned)k + 1, "column '%s' is in the header "
				  "twice (cells %d and %zu): which one is meant? (schema %s)",
				  name, i + 1, k + 1, s->name);
			return -2;
		}
	return i;
}

/* Adds an amount for each header cell PREFIX<value>SUFFIX of a wide pattern. */
static int bind_wide(struct schema *s, const struct wide_amounts *w,
		     const struct csv_row *h, const char *file)
{
	size_t pl = strlen(w->prefix), sl = strlen(w->suffix);
	int first = s->namounts;
	for (size_t i = 0; i < h->nfields; i++) {
		const char *p = h->fields[i].ptr, *why;
		size_t len = h->fields[i].len;
		struct strbuf v = STRBUF_INIT;
		struct amount_map *a;
		if (len <= pl + sl || memcmp(p, w->prefix, pl) ||
		    memcmp(p + len - sl, w->suffix, sl))
			continue;
		strbuf_add(&v, p + pl, len - pl - sl);
		amount_add(s, p, w->field, v.buf, w->flags);
		strbuf_release(&v);
		a = &s->amounts[s->namounts - 1];
		a->index = (int)i;
		if (amount_set(s, a, &why)) {
			log_input(file, h->line, (unsigned)i + 1,
				  "column '%s' does not name a %s: %s", p,
				  s->cat->fields[w->field].name, why);
			return -1;
		}
		/* 'Feltnr 14' and 'Feltnr 0014' are one field: named twice. */
		for (int k = first; k < s->namounts - 1; k++)
			if (s->amounts[k].set.num == a->set.num &&
			    s->amounts[k].set.len == a->set.len &&
			    (!a->set.text || !memcmp(s->amounts[k].set.text, a->set.text,
						     a->set.len))) {
				log_input(file, h->line, (unsigned)i + 1, "column '%s' names the "
					  "same %s as cell %d: which one is meant? (schema %s)", p,
					  s->cat->fields[w->field].name, s->amounts[k].index + 1,
					  s->name);
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
	s->header_cells = h->nfields;
	for (int i = 0; i < s->ncols; i++) {
		struct column_map *c = &s->cols[i];
		int k;
		/* A column read into two fields (a day and its month) is one cell. */
		for (k = 0; k < i && strcmp(s->cols[k].column, c->column); k++)
			;
		if (k < i) {
			c->index = s->cols[k].index;
			continue;
		}
		c->index = bind_column(s, h, file, c->column, "", c->flags & COL_OPTIONAL);
		if (c->index == -2 || (c->index < 0 && !(c->flags & COL_OPTIONAL)))
			rc = -1;
		if (c->index < 0)
			c->index = -1;
	}
	for (int i = 0; i < s->ndeclared; i++) {
		struct amount_map *a = &s->amounts[i];
		a->index = bind_column(s, h, file, a->column, "", 0);
		if (a->index < 0)
			rc = -1;
	}
	for (int i = 0; i < s->nskip; i++) {
		s->skip[i].index = bind_column(s, h, file, s->skip[i].column,
					       " of a skip-row rule", 0);
		if (s->skip[i].index < 0)
			rc = -1;
	}
	s->trailer_count_index = -1;
	if (s->trailer_count) {
		s->trailer_count_index = bind_column(s, h, file, s->trailer_count,
						     " of the trailer's count", 0);
		if (s->trailer_count_index < 0)
			rc = -1;
	}
	for (int i = 0; i < s->nwide && rc == 0; i++)
		rc = bind_wide(s, &s->wide[i], h, file);
	return rc;
}

/* The first cell of a row, without surrounding spaces, is text. */
static int first_cell_is(const struct csv_row *row, const char *text)
{
	return text && cell_is(row, 0, text);
}

int schema_is_header(const struct schema *s, const struct csv_row *row)
{
	if (s->header_marker)
		return first_cell_is(row, s->header_marker);
	if (!s->title_lines || s->ncols == 0)
		return 1;
	return header_index(row, s->cols[0].column) >= 0;
}

/* Every cell of the row is empty (or blank): no data, whatever its width. */
static int row_empty(const struct csv_row *row)
{
	for (size_t i = 0; i < row->nfields; i++)
		for (size_t k = 0; k < row->fields[i].len; k++)
			if (row->fields[i].ptr[k] != ' ')
				return 0;
	return 1;
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
	money_t *amount;
	unsigned char *has_amount;
};

/* One row_state per schema, grown with its amounts (a header binds wide ones). */
struct row_cache {
	struct row_state *st;
	int amounts;		/* st's amount arrays hold this many */
};

static struct row_cache *row_cache_new(void)
{
	return xcalloc(1, sizeof(struct row_cache));
}

static void row_cache_free(struct row_cache *c)
{
	if (!c)
		return;
	if (c->st) {
		free(c->st->amount);
		free(c->st->has_amount);
		free(c->st);
	}
	free(c);
}

static struct row_state *row_state_for(const struct schema *s)
{
	struct row_cache *c = s->rows;
	int want = s->namounts ? s->namounts : 1;
	if (!c->st)
		c->st = xcalloc(1, sizeof(*c->st));
	if (c->amounts < want) {
		c->st->amount = xrealloc(c->st->amount, (size_t)want * sizeof(*c->st->amount));
		c->st->has_amount = xrealloc(c->st->has_amount, (size_t)want);
		c->amounts = want;
	}
	return c->st;
}

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
	for (int i = 0; i < s->namounts; i++) {
		const struct amount_map *a = &s->amounts[i];
		const struct csv_field *cell = &row->fields[a->index];
		const char *reason;
		st->has_amount[i] = cell->len > 0;
		if (cell->len && amount_parse(cell->ptr, cell->len, a->flags, &st->amount[i],
					      &reason))
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

/*
 * schema_row(); *primed 1 says the row state's record is base but for the
 * fields the last row's columns set (the same reader, the same base): only
 * those go back to base, not the whole record (4 KB a row: issue 17).
 * Set to 1 once the record is base.
 */
static int row_parse(const struct schema *s, const struct csv_row *row,
		     const struct record *base, record_fn emit, void *data,
		     unsigned *col, struct strbuf *why, int *primed)
{
	struct row_state *st;
	int rc = 0;
	unsigned sub = 0;

	if (row->error)
		return row_fail(col, why, 0, NULL, row->error);
	if (row_empty(row) || row_skipped(s, row))
		return 0;
	if (row->nfields != s->header_cells) {
		struct strbuf m = STRBUF_INIT;
		strbuf_addf(&m, "the row has %zu cells, the header %zu (%s)", row->nfields,
			    s->header_cells, row->nfields > s->header_cells ?
			    "a text with an unquoted delimiter?" : "cells missing");
		row_fail(col, why, 0, NULL, m.buf);
		strbuf_release(&m);
		return -1;
	}
	st = row_state_for(s);	/* no allocation per row */
	if (*primed) {
		for (int i = 0; i < s->ncols; i++)
			if (s->cols[i].index >= 0)
				st->rec.v[s->cols[i].field] = base->v[s->cols[i].field];
	} else {
		st->rec = *base;
		*primed = 1;
	}
	rc = row_columns(s, row, st, col, why);
	if (!rc)
		rc = row_amounts(s, row, st, col, why);
	if (!rc)
		rc = row_keys_present(s, &st->rec, col, why);
	for (int i = 0; !rc && i < s->namounts; i++) {
		/* Each amount's record is the row's with its amount (and the field
		 * its column sets) put in place and taken back: no record copy. */
		int sf = s->amounts[i].set_field;
		struct value amount = st->rec.v[s->amount_field], set;
		if (!st->has_amount[i])
			continue;
		st->rec.v[s->amount_field] = (struct value){ 1, st->amount[i], NULL, 0 };
		if (sf >= 0) {
			set = st->rec.v[sf];
			st->rec.v[sf] = s->amounts[i].set;
		}
		rc = emit(&st->rec, sub++, data);
		if (sf >= 0)
			st->rec.v[sf] = set;
		st->rec.v[s->amount_field] = amount;
	}
	if (!rc && s->namounts == 0 && s->nwide == 0)
		rc = emit(&st->rec, 0, data);
	return rc;
}

int schema_row(const struct schema *s, const struct csv_row *row,
	       const struct record *base, record_fn emit, void *data,
	       unsigned *col, struct strbuf *why)
{
	int primed = 0;
	return row_parse(s, row, base, emit, data, col, why, &primed);
}

/* The trailer's count of data rows: digits (SKAT drops leading zeros). */
static int trailer_count(struct schema_reader *rd, const struct csv_row *row)
{
	const struct schema *s = rd->s;
	const char *p;
	size_t len;
	rd->has_count = 0;
	rd->count = 0;
	if (s->trailer_count_index < 0 || (size_t)s->trailer_count_index >= row->nfields)
		return 0;
	p = row->fields[s->trailer_count_index].ptr;
	len = row->fields[s->trailer_count_index].len;
	while (len && *p == ' ')
		p++, len--;
	while (len && p[len - 1] == ' ')
		len--;
	if (!len)
		return 0;
	if (len > 15 || strspn(p, "0123456789") < len) {
		log_input(rd->file, row->line, (unsigned)s->trailer_count_index + 1,
			  "the trailer's count '%.*s' is not a number", (int)(len > 20 ? 20 : len), p);
		return -1;
	}
	for (size_t i = 0; i < len; i++)
		rd->count = rd->count * 10 + (uint64_t)(p[i] - '0');
	rd->has_count = 1;
	return 0;
}

static int refuse(struct strbuf *why, enum row_kind *kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(struct strbuf *why, enum row_kind *kind, const char *fmt, ...)
{
	va_list ap;
	strbuf_reset(why);
	va_start(ap, fmt);
	strbuf_vaddf(why, fmt, ap);
	va_end(ap);
	*kind = ROW_REFUSE;
	return 0;
}

int schema_read_row(struct schema_reader *rd, const struct csv_row *row,
		    const struct record *base, record_fn emit, void *data,
		    enum row_kind *kind, unsigned *col, struct strbuf *why)
{
	struct schema *s = rd->s;
	*col = 0;
	if (!rd->header_seen && !rd->count_titles) {
		if (s->title_lines && !schema_is_header(s, row)) {
			*kind = ROW_TITLE;	/* a title, readable or not */
			return 0;
		}
		rd->header_seen = 1;
		if (row->error) {
			log_input(rd->file, row->line, 0, "the header row cannot be read: %s",
				  row->error);
			rd->refused = 1;
			return refuse(why, kind, "the header row (line %lu) cannot be read: %s",
				      row->line, row->error);
		}
		if (s->header_marker && !schema_is_header(s, row)) {
			log_input(rd->file, row->line, 1, "the first row is not the header: its "
				  "first cell is not %s (schema %s)", s->header_marker, s->name);
			rd->refused = 1;
			return refuse(why, kind, "no header row (a first cell %s) at line %lu",
				      s->header_marker, row->line);
		}
		if (schema_bind(s, row, rd->file)) {
			rd->refused = 1;
			return refuse(why, kind, "its header (line %lu) does not fit schema %s "
				      "(see the log)", row->line, s->name);
		}
		*kind = ROW_HEADER;
		return 0;
	}
	if (rd->trailer_seen) {
		log_input(rd->file, row->line, 0, "a row after the trailer row (line %lu): the "
			  "file is not what SKAT sends", rd->trailer_line);
		return refuse(why, kind, "a row (line %lu) after the trailer row (line %lu)",
			      row->line, rd->trailer_line);
	}
	if (!row->error && !rd->refused && first_cell_is(row, s->trailer_marker)) {
		rd->trailer_seen = 1;
		rd->trailer_line = row->line;
		*kind = ROW_TRAILER;
		if (trailer_count(rd, row))
			return refuse(why, kind, "the trailer's count (line %lu) is not a number",
				      row->line);
		return 0;
	}
	if (!emit || rd->refused || rd->count_titles) {
		*kind = ROW_DATA;
		return 0;
	}
	{
		int rc = row_parse(s, row, base, emit, data, col, why, &rd->primed);
		*kind = rc == -1 ? ROW_BAD : ROW_DATA;
		return rc == -1 ? 0 : rc;
	}
}
