/* The XML part of a schema: see schemaxml.h. */
#include "schemaxml.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/date.h"
#include "core/log.h"
#include "core/banned.h"

/* ---- loading ---- */

static struct xml_schema *xs_of(struct schema *s)
{
	if (!s->xml)
		s->xml = xcalloc(1, sizeof(*s->xml));
	return s->xml;
}

static int compile(const struct conf_line *l, struct xml_schema *x, struct xmlin_path *p,
		   const char *text)
{
	struct strbuf why = STRBUF_INIT;
	int rc = xmlin_compile(p, text, x->ns, x->nns, &why);
	if (rc)
		conf_error(l, "%s", why.buf);
	strbuf_release(&why);
	return rc;
}

static int ncname(const char *s)
{
	if (!*s || (*s >= '0' && *s <= '9') || *s == '-' || *s == '.')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.' ||
		      (unsigned char)*s >= 0x80))
			return 0;
	return 1;
}

static int do_namespace(const struct conf_line *l, struct xml_schema *x)
{
	if (l->argc != 3)
		return conf_error(l, "usage: namespace PREFIX URI");
	if (!ncname(l->argv[1]))
		return conf_error(l, "'%s' is not a namespace prefix", l->argv[1]);
	for (int i = 0; i < x->nns; i++)
		if (!strcmp(x->ns[i].prefix, l->argv[1]))
			return conf_error(l, "prefix '%s' bound twice", l->argv[1]);
	x->ns = xrealloc(x->ns, (size_t)(x->nns + 1) * sizeof(*x->ns));
	x->ns[x->nns].prefix = xstrdup(l->argv[1]);
	x->ns[x->nns].uri = xstrdup(l->argv[2]);
	x->nns++;
	return 0;
}

static int do_root(const struct conf_line *l, struct xml_schema *x)
{
	if (l->argc < 2 || l->argc > 1 + XML_MAX_ROOTS)
		return conf_error(l, "usage: root QNAME... (at most %d)", XML_MAX_ROOTS);
	if (x->nroots)
		return conf_error(l, "'root' given twice");
	for (int i = 1; i < l->argc; i++) {
		const char *q = l->argv[i], *colon = strchr(q, ':');
		struct xml_root *r = &x->roots[x->nroots];
		const char *uri = "";
		if (colon) {
			int k;
			for (k = 0; k < x->nns; k++)
				if (strlen(x->ns[k].prefix) == (size_t)(colon - q) &&
				    !memcmp(x->ns[k].prefix, q, (size_t)(colon - q)))
					break;
			if (k == x->nns)
				return conf_error(l, "'%s': prefix not bound by a 'namespace' line "
						  "before it", q);
			uri = x->ns[k].uri;
		}
		if (!ncname(colon ? colon + 1 : q))
			return conf_error(l, "'%s' is not an element name", q);
		r->uri = xstrdup(uri);
		r->local = xstrdup(colon ? colon + 1 : q);
		r->name = xstrdup(q);
		x->nroots++;
	}
	return 0;
}

static int do_row(const struct conf_line *l, struct xml_schema *x)
{
	if (l->argc != 2)
		return conf_error(l, "usage: row XPATH");
	if (x->row.expr)
		return conf_error(l, "'row' given twice (one row element a schema; name "
				  "another schema on the input line for another)");
	return compile(l, x, &x->row, l->argv[1]);
}

static int do_require(const struct conf_line *l, struct xml_schema *x)
{
	struct xml_require *r;
	int equals;
	if (l->argc != 4 || (strcmp(l->argv[2], "starts-with") && strcmp(l->argv[2], "equals")))
		return conf_error(l, "usage: require XPATH starts-with|equals TEXT");
	equals = !strcmp(l->argv[2], "equals");
	x->req = xrealloc(x->req, (size_t)(x->nreq + 1) * sizeof(*x->req));
	r = &x->req[x->nreq];
	memset(r, 0, sizeof(*r));
	if (compile(l, x, &r->path, l->argv[1]))
		return -1;
	r->equals = equals;
	r->text = xstrdup(l->argv[3]);
	x->nreq++;
	return 0;
}

