/* conf/reconciliations.conf: see match/reconconf.h. */
#include "match/reconconf.h"

#include <stdlib.h>
#include <string.h>

#include "core/conffile.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/banned.h"

/* A recon name, store, code or key: no blanks, quotes or control characters. */
static int word_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == '"' || *s == ';' || *s == 0x7f)
			return 0;
	return 1;
}

static int lookup(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

static struct recon_def *current(struct recon_conf *c)
{
	return c->n ? &c->v[c->n - 1] : NULL;
}

static int line_recon(const struct conf_line *l, struct recon_conf *c)
{
	struct recon_def *d;
	if (l->argc != 2)
		return conf_error(l, "usage: recon NAME");
	if (!word_ok(l->argv[1]))
		return conf_error(l, "recon name '%s': no blanks, quotes or ';'", l->argv[1]);
	if (reconconf_find(c, l->argv[1]))
		return conf_error(l, "recon '%s' given twice", l->argv[1]);
	c->v = xrealloc(c->v, (size_t)(c->n + 1) * sizeof(*c->v));
	d = &c->v[c->n++];
	memset(d, 0, sizeof(*d));
	d->name = xstrdup(l->argv[1]);
	d->lineno = l->lineno;
	return 0;
}

static int keys_of(const struct conf_line *l, int at, struct recon_report *r)
{
	if (at >= l->argc)
		return 0;
	if (strcmp(l->argv[at], "keys") && strcmp(l->argv[at], "except"))
		return conf_error(l, "'%s': expected 'keys KEY...' or 'except KEY...'",
				  l->argv[at]);
	r->except = !strcmp(l->argv[at], "except");
	if (at + 1 >= l->argc)
		return conf_error(l, "'%s' names no key", l->argv[at]);
	r->keys = xcalloc((size_t)(l->argc - at), sizeof(*r->keys));
	for (int i = at + 1; i < l->argc; i++) {
		if (!word_ok(l->argv[i]))
			return conf_error(l, "key '%s': no blanks, quotes or ';'", l->argv[i]);
		r->keys[r->nkeys++] = xstrdup(l->argv[i]);
	}
	return 0;
}

static int line_report(const struct conf_line *l, struct recon_def *d)
{
	static const char *const needs[] = { "required", "optional" };
	static const char *const sides[] = { "left", "right", "both", "explained", "check" };
	static const char *const scopes[] = { "month", "any" };
	struct recon_report *r;
	int need, side, scope;
	if (l->argc < 6)
		return conf_error(l, "usage: report STORE LABEL required|optional "
				  "left|right|both|explained|check month|any [keys KEY...|except KEY...]");
	if ((need = lookup(needs, 2, l->argv[3])) < 0)
		return conf_error(l, "'%s': required or optional", l->argv[3]);
	if ((side = lookup(sides, 5, l->argv[4])) < 0)
		return conf_error(l, "'%s': left, right, both, explained or check", l->argv[4]);
	if ((scope = lookup(scopes, 2, l->argv[5])) < 0)
		return conf_error(l, "'%s': month or any", l->argv[5]);
	if (!word_ok(l->argv[1]))
		return conf_error(l, "store '%s': no blanks, quotes or ';'", l->argv[1]);
	if (d->nreports == RECON_MAX_REPORTS)
		return conf_error(l, "recon %s: more than %d report lines", d->name,
				  RECON_MAX_REPORTS);
	if (!*l->argv[2] || strchr(l->argv[2], ';'))
		return conf_error(l, "label '%s': not empty, no ';'", l->argv[2]);
	d->reports = xrealloc(d->reports, (size_t)(d->nreports + 1) * sizeof(*d->reports));
	r = &d->reports[d->nreports++];
	memset(r, 0, sizeof(*r));
	r->store = xstrdup(l->argv[1]);
	r->label = xstrdup(l->argv[2]);
	r->need = need;
	r->side = side;
	r->scope = scope;
	r->lineno = l->lineno;
	return keys_of(l, 6, r);
}

static int line_explains(const struct conf_line *l, struct recon_def *d)
{
	if (l->argc < 2)
		return conf_error(l, "usage: explains CODE...");
	for (int i = 1; i < l->argc; i++) {
		if (!word_ok(l->argv[i]))
			return conf_error(l, "code '%s': no blanks, quotes or ';'", l->argv[i]);
		if (recon_code_role(d, l->argv[i], NULL) != EXC_BREAK)
			return conf_error(l, "code '%s' is given a role twice", l->argv[i]);
		d->explains = xrealloc(d->explains, (size_t)(d->nexplains + 1) * sizeof(char *));
		d->explains[d->nexplains++] = xstrdup(l->argv[i]);
	}
	return 0;
}

static int line_detail(const struct conf_line *l, struct recon_def *d)
{
	struct recon_detail *t;
	if ((l->argc != 4 && l->argc != 6) || strcmp(l->argv[2], "of") ||
	    (l->argc == 6 && strcmp(l->argv[4], "key")))
		return conf_error(l, "usage: detail CODE of PARENT [key KEY]");
	for (int i = 1; i < l->argc; i += 2)
		if (!word_ok(l->argv[i]))
			return conf_error(l, "'%s': no blanks, quotes or ';'", l->argv[i]);
	if (!strcmp(l->argv[1], l->argv[3]))
		return conf_error(l, "code '%s' cannot be a detail of itself", l->argv[1]);
	if (recon_code_role(d, l->argv[1], NULL) != EXC_BREAK)
		return conf_error(l, "code '%s' is given a role twice", l->argv[1]);
	if (recon_code_role(d, l->argv[3], NULL) != EXC_BREAK)
		return conf_error(l, "parent '%s' must be an open break, not explaining "
				  "nor a detail", l->argv[3]);
	d->details = xrealloc(d->details, (size_t)(d->ndetails + 1) * sizeof(*d->details));
	t = &d->details[d->ndetails++];
	t->code = xstrdup(l->argv[1]);
	t->parent = xstrdup(l->argv[3]);
	t->key = l->argc == 6 ? xstrdup(l->argv[5]) : NULL;
	return 0;
}

static int line_total(const struct conf_line *l, struct recon_def *d)
{
	if (l->argc != 2)
		return conf_error(l, "usage: total KEY");
	if (!word_ok(l->argv[1]))
		return conf_error(l, "key '%s': no blanks, quotes or ';'", l->argv[1]);
	if (recon_is_total(d, l->argv[1]))
		return conf_error(l, "total '%s' given twice", l->argv[1]);
	d->totals = xrealloc(d->totals, (size_t)(d->ntotals + 1) * sizeof(char *));
	d->totals[d->ntotals++] = xstrdup(l->argv[1]);
	return 0;
}

static int line_stage(const struct conf_line *l, struct recon_def *d)
{
	if (l->argc != 2)
		return conf_error(l, "usage: stage NAME");
	if (!word_ok(l->argv[1]))
		return conf_error(l, "stage '%s': no blanks, quotes or ';'", l->argv[1]);
	if (d->stage)
		return conf_error(l, "recon %s: stage given twice", d->name);
	d->stage = xstrdup(l->argv[1]);
	return 0;
}

static int conf_line_fn(const struct conf_line *l, void *data)
{
	struct recon_conf *c = data;
	struct recon_def *d = current(c);
	if (!strcmp(l->argv[0], "recon"))
		return line_recon(l, c);
	if (strcmp(l->argv[0], "report") && strcmp(l->argv[0], "explains") &&
	    strcmp(l->argv[0], "detail") && strcmp(l->argv[0], "total") &&
	    strcmp(l->argv[0], "stage"))
		return conf_error(l, "unknown directive '%s' (recon, report, explains, detail, "
				  "total, stage)", l->argv[0]);
	if (!d)
		return conf_error(l, "'%s' before any 'recon NAME'", l->argv[0]);
	if (!strcmp(l->argv[0], "report"))
		return line_report(l, d);
	if (!strcmp(l->argv[0], "explains"))
		return line_explains(l, d);
	if (!strcmp(l->argv[0], "total"))
		return line_total(l, d);
	if (!strcmp(l->argv[0], "stage"))
		return line_stage(l, d);
	return line_detail(l, d);
}

/* A parent that is itself explaining cannot be known when the detail line comes first. */
static int check_def(const struct recon_conf *c, const struct recon_def *d)
{
	for (int i = 0; i < d->ndetails; i++)
		if (recon_code_role(d, d->details[i].parent, NULL) != EXC_BREAK) {
			log_input(c->path, d->lineno, 0, "recon %s: parent '%s' of detail '%s' "
				  "must be an open break", d->name, d->details[i].parent,
				  d->details[i].code);
			return -1;
		}
	if (!d->nreports) {
		log_input(c->path, d->lineno, 0, "recon %s declares no report", d->name);
		return -1;
	}
	return 0;
}

int reconconf_load(const char *path, struct recon_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->path = xstrdup(path);
	if (conf_read(path, conf_line_fn, c))
		goto bad;
	for (int i = 0; i < c->n; i++)
		if (check_def(c, &c->v[i]))
			goto bad;
	return 0;
bad:
	reconconf_free(c);
	return -1;
}

static void free_words(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void reconconf_free(struct recon_conf *c)
{
	for (int i = 0; i < c->n; i++) {
		struct recon_def *d = &c->v[i];
		for (int k = 0; k < d->nreports; k++) {
			free(d->reports[k].store);
			free(d->reports[k].label);
			free_words(d->reports[k].keys, d->reports[k].nkeys);
		}
		for (int k = 0; k < d->ndetails; k++) {
			free(d->details[k].code);
			free(d->details[k].parent);
			free(d->details[k].key);
		}
		free(d->reports);
		free(d->details);
		free_words(d->explains, d->nexplains);
		free_words(d->totals, d->ntotals);
		free(d->stage);
		free(d->name);
	}
	free(c->v);
	free(c->path);
	memset(c, 0, sizeof(*c));
}

const struct recon_def *reconconf_find(const struct recon_conf *c, const char *recon)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].name, recon))
			return &c->v[i];
	return NULL;
}

