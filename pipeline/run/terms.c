#include "run/terms.h"

#include <stdlib.h>
#include <string.h>

#include "core/conffile.h"
#include "core/strbuf.h"
#include "core/banned.h"

/* One entry: kind ("column", "status", ...), for columns the file kind. */
struct term {
	char *kind, *file, *code, *danish;
	enum term_type type;
	unsigned long lineno;
};

struct table {
	struct term *t;
	size_t n, alloc;
	/* t's entries by (kind, code, file), which are unique (on_line):
	 * looked up by binary search once loaded, as the report and the
	 * workbook look up a word per cell; NULL while loading */
	size_t *ix;
};

static struct table loaded;

static void table_free(struct table *tb)
{
	for (size_t i = 0; i < tb->n; i++) {
		free(tb->t[i].kind);
		free(tb->t[i].file);
		free(tb->t[i].code);
		free(tb->t[i].danish);
	}
	free(tb->t);
	free(tb->ix);
	memset(tb, 0, sizeof(*tb));
}

/* kind, code, then file (NULL: any file, ranks equal to all). */
static int cmp_key(const struct term *e, const char *kind, const char *code, const char *file)
{
	int c = strcmp(e->kind, kind);
	if (!c)
		c = strcmp(e->code, code);
	if (!c && file)
		c = strcmp(e->file, file);
	return c;
}

static const struct table *sorting;
static int cmp_ix(const void *a, const void *b)
{
	const struct term *y = &sorting->t[*(const size_t *)b];
	return cmp_key(&sorting->t[*(const size_t *)a], y->kind, y->code, y->file);
}

static void table_index(struct table *tb)
{
	tb->ix = xcalloc(tb->n + 1, sizeof(*tb->ix));
	for (size_t i = 0; i < tb->n; i++)
		tb->ix[i] = i;
	sorting = tb;
	qsort(tb->ix, tb->n, sizeof(*tb->ix), cmp_ix);
}

/* The entry of kind, code and file (NULL: any file; then the first in
 * the file's order), or NULL. */
static const struct term *find(const struct table *tb, const char *kind, const char *file,
			       const char *code)
{
	if (tb->ix) {
		size_t lo = 0, hi = tb->n, best = tb->n;
		while (lo < hi) {	/* the first entry not below the key */
			size_t mid = lo + (hi - lo) / 2;
			if (cmp_key(&tb->t[tb->ix[mid]], kind, code, file) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < tb->n && !cmp_key(&tb->t[tb->ix[lo]], kind, code, file); lo++)
			if (tb->ix[lo] < best)
				best = tb->ix[lo];
		return best < tb->n ? &tb->t[best] : NULL;
	}
	for (size_t i = 0; i < tb->n; i++)
		if (!strcmp(tb->t[i].kind, kind) && !strcmp(tb->t[i].code, code) &&
		    (!file || !strcmp(tb->t[i].file, file)))
			return &tb->t[i];
	return NULL;
}

static int parse_type(const char *s, enum term_type *t)
{
	static const char *const names[] = { "text", "cpr", "amount", "date", "datetime",
					     "integer", "status" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i])) {
			*t = (enum term_type)i;
			return 0;
		}
	return -1;
}

static int on_line(const struct conf_line *l, void *data)
{
	struct table *tb = data;
	const char *d = l->argv[0];
	struct term e = { 0 };
	const struct term *old;
	if (!strcmp(d, "column")) {
		if (l->argc != 5)
			return conf_error(l, "usage: column FILE NAME \"Dansk\" TYPE");
		if (strcmp(l->argv[1], "summary") && strcmp(l->argv[1], "exceptions") &&
		    strcmp(l->argv[1], "decisions") && strcmp(l->argv[1], "*"))
			return conf_error(l, "column file '%s': expected summary, exceptions, "
					  "decisions or *", l->argv[1]);
		if (parse_type(l->argv[4], &e.type))
			return conf_error(l, "column type '%s': expected text, cpr, amount, date, "
					  "datetime, integer or status", l->argv[4]);
		e.file = xstrdup(l->argv[1]);
		e.code = xstrdup(l->argv[2]);
		e.danish = xstrdup(l->argv[3]);
	} else if (!strcmp(d, "reason")) {
		if (l->argc != 4)
			return conf_error(l, "usage: reason RECON CODE \"Dansk\" (RECON: a "
					  "reconciliation or *)");
		e.file = xstrdup(l->argv[1]);
		e.code = xstrdup(l->argv[2]);
		e.danish = xstrdup(l->argv[3]);
	} else if (!strcmp(d, "status") || !strcmp(d, "decision") || !strcmp(d, "review") ||
		   !strcmp(d, "label")) {
		if (l->argc != 3)
			return conf_error(l, "usage: %s CODE \"Dansk\"", d);
		e.file = xstrdup("");
		e.code = xstrdup(l->argv[1]);
		e.danish = xstrdup(l->argv[2]);
	} else {
		return conf_error(l, "unknown directive '%s' (expected column, status, decision, "
				  "review, reason or label)", d);
	}
	e.kind = xstrdup(d);
	e.lineno = l->lineno;
	old = *e.danish && *e.code ? find(tb, e.kind, e.file, e.code) : NULL;
	if (!*e.danish || !*e.code || old) {
		unsigned long was = old ? old->lineno : 0;
		free(e.kind);
		free(e.file);
		free(e.code);
		free(e.danish);
		if (!was)
			return conf_error(l, "%s: an empty word", d);
		return conf_error(l, "%s '%s' given twice (first on line %lu)", d,
				  l->argv[l->argc >= 4 ? 2 : 1], was);
	}
	tb->t = xgrow(tb->t, &tb->alloc, tb->n + 1, sizeof(*tb->t));
	tb->t[tb->n++] = e;
	return 0;
}