/* Parses VALUE as a value of field f into v, owning its text in *own. */
static int constant(const struct conf_line *l, const struct schema *s, int f,
		    const char *value, struct value *v, char **own)
{
	char scratch[VALUE_SCRATCH];
	const char *why;
	if (value_parse(s->cat->fields[f].type, 0, value, strlen(value), v, scratch, &why))
		return conf_error(l, "value '%s' for %s: %s", value, s->cat->fields[f].name, why);
	if (v->text) {
		*own = xstrndup(v->text, v->len);
		v->text = *own;
	}
	return 0;
}

static int do_set(const struct conf_line *l, struct schema *s, struct xml_schema *x)
{
	struct xml_set *st;
	int f;
	if (l->argc != 3)
		return conf_error(l, "usage: set FIELD VALUE");
	if ((f = schema_field(l, s, l->argv[1])) < 0)
		return -1;
	x->sets = xrealloc(x->sets, (size_t)(x->nsets + 1) * sizeof(*x->sets));
	st = &x->sets[x->nsets];
	memset(st, 0, sizeof(*st));
	st->field = f;
	if (constant(l, s, f, l->argv[2], &st->v, &st->text))
		return -1;
	x->nsets++;
	return 0;
}

static const struct {
	const char *name;
	unsigned flag, opt;
	int arg;		/* 1: takes one word; 2: takes words up to the next option */
} options[] = {
	{ "required", COL_REQUIRED, 0, 0 }, { "optional", COL_OPTIONAL, 0, 0 },
	{ "month-of-date", COL_MONTH_OF_DATE, 0, 0 }, { "pad-cpr", COL_PAD_CPR, 0, 0 },
	{ "decimal-point", 0, XC_DECIMAL, 0 }, { "negate", 0, XC_NEGATE, 0 },
	{ "unique", 0, XC_UNIQUE, 0 }, { "sum", 0, XC_SUM, 0 }, { "count", 0, XC_COUNT, 0 },
	{ "line-number", 0, XC_LINE, 0 }, { "first-match-cpr", 0, XC_FIRST_CPR, 0 },
	{ "invalid-as-zero", 0, XC_INVALID_ZERO, 0 }, { "strip-prefix", 0, 0, 1 },
	{ "join", 0, 0, 1 }, { "else", 0, 0, 1 }, { "empty-if", 0, 0, 2 },
};
enum { NOPTIONS = sizeof(options) / sizeof(options[0]) };

static int option_index(const char *w)
{
	for (int i = 0; i < NOPTIONS; i++)
		if (!strcmp(options[i].name, w))
			return i;
	return -1;
}

static int parse_options(const struct conf_line *l, int from, struct xml_schema *x,
			 struct xml_column *c)
{
	for (int i = from; i < l->argc; i++) {
		int k = option_index(l->argv[i]);
		const char *name;
		if (k < 0)
			return conf_error(l, "unknown option '%s' (required, optional, else, unique, "
					  "join, sum, count, line-number, decimal-point, negate, "
					  "strip-prefix, empty-if, first-match-cpr, invalid-as-zero, "
					  "month-of-date, pad-cpr)", l->argv[i]);
		name = options[k].name;
		c->flags |= options[k].flag;
		c->opts |= options[k].opt;
		if (!options[k].arg)
			continue;
		if (i + 1 >= l->argc)
			return conf_error(l, "'%s' needs a value", name);
		if (!strcmp(name, "else")) {
			if (c->npaths == XML_MAX_PATHS)
				return conf_error(l, "more than %d 'else' paths", XML_MAX_PATHS - 1);
			if (compile(l, x, &c->paths[c->npaths], l->argv[++i]))
				return -1;
			c->npaths++;
		} else if (!strcmp(name, "strip-prefix") || !strcmp(name, "join")) {
			char **dst = name[0] == 's' ? &c->strip_prefix : &c->join;
			if (*dst)
				return conf_error(l, "'%s' given twice", name);
			*dst = xstrdup(l->argv[++i]);
		} else {	/* empty-if WORD...: up to the next option */
			while (i + 1 < l->argc && option_index(l->argv[i + 1]) < 0) {
				if (c->nempty == XML_MAX_EMPTY_IF)
					return conf_error(l, "more than %d 'empty-if' words",
							  XML_MAX_EMPTY_IF);
				c->empty_if[c->nempty++] = xstrdup(l->argv[++i]);
			}
			if (!c->nempty)
				return conf_error(l, "'empty-if' needs a word");
		}
	}
	return 0;
}

