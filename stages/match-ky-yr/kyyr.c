/* conf/ky-yr.conf: see kyyr.h. */
#include "kyyr.h"

#include <stdlib.h>
#include <string.h>

#include "core/conffile.h"
#include "core/strbuf.h"
#include "core/banned.h"

static int line(const struct conf_line *l, void *data)
{
	struct kyyr_conf *c = data;
	if (strcmp(l->argv[0], "andel-atp-op"))
		return conf_error(l, "unknown directive '%s' (andel-atp-op)", l->argv[0]);
	if (l->argc < 2)
		return conf_error(l, "usage: andel-atp-op YDELSESKODE...");
	for (int i = 1; i < l->argc; i++) {
		if (kyyr_is_andel(c, l->argv[i], strlen(l->argv[i])))
			return conf_error(l, "ydelseskode '%s' given twice", l->argv[i]);
		c->andel = xrealloc(c->andel, (size_t)(c->nandel + 1) * sizeof(char *));
		c->andel[c->nandel++] = xstrdup(l->argv[i]);
	}
	return 0;
}

int kyyr_load(const char *path, struct kyyr_conf *c)
{
	memset(c, 0, sizeof(*c));
	if (conf_read(path, line, c)) {
		kyyr_free(c);
		return -1;
	}
	return 0;
}

void kyyr_free(struct kyyr_conf *c)
{
	for (int i = 0; i < c->nandel; i++)
		free(c->andel[i]);
	free(c->andel);
	memset(c, 0, sizeof(*c));
}

int kyyr_is_andel(const struct kyyr_conf *c, const char *code, size_t len)
{
	for (int i = 0; i < c->nandel; i++)
		if (strlen(c->andel[i]) == len && !memcmp(c->andel[i], code, len))
			return 1;
	return 0;
}
