#include "wbconf.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/conffile.h"
#include "core/banned.h"

struct seen {
	struct wb_conf *c;
	unsigned long cpr_line;
};

static int on_line(const struct conf_line *l, void *data)
{
	struct seen *s = data;
	if (strcmp(l->argv[0], "cpr"))
		return conf_error(l, "unknown directive '%s' (expected cpr)", l->argv[0]);
	if (l->argc != 2 || (strcmp(l->argv[1], "masked") && strcmp(l->argv[1], "full")))
		return conf_error(l, "usage: cpr masked|full");
	if (s->cpr_line)
		return conf_error(l, "cpr given twice (first on line %lu)", s->cpr_line);
	s->cpr_line = l->lineno;
	s->c->mask_cpr = !strcmp(l->argv[1], "masked");
	return 0;
}

int wb_conf_load(const char *path, struct wb_conf *c)
{
	struct seen s = { c, 0 };
	c->mask_cpr = 1;
	if (access(path, F_OK) && errno == ENOENT)
		return 0;
	return conf_read(path, on_line, &s) ? -1 : 0;
}