/* Which options go with which field type, and with each other. */
static int check_options(const struct conf_line *l, const struct schema *s,
			 const struct xml_column *c)
{
	enum field_type t = s->cat->fields[c->field].type;
	unsigned aggregate = c->opts & (XC_SUM | XC_COUNT | XC_LINE | XC_FIRST_CPR);
	if ((c->flags & COL_REQUIRED) && (c->flags & COL_OPTIONAL))
		return conf_error(l, "a column cannot be both required and optional");
	if ((c->opts & (XC_DECIMAL | XC_NEGATE | XC_SUM)) && t != FT_MONEY)
		return conf_error(l, "decimal-point, negate and sum are for money fields");
	if ((c->opts & (XC_COUNT | XC_LINE)) && t != FT_INT)
		return conf_error(l, "count and line-number are for int fields");
	if ((c->opts & (XC_FIRST_CPR | XC_INVALID_ZERO)) && t != FT_CPR)
		return conf_error(l, "first-match-cpr and invalid-as-zero are for cpr fields");
	if ((c->flags & COL_MONTH_OF_DATE) && t != FT_MONTH)
		return conf_error(l, "month-of-date is for month fields");
	if ((aggregate & (aggregate - 1)) || (aggregate && c->join) ||
	    ((c->opts & XC_UNIQUE) && (aggregate || c->join)))
		return conf_error(l, "at most one of sum, count, line-number, join, "
				  "first-match-cpr, unique");
	if ((c->opts & (XC_COUNT | XC_LINE)) && c->npaths > 1)
		return conf_error(l, "count and line-number take no 'else'");
	if (c->is_amount && (c->opts & (XC_COUNT | XC_LINE | XC_FIRST_CPR | XC_INVALID_ZERO)))
		return conf_error(l, "an amount takes decimal-point, negate, sum, unique, "
				  "else, strip-prefix, empty-if");
	return 0;
}

static struct xml_column *new_column(struct xml_schema *x, const struct conf_line *l)
{
	struct xml_column *c;
	x->cols = xrealloc(x->cols, (size_t)(x->ncols + 1) * sizeof(*x->cols));
	c = &x->cols[x->ncols++];
	memset(c, 0, sizeof(*c));
	c->set_field = -1;
	c->lineno = l->lineno;
	return c;
}

static int do_column(const struct conf_line *l, struct schema *s, struct xml_schema *x)
{
	struct xml_column *c;
	int f;
	if (l->argc < 3)
		return conf_error(l, "usage: column XPATH FIELD [OPTION...]");
	if ((f = schema_field(l, s, l->argv[2])) < 0)
		return -1;
	c = new_column(x, l);
	c->field = f;
	if (compile(l, x, &c->paths[0], l->argv[1]))
		return -1;
	c->npaths = 1;
	return parse_options(l, 3, x, c) || check_options(l, s, c) ? -1 : 0;
}

static int do_amount(const struct conf_line *l, struct schema *s, struct xml_schema *x)
{
	struct xml_column *c;
	int from = 2;
	if (l->argc < 2)
		return conf_error(l, "usage: amount XPATH [FIELD VALUE] [OPTION...]");
	if (s->amount_field < 0)
		return conf_error(l, "'amount' needs a field named amount in the store");
	if (schema_field(l, s, "amount") < 0)
		return -1;
	c = new_column(x, l);
	c->field = s->amount_field;
	c->is_amount = 1;
	if (compile(l, x, &c->paths[0], l->argv[1]))
		return -1;
	c->npaths = 1;
	if (l->argc >= 4 && option_index(l->argv[2]) < 0) {
		if ((c->set_field = schema_field(l, s, l->argv[2])) < 0 ||
		    constant(l, s, c->set_field, l->argv[3], &c->set, &c->set_text))
			return -1;
		from = 4;
	}
	if (parse_options(l, from, x, c) || check_options(l, s, c))
		return -1;
	x->namounts++;
	return 0;
}

