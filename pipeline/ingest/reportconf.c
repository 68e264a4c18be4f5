#include "ingest/reportconf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/conffile.h"
#include "core/strbuf.h"
#include "core/banned.h"

static void labels_default(struct recon_labels *l, const char *recon)
{
	l->recon = xstrdup(recon);
	l->title = xstrdup(recon);
	l->figure = xstrdup("");
	l->key = xstrdup("Nøgle");
	l->left = xstrdup("Venstre");
	l->right = xstrdup("Højre");
	l->explained = xstrdup("Forklaret");
}

static void labels_free(struct recon_labels *l)
{
	free(l->recon);
	free(l->title);
	free(l->figure);
	free(l->key);
	free(l->left);
	free(l->right);
	free(l->explained);
}

static char **label_slot(struct recon_labels *l, const char *name)
{
	static const char *const names[] = { "title", "figure", "key", "left", "right",
					     "explained" };
	char **slots[] = { &l->title, &l->figure, &l->key, &l->left, &l->right,
			   &l->explained };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i], name))
			return slots[i];
	return NULL;
}

static int recon_line(const struct conf_line *line, struct report_conf *rc)
{
	struct recon_labels *l;
	if (line->argc < 2 || line->argc % 2)
		return conf_error(line, "recon NAME [title T] [figure F] [key K] [left L] "
				  "[right R] [explained E]");
	for (int i = 0; i < rc->n; i++)
		if (!strcmp(rc->v[i].recon, line->argv[1]))
			return conf_error(line, "recon %s listed twice", line->argv[1]);
	rc->v = xrealloc(rc->v, (size_t)(rc->n + 1) * sizeof(*rc->v));
	l = &rc->v[rc->n++];
	labels_default(l, line->argv[1]);
	for (int i = 2; i < line->argc; i += 2) {
		char **slot = label_slot(l, line->argv[i]);
		if (!slot)
			return conf_error(line, "unknown label '%s'", line->argv[i]);
		free(*slot);
		*slot = xstrdup(line->argv[i + 1]);
	}
	return 0;
}

static void list_free(struct report_list *l)
{
	free(l->recon);
	free(l->title);
	free(l->from);
	for (int i = 0; i < l->nwhere; i++) {
		free(l->where[i].col);
		free(l->where[i].value);
	}
	free(l->where);
	for (int i = 0; i < l->ncols; i++) {
		free(l->cols[i].col);
		free(l->cols[i].label);
	}
	free(l->cols);
}

/* A night file's name: relative, no "..", no empty part (DIR/ ends in one '/'). */
static int night_path_ok(const char *p)
{
	const char *s = p;
	if (!*p || *p == '/' || strstr(p, "//"))
		return 0;
	while (*s) {
		size_t n = strcspn(s, "/");
		if ((n == 2 && !strncmp(s, "..", 2)) || (n == 1 && *s == '.'))
			return 0;
		s += n + (s[n] == '/');
	}
	return 1;
}

static int list_where(const struct conf_line *line, const char *w, struct list_where **v,
		      int *nv)
{
	const char *eq = strchr(w, '=');
	struct list_where *c;
	size_t n;
	if (!eq || eq == w)
		return conf_error(line, "where '%s': COL=VALUE, COL!=VALUE or COL^=PREFIX", w);
	n = (size_t)(eq - w);
	*v = xrealloc(*v, (size_t)(*nv + 1) * sizeof(**v));
	c = &(*v)[(*nv)++];
	c->op = LIST_EQ;
	if (eq[-1] == '!' || eq[-1] == '^') {
		c->op = eq[-1] == '!' ? LIST_NE : LIST_PREFIX;
		n--;
	}
	c->col = xstrndup(w, n);
	c->value = xstrdup(eq + 1);
	if (!*c->col)
		return conf_error(line, "where '%s': no column", w);
	return 0;
}

static int list_column(const struct conf_line *line, const char *w, struct report_list *l)
{
	const char *eq, *c = w;
	struct list_column *col;
	int money = 0;
	if (!strncmp(c, "kr:", 3) || !strncmp(c, "sum:", 4)) {
		money = *c == 'k' ? 1 : 2;
		c += money == 1 ? 3 : 4;
	}
	eq = strchr(c, '=');
	if (!eq || eq == c || !eq[1])
		return conf_error(line, "column '%s': [kr:|sum:]COL=LABEL", w);
	l->cols = xrealloc(l->cols, (size_t)(l->ncols + 1) * sizeof(*l->cols));
	col = &l->cols[l->ncols++];
	col->col = xstrndup(c, (size_t)(eq - c));
	col->label = xstrdup(eq + 1);
	col->money = money;
	if (col->col[0] == '@' && strcmp(col->col, "@code") && strcmp(col->col, "@voucher") &&
	    strcmp(col->col, "@file"))
		return conf_error(line, "column '%s': unknown %s (@code, @voucher, @file)", w,
				  col->col);
	if (!strncmp(col->col, "link:", 5) && (money || !night_path_ok(col->col + 5)))
		return conf_error(line, "column '%s': link:TEMPLATE is a night file's name", w);
	return 0;
}