int terms_load(const char *path)
{
	struct table tb = { 0 };
	if (conf_read(path, on_line, &tb)) {
		table_free(&tb);
		return -1;
	}
	table_index(&tb);
	table_free(&loaded);
	loaded = tb;
	return 0;
}

void terms_unload(void)
{
	table_free(&loaded);
}

struct term_column terms_column(const char *file, const char *name)
{
	const struct term *e = find(&loaded, "column", file, name);
	struct term_column c = { name, TERM_TEXT };
	if (!e)
		e = find(&loaded, "column", "*", name);
	if (e) {
		c.danish = e->danish;
		c.type = e->type;
	}
	return c;
}

const char *terms_column_name(const char *file, const char *name)
{
	return terms_column(file, name).danish;
}

static const char *word(const char *kind, const char *code)
{
	const struct term *e = find(&loaded, kind, NULL, code);
	return e ? e->danish : code;
}

const char *terms_status(const char *code)
{
	return word("status", code);
}

const char *terms_decision(const char *code)
{
	return word("decision", code);
}

const char *terms_review(const char *code)
{
	return word("review", code);
}

const char *terms_label(const char *name)
{
	return word("label", name);
}

/* The start of the balanced "(...)" that ends s[0..len), after a blank; or NULL. */
static const char *ending_note(const char *s, size_t len)
{
	int depth = 0;
	if (len < 3 || s[len - 1] != ')')
		return NULL;
	for (size_t i = len; i-- > 0;) {
		if (s[i] == ')')
			depth++;
		else if (s[i] == '(' && --depth == 0)
			return i > 0 && s[i - 1] == ' ' ? s + i : NULL;
	}
	return NULL;
}

void reason_split(const char *s, struct reason_parts *p)
{
	const char *rest = s, *colon = strstr(s, ": "), *slash, *note;
	size_t len;
	memset(p, 0, sizeof(*p));
	if (colon && colon > s && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") ==
	    (size_t)(colon - s)) {
		p->code = s;
		p->code_len = (size_t)(colon - s);
		rest = colon + 2;
	}
	len = strlen(rest);
	slash = strstr(rest, " / ");
	note = ending_note(slash ? slash + 3 : rest, slash ? len - (size_t)(slash + 3 - rest)
							   : len);
	p->danish = rest;
	p->danish_len = slash ? (size_t)(slash - rest) : note ? (size_t)(note - 1 - rest) : len;
	if (note) {
		p->note = note + 1;
		p->note_len = (size_t)(rest + len - 1 - p->note);
	}
}

void terms_reason(const char *recon, const char *csv_reason, struct strbuf *out)
{
	struct reason_parts p;
	const struct term *e = NULL;
	reason_split(csv_reason, &p);
	if (p.code_len) {
		char small[64], *code = p.code_len < sizeof(small) ? small :
					xstrndup(p.code, p.code_len);
		if (code == small) {
			memcpy(small, p.code, p.code_len);
			small[p.code_len] = '\0';
		}
		e = find(&loaded, "reason", recon, code);
		if (!e)
			e = find(&loaded, "reason", "*", code);
		if (code != small)
			free(code);
	}
	if (e)
		strbuf_addstr(out, e->danish);
	else
		strbuf_add(out, p.danish, p.danish_len);
	if (p.note_len) {
		strbuf_addstr(out, " (");
		strbuf_add(out, p.note, p.note_len);
		strbuf_addch(out, ')');
	}
}