int schema_xml_line(const struct conf_line *l, struct schema *s)
{
	static const char *const csv_only[] = {
		"encoding", "delimiter", "title-lines", "skip-row", "amounts",
	};
	static const char *const xml_only[] = {
		"namespace", "root", "row", "require", "set",
	};
	const char *d = l->argv[0];
	struct xml_schema *x;
	if (!strcmp(d, "format")) {
		if (l->argc != 2 || (strcmp(l->argv[1], "xml") && strcmp(l->argv[1], "csv")))
			return conf_error(l, "usage: format csv|xml");
		if (s->ncols || s->namounts || s->nwide || s->xml)
			return conf_error(l, "'format' comes right after 'store'");
		s->format = strcmp(l->argv[1], "xml") ? SCHEMA_CSV : SCHEMA_XML;
		if (s->format == SCHEMA_XML)
			xs_of(s);
		return 0;
	}
	if (s->format != SCHEMA_XML) {
		for (size_t i = 0; i < sizeof(xml_only) / sizeof(xml_only[0]); i++)
			if (!strcmp(d, xml_only[i]))
				return conf_error(l, "'%s' needs 'format xml' before it", d);
		return 1;
	}
	x = xs_of(s);
	for (size_t i = 0; i < sizeof(csv_only) / sizeof(csv_only[0]); i++)
		if (!strcmp(d, csv_only[i]))
			return conf_error(l, "'%s' is for CSV schemas, not format xml", d);
	if (!strcmp(d, "namespace"))
		return do_namespace(l, x);
	if (!strcmp(d, "root"))
		return do_root(l, x);
	if (!strcmp(d, "row"))
		return do_row(l, x);
	if (!strcmp(d, "require"))
		return do_require(l, x);
	if (!strcmp(d, "set"))
		return do_set(l, s, x);
	if (!strcmp(d, "column"))
		return do_column(l, s, x);
	if (!strcmp(d, "amount"))
		return do_amount(l, s, x);
	return conf_error(l, "unknown directive '%s' of a format xml schema (store, format, "
			  "namespace, root, row, require, set, column, amount)", d);
}

int schema_xml_finish(struct schema *s)
{
	struct xml_schema *x = s->xml;
	if (!x || !x->nroots) {
		log_input(s->path, 0, 0, "a format xml schema needs 'root' (the document "
			  "element it reads)");
		return -1;
	}
	if (!x->row.expr) {
		log_input(s->path, 0, 0, "a format xml schema needs 'row' (the XPath of its rows)");
		return -1;
	}
	return 0;
}

static void column_free(struct xml_column *c)
{
	for (int i = 0; i < c->npaths; i++)
		xmlin_path_free(&c->paths[i]);
	for (int i = 0; i < c->nempty; i++)
		free(c->empty_if[i]);
	free(c->strip_prefix);
	free(c->join);
	free(c->set_text);
}

void schema_xml_free(struct schema *s)
{
	struct xml_schema *x = s->xml;
	if (!x)
		return;
	for (int i = 0; i < x->nns; i++) {
		free(x->ns[i].prefix);
		free(x->ns[i].uri);
	}
	for (int i = 0; i < x->nroots; i++) {
		free(x->roots[i].uri);
		free(x->roots[i].local);
		free(x->roots[i].name);
	}
	xmlin_path_free(&x->row);
	for (int i = 0; i < x->nreq; i++) {
		xmlin_path_free(&x->req[i].path);
		free(x->req[i].text);
	}
	for (int i = 0; i < x->nsets; i++)
		free(x->sets[i].text);
	for (int i = 0; i < x->ncols; i++)
		column_free(&x->cols[i]);
	free(x->ns);
	free(x->req);
	free(x->sets);
	free(x->cols);
	free(x);
	s->xml = NULL;
}

/* ---- reading ---- */

int schema_xml_takes(const struct schema *s, const struct xmlin_doc *d)
{
	const struct xml_schema *x = s->xml;
	for (int i = 0; x && i < x->nroots; i++)
		if (xmlin_root_is(d, x->roots[i].uri, x->roots[i].local))
			return 1;
	return 0;
}

