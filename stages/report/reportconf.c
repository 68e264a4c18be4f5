#include "reportconf.h"

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

static int on_line(const struct conf_line *line, void *data)
{
	struct report_conf *rc = data;
	const char *d = line->argv[0];
	if (!strcmp(d, "recon"))
		return recon_line(line, rc);
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
