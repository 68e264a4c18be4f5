#include "run/conf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/conffile.h"
#include "core/date.h"
#include "core/digest.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/banned.h"

/* A relative path in a conf file is relative to the file's directory. */
static int set_path(const struct conf_line *l, char **dst)
{
	struct strbuf p = STRBUF_INIT;
	const char *slash = strrchr(l->path, '/');
	if (l->argc != 2)
		return conf_error(l, "usage: %s DIR", l->argv[0]);
	if (l->argv[1][0] != '/' && slash)
		strbuf_add(&p, l->path, (size_t)(slash - l->path + 1));
	strbuf_addstr(&p, l->argv[1]);
	free(*dst);
	*dst = strbuf_detach(&p);
	return 0;
}

static int pattern_check(const char *p)
{
	static const char *parts[] = { "{se}", "{date}", "{month}", "{word}" };
	while ((p = strchr(p, '{'))) {
		size_t i, n = sizeof(parts) / sizeof(parts[0]);
		for (i = 0; i < n; i++)
			if (!strncmp(p, parts[i], strlen(parts[i])))
				break;
		if (i == n)
			return -1;
		p += strlen(parts[i]);
	}
	return 0;
}

static int conf_input(const struct conf_line *l, struct pipeline_conf *c)
{
	struct input_rule *r;
	int accumulate = 0, nsets = 0;
	if (l->argc < 3)
		return conf_error(l, "usage: input DIR/PATTERN SCHEMA[,SCHEMA...] [accumulate] "
				  "[FIELD=VALUE...]");
	for (int i = 3; i < l->argc; i++) {
		const char *eq = strchr(l->argv[i], '=');
		if (!strcmp(l->argv[i], "accumulate")) {
			if (accumulate++)
				return conf_error(l, "'accumulate' given twice");
			continue;
		}
		if (!eq || eq == l->argv[i] || !eq[1])
			return conf_error(l, "'%s' is neither accumulate nor FIELD=VALUE",
					  l->argv[i]);
		if (++nsets > MAX_INPUT_SETS)
			return conf_error(l, "more than %d FIELD=VALUE words", MAX_INPUT_SETS);
	}
	if (pattern_check(l->argv[1]))
		return conf_error(l, "pattern '%s' has an unknown or unclosed {part} "
				  "(se, date, month, word)", l->argv[1]);
	c->inputs = xrealloc(c->inputs, (size_t)(c->ninputs + 1) * sizeof(*r));
	r = &c->inputs[c->ninputs++];
	r->pattern = xstrdup(l->argv[1]);
	r->schema = xstrdup(l->argv[2]);
	r->lineno = l->lineno;
	r->accumulate = accumulate;
	r->nsets = 0;
	for (int i = 3; i < l->argc; i++) {
		const char *eq = strchr(l->argv[i], '=');
		struct input_set *set;
		if (!eq)
			continue;	/* accumulate */
		set = &r->sets[r->nsets++];
		set->field = xstrndup(l->argv[i], (size_t)(eq - l->argv[i]));
		set->value = xstrdup(eq + 1);
	}
	return 0;
}

static int conf_stage_line(const struct conf_line *l, struct pipeline_conf *c)
{
	struct stage_rule *s;
	if (l->argc < 2 || (l->argc > 2 && strcmp(l->argv[2], "after")) ||
	    l->argc == 3 || l->argc > 3 + MAX_AFTER)
		return conf_error(l, "usage: stage NAME [after STAGE...]");
	if (conf_stage(c, l->argv[1]))
		return conf_error(l, "stage '%s' given twice", l->argv[1]);
	for (int i = 3; i < l->argc; i++)
		if (!conf_stage(c, l->argv[i]))
			return conf_error(l, "stage '%s' runs after '%s', which is not "
					  "declared before it", l->argv[1], l->argv[i]);
	c->stages = xrealloc(c->stages, (size_t)(c->nstages + 1) * sizeof(*s));
	s = &c->stages[c->nstages++];
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(l->argv[1]);
	for (int i = 3; i < l->argc; i++)
		s->after[s->nafter++] = xstrdup(l->argv[i]);
	return 0;
}

static int conf_line(const struct conf_line *l, void *data)
{
	struct pipeline_conf *c = data;
	const char *d = l->argv[0];
	if (!strcmp(d, "drops"))
		return set_path(l, &c->drops);
	if (!strcmp(d, "state"))
		return set_path(l, &c->state);
	if (!strcmp(d, "out"))
		return set_path(l, &c->out);
	if (!strcmp(d, "schemas"))
		return set_path(l, &c->schemas);
	if (!strcmp(d, "defaults"))
		return set_path(l, &c->defaults);
	if (!strcmp(d, "months-back")) {
		char *end;
		long n = l->argc == 2 ? strtol(l->argv[1], &end, 10) : -1;
		if (l->argc != 2 || *end || n < 0 || n > 24)
			return conf_error(l, "usage: months-back N (0 to 24)");
		c->months_back = (int)n;
		return 0;
	}
	if (!strcmp(d, "store-map-size")) {
		if (l->argc != 2 || conf_parse_size(l->argv[1], &c->store_map_size) ||
		    c->store_map_size < ((size_t)1 << 20))
			return conf_error(l, "usage: store-map-size SIZE (e.g. 64G, 1G; "
					  "at least 1M)");
		return 0;
	}
	if (!strcmp(d, "xml-max-bytes")) {
		if (l->argc != 2 || conf_parse_size(l->argv[1], &c->xml_max_bytes) ||
		    c->xml_max_bytes < 1024)
			return conf_error(l, "usage: xml-max-bytes SIZE (e.g. 64M; at least 1K)");
		return 0;
	}
	if (!strcmp(d, "xml-max-depth") || !strcmp(d, "xml-max-value")) {
		char *end;
		long n = l->argc == 2 ? strtol(l->argv[1], &end, 10) : -1;
		int depth = !strcmp(d, "xml-max-depth");
		if (l->argc != 2 || *end || n < (depth ? 2 : 16) || n > (depth ? 256 : 1 << 24))
			return conf_error(l, depth ? "usage: xml-max-depth N (2 to 256)"
					  : "usage: xml-max-value BYTES (16 to 16777216)");
		if (depth)
			c->xml_max_depth = (int)n;
		else
			c->xml_max_value = (size_t)n;
		return 0;
	}
	if (!strcmp(d, "input"))
		return conf_input(l, c);
	if (!strcmp(d, "stage"))
		return conf_stage_line(l, c);
	return conf_error(l, "unknown directive '%s' (drops, state, out, schemas, "
			  "defaults, months-back, store-map-size, xml-max-bytes, xml-max-depth, "
			  "xml-max-value, input, stage)", d);
}