void schema_xml_roots(const struct schema *s, struct strbuf *out)
{
	const struct xml_schema *x = s->xml;
	for (int i = 0; x && i < x->nroots; i++) {
		const char *n = x->roots[i].name;
		const char *p = out->buf ? out->buf : "";
		size_t len = strlen(n);
		int seen = 0;
		/* the list is "a or b or c": a name is there as a whole word */
		for (const char *at = strstr(p, n); at && !seen; at = strstr(at + 1, n))
			seen = (at == p || at[-1] == ' ') && (at[len] == '\0' || at[len] == ' ');
		if (seen)
			continue;
		if (out->len)
			strbuf_addstr(out, " or ");
		strbuf_addstr(out, n);
	}
}

/* Bytes of a CPR-shaped run at s (DDMMYY-SSSS or 10 digits, not inside
 * a longer run of digits), or 0. */
static size_t cpr_shaped(const char *s, size_t len, int after_digit)
{
	size_t n = 0, k;
	if (after_digit)
		return 0;
	while (n < len && n < 6 && s[n] >= '0' && s[n] <= '9')
		n++;
	if (n != 6)
		return 0;
	if (n < len && s[n] == '-')
		n++;
	for (k = 0; n < len && k < 4 && s[n] >= '0' && s[n] <= '9'; k++)
		n++;
	if (k != 4 || (n < len && s[n] >= '0' && s[n] <= '9'))
		return 0;
	return n;
}

/* Input text quoted in a message: short, anything CPR-shaped masked. */
static void quote_value(struct strbuf *out, const char *s, size_t len)
{
	size_t n = len > 80 ? 80 : len;
	strbuf_addch(out, '\'');
	for (size_t i = 0; i < n; i++) {
		size_t m = cpr_shaped(s + i, len - i, i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9');
		if (m) {
			strbuf_add(out, s + i, 6);
			strbuf_addstr(out, "-xxxx");
			i += m - 1;
			continue;
		}
		strbuf_addch(out, (unsigned char)s[i] < ' ' ? ' ' : s[i]);
	}
	if (len > n)
		strbuf_addstr(out, "...");
	strbuf_addch(out, '\'');
}

static int check_require(const struct xml_require *r, struct xmlin_doc *d, xmlNodePtr row,
			 struct strbuf *text, struct strbuf *why)
{
	struct xmlin_result res;
	size_t tl = strlen(r->text);
	int ok;
	if (xmlin_eval(d, row, &r->path, &res, why))
		return -1;
	strbuf_reset(text);
	/* The first non-blank node. */
	for (size_t i = 0; i < res.n && !text->len; i++)
		if (xmlin_result_text(&res, i, 4096, text))
			strbuf_reset(text);
	xmlin_result_free(&res);
	ok = r->equals ? text->len == tl && !memcmp(text->buf, r->text, tl)
		       : text->len >= tl && !memcmp(text->buf, r->text, tl);
	if (ok)
		return 0;
	strbuf_reset(why);
	strbuf_addf(why, "%s ", r->path.text);
	if (text->len)
		quote_value(why, text->buf, text->len);
	else
		strbuf_addstr(why, "(none)");
	strbuf_addf(why, r->equals ? " is not '%s'" : " does not start with '%s'", r->text);
	return 1;
}

int schema_xml_rows(const struct schema *s, struct xmlin_doc *d, struct xml_row **rows,
		    size_t *nrows, unsigned long *line, struct strbuf *why)
{
	const struct xml_schema *x = s->xml;
	struct xmlin_result res;
	struct strbuf text = STRBUF_INIT;
	int rc = 0;
	*rows = NULL;
	*nrows = 0;
	*line = 0;
	xmlin_use_namespaces(d, x->ns, x->nns);
	if (xmlin_eval(d, NULL, &x->row, &res, why))
		return -1;
	if (res.n && !xmlin_result_node(&res, 0)) {
		strbuf_reset(why);
		strbuf_addf(why, "%s: gives text, not row nodes", x->row.text);
		xmlin_result_free(&res);
		return -1;
	}
	*rows = xcalloc(res.n ? res.n : 1, sizeof(**rows));
	for (size_t i = 0; i < res.n && rc == 0; i++) {
		struct xml_row *r = &(*rows)[(*nrows)++];
		r->node = xmlin_result_node(&res, i);
		r->line = xmlin_node_line(r->node);
		for (int k = 0; k < x->nreq && rc == 0; k++)
			if ((rc = check_require(&x->req[k], d, r->node, &text, why)) == 1)
				*line = r->line;
	}
	xmlin_result_free(&res);
	strbuf_release(&text);
	if (rc) {
		free(*rows);
		*rows = NULL;
		*nrows = 0;
	}
	return rc;
}

int xml_decimal_parse(const char *s, size_t len, money_t *out, const char **why)
{
	size_t i = 0, digits = 0, decimals = 0;
	int neg = 0;
	money_t v = 0;
	if (len && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		i++;
	}
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++)
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, s[i] - '0', &v)) {
			*why = "amount too large";
			return -1;
		}
	if (i < len && s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, decimals++) {
			if (decimals >= 2) {
				if (s[i] != '0') {
					*why = "more than 2 decimals";
					return -1;
				}
				continue;
			}
			if (__builtin_mul_overflow(v, 10, &v) ||
			    __builtin_add_overflow(v, s[i] - '0', &v)) {
				*why = "amount too large";
				return -1;
			}
		}
	}
	if (i != len || (digits == 0 && decimals == 0)) {
		*why = "not an XML decimal (like 4250.00)";
		return -1;
	}
	for (size_t k = decimals < 2 ? decimals : 2; k < 2; k++)
		if (__builtin_mul_overflow(v, 10, &v)) {
			*why = "amount too large";
			return -1;
		}
	*out = neg ? -v : v;
	return 0;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int cpr_find(const char *s, size_t len, unsigned flags, char out[CPR_LEN + 1])
{
	for (size_t i = 0; i + 10 <= len; i++) {
		size_t end;
		const char *why;
		int ok;
		if (!is_digit(s[i]) || (i > 0 && is_digit(s[i - 1])))
			continue;
		/* DDMMYY then '-' or not, then SSSS, then no digit */
		for (end = i; end < len && end - i < 6 && is_digit(s[end]); end++)
			;
		if (end - i != 6)
			continue;
		if (end < len && s[end] == '-')
			end++;
		{
			size_t k = end;
			while (k < len && k - end < 4 && is_digit(s[k]))
				k++;
			if (k - end != 4 || (k < len && is_digit(s[k])))
				continue;
			if (cpr_parse(s + i, k - i, flags, out, &ok, &why) == 0)
				return 1;
		}
	}
	return 0;
}