/* list NAME TITLE from FILE [where COND]... columns COLUMN... (reportconf.h) */
static int list_line(const struct conf_line *line, struct report_conf *rc)
{
	struct report_list *l;
	int i = 5;
	if (line->argc < 7 || strcmp(line->argv[3], "from"))
		return conf_error(line, "list NAME TITLE from FILE [where COND]... columns "
				  "COLUMN...");
	rc->lists = xrealloc(rc->lists, (size_t)(rc->nlists + 1) * sizeof(*rc->lists));
	l = &rc->lists[rc->nlists++];
	memset(l, 0, sizeof(*l));
	l->recon = xstrdup(line->argv[1]);
	l->title = xstrdup(line->argv[2]);
	l->from = xstrdup(line->argv[4]);
	if (!night_path_ok(l->from))
		return conf_error(line, "list from '%s': a file (or DIR/) under OUT/DATE",
				  l->from);
	for (; i + 1 < line->argc && !strcmp(line->argv[i], "where"); i += 2)
		if (list_where(line, line->argv[i + 1], &l->where, &l->nwhere))
			return -1;
	if (i >= line->argc || strcmp(line->argv[i], "columns"))
		return conf_error(line, "list: '%s' where 'where COND' or 'columns' belongs",
				  i < line->argc ? line->argv[i] : "(end of line)");
	if (++i >= line->argc)
		return conf_error(line, "list: columns names none");
	for (; i < line->argc; i++)
		if (list_column(line, line->argv[i], l))
			return -1;
	return 0;
}

/* rate NAME TITLE by COL days N good FILE bad FILE [where COND]... */
static int rate_line(const struct conf_line *line, struct report_conf *rc)
{
	static const char *const words[] = { "by", "days", "good", "bad" };
	struct report_rate *r;
	char *end;
	long days;
	if (line->argc < 11)
		return conf_error(line, "rate NAME TITLE by COL[=LABEL] days N good FILE bad FILE "
				  "[where COND]...");
	for (int k = 0; k < 4; k++)
		if (strcmp(line->argv[3 + 2 * k], words[k]))
			return conf_error(line, "rate: '%s' where '%s' belongs",
					  line->argv[3 + 2 * k], words[k]);
	rc->rates = xrealloc(rc->rates, (size_t)(rc->nrates + 1) * sizeof(*rc->rates));
	r = &rc->rates[rc->nrates++];
	memset(r, 0, sizeof(*r));
	r->recon = xstrdup(line->argv[1]);
	r->title = xstrdup(line->argv[2]);
	r->by = xstrdup(line->argv[4]);
	r->by_label = xstrdup(strchr(r->by, '=') ? strchr(r->by, '=') + 1 : r->by);
	if (strchr(r->by, '='))
		*strchr(r->by, '=') = '\0';
	r->good = xstrdup(line->argv[8]);
	r->bad = xstrdup(line->argv[10]);
	days = strtol(line->argv[6], &end, 10);
	if (*end || days < 1 || days > 366)
		return conf_error(line, "rate days takes a number from 1 to 366");
	r->days = (int)days;
	if (!night_path_ok(r->good) || !night_path_ok(r->bad) ||
	    r->good[strlen(r->good) - 1] == '/' || r->bad[strlen(r->bad) - 1] == '/')
		return conf_error(line, "rate good and bad are files under OUT/DATE");
	for (int i = 11; i < line->argc; i += 2)
		if (strcmp(line->argv[i], "where") || i + 1 >= line->argc)
			return conf_error(line, "rate: '%s' where 'where COND' belongs",
					  line->argv[i]);
		else if (list_where(line, line->argv[i + 1], &r->where, &r->nwhere))
			return -1;
	return 0;
}

static int on_line(const struct conf_line *line, void *data)
{
	struct report_conf *rc = data;
	const char *d = line->argv[0];
	if (!strcmp(d, "recon"))
		return recon_line(line, rc);
	if (!strcmp(d, "list"))
		return list_line(line, rc);
	if (!strcmp(d, "rate"))
		return rate_line(line, rc);
	if (!strcmp(d, "trend-nights")) {
		char *end;
		long v = line->argc == 2 ? strtol(line->argv[1], &end, 10) : 0;
		if (line->argc != 2 || *end || v < 1 || v > 366)
			return conf_error(line, "trend-nights takes a number from 1 to 366");
		rc->trend_nights = (int)v;
		return 0;
	}
	return conf_error(line, "unknown directive '%s'", d);
}

int report_conf_load(const char *path, struct report_conf *rc)
{
	memset(rc, 0, sizeof(*rc));
	rc->trend_nights = 30;
	labels_default(&rc->fallback, "");
	if (access(path, F_OK) && errno == ENOENT)
		return 0;
	if (conf_read(path, on_line, rc)) {
		report_conf_free(rc);
		return -1;
	}
	return 0;
}

void report_conf_free(struct report_conf *rc)
{
	for (int i = 0; i < rc->n; i++)
		labels_free(&rc->v[i]);
	free(rc->v);
	for (int i = 0; i < rc->nlists; i++)
		list_free(&rc->lists[i]);
	free(rc->lists);
	for (int i = 0; i < rc->nrates; i++) {
		struct report_rate *r = &rc->rates[i];
		free(r->recon);
		free(r->title);
		free(r->by);
		free(r->by_label);
		free(r->good);
		free(r->bad);
		for (int k = 0; k < r->nwhere; k++) {
			free(r->where[k].col);
			free(r->where[k].value);
		}
		free(r->where);
	}
	free(rc->rates);
	labels_free(&rc->fallback);
	memset(rc, 0, sizeof(*rc));
}

const struct recon_labels *report_labels(const struct report_conf *rc, const char *recon)
{
	for (int i = 0; i < rc->n; i++)
		if (!strcmp(rc->v[i].recon, recon))
			return &rc->v[i];
	return &rc->fallback;
}