int reconconf_check_stores(const struct recon_conf *c, const struct recon_def *d,
			   const char *const *stores, int n)
{
	for (int i = 0; i < n; i++) {
		int found = 0;
		for (int k = 0; k < d->nreports && !found; k++)
			found = !strcmp(d->reports[k].store, stores[i]);
		if (!found) {
			log_input(c->path, d->lineno, 0, "recon %s: the stage reads store '%s'; "
				  "declare it with a 'report' line", d->name, stores[i]);
			return -1;
		}
	}
	for (int k = 0; k < d->nreports; k++)
		if (lookup(stores, n, d->reports[k].store) < 0) {
			log_input(c->path, d->reports[k].lineno, 0, "recon %s: the stage reads no "
				  "store '%s'", d->name, d->reports[k].store);
			return -1;
		}
	return 0;
}

const char *recon_stage(const struct recon_def *d, struct strbuf *sb)
{
	strbuf_reset(sb);
	if (d->stage)
		strbuf_addstr(sb, d->stage);
	else
		strbuf_addf(sb, "match-%s", d->name);
	return sb->buf;
}

int recon_is_total(const struct recon_def *d, const char *key)
{
	return lookup((const char *const *)d->totals, d->ntotals, key) >= 0;
}

int recon_report_applies(const struct recon_report *r, const char *key)
{
	int listed;
	if (!r->keys)
		return 1;
	listed = lookup((const char *const *)r->keys, r->nkeys, key) >= 0;
	return r->except ? !listed : listed;
}

int recon_code_role(const struct recon_def *d, const char *code,
		    const struct recon_detail **det)
{
	if (lookup((const char *const *)d->explains, d->nexplains, code) >= 0)
		return EXC_EXPLAINS;
	for (int i = 0; i < d->ndetails; i++)
		if (!strcmp(d->details[i].code, code)) {
			if (det)
				*det = &d->details[i];
			return EXC_DETAIL;
		}
	return EXC_BREAK;
}