/* A column's text after strip-prefix and empty-if; 0 when none is left. */
static size_t clean(const struct xml_column *c, struct strbuf *t)
{
	size_t pl;
	if (c->strip_prefix && t->len >= (pl = strlen(c->strip_prefix)) &&
	    !memcmp(t->buf, c->strip_prefix, pl)) {
		size_t k = pl;
		while (k < t->len && (t->buf[k] == ' ' || t->buf[k] == '\t'))
			k++;
		memmove(t->buf, t->buf + k, t->len - k + 1);
		t->len -= k;
	}
	for (int i = 0; i < c->nempty; i++)
		if (!strcasecmp(t->buf, c->empty_if[i]))
			strbuf_reset(t);
	return t->len;
}

static int money_of(const struct xml_column *c, const char *s, size_t len, money_t *v,
		    const char **why)
{
	if (c->opts & XC_DECIMAL)
		return xml_decimal_parse(s, len, v, why);
	return money_parse(s, len, 0, v, why);
}

/* What one column gave. */
struct colval {
	int present;		/* a value (text, or num when is_num) */
	int is_num;
	int64_t num;
	struct strbuf text;
};

static int fail(struct strbuf *why, const struct xml_column *c, const char *reason)
{
	strbuf_reset(why);
	strbuf_addf(why, "%s: %s", c->paths[0].text, reason);
	return -1;
}

