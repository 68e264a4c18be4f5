#include "archive/archiveconf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/conffile.h"
#include "core/strbuf.h"
#include "core/banned.h"

struct loading {
	const struct pipeline_conf *c;
	struct archive_conf *ac;
};

static void set_dir(struct loading *l, const char *dir)
{
	struct strbuf p = STRBUF_INIT;
	if (dir[0] == '/')
		strbuf_addstr(&p, dir);
	else
		strbuf_addf(&p, "%s/%s", l->c->dir, dir);
	free(l->ac->dir);
	l->ac->dir = strbuf_detach(&p);
}

static int on_line(const struct conf_line *line, void *data)
{
	struct loading *l = data;
	const char *d = line->argv[0];
	if (!strcmp(d, "dir")) {
		if (line->argc != 2)
			return conf_error(line, "dir takes one directory");
		set_dir(l, line->argv[1]);
		return 0;
	}
	if (!strcmp(d, "retention-years")) {
		char *end;
		long v = line->argc == 2 ? strtol(line->argv[1], &end, 10) : -1;
		if (line->argc != 2 || *end || v < 0 || v > 100)
			return conf_error(line, "retention-years takes a number from 0 to 100");
		l->ac->retention_years = (int)v;
		return 0;
	}
	if (!strcmp(d, "seal-input")) {
		struct archive_conf *ac = l->ac;
		if (line->argc != 2)
			return conf_error(line, "seal-input takes one store name");
		for (size_t i = 0; i < ac->nseal; i++)
			if (!strcmp(ac->seal_inputs[i], line->argv[1]))
				return conf_error(line, "seal-input %s given twice", line->argv[1]);
		ac->seal_inputs = xrealloc(ac->seal_inputs, (ac->nseal + 1) * sizeof(char *));
		ac->seal_lines = xrealloc(ac->seal_lines, (ac->nseal + 1) * sizeof(unsigned long));
		ac->seal_inputs[ac->nseal] = xstrdup(line->argv[1]);
		ac->seal_lines[ac->nseal++] = line->lineno;
		if (!ac->seal_path)
			ac->seal_path = xstrdup(line->path);
		return 0;
	}
	return conf_error(line, "unknown directive '%s'", d);
}

int archive_conf_load(const struct pipeline_conf *c, struct archive_conf *ac)
{
	struct loading l = { c, ac };
	struct strbuf path = STRBUF_INIT;
	const char *env = getenv("PIPELINE_ARCHIVE_DIR");
	int rc = 0;
	memset(ac, 0, sizeof(*ac));
	/* The archive belongs to the state it seals, not to the checkout: a
	 * sandboxed service can write there, and runs with other states do
	 * not share one chain by accident. */
	strbuf_addf(&path, "%s/archive", c->state);
	ac->dir = strbuf_detach(&path);
	conf_sibling(c, "archive.conf", &path);
	if (!(access(path.buf, F_OK) && errno == ENOENT))
		rc = conf_read(path.buf, on_line, &l);
	strbuf_release(&path);
	if (rc) {
		archive_conf_free(ac);
		return -1;
	}
	if (env && *env) {
		free(ac->dir);
		ac->dir = xstrdup(env);
	}
	return 0;
}

void archive_conf_free(struct archive_conf *ac)
{
	free(ac->dir);
	ac->dir = NULL;
	for (size_t i = 0; i < ac->nseal; i++)
		free(ac->seal_inputs[i]);
	free(ac->seal_inputs);
	free(ac->seal_lines);
	free(ac->seal_path);
	ac->seal_inputs = NULL;
	ac->seal_lines = NULL;
	ac->seal_path = NULL;
	ac->nseal = 0;
}