int pipeline_conf_load(const char *path, struct pipeline_conf *c)
{
	uint64_t size;
	const char *slash = strrchr(path, '/');
	memset(c, 0, sizeof(*c));
	c->path = xstrdup(path);
	c->dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
	c->months_back = 1;
	if (conf_read(path, conf_line, c))
		goto fail;
	if (!c->state || !c->out || !c->schemas) {
		log_input(path, 0, 0, "needs 'state', 'out' and 'schemas'");
		goto fail;
	}
	if (!c->nstages) {
		log_input(path, 0, 0, "declares no 'stage'");
		goto fail;
	}
	if (digest_file(path, c->digest, &size))
		goto fail;
	return 0;
fail:
	pipeline_conf_free(c);
	return -1;
}

void pipeline_conf_free(struct pipeline_conf *c)
{
	for (int i = 0; i < c->ninputs; i++) {
		free(c->inputs[i].pattern);
		free(c->inputs[i].schema);
		for (int k = 0; k < c->inputs[i].nsets; k++) {
			free(c->inputs[i].sets[k].field);
			free(c->inputs[i].sets[k].value);
		}
	}
	for (int i = 0; i < c->nstages; i++) {
		free(c->stages[i].name);
		for (int k = 0; k < c->stages[i].nafter; k++)
			free(c->stages[i].after[k]);
	}
	free(c->inputs);
	free(c->stages);
	free(c->path);
	free(c->dir);
	free(c->drops);
	free(c->state);
	free(c->out);
	free(c->schemas);
	free(c->defaults);
	memset(c, 0, sizeof(*c));
}

const struct stage_rule *conf_stage(const struct pipeline_conf *c, const char *name)
{
	for (int i = 0; i < c->nstages; i++)
		if (!strcmp(c->stages[i].name, name))
			return &c->stages[i];
	return NULL;
}

void conf_sibling(const struct pipeline_conf *c, const char *name, struct strbuf *out)
{
	strbuf_reset(out);
	strbuf_addf(out, "%s/%s", c->dir, name);
	if (c->defaults && access(out->buf, F_OK) && errno == ENOENT) {
		strbuf_reset(out);
		strbuf_addf(out, "%s/%s", c->defaults, name);
	}
}

static size_t count_digits(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

/* Matches one {part} at name; returns bytes used, or -1 (no match), -2 (bad part). */
static long match_part(const char *part, size_t plen, const char *name,
		       char stop, struct name_match *m)
{
	const char *why;
	int32_t v;
	if (plen == 2 && !memcmp(part, "se", 2)) {
		if (count_digits(name, 8) != 8)
			return -1;
		memcpy(m->se, name, 8);
		m->se[8] = '\0';
		return 8;
	}
	if (plen == 4 && !memcmp(part, "date", 4)) {
		if (count_digits(name, 8) != 8 || day_parse(name, 8, &v, &why))
			return -1;
		m->date = v;
		m->month = v / 100;
		return 8;
	}
	if (plen == 5 && !memcmp(part, "month", 5)) {
		if (count_digits(name, 6) != 6 || month_parse(name, 6, &v, &why))
			return -1;
		m->month = v;
		m->date = v * 100 + 1;
		return 6;
	}
	if (plen == 4 && !memcmp(part, "word", 4)) {
		long n = 0;
		while (name[n] && name[n] != stop && name[n] != '/' &&
		       (name[n] == '-' || name[n] == '_' || (name[n] >= '0' && name[n] <= '9') ||
			(name[n] >= 'A' && name[n] <= 'Z') || (name[n] >= 'a' && name[n] <= 'z')))
			n++;
		return n ? n : -1;
	}
	return -2;
}

int pattern_match(const char *p, const char *name, struct name_match *m)
{
	memset(m, 0, sizeof(*m));
	while (*p) {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			long n;
			if (!close)
				return -2;
			n = match_part(p + 1, (size_t)(close - p - 1), name, close[1], m);
			if (n == -2 || n < 0)
				return (int)n;
			name += n;
			p = close + 1;
			continue;
		}
		if (*p != *name)
			return -1;
		p++, name++;
	}
	return *name ? -1 : 0;
}

int conf_accumulates(const char *relpath, void *c)
{
	struct name_match m;
	const struct input_rule *r = conf_match_input(c, relpath, &m);
	return r && r->accumulate;
}

const struct input_rule *conf_match_input(const struct pipeline_conf *c,
					  const char *relpath, struct name_match *m)
{
	for (int i = 0; i < c->ninputs; i++)
		if (pattern_match(c->inputs[i].pattern, relpath, m) == 0)
			return &c->inputs[i];
	return NULL;
}