/* The value of column c at row: cv set; 0, or -1 with why. */
static int column_value(const struct xml_column *c, struct xmlin_doc *d, xmlNodePtr row,
			size_t max, struct colval *cv, struct strbuf *item, struct strbuf *why)
{
	cv->present = cv->is_num = 0;
	cv->num = 0;
	strbuf_reset(&cv->text);
	for (int p = 0; p < c->npaths && !cv->present; p++) {
		struct xmlin_result r;
		size_t values = 0;
		if (xmlin_eval(d, row, &c->paths[p], &r, why))
			return -1;
		if (c->opts & XC_COUNT) {
			cv->present = cv->is_num = 1;
			cv->num = (int64_t)r.n;
			xmlin_result_free(&r);
			return 0;
		}
		if (c->opts & XC_LINE) {
			xmlNodePtr n = xmlin_result_node(&r, 0);
			if (n) {
				cv->present = cv->is_num = 1;
				cv->num = (int64_t)xmlin_node_line(n);
			}
			xmlin_result_free(&r);
			continue;
		}
		for (size_t i = 0; i < r.n; i++) {
			const char *reason;
			money_t v;
			if (xmlin_result_text(&r, i, max, item) || item->len > max) {
				xmlin_result_free(&r);
				strbuf_reset(item);
				strbuf_addf(item, "value longer than %zu bytes", max);
				return fail(why, c, item->buf);
			}
			if (!clean(c, item))
				continue;
			values++;
			if ((c->opts & XC_UNIQUE) && values > 1) {
				xmlin_result_free(&r);
				return fail(why, c, "more than one value");
			}
			if (c->opts & XC_SUM) {
				if (money_of(c, item->buf, item->len, &v, &reason)) {
					xmlin_result_free(&r);
					return fail(why, c, reason);
				}
				if (money_add(&cv->num, v)) {
					xmlin_result_free(&r);
					return fail(why, c, "the sum overflows");
				}
			} else if (c->opts & XC_FIRST_CPR) {
				char cpr[CPR_LEN + 1];
				if (!cv->text.len && cpr_find(item->buf, item->len,
							       (c->flags & COL_PAD_CPR) ?
							       CPR_PAD_LEADING_ZERO : 0, cpr))
					strbuf_add(&cv->text, cpr, CPR_LEN);
			} else if (c->join) {
				if (cv->text.len)
					strbuf_addstr(&cv->text, c->join);
				strbuf_add(&cv->text, item->buf, item->len);
				if (cv->text.len > max) {
					xmlin_result_free(&r);
					strbuf_reset(item);
					strbuf_addf(item, "value longer than %zu bytes", max);
					return fail(why, c, item->buf);
				}
			} else if (values == 1) {
				strbuf_add(&cv->text, item->buf, item->len);
			}
		}
		xmlin_result_free(&r);
		if (c->opts & XC_SUM)
			cv->present = cv->is_num = values > 0;
		else if (c->opts & XC_FIRST_CPR)
			cv->present = cv->text.len > 0;
		else
			cv->present = values > 0;
	}
	if (!cv->present && (c->opts & XC_SUM)) {
		cv->present = cv->is_num = 1;	/* no node: 0,00 */
		cv->num = 0;
	}
	return 0;
}

/*
 * xs:date / xs:dateTime into the pipeline's notations: a day (or the month
 * of one) keeps YYYY-MM-DD, a timestamp gets a blank for the T; a zone (Z,
 * +hh:mm, -hh:mm) is dropped.
 */
static void xs_date(struct strbuf *t, enum field_type type)
{
	char *z;
	if (t->len <= 10 || t->buf[4] != '-' || t->buf[7] != '-' || !strchr("TZ+-", t->buf[10]))
		return;
	if (type != FT_TIMESTAMP || t->buf[10] != 'T') {
		t->buf[10] = '\0';
		t->len = 10;
		return;
	}
	t->buf[10] = ' ';
	if ((z = strpbrk(t->buf + 11, "Z+-"))) {
		*z = '\0';
		t->len = (size_t)(z - t->buf);
	}
}

struct xrow {
	struct record rec;
	char scratch[MAX_FIELDS][VALUE_SCRATCH];
	char ascratch[VALUE_SCRATCH];
};

/* Puts a column's value into the record (or, for an amount, *amount). */
static int store_value(const struct schema *s, const struct xml_column *c, struct colval *cv,
		       struct xrow *st, money_t *amount, struct strbuf *why)
{
	enum field_type t = s->cat->fields[c->field].type;
	struct value *v = &st->rec.v[c->field];
	const char *reason;
	if (!cv->present) {
		if (c->opts & XC_INVALID_ZERO) {
			memcpy(st->scratch[c->field], "0000000000", CPR_LEN + 1);
			*v = (struct value){ 1, 0, st->scratch[c->field], CPR_LEN };
			return 0;
		}
		if (c->flags & COL_REQUIRED)
			return fail(why, c, "missing");
		return 1;
	}
	if (t == FT_MONEY) {
		money_t m = cv->num;
		if (!cv->is_num && money_of(c, cv->text.buf, cv->text.len, &m, &reason))
			return fail(why, c, reason);
		if ((c->opts & XC_NEGATE) && __builtin_sub_overflow((money_t)0, m, &m))
			return fail(why, c, "amount too large");
		if (c->is_amount)
			*amount = m;
		else
			*v = (struct value){ 1, m, NULL, 0 };
		return 0;
	}
	if (cv->is_num) {
		*v = (struct value){ 1, cv->num, NULL, 0 };
		return 0;
	}
	if (t == FT_DAY || t == FT_TIMESTAMP || (t == FT_MONTH && (c->flags & COL_MONTH_OF_DATE)))
		xs_date(&cv->text, t);
	if (value_parse(t, c->flags, cv->text.buf, cv->text.len, v, st->scratch[c->field],
			&reason)) {
		if (t == FT_CPR && (c->opts & XC_INVALID_ZERO)) {
			memcpy(st->scratch[c->field], "0000000000", CPR_LEN + 1);
			*v = (struct value){ 1, 0, st->scratch[c->field], CPR_LEN };
			return 0;
		}
		return fail(why, c, reason);
	}
	return 0;
}

int schema_xml_row(const struct schema *s, struct xmlin_doc *d, const struct xml_row *row,
		   size_t max_value, const struct record *base, record_fn emit, void *data,
		   const char **column, struct strbuf *why)
{
	const struct xml_schema *x = s->xml;
	struct xrow *st = xmalloc(sizeof(*st));
	struct colval *cv = xcalloc((size_t)x->ncols + 1, sizeof(*cv));
	money_t *amount = xcalloc((size_t)x->ncols + 1, sizeof(*amount));
	unsigned char *has = xcalloc((size_t)x->ncols + 1, 1);
	struct strbuf item = STRBUF_INIT;
	unsigned sub = 0;
	int rc = 0;

	*column = NULL;
	st->rec = *base;
	for (int i = 0; i < x->nsets; i++)
		st->rec.v[x->sets[i].field] = x->sets[i].v;
	xmlin_use_namespaces(d, x->ns, x->nns);
	for (int i = 0; i < x->ncols && rc == 0; i++) {
		const struct xml_column *c = &x->cols[i];
		int r = 1;
		if (column_value(c, d, row->node, max_value, &cv[i], &item, why) ||
		    (r = store_value(s, c, &cv[i], st, &amount[i], why)) < 0) {
			*column = c->paths[0].text;
			rc = -1;
			break;
		}
		has[i] = c->is_amount && r == 0;
	}
	for (int i = 0; rc == 0 && i < s->store->nkey; i++)
		if (!st->rec.v[s->store->key[i]].present) {
			strbuf_reset(why);
			strbuf_addf(why, "no value for key field '%s'",
				    s->cat->fields[s->store->key[i]].name);
			rc = -1;
		}
	for (int i = 0; rc == 0 && i < x->ncols; i++) {
		struct record r;
		if (!has[i])
			continue;
		r = st->rec;
		r.v[s->amount_field] = (struct value){ 1, amount[i], NULL, 0 };
		if (x->cols[i].set_field >= 0)
			r.v[x->cols[i].set_field] = x->cols[i].set;
		rc = emit(&r, sub++, data);
	}
	if (rc == 0 && x->namounts == 0)
		rc = emit(&st->rec, 0, data);
	for (int i = 0; i < x->ncols; i++)
		strbuf_release(&cv[i].text);
	strbuf_release(&item);
	free(cv);
	free(amount);
	free(has);
	free(st);
	return rc;
}
